"""Fixtures of the dask tests: real ``distributed.LocalCluster``s on 127.0.0.1.

Each cluster is started once per session (a start costs far more than the tests that use it)
and closed at the end; ports are the OS's choice (the scheduler's HTTP server too). The tests that
break a cluster (close its client, kill a worker) make their own.
"""

from collections.abc import Iterator
from typing import Any

import pytest

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
import dask  # noqa: E402

# Every wait in these tests is bounded; a cluster that does not answer fails the test.
WAIT = 20.0


def local_cluster(**kwargs: Any) -> Any:
    """A ``LocalCluster`` on 127.0.0.1 over TCP, every port picked by the OS."""
    return distributed.LocalCluster(
        host="127.0.0.1",
        protocol="tcp",
        scheduler_port=0,
        dashboard_address="127.0.0.1:0",  # the HTTP server (no bokeh: no dashboard)
        **kwargs,
    )


@pytest.fixture(scope="session")
def threads_cluster() -> Iterator[Any]:
    """One worker in this process, with five threads (the CPython suite runs five at a time)."""
    with local_cluster(n_workers=1, threads_per_worker=5, processes=False) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def client(threads_cluster: Any) -> Iterator[Any]:
    """A client of the in-process cluster."""
    with distributed.Client(threads_cluster, set_as_default=False) as client:
        yield client


@pytest.fixture(scope="session")
def processes_cluster() -> Iterator[Any]:
    """Two worker processes (two threads each), with threadkit's pool preloaded into each.

    A task whose worker dies is not retried (``allowed-failures`` 0), so that test is quick.
    """
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        local_cluster(
            n_workers=2, threads_per_worker=2, processes=True, preload=["threadkit.dask"]
        ) as cluster,
    ):
        yield cluster


@pytest.fixture(scope="session")
def processes_client(processes_cluster: Any) -> Iterator[Any]:
    """A client of the two-process cluster, once both workers are up."""
    with distributed.Client(processes_cluster, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=WAIT)
        yield client
