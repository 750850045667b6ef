"""Start-up cost: what ``import threadkit`` and ``python -m threadkit run`` load.

Every program run under ``threadkit run`` pays for threadkit's imports, so they are checked by
what they load, in fresh interpreters, against what the stdlib's own ``threading``, ``queue`` and
``concurrent.futures`` load: no timing is asserted.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(60)

# Below pytest-timeout, so a hung child fails with its output instead of killing the run.
CHILD_TIMEOUT = 25.0

# A program that imports the stdlib's three modules and prints every module loaded.
PROGRAM = """\
import concurrent.futures, json, queue, sys, threading
print(json.dumps(sorted(sys.modules)))
"""

# What threadkit may load beyond the stdlib's three modules, and why.
ALLOWED = {
    "concurrent.futures.thread": "threadkit's pool subclasses the stdlib's",
    "contextvars": "ThreadPoolExecutor(propagate_context=True)",
    "_contextvars": "contextvars",
    "math": "Queue's timeouts",
    "typing": "TypeVar, ParamSpec and Any, used at run time",
    "_typing": "typing",
    "typing.io": "typing, before 3.13",
    "typing.re": "typing, before 3.13",
}
# What `python -m threadkit run` may load beyond those: what `python -m` itself loads (runpy and
# the importlib package), and what the runner uses to tell a directory or zip file from a script.
ALLOWED_RUN = {"runpy", "importlib", "pkgutil"}

# Heavy modules named explicitly: `concurrent.futures.process` loads multiprocessing, pickle,
# socket, tempfile...; the bench and the demos are for `python -m threadkit` without `run`.
NEVER = (
    "concurrent.futures.process",
    "multiprocessing",
    "threadkit._apps",
    "threadkit._bench",
    "threadkit._demos",
    "argparse",
    "pathlib",
)


def python(*args: str, cwd: Path) -> Any:
    """What ``python ARGS``, in a fresh interpreter, printed as JSON (it must succeed)."""
    child = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        cwd=cwd,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout)


def loaded(*args: str, cwd: Path) -> set[str]:
    """The modules loaded when ``python ARGS`` runs ``PROGRAM`` (written to ``cwd``)."""
    (cwd / "program.py").write_text(PROGRAM)
    return set(python(*args, cwd=cwd))


def extra(modules: set[str], baseline: set[str], allowed: set[str]) -> list[str]:
    """The modules loaded beyond the baseline that are not allowed (a package allows its own)."""
    allowed = allowed | {"threadkit"}
    return sorted(
        name
        for name in modules - baseline
        if name not in allowed and name.split(".")[0] not in allowed
    )


def test_import_threadkit_loads_little_beyond_the_stdlib(tmp_path: Path) -> None:
    baseline = loaded("program.py", cwd=tmp_path)
    with_threadkit = loaded("-c", f"import threadkit\n{PROGRAM}", cwd=tmp_path)
    assert "threadkit.futures" in with_threadkit  # the program did import threadkit
    assert not [name for name in NEVER if name in with_threadkit]
    assert extra(with_threadkit, baseline, set(ALLOWED)) == []


def test_threadkit_run_loads_little_beyond_the_stdlib(tmp_path: Path) -> None:
    baseline = loaded("program.py", cwd=tmp_path)
    under_run = loaded("-m", "threadkit", "run", "program.py", cwd=tmp_path)
    assert "threadkit._run" in under_run  # the program did run under `threadkit run`
    assert not [name for name in NEVER if name in under_run]
    assert extra(under_run, baseline, set(ALLOWED) | ALLOWED_RUN) == []


def test_process_pool_loads_on_first_use(tmp_path: Path) -> None:
    check = """\
import concurrent.futures, json, sys
import threadkit.futures as tk
before = "concurrent.futures.process" in sys.modules
listed = "ProcessPoolExecutor" in dir(tk) and "ProcessPoolExecutor" in tk.__all__
from threadkit.futures import ProcessPoolExecutor
same = ProcessPoolExecutor is concurrent.futures.ProcessPoolExecutor is tk.ProcessPoolExecutor
try:
    tk.NoSuchName
except AttributeError as error:
    message = str(error)
print(json.dumps([before, listed, same, "concurrent.futures.process" in sys.modules, message]))
"""
    before, listed, same, after, message = python("-c", check, cwd=tmp_path)
    assert (before, listed, same, after) == (False, True, True, True)
    assert message == "module 'threadkit.futures' has no attribute 'NoSuchName'"
