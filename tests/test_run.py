"""``python -m threadkit run``: each case run by plain ``python`` and under ``threadkit run``,
in subprocesses, with the same outcome (exit status, output, messages, tracebacks)."""

import json
import py_compile
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

# Below pytest-timeout, so a hung child fails with its output instead of killing the run.
CHILD_TIMEOUT = 25.0

# What a program sees of how it was started; both interpreters must print the same.
REPORT = """\
import json, pickle, sys

class Point:
    pass

print(json.dumps({
    "name": __name__,
    "argv": sys.argv,
    "path0": sys.path[0],
    "file": globals().get("__file__"),
    "cached": globals().get("__cached__"),
    "spec": None if __spec__ is None else __spec__.name,
    "package": __package__,
    "loader": type(__loader__).__name__,
    "globals": sorted(globals()),
    "is_sys_main": vars(sys.modules["__main__"]) is globals(),
    "unpickled": type(pickle.loads(pickle.dumps(Point()))).__name__,
}))
"""

# Which classes the program's modules see, including names imported at module level.
CLASSES = """\
import concurrent.futures, queue, threading
from threading import Lock, Event
from queue import Queue
from concurrent.futures import ThreadPoolExecutor, as_completed

with ThreadPoolExecutor(2) as pool:
    done = [f.result() for f in as_completed([pool.submit(pow, 2, n) for n in range(4)])]
print(" ".join(cls.__module__ for cls in (Lock, Event, Queue, ThreadPoolExecutor)))
print(sorted(done))
"""


def python(*args: str, cwd: Path, flags: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        cwd=cwd,
        check=False,
    )


