"""Per-task overhead on a local dask cluster: ``python -m threadkit.dask bench``.

Three ways to run the same trivial calls on one ``LocalCluster`` (on 127.0.0.1, started here):
threadkit's :class:`~threadkit.dask.DaskExecutor`, dask's own ``client.get_executor()``, and
plain ``client.submit``. Each case is a warm-up round then timed rounds that alternate the three
in this process, so they share the machine's state; the table gives each way's median time per
task and the ratio ``get_executor()``'s median / the way's (above 1 the way is faster). The
target is threadkit's ratio: at least 1, no slower than ``get_executor()``.

A task on a cluster costs milliseconds (a round trip through the scheduler), so the sizes are
hundreds of tasks, not the micro bench's hundreds of thousands: the default run takes some 30 s,
with a line of progress per case on stderr. The header, ``--json`` and ``--plot`` are those of
``python -m threadkit bench`` (``threadkit._bench``, ``threadkit._machine``).
"""

import argparse
import concurrent.futures as std
import contextlib
import importlib.metadata
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TextIO

import distributed

from threadkit import _bench, _machine
from threadkit.dask import DaskExecutor

REPEATS = 3
QUICK_REPEATS = 2
WARMUP = 1
TARGET = 1.0  # threadkit's time no more than get_executor()'s
REFERENCE = "client.get_executor()"
THREADKIT = "threadkit DaskExecutor"


@dataclass(frozen=True)
class Way:
    """One way to run calls on the cluster: an executor-like object, and how to get results."""

    name: str
    start: Callable[[distributed.Client], contextlib.AbstractContextManager[Any]]
    gather: Callable[[distributed.Client, list[Any]], list[Any]]


@contextlib.contextmanager
def _get_executor(client: distributed.Client) -> Iterator[std.Executor]:
    executor = client.get_executor(pure=False)
    try:
        yield executor
    finally:
        executor.shutdown()


class _Submit:
    """Plain ``client.submit``, without deduplication (``pure=False``), as the other two."""

    def __init__(self, client: distributed.Client) -> None:
        self.client = client

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> "distributed.Future[Any]":
        return self.client.submit(fn, *args, pure=False)

    def __enter__(self) -> "_Submit":
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def _results(client: distributed.Client, fs: list[Any]) -> list[Any]:
    return [f.result() for f in fs]


WAYS = (
    Way(THREADKIT, lambda client: DaskExecutor(client), _results),
    Way(REFERENCE, _get_executor, _results),
    Way("client.submit", _Submit, lambda client, fs: list(client.gather(fs))),
)


def _batch(way: Way, client: distributed.Client, executor: Any, n: int) -> None:
    fs = [executor.submit(abs, -i) for i in range(n)]
    if sum(way.gather(client, fs)) != n * (n - 1) // 2:
        raise _bench.BenchError(f"{way.name}: wrong results")


def _one_by_one(way: Way, client: distributed.Client, executor: Any, n: int) -> None:
    for i in range(n):
        if way.gather(client, [executor.submit(abs, -i)]) != [i]:
            raise _bench.BenchError(f"{way.name}: wrong result")


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    size: int  # tasks per round
    quick_size: int
    run: Callable[[Way, distributed.Client, Any, int], None]


CASES = (
    Case("batch", "submit N, then every result", 300, 60, _batch),
    Case("one-by-one", "submit, then its result, N times", 60, 15, _one_by_one),
)
CASE_KEYS = tuple(case.key for case in CASES)


@dataclass(frozen=True)
class Method:
    cluster: str
    distributed: str
    quick: bool
    warmup_rounds: int
    rounds: int
    scale: float
    order: tuple[str, ...]
    timer: str
    statistic: str
    ratio: str


