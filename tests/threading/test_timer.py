"""threadkit.threading.Timer: the stdlib's Timer thread, waiting on threadkit's Event."""

import threading
import time

import pytest

import threadkit.threading as tk

pytestmark = pytest.mark.timeout(30)


def test_calls_the_function_after_the_interval() -> None:
    called = tk.Event()
    calls: list[tuple[object, ...]] = []
    start = time.monotonic()
    timer = tk.Timer(
        0.05,
        lambda *args, **kwargs: (calls.append((args, kwargs)), called.set()),
        args=(1, 2),
        kwargs={"key": "value"},
    )
    timer.start()
    assert called.wait(20)
    timer.join()
    assert time.monotonic() - start >= 0.05
    assert calls == [((1, 2), {"key": "value"})]


def test_cancel_prevents_the_call() -> None:
    calls: list[int] = []
    timer = tk.Timer(20, lambda: calls.append(1))
    timer.start()
    timer.cancel()
    timer.join()
    assert calls == []
    assert timer.finished.is_set()


def test_is_a_thread_with_threadkits_event() -> None:
    timer = tk.Timer(1, print)
    assert isinstance(timer, threading.Thread)
    assert isinstance(timer, threading.Timer)
    assert isinstance(timer.finished, tk.Event)
