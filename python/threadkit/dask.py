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
import pickle
import reprlib
import sys
import threading as _std_threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Executor
from types import TracebackType
from typing import Any, Literal, TypeVar

import cloudpickle  # type: ignore[import-untyped]
import distributed
from dask.utils import funcname

from threadkit import futures, threading

__all__ = ["BrokenCluster", "DaskExecutor", "ThreadkitWorkerPool", "dask_setup"]

_T = TypeVar("_T")

# The default max_workers per thread of the cluster's workers: enough calls on the cluster that a
# worker that finishes one has the next at hand, not one network round trip away.
_CALLS_PER_THREAD = 8

# A call on its way to the cluster: its future, its task key and the pickled call.
_Call = tuple[futures.Future, str, bytes]


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

    ``max_workers`` bounds the calls on the cluster at once; the default, eight per worker
    thread when the executor is made, keeps every worker fed while the rest of a large batch
    waits here, cancellable. ``max_pending``, as on threadkit's pool, makes ``submit`` wait
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
        self._results = distributed.as_completed(
            loop=client.loop, with_results=True, raise_errors=False
        )

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
            self._fail_queued()
            return
        with self._changed:
            self._sent[task] = future
            self._results.add(task)
            self._changed.notify_all()

    def _receive(self) -> None:
        """The results thread: completes the futures of the calls sent, sends the queued."""
        while self._wait_for_sent():
            self._finish_batch()
        self._close_client_if_done()

    def _wait_for_sent(self) -> bool:
        """Waits for a call on the cluster; False (and the thread ends) once none is left."""
        with self._changed:
            while not self._sent:
                if self._running == 0 and not self._queue:
                    self._receiver = None
                    self._changed.notify_all()
                    return False
                self._changed.wait()
            return True

    def _finish_batch(self) -> None:
        """Completes the calls the cluster is done with (at least one)."""
        for task, outcome in self._results.next_batch(block=True):
            self._finish(task, outcome)

    def _finish(self, task: distributed.Future[Any], outcome: Any) -> None:
        """Completes the future of a call the cluster is done with; sends what may go next."""
        with self._changed:
            future = self._sent.pop(task, None)
            self._running -= 1
            error = _error(task, outcome, self._broken_reason())
            if task.status == "cancelled" and self._broken is None:
                # Only dask cancels a call sent: the client lost its scheduler, which restarted
                # or is gone, and the calls on it with it.
                self._broken = str(error)
            broken = self._broken is not None
            if future is not None and error is None:
                self._completed += 1
            to_send = self._next_calls()
            self._changed.notify_all()
        if future is not None:
            if error is None:
                future.set_result(outcome)
            else:
                future.set_exception(error)
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


def _error(task: distributed.Future[Any], outcome: Any, broken: str | None) -> BaseException | None:
    """What a call the cluster is done with raised, or ``None`` if it returned ``outcome``.

    ``broken`` is why the executor is broken, if it is.
    """
    if task.status == "finished":
        return None
    if task.status == "error":
        _, exception, traceback = outcome
        if isinstance(exception, distributed.KilledWorker):
            error = BrokenCluster(f"a worker died running the call: {exception}")
            error.__cause__ = exception
            return error
        assert isinstance(exception, BaseException)
        return exception.with_traceback(traceback)
    # Cancelled by dask: the client closed or lost its scheduler.
    error = BrokenCluster(broken or f"the cluster dropped the call: {outcome}")
    error.__cause__ = outcome if isinstance(outcome, BaseException) else None
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
