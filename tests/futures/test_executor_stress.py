"""Stress: 32 threads hammer threadkit's thread pools with every operation, at random timeouts.

Each scenario hammers for a bounded time, then shuts the pools down with ``cancel_futures=True``
and checks what must hold whatever the interleaving: every call ran at most once, and exactly
once unless its future was cancelled; every future ended done; every done-callback ran exactly
once; ``wait`` partitioned its futures truthfully; ``as_completed`` yielded each future at most
once; nothing was logged; no thread was left behind. Some ``wait``/``as_completed`` calls mix in
stdlib futures (threadkit then runs the stdlib's algorithm over both kinds).
"""

import concurrent.futures as std
import functools
import itertools
import random
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers.captured_log import Records
from threadkit import futures as tk

pytestmark = pytest.mark.timeout(30)

THREADS = 32
DURATION = 1.5  # seconds of hammering per scenario
JOIN = 20.0  # a bound on every join: a deadlock fails the test instead of hanging it
RETURN_WHEN = (tk.FIRST_COMPLETED, tk.FIRST_EXCEPTION, tk.ALL_COMPLETED)
SEED = 20261201


class Ledger:
    """What happened, written by the calls, the callbacks and the hammers under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._keys = itertools.count()
        self.futures: dict[int, tk.Future] = {}  # call key -> the future submit returned
        self.runs: Counter[int] = Counter()  # call key -> times the call ran
        self.recent: deque[tuple[int, tk.Future]] = deque(maxlen=256)
        self.registered: set[int] = set()  # done-callback tokens
        self.called: Counter[int] = Counter()  # token -> times that callback ran
        self.mapped: Counter[int] = Counter()  # map item key -> times its call ran
        self.map_items: set[int] = set()
        self.map_consumed: set[int] = set()  # items whose result map yielded
        self.broken: list[str] = []  # what went wrong, as text

    def key(self) -> int:
        with self.lock:
            return next(self._keys)

    def fail(self, what: str) -> None:
        with self.lock:
            self.broken.append(what)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.fail(what)

    def sample(self, rng: random.Random, k: int) -> list[tuple[int, tk.Future]]:
        """``k`` recent futures of any hammer, duplicates possible."""
        with self.lock:
            recent = list(self.recent)
        return [rng.choice(recent) for _ in range(k)] if recent else []


def _call(ledger: Ledger, key: int, fail: bool, delay: float) -> int:
    with ledger.lock:
        ledger.runs[key] += 1
    if delay:
        time.sleep(delay)
    if fail:
        raise ValueError(key)
    return key


def _mapped(ledger: Ledger, key: int) -> int:
    with ledger.lock:
        ledger.mapped[key] += 1
    return 2 * key


def _add_callback(
    ledger: Ledger, future: std.Future[Any], then: Callable[[std.Future[Any]], None] | None = None
) -> None:
    """A counted done-callback (that may then do more)."""
    token = ledger.key()
    with ledger.lock:
        ledger.registered.add(token)

    def callback(done: std.Future[Any]) -> None:
        with ledger.lock:
            ledger.called[token] += 1
        ledger.check(done is future and done.done(), f"callback {token} ran on a future not done")
        if then is not None:
            then(done)

    future.add_done_callback(callback)


class Hammer:
    """One of the threads: random operations on the pools until the deadline."""

    def __init__(
        self,
        ledger: Ledger,
        pools: list[tk.ThreadPoolExecutor],
        seed: int,
        deadline: float,
        *,
        shutdown_midway: bool,
    ) -> None:
        self.ledger, self.pools, self.deadline = ledger, pools, deadline
        self.rng = random.Random(seed)
        # Once a pool may be shut down under us, a cancelled future may never be notified, and
        # an unbounded wait on it would never return (the stdlib's too): finite timeouts only.
        self.shutdown_midway = shutdown_midway
        self.ops: list[Callable[[], None]] = [
            self.submit,
            self.submit,
            self.submit,
            self.result,
            self.exception,
            self.cancel,
            self.add_callback,
            self.wait,
            self.wait,
            self.as_completed,
            self.map,
        ]

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                self.rng.choice(self.ops)()
        except BaseException:
            self.ledger.fail(traceback.format_exc())

    def timeout(self, unbounded: bool = True) -> float | None:
        choices: list[float | None] = [0, 0.0005, 0.002, 0.01, 0.05, -1]
        if unbounded and not self.shutdown_midway:
            choices.append(None)
        return self.rng.choice(choices)

    def _shut_down(self, error: RuntimeError) -> bool:
        """Whether ``error`` is the refusal of a pool that was shut down, as allowed here."""
        return self.shutdown_midway and "after shutdown" in str(error)

    def submit(self) -> None:
        ledger, rng = self.ledger, self.rng
        pool = rng.choice(self.pools)
        for _ in range(rng.randint(1, 4)):
            key = ledger.key()
            fail = rng.random() < 0.2
            delay = rng.choice((0.0, 0.0, 0.0, 0.0005, 0.002))
            try:
                future = pool.submit(_call, ledger, key, fail, delay)
            except RuntimeError as error:
                if self._shut_down(error):
                    return
                raise
            with ledger.lock:
                ledger.futures[key] = future
                ledger.recent.append((key, future))
            _add_callback(ledger, future)

    def _one(self) -> tuple[int, tk.Future] | None:
        picked = self.ledger.sample(self.rng, 1)
        return picked[0] if picked else None

    def result(self) -> None:
        if (picked := self._one()) is None:
            return
        key, future = picked
        try:
            value = future.result(timeout=self.timeout())
        except ValueError as error:
            self.ledger.check(error.args == (key,), f"{key} raised {error!r}")
        except std.CancelledError:
            self.ledger.check(future.cancelled(), f"{key}: CancelledError, not cancelled")
        except TimeoutError:
            pass
        else:
            self.ledger.check(value == key, f"{key} returned {value!r}")

    def exception(self) -> None:
        if (picked := self._one()) is None:
            return
        key, future = picked
        try:
            error = future.exception(timeout=self.timeout())
        except std.CancelledError:
            self.ledger.check(future.cancelled(), f"{key}: CancelledError, not cancelled")
        except TimeoutError:
            pass
        else:
            if error is None:
                self.ledger.check(future.result(timeout=0) == key, f"{key}: wrong result")
            else:
                self.ledger.check(
                    isinstance(error, ValueError) and error.args == (key,),
                    f"{key} failed with {error!r}",
                )

    def cancel(self) -> None:
        if (picked := self._one()) is None:
            return
        key, future = picked
        if future.cancel():
            self.ledger.check(future.cancelled() and future.done(), f"{key}: cancel() lied")

    def add_callback(self) -> None:
        if (picked := self._one()) is not None:
            _add_callback(self.ledger, picked[1])

    def _futures(self) -> list[std.Future[Any]]:
        """Some recent futures, duplicates possible; sometimes with stdlib futures among them,
        each completed by a done-callback of one of threadkit's."""
        fs: list[std.Future[Any]] = [
            future for _, future in self.ledger.sample(self.rng, self.rng.randint(1, 8))
        ]
        if fs and self.rng.random() < 0.3:
            for source in self.rng.sample(fs, self.rng.randint(1, len(fs))):
                shadow: std.Future[Any] = std.Future()
                _add_callback(self.ledger, source, functools.partial(_complete, shadow))
                fs.append(shadow)
        return fs

    def wait(self) -> None:
        fs = self._futures()
        if not fs:
            return
        return_when = self.rng.choice(RETURN_WHEN)
        timeout = self.timeout()
        done, not_done = tk.wait(fs, timeout=timeout, return_when=return_when)
        check = self.ledger.check
        check(done | not_done == set(fs), "wait: done + not_done is not the futures given")
        check(not done & not_done, "wait: a future both done and not done")
        check(all(future.done() for future in done), "wait: a future in done is not done")
        if timeout is None:
            if return_when == tk.ALL_COMPLETED:
                check(not not_done, "wait(ALL_COMPLETED) without a timeout left some not done")
            elif return_when == tk.FIRST_COMPLETED:
                check(bool(done), "wait(FIRST_COMPLETED) without a timeout: none done")
            else:
                check(
                    not not_done or any(_failed(future) for future in done),
                    "wait(FIRST_EXCEPTION) without a timeout: returned before any failure",
                )

    def as_completed(self) -> None:
        fs = self._futures()
        if not fs:
            return
        timeout = self.timeout()
        stop_early = self.rng.random() < 0.1
        yielded: list[std.Future[Any]] = []
        completed = tk.as_completed(fs, timeout=timeout)
        timed_out = False
        try:
            for future in completed:
                yielded.append(future)
                self.ledger.check(future.done(), "as_completed yielded a future not done")
                if stop_early:
                    break
        except TimeoutError:
            timed_out = True
        finally:
            completed.close()
        check = self.ledger.check
        check(len(yielded) == len(set(yielded)), "as_completed yielded a future twice")
        check(set(yielded) <= set(fs), "as_completed yielded a future it was not given")
        if timeout is None and not stop_early:
            check(not timed_out and set(yielded) == set(fs), "as_completed missed a future")

    def map(self) -> None:
        ledger, rng = self.ledger, self.rng
        pool = rng.choice(self.pools)
        keys = [ledger.key() for _ in range(rng.randint(0, 12))]
        with ledger.lock:
            ledger.map_items.update(keys)
        timeout = self.timeout(unbounded=True)
        stop_early = rng.random() < 0.2
        results: list[int] = []
        try:
            mapped = pool.map(
                functools.partial(_mapped, ledger),
                keys,
                timeout=timeout,
                buffersize=rng.choice((None, 1, 2, 4)),
            )
        except RuntimeError as error:
            if self._shut_down(error):
                return
            raise
        try:
            for value in mapped:
                results.append(value)
                if stop_early and rng.random() < 0.5:
                    break
        except (TimeoutError, std.CancelledError):
            pass  # cancelled: by a shutdown midway (cancel_futures)
        except RuntimeError as error:  # a lazy submit (buffersize) after a shutdown midway
            if not self._shut_down(error):
                raise
        finally:
            mapped.close()
        consumed = keys[: len(results)]
        ledger.check(results == [2 * key for key in consumed], f"map yielded {results}")
        with ledger.lock:
            ledger.map_consumed.update(consumed)


