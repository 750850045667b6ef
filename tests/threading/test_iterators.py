"""3.15's serialize_iterator, synchronized_iterator and concurrent_tee (gh-124397), on every
Python: the documented semantics, bad input as the stdlib answers it, and threads hammering them."""

import copy
import gc
import itertools
import sys
import threading
import weakref
from collections.abc import Generator, Iterator
from typing import Any

import pytest

import threadkit.threading as tk
from tests.helpers.signals import interrupt_while_blocked

pytestmark = pytest.mark.timeout(30)

JOIN = 20.0  # seconds a thread of these tests may take


def _outcome(call: Any, *args: Any) -> tuple[type[BaseException], str] | None:
    try:
        call(*args)
    except Exception as error:
        return type(error), str(error)
    return None


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN)
        assert not thread.is_alive(), "a thread did not finish in time"


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Threads switch as often as the interpreter allows, so that calls interleave."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def test_the_tools_belong_to_threadkit_threading() -> None:
    for name in tk._ITERATOR_TOOLS:
        assert getattr(tk, name).__module__ == "threadkit.threading"
        # __all__ is the running stdlib's: the names are there only where the stdlib has them.
        assert (name in tk.__all__) == hasattr(threading, name)


# serialize_iterator


def test_serialize_iterator_iterates_the_iterable() -> None:
    it = tk.serialize_iterator([1, 2, 3])
    assert iter(it) is it
    assert list(it) == [1, 2, 3]
    with pytest.raises(StopIteration):
        next(it)


def test_serialize_iterator_buffers_nothing() -> None:
    pulled = []

    def source() -> Generator[int, None, None]:
        for n in range(5):
            pulled.append(n)
            yield n

    it = tk.serialize_iterator(source())
    assert pulled == []
    assert next(it) == 0
    assert pulled == [0]
    assert next(it) == 1
    assert pulled == [0, 1]


def test_serialize_iterator_keeps_the_return_value() -> None:
    def source() -> Generator[int, None, str]:
        yield 1
        return "done"

    it = tk.serialize_iterator(source())
    assert next(it) == 1
    with pytest.raises(StopIteration) as stopped:
        next(it)
    assert stopped.value.value == "done"
    with pytest.raises(StopIteration) as again:
        next(it)
    assert again.value.args == ()


def test_serialize_iterator_forwards_send_throw_close() -> None:
    received: list[object] = []

    def echo() -> Generator[object, object, None]:
        value: object = None
        while True:
            try:
                value = yield value
                received.append(value)
            except KeyError as error:
                value = f"caught {error.args[0]}"
            except GeneratorExit:
                received.append("closed")
                raise

    it = tk.serialize_iterator(echo())
    assert next(it) is None
    assert it.send("a") == "a"
    assert it.throw(KeyError("k")) == "caught k"
    assert it.close() is None
    assert received == ["a", "closed"]
    with pytest.raises(StopIteration):
        next(it)


def test_serialize_iterator_without_generator_methods() -> None:
    it = tk.serialize_iterator([1, 2])
    assert _outcome(it.send, None) == _outcome(getattr, iter([]), "send")
    assert next(it) == 1  # still works afterwards


def test_serialize_iterator_bad_input_as_iter() -> None:
    for bad in (5, None, object()):
        assert _outcome(tk.serialize_iterator, bad) == _outcome(iter, bad)
    assert _outcome(tk.serialize_iterator) is not None


def test_serialize_iterator_subclass() -> None:
    class Counted(tk.serialize_iterator):  # type: ignore[type-arg]
        calls = 0

        def __next__(self) -> int:
            type(self).calls += 1
            return super().__next__()

    assert list(Counted(range(3))) == [0, 1, 2]
    assert Counted.calls == 4


def test_serialize_iterator_reentrant_next_raises_like_the_generator() -> None:
    def source() -> Generator[int, None, None]:
        yield next(it)

    def unwrapped() -> Generator[int, None, None]:
        yield next(plain)

    it = tk.serialize_iterator(source())
    plain = unwrapped()
    assert (
        _outcome(next, it) == _outcome(next, plain) == (ValueError, "generator already executing")
    )


