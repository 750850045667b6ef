"""threadkit.threading.RLock: ownership, recursion, Condition hooks, bad calls vs the stdlib."""

import math
import threading

import pytest

import threadkit.threading as tk
from tests.helpers.differential import outcome
from tests.helpers.signals import interrupt_while_blocked

pytestmark = pytest.mark.timeout(30)


def test_reentrant_and_owned() -> None:
    lock = tk.RLock()
    assert lock.acquire()
    assert lock.acquire(blocking=False)
    assert lock._is_owned()
    assert lock._recursion_count() == 2
    lock.release()
    lock.release()
    assert not lock._is_owned()
    assert lock._recursion_count() == 0


def test_locked_whoever_holds_it() -> None:
    """3.14's ``RLock.locked()``, on every Python: whether any thread holds the lock."""
    lock = tk.RLock()
    assert not lock.locked()
    lock.acquire()
    lock.acquire()
    lock.release()
    assert lock.locked()
    seen: list[bool] = []
    other = threading.Thread(target=lambda: seen.append(lock.locked()))
    other.start()
    other.join(timeout=10)
    assert seen == [True]
    lock.release()
    assert not lock.locked()


def test_other_threads_can_neither_take_nor_release() -> None:
    lock = tk.RLock()
    lock.acquire()
    seen = []

    def other() -> None:
        seen.append(lock.acquire(blocking=False))
        seen.append(lock._is_owned())
        try:
            lock.release()
        except RuntimeError as error:
            seen.append(str(error))

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen == [False, False, "cannot release un-acquired lock"]
    lock.release()


def test_release_save_and_acquire_restore() -> None:
    lock = tk.RLock()
    for _ in range(3):
        lock.acquire()
    count, owner = lock._release_save()
    assert (count, owner) == (3, threading.get_ident())
    assert not lock._is_owned()
    taken = []
    thread = threading.Thread(
        target=lambda: taken.append(lock.acquire(timeout=5) and lock.release())
    )
    thread.start()
    thread.join()
    assert taken == [None]  # acquired (True) and released (None)
    lock._acquire_restore((count, owner))
    assert lock._recursion_count() == 3
    for _ in range(3):
        lock.release()
    with pytest.raises(RuntimeError, match="cannot release un-acquired lock"):
        lock._release_save()


def test_stdlib_condition_over_rlock() -> None:
    lock = tk.RLock()
    condition = threading.Condition(lock)
    ready = []

    def waiter() -> None:
        with condition:
            ready.append(condition.wait_for(lambda: len(ready) > 0 or False, timeout=10))

    with condition:
        thread = threading.Thread(target=waiter)
        thread.start()
    with condition, lock:  # held twice while notifying
        ready.append("go")
        condition.notify()
    thread.join()
    assert ready == ["go", True]


def test_repr() -> None:
    lock = tk.RLock()
    assert repr(lock).startswith("<unlocked threadkit.threading.RLock object owner=0 count=0 at 0x")
    with lock:
        assert f"owner={threading.get_ident()} count=1 at" in repr(lock)


BAD_CALLS = {
    "release unowned": lambda lock: lock.release(),
    "timeout=-2": lambda lock: lock.acquire(timeout=-2),
    "timeout=nan": lambda lock: lock.acquire(timeout=math.nan),
    "timeout=1e300": lambda lock: lock.acquire(timeout=1e300),
    "timeout=2**70": lambda lock: lock.acquire(timeout=2**70),
    "timeout='1'": lambda lock: lock.acquire(timeout="1"),
    "blocking=False, timeout=1": lambda lock: lock.acquire(False, 1),
    "blocking=None": lambda lock: lock.acquire(blocking=None),
    "_release_save unowned": lambda lock: lock._release_save(),
    "_is_owned": lambda lock: lock._is_owned(),
    "_recursion_count": lambda lock: lock._recursion_count(),
}


@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_call_like_stdlib(name: str) -> None:
    call = BAD_CALLS[name]
    assert outcome(lambda: call(tk.RLock())) == outcome(lambda: call(threading.RLock()))


def test_ctrl_c_interrupts_acquire() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        import threading
        lock = tk.RLock()
        holder = threading.Thread(target=lock.acquire, daemon=True)
        holder.start()
        holder.join()
        blocked()
        lock.acquire()
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")
