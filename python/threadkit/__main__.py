"""``python -m threadkit``: the seed programs on threadkit, then a short benchmark table.

python -m threadkit                     every demo, in order (the last is a short bench)
python -m threadkit demo NAME [NAME...] some of them; ``demo --list`` names them
python -m threadkit bench [--quick] [--json FILE] [--plot FILE.png]
                                        the stdlib and threadkit side by side
python -m threadkit bench --apps [...]  whole programs, run plainly and under threadkit run
python -m threadkit run script.py [ARG...] | run -m module [ARG...]
                                        a program, as python runs it, with threadkit installed
"""

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import threadkit.threading
from threadkit import _native, _run

# `argparse`, `pathlib`, `_apps`, `_bench` and `_demos` are imported where they are used: `run`
# needs none of them, and they take longer to import than threadkit itself, which would be
# start-up time of every program run (tests/test_startup.py checks that `run` does without them).
if TYPE_CHECKING:
    import argparse


def _about() -> str:
    native = sorted(
        name
        for name in threadkit.threading.__all__
        if getattr(threadkit.threading, name) is getattr(_native.threading, name, None)
    )
    return (
        f"threadkit on Python {sys.version.split()[0]}\n"
        f"threadkit.threading: native {', '.join(native)}; the rest is the stdlib's"
    )


def _parser() -> "argparse.ArgumentParser":
    import argparse

    from threadkit import _apps, _bench, _demos

    parser = argparse.ArgumentParser(
        prog="python -m threadkit",
        description="threadkit's seed programs and its benchmark against the standard library. "
        "Without a command: every demo, in order.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{demo,bench,run}")

    demo = commands.add_parser("demo", help="run some demos (all without NAME)")
    demo.add_argument("names", nargs="*", metavar="NAME", help=", ".join(_demos.DEMO_NAMES))
    demo.add_argument("--list", action="store_true", help="list the demos and exit")

    bench = commands.add_parser(
        "bench",
        help="the stdlib and threadkit side by side",
        description="Every case of the Python performance targets, run on the standard library "
        "and on threadkit, alternated in this process; prints the medians, the ratio "
        "stdlib/threadkit and its target. With --apps: whole unmodified programs instead, each "
        "run as `python SCRIPT` and as `python -m threadkit run SCRIPT`, alternated in fresh "
        "subprocesses. Progress goes to stderr.",
    )
    bench.add_argument(
        "--apps", action="store_true", help="whole programs, plainly and under threadkit run"
    )
    _bench.add_options(bench)
    bench.add_argument(
        "--case",
        action="append",
        choices=_bench.CASE_KEYS + _apps.APP_KEYS,
        metavar="KEY",
        help=f"run only this case (repeatable): {', '.join(_bench.CASE_KEYS)}; "
        f"with --apps: {', '.join(_apps.APP_KEYS)}",
    )
    # `run` takes the program's own arguments, which argparse must not read: main() hands them to
    # _run before parsing; this entry only lists the command.
    commands.add_parser(
        "run",
        help="run script.py [ARG...] or -m module [ARG...] as python would, with "
        "threadkit.install() in effect (run -h for more)",
        add_help=False,
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["run"]:
        return _run.main(argv[1:])
    from threadkit import _apps, _bench, _demos

    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "bench":
        bench: _bench.Bench[Any, Any] = _apps.BENCH if args.apps else _bench.BENCH
        wrong = [key for key in args.case or () if key not in bench.keys]
        if wrong:
            parser.error(
                f"--case {wrong[0]} is not a {bench.what} of this bench"
                f" (choose from {', '.join(bench.keys)})"
            )
        return _bench.main_with_options(bench, args)
    if args.command == "demo":
        if args.list:
            width = max(map(len, _demos.DEMO_NAMES))
            for demo in _demos.DEMOS:
                print(f"{demo.name:<{width}}  {demo.title}")
            return 0
        unknown = [name for name in args.names if name not in _demos.DEMO_NAMES]
        if unknown:
            parser.error(f"unknown demo {', '.join(unknown)} (see demo --list)")
        return _demos.run(tuple(args.names) or _demos.DEMO_NAMES)
    print(_about())
    return _demos.run()


if __name__ == "__main__":
    sys.exit(main())
