"""threadkit.threading.Semaphore and BoundedSemaphore: behaviour, bad calls vs the stdlib."""

import math
import sys
import threading
import time

import pytest

import threadkit.threading as tk
from tests.helpers.differential import outcome
from tests.helpers.signals import interrupt_while_blocked
from tests.helpers.waiters import until_waiting, waiting

pytestmark = pytest.mark.timeout(30)

KINDS = [(tk.Semaphore, threading.Semaphore), (tk.BoundedSemaphore, threading.BoundedSemaphore)]


@pytest.mark.parametrize("ours", [tk.Semaphore, tk.BoundedSemaphore])
def test_counts_permits(ours: type) -> None:
    semaphore = ours(2)
    assert semaphore.acquire()
    assert semaphore.acquire(blocking=False)
    assert not semaphore.acquire(blocking=False)
    assert not semaphore.acquire(timeout=0.05)
    semaphore.release()
    assert semaphore._value == 1
    with semaphore:
        assert semaphore._value == 0
    semaphore.release()
    assert semaphore._value == 2


def test_release_n_wakes_n_waiters() -> None:
    semaphore = tk.Semaphore(0)
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(semaphore.acquire(timeout=10)))
        for _ in range(3)
    ]
    already = waiting()
    for thread in threads:
        thread.start()
    until_waiting(already + 3)
    semaphore.release(3)
    for thread in threads:
        thread.join()
    assert results == [True, True, True]


def test_timeout_waits_at_least_the_timeout() -> None:
    semaphore = tk.Semaphore(0)
    start = time.monotonic()
    assert not semaphore.acquire(timeout=0.1)
    assert time.monotonic() - start >= 0.1


def test_bounded_refuses_over_release() -> None:
    semaphore = tk.BoundedSemaphore(1)
    with pytest.raises(ValueError, match="Semaphore released too many times"):
        semaphore.release()
    semaphore.acquire()
    with pytest.raises(ValueError, match="Semaphore released too many times"):
        semaphore.release(2)
    semaphore.release()
    assert semaphore._value == 1


def test_reprs_are_the_stdlib_shape() -> None:
    assert repr(tk.Semaphore(3)).startswith("<threading.Semaphore at 0x")
    assert repr(tk.Semaphore(3)).endswith(": value=3>")
    assert repr(tk.BoundedSemaphore(3)).endswith(": value=3/3>")


def _empty(kind: type) -> object:
    return kind(0)


BAD_CALLS = {
    "Semaphore(-1)": lambda kind: kind(-1),
    "Semaphore('x')": lambda kind: kind("x"),
    "Semaphore(None)": lambda kind: kind(None),
    "release(0)": lambda kind: kind(1).release(0),
    "release(-1)": lambda kind: kind(1).release(-1),
    "release('x')": lambda kind: kind(1).release("x"),
    "blocking=False, timeout=1": lambda kind: kind(1).acquire(False, 1),
    "blocking=False, timeout=None": lambda kind: kind(0).acquire(False, None),
    "blocking=0": lambda kind: kind(0).acquire(0),
    "timeout=-1 (empty)": lambda kind: kind(0).acquire(timeout=-1),
    "timeout=0 (empty)": lambda kind: kind(0).acquire(timeout=0),
    "timeout='x' (empty)": lambda kind: kind(0).acquire(timeout="x"),
    "timeout='x' (available)": lambda kind: kind(1).acquire(timeout="x"),
    "timeout=1e300 (empty)": lambda kind: kind(0).acquire(timeout=1e300),
    "timeout=inf (empty)": lambda kind: kind(0).acquire(timeout=math.inf),
    "over-release": lambda kind: kind(1).release(),
}


@pytest.mark.parametrize("kinds", KINDS, ids=["Semaphore", "BoundedSemaphore"])
@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_call_like_stdlib(name: str, kinds: tuple[type, type]) -> None:
    ours, stdlib = kinds
    call = BAD_CALLS[name]
    assert outcome(lambda: call(ours)) == outcome(lambda: call(stdlib))


def test_ctrl_c_interrupts_acquire() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        semaphore = tk.Semaphore(0)
        blocked()
        semaphore.acquire()
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")


def test_release_n_none_like_stdlib() -> None:
    for ours, stdlib in KINDS:
        assert outcome(lambda o=ours: o(1).release(None)) == outcome(
            lambda s=stdlib: s(1).release(None)
        )


@pytest.mark.parametrize("ours", [tk.Semaphore, tk.BoundedSemaphore])
def test_values_past_the_native_maximum_raise_overflow_error(ours: type) -> None:
    # A difference from the stdlib, whose semaphores count with unbounded ints: the native value
    # is at most sys.maxsize, and the core refuses more in the same step that would add it.
    with pytest.raises(OverflowError, match="semaphore initial value is too large"):
        ours(sys.maxsize + 1)
    with pytest.raises(OverflowError):
        ours(2**64)
    assert ours(sys.maxsize)._value == sys.maxsize


def test_release_past_the_native_maximum_raises_and_changes_nothing() -> None:
    semaphore = tk.Semaphore(sys.maxsize - 1)
    with pytest.raises(OverflowError, match="semaphore value is too large"):
        semaphore.release(2)
    assert semaphore._value == sys.maxsize - 1
    semaphore.release()
    assert semaphore._value == sys.maxsize
    with pytest.raises(OverflowError, match="semaphore value is too large"):
        semaphore.release()
    assert semaphore._value == sys.maxsize
