"""Interpreter exit with threadkit's thread pool, each scenario in a fresh interpreter.

Includes the ports of the tests of CPython's suite that run the stdlib by name in a subprocess
(listed in tests/cpython/skips.py).
"""

import subprocess
import sys
import textwrap

PRELUDE = r"""
import sys, time
import threadkit.futures as tk

def sleep_and_print(t, msg):
    time.sleep(t)
    sys.stdout.write(msg + "\n")  # one write: lines of two threads never interleave
    sys.stdout.flush()
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_falling_off_the_end_runs_every_queued_call() -> None:
    done = _run(
        """
        pool = tk.ThreadPoolExecutor(2)
        for n in range(6):
            pool.submit(sleep_and_print, 0.05, f"task {n}")
        """
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert sorted(done.stdout.split("\n")[:-1]) == [f"task {n}" for n in range(6)]


def test_interpreter_shutdown_runs_a_submitted_call() -> None:  # CPython: test_interpreter_shutdown
    done = _run(
        """
        t = tk.ThreadPoolExecutor(5)
        t.submit(sleep_and_print, 1.0, "apple")
        """
    )
    assert (done.returncode, done.stderr, done.stdout.strip()) == (0, "", "apple")


def test_submit_after_interpreter_shutdown_raises() -> (
    None
):  # test_submit_after_interpreter_shutdown
    done = _run(
        """
        import atexit
        @atexit.register
        def run_last():
            try:
                t.submit(id, None)
            except RuntimeError:
                print("runtime-error")
                raise
        t = tk.ThreadPoolExecutor(5)
        """
    )
    assert "RuntimeError: cannot schedule new futures after interpreter shutdown" in done.stderr
    assert done.stdout.strip() == "runtime-error"


def test_shutdown_without_wait_does_not_hang_at_exit() -> None:  # test_hang_gh83386
    done = _run(
        """
        t = tk.ThreadPoolExecutor(max_workers=3)
        t.submit(sleep_and_print, 1.0, "apple")
        t.shutdown(wait=False)
        """
    )
    assert (done.returncode, done.stderr, done.stdout.strip()) == (0, "", "apple")


def test_shutdown_without_wait_and_cancel_futures() -> None:  # test_cancel_futures_wait_false
    done = _run(
        """
        t = tk.ThreadPoolExecutor()
        t.submit(sleep_and_print, .1, "apple")
        t.shutdown(wait=False, cancel_futures=True)
        """
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.strip() in ("apple", "")


def test_an_executor_collected_without_shutdown_lets_its_workers_exit() -> None:
    done = _run(
        """
        import gc, threading
        t = tk.ThreadPoolExecutor(3)
        results = list(t.map(abs, range(-5, 5)))
        threads = list(t._threads)
        del t
        gc.collect()
        for thread in threads:
            thread.join(10)
        print(results == [abs(n) for n in range(-5, 5)], any(x.is_alive() for x in threads))
        """
    )
    assert (done.returncode, done.stderr, done.stdout.strip()) == (0, "", "True False")


def test_daemon_threads_blocked_on_futures_at_exit() -> None:
    done = _run(
        """
        import threading
        from threadkit._native.threading import _waiting
        pool = tk.ThreadPoolExecutor(1)
        gate = threading.Event()
        blocked = pool.submit(gate.wait)
        waiters = [
            threading.Thread(target=blocked.result, daemon=True),
            threading.Thread(target=tk.wait, args=([blocked],), daemon=True),
            threading.Thread(target=lambda: list(tk.as_completed([blocked])), daemon=True),
        ]
        for waiter in waiters:
            waiter.start()
        deadline = time.monotonic() + 20
        while _waiting() < 3 and time.monotonic() < deadline:  # all three really wait
            time.sleep(0.001)
        gate.set()
        print("exiting")
        """
    )
    assert (done.returncode, done.stderr, done.stdout.strip()) == (0, "", "exiting")
