"""threadkit.threading as a module: the stdlib's names, the stdlib's objects where not native."""

import threading

import pytest

import threadkit.threading as tk
from threadkit import _native

pytestmark = pytest.mark.timeout(30)


def test_all_is_the_stdlib_all() -> None:
    assert tk.__all__ == threading.__all__
    for name in tk.__all__:
        assert hasattr(tk, name), name


def test_own_names_are_threadkit_classes() -> None:
    for name in tk._NATIVE:
        ours = getattr(tk, name)
        assert ours is getattr(_native.threading, name, ours)
        assert ours is not getattr(threading, name)
        assert ours.__module__ == "threadkit.threading"


def test_other_names_are_the_stdlib_objects() -> None:
    for name in set(tk.__all__) - tk._NATIVE:
        assert getattr(tk, name) is getattr(threading, name), name
