"""Zero-change adoption: threadkit's classes put into the standard library's modules.

``install()`` replaces names in the stdlib modules themselves, so every later lookup of
``threading.Lock``, ``queue.Queue`` or ``concurrent.futures.ThreadPoolExecutor`` — in the
program, in the stdlib (logging's handlers, asyncio's default executor, socketserver,
``multiprocessing.dummy``) and in third-party code — finds threadkit's. ``uninstall()`` puts back
what was there when ``install()`` ran. Both are idempotent, serialised by one lock, and take the
stdlib module names to act on (all three when none is given).

What is replaced (``_SWAPS`` lists it): the primitives threadkit implements, and
``Timer`` (the stdlib's, waiting on threadkit's ``Event``). What is not, and why:

- ``threading.Thread``, ``current_thread``, ``local`` and the rest of ``threading``, and
  ``_thread``: threadkit uses the stdlib's own (``threadkit.threading`` re-exports them), so there
  is nothing to swap.
- ``concurrent.futures.Future``: the pool makes threadkit's futures; a ``Future()`` made directly
  stays the stdlib's, which threadkit's ``wait`` and ``as_completed`` accept.
- ``ProcessPoolExecutor``: threadkit has no process pool.
- A name copied out of a module before ``install()`` ran keeps the stdlib's object: a
  ``from threading import Lock`` executed earlier, or a lock a module made at import (logging's
  module lock: importing threadkit imports ``concurrent.futures``, which imports ``logging``).
  ``python -m threadkit run`` installs before the program's own imports, so only modules imported
  by threadkit itself are in this case.
- Child interpreters (``subprocess``, ``multiprocessing``'s spawn) start without it: an
  environment-variable opt-in would need a ``.pth`` file or ``sitecustomize``, which every
  interpreter of the environment would run at start-up, opted in or not.

threadkit's own code never looks these names up in the stdlib modules at call time (it holds the
originals it imported), so a stdlib fallback cannot resolve to threadkit's class — or to itself.
"""

import _thread
import concurrent.futures
import concurrent.futures.thread
import queue
import threading
from collections.abc import Iterable
from types import ModuleType, TracebackType
from typing import Final

from threadkit import futures as _futures, queue as _queue, threading as _threading


def _names(module: ModuleType, *names: str) -> tuple[tuple[ModuleType, str], ...]:
    return tuple((module, name) for name in names)


# Per stdlib module name: the threadkit module whose objects replace the names, and the names
# replaced, as (stdlib module, name); each takes threadkit's object of the same name.
_SWAPS: Final[dict[str, tuple[ModuleType, tuple[tuple[ModuleType, str], ...]]]] = {
    "threading": (
        _threading,
        _names(
            threading,
            *("Lock", "RLock", "Condition", "Semaphore", "BoundedSemaphore", "Event"),
            *("Barrier", "Timer"),
        ),
    ),
    "queue": (_queue, _names(queue, "Queue", "LifoQueue", "PriorityQueue", "SimpleQueue")),
    "concurrent.futures": (
        _futures,
        _names(concurrent.futures, "ThreadPoolExecutor", "wait", "as_completed")
        + _names(concurrent.futures.thread, "ThreadPoolExecutor"),
    ),
}

_MISSING: Final = object()  # a name the module did not have (a lazy one, say) before install()

_lock = _thread.allocate_lock()  # the interpreter's own lock: nothing install() replaces
# Per installed module name: what install() replaced, as (module, name, previous value).
_saved: dict[str, list[tuple[ModuleType, str, object]]] = {}


class Installation:
    """What one ``install()`` call did; as a context manager, undoes it on exit.

    ``with threadkit.install(): ...`` installs for the block, then uninstalls the modules this
    call installed — not those that were installed already, so blocks nest.
    """

    def __init__(self, modules: tuple[str, ...]) -> None:
        #: The stdlib modules this call installed (those already installed are not included).
        self.modules = modules

    def __repr__(self) -> str:
        return f"<threadkit installation of {', '.join(self.modules) or 'nothing new'}>"

    def __enter__(self) -> "Installation":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if self.modules:
            uninstall(*self.modules)


def _selected(modules: Iterable[str]) -> tuple[str, ...]:
    """The module names asked for (every one when none is)."""
    names = tuple(modules) or tuple(_SWAPS)
    for name in names:
        if name not in _SWAPS:
            known = ", ".join(repr(known) for known in _SWAPS)
            raise ValueError(f"threadkit does not replace {name!r} (it replaces {known})")
    return tuple(dict.fromkeys(names))


def install(*modules: str) -> Installation:
    """Put threadkit's classes into the stdlib modules named (all of them by default).

    ``modules`` are stdlib module names: ``"threading"``, ``"queue"``, ``"concurrent.futures"``.
    A module already installed is left as it is. Returns the :class:`Installation`, a context
    manager that uninstalls, on exit, what this call installed.
    """
    names = _selected(modules)
    installed_now = []
    with _lock:
        for name in names:
            if name in _saved:
                continue
            source, targets = _SWAPS[name]
            saved = []
            for module, attr in targets:
                saved.append((module, attr, module.__dict__.get(attr, _MISSING)))
                setattr(module, attr, getattr(source, attr))
            _saved[name] = saved
            installed_now.append(name)
    return Installation(tuple(installed_now))


def uninstall(*modules: str) -> None:
    """Put back in the stdlib modules named (all by default) what ``install()`` replaced.

    A module not installed is left as it is.
    """
    names = _selected(modules)
    with _lock:
        for name in names:
            for module, attr, previous in _saved.pop(name, ()):
                if previous is _MISSING:
                    module.__dict__.pop(attr, None)
                else:
                    setattr(module, attr, previous)


def installed(*modules: str) -> bool:
    """Whether every stdlib module named (all by default) has threadkit's classes installed."""
    names = _selected(modules)
    with _lock:
        return all(name in _saved for name in names)
