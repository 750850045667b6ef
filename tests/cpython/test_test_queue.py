"""CPython's own ``test.test_queue``, from the running interpreter, run on ``threadkit.queue``.

The stdlib's test classes take the module under test from their ``queue`` class attribute (that
is how they run both the Python and the C implementation); here it is threadkit's. The
mixins are made test cases here, as the stdlib does for each of its two implementations.
"""

import unittest
from test import test_queue

import threadkit.queue as tk


class QueueTest(test_queue.QueueTest, unittest.TestCase):
    queue = tk


class LifoQueueTest(test_queue.LifoQueueTest, unittest.TestCase):
    queue = tk


class PriorityQueueTest(test_queue.PriorityQueueTest, unittest.TestCase):
    queue = tk


class FailingQueueTest(test_queue.FailingQueueTest, unittest.TestCase):
    queue = tk


class SimpleQueueTest(test_queue.CSimpleQueueTest):
    """The C ``SimpleQueue``'s tests, reentrancy from ``__del__`` included."""

    queue = tk
