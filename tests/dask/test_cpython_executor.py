"""CPython's own executor tests (``test.test_concurrent_futures``, 3.13+) on DaskExecutor.

The generic mixins run against a ``DaskExecutor`` on the in-process cluster: ``ExecutorTest``,
``WaitTests``, ``AsCompletedTests`` and ``ExecutorShutdownTest``. The thread-pool and
process-pool classes test those pools' own threads and processes, and the initializer tests
an argument a cluster executor does not take, so they are not collected. The suite's modules
are pointed at threadkit exactly as ``tests/cpython`` does (that module does it; importing it
here keeps one way, whichever folder runs first). Skips: ``SKIPS`` below, one reason each.
"""

import functools
from typing import Any

import pytest

pytest.importorskip(
    "test.test_concurrent_futures", reason="this interpreter does not ship the suite"
)
pytest.importorskip("distributed", reason="the dask extra is not installed")

from test.test_concurrent_futures import (
    executor,
    test_as_completed,
    test_shutdown,
    test_wait,
    util,
)

import tests.cpython.test_test_concurrent_futures  # noqa: F401  (the suite on threadkit)
from threadkit.dask import DaskExecutor

_SUBPROCESS = "runs concurrent.futures' own executors by name in a subprocess"
_NO_EXECUTOR = "never uses the executor: tests/cpython runs it (on threadkit's futures) already"

SKIPS = {
    "DaskShutdownTest.test_interpreter_shutdown": _SUBPROCESS,
    "DaskShutdownTest.test_submit_after_interpreter_shutdown": _SUBPROCESS,
    "DaskShutdownTest.test_hang_gh83386": _SUBPROCESS,
    "DaskAsCompletedTest.test_free_reference_yielded_future": _NO_EXECUTOR,
    "DaskAsCompletedTest.test_correct_timeout_exception_msg": _NO_EXECUTOR,
}


@pytest.fixture(autouse=True, scope="class")
def _dask_executor_type(request: pytest.FixtureRequest, client: Any) -> None:
    """The mixins make ``executor_type(max_workers=5)``: a DaskExecutor on the test cluster."""
    if request.cls is not None:
        request.cls.executor_type = staticmethod(functools.partial(DaskExecutor, client))


@pytest.fixture(autouse=True)
def _skip_listed(request: pytest.FixtureRequest) -> None:
    """Skips the tests in ``SKIPS``, with their reason."""
    if request.cls is not None:
        reason = SKIPS.get(f"{request.cls.__name__}.{request.function.__name__}")
        if reason is not None:
            pytest.skip(reason)


class DaskExecutorTest(util.ExecutorMixin, executor.ExecutorTest, util.BaseTestCase):
    pass


class DaskWaitTest(util.ExecutorMixin, test_wait.WaitTests, util.BaseTestCase):
    pass


class DaskAsCompletedTest(
    util.ExecutorMixin, test_as_completed.AsCompletedTests, util.BaseTestCase
):
    pass


class DaskShutdownTest(util.ExecutorMixin, test_shutdown.ExecutorShutdownTest, util.BaseTestCase):
    pass
