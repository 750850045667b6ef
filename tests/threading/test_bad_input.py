"""Bad input to every public callable of ``threadkit.threading`` and ``threadkit.queue``,
compared with the stdlib: the same exception type and message, and afterwards the primitive is
in the same state and still works (nothing left locked, no waiter left behind).

Each case is ``(make, call, check)``: ``make(threading, queue)`` builds the object from one
module pair, ``call`` is the bad call, and ``check`` uses the object normally afterwards and
returns what it saw. The per-primitive files (``test_lock.py``, ...) hold more cases of the same
kind for their primitive; this table covers the rest, and the state afterwards.
"""

import math
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

import threadkit.queue as tkq
import threadkit.threading as tk
from tests.helpers.differential import outcome, outcome_type

pytestmark = pytest.mark.timeout(30)

Make = Callable[[Any, Any], Any]
Case = tuple[Make, Callable[[Any], Any], Callable[[Any], Any]]


def lock_works(lock: Any) -> Any:
    return (lock.acquire(timeout=1), lock.acquire(blocking=False), lock.release())


def cond_works(cond: Any) -> Any:
    with cond:
        return (cond.wait(0), cond.notify(), cond.notify_all(), cond._is_owned())


def sem_works(sem: Any) -> Any:
    return (sem._value, sem.acquire(timeout=1), sem.release(), sem._value)


def event_works(event: Any) -> Any:
    return (event.is_set(), event.set(), event.wait(1), event.clear(), event.wait(0))


def barrier_works(barrier: Any) -> Any:
    barrier.reset()
    done: list[Any] = []
    others = [
        threading.Thread(target=lambda: done.append(barrier.wait(10)))
        for _ in range(barrier.parties - 1)
    ]
    for other in others:
        other.start()
    index = barrier.wait(10)
    for other in others:
        other.join(10)
    return (sorted([index, *done]), barrier.broken, barrier.n_waiting)


def queue_works(q: Any) -> Any:
    q.put(1, timeout=1)
    return (q.qsize(), q.get(timeout=1), q.empty())


def simple_queue_works(q: Any) -> Any:
    q.put(1)
    return (q.qsize(), q.get(timeout=1), q.empty())


def held(lock: Any) -> Any:
    lock.acquire()
    return lock


def holding(cond: Any) -> Any:
    cond.acquire()
    return cond


def full(q: Any) -> Any:
    q.put(0)
    return q


