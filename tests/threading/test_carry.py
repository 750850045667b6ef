"""Exceptions carried out of a core call by the glue (``carry.rs``), chained as Python chains them.

When Python code the core calls raises twice in one call — a signal handler interrupts a
``Condition.wait``, then the foreign lock's re-acquire on the way out raises too — the second
comes out with the first as its ``__context__``, as from the stdlib's ``try``/``finally``.
"""

import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import threadkit.threading as tk
from tests.helpers.waiters import waiting

MODULES = pytest.mark.parametrize("module", [threading, tk], ids=["stdlib", "threadkit"])


class Interrupted(Exception):
    pass


class ReacquireFailed(Exception):
    pass


class FlakyLock:
    """A foreign lock (no ``_release_save``/``_acquire_restore``) whose blocking acquire fails
    once ``failing`` is set; ``acquire(False)``, the ownership check, still works."""

    def __init__(self, module: Any) -> None:
        self.lock = module.Lock()
        self.failing = False

    def acquire(self, *args: Any) -> bool:
        if self.failing and not args:
            raise ReacquireFailed("re-acquire failed")
        return bool(self.lock.acquire(*args))

    def release(self) -> None:
        self.lock.release()


def _waiting_in(module: Any, condition: Any) -> Callable[[], bool]:
    if module is tk:
        return lambda: waiting() >= 1
    return lambda: len(condition._waiters) >= 1


def _interrupt_when(ready: Callable[[], bool]) -> threading.Thread:
    """Sends SIGUSR1 to this process once ``ready()`` (polled, with a deadline)."""

    def send() -> None:
        deadline = time.monotonic() + 20
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(os.getpid(), signal.SIGUSR1)

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def _raise_interrupted(*_: object) -> None:
    raise Interrupted("handler")


@MODULES
def test_a_failed_reacquire_after_an_interrupt_has_it_as_context(module: Any) -> None:
    lock = FlakyLock(module)
    condition = module.Condition(lock)
    previous = signal.signal(signal.SIGUSR1, _raise_interrupted)
    try:
        condition.acquire()
        lock.failing = True
        sender = _interrupt_when(_waiting_in(module, condition))
        with pytest.raises(ReacquireFailed) as raised:
            condition.wait(20)
        sender.join(timeout=20)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert isinstance(raised.value.__context__, Interrupted)
    assert raised.value.__context__.__context__ is None
    assert not lock.lock.locked(), "the failed re-acquire left the lock free"
