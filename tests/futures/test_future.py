"""threadkit.futures.Future, wait and as_completed: what CPython's suite does not cover."""

import concurrent.futures as std
import gc
import logging
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers.captured_log import Records
from tests.helpers.differential import outcome, outcome_type
from threadkit import _native, futures as tk


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

    def finish_once_waited_for() -> None:
        deadline = time.monotonic() + 10  # the stdlib's algorithm registers a waiter
        while not theirs._waiters and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.001)
        theirs.set_result(1)
        gate.set()

    finisher = threading.Thread(target=finish_once_waited_for)
    finisher.start()
    done, not_done = tk.wait([mine, theirs], timeout=10)
    finisher.join(timeout=10)
    assert (done, not_done) == ({mine, theirs}, set())
    assert set(tk.as_completed([mine, theirs], timeout=10)) == {mine, theirs}


def test_a_stdlib_waiter_that_saw_a_future_done_is_not_told_again() -> None:
    """A completion tells ``_waiters`` after the core state changed; in between, the stdlib's
    ``as_completed`` may see the future done (under ``_condition``) and install its waiter."""
    first, second = tk.Future(), tk.Future()
    other: std.Future[int] = std.Future()
    with first._condition, second._condition:  # each completion's notification waits here
        setters = [threading.Thread(target=f.set_result, args=(1,)) for f in (first, second)]
        for setter in setters:
            setter.start()
        deadline = time.monotonic() + 10
        while not (first.done() and second.done()) and time.monotonic() < deadline:
            time.sleep(0.001)
        completed = std.as_completed([first, second, other], timeout=10)
        # Yielding a future that was done at the start unregisters from it; the other one still
        # has the waiter when its notification comes.
        yielded = [next(completed)]
    for setter in setters:
        setter.join(10)
    other.set_result(2)
    yielded += list(completed)  # was: KeyError, a future reported done a second time
    assert yielded[2:] == [other]
    assert set(yielded) == {first, second, other}


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


def test_a_raising_callback_is_logged_and_the_others_still_run(futures_log: Records) -> None:
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


# A bad call, given a module (the stdlib's or threadkit's) and `keep`, which registers each future
# or executor the call made (and returns it), so the test can check it still works afterwards.
_Keep = Callable[[Any], Any]
_BadCall = Callable[[Any, _Keep], object]


def _finished(module: Any, keep: _Keep) -> Any:
    future = keep(module.Future())
    future.set_result(1)
    return future


def _running(module: Any, keep: _Keep) -> Any:
    future = keep(module.Future())
    future.set_running_or_notify_cancel()
    return future


def _shut(pool: Any) -> Any:
    pool.shutdown()
    return pool


def _drained(iterator: Iterator[Any], fs: list[Any]) -> list[object]:
    """The positions in ``fs`` of what an ``as_completed`` iterator yields, then how it ended."""
    seen: list[object] = []
    try:
        for future in iterator:
            seen.append(fs.index(future))
    except Exception as error:
        seen.append((type(error), str(error)))
    return seen


def _callback_not_callable(module: Any, keep: _Keep, done: bool) -> object:
    """The stdlib takes anything; it fails, and logs, only when it calls it."""
    future = _finished(module, keep) if done else keep(module.Future())
    future.add_done_callback(3)
    if not done:
        future.set_result(1)
    return future.result(timeout=0)


def _shutdown_cancel(module: Any, keep: _Keep, cancel_futures: object) -> object:
    """``shutdown(cancel_futures=...)`` with one call running and one queued: was it cancelled?"""
    pool = keep(module.ThreadPoolExecutor(1))
    started, gate = threading.Event(), threading.Event()
    running = keep(pool.submit(lambda: (started.set(), gate.wait(10))[1]))
    assert started.wait(10)
    queued = keep(pool.submit(int))
    try:
        pool.shutdown(wait=False, cancel_futures=cancel_futures)
    finally:
        gate.set()
    return queued.cancelled(), running.result(timeout=10)


def _worker_name(module: Any, keep: _Keep, prefix: object) -> str:
    pool = keep(module.ThreadPoolExecutor(1, thread_name_prefix=prefix))
    name: str = pool.submit(lambda: threading.current_thread().name).result(timeout=10)
    return re.sub(r"^ThreadPoolExecutor-\d+", "ThreadPoolExecutor-N", name)


