"""threadkit.threading.Condition: over threadkit and stdlib locks; bad calls vs the stdlib."""

import math
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import threadkit.threading as tk
from tests.helpers.differential import outcome
from tests.helpers.signals import interrupt_while_blocked
from tests.helpers.waiters import until_waiting, waiting

pytestmark = pytest.mark.timeout(30)

LOCKS: dict[str, Callable[[], Any] | None] = {
    "default": None,
    "tk.Lock": tk.Lock,
    "tk.RLock": tk.RLock,
    "threading.Lock": threading.Lock,
    "threading.RLock": threading.RLock,
}


def _condition(lock_name: str) -> Any:
    make = LOCKS[lock_name]
    return tk.Condition() if make is None else tk.Condition(make())


@pytest.mark.parametrize("lock_name", ["default", "tk.Lock", "tk.RLock", "threading.Lock"])
def test_locked_is_the_lock_s(lock_name: str) -> None:
    """3.14's ``Condition.locked()``, on every Python: the underlying lock's ``locked()``."""
    condition = _condition(lock_name)
    assert not condition.locked()
    with condition:
        assert condition.locked()
    assert not condition.locked()


def test_locked_over_a_lock_without_it() -> None:
    class Plain:
        def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
            return True

        def release(self) -> None:
            pass

    with pytest.raises(AttributeError, match="locked"):
        tk.Condition(Plain()).locked()


@pytest.mark.parametrize("lock_name", LOCKS)
def test_notify_wakes_waiters_in_order(lock_name: str) -> None:
    condition = _condition(lock_name)
    woken: list[int] = []
    started = threading.Semaphore(0)

    def waiter(index: int) -> None:
        with condition:
            started.release()
            assert condition.wait(timeout=20)
            woken.append(index)

    threads = []
    for index in range(4):
        thread = threading.Thread(target=waiter, args=(index,))
        thread.start()
        started.acquire()
        threads.append(thread)
    # Every waiter released the lock inside wait() once we can take it with all four started.
    for notified in range(1, 5):
        with condition:
            condition.notify()
        deadline = time.monotonic() + 20
        while len(woken) < notified and time.monotonic() < deadline:
            time.sleep(0.001)
    for thread in threads:
        thread.join()
    assert woken == [0, 1, 2, 3]


@pytest.mark.parametrize("lock_name", LOCKS)
def test_wait_for_returns_the_predicate_value(lock_name: str) -> None:
    condition = _condition(lock_name)
    box: list[str] = []

    def producer() -> None:
        until_waiting(already + 1)
        with condition:
            box.append("item")
            condition.notify_all()

    already = waiting()
    thread = threading.Thread(target=producer)
    thread.start()
    with condition:
        assert condition.wait_for(lambda: box[:], timeout=20) == ["item"]
    thread.join()
    with condition:
        start = time.monotonic()
        assert condition.wait_for(lambda: [], timeout=0.1) == []
        assert time.monotonic() - start >= 0.1


@pytest.mark.parametrize("lock_name", LOCKS)
def test_wait_for_raises_what_the_predicate_raises_once_woken(lock_name: str) -> None:
    """The predicate runs with the lock held, once before the wait and once per wake-up; what it
    raises comes out of ``wait_for`` with the lock held again, as in the stdlib."""

    def run(condition: Any) -> tuple[Any, ...]:
        looked = threading.Event()
        notified: list[bool] = []
        seen: list[tuple[bool, bool]] = []  # (lock held, notified yet) at each call

        def predicate() -> bool:
            seen.append((condition._is_owned(), bool(notified)))
            looked.set()
            if len(seen) == 2:
                raise LookupError("second look")
            return False

        def notifier() -> None:
            assert looked.wait(timeout=20)
            with condition:  # the waiter holds the lock until its wait releases it
                condition.notify()
                notified.append(True)

        thread = threading.Thread(target=notifier)
        thread.start()
        with condition:
            result = outcome(lambda: condition.wait_for(predicate, timeout=20))
            owned = condition._is_owned()
        thread.join(timeout=20)
        return result, seen, owned

    make = LOCKS[lock_name]
    stdlib = threading.Condition() if make is None else threading.Condition(make())
    assert (
        run(_condition(lock_name))
        == run(stdlib)
        == (
            (LookupError, "second look"),
            [(True, False), (True, True)],
            True,
        )
    )


@pytest.mark.parametrize("lock_name", LOCKS)
def test_wait_times_out_and_holds_the_lock_again(lock_name: str) -> None:
    condition = _condition(lock_name)
    with condition:
        start = time.monotonic()
        assert not condition.wait(0.1)
        assert time.monotonic() - start >= 0.1
        assert condition._is_owned()
    assert not condition._is_owned() or lock_name.endswith("Lock") is False


