"""Stress: 32 threads hammer each primitive for about a second with random timeouts, and the
invariants that matter are checked (mutual exclusion, permits, exactly-once delivery, barrier
generations, no lost notify)."""

import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import threadkit.queue as tkq
import threadkit.threading as tk

pytestmark = pytest.mark.timeout(60)

THREADS = 32
SECONDS = 1.0


def _hammer(body: Callable[[random.Random, int], None], threads: int = THREADS) -> None:
    """Runs ``body(rng, index)`` in a loop on ``threads`` threads for :data:`SECONDS`; re-raises
    the first failure; fails if a thread does not finish in time."""
    deadline = time.monotonic() + SECONDS
    errors: list[BaseException] = []

    def run(index: int) -> None:
        rng = random.Random(index)
        try:
            while time.monotonic() < deadline:
                body(rng, index)
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert not [worker for worker in workers if worker.is_alive()], "a thread is stuck"
    if errors:
        raise errors[0]


def _timeout(rng: random.Random) -> float:
    return rng.choice([0, 0.0001, 0.001, 0.005, 0.02])


@pytest.mark.parametrize("kind", ["Lock", "RLock"])
def test_lock_mutual_exclusion(kind: str) -> None:
    lock = getattr(tk, kind)()
    inside = [0]
    entered = [0]

    def body(rng: random.Random, _: int) -> None:
        if not lock.acquire(timeout=_timeout(rng)):
            return
        try:
            inside[0] += 1
            assert inside[0] == 1, "two threads hold the lock"
            if kind == "RLock":
                with lock:  # re-entrant
                    assert inside[0] == 1
            entered[0] += 1
            inside[0] -= 1
        finally:
            lock.release()

    _hammer(body)
    assert entered[0] > 0
    assert lock.acquire(blocking=False)
    lock.release()


@pytest.mark.parametrize("kind", ["Semaphore", "BoundedSemaphore"])
def test_semaphore_never_over_acquired(kind: str) -> None:
    permits = 3
    semaphore = getattr(tk, kind)(permits)
    holders = [0]
    most = [0]
    count = threading.Lock()  # the stdlib's: the bookkeeping must not depend on what is tested

    def body(rng: random.Random, _: int) -> None:
        if not semaphore.acquire(timeout=_timeout(rng)):
            return
        with count:
            holders[0] += 1
            most[0] = max(most[0], holders[0])
            assert holders[0] <= permits, "more holders than permits"
        assert semaphore._value <= permits
        with count:
            holders[0] -= 1
        semaphore.release()

    _hammer(body)
    assert 1 <= most[0] <= permits
    assert semaphore._value == permits
    if kind == "BoundedSemaphore":
        with pytest.raises(ValueError, match="Semaphore released too many times"):
            semaphore.release()
        assert semaphore._value == permits


def test_bounded_semaphore_never_over_released() -> None:
    """Threads that release without acquiring race with holders: a release that would exceed
    the initial value always fails (whoever makes it), so the value never goes above it."""
    permits = 4
    semaphore = tk.BoundedSemaphore(permits)
    refused = [0]

    def release() -> bool:
        try:
            semaphore.release()
        except ValueError:
            refused[0] += 1
            return False
        return True

    def body(rng: random.Random, index: int) -> None:
        if index % 4 == 0:
            if release():  # a permit nobody held: take one back
                semaphore.acquire(timeout=_timeout(rng))
        elif semaphore.acquire(timeout=_timeout(rng)):
            assert semaphore._value <= permits
            release()
        assert semaphore._value <= permits

    _hammer(body)
    assert refused[0] > 0
    assert semaphore._value <= permits
    while semaphore._value < permits:
        semaphore.release()
    with pytest.raises(ValueError, match="Semaphore released too many times"):
        semaphore.release()


QUEUES: dict[str, Callable[[], Any]] = {
    "Queue": lambda: tkq.Queue(8),
    "LifoQueue": lambda: tkq.LifoQueue(8),
    "PriorityQueue": lambda: tkq.PriorityQueue(8),
    "SimpleQueue": tkq.SimpleQueue,
}


