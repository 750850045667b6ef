"""A drop-in replacement for the standard library's :mod:`queue`.

``__all__`` is the stdlib's on the running interpreter, and the exceptions are the stdlib's own
classes (``queue.Empty``, ``queue.Full`` and, on 3.13+, ``queue.ShutDown``), so existing
``except`` clauses keep working.

The rule: a threadkit queue never drops, duplicates or reorders an item relative to the stdlib,
whatever a subclass or an instance overrides. Two paths serve ``Queue`` and its subclasses, and
every method of ``Queue`` is a native method that asks, first thing, which path its instance is
on (``PriorityQueue``, always on the Python path, has that path as its first base instead):

- **Native.** ``Queue``, ``LifoQueue`` and every subclass that keeps the methods the stdlib's
  algorithm calls through ``self`` (the storage hooks ``_init``, ``_qsize``, ``_put``, ``_get``,
  and ``put`` and ``get``, which ``put_nowait`` and ``get_nowait`` call) run on threadkit's core
  queue (``threadkit._native.queue.Queue``), blocking detached from the interpreter.
- **Python.** A class that overrides any of those six (``PriorityQueue`` itself, whose order is
  Python's ``<``), with or without ``super()``, runs the stdlib's algorithm (``_PythonPath``) in
  Python on threadkit's ``Lock`` and ``Condition``, calling the hooks exactly where the stdlib
  does, with the stdlib's state as plain attributes: ``queue``, ``mutex``, ``not_empty``,
  ``not_full``, ``all_tasks_done``, ``unfinished_tasks``, ``is_shutdown``. The choice is made
  once per class, when it is defined (``__init_subclass__``): the hooks are Python code, which
  the core cannot call while it waits detached.

A native queue moves to the Python path, once and for good, the first time a program reads one
of the stdlib's internals (``queue``, ``mutex``, ``not_empty``, ``not_full``,
``all_tasks_done``) or sets one of them, one of the six methods (``q._put = ...``),
``unfinished_tasks`` or ``is_shutdown`` on it. The move carries the items, the unfinished-task
count and the shutdown state over, and calls running meanwhile finish on one path or the other
(``crates/threadkit-python/src/queue/queue.rs``); so ``with q.mutex: q.queue.clear()``, waiting
on ``q.not_empty`` and replacing ``q._put`` work as in the stdlib. Until then the native path
pays nothing for it: ``unfinished_tasks`` and ``is_shutdown`` are read from the core.

``SimpleQueue`` is native (lock-free ``put``, safe from ``__del__`` and weakref callbacks).

Differences from CPython:

- ``maxsize`` must be an integer.
- A class's path is decided when it is defined: a hook assigned to the class afterwards
  (``MyQueue._put = f``) is not seen by queues of a class that took the native path.
- On the Python path ``is_shutdown`` is an attribute before 3.13 too (``False`` there).
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

#: The methods the stdlib's algorithm calls through ``self``: the storage hooks, and ``put`` and
#: ``get`` (which ``put_nowait`` and ``get_nowait`` call).
_CALLED_THROUGH_SELF = ("_init", "_qsize", "_put", "_get", "put", "get")
#: Held while a queue moves to the Python path (rare: once per queue at most).
_MOVING = Lock()


def _locking(mutex: Lock) -> dict[str, Any]:
    """``mutex`` and the three conditions that share it, by attribute name."""
    return {
        "mutex": mutex,
        "not_empty": Condition(mutex),
        "not_full": Condition(mutex),
        "all_tasks_done": Condition(mutex),
    }


def _start(queue: Any, maxsize: int) -> None:
    """The stdlib's ``Queue.__init__``, for a queue whose class takes the Python path."""
    queue._init(maxsize)
    for name, value in _locking(Lock()).items():
        setattr(queue, name, value)
    queue.unfinished_tasks = 0
    queue.is_shutdown = False


