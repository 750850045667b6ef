"""The same programs on threadkit's pool and on DaskExecutor, with identical results.

The seeds' downloader (files from a local HTTP server on 127.0.0.1, the server of
``python -m threadkit demo downloader``) and a map/submit/as_completed pipeline, each written
once against ``concurrent.futures.Executor`` and run on threadkit's ``ThreadPoolExecutor``, on a
``DaskExecutor`` over the in-process cluster and on one over two worker processes.
"""

import concurrent.futures as std
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dask.conftest import WAIT

pytest.importorskip("distributed", reason="the dask extra is not installed")

from threadkit import _demos, futures
from threadkit._apps import http_server
from threadkit.dask import DaskExecutor

_FILES = 16


def fetch(url: str) -> bytes:
    """One download; no proxy, whatever the environment says (the server is local)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=WAIT) as response:
        data: bytes = response.read()
        return data


def downloader(executor: std.Executor, base: str) -> list[bytes]:
    """The program: every file, fetched through the executor, in order."""
    return list(executor.map(fetch, [f"{base}/item/{n}" for n in range(_FILES)]))


def square(n: int) -> int:
    return n * n


def describe(n: int) -> tuple[int, str]:
    return n, f"{n:b}"


def pipeline(executor: std.Executor) -> list[tuple[int, str]]:
    """The program: map, then a submit per result, gathered as they complete."""
    squares = executor.map(square, range(30), buffersize=8)
    described = [executor.submit(describe, n) for n in squares]
    done, not_done = futures.wait(described, timeout=WAIT)
    assert len(done) == 30 and not not_done
    return sorted(f.result(0) for f in futures.as_completed(described, timeout=WAIT))


@pytest.fixture(scope="module")
def file_server() -> Iterator[str]:
    """The downloader demo's HTTP server on 127.0.0.1 (a port the OS picks)."""
    server = http_server.Server(("127.0.0.1", 0), _demos._SlowItemHandler)
    serving = threading.Thread(target=server.serve_forever, name="http-server", daemon=True)
    serving.start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}"
    server.shutdown()
    server.server_close()
    serving.join(WAIT)


@pytest.fixture(params=["threads_cluster", "processes_cluster"])
def cluster_client(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(
        "client" if request.param == "threads_cluster" else "processes_client"
    )


def test_the_downloader_gets_the_same_files(file_server: str, cluster_client: Any) -> None:
    with futures.ThreadPoolExecutor(max_workers=8) as pool:
        local = downloader(pool, file_server)
    with DaskExecutor(cluster_client) as executor:
        remote = downloader(executor, file_server)
    assert local == remote == [http_server.body(n) for n in range(_FILES)]


def test_the_pipeline_gives_the_same_results(cluster_client: Any) -> None:
    with futures.ThreadPoolExecutor(max_workers=4) as pool:
        local = pipeline(pool)
    with DaskExecutor(cluster_client) as executor:
        remote = pipeline(executor)
    assert local == remote == [(n * n, f"{n * n:b}") for n in range(30)]
