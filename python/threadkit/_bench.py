"""``python -m threadkit bench``: the standard library and threadkit side by side, in one process.

Every case is one small workload written once against a set of modules (``threading``, ``queue``,
``concurrent.futures`` or their threadkit replacements) and run on both sets, alternated in the
same process: a warm-up round, then rounds of stdlib, threadkit, stdlib, threadkit, ... The
result per implementation is the median wall time of its rounds, and the ratio is
stdlib median / threadkit median, so above 1 threadkit is faster. Each case names the ratio the
project aims for (its target). ``bench --apps`` (``threadkit._apps``) times whole programs instead;
both print the header of ``threadkit._machine`` and share the outputs (table, ``--json``,
``--plot``) written here.
"""

import argparse
import concurrent.futures as _std_futures
import contextvars
import gc
import importlib
import json
import queue as _std_queue
import statistics
import sys
import threading as _std_threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, Protocol, TextIO, TypeVar

import threadkit.futures
import threadkit.queue
import threadkit.threading
from threadkit import _machine

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
        key="pool_submit",
        title=f"ThreadPoolExecutor: submit all, then every result ({_POOL})",
        unit="task",
        target=8.0,
        size=50_000,
        quick_size=5_000,
        run=_pool_submit,
    ),
    Case(
        key="pool_map",
        title=f"ThreadPoolExecutor.map ({_POOL})",
        unit="item",
        target=10.0,
        size=50_000,
        quick_size=5_000,
        run=_pool_map,
    ),
    Case(
        key="pool_as_completed",
        title=f"submit all, then as_completed ({_POOL})",
        unit="future",
        target=8.0,
        size=50_000,
        quick_size=5_000,
        run=_pool_as_completed,
    ),
    Case(
        key="semaphore",
        title="Semaphore acquire+release, one thread",
        unit="pair",
        target=5.0,
        size=200_000,
        quick_size=20_000,
        run=_semaphore,
    ),
    Case(
        key="bounded_semaphore",
        title="BoundedSemaphore acquire+release, one thread",
        unit="pair",
        target=5.0,
        size=200_000,
        quick_size=20_000,
        run=_bounded_semaphore,
    ),
    Case(
        key="queue_put_get",
        title="Queue put+get, one thread",
        unit="item",
        target=5.0,
        size=100_000,
        quick_size=10_000,
        run=_queue_put_get,
    ),
    Case(
        key="queue_pipe",
        title="Queue(maxsize=256) producer -> consumer, 2 threads",
        unit="item",
        target=3.0,
        size=50_000,
        quick_size=5_000,
        run=_queue_pipe,
    ),
    Case(
        key="lock",
        title="Lock acquire+release, one thread",
        unit="pair",
        target=1.0,
        size=1_000_000,
        quick_size=100_000,
        run=_lock,
    ),
    Case(
        key="rlock",
        title="RLock acquire+release, one thread",
        unit="pair",
        target=1.0,
        size=1_000_000,
        quick_size=100_000,
        run=_rlock,
    ),
    Case(
        key="event_ping_pong",
        title="Event ping-pong, 2 threads",
        unit="round trip",
        target=1.5,
        size=5_000,
        quick_size=500,
        run=_event_ping_pong,
    ),
    Case(
        key="condition_ping_pong",
        title="Condition ping-pong, 2 threads",
        unit="round trip",
        target=1.5,
        size=5_000,
        quick_size=500,
        run=_condition_ping_pong,
    ),
    Case(
        key="barrier_ping_pong",
        title="Barrier(2) ping-pong, 2 threads",
        unit="round trip",
        target=1.5,
        size=5_000,
        quick_size=500,
        run=_barrier_ping_pong,
    ),
    Case(
        key="pool_submit_context",
        title=f"submit all with the context propagated, then every result ({_POOL})",
        unit="task",
        target=8.0,
        size=50_000,
        quick_size=5_000,
        run=_pool_submit_context,
    ),
    Case(
        key="serialize_iterator",
        title="serialize_iterator: 4 threads drain one generator (stdlib: with lock: next)",
        unit="item",
        target=1.5,
        size=200_000,
        quick_size=20_000,
        run=_serialize_iterator,
    ),
)
CASE_KEYS = tuple(case.key for case in CASES)
# The few cases `python -m threadkit` ends with.
DEMO_CASES = ("pool_submit", "semaphore", "queue_put_get", "event_ping_pong")

