# The extension module threadkit._native (crates/threadkit-python); its submodules mirror the
# package's modules.
from . import futures as futures, queue as queue, threading as threading

__all__ = ["futures", "queue", "threading"]
