"""A drop-in replacement for the standard library's :mod:`threading`.

The primitives threadkit implements natively are its own classes (see ``_NATIVE``); every other
name is the standard library's own object, re-exported, so ``threadkit.threading`` offers exactly
what ``threading`` offers on the running interpreter — ``__all__`` is the stdlib's.
Exceptions are the stdlib's classes (``threading.BrokenBarrierError`` is ``BrokenBarrierError``
here), so existing ``except`` clauses keep working.

The native classes the stdlib defines in Python (``Condition``, ``Semaphore``,
``BoundedSemaphore``, ``Event``, ``Barrier``) can be subclassed as the stdlib's can, and so can
``RLock`` (like the stdlib's C ``_thread.RLock``); ``Lock`` cannot, as the stdlib's cannot.
As in the stdlib, ``BoundedSemaphore`` is a subclass of ``Semaphore``, and instances of the
classes the stdlib writes in Python take attributes. ``RLock.locked()`` and ``Condition.locked()``
(3.14's) exist on every supported Python.

Beyond the stdlib on Pythons before 3.15: 3.15's iterator tools ``serialize_iterator``,
``synchronized_iterator`` and ``concurrent_tee`` (native, guarded by real locks rather than the
GIL); they join ``__all__`` where the running stdlib has them.

In a forked child, threads that were blocked in threadkit waits in the parent do not exist; the
hook registered below makes later wake-ups skip them (see ``threadkit.after_fork_in_child`` in
the core), so a wake-up never goes to a thread of the parent.
"""

import functools
import os
import sys
import threading as _std
from collections.abc import Callable, Iterable, Mapping
from threading import (
    TIMEOUT_MAX as TIMEOUT_MAX,
    BrokenBarrierError as BrokenBarrierError,
    ExceptHookArgs as ExceptHookArgs,
    Thread as Thread,
    ThreadError as ThreadError,
    active_count as active_count,
    current_thread as current_thread,
    enumerate as enumerate,
    excepthook as excepthook,
    get_ident as get_ident,
    get_native_id as get_native_id,
    getprofile as getprofile,
    gettrace as gettrace,
    local as local,
    main_thread as main_thread,
    setprofile as setprofile,
    settrace as settrace,
    stack_size as stack_size,
)
from typing import Any, ParamSpec, TypeVar

from threadkit._native.threading import (
    Barrier as Barrier,
    BoundedSemaphore as BoundedSemaphore,
    Condition as Condition,
    Event as Event,
    Lock as Lock,
    RLock as RLock,
    Semaphore as Semaphore,
    _after_fork_in_child,
    concurrent_tee as concurrent_tee,
    serialize_iterator as serialize_iterator,
)

if sys.version_info >= (3, 12):
    from threading import (
        setprofile_all_threads as setprofile_all_threads,
        settrace_all_threads as settrace_all_threads,
    )

__all__ = list(_std.__all__)  # the running stdlib's, whatever its version

# 3.15's iterator tools (gh-124397), threadkit's on every Python; in __all__ from 3.15, as there.
_ITERATOR_TOOLS = frozenset({"serialize_iterator", "synchronized_iterator", "concurrent_tee"})

# The names threadkit provides itself (Timer is the stdlib's Thread subclass on threadkit's Event);
# a test checks that every other name is the stdlib's own object.
_NATIVE = frozenset(
    {"Barrier", "BoundedSemaphore", "Condition", "Event", "Lock", "RLock", "Semaphore", "Timer"}
) | (_ITERATOR_TOOLS & frozenset(__all__))


class Timer(_std.Timer):
    """Call a function after a number of seconds, unless ``cancel()`` is called first.

    The stdlib's ``threading.Timer`` (a ``Thread``), waiting on threadkit's ``Event``.
    """

    def __init__(
        self,
        interval: float,
        function: Callable[..., object],
        args: Iterable[Any] | None = None,
        kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(interval, function, args, kwargs)
        self.finished = Event()  # type: ignore[assignment]


# The native module's functions carry the name the module had when they were made.
concurrent_tee.__module__ = __name__

_P = ParamSpec("_P")
_T = TypeVar("_T")


def synchronized_iterator(
    func: Callable[_P, Iterable[_T]],
) -> "Callable[_P, serialize_iterator[_T]]":
    """Wrap an iterator-producing callable so that each iterator it returns is serialized.

    ``@synchronized_iterator`` on a generator function makes every generator it creates safe to
    share between threads, as if each were passed through ``serialize_iterator``.
    """

    @functools.wraps(func)
    def serialized(*args: _P.args, **kwargs: _P.kwargs) -> "serialize_iterator[_T]":
        return serialize_iterator(func(*args, **kwargs))

    return serialized


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

del os, sys