REPEATS = 5
QUICK_REPEATS = 3
WARMUP = 1


class Progress:
    """One line per case on a stream (stderr), a dot per run, the ratio at the end."""

    def __init__(self, stream: TextIO | None, total: int) -> None:
        self.stream, self.total, self.index = stream, total, 0

    def start(self, key: str, size: int) -> None:
        self.index += 1
        self.write(f"bench [{self.index}/{self.total}] {key} (size {size}) ")

    def done(self, ratio: float | None) -> None:
        self.write(f" ratio {ratio:.2f}\n" if ratio else "\n")

    def write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()


def compare(
    runs: dict[str, list[float]], order: Sequence[str]
) -> tuple[dict[str, float], float | None]:
    """The median of each implementation's runs, and the first's median / the second's."""
    medians = {name: statistics.median(runs[name]) for name in order}
    theirs, ours = (medians[name] for name in order)
    return medians, theirs / ours if ours > 0 else None


def _timed(case: Case, impl: Impl, size: int) -> float:
    gc.collect()
    gc.disable()
    try:
        return case.run(impl, size)
    finally:
        gc.enable()


@dataclass(frozen=True)
class CaseResult:
    """One case's runs on each implementation, their medians and the ratio stdlib / threadkit."""

    key: str
    title: str
    unit: str
    size: int
    target: float
    warmup: dict[str, list[float]]
    runs: dict[str, list[float]]
    median: dict[str, float]
    ratio: float | None
    met: bool


def _measure(
    case: Case, impls: Sequence[Impl], size: int, repeats: int, progress: Progress
) -> CaseResult:
    warmup: dict[str, list[float]] = {impl.name: [] for impl in impls}
    runs: dict[str, list[float]] = {impl.name: [] for impl in impls}
    progress.start(case.key, size)
    for round_ in range(WARMUP + repeats):
        for impl in impls:  # alternated: stdlib, threadkit, stdlib, threadkit, ...
            elapsed = _timed(case, impl, size)
            (warmup if round_ < WARMUP else runs)[impl.name].append(elapsed)
            progress.write(".")
    median, ratio = compare(runs, [impl.name for impl in impls])
    progress.done(ratio)
    return CaseResult(
        key=case.key,
        title=case.title,
        unit=case.unit,
        size=size,
        target=case.target,
        warmup=warmup,
        runs=runs,
        median=median,
        ratio=ratio,
        met=ratio is not None and ratio >= case.target,
    )


@dataclass(frozen=True)
class Method:
    quick: bool
    warmup_rounds: int
    rounds: int
    scale: float
    order: tuple[str, ...]
    pool_workers: int
    timer: str
    statistic: str
    ratio: str