def _complete(shadow: std.Future[Any], source: std.Future[Any]) -> None:
    """Completes a stdlib future as ``source`` ended (a cancelled source: a plain result)."""
    if _failed(source):
        shadow.set_exception(ValueError("shadow"))
    else:
        shadow.set_result(None)


def _failed(future: std.Future[Any]) -> bool:
    return not future.cancelled() and future.exception(timeout=0) is not None


def _hammer(
    pools: list[tk.ThreadPoolExecutor], *, shutdown_midway: bool, seed: int
) -> tuple[Ledger, int]:
    """Runs the hammers for ``DURATION``, then shuts every pool down with cancel_futures=True;
    returns the ledger and how many threads are still alive."""
    ledger = Ledger()
    deadline = time.monotonic() + DURATION
    hammers = [
        threading.Thread(
            target=Hammer(ledger, pools, seed + n, deadline, shutdown_midway=shutdown_midway).run,
            name=f"hammer-{n}",
        )
        for n in range(THREADS)
    ]
    for thread in hammers:
        thread.start()
    if shutdown_midway:
        time.sleep(DURATION / 2)
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
    for thread in hammers:
        thread.join(JOIN)
    alive = [thread.name for thread in hammers if thread.is_alive()]
    assert not alive, f"hammers still running (deadlock?): {alive}"
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)
    return ledger, threading.active_count()


