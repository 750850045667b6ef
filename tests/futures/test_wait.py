"""``wait`` and ``as_completed``: the core's ``tests/wait.rs``, through Python, on threadkit's
futures and on the stdlib's alike.

Each test that completes a future to wake a waiter first makes sure the waiter waits: threadkit's
waiters are counted by ``_waiting()``; the stdlib's have registered with the futures (a waiter in
``_waiters``, or in ``_condition``'s own)."""

import concurrent.futures as std
import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from types import FrameType, ModuleType
from typing import Any

import pytest

from tests.helpers.waiters import until_waiting, waiting
from threadkit import futures as tk

pytestmark = pytest.mark.timeout(30)

MODULES = {"threadkit": tk, "stdlib": std}


@pytest.fixture(params=MODULES)
def m(request: pytest.FixtureRequest) -> ModuleType:
    module: ModuleType = MODULES[request.param]
    return module


def _futures(m: ModuleType, n: int) -> list[Any]:
    return [m.Future() for _ in range(n)]


def _waiter_blocked(m: ModuleType, fs: Iterable[Any]) -> Callable[[], None]:
    """What waits, from another thread, until a waiter on ``fs`` (started after this call) is
    blocked."""
    if m is tk:
        already = waiting()
        return lambda: until_waiting(already + 1)
    fs = list(fs)

    def registered() -> None:
        deadline = time.monotonic() + 20
        while not any(f._waiters or f._condition._waiters for f in fs):
            assert time.monotonic() < deadline, "the stdlib's waiter never registered"
            time.sleep(0.001)

    return registered


def _then(blocked: Callable[[], None], *actions: Callable[[], object]) -> threading.Thread:
    """A thread that runs ``actions`` once the waiter is blocked."""

    def run() -> None:
        blocked()
        for action in actions:
            action()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_all_completed_waits_for_every_future(m: ModuleType) -> None:
    fs = _futures(m, 3)
    setter = _then(
        _waiter_blocked(m, fs), *(lambda f=f, n=n: f.set_result(n) for n, f in enumerate(fs))
    )
    done, not_done = m.wait(fs, timeout=20)
    setter.join(timeout=20)
    assert (done, not_done) == (set(fs), set())


def test_first_completed_returns_when_one_finishes(m: ModuleType) -> None:
    fs = _futures(m, 3)
    setter = _then(_waiter_blocked(m, fs), lambda: fs[1].set_result(1))
    done, not_done = m.wait(fs, timeout=20, return_when=m.FIRST_COMPLETED)
    setter.join(timeout=20)
    assert (done, not_done) == ({fs[1]}, {fs[0], fs[2]})
    # Something already done: at once.
    assert m.wait(fs, timeout=0, return_when=m.FIRST_COMPLETED).done == {fs[1]}


def test_first_exception_returns_at_once_for_an_already_failed_future(m: ModuleType) -> None:
    fs = _futures(m, 3)
    fs[2].set_exception(ValueError("boom"))
    done, not_done = m.wait(fs, timeout=0, return_when=m.FIRST_EXCEPTION)
    assert (done, not_done) == ({fs[2]}, {fs[0], fs[1]})


def test_first_exception_waits_for_a_failure(m: ModuleType) -> None:
    fs = _futures(m, 3)
    fs[0].set_result(0)
    failer = _then(_waiter_blocked(m, fs), lambda: fs[1].set_exception(ValueError("late")))
    done, not_done = m.wait(fs, timeout=20, return_when=m.FIRST_EXCEPTION)
    failer.join(timeout=20)
    assert (done, not_done) == ({fs[0], fs[1]}, {fs[2]})


def test_first_exception_without_failures_waits_for_all(m: ModuleType) -> None:
    fs = _futures(m, 2)
    setter = _then(_waiter_blocked(m, fs), lambda: fs[0].set_result(0), lambda: fs[1].set_result(1))
    done, not_done = m.wait(fs, timeout=20, return_when=m.FIRST_EXCEPTION)
    setter.join(timeout=20)
    assert (done, not_done) == (set(fs), set())


def test_timeout_returns_the_unfinished_as_not_done(m: ModuleType) -> None:
    fs = _futures(m, 2)
    fs[0].set_result(0)
    done, not_done = m.wait(fs, timeout=0.03)
    assert (done, not_done) == ({fs[0]}, {fs[1]})


def test_cancelled_but_not_notified_counts_as_not_done(m: ModuleType) -> None:
    fs = _futures(m, 2)
    fs[0].cancel()
    fs[1].set_result(1)
    assert m.wait(fs, timeout=0).not_done == {fs[0]}
    # Noticing the cancellation (as a worker does) completes it for `wait`, also a blocked one.
    noticed: list[bool] = []
    notifier = _then(
        _waiter_blocked(m, fs), lambda: noticed.append(fs[0].set_running_or_notify_cancel())
    )
    done, not_done = m.wait(fs, timeout=20)
    notifier.join(timeout=20)
    assert (done, not_done, noticed) == (set(fs), set(), [False])