@pytest.mark.parametrize("kind", QUEUES)
def test_queue_every_item_received_exactly_once(kind: str) -> None:
    q = QUEUES[kind]()
    produced: list[int] = []
    received: list[int] = []
    stop = time.monotonic() + SECONDS
    give_up = stop + 20

    def producer(index: int) -> None:
        rng = random.Random(index)
        n = 0
        while time.monotonic() < stop:
            item = index * 1_000_000 + n
            try:
                q.put(item, timeout=_timeout(rng))
            except queue.Full:
                continue
            produced.append(item)
            n += 1

    def consumer(index: int) -> None:
        rng = random.Random(-index)
        while time.monotonic() < give_up:
            try:
                item = q.get(timeout=_timeout(rng))
            except queue.Empty:
                continue  # until the sentinel comes
            if item < 0:
                return
            received.append(item)

    producers = [threading.Thread(target=producer, args=(i,)) for i in range(THREADS // 2)]
    consumers = [threading.Thread(target=consumer, args=(i,)) for i in range(THREADS // 2)]
    for thread in producers + consumers:
        thread.start()
    for thread in producers:
        thread.join(30)
    # The sentinels go in only once the consumers have drained every item: a LifoQueue would
    # hand a sentinel out before the items under it, a PriorityQueue (-1 sorts first) too.
    drained_by = time.monotonic() + 20
    while not q.empty() and time.monotonic() < drained_by:
        time.sleep(0.001)
    for _ in consumers:
        q.put(-1, timeout=10)
    for thread in consumers:
        thread.join(30)
    assert not [thread for thread in producers + consumers if thread.is_alive()]
    assert Counter(received) == Counter(produced)
    assert len(set(produced)) == len(produced) > 0
    assert q.empty()


def test_queue_join_with_task_done() -> None:
    q = tkq.Queue(4)
    done = [0]

    def worker() -> None:
        while (item := q.get(timeout=20)) is not None:
            done[0] += item
            q.task_done()
        q.task_done()

    workers = [threading.Thread(target=worker) for _ in range(THREADS // 2)]
    for thread in workers:
        thread.start()
    stop = time.monotonic() + SECONDS
    total = 0
    while time.monotonic() < stop:
        q.put(1, timeout=10)
        total += 1
        if total % 100 == 0:
            q.join()
            assert done[0] == total
    q.join()
    for _ in workers:
        q.put(None)
    for thread in workers:
        thread.join(30)
    assert done[0] == total and q.unfinished_tasks == 0


def test_barrier_generations_are_consistent() -> None:
    parties = THREADS
    generation = [0]
    barrier = tk.Barrier(parties, action=lambda: generation.__setitem__(0, generation[0] + 1))
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()

    def body(rng: random.Random, _: int) -> None:
        index = barrier.wait(rng.uniform(10, 20))
        # Every party is past this generation's action and none can run the next one before
        # this thread waits again: the counter names this thread's generation.
        with lock:
            seen.append((generation[0], index))

    # Every thread runs the same number of rounds, so none is left waiting at the end.
    rounds = 40

    def run(index: int) -> None:
        rng = random.Random(index)
        for _ in range(rounds):
            body(rng, index)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(parties)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert not [worker for worker in workers if worker.is_alive()]
    by_generation: dict[int, list[int]] = {}
    for gen, index in seen:
        by_generation.setdefault(gen, []).append(index)
    assert sorted(by_generation) == list(range(1, rounds + 1))
    for indexes in by_generation.values():
        assert sorted(indexes) == list(range(parties))
    assert not barrier.broken and barrier.n_waiting == 0


def test_barrier_timeouts_break_and_reset() -> None:
    """Random short timeouts break the barrier; every wait then fails with the stdlib's
    exception until a reset, and the barrier is consistent afterwards."""
    barrier = tk.Barrier(4)
    outcomes: Counter[str] = Counter()

    def body(rng: random.Random, _: int) -> None:
        try:
            barrier.wait(_timeout(rng))  # 0 at times: a lone arrival breaks it
            outcomes["passed"] += 1
        except threading.BrokenBarrierError:
            outcomes["broken"] += 1
            if rng.random() < 0.1:
                barrier.reset()

    _hammer(body, threads=8)
    barrier.reset()
    assert outcomes["broken"] > 0
    assert not barrier.broken
    results: list[int] = []
    waiters = [threading.Thread(target=lambda: results.append(barrier.wait(10))) for _ in range(4)]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join(30)
    assert sorted(results) == [0, 1, 2, 3]


def test_condition_never_loses_a_notify() -> None:
    """Tokens passed through a Condition: each produced token notifies one waiter; half the
    consumers wait without a timeout, so a lost notify leaves one stuck. A wait returns True only
    when a notify chose it."""
    condition = tk.Condition()
    tokens = [0]
    per_consumer = 200
    consumers = THREADS // 2
    notified = [0]
    woken = [0]

    def consume(index: int) -> None:
        rng = random.Random(index)
        for _ in range(per_consumer):
            with condition:
                while tokens[0] == 0:
                    timeout = None if index % 2 else _timeout(rng) + 0.001
                    if condition.wait(timeout):
                        woken[0] += 1
                tokens[0] -= 1

    def produce(index: int) -> None:
        rng = random.Random(-index)
        for _ in range(per_consumer):
            with condition:
                tokens[0] += 1
                condition.notify()
                notified[0] += 1
            if rng.random() < 0.1:
                time.sleep(0)

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(consumers)]
    threads += [threading.Thread(target=produce, args=(i,)) for i in range(consumers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not [thread for thread in threads if thread.is_alive()], "a waiter missed a notify"
    assert tokens[0] == 0
    assert woken[0] <= notified[0]


def test_event_set_clear_wait() -> None:
    """Waiters see every set that lasts: after the final set every wait returns True at once."""
    event = tk.Event()

    def body(rng: random.Random, index: int) -> None:
        if index % 4 == 0:
            event.set() if rng.random() < 0.5 else event.clear()
        else:
            result = event.wait(_timeout(rng))
            assert isinstance(result, bool)

    _hammer(body)
    event.set()
    results: list[bool] = []
    waiters = [threading.Thread(target=lambda: results.append(event.wait(10))) for _ in range(8)]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join(30)
    assert results == [True] * 8
