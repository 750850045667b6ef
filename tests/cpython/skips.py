"""The one list of CPython conformance tests that are not run, each with its reason.

The only acceptable reason is a test that runs the standard library by name in a subprocess (so
it cannot exercise threadkit). Keys are ``<file stem>.<class>.<test>``.
"""

SKIPS: dict[str, str] = {}