CASES: dict[str, Case] = {
    # Lock
    "Lock.acquire(timeout=-0.5)": (
        lambda t, q: t.Lock(),
        lambda lock: lock.acquire(timeout=-0.5),
        lock_works,
    ),
    "Lock.acquire(timeout=[])": (
        lambda t, q: t.Lock(),
        lambda lock: lock.acquire(timeout=[]),
        lock_works,
    ),
    "Lock.acquire(timeout=nan) held": (
        lambda t, q: held(t.Lock()),
        lambda lock: lock.acquire(timeout=math.nan),
        lambda lock: (lock.locked(), lock.release(), lock_works(lock)),
    ),
    "Lock.acquire(timeout=1e300) held": (
        lambda t, q: held(t.Lock()),
        lambda lock: lock.acquire(timeout=1e300),
        lambda lock: (lock.locked(), lock.release(), lock_works(lock)),
    ),
    "Lock.release() twice": (
        lambda t, q: held(t.Lock()),
        lambda lock: (lock.release(), lock.release()),
        lock_works,
    ),
    "Lock.__exit__ unlocked": (
        lambda t, q: t.Lock(),
        lambda lock: lock.__exit__(None, None, None),
        lock_works,
    ),
    # RLock
    "RLock.acquire(timeout=-0.5)": (
        lambda t, q: t.RLock(),
        lambda lock: lock.acquire(timeout=-0.5),
        lock_works,
    ),
    "RLock.acquire(False, 1)": (
        lambda t, q: t.RLock(),
        lambda lock: lock.acquire(False, 1),
        lock_works,
    ),
    "RLock.release() twice": (
        lambda t, q: held(t.RLock()),
        lambda lock: (lock.release(), lock.release()),
        lock_works,
    ),
    "RLock.__exit__ unowned": (
        lambda t, q: t.RLock(),
        lambda lock: lock.__exit__(None, None, None),
        lock_works,
    ),
    "RLock(1)": (  # 3.13 warns: with warnings as errors, the DeprecationWarning is raised
        lambda t, q: t,
        lambda t: t.RLock(1) is not None,
        lambda t: lock_works(t.RLock()),
    ),
    # Condition
    "Condition(1)": (lambda t, q: t.Condition(), lambda c: type(c)(1), cond_works),
    "Condition(object())": (lambda t, q: t.Condition(), lambda c: type(c)(object()), cond_works),
    "Condition.wait(-1) unowned": (lambda t, q: t.Condition(), lambda c: c.wait(-1), cond_works),
    "Condition.wait('x') unowned": (lambda t, q: t.Condition(), lambda c: c.wait("x"), cond_works),
    "Condition.wait('x') held": (
        lambda t, q: holding(t.Condition()),
        lambda c: c.wait("x"),
        lambda c: (c._is_owned(), c.release(), cond_works(c)),
    ),
    "Condition.wait(nan) held": (
        lambda t, q: holding(t.Condition()),
        lambda c: c.wait(math.nan),
        lambda c: (c._is_owned(), c.release(), cond_works(c)),
    ),
    "Condition.wait(1e300) held, already notified": (
        lambda t, q: holding(t.Condition(t.Lock())),
        lambda c: c.wait_for(lambda: True, 1e300),
        lambda c: (c._is_owned(), c.release(), cond_works(c)),
    ),
    "Condition.wait_for(1) held": (
        lambda t, q: holding(t.Condition()),
        lambda c: c.wait_for(1),
        lambda c: (c._is_owned(), c.release(), cond_works(c)),
    ),
    "Condition.wait_for(raises) held": (
        lambda t, q: holding(t.Condition()),
        lambda c: c.wait_for(lambda: 1 / 0),
        lambda c: (c._is_owned(), c.release(), cond_works(c)),
    ),
    "Condition.wait_for(false, nan) held": (
        lambda t, q: holding(t.Condition()),
        lambda c: c.wait_for(lambda: False, -1),
        lambda c: (c._is_owned(), c.release(), cond_works(c)),
    ),
    "Condition.notify(None) held": (
        lambda t, q: holding(t.Condition()),
        lambda c: c.notify(None),
        lambda c: (c.release(), cond_works(c)),
    ),
    "Condition.notify_all() unowned": (
        lambda t, q: t.Condition(t.Lock()),
        lambda c: c.notify_all(),
        cond_works,
    ),
    "Condition.release() unowned, Lock": (
        lambda t, q: t.Condition(t.Lock()),
        lambda c: c.release(),
        cond_works,
    ),
    "Condition.__exit__ unowned": (
        lambda t, q: t.Condition(),
        lambda c: c.__exit__(None, None, None),
        cond_works,
    ),
    # Semaphore, BoundedSemaphore
    "Semaphore(-1)": (lambda t, q: t.Semaphore(), lambda s: type(s)(-1), sem_works),
    "Semaphore(value=[])": (lambda t, q: t.Semaphore(), lambda s: type(s)(value=[]), sem_works),
    "Semaphore(True)": (lambda t, q: t.Semaphore(), lambda s: type(s)(True)._value, sem_works),
    "Semaphore.acquire(timeout=-1) empty": (
        lambda t, q: t.Semaphore(0),
        lambda s: s.acquire(timeout=-1),
        lambda s: (s.release(), sem_works(s)),
    ),
    "Semaphore.acquire(False, None)": (
        lambda t, q: t.Semaphore(1),
        lambda s: s.acquire(False, None),
        sem_works,
    ),
    "Semaphore.release(0)": (lambda t, q: t.Semaphore(1), lambda s: s.release(0), sem_works),
    "Semaphore.release(n=[])": (lambda t, q: t.Semaphore(1), lambda s: s.release(n=[]), sem_works),
    "BoundedSemaphore(-5)": (
        lambda t, q: t.BoundedSemaphore(),
        lambda s: type(s)(-5),
        sem_works,
    ),
    "BoundedSemaphore.release() over": (
        lambda t, q: t.BoundedSemaphore(2),
        lambda s: s.release(),
        sem_works,
    ),
    "BoundedSemaphore.release(3) over": (
        lambda t, q: t.BoundedSemaphore(2),
        lambda s: (s.acquire(), s.release(3)),
        lambda s: (s.release(), sem_works(s)),
    ),
    "BoundedSemaphore.acquire(timeout='x') empty": (
        lambda t, q: t.BoundedSemaphore(0),
        lambda s: s.acquire(timeout="x"),
        lambda s: s._value,
    ),
    # Event
    "Event.wait(-1)": (lambda t, q: t.Event(), lambda e: e.wait(-1), event_works),
    "Event.wait(nan)": (lambda t, q: t.Event(), lambda e: e.wait(math.nan), event_works),
    "Event.wait('x')": (lambda t, q: t.Event(), lambda e: e.wait("x"), event_works),
    "Event.wait(1e300) set": (
        lambda t, q: t.Event(),
        lambda e: (e.set(), e.wait(1e300)),
        event_works,
    ),
    # Barrier (3.11's stdlib accepts Barrier(0): test_barrier.py checks threadkit refuses it)
    "Barrier(2, timeout=-1).wait()": (
        lambda t, q: t.Barrier(2, timeout=-1),
        lambda b: b.wait(),
        barrier_works,
    ),
    "Barrier(2, timeout='x').wait()": (
        lambda t, q: t.Barrier(2, timeout="x"),
        lambda b: b.wait(),
        lambda b: (b.broken, b.n_waiting),
    ),
    "Barrier.wait(nan)": (lambda t, q: t.Barrier(2), lambda b: b.wait(-1), barrier_works),
    "Barrier(1, action=1).wait()": (
        lambda t, q: t.Barrier(1, action=1),
        lambda b: b.wait(),
        lambda b: (b.broken, b.n_waiting),
    ),
    "Barrier(1, action=raises).wait()": (
        lambda t, q: t.Barrier(1, action=lambda: 1 / 0),
        lambda b: b.wait(),
        lambda b: (b.broken, b.n_waiting),
    ),
    "Barrier.wait() aborted": (
        lambda t, q: t.Barrier(2),
        lambda b: (b.abort(), b.wait(1)),
        barrier_works,
    ),
    # Queue, LifoQueue, PriorityQueue
    "Queue.get(timeout=-1)": (lambda t, q: q.Queue(), lambda q: q.get(timeout=-1), queue_works),
    "Queue.get(timeout='x')": (
        lambda t, q: q.Queue(),
        lambda q: q.get(timeout="x"),
        queue_works,
    ),
    "Queue(1).put(timeout=-1) full": (
        lambda t, q: full(q.Queue(1)),
        lambda q: q.put(1, timeout=-1),
        lambda q: (q.get(), queue_works(q)),
    ),
    "Queue(1).put(timeout='x') full": (
        lambda t, q: full(q.Queue(1)),
        lambda q: q.put(1, timeout="x"),
        lambda q: (q.get(), queue_works(q)),
    ),
    "Queue(1).put(block=False) full": (
        lambda t, q: full(q.Queue(1)),
        lambda q: q.put(1, False),
        lambda q: (q.get(), queue_works(q)),
    ),
    "Queue.task_done() too many": (
        lambda t, q: q.Queue(),
        lambda q: (q.put(1), q.get(), q.task_done(), q.task_done()),
        lambda q: (q.unfinished_tasks, queue_works(q)),
    ),
    "LifoQueue.get_nowait() empty": (
        lambda t, q: q.LifoQueue(),
        lambda q: q.get_nowait(),
        queue_works,
    ),
    "PriorityQueue.put(unorderable)": (
        lambda t, q: full(q.PriorityQueue()),
        lambda q: q.put("x"),
        lambda q: (q.qsize(), q.get(), queue_works(q)),
    ),
    "PriorityQueue.get(timeout=-1)": (
        lambda t, q: q.PriorityQueue(),
        lambda q: q.get(timeout=-1),
        queue_works,
    ),
    # SimpleQueue
    "SimpleQueue.get(timeout=-1)": (
        lambda t, q: q.SimpleQueue(),
        lambda q: q.get(timeout=-1),
        simple_queue_works,
    ),
    "SimpleQueue.get(timeout=nan)": (
        lambda t, q: q.SimpleQueue(),
        lambda q: q.get(timeout=math.nan),
        simple_queue_works,
    ),
    "SimpleQueue.get(timeout=2**70)": (
        lambda t, q: q.SimpleQueue(),
        lambda q: q.get(timeout=2**70),
        simple_queue_works,
    ),
    "SimpleQueue.get_nowait() empty": (
        lambda t, q: q.SimpleQueue(),
        lambda q: q.get_nowait(),
        simple_queue_works,
    ),
}

