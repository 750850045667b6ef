"""Whole programs, run plainly and under ``python -m threadkit run``: ``bench --apps``.

Each program in this package is a plain standard-library script that never names threadkit: it
imports ``threading``, ``queue``, ``concurrent.futures``, ``asyncio`` or ``logging`` and takes its
size (and the HTTP fetcher its server's address) from the command line. The bench runs each one as
``python SCRIPT ARGS`` and as ``python -m threadkit run SCRIPT ARGS``, alternated, every run a
fresh subprocess, for a warm-up round and then several rounds; the result per mode is the median
wall time of its runs, and the ratio is plain median / threadkit median (above 1, the program ran
faster under threadkit). Every run must print exactly what the first one printed, so a program that
behaves differently under threadkit fails the bench instead of being timed.
"""

import contextlib
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from threadkit import _machine
from threadkit._bench import (
    Bench,
    BenchError,
    Progress,
    Report,
    chosen,
    compare,
    measured,
    rounds,
)

HERE = Path(__file__).resolve().parent
MODES = ("plain", "threadkit")
# `python -m threadkit run SCRIPT ARGS` runs SCRIPT as `python SCRIPT ARGS` would, with threadkit's
# classes installed into threading, queue and concurrent.futures first.
RUNNERS: dict[str, tuple[str, ...]] = {
    "plain": (sys.executable,),
    "threadkit": (sys.executable, "-m", "threadkit", "run"),
}
# A bound on one run, so a hung program fails the bench instead of hanging it.
RUN_TIMEOUT = 300.0


@dataclass(frozen=True)
class App:
    """One program of this package, with its sizes and the ratio the project aims for."""

    key: str
    title: str
    script: str
    size: int
    quick_size: int
    target: float
    needs_server: bool = False  # its first argument is the base URL of ``http_server.py``

    @property
    def path(self) -> Path:
        return HERE / self.script


APPS: tuple[App, ...] = (
    App(
        key="pipeline",
        title="Queue pipeline: 4 stages, 3 bounded queues",
        script="pipeline.py",
        size=100_000,
        quick_size=1_000,
        target=4.0,
    ),
    App(
        key="small_tasks",
        title="pool of small tasks read through as_completed (4 workers)",
        script="small_tasks.py",
        size=100_000,
        quick_size=1_000,
        target=3.0,
    ),
    App(
        key="to_thread",
        title="asyncio.to_thread fan-out: every call gathered at once",
        script="to_thread_fanout.py",
        size=20_000,
        quick_size=1_000,
        target=2.5,
    ),
    App(
        key="http_fetch",
        title="HTTP fetcher pool (16 threads, urllib) against a local server",
        script="http_fetch.py",
        size=2_000,
        quick_size=50,
        target=1.5,
        needs_server=True,
    ),
    App(
        key="queue_logging",
        title="4 threads logging through QueueHandler and a QueueListener",
        script="queue_logging.py",
        size=25_000,
        quick_size=500,
        target=1.2,
    ),
)
APP_KEYS = tuple(app.key for app in APPS)

REPEATS = 5
QUICK_REPEATS = 1
WARMUP = 1
QUICK_WARMUP = 0


def command(app: App, mode: str, size: int, server_url: str | None = None) -> list[str]:
    """The command line that runs ``app`` in ``mode`` (one of ``MODES``)."""
    if app.needs_server and server_url is None:
        raise BenchError(f"{app.key} needs the local server's URL")
    server = [server_url] if app.needs_server and server_url is not None else []
    return [*RUNNERS[mode], str(app.path), *server, str(size)]


@dataclass(frozen=True)
class Run:
    """One finished run of a program: its wall time and CPU time (start-up included) and what
    it printed."""

    seconds: float
    cpu_seconds: float  # user + system, every thread of the process
    stdout: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the children waited for so far
    return usage.ru_utime + usage.ru_stime


def run_once(argv: Sequence[str], timeout: float = RUN_TIMEOUT) -> Run:
    """Run ``argv`` in a fresh subprocess; a failure or a time-out is a :class:`BenchError`."""
    cpu = _children_cpu()
    start = time.perf_counter()
    try:
        child = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{' '.join(argv)} did not finish in {timeout:.0f} s") from error
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if child.returncode != 0:
        raise BenchError(
            f"{' '.join(argv)} exited with code {child.returncode}:\n{child.stderr.strip()}"
        )
    return Run(seconds, cpu, child.stdout)


