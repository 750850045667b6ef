"""Signals during every blocking call of ``threadkit.threading`` and ``threadkit.queue``.

- Ctrl-C (SIGINT, in a child interpreter) raises ``KeyboardInterrupt`` out of the wait soon.
- A handler that returns lets the wait go on, with its original deadline.
- A handler that raises gets its exception out of the wait, and the primitive is left as the
  stdlib leaves it: ``Condition.wait`` holds the lock again, a ``Barrier`` is not broken (the
  arrival is withdrawn), and everything still works.
- ``_thread.interrupt_main()`` from another thread, which trips SIGINT without sending it (what
  CPython's ``InterruptMainTests`` do), gets ``KeyboardInterrupt`` out of a main-thread wait, once.

The per-primitive files check a few of these too; this file covers every blocking call.
"""

import _thread
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import threadkit.queue as tkq
import threadkit.threading as tk
from tests.helpers.signals import interrupt_while_blocked
from tests.helpers.waiters import until_waiting, waiting

pytestmark = pytest.mark.timeout(60)

# Each body sets things up, calls blocked(), then blocks forever (or for a long time).
BLOCKING: dict[str, str] = {
    "Lock.acquire": "lock = tk.Lock(); lock.acquire(); blocked(); lock.acquire()",
    "Lock.acquire(timeout)": "lock = tk.Lock(); lock.acquire(); blocked(); lock.acquire(True, 60)",
    "RLock.acquire": """
        import threading
        lock = tk.RLock()
        holder = threading.Thread(target=lock.acquire, daemon=True)
        holder.start(); holder.join()
        blocked(); lock.acquire(timeout=60)
        """,
    "Condition.wait": "c = tk.Condition()\nwith c:\n    blocked(); c.wait()",
    "Condition.wait(timeout)": "c = tk.Condition(tk.Lock())\nwith c:\n    blocked(); c.wait(60)",
    "Condition.wait_for": "c = tk.Condition()\nwith c:\n    blocked(); c.wait_for(lambda: False)",
    "Condition.wait_for(timeout)": (
        "c = tk.Condition()\nwith c:\n    blocked(); c.wait_for(lambda: False, 60)"
    ),
    "Event.wait": "e = tk.Event(); blocked(); e.wait()",
    "Semaphore.acquire": "s = tk.Semaphore(0); blocked(); s.acquire()",
    "Semaphore.acquire(timeout)": "s = tk.Semaphore(0); blocked(); s.acquire(timeout=60)",
    "BoundedSemaphore.acquire": "s = tk.BoundedSemaphore(0); blocked(); s.acquire()",
    "Barrier.wait": "b = tk.Barrier(2); blocked(); b.wait()",
    "Barrier.wait(timeout)": "b = tk.Barrier(2, timeout=60); blocked(); b.wait()",
    "Queue.get": "import threadkit.queue as q\nx = q.Queue(); blocked(); x.get()",
    "Queue.put": "import threadkit.queue as q\nx = q.Queue(1); x.put(1); blocked(); x.put(2)",
    "Queue.join": "import threadkit.queue as q\nx = q.Queue(); x.put(1); blocked(); x.join()",
    "LifoQueue.get(timeout)": (
        "import threadkit.queue as q\nx = q.LifoQueue(); blocked(); x.get(timeout=60)"
    ),
    "PriorityQueue.put": (
        "import threadkit.queue as q\nx = q.PriorityQueue(1); x.put(1); blocked(); x.put(2)"
    ),
    "PriorityQueue.join": (
        "import threadkit.queue as q\nx = q.PriorityQueue(); x.put(1); blocked(); x.join()"
    ),
    "SimpleQueue.get(timeout)": (
        "import threadkit.queue as q\nx = q.SimpleQueue(); blocked(); x.get(timeout=60)"
    ),
}


@pytest.mark.parametrize("name", BLOCKING)
def test_ctrl_c_raises_keyboard_interrupt(name: str) -> None:
    code, output, took = interrupt_while_blocked(BLOCKING[name])
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")
    assert took < 5  # promptly; about 0.05 s plus the interpreter's exit on a quiet machine


def test_ctrl_c_reaches_a_child_of_a_process_that_ignores_sigint() -> None:
    # A shell's background job starts with SIGINT ignored, and its children inherit that.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        code, output, _ = interrupt_while_blocked(BLOCKING["Event.wait"])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")


@contextmanager
def _signal_soon(handler: Callable[..., Any], delay: float = 0.05) -> Iterator[None]:
    """Installs ``handler`` for SIGUSR1 and sends SIGUSR1 to this process after ``delay``."""
    previous = signal.signal(signal.SIGUSR1, handler)
    sender = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGUSR1))
    sender.start()
    try:
        yield
    finally:
        sender.cancel()
        sender.join()
        signal.signal(signal.SIGUSR1, previous)


