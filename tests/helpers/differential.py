"""Helpers to compare a threadkit call with the same call on the standard library."""

from collections.abc import Callable
from typing import Any


def outcome(call: Callable[[], Any]) -> tuple[Any, Any]:
    """What a call did: ``("returned", value)`` or ``(exception type, message)``."""
    try:
        return ("returned", call())
    except Exception as error:
        return (type(error), str(error))


def outcome_type(call: Callable[[], Any]) -> Any:
    """What a call did, without the message: the return value or the exception type."""
    kind, detail = outcome(call)
    return detail if kind == "returned" else kind