def _move(queue: Any) -> None:
    """Moves a native queue to the Python path, with its items, unfinished-task count and
    shutdown state; calls running meanwhile finish on one path or the other, and nothing is lost
    (see ``crates/threadkit-python/src/queue/queue.rs``)."""
    with _MOVING:
        if queue._uses_python_path():
            return
        mutex = Lock()
        with mutex:
            # Published first, held: the calls the hand-over re-routes wait for the rest.
            # (Into the instance's dict: setting them would ask for a move again.)
            vars(queue).update(_locking(mutex))
            items, unfinished_tasks, was_shutdown = queue._hand_over()
            # The class keeps threadkit's own hooks (or it would not be native): the storage is
            # a deque (FIFO) or a list (LIFO), and `items` is in `get` order.
            queue._init(queue.maxsize)
            queue.queue.extend(reversed(items) if queue._lifo else items)
            queue.unfinished_tasks = unfinished_tasks
            queue.is_shutdown = was_shutdown


#: Setting one of these on a native queue moves it to the Python path first, so that the Python
#: path honours the new value (the glue's ``__setattr__`` asks).
_MOVES_ON_SET = frozenset(
    {*_CALLED_THROUGH_SELF, "queue", "mutex", "not_empty", "not_full", "all_tasks_done"}
    | {"unfinished_tasks", "is_shutdown"}
)


class _PythonPath:
    """The Python path: the stdlib's ``queue.Queue`` algorithm, over the storage hooks.

    The native methods of a queue on the Python path call these methods with the queue as
    ``self`` (the façade registers this class with the glue at import), so a subclass's
    ``super().put(...)`` lands here too, and ``self._put``, ``self._get``, ``self._qsize``,
    ``self.put`` and ``self.get`` are called exactly where the stdlib calls them.
    ``PriorityQueue``, which always takes this path, has it as a base, so its calls find these
    methods directly. The state is the stdlib's, as plain attributes of the queue: the hooks'
    storage (``queue``), ``mutex``, the three conditions that share it, ``unfinished_tasks`` and
    ``is_shutdown``.
    """

    def qsize(self: Any) -> Any:
        with self.mutex:
            return self._qsize()

    def empty(self: Any) -> bool:
        with self.mutex:
            return not self._qsize()

    def full(self: Any) -> Any:
        with self.mutex:
            return 0 < self.maxsize <= self._qsize()

    def put(self: Any, item: Any, block: bool = True, timeout: float | None = None) -> None:
        with self.not_full:
            if self.is_shutdown:
                raise _ShutDown
            if self.maxsize > 0:
                deadline = _deadline(block, timeout)
                while self._qsize() >= self.maxsize:
                    _wait(self.not_full, deadline, Full)
                    if self.is_shutdown:
                        raise _ShutDown
            self._put(item)
            self.unfinished_tasks += 1
            self.not_empty.notify()

    def put_nowait(self: Any, item: Any) -> None:
        return self.put(item, block=False)  # type: ignore[no-any-return]

    def get(self: Any, block: bool = True, timeout: float | None = None) -> Any:
        with self.not_empty:
            if self.is_shutdown and not self._qsize():
                raise _ShutDown
            deadline = _deadline(block, timeout)
            while not self._qsize():
                _wait(self.not_empty, deadline, Empty)
                if self.is_shutdown and not self._qsize():
                    raise _ShutDown
            item = self._get()
            self.not_full.notify()
            return item

    def get_nowait(self: Any) -> Any:
        return self.get(block=False)

    def task_done(self: Any) -> None:
        with self.all_tasks_done:
            unfinished = self.unfinished_tasks - 1
            if unfinished <= 0:
                if unfinished < 0:
                    raise ValueError("task_done() called too many times")
                self.all_tasks_done.notify_all()
            self.unfinished_tasks = unfinished

    def join(self: Any) -> None:
        with self.all_tasks_done:
            while self.unfinished_tasks:
                self.all_tasks_done.wait()

    def _shutdown(self: Any, immediate: bool = False) -> None:
        with self.mutex:
            self.is_shutdown = True
            if immediate:
                while self._qsize():
                    self._get()
                    if self.unfinished_tasks > 0:
                        self.unfinished_tasks -= 1
                self.all_tasks_done.notify_all()
            self.not_empty.notify_all()
            self.not_full.notify_all()

    # Read by the native methods only while a move is under way (afterwards the plain
    # attributes answer): they wait for it.
    def _is_shutdown(self: Any) -> bool:
        with self.mutex:
            return self.is_shutdown  # type: ignore[no-any-return]

    def _unfinished_tasks(self: Any) -> int:
        with self.mutex:
            return self.unfinished_tasks  # type: ignore[no-any-return]


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


