"""The same ``concurrent.futures`` program on a dask.distributed cluster: ``threadkit[dask]``.

:class:`DaskExecutor` is a ``concurrent.futures.Executor`` over a ``distributed.Client``; moving a
program from threadkit's (or the stdlib's) thread pool to a cluster is the one line that makes the
executor. Unlike ``Client.get_executor()``, it keeps the executor contract:

- ``submit(fn, /, *args, **kwargs)`` passes every argument through untouched (``key``,
  ``priority``, ``workers``, ``pure`` … reach ``fn`` as ordinary keyword arguments) and runs
  every call, never deduplicating identical ones. The call is pickled (cloudpickle) in the
  submitting thread, so an argument that cannot be sent fails ``submit`` with a
  ``pickle.PicklingError`` naming it.
- Its futures are threadkit's :class:`threadkit.futures.Future`, instances of
  ``concurrent.futures.Future``: PENDING while queued here, RUNNING once sent to the cluster,
  then FINISHED. ``cancel()`` succeeds while a call is queued here, and a cancelled call is never
  sent; once sent, it cannot be cancelled (as a started call in the stdlib's pool).
- At most ``max_workers`` calls are on the cluster at once; the others wait here, in order.
  ``max_pending``, ``map(buffersize=)``, ``shutdown(wait, cancel_futures)`` and the counts
  ``pending_tasks``, ``running_tasks`` and ``completed_tasks`` mean what they mean on
  :class:`threadkit.futures.ThreadPoolExecutor`.
- Results are received, and done-callbacks run, on the executor's own thread
  (``DaskExecutor_results``), never on dask's event loop.
- A closed client, a lost scheduler, or a worker that died running the call gives
  :class:`BrokenCluster`, a ``concurrent.futures.BrokenExecutor``; never a hang.

The other direction: :class:`ThreadkitWorkerPool` (a worker plugin) or ``--preload
threadkit.dask`` make threadkit's ``ThreadPoolExecutor`` the pool inside each dask worker.
"""

import collections
import itertools
import logging
import pickle
import reprlib
import sys
import threading as _std_threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, CancelledError, Executor
from types import TracebackType
from typing import Any, Literal, TypeVar

import cloudpickle  # type: ignore[import-untyped]
import distributed
from dask.utils import funcname

from threadkit import futures, queue, threading

__all__ = ["BrokenCluster", "DaskExecutor", "ThreadkitWorkerPool", "dask_setup"]

_T = TypeVar("_T")

# The default max_workers per thread of the cluster's workers: enough calls on the cluster that a
# worker that finishes one has the next at hand. The next is one round trip away (worker ->
# scheduler -> client -> results thread -> scheduler -> worker, through dask's batched sends: some
# 10 ms even on a quiet machine), in which a thread runs tens of dask's smallest tasks.
_CALLS_PER_THREAD = 32

# How long the results thread waits for another call before it ends (a program that submits one
# call at a time would otherwise start a thread per call).
_LINGER = 1.0

# A call on its way to the cluster: its future, its task key and the pickled call.
_Call = tuple[futures.Future, str, bytes]
# A call the cluster is done with: its task, whether it returned, and its result or exception.
_Arrival = tuple["distributed.Future[Any]", bool, Any]


class BrokenCluster(BrokenExecutor):
    """The cluster cannot run the call: the client closed or lost its scheduler, or the worker
    running the call died."""


def _run(payload: bytes) -> Any:
    """On a worker: the call that ``DaskExecutor.submit`` sent."""
    fn, args, kwargs = pickle.loads(payload)
    return fn(*args, **kwargs)


