"""Unobserved failures, opt-in: a call's exception nobody retrieved is logged when its future goes.

``ThreadPoolExecutor(report_unobserved=...)`` per executor, ``report_unobserved_failures()`` for
the process; the core decides what counts as observed (``crates/threadkit/tests/report.rs``),
these tests check the glue's paths and the log record.
"""

import concurrent.futures as std
import gc
import logging
import subprocess
import sys
import textwrap
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers.captured_log import Records
from threadkit import futures as tk

MESSAGE = "exception never retrieved from the call "


class Unretrieved(Exception):
    """What the calls below raise."""


def fail(*_args: object, **_kwargs: object) -> None:
    raise Unretrieved("nobody looked")


def fail_when(gate: threading.Event) -> None:
    gate.wait(timeout=10)
    raise Unretrieved("nobody looked")


def fail_keeping(refs: list[weakref.ref[BaseException]]) -> None:
    error = Unretrieved("nobody looked")
    refs.append(weakref.ref(error))
    raise error


@pytest.fixture(autouse=True)
def process_wide_off() -> Iterator[None]:
    """Each test starts with the process-wide setting off and leaves it as it found it."""
    previous = tk.report_unobserved_failures(False)
    try:
        yield
    finally:
        tk.report_unobserved_failures(previous)


def reported(log: Records) -> list[logging.LogRecord]:
    return [record for record in log.records if record.getMessage().startswith(MESSAGE)]


def until_done(future: std.Future[Any]) -> None:
    """Polls ``done()``, which does not observe the failure."""
    deadline = time.monotonic() + 10
    while not future.done():
        assert time.monotonic() < deadline, "the call did not finish"
        time.sleep(0.001)


def failed_and_gone(
    pool: tk.ThreadPoolExecutor, look: Callable[[tk.Future], object] = lambda _future: None
) -> None:
    """Submits ``fail`` to ``pool``, waits for it to fail, applies ``look`` to its future, and
    drops the future; once this returns, the pool is shut down and no handle of it is left."""
    future = pool.submit(fail, 1, "two", key=[3])
    until_done(future)
    look(future)
    gone = weakref.ref(future)
    del future
    pool.shutdown(wait=True)  # the workers have dropped their handles
    gc.collect()
    assert gone() is None


def test_an_unobserved_failure_is_logged_once_with_traceback_and_call(
    futures_log: Records,
) -> None:
    failed_and_gone(tk.ThreadPoolExecutor(1, report_unobserved=True))
    gc.collect()
    [record] = reported(futures_log)
    assert (record.name, record.levelno) == ("concurrent.futures", logging.ERROR)
    assert record.getMessage() == MESSAGE + "fail(1, 'two', key=[3])"
    assert record.exc_info is not None
    error_type, error, trace = record.exc_info
    assert error_type is Unretrieved
    assert str(error) == "nobody looked"
    assert [frame.name for frame in traceback.extract_tb(trace)][-1] == "fail"


def test_a_future_dropped_before_its_call_fails_is_logged_by_the_worker(
    futures_log: Records,
) -> None:
    gate = threading.Event()
    with tk.ThreadPoolExecutor(1, report_unobserved=True) as pool:
        future = pool.submit(fail_when, gate)
        deadline = time.monotonic() + 10
        while not future.running():
            assert time.monotonic() < deadline
            time.sleep(0.001)
        del future  # the worker's handle is the last one now
        gate.set()
    [record] = reported(futures_log)
    assert record.getMessage().startswith(MESSAGE + "fail_when(<threading.Ev")


def test_the_call_repr_is_bounded(futures_log: Records) -> None:
    with tk.ThreadPoolExecutor(1, report_unobserved=True) as pool:
        future = pool.submit(fail, "x" * 1000, *range(10), **{f"k{n}": n for n in range(10)})
        until_done(future)
        del future
    [record] = reported(futures_log)
    message = record.getMessage()
    assert len(message) < 300
    assert message.startswith(MESSAGE + "fail('xxxxxxxxxxxx...xxxxxxxxxxxxx', 0, 1, 2, 3, 4, ...")
    assert message.endswith("k4=4, k5=5, ...)")


def _result(future: tk.Future) -> None:
    with pytest.raises(Unretrieved):
        future.result(timeout=10)


def _exception(future: tk.Future) -> None:
    assert isinstance(future.exception(timeout=10), Unretrieved)


def _private_exception(future: tk.Future) -> None:
    assert isinstance(future._exception, Unretrieved)


def _callback(future: tk.Future) -> None:
    called: list[tk.Future] = []
    future.add_done_callback(called.append)
    assert called == [future]


def _wait(future: tk.Future) -> None:
    assert tk.wait([future], timeout=10).done == {future}


def _wait_first_exception(future: tk.Future) -> None:
    assert tk.wait([future], timeout=10, return_when=tk.FIRST_EXCEPTION).done == {future}


def _as_completed(future: tk.Future) -> None:
    assert list(tk.as_completed([future], timeout=10)) == [future]


def _a_finished_stdlib_future() -> std.Future[None]:
    theirs: std.Future[None] = std.Future()
    theirs.set_result(None)
    return theirs


def _wait_with_stdlib_algorithm(future: tk.Future) -> None:
    theirs = _a_finished_stdlib_future()
    assert tk.wait([future, theirs], timeout=10).done == {future, theirs}


def _as_completed_with_stdlib_algorithm(future: tk.Future) -> None:
    theirs = _a_finished_stdlib_future()
    assert set(tk.as_completed([future, theirs], timeout=10)) == {future, theirs}


