"""threadkit.threading.Lock: behaviour, bad calls compared with the stdlib, signals."""

import math
import signal
import threading
import time
import weakref

import pytest

import threadkit.threading as tk
from tests.helpers.differential import outcome, outcome_type
from tests.helpers.signals import interrupt_while_blocked
from tests.helpers.waiters import until_waiting, waiting

pytestmark = pytest.mark.timeout(30)


def test_acquire_release_locked() -> None:
    lock = tk.Lock()
    assert not lock.locked()
    assert lock.acquire()
    assert lock.locked()
    assert not lock.acquire(blocking=False)
    assert not lock.acquire(False)
    assert not lock.acquire(timeout=0)
    lock.release()
    assert not lock.locked()


def test_any_thread_may_release() -> None:
    lock = tk.Lock()
    lock.acquire()
    releaser = threading.Thread(target=lock.release)
    releaser.start()
    releaser.join()
    assert not lock.locked()


def test_timeout_waits_at_least_the_timeout() -> None:
    lock = tk.Lock()
    lock.acquire()
    start = time.monotonic()
    assert not lock.acquire(timeout=0.1)
    assert time.monotonic() - start >= 0.1
    assert lock.locked()


def test_blocked_acquire_is_woken_by_release() -> None:
    lock = tk.Lock()
    lock.acquire()
    acquired = []
    waiter = threading.Thread(target=lambda: acquired.append(lock.acquire(timeout=20)))
    already = waiting()
    waiter.start()
    until_waiting(already + 1)
    lock.release()
    waiter.join()
    assert acquired == [True]
    assert lock.locked()


def test_mutual_exclusion_under_contention() -> None:
    lock = tk.Lock()
    counter = [0]

    def work() -> None:
        for _ in range(2000):
            with lock:
                value = counter[0]
                counter[0] = value + 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter[0] == 8 * 2000
    assert not lock.locked()


def test_with_statement() -> None:
    lock = tk.Lock()
    with lock as acquired:
        assert acquired is True
        assert lock.locked()
    assert not lock.locked()
    with pytest.raises(ZeroDivisionError), lock:
        1 / 0  # noqa: B018
    assert not lock.locked()


def test_aliases_of_thread_lock() -> None:
    lock = tk.Lock()
    assert lock.acquire_lock()
    assert lock.locked_lock()
    lock.release_lock()
    assert not lock.locked()


def test_at_fork_reinit_unlocks() -> None:
    lock = tk.Lock()
    lock.acquire()
    lock._at_fork_reinit()
    assert not lock.locked()


def test_repr_and_weakref() -> None:
    lock = tk.Lock()
    assert repr(lock).startswith("<unlocked threadkit.threading.Lock object at 0x")
    lock.acquire()
    assert repr(lock).startswith("<locked threadkit.threading.Lock object at 0x")
    ref = weakref.ref(lock)
    assert ref() is lock
    del lock
    assert ref() is None


def test_huge_timeout_acquires_a_free_lock() -> None:
    lock = tk.Lock()
    assert lock.acquire(timeout=threading.TIMEOUT_MAX)
    lock.release()
    assert lock.acquire(timeout=2**33)


# Calls CPython rejects, or accepts in surprising ways: threadkit must do exactly the same,
# with the same exception type and message on the running interpreter.
BAD_CALLS = {
    "release unlocked": lambda lock: lock.release(),
    "timeout=-2": lambda lock: lock.acquire(timeout=-2),
    "timeout=-1.5": lambda lock: lock.acquire(timeout=-1.5),
    "timeout=-1.0": lambda lock: lock.acquire(timeout=-1.0),
    "timeout=nan": lambda lock: lock.acquire(timeout=math.nan),
    "timeout=inf": lambda lock: lock.acquire(timeout=math.inf),
    "timeout=-inf": lambda lock: lock.acquire(timeout=-math.inf),
    "timeout=1e300": lambda lock: lock.acquire(timeout=1e300),
    "timeout=TIMEOUT_MAX+1": lambda lock: lock.acquire(timeout=threading.TIMEOUT_MAX + 1),
    "timeout=2**70": lambda lock: lock.acquire(timeout=2**70),
    "timeout=-2**70": lambda lock: lock.acquire(timeout=-(2**70)),
    "timeout=10**10": lambda lock: lock.acquire(timeout=10**10),
    "timeout='1'": lambda lock: lock.acquire(timeout="1"),
    "timeout=None": lambda lock: lock.acquire(timeout=None),
    "timeout=True": lambda lock: lock.acquire(timeout=True),
    "timeout=0": lambda lock: lock.acquire(timeout=0),
    "blocking=False, timeout=1": lambda lock: lock.acquire(False, 1),
    "blocking=False, timeout=0": lambda lock: lock.acquire(False, 0),
    "blocking=False, timeout=-1": lambda lock: lock.acquire(False, -1),
    "blocking=False, timeout=nan": lambda lock: lock.acquire(False, math.nan),
    "blocking='x'": lambda lock: lock.acquire(blocking="x"),
    "blocking=None": lambda lock: lock.acquire(blocking=None),
    "blocking=0.5": lambda lock: lock.acquire(blocking=0.5),
    "blocking=[]": lambda lock: lock.acquire(blocking=[]),
}


@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_call_like_stdlib(name: str) -> None:
    call = BAD_CALLS[name]
    assert outcome(lambda: call(tk.Lock())) == outcome(lambda: call(threading.Lock()))


# Argument-count and keyword errors: the same exception type (PyO3 words them its own way).
ARITY_CALLS = {
    "three arguments": lambda lock: lock.acquire(True, 1, 2),
    "unknown keyword": lambda lock: lock.acquire(wait=True),
    "release(1)": lambda lock: lock.release(1),
    "Lock(1)": lambda lock: type(lock)(1),
}


@pytest.mark.parametrize("name", ARITY_CALLS)
def test_bad_arity_like_stdlib(name: str) -> None:
    call = ARITY_CALLS[name]
    assert outcome_type(lambda: call(tk.Lock())) == outcome_type(lambda: call(threading.Lock()))


def test_ctrl_c_interrupts_acquire() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        lock = tk.Lock()
        lock.acquire()
        blocked()
        lock.acquire()
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")


def test_ctrl_c_interrupts_timed_acquire() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        lock = tk.Lock()
        lock.acquire()
        blocked()
        lock.acquire(timeout=60)
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")


def _deliver_soon(signum: int) -> threading.Timer:
    import os

    timer = threading.Timer(0.05, os.kill, (os.getpid(), signum))
    timer.start()
    return timer


def test_signal_handler_that_returns_lets_the_wait_continue() -> None:
    handled = []
    previous = signal.signal(signal.SIGUSR1, lambda *_: handled.append(True))
    try:
        lock = tk.Lock()
        lock.acquire()
        timer = _deliver_soon(signal.SIGUSR1)
        start = time.monotonic()
        assert not lock.acquire(timeout=0.3)
        assert time.monotonic() - start >= 0.3
        timer.join()
        assert handled == [True]
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_signal_handler_exception_propagates_and_keeps_the_lock_usable() -> None:
    class Stop(Exception):
        pass

    def handler(*_: object) -> None:
        raise Stop

    previous = signal.signal(signal.SIGUSR1, handler)
    try:
        lock = tk.Lock()
        lock.acquire()
        timer = _deliver_soon(signal.SIGUSR1)
        with pytest.raises(Stop):
            lock.acquire(timeout=20)
        timer.join()
        assert lock.locked()
        lock.release()
        assert lock.acquire(blocking=False)
    finally:
        signal.signal(signal.SIGUSR1, previous)
