"""A drop-in replacement for the standard library's :mod:`queue`.

``__all__`` is the stdlib's on the running interpreter, and the exceptions are the stdlib's own
classes (``queue.Empty``, ``queue.Full`` and, on 3.13+, ``queue.ShutDown``), so existing
``except`` clauses keep working.

Two paths serve ``Queue`` and its subclasses:

- **Native.** ``Queue``, ``LifoQueue`` and every subclass that keeps their storage hooks run on
  threadkit's core queue (``threadkit._native.queue.Queue``): ``put`` and ``get`` are native
  methods that block detached from the interpreter.
- **Python storage.** A subclass that overrides a storage hook (``_init``, ``_qsize``, ``_put``,
  ``_get``) — ``PriorityQueue`` itself, whose order is Python's ``<`` on the items — runs the
  stdlib's algorithm over those hooks, in Python, on threadkit's ``Lock`` and ``Condition``.
  The hooks are Python code, which the core cannot call while it waits detached; this path also
  has the stdlib's ``queue``, ``mutex``, ``not_empty``, ``not_full`` and ``all_tasks_done``
  attributes. The choice is made once per class, when it is defined (``__init_subclass__``).

``SimpleQueue`` is native (lock-free ``put``, safe from ``__del__`` and weakref callbacks).

Differences from CPython:

- On the native path ``maxsize`` must be an integer, and the ``queue``, ``mutex``,
  ``not_empty``, ``not_full`` and ``all_tasks_done`` attributes do not exist.
- A NaN timeout does not wait (the stdlib's ``Queue.get`` spins forever on it).
"""

import math
import queue as _std
import sys
import types
from collections import deque
from heapq import heappop, heappush
from queue import Empty as Empty, Full as Full
from time import monotonic
from typing import Any

from threadkit._native import queue as _native
from threadkit._native.queue import SimpleQueue as SimpleQueue
from threadkit.threading import Condition, Lock

if sys.version_info >= (3, 13):
    from queue import ShutDown as ShutDown

    _ShutDown: type[Exception] = ShutDown
else:
    _ShutDown = RuntimeError  # never raised: before 3.13 queues have no shutdown()

__all__ = list(_std.__all__)  # the running stdlib's, whatever its version

_HOOKS = ("_init", "_qsize", "_put", "_get")


class _PythonStorage:
    """The queue methods of the Python-storage path, copied into each class that takes it.

    State (all guarded by ``mutex``): the hooks' storage, ``unfinished_tasks`` and
    ``_shut_down``; three conditions share the lock, as in the stdlib.
    """

    METHODS = (
        "qsize",
        "empty",
        "full",
        "put",
        "put_nowait",
        "get",
        "get_nowait",
        "task_done",
        "join",
        "_shutdown",
        "_is_shutdown",
    )

    @staticmethod
    def start(queue: Any, maxsize: int) -> None:
        queue._init(maxsize)
        queue.mutex = Lock()
        queue.not_empty = Condition(queue.mutex)
        queue.not_full = Condition(queue.mutex)
        queue.all_tasks_done = Condition(queue.mutex)
        queue.unfinished_tasks = 0
        queue._shut_down = False

    def qsize(self: Any) -> int:
        with self.mutex:
            return int(self._qsize())

    def empty(self: Any) -> bool:
        with self.mutex:
            return not self._qsize()

    def full(self: Any) -> bool:
        with self.mutex:
            return bool(0 < self.maxsize <= self._qsize())

    def put(self: Any, item: Any, block: bool = True, timeout: float | None = None) -> None:
        with self.not_full:
            if self._shut_down:
                raise _ShutDown
            if self.maxsize > 0:
                deadline = _deadline(block, timeout)
                while self._qsize() >= self.maxsize:
                    _wait(self.not_full, deadline, Full)
                    if self._shut_down:
                        raise _ShutDown
            self._put(item)
            self.unfinished_tasks += 1
            self.not_empty.notify()

    def put_nowait(self: Any, item: Any) -> None:
        self.put(item, False)

    def get(self: Any, block: bool = True, timeout: float | None = None) -> Any:
        with self.not_empty:
            if self._shut_down and not self._qsize():
                raise _ShutDown
            deadline = _deadline(block, timeout)
            while not self._qsize():
                _wait(self.not_empty, deadline, Empty)
                if self._shut_down and not self._qsize():
                    raise _ShutDown
            item = self._get()
            self.not_full.notify()
            return item

    def get_nowait(self: Any) -> Any:
        return self.get(False)

    def task_done(self: Any) -> None:
        with self.all_tasks_done:
            if self.unfinished_tasks <= 0:
                raise ValueError("task_done() called too many times")
            self.unfinished_tasks -= 1
            if not self.unfinished_tasks:
                self.all_tasks_done.notify_all()

    def join(self: Any) -> None:
        with self.all_tasks_done:
            while self.unfinished_tasks:
                self.all_tasks_done.wait()

    def _shutdown(self: Any, immediate: bool = False) -> None:
        with self.mutex:
            self._shut_down = True
            if immediate:
                while self._qsize():
                    self._get()
                    self.unfinished_tasks = max(0, self.unfinished_tasks - 1)
                self.all_tasks_done.notify_all()
            self.not_empty.notify_all()
            self.not_full.notify_all()

    def _is_shutdown(self: Any) -> bool:
        return bool(self._shut_down)