if sys.version_info >= (3, 13):
    CASES["Barrier(0)"] = (lambda t, q: t.Barrier(2), lambda b: type(b)(0), barrier_works)
    CASES["Queue.shutdown() then put"] = (
        lambda t, q: q.Queue(),
        lambda q: (q.shutdown(), q.put(1)),
        lambda q: (q.is_shutdown, outcome(q.get_nowait), q.qsize()),
    )


@pytest.mark.parametrize("name", CASES)
def test_bad_call_like_stdlib_and_still_works(name: str) -> None:
    make, call, check = CASES[name]

    def run(threading_module: Any, queue_module: Any) -> tuple[Any, Any]:
        obj = make(threading_module, queue_module)
        return outcome(lambda: call(obj)), outcome(lambda: check(obj))

    ours = run(tk, tkq)
    theirs = run(threading, queue)
    assert ours == theirs


# Calls with the wrong number of arguments: the same exception type (PyO3 words the message
# its own way). One per public method of every native class.
ARITY: dict[str, tuple[Make, Callable[[Any], Any]]] = {
    "Lock.locked(1)": (lambda t, q: t.Lock(), lambda o: o.locked(1)),
    "RLock.release(1)": (lambda t, q: t.RLock(), lambda o: o.release(1)),
    "RLock._is_owned(1)": (lambda t, q: t.RLock(), lambda o: o._is_owned(1)),
    "Condition(1, 2)": (lambda t, q: t.Condition(), lambda o: type(o)(1, 2)),
    "Condition.notify(1, 2)": (lambda t, q: holding(t.Condition()), lambda o: o.notify(1, 2)),
    "Condition.notify_all(1)": (lambda t, q: holding(t.Condition()), lambda o: o.notify_all(1)),
    "Condition.wait(1, 2)": (lambda t, q: holding(t.Condition()), lambda o: o.wait(1, 2)),
    "Condition.wait_for()": (lambda t, q: holding(t.Condition()), lambda o: o.wait_for()),
    "Semaphore(1, 2)": (lambda t, q: t.Semaphore(), lambda o: type(o)(1, 2)),
    "Semaphore.acquire(1, 2, 3)": (lambda t, q: t.Semaphore(), lambda o: o.acquire(1, 2, 3)),
    "Semaphore.release(1, 2)": (lambda t, q: t.Semaphore(), lambda o: o.release(1, 2)),
    "BoundedSemaphore(x=1)": (lambda t, q: t.BoundedSemaphore(), lambda o: type(o)(x=1)),
    "Event(1)": (lambda t, q: t.Event(), lambda o: type(o)(1)),
    "Event.set(1)": (lambda t, q: t.Event(), lambda o: o.set(1)),
    "Event.clear(1)": (lambda t, q: t.Event(), lambda o: o.clear(1)),
    "Event.is_set(1)": (lambda t, q: t.Event(), lambda o: o.is_set(1)),
    "Event.wait(1, 2)": (lambda t, q: t.Event(), lambda o: o.wait(1, 2)),
    "Barrier()": (lambda t, q: t.Barrier(1), lambda o: type(o)()),
    "Barrier.wait(1, 2)": (lambda t, q: t.Barrier(1), lambda o: o.wait(1, 2)),
    "Barrier.reset(1)": (lambda t, q: t.Barrier(1), lambda o: o.reset(1)),
    "Barrier.abort(1)": (lambda t, q: t.Barrier(1), lambda o: o.abort(1)),
    "Timer()": (lambda t, q: t.Timer, lambda o: o()),
    "Queue(1, 2)": (lambda t, q: q.Queue, lambda o: o(1, 2)),
    "Queue.put()": (lambda t, q: q.Queue(), lambda o: o.put()),
    "Queue.get(1, 2, 3)": (lambda t, q: q.Queue(), lambda o: o.get(1, 2, 3)),
    "Queue.put_nowait()": (lambda t, q: q.Queue(), lambda o: o.put_nowait()),
    "Queue.get_nowait(1)": (lambda t, q: q.Queue(), lambda o: o.get_nowait(1)),
    "Queue.task_done(1)": (lambda t, q: q.Queue(), lambda o: o.task_done(1)),
    "Queue.join(1)": (lambda t, q: q.Queue(), lambda o: o.join(1)),
    "Queue.qsize(1)": (lambda t, q: q.Queue(), lambda o: o.qsize(1)),
    "PriorityQueue.put()": (lambda t, q: q.PriorityQueue(), lambda o: o.put()),
    "SimpleQueue(1)": (lambda t, q: q.SimpleQueue, lambda o: o(1)),
    "SimpleQueue.put()": (lambda t, q: q.SimpleQueue(), lambda o: o.put()),
    "SimpleQueue.get(1, 2, 3)": (lambda t, q: q.SimpleQueue(), lambda o: o.get(1, 2, 3)),
}


