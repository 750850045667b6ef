"""A drop-in replacement for the standard library's :mod:`concurrent.futures` thread pool.

``Future``, ``ThreadPoolExecutor``, ``wait`` and ``as_completed`` are threadkit's own, native;
every other name (``ProcessPoolExecutor``, ``Executor``, the exceptions and constants) is the
standard library's object, so ``__all__`` is the stdlib's. threadkit's ``Future`` and
``ThreadPoolExecutor`` are instances of the stdlib's classes, so ``asyncio.wrap_future``,
``loop.run_in_executor`` and the stdlib's own ``wait``/``as_completed`` accept them, and
threadkit's ``wait``/``as_completed`` accept stdlib futures too (a list that holds one runs the
stdlib's algorithm).

Beyond the stdlib, opt-in: ``ThreadPoolExecutor(max_pending=n)`` makes ``submit`` wait while
``n`` calls are queued; ``map(..., buffersize=n)`` (3.14's) on every Python; the counts
``pending_tasks``, ``running_tasks`` and ``completed_tasks``; and
``ThreadPoolExecutor(propagate_context=True)``, which runs each call in a copy of the submitting
thread's ``contextvars`` context; and ``ThreadPoolExecutor(report_unobserved=True)`` or, for every
executor, ``report_unobserved_failures()``, which log a call's exception nobody retrieved.
"""

import collections
import concurrent.futures as _std
import contextvars
import functools
import itertools
import os
import sys
import threading as _std_threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    ALL_COMPLETED as ALL_COMPLETED,
    FIRST_COMPLETED as FIRST_COMPLETED,
    FIRST_EXCEPTION as FIRST_EXCEPTION,
    BrokenExecutor as BrokenExecutor,
    CancelledError as CancelledError,
    Executor as Executor,
    TimeoutError as TimeoutError,
)
from concurrent.futures._base import DoneAndNotDoneFutures
from concurrent.futures.thread import BrokenThreadPool as BrokenThreadPool
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from threadkit import _native

if sys.version_info >= (3, 13):
    from concurrent.futures import InvalidStateError as InvalidStateError
if TYPE_CHECKING:  # at run time, loaded on first use by __getattr__ below
    from concurrent.futures import ProcessPoolExecutor as ProcessPoolExecutor

__all__ = list(_std.__all__)  # the running stdlib's, whatever its version

# The names threadkit provides itself; a test checks that every other name is the stdlib's own.
_NATIVE = frozenset({"Future", "ThreadPoolExecutor", "wait", "as_completed"})

_T = TypeVar("_T")

# The stdlib's algorithms, for lists that hold a foreign future: held here, because
# `threadkit.install()` puts this module's `wait` and `as_completed` into `concurrent.futures`.
_std_wait = _std.wait
_std_as_completed = _std.as_completed


class Future(_native.futures.Future, _std.Future[Any]):  # type: ignore[override]
    """The result of a call that may not have finished yet: ``concurrent.futures.Future``.

    Native (threadkit's state machine, waiting and callbacks) and an instance of the stdlib's
    class.
    """

    __init__ = object.__init__  # all state is made by the native constructor


_native.futures._set_future_type(Future)

# Live executors (told to stop at exit and reset in a forked child) and every worker thread.
_executors: "weakref.WeakSet[ThreadPoolExecutor]" = weakref.WeakSet()
_workers: "weakref.WeakSet[_std_threading.Thread]" = weakref.WeakSet()


def _start_worker(
    threads: "set[_std_threading.Thread]", name: str, work: Callable[[], None]
) -> None:
    """Starts one pool worker: a ``threading.Thread`` named ``name`` running ``work``."""
    thread = _std_threading.Thread(name=name, target=work)
    thread.start()
    threads.add(thread)
    _workers.add(thread)


if sys.version_info >= (3, 13):
    _cpu_count = os.process_cpu_count
else:
    _cpu_count = os.cpu_count


def _default_max_workers() -> int:
    return min(32, (_cpu_count() or 1) + 4)


