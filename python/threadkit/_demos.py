"""The seed programs of ``python -m threadkit``, on threadkit: ``python -m threadkit demo NAME``.

Each demo prints what it shows, under a ``== name: title`` label, and checks its own result (a
demo whose threads went wrong raises :class:`DemoError`, so the command fails).
"""

import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from threadkit import _apps, _bench, futures, threading
from threadkit._apps import http_server


class DemoError(Exception):
    """A demo whose result is not the one it should be."""


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise DemoError(what)


# A bound on every wait in a demo, so a broken primitive fails the demo instead of hanging it.
_WAIT = 10.0


def two_threads() -> None:
    """Two threads printing numbers and letters, interleaved."""
    out = threading.Lock()  # one line at a time

    def say(label: str, items: str) -> None:
        for item in items:
            with out:
                print(f"  {label}: {item}")
            time.sleep(0.01)

    threads = [
        threading.Thread(target=say, args=("numbers", "12345"), name="numbers"),
        threading.Thread(target=say, args=("letters", "abcde"), name="letters"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(_WAIT)
    print("  both threads done")


def counter() -> None:
    """A counter incremented and decremented under a Lock by several threads: exact at the end."""
    workers, ups, downs = 4, 50_000, 20_000
    lock = threading.Lock()
    value = 0

    def work() -> None:
        nonlocal value
        for _ in range(ups):
            with lock:
                value += 1
        for _ in range(downs):
            with lock:
                value -= 1

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(_WAIT * 3)
    expected = workers * (ups - downs)
    print(f"  {workers} threads, each +1 x {ups} then -1 x {downs}, under one Lock")
    print(f"  final value: {value} (expected {expected})")
    _check(value == expected, f"the counter is {value}, not {expected}")


class Summer(threading.Thread):
    """A Thread subclass with its own run(): sums the squares of a range."""

    def __init__(self, start: int, stop: int) -> None:
        super().__init__(name=f"summer-{start}-{stop}")
        self.numbers = range(start, stop)
        self.total: int | None = None

    def run(self) -> None:
        self.total = sum(n * n for n in self.numbers)


def worker_class() -> None:
    """A Thread subclass with its own run()."""
    summers = [Summer(start, start + 250) for start in range(0, 1000, 250)]
    for summer in summers:
        summer.start()
    for summer in summers:
        summer.join(_WAIT)
        print(f"  {summer.name}: sum of squares = {summer.total}")
    total = sum(summer.total or 0 for summer in summers)
    expected = sum(n * n for n in range(1000))
    print(f"  together: {total} (expected {expected})")
    _check(total == expected, f"the subclasses summed {total}, not {expected}")


def event_waiter() -> None:
    """A waiter released by an Event."""
    event = threading.Event()
    released: list[float] = []

    def wait() -> None:
        start = time.monotonic()
        if event.wait(_WAIT):
            released.append(time.monotonic() - start)

    waiter = threading.Thread(target=wait, name="waiter")
    waiter.start()
    print(f"  waiter blocked in Event.wait(); wait(timeout=0.05) here: {event.wait(0.05)}")
    event.set()
    waiter.join(_WAIT)
    _check(bool(released), "the waiter was not released")
    print(f"  event set: the waiter was released after {released[0] * 1000:.0f} ms")


def semaphore_limit() -> None:
    """Ten workers, at most three at a time, limited by a Semaphore."""
    limit, workers = 3, 10
    semaphore = threading.Semaphore(limit)
    lock = threading.Lock()
    active = peak = done = 0

    def work() -> None:
        nonlocal active, peak, done
        with semaphore:
            with lock:
                active += 1
                peak = max(peak, active)
            time.sleep(0.05)
            with lock:
                active -= 1
                done += 1

    threads = [threading.Thread(target=work, name=f"worker-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(_WAIT)
    print(f"  {done} workers done, Semaphore({limit})")
    print(f"  max concurrency observed: {peak}")
    _check(done == workers and peak == limit, f"{done} done, peak {peak}")


# The child process of daemon_exit: a daemon thread blocks on an Event nobody sets; the main thread
# returns, and the interpreter exits without waiting for it.
_DAEMON_CHILD = textwrap.dedent(
    """
    import time
    from threadkit import threading

    never = threading.Event()
    started = threading.Event()

    def block():
        started.set()
        never.wait()
        print("daemon: released (this line must never print)", flush=True)

    daemon = threading.Thread(target=block, name="blocked-daemon", daemon=True)
    daemon.start()
    started.wait(10)
    time.sleep(0.05)
    print(f"child: daemon alive={daemon.is_alive()}, blocked in Event.wait(); main returns now",
          flush=True)
    """
)


def daemon_exit() -> None:
    """A daemon thread abandoned at exit, in a child process: the process exits anyway."""
    start = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", _DAEMON_CHILD],
        capture_output=True,
        text=True,
        timeout=_WAIT * 2,
        check=False,
    )
    elapsed = time.monotonic() - start
    for line in child.stdout.splitlines():
        print(f"  {line}")
    print(
        f"  child exited with code {child.returncode} after {elapsed:.2f} s, daemon still blocked"
    )
    _check(
        child.returncode == 0 and "alive=True" in child.stdout and "released" not in child.stdout,
        f"the child failed: {child.returncode} {child.stderr.strip()}",
    )


def _double(n: int) -> int:
    return 2 * n


def _square(n: int) -> int:
    return n * n


def pool_map() -> None:
    """ThreadPoolExecutor.map doubling 1..5, and squares through submit."""
    numbers = [1, 2, 3, 4, 5]
    with futures.ThreadPoolExecutor(max_workers=3) as pool:
        doubled = list(pool.map(_double, numbers))
        squares = [future.result(_WAIT) for future in [pool.submit(_square, n) for n in numbers]]
    print(f"  map(double, {numbers}) = {doubled}")
    print(f"  submit(square, n) for n in {numbers} -> {squares}")
    _check(doubled == [2, 4, 6, 8, 10] and squares == [1, 4, 9, 16, 25], "wrong pool results")


_FILES = 16
_DOWNLOAD_WORKERS = 8
_LATENCY = 0.015  # seconds the server waits before each answer, like a real server's latency


class _SlowItemHandler(http_server.ItemHandler):
    """The whole programs' item server (``GET /item/<n>``), answering after ``_LATENCY`` s."""

    def do_GET(self) -> None:
        time.sleep(_LATENCY)
        super().do_GET()


def downloader() -> None:
    """Files from a local HTTP server, fetched one after another and then by the pool."""
    server = http_server.Server(("127.0.0.1", 0), _SlowItemHandler)
    serving = threading.Thread(target=server.serve_forever, name="http-server", daemon=True)
    serving.start()
    host, port = server.server_address[:2]
    # Only the local server is fetched: no proxy, whatever the environment says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def fetch(n: int) -> bytes:
        with opener.open(f"http://{host!s}:{port}/item/{n}", timeout=_WAIT) as response:
            data: bytes = response.read()
            return data

    try:
        start = time.perf_counter()
        one_by_one = [fetch(n) for n in range(_FILES)]
        sequential = time.perf_counter() - start
        with futures.ThreadPoolExecutor(max_workers=_DOWNLOAD_WORKERS) as pool:
            start = time.perf_counter()
            pooled = list(pool.map(fetch, range(_FILES)))
            parallel = time.perf_counter() - start
    finally:
        server.shutdown()
        server.server_close()
        serving.join(_WAIT)
    size = sum(map(len, one_by_one))
    same = one_by_one == pooled == [http_server.body(n) for n in range(_FILES)]
    print(f"  server: http://{host!s}:{port}/ on a thread, {_LATENCY * 1000:.0f} ms per request")
    print(f"  sequential: {_FILES} files, {size} bytes in {sequential * 1000:.0f} ms")
    print(
        f"  pool of {_DOWNLOAD_WORKERS}: {len(pooled)} files, {sum(map(len, pooled))} bytes"
        f" in {parallel * 1000:.0f} ms ({sequential / parallel:.1f}x faster)"
    )
    print(f"  identical content both ways: {same}")
    _check(same, "the two downloads differ")


_UNMODIFIED_APP = "pipeline"
_UNMODIFIED_SIZE = 20_000


def unmodified() -> None:
    """An unmodified stdlib program (a Queue pipeline), run plainly and under threadkit run."""
    app = next(app for app in _apps.APPS if app.key == _UNMODIFIED_APP)
    runs = {}
    for mode in _apps.MODES:
        argv = _apps.command(app, mode, _UNMODIFIED_SIZE)
        try:
            runs[mode] = _apps.run_once(argv, timeout=_WAIT * 6)
        except _bench.BenchError as error:
            raise DemoError(str(error)) from error
    plain, ours = runs["plain"], runs["threadkit"]
    print(f"  {app.script}: {app.title.lower()}, a plain program that never names threadkit")
    for line in plain.stdout.splitlines():
        print(f"    {line}")
    print(f"  python {app.script} {_UNMODIFIED_SIZE}: {plain.seconds:.2f} s")
    print(
        f"  python -m threadkit run {app.script} {_UNMODIFIED_SIZE}: {ours.seconds:.2f} s"
        f" (plain / threadkit: {plain.seconds / ours.seconds:.1f}x; one run each, start-up"
        " included)"
    )
    same = plain.stdout == ours.stdout
    print(f"  same output both ways: {same}")
    _check(same, f"under threadkit run it printed:\n{ours.stdout}")


def bench() -> None:
    """A short stdlib-vs-threadkit benchmark table (a few cases of bench --quick)."""
    report = _bench.run(_bench.DEMO_CASES, quick=True)
    print(textwrap.indent(_bench.format_report(report), "  "))
    print("  (the full run: python -m threadkit bench)")


@dataclass(frozen=True)
class Demo:
    name: str
    run: Callable[[], None]

    @property
    def title(self) -> str:
        return (self.run.__doc__ or self.name).splitlines()[0].rstrip(".")


DEMOS: tuple[Demo, ...] = tuple(
    Demo(run.__name__, run)
    for run in (
        two_threads,
        counter,
        worker_class,
        event_waiter,
        semaphore_limit,
        daemon_exit,
        pool_map,
        downloader,
        unmodified,
        bench,
    )
)
DEMO_NAMES = tuple(demo.name for demo in DEMOS)


def run(names: tuple[str, ...] = DEMO_NAMES) -> int:
    """Run the named demos in order; 1 if one failed its check (the others still run)."""
    failed = []
    for demo in DEMOS:
        if demo.name not in names:
            continue
        print(f"== {demo.name}: {demo.title}", flush=True)
        try:
            demo.run()
        except DemoError as error:
            print(f"  FAILED: {error}")
            failed.append(demo.name)
        sys.stdout.flush()
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0
