# threadkit's one command surface: `make help` lists the targets. CI runs `make test`.
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO ?= cargo
# Loom builds with a different cfg, so it keeps its own target directory.
LOOM_TARGET := target/loom
LOOM_ENV := RUSTFLAGS="--cfg threadkit_loom" CARGO_TARGET_DIR=$(LOOM_TARGET) LOOM_MAX_PREEMPTIONS=2
EXAMPLES := two_threads counter event_waiter semaphore_limit worker_class worker_args daemon_exit pool_map downloader

# The Python side: one virtualenv per supported interpreter, made by make from requirements-dev.txt.
# The extension is built once (abi3, release) into python/threadkit/ and imported by all.
# Each interpreter is pyenv's newest X.Y, else pythonX.Y on the PATH (if it runs); set
# PYTHON311/PYTHON312/PYTHON313 to use another (`make develop PYTHON312=/opt/py312/bin/python3`).
find_python = $(shell { v=$$(pyenv latest $(1) 2>/dev/null) && PYENV_VERSION=$$v pyenv which python$(1); } 2>/dev/null || \
	{ p=$$(command -v python$(1)) && "$$p" -c '' && echo "$$p"; } 2>/dev/null)
PYTHON311 ?= $(call find_python,3.11)
PYTHON312 ?= $(call find_python,3.12)
PYTHON313 ?= $(call find_python,3.13)
VENVS := .venv .venv312 .venv313
NATIVE := python/threadkit/_native.abi3.so

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

.PHONY: run
run: develop ## Build and run the main job: the seed programs on threadkit, then a short bench
	.venv/bin/python -m threadkit

.PHONY: run-rust
run-rust: ## The seed programs in Rust: the core crate's examples, in order
	@for example in $(EXAMPLES); do \
		echo "== $$example"; \
		$(CARGO) run --quiet --release -p threadkit --example $$example; \
	done

.PHONY: lint
lint: ## cargo fmt --check and clippy -D warnings
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(LOOM_ENV) $(CARGO) clippy -p threadkit --tests -- -D warnings

.PHONY: test-loom
test-loom: ## The loom models (bounded with LOOM_MAX_PREEMPTIONS=2)
	$(LOOM_ENV) $(CARGO) test --release -p threadkit --test 'loom_*'

.PHONY: test-doc
test-doc: ## Doc tests and a warning-free cargo doc
	@# rustdoc never times a doctest out: a deadlocked example would hang the run.
	timeout 900 $(CARGO) test --workspace --doc
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --quiet

.PHONY: test-stress
test-stress: ## The stress tests, in release
	$(CARGO) nextest run --workspace --release -E 'test(/stress/)'

.PHONY: test-rust
test-rust: ## Every Rust test in debug (nextest, each test bounded in time)
	$(CARGO) nextest run --workspace

# Each virtualenv keeps a copy of the requirements it was made from, and is made again only when
# they change (by content: a rebase or a fresh clone gives the file a new time, not new content).
# $(1): the virtualenv, $(2): the interpreter, $(3): its version, $(4): the variable naming it.
define make_venv
	@if ! cmp -s requirements-dev.txt $(1)/requirements-dev.txt; then \
		if ! "$(2)" -c 'import sys; sys.exit(sys.version_info[:2] != ($(subst .,$(comma),$(3))))' \
			2>/dev/null; then \
			echo "error: CPython $(3) not found (tried '$(2)'): install it (pyenv install $(3))" \
				"or set $(4) to its path, e.g. make $(MAKECMDGOALS) $(4)=/usr/bin/python$(3)" >&2; \
			exit 1; \
		fi; \
		echo "== creating $(1) with $(2)"; \
		$(2) -m venv --clear $(1) && \
		$(1)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt && \
		cp requirements-dev.txt $(1)/requirements-dev.txt; \
	fi
endef

comma := ,

.PHONY: venv
venv: ## The virtualenvs .venv (CPython 3.11), .venv312 and .venv313
	$(call make_venv,.venv,$(PYTHON311),3.11,PYTHON311)
	$(call make_venv,.venv312,$(PYTHON312),3.12,PYTHON312)
	$(call make_venv,.venv313,$(PYTHON313),3.13,PYTHON313)