def threadkit_run(
    *args: str, cwd: Path, flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return python("-m", "threadkit", "run", *args, cwd=cwd, flags=flags)


def assert_same(
    *args: str, cwd: Path, flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Runs ``python [flags] args`` and ``python [flags] -m threadkit run args``; returns the
    plain run once both have the same exit status, standard output and standard error."""
    plain = python(*args, cwd=cwd, flags=flags)
    ours = threadkit_run(*args, cwd=cwd, flags=flags)
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        plain.returncode,
        plain.stdout,
        plain.stderr,
    )
    return plain


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def test_a_script_sees_what_python_gives_it(tmp_path: Path) -> None:
    write(tmp_path / "app" / "report.py", REPORT)
    plain = assert_same("app/report.py", "one", "--two", "-m", cwd=tmp_path)
    seen = json.loads(plain.stdout)
    assert seen["argv"] == ["app/report.py", "one", "--two", "-m"]
    assert seen["path0"] == str(tmp_path / "app")
    assert seen["name"] == "__main__"
    assert seen["is_sys_main"]
    assert seen["unpickled"] == "Point"


def test_a_script_reached_through_a_symlink(tmp_path: Path) -> None:
    write(tmp_path / "real" / "report.py", REPORT)
    (tmp_path / "link.py").symlink_to(tmp_path / "real" / "report.py")
    seen = json.loads(assert_same("link.py", cwd=tmp_path).stdout)
    assert seen["path0"] == str(tmp_path / "real")


def test_a_script_under_safe_path(tmp_path: Path) -> None:
    write(tmp_path / "app" / "report.py", REPORT)
    seen = json.loads(assert_same("app/report.py", cwd=tmp_path, flags=("-P",)).stdout)
    assert seen["path0"] != str(tmp_path / "app")


def test_a_module_sees_what_python_gives_it(tmp_path: Path) -> None:
    write(tmp_path / "pkg" / "__init__.py", "")
    write(tmp_path / "pkg" / "report.py", REPORT)
    seen = json.loads(assert_same("-m", "pkg.report", "x", "-y", cwd=tmp_path).stdout)
    assert seen["argv"] == [str(tmp_path / "pkg" / "report.py"), "x", "-y"]
    assert seen["spec"] == "pkg.report"
    assert seen["path0"] == str(tmp_path)
    # -mMODULE, without a space, as python accepts it
    ours = threadkit_run("-mpkg.report", cwd=tmp_path)
    assert ours.stdout == python("-mpkg.report", cwd=tmp_path).stdout


def test_a_package_and_a_directory_run_their_main(tmp_path: Path) -> None:
    write(tmp_path / "pkg" / "__init__.py", "")
    write(tmp_path / "pkg" / "__main__.py", REPORT)
    seen = json.loads(assert_same("-m", "pkg", "arg", cwd=tmp_path).stdout)
    assert seen["spec"] == "pkg.__main__"
    write(tmp_path / "tool" / "__main__.py", REPORT)
    seen = json.loads(assert_same("tool", "arg", cwd=tmp_path).stdout)
    assert seen["argv"] == ["tool", "arg"]
    assert seen["path0"] == str(tmp_path / "tool")


def test_the_program_runs_on_threadkit_even_through_early_imports(tmp_path: Path) -> None:
    write(tmp_path / "helper.py", CLASSES)
    write(tmp_path / "main.py", "import helper\n")
    ours = threadkit_run("main.py", cwd=tmp_path)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.splitlines() == [
        "threadkit.threading threadkit.threading threadkit.queue threadkit.futures",
        "[1, 2, 4, 8]",
    ]
    plain = python("main.py", cwd=tmp_path)
    assert plain.stdout.splitlines()[0].split()[2:] == ["queue", "concurrent.futures.thread"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("raise SystemExit(3)", 3),
        ("import sys; sys.exit('stopped: bad input')", 1),
        ("raise SystemExit(None)", 0),
        ("import sys; sys.exit()", 0),
        ("print('done')", 0),
    ],
)
def test_exit_status_and_message(tmp_path: Path, body: str, status: int) -> None:
    write(tmp_path / "prog.py", body + "\n")
    assert assert_same("prog.py", cwd=tmp_path).returncode == status


@pytest.mark.parametrize("how", ["script", "module"])
def test_an_uncaught_exception_prints_pythons_traceback(tmp_path: Path, how: str) -> None:
    write(
        tmp_path / "prog.py",
        """\
        def fail():
            try:
                {}["key"]
            except KeyError as error:
                raise ValueError("while handling") from error

        fail()
        """,
    )
    args = ("prog.py",) if how == "script" else ("-m", "prog")
    plain = assert_same(*args, cwd=tmp_path)
    assert plain.returncode == 1
    assert plain.stderr.startswith("Traceback (most recent call last):\n")
    assert plain.stderr.endswith("ValueError: while handling\n")


def test_a_programs_own_excepthook_is_used(tmp_path: Path) -> None:
    write(
        tmp_path / "prog.py",
        """\
        import sys, traceback

        def hook(kind, error, tb):
            print("hook:", kind.__name__, len(traceback.extract_tb(tb)), file=sys.stderr)

        sys.excepthook = hook
        def fail():
            raise OSError("no")
        fail()
        """,
    )
    assert assert_same("prog.py", cwd=tmp_path).stderr == "hook: OSError 2\n"


def test_a_syntax_error(tmp_path: Path) -> None:
    write(tmp_path / "prog.py", "x = 1\ndef broken(:\n")
    plain = assert_same("prog.py", cwd=tmp_path)
    assert plain.returncode == 1
    assert "SyntaxError" in plain.stderr


def test_a_missing_file_or_module(tmp_path: Path) -> None:
    plain = assert_same("missing.py", "arg", cwd=tmp_path)
    assert plain.returncode == 2
    assert "can't open file" in plain.stderr
    assert repr(str(tmp_path / "missing.py")) in plain.stderr
    plain = assert_same("-m", "no_such_module_here", cwd=tmp_path)
    assert plain.returncode == 1
    assert plain.stderr.endswith("No module named no_such_module_here\n")
    (tmp_path / "empty").mkdir()
    plain = assert_same("empty", cwd=tmp_path)
    assert plain.returncode == 1
    assert "can't find '__main__' module" in plain.stderr


@pytest.mark.parametrize(
    "args",
    [(), ("-m",), ("--verbose", "prog.py")],
    ids=["nothing", "no module", "unknown option"],
)
def test_usage_errors(tmp_path: Path, args: tuple[str, ...]) -> None:
    child = threadkit_run(*args, cwd=tmp_path)
    assert child.returncode == 2
    assert child.stderr.startswith("usage: python -m threadkit run script.py")
    assert child.stdout == ""


def test_help(tmp_path: Path) -> None:
    child = threadkit_run("--help", cwd=tmp_path)
    assert child.returncode == 0
    assert child.stdout.startswith("usage: python -m threadkit run script.py")
    listed = python("-m", "threadkit", "--help", cwd=tmp_path)
    assert "{demo,bench,run}" in listed.stdout


def wait_until_sleeping(pid: int) -> None:
    """Returns once the process's main thread sleeps in the kernel (Linux's state ``S``)."""
    deadline = time.monotonic() + CHILD_TIMEOUT
    while time.monotonic() < deadline:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rpartition(")")[2].split()[0] == "S":
            return
        time.sleep(0.001)
    raise AssertionError(f"process {pid} never slept")


def interrupted(args: list[str], cwd: Path) -> tuple[int, str]:
    """Runs ``args``, waits for its ``ready`` line and then for it to block, sends SIGINT;
    returns the exit status and stderr."""
    with subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == "ready\n"
            wait_until_sleeping(child.pid)
            child.send_signal(signal.SIGINT)
            _, stderr = child.communicate(timeout=CHILD_TIMEOUT)
        finally:
            child.kill()
    return child.returncode, stderr


def test_ctrl_c_ends_the_program_as_python_does(tmp_path: Path) -> None:
    write(
        tmp_path / "prog.py",
        """\
        import time
        print("ready", flush=True)
        time.sleep(60)
        """,
    )
    plain = interrupted(["prog.py"], tmp_path)
    ours = interrupted(["-m", "threadkit", "run", "prog.py"], tmp_path)
    assert ours == plain
    assert plain[0] == -signal.SIGINT
    assert plain[1].endswith("KeyboardInterrupt\n")


def test_ctrl_c_interrupts_a_threadkit_wait(tmp_path: Path) -> None:
    write(
        tmp_path / "prog.py",
        """\
        import threading
        event = threading.Event()
        assert type(event).__module__ == "threadkit.threading", type(event)
        print("ready", flush=True)
        event.wait(60)
        """,
    )
    status, stderr = interrupted(["-m", "threadkit", "run", "prog.py"], tmp_path)
    assert status == -signal.SIGINT
    assert 'File "' + str(tmp_path / "prog.py") + '", line 5, in <module>' in stderr
    assert "threadkit/_run.py" not in stderr
    assert stderr.endswith("KeyboardInterrupt\n")


def test_multiprocessing_finds_the_programs_functions(tmp_path: Path) -> None:
    # spawn and forkserver children import the program again from __main__'s __file__ (or, for
    # -m, its __spec__): both must be the program's, not threadkit's.
    write(
        tmp_path / "prog.py",
        """\
        import concurrent.futures, multiprocessing

        def square(n):
            return n * n

        if __name__ == "__main__":
            for method in ("spawn", "forkserver", "fork"):
                context = multiprocessing.get_context(method)
                with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
                    print(method, list(pool.map(square, [2, 3])))
        """,
    )
    plain = assert_same("prog.py", cwd=tmp_path)
    assert plain.stdout.splitlines() == [
        "spawn [4, 9]",
        "forkserver [4, 9]",
        "fork [4, 9]",
    ]
    assert assert_same("-m", "prog", cwd=tmp_path).stdout == plain.stdout


def test_a_compiled_script(tmp_path: Path) -> None:
    source = write(tmp_path / "report.py", REPORT + "raise SystemExit(4)\n")
    py_compile.compile(str(source), cfile=str(tmp_path / "report.pyc"), doraise=True)
    source.unlink()
    plain = assert_same("report.pyc", "arg", cwd=tmp_path)
    assert plain.returncode == 4
    assert json.loads(plain.stdout)["loader"] == "SourcelessFileLoader"
    (tmp_path / "bad.pyc").write_bytes(b"\0\0\0\0" + bytes(12) + b"data")
    plain = assert_same("bad.pyc", cwd=tmp_path)
    assert plain.returncode == 1
    assert plain.stderr.endswith("RuntimeError: Bad magic number in .pyc file\n")
