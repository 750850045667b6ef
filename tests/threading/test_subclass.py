"""Subclassing threadkit's classes as the stdlib's are subclassed: own ``__init__`` signatures
that call ``super().__init__(...)``, added attributes, overridden methods, ``isinstance`` — and
``TypeError`` where the stdlib refuses a subclass (``Lock``)."""

import gc
import queue
import threading
import weakref
from collections.abc import Callable
from typing import Any

import pytest

import threadkit.queue as tkq
import threadkit.threading as tk
from tests.helpers.differential import outcome, outcome_type

pytestmark = pytest.mark.timeout(30)

# name: (threadkit class, stdlib class, the real constructor arguments, a use of an instance)
USES: dict[str, Callable[[Any], Any]] = {
    "Condition": lambda c: (c.acquire(), c.wait(0), c.notify(), c.release()),
    "Semaphore": lambda s: (s.acquire(), s.acquire(False), s.release(2), s._value),
    "BoundedSemaphore": lambda s: (s.acquire(), outcome(lambda: s.release(2)), s._value),
    "Event": lambda e: (e.is_set(), e.set(), e.wait(0), e.clear(), e.is_set()),
    "Barrier": lambda b: (b.parties, b.wait(), b.n_waiting, b.broken),
}
KINDS: dict[str, tuple[type, type, tuple[Any, ...]]] = {
    "Condition": (tk.Condition, threading.Condition, ()),
    "Semaphore": (tk.Semaphore, threading.Semaphore, (1,)),
    "BoundedSemaphore": (tk.BoundedSemaphore, threading.BoundedSemaphore, (1,)),
    "Event": (tk.Event, threading.Event, ()),
    "Barrier": (tk.Barrier, threading.Barrier, (1,)),
}


def _subclass(base: type, real_args: tuple[Any, ...]) -> type:
    """A subclass with its own ``__init__`` signature, an attribute, and an overridden method."""

    class Named(base):  # type: ignore[misc, valid-type]
        def __init__(self, name: str, *, tag: str = "t") -> None:
            super().__init__(*real_args)
            self.name = name
            self.tag = tag
            self.calls: list[str] = []

        def __repr__(self) -> str:
            self.calls.append("repr")
            return f"Named({super().__repr__()})"

    return Named


@pytest.mark.parametrize("name", KINDS)
def test_subclass_with_own_init_like_stdlib(name: str) -> None:
    ours, stdlib, args = KINDS[name]
    mine = _subclass(ours, args)("mine", tag="x")
    theirs = _subclass(stdlib, args)("mine", tag="x")
    assert isinstance(mine, ours)
    assert (mine.name, mine.tag) == ("mine", "x")
    mine.extra = 1  # an instance __dict__
    assert vars(mine)["extra"] == 1
    assert USES[name](mine) == USES[name](theirs)
    assert repr(mine).startswith("Named(") and mine.calls == ["repr"]


@pytest.mark.parametrize("name", ["Semaphore", "BoundedSemaphore", "Event", "Barrier"])
def test_subclass_repr_names_the_subclass_like_stdlib(name: str) -> None:
    ours, stdlib, args = KINDS[name]

    def shape(base: type) -> str:
        class Mine(base):  # type: ignore[misc, valid-type]
            pass

        text = repr(Mine(*args))
        return text.split(" at ")[0] + text.split(":", 1)[1] if ":" in text else text

    assert shape(ours) == shape(stdlib)


@pytest.mark.parametrize("name", KINDS)
def test_method_before_init_raises_like_stdlib(name: str) -> None:
    """An instance whose ``__init__`` never ran raises AttributeError, as the stdlib's does."""
    ours, stdlib, _ = KINDS[name]
    if name == "Event":  # the event is made by __new__: nothing is missing
        assert not ours.__new__(ours).is_set()
        return
    assert outcome_type(lambda: USES[name](ours.__new__(ours))) is AttributeError
    assert outcome_type(lambda: USES[name](stdlib.__new__(stdlib))) is AttributeError


@pytest.mark.parametrize("name", ["Condition", "Semaphore", "BoundedSemaphore", "Barrier"])
def test_subclass_that_skips_super_init_fails_on_use(name: str) -> None:
    ours, stdlib, _ = KINDS[name]

    def use(base: type) -> Any:
        class Lazy(base):  # type: ignore[misc, valid-type]
            def __init__(self) -> None:
                pass

        return outcome_type(lambda: USES[name](Lazy()))

    assert use(ours) is use(stdlib) is AttributeError


