"""The one list of CPython conformance tests that are not run, each with its reason.

The only acceptable reason is a test that runs the standard library by name in a subprocess (so
it cannot exercise threadkit). Keys are ``<file stem>.<class>.<test>``.
"""

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
