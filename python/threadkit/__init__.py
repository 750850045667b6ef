"""threadkit: Python's threading system implemented in Rust.

``threadkit.threading`` is a drop-in replacement for the standard library's ``threading``:
same names, signatures, exceptions and semantics, with the primitives implemented natively.
"""

from threadkit import threading

__all__ = ["threading"]
