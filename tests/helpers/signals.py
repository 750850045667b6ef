"""Run a snippet in a child interpreter, interrupt it with SIGINT once it blocks."""

import signal
import subprocess
import sys
import textwrap
import time

PRELUDE = """
import sys
import threadkit.threading as tk

def blocked():
    print("blocking", flush=True)

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
    soon after, and returns the exit code, the output and how long the child took to exit after
    the signal."""
    script = PRELUDE.format(body=textwrap.indent(textwrap.dedent(body), "    "))
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first == "blocking\n", first + child.stdout.read()
        time.sleep(0.2)  # let it reach the wait
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        rest, _ = child.communicate(timeout=20)
        return child.returncode, first + rest, time.monotonic() - sent
    finally:
        child.kill()
        child.wait()
