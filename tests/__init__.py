"""threadkit's Python tests: one folder per module, CPython's own suites under cpython/."""
