"""The per-task overhead bench (``python -m threadkit.dask bench``), run tiny so it cannot rot.

Nothing here asserts a time: only that every way of every case ran, was timed and reported.
"""

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed")

from threadkit import _dask_bench


def test_a_tiny_run_times_every_way_of_every_case(client: Any) -> None:
    report = _dask_bench.run(quick=True, repeats=1, scale=0.1, client=client, progress=None)
    assert [case.key for case in report.cases] == list(_dask_bench.CASE_KEYS)
    ways = [way.name for way in _dask_bench.WAYS]
    for case in report.cases:
        assert case.size >= 1
        assert list(case.runs) == list(case.cpu_runs) == ways
        assert all(len(runs) == 1 and runs[0] > 0 for runs in case.runs.values())
        assert case.ratios[_dask_bench.REFERENCE] == 1.0
        assert case.ratio == case.ratios[_dask_bench.THREADKIT]
    table = _dask_bench.format_report(report)
    assert table.splitlines()[1].startswith("python: ")
    assert "load average" in table and "the given client's" in table
    for name in ways:
        assert name in table
    assert json.loads(json.dumps(report.to_json()))["cases"][0]["key"] == "batch"


def test_the_command_starts_a_cluster_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    argv = ["bench", "--in-process", "--case", "batch", "--repeats", "1", "--scale", "0.02"]
    assert _dask_bench.main([*argv, "--json", str(out)]) == 0
    captured = capsys.readouterr()
    assert "batch: submit N, then every result (N = 6)" in captured.out
    assert "starting a LocalCluster" in captured.err and "bench [1/1] batch" in captured.err
    raw = json.loads(out.read_text())
    assert raw["method"]["cluster"].endswith("1 in-process worker(s) x 2 threads")
    assert [case["key"] for case in raw["cases"]] == ["batch"]


def test_an_unknown_case_is_refused_before_any_cluster_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        _dask_bench.main(["bench", "--case", "nope"])
    assert exit_.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