@dataclass(frozen=True)
class CaseResult:
    """One case's rounds per way, their medians, and each way's ratio to ``get_executor()``."""

    key: str
    title: str
    unit: str
    size: int
    target: float
    warmup: dict[str, list[float]]
    runs: dict[str, list[float]]
    cpu_runs: dict[str, list[float]]  # this process's CPU time (client and scheduler) per round
    median: dict[str, float]
    cpu_median: dict[str, float]
    ratios: dict[str, float]
    ratio: float | None  # threadkit's, which the target is about
    met: bool


def _timed(case: Case, way: Way, client: distributed.Client, size: int) -> tuple[float, float]:
    """Wall and CPU seconds of one round; making and shutting down the executor is not timed."""
    with way.start(client) as executor:
        wall, cpu = time.perf_counter(), time.process_time()
        case.run(way, client, executor, size)
        return time.perf_counter() - wall, time.process_time() - cpu


def _measure(
    case: Case, client: distributed.Client, size: int, repeats: int, progress: _bench.Progress
) -> CaseResult:
    warmup: dict[str, list[float]] = {way.name: [] for way in WAYS}
    runs: dict[str, list[float]] = {way.name: [] for way in WAYS}
    cpu_runs: dict[str, list[float]] = {way.name: [] for way in WAYS}
    progress.start(case.key, size)
    for round_ in range(WARMUP + repeats):
        for way in WAYS:  # alternated, so all three share the machine's state
            wall, cpu = _timed(case, way, client, size)
            if round_ < WARMUP:
                warmup[way.name].append(wall)
            else:
                runs[way.name].append(wall)
                cpu_runs[way.name].append(cpu)
            progress.write(".")
    median = {name: statistics.median(seconds) for name, seconds in runs.items()}
    cpu_median = {name: statistics.median(seconds) for name, seconds in cpu_runs.items()}
    ratios = {name: median[REFERENCE] / seconds for name, seconds in median.items() if seconds > 0}
    ratio = ratios.get(THREADKIT)
    progress.done(ratio)
    return CaseResult(
        key=case.key,
        title=case.title,
        unit="task",
        size=size,
        target=TARGET,
        warmup=warmup,
        runs=runs,
        cpu_runs=cpu_runs,
        median=median,
        cpu_median=cpu_median,
        ratios=ratios,
        ratio=ratio,
        met=ratio is not None and ratio >= TARGET,
    )


@dataclass(frozen=True)
class Cluster:
    """The ``LocalCluster`` a run starts when it is given no client."""

    workers: int = 1
    threads: int = 2
    processes: bool = True

    def describe(self) -> str:
        where = "worker process(es)" if self.processes else "in-process worker(s)"
        return f"LocalCluster on 127.0.0.1, {self.workers} {where} x {self.threads} threads"

    @contextlib.contextmanager
    def client(self, progress: TextIO | None) -> Iterator[distributed.Client]:
        if progress is not None:
            progress.write(f"starting a {self.describe()}\n")
            progress.flush()
        with (
            distributed.LocalCluster(
                n_workers=self.workers,
                threads_per_worker=self.threads,
                processes=self.processes,
                host="127.0.0.1",
                protocol="tcp",  # (in-process workers would talk over inproc:// otherwise)
                scheduler_port=0,
                dashboard_address="127.0.0.1:0",
            ) as cluster,
            distributed.Client(cluster, set_as_default=False) as client,
        ):
            client.wait_for_workers(self.workers, timeout=60)
            yield client


