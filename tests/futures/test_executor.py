"""threadkit.futures.ThreadPoolExecutor: what CPython's suite does not cover."""

import asyncio
import concurrent.futures as std
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import pytest

from tests.helpers.captured_log import Records
from tests.helpers.signals import interrupt_while_blocked
from tests.helpers.waiters import until_waiting, waiting
from threadkit import futures as tk


def test_workers_are_named_threads_and_go_away_after_shutdown() -> None:
    baseline = threading.active_count()
    pool = tk.ThreadPoolExecutor(3, thread_name_prefix="resizer")
    gate = threading.Event()
    fs = [pool.submit(gate.wait, 10) for _ in range(3)]
    names = {thread.name for thread in threading.enumerate()}
    assert {"resizer_0", "resizer_1", "resizer_2"} <= names
    assert len(pool._threads) == 3
    assert pool.running_tasks + pool.pending_tasks == 3
    gate.set()
    pool.shutdown(wait=True)
    assert all(future.result() is True for future in fs)
    assert pool.completed_tasks == 3
    assert threading.active_count() == baseline


def test_idle_workers_are_reused() -> None:
    with tk.ThreadPoolExecutor(8) as pool:
        for n in range(20):
            assert pool.submit(abs, -n).result(timeout=10) == n
        assert len(pool._threads) == 1


def test_leaving_with_by_an_exception_cancels_the_queue_and_waits_for_running() -> None:
    started = threading.Event()
    release = threading.Event()
    with pytest.raises(RuntimeError, match="leave"), tk.ThreadPoolExecutor(1) as pool:
        running = pool.submit(lambda: (started.set(), release.wait(10))[1])
        queued = [pool.submit(int) for _ in range(5)]
        assert started.wait(10)
        threading.Timer(0.05, release.set).start()
        raise RuntimeError("leave")
    assert running.done() and running.result() is True, "the running call finished first"
    assert all(future.cancelled() for future in queued)


def test_leaving_with_normally_runs_the_whole_queue() -> None:
    with tk.ThreadPoolExecutor(1) as pool:
        fs = [pool.submit(time.sleep, 0.001) for _ in range(20)]
    assert all(future.done() and not future.cancelled() for future in fs)


def test_shutdown_cancel_futures_cancels_what_is_queued() -> None:
    pool = tk.ThreadPoolExecutor(1)
    gate = threading.Event()
    first = pool.submit(gate.wait, 10)
    rest = [pool.submit(int) for _ in range(10)]
    threading.Timer(0.05, gate.set).start()
    pool.shutdown(wait=True, cancel_futures=True)
    assert first.result() is True
    assert all(future.cancelled() for future in rest)
    with pytest.raises(RuntimeError, match="cannot schedule new futures after shutdown"):
        pool.submit(int)


def test_a_failing_initializer_breaks_the_pool_and_logs_critical(futures_log: Records) -> None:

    release = threading.Event()

    def fail() -> None:
        release.wait(10)  # until all three calls are queued
        raise ValueError("no database")

    pool = tk.ThreadPoolExecutor(1, initializer=fail)
    queued = [pool.submit(int) for _ in range(3)]
    release.set()
    for future in queued:
        with pytest.raises(tk.BrokenThreadPool, match="initializer failed"):
            future.result(timeout=10)
    assert pool._broken == ("A thread initializer failed, the thread pool is not usable anymore")
    with pytest.raises(tk.BrokenThreadPool):
        pool.submit(int)
    pool.shutdown()
    critical = [r for r in futures_log.records if r.levelno == logging.CRITICAL]
    assert [r.getMessage() for r in critical] == ["Exception in initializer:"]
    assert critical[0].exc_info is not None and isinstance(critical[0].exc_info[1], ValueError)


def test_initializer_runs_with_its_args_in_each_worker() -> None:
    seen: list[tuple[str, str]] = []
    with tk.ThreadPoolExecutor(
        2,
        initializer=lambda tag: seen.append((tag, threading.current_thread().name)),
        initargs=("ready",),
    ) as pool:
        gate = threading.Event()
        fs = [pool.submit(gate.wait, 10) for _ in range(2)]
        gate.set()
        for future in fs:
            future.result(timeout=10)
    assert sorted(seen) == [
        ("ready", pool._thread_name_prefix + "_0"),
        ("ready", pool._thread_name_prefix + "_1"),
    ]


def test_map_with_buffersize_is_lazy() -> None:
    started: list[int] = []
    consumed = 0

    def items() -> Iterator[int]:
        nonlocal consumed
        for n in range(100):
            consumed += 1
            yield n

    with tk.ThreadPoolExecutor(2) as pool:
        results = pool.map(lambda n: started.append(n) or n * 2, items(), buffersize=4)
        assert consumed == 4
        assert next(results) == 0
        assert consumed == 5
        assert list(results) == [n * 2 for n in range(1, 100)]
    assert sorted(started) == list(range(100))


