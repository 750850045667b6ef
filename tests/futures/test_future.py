"""threadkit.futures.Future, wait and as_completed: what CPython's suite does not cover."""

import concurrent.futures as std
import gc
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from differential import outcome
from threadkit import _native
from threadkit import futures as tk


def test_module_exports_the_stdlibs_names() -> None:
    assert tk.__all__ == list(std.__all__)
    for name in tk.__all__:
        if name not in tk._NATIVE:
            assert getattr(tk, name) is getattr(std, name), name
    for name in tk._NATIVE:
        assert getattr(tk, name) is not getattr(std, name), name


def test_futures_and_executors_are_the_stdlibs_classes_too() -> None:
    future = tk.Future()
    assert isinstance(future, std.Future)
    assert isinstance(future, _native.futures.Future)
    with tk.ThreadPoolExecutor(1) as pool:
        assert isinstance(pool, std.ThreadPoolExecutor)
        assert isinstance(pool, std.Executor)
        assert isinstance(pool.submit(int), tk.Future)


@pytest.fixture
def pool() -> Iterator[tk.ThreadPoolExecutor]:
    with tk.ThreadPoolExecutor(4) as pool:
        yield pool


def test_stdlib_wait_and_as_completed_accept_threadkit_futures(
    pool: tk.ThreadPoolExecutor,
) -> None:
    gate = threading.Event()
    fs = [pool.submit(gate.wait) for _ in range(3)]
    done, not_done = std.wait(fs, timeout=0.05)
    assert (done, not_done) == (set(), set(fs))
    gate.set()
    assert std.wait(fs, timeout=10).done == set(fs)
    assert set(std.as_completed(fs, timeout=10)) == set(fs)


def test_threadkit_wait_and_as_completed_accept_mixed_lists(pool: tk.ThreadPoolExecutor) -> None:
    gate = threading.Event()
    mine = pool.submit(gate.wait)
    theirs: std.Future[int] = std.Future()
    threading.Timer(0.05, lambda: (theirs.set_result(1), gate.set())).start()
    done, not_done = tk.wait([mine, theirs], timeout=10)
    assert (done, not_done) == ({mine, theirs}, set())
    assert set(tk.as_completed([mine, theirs], timeout=10)) == {mine, theirs}


def test_first_exception_and_first_completed(pool: tk.ThreadPoolExecutor) -> None:
    gate = threading.Event()
    slow = pool.submit(gate.wait, 10)
    failing = pool.submit(lambda: 1 / 0)
    done, not_done = tk.wait([slow, failing], timeout=10, return_when=tk.FIRST_EXCEPTION)
    assert (done, not_done) == ({failing}, {slow})
    done, not_done = tk.wait([slow, failing], timeout=10, return_when=tk.FIRST_COMPLETED)
    assert (done, not_done) == ({failing}, {slow})
    gate.set()


def test_as_completed_timeout_names_what_is_left(pool: tk.ThreadPoolExecutor) -> None:
    gate = threading.Event()
    fs = [pool.submit(gate.wait) for _ in range(2)] + [pool.submit(int)]
    fs[2].result(timeout=10)
    iterator = tk.as_completed(fs, timeout=0.05)
    assert next(iterator) is fs[2]
    with pytest.raises(TimeoutError, match=r"^2 \(of 3\) futures unfinished$"):
        next(iterator)
    gate.set()


def test_exception_and_traceback_reach_result(pool: tk.ThreadPoolExecutor) -> None:
    def deep() -> None:
        raise KeyError("missing")

    future = pool.submit(deep)
    with pytest.raises(KeyError, match="missing") as raised:
        future.result(timeout=10)
    assert "deep" in [frame.name for frame in raised.traceback]
    error = future.exception(timeout=10)
    assert isinstance(error, KeyError)
    assert error.__traceback__ is not None


def test_base_exceptions_in_tasks_are_captured(pool: tk.ThreadPoolExecutor) -> None:
    def stop() -> None:
        raise SystemExit(3)

    future = pool.submit(stop)
    assert isinstance(future.exception(timeout=10), SystemExit)
    assert pool.submit(int).result(timeout=10) == 0, "the worker survived"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def futures_log() -> Iterator[_Records]:
    handler = _Records()
    logger = logging.getLogger("concurrent.futures")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_a_raising_callback_is_logged_and_the_others_still_run(futures_log: _Records) -> None:
    ran: list[str] = []

    def raising(_: object) -> None:
        ran.append("raising")
        raise ValueError("callback failed")

    future = tk.Future()
    future.add_done_callback(raising)
    future.add_done_callback(lambda _: ran.append("second"))
    future.set_result(1)
    assert ran == ["raising", "second"]
    [record] = futures_log.records
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith("exception calling callback for <Future at 0x")
    assert record.exc_info is not None and isinstance(record.exc_info[1], ValueError)


