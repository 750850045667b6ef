"""Per-task overhead on a local dask cluster: ``python -m threadkit.dask bench``.

Three ways to run the same trivial calls on one ``LocalCluster`` (on 127.0.0.1, started here):
threadkit's :class:`~threadkit.dask.DaskExecutor`, dask's own ``client.get_executor()``, and
plain ``client.submit``. Each case is measured in rounds that alternate the three in one
process, so they share the machine's state; the table gives the median per-task time and its
ratio to ``get_executor()``'s.
"""

import argparse
import concurrent.futures as std
import importlib.metadata
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import distributed

from threadkit.dask import DaskExecutor

Run = Callable[[distributed.Client, int], None]


def _batch_executor(executor: std.Executor, n: int) -> None:
    fs = [executor.submit(abs, -i) for i in range(n)]
    if sum(f.result() for f in fs) != n * (n - 1) // 2:
        raise AssertionError("wrong results")


def _one_by_one_executor(executor: std.Executor, n: int) -> None:
    for i in range(n):
        if executor.submit(abs, -i).result() != i:
            raise AssertionError("wrong result")


def _batch_submit(client: distributed.Client, n: int) -> None:
    fs = [client.submit(abs, -i, pure=False) for i in range(n)]
    if sum(client.gather(fs)) != n * (n - 1) // 2:
        raise AssertionError("wrong results")


def _one_by_one_submit(client: distributed.Client, n: int) -> None:
    for i in range(n):
        if client.submit(abs, -i, pure=False).result() != i:
            raise AssertionError("wrong result")


def _ways(
    executor_case: Callable[[std.Executor, int], None],
    submit_case: Callable[[distributed.Client, int], None],
) -> dict[str, Run]:
    def threadkit(client: distributed.Client, n: int) -> None:
        with DaskExecutor(client) as executor:
            executor_case(executor, n)

    def get_executor(client: distributed.Client, n: int) -> None:
        executor = client.get_executor(pure=False)
        executor_case(executor, n)
        executor.shutdown()

    return {
        "threadkit DaskExecutor": threadkit,
        "client.get_executor()": get_executor,
        "client.submit": submit_case,
    }


CASES = {
    "batch": ("submit N, then every result", _ways(_batch_executor, _batch_submit)),
    "one-by-one": ("submit, result, N times", _ways(_one_by_one_executor, _one_by_one_submit)),
}


def run(client: distributed.Client, tasks: int, rounds: int) -> dict[str, dict[str, float]]:
    """The median seconds per task of each way, per case."""
    report: dict[str, dict[str, float]] = {}
    for case, (_, ways) in CASES.items():
        times: dict[str, list[float]] = {way: [] for way in ways}
        for way_run in ways.values():
            way_run(client, min(tasks, 50))  # warm-up: imports, pickling, worker caches
        for _ in range(rounds):
            for way, way_run in ways.items():
                start = time.perf_counter()
                way_run(client, tasks)
                times[way].append((time.perf_counter() - start) / tasks)
        report[case] = {way: statistics.median(seconds) for way, seconds in times.items()}
    return report


def format_report(report: dict[str, dict[str, float]], tasks: int, rounds: int) -> str:
    lines = [
        f"per-task time on a LocalCluster, {tasks} tasks x {rounds} rounds, median"
        " (ratio: get_executor's time / this one's; above 1 is faster)",
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" distributed {importlib.metadata.version('distributed')}",
    ]
    for case, timings in report.items():
        lines.append(f"{case}: {CASES[case][0]}")
        reference = timings["client.get_executor()"]
        for way, seconds in timings.items():
            lines.append(f"  {way:<24} {seconds * 1e6:9.1f} us   {reference / seconds:5.2f}x")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m threadkit.dask bench", description=__doc__)
    parser.add_argument("command", choices=["bench"])
    parser.add_argument("--tasks", type=int, default=2000, help="tasks per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker")
    args = parser.parse_args(argv)
    cluster_options: dict[str, Any] = {
        "n_workers": args.workers,
        "threads_per_worker": args.threads,
        "host": "127.0.0.1",
        "scheduler_port": 0,
        "dashboard_address": "127.0.0.1:0",
    }
    with (
        distributed.LocalCluster(**cluster_options) as cluster,
        distributed.Client(cluster) as client,
    ):
        report = run(client, args.tasks, args.rounds)
    print(format_report(report, args.tasks, args.rounds))
    return 0
