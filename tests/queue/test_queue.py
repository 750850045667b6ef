"""threadkit.queue.Queue, LifoQueue and PriorityQueue: behaviour, both paths, bad calls vs the
stdlib, Ctrl-C."""

import math
import queue
import sys
import threading
import time
from typing import Any

import pytest

import threadkit.queue as tkq
from tests.helpers.differential import outcome
from tests.helpers.queues import until_waiting
from tests.helpers.signals import interrupt_while_blocked

pytestmark = pytest.mark.timeout(30)

KINDS = ["Queue", "LifoQueue", "PriorityQueue"]


def test_module_surface_is_the_stdlib_s() -> None:
    assert tkq.__all__ == queue.__all__
    assert tkq.Empty is queue.Empty
    assert tkq.Full is queue.Full
    assert hasattr(tkq.Queue, "shutdown") == hasattr(queue.Queue, "shutdown")
    if sys.version_info >= (3, 13):
        assert tkq.ShutDown is queue.ShutDown
    assert tkq.Queue[int].__origin__ is tkq.Queue


def test_paths() -> None:
    """Queue and LifoQueue are native; PriorityQueue and hook-overriding subclasses are not."""
    assert not tkq.Queue._python_path
    assert not tkq.LifoQueue._python_path
    assert tkq.PriorityQueue._python_path

    class Plain(tkq.Queue):
        def __init__(self, name: str) -> None:
            super().__init__(2)
            self.name = name

    class Hooked(tkq.LifoQueue):
        def _put(self, item: Any) -> None:
            super()._put(item * 10)

    assert not Plain._python_path
    assert Hooked._python_path
    plain = Plain("p")
    assert (plain.name, plain.maxsize) == ("p", 2)
    hooked = Hooked()
    for n in (1, 2):
        hooked.put(n)
    assert [hooked.get(), hooked.get()] == [20, 10]
    assert isinstance(tkq.LifoQueue(), tkq.Queue)
    assert isinstance(tkq.PriorityQueue(), tkq.Queue)


@pytest.mark.parametrize("kind", KINDS)
def test_order(kind: str) -> None:
    q = getattr(tkq, kind)()
    for item in (2, 3, 1):
        q.put(item)
    assert q.qsize() == 3
    got = [q.get() for _ in range(3)]
    assert got == {"Queue": [2, 3, 1], "LifoQueue": [1, 3, 2], "PriorityQueue": [1, 2, 3]}[kind]
    assert q.empty()


@pytest.mark.parametrize("kind", KINDS)
def test_bounded_put_blocks_until_a_get(kind: str) -> None:
    q = getattr(tkq, kind)(1)
    q.put("a")
    assert q.full()
    start = time.monotonic()
    with pytest.raises(queue.Full):
        q.put("b", timeout=0.1)
    assert time.monotonic() - start >= 0.1
    putter = threading.Thread(target=lambda: q.put("b", timeout=20))
    putter.start()
    until_waiting(q)
    assert q.get() == "a"
    putter.join(timeout=20)
    assert q.get_nowait() == "b"


@pytest.mark.parametrize("kind", KINDS)
def test_get_waits_at_least_the_timeout(kind: str) -> None:
    q = getattr(tkq, kind)()
    start = time.monotonic()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.1)
    assert time.monotonic() - start >= 0.1


@pytest.mark.parametrize("kind", KINDS)
def test_maxsize_may_change(kind: str) -> None:
    q = getattr(tkq, kind)(3)
    q.put(1)
    q.put(2)
    q.maxsize = 2
    assert q.full()
    with pytest.raises(queue.Full):
        q.put_nowait(3)
    q.maxsize = -1
    assert not q.full()
    q.put_nowait(3)
    assert q.maxsize == -1


@pytest.mark.parametrize("kind", KINDS)
def test_task_done_and_join(kind: str) -> None:
    q = getattr(tkq, kind)()
    total = []

    def worker() -> None:
        while (n := q.get()) is not None:
            total.append(n)
            q.task_done()
        q.task_done()

    thread = threading.Thread(target=worker)
    thread.start()
    for n in range(1, 101):
        q.put(n)
    q.join()
    assert sum(total) == 5050
    assert q.unfinished_tasks == 0
    q.put(None)
    thread.join()


@pytest.mark.skipif(sys.version_info < (3, 13), reason="shutdown is new in 3.13")
@pytest.mark.parametrize("kind", KINDS)
def test_shutdown_wakes_a_blocked_get(kind: str) -> None:
    q = getattr(tkq, kind)()
    errors: list[BaseException] = []

    def get() -> None:
        try:
            q.get()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=get)
    thread.start()
    until_waiting(q)
    q.shutdown()
    thread.join(timeout=20)
    assert q.is_shutdown
    assert [type(error) for error in errors] == [queue.ShutDown]