def _pickled(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    """The call, pickled to be sent; a ``PicklingError`` naming what cannot be."""
    try:
        payload: bytes = cloudpickle.dumps((fn, args, kwargs))
    except Exception as error:
        raise pickle.PicklingError(
            f"cannot send {_unpicklable(fn, args, kwargs)} to the cluster: {error}"
        ) from error
    return payload


def _unpicklable(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Which part of a call cannot be pickled, as a phrase."""
    parts = itertools.chain(
        [("the function", fn)],
        ((f"argument {i}", arg) for i, arg in enumerate(args)),
        ((f"keyword argument {name!r}", value) for name, value in kwargs.items()),
    )
    for what, value in parts:
        try:
            cloudpickle.dumps(value)
        except Exception:
            return f"{what} ({reprlib.repr(value)})"
    return "the call"


class DaskExecutor(Executor):
    """Runs calls on a dask.distributed cluster: a ``concurrent.futures.Executor``.

    ``client`` is a ``distributed.Client`` (used, never closed), or anything ``Client`` accepts
    (a scheduler address, a cluster object), for a client the executor makes and closes at
    shutdown; ``None`` means dask's current client.

    ``max_workers`` bounds the calls on the cluster at once; the default, 32 per worker thread
    when the executor is made, keeps every worker fed while the rest of a large batch waits
    here, cancellable. ``max_pending``, as on threadkit's pool, makes ``submit`` wait
    while that many calls wait here to be sent.
    """

    def __init__(
        self,
        client: object = None,
        max_workers: int | None = None,
        *,
        max_pending: int | None = None,
    ) -> None:
        if max_workers is not None and max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if max_pending is not None and max_pending <= 0:
            raise ValueError("max_pending must be greater than 0")
        self._owns_client = not (client is None or isinstance(client, distributed.Client))
        if client is None:
            client = distributed.default_client()
        elif not isinstance(client, distributed.Client):
            client = distributed.Client(client, set_as_default=False)
        assert isinstance(client, distributed.Client)
        self._client = client
        assert client.loop is not None  # a Client has its loop from construction
        self._loop = client.loop
        if max_workers is None:
            max_workers = _CALLS_PER_THREAD * max(1, sum(client.nthreads().values()))
        self._max_workers = max_workers
        self._max_pending = max_pending
        # Guards everything below; notified when a call is sent or finishes, or at shutdown.
        self._changed = threading.Condition()
        self._queue: collections.deque[_Call] = collections.deque()  # not yet sent
        self._running = 0  # sent or being sent, not yet finished
        self._sent: dict[distributed.Future[Any], futures.Future] = {}
        self._completed = 0
        self._shutdown = False
        self._broken: str | None = None  # why the executor can take no more calls
        self._receiver: _std_threading.Thread | None = None
        # What the loop hands the results thread: each call the cluster is done with, and None
        # to make it look again (shutdown, a failed send).
        self._arrivals = queue.SimpleQueue()  # of _Arrival | None
        _executors.add(self)

    @property
    def client(self) -> distributed.Client:
        """The ``distributed.Client`` the calls go through."""
        return self._client

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> futures.Future:
        """Schedules ``fn(*args, **kwargs)`` on the cluster; returns its future."""
        payload = _pickled(fn, args, kwargs)
        call: _Call = (futures.Future(), f"{funcname(fn)}-{uuid.uuid4().hex}", payload)
        with self._changed:
            while True:
                self._check_open()
                if self._max_pending is None or len(self._queue) < self._max_pending:
                    break
                self._changed.wait()
            send_now = not self._queue and self._running < self._max_workers
            if send_now:
                call[0].set_running_or_notify_cancel()
                self._running += 1
                self._start_receiver()
            else:
                self._queue.append(call)
        if send_now:
            self._send(call)
        return call[0]

    def _check_open(self) -> None:
        """Raises what the stdlib's pool raises for a submit that cannot be taken."""
        reason = self._broken_reason()
        if reason is not None:
            raise BrokenCluster(reason)
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")

    def _broken_reason(self) -> str | None:
        """Why the executor is broken, which it is once its client closed (under the lock)."""
        if self._broken is None and self._client.status in ("closing", "closed"):
            self._broken = "the client is closed"
        return self._broken

    def _start_receiver(self) -> None:
        if self._receiver is None:
            self._receiver = _std_threading.Thread(
                target=self._receive, name="DaskExecutor_results"
            )
            self._receiver.start()

    def _send(self, call: _Call) -> None:
        """Sends a call counted in ``_running`` to the cluster."""
        future, key, payload = call
        try:
            task = self._client.submit(_run, payload, key=key, pure=False)
        except Exception as error:
            with self._changed:
                self._running -= 1
                # A cluster that takes no calls is of no use.
                reason = self._broken_reason() or f"a call could not be sent: {error}"
                self._broken = reason
                self._changed.notify_all()
            future.set_exception(BrokenCluster(reason))
            self._fail_queued()  # (which wakes the results thread to see that)
            return
        with self._changed:
            self._sent[task] = future
        self._loop.add_callback(self._watch, task)

    async def _watch(self, task: distributed.Future[Any]) -> None:
        """On dask's event loop: waits for the call's outcome and hands it to the results thread
        (a put that never blocks)."""
        try:
            arrival = (task, True, await self._client.gather(task, asynchronous=True))
        except BaseException as error:  # the call's exception, a dead worker, a cancellation
            arrival = (task, False, error)
        self._arrivals.put(arrival)

    def _receive(self) -> None:
        """The results thread: completes the futures of the calls sent, sends the queued."""
        while (arrival := self._next_arrival()) is not None:
            self._finish(*arrival)
            del arrival  # the cluster may free the result once the future has it
        self._close_client_if_done()

    def _next_arrival(self) -> _Arrival | None:
        """The next call the cluster is done with; None (and the thread ends) once no call is
        left and none has come for ``_LINGER`` seconds, or at once after shutdown."""
        idle_since = None
        while True:
            with self._changed:
                busy = bool(self._running or self._queue)
                if busy:
                    idle_since = None
                else:
                    now = time.monotonic()
                    idle_since = now if idle_since is None else idle_since
                    if self._shutdown or now - idle_since >= _LINGER:
                        self._receiver = None
                        self._changed.notify_all()
                        return None
            try:
                arrival: _Arrival | None = self._arrivals.get(timeout=None if busy else _LINGER)
            except queue.Empty:
                continue
            if arrival is not None:
                return arrival

    def _finish(self, task: distributed.Future[Any], returned: bool, outcome: Any) -> None:
        """Completes the future of a call the cluster is done with; sends what may go next."""
        with self._changed:
            future = self._sent.pop(task)
            self._running -= 1
            error = None if returned else _error(outcome, self._broken_reason())
            if isinstance(outcome, CancelledError) and self._broken is None:
                # Only dask cancels a call sent: the client lost its scheduler, which restarted
                # or is gone, and the calls on it with it.
                self._broken = str(error)
            broken = self._broken is not None
            if error is None:
                self._completed += 1
            to_send = self._next_calls()
            self._changed.notify_all()
        try:
            if error is None:
                future.set_result(outcome)
            else:
                future.set_exception(error)
        except BaseException:
            # A done-callback's KeyboardInterrupt or SystemExit, which stopped its later
            # callbacks: logged as threadkit's pool worker logs it, and this thread goes on.
            logging.getLogger("concurrent.futures").critical("Exception in worker", exc_info=True)
        for call in to_send:
            self._send(call)
        if broken:
            self._fail_queued()

    def _next_calls(self) -> list[_Call]:
        """Takes the queued calls that may be sent now (under the lock), marked RUNNING."""
        calls = []
        while self._queue and self._running < self._max_workers and self._broken is None:
            call = self._queue.popleft()
            if call[0].set_running_or_notify_cancel():
                self._running += 1
                calls.append(call)
        return calls

    def _fail_queued(self) -> None:
        """Once the executor is broken: every queued call fails with ``BrokenCluster``."""
        with self._changed:
            reason = self._broken
            if reason is None:
                return
            queued = list(self._queue)
            self._queue.clear()
            self._changed.notify_all()
        self._arrivals.put(None)
        for future, _, _ in queued:
            if future.set_running_or_notify_cancel():
                future.set_exception(BrokenCluster(reason))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop accepting calls; with ``wait``, return once every call has finished.

        With ``cancel_futures``, the calls still queued here are cancelled (those already on
        the cluster run to the end). A client the executor made is closed once all are done.
        """
        with self._changed:
            self._shutdown = True
            cancelled = list(self._queue) if cancel_futures else []
            if cancel_futures:
                self._queue.clear()
            self._changed.notify_all()
            receiver = self._receiver
        self._arrivals.put(None)
        for future, _, _ in cancelled:
            future.cancel()
            future.set_running_or_notify_cancel()
        if wait and receiver not in (None, _std_threading.current_thread()):
            receiver.join()  # (not from a done-callback, which runs on that thread)
        self._close_client_if_done()

    def _close_client_if_done(self) -> None:
        """Closes a client the executor made, once it is shut down and every call is done."""
        with self._changed:
            close = self._owns_client and self._shutdown and self._receiver is None
            self._owns_client = self._owns_client and not close
        if close:
            self._client.close()

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
        """Like the builtin ``map``, on the cluster; results in order.

        With ``buffersize`` (3.14's), at most that many calls are submitted ahead of the results
        consumed, and the iterables are read lazily. ``chunksize`` is ignored, as by a thread
        pool.
        """
        return futures._map(self, fn, iterables, timeout, buffersize)

    @property
    def pending_tasks(self) -> int:
        """Calls queued here and not yet sent (beyond the stdlib)."""
        with self._changed:
            return len(self._queue)

    @property
    def running_tasks(self) -> int:
        """Calls sent to the cluster and not yet finished (beyond the stdlib)."""
        with self._changed:
            return self._running

    @property
    def completed_tasks(self) -> int:
        """Calls finished so far, with a result or an exception (beyond the stdlib)."""
        with self._changed:
            return self._completed


# Live executors, shut down (without waiting) at exit, before the non-daemon threads are joined:
# an idle results thread then ends at once, a busy one once its calls are done, as the stdlib's
# pool workers do.
_executors: "weakref.WeakSet[DaskExecutor]" = weakref.WeakSet()


def _python_exit() -> None:
    for executor in list(_executors):
        executor.shutdown(wait=False)


_std_threading._register_atexit(_python_exit)  # type: ignore[attr-defined]


def _error(raised: BaseException, broken: str | None) -> BaseException:
    """What a call's future raises for what getting its result raised.

    ``broken`` is why the executor is broken, if it is.
    """
    if isinstance(raised, distributed.KilledWorker):
        error = BrokenCluster(f"a worker died running the call: {raised}")
    elif isinstance(raised, CancelledError):  # by dask: the client closed or lost its scheduler
        error = BrokenCluster(broken or f"the cluster dropped the call: {raised}")
    else:
        return raised  # the call's own exception, with its traceback from the worker
    error.__cause__ = raised
    return error


def _use_threadkit_pool(worker: distributed.Worker) -> None:
    """Makes threadkit's ``ThreadPoolExecutor`` the worker's default pool."""
    previous = worker.executors["default"]
    if isinstance(previous, futures.ThreadPoolExecutor):
        return
    prefix = f"{worker.name}-" if worker.name is not None else ""
    worker.executors["default"] = futures.ThreadPoolExecutor(
        worker.state.nthreads, thread_name_prefix=f"{prefix}Dask-Default-Threads"
    )
    previous.shutdown(wait=False)


class ThreadkitWorkerPool(distributed.WorkerPlugin):
    """A worker plugin that makes threadkit's ``ThreadPoolExecutor`` each worker's pool.

    ``client.register_plugin(ThreadkitWorkerPool())`` installs it on every worker, present and
    future. dask's ``secede``/``rejoin`` need dask's own pool: a task that calls them fails.
    """

    name = "threadkit-pool"

    def setup(self, worker: distributed.Worker) -> None:
        _use_threadkit_pool(worker)


def dask_setup(worker: object) -> None:
    """The preload hook: ``dask worker --preload threadkit.dask`` does what the plugin does."""
    if not isinstance(worker, distributed.Worker):
        raise TypeError(f"threadkit.dask preloads into workers, not {type(worker).__name__}")
    _use_threadkit_pool(worker)


if __name__ == "__main__":
    from threadkit import _dask_bench

    sys.exit(_dask_bench.main(sys.argv[1:]))
