//! [`Ring`]: the lock-free organisation of a bounded [`Queue`](crate::Queue), and the state of
//! `queue.py` that lives beside it (the unfinished-task count, the shut-down flag).
//!
//! The items go through a [`crossbeam_queue::ArrayQueue`] (Vyukov's bounded array queue: a
//! stamped slot per item, head and tail on separate cache lines), so a producer writes only the
//! tail and the slots it fills and a consumer only the head and the slots it empties. What the
//! mutex gave `queue.py` for free comes from one more word, the `gate`:
//!
//! - Its low bits are two flags: [`SHUT`] (the queue is shut down: puts fail) and [`RETIRED`] (the
//!   queue has left the ring: every operation goes to the locked design in `blocking.rs`).
//! - Above them it counts the puts in flight. A put announces itself on the gate before it looks
//!   at the flags, and withdraws once its item is in the ring and counted. Whoever sets a flag
//!   then waits for the count to drain ([`Ring::close`]): after that no put can land an item, so
//!   an immediate shutdown's drain, a hand-over or a move to the locked design sees every item
//!   there will be, and a getter that finds the ring empty and shut down knows it stays empty.
//! - The unfinished-task count is incremented after the push, before the put withdraws. A
//!   `task_done` that finds it zero while puts are in flight waits for them before it concludes
//!   that there is nothing to mark done: so it never runs before its own item's count exists, and
//!   a put that fails (full, shut down) never shows a count it then takes back.
//! - The gets have a word of their own, on a line only getters and the rare mover write: its low
//!   bit is [`CLOSED_FOR_GETS`], above it the gets in the middle of a pop. A get announces
//!   itself (one `fetch_add`, which also returns the flag), pops if the flag is clear, and
//!   withdraws. A mover ([`Ring::retire`], and [`Ring::drop_items`] for an immediate shutdown)
//!   sets the flag, waits for the count to drain, and only then pops: a get that announced
//!   before the flag took a front item, so its get comes before the move and the move keeps the
//!   rest in order; a get after the flag pops nothing. Without it a get could pop item 3 while
//!   the move held 1 and 2, and return it before them (or after an immediate shutdown dropped
//!   them). The flag is never cleared: after a move the ring is empty for good, and after an
//!   immediate shutdown too (no put passes [`SHUT`]), so a get that finds it reads the gate,
//!   which the mover set first: [`RETIRED`] sends it to the locked design, otherwise it is shut.
//!
//! A put is four atomic read-modify-writes on lines only producers write (the gate and the count
//! share one) plus the push; a get is the pop between two read-modify-writes of the getters'
//! word. The waits around them, and why no wake-up is lost,
//! are in `waiters.rs`; the design, the measurements and the floor are in `README.md`.

use crossbeam_queue::ArrayQueue;
use crossbeam_utils::CachePadded;

use crate::loom::atomic::{AtomicUsize, Ordering};

/// The gate's flag: the queue is shut down.
const SHUT: usize = 1;
/// The gate's flag: the queue has moved to the locked design; the ring is empty for good.
const RETIRED: usize = 2;
/// One put in flight, on the gate.
const PUT: usize = 4;

/// The getters' word's flag: a mover ([`Ring::retire`], [`Ring::drop_items`]) takes the items
/// out; no get pops any more.
const CLOSED_FOR_GETS: usize = 1;
/// One get in flight, on the getters' word.
const GET: usize = 2;

/// The largest `maxsize` a queue keeps in a ring (its slots are allocated up front); a bound
/// above it, or none, uses the locked design.
pub(super) const MAX_SLOTS: usize = 4096;

/// The items and counters of a ring-organised queue.
#[derive(Debug)]
pub(super) struct Ring<T> {
    items: ArrayQueue<T>,
    /// Written by producers (and by `task_done`): kept off the ring's head and tail.
    counters: CachePadded<Counters>,
    /// [`CLOSED_FOR_GETS`] and the gets in flight in units of [`GET`]. Written by getters and
    /// the rare mover only: kept off the producers' line.
    getters: CachePadded<AtomicUsize>,
    /// Under loom only: a word every push and pop writes first (see [`Ring::push`]).
    #[cfg(threadkit_loom)]
    model_items: AtomicUsize,
}

#[derive(Debug)]
struct Counters {
    /// [`SHUT`], [`RETIRED`], and the puts in flight in units of [`PUT`].
    gate: AtomicUsize,
    /// Put items still waiting for their `task_done`.
    unfinished: AtomicUsize,
}

/// What one put attempt did.
pub(super) enum Put<T> {
    /// The item is in the ring and counted.
    Done,
    /// No slot free (or `maxsize` items held): the item back.
    Full(T),
    /// The queue is shut down: the item back.
    Shut(T),
    /// The queue moved to the locked design: the item back, to put there.
    Retired(T),
}

/// What one get attempt found.
pub(super) enum Get<T> {
    /// The next item.
    Item(T),
    /// Nothing now.
    Empty,
    /// Empty, shut down, and no put in flight: empty for good.
    Shut,
    /// The queue moved to the locked design.
    Retired,
}