def test_many_producers_and_consumers_stress() -> None:
    q = tkq.Queue(8)
    results: list[int] = []
    lock = threading.Lock()

    def produce(base: int) -> None:
        for n in range(500):
            q.put(base + n)

    def consume() -> None:
        while (n := q.get()) >= 0:
            with lock:
                results.append(n)

    consumers = [threading.Thread(target=consume) for _ in range(4)]
    producers = [threading.Thread(target=produce, args=(p * 1000,)) for p in range(4)]
    for thread in consumers + producers:
        thread.start()
    for thread in producers:
        thread.join()
    for _ in consumers:
        q.put(-1)
    for thread in consumers:
        thread.join()
    assert sorted(results) == sorted(p * 1000 + n for p in range(4) for n in range(500))


BAD_CALLS = {
    "task_done() too many": lambda m, k: getattr(m, k)().task_done(),
    "get(timeout=-1)": lambda m, k: getattr(m, k)().get(timeout=-1),
    "get(True, -1) with items": lambda m, k: _with_item(getattr(m, k)()).get(True, -1),
    "get(False, -1)": lambda m, k: getattr(m, k)().get(False, -1),
    "get(timeout='x')": lambda m, k: getattr(m, k)().get(timeout="x"),
    "get(timeout=0)": lambda m, k: getattr(m, k)().get(timeout=0),
    "get(block=0)": lambda m, k: getattr(m, k)().get(block=0),
    "get(block=None)": lambda m, k: getattr(m, k)().get(block=None),
    "get_nowait()": lambda m, k: getattr(m, k)().get_nowait(),
    "put(timeout=-1) unbounded": lambda m, k: getattr(m, k)().put(1, timeout=-1),
    "put(timeout=-1) bounded": lambda m, k: getattr(m, k)(1).put(1, timeout=-1),
    "put(timeout='x') bounded": lambda m, k: getattr(m, k)(1).put(1, timeout="x"),
    "put full, block=False": lambda m, k: _with_item(getattr(m, k)(1)).put(2, False),
    "put full, timeout=0": lambda m, k: _with_item(getattr(m, k)(1)).put(2, timeout=0),
    "put_nowait full": lambda m, k: _with_item(getattr(m, k)(1)).put_nowait(2),
    "maxsize=-5": lambda m, k: _with_item(getattr(m, k)(-5)).maxsize,
}


@pytest.mark.parametrize("kind", KINDS)
def test_nan_timeout_does_not_wait(kind: str) -> None:
    """Difference: the stdlib spins forever on a NaN timeout; threadkit does not wait."""
    with pytest.raises(queue.Empty):
        getattr(tkq, kind)().get(timeout=math.nan)


def _with_item(q: Any) -> Any:
    q.put(1)
    return q


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_call_like_stdlib(name: str, kind: str) -> None:
    call = BAD_CALLS[name]
    assert outcome(lambda: call(tkq, kind)) == outcome(lambda: call(queue, kind))


@pytest.mark.skipif(sys.version_info < (3, 13), reason="shutdown is new in 3.13")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("immediate", [False, True])
def test_shut_down_calls_like_stdlib(kind: str, immediate: bool) -> None:
    def calls(module: Any) -> list[tuple[Any, Any]]:
        q = getattr(module, kind)(2)
        q.put(1)
        q.shutdown(immediate)
        return [
            outcome(lambda: q.put(2)),
            outcome(lambda: q.put(2, timeout=-1)),
            outcome(lambda: q.get(timeout=-1)),
            outcome(q.get_nowait),
            outcome(lambda: q.get(timeout=-1)),
            outcome(q.get),
            outcome(lambda: q.unfinished_tasks),
            outcome(q.join) if immediate else ("skipped", None),
        ]

    assert calls(tkq) == calls(queue)


def test_ctrl_c_interrupts_get() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        import threadkit.queue as tkq
        q = tkq.Queue()
        blocked()
        q.get()
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")


def test_ctrl_c_interrupts_timed_put() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        import threadkit.queue as tkq
        q = tkq.Queue(1)
        q.put(1)
        blocked()
        q.put(2, timeout=60)
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")


def test_ctrl_c_interrupts_python_path_get() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        import threadkit.queue as tkq
        q = tkq.PriorityQueue()
        blocked()
        q.get()
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")