def _check(ledger: Ledger, log: Records) -> None:
    assert not ledger.broken, "\n".join(ledger.broken[:10])
    assert ledger.futures, "nothing was submitted"
    for key, future in ledger.futures.items():
        assert future.done(), f"{key} is not done after shutdown: {future!r}"
        if future.cancelled():
            assert ledger.runs[key] == 0, f"{key} was cancelled but ran"
        else:
            assert ledger.runs[key] == 1, f"{key} ran {ledger.runs[key]} times"
            error = future.exception(timeout=0)
            assert (error.args == (key,)) if error else future.result(timeout=0) == key
    assert set(ledger.runs) <= set(ledger.futures), "a call ran that no future was returned for"
    assert ledger.registered, "no callback was registered"
    wrong = {
        token: ledger.called[token] for token in ledger.registered if ledger.called[token] != 1
    }
    assert not wrong, f"callbacks that did not run exactly once: {wrong}"
    assert set(ledger.called) <= ledger.registered
    assert all(ledger.mapped[key] <= 1 for key in ledger.map_items), "a map item ran twice"
    assert all(ledger.mapped[key] == 1 for key in ledger.map_consumed)
    assert set(ledger.mapped) <= ledger.map_items
    assert [record.getMessage() for record in log.records] == []


def _pool_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("stress")]


def test_one_pool(futures_log: Records) -> None:
    baseline = threading.active_count()
    pool = tk.ThreadPoolExecutor(4, thread_name_prefix="stress-one")
    ledger, threads = _hammer([pool], shutdown_midway=False, seed=SEED)
    _check(ledger, futures_log)
    assert _pool_threads() == []
    assert threads == baseline


def test_several_pools(futures_log: Records) -> None:
    baseline = threading.active_count()
    pools = [
        tk.ThreadPoolExecutor(workers, thread_name_prefix=f"stress-{workers}")
        for workers in (1, 3, 8)
    ]
    ledger, threads = _hammer(pools, shutdown_midway=False, seed=SEED + 100)
    _check(ledger, futures_log)
    assert _pool_threads() == []
    assert threads == baseline


def test_shutdown_cancel_futures_while_hammering(futures_log: Records) -> None:
    baseline = threading.active_count()
    pools = [tk.ThreadPoolExecutor(workers, thread_name_prefix="stress-shut") for workers in (2, 4)]
    ledger, threads = _hammer(pools, shutdown_midway=True, seed=SEED + 200)
    _check(ledger, futures_log)
    for pool in pools:
        with pytest.raises(RuntimeError, match="cannot schedule new futures after shutdown"):
            pool.submit(int)
    assert _pool_threads() == []
    assert threads == baseline