def _initializer_saw(module: Any, keep: _Keep, initargs: object) -> object:
    seen: list[tuple[object, ...]] = []
    pool = keep(
        module.ThreadPoolExecutor(1, initializer=lambda *a: seen.append(a), initargs=initargs)
    )
    future = keep(pool.submit(int))
    error = future.exception(timeout=10)
    return seen, type(error), str(error)


def _completed_later(module: Any, keep: _Keep, wait: Callable[[Any], object]) -> object:
    """``wait(future)`` while another thread finishes it 50 ms later."""
    future = keep(module.Future())
    timer = threading.Timer(0.05, future.set_result, (2,))
    timer.start()
    try:
        return wait(future)
    finally:
        timer.join(10)


_NAN = float("nan")
# Beyond the clock (CPython's lock rejects it) but only when a call has to wait with it.
_HUGE = 1e300


def _bad_calls() -> dict[str, _BadCall]:
    """Each bad call (``m``: the module, ``k``: keep)."""
    return {
        "result timeout str": lambda m, k: k(m.Future()).result(timeout="1"),
        "result timeout negative": lambda m, k: k(m.Future()).result(timeout=-1),
        "result timeout nan": lambda m, k: k(m.Future()).result(timeout=_NAN),
        "result timeout nan finished": lambda m, k: _finished(m, k).result(timeout=_NAN),
        "result timeout huge": lambda m, k: k(m.Future()).result(timeout=_HUGE),
        "result timeout huge finished": lambda m, k: _finished(m, k).result(timeout=_HUGE),
        "result timeout inf": lambda m, k: k(m.Future()).result(timeout=float("inf")),
        "result timeout TIMEOUT_MAX": lambda m, k: _completed_later(
            m, k, lambda f: f.result(timeout=threading.TIMEOUT_MAX)
        ),
        "exception timeout str": lambda m, k: k(m.Future()).exception(timeout="1"),
        "exception timeout nan": lambda m, k: k(m.Future()).exception(timeout=_NAN),
        "exception timeout huge": lambda m, k: k(m.Future()).exception(timeout=_HUGE),
        "set_result twice": lambda m, k: _finished(m, k).set_result(2) and None,
        "set_exception finished": lambda m, k: _finished(m, k).set_exception(OSError()),
        "set_exception not an exception": lambda m, k: (
            lambda f: (f.set_exception(3), f.exception(timeout=0))[1]
        )(k(m.Future())),
        "running twice": lambda m, k: _running(m, k).set_running_or_notify_cancel(),
        "Future positional argument": lambda m, k: k(m.Future(1)),
        "Future two positional arguments": lambda m, k: k(m.Future(1, 2)),
        "Future keyword argument": lambda m, k: k(m.Future(loop=None)),
        "Future both kinds of argument": lambda m, k: k(m.Future(1, x=2)),
        "add_done_callback not callable": lambda m, k: _callback_not_callable(m, k, False),
        "add_done_callback not callable, finished": lambda m, k: _callback_not_callable(m, k, True),
        "wait bad return_when": lambda m, k: m.wait([k(m.Future())], 0, "SOMETIMES"),
        "wait return_when None": lambda m, k: m.wait([k(m.Future())], 0, return_when=None),
        "wait return_when None, all done": lambda m, k: (
            m.wait([_finished(m, k)], 0, return_when=None).done == {k(None)}
        ),
        "wait timeout str": lambda m, k: m.wait([k(m.Future())], "1"),
        "wait timeout str, all done": lambda m, k: len(m.wait([_finished(m, k)], "1").done),
        "wait timeout str, first completed": lambda m, k: len(
            m.wait([_finished(m, k), k(m.Future())], "1", m.FIRST_COMPLETED).not_done
        ),
        "wait timeout nan": lambda m, k: len(m.wait([k(m.Future())], _NAN).not_done),
        "wait timeout huge": lambda m, k: m.wait([k(m.Future())], _HUGE),
        "wait timeout huge, all done": lambda m, k: len(m.wait([_finished(m, k)], _HUGE).done),
        "wait timeout TIMEOUT_MAX": lambda m, k: _completed_later(
            m, k, lambda f: len(m.wait([f], threading.TIMEOUT_MAX).done)
        ),
        "wait not iterable": lambda m, k: m.wait(3),
        "as_completed timeout str": lambda m, k: next(
            iter(m.as_completed([k(m.Future())], timeout="1"))
        ),
        "as_completed timeout 0": lambda m, k: (
            lambda fs: _drained(m.as_completed(fs, timeout=0), fs)
        )([_finished(m, k), k(m.Future())]),
        "as_completed timeout -1": lambda m, k: (
            lambda fs: _drained(m.as_completed(fs, timeout=-1), fs)
        )([k(m.Future()), _finished(m, k)]),
        "as_completed timeout -0.5, all done": lambda m, k: (
            lambda fs: _drained(m.as_completed(fs, timeout=-0.5), fs)
        )([_finished(m, k)]),
        "as_completed timeout huge": lambda m, k: (
            lambda fs: _drained(m.as_completed(fs, timeout=_HUGE), fs)
        )([_finished(m, k), k(m.Future())]),
        "as_completed timeout huge, all done": lambda m, k: (
            lambda fs: _drained(m.as_completed(fs, timeout=_HUGE), fs)
        )([_finished(m, k)]),
        # No "as_completed timeout nan": with a pending future the stdlib spins forever (`nan <
        # 0` is false and `Event.wait(nan)` does not block); threadkit raises TimeoutError.
        "as_completed not iterable": lambda m, k: next(m.as_completed(3)),
        "max_workers 0": lambda m, k: m.ThreadPoolExecutor(0),
        "max_workers -1": lambda m, k: m.ThreadPoolExecutor(max_workers=-1),
        "max_workers str": lambda m, k: m.ThreadPoolExecutor("2"),
        "initializer not callable": lambda m, k: m.ThreadPoolExecutor(1, initializer=3),
        "max_workers 0, initializer not callable": lambda m, k: m.ThreadPoolExecutor(
            0, initializer=3
        ),
        "max_workers -0.5": lambda m, k: m.ThreadPoolExecutor(-0.5),
        "submit before __init__": lambda m, k: (
            lambda pool: outcome_type(lambda: pool.submit(int))
        )(m.ThreadPoolExecutor.__new__(m.ThreadPoolExecutor)),
        "initargs a list": lambda m, k: _initializer_saw(m, k, [1, 2]),
        "initargs a str": lambda m, k: _initializer_saw(m, k, "ab"),
        "initargs not iterable": lambda m, k: _initializer_saw(m, k, 3),
        "initargs not iterable, no initializer": lambda m, k: (
            k(m.ThreadPoolExecutor(1, initargs=3)).submit(pow, 2, 3).result(timeout=10)
        ),
        "thread_name_prefix int": lambda m, k: _worker_name(m, k, 3),
        "thread_name_prefix None": lambda m, k: _worker_name(m, k, None),
        "submit no fn": lambda m, k: k(m.ThreadPoolExecutor(1)).submit(),
        "submit fn as keyword": lambda m, k: k(m.ThreadPoolExecutor(1)).submit(fn=int),
        "submit not callable": lambda m, k: (
            lambda f: (type(f.exception(timeout=10)), str(f.exception(timeout=10)))
        )(k(k(m.ThreadPoolExecutor(1)).submit(3))),
        "submit after shutdown": lambda m, k: _shut(k(m.ThreadPoolExecutor(1))).submit(int),
        "map not iterable": lambda m, k: k(m.ThreadPoolExecutor(1)).map(int, 3),
        # Raised by the call itself (the stdlib computes the deadline first), nothing submitted.
        "map timeout str": lambda m, k: k(m.ThreadPoolExecutor(1)).map(int, [1], timeout="1"),
        "map no iterables": lambda m, k: list(k(m.ThreadPoolExecutor(1)).map(int)),
        # No "map without fn": threadkit's map is its own method (lazy `buffersize`), so the
        # TypeError names ThreadPoolExecutor.map where the stdlib's names Executor.map.
        "shutdown wait str": lambda m, k: (
            lambda pool: (pool.submit(int), pool.shutdown(wait="x"))[0].result(timeout=0)
        )(k(m.ThreadPoolExecutor(1))),
        "shutdown wait None": lambda m, k: k(m.ThreadPoolExecutor(1)).shutdown(wait=None),
        "shutdown cancel_futures str": lambda m, k: _shutdown_cancel(m, k, "x"),
        "shutdown cancel_futures None": lambda m, k: _shutdown_cancel(m, k, None),
        "shutdown cancel_futures 0": lambda m, k: _shutdown_cancel(m, k, 0),
        "shutdown cancel_futures list": lambda m, k: _shutdown_cancel(m, k, [1]),
        "shutdown cancel_futures positional": lambda m, k: k(m.ThreadPoolExecutor(1)).shutdown(
            True, True
        ),
    }


