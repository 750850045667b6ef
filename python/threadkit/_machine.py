"""What a benchmark's numbers depend on, probed once and printed the same way by every bench.

The Python bench (``python -m threadkit bench``, with or without ``--apps``) and the Rust benches'
summary (``crates/threadkit/benches/summary.py``) print these header lines, so a table pasted
elsewhere carries its context. Standard library only, and importing nothing of threadkit: the
summary loads this file by its path, with the system's Python, before any extension is built.
"""

import os
import platform
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Machine:
    """The interpreter, the CPUs, the memory and the load average when it was probed."""

    python: str
    python_build: str
    gil: str
    platform: str
    cpus: int | None
    cpu_model: str | None
    memory_gib: float | None
    load_average: tuple[float, ...] | None


def _first_line(path: str, prefix: str) -> str | None:
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def load_average() -> tuple[float, ...] | None:
    """The 1, 5 and 15 minute load averages, or None where the OS has none."""
    try:
        return tuple(round(value, 2) for value in os.getloadavg())
    except OSError:
        return None


def probe() -> Machine:
    """This machine and interpreter, now."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = _first_line("/proc/meminfo", "MemTotal")
    memory_gib = None
    if memory and memory.endswith(" kB"):
        memory_gib = round(int(memory[:-3]) / 2**20, 1)
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return Machine(
        python=f"{platform.python_implementation()} {platform.python_version()}",
        python_build=sys.version.replace("\n", " "),
        gil="enabled" if is_gil_enabled is None or is_gil_enabled() else "disabled",
        platform=platform.platform(),
        cpus=cpus,
        cpu_model=_first_line("/proc/cpuinfo", "model name") or platform.processor() or None,
        memory_gib=memory_gib,
        load_average=load_average(),
    )


def python_line(machine: Machine) -> str:
    return f"python: {machine.python}, GIL {machine.gil} ({machine.python_build})"


def machine_line(machine: Machine) -> str:
    memory = f"{machine.memory_gib} GiB RAM" if machine.memory_gib is not None else "RAM unknown"
    return (
        f"machine: {machine.cpus} CPUs, {machine.cpu_model or 'unknown CPU'}, {memory}, "
        f"{machine.platform}"
    )


def load_line(before: tuple[float, ...] | None, after: tuple[float, ...] | None = None) -> str:
    """The load average before a run and, when given, after it."""

    def show(load: tuple[float, ...] | None) -> str:
        return " ".join(map(str, load)) if load else "unknown"

    return f"load average (1/5/15 min): {show(before)}" + (
        f" before, {show(after)} after" if after else ""
    )
