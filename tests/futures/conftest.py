"""Fixtures of the futures tests."""

from collections.abc import Iterator

import pytest

from tests.helpers.captured_log import Records, futures_records


@pytest.fixture
def futures_log() -> Iterator[Records]:
    """The records of the ``concurrent.futures`` logger during the test."""
    with futures_records() as records:
        yield records