def run(
    keys: Sequence[str] = CASE_KEYS,
    *,
    quick: bool = False,
    repeats: int | None = None,
    scale: float = 1.0,
    client: distributed.Client | None = None,
    cluster: Cluster = Cluster(),
    progress: TextIO | None = sys.stderr,
) -> _bench.Report[Method, CaseResult]:
    """Run the cases named by ``keys`` on ``client``'s cluster, or on a ``cluster`` started
    (and closed) here; every number."""
    cases = _bench.chosen(CASES, keys, "bench case(s)")
    repeats = _bench.rounds(repeats, quick, full=REPEATS, quick_rounds=QUICK_REPEATS)
    sizes = [max(1, round((case.quick_size if quick else case.size) * scale)) for case in cases]
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(cluster.client(progress))
            where = cluster.describe()
        else:
            workers = client.nthreads()
            where = f"the given client's, {len(workers)} worker(s), {sum(workers.values())} threads"
        method = Method(
            cluster=where,
            distributed=importlib.metadata.version("distributed"),
            quick=quick,
            warmup_rounds=WARMUP,
            rounds=repeats,
            scale=scale,
            order=tuple(way.name for way in WAYS),
            timer="time.perf_counter around the calls; the executor made and shut down untimed",
            statistic="median of the rounds",
            ratio="get_executor() median / the way's median",
        )
        bar = _bench.Progress(progress, len(cases))
        measured_client = client
        return _bench.measured(
            method,
            lambda: [
                _measure(case, measured_client, size, repeats, bar)
                for case, size in zip(cases, sizes, strict=True)
            ],
        )


def format_report(report: _bench.Report[Method, CaseResult]) -> str:
    """The table: the machine, the method, then per case one row per way."""
    machine, method = report.machine, report.method
    lines = [
        "threadkit.dask bench: per-task time on a dask cluster, three ways, in one process",
        _machine.python_line(machine),
        _machine.machine_line(machine),
        _machine.load_line(machine.load_average, report.load_average_after),
        f"cluster: {method.cluster}; distributed {method.distributed}",
        f"method: per case {method.warmup_rounds} warm-up round then {method.rounds} rounds,"
        f" each running {', then '.join(method.order)} (alternated, same process);",
        "  the median of each one's rounds (wall time of the calls, not of making the executor),"
        " shown per task; cpu: this process's (client, scheduler) CPU time per task, median;",
        f"  ratio = {REFERENCE} median / the way's median (above 1.00 faster); target for"
        f" threadkit >= {TARGET:.1f}x" + (", --quick sizes" if method.quick else ""),
        "",
    ]
    width = max(len(way.name) for way in WAYS)
    for case in report.cases:
        lines.append(f"{case.key}: {case.title} (N = {case.size})")
        for name, seconds in case.median.items():
            ratio = case.ratios.get(name)
            shown = f"{ratio:.2f}x" if ratio is not None else "n/a"
            wall = _bench._per_op(seconds, case.size)
            cpu = _bench._per_op(case.cpu_median[name], case.size)
            lines.append(f"  {name:<{width}}  {wall:>9}  {shown:>6}   cpu {cpu:>9}")
        lines.append(f"  target met: {'yes' if case.met else 'NO'}")
    met = sum(case.met for case in report.cases)
    lines += ["", f"targets met: {met} of {len(report.cases)} measured; {report.seconds:.1f} s"]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m threadkit.dask",
        description="Per-task overhead of threadkit's DaskExecutor against client.get_executor()"
        " and plain client.submit on a LocalCluster it starts. Progress goes to stderr.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{bench}", required=True)
    bench = commands.add_parser("bench", help="the three ways side by side")
    _bench.add_options(bench)
    bench.add_argument(
        "--case", action="append", choices=CASE_KEYS, metavar="KEY", help=", ".join(CASE_KEYS)
    )
    bench.add_argument("--workers", type=int, default=1, help="workers (default 1)")
    bench.add_argument("--threads", type=int, default=2, help="threads per worker (default 2)")
    bench.add_argument(
        "--in-process", action="store_true", help="workers in this process, not in their own"
    )
    return parser


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    cluster = Cluster(args.workers, args.threads, processes=not args.in_process)
    bench = _bench.Bench(
        name="threadkit.dask bench",
        what="case",
        keys=CASE_KEYS,
        run=partial(run, cluster=cluster, progress=sys.stderr),
        table=format_report,
        xlabel="get_executor() time / DaskExecutor time",
    )
    return _bench.main_with_options(bench, args)