.PHONY: develop
develop: venv ## Build the extension (release) and install threadkit, editable, into every virtualenv
	VIRTUAL_ENV=$(CURDIR)/.venv .venv/bin/maturin develop --release --quiet
	@# The abi3 extension serves every interpreter, so the others import the same tree (building
	@# for each would rebuild PyO3 every time the interpreter changes).
	@for venv in $(filter-out .venv,$(VENVS)); do \
		echo "$(CURDIR)/python" > "$$($$venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/threadkit.pth"; \
	done

.PHONY: lint-python
lint-python: develop ## ruff, mypy on the package, and stubtest of the native module's stubs
	.venv/bin/ruff check python tests
	.venv/bin/ruff format --check python tests
	.venv/bin/python -m mypy
	@for venv in $(VENVS); do \
		echo "== stubtest on $$venv"; \
		$$venv/bin/python -m mypy.stubtest threadkit._native \
			--allowlist tests/stubtest-allowlist.txt; \
	done

.PHONY: test-python
test-python: lint-python ## pytest on every interpreter: unit tests, CPython's suites, the wider ones installed
	@for venv in $(VENVS); do \
		echo "== pytest on $$($$venv/bin/python --version)"; \
		$$venv/bin/python -m pytest -q; \
	done

.PHONY: test
test: lint test-loom test-doc test-stress test-rust test-python ## Every check: Rust lint, loom, docs, stress, tests, then Python

.PHONY: fmt
fmt: ## Fix the formatting: cargo fmt, ruff's fixes and ruff format
	$(call make_venv,.venv,$(PYTHON311),3.11,PYTHON311)
	$(CARGO) fmt --all
	.venv/bin/ruff check --fix --quiet python tests
	.venv/bin/ruff format --quiet python tests

# The fast loop for people: what `make test` checks first, without the loom models, doc tests,
# stress tests, stubtest, the other interpreters and CPython's wider suites (`installed_suite`).
.PHONY: check
check: develop ## The fast loop: lint (no loom, no stubtest), the core's tests, pytest on .venv
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	.venv/bin/ruff check python tests
	.venv/bin/ruff format --check python tests
	.venv/bin/python -m mypy
	$(CARGO) nextest run -p threadkit
	.venv/bin/python -m pytest -q -m "not installed_suite"

# `make bench BENCH_ARGS="--bench lock"` runs one bench file; the summary covers what just ran.
# `PYBENCH_ARGS="--case lock"` does the same for the Python bench.
BENCH_ARGS ?=
BENCH_SUMMARY := python3 crates/threadkit/benches/summary.py
PYBENCH_ARGS ?=
PYBENCH_OUT := $(or $(CARGO_TARGET_DIR),target)/python-bench
PYBENCH := .venv/bin/python -m threadkit bench $(if $(THREADKIT_BENCH_QUICK),--quick) $(PYBENCH_ARGS)

.PHONY: bench
bench: develop ## Criterion benches (vs std and crates), then the Python bench (vs the stdlib); both tables
	@start=$$(date +%s) && $(CARGO) bench -p threadkit $(BENCH_ARGS) && \
		mkdir -p $(dir $(PYBENCH_OUT)) && \
		$(PYBENCH) --json $(PYBENCH_OUT).json > $(PYBENCH_OUT).txt && \
		$(BENCH_SUMMARY) --since $$start && echo && cat $(PYBENCH_OUT).txt && \
		echo "(the Python bench's raw numbers: $(PYBENCH_OUT).json)"

.PHONY: bench-python
bench-python: develop ## Only the Python bench: the stdlib and threadkit alternated in one process
	$(PYBENCH)

.PHONY: bench-quick
bench-quick: ## Both benchmarks with a short smoke config (THREADKIT_BENCH_QUICK=1, bench --quick), then the tables
	@export THREADKIT_BENCH_QUICK=1 && $(MAKE) --no-print-directory bench

.PHONY: clean-python
clean-python: ## Remove the virtualenvs and the built extension
	rm -rf $(VENVS) $(NATIVE)