def test_duplicates_are_counted_once(m: ModuleType) -> None:
    (future,) = _futures(m, 1)
    future.set_result(0)
    assert m.wait([future, future], timeout=0).done == {future}
    assert list(m.as_completed([future, future], timeout=0)) == [future]


def test_as_completed_yields_finished_first_then_in_completion_order(m: ModuleType) -> None:
    fs = _futures(m, 4)
    fs[3].set_result(3)
    iterator = m.as_completed(fs, timeout=20)
    assert next(iterator) is fs[3]  # registered with the others now
    setter = _then(_waiter_blocked(m, fs), *(lambda n=n: fs[n].set_result(n) for n in (2, 0, 1)))
    order = [future.result(timeout=0) for future in iterator]
    setter.join(timeout=20)
    assert order == [2, 0, 1]


def test_as_completed_timeout_names_how_many_are_left(m: ModuleType) -> None:
    fs = _futures(m, 3)
    fs[1].set_result(1)
    iterator = m.as_completed(fs, timeout=0.02)
    assert next(iterator) is fs[1]
    with pytest.raises(TimeoutError, match=r"^2 \(of 3\) futures unfinished$"):
        next(iterator)
    assert list(iterator) == []


def test_as_completed_yields_noticed_cancellations(m: ModuleType) -> None:
    fs = _futures(m, 1)
    fs[0].cancel()
    iterator = m.as_completed(fs, timeout=20)
    notifier = _then(_waiter_blocked(m, fs), fs[0].set_running_or_notify_cancel)
    assert next(iterator).cancelled()
    assert list(iterator) == []
    notifier.join(timeout=20)


def test_stress_wait_and_as_completed_against_completers(m: ModuleType) -> None:
    for round in range(50):
        fs = _futures(m, 16)

        def complete(mine: list[Any], round: int = round) -> None:
            for n, future in enumerate(mine):
                if (n + round) % 5 == 0:
                    future.cancel()
                    future.set_running_or_notify_cancel()
                else:
                    future.set_result(n)

        completers = [threading.Thread(target=complete, args=(fs[t::8],)) for t in range(8)]
        for completer in completers:
            completer.start()
        if round % 2 == 0:
            assert m.wait(fs, timeout=20).done == set(fs)
        else:
            assert len(list(m.as_completed(fs, timeout=20))) == 16
        for completer in completers:
            completer.join(timeout=20)


class _Interrupted(Exception):
    pass


@contextlib.contextmanager
def _interrupting(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    """``SIGUSR1`` handled by ``handler`` for the test (restored after)."""
    previous = signal.signal(signal.SIGUSR1, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGUSR1, previous)


def _signal_main_thread() -> None:
    """``SIGUSR1`` to the main thread itself, whose wait it must interrupt."""
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGUSR1)


def _raise(signum: int, frame: FrameType | None) -> None:
    raise _Interrupted


# The signal tests run on threadkit only: the stdlib's lock waits can miss a signal that arrives
# just before they block (they wake at their timeout), where threadkit's waits run the handlers
# every 50 ms.
needs_sigusr1 = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="needs SIGUSR1")


@needs_sigusr1
@pytest.mark.parametrize("call", ["wait", "as_completed"])
def test_a_raising_signal_handler_ends_the_wait_and_unregisters_it(call: str) -> None:
    m = tk
    fs = _futures(m, 2)
    signaller = _then(_waiter_blocked(m, fs), lambda: _signal_main_thread())
    with _interrupting(_raise), pytest.raises(_Interrupted):
        if call == "wait":
            m.wait(fs, timeout=20)
        else:
            list(m.as_completed(fs, timeout=20))
    signaller.join(timeout=20)
    # The abandoned waiter is gone: completing still works, and a new wait sees it.
    fs[0].set_result(0)
    fs[1].set_result(1)
    assert m.wait(fs, timeout=20).done == set(fs)


@needs_sigusr1
def test_a_signal_handler_that_returns_lets_result_keep_waiting() -> None:
    m = tk
    (future,) = _futures(m, 1)
    handled = threading.Semaphore(0)

    def signal_three_times_then_finish() -> None:
        for _ in range(3):
            _signal_main_thread()
            assert handled.acquire(timeout=20)
        future.set_result(5)

    finisher = _then(_waiter_blocked(m, [future]), signal_three_times_then_finish)
    with _interrupting(lambda signum, frame: handled.release()):
        assert future.result(timeout=20) == 5
    finisher.join(timeout=20)