def _normalized(result: tuple[Any, Any]) -> tuple[Any, Any]:
    kind, detail = result
    if isinstance(detail, str):
        detail = detail.replace("threadkit.futures.", "").replace("concurrent.futures._base.", "")
        detail = re.sub(r" at 0x[0-9a-f]+", "", detail)  # reprs hold addresses
        detail = re.sub(r"^Future \d+ ", "Future N ", detail)  # and ids
    return kind, detail


def _records(records: list[logging.LogRecord]) -> list[tuple[object, ...]]:
    """What was logged: level, message, and the exception's type and message."""
    logged: list[tuple[object, ...]] = []
    for record in records:
        error = record.exc_info[1] if record.exc_info else None
        logged.append(
            (record.levelname, _normalized(("", record.getMessage()))[1], type(error), str(error))
        )
    return logged


def _still_works(module: Any, thing: Any) -> None:
    """A future or an executor that a bad call was made on: nothing in it is left stuck."""
    if isinstance(thing, std.Future):
        if not thing.done():
            thing.set_result("after")
        elif thing._state == "CANCELLED":  # cancelled by shutdown: an executor would notify
            assert thing.set_running_or_notify_cancel() is False
        assert module.wait([thing], timeout=10).done == {thing}
        assert list(module.as_completed([thing, thing], timeout=10)) == [thing]
        if not thing.cancelled():
            thing.exception(timeout=10)
        called: list[object] = []
        thing.add_done_callback(called.append)
        assert called == [thing]
    elif isinstance(thing, std.ThreadPoolExecutor):
        if thing._broken:
            with pytest.raises(tk.BrokenThreadPool):  # the stdlib's class
                thing.submit(int)
        elif thing._shutdown:
            with pytest.raises(RuntimeError, match="after shutdown"):
                thing.submit(int)
        else:
            assert thing.submit(pow, 2, 5).result(timeout=10) == 32
            assert list(thing.map(abs, [-1, -2], timeout=10)) == [1, 2]
        thing.shutdown(wait=True)
        thing.shutdown(wait=True)


