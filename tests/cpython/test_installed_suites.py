"""CPython's wider suites, unmodified, with ``threadkit.install()`` in effect for the whole run.

Each suite runs in its own child, ``python -m threadkit run -m test <suite>``: CPython's own test
runner (``test.libregrtest``) from the running interpreter, started by ``threadkit run``, so the
stdlib modules hold threadkit's classes before the suite imports anything, and every use of
``threading.Lock``, ``queue.Queue`` or ``concurrent.futures.ThreadPoolExecutor`` inside the suites
and the stdlib code they test (logging's handlers, asyncio's executor) is threadkit's. The runner
runs the tests sequentially in that one process (its ``-j`` workers would start without
threadkit). Tests listed in ``skips.IDENTITY`` and ``skips.KNOWN_FAILURES`` are left out through
the runner's ``--ignorefile``; the counts per suite are printed at the end of the pytest run.

Marked ``installed_suite``: minutes each, so ``make check`` leaves them out.
"""

import contextlib
import importlib.util
import signal
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cpython.skips import IDENTITY, KNOWN_FAILURES

# Per suite, the time it may take (seconds; a loaded 2-core machine took a third of these).
SUITES = {
    "test_thread": 300,
    "test_threading": 600,
    "test_threading_local": 300,
    "test_queue": 300,
    "test_logging": 600,
    "test_asyncio": 1500,
    "test_concurrent_futures": 1200,  # 3.13 ships it as a package; 3.11 and 3.12 do not
}


@dataclass(frozen=True)
class SuiteResult:
    """What CPython's runner reported for one suite (from its JUnit XML)."""

    suite: str
    run: int
    failures: int
    errors: int
    skipped: int
    left_out: int
    seconds: float

    def line(self) -> str:
        return (
            f"{self.run} run, {self.failures} failed, {self.errors} errors, "
            f"{self.skipped} skipped, {self.left_out} left out by skips.py, "
            f"{self.seconds:.0f} s"
        )


RESULTS = pytest.StashKey[dict[str, SuiteResult]]()


def left_out(suite: str) -> list[str]:
    """The ids of ``suite`` that skips.py leaves out (identity checks, then known failures)."""
    prefix = f"test.{suite}."
    return [key for key in (*IDENTITY, *KNOWN_FAILURES) if key.startswith(prefix)]


def failed_cases(root: ElementTree.Element) -> list[str]:
    """The failed or erroring test ids of a JUnit report, each with its last line."""
    failed = []
    for case in root.iter("testcase"):
        for outcome in (*case.findall("failure"), *case.findall("error")):
            text = (outcome.text or outcome.get("message") or "").strip()
            last = text.splitlines()[-1] if text else ""
            failed.append(f"{case.get('name')}: {last}")
    return failed


@contextlib.contextmanager
def sigint_not_ignored() -> Iterator[None]:
    """Children started meanwhile do not inherit an ignored SIGINT.

    CPython installs its SIGINT handler only when the signal is not ignored at start-up, and a
    shell starts background jobs with it ignored; test_threading's ``interrupt_main`` tests then
    fail on the stdlib too. A handled signal (unlike an ignored one) is reset by ``exec``.
    """
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.installed_suite
@pytest.mark.parametrize(
    "suite",
    [
        pytest.param(suite, marks=pytest.mark.timeout(budget + 60))
        for suite, budget in SUITES.items()
    ],
)
def test_suite_passes_with_threadkit_installed(
    suite: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if importlib.util.find_spec(f"test.{suite}") is None:
        pytest.skip(f"CPython {sys.version.split()[0]} does not ship test.{suite}")
    budget = SUITES[suite]
    ignored = left_out(suite)
    ignore_file = tmp_path / "ignore.txt"
    ignore_file.write_text("".join(f"{key}\n" for key in ignored))
    report = tmp_path / "junit.xml"
    log = tmp_path / "output.txt"
    command = [
        sys.executable,
        "-m",
        "threadkit",
        "run",
        "-m",
        "test",
        # Its own deadline, below ours, so that a hang prints every thread's traceback.
        f"--timeout={budget - 30}",
        f"--junit-xml={report}",
        f"--ignorefile={ignore_file}",
        suite,
    ]
    with log.open("w") as output, sigint_not_ignored():
        child = subprocess.run(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=budget,
            cwd=tmp_path,
            check=False,
        )
    text = log.read_text()
    tail = "\n".join(text.splitlines()[-40:])
    # regrtest says how it runs the files: in this one process, or in worker processes.
    assert "sequentially" in text, tail
    assert report.exists(), tail
    root = ElementTree.parse(report).getroot()
    cases = list(root.iter("testcase"))
    result = SuiteResult(
        suite=suite,
        run=len(cases),
        failures=sum(len(case.findall("failure")) for case in cases),
        errors=sum(len(case.findall("error")) for case in cases),
        skipped=sum(len(case.findall("skipped")) for case in cases),
        left_out=len(ignored),
        seconds=sum(float(case.get("time") or 0) for case in cases),
    )
    request.config.stash.setdefault(RESULTS, {})[suite] = result
    failed = failed_cases(root)
    assert child.returncode == 0 and not failed, "\n".join([*failed, "", tail])
    assert result.run > 0, tail
