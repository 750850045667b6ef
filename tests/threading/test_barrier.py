"""threadkit.threading.Barrier: rounds, action, timeout, abort/reset, bad calls vs the stdlib."""

import math
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

import threadkit.threading as tk
from tests.helpers.differential import outcome
from tests.helpers.signals import interrupt_while_blocked

pytestmark = pytest.mark.timeout(30)


def _run(parties: int, target: Callable[[], Any]) -> list[Any]:
    results: list[Any] = []

    def call() -> None:
        try:
            results.append(target())
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=call) for _ in range(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_each_round_gives_every_arrival_index_once() -> None:
    barrier = tk.Barrier(4)
    for _ in range(3):
        assert sorted(_run(4, lambda: barrier.wait(20))) == [0, 1, 2, 3]
    assert not barrier.broken
    assert barrier.n_waiting == 0
    assert barrier.parties == 4


def test_action_runs_once_per_round_before_release() -> None:
    ran: list[int] = []
    barrier = tk.Barrier(3, action=lambda: ran.append(1))
    _run(3, lambda: barrier.wait(20))
    assert ran == [1]


def test_failing_action_raises_in_one_thread_and_breaks_the_others() -> None:
    def action() -> None:
        raise KeyError("action")

    barrier = tk.Barrier(3, action=action)
    results = _run(3, lambda: barrier.wait(20))
    kinds = sorted(type(result).__name__ for result in results)
    assert kinds == ["BrokenBarrierError", "BrokenBarrierError", "KeyError"]
    assert barrier.broken


def test_timeout_breaks_the_barrier_with_the_stdlib_exception() -> None:
    barrier = tk.Barrier(2, timeout=0.05)
    with pytest.raises(threading.BrokenBarrierError):
        barrier.wait()
    assert barrier.broken
    with pytest.raises(threading.BrokenBarrierError):
        barrier.wait(0)
    barrier.reset()
    assert not barrier.broken


def test_abort_wakes_waiters() -> None:
    barrier = tk.Barrier(3)
    results: list[Any] = []

    def waiter() -> None:
        try:
            results.append(barrier.wait(20))
        except threading.BrokenBarrierError as error:
            results.append(error)

    thread = threading.Thread(target=waiter)
    thread.start()
    while barrier.n_waiting < 1:
        thread.join(0.001)
    barrier.abort()
    thread.join()
    assert [type(result) for result in results] == [threading.BrokenBarrierError]
    assert barrier.broken


def test_repr_is_the_stdlib_shape() -> None:
    barrier = tk.Barrier(3)
    assert repr(barrier).startswith("<threading.Barrier at 0x")
    assert repr(barrier).endswith(": waiters=0/3>")
    barrier.abort()
    assert repr(barrier).endswith(": broken>")


BAD_CALLS: dict[str, Callable[[Any], Any]] = {
    "Barrier(0)": lambda kind: kind(0),
    "Barrier(-1)": lambda kind: kind(-1),
    "Barrier('x')": lambda kind: kind("x"),
    "Barrier(None)": lambda kind: kind(None),
    "wait(-1) alone": lambda kind: kind(2).wait(-1),
    "wait(0) alone": lambda kind: kind(2).wait(0),
    "wait('x')": lambda kind: kind(2).wait("x"),
    "wait(1e300) alone": lambda kind: kind(2).wait(1e300),
    "wait(inf) alone": lambda kind: kind(2).wait(math.inf),
    "timeout='x' in constructor": lambda kind: kind(2, timeout="x").wait(),
    "single party": lambda kind: kind(1).wait(),
    "single party, bad timeout": lambda kind: kind(1).wait("x"),
}


# What CPython 3.13 raises for parties it refuses; 3.11's stdlib builds a barrier nobody can
# pass, threadkit refuses it on every version.
BAD_PARTIES = {
    "Barrier(0)": (ValueError, "parties must be > 0"),
    "Barrier(-1)": (ValueError, "parties must be > 0"),
    "Barrier('x')": (TypeError, "'<' not supported between instances of 'str' and 'int'"),
    "Barrier(None)": (TypeError, "'<' not supported between instances of 'NoneType' and 'int'"),
}


@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_call_like_stdlib(name: str) -> None:
    call = BAD_CALLS[name]
    if name in BAD_PARTIES and sys.version_info < (3, 13):
        assert outcome(lambda: call(tk.Barrier)) == BAD_PARTIES[name]
        return
    assert outcome(lambda: call(tk.Barrier)) == outcome(lambda: call(threading.Barrier))


def test_ctrl_c_interrupts_wait() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        barrier = tk.Barrier(2)
        blocked()
        barrier.wait()
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")