def test_map_buffersize_checks_like_python_314() -> None:
    with tk.ThreadPoolExecutor(1) as pool:
        with pytest.raises(TypeError, match=r"^buffersize must be an integer or None$"):
            pool.map(int, [], buffersize=1.5)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"^buffersize must be None or > 0$"):
            pool.map(int, [], buffersize=0)


def test_map_cancels_what_is_left_when_a_call_fails() -> None:
    with tk.ThreadPoolExecutor(1) as pool:
        gate = threading.Event()
        blocker = pool.submit(gate.wait, 10)
        results = pool.map(lambda n: 1 / n, [0, 1, 2])
        gate.set()
        with pytest.raises(ZeroDivisionError):
            next(results)
        assert blocker.result() is True


def test_max_pending_makes_submit_wait() -> None:
    with tk.ThreadPoolExecutor(1, max_pending=2) as pool:
        gate = threading.Event()
        pool.submit(gate.wait, 10)
        deadline = time.monotonic() + 10
        while pool.running_tasks == 0 and time.monotonic() < deadline:
            time.sleep(0.001)
        pool.submit(int)
        pool.submit(int)
        submitted = threading.Event()
        already = waiting()
        waiter = threading.Thread(target=lambda: (pool.submit(int), submitted.set()))
        waiter.start()
        until_waiting(already + 1)  # a third queued call waits for room
        assert not submitted.is_set()
        gate.set()
        assert submitted.wait(10)
        waiter.join(10)
    with pytest.raises(ValueError, match="max_pending must be greater than 0"):
        tk.ThreadPoolExecutor(1, max_pending=0)


def test_asyncio_run_in_executor_to_thread_and_cancellation() -> None:
    async def main() -> tuple[int, int, bool]:
        loop = asyncio.get_running_loop()
        pool = tk.ThreadPoolExecutor(2)
        loop.set_default_executor(pool)
        a = await loop.run_in_executor(pool, pow, 2, 5)
        b = await asyncio.to_thread(abs, -7)
        gate = threading.Event()
        blocker = loop.run_in_executor(pool, gate.wait, 10)
        blocker2 = loop.run_in_executor(pool, gate.wait, 10)
        queued = loop.run_in_executor(pool, int)
        queued.cancel()
        try:
            await queued
        except asyncio.CancelledError:
            cancelled = True
        else:
            cancelled = False
        gate.set()
        await blocker
        await blocker2
        wrapped = asyncio.wrap_future(pool.submit(abs, -3))
        assert await wrapped == 3
        return a, b, cancelled

    assert asyncio.run(main()) == (32, 7, True)


