"""The futures tests share the helpers that live beside the threading tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "threading"))

from collections.abc import Iterator

import pytest

from captured_log import Records, futures_records


@pytest.fixture
def futures_log() -> Iterator[Records]:
    """The records of the ``concurrent.futures`` logger during the test."""
    with futures_records() as records:
        yield records
