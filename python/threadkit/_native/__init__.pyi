# The extension module threadkit._native (crates/threadkit-python); its submodules mirror the
# package's modules.
from . import threading as threading

__all__ = ["threading"]
