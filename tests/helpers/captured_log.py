"""What the ``concurrent.futures`` logger records while a test runs."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class Records(logging.Handler):
    """A handler that keeps every record it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def futures_records() -> Iterator[Records]:
    """The records of the ``concurrent.futures`` logger inside the ``with`` block."""
    handler = Records()
    logger = logging.getLogger("concurrent.futures")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
