"""Applies tests/cpython/skips.py to CPython's own suites."""

from pathlib import Path

import pytest

from tests.cpython.skips import SKIPS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.cls is None:
            continue
        key = f"{Path(item.path).stem}.{item.cls.__name__}.{item.name}"
        reason = SKIPS.get(key)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