/// What one `task_done` attempt did.
pub(super) enum TaskDone {
    /// One count taken; true if it was the last.
    Done(bool),
    /// No count to take, and no put in flight that could bring one.
    NoneLeft,
    /// The queue moved to the locked design.
    Retired,
}

/// What a ring held when it was closed for good ([`Ring::retire`]).
pub(super) struct Remains<T> {
    pub(super) items: Vec<T>,
    pub(super) unfinished_tasks: usize,
    pub(super) was_shut: bool,
}

impl<T> Ring<T> {
    /// A ring of `slots` slots (1 to [`MAX_SLOTS`]).
    pub(super) fn new(slots: usize) -> Self {
        Ring {
            items: ArrayQueue::new(slots),
            counters: CachePadded::new(Counters {
                gate: AtomicUsize::new(0),
                unfinished: AtomicUsize::new(0),
            }),
            getters: CachePadded::new(AtomicUsize::new(0)),
            #[cfg(threadkit_loom)]
            model_items: AtomicUsize::new(0),
        }
    }

    /// The ring's push. Under loom each push and pop first writes one shared word: loom does not
    /// see the `ArrayQueue`'s own atomics, so without it it would take every push and pop for
    /// independent of the others and never reorder them. Nothing more in normal builds.
    #[inline]
    fn push(&self, item: T) -> Result<(), T> {
        #[cfg(threadkit_loom)]
        self.model_items.fetch_add(1, Ordering::SeqCst);
        self.items.push(item)
    }

    /// The ring's pop (see [`Self::push`] for what it does under loom).
    #[inline]
    fn pop(&self) -> Option<T> {
        #[cfg(threadkit_loom)]
        self.model_items.fetch_add(1, Ordering::SeqCst);
        self.items.pop()
    }

    /// How many slots the ring has: the largest `maxsize` it can keep.
    #[inline]
    pub(super) fn slots(&self) -> usize {
        self.items.capacity()
    }

    /// Whether the queue has moved to the locked design.
    #[inline]
    pub(super) fn retired(&self) -> bool {
        self.counters.gate.load(Ordering::Acquire) & RETIRED != 0
    }

    /// Whether the queue is shut down (meaningful while not retired).
    #[inline]
    pub(super) fn is_shut(&self) -> bool {
        self.counters.gate.load(Ordering::Acquire) & SHUT != 0
    }

    /// How many items the ring holds (approximate under concurrency).
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    /// Put items still waiting for their `task_done` (approximate under concurrency).
    #[inline]
    pub(super) fn unfinished_tasks(&self) -> usize {
        self.counters.unfinished.load(Ordering::SeqCst)
    }

    /// Puts `item` if a slot is free and fewer than `maxsize` items are held.
    ///
    /// The push's `SeqCst` compare-exchange of the tail is the publication that
    /// `WaitList::prepare`'s fence pairs with (see `simple.rs`, which relies on the same).
    #[inline]
    pub(super) fn try_put(&self, item: T, maxsize: usize) -> Put<T> {
        let counters = &*self.counters;
        let gate = counters.gate.fetch_add(PUT, Ordering::AcqRel);
        if gate & (SHUT | RETIRED) != 0 {
            counters.gate.fetch_sub(PUT, Ordering::Release);
            return if gate & RETIRED != 0 {
                Put::Retired(item)
            } else {
                Put::Shut(item)
            };
        }
        // A bound below the ring's size is checked against the length; it costs a read of the
        // consumers' line, so only queues whose bound was lowered pay it.
        let outcome = if maxsize < self.slots() && self.items.len() >= maxsize {
            Put::Full(item)
        } else {
            match self.push(item) {
                Ok(()) => {
                    crate::loom::dependency_seq_cst();
                    counters.unfinished.fetch_add(1, Ordering::SeqCst);
                    Put::Done
                }
                Err(item) => Put::Full(item),
            }
        };
        // Withdrawing releases the count's increment to whoever waits for the puts to drain.
        counters.gate.fetch_sub(PUT, Ordering::Release);
        outcome
    }

    /// Takes the next item, or says why there is none.
    #[inline]
    pub(super) fn try_get(&self) -> Get<T> {
        let Some(popped) = self.pop_for_get() else {
            return self.closed_get();
        };
        if let Some(item) = popped {
            crate::loom::dependency_seq_cst();
            return Get::Item(item);
        }
        let gate = self.counters.gate.load(Ordering::Acquire);
        if gate & RETIRED != 0 {
            return Get::Retired;
        }
        if gate & SHUT == 0 {
            return Get::Empty;
        }
        // Shut down: the puts that passed the gate before the flag still land their items.
        self.drain_puts();
        match self.pop_for_get() {
            Some(Some(item)) => Get::Item(item),
            None => self.closed_get(),
            Some(None) if self.retired() => Get::Retired,
            Some(None) => Get::Shut,
        }
    }

