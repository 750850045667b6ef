"""Print one table of the criterion results just measured: `make bench` runs it after `cargo bench`.

For every benchmark group, each function's median time per iteration, the half-width of its 95%
confidence interval, and its ratio to the group's threadkit row it is compared with (the nearest
`threadkit...` row measured before it, else the group's first one). A header states the machine and
the method, so a table pasted elsewhere carries its context; the machine lines are the Python
bench's own (`python/threadkit/_machine.py`, loaded by its path: no extension needs to be built).
Standard library only.

    python3 crates/threadkit/benches/summary.py [--since EPOCH] [--dir TARGET/criterion]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[3]
MACHINE = REPO / "python" / "threadkit" / "_machine.py"


@dataclass
class Result:
    """One benchmark function's estimates, as criterion wrote them."""

    group: str
    function: str
    median_ns: float
    low_ns: float
    high_ns: float
    written: float  # mtime of new/estimates.json: the order the functions ran in

    @property
    def is_threadkit(self) -> bool:
        return self.function.startswith("threadkit")


def criterion_dir() -> Path:
    target = os.environ.get("CARGO_TARGET_DIR")
    return (Path(target) if target else REPO / "target") / "criterion"


def load(root: Path, since: float | None) -> list[Result]:
    results = []
    for estimates in root.glob("**/new/estimates.json"):
        written = estimates.stat().st_mtime
        if since is not None and written < since:
            continue
        benchmark = json.loads((estimates.parent / "benchmark.json").read_text())
        median = json.loads(estimates.read_text())["median"]
        interval = median["confidence_interval"]
        results.append(
            Result(
                group=benchmark["group_id"],
                function=benchmark["function_id"] or benchmark["full_id"],
                median_ns=median["point_estimate"],
                low_ns=interval["lower_bound"],
                high_ns=interval["upper_bound"],
                written=written,
            )
        )
    return sorted(results, key=lambda r: r.written)


def by_group(results: list[Result]) -> dict[str, list[Result]]:
    groups: dict[str, list[Result]] = {}
    for result in results:  # in run order, so groups and rows keep the order they ran in
        groups.setdefault(result.group, []).append(result)
    return groups


def baselines(rows: list[Result]) -> list[Result | None]:
    """The threadkit row each row is compared with: the last one measured before it (itself for a
    threadkit row), or the group's first threadkit row for peers measured before any."""
    first = next((row for row in rows if row.is_threadkit), None)
    current = None
    chosen = []
    for row in rows:
        if row.is_threadkit:
            current = row
        chosen.append(current or first)
    return chosen


def duration(ns: float) -> str:
    """`ns` in the largest unit that keeps it at least 1, with three significant digits."""
    value, unit = ns, "ns"
    for name, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            value, unit = ns / scale, name
            break
    decimals = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{decimals}f} {unit}"


def load_machine_module() -> ModuleType:
    """`threadkit._machine`, loaded from its file alone (the package would need its extension)."""
    spec = importlib.util.spec_from_file_location("threadkit_machine", MACHINE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {MACHINE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def machine() -> list[str]:
    """The Python bench's machine and load lines, and the Rust toolchain."""
    probe = load_machine_module()
    info = probe.probe()
    try:
        rustc = subprocess.run(
            ["rustc", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        rustc = "rustc: unknown"
    return [
        probe.machine_line(info),
        f"toolchain: {rustc}; {probe.load_line(info.load_average)} (now)",
    ]


def method(since: float | None) -> list[str]:
    quick = os.environ.get("THREADKIT_BENCH_QUICK", "") not in ("", "0")
    config = (
        "QUICK smoke config (THREADKIT_BENCH_QUICK=1: 0.1 s warm-up, 0.3 s measurement,"
        " 10 samples), numbers indicative only"
        if quick
        else "config of benches/common (0.5 s warm-up, 2 s measurement, 20 samples"
        " unless a group sets fewer)"
    )
    scope = "the results this run wrote" if since is not None else "every result on disk"
    return [
        "method: criterion's median time per iteration, " + config,
        f"  scope: {scope}; each group's peers ran in the same process as its threadkit rows",
        "  ±: half-width of criterion's 95% confidence interval of the median, % of the median",
        "  ratio: median / median of the threadkit row above it (that row: 1.00);"
        " above 1.00 the peer is slower",
    ]


def table(groups: dict[str, list[Result]]) -> list[str]:
    width = max(len(row.function) for rows in groups.values() for row in rows) + 2
    lines = [f"{'group / function':<{width}} {'median':>10} {'±':>7} {'ratio':>7}"]
    for group, rows in groups.items():
        lines.append(group)
        for row, base in zip(rows, baselines(rows), strict=True):
            spread = (row.high_ns - row.low_ns) / 2 / row.median_ns * 100
            ratio = f"{row.median_ns / base.median_ns:.2f}" if base else "-"
            lines.append(
                f"  {row.function:<{width - 2}} {duration(row.median_ns):>10} "
                f"{spread:>6.1f}% {ratio:>7}"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--since", type=float, help="only results written at or after this Unix time"
    )
    parser.add_argument("--dir", type=Path, default=criterion_dir(), help="criterion's output")
    args = parser.parse_args()
    groups = by_group(load(args.dir, args.since))
    if not groups:
        print(f"no criterion results in {args.dir}", file=sys.stderr)
        return 1
    print("\n".join(["threadkit benchmarks", *machine(), *method(args.since), "", *table(groups)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
