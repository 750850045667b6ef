"""CPython's own ``test.lock_tests``, from the running interpreter, run on threadkit's types."""

from test import lock_tests

import threadkit.threading as tk


class LockTests(lock_tests.LockTests):
    locktype = tk.Lock
