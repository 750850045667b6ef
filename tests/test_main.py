"""``python -m threadkit``: each demo and the bench, run as a user runs them, in a subprocess."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from threadkit import _bench, _demos, _machine

pytestmark = pytest.mark.timeout(30)

# Below pytest-timeout's 30 s, so a hung child fails with its output instead of killing the run.
CHILD_TIMEOUT = 25.0


def threadkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "threadkit", *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        cwd=cwd,
        check=False,
    )


def demo(name: str) -> str:
    """The output of one demo, which must succeed and be labelled."""
    child = threadkit("demo", name)
    assert child.returncode == 0, child.stdout + child.stderr
    assert child.stdout.startswith(f"== {name}: "), child.stdout
    assert "FAILED" not in child.stdout
    return child.stdout


def test_list_names_every_demo() -> None:
    child = threadkit("demo", "--list")
    assert child.returncode == 0, child.stderr
    listed = [line.split()[0] for line in child.stdout.splitlines()]
    assert listed == list(_demos.DEMO_NAMES)
    assert {"two_threads", "counter", "daemon_exit", "downloader", "unmodified", "bench"} <= set(
        listed
    )


def test_unknown_demo_is_an_error() -> None:
    child = threadkit("demo", "no_such_demo")
    assert child.returncode == 2
    assert "unknown demo no_such_demo" in child.stderr


def test_two_threads_print_every_number_and_letter() -> None:
    out = demo("two_threads")
    assert re.findall(r"numbers: (\d)", out) == list("12345")
    assert re.findall(r"letters: ([a-z])", out) == list("abcde")


def test_counter_is_exact() -> None:
    out = demo("counter")
    match = re.search(r"final value: (-?\d+) \(expected (\d+)\)", out)
    assert match is not None, out
    assert match[1] == match[2] == str(4 * (50_000 - 20_000))


def test_thread_subclass_runs_its_own_run() -> None:
    out = demo("worker_class")
    sums = [int(total) for total in re.findall(r"summer-\d+-\d+: sum of squares = (\d+)", out)]
    assert len(sums) == 4
    assert sum(sums) == sum(n * n for n in range(1000))


def test_event_releases_the_waiter() -> None:
    out = demo("event_waiter")
    assert "wait(timeout=0.05) here: False" in out
    assert re.search(r"the waiter was released after \d+ ms", out), out


def test_semaphore_limits_concurrency_to_three() -> None:
    out = demo("semaphore_limit")
    assert "10 workers done" in out
    assert "max concurrency observed: 3\n" in out


def test_daemon_is_abandoned_at_exit() -> None:
    out = demo("daemon_exit")
    assert "daemon alive=True" in out
    assert "released" not in out
    assert re.search(r"child exited with code 0 after [\d.]+ s", out), out


def test_pool_map_and_submit() -> None:
    out = demo("pool_map")
    assert "= [2, 4, 6, 8, 10]" in out
    assert "-> [1, 4, 9, 16, 25]" in out


def test_downloader_fetches_the_same_files_both_ways() -> None:
    out = demo("downloader")
    sequential = re.search(r"sequential: (\d+) files, (\d+) bytes in \d+ ms", out)
    pooled = re.search(r"pool of \d+: (\d+) files, (\d+) bytes in \d+ ms", out)
    assert sequential is not None and pooled is not None, out
    assert sequential.groups() == pooled.groups()
    assert sequential[1] == "16"
    assert "identical content both ways: True" in out


def test_unmodified_program_runs_plainly_and_under_threadkit() -> None:
    out = demo("unmodified")
    size = _demos._UNMODIFIED_SIZE
    assert f"pipeline: {size} of {size} records through 4 stages" in out
    assert re.search(rf"^  python pipeline.py {size}: [\d.]+ s$", out, re.M), out
    assert re.search(rf"^  python -m threadkit run pipeline.py {size}: [\d.]+ s ", out, re.M), out
    assert "same output both ways: True" in out


def test_bench_demo_prints_a_table() -> None:
    out = demo("bench")
    for key in _bench.DEMO_CASES:
        title = next(case.title for case in _bench.CASES if case.key == key)
        assert title in out


def test_bench_json_has_every_number(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    child = threadkit(
        "bench", "--quick", "--repeats", "2", "--scale", "0.01", "--json", str(path), cwd=tmp_path
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(path.read_text())
    assert set(report) >= {"machine", "method", "cases", "seconds", "load_average_after"}
    assert report["machine"]["python"].endswith(sys.version.split()[0])
    assert report["machine"]["cpus"] >= 1
    method = report["method"]
    assert method["quick"] is True
    assert method["rounds"] == 2 and method["warmup_rounds"] == 1
    assert method["order"] == ["stdlib", "threadkit"]
    assert [case["key"] for case in report["cases"]] == list(_bench.CASE_KEYS)
    for case in report["cases"]:
        assert case["target"] > 0 and case["size"] >= 1
        for impl in ("stdlib", "threadkit"):
            assert len(case["runs"][impl]) == 2
            assert len(case["warmup"][impl]) == 1
            assert all(seconds > 0 for seconds in case["runs"][impl])
            assert case["median"][impl] == pytest.approx(sum(case["runs"][impl]) / 2)
        assert case["ratio"] == pytest.approx(
            case["median"]["stdlib"] / case["median"]["threadkit"]
        )
        assert case["met"] == (case["ratio"] >= case["target"])
        assert case["title"] in child.stdout  # one table row per case
    # progress goes to stderr, one line per case
    assert len(re.findall(r"^bench \[\d+/\d+\] ", child.stderr, re.MULTILINE)) == len(_bench.CASES)


def test_bench_one_case(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    child = threadkit(
        "bench", "--case", "lock", "--repeats", "1", "--scale", "0.001", "--json", str(path)
    )
    assert child.returncode == 0, child.stderr
    assert [case["key"] for case in json.loads(path.read_text())["cases"]] == ["lock"]
    assert "targets met:" in child.stdout


def test_bench_plot_without_matplotlib_says_so(tmp_path: Path) -> None:
    try:
        import matplotlib  # noqa: F401
    except ModuleNotFoundError:
        pass
    else:
        pytest.skip("matplotlib is installed")
    child = threadkit("bench", "--case", "lock", "--plot", str(tmp_path / "plot.png"))
    assert child.returncode == 2
    assert "--plot needs matplotlib" in child.stderr
    assert not (tmp_path / "plot.png").exists()


def test_rust_summary_prints_the_python_bench_machine_line(tmp_path: Path) -> None:
    # One criterion result, as criterion lays it out: <group>/<function>/new/*.json.
    result = tmp_path / "lock" / "threadkit" / "new"
    result.mkdir(parents=True)
    (result / "benchmark.json").write_text(
        json.dumps({"group_id": "lock", "function_id": "threadkit", "full_id": "lock/threadkit"})
    )
    interval = {"lower_bound": 17.0, "upper_bound": 18.0}
    (result / "estimates.json").write_text(
        json.dumps({"median": {"point_estimate": 17.5, "confidence_interval": interval}})
    )
    summary = Path(__file__).parents[1] / "crates" / "threadkit" / "benches" / "summary.py"
    # The system's interpreter, not the virtualenv's: the summary needs no built extension.
    child = subprocess.run(
        ["python3", str(summary), "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    lines = child.stdout.splitlines()
    assert lines[1] == _machine.machine_line(_machine.probe())
    assert lines[2].startswith("toolchain: ") and "load average (1/5/15 min): " in lines[2]
    assert re.search(r"^  threadkit +17\.5 ns +2\.9% +1\.00$", child.stdout, re.M), child.stdout
