"""``python -m threadkit bench``: the standard library and threadkit side by side, in one process.

Every case is one small workload written once against a set of modules (``threading``, ``queue``,
``concurrent.futures`` or their threadkit replacements) and run on both sets, alternated in the
same process: a warm-up round, then rounds of stdlib, threadkit, stdlib, threadkit, ... The
result per implementation is the median wall time of its rounds, and the ratio is
stdlib median / threadkit median, so above 1 threadkit is faster. Each case names the ratio the
project aims for (its target).
"""

import concurrent.futures as _std_futures
import contextvars
import gc
import importlib
import json
import os
import platform
import queue as _std_queue
import statistics
import sys
import threading as _std_threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

import threadkit.futures
import threadkit.queue
import threadkit.threading

# Both pools get the same number of workers: the cores of a small machine, and fewer than either
# pool's default, so the default (which differs across Python versions) plays no part.
POOL_WORKERS = 2
# A bound on every wait in a case, so a broken primitive fails the bench instead of hanging it.
_WAIT = 30.0


class BenchError(Exception):
    """A case that did not do its work, or a missing optional dependency (matplotlib)."""


@dataclass(frozen=True)
class Impl:
    """One implementation under test: the three modules a case may use."""

    name: str
    threading: ModuleType
    queue: ModuleType
    futures: ModuleType


IMPL_NAMES = ("stdlib", "threadkit")


def implementations() -> tuple[Impl, Impl]:
    """The standard library's modules and threadkit's."""
    stdlib = Impl(IMPL_NAMES[0], _std_threading, _std_queue, _std_futures)
    ours = Impl(IMPL_NAMES[1], threadkit.threading, threadkit.queue, threadkit.futures)
    return stdlib, ours


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise BenchError(f"a bench case did not do its work: {what}")


def _identity(value: int) -> int:
    return value


def _pool(impl: Impl, **options: Any) -> Any:
    """A started pool of ``POOL_WORKERS`` threads (each ran a task), so runs time no start-up;
    ``options`` go to the constructor."""
    pool = impl.futures.ThreadPoolExecutor(max_workers=POOL_WORKERS, **options)
    for future in [pool.submit(_identity, 0) for _ in range(POOL_WORKERS)]:
        future.result(_WAIT)
    return pool


