"""threadkit.dask.DaskExecutor against a real LocalCluster: the executor contract, kept."""

import concurrent.futures as std
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.dask.conftest import WAIT, local_cluster
from tests.helpers.captured_log import futures_records

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
import dask  # noqa: E402

from threadkit import futures  # noqa: E402
from threadkit.dask import BrokenCluster, DaskExecutor  # noqa: E402


def echo(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return args, kwargs


def fresh() -> str:
    """A new value on every call: two results that are equal came from one run."""
    return uuid.uuid4().hex


def fail(message: str) -> None:
    raise ValueError(message)


def wait_for(name: str) -> str:
    """Blocks on the cluster-wide event ``name`` (set by the test), then returns it."""
    if not distributed.Event(name).wait(timeout=WAIT):
        raise TimeoutError(f"event {name} was never set")
    return name


def set_event(name: str) -> None:
    distributed.Event(name).set()


def until(condition: Callable[[], bool]) -> None:
    """Polls ``condition`` until it holds; fails the test after ``WAIT`` seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.005)


@pytest.fixture
def gate(client: Any) -> Iterator[Any]:
    """A cluster-wide event for tasks to wait on; set at the end so nothing stays blocked."""
    event = distributed.Event(f"gate-{uuid.uuid4().hex}", client=client)
    yield event
    event.set()


def test_submit_passes_every_argument_through(client: Any) -> None:
    kwargs = {"fn": 1, "key": "k", "priority": 2, "workers": 3, "pure": 4, "retries": 5}
    with DaskExecutor(client) as executor:
        future = executor.submit(echo, 1, "two", **kwargs)
        assert future.result(WAIT) == ((1, "two"), kwargs)
    with pytest.raises(TypeError):
        executor.submit(fn=echo)  # type: ignore[call-arg]


def test_identical_calls_all_run(client: Any) -> None:
    with DaskExecutor(client) as executor:
        results = [executor.submit(fresh) for _ in range(4)]
        assert len({future.result(WAIT) for future in results}) == 4
        assert len(set(executor.map(lambda _: fresh(), [0, 0, 0]))) == 3


def test_futures_are_threadkit_futures(client: Any) -> None:
    with DaskExecutor(client) as executor:
        future = executor.submit(pow, 2, 5)
        assert isinstance(future, futures.Future)
        assert isinstance(future, std.Future)
        assert future.result(WAIT) == 32


def test_running_until_done_then_pending_behind_max_workers(client: Any, gate: Any) -> None:
    with DaskExecutor(client, max_workers=1) as executor:
        first = executor.submit(wait_for, gate.name)
        second = executor.submit(echo, "second")
        assert first.running()
        assert not second.running() and not second.done()
        assert (executor.pending_tasks, executor.running_tasks) == (1, 1)
        assert not first.cancel()
        gate.set()
        assert first.result(WAIT) == gate.name
        assert second.result(WAIT) == (("second",), {})
        until(lambda: executor.running_tasks == 0)
        assert (executor.pending_tasks, executor.completed_tasks) == (0, 2)


def test_each_slot_max_workers_frees_goes_to_the_next_call(client: Any, gate: Any) -> None:
    # As in a thread pool: two calls wait for a third, queued behind a quick one; the third
    # must be sent once the quick one is done, whatever else is still on the cluster.
    with DaskExecutor(client, max_workers=3) as executor:
        waiting = [executor.submit(wait_for, gate.name) for _ in range(2)]
        quick = executor.submit(echo, "quick")
        setter = executor.submit(set_event, gate.name)
        assert quick.result(WAIT) == (("quick",), {})
        assert setter.result(WAIT) is None
        assert [future.result(WAIT) for future in waiting] == [gate.name] * 2


def test_a_cancelled_call_is_never_sent(client: Any, gate: Any) -> None:
    ran = f"ran-{uuid.uuid4().hex}"
    with DaskExecutor(client, max_workers=1) as executor:
        first = executor.submit(wait_for, gate.name)
        queued = executor.submit(set_event, ran)
        assert queued.cancel()
        assert queued.cancelled()
        gate.set()
        assert first.result(WAIT) == gate.name
        follower = executor.submit(echo)  # sent after the cancelled one would have been
        follower.result(WAIT)
    assert not distributed.Event(ran, client=client).is_set()
    assert executor.completed_tasks == 2


def test_shutdown_cancel_futures_cancels_the_queued(client: Any, gate: Any) -> None:
    executor = DaskExecutor(client, max_workers=1)
    first = executor.submit(wait_for, gate.name)
    queued = [executor.submit(echo, n) for n in range(5)]
    executor.shutdown(wait=False, cancel_futures=True)
    assert all(future.cancelled() for future in queued)
    done, not_done = futures.wait(queued, timeout=0)
    assert len(done) == 5 and not not_done  # CANCELLED_AND_NOTIFIED: wait() sees them
    assert executor.pending_tasks == 0 and not first.done()
    gate.set()
    executor.shutdown(wait=True)
    assert first.result(0) == gate.name
    with pytest.raises(RuntimeError, match="cannot schedule new futures after shutdown"):
        executor.submit(echo)


def test_shutdown_without_wait_lets_the_calls_finish(client: Any, gate: Any) -> None:
    executor = DaskExecutor(client, max_workers=1)
    first = executor.submit(wait_for, gate.name)
    queued = executor.submit(echo, "queued")
    executor.shutdown(wait=False)
    assert not first.done()
    gate.set()
    assert first.result(WAIT) == gate.name
    assert queued.result(WAIT) == (("queued",), {})


def test_max_pending_makes_submit_wait(client: Any, gate: Any) -> None:
    with DaskExecutor(client, max_workers=1, max_pending=1) as executor:
        executor.submit(wait_for, gate.name)
        executor.submit(echo, 1)
        assert executor.pending_tasks == 1
        submitted: list[Any] = []
        submitter = threading.Thread(target=lambda: submitted.append(executor.submit(echo, 2)))
        submitter.start()
        submitter.join(0.2)
        assert submitter.is_alive() and not submitted  # it waits for room in the queue
        assert executor.pending_tasks == 1
        gate.set()
        submitter.join(WAIT)
        assert submitted[0].result(WAIT) == ((2,), {})


def test_shutdown_wakes_a_submitter_waiting_for_room(client: Any, gate: Any) -> None:
    executor = DaskExecutor(client, max_workers=1, max_pending=1)
    executor.submit(wait_for, gate.name)
    executor.submit(echo, 1)
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            executor.submit(echo, 2)
        except RuntimeError as error:
            errors.append(error)

    submitter = threading.Thread(target=submit)
    submitter.start()
    submitter.join(0.2)
    assert submitter.is_alive()
    executor.shutdown(wait=False)
    submitter.join(WAIT)
    assert [str(error) for error in errors] == ["cannot schedule new futures after shutdown"]
    gate.set()
    executor.shutdown(wait=True)


def test_bad_arguments_get_the_pools_errors(client: Any) -> None:
    for name in ("max_workers", "max_pending"):
        for value in (0, -1):
            with pytest.raises(ValueError, match=f"{name} must be greater than 0"):
                DaskExecutor(client, **{name: value})
    with DaskExecutor(client) as executor:
        with pytest.raises(TypeError, match="buffersize must be an integer or None"):
            executor.map(abs, [1], buffersize=1.5)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="buffersize must be None or > 0"):
            executor.map(abs, [1], buffersize=0)


def test_map_reads_a_generator_lazily_with_buffersize(client: Any) -> None:
    read: list[int] = []

    def numbers() -> Iterator[int]:
        for n in range(20):
            read.append(n)
            yield n

    with DaskExecutor(client) as executor:
        results = executor.map(pow, numbers(), [2] * 20, buffersize=3)
        assert len(read) == 3
        assert next(results) == 0
        assert len(read) == 4
        assert list(results) == [n * n for n in range(1, 20)]
        assert list(executor.map(divmod, iter([7, 9]), (2, 4), chunksize=5)) == [(3, 1), (2, 1)]


def test_map_timeout(client: Any, gate: Any) -> None:
    with DaskExecutor(client) as executor:
        results = executor.map(wait_for, [gate.name], timeout=0.05)
        with pytest.raises(std.TimeoutError):
            next(results)
        gate.set()


def test_the_tasks_exception_and_traceback_reach_result(client: Any) -> None:
    with DaskExecutor(client) as executor:
        future = executor.submit(fail, "from the worker")
        with pytest.raises(ValueError, match="from the worker") as caught:
            future.result(WAIT)
        assert isinstance(future.exception(0), ValueError)
    functions = [frame.name for frame in traceback.extract_tb(caught.value.__traceback__)]
    assert "fail" in functions


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda ex, lock: ex.submit(echo, 1, lock), "argument 1"),
        (lambda ex, lock: ex.submit(echo, key=lock), "keyword argument 'key'"),
        (lambda ex, lock: ex.submit(lambda: lock), "the function"),
        (lambda ex, lock: ex.map(echo, [lock]), "argument 0"),
    ],
)
def test_what_cannot_be_sent_fails_submit_naming_it(
    client: Any, call: Callable[[DaskExecutor, Any], Any], named: str
) -> None:
    with DaskExecutor(client) as executor:
        with pytest.raises(pickle.PicklingError, match=f"cannot send {named} ") as caught:
            call(executor, threading.Lock())
        assert "lock" in str(caught.value)
        assert executor.pending_tasks == executor.running_tasks == 0


def test_done_callbacks_run_on_the_executors_thread(client: Any, gate: Any) -> None:
    loop_thread = distributed.utils.sync(client.loop, _current_thread)
    seen: list[threading.Thread] = []
    with DaskExecutor(client) as executor:
        future = executor.submit(wait_for, gate.name)
        future.add_done_callback(lambda _: seen.append(threading.current_thread()))
        gate.set()
        future.result(WAIT)
        until(lambda: bool(seen))
    assert seen[0] is not loop_thread
    assert seen[0].name == "DaskExecutor_results"


def test_a_callbacks_keyboard_interrupt_is_logged_and_the_results_go_on(
    client: Any, gate: Any
) -> None:
    ran: list[str] = []

    def interrupt(_: object) -> None:
        ran.append("raising")
        raise KeyboardInterrupt("in a callback")

    with futures_records() as futures_log, DaskExecutor(client) as executor:
        future = executor.submit(wait_for, gate.name)
        future.add_done_callback(interrupt)
        future.add_done_callback(lambda _: ran.append("later"))
        gate.set()
        future.result(WAIT)
        until(lambda: bool(futures_log.records))
        assert executor.submit(pow, 2, 5).result(WAIT) == 32, "the results thread went on"
    [record] = futures_log.records
    assert (record.levelno, record.getMessage()) == (logging.CRITICAL, "Exception in worker")
    assert record.exc_info is not None and isinstance(record.exc_info[1], KeyboardInterrupt)
    assert ran == ["raising"], "as in a pool, the future's later callbacks did not run"


async def _current_thread() -> threading.Thread:
    return threading.current_thread()


def test_threadkit_wait_and_as_completed_take_them_mixed_with_local_ones(
    client: Any, gate: Any
) -> None:
    stdlib_future: std.Future[int] = std.Future()
    with DaskExecutor(client) as executor, futures.ThreadPoolExecutor(2) as pool:
        remote = executor.submit(pow, 3, 2)
        blocked = executor.submit(wait_for, gate.name)
        local = pool.submit(pow, 2, 3)
        done, not_done = futures.wait(
            [remote, local, blocked], timeout=WAIT, return_when="FIRST_COMPLETED"
        )
        assert done and done <= {remote, local} and blocked in not_done
        done, not_done = futures.wait([remote, local], timeout=WAIT)
        assert done == {remote, local}
        stdlib_future.set_result(7)
        gate.set()
        mixed = [remote, local, blocked, stdlib_future]
        results = {f.result(0) for f in futures.as_completed(mixed, timeout=WAIT)}
        assert results == {9, 8, gate.name, 7}


def test_an_address_gives_an_own_client_closed_at_shutdown(threads_cluster: Any) -> None:
    with DaskExecutor(threads_cluster.scheduler_address) as executor:
        assert executor.submit(pow, 2, 10).result(WAIT) == 1024
        own = executor.client
    assert own.status == "closed"


@pytest.mark.parametrize("made_from", ["cluster", "address"])
def test_a_closed_client_breaks_the_executor(made_from: str) -> None:
    # A client of the cluster object shares its event loop; one of an address has its own,
    # which stops when the client closes.
    with local_cluster(n_workers=1, threads_per_worker=1, processes=False) as cluster:
        client = distributed.Client(
            cluster if made_from == "cluster" else cluster.scheduler_address,
            set_as_default=False,
        )
        executor = DaskExecutor(client, max_workers=1)
        running = executor.submit(time.sleep, 0.5)
        queued = executor.submit(echo)
        client.close()
        with pytest.raises(BrokenCluster, match="the client is closed"):
            running.result(WAIT)
        with pytest.raises(BrokenCluster, match="the client is closed"):
            queued.result(WAIT)
        with pytest.raises(BrokenCluster, match="the client is closed"):
            executor.submit(echo)
        executor.shutdown(wait=True)


def test_processes_cluster_runs_the_calls_in_two_workers(processes_client: Any) -> None:
    with DaskExecutor(processes_client) as executor:
        pids = set(executor.map(lambda _: os.getpid(), range(40)))
        assert os.getpid() not in pids
        assert executor.submit(echo, 1, key="k").result(WAIT) == ((1,), {"key": "k"})
        with pytest.raises(ZeroDivisionError):
            executor.submit(divmod, 1, 0).result(WAIT)


def test_a_worker_that_dies_running_the_call_gives_broken_cluster(processes_client: Any) -> None:
    with DaskExecutor(processes_client) as executor:
        dying = executor.submit(os._exit, 1)
        with pytest.raises(BrokenCluster, match="a worker died running the call") as caught:
            dying.result(WAIT)
        assert isinstance(caught.value.__cause__, distributed.KilledWorker)
        assert executor.submit(pow, 2, 2).result(WAIT) == 4  # the other worker goes on


def test_the_results_thread_ends_once_idle(client: Any) -> None:
    def results_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "DaskExecutor_results"]

    executor = DaskExecutor(client)
    assert executor.submit(pow, 2, 3).result(WAIT) == 8
    until(lambda: not results_threads())
    assert executor.submit(pow, 2, 4).result(WAIT) == 16  # started again for new calls
    executor.shutdown(wait=True)
    assert not results_threads()


def test_an_own_client_closes_after_a_shutdown_without_wait(
    threads_cluster: Any, gate: Any
) -> None:
    executor = DaskExecutor(threads_cluster.scheduler_address)
    running = executor.submit(wait_for, gate.name)
    executor.shutdown(wait=False)
    assert executor.client.status == "running"  # the call still needs it
    gate.set()
    assert running.result(WAIT) == gate.name
    until(lambda: executor.client.status == "closed")


def test_a_lost_scheduler_breaks_the_executor() -> None:
    # The client and the worker try to reconnect for the connect timeout: one second here.
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        local_cluster(n_workers=1, threads_per_worker=1, processes=False) as cluster,
    ):
        client = distributed.Client(cluster, set_as_default=False)
        executor = DaskExecutor(client, max_workers=1)
        running = executor.submit(time.sleep, 1)
        queued = executor.submit(echo)
        distributed.utils.sync(cluster.loop, cluster.scheduler.close)
        with pytest.raises(BrokenCluster, match="scheduler-connection-lost"):
            running.result(WAIT)
        with pytest.raises(BrokenCluster, match="scheduler-connection-lost"):
            queued.result(WAIT)
        with pytest.raises(BrokenCluster, match="scheduler-connection-lost"):
            executor.submit(echo)
        executor.shutdown(wait=True)
        until(lambda: client.status == "closed")


_EXIT_PROGRAM = """
import time
import distributed
from threadkit.dask import DaskExecutor

if __name__ == "__main__":
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
        host="127.0.0.1", scheduler_port=0, dashboard_address="127.0.0.1:0",
    )
    executor = DaskExecutor(distributed.Client(cluster))
    print(executor.submit(pow, 2, 5).result(), flush=True)
    last = executor.submit(time.sleep, 0.2)
    last.add_done_callback(lambda f: print("last call done", f.exception(), flush=True))
"""


def test_exit_without_shutdown_completes_the_calls_then_ends() -> None:
    # The interpreter exits without a shutdown: the call still on the cluster completes before
    # the results thread ends, and the idle thread does not keep the process alive. (The worker
    # here is in the exiting process, whose own pool may refuse the call by then: a completion
    # with that error counts, a pending future or a hang does not.)
    child = subprocess.run(
        [sys.executable, "-c", _EXIT_PROGRAM], capture_output=True, text=True, timeout=WAIT
    )
    assert child.returncode == 0, child.stderr
    first, last = child.stdout.split("\n")[:2]
    assert first == "32"
    assert last.startswith("last call done ")