@contextlib.contextmanager
def local_server(timeout: float = 30.0) -> Iterator[str]:
    """``http_server.py`` on 127.0.0.1, run plainly for both modes; yields its base URL."""
    server = subprocess.Popen(
        [sys.executable, str(HERE / "http_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline().split()
        if first[:2] != ["serving", "on"] or len(first) != 3:
            raise BenchError(f"the local HTTP server did not start (it printed {first!r})")
        yield first[2]
    finally:
        if server.stdin is not None:
            server.stdin.close()  # the server stops when its standard input closes
        try:
            server.wait(timeout)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout)
        if server.stdout is not None:
            server.stdout.close()


@dataclass(frozen=True)
class AppResult:
    """One program's runs in every mode, their medians and the ratio plain / threadkit."""

    key: str
    title: str
    script: str
    size: int
    target: float
    commands: dict[str, list[str]]
    output: str  # what every run printed (they all printed the same)
    warmup: dict[str, list[float]]
    runs: dict[str, list[float]]
    median: dict[str, float]
    ratio: float | None
    met: bool
    # CPU time (user + system) of the same timed runs: less disturbed by other processes than
    # wall time, but it counts a waiting thread's spinning too.
    cpu: dict[str, list[float]]
    cpu_median: dict[str, float]
    cpu_ratio: float | None


def measure(
    app: App, size: int, rounds: int, warmup: int, server_url: str | None, progress: Progress
) -> AppResult:
    """Run ``app`` ``warmup + rounds`` times in each mode, alternated, and check every output."""
    commands = {mode: command(app, mode, size, server_url) for mode in MODES}
    warmups: dict[str, list[float]] = {mode: [] for mode in MODES}
    runs: dict[str, list[float]] = {mode: [] for mode in MODES}
    cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
    output: str | None = None
    progress.start(app.key, size)
    for round_ in range(warmup + rounds):
        for mode in MODES:  # alternated: plain, threadkit, plain, threadkit, ...
            run = run_once(commands[mode])
            if output is None:
                output = run.stdout
            elif run.stdout != output:
                raise BenchError(
                    f"{app.script} printed something else under {mode}:\n{run.stdout}\n"
                    f"than it printed first:\n{output}"
                )
            if round_ < warmup:
                warmups[mode].append(run.seconds)
            else:
                runs[mode].append(run.seconds)
                cpu[mode].append(run.cpu_seconds)
            progress.write(".")
    median, ratio = compare(runs, MODES)
    cpu_median, cpu_ratio = compare(cpu, MODES)
    progress.done(ratio)
    return AppResult(
        key=app.key,
        title=app.title,
        script=app.script,
        size=size,
        target=app.target,
        commands=commands,
        output=output or "",
        warmup=warmups,
        runs=runs,
        median=median,
        ratio=ratio,
        met=ratio is not None and ratio >= app.target,
        cpu=cpu,
        cpu_median=cpu_median,
        cpu_ratio=cpu_ratio,
    )


@dataclass(frozen=True)
class AppsMethod:
    quick: bool
    warmup_rounds: int
    rounds: int
    scale: float
    order: tuple[str, ...]
    runners: dict[str, list[str]]
    timer: str
    statistic: str
    ratio: str


def run(
    keys: Sequence[str] = APP_KEYS,
    *,
    quick: bool = False,
    repeats: int | None = None,
    scale: float = 1.0,
    progress: TextIO | None = sys.stderr,
) -> Report[AppsMethod, AppResult]:
    """Run the programs named by ``keys`` (in the order of ``APPS``) and return every number."""
    apps = chosen(APPS, keys, "program(s)")
    method = AppsMethod(
        quick=quick,
        warmup_rounds=QUICK_WARMUP if quick else WARMUP,
        rounds=rounds(repeats, quick, full=REPEATS, quick_rounds=QUICK_REPEATS),
        scale=scale,
        order=MODES,
        runners={mode: list(runner) for mode, runner in RUNNERS.items()},
        timer="time.perf_counter around each subprocess: the whole program, start-up included;"
        " CPU: the child's user + system time (getrusage)",
        statistic="median of the rounds",
        ratio="plain median / threadkit median",
    )
    bar = Progress(progress, len(apps))

    def measure_all() -> list[AppResult]:
        with contextlib.ExitStack() as stack:
            needs_server = any(app.needs_server for app in apps)
            url = stack.enter_context(local_server()) if needs_server else None
            return [
                measure(
                    app,
                    max(1, round((app.quick_size if quick else app.size) * scale)),
                    method.rounds,
                    method.warmup_rounds,
                    url,
                    bar,
                )
                for app in apps
            ]

    return measured(method, measure_all)


def _ratio(value: float | None) -> str:
    return f"{value:.2f}x" if value is not None else "n/a"


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def format_report(report: Report[AppsMethod, AppResult]) -> str:
    """The table: a header naming the machine and the method, then one row per program."""
    machine, method = report.machine, report.method
    lines = [
        "threadkit bench --apps: unmodified programs, run plainly and under threadkit run",
        _machine.python_line(machine),
        _machine.machine_line(machine),
        _machine.load_line(machine.load_average, report.load_average_after),
        f"method: per program {method.warmup_rounds} warm-up round(s) then {method.rounds}"
        f" round(s), each running {' then '.join(method.order)}, every run a fresh subprocess;",
        "  plain: python SCRIPT ARGS; threadkit: python -m threadkit run SCRIPT ARGS"
        " (the same output required);",
        "  the median of each one's rounds (wall time of the whole process, start-up included);",
        "  ratio = plain median / threadkit median (above 1.00 threadkit is faster);"
        " cpu ratio: the same of user + system CPU time"
        + (", --quick sizes" if method.quick else ""),
        "",
    ]
    width = max((len(app.title) for app in report.cases), default=10)
    lines.append(
        f"{'program':<{width}}  {'size':>7}  {'plain':>9}  {'threadkit':>9}  {'ratio':>7}"
        f"  {'target':>8}  met  {'cpu ratio':>9}"
    )
    for app in report.cases:
        ratio = _ratio(app.ratio)
        lines.append(
            f"{app.title:<{width}}  {app.size:>7}  {_seconds(app.median['plain']):>9}"
            f"  {_seconds(app.median['threadkit']):>9}  {ratio:>7}  {f'>= {app.target:.1f}x':>8}"
            f"  {'yes' if app.met else 'NO ':<3}  {_ratio(app.cpu_ratio):>9}"
        )
    met = sum(app.met for app in report.cases)
    lines += ["", f"targets met: {met} of {len(report.cases)} measured; {report.seconds:.1f} s"]
    return "\n".join(lines)


BENCH = Bench(
    name="threadkit bench --apps",
    what="program",
    keys=APP_KEYS,
    run=run,
    table=format_report,
    xlabel="plain time / time under threadkit run",
)
