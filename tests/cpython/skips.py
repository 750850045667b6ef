"""The one list of CPython conformance tests that are not run, each with its reason.

- ``SKIPS``: tests of the suites run on threadkit's classes (``tests/cpython/test_test_*.py``),
  keyed ``<file stem>.<class>.<test>``. The only acceptable reason is a test that runs the
  standard library by name in a subprocess (so it cannot exercise threadkit).
- ``IDENTITY``: tests of CPython's wider suites run with ``threadkit.install()`` in effect
  (``tests/cpython/test_installed_suites.py``) that assert an identity which install mode changes
  on purpose — such as ``type(threading.Lock())`` being ``_thread.lock``. Keyed by unittest id,
  as CPython's test runner matches them.
- ``KNOWN_FAILURES``: tests of those wider suites that fail on a behaviour, each with the bug's
  name and where it is tracked (today only CPython's own, fixed upstream). Kept apart from
  ``IDENTITY`` so that no behaviour passes for an identity; threadkit's own bugs are fixed, not
  listed.
"""

import sys

_PORTED = "runs concurrent.futures by name in a subprocess; ported to tests/futures/test_exit.py"

SKIPS: dict[str, str] = {
    f"test_test_concurrent_futures.ThreadPoolShutdownTest.{name}": _PORTED
    for name in (
        "test_interpreter_shutdown",
        "test_submit_after_interpreter_shutdown",
        "test_hang_gh83386",
        "test_cancel_futures_wait_false",
    )
}

IDENTITY: dict[str, str] = {
    "test.test_threading.MiscTestCase.test__all__": (
        "asserts each name of threading.__all__ has __module__ 'threading' or '_thread'; "
        "installed, Lock, RLock, Semaphore, ... are threadkit.threading's"
    ),
}
if sys.version_info < (3, 13):  # 3.13 has no such test (its threading.Lock is the type)
    IDENTITY["test.test_threading.ThreadTests.test_disallow_instantiation"] = (
        "asserts type(threading.Lock()) is _thread.lock, which cannot be instantiated; "
        "installed, it is threadkit's Lock, which is threading.Lock itself"
    )

_ISSUE = "behaviour, CPython's own bug"  # how each reason below begins

KNOWN_FAILURES: dict[str, str] = {}
if sys.version_info < (3, 13, 1):
    # CPython's own deadlock, gh-125451 (fixed in 3.13.1): ProcessPoolExecutor's manager thread
    # holds _shutdown_lock while it joins the queue's feeder thread, which may be waiting for
    # that lock; "more likely with slightly different performance characteristics of
    # _thread.Lock". Hung once here (test_shutdown_deadlock_pickle, 3.13.0, threadkit's Lock).
    KNOWN_FAILURES.update(
        dict.fromkeys(
            (
                "test.test_concurrent_futures.test_deadlock.*.test_shutdown_deadlock_pickle",
                "test.test_concurrent_futures.test_shutdown.*.test_processes_terminate",
            ),
            f"{_ISSUE}: CPython 3.13.0's ProcessPoolExecutor shutdown deadlock, gh-125451",
        )
    )
