"""Daemon threads blocked in threadkit waits when the interpreter exits: the process exits
cleanly (status 0, promptly), whether the waits are untimed or time out during finalization."""

import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.timeout(60)

SCRIPT = textwrap.dedent(
    """
    import sys, threading as std, time
    import threadkit.queue as tkq
    import threadkit.threading as tk

    timeout = None if sys.argv[1] == "untimed" else float(sys.argv[1])
    held_lock = tk.Lock(); held_lock.acquire()
    held_rlock = tk.RLock()
    idle = std.Event()
    def own():
        held_rlock.acquire(); idle.wait()
    std.Thread(target=own, daemon=True).start()
    condition = tk.Condition()
    def wait_condition():
        with condition:
            condition.wait(timeout)
    full = tkq.Queue(1); full.put(0)
    unfinished = tkq.Queue(); unfinished.put(0)
    lock_timeout = -1 if timeout is None else timeout
    waits = [
        lambda: held_lock.acquire(timeout=lock_timeout),
        lambda: held_rlock.acquire(timeout=lock_timeout),
        wait_condition,
        lambda: tk.Event().wait(timeout),
        lambda: tk.Semaphore(0).acquire(timeout=timeout),
        lambda: tk.BoundedSemaphore(0).acquire(timeout=timeout),
        lambda: tk.Barrier(2).wait(timeout),
        lambda: tkq.Queue().get(timeout=timeout),
        lambda: tkq.LifoQueue().get(timeout=timeout),
        lambda: tkq.PriorityQueue().get(timeout=timeout),
        lambda: full.put(1, timeout=timeout),
        lambda: tkq.SimpleQueue().get(timeout=timeout),
        unfinished.join,
    ]
    def run(wait):
        try:
            wait()
        except Exception:
            pass
    for wait in waits:
        for _ in range(2):
            std.Thread(target=run, args=(wait,), daemon=True).start()
    time.sleep(0.3)  # every thread is blocked now (those with timeout 0.3 are about to wake)

    print("exiting", flush=True)
    """
)


@pytest.mark.parametrize("timeout", ["untimed", "0.05", "0.3", "0.32"])
def test_daemon_threads_blocked_at_exit(timeout: str) -> None:
    """``0.3`` and ``0.32``: the waits time out about when the main thread exits, so their
    threads wake while the interpreter shuts down; ``0.05``: before, and they end normally."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, timeout], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "exiting\n", "")
    assert time.monotonic() - start < 20
