"""A done-callback that raises a ``BaseException`` that is not an ``Exception``, as the stdlib.

``Future._invoke_callbacks`` (3.11 to 3.13) catches only ``Exception``: a ``KeyboardInterrupt`` or
``SystemExit`` from a callback leaves the callback loop, so the later callbacks never run, and
reaches whoever completed the future (``set_result``, ``set_exception``, ``cancel``) or added the
callback to a done one. In a pool that is the worker, which logs it as ``Exception in worker``.
Each test runs the same code on the stdlib's classes and threadkit's.
"""

import concurrent.futures as std
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers.captured_log import Records
from threadkit import futures as tk

MODULES = pytest.mark.parametrize("module", [std, tk], ids=["stdlib", "threadkit"])


class Recorder:
    """Done-callbacks that note their name as they run, and raise what they are given."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def callback(self, name: str, raises: BaseException | None = None) -> Callable[[Any], None]:
        def callback(_: object) -> None:
            self.ran.append(name)
            if raises is not None:
                raise raises

        return callback


COMPLETIONS: dict[str, Callable[[Any], object]] = {
    "set_result": lambda future: future.set_result(1),
    "set_exception": lambda future: future.set_exception(ValueError("failed")),
    "cancel": lambda future: future.cancel(),
}


@MODULES
@pytest.mark.parametrize("exit_type", [KeyboardInterrupt, SystemExit, GeneratorExit])
@pytest.mark.parametrize("completion", COMPLETIONS)
def test_it_reaches_the_completer_and_the_later_callbacks_do_not_run(
    module: Any, exit_type: type[BaseException], completion: str, futures_log: Records
) -> None:
    recorder = Recorder()
    future = module.Future()
    future.add_done_callback(recorder.callback("logged", ValueError("an Exception")))
    future.add_done_callback(recorder.callback("raising", exit_type("stop")))
    future.add_done_callback(recorder.callback("later"))
    with pytest.raises(exit_type, match="stop"):
        COMPLETIONS[completion](future)
    assert recorder.ran == ["logged", "raising"]
    assert future.done()
    [record] = futures_log.records  # the Exception only
    assert record.exc_info is not None and isinstance(record.exc_info[1], ValueError)
    # The future is completed all the same, and a callback added now runs at once.
    future.add_done_callback(recorder.callback("added after"))
    assert recorder.ran[-1] == "added after"


@MODULES
def test_a_callback_added_to_a_done_future_raises_to_the_adder(
    module: Any, futures_log: Records
) -> None:
    future = module.Future()
    future.set_result(1)
    recorder = Recorder()
    with pytest.raises(SystemExit):
        future.add_done_callback(recorder.callback("raising", SystemExit(2)))
    future.add_done_callback(recorder.callback("next"))
    assert recorder.ran == ["raising", "next"]
    assert futures_log.records == []


@MODULES
def test_the_next_completion_on_the_thread_runs_its_callbacks(module: Any) -> None:
    # Nothing of the first interrupt is left behind to stop or to raise from the next call.
    first, second = module.Future(), module.Future()
    recorder = Recorder()
    first.add_done_callback(recorder.callback("first", KeyboardInterrupt()))
    second.add_done_callback(recorder.callback("second"))
    with pytest.raises(KeyboardInterrupt):
        first.set_result(1)
    second.set_result(2)
    assert recorder.ran == ["first", "second"]


@MODULES
def test_one_raised_by_a_nested_completion_goes_out_through_both(module: Any) -> None:
    outer, inner = module.Future(), module.Future()
    recorder = Recorder()
    inner.add_done_callback(recorder.callback("inner", KeyboardInterrupt("inner")))
    outer.add_done_callback(lambda _: inner.set_result(2))
    outer.add_done_callback(recorder.callback("outer later"))
    with pytest.raises(KeyboardInterrupt, match="inner"):
        outer.set_result(1)
    assert recorder.ran == ["inner"]


def _until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.001)


@MODULES
def test_in_a_pool_the_worker_logs_it_and_the_later_callbacks_do_not_run(
    module: Any, futures_log: Records
) -> None:
    gate = threading.Event()
    recorder = Recorder()
    with module.ThreadPoolExecutor(1) as pool:
        future = pool.submit(gate.wait, 20)
        future.add_done_callback(recorder.callback("raising", KeyboardInterrupt("in worker")))
        future.add_done_callback(recorder.callback("later"))
        gate.set()
        assert future.result(timeout=20) is True

        _until(lambda: bool(futures_log.records), "the worker logged")
        [record] = futures_log.records
        assert (record.levelno, record.getMessage()) == (logging.CRITICAL, "Exception in worker")
        assert record.exc_info is not None
        assert isinstance(record.exc_info[1], KeyboardInterrupt)
        assert recorder.ran == ["raising"]
        if module is tk:
            # Unlike the stdlib's worker, which ends (leaving this pool without one), threadkit's
            # goes on.
            assert pool.submit(int, "7").result(timeout=20) == 7


def test_shutdown_raises_one_from_a_cancelled_calls_callback_and_still_shuts_down(
    futures_log: Records,
) -> None:
    gate = threading.Event()
    recorder = Recorder()
    pool = tk.ThreadPoolExecutor(1)
    running = pool.submit(gate.wait, 20)
    queued = [pool.submit(int) for _ in range(3)]
    queued[0].add_done_callback(recorder.callback("raising", KeyboardInterrupt("cancelled")))
    queued[1].add_done_callback(recorder.callback("next future's"))
    _until(running.running, "the first call runs")
    try:
        with pytest.raises(KeyboardInterrupt, match="cancelled"):
            pool.shutdown(wait=False, cancel_futures=True)
        assert all(future.cancelled() for future in queued)
        with pytest.raises(RuntimeError, match="after shutdown"):
            pool.submit(int)
    finally:
        gate.set()
        pool.shutdown(wait=True)
    assert running.result(timeout=20) is True
    # The stdlib's shutdown stops at the raising cancellation, leaving the other calls queued;
    # threadkit's cancels them all, and runs each future's callbacks.
    assert recorder.ran == ["raising", "next future's"]
    assert futures_log.records == []


def test_two_raised_in_one_shutdown_come_out_chained() -> None:
    # The one core call that completes several futures: the second exception carried out has
    # the first as its context, as if raised while the first propagated.
    gate = threading.Event()
    recorder = Recorder()
    pool = tk.ThreadPoolExecutor(1)
    running = pool.submit(gate.wait, 20)
    first, second = pool.submit(int), pool.submit(int)
    first.add_done_callback(recorder.callback("first", KeyboardInterrupt("first")))
    second.add_done_callback(recorder.callback("second", SystemExit("second")))
    _until(running.running, "the first call runs")
    try:
        with pytest.raises(SystemExit, match="second") as raised:
            pool.shutdown(wait=False, cancel_futures=True)
    finally:
        gate.set()
        pool.shutdown(wait=True)
    assert isinstance(raised.value.__context__, KeyboardInterrupt)
    assert recorder.ran == ["first", "second"]
