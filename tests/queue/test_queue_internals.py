"""The stdlib's internals of every Queue class — ``mutex``, ``queue``, ``not_empty``,
``not_full``, ``all_tasks_done``, ``unfinished_tasks`` — and the move of a native queue to the
Python path that touching them makes (issue 10 §2, issue 15)."""

import queue
import sys
import threading
import types
from typing import Any

import pytest

import threadkit.queue as tkq
from tests.helpers.differential import outcome
from tests.helpers.queues import condition_waiters, until, until_waiting

pytestmark = pytest.mark.timeout(30)

KINDS = ["Queue", "LifoQueue", "PriorityQueue"]
MODULES = pytest.mark.parametrize("module", [tkq, queue], ids=["threadkit", "stdlib"])


@pytest.mark.parametrize("kind", KINDS)
def test_clear_under_mutex_like_stdlib(kind: str) -> None:
    def run(module: Any) -> list[Any]:
        q = getattr(module, kind)(5)
        for item in (3, 1, 2):
            q.put(item)
        with q.mutex:
            seen = list(q.queue)
            q.queue.clear()
        return [
            seen,
            q.qsize(),
            q.empty(),
            q.unfinished_tasks,
            outcome(q.get_nowait),
            outcome(lambda: q.put(4)),
            outcome(q.get_nowait),
            outcome(q.task_done),
        ]

    assert run(tkq) == run(queue)


@pytest.mark.parametrize("kind", KINDS)
def test_conditions_share_the_mutex(kind: str) -> None:
    q = getattr(tkq, kind)()
    for condition in (q.not_empty, q.not_full, q.all_tasks_done):
        with condition:
            assert not q.mutex.acquire(False)
        assert q.mutex.acquire(False)
        q.mutex.release()


@pytest.mark.parametrize("kind", KINDS)
@MODULES
def test_waiting_on_not_empty_wakes_on_put(module: Any, kind: str) -> None:
    q = getattr(module, kind)()
    got: list[Any] = []

    def wait_then_take() -> None:
        with q.not_empty:
            assert q.not_empty.wait_for(q._qsize, timeout=20)
            got.append(q._get())

    waiter = threading.Thread(target=wait_then_take)
    waiter.start()
    until(lambda: condition_waiters(q.not_empty) == 1)
    q.put("item")
    waiter.join(timeout=20)
    assert got == ["item"]
    assert q.empty()


@pytest.mark.parametrize("kind", KINDS)
def test_put_at_the_front_recipe_like_stdlib(kind: str) -> None:
    """Code that edits ``queue`` and the counts by hand, under ``mutex``, as the stdlib's own
    methods do."""

    def run(module: Any) -> list[Any]:
        q = getattr(module, kind)()
        q.put(2)
        with q.mutex:
            q.queue.append(1) if kind == "PriorityQueue" else q.queue.insert(0, 1)
            q.unfinished_tasks += 1
            q.not_empty.notify()
        got = [q.get_nowait(), q.get_nowait()]
        q.task_done()
        q.task_done()
        return [got, q.unfinished_tasks, outcome(q.task_done)]

    assert run(tkq) == run(queue)


@pytest.mark.parametrize("kind", ["Queue", "LifoQueue"])
def test_the_move_keeps_items_counts_and_bound(kind: str) -> None:
    def run(module: Any) -> list[Any]:
        q = getattr(module, kind)(4)
        for item in (1, 2, 3, 4):
            q.put(item)
        first = q.get()
        q.task_done()
        with q.mutex:
            held = list(q.queue)
        return [
            first,
            held,
            q.unfinished_tasks,
            q.full(),
            outcome(lambda: q.put(5, timeout=0)),
            outcome(lambda: q.put(6, timeout=0)),
            [q.get() for _ in range(4)],
        ]

    assert run(tkq) == run(queue)


@pytest.mark.skipif(sys.version_info < (3, 13), reason="shutdown is new in 3.13")
@pytest.mark.parametrize("kind", ["Queue", "LifoQueue"])
def test_the_move_keeps_the_shutdown(kind: str) -> None:
    def run(module: Any) -> list[Any]:
        q = getattr(module, kind)()
        q.put(1)
        q.put(2)
        q.shutdown()
        with q.mutex:
            held = list(q.queue)
        return [held, q.is_shutdown, outcome(lambda: q.put(3)), q.get(), q.get(), outcome(q.get)]

    assert run(tkq) == run(queue)


