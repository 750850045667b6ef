"""threadkit.queue.SimpleQueue: behaviour, bad calls vs the stdlib, Ctrl-C, reentrant put."""

import gc
import math
import queue
import threading
import time
import weakref

import pytest

import threadkit.queue as tkq
from tests.helpers.differential import outcome
from tests.helpers.queues import until
from tests.helpers.signals import interrupt_while_blocked

pytestmark = pytest.mark.timeout(30)


def test_fifo_and_sizes() -> None:
    q = tkq.SimpleQueue()
    assert q.empty()
    for n in range(3):
        q.put(n)
    q.put_nowait(3)
    assert q.qsize() == 4
    assert [q.get(), q.get(block=False), q.get(timeout=1), q.get_nowait()] == [0, 1, 2, 3]
    assert tkq.SimpleQueue[int].__origin__ is tkq.SimpleQueue


def test_get_waits_at_least_the_timeout() -> None:
    q = tkq.SimpleQueue()
    start = time.monotonic()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.1)
    assert time.monotonic() - start >= 0.1


def test_blocked_get_receives_a_put() -> None:
    q = tkq.SimpleQueue()
    got: list[str] = []
    getter = threading.Thread(target=lambda: got.append(q.get(timeout=20)))
    getter.start()
    until(lambda: q._waiting() == 1)
    q.put("x")
    getter.join(timeout=20)
    assert got == ["x"]


def test_put_from_a_weakref_callback() -> None:
    """A callback that runs in the middle of the same thread's use of the queue may put."""

    class Item:
        pass

    q = tkq.SimpleQueue()
    item = Item()
    ref = weakref.ref(item, lambda _: q.put("callback"))
    q.put(item)
    del item
    assert q.get() is not None  # the item leaves the queue and dies here
    gc.collect()
    assert ref() is None
    assert q.get_nowait() == "callback"


def test_subclass() -> None:
    class Named(tkq.SimpleQueue):
        name = "named"

    q = Named()
    q.put(1)
    assert (q.name, q.get()) == ("named", 1)


BAD_CALLS = {
    "get(timeout=-1)": lambda m: m.SimpleQueue().get(timeout=-1),
    "get(False, -1)": lambda m: m.SimpleQueue().get(False, -1),
    "get(timeout='x')": lambda m: m.SimpleQueue().get(timeout="x"),
    "get(timeout=nan)": lambda m: m.SimpleQueue().get(timeout=math.nan),
    "get(timeout=1e300)": lambda m: m.SimpleQueue().get(timeout=1e300),
    "get(timeout=0)": lambda m: m.SimpleQueue().get(timeout=0),
    "get(block=0, timeout='x')": lambda m: m.SimpleQueue().get(block=0, timeout="x"),
    "get_nowait()": lambda m: m.SimpleQueue().get_nowait(),
    "put(1, 0, -1)": lambda m: m.SimpleQueue().put(1, 0, -1),
}


@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_call_like_stdlib(name: str) -> None:
    call = BAD_CALLS[name]
    assert outcome(lambda: call(tkq)) == outcome(lambda: call(queue))


def test_ctrl_c_interrupts_get() -> None:
    code, output, _ = interrupt_while_blocked(
        """
        import threadkit.queue as tkq
        q = tkq.SimpleQueue()
        blocked()
        q.get()
        """
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")
