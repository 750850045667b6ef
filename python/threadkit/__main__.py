"""``python -m threadkit``: what this installation provides."""

import sys

import threadkit.threading
from threadkit import _native


def main() -> int:
    native = sorted(
        name
        for name in threadkit.threading.__all__
        if getattr(threadkit.threading, name) is getattr(_native.threading, name, None)
    )
    print(f"threadkit on Python {sys.version.split()[0]}")
    print(f"threadkit.threading: native {', '.join(native)}; the rest is the stdlib's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