def _pool_submit(impl: Impl, n: int) -> float:
    with _pool(impl) as pool:
        start = time.perf_counter()
        futures = [pool.submit(_identity, i) for i in range(n)]
        total = 0
        for future in futures:
            total += future.result()
        elapsed = time.perf_counter() - start
    _check(total == n * (n - 1) // 2, "submit+result")
    return elapsed


def _pool_map(impl: Impl, n: int) -> float:
    with _pool(impl) as pool:
        start = time.perf_counter()
        total = sum(pool.map(_identity, range(n)))
        elapsed = time.perf_counter() - start
    _check(total == n * (n - 1) // 2, "map")
    return elapsed


def _pool_as_completed(impl: Impl, n: int) -> float:
    with _pool(impl) as pool:
        start = time.perf_counter()
        futures = [pool.submit(_identity, i) for i in range(n)]
        total = 0
        for future in impl.futures.as_completed(futures):
            total += future.result()
        elapsed = time.perf_counter() - start
    _check(total == n * (n - 1) // 2, "as_completed")
    return elapsed


def _acquire_release(factory: Callable[[], Any], n: int) -> float:
    primitive = factory()
    acquire, release = primitive.acquire, primitive.release
    start = time.perf_counter()
    for _ in range(n):
        acquire()
        release()
    elapsed = time.perf_counter() - start
    _check(acquire(False), "acquire+release left it acquired")
    return elapsed


def _semaphore(impl: Impl, n: int) -> float:
    return _acquire_release(impl.threading.Semaphore, n)


def _bounded_semaphore(impl: Impl, n: int) -> float:
    return _acquire_release(impl.threading.BoundedSemaphore, n)


def _lock(impl: Impl, n: int) -> float:
    return _acquire_release(impl.threading.Lock, n)


def _rlock(impl: Impl, n: int) -> float:
    return _acquire_release(impl.threading.RLock, n)


def _queue_put_get(impl: Impl, n: int) -> float:
    items = impl.queue.Queue()
    put, get = items.put, items.get
    total = 0
    start = time.perf_counter()
    for i in range(n):
        put(i)
        total += get()
    elapsed = time.perf_counter() - start
    _check(total == n * (n - 1) // 2, "put+get")
    return elapsed


def _partner(target: Callable[[], None]) -> tuple[_std_threading.Thread, list[BaseException]]:
    """Start ``target`` in a thread (the same ``Thread`` class for both: threadkit's is the
    stdlib's); failures are collected in the returned list."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as error:
            errors.append(error)

    thread = _std_threading.Thread(target=run, name="bench-partner", daemon=True)
    thread.start()
    return thread, errors


def _join(thread: _std_threading.Thread, errors: list[BaseException]) -> None:
    thread.join(_WAIT)
    _check(not thread.is_alive(), "the partner thread did not finish")
    if errors:
        raise BenchError("the partner thread failed") from errors[0]


def _queue_pipe(impl: Impl, n: int) -> float:
    items = impl.queue.Queue(maxsize=256)

    def produce() -> None:
        put = items.put
        for i in range(n):
            put(i, True, _WAIT)
        put(None, True, _WAIT)

    start = time.perf_counter()
    thread, errors = _partner(produce)
    get = items.get
    total = 0
    while (item := get(True, _WAIT)) is not None:
        total += item
    elapsed = time.perf_counter() - start
    _join(thread, errors)
    _check(total == n * (n - 1) // 2, "producer -> consumer")
    return elapsed


def _event_ping_pong(impl: Impl, n: int) -> float:
    ping, pong = impl.threading.Event(), impl.threading.Event()

    def answer() -> None:
        for _ in range(n):
            _check(ping.wait(_WAIT), "ping never came")
            ping.clear()
            pong.set()

    thread, errors = _partner(answer)
    start = time.perf_counter()
    for _ in range(n):
        ping.set()
        _check(pong.wait(_WAIT), "pong never came")
        pong.clear()
    elapsed = time.perf_counter() - start
    _join(thread, errors)
    return elapsed


def _condition_ping_pong(impl: Impl, n: int) -> float:
    condition = impl.threading.Condition()
    turn = [0]  # 1: the partner's turn, 0: the main thread's

    def answer() -> None:
        with condition:
            for _ in range(n):
                while turn[0] != 1:
                    _check(condition.wait(_WAIT), "the main thread never passed the turn")
                turn[0] = 0
                condition.notify()

    thread, errors = _partner(answer)
    start = time.perf_counter()
    with condition:
        for _ in range(n):
            turn[0] = 1
            condition.notify()
            while turn[0] != 0:
                _check(condition.wait(_WAIT), "the partner never passed the turn back")
    elapsed = time.perf_counter() - start
    _join(thread, errors)
    return elapsed


def _barrier_ping_pong(impl: Impl, n: int) -> float:
    barrier = impl.threading.Barrier(2)

    def answer() -> None:
        for _ in range(n):
            barrier.wait(_WAIT)

    thread, errors = _partner(answer)
    start = time.perf_counter()
    for _ in range(n):
        barrier.wait(_WAIT)
    elapsed = time.perf_counter() - start
    _join(thread, errors)
    return elapsed


class _LockedIterator:
    """The obvious thread-safe iterator: ``with lock: return next(it)`` (what 3.15's
    ``threading.serialize_iterator`` is, in Python)."""

    def __init__(self, iterable: Iterable[int], lock: Any) -> None:
        self._iterator = iter(iterable)
        self._lock = lock

    def __iter__(self) -> "_LockedIterator":
        return self

    def __next__(self) -> int:
        with self._lock:
            return next(self._iterator)


def _serialized(impl: Impl, iterable: Iterable[int]) -> Iterator[int]:
    """``impl``'s ``serialize_iterator``, or the locked wrapper where it has none (before 3.15)."""
    serialize = getattr(impl.threading, "serialize_iterator", None)
    if serialize is None:
        return _LockedIterator(iterable, impl.threading.Lock())
    return serialize(iterable)  # type: ignore[no-any-return]


def _serialize_iterator(impl: Impl, n: int) -> float:
    def numbers() -> Iterator[int]:
        yield from range(n)

    shared = _serialized(impl, numbers())
    totals: list[int] = []
    threads = [
        _std_threading.Thread(target=lambda: totals.append(sum(shared)), name="bench-drain")
        for _ in range(4)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(_WAIT)
    elapsed = time.perf_counter() - start
    _check(sum(totals) == n * (n - 1) // 2 and len(totals) == 4, "serialized next()")
    return elapsed


def _pool_submit_context(impl: Impl, n: int) -> float:
    """Submit+result with each call in a copy of the submitter's context: threadkit's opt-in,
    and for the stdlib the usual ``submit(contextvars.copy_context().run, fn, ...)``."""
    propagates = impl.futures is threadkit.futures
    with _pool(impl, propagate_context=True) if propagates else _pool(impl) as pool:
        start = time.perf_counter()
        if propagates:
            futures = [pool.submit(_identity, i) for i in range(n)]
        else:
            copy = contextvars.copy_context
            futures = [pool.submit(copy().run, _identity, i) for i in range(n)]
        total = 0
        for future in futures:
            total += future.result()
        elapsed = time.perf_counter() - start
    _check(total == n * (n - 1) // 2, "submit+result in copied contexts")
    return elapsed


@dataclass(frozen=True)
class Case:
    """One workload: ``run(impl, size)`` does ``size`` operations and returns the seconds taken."""

    key: str
    title: str
    unit: str
    target: float  # the stdlib/threadkit ratio aimed for
    size: int
    quick_size: int
    run: Callable[[Impl, int], float] = field(repr=False)


_POOL = f"{POOL_WORKERS} workers"
CASES: tuple[Case, ...] = (
    Case(
        "pool_submit",
        f"ThreadPoolExecutor: submit all, then every result ({_POOL})",
        "task",
        8.0,
        50_000,
        5_000,
        _pool_submit,
    ),
    Case(
        "pool_map",
        f"ThreadPoolExecutor.map ({_POOL})",
        "item",
        10.0,
        50_000,
        5_000,
        _pool_map,
    ),
    Case(
        "pool_as_completed",
        f"submit all, then as_completed ({_POOL})",
        "future",
        8.0,
        50_000,
        5_000,
        _pool_as_completed,
    ),
    Case(
        "semaphore",
        "Semaphore acquire+release, one thread",
        "pair",
        5.0,
        200_000,
        20_000,
        _semaphore,
    ),
    Case(
        "bounded_semaphore",
        "BoundedSemaphore acquire+release, one thread",
        "pair",
        5.0,
        200_000,
        20_000,
        _bounded_semaphore,
    ),
    Case(
        "queue_put_get", "Queue put+get, one thread", "item", 5.0, 100_000, 10_000, _queue_put_get
    ),
    Case(
        "queue_pipe",
        "Queue(maxsize=256) producer -> consumer, 2 threads",
        "item",
        3.0,
        50_000,
        5_000,
        _queue_pipe,
    ),
    Case("lock", "Lock acquire+release, one thread", "pair", 1.0, 1_000_000, 100_000, _lock),
    Case("rlock", "RLock acquire+release, one thread", "pair", 1.0, 1_000_000, 100_000, _rlock),
    Case(
        "event_ping_pong",
        "Event ping-pong, 2 threads",
        "round trip",
        1.5,
        5_000,
        500,
        _event_ping_pong,
    ),
    Case(
        "condition_ping_pong",
        "Condition ping-pong, 2 threads",
        "round trip",
        1.5,
        5_000,
        500,
        _condition_ping_pong,
    ),
    Case(
        "barrier_ping_pong",
        "Barrier(2) ping-pong, 2 threads",
        "round trip",
        1.5,
        5_000,
        500,
        _barrier_ping_pong,
    ),
    Case(
        "pool_submit_context",
        f"submit all with the context propagated, then every result ({_POOL})",
        "task",
        8.0,
        50_000,
        5_000,
        _pool_submit_context,
    ),
    Case(
        "serialize_iterator",
        "serialize_iterator: 4 threads drain one generator (stdlib: with lock: next)",
        "item",
        1.5,
        200_000,
        20_000,
        _serialize_iterator,
    ),
)
CASE_KEYS = tuple(case.key for case in CASES)
# The few cases `python -m threadkit` ends with.
DEMO_CASES = ("pool_submit", "semaphore", "queue_put_get", "event_ping_pong")

REPEATS = 5
QUICK_REPEATS = 3
WARMUP = 1


def _first_line(path: str, prefix: str) -> str | None:
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _load() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict[str, Any]:
    """What the numbers depend on: the interpreter, the CPUs, the memory and the load."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = _first_line("/proc/meminfo", "MemTotal")
    memory_gib = None
    if memory and memory.endswith(" kB"):
        memory_gib = round(int(memory[:-3]) / 2**20, 1)
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_build": sys.version.replace("\n", " "),
        "gil": "enabled" if is_gil_enabled is None or is_gil_enabled() else "disabled",
        "platform": platform.platform(),
        "cpus": cpus,
        "cpu_model": _first_line("/proc/cpuinfo", "model name") or platform.processor() or None,
        "memory_gib": memory_gib,
        "load_average": _load(),
    }


class _Progress:
    """One line per case on a stream (stderr), a dot per run."""

    def __init__(self, stream: TextIO | None, total: int) -> None:
        self.stream, self.total, self.index = stream, total, 0

    def start(self, case: Case, size: int) -> None:
        self.index += 1
        self.write(f"bench [{self.index}/{self.total}] {case.key} (size {size}) ")

    def write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()


def _timed(case: Case, impl: Impl, size: int) -> float:
    gc.collect()
    gc.disable()
    try:
        return case.run(impl, size)
    finally:
        gc.enable()


def _measure(
    case: Case, impls: Sequence[Impl], size: int, repeats: int, progress: _Progress
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "key": case.key,
        "title": case.title,
        "unit": case.unit,
        "size": size,
        "target": case.target,
        "warmup": {impl.name: [] for impl in impls},
        "runs": {impl.name: [] for impl in impls},
        "median": {},
        "ratio": None,
        "met": None,
    }
    progress.start(case, size)
    for round_ in range(WARMUP + repeats):
        for impl in impls:  # alternated: stdlib, threadkit, stdlib, threadkit, ...
            elapsed = _timed(case, impl, size)
            result["warmup" if round_ < WARMUP else "runs"][impl.name].append(elapsed)
            progress.write(".")
    medians = {name: statistics.median(runs) for name, runs in result["runs"].items()}
    result["median"] = medians
    stdlib, ours = (medians[impl.name] for impl in impls)
    result["ratio"] = stdlib / ours if ours > 0 else None
    result["met"] = result["ratio"] is not None and result["ratio"] >= case.target
    progress.write(f" ratio {result['ratio']:.2f}\n" if result["ratio"] else "\n")
    return result


def run(
    keys: Sequence[str] = CASE_KEYS,
    *,
    quick: bool = False,
    repeats: int | None = None,
    scale: float = 1.0,
    progress: TextIO | None = sys.stderr,
) -> dict[str, Any]:
    """Run the cases named by ``keys`` (in the order of ``CASES``) and return every number."""
    unknown = set(keys) - set(CASE_KEYS)
    if unknown:
        raise BenchError(f"unknown bench case(s): {', '.join(sorted(unknown))}")
    cases = [case for case in CASES if case.key in keys]
    repeats = repeats if repeats is not None else QUICK_REPEATS if quick else REPEATS
    if repeats < 1:
        raise BenchError("repeats must be at least 1")
    impls = implementations()
    report: dict[str, Any] = {
        "machine": machine(),
        "method": {
            "quick": quick,
            "warmup_rounds": WARMUP,
            "rounds": repeats,
            "scale": scale,
            "order": [impl.name for impl in impls],
            "pool_workers": POOL_WORKERS,
            "timer": "time.perf_counter, gc collected before and disabled during each run",
            "statistic": "median of the rounds",
            "ratio": "stdlib median / threadkit median",
        },
        "cases": [],
    }
    bar = _Progress(progress, len(cases))
    start = time.perf_counter()
    for case in cases:
        size = max(1, round((case.quick_size if quick else case.size) * scale))
        report["cases"].append(_measure(case, impls, size, repeats, bar))
    report["seconds"] = time.perf_counter() - start
    report["load_average_after"] = _load()
    return report


def _per_op(seconds: float, size: int) -> str:
    value = seconds / size
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            value, name = value / scale, unit
            break
    else:
        value, name = value / 1e-9, "ns"
    decimals = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{decimals}f} {name}"


def format_report(report: dict[str, Any]) -> str:
    """The table: a header naming the machine and the method, then one row per case."""
    info, method = report["machine"], report["method"]
    load = info["load_average"]
    after = report.get("load_average_after")
    memory = f"{info['memory_gib']} GiB RAM" if info["memory_gib"] is not None else "RAM unknown"
    lines = [
        "threadkit bench: the standard library vs threadkit, in one process",
        f"python: {info['python']}, GIL {info['gil']} ({info['python_build']})",
        f"machine: {info['cpus']} CPUs, {info['cpu_model'] or 'unknown CPU'}, {memory}, "
        f"{info['platform']}",
        "load average (1/5/15 min): "
        + (" ".join(map(str, load)) if load else "unknown")
        + (f" before, {' '.join(map(str, after))} after" if after else ""),
        f"method: per case {method['warmup_rounds']} warm-up round then {method['rounds']} rounds,"
        f" each running {' then '.join(method['order'])} (alternated, same process);",
        "  the median of each one's rounds (wall time, time.perf_counter, gc disabled during a"
        " run), shown per operation;",
        "  ratio = stdlib median / threadkit median (above 1.00 threadkit is faster);"
        f" pools: max_workers={method['pool_workers']} for both"
        + (", --quick sizes" if method["quick"] else ""),
        "",
    ]
    width = max(len(case["title"]) for case in report["cases"]) if report["cases"] else 10
    lines.append(
        f"{'case':<{width}}  {'size':>9}  {'stdlib/op':>10}  {'threadkit/op':>12}  "
        f"{'ratio':>7}  {'target':>8}  met"
    )
    met = 0
    for case in report["cases"]:
        head = f"{case['title']:<{width}}  {case['size']:>9}"
        stdlib, ours = (_per_op(case["median"][name], case["size"]) for name in IMPL_NAMES)
        ratio = f"{case['ratio']:.2f}x" if case["ratio"] is not None else "n/a"
        target = f">= {case['target']:.1f}x"
        met += bool(case["met"])
        lines.append(
            f"{head}  {stdlib:>10}  {ours:>12}  {ratio:>7}  {target:>8}"
            f"  {'yes' if case['met'] else 'NO'}"
        )
    summary = f"targets met: {met} of {len(report['cases'])} measured"
    lines += ["", summary + f"; {report['seconds']:.1f} s"]
    return "\n".join(lines)


def pyplot() -> ModuleType:
    """matplotlib's pyplot on a file-only backend, or a :class:`BenchError` saying how to get it."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ModuleNotFoundError as error:
        raise BenchError(
            "--plot needs matplotlib, which is not installed: "
            f"{sys.executable} -m pip install matplotlib (or the 'plot' extra of threadkit)"
        ) from error
    matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def plot(report: dict[str, Any], path: Path, plt: ModuleType) -> None:
    """A bar chart of the measured ratios, each with its target marked."""
    cases = [case for case in report["cases"] if case["ratio"] is not None]
    figure, axes = plt.subplots(figsize=(9, 0.45 * len(cases) + 1.5))
    positions = range(len(cases))
    colors = ["tab:green" if case["met"] else "tab:red" for case in cases]
    # Bars start at 1 (parity) on the log axis: right of it threadkit is faster, left slower.
    axes.barh(positions, [case["ratio"] - 1 for case in cases], left=1, color=colors)
    axes.scatter(
        [case["target"] for case in cases], positions, marker="|", s=300, c="black", label="target"
    )
    axes.axvline(1.0, color="grey", linewidth=0.8)
    axes.set_yticks(list(positions), [case["title"] for case in cases], fontsize=8)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("stdlib time / threadkit time (above 1: threadkit faster); green: target met")
    info = report["machine"]
    axes.set_title(f"threadkit vs stdlib, {info['python']}, {info['cpus']} CPUs", fontsize=10)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def main(
    *,
    quick: bool,
    json_path: Path | None,
    plot_path: Path | None,
    repeats: int | None = None,
    scale: float = 1.0,
    keys: Sequence[str] = CASE_KEYS,
) -> int:
    """``python -m threadkit bench``: run, print the table, write the JSON and the plot."""
    try:
        plt = pyplot() if plot_path is not None else None  # fail before a long run, not after
        report = run(keys, quick=quick, repeats=repeats, scale=scale)
    except BenchError as error:
        print(f"threadkit bench: {error}", file=sys.stderr)
        return 2
    print(format_report(report))
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"raw numbers written to {json_path}", file=sys.stderr)
    if plot_path is not None and plt is not None:
        plot(report, plot_path, plt)
        print(f"plot written to {plot_path}", file=sys.stderr)
    return 0