@pytest.mark.parametrize("kind", ["Queue", "LifoQueue"])
def test_callers_blocked_on_the_core_carry_on_after_the_move(kind: str) -> None:
    full = getattr(tkq, kind)(1)
    full.put("first")
    empty = getattr(tkq, kind)()
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda: results.append(("put", full.put("second", timeout=20)))),
        threading.Thread(target=lambda: results.append(("get", empty.get(timeout=20)))),
        threading.Thread(target=lambda: results.append(("join", full.join()))),
    ]
    for thread in threads:
        thread.start()
    until_waiting(full, 2)  # the put and the join
    until_waiting(empty, 1)
    assert not full._uses_python_path()
    with full.mutex, empty.mutex:  # both move; the blocked callers go on in Python
        assert list(full.queue) == ["first"]
        assert list(empty.queue) == []
    until_waiting(full, 2)  # the put and the join, now on the conditions
    until_waiting(empty, 1)
    empty.put("item")
    assert full.get(timeout=20) == "first"
    full.task_done()
    assert full.get(timeout=20) == "second"
    full.task_done()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results) == [("get", "item"), ("join", None), ("put", None)]
    assert (full.qsize(), full.unfinished_tasks, empty.unfinished_tasks) == (0, 0, 1)


def test_many_threads_through_the_move_lose_nothing() -> None:
    q = tkq.Queue(8)
    total = 4 * 2000
    got: list[int] = []
    lock = threading.Lock()

    def produce(base: int) -> None:
        for n in range(2000):
            q.put(base + n, timeout=20)

    def consume() -> None:
        while (n := q.get(timeout=20)) >= 0:
            with lock:
                got.append(n)
            q.task_done()
        q.task_done()

    threads = [threading.Thread(target=produce, args=(p * 10_000,)) for p in range(4)]
    threads += [threading.Thread(target=consume) for _ in range(4)]
    for thread in threads:
        thread.start()
    until(lambda: len(got) > 100)
    with q.mutex:  # the move, while every thread runs
        assert len(q.queue) <= 8
    assert q._uses_python_path()
    for thread in threads[:4]:
        thread.join(timeout=20)
    for _ in range(4):
        q.put(-1)
    q.join()
    for thread in threads[4:]:
        thread.join(timeout=20)
    assert len(got) == total
    assert sorted(got) == sorted(p * 10_000 + n for p in range(4) for n in range(2000))


@pytest.mark.parametrize("kind", ["Queue", "LifoQueue"])
def test_a_hook_set_on_an_instance_is_honoured(kind: str) -> None:
    def run(module: Any) -> list[Any]:
        q = getattr(module, kind)()
        q.put(1)
        seen: list[Any] = []
        original = q._put

        def _put(self: Any, item: Any) -> None:
            seen.append(item)
            original(item * 10)

        q._put = types.MethodType(_put, q)
        q.put(2)
        q.put_nowait(3)
        del q._put
        q.put(4)
        return [seen, [q.get_nowait() for _ in range(4)]]

    assert run(tkq) == run(queue)


def test_a_bound_method_taken_before_the_move_still_works() -> None:
    q = tkq.Queue()
    put, get = q.put, q.get
    put(1)
    with q.mutex:
        assert list(q.queue) == [1]
    put(2)
    assert list(q.queue) == [1, 2]
    assert [get(), get()] == [1, 2]


@pytest.mark.parametrize("kind", ["Queue", "LifoQueue"])
def test_plain_use_stays_native(kind: str) -> None:
    q = getattr(tkq, kind)(3)
    q.put(1)
    q.put_nowait(2)
    q.get()
    q.task_done()
    assert (q.qsize(), q.empty(), q.full(), q.unfinished_tasks) == (1, False, False, 1)
    if sys.version_info >= (3, 13):
        assert not q.is_shutdown
    q.maxsize = 5
    q.tag = "mine"  # other attributes do not move it either
    assert not q._uses_python_path()
    with pytest.raises(AttributeError, match=r"'\w*Queue' object has no attribute 'nothing'"):
        q.nothing  # noqa: B018


def test_a_subclass_without_super_init_fails_like_stdlib() -> None:
    def run(module: Any) -> Any:
        class NoInit(module.PriorityQueue):  # type: ignore[misc, name-defined]
            def __init__(self) -> None:
                pass

        return outcome(lambda: NoInit().put(1))

    assert run(tkq)[0] is run(queue)[0] is AttributeError