def _stdlib_wait(future: tk.Future) -> None:
    assert std.wait([future], timeout=10).done == {future}


OBSERVING = [
    _result,
    _exception,
    _private_exception,
    _callback,
    _wait,
    _wait_first_exception,
    _as_completed,
    _wait_with_stdlib_algorithm,
    _as_completed_with_stdlib_algorithm,
    _stdlib_wait,
]


@pytest.mark.parametrize("look", OBSERVING, ids=lambda look: look.__name__.strip("_"))
def test_an_observed_failure_is_not_logged(
    futures_log: Records, look: Callable[[tk.Future], None]
) -> None:
    failed_and_gone(tk.ThreadPoolExecutor(1, report_unobserved=True), look)
    assert reported(futures_log) == []


def test_a_callback_added_before_the_failure_observes_it(futures_log: Records) -> None:
    gate = threading.Event()
    with tk.ThreadPoolExecutor(1, report_unobserved=True) as pool:
        future = pool.submit(fail_when, gate)
        called: list[tk.Future] = []
        future.add_done_callback(called.append)
        del future
        gate.set()
    assert len(called) == 1
    called.clear()
    gc.collect()
    assert reported(futures_log) == []


def test_map_observes_the_failures_it_raises(futures_log: Records) -> None:
    with tk.ThreadPoolExecutor(1, report_unobserved=True) as pool:
        with pytest.raises(Unretrieved):
            list(pool.map(fail, [1]))
    gc.collect()
    assert reported(futures_log) == []


def _repr(future: tk.Future) -> None:
    assert "raised Unretrieved" in repr(future)


def _state(future: tk.Future) -> None:
    assert future._state == "FINISHED"


def _private_result(future: tk.Future) -> None:
    assert future._result is None


def _predicates(future: tk.Future) -> None:
    assert (future.done(), future.running(), future.cancelled(), future.cancel()) == (
        True,
        False,
        False,
        False,
    )


@pytest.mark.parametrize(
    "look", [_repr, _state, _private_result, _predicates], ids=lambda look: look.__name__[1:]
)
def test_what_does_not_observe_the_failure(
    futures_log: Records, look: Callable[[tk.Future], None]
) -> None:
    failed_and_gone(tk.ThreadPoolExecutor(1, report_unobserved=True), look)
    assert len(reported(futures_log)) == 1


def test_nothing_is_logged_by_default(futures_log: Records) -> None:
    failed_and_gone(tk.ThreadPoolExecutor(1))
    assert reported(futures_log) == []


def test_the_process_wide_switch(futures_log: Records) -> None:
    assert tk.report_unobserved_failures(True) is False
    failed_and_gone(tk.ThreadPoolExecutor(1))
    assert len(reported(futures_log)) == 1
    failed_and_gone(tk.ThreadPoolExecutor(1, report_unobserved=False))
    assert len(reported(futures_log)) == 1, "an executor's own False wins"
    assert tk.report_unobserved_failures() is True
    assert tk.report_unobserved_failures(False) is True
    failed_and_gone(tk.ThreadPoolExecutor(1))
    assert len(reported(futures_log)) == 1
    failed_and_gone(tk.ThreadPoolExecutor(1, report_unobserved=True))
    assert len(reported(futures_log)) == 2, "an executor's own True wins"


def test_the_setting_at_submit_time_decides(futures_log: Records) -> None:
    gate = threading.Event()
    with tk.ThreadPoolExecutor(1) as pool:
        future = pool.submit(fail_when, gate)
        tk.report_unobserved_failures(True)
        gate.set()
        until_done(future)
        del future
    gc.collect()
    assert reported(futures_log) == []


def test_a_future_failed_by_hand_is_not_logged(futures_log: Records) -> None:
    tk.report_unobserved_failures(True)
    future = tk.Future()
    future.set_exception(Unretrieved("by hand"))
    del future
    gc.collect()
    assert reported(futures_log) == []


@pytest.mark.parametrize("observe", [False, True], ids=["unobserved", "observed"])
def test_the_failed_future_and_its_exception_are_collected(
    futures_log: Records, observe: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only `futures_log` keeps the record (pytest's own capture would hold the exception too).
    monkeypatch.setattr(logging.getLogger("concurrent.futures"), "propagate", False)
    refs: list[weakref.ref[BaseException]] = []
    with tk.ThreadPoolExecutor(1, report_unobserved=True) as pool:
        future = pool.submit(fail_keeping, refs)
        until_done(future)
        if observe:
            assert future.exception(timeout=10) is not None
        gone = weakref.ref(future)
        del future
    assert len(reported(futures_log)) == (0 if observe else 1)
    futures_log.records.clear()  # a record holds the exception
    gc.collect()
    assert gone() is None
    assert refs[0]() is None


def test_failures_left_at_interpreter_exit_do_not_crash() -> None:
    code = """
        import threadkit.futures as tk

        def fail():
            raise ValueError("left at exit")

        tk.report_unobserved_failures(True)
        pool = tk.ThreadPoolExecutor(2, report_unobserved=True)
        kept = [pool.submit(fail) for _ in range(4)]  # dropped as the interpreter finalizes
        cycle = [pool.submit(fail)]
        cycle.append(cycle)  # collected at the final collection
        other = [pool.submit(fail)]
        del other  # dropped now: logged to stderr, while the interpreter still runs
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert MESSAGE + "fail()" in done.stderr
    assert "panicked" not in done.stderr
    assert "Fatal" not in done.stderr