    /// A get's pop, announced on the getters' word so that a mover pops only once no get is in
    /// the middle of one ([`Self::close_for_gets`]); `None` if the ring is closed to gets.
    #[inline]
    fn pop_for_get(&self) -> Option<Option<T>> {
        let getters = &*self.getters;
        if getters.fetch_add(GET, Ordering::SeqCst) & CLOSED_FOR_GETS != 0 {
            getters.fetch_sub(GET, Ordering::Release);
            return None;
        }
        let popped = self.pop();
        // Withdrawing releases the pop to the mover that waits for the gets to drain.
        getters.fetch_sub(GET, Ordering::Release);
        Some(popped)
    }

    /// What a get finds on a ring closed to gets: the mover set its flag on the gate first, so
    /// the gate says which one it was (an immediate shutdown leaves the ring shut and empty for
    /// good).
    fn closed_get(&self) -> Get<T> {
        if self.retired() {
            Get::Retired
        } else {
            Get::Shut
        }
    }

    /// Closes the ring to gets for good and waits until no get is in the middle of its pop:
    /// afterwards the caller is the only one popping, and every get that popped before it took
    /// the front items, so the caller's pops continue first-in, first-out order.
    fn close_for_gets(&self) {
        self.getters.fetch_or(CLOSED_FOR_GETS, Ordering::SeqCst);
        drain(&self.getters, GET);
    }

    /// Takes one unfinished-task count.
    pub(super) fn task_done(&self) -> TaskDone {
        let counters = &*self.counters;
        let mut count = counters.unfinished.load(Ordering::SeqCst);
        loop {
            if count != 0 {
                match counters.unfinished.compare_exchange_weak(
                    count,
                    count - 1,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                ) {
                    Ok(_) => {
                        // The caller's check for parked joiners comes next.
                        crate::loom::dependency_seq_cst();
                        return TaskDone::Done(count == 1);
                    }
                    Err(now) => count = now,
                }
                continue;
            }
            let gate = counters.gate.load(Ordering::Acquire);
            if gate & RETIRED != 0 {
                return TaskDone::Retired;
            }
            if gate < PUT {
                // No put in flight, and the acquire saw every withdrawn put's count.
                count = counters.unfinished.load(Ordering::SeqCst);
                if count == 0 {
                    return TaskDone::NoneLeft;
                }
                continue;
            }
            // A put in flight may be the one whose item this task is: it counts it before it
            // withdraws, within a few instructions.
            crate::loom::yield_now();
            count = counters.unfinished.load(Ordering::SeqCst);
        }
    }

    /// Shuts the queue down: sets [`SHUT`] and waits until no put is in flight. Afterwards every
    /// put fails and the ring only shrinks. Returns false if the queue had moved to the locked
    /// design first (then nothing changed). Called under the queue's lock.
    pub(super) fn shut(&self) -> bool {
        let gate = self.counters.gate.fetch_or(SHUT, Ordering::AcqRel);
        if gate & RETIRED != 0 {
            return false;
        }
        self.drain_puts();
        // The caller's checks for parked callers come next.
        crate::loom::dependency_seq_cst();
        true
    }

    /// Takes every item out of a shut-down ring, each counting as a `task_done` (Python's
    /// `shutdown(immediate=True)`); the items, for the caller to drop outside the lock.
    pub(super) fn drop_items(&self) -> Vec<T> {
        self.close_for_gets();
        let mut dropped = Vec::new();
        while let Some(item) = self.pop() {
            dropped.push(item);
            let _ = self.counters.unfinished.fetch_update(
                Ordering::SeqCst,
                Ordering::SeqCst,
                |count| count.checked_sub(1),
            );
        }
        dropped
    }

    /// Closes the ring for good, optionally shutting the queue down with it: sets [`RETIRED`]
    /// (and [`SHUT`]), waits until no put is in flight, and takes out every item and the
    /// unfinished-task count. Called once, under the queue's lock.
    pub(super) fn retire(&self, shut: bool) -> Remains<T> {
        let flags = if shut { SHUT | RETIRED } else { RETIRED };
        let gate = self.counters.gate.fetch_or(flags, Ordering::AcqRel);
        debug_assert_eq!(gate & RETIRED, 0, "a ring retires once");
        self.drain_puts();
        self.close_for_gets();
        let mut items = Vec::with_capacity(self.items.len());
        while let Some(item) = self.pop() {
            items.push(item);
        }
        let unfinished_tasks = self.counters.unfinished.swap(0, Ordering::SeqCst);
        // The caller's checks for parked callers come next.
        crate::loom::dependency_seq_cst();
        Remains {
            items,
            unfinished_tasks,
            was_shut: gate & SHUT != 0,
        }
    }

    /// Waits until no put is in flight. A put in flight never waits, so this is a few
    /// instructions' wait, unless the putting thread was preempted.
    fn drain_puts(&self) {
        drain(&self.counters.gate, PUT);
    }
}

/// Waits until `word` counts no caller in flight (in units of `unit`, flags below it): the
/// acquire sees every withdrawn caller's work. Callers in flight never wait, so this is a few
/// instructions' wait unless one of them was preempted.
fn drain(word: &AtomicUsize, unit: usize) {
    while word.load(Ordering::Acquire) >= unit {
        crate::loom::yield_now();
    }
}
