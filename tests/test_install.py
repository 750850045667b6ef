"""``threadkit.install()``/``uninstall()``/``installed()``: what is swapped, and what comes back."""

import asyncio
import concurrent.futures
import concurrent.futures.thread
import logging
import logging.handlers
import queue
import sys
import threading
from collections.abc import Iterator
from types import ModuleType

import pytest

import threadkit
import threadkit.futures
import threadkit.queue
import threadkit.threading

# Every name install() replaces: (stdlib module, name, threadkit's object).
SWAPS: list[tuple[ModuleType, str, object]] = [
    *(
        (threading, name, getattr(threadkit.threading, name))
        for name in (
            "Lock",
            "RLock",
            "Condition",
            "Semaphore",
            "BoundedSemaphore",
            "Event",
            "Barrier",
            "Timer",
        )
    ),
    *(
        (queue, name, getattr(threadkit.queue, name))
        for name in ("Queue", "LifoQueue", "PriorityQueue", "SimpleQueue")
    ),
    *(
        (concurrent.futures, name, getattr(threadkit.futures, name))
        for name in ("ThreadPoolExecutor", "wait", "as_completed")
    ),
    (concurrent.futures.thread, "ThreadPoolExecutor", threadkit.futures.ThreadPoolExecutor),
]
MODULE_OF = {threading: "threading", queue: "queue"}
ORIGINALS = {(module, name): getattr(module, name) for module, name, _ in SWAPS}
NOT_SWAPPED = [
    (threading, "Thread"),
    (threading, "local"),
    (threading, "current_thread"),
    (concurrent.futures, "Future"),
    (concurrent.futures, "ProcessPoolExecutor"),
]


def stdlib_name(module: ModuleType) -> str:
    return MODULE_OF.get(module, "concurrent.futures")


def assert_originals() -> None:
    for module, name, _ in SWAPS:
        assert getattr(module, name) is ORIGINALS[module, name], f"{module.__name__}.{name}"


@pytest.fixture(autouse=True)
def restored() -> Iterator[None]:
    """Every test starts and ends with the stdlib's own classes in place."""
    assert not threadkit.installed()
    assert_originals()
    yield
    threadkit.uninstall()
    assert_originals()


def test_install_puts_threadkits_objects_in_and_uninstall_takes_them_out() -> None:
    not_swapped = {(module, name): getattr(module, name) for module, name in NOT_SWAPPED}
    threadkit.install()
    assert threadkit.installed()
    for module, name, ours in SWAPS:
        assert getattr(module, name) is ours, f"{module.__name__}.{name}"
    for (module, name), original in not_swapped.items():
        assert getattr(module, name) is original, f"{module.__name__}.{name}"
    threadkit.uninstall()
    assert not threadkit.installed()
    assert_originals()


def test_install_and_uninstall_are_idempotent() -> None:
    first = threadkit.install()
    again = threadkit.install()
    assert first.modules == ("threading", "queue", "concurrent.futures")
    assert again.modules == ()
    assert threading.Lock is threadkit.threading.Lock
    threadkit.uninstall()
    assert_originals()  # the second install() did not take threadkit's classes for originals
    threadkit.uninstall()
    assert_originals()


@pytest.mark.parametrize("only", ["threading", "queue", "concurrent.futures"])
def test_one_module_alone(only: str) -> None:
    assert threadkit.install(only).modules == (only,)
    assert threadkit.installed(only)
    assert not threadkit.installed()
    for module, name, ours in SWAPS:
        expected = ours if stdlib_name(module) == only else ORIGINALS[module, name]
        assert getattr(module, name) is expected, f"{module.__name__}.{name}"
    threadkit.install()
    threadkit.uninstall(only)
    assert not threadkit.installed(only)
    for module, name, ours in SWAPS:
        expected = ORIGINALS[module, name] if stdlib_name(module) == only else ours
        assert getattr(module, name) is expected, f"{module.__name__}.{name}"


def test_an_unknown_module_is_refused_and_nothing_changes() -> None:
    message = (
        "threadkit does not replace 'asyncio' "
        "(it replaces 'threading', 'queue', 'concurrent.futures')"
    )
    for call in (threadkit.install, threadkit.uninstall, threadkit.installed):
        with pytest.raises(ValueError) as caught:
            call("queue", "asyncio")
        assert str(caught.value) == message
    assert not threadkit.installed("queue")
    assert_originals()