class _State:
    """A descriptor for one of the stdlib's plain queue attributes, consulted only while the
    instance has no attribute of that name (it has no ``__set__``, so the instance's own
    attribute wins once there is one): what the native path answers instead."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, queue: Any, owner: type | None = None) -> Any:
        if queue is not None:
            return self.native(queue)
        raise AttributeError(f"type object {owner!r} has no attribute {self.name!r}")

    def native(self, queue: Any) -> Any:
        raise NotImplementedError


class _Internal(_State):
    """``queue``, ``mutex`` or a condition: a native queue moves to the Python path, which
    gives it the attribute."""

    def native(self, queue: Any) -> Any:
        _move(queue)
        if self.name in vars(queue):
            return vars(queue)[self.name]
        # A subclass whose __init__ skipped Queue.__init__, as in the stdlib.
        message = f"{type(queue).__name__!r} object has no attribute {self.name!r}"
        raise AttributeError(message, name=self.name, obj=queue)


class _FromCore(_State):
    """``unfinished_tasks`` or ``is_shutdown``: a native queue reads it from the core."""

    def __init__(self, read: Any) -> None:
        self.read = read

    def native(self, queue: Any) -> Any:
        return self.read(queue)


class Queue(_native.Queue):
    """A FIFO queue with at most ``maxsize`` items (0 or less: unbounded); ``queue.Queue``."""

    #: The order of the core queue (read by the glue at creation).
    _lifo = False
    #: Whether instances start on the Python path (read by the glue at creation); decided per
    #: class by ``__init_subclass__``.
    _python_path = False

    def __class_getitem__(cls, item: Any) -> types.GenericAlias:
        return types.GenericAlias(cls, item)

    def __init__(self, maxsize: int = 0) -> None:
        self.maxsize = maxsize
        if self._uses_python_path():
            _start(self, maxsize)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_python_path" in cls.__dict__:  # threadkit's own classes say which path they take
            return
        native = LifoQueue if cls._lifo else Queue
        cls._python_path = cls._python_path or any(
            getattr(cls, name) is not getattr(native, name) for name in _CALLED_THROUGH_SELF
        )

    # The stdlib's internals: on a native queue, reading one moves it to the Python path, which
    # gives the instance the real attribute (which answers from then on).
    queue: Any = _Internal()
    mutex: Any = _Internal()
    not_empty: Any = _Internal()
    not_full: Any = _Internal()
    all_tasks_done: Any = _Internal()
    # The stdlib's counts: a native queue answers them from the core, without moving.
    unfinished_tasks: Any = _FromCore(_native.Queue._unfinished_tasks)

    if sys.version_info >= (3, 13):
        is_shutdown: Any = _FromCore(_native.Queue._is_shutdown)

        def shutdown(self, immediate: bool = False) -> None:
            """Shut the queue down: puts raise ``ShutDown``, gets do once the queue is empty
            (at once with ``immediate``, which drops the items), and blocked callers wake."""
            self._shutdown(immediate)

    # The storage hooks, for subclasses that override some and call these.
    def _init(self, maxsize: int) -> None:
        self.queue = deque()

    def _qsize(self) -> int:
        return len(self.queue)

    def _put(self, item: Any) -> None:
        self.queue.append(item)

    def _get(self) -> Any:
        return self.queue.popleft()


class LifoQueue(Queue):
    """A LIFO queue (a stack) with at most ``maxsize`` items; ``queue.LifoQueue``."""

    _lifo = True
    _python_path = False

    def _init(self, maxsize: int) -> None:
        self.queue = []

    def _qsize(self) -> int:
        return len(self.queue)

    def _put(self, item: Any) -> None:
        self.queue.append(item)

    def _get(self) -> Any:
        return self.queue.pop()


class PriorityQueue(_PythonPath, Queue):
    """A queue that returns the smallest item first (by ``<``); ``queue.PriorityQueue``."""

    _python_path = True  # the order is Python's `<`, which the core cannot call detached

    def _init(self, maxsize: int) -> None:
        self.queue = []

    def _qsize(self) -> int:
        return len(self.queue)

    def _put(self, item: Any) -> None:
        heappush(self.queue, item)

    def _get(self) -> Any:
        return heappop(self.queue)


_native.Queue._set_python_path(_PythonPath, _MOVES_ON_SET, _move)
