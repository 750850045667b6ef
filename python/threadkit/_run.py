"""``python -m threadkit run``: a program run as ``python`` runs it, with threadkit installed.

``run script.py [args...]`` and ``run -m module [args...]`` call ``threadkit.install()``, then
start the program the way CPython's own start-up does, so that nothing but the classes differs:

- ``sys.argv`` is ``[script, *args]`` (``-m``: the module's file, as ``runpy`` sets it), and
  ``sys.path[0]`` the script's directory with symbolic links resolved (``-m``: the current
  directory, which ``python -m threadkit`` put there already); ``-P``/``-I`` leave it out.
- The program runs in a fresh ``__main__`` module, which stays ``sys.modules["__main__"]`` for
  the rest of the process (threads and ``atexit`` handlers see it, ``pickle`` finds its classes).
  A script is compiled with its absolute path as the file name, as CPython does (a ``.pyc``
  file's code is loaded as CPython loads it); a directory or zip file with a ``__main__.py``,
  and ``-m``, go through ``runpy._run_module_as_main`` — the function CPython's ``-m`` calls — so
  the messages for a missing module and the frames of the traceback are CPython's own.
- ``SystemExit`` ends the process as it would have; any other exception that escapes is printed
  by ``sys.excepthook`` with the frames of this runner left out (exit status 1), and an escaping
  ``KeyboardInterrupt`` ends the process by ``SIGINT``, as CPython does.
- A file that cannot be opened prints CPython's message and exits with status 2.
"""

import builtins
import importlib.machinery
import importlib.util
import io
import marshal
import os
import pkgutil
import runpy
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

from threadkit._install import install

USAGE = """\
usage: python -m threadkit run script.py [args...]
       python -m threadkit run -m module [args...]

Runs the program as python would, with threadkit.install() in effect: threadkit's classes are
in threading, queue and concurrent.futures before the program imports anything.
"""


def main(argv: Sequence[str]) -> int:
    """``python -m threadkit run`` with ``argv`` the arguments after ``run``."""
    if not argv:
        return _usage_error("a script or -m module is required")
    first, rest = argv[0], list(argv[1:])
    if first in ("-h", "--help"):
        print(USAGE, end="")
        return 0
    if first.startswith("-m"):
        module = first[2:]  # `-mjson.tool`, as python accepts it
        if not module:
            if not rest:
                return _usage_error("argument expected for the -m option")
            module = rest.pop(0)
        install()
        _fresh_main()
        sys.argv[:] = ["-m", *rest]  # as python sets it while the module is found
        _enter(runpy._run_module_as_main, module)  # type: ignore[attr-defined]
        return 0
    if first.startswith("-"):
        return _usage_error(f"unknown option {first}")
    return _run_path(first, rest)


def _run_path(path: str, args: list[str]) -> int:
    absolute = os.path.abspath(path)
    sys.argv[:] = [path, *args]
    if pkgutil.get_importer(absolute) is not None:  # a directory or zip file: its __main__.py
        install()
        _set_path0(absolute, always=True)
        _fresh_main()
        _enter(runpy._run_module_as_main, "__main__", False)  # type: ignore[attr-defined]
        return 0
    try:
        with io.open_code(absolute) as file:
            source = file.read()
    except OSError as error:
        print(
            f"{sys.orig_argv[0]}: can't open file {absolute!r}: "
            f"[Errno {error.errno}] {error.strerror}",
            file=sys.stderr,
        )
        return 2
    install()
    _set_path0(os.path.dirname(os.path.realpath(absolute)), always=False)
    main = _fresh_main()
    main.__file__ = absolute
    main.__cached__ = None  # type: ignore[attr-defined]
    # Compiled code, as CPython tells it: by the name, or by the magic number's first half.
    if absolute.endswith(".pyc") or source[:2] == importlib.util.MAGIC_NUMBER[:2]:
        main.__loader__ = importlib.machinery.SourcelessFileLoader("__main__", absolute)
        _enter(_exec_compiled, source, vars(main))
    else:
        main.__loader__ = importlib.machinery.SourceFileLoader("__main__", absolute)
        _enter(_exec_script, source, absolute, vars(main))
    return 0


def _exec_script(source: bytes, path: str, namespace: dict[str, Any]) -> None:
    exec(compile(source, path, "exec", dont_inherit=True), namespace)


def _exec_compiled(data: bytes, namespace: dict[str, Any]) -> None:
    """Runs a ``.pyc`` file's code: its 16-byte header, then the marshalled code object."""
    if data[:4] != importlib.util.MAGIC_NUMBER:
        raise RuntimeError("Bad magic number in .pyc file")
    code = marshal.loads(data[16:])
    if not isinstance(code, types.CodeType):
        raise RuntimeError("Bad code object in .pyc file")
    exec(code, namespace)


def _set_path0(directory: str, *, always: bool) -> None:
    """Makes ``directory`` the program's ``sys.path[0]``, where ``python -m threadkit`` put its.

    CPython leaves the script's directory out under ``-P`` (and ``-I``), but always puts in a
    directory or zip file it runs.
    """
    if not sys.flags.safe_path:
        sys.path[0] = directory
    elif always:
        sys.path.insert(0, directory)


def _fresh_main() -> types.ModuleType:
    """A new, empty ``__main__`` module for the program, made ``sys.modules["__main__"]``."""
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    main.__annotations__ = {}
    sys.modules["__main__"] = main
    return main


def _enter(program: Callable[..., object], *args: Any) -> None:
    """Calls into the program. An exception that escapes it (but ``SystemExit``) goes on to
    CPython's top level, which prints it and sets the exit status; the frames from there down to
    this one are left out of the traceback it prints."""
    try:
        program(*args)
    except SystemExit:
        raise
    except BaseException:
        sys.excepthook = _without_runner_frames(sys.excepthook)
        raise


def _without_runner_frames(hook: Callable[..., object]) -> Callable[..., object]:
    """``hook``, called once with the traceback cut below :func:`_enter` (and the functions
    that load the script for it), then put back."""
    runner = (_enter.__code__, _exec_script.__code__, _exec_compiled.__code__)

    def report(exc_type: type[BaseException], exc: BaseException, tb: Any) -> object:
        sys.excepthook = hook
        while tb is not None and tb.tb_frame.f_code is not _enter.__code__:
            tb = tb.tb_next
        while tb is not None and tb.tb_frame.f_code in runner:
            tb = tb.tb_next
        # CPython's own hook prints the exception's __traceback__, other hooks the argument.
        return hook(exc_type, exc.with_traceback(tb), tb)

    return report


def _usage_error(message: str) -> int:
    print(f"{USAGE}\npython -m threadkit run: error: {message}", file=sys.stderr)
    return 2
