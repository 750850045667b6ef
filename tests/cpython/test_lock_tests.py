"""CPython's own ``test.lock_tests``, from the running interpreter, run on threadkit's types."""

from test import lock_tests

import threadkit.threading as tk


class LockTests(lock_tests.LockTests):
    locktype = tk.Lock


class RLockTests(lock_tests.RLockTests):
    locktype = tk.RLock


class SemaphoreTests(lock_tests.SemaphoreTests):
    semtype = tk.Semaphore


class BoundedSemaphoreTests(lock_tests.BoundedSemaphoreTests):
    semtype = tk.BoundedSemaphore


class ConditionAsRLockTests(lock_tests.RLockTests):
    """A Condition exports its lock's API (an RLock by default): it passes RLock's tests."""

    locktype = tk.Condition


class ConditionTests(lock_tests.ConditionTests):
    condtype = tk.Condition


class BarrierTests(lock_tests.BarrierTests):
    barriertype = tk.Barrier


class EventTests(lock_tests.EventTests):
    eventtype = tk.Event