@pytest.mark.parametrize("name", ARITY)
def test_wrong_arity_like_stdlib(name: str) -> None:
    make, call = ARITY[name]
    ours = outcome_type(lambda: call(make(tk, tkq)))
    theirs = outcome_type(lambda: call(make(threading, queue)))
    assert ours is theirs is TypeError


# Documented differences (README, "Differences from CPython"): values the stdlib's pure-Python
# classes accept because they only compare and add them, and that threadkit's native ones
# refuse with a TypeError or OverflowError when the object is made.
REFUSED: dict[str, tuple[Callable[[], Any], type[Exception]]] = {
    "Queue(maxsize='x')": (lambda: tkq.Queue(maxsize="x"), TypeError),
    "Queue(maxsize=1.5)": (lambda: tkq.Queue(maxsize=1.5), TypeError),
    "Queue(maxsize=2**70)": (lambda: tkq.Queue(maxsize=2**70), OverflowError),
    "Semaphore(1.5)": (lambda: tk.Semaphore(1.5), TypeError),
    "Semaphore(2**70)": (lambda: tk.Semaphore(2**70), OverflowError),
    "Semaphore(1).release(1.5)": (lambda: tk.Semaphore(1).release(1.5), TypeError),
    "Barrier(2.5)": (lambda: tk.Barrier(2.5), TypeError),
}


@pytest.mark.parametrize("name", REFUSED)
def test_documented_refusals(name: str) -> None:
    make, error = REFUSED[name]
    assert outcome_type(make) is error


@pytest.mark.parametrize("kind", ["Semaphore", "BoundedSemaphore"])
def test_nan_timeout_does_not_wait(kind: str) -> None:
    """Documented difference: the stdlib's acquire spins forever on a NaN timeout."""
    semaphore = getattr(tk, kind)(0)
    assert semaphore.acquire(timeout=math.nan) is False
    assert sem_works(getattr(tk, kind)(1)) == (1, True, None, 1)
