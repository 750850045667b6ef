"""threadkit: Python's threading system implemented in Rust.

``threadkit.threading``, ``threadkit.queue`` and ``threadkit.futures`` are drop-in replacements
for the standard library's ``threading``, ``queue`` and ``concurrent.futures``: same names,
signatures, exceptions and semantics, with the primitives implemented natively.
"""

from threadkit import futures, queue, threading

__all__ = ["futures", "queue", "threading"]