def test_serialize_iterator_failure_goes_to_the_caller_that_pulled() -> None:
    def source() -> Generator[int, None, None]:
        yield 1
        raise KeyError("boom")

    it = tk.serialize_iterator(source())
    assert next(it) == 1
    failures: list[BaseException] = []

    def pull() -> None:
        try:
            next(it)
        except KeyError as error:
            failures.append(error)

    _run([threading.Thread(target=pull)])
    assert [error.args for error in failures] == [("boom",)]
    with pytest.raises(StopIteration):  # the generator is finished
        next(it)


def test_serialize_iterator_collected_in_a_cycle() -> None:
    class Holder:
        it: Any = None

    def source(holder: Holder) -> Generator[int, None, None]:
        yield 1

    holder = Holder()
    holder.it = tk.serialize_iterator(source(holder))
    ref = weakref.ref(holder.it)
    del holder
    gc.collect()
    assert ref() is None


def test_32_threads_drain_one_serialized_generator(fast_switching: None) -> None:
    total = 20_000
    inside = 0
    most_inside = 0

    def source() -> Generator[int, None, None]:
        nonlocal inside, most_inside
        for n in range(total):
            inside += 1
            most_inside = max(most_inside, inside)
            inside -= 1
            yield n

    it = tk.serialize_iterator(source())
    taken: list[list[int]] = [[] for _ in range(32)]
    threads = [threading.Thread(target=lambda mine=mine: mine.extend(it)) for mine in taken]
    _run(threads)
    every = sorted(itertools.chain.from_iterable(taken))
    assert every == list(range(total))  # each item exactly once
    assert all(mine == sorted(mine) for mine in taken)  # turns follow the stream
    assert most_inside == 1