class ThreadPoolExecutor(  # type: ignore[misc, override]
    _native.futures.ThreadPoolExecutor, _std.ThreadPoolExecutor
):
    """A pool of threads that runs calls asynchronously: ``concurrent.futures.ThreadPoolExecutor``.

    The same constructor, methods and private attributes as the stdlib's, plus ``max_pending``:
    with it, ``submit`` waits while that many calls are queued and not yet started; and
    ``propagate_context``: when true, each call submitted (by ``submit`` or ``map``) runs in a
    copy of the submitting thread's ``contextvars`` context taken at submit time, so the
    ``ContextVar`` values set by the caller are seen by the call, and what the call sets stays
    in its own copy. The default runs calls in the worker's context, as the stdlib does. And
    ``report_unobserved``: when true, a call that raised and whose future is destroyed without
    anyone having observed the exception is logged (see ``report_unobserved_failures``); false
    never logs; ``None`` (the default) follows ``report_unobserved_failures()``.

    Leaving a ``with`` block by an exception cancels the calls still queued and waits only for
    the running ones (CPython runs the whole queue first: gh-125886).
    """

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        max_pending: int | None = None,
        propagate_context: bool = False,
        report_unobserved: bool | None = None,
    ) -> None:
        if max_workers is None:
            max_workers = _default_max_workers()
        run, args = initializer, initargs
        if initializer is None:
            args = ()  # unused, as in the stdlib, whatever it is
        elif not isinstance(initargs, tuple):
            # The stdlib unpacks them in each new worker: a failure there breaks the pool.
            run, args = functools.partial(_unpacked, initializer, initargs), ()
        threads: set[_std_threading.Thread] = set()
        propagate = bool(propagate_context)
        # `_init` checks `max_workers` and `max_pending` (the core does), before the
        # initializer is looked at, in the stdlib's order; no thread starts before a submit.
        self._init(
            max_workers,
            # The stdlib formats it into the names as "%s_%d" and replaces a false one.
            str(thread_name_prefix) if thread_name_prefix else "",
            run,
            args,
            max_pending,
            functools.partial(_start_worker, threads),
            propagate,
            None if report_unobserved is None else bool(report_unobserved),
        )
        # Only now: a second `__init__` fails above, changing nothing.
        self._threads: set[_std_threading.Thread] = threads
        self._propagate_context = propagate
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        _executors.add(self)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop accepting calls; with ``wait``, return once every worker has finished."""
        wait = bool(wait)  # the stdlib only tests them with `if`
        self._shutdown_pool(bool(cancel_futures), wait)
        if wait:
            for thread in list(self._threads):
                thread.join()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> Literal[False]:
        self.shutdown(wait=True, cancel_futures=exc_type is not None)
        return False

    def map(
        self,
        fn: Callable[..., _T],
        *iterables: Iterable[Any],
        timeout: float | None = None,
        chunksize: int = 1,
        buffersize: int | None = None,
    ) -> Iterator[_T]:
        """Like the builtin ``map``, in the pool; results in order.

        With ``buffersize`` (3.14's), at most that many calls are submitted ahead of the results
        consumed, and the iterables are read lazily; with ``propagate_context``, the calls
        submitted later still run in copies of the context ``map`` was called in.
        """
        return _map(self, fn, iterables, timeout, buffersize, self._propagate_context)


def _map(
    executor: _std.Executor,
    fn: Callable[..., _T],
    iterables: tuple[Iterable[Any], ...],
    timeout: float | None,
    buffersize: int | None,
    propagate_context: bool = False,
) -> Iterator[_T]:
    """``executor.map``, as 3.14's ``Executor.map`` (with ``buffersize``), for any executor.

    With ``propagate_context``, the calls submitted lazily are submitted in the context ``map``
    was called in (the executor's ``submit`` copies it).
    """
    if buffersize is not None and not isinstance(buffersize, int):
        raise TypeError("buffersize must be an integer or None")
    if buffersize is not None and buffersize < 1:
        raise ValueError("buffersize must be None or > 0")
    # Not the core's lazy map (`threadkit::futures::Map`): the stdlib's map goes through
    # `executor.submit` (a subclass's override sees each call) and its iterator holds the pool
    # only weakly, where the core's makes its own core futures, borrows the executor, and
    # clones results (which a Python object cannot be without the interpreter).
    end_time = None if timeout is None else timeout + time.monotonic()
    args = zip(*iterables, strict=False)
    submit = executor.submit
    if buffersize is None:
        fs = collections.deque(submit(fn, *a) for a in args)
    else:
        fs = collections.deque(submit(fn, *a) for a in itertools.islice(args, buffersize))
    lazy_in_context = propagate_context and buffersize is not None
    context = contextvars.copy_context() if lazy_in_context else None
    return _map_results(weakref.ref(executor), fs, fn, args, end_time, buffersize, context)


def _unpacked(initializer: Callable[..., object], initargs: Iterable[Any]) -> None:
    initializer(*initargs)


def _map_results(
    executor: "weakref.ref[_std.Executor]",
    fs: "collections.deque[Any]",  # threadkit's futures, or any concurrent.futures.Future
    fn: Callable[..., _T],
    args: Iterator[tuple[Any, ...]],
    end_time: float | None,
    buffersize: int | None,
    context: contextvars.Context | None,
) -> Iterator[_T]:
    """The results of ``map``, in order; cancels what is left when closed or on error.

    With ``buffersize``, each result read submits the next call: inside ``context`` (the one
    ``map`` was called in) when the pool propagates contexts, so that ``submit`` copies it.
    """
    try:
        while fs:
            if buffersize is not None:
                pool = executor()
                if pool is not None:
                    for a in itertools.islice(args, 1):
                        if context is None:
                            fs.append(pool.submit(fn, *a))
                        else:
                            fs.append(context.run(pool.submit, fn, *a))
                del pool
            if end_time is None:
                yield _result_or_cancel(fs.popleft())
            else:
                yield _result_or_cancel(fs.popleft(), end_time - time.monotonic())
    finally:
        for future in fs:
            future.cancel()


def _result_or_cancel(future: _std.Future[Any], timeout: float | None = None) -> Any:
    """The future's result; cancelled if that raises. No reference to it outlives the call."""
    try:
        try:
            return future.result(timeout)
        finally:
            future.cancel()
    finally:
        del future


def wait(
    fs: Iterable[_std.Future[Any]],
    timeout: float | None = None,
    return_when: str = ALL_COMPLETED,
) -> DoneAndNotDoneFutures[Any]:
    """Wait for the futures to complete: ``concurrent.futures.wait``."""
    fs = set(fs)
    outcome = _native.futures.wait(fs, timeout, return_when)
    if outcome is None:  # a future that is not threadkit's: the stdlib's algorithm
        return _std_wait(fs, timeout, return_when)
    return DoneAndNotDoneFutures(*outcome)


def as_completed(
    fs: Iterable[_std.Future[_T]], timeout: float | None = None
) -> Iterator[_std.Future[_T]]:
    """Yield the futures as they complete: ``concurrent.futures.as_completed``.

    A generator, as the stdlib's: nothing happens, and the timeout does not start, before the
    first ``next()``.
    """
    fs = set(fs)
    iterator = _native.futures.as_completed(fs, timeout)
    if iterator is None:  # a future that is not threadkit's: the stdlib's algorithm
        stdlib = _std_as_completed(fs, timeout)
        del fs  # each generator holds a future only until it yields it
        yield from stdlib
        return
    del fs
    try:
        yield from iterator
    finally:
        iterator.close()


def report_unobserved_failures(enabled: bool = True) -> bool:
    """Whether executors log a call's exception that nobody retrieved; returns the previous setting.

    Beyond the stdlib (gh-120508; asyncio's "Task exception was never retrieved"), off by
    default. When a future whose call raised is destroyed and nobody observed the exception —
    by ``result()``, ``exception()`` (or the private ``_exception``), ``add_done_callback``, or
    ``wait``/``as_completed`` handing it back as done — the ``concurrent.futures`` logger logs
    ``exception never retrieved from the call fn(args)`` at ERROR, with the traceback, once.
    ``repr()``, ``done()`` and the other predicates, ``_state`` and ``_result`` do not count as
    observing; the stdlib's ``wait``/``as_completed`` (run for a list holding a foreign future)
    count every threadkit future they are given.

    This is the setting of every ``ThreadPoolExecutor`` made with ``report_unobserved=None`` (the
    default); one made with ``True`` or ``False`` keeps its own. The setting in force when a
    call is submitted decides for that call. Futures failed by hand (``set_exception``) are never
    reported, and nothing is logged once the interpreter is finalizing.
    """
    return _native.futures._report_unobserved_failures(bool(enabled))


def _python_exit() -> None:
    """At exit, before non-daemon threads are joined: no new calls; the queues drain."""
    _native.futures._set_interpreter_shutdown(True)
    for executor in list(_executors):
        executor._shutdown_pool(False, True, at_exit=True)
    for thread in list(_workers):
        thread.join()


def _after_fork_in_child() -> None:
    _native.futures._set_interpreter_shutdown(False)
    for executor in list(_executors):
        executor._reinit_after_fork()
        executor._threads.clear()
    _workers.clear()


_std_threading._register_atexit(_python_exit)  # type: ignore[attr-defined]
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

del sys


# The stdlib's names not bound above (`ProcessPoolExecutor`, and any a later Python adds), looked
# up in the stdlib on first use, as the stdlib's own package does: importing threadkit does not
# load multiprocessing (tests/test_startup.py checks it).
if not TYPE_CHECKING:  # mypy reads the names bound above, not a catch-all

    def __getattr__(name: str) -> Any:
        if name not in __all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_std, name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
