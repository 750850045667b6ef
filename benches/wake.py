"""Where a wake-up's time goes: the bench's ping-pongs with the kernel's counts, and an idle pool.

    .venv/bin/python benches/wake.py [--rounds N] [--size N] [--case KEY ...] [--idle-seconds S]

For each ping-pong case of ``python -m threadkit bench`` (the same workload functions), and for
the hand-offs below that the bench does not time (``--case semaphore_ping_pong``,
``lock_ping_pong``, ``condition_busy_ping_pong``), the
standard library and threadkit are alternated in this process, ``--rounds`` rounds each. Per round
trip it prints the median wall time and, summed over the process's threads
(``getrusage(RUSAGE_SELF)``), the CPU time and the context switches:

- *voluntary* switches are sleeps in the kernel (a futex wait: a parked thread, or a thread
  waiting for the GIL). Each costs a futex wake on the other side (15-35 µs on small VMs);
- *involuntary* switches are preemptions, and ``sched_yield`` calls that handed the CPU over.

Then the idle pool: the CPU time this process burns while its main thread sleeps
``--idle-seconds`` beside a started, idle ``ThreadPoolExecutor`` of each implementation (the
pool's workers ran a task each first), against the same sleep with no pool.

The ratio is stdlib / threadkit, as in the bench. Wall times depend on the machine's load, which
the header states; the switch counts say which way each wait ended, whatever the load.
"""

import argparse
import dataclasses
import resource
import statistics
import time
import types
from collections.abc import Callable, Sequence
from typing import Any

from threadkit import _bench, _machine

BENCH_PING_PONGS = ("event_ping_pong", "condition_ping_pong", "barrier_ping_pong")
_WAIT = 30.0
# Work a notifier does between `notify()` and its own `wait()`, which releases the lock: a few
# microseconds, longer than a lock's spin before it parks (`condition_busy_ping_pong`).
_NOTIFIER_WORK = range(300)


def _partnered(answer: Callable[[], None], ask: Callable[[], None]) -> float:
    """Runs ``answer`` in a partner thread (the bench's) and times ``ask`` on this one."""
    thread, errors = _bench._partner(answer)
    start = time.perf_counter()
    ask()
    elapsed = time.perf_counter() - start
    _bench._join(thread, errors)
    return elapsed


def _released_ping_pong(ping: Any, pong: Any, n: int) -> float:
    """Each side acquires what the other side releases: ``ping`` and ``pong`` start with
    nothing to take (semaphores at 0, held locks)."""

    def answer() -> None:
        for _ in range(n):
            _check(ping.acquire(timeout=_WAIT), "ping never came")
            pong.release()

    def ask() -> None:
        for _ in range(n):
            ping.release()
            _check(pong.acquire(timeout=_WAIT), "pong never came")

    return _partnered(answer, ask)


def _semaphore_ping_pong(impl: _bench.Impl, n: int) -> float:
    """A release on one side is the other side's acquire: two semaphores at 0."""
    return _released_ping_pong(impl.threading.Semaphore(0), impl.threading.Semaphore(0), n)


def _lock_ping_pong(impl: _bench.Impl, n: int) -> float:
    """A lock as a signal (any thread may release one): two held locks."""
    ping, pong = impl.threading.Lock(), impl.threading.Lock()
    ping.acquire()
    pong.acquire()
    return _released_ping_pong(ping, pong, n)


def _condition_busy_ping_pong(impl: _bench.Impl, n: int) -> float:
    """The bench's condition ping-pong, with a little work after each `notify()`, before the
    notifier's next `wait()` releases the lock: the woken waiter must wait that long for it."""

    def notify(self: Any, n: int = 1) -> None:
        base.notify(self, n)
        for _ in _NOTIFIER_WORK:
            pass

    base = impl.threading.Condition
    threading: Any = types.ModuleType(f"{impl.name}_busy_threading")
    threading.Condition = type("BusyCondition", (base,), {"notify": notify})
    return _bench._condition_ping_pong(dataclasses.replace(impl, threading=threading), n)


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise RuntimeError(f"a wake case did not do its work: {what}")


