"""CPython's own ``test.test_concurrent_futures`` (3.13+), run on threadkit's thread pool.

The suite's test modules name the stdlib through their global ``futures`` (``from concurrent
import futures``) and its ``Future`` class through ``util``; both are pointed at threadkit here,
so the tests that build executors or futures directly exercise threadkit too. The process-pool
tests are not collected: threadkit has no process pool (``ProcessPoolExecutor`` is the stdlib's).
"""

import logging

import pytest

cf_tests = pytest.importorskip(
    "test.test_concurrent_futures", reason="this interpreter does not ship the suite"
)

from test.test_concurrent_futures import (  # noqa: E402
    executor,
    test_as_completed,
    test_future,
    test_init,
    test_shutdown,
    test_thread_pool,
    test_wait,
    util,
)

import threadkit.futures as tk  # noqa: E402

_MODULES = (
    executor,
    test_as_completed,
    test_future,
    test_init,
    test_shutdown,
    test_thread_pool,
    test_wait,
    util,
)
for _module in _MODULES:
    _module.futures = tk  # type: ignore[attr-defined]

# The suite's ready-made futures, remade from threadkit's class.
util.Future = tk.Future  # type: ignore[attr-defined]
_READY = {
    "PENDING_FUTURE": util.create_future(state=util.PENDING),
    "RUNNING_FUTURE": util.create_future(state=util.RUNNING),
    "CANCELLED_FUTURE": util.create_future(state=util.CANCELLED),
    "CANCELLED_AND_NOTIFIED_FUTURE": util.create_future(state=util.CANCELLED_AND_NOTIFIED),
    "EXCEPTION_FUTURE": util.create_future(state=util.FINISHED, exception=OSError()),
    "SUCCESSFUL_FUTURE": util.create_future(state=util.FINISHED, result=42),
}
for _module in _MODULES:
    for _name, _future in _READY.items():
        if hasattr(_module, _name):
            setattr(_module, _name, _future)
    if hasattr(_module, "Future"):
        _module.Future = tk.Future  # type: ignore[attr-defined]


class ThreadPoolMixin(util.ExecutorMixin):
    executor_type = tk.ThreadPoolExecutor


class ThreadPoolExecutorTest(ThreadPoolMixin, test_thread_pool.ThreadPoolExecutorTest):
    pass


class ThreadPoolShutdownTest(ThreadPoolMixin, test_shutdown.ThreadPoolShutdownTest):
    pass


class ThreadPoolWaitTests(ThreadPoolMixin, test_wait.ThreadPoolWaitTests):
    pass


class ThreadPoolAsCompletedTest(
    test_as_completed.AsCompletedTests, ThreadPoolMixin, util.BaseTestCase
):
    pass


class ThreadPoolInitializerTest(test_init.InitializerMixin, ThreadPoolMixin, util.BaseTestCase):
    pass


class ThreadPoolFailingInitializerTest(
    test_init.FailingInitializerMixin, ThreadPoolMixin, util.BaseTestCase
):
    pass


class FutureTests(test_future.FutureTests):
    def setUp(self) -> None:
        # The suite reads what the `concurrent.futures` logger prints on stderr through logging's
        # last-resort handler, as under CPython's test runner; pytest's log capture would take
        # those records instead (the stdlib's own Future fails these tests under it too).
        root = logging.getLogger()
        saved = root.handlers[:]
        root.handlers = [h for h in saved if not type(h).__module__.startswith("_pytest")]
        self.addCleanup(setattr, root, "handlers", saved)
        super().setUp()
