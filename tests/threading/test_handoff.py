"""The GIL hand-off after a wake-up: a woken waiter gives the thread holding the GIL a moment to
reach its own wait, but no more — a holder that never waits again does not keep it out."""

import threading
import time
from collections.abc import Callable

import pytest

import threadkit.threading as tk
from tests.helpers.waiters import until_waiting, waiting

pytestmark = pytest.mark.timeout(30)

_DEADLINE = 10.0


def _until(done: Callable[[], bool]) -> bool:
    """Runs Python (holding the GIL but for the eval loop's switches) until ``done`` or the
    deadline: a thread that never waits in threadkit again."""
    deadline = time.monotonic() + _DEADLINE
    while not done() and time.monotonic() < deadline:
        pass
    return done()


def _waiter(wait: Callable[[], bool]) -> tuple[threading.Thread, threading.Event]:
    """A started thread blocked in ``wait`` (once this returns); the event is set if the wait
    returned true."""
    woke = threading.Event()
    already = waiting()

    def run() -> None:
        if wait():
            woke.set()

    thread = threading.Thread(target=run)
    thread.start()
    until_waiting(already + 1)
    return thread, woke


def test_woken_waiter_runs_while_the_setter_keeps_the_gil() -> None:
    event = tk.Event()
    thread, woke = _waiter(lambda: event.wait(_DEADLINE))
    event.set()
    assert _until(woke.is_set)
    thread.join(_DEADLINE)
    assert not thread.is_alive()


def test_notified_waiter_runs_while_the_notifier_keeps_the_gil() -> None:
    condition = tk.Condition()

    def wait() -> bool:
        with condition:
            return condition.wait(_DEADLINE)

    thread, woke = _waiter(wait)
    with condition:
        condition.notify()
    assert _until(woke.is_set)
    thread.join(_DEADLINE)
    assert not thread.is_alive()


def test_barrier_parties_run_while_the_first_back_keeps_the_gil() -> None:
    # Both parties return from the same wait; whichever takes the GIL first never waits again,
    # and the other must still get to run.
    barrier = tk.Barrier(2)
    back: list[int] = []

    def party() -> bool:
        back.append(barrier.wait(_DEADLINE))
        return _until(lambda: len(back) == 2)

    thread, _ = _waiter(party)
    assert party()
    thread.join(_DEADLINE)
    assert not thread.is_alive()
    assert sorted(back) == [0, 1]
