"""``bench --apps``: the whole programs, plainly and under ``threadkit run``, and their harness."""

import json
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from threadkit import _apps
from threadkit._apps import http_server
from threadkit._bench import BenchError, Progress

# A program at its quick size takes a second or two; a loaded machine can make it ten times that.
pytestmark = pytest.mark.timeout(120)
CHILD_TIMEOUT = 100.0


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with _apps.local_server() as url:
        yield url


def run_app(app: _apps.App, mode: str, size: int, url: str) -> str:
    argv = _apps.command(app, mode, size, url if app.needs_server else None)
    child = subprocess.run(argv, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False)
    assert child.returncode == 0, child.stdout + child.stderr
    return child.stdout


def numbers(pattern: str, text: str) -> tuple[int, ...]:
    match = re.search(pattern, text)
    assert match is not None, f"{pattern!r} not in:\n{text}"
    return tuple(int(group) for group in match.groups())


def check_pipeline(out: str, size: int) -> None:
    assert numbers(r"pipeline: (\d+) of (\d+) records", out) == (size, size)
    total = size * (size - 1) // 2
    assert numbers(r"sum of record numbers: (\d+) \(expected (\d+)\)", out) == (total, total)


def check_small_tasks(out: str, size: int) -> None:
    assert numbers(r"small tasks: (\d+) of (\d+) done", out) == (size, size)
    got, expected = numbers(r"sum of results: (\d+) \(expected (\d+)\)", out)
    assert got == expected == sum(sum(range(n % 32)) for n in range(size))


def check_to_thread(out: str, size: int) -> None:
    assert numbers(r"to_thread: (\d+) of (\d+) calls", out) == (size, size)
    assert "in order: True" in out


def check_http_fetch(out: str, size: int) -> None:
    assert numbers(r"http fetch: (\d+) of (\d+) URLs", out) == (size, size)
    assert numbers(r"bytes: (\d+),", out) == (sum(len(http_server.body(n)) for n in range(size)),)


def check_queue_logging(out: str, size: int) -> None:
    workers = re.findall(r"^worker-\d+: (\d+) lines, in order: (\w+)$", out, re.MULTILINE)
    assert workers == [(str(size), "True")] * 4, out


CHECKS: dict[str, Callable[[str, int], None]] = {
    "pipeline": check_pipeline,
    "small_tasks": check_small_tasks,
    "to_thread": check_to_thread,
    "http_fetch": check_http_fetch,
    "queue_logging": check_queue_logging,
}


def test_every_program_is_checked() -> None:
    assert set(CHECKS) == set(_apps.APP_KEYS)
    assert len(_apps.APPS) >= 5


@pytest.mark.parametrize("app", _apps.APPS, ids=_apps.APP_KEYS)
def test_program_prints_the_same_plainly_and_under_threadkit(
    app: _apps.App, server_url: str
) -> None:
    plain = run_app(app, "plain", app.quick_size, server_url)
    CHECKS[app.key](plain, app.quick_size)
    assert run_app(app, "threadkit", app.quick_size, server_url) == plain


def test_programs_import_no_threadkit() -> None:
    for app in _apps.APPS:
        assert "threadkit" not in app.path.read_text(), app.script


def test_command_lines() -> None:
    pipeline = next(app for app in _apps.APPS if app.key == "pipeline")
    assert _apps.command(pipeline, "plain", 7) == [sys.executable, str(pipeline.path), "7"]
    assert _apps.command(pipeline, "threadkit", 7) == [
        sys.executable,
        "-m",
        "threadkit",
        "run",
        str(pipeline.path),
        "7",
    ]
    fetch = next(app for app in _apps.APPS if app.needs_server)
    assert _apps.command(fetch, "plain", 3, "http://127.0.0.1:1/")[1:] == [
        str(fetch.path),
        "http://127.0.0.1:1/",
        "3",
    ]
    with pytest.raises(BenchError, match="needs the local server"):
        _apps.command(fetch, "plain", 3)


def test_local_server_serves_items_and_stops() -> None:
    with _apps.local_server() as url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        out = subprocess.run(
            [sys.executable, str(_apps.HERE / "http_fetch.py"), url, "5"],
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=True,
        ).stdout
        check_http_fetch(out, 5)
    with pytest.raises(OSError):  # closed: nobody listens on the port any more
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def script(tmp_path: Path, body: str) -> _apps.App:
    path = tmp_path / "program.py"
    path.write_text(body)
    return _apps.App(key="test", title="test", script=str(path), size=1, quick_size=1, target=1.0)


