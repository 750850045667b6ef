"""Wait until threads are really blocked in threadkit waits, before waking them.

A test of a wake-up that sleeps and then acts passes through the fast path on a loaded machine:
the waiter may not have started waiting yet. ``threadkit._native.threading._waiting()`` counts
the threads blocked in a threadkit wait (past any attempt made without waiting); these helpers
poll it with a deadline.
"""

import time

from threadkit._native.threading import _waiting


def waiting() -> int:
    """How many threads are blocked in threadkit waits now."""
    return _waiting()


def until_waiting(count: int, timeout: float = 20.0) -> None:
    """Returns once at least ``count`` threads are blocked in threadkit waits; fails after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while _waiting() < count:
        assert time.monotonic() < deadline, f"{_waiting()} threads waiting, not {count}"
        time.sleep(0.001)
