"""The one import guard for ``threadkit.futures``, which the demos and the bench use if present.

``threadkit.futures`` (the drop-in for ``concurrent.futures``) is being written; until it lands,
the pool demos and the pool bench cases print :data:`FUTURES_MISSING` instead of running.
"""

import importlib
from types import ModuleType

FUTURES_MISSING = "skipped: threadkit.futures not available"


def futures() -> ModuleType | None:
    """``threadkit.futures`` if this installation has it, else None.

    Only the module's absence is tolerated: an error raised while importing it propagates.
    """
    name = "threadkit.futures"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return None
