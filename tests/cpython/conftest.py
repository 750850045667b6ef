"""Applies tests/cpython/skips.py to CPython's own suites, and reports the wider suites' counts."""

from pathlib import Path

import pytest

from tests.cpython.skips import SKIPS
from tests.cpython.test_installed_suites import RESULTS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.cls is None:
            continue
        key = f"{Path(item.path).stem}.{item.cls.__name__}.{item.name}"
        reason = SKIPS.get(key)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    results = config.stash.get(RESULTS, {})
    if not results:
        return
    terminalreporter.section("CPython's suites with threadkit installed (CPython's runner)")
    width = max(len(suite) for suite in results)
    for suite, result in sorted(results.items()):
        terminalreporter.write_line(f"{suite:<{width}}  {result.line()}")