@pytest.mark.parametrize("name", sorted(_bad_calls()))
def test_bad_call_like_stdlib(name: str, futures_log: Records) -> None:
    """The same outcome and the same log on both; afterwards what the call touched still works."""
    bad_call = _bad_calls()[name]
    seen = []
    for module in (tk, std):
        kept: list[Any] = []

        def keep(thing: Any, kept: list[Any] = kept) -> Any:
            if thing is None:  # k(None): the thing kept last
                return kept[-1]
            kept.append(thing)
            return thing

        futures_log.records.clear()
        result = _normalized(outcome(lambda module=module, keep=keep: bad_call(module, keep)))
        logged = _records(futures_log.records)
        for thing in kept:
            _still_works(module, thing)
        seen.append((result, logged))
    assert seen[0] == seen[1]


class _Tagged(tk.Future):
    """A subclass with its own constructor: its arguments are its own business."""

    def __init__(self, tag: str, *, size: int = 0) -> None:
        super().__init__()
        self.tag, self.size = tag, size


def test_a_subclass_with_its_own_init_takes_arguments() -> None:
    future = _Tagged("a", size=3)
    assert (future.tag, future.size) == ("a", 3)
    future.set_result(2)
    assert future.result(timeout=0) == 2


def test_a_subclass_without_its_own_init_takes_none() -> None:
    class Plain(tk.Future):
        pass

    with pytest.raises(TypeError, match=r"^Future.__init__\(\) takes 1 positional argument but"):
        Plain(1)