def _deadline(block: bool, timeout: float | None) -> float | None:
    """When a blocked call gives up (``None``: never), from ``block`` and ``timeout``."""
    if not block:
        return -math.inf
    if timeout is None:
        return None
    if timeout < 0:
        raise ValueError("'timeout' must be a non-negative number")
    if not timeout > 0:  # 0, and NaN (on which the stdlib spins forever): do not wait
        return -math.inf
    return monotonic() + timeout


def _wait(condition: Condition, deadline: float | None, error: type[Exception]) -> None:
    """One wait on ``condition`` (its lock held); raises ``error`` once ``deadline`` passed."""
    if deadline is None:
        condition.wait()
        return
    left = deadline - monotonic()
    if left <= 0:
        raise error
    condition.wait(left)


class Queue(_native.Queue):
    """A FIFO queue with at most ``maxsize`` items (0 or less: unbounded); ``queue.Queue``."""

    _lifo = False
    #: Whether this class runs the Python-storage path (set by ``__init_subclass__``).
    _python_storage = False

    def __class_getitem__(cls, item: Any) -> types.GenericAlias:
        return types.GenericAlias(cls, item)

    def __init__(self, maxsize: int = 0) -> None:
        self.maxsize = maxsize
        if self._python_storage:
            _PythonStorage.start(self, maxsize)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_lifo" in cls.__dict__:  # threadkit's own LifoQueue: native
            return
        native = LifoQueue if cls._lifo else Queue
        if cls._python_storage or all(
            getattr(cls, hook) is getattr(native, hook) for hook in _HOOKS
        ):
            return
        cls._python_storage = True
        # Plain attributes in the class shadow the native getters, so instances can set them.
        cls.unfinished_tasks = 0  # type: ignore[assignment]
        for name in _PythonStorage.METHODS:
            if getattr(cls, name) is getattr(native, name):
                setattr(cls, name, getattr(_PythonStorage, name))

    if sys.version_info >= (3, 13):

        def shutdown(self, immediate: bool = False) -> None:
            """Shut the queue down: puts raise ``ShutDown``, gets do once the queue is empty
            (at once with ``immediate``, which drops the items), and blocked callers wake."""
            self._shutdown(immediate)

        @property
        def is_shutdown(self) -> bool:
            """Whether ``shutdown()`` has been called."""
            return self._is_shutdown()

    # The storage hooks, for subclasses that override some and call these.
    def _init(self, maxsize: int) -> None:
        self.queue: Any = deque()

    def _qsize(self) -> int:
        return len(self.queue)

    def _put(self, item: Any) -> None:
        self.queue.append(item)

    def _get(self) -> Any:
        return self.queue.popleft()


class LifoQueue(Queue):
    """A LIFO queue (a stack) with at most ``maxsize`` items; ``queue.LifoQueue``."""

    _lifo = True

    def _init(self, maxsize: int) -> None:
        self.queue = []

    def _qsize(self) -> int:
        return len(self.queue)

    def _put(self, item: Any) -> None:
        self.queue.append(item)

    def _get(self) -> Any:
        return self.queue.pop()


class PriorityQueue(Queue):
    """A queue that returns the smallest item first (by ``<``); ``queue.PriorityQueue``."""

    def _init(self, maxsize: int) -> None:
        self.queue = []

    def _qsize(self) -> int:
        return len(self.queue)

    def _put(self, item: Any) -> None:
        heappush(self.queue, item)

    def _get(self) -> Any:
        return heappop(self.queue)