def test_rlock_held_recursively_is_fully_released_while_waiting() -> None:
    condition = tk.Condition(tk.RLock())
    entered = []

    def other() -> None:
        with condition:
            entered.append(True)
            condition.notify()

    with condition, condition:
        thread = threading.Thread(target=other)
        thread.start()
        assert condition.wait(20)
        assert condition._recursion_count() == 2
    thread.join()
    assert entered == [True]


def test_repr_and_deprecated_alias() -> None:
    lock = tk.Lock()
    condition = tk.Condition(lock)
    assert repr(condition) == f"<Condition({lock!r}, 0)>"
    with condition, pytest.warns(DeprecationWarning, match=r"notifyAll\(\) is deprecated"):
        condition.notifyAll()


def test_exception_from_a_python_lock_propagates() -> None:
    class Broken:
        def acquire(self, *args: object) -> bool:
            return True

        def release(self) -> None:
            raise OSError("release failed")

        def _is_owned(self) -> bool:
            return True

        __enter__ = acquire

        def __exit__(self, *args: object) -> None:
            pass

    condition = tk.Condition(Broken())
    with pytest.raises(OSError, match="release failed"):
        condition.wait(0.01)


BAD_CALLS: dict[str, Callable[[Any], Any]] = {
    "wait unowned": lambda c: c.wait(0),
    "wait_for unowned": lambda c: c.wait_for(lambda: False, 0),
    "notify unowned": lambda c: c.notify(),
    "notify_all unowned": lambda c: c.notify_all(),
    "release unowned": lambda c: c.release(),
    "_release_save unowned": lambda c: c._release_save(),
}

BAD_CALLS_HELD: dict[str, Callable[[Any], Any]] = {
    "wait(-1)": lambda c: c.wait(-1),
    "wait(0)": lambda c: c.wait(0),
    "wait(nan)": lambda c: c.wait(math.nan),
    "wait(inf)": lambda c: c.wait(math.inf),
    "wait(1e300)": lambda c: c.wait(1e300),
    "wait(2**70)": lambda c: c.wait(2**70),
    "wait('x')": lambda c: c.wait("x"),
    "wait_for(false, -1)": lambda c: c.wait_for(lambda: 0, -1),
    "wait_for(true, 'x')": lambda c: c.wait_for(lambda: 1, "x"),
    "wait_for(false, 'x')": lambda c: c.wait_for(lambda: 0, "x"),
    "notify(-1)": lambda c: c.notify(-1),
    "notify(1.5)": lambda c: c.notify(1.5),
    "notify(0)": lambda c: c.notify(0),
    "notify(10)": lambda c: c.notify(10),
    "notify('x')": lambda c: c.notify("x"),
}


@pytest.mark.parametrize("n", [-1, 1.5, 2**70])
def test_notify_n_wakes_like_stdlib(n: Any) -> None:
    def woken(kind: Any) -> int:
        condition = kind()
        count = [0]

        def waiter() -> None:
            with condition:
                if condition.wait(1.0):
                    count[0] += 1

        threads = [threading.Thread(target=waiter) for _ in range(3)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with condition:
                if len(getattr(condition, "_waiters", [])) == 3 or _waiting(condition) == 3:
                    condition.notify(n)
                    break
            time.sleep(0.001)
        for thread in threads:
            thread.join()
        return count[0]

    assert woken(tk.Condition) == woken(threading.Condition)


def _waiting(condition: Any) -> int:
    """Waiters of a threadkit Condition, read from its repr."""
    text = repr(condition)
    return int(text.rsplit(", ", 1)[1].rstrip(")>")) if text.startswith("<Condition(") else -1


@pytest.mark.parametrize("lock_name", ["default", "tk.Lock"])
@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_call_like_stdlib(name: str, lock_name: str) -> None:
    call = BAD_CALLS[name]
    stdlib_lock = {"default": threading.RLock, "tk.Lock": threading.Lock}[lock_name]
    ours = outcome(lambda: call(_condition(lock_name)))
    theirs = outcome(lambda: call(threading.Condition(stdlib_lock())))
    assert ours == theirs


@pytest.mark.parametrize("name", BAD_CALLS_HELD)
def test_bad_call_while_held_like_stdlib(name: str) -> None:
    call = BAD_CALLS_HELD[name]

    def run(condition: Any) -> Any:
        with condition:
            return call(condition)

    assert outcome(lambda: run(tk.Condition())) == outcome(lambda: run(threading.Condition()))


def test_ctrl_c_interrupts_wait_and_reacquires() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        condition = tk.Condition()
        with condition:
            blocked()
            try:
                condition.wait()
            finally:
                assert condition._is_owned()
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")
