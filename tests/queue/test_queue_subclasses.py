"""Subclasses of Queue, LifoQueue and PriorityQueue that override the methods the stdlib's
algorithm calls through ``self``, against the stdlib's class built the same way (issue 15).

Every combination is generated: each storage hook (``_init``, ``_qsize``, ``_put``, ``_get``)
kept, extended through ``super()``, or rewritten on its own storage; ``put`` and ``get`` kept or
extended through ``super()``; for each of the three classes. Every override logs its calls, so
the comparison also sees which hooks ran, in which order. Each class runs a random sequence of
operations on one thread (every result, the log, the final contents compared), and some also
run producers and consumers on several threads (the items, the logged calls and the final state
compared).
"""

import functools
import heapq
import itertools
import queue
import random
import sys
import threading
import types
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import pytest

import threadkit.queue as tkq
from tests.helpers.differential import outcome
from tests.helpers.queues import condition_waiters, until, until_waiting

pytestmark = pytest.mark.timeout(30)

KINDS = ("Queue", "LifoQueue", "PriorityQueue")
HOOKS = ("_init", "_qsize", "_put", "_get")
COMBOS = [
    dict(zip((*HOOKS, "put", "get"), choice, strict=True))
    for choice in itertools.product(
        *[("kept", "super", "own")] * len(HOOKS), *[("kept", "super")] * 2
    )
]
#: Each class's own storage: how it is made, how an item goes in, how one comes out.
STORAGE: dict[str, tuple[Callable[[], Any], Callable[[Any, Any], None], Callable[[Any], Any]]] = {
    "Queue": (deque, deque.append, deque.popleft),
    "LifoQueue": (list, list.append, list.pop),
    "PriorityQueue": (list, heapq.heappush, heapq.heappop),
}
SHUTDOWN = sys.version_info >= (3, 13)


def build(module: Any, kind: str, combo: dict[str, str]) -> Any:
    """``module.<kind>``'s subclass that overrides what ``combo`` says, logging every call."""
    base = getattr(module, kind)
    new, push, pop = STORAGE[kind]

    class Built(base):  # type: ignore[misc, valid-type]
        def __init__(self, maxsize: int = 0) -> None:
            self.log: list[tuple[Any, ...]] = []
            super().__init__(maxsize)

        if combo["_init"] == "super":

            def _init(self, maxsize: int) -> None:
                self.log.append(("_init", maxsize))
                super()._init(maxsize)

        elif combo["_init"] == "own":

            def _init(self, maxsize: int) -> None:
                self.log.append(("_init", maxsize))
                self.queue = new()

        if combo["_qsize"] == "super":

            def _qsize(self) -> int:
                self.log.append(("_qsize",))
                return int(super()._qsize())

        elif combo["_qsize"] == "own":

            def _qsize(self) -> int:
                self.log.append(("_qsize",))
                return len(self.queue)

        if combo["_put"] == "super":

            def _put(self, item: Any) -> None:
                self.log.append(("_put", item))
                super()._put(item)

        elif combo["_put"] == "own":

            def _put(self, item: Any) -> None:
                self.log.append(("_put", item))
                push(self.queue, item)

        if combo["_get"] == "super":

            def _get(self) -> Any:
                item = super()._get()
                self.log.append(("_get", item))
                return item

        elif combo["_get"] == "own":

            def _get(self) -> Any:
                item = pop(self.queue)
                self.log.append(("_get", item))
                return item

        if combo["put"] == "super":

            def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
                self.log.append(("put", item, block))
                super().put(item, block, timeout)

        if combo["get"] == "super":

            def get(self, block: bool = True, timeout: float | None = None) -> Any:
                self.log.append(("get", block))
                return super().get(block, timeout)

    return Built


def cases() -> list[Any]:
    return [
        pytest.param(kind, n, id=f"{kind}-" + "-".join(f"{k}:{v}" for k, v in combo.items()))
        for kind in KINDS
        for n, combo in enumerate(COMBOS)
    ]


