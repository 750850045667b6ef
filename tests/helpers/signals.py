"""Run a snippet in a child interpreter, interrupt it with SIGINT once it is blocked."""

import signal
import subprocess
import sys
import textwrap
import time

# The child handles SIGINT as CPython does when it starts with the signal not ignored: a child of
# a shell's background job (``make test &``) inherits SIGINT ignored, CPython then installs no
# handler, and Ctrl-C would not reach the wait at all.
PRELUDE = """
import _thread
import signal
import sys
import time
import threadkit.threading as tk
from threadkit._native.threading import _waiting

def _report_waiting():
    # A plain thread (no threadkit wait of its own) that says when the main thread is blocked
    # in a threadkit wait (the glue's count of blocked threads), so the signal tests the slow
    # path, never a wait not yet begun.
    deadline = time.monotonic() + 20
    while _waiting() < 1:
        if time.monotonic() > deadline:
            print("never blocked", flush=True)
            return
        time.sleep(0.001)
    print("waiting", flush=True)

signal.signal(signal.SIGINT, signal.default_int_handler)

def blocked():
    print("blocking", flush=True)
    _thread.start_new_thread(_report_waiting, ())

try:
{body}
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
    sys.exit(0)
print("returned", flush=True)
sys.exit(1)
"""


def interrupt_while_blocked(body: str) -> tuple[int, str, float]:
    """Runs ``body`` (which calls ``blocked()`` just before it blocks) in a child, sends SIGINT
    once the child is blocked in a threadkit wait, and returns the exit code, the output (without
    the line that says it is blocked) and how long the child took to exit after the signal."""
    script = PRELUDE.format(body=textwrap.indent(textwrap.dedent(body), "    "))
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first == "blocking\n", first + child.stdout.read()
        second = child.stdout.readline()
        assert second == "waiting\n", first + second + child.stdout.read()
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        rest, _ = child.communicate(timeout=20)
        return child.returncode, first + rest, time.monotonic() - sent
    finally:
        child.kill()
        child.wait()
