"""threadkit: Python's threading system implemented in Rust.

``threadkit.threading`` and ``threadkit.queue`` are drop-in replacements for the standard
library's ``threading`` and ``queue``: same names, signatures, exceptions and semantics, with the
primitives implemented natively.
"""

from threadkit import queue, threading

__all__ = ["queue", "threading"]