def test_callbacks_run_in_order_in_the_completing_thread(pool: tk.ThreadPoolExecutor) -> None:
    seen: list[tuple[int, str]] = []
    gate = threading.Event()
    future = pool.submit(gate.wait)
    for n in range(5):
        future.add_done_callback(lambda _, n=n: seen.append((n, threading.current_thread().name)))
    gate.set()
    future.result(timeout=10)
    deadline = time.monotonic() + 10
    while len(seen) < 5 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert [n for n, _ in seen] == list(range(5))
    assert all(name.startswith("ThreadPoolExecutor-") for _, name in seen)


class _Holder:
    """A callback that holds a reference (here: to the future it is registered on)."""

    def __init__(self, held: object) -> None:
        self.held = held

    def __call__(self, _: object) -> None:
        pass


def test_a_future_whose_callback_references_it_is_collected() -> None:
    future = tk.Future()
    future.add_done_callback(_Holder(future))
    collected = threading.Event()
    weakref.finalize(future, collected.set)
    future.set_result(None)
    del future
    gc.collect()
    assert collected.is_set()


def test_results_are_not_kept_alive_after_the_future_goes(pool: tk.ThreadPoolExecutor) -> None:
    class Payload:
        pass

    future = pool.submit(Payload)
    ref = weakref.ref(future.result(timeout=10))
    del future
    gc.collect()
    assert ref() is None


def _bad_calls() -> dict[str, Callable[[Any], Callable[[], object]]]:
    """Each bad call, given a module (the stdlib's or threadkit's)."""

    def finished(module: Any) -> Any:
        future = module.Future()
        future.set_result(1)
        return future

    def running(module: Any) -> Any:
        future = module.Future()
        future.set_running_or_notify_cancel()
        return future

    return {
        "result timeout str": lambda m: lambda: m.Future().result(timeout="1"),
        "result timeout negative": lambda m: lambda: m.Future().result(timeout=-1),
        "exception timeout str": lambda m: lambda: m.Future().exception(timeout="1"),
        "set_result twice": lambda m: lambda: finished(m).set_result(2) and None,
        "set_exception finished": lambda m: lambda: finished(m).set_exception(OSError()),
        "running twice": lambda m: lambda: running(m).set_running_or_notify_cancel(),
        "wait bad return_when": lambda m: lambda: m.wait([m.Future()], 0, "SOMETIMES"),
        "wait timeout str": lambda m: lambda: m.wait([m.Future()], "1"),
        "as_completed timeout str": lambda m: (
            lambda: next(iter(m.as_completed([m.Future()], timeout="1")))
        ),
        "as_completed not iterable": lambda m: lambda: next(m.as_completed(3)),
        "wait not iterable": lambda m: lambda: m.wait(3),
        "max_workers 0": lambda m: lambda: m.ThreadPoolExecutor(0),
        "max_workers -1": lambda m: lambda: m.ThreadPoolExecutor(max_workers=-1),
        "max_workers str": lambda m: lambda: m.ThreadPoolExecutor("2"),
        "initializer not callable": lambda m: lambda: m.ThreadPoolExecutor(1, initializer=3),
        "submit no fn": lambda m: lambda: m.ThreadPoolExecutor(1).submit(),
        "submit fn as keyword": lambda m: lambda: m.ThreadPoolExecutor(1).submit(fn=int),
        "submit after shutdown": lambda m: lambda: _shut(m.ThreadPoolExecutor(1)).submit(int),
        "map not iterable": lambda m: lambda: m.ThreadPoolExecutor(1).map(int, 3),
    }


def _shut(pool: Any) -> Any:
    pool.shutdown()
    return pool


def _normalized(result: tuple[Any, Any]) -> tuple[Any, Any]:
    kind, detail = result
    if isinstance(detail, str):
        detail = detail.replace("threadkit.futures.", "").replace("concurrent.futures._base.", "")
        # Reprs hold addresses.
        detail = detail.split(" at 0x")[0]
    return kind, detail


@pytest.mark.parametrize("name", sorted(_bad_calls()))
def test_bad_call_like_stdlib(name: str) -> None:
    call = _bad_calls()[name]
    assert _normalized(outcome(call(tk))) == _normalized(outcome(call(std)))
