"""CPython's own ``test.test_threading_local``, from the running interpreter, on threadkit.

The suite takes the local class under test from its ``_local`` class attribute: here it is
``threadkit.threading.local``. It also makes its threads and events through the module-global
``threading`` of ``test.test_threading_local``; while these classes run that name is
``threadkit.threading``, so the suite's ``Event`` waits are threadkit's.
"""

import unittest
from test import test_threading_local
from typing import Any, ClassVar

import threadkit.threading as tk


class _OnThreadkit(unittest.TestCase):
    """Points the suite's ``threading`` at ``threadkit.threading`` for the class's tests."""

    _saved: ClassVar[Any]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls._saved = test_threading_local.threading
        test_threading_local.threading = tk

    @classmethod
    def tearDownClass(cls) -> None:
        test_threading_local.threading = cls._saved
        super().tearDownClass()


class ThreadLocalTest(_OnThreadkit, test_threading_local.ThreadLocalTest):
    _local = tk.local