def test_a_program_printing_something_else_fails_the_bench(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both modes run plainly here: the check under test is the harness's, not threadkit's.
    monkeypatch.setitem(_apps.RUNNERS, "threadkit", (sys.executable,))
    app = script(tmp_path, "import time\nprint(time.perf_counter_ns())\n")
    with pytest.raises(BenchError, match="printed something else under threadkit"):
        _apps.measure(app, 1, rounds=1, warmup=0, server_url=None, progress=Progress(None, 1))


def test_a_failing_program_fails_the_bench_with_its_error(tmp_path: Path) -> None:
    app = script(tmp_path, "raise SystemExit('the program broke')\n")
    with pytest.raises(BenchError, match=r"exited with code 1:\nthe program broke"):
        _apps.measure(app, 1, rounds=1, warmup=0, server_url=None, progress=Progress(None, 1))


def test_measure_alternates_and_takes_medians(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(_apps.RUNNERS, "threadkit", (sys.executable,))
    app = script(tmp_path, "import sys\nprint('size', sys.argv[1])\n")
    result = _apps.measure(app, 3, rounds=3, warmup=1, server_url=None, progress=Progress(None, 1))
    assert result.output == "size 3\n"
    for mode in _apps.MODES:
        assert len(result.warmup[mode]) == 1 and len(result.runs[mode]) == 3
        assert result.median[mode] == sorted(result.runs[mode])[1]
    assert result.ratio == pytest.approx(result.median["plain"] / result.median["threadkit"])
    assert result.met == (result.ratio >= 1.0)


def test_bench_apps_quick_json(tmp_path: Path) -> None:
    path = tmp_path / "apps.json"
    child = subprocess.run(
        [sys.executable, "-m", "threadkit", "bench", "--apps", "--quick", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(path.read_text())
    assert set(report) == {"machine", "method", "cases", "seconds", "load_average_after"}
    assert report["machine"]["python"].endswith(sys.version.split()[0])
    assert report["machine"]["cpus"] >= 1
    method = report["method"]
    assert method["quick"] is True
    assert method["rounds"] == _apps.QUICK_REPEATS
    assert method["warmup_rounds"] == _apps.QUICK_WARMUP
    assert method["order"] == ["plain", "threadkit"]
    assert method["runners"]["threadkit"][-3:] == ["-m", "threadkit", "run"]
    assert [case["key"] for case in report["cases"]] == list(_apps.APP_KEYS)
    for case, app in zip(report["cases"], _apps.APPS, strict=True):
        assert case["size"] == app.quick_size and case["target"] == app.target
        CHECKS[app.key](case["output"], app.quick_size)
        for mode in _apps.MODES:
            assert len(case["runs"][mode]) == _apps.QUICK_REPEATS
            assert all(seconds > 0 for seconds in case["runs"][mode])
            assert case["commands"][mode][-1] == str(app.quick_size)
        assert case["ratio"] == pytest.approx(case["median"]["plain"] / case["median"]["threadkit"])
        assert case["met"] == (case["ratio"] >= case["target"])
        assert case["title"] in child.stdout  # one table row per program
    assert "targets met:" in child.stdout
    assert len(re.findall(r"^bench \[\d+/\d+\] ", child.stderr, re.MULTILINE)) == len(_apps.APPS)


def test_bench_apps_refuses_a_micro_case() -> None:
    child = subprocess.run(
        [sys.executable, "-m", "threadkit", "bench", "--apps", "--case", "lock"],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    assert child.returncode == 2
    assert "--case lock is not a program of this bench" in child.stderr


def test_the_threadkit_runner_really_swaps_the_classes(tmp_path: Path) -> None:
    # Without this, a runner that ran the program plainly would pass every comparison above.
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import concurrent.futures, queue, threading\n"
        "print(type(queue.Queue()).__module__, type(threading.Event()).__module__,"
        " concurrent.futures.ThreadPoolExecutor.__module__)\n"
    )
    modules = {}
    for mode in _apps.MODES:
        child = subprocess.run(
            [*_apps.RUNNERS[mode], str(probe)],
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=True,
        )
        modules[mode] = child.stdout.split()
    assert modules["plain"] == ["queue", "threading", "concurrent.futures.thread"]
    assert all(module.startswith("threadkit") for module in modules["threadkit"]), modules