def operation(rng: random.Random, std: Any) -> Callable[[Any], Any]:
    """One random operation, chosen from what the stdlib queue ``std`` allows now without
    blocking forever (it is read through its internals, which call no hook)."""
    size, bound = len(std.queue), std.maxsize
    shut = getattr(std, "is_shutdown", False)
    item = rng.randrange(10)
    choices: list[Callable[[Any], Any]] = [
        lambda q: q.put(item, block=False),
        lambda q: q.put(item, timeout=0),
        lambda q: q.put(item, timeout=0.001),
        lambda q: q.put(item, timeout=-1),
        lambda q: q.put_nowait(item),
        lambda q: q.get(block=False),
        lambda q: q.get(timeout=0.001),
        lambda q: q.get(timeout=-1),
        lambda q: q.get_nowait(),
        lambda q: q.task_done(),
        lambda q: q.qsize(),
        lambda q: q.empty(),
        lambda q: q.full(),
        lambda q: q.unfinished_tasks,
    ]
    if shut or bound <= 0 or size < bound:
        choices += [lambda q: q.put(item)] * 4
    if shut or size:
        choices += [lambda q: q.get()] * 4
    if not std.unfinished_tasks:
        choices.append(lambda q: q.join())
    if rng.random() < 0.05:
        maxsize = rng.randrange(-1, 5)

        def resize(q: Any) -> None:
            q.maxsize = maxsize

        choices.append(resize)
    if SHUTDOWN:
        immediate = rng.random() < 0.5
        choices.append(lambda q: q.is_shutdown)
        if rng.random() < 0.05:
            choices.append(lambda q: q.shutdown(immediate))
    return rng.choice(choices)


def drained(q: Any) -> list[Any]:
    items = []
    while True:
        kind, value = outcome(q.get_nowait)
        if kind != "returned":
            return items
        items.append(value)


@pytest.mark.parametrize(("kind", "n"), cases())
def test_one_thread_like_stdlib(kind: str, n: int) -> None:
    for maxsize in (0, 3):
        one_thread(kind, COMBOS[n], random.Random(f"{kind}-{n}-{maxsize}"), maxsize)


def one_thread(kind: str, combo: dict[str, str], rng: random.Random, maxsize: int) -> None:
    ours, std = build(tkq, kind, combo)(maxsize), build(queue, kind, combo)(maxsize)
    move_at = rng.randrange(60)
    for step in range(60):
        if step == move_at:  # a native queue moves to the Python path here
            assert list(ours.queue) == list(std.queue)
        call = operation(rng, std)
        expected = outcome(functools.partial(call, std))
        assert outcome(functools.partial(call, ours)) == expected, f"step {step}"
    assert calls(ours.log) == calls(std.log)
    assert list(ours.queue) == list(std.queue)
    assert (ours.qsize(), ours.unfinished_tasks) == (std.qsize(), std.unfinished_tasks)
    assert drained(ours) == drained(std)
    assert calls(ours.log) == calls(std.log)