MethodT = TypeVar("MethodT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class Report(Generic[MethodT, ResultT]):
    """Everything one bench run measured, as ``--json`` writes it (``bench --apps`` too)."""

    machine: _machine.Machine
    method: MethodT
    cases: tuple[ResultT, ...]
    seconds: float
    load_average_after: tuple[float, ...] | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


KeyedT = TypeVar("KeyedT", bound="_Keyed")


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


def chosen(table: Sequence[KeyedT], keys: Sequence[str], what: str) -> list[KeyedT]:
    """The rows of ``table`` named by ``keys``, in the table's order; unknown keys are an error."""
    unknown = set(keys) - {row.key for row in table}
    if unknown:
        raise BenchError(f"unknown {what}: {', '.join(sorted(unknown))}")
    return [row for row in table if row.key in keys]


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options every bench command takes: ``--quick``, ``--json``, ``--plot``,
    ``--repeats`` and ``--scale`` (the arguments of :func:`main`)."""
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer rounds")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every raw number here")
    parser.add_argument(
        "--plot", type=Path, metavar="FILE.png", help="a bar chart of the ratios (matplotlib)"
    )
    parser.add_argument("--repeats", type=int, metavar="N", help="timed rounds per case")
    parser.add_argument(
        "--scale", type=float, default=1.0, metavar="F", help="multiply every case's size by F"
    )


def rounds(repeats: int | None, quick: bool, *, full: int, quick_rounds: int) -> int:
    """The timed rounds asked for (``--repeats``), else the default of ``--quick`` or not."""
    chosen_rounds = repeats if repeats is not None else quick_rounds if quick else full
    if chosen_rounds < 1:
        raise BenchError("repeats must be at least 1")
    return chosen_rounds


def measured(method: MethodT, measure: Callable[[], Sequence[ResultT]]) -> Report[MethodT, ResultT]:
    """The report of ``measure()``: the machine and its load before, the results, the time."""
    machine = _machine.probe()
    start = time.perf_counter()
    results = tuple(measure())
    return Report(machine, method, results, time.perf_counter() - start, _machine.load_average())


def run(
    keys: Sequence[str] = CASE_KEYS,
    *,
    quick: bool = False,
    repeats: int | None = None,
    scale: float = 1.0,
    progress: TextIO | None = sys.stderr,
) -> Report[Method, CaseResult]:
    """Run the cases named by ``keys`` (in the order of ``CASES``) and return every number."""
    cases = chosen(CASES, keys, "bench case(s)")
    repeats = rounds(repeats, quick, full=REPEATS, quick_rounds=QUICK_REPEATS)
    impls = implementations()
    method = Method(
        quick=quick,
        warmup_rounds=WARMUP,
        rounds=repeats,
        scale=scale,
        order=tuple(impl.name for impl in impls),
        pool_workers=POOL_WORKERS,
        timer="time.perf_counter, gc collected before and disabled during each run",
        statistic="median of the rounds",
        ratio="stdlib median / threadkit median",
    )
    bar = Progress(progress, len(cases))
    sizes = [max(1, round((case.quick_size if quick else case.size) * scale)) for case in cases]
    return measured(
        method,
        lambda: [
            _measure(case, impls, size, repeats, bar)
            for case, size in zip(cases, sizes, strict=True)
        ],
    )


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


def format_report(report: Report[Method, CaseResult]) -> str:
    """The table: a header naming the machine and the method, then one row per case."""
    machine, method = report.machine, report.method
    lines = [
        "threadkit bench: the standard library vs threadkit, in one process",
        _machine.python_line(machine),
        _machine.machine_line(machine),
        _machine.load_line(machine.load_average, report.load_average_after),
        f"method: per case {method.warmup_rounds} warm-up round then {method.rounds} rounds,"
        f" each running {' then '.join(method.order)} (alternated, same process);",
        "  the median of each one's rounds (wall time, time.perf_counter, gc disabled during a"
        " run), shown per operation;",
        "  ratio = stdlib median / threadkit median (above 1.00 threadkit is faster);"
        f" pools: max_workers={method.pool_workers} for both"
        + (", --quick sizes" if method.quick else ""),
        "",
    ]
    width = max((len(case.title) for case in report.cases), default=10)
    lines.append(
        f"{'case':<{width}}  {'size':>9}  {'stdlib/op':>10}  {'threadkit/op':>12}  "
        f"{'ratio':>7}  {'target':>8}  met"
    )
    for case in report.cases:
        head = f"{case.title:<{width}}  {case.size:>9}"
        stdlib, ours = (_per_op(case.median[name], case.size) for name in IMPL_NAMES)
        ratio = f"{case.ratio:.2f}x" if case.ratio is not None else "n/a"
        target = f">= {case.target:.1f}x"
        lines.append(
            f"{head}  {stdlib:>10}  {ours:>12}  {ratio:>7}  {target:>8}"
            f"  {'yes' if case.met else 'NO'}"
        )
    met = sum(case.met for case in report.cases)
    lines += ["", f"targets met: {met} of {len(report.cases)} measured; {report.seconds:.1f} s"]
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


class Row(Protocol):
    """What the plot needs of one measured row (a case, or a program of ``bench --apps``)."""

    @property
    def title(self) -> str: ...
    @property
    def ratio(self) -> float | None: ...
    @property
    def target(self) -> float: ...
    @property
    def met(self) -> bool: ...


def plot(
    rows: Sequence[Row], machine: _machine.Machine, path: Path, plt: ModuleType, xlabel: str
) -> None:
    """A bar chart of the measured ratios, each with its target marked."""
    rows = [row for row in rows if row.ratio is not None]
    figure, axes = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.5))
    positions = range(len(rows))
    colors = ["tab:green" if row.met else "tab:red" for row in rows]
    # Bars start at 1 (parity) on the log axis: right of it threadkit is faster, left slower.
    axes.barh(positions, [(row.ratio or 1) - 1 for row in rows], left=1, color=colors)
    axes.scatter(
        [row.target for row in rows], positions, marker="|", s=300, c="black", label="target"
    )
    axes.axvline(1.0, color="grey", linewidth=0.8)
    axes.set_yticks(list(positions), [row.title for row in rows], fontsize=8)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel(f"{xlabel} (above 1: threadkit faster); green: target met")
    axes.set_title(f"threadkit vs stdlib, {machine.python}, {machine.cpus} CPUs", fontsize=10)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


RowT = TypeVar("RowT", bound=Row)


class Runner(Protocol[MethodT, RowT]):
    """A bench's ``run``: measure the cases named by ``keys`` and report every number."""

    def __call__(
        self, keys: Sequence[str], *, quick: bool, repeats: int | None, scale: float
    ) -> Report[MethodT, RowT]: ...


@dataclass(frozen=True)
class Bench(Generic[MethodT, RowT]):
    """What ``python -m threadkit bench`` needs of a bench: this module's, or ``bench --apps``."""

    name: str
    what: str  # what one of its keys names
    keys: tuple[str, ...]
    run: Runner[MethodT, RowT]
    table: Callable[[Report[MethodT, RowT]], str]
    xlabel: str  # the plot's axis


def main(
    bench: Bench[MethodT, RowT],
    *,
    quick: bool,
    json_path: Path | None,
    plot_path: Path | None,
    repeats: int | None = None,
    scale: float = 1.0,
    keys: Sequence[str] | None = None,
) -> int:
    """Run a bench, print its table, write ``--json`` and ``--plot``; 2 on a :class:`BenchError`."""
    try:
        plt = pyplot() if plot_path is not None else None  # fail before a long run, not after
        report = bench.run(keys or bench.keys, quick=quick, repeats=repeats, scale=scale)
    except BenchError as error:
        print(f"{bench.name}: {error}", file=sys.stderr)
        return 2
    print(bench.table(report))
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
        print(f"raw numbers written to {json_path}", file=sys.stderr)
    if plot_path is not None and plt is not None:
        plot(report.cases, report.machine, plot_path, plt, bench.xlabel)
        print(f"plot written to {plot_path}", file=sys.stderr)
    return 0


def main_with_options(bench: Bench[MethodT, RowT], args: argparse.Namespace) -> int:
    """:func:`main` with what :func:`add_options` (and a ``--case`` option) parsed."""
    return main(
        bench,
        quick=args.quick,
        json_path=args.json,
        plot_path=args.plot,
        repeats=args.repeats,
        scale=args.scale,
        keys=args.case,
    )


BENCH = Bench(
    name="threadkit bench",
    what="case",
    keys=CASE_KEYS,
    run=run,
    table=format_report,
    xlabel="stdlib time / threadkit time",
)