def _full(q: Any) -> Any:
    q.put(0)
    return q


def _result(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as error:
        return type(error)


def _held_condition(lock: Any) -> Any:
    condition = tk.Condition(lock)
    condition.acquire()
    return condition


# (make, timed call with a 0.3 s timeout, its result when the timeout passes)
TIMED: dict[str, tuple[Callable[[], Any], Callable[[Any], Any], Any]] = {
    "Lock.acquire": (lambda: _held_lock(tk.Lock()), lambda o: o.acquire(timeout=0.3), False),
    "Condition.wait": (lambda: _held_condition(tk.Lock()), lambda o: o.wait(0.3), False),
    "Condition.wait_for": (
        lambda: _held_condition(tk.RLock()),
        lambda o: o.wait_for(lambda: 0, 0.3),
        0,
    ),
    "Event.wait": (tk.Event, lambda o: o.wait(0.3), False),
    "Semaphore.acquire": (lambda: tk.Semaphore(0), lambda o: o.acquire(timeout=0.3), False),
    "BoundedSemaphore.acquire": (
        lambda: tk.BoundedSemaphore(0),
        lambda o: o.acquire(timeout=0.3),
        False,
    ),
    "Barrier.wait": (lambda: tk.Barrier(2), lambda o: o.wait(0.3), threading.BrokenBarrierError),
    "Queue.get": (tkq.Queue, lambda o: o.get(timeout=0.3), queue.Empty),
    "Queue.put": (lambda: _full(tkq.Queue(1)), lambda o: o.put(1, timeout=0.3), queue.Full),
    "PriorityQueue.get": (tkq.PriorityQueue, lambda o: o.get(timeout=0.3), queue.Empty),
    "SimpleQueue.get": (tkq.SimpleQueue, lambda o: o.get(timeout=0.3), queue.Empty),
}


def _held_lock(lock: Any) -> Any:
    lock.acquire()
    return lock


@pytest.mark.parametrize("name", TIMED)
def test_handler_that_returns_lets_the_wait_continue(name: str) -> None:
    make, call, timed_out = TIMED[name]
    obj = make()
    handled: list[int] = []
    with _signal_soon(lambda signum, frame: handled.append(signum)):
        start = time.monotonic()
        result = _result(lambda: call(obj))
        took = time.monotonic() - start
    assert handled == [signal.SIGUSR1]
    assert result == timed_out
    assert took >= 0.3  # the remaining timeout was waited for


class Stop(Exception):
    pass


def _raise_stop(*_: object) -> None:
    raise Stop


@pytest.mark.parametrize("lock", ["RLock", "Lock"])
def test_condition_wait_holds_the_lock_again_when_a_handler_raises(lock: str) -> None:
    condition = tk.Condition(getattr(tk, lock)())
    for wait in (lambda: condition.wait(20), lambda: condition.wait_for(lambda: False, 20)):
        with condition:
            with _signal_soon(_raise_stop), pytest.raises(Stop):
                wait()
            assert condition._is_owned()
        assert not condition._is_owned()
    # Still works: a notify reaches a waiter.
    with condition:
        threading.Timer(0.05, lambda: _notify(condition)).start()
        assert condition.wait(20)


def _notify(condition: Any) -> None:
    with condition:
        condition.notify()


def test_barrier_is_not_broken_when_a_handler_raises() -> None:
    barrier = tk.Barrier(2)
    with _signal_soon(_raise_stop), pytest.raises(Stop):
        barrier.wait(20)
    assert (barrier.broken, barrier.n_waiting) == (False, 0)
    other: list[int] = []
    thread = threading.Thread(target=lambda: other.append(barrier.wait(20)))
    thread.start()
    index = barrier.wait(20)
    thread.join(20)
    assert sorted([index, *other]) == [0, 1]


STILL_WORKS: dict[str, tuple[Callable[[], Any], Callable[[Any], Any], Callable[[Any], Any]]] = {
    "Lock": (lambda: _held_lock(tk.Lock()), lambda o: o.acquire(), lambda o: o.release()),
    "RLock": (
        lambda: _rlock_held_elsewhere(),
        lambda o: o.acquire(),
        lambda o: o.acquire(timeout=10),
    ),
    "Semaphore": (
        lambda: tk.Semaphore(0),
        lambda o: o.acquire(),
        lambda o: (o.release(), o.acquire(timeout=1))[1],
    ),
    "Event": (tk.Event, lambda o: o.wait(), lambda o: (o.set(), o.wait(1))[1]),
    "Queue.get": (tkq.Queue, lambda o: o.get(), lambda o: (o.put(1), o.get(timeout=1))[1]),
    "Queue.put": (
        lambda: _full(tkq.Queue(1)),
        lambda o: o.put(1),
        lambda o: (o.get(), o.put(2, timeout=1), o.get())[2],
    ),
    "Queue.join": (
        lambda: _full(tkq.Queue()),
        lambda o: o.join(),
        lambda o: (o.get(), o.task_done(), o.join(), o.unfinished_tasks)[3],
    ),
    "SimpleQueue": (
        tkq.SimpleQueue,
        lambda o: o.get(),
        lambda o: (o.put(1), o.get(timeout=1))[1],
    ),
}


def _rlock_held_elsewhere() -> Any:
    lock = tk.RLock()
    release = threading.Event()
    taken = threading.Event()

    def hold() -> None:
        with lock:
            taken.set()
            release.wait(0.3)

    threading.Thread(target=hold, daemon=True).start()
    taken.wait(10)
    return lock


@pytest.mark.parametrize("name", STILL_WORKS)
def test_primitive_works_after_a_handler_raised(name: str) -> None:
    make, wait, use = STILL_WORKS[name]
    obj = make()
    with _signal_soon(_raise_stop), pytest.raises(Stop):
        wait(obj)
    assert use(obj) == EXPECTED.get(name, True)


EXPECTED = {"Lock": None, "Queue.get": 1, "Queue.put": 2, "Queue.join": 0, "SimpleQueue": 1}


@contextmanager
def _sigint_raises() -> Iterator[None]:
    """SIGINT handled as CPython handles it when it starts with the signal not ignored.

    An interpreter started with SIGINT ignored (a shell's background job) installs no handler,
    and ``_thread.interrupt_main()`` then does nothing, with or without threadkit.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupt_main_once() -> threading.Thread:
    """Starts a thread that calls ``_thread.interrupt_main()`` once a thread is blocked in a
    threadkit wait."""

    def interrupt() -> None:
        until_waiting(1)
        _thread.interrupt_main()

    thread = threading.Thread(target=interrupt)
    thread.start()
    return thread


# (make, a wait of the main thread that nothing ends for 20 s, what must hold of the primitive
# after the interrupted wait). Not Queue.join, which has no timeout: were the signal lost,
# pytest-timeout's SIGALRM, handled by the same check, could not end it either; the Ctrl-C test
# above covers it in a child.
INTERRUPTED: dict[str, tuple[Callable[[], Any], Callable[[Any], Any], Callable[[Any], bool]]] = {
    "Lock.acquire": (
        lambda: _held_lock(tk.Lock()),
        lambda o: o.acquire(timeout=20),
        lambda o: (o.release(), o.acquire(False))[1],
    ),
    "Event.wait": (tk.Event, lambda o: o.wait(20), lambda o: (o.set(), o.wait(0))[1]),
    "Semaphore.acquire": (
        lambda: tk.Semaphore(0),
        lambda o: o.acquire(timeout=20),
        lambda o: (o.release(), o.acquire(False))[1],
    ),
    "BoundedSemaphore.acquire": (
        lambda: tk.BoundedSemaphore(0),
        lambda o: o.acquire(timeout=20),
        lambda o: o._value == 0,
    ),
    "Condition.wait": (
        lambda: _held_condition(tk.Lock()),
        lambda o: o.wait(20),
        lambda o: bool(o._is_owned()),
    ),
    "Condition.wait_for": (
        lambda: _held_condition(tk.RLock()),
        lambda o: o.wait_for(lambda: False, 20),
        lambda o: bool(o._is_owned()),
    ),
    "Barrier.wait": (
        lambda: tk.Barrier(2),
        lambda o: o.wait(20),
        lambda o: (o.broken, o.n_waiting) == (False, 0),
    ),
    "Queue.get": (
        tkq.Queue,
        lambda o: o.get(timeout=20),
        lambda o: (o.put(1), o.get_nowait())[1] == 1,
    ),
    "Queue.put": (
        lambda: _full(tkq.Queue(1)),
        lambda o: o.put(1, timeout=20),
        lambda o: (o.get_nowait(), o.empty()) == (0, True),
    ),
    "SimpleQueue.get": (
        tkq.SimpleQueue,
        lambda o: o.get(timeout=20),
        lambda o: (o.put(1), o.get_nowait())[1] == 1,
    ),
}


@pytest.mark.parametrize("name", INTERRUPTED)
def test_interrupt_main_raises_keyboard_interrupt_out_of_a_wait(name: str) -> None:
    make, wait, intact = INTERRUPTED[name]
    obj = make()
    with _sigint_raises():
        interrupter = _interrupt_main_once()
        try:
            with pytest.raises(KeyboardInterrupt):
                wait(obj)
        finally:
            interrupter.join(20)
        # Still handled as SIGINT: a signal left pending would raise again in these calls.
        assert not interrupter.is_alive()
        assert waiting() == 0
        assert intact(obj)
