# threadkit's one command surface: `make help` lists the targets. CI runs `make test`.
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO ?= cargo
# Loom builds with a different cfg, so it keeps its own target directory.
LOOM_TARGET := target/loom
LOOM_ENV := RUSTFLAGS="--cfg threadkit_loom" CARGO_TARGET_DIR=$(LOOM_TARGET) LOOM_MAX_PREEMPTIONS=2
EXAMPLES := two_threads counter event_waiter semaphore_limit worker_class worker_args daemon_exit pool_map downloader

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

.PHONY: run
run: ## Build and run the main job: the seed programs, in order
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
	$(CARGO) test --workspace --doc
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --quiet

.PHONY: test-stress
test-stress: ## The stress tests, in release
	$(CARGO) nextest run --workspace --release -E 'test(/stress/)'

.PHONY: test-rust
test-rust: ## Every Rust test in debug (nextest, each test bounded in time)
	$(CARGO) nextest run --workspace

.PHONY: test
test: lint test-loom test-doc test-stress test-rust ## Every check: lint, loom, docs, stress, tests

.PHONY: bench
bench: ## Criterion benchmarks against std, parking_lot, crossbeam, rayon, threadpool
	$(CARGO) bench -p threadkit