def test_class_hierarchy_like_stdlib() -> None:
    """``BoundedSemaphore`` is a ``Semaphore``, as in the stdlib; no other class derives from
    another."""
    for name, (ours, stdlib, _) in KINDS.items():
        for other, (our_base, stdlib_base, _) in KINDS.items():
            assert issubclass(ours, our_base) == issubclass(stdlib, stdlib_base), (name, other)
    assert isinstance(tk.BoundedSemaphore(), tk.Semaphore)


def test_semaphore_methods_serve_a_bounded_semaphore() -> None:
    """The inherited methods, called through the base class, keep the bound."""
    bounded = tk.BoundedSemaphore(1)
    assert tk.Semaphore.acquire(bounded)
    assert tk.Semaphore._value.__get__(bounded) == 0  # type: ignore[attr-defined]
    tk.Semaphore.release(bounded)
    with pytest.raises(ValueError, match="Semaphore released too many times"):
        tk.Semaphore.release(bounded)
    assert (bounded._value, bounded._initial_value) == (1, 1)


INSTANCES: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
    "Lock": (tk.Lock, threading.Lock),
    "RLock": (tk.RLock, threading.RLock),
    **{
        name: (lambda o=ours, a=args: o(*a), lambda s=stdlib, a=args: s(*a))
        for name, (ours, stdlib, args) in KINDS.items()
    },
}


@pytest.mark.parametrize("name", INSTANCES)
def test_instances_take_attributes_like_stdlib(name: str) -> None:
    """Attribute assignment works where the stdlib's instances have a ``__dict__`` (the classes
    it writes in Python) and fails with AttributeError where they have none (``_thread``'s)."""
    ours, stdlib = (make() for make in INSTANCES[name])

    def tag(instance: Any) -> Any:
        instance.tag = "x"
        return (instance.tag, vars(instance)["tag"])

    assert outcome_type(lambda: tag(ours)) == outcome_type(lambda: tag(stdlib))


@pytest.mark.parametrize("name", KINDS)
def test_cycle_through_an_attribute_is_collected(name: str) -> None:
    ours, _, args = KINDS[name]
    instance = ours(*args)
    instance.me = instance
    ref = weakref.ref(instance)
    del instance
    gc.collect()
    assert ref() is None


def test_init_runs_once() -> None:
    semaphore = tk.Semaphore(1)
    with pytest.raises(RuntimeError, match=r"Semaphore.__init__\(\) may only be called once"):
        semaphore.__init__(5)  # type: ignore[misc]
    assert semaphore._value == 1


@pytest.mark.parametrize("name", KINDS)
def test_bad_constructor_arguments_like_stdlib(name: str) -> None:
    ours, stdlib, _ = KINDS[name]
    assert outcome_type(lambda: ours(1, 2, 3, 4)) is outcome_type(lambda: stdlib(1, 2, 3, 4))
    assert outcome_type(lambda: ours(nope=1)) is outcome_type(lambda: stdlib(nope=1))


def test_overridden_acquire_calls_super_like_stdlib() -> None:
    def use(base: type) -> Any:
        class Counting(base):  # type: ignore[misc, valid-type]
            def __init__(self) -> None:
                super().__init__(2)
                self.acquired = 0

            def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
                got = super().acquire(blocking, timeout)
                self.acquired += 1
                return bool(got)

        semaphore = Counting()
        with semaphore:  # in the stdlib too, `with` runs the base class's acquire
            pass
        taken = [semaphore.acquire(), semaphore.acquire(False), semaphore.acquire(False)]
        return (taken, semaphore.acquired, semaphore._value)

    assert use(tk.Semaphore) == use(threading.Semaphore) == ([True, True, False], 3, 0)


def test_condition_over_an_rlock_subclass_calls_its_methods_like_stdlib() -> None:
    """A lock subclass may override acquire/release: the Condition's go through them."""
    import _thread

    def use(base: type, condition_type: type) -> list[str]:
        calls: list[str] = []

        class Traced(base):  # type: ignore[misc, valid-type]
            def acquire(self, *args: Any) -> bool:
                calls.append("acquire")
                return bool(super().acquire(*args))

            def release(self) -> None:
                calls.append("release")
                super().release()

        condition = condition_type(Traced())
        condition.acquire()
        assert not condition.wait(0.01)
        condition.release()
        with condition:
            calls.append("with")
        return calls

    assert use(tk.RLock, tk.Condition) == use(_thread.RLock, threading.Condition)


