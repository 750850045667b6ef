# The extension module threadkit._native (crates/threadkit-python); its submodules mirror the
# package's modules.
from . import futures as futures
from . import queue as queue
from . import threading as threading

__all__ = ["futures", "queue", "threading"]