def calls(log: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The logged calls, each run of ``_qsize`` calls counted once: a timed wait that wakes a
    little before its deadline checks the size once more, on either implementation."""
    kept: list[tuple[Any, ...]] = []
    for entry in log:
        if not (entry == ("_qsize",) and kept and kept[-1] == entry):
            kept.append(entry)
    return kept


def run_threads(q: Any, rng: random.Random, total: int) -> list[Any]:
    """Three producers put ``total`` distinct items, three consumers take them all, with
    ``task_done`` for each, while the main thread reads ``mutex`` and ``queue`` halfway (which
    moves a native queue) and ``join``s; returns what the consumers got, in order per thread."""
    lock = threading.Lock()
    reserved = [0]
    got: list[list[Any]] = [[] for _ in range(3)]
    timeouts = [None, 10.0]

    def produce(p: int) -> None:
        for n in range(p, total, 3):
            q.put(n, timeout=rng.choice(timeouts))

    def consume(c: int) -> None:
        while True:
            with lock:
                if reserved[0] == total:
                    return
                reserved[0] += 1
            got[c].append(q.get(timeout=10))
            q.task_done()

    threads = [threading.Thread(target=produce, args=(p,)) for p in range(3)]
    threads += [threading.Thread(target=consume, args=(c,)) for c in range(3)]
    for thread in threads:
        thread.start()
    with q.mutex:
        assert len(q.queue) <= total
    q.join()
    for thread in threads:
        thread.join(timeout=20)
        assert not thread.is_alive()
    return got


@pytest.mark.parametrize(("kind", "n"), [case for case in cases() if case.values[1] % 6 == 0])
def test_threads_like_stdlib(kind: str, n: int) -> None:
    combo = COMBOS[n]
    total = 60
    maxsize = random.Random(f"{kind}-{n}").choice([0, 2, 5])
    results = []
    for module in (tkq, queue):
        q = build(module, kind, combo)(maxsize)
        got = run_threads(q, random.Random(f"{kind}-{n}"), total)
        calls = Counter(entry for entry in q.log if entry[0] not in ("_qsize",))
        results.append((sorted(itertools.chain(*got)), calls, list(q.queue), q.unfinished_tasks))
        if kind == "Queue":  # FIFO: each consumer gets each producer's items in order
            for items in got:
                for p in range(3):
                    mine = [item for item in items if item % 3 == p]
                    assert mine == sorted(mine)
    assert results[0] == results[1]
    assert results[0][0] == list(range(total))


def skip_repeats(module: Any) -> Any:
    """The issue's example: a ``module.Queue`` that drops an item equal to the last one put."""

    class SkipRepeats(module.Queue):  # type: ignore[misc, name-defined]
        def _init(self, maxsize: int) -> None:
            super()._init(maxsize)
            self._last = None

        def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
            if self._last is None or item != self._last:
                super().put(item, block, timeout)

        def _put(self, item: Any) -> None:
            super()._put(item)
            self._last = item

        def _get(self) -> Any:
            item = super()._get()
            if item is self._last:
                self._last = None
            return item

    return SkipRepeats


@pytest.mark.parametrize("module", [tkq, queue], ids=["threadkit", "stdlib"])
def test_skip_repeats_keeps_every_item(module: Any) -> None:
    q = skip_repeats(module)()
    for i in (1, 1, 2, 2, 3):
        q.put(i)
    assert q.qsize() == 3
    assert [q.get(timeout=1) for _ in range(q.qsize())] == [1, 2, 3]
    q.put_nowait(3)  # through SkipRepeats.put: 3 is no longer the last item held
    q.put_nowait(3)
    assert (q.qsize(), q.unfinished_tasks) == (1, 4)


def get_any(module: Any, queues: list[Any], ready: Any, timeout: float) -> tuple[int, Any]:
    """The pattern of helpers that wait on several queues: replace each queue's ``_put`` under
    its ``mutex`` with one that also signals ``ready``, wait on it, restore the queues."""
    puts = [0]

    def hook(q: Any) -> None:
        original = q._put

        def _put(self: Any, item: Any) -> None:
            original(item)
            with ready:
                puts[0] += 1
                ready.notify_all()

        with q.mutex:
            q._put = types.MethodType(_put, q)

    for q in queues:
        hook(q)
    try:
        while True:
            seen = puts[0]
            for index, q in enumerate(queues):
                try:
                    return index, q.get_nowait()
                except module.Empty:
                    pass
            with ready:
                if not ready.wait_for(lambda seen=seen: puts[0] != seen, timeout):
                    raise module.Empty
    finally:
        for q in queues:
            with q.mutex:
                del q._put


@pytest.mark.parametrize("module", [tkq, queue], ids=["threadkit", "stdlib"])
def test_instance_put_replaced_under_mutex_is_honoured(module: Any) -> None:
    queues = [module.Queue(), module.LifoQueue(), module.PriorityQueue()]
    ready = threading.Condition()
    result: list[tuple[int, Any]] = []
    waiter = threading.Thread(target=lambda: result.append(get_any(module, queues, ready, 20)))
    waiter.start()
    until(lambda: condition_waiters(ready) == 1)
    queues[1].put("x")
    waiter.join(timeout=20)
    assert result == [(1, "x")]
    for q in queues:  # restored: the class's _put again, and the queue still works
        assert "_put" not in vars(q)
        q.put(1)
        assert q.get_nowait() == 1


def test_blocked_get_on_a_python_path_subclass_wakes_on_put() -> None:
    q = skip_repeats(tkq)()
    got: list[Any] = []
    getter = threading.Thread(target=lambda: got.append(q.get(timeout=20)))
    getter.start()
    until_waiting(q)
    q.put("a")
    getter.join(timeout=20)
    assert got == ["a"]