def test_rlock_subclass_like_the_c_type() -> None:
    import _thread

    def use(base: type) -> Any:
        class Named(base):  # type: ignore[misc, valid-type]
            def __init__(self, name: str) -> None:
                self.name = name

        lock = Named("n")
        with lock, lock:
            owned = lock._is_owned()
        return (lock.name, owned, lock._is_owned(), isinstance(lock, base))

    assert use(tk.RLock) == use(_thread.RLock) == ("n", True, False, True)


def test_lock_cannot_be_subclassed_like_stdlib() -> None:
    def subclass(base: Any) -> Any:
        class Mine(base):  # type: ignore[misc]
            pass

        return Mine

    assert outcome_type(lambda: subclass(tk.Lock)) is TypeError
    assert outcome_type(lambda: subclass(threading.Lock)) is TypeError


def test_timer_subclass() -> None:
    fired = tk.Event()

    class Alarm(tk.Timer):
        def __init__(self, label: str) -> None:
            super().__init__(0.01, self.ring)
            self.label = label
            self.rang: list[str] = []

        def ring(self) -> None:
            self.rang.append(self.label)
            fired.set()

    alarm = Alarm("wake")
    assert isinstance(alarm, threading.Timer)
    alarm.start()
    assert fired.wait(20)
    alarm.join(20)
    assert alarm.rang == ["wake"]


QUEUES = ["Queue", "LifoQueue", "PriorityQueue"]


@pytest.mark.parametrize("kind", QUEUES)
def test_queue_subclass_with_own_init_and_overrides_like_stdlib(kind: str) -> None:
    def use(module: Any) -> Any:
        class Audited(getattr(module, kind)):  # type: ignore[misc]
            def __init__(self, name: str) -> None:
                super().__init__(maxsize=2)
                self.name = name
                self.log: list[Any] = []

            def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
                self.log.append(("put", item))
                super().put(item, block, timeout)

            def get(self, block: bool = True, timeout: float | None = None) -> Any:
                item = super().get(block, timeout)
                self.log.append(("get", item))
                return item

        q = Audited("a")
        q.put(3)
        q.put(1)
        full = outcome_type(lambda: q.put(2, timeout=0.01))
        got = [q.get(), q.get()]
        q.extra = True
        return (q.name, q.log, full, got, q.maxsize, isinstance(q, module.Queue), q.extra)

    assert use(tkq) == use(queue)


@pytest.mark.parametrize("kind", QUEUES)
def test_queue_subclass_overriding_storage_hooks_like_stdlib(kind: str) -> None:
    """The Python-storage path: a subclass that overrides ``_init/_qsize/_put/_get``."""

    def use(module: Any) -> Any:
        class Doubling(getattr(module, kind)):  # type: ignore[misc]
            def _init(self, maxsize: int) -> None:
                super()._init(maxsize)
                self.seen: list[Any] = []

            def _qsize(self) -> int:
                return int(super()._qsize())

            def _put(self, item: Any) -> None:
                self.seen.append(item)
                super()._put(item * 2)

            def _get(self) -> Any:
                return super()._get() + 1

        q = Doubling(3)
        for item in (2, 3, 1):
            q.put(item)
        full = outcome_type(lambda: q.put(9, timeout=0.01))
        got = [q.get(timeout=5) for _ in range(3)]
        empty = outcome_type(lambda: q.get(timeout=0.01))
        return (q.seen, full, got, empty, q.qsize(), q.unfinished_tasks)

    assert use(tkq) == use(queue)


def test_simple_queue_subclass_with_own_init() -> None:
    class Named(tkq.SimpleQueue):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    q = Named("n")
    q.put(1)
    assert (q.name, q.get(timeout=5), isinstance(q, tkq.SimpleQueue)) == ("n", 1, True)


def test_simple_queue_arguments_like_stdlib() -> None:
    """Arguments are refused unless a subclass's own ``__init__`` takes them (the C rule)."""

    def calls(module: Any) -> list[Any]:
        class Plain(module.SimpleQueue):  # type: ignore[misc, name-defined]
            pass

        return [
            outcome(lambda: module.SimpleQueue(1)),
            outcome(lambda: module.SimpleQueue(x=1)),
            outcome(lambda: Plain(1)),
        ]

    assert calls(tkq) == calls(queue)
