"""ThreadPoolExecutor(propagate_context=True): each call runs in a copy of its submitter's
contextvars context; the default stays the stdlib's (the worker's own context)."""

import concurrent.futures as std
import contextvars
import threading
from collections.abc import Iterator

import pytest

from threadkit import futures as tk

pytestmark = pytest.mark.timeout(30)

TIMEOUT = 10.0

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


@pytest.fixture
def pool() -> Iterator[tk.ThreadPoolExecutor]:
    with tk.ThreadPoolExecutor(1, propagate_context=True) as pool:
        yield pool


def _set_and_read(value: str) -> tuple[str, str]:
    """Sets the variable in the running context; returns what it was before and after."""
    before = request_id.get()
    request_id.set(value)
    return before, request_id.get()


@pytest.mark.parametrize("executor", [std.ThreadPoolExecutor, tk.ThreadPoolExecutor])
def test_default_runs_in_the_workers_context_as_the_stdlib(
    executor: type[std.ThreadPoolExecutor],
) -> None:
    def scenario() -> list[tuple[str, str]]:
        request_id.set("caller")
        with executor(1) as pool:
            first = pool.submit(_set_and_read, "first").result(TIMEOUT)
            second = pool.submit(_set_and_read, "second").result(TIMEOUT)
        return [first, second, (request_id.get(), request_id.get())]

    outcome = contextvars.copy_context().run(scenario)
    # The worker's context: the caller's value is not seen; a call's change is the next one's.
    assert outcome == [("unset", "first"), ("first", "second"), ("caller", "caller")]


def test_values_set_before_submit_are_seen(pool: tk.ThreadPoolExecutor) -> None:
    def scenario() -> tuple[str, str]:
        request_id.set("caller")
        return pool.submit(_set_and_read, "inside").result(TIMEOUT)

    assert contextvars.copy_context().run(scenario) == ("caller", "inside")


def test_changes_inside_do_not_leak(pool: tk.ThreadPoolExecutor) -> None:
    def scenario() -> list[tuple[str, str]]:
        request_id.set("caller")
        first = pool.submit(_set_and_read, "first").result(TIMEOUT)
        second = pool.submit(_set_and_read, "second").result(TIMEOUT)  # same worker
        return [first, second, (request_id.get(), request_id.get())]

    outcome = contextvars.copy_context().run(scenario)
    assert outcome == [("caller", "first"), ("caller", "second"), ("caller", "caller")]


def test_the_context_is_copied_at_submit_time(pool: tk.ThreadPoolExecutor) -> None:
    started, release = threading.Event(), threading.Event()

    def hold_the_worker() -> None:
        started.set()
        release.wait(TIMEOUT)

    def scenario() -> tuple[str, str]:
        blocker = pool.submit(hold_the_worker)
        assert started.wait(TIMEOUT)  # the only worker is busy: the next call waits
        request_id.set("at submit")
        queued = pool.submit(_set_and_read, "inside")
        request_id.set("after submit")
        assert pool.pending_tasks == 1
        release.set()
        blocker.result(TIMEOUT)
        return queued.result(TIMEOUT)

    assert contextvars.copy_context().run(scenario) == ("at submit", "inside")


def test_keyword_arguments_and_exceptions_pass_through(pool: tk.ThreadPoolExecutor) -> None:
    def call(a: int, *, b: int) -> tuple[int, int, str]:
        return a, b, request_id.get()

    def fail() -> None:
        raise KeyError(request_id.get())

    def scenario() -> None:
        request_id.set("caller")
        assert pool.submit(call, 1, b=2).result(TIMEOUT) == (1, 2, "caller")
        error = pool.submit(fail).exception(TIMEOUT)
        assert isinstance(error, KeyError)
        assert error.args == ("caller",)

    contextvars.copy_context().run(scenario)


def test_map_runs_each_call_in_a_copy(pool: tk.ThreadPoolExecutor) -> None:
    def scenario() -> list[tuple[str, str]]:
        request_id.set("caller")
        return list(pool.map(_set_and_read, ["a", "b", "c"], timeout=TIMEOUT))

    assert contextvars.copy_context().run(scenario) == [
        ("caller", "a"),
        ("caller", "b"),
        ("caller", "c"),
    ]


def test_lazy_map_submits_later_calls_in_the_context_of_map(
    pool: tk.ThreadPoolExecutor,
) -> None:
    def scenario() -> Iterator[tuple[str, str]]:
        request_id.set("at map")
        results = pool.map(_set_and_read, ["a", "b", "c", "d"], timeout=TIMEOUT, buffersize=1)
        request_id.set("after map")
        return results

    results = contextvars.copy_context().run(scenario)
    # Read from another context altogether (and another thread): the calls submitted while
    # reading still run in copies of the context map was called in.
    seen: list[tuple[str, str]] = []
    reader = threading.Thread(target=lambda: seen.extend(results))
    reader.start()
    reader.join(TIMEOUT)
    assert not reader.is_alive()
    assert seen == [("at map", "a"), ("at map", "b"), ("at map", "c"), ("at map", "d")]


def test_default_lazy_map_is_unchanged() -> None:
    def scenario() -> list[tuple[str, str]]:
        request_id.set("caller")
        with tk.ThreadPoolExecutor(1) as pool:
            return list(pool.map(_set_and_read, ["a", "b"], timeout=TIMEOUT, buffersize=1))

    assert contextvars.copy_context().run(scenario) == [("unset", "a"), ("a", "b")]
