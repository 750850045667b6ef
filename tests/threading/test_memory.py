"""Memory: what goes through a queue is not kept alive after ``get``, a Barrier's action and a
Timer's function are released with their object (cycles included), and creating and dropping
every primitive many times does not grow the process."""

import gc
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

import pytest

import threadkit.queue as tkq
import threadkit.threading as tk

pytestmark = pytest.mark.timeout(60)


class Item:
    """A weakly referenceable, orderable object."""

    def __lt__(self, other: "Item") -> bool:
        return id(self) < id(other)


QUEUES: dict[str, Callable[[], Any]] = {
    "Queue": tkq.Queue,
    "Queue(2)": lambda: tkq.Queue(2),
    "LifoQueue": tkq.LifoQueue,
    "PriorityQueue": tkq.PriorityQueue,
    "SimpleQueue": tkq.SimpleQueue,
}
GETS: dict[str, Callable[[Any], Any]] = {
    "get": lambda q: q.get(),
    "get_nowait": lambda q: q.get_nowait(),
    "get(timeout)": lambda q: q.get(timeout=5),
}


@pytest.mark.parametrize("get", GETS)
@pytest.mark.parametrize("kind", QUEUES)
def test_queue_does_not_keep_items_alive(kind: str, get: str) -> None:
    q = QUEUES[kind]()
    items = [Item(), Item()]
    refs = [weakref.ref(item) for item in items]
    for item in items:
        q.put(item)
    del item, items
    for _ in refs:
        got = GETS[get](q)
        assert got is not None
        del got
    gc.collect()
    assert [ref() for ref in refs] == [None, None]
    assert q.empty()


@pytest.mark.parametrize("kind", QUEUES)
def test_blocked_get_does_not_keep_the_item_alive(kind: str) -> None:
    q = QUEUES[kind]()
    received: list[weakref.ref[Item]] = []
    getter = threading.Thread(target=lambda: received.append(weakref.ref(q.get(timeout=10))))
    getter.start()
    item = Item()
    ref = weakref.ref(item)
    q.put(item)
    del item
    getter.join(10)
    gc.collect()
    assert received == [ref] and ref() is None


def test_barrier_action_is_released_with_the_barrier() -> None:
    class Action:
        calls = 0

        def __call__(self) -> None:
            Action.calls += 1

    action = Action()
    ref = weakref.ref(action)
    barrier = tk.Barrier(1, action=action)
    del action
    assert barrier.wait(5) == 0
    assert Action.calls == 1
    del barrier
    assert ref() is None


def test_barrier_action_in_a_cycle_is_collected() -> None:
    class Owner:
        def __init__(self) -> None:
            self.barrier = tk.Barrier(1, action=self.act, timeout=5)
            self.acted = False

        def act(self) -> None:
            self.acted = True

    owner = Owner()
    owner.barrier.wait()
    assert owner.acted
    ref, barrier_ref = weakref.ref(owner), weakref.ref(owner.barrier)
    del owner
    gc.collect()
    assert (ref(), barrier_ref()) == (None, None)


def test_timer_function_is_released_after_use() -> None:
    def use(timer_type: Any) -> Any:
        fired = threading.Event()

        class Function:
            def __call__(self) -> None:
                fired.set()

        function = Function()
        ref = weakref.ref(function)
        timer = timer_type(0.01, function)
        del function
        timer.start()
        assert fired.wait(10)
        timer.join(10)
        del timer
        gc.collect()
        return ref()

    assert use(tk.Timer) is use(threading.Timer) is None


def test_condition_releases_its_lock() -> None:
    lock = tk.RLock()
    ref = weakref.ref(lock)
    condition = tk.Condition(lock)
    del lock
    with condition:
        condition.notify()
    del condition
    assert ref() is None


def _rss() -> int:
    """The resident set size of this process, in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _cycle() -> None:
    """Creates, uses and drops every primitive once."""
    lock = tk.Lock()
    with lock:
        lock.acquire(timeout=0)
    rlock = tk.RLock()
    with rlock, rlock:
        pass
    condition = tk.Condition()
    with condition:
        condition.wait(0)
        condition.notify_all()
    for semaphore in (tk.Semaphore(1), tk.BoundedSemaphore(1)):
        with semaphore:
            semaphore.acquire(timeout=0)
    event = tk.Event()
    event.set()
    event.wait(0)
    _ = event._cond
    tk.Barrier(1, action=lambda: None).wait()
    for q in (tkq.Queue(2), tkq.LifoQueue(), tkq.PriorityQueue(), tkq.SimpleQueue()):
        q.put(1)
        q.get(timeout=0)
    queue = tkq.Queue()
    queue.put([1])
    queue.get()
    queue.task_done()
    queue.join()


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads /proc/self/statm")
def test_no_growth_over_many_create_destroy_cycles() -> None:
    for _ in range(2000):  # warm-up: caches, allocator pools
        _cycle()
    gc.collect()
    before = _rss()
    for _ in range(20000):
        _cycle()
    gc.collect()
    grown = _rss() - before
    assert grown < 20 * 2**20, f"RSS grew by {grown / 2**20:.1f} MiB"
