"""The per-task overhead bench (``python -m threadkit.dask bench``) runs and reports each way."""

from typing import Any

import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed")

from threadkit import _dask_bench


def test_a_tiny_run_times_every_way_of_every_case(client: Any) -> None:
    report = _dask_bench.run(client, tasks=3, rounds=1)
    assert set(report) == set(_dask_bench.CASES)
    for case, timings in report.items():
        assert set(timings) == set(_dask_bench.CASES[case][1])
        assert all(seconds > 0 for seconds in timings.values())
    table = _dask_bench.format_report(report, tasks=3, rounds=1)
    assert "client.get_executor()" in table and "1.00x" in table
