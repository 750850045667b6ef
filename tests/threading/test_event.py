"""threadkit.threading.Event: behaviour, bad calls vs the stdlib, signals."""

import math
import threading
import time

import pytest

import threadkit.threading as tk
from tests.helpers.differential import outcome
from tests.helpers.signals import interrupt_while_blocked
from tests.helpers.waiters import until_waiting, waiting

pytestmark = pytest.mark.timeout(30)


def test_set_clear_is_set() -> None:
    event = tk.Event()
    assert not event.is_set()
    event.set()
    assert event.is_set()
    assert event.wait()
    assert event.wait(0)
    event.clear()
    assert not event.is_set()
    assert not event.wait(0)


def test_set_wakes_every_waiter() -> None:
    event = tk.Event()
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(event.wait(10))) for _ in range(4)]
    already = waiting()
    for thread in threads:
        thread.start()
    until_waiting(already + 4)
    event.set()
    for thread in threads:
        thread.join()
    assert results == [True] * 4


def test_wait_true_if_set_then_cleared_while_waiting() -> None:
    event = tk.Event()
    results: list[bool] = []
    waiter = threading.Thread(target=lambda: results.append(event.wait(10)))
    already = waiting()
    waiter.start()
    until_waiting(already + 1)
    event.set()
    event.clear()
    waiter.join()
    assert results == [True]


def test_timeout_waits_at_least_the_timeout() -> None:
    event = tk.Event()
    start = time.monotonic()
    assert not event.wait(0.1)
    assert time.monotonic() - start >= 0.1


def test_is_set_alias_is_deprecated() -> None:
    event = tk.Event()
    with pytest.warns(DeprecationWarning, match=r"isSet\(\) is deprecated"):
        assert not event.isSet()


def test_private_cond_is_a_condition_over_a_lock() -> None:
    event = tk.Event()
    with event._cond:
        assert not event._cond.acquire(False)
    event._at_fork_reinit()
    assert event._cond is event._cond


def test_repr_is_the_stdlib_shape() -> None:
    event = tk.Event()
    assert repr(event).startswith("<threading.Event at 0x")
    assert repr(event).endswith(": unset>")
    event.set()
    assert repr(event).endswith(": set>")


BAD_WAITS = {
    "timeout=-1": -1,
    "timeout=0": 0,
    "timeout=nan": math.nan,
    "timeout=inf": math.inf,
    "timeout=1e300": 1e300,
    "timeout=2**70": 2**70,
    "timeout='x'": "x",
    "timeout=[]": [],
}


@pytest.mark.parametrize("name", BAD_WAITS)
@pytest.mark.parametrize("is_set", [False, True])
def test_bad_wait_like_stdlib(name: str, is_set: bool) -> None:
    timeout = BAD_WAITS[name]

    def call(kind: type) -> bool:
        event = kind()
        if is_set:
            event.set()
        return bool(event.wait(timeout))

    assert outcome(lambda: call(tk.Event)) == outcome(lambda: call(threading.Event))


def test_ctrl_c_interrupts_wait() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        event = tk.Event()
        blocked()
        event.wait()
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")


def test_ctrl_c_interrupts_timed_wait() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        event = tk.Event()
        blocked()
        event.wait(60)
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")
