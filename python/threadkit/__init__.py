"""threadkit: Python's threading system implemented in Rust.

``threadkit.threading``, ``threadkit.queue`` and ``threadkit.futures`` are drop-in replacements
for the standard library's ``threading``, ``queue`` and ``concurrent.futures``: same names,
signatures, exceptions and semantics, with the primitives implemented natively.

``threadkit.install()`` puts their classes into the stdlib modules themselves, so unmodified code
(and the libraries it uses) runs on them; ``uninstall()`` puts the originals back, and
``installed()`` says whether they are in. ``python -m threadkit run script.py`` (or
``run -m module``) runs a program with them installed from the start.
"""

from threadkit import futures, queue, threading
from threadkit._install import Installation, install, installed, uninstall

__all__ = ["Installation", "futures", "install", "installed", "queue", "threading", "uninstall"]