def _run(code: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_an_initializer_failing_at_once_breaks_the_pool_without_a_deadlock() -> None:
    # The worker broke the pool while the submit that started it was still in flight, and
    # waited for that submit holding the GIL it needed: a hang that no timeout in the process
    # could interrupt, hence the subprocess.
    done = _run(
        """
        import logging
        import threadkit.futures as tk

        logging.disable(logging.CRITICAL)

        def fail():
            raise ValueError("at once")

        for _ in range(50):
            pool = tk.ThreadPoolExecutor(1, initializer=fail)
            future = pool.submit(int)
            assert isinstance(future.exception(timeout=10), tk.BrokenThreadPool)
            pool.shutdown()
        print("ok")
        """,
        timeout=25,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


def test_memory_stays_flat_over_a_million_submits() -> None:
    done = _run(
        """
        import resource
        import threadkit.futures as tk

        def rss():
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * resource.getpagesize()

        with tk.ThreadPoolExecutor(2) as pool:
            def cycle(rounds):
                for _ in range(rounds):
                    fs = [pool.submit(int) for _ in range(1000)]
                    for f in fs:
                        f.result()
            cycle(100)
            before = rss()
            cycle(1000)
            print((rss() - before) // 2**20)
        """,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 20, f"RSS grew by {done.stdout.strip()} MB"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_fork_with_running_workers() -> None:
    done = _run(
        """
        import os, threading, time
        import threadkit.futures as tk
        import threadkit.threading as tkt
        from threadkit._native.threading import _waiting

        pool = tk.ThreadPoolExecutor(2)
        gate = tkt.Event()
        busy = [pool.submit(gate.wait, 10) for _ in range(2)]
        lock = tkt.Lock()
        lock.acquire()
        deadline = time.monotonic() + 20
        while _waiting() < 2 and time.monotonic() < deadline:  # both workers really wait
            time.sleep(0.001)
        pid = os.fork()
        if pid == 0:
            fresh = tk.ThreadPoolExecutor(2)
            ok = fresh.submit(pow, 2, 8).result(timeout=5) == 256
            ok = ok and pool.submit(abs, -4).result(timeout=5) == 4
            fresh.shutdown()
            os._exit(0 if ok else 1)
        gate.set()
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status))
        pool.shutdown()
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0", done.stderr


@pytest.mark.parametrize(
    "body",
    [
        "pool = tk.ThreadPoolExecutor(1); f = pool.submit(gate.wait); blocked(); f.result()",
        "pool = tk.ThreadPoolExecutor(1); f = pool.submit(gate.wait); blocked(); f.exception()",
        "pool = tk.ThreadPoolExecutor(1); f = pool.submit(gate.wait); blocked(); tk.wait([f])",
        "pool = tk.ThreadPoolExecutor(1); f = pool.submit(gate.wait); blocked(); "
        "list(tk.as_completed([f]))",
        "pool = tk.ThreadPoolExecutor(1); blocked(); list(pool.map(gate.wait, [None]))",
        "pool = tk.ThreadPoolExecutor(1); pool.submit(gate.wait); blocked(); pool.shutdown()",
    ],
    ids=["result", "exception", "wait", "as_completed", "map", "shutdown"],
)
def test_ctrl_c_interrupts_blocking_calls(body: str) -> None:
    code, output, elapsed = interrupt_while_blocked(
        "import threadkit.futures as tk\n"
        "gate = tk_event = __import__('threading').Event()\n"
        "import os\n"
        "try:\n"
        f"    {body}\n"
        "finally:\n"
        "    gate.set()\n"
    )
    assert code == 0, output
    assert "KeyboardInterrupt" in output
    assert elapsed < 10


def test_stdlib_wait_ids_are_consistent_under_concurrency() -> None:
    with tk.ThreadPoolExecutor(4) as pool:
        for _ in range(50):
            fs = [pool.submit(time.sleep, 0.0005) for _ in range(8)]
            done, not_done = std.wait(fs, timeout=10)
            assert done == set(fs) and not not_done


def test_a_signal_handler_that_returns_lets_the_wait_go_on() -> None:
    done = _run(
        """
        import os, signal, threading, time
        import threadkit.futures as tk

        signal.signal(signal.SIGINT, lambda *_: print("handled", flush=True))
        with tk.ThreadPoolExecutor(1) as pool:
            gate = threading.Event()
            future = pool.submit(gate.wait)
            threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT)).start()
            threading.Timer(0.3, gate.set).start()
            print(future.result(timeout=20), flush=True)
            never = pool.submit(threading.Event().wait, 0.6)
            threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT)).start()
            start = time.monotonic()
            try:
                never.result(timeout=0.4)
            except TimeoutError:
                print("timed out after the whole timeout:", time.monotonic() - start >= 0.4)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:-1] == [
        "handled",
        "True",
        "handled",
        "timed out after the whole timeout: True",
    ]


class _CannotStart(RuntimeError):
    pass


@pytest.mark.parametrize("module", [tk, std], ids=["threadkit", "stdlib"])
def test_a_worker_that_cannot_start_fails_the_submit(
    module: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exception ``Thread.start`` raised comes out of the submit that needed the thread, as
    in the stdlib, and the pool starts a worker on a later submit."""

    def refuse(self: threading.Thread) -> None:
        raise _CannotStart("can't start new thread")

    pool = module.ThreadPoolExecutor(1)  # type: ignore[attr-defined]
    with monkeypatch.context() as patched:
        patched.setattr(threading.Thread, "start", refuse)
        with pytest.raises(_CannotStart, match="can't start new thread"):
            pool.submit(int, "1")
    assert pool.submit(int, "2").result(timeout=10) == 2
    pool.shutdown(wait=True)


def test_use_before_init_and_init_twice_like_the_threading_classes() -> None:
    """The pool's state is set once by ``__init__``, as the threading classes' is (the stdlib's
    raises AttributeError before ``__init__`` too)."""
    pool = tk.ThreadPoolExecutor.__new__(tk.ThreadPoolExecutor)
    with pytest.raises(
        AttributeError,
        match=r"^'ThreadPoolExecutor' object is not initialised: "
        r"ThreadPoolExecutor.__init__\(\) was not called$",
    ):
        pool.submit(int)
    pool.__init__(1)  # type: ignore[misc]
    with pytest.raises(
        RuntimeError, match=r"ThreadPoolExecutor.__init__\(\) may only be called once"
    ):
        pool.__init__(2)  # type: ignore[misc]
    assert pool._max_workers == 1
    assert pool.submit(int, "4").result(timeout=10) == 4
    pool.shutdown(wait=True)