def _own_case(key: str, run: Callable[[_bench.Impl, int], float]) -> _bench.Case:
    return _bench.Case(
        key=key, title=key, unit="round trip", target=1.5, size=0, quick_size=0, run=run
    )


# Hand-offs the bench does not time, to look for the same cliff elsewhere.
OWN_CASES = (
    _own_case("semaphore_ping_pong", _semaphore_ping_pong),
    _own_case("lock_ping_pong", _lock_ping_pong),
    _own_case("condition_busy_ping_pong", _condition_busy_ping_pong),
)
PING_PONGS = BENCH_PING_PONGS + tuple(case.key for case in OWN_CASES)


def _usage() -> tuple[float, int, int]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_nvcsw, usage.ru_nivcsw


def _measured(case: _bench.Case, impl: _bench.Impl, size: int) -> tuple[float, float, float, float]:
    """One round: per operation, the wall time, the CPU time and both switch counts."""
    cpu, voluntary, involuntary = _usage()
    wall = case.run(impl, size)
    cpu_after, voluntary_after, involuntary_after = _usage()
    return (
        wall / size,
        (cpu_after - cpu) / size,
        (voluntary_after - voluntary) / size,
        (involuntary_after - involuntary) / size,
    )


def ping_pongs(keys: Sequence[str], size: int, rounds: int) -> None:
    cases = {case.key: case for case in (*_bench.CASES, *OWN_CASES)}
    impls = _bench.implementations()
    print(f"{'case':<26}{'impl':<11}{'wall/rt':>10}{'cpu/rt':>10}{'vol/rt':>8}{'invol/rt':>9}")
    for key in keys:
        case = cases[key]
        for impl in impls:  # the warm-up round
            case.run(impl, size // 10)
        samples: dict[str, list[tuple[float, float, float, float]]] = {i.name: [] for i in impls}
        for _ in range(rounds):
            for impl in impls:
                samples[impl.name].append(_measured(case, impl, size))
        walls = {}
        for impl in impls:
            columns = list(zip(*samples[impl.name], strict=True))
            wall, cpu, voluntary, involuntary = (statistics.median(c) for c in columns)
            walls[impl.name] = wall
            print(
                f"{key:<26}{impl.name:<11}{wall * 1e6:>8.1f}µs{cpu * 1e6:>8.1f}µs"
                f"{voluntary:>8.2f}{involuntary:>9.2f}"
            )
        stdlib, ours = (walls[name] for name in _bench.IMPL_NAMES)
        spread = [round(s[0] / o[0], 2) for s, o in zip(*samples.values(), strict=True)]
        print(f"{'':<26}{'ratio':<11}{stdlib / ours:>9.2f}x  per round: {spread}")


def _idle_cpu(seconds: float, pool: Any) -> float:
    start = time.process_time()
    time.sleep(seconds)
    burned = time.process_time() - start
    if pool is not None:
        pool.shutdown(wait=True)
    return burned


def idle_pools(seconds: float) -> None:
    print(f"\nCPU time while the main thread sleeps {seconds} s ({_bench.POOL_WORKERS} workers):")
    print(f"  no pool      {_idle_cpu(seconds, None) * 1e3:8.2f} ms")
    for impl in _bench.implementations():
        pool = _bench._pool(impl)
        time.sleep(0.05)  # past any spinning that follows the warm-up tasks
        print(f"  {impl.name:<12} {_idle_cpu(seconds, pool) * 1e3:8.2f} ms")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--case", action="append", choices=PING_PONGS, help="default: the bench's three"
    )
    parser.add_argument("--size", type=int, default=5_000, help="round trips per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=1.0)
    options = parser.parse_args(argv)
    machine = _machine.probe()
    print(_machine.python_line(machine))
    print(_machine.machine_line(machine))
    ping_pongs(options.case or BENCH_PING_PONGS, options.size, options.rounds)
    idle_pools(options.idle_seconds)
    print(_machine.load_line(machine.load_average, _machine.load_average()))


if __name__ == "__main__":
    main()