# The thread inside holds the lock, blocked; the main thread then waits for the lock.
_HELD_BY_ANOTHER_THREAD = """
    import threading
    inside = threading.Event()
    def source():
        inside.set()
        threading.Event().wait()
        yield 1
    {make}
    threading.Thread(target=next, args=(it,), daemon=True).start()
    assert inside.wait(10)
    blocked()
    next({other})
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("make", "other"),
    [
        ("it = tk.serialize_iterator(source())", "it"),
        ("it, other = tk.concurrent_tee(source())", "other"),
    ],
    ids=["serialize_iterator", "concurrent_tee"],
)
def test_ctrl_c_interrupts_a_thread_waiting_its_turn(make: str, other: str) -> None:
    code, output, _took = interrupt_while_blocked(
        _HELD_BY_ANOTHER_THREAD.format(make=make, other=other)
    )
    assert (code, output) == (0, "blocking\nKeyboardInterrupt\n")


# synchronized_iterator


def test_synchronized_iterator_wraps_the_function() -> None:
    @tk.synchronized_iterator
    def countdown(n: int) -> Generator[int, None, None]:
        """Counts down."""
        while n:
            yield n
            n -= 1

    assert countdown.__name__ == "countdown"
    assert countdown.__doc__ == "Counts down."
    it = countdown(3)
    assert isinstance(it, tk.serialize_iterator)
    assert list(it) == [3, 2, 1]


def test_synchronized_iterator_over_a_builtin(fast_switching: None) -> None:
    counter = tk.synchronized_iterator(itertools.count)(100, 5)
    taken: list[list[int]] = [[] for _ in range(8)]

    def take(mine: list[int]) -> None:
        mine.extend(next(counter) for _ in range(1000))

    _run([threading.Thread(target=take, args=(mine,)) for mine in taken])
    assert sorted(itertools.chain.from_iterable(taken)) == list(range(100, 100 + 5 * 8000, 5))


# concurrent_tee


def test_concurrent_tee_every_consumer_sees_everything() -> None:
    a, b = tk.concurrent_tee(iter("abc"))
    assert next(a) == "a"
    assert list(b) == ["a", "b", "c"]
    assert list(a) == ["b", "c"]
    assert len(tk.concurrent_tee([], n=5)) == 5


def test_concurrent_tee_n_as_itertools_tee() -> None:
    assert tk.concurrent_tee([1], 0) == ()
    for bad in (-1, 1.5, "2", None):
        assert _outcome(tk.concurrent_tee, [1], bad) == _outcome(itertools.tee, [1], bad)
    assert _outcome(tk.concurrent_tee, 5) == _outcome(itertools.tee, 5)
    huge = sys.maxsize // 2
    assert _outcome(tk.concurrent_tee, [1], huge) == _outcome(itertools.tee, [1], huge)


def test_concurrent_tee_pulls_each_item_once_and_lazily() -> None:
    pulled = []

    def source() -> Generator[int, None, None]:
        for n in range(3):
            pulled.append(n)
            yield n

    a, b, c = tk.concurrent_tee(source(), 3)
    assert pulled == []
    assert [next(a), next(b), next(c)] == [0, 0, 0]
    assert pulled == [0]
    assert list(a) == [1, 2]
    assert list(b) == list(c) == [1, 2]
    assert pulled == [0, 1, 2]


def test_concurrent_tee_of_a_tee_and_copy_share_the_source() -> None:
    pulled = []

    def source() -> Generator[int, None, None]:
        for n in range(4):
            pulled.append(n)
            yield n

    (a,) = tk.concurrent_tee(source(), 1)
    assert next(a) == 0
    b, c = tk.concurrent_tee(a)
    d = copy.copy(a)
    assert list(b) == list(c) == list(d) == list(a) == [1, 2, 3]
    assert pulled == [0, 1, 2, 3]


def test_concurrent_tee_failure_goes_to_the_consumer_that_pulled() -> None:
    def source() -> Generator[int, None, None]:
        yield 1
        raise KeyError("boom")

    a, b = tk.concurrent_tee(source())
    assert next(a) == 1
    with pytest.raises(KeyError):
        next(a)
    assert next(b) == 1
    with pytest.raises(StopIteration):  # the generator is finished: nothing is replayed
        next(b)


def test_concurrent_tee_reentry_as_itertools_tee() -> None:
    def reentrant(tee: Any) -> tuple[type[BaseException], str] | None:
        class Source:
            first = True

            def __iter__(self) -> "Source":
                return self

            def __next__(self) -> object:
                first, self.first = self.first, False
                return next(b) if first else 1

        a, b = tee(Source())
        return _outcome(next, a)

    assert reentrant(tk.concurrent_tee) == reentrant(itertools.tee)
    assert reentrant(tk.concurrent_tee) == (RuntimeError, "cannot re-enter the tee iterator")


def test_concurrent_tee_frees_what_every_consumer_has_passed() -> None:
    class Item:
        pass

    refs: list[weakref.ref[Item]] = []

    def source() -> Generator[Item, None, None]:
        for _ in range(3):
            item = Item()
            refs.append(weakref.ref(item))
            yield item
            del item

    a, b = tk.concurrent_tee(source())
    next(a), next(a), next(b)
    assert refs[0]() is None  # both are past it
    assert refs[1]() is not None  # b has not read it yet
    del a, b
    assert all(ref() is None for ref in refs)


def test_concurrent_tee_lagging_consumer_goes_away_without_recursion() -> None:
    a, b = tk.concurrent_tee(range(1_000_000))
    for _ in a:
        pass
    del b  # a million cells freed in a loop, not a million nested drops


def test_8_tee_consumers_on_8_threads_see_the_whole_stream(fast_switching: None) -> None:
    total = 20_000
    tees = tk.concurrent_tee(iter(range(total)), 8)
    seen: list[list[int]] = [[] for _ in tees]
    threads = [
        threading.Thread(target=mine.extend, args=(tee,))
        for tee, mine in zip(tees, seen, strict=True)
    ]
    _run(threads)
    assert all(mine == list(range(total)) for mine in seen)
