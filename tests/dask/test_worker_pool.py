"""threadkit's ThreadPoolExecutor as the pool inside dask workers: the other direction."""

import threading
from typing import Any

import pytest

from tests.dask.conftest import WAIT, local_cluster

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

from threadkit import futures  # noqa: E402
from threadkit.dask import ThreadkitWorkerPool, dask_setup  # noqa: E402


def where() -> tuple[str, str]:
    """The running task's thread, and its worker's default pool class."""
    pool = type(distributed.get_worker().executor)
    return threading.current_thread().name, f"{pool.__module__}.{pool.__qualname__}"


def seceding() -> None:
    distributed.secede()


_THREADKIT_POOL = "threadkit.futures.ThreadPoolExecutor"


def test_local_cluster_with_threadkits_pool_as_the_executor() -> None:
    pool = futures.ThreadPoolExecutor(2, thread_name_prefix="tk-pool")
    with (
        local_cluster(n_workers=1, threads_per_worker=2, processes=False, executor=pool) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        thread, pool_class = client.submit(where, pure=False).result(WAIT)
        assert thread.startswith("tk-pool_")
        assert pool_class == _THREADKIT_POOL
        assert client.submit(sum, [1, 2, 3]).result(WAIT) == 6


def test_the_plugin_installs_threadkits_pool_in_running_workers() -> None:
    with (
        local_cluster(n_workers=1, threads_per_worker=2, processes=False) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        assert client.submit(where, pure=False).result(WAIT)[1] != _THREADKIT_POOL
        client.register_plugin(ThreadkitWorkerPool())
        thread, pool_class = client.submit(where, pure=False).result(WAIT)
        assert pool_class == _THREADKIT_POOL
        assert "Dask-Default-Threads_" in thread


def test_the_preload_installs_it_in_worker_processes(processes_client: Any) -> None:
    results = processes_client.gather(
        [processes_client.submit(where, pure=False) for _ in range(4)]
    )
    assert {pool_class for _, pool_class in results} == {_THREADKIT_POOL}


def test_secede_needs_dasks_own_pool(processes_client: Any) -> None:
    # secede() reaches into the thread state of dask's own pool, which threadkit's has not.
    with pytest.raises(AttributeError, match="executor"):
        processes_client.submit(seceding, pure=False).result(WAIT)


def test_the_preload_refuses_a_scheduler() -> None:
    with pytest.raises(TypeError, match="preloads into workers, not object"):
        dask_setup(object())
