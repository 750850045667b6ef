"""threadkit.threading as a module: the stdlib's names, the stdlib's objects where not native."""

import threading

import pytest

import threadkit.threading as tk
from tests.helpers.waiters import until_waiting, waiting
from threadkit import _native

pytestmark = pytest.mark.timeout(30)


def test_all_is_the_stdlib_all() -> None:
    assert tk.__all__ == threading.__all__
    for name in tk.__all__:
        assert hasattr(tk, name), name


def test_own_names_are_threadkit_classes() -> None:
    for name in tk._NATIVE:
        ours = getattr(tk, name)
        assert ours is getattr(_native.threading, name, ours)
        assert ours is not getattr(threading, name)
        assert ours.__module__ == "threadkit.threading"


def test_other_names_are_the_stdlib_objects() -> None:
    for name in set(tk.__all__) - tk._NATIVE:
        assert getattr(tk, name) is getattr(threading, name), name


def test_waiting_counts_the_threads_blocked_in_waits() -> None:
    """``_waiting()``, which tests of wake-ups poll: a thread counts while it is blocked, not
    before (a lock taken at once) nor after."""
    lock = tk.Lock()
    already = waiting()
    assert lock.acquire(timeout=20) and waiting() == already
    waiter = threading.Thread(target=lock.acquire, kwargs={"timeout": 20})
    waiter.start()
    until_waiting(already + 1)
    lock.release()
    waiter.join(timeout=20)
    assert not waiter.is_alive()
    assert waiting() == already
