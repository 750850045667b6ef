"""Waiting until a queue's callers really wait, on either implementation and either path."""

import time
from collections.abc import Callable
from typing import Any

#: How long a test waits for threads to start waiting before it fails.
LIMIT = 10.0


def condition_waiters(condition: Any) -> int:
    """Threads waiting on a condition: the stdlib's keeps them in ``_waiters``; threadkit's
    shows the count in its repr, ``<Condition(<lock>, n)>``."""
    if hasattr(condition, "_waiters"):
        return len(condition._waiters)
    return int(repr(condition).rsplit(", ", 1)[1].rstrip(")>"))


def waiting(q: Any) -> int:
    """Threads blocked in ``q``'s ``put``, ``get`` or ``join``: parked on the core queue for a
    native threadkit queue, waiting on its conditions otherwise (the stdlib's, or threadkit's
    Python path)."""
    if hasattr(q, "_uses_python_path") and not q._uses_python_path():
        return int(q._waiting())
    conditions = (q.not_empty, q.not_full, q.all_tasks_done)
    return sum(condition_waiters(condition) for condition in conditions)


def until(condition: Callable[[], bool]) -> None:
    """Returns once ``condition()`` is true (polled; fails after ``LIMIT``)."""
    deadline = time.monotonic() + LIMIT
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.001)


def until_waiting(q: Any, n: int = 1) -> None:
    """Returns once at least ``n`` threads wait in ``q``'s ``put``, ``get`` or ``join``."""
    until(lambda: waiting(q) >= n)