def test_context_manager_uninstalls_what_it_installed() -> None:
    with threadkit.install() as installation:
        assert installation.modules == ("threading", "queue", "concurrent.futures")
        assert queue.Queue is threadkit.queue.Queue
    assert not threadkit.installed()
    assert_originals()


def test_nested_context_managers_leave_the_outer_installation() -> None:
    with threadkit.install("queue"):
        with threadkit.install() as inner:
            assert inner.modules == ("threading", "concurrent.futures")
        assert threadkit.installed("queue")
        assert not threadkit.installed("threading")
        assert queue.Queue is threadkit.queue.Queue
        assert threading.Lock is ORIGINALS[threading, "Lock"]
    assert_originals()


def test_context_manager_uninstalls_on_an_exception() -> None:
    with pytest.raises(KeyError), threadkit.install():
        raise KeyError("inside")
    assert_originals()


def test_a_name_missing_before_install_is_missing_again_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # concurrent.futures makes ThreadPoolExecutor lazily, on first access: before that, the name
    # is not in the module, and uninstall() must not leave threadkit's there.
    monkeypatch.delitem(vars(queue), "SimpleQueue")
    threadkit.install("queue")
    assert queue.SimpleQueue is threadkit.queue.SimpleQueue
    threadkit.uninstall("queue")
    assert "SimpleQueue" not in vars(queue)
    monkeypatch.undo()
    assert queue.SimpleQueue is ORIGINALS[queue, "SimpleQueue"]


@pytest.fixture
def frequent_switches() -> Iterator[None]:
    """Threads switch as often as the interpreter allows, so that races show."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("frequent_switches")
def test_concurrent_installs_and_uninstalls_restore_the_originals() -> None:
    threads, rounds = 8, 2000
    start = threading.Barrier(threads, timeout=20)
    errors: list[BaseException] = []

    def churn() -> None:
        try:
            start.wait()
            for _ in range(rounds):
                threadkit.install()
                threadkit.uninstall("queue")
                threadkit.install("queue")
                threadkit.uninstall()
        except BaseException as error:
            errors.append(error)

    # The stdlib's Thread and Barrier, captured before anything is swapped.
    workers = [threading.Thread(target=churn) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=25)
        assert not worker.is_alive()
    assert errors == []
    assert not threadkit.installed()
    assert_originals()


def test_stdlib_fallback_of_wait_and_as_completed_uses_the_originals() -> None:
    # A stdlib future makes threadkit's wait/as_completed run the stdlib's algorithm, which must
    # not be the swapped name (that would be threadkit's function calling itself).
    with threadkit.install():
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        assert not isinstance(future, threadkit.futures.Future)
        future.set_result(7)
        done, not_done = concurrent.futures.wait([future], timeout=10)
        assert (done, not_done) == ({future}, set())
        assert list(concurrent.futures.as_completed([future], timeout=10)) == [future]
        assert future.result(timeout=0) == 7


def test_the_stdlibs_own_users_pick_threadkit_up() -> None:
    async def default_executor_type() -> type:
        loop = asyncio.get_running_loop()
        assert await asyncio.to_thread(lambda: 6 * 7) == 42
        return type(loop._default_executor)  # type: ignore[attr-defined]

    with threadkit.install():
        assert asyncio.run(default_executor_type()) is threadkit.futures.ThreadPoolExecutor
        records: queue.Queue[logging.LogRecord] = queue.Queue()
        assert type(records) is threadkit.queue.Queue
        logger = logging.getLogger("tests.test_install")
        handler = logging.handlers.QueueHandler(records)
        logger.addHandler(handler)
        try:
            logger.warning("through %s", "threadkit")
        finally:
            logger.removeHandler(handler)
        assert records.get(timeout=10).getMessage() == "through threadkit"
        assert type(handler.lock) is threadkit.threading.RLock


def test_repr_names_what_was_installed() -> None:
    assert repr(threadkit.install("queue")) == "<threadkit installation of queue>"
    assert repr(threadkit.install("queue")) == "<threadkit installation of nothing new>"
