"""Shared pytest configuration: a pass/fail/skip count per suite at the end of every run."""

from collections import Counter, defaultdict

import pytest

_OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


def _suite(nodeid: str) -> str:
    """A test's suite: its file, and for CPython's suites (unittest classes) its class too."""
    parts = nodeid.split("::")
    if nodeid.startswith("tests/cpython/") and len(parts) > 2:
        return f"{parts[0]}::{parts[1]}"
    return parts[0]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for outcome in _OUTCOMES:
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") in ("call", "setup", "teardown"):
                nodeid = getattr(report, "nodeid", "")
                if nodeid:
                    counts[_suite(nodeid)][outcome] += 1
    if not counts:
        return
    terminalreporter.section("results per suite")
    width = max(len(suite) for suite in counts)
    for suite in sorted(counts):
        count = counts[suite]
        line = ", ".join(f"{count[outcome]} {outcome}" for outcome in _OUTCOMES if count[outcome])
        terminalreporter.write_line(f"{suite:<{width}}  {line}")
