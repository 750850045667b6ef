//! [`BlockingQueue`]: the one implementation of `queue.Queue`'s rules, over any [`Storage`].

use std::fmt;
use std::time::Duration;

use super::error::{GetError, PutError, TaskDoneError};
use super::ring::{self, Get, Put, Ring, TaskDone};
use super::sealed;
use super::waiters::{Patience, WaitList};
use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::{Mutex, MutexGuard};
use crate::park::{ParkResult, SpinWait};

/// How a queue keeps its items: Python's `_init`, `_qsize`, `_put` and `_get` hooks.
///
/// [`Fifo`](super::Fifo), [`Lifo`](super::Lifo) and [`Heap`](super::Heap) are the organisations
/// of `Queue`, `LifoQueue` and `PriorityQueue`. The methods run under the queue's internal lock,
/// so they must be short and must not touch the queue.
///
/// # Differences from CPython
///
/// Python programs subclass `Queue` and override the hooks; in Rust the trait is sealed for now,
/// so only threadkit's own organisations exist.
///
/// # Examples
///
/// ```
/// use threadkit::queue::{BlockingQueue, Fifo, Heap, Lifo, Storage};
///
/// /// Puts 2, 3, 1 into a fresh queue over `S` and returns the order they come out in.
/// fn order<S: Storage<Item = i32>>() -> Vec<i32> {
///     let queue = BlockingQueue::<S>::new(0);
///     for n in [2, 3, 1] {
///         queue.put(n, None).unwrap();
///     }
///     (0..3).map(|_| queue.get(None).unwrap()).collect()
/// }
/// assert_eq!(order::<Fifo<i32>>(), [2, 3, 1]);
/// assert_eq!(order::<Lifo<i32>>(), [1, 3, 2]);
/// assert_eq!(order::<Heap<i32>>(), [1, 2, 3]);
/// ```
pub trait Storage: sealed::Sealed {
    /// The items held.
    type Item;
    /// Empty storage for a queue of `maxsize` (0: unbounded). Python: `_init(maxsize)`.
    ///
    /// ```
    /// use threadkit::queue::{Fifo, Storage};
    ///
    /// let items = Fifo::<u8>::init(16);
    /// assert_eq!(items.qsize(), 0);
    /// ```
    fn init(maxsize: usize) -> Self;
    /// How many items are held. Python: `_qsize()`.
    ///
    /// ```
    /// use threadkit::queue::{Lifo, Storage};
    ///
    /// let mut items = Lifo::init(0);
    /// items.put("x");
    /// assert_eq!(items.qsize(), 1);
    /// ```
    fn qsize(&self) -> usize;
    /// Adds an item. Python: `_put(item)`.
    ///
    /// ```
    /// use threadkit::queue::{Heap, Storage};
    ///
    /// let mut items = Heap::init(0);
    /// items.put(2);
    /// items.put(1);
    /// assert_eq!(items.get(), Some(1));
    /// ```
    fn put(&mut self, item: Self::Item);
    /// Removes the next item, or `None` when empty. Python: `_get()` after a `_qsize()` check.
    ///
    /// ```
    /// use threadkit::queue::{Fifo, Storage};
    ///
    /// let mut items = Fifo::init(0);
    /// assert_eq!(items.get(), None::<u8>);
    /// items.put(1);
    /// assert_eq!(items.get(), Some(1));
    /// ```
    fn get(&mut self) -> Option<Self::Item>;

    /// Whether a queue of this organisation whose bound fits a ring keeps its items in a
    /// lock-free ring (`ring.rs`) instead of this storage: only first-in, first-out order has two
    /// ends for producers and consumers to split.
    #[doc(hidden)]
    const RING: bool = false;
}

/// A blocking multi-producer, multi-consumer queue with Python's `queue.Queue` semantics, over a
/// [`Storage`] that decides the order: use it as [`Queue`](crate::Queue),
/// [`LifoQueue`](crate::LifoQueue) or [`PriorityQueue`](crate::PriorityQueue).
///
/// - `maxsize` bounds the queue (0: unbounded): [`put`](Self::put) blocks while it is full,
///   [`get`](Self::get) while it is empty, each for at most its timeout.
/// - Every put item counts as an unfinished task until [`task_done`](Self::task_done) is called
///   for it; [`join`](Self::join) waits for that count to reach zero.
/// - [`shutdown`](Self::shutdown) (Python 3.13) makes puts fail, lets gets drain the remaining
///   items (or drops them at once with `immediate`), and wakes every blocked caller.
///
/// The items live in the storage behind a small internal lock that is only held to move one item
/// in or out; a [`Queue`](crate::Queue) whose bound is at most 4096 keeps them in a lock-free
/// ring instead, so that producers and consumers write separate cache lines (it moves to the
/// storage, once, if [`set_maxsize`](Self::set_maxsize) lifts the bound past the ring). Blocked
/// callers spin briefly, then park on one of three wait lists (not empty, not full, all tasks
/// done); a put or get pays for a wake-up only when a thread is actually parked.
///
/// # Differences from CPython
///
/// - `put(item, block, timeout)` / `get(block, timeout)` become [`put`](Self::put) /
///   [`get`](Self::get) with an `Option<Duration>` timeout (`None`: block forever) and
///   [`put_nowait`](Self::put_nowait) / [`get_nowait`](Self::get_nowait) for `block=False`.
///   Negative timeouts, which Python rejects with `ValueError`, cannot be expressed.
/// - Failures are [`PutError`] (which hands the item back) and [`GetError`] instead of the
///   exceptions `Full`, `Empty` and `ShutDown`; an extra `task_done` is [`TaskDoneError`]
///   instead of `ValueError`.
/// - `maxsize` is a `usize`; Python's negative sizes (also unbounded) map to 0.
/// - [`join_timeout`](Self::join_timeout) is an extension: `join` with a timeout.
/// - The `mutex`, `not_empty`, `not_full` and `all_tasks_done` attributes are not exposed.
///
/// # Memory ordering
///
/// Everything a thread wrote before `put` is visible to the thread that `get`s the item (the
/// internal lock, or the ring slot's release/acquire stamp), and everything written before
/// `task_done` is visible to a thread returning from `join` (the lock, or the ring's `SeqCst`
/// unfinished-task count).
///
/// # Examples
///
/// Workers, `task_done` and `join`, as in the `queue` module's documentation:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::thread;
/// use threadkit::Queue;
///
/// let queue = Arc::new(Queue::new(0));
/// let total = Arc::new(AtomicU64::new(0));
/// for _ in 0..3 {
///     let (queue, total) = (Arc::clone(&queue), Arc::clone(&total));
///     thread::spawn(move || {
///         while let Ok(n) = queue.get(None) {
///             total.fetch_add(n, Ordering::Relaxed);
///             queue.task_done().unwrap();
///         }
///     });
/// }
/// for n in 1..=100 {
///     queue.put(n, None).unwrap();
/// }
/// queue.join(); // every item has been processed
/// assert_eq!(total.load(Ordering::Relaxed), 5050);
/// queue.shutdown(false); // the workers' `get` now fails and they exit
/// ```
pub struct BlockingQueue<S: Storage> {
    /// The lock-free organisation, while the queue uses it (see [`Self::ring`]); the state
    /// behind the lock then holds no item, no count and no shut-down flag.
    ring: Option<Ring<S::Item>>,
    state: Mutex<State<S>>,
    /// Written under `state`'s lock; read under it by the locked design, and without it by a
    /// put on the ring (a stale bound there is as good as one read just before the change).
    maxsize: AtomicUsize,
    not_empty: WaitList,
    not_full: WaitList,
    all_tasks_done: WaitList,
}

/// Everything a queue held, as [`BlockingQueue::hand_over`] gives it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandOver<T> {
    /// The items, in the order `get` would have returned them.
    pub items: Vec<T>,
    /// How many put items were still waiting for their `task_done`.
    pub unfinished_tasks: usize,
    /// Whether the queue had been shut down before the hand-over.
    pub was_shutdown: bool,
}

/// What the internal lock protects.
struct State<S> {
    items: S,
    unfinished_tasks: usize,
    is_shutdown: bool,
}

impl<S: Storage> BlockingQueue<S> {
    /// Creates a queue that holds at most `maxsize` items (0: unbounded).
    ///
    /// Python: `Queue(maxsize=0)`, `LifoQueue(maxsize)`, `PriorityQueue(maxsize)`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::{LifoQueue, PriorityQueue, Queue};
    ///
    /// let bounded = Arc::new(Queue::new(1));
    /// let unbounded = LifoQueue::<u8>::new(0);
    /// let priorities = PriorityQueue::<(u8, &str)>::default(); // unbounded too
    /// assert_eq!((bounded.maxsize(), unbounded.maxsize(), priorities.maxsize()), (1, 0, 0));
    /// bounded.put(1, None).unwrap();
    /// let consumer = Arc::clone(&bounded);
    /// thread::spawn(move || consumer.get(None)).join().unwrap().unwrap();
    /// assert!(bounded.empty());
    /// ```
    pub fn new(maxsize: usize) -> Self {
        let ring =
            (S::RING && (1..=ring::MAX_SLOTS).contains(&maxsize)).then(|| Ring::new(maxsize));
        BlockingQueue {
            state: Mutex::new(State {
                items: S::init(if ring.is_some() { 0 } else { maxsize }),
                unfinished_tasks: 0,
                is_shutdown: false,
            }),
            ring,
            maxsize: AtomicUsize::new(maxsize),
            not_empty: WaitList::new(),
            not_full: WaitList::new(),
            all_tasks_done: WaitList::new(),
        }
    }

    /// The bound given at creation (0: unbounded).
    ///
    /// Python: `queue.maxsize`.
    ///
    /// ```
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::<()>::new(5);
    /// assert_eq!(queue.maxsize(), 5);
    /// ```
    #[inline]
    pub fn maxsize(&self) -> usize {
        self.maxsize.load(Ordering::Relaxed)
    }

    /// Changes the bound (0: unbounded). Items already held stay; a queue holding `maxsize` or
    /// more items counts as full. Blocked callers are not woken: as in CPython, the new bound is
    /// seen by the next `put` or `get`.
    ///
    /// Python: `queue.maxsize = maxsize`.
    ///
    /// ```
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(3);
    /// queue.put_nowait(1).unwrap();
    /// queue.put_nowait(2).unwrap();
    /// queue.set_maxsize(2);
    /// assert!(queue.full());
    /// assert!(queue.put_nowait(3).is_err());
    /// ```
    pub fn set_maxsize(&self, maxsize: usize) {
        let mut state = self.lock();
        let leaves_ring = self
            .ring()
            .filter(|ring| !(1..=ring.slots()).contains(&maxsize));
        self.maxsize.store(maxsize, Ordering::Relaxed);
        if let Some(ring) = leaves_ring {
            let remains = ring.retire(false);
            for item in remains.items {
                state.items.put(item);
            }
            state.unfinished_tasks = remains.unfinished_tasks;
            state.is_shutdown = remains.was_shut;
            drop(state);
            // Whoever waits on the ring tries again, and finds the locked design.
            self.wake_all();
        }
    }

    /// How many items the queue holds now (approximate once other threads use it).
    ///
    /// Python: `queue.qsize()`.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(0);
    /// thread::scope(|s| {
    ///     s.spawn(|| queue.put("a", None).unwrap());
    ///     s.spawn(|| queue.put("b", None).unwrap());
    /// });
    /// assert_eq!(queue.qsize(), 2);
    /// ```
    pub fn qsize(&self) -> usize {
        self.read(Ring::len, |state| state.items.qsize())
    }

    /// Whether the queue holds no items now.
    ///
    /// Python: `queue.empty()`.
    ///
    /// ```
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(0);
    /// assert!(queue.empty());
    /// queue.put(1, None).unwrap();
    /// assert!(!queue.empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether the queue is bounded and holds `maxsize` items now.
    ///
    /// Python: `queue.full()`.
    ///
    /// ```
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(1);
    /// queue.put(1, None).unwrap();
    /// assert!(queue.full());
    /// assert!(!Queue::<i32>::new(0).full()); // an unbounded queue never is
    /// ```
    pub fn full(&self) -> bool {
        self.read(
            |ring| ring.len() >= self.maxsize(),
            |state| self.is_full(state),
        )
    }

    /// How many put items still wait for their `task_done`.
    ///
    /// Python: `queue.unfinished_tasks`.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(0);
    /// queue.put(1, None).unwrap();
    /// queue.put(2, None).unwrap();
    /// thread::scope(|s| {
    ///     s.spawn(|| {
    ///         queue.get(None).unwrap();
    ///         queue.task_done().unwrap();
    ///     });
    /// });
    /// assert_eq!(queue.unfinished_tasks(), 1);
    /// ```
    pub fn unfinished_tasks(&self) -> usize {
        self.read(Ring::unfinished_tasks, |state| state.unfinished_tasks)
    }

    /// Whether [`shutdown`](Self::shutdown) has been called.
    ///
    /// Python: `queue.is_shutdown`.
    ///
    /// ```
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::<u32>::new(0);
    /// assert!(!queue.is_shutdown());
    /// queue.shutdown(true);
    /// assert!(queue.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.read(Ring::is_shut, |state| state.is_shutdown)
    }

    /// How many threads wait in [`put`](Self::put), [`get`](Self::get) or [`join`](Self::join)
    /// now: each has registered before its last look at the queue, so whatever changes the queue
    /// after this count includes it will wake it.
    ///
    /// Extension: Python has no such call; tests use it to act only once a waiter really waits.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Queue;
    ///
    /// let queue = Arc::new(Queue::new(0));
    /// let consumer = Arc::clone(&queue);
    /// let getter = thread::spawn(move || consumer.get(None));
    /// while queue.waiting() == 0 {
    ///     thread::yield_now();
    /// }
    /// queue.put("woken", None).unwrap();
    /// assert_eq!(getter.join().unwrap(), Ok("woken"));
    /// assert_eq!(queue.waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.not_empty.waiting() + self.not_full.waiting() + self.all_tasks_done.waiting()
    }

    /// Puts `item` into the queue, waiting at most `timeout` (`None`: forever) for a free slot.
    ///
    /// Python: `queue.put(item, timeout=timeout)`. An unbounded queue never waits. Wakes one
    /// blocked `get`.
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] at once if the queue is shut down, or when it is shut down while
    /// this call waits; [`PutError::Full`] if no slot freed within `timeout`. Both return `item`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use std::time::Duration;
    /// use threadkit::Queue;
    /// use threadkit::queue::PutError;
    ///
    /// let queue = Arc::new(Queue::new(1));
    /// queue.put('a', None).unwrap();
    /// let short = Some(Duration::from_millis(10));
    /// assert_eq!(queue.put('b', short), Err(PutError::Full('b')));
    ///
    /// let consumer = Arc::clone(&queue);
    /// let getter = thread::spawn(move || consumer.get(None));
    /// queue.put('b', None).unwrap(); // waits until the other thread took 'a'
    /// assert_eq!(getter.join().unwrap(), Ok('a'));
    /// ```
    #[inline]
    pub fn put(&self, item: S::Item, timeout: Option<Duration>) -> Result<(), PutError<S::Item>> {
        let mut patience = Patience::new(timeout);
        let item = match self.ring() {
            Some(ring) => match self.put_on_ring(ring, item, &mut patience) {
                Ok(result) => return result,
                Err(retired) => retired,
            },
            None => item,
        };
        let mut item = Some(item);
        let result = self.wait_for(&self.not_full, &mut patience, |state, patience| {
            if state.is_shutdown {
                return item.take().map(|item| Err(PutError::ShutDown(item)));
            }
            if !self.is_full(state) {
                state.items.put(item.take()?);
                state.unfinished_tasks += 1;
                return Some(Ok(()));
            }
            if patience.expired() {
                return item.take().map(|item| Err(PutError::Full(item)));
            }
            None
        });
        if result.is_ok() {
            self.not_empty.notify_one();
        }
        result
    }

    /// Puts `item` only if a slot is free now.
    ///
    /// Python: `queue.put_nowait(item)`, `queue.put(item, block=False)`.
    ///
    /// # Errors
    ///
    /// As [`put`](Self::put) with a zero timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadkit::Queue;
    /// use threadkit::queue::PutError;
    ///
    /// let queue = Queue::new(1);
    /// queue.put_nowait("first").unwrap();
    /// let error = queue.put_nowait("second").unwrap_err();
    /// assert_eq!(error, PutError::Full("second"));
    /// assert_eq!(error.to_string(), "put on a full queue");
    /// queue.shutdown(false);
    /// let error = queue.put_nowait("third").unwrap_err();
    /// assert_eq!(error.to_string(), "put on a shut-down queue");
    /// ```
    #[inline]
    pub fn put_nowait(&self, item: S::Item) -> Result<(), PutError<S::Item>> {
        self.put(item, Some(Duration::ZERO))
    }

    /// Removes and returns the next item, waiting at most `timeout` (`None`: forever) for one.
    ///
    /// Python: `queue.get(timeout=timeout)`. Wakes one blocked `put`.
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] if the queue is shut down and empty (at once, or when that happens
    /// while this call waits); [`GetError::Empty`] if no item came within `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use std::time::Duration;
    /// use threadkit::Queue;
    /// use threadkit::queue::GetError;
    ///
    /// let queue = Arc::new(Queue::new(0));
    /// assert_eq!(queue.get(Some(Duration::from_millis(10))), Err(GetError::Empty));
    /// let producer = Arc::clone(&queue);
    /// thread::spawn(move || producer.put("job", None).unwrap());
    /// assert_eq!(queue.get(None), Ok("job"));
    /// ```
    #[inline]
    pub fn get(&self, timeout: Option<Duration>) -> Result<S::Item, GetError> {
        let mut patience = Patience::new(timeout);
        // Not `self.ring()`: a get's fast path reads no line that producers write (the gate);
        // `Ring::try_get` pops first and looks at the gate only when it finds no item.
        if let Some(ring) = self.ring.as_ref().filter(|_| S::RING)
            && let Some(result) = self.get_from_ring(ring, &mut patience)
        {
            return result;
        }
        let result = self.wait_for(&self.not_empty, &mut patience, |state, patience| {
            if let Some(item) = state.items.get() {
                return Some(Ok(item));
            }
            if state.is_shutdown {
                return Some(Err(GetError::ShutDown));
            }
            patience.expired().then_some(Err(GetError::Empty))
        });
        if result.is_ok() {
            self.not_full.notify_one();
        }
        result
    }

    /// Removes and returns the next item only if one is there now.
    ///
    /// Python: `queue.get_nowait()`, `queue.get(block=False)`.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get) with a zero timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::Queue;
    /// use threadkit::queue::GetError;
    ///
    /// let queue = Queue::new(0);
    /// assert_eq!(queue.get_nowait(), Err(GetError::Empty));
    /// thread::scope(|s| {
    ///     s.spawn(|| queue.put(42, None).unwrap());
    /// });
    /// assert_eq!(queue.get_nowait(), Ok(42));
    /// ```
    #[inline]
    pub fn get_nowait(&self) -> Result<S::Item, GetError> {
        self.get(Some(Duration::ZERO))
    }

    /// Marks one put item as processed; when none is left unfinished, wakes every `join`.
    ///
    /// Python: `queue.task_done()`.
    ///
    /// # Errors
    ///
    /// [`TaskDoneError`] if every put item was already marked done (Python's `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(0);
    /// queue.put(1, None).unwrap();
    /// assert_eq!(queue.unfinished_tasks(), 1);
    /// queue.get(None).unwrap();
    /// queue.task_done().unwrap();
    /// assert!(queue.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        if let Some(ring) = self.ring() {
            match ring.task_done() {
                TaskDone::Done(last) => {
                    if last {
                        self.all_tasks_done.notify_all();
                    }
                    return Ok(());
                }
                TaskDone::NoneLeft => return Err(TaskDoneError),
                TaskDone::Retired => {}
            }
        }
        let mut state = self.lock();
        if state.unfinished_tasks == 0 {
            return Err(TaskDoneError);
        }
        state.unfinished_tasks -= 1;
        let all_done = state.unfinished_tasks == 0;
        drop(state);
        if all_done {
            self.all_tasks_done.notify_all();
        }
        Ok(())
    }

    /// Blocks until every put item has been marked done with [`task_done`](Self::task_done).
    ///
    /// Python: `queue.join()`. An immediate [`shutdown`](Self::shutdown) marks the items it drops
    /// as done, which may release it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Queue;
    ///
    /// let queue = Arc::new(Queue::new(0));
    /// queue.put("task", None).unwrap();
    /// let worker = Arc::clone(&queue);
    /// thread::spawn(move || {
    ///     worker.get(None).unwrap();
    ///     worker.task_done().unwrap();
    /// });
    /// queue.join();
    /// assert_eq!(queue.unfinished_tasks(), 0);
    /// ```
    pub fn join(&self) {
        self.join_until(None);
    }

    /// [`join`](Self::join) for at most `timeout`; true if every item was marked done.
    ///
    /// Extension: Python's `join()` takes no timeout.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(0);
    /// assert!(queue.join_timeout(Duration::ZERO));
    /// queue.put(1, None).unwrap();
    /// assert!(!queue.join_timeout(Duration::from_millis(10)));
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.join_until(Some(timeout))
    }

    fn join_until(&self, timeout: Option<Duration>) -> bool {
        let mut patience = Patience::new(timeout);
        if let Some(ring) = self.ring() {
            let outcome = self.all_tasks_done.wait_until(&mut patience, |patience| {
                // The count first: a ring leaving for the locked design says so before it takes
                // the count away.
                let unfinished = ring.unfinished_tasks();
                if ring.retired() {
                    return Some(None);
                }
                if unfinished == 0 {
                    return Some(Some(true));
                }
                patience.expired().then_some(Some(false))
            });
            if let Some(done) = outcome {
                return done;
            }
        }
        self.wait_for(&self.all_tasks_done, &mut patience, |state, patience| {
            if state.unfinished_tasks == 0 {
                return Some(true);
            }
            patience.expired().then_some(false)
        })
    }

    /// Shuts the queue down: puts fail from now on, and every blocked caller wakes.
    ///
    /// Python 3.13: `queue.shutdown(immediate=False)`. Afterwards `put` fails with
    /// [`PutError::ShutDown`]; `get` keeps returning the remaining items, then fails with
    /// [`GetError::ShutDown`]. With `immediate`, the remaining items are dropped at once (each
    /// counts as a `task_done`, which may release `join`), so `get` fails at once. Blocked `put`s
    /// fail, blocked `get`s fail once the queue is empty, and blocked `join`s return if no task is
    /// left unfinished. Calling it again is harmless.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Queue;
    /// use threadkit::queue::GetError;
    ///
    /// let queue = Arc::new(Queue::<u32>::new(0));
    /// let consumer = Arc::clone(&queue);
    /// let blocked = thread::spawn(move || consumer.get(None));
    /// queue.shutdown(false);
    /// assert_eq!(blocked.join().unwrap(), Err(GetError::ShutDown));
    /// assert!(queue.put(1, None).unwrap_err().is_shut_down());
    /// ```
    pub fn shutdown(&self, immediate: bool) {
        let mut dropped = Vec::new();
        {
            let mut state = self.lock();
            if let Some(ring) = self.ring() {
                ring.shut();
                if immediate {
                    dropped = ring.drop_items();
                }
            } else {
                state.is_shutdown = true;
                if immediate {
                    while let Some(item) = state.items.get() {
                        dropped.push(item);
                        state.unfinished_tasks = state.unfinished_tasks.saturating_sub(1);
                    }
                }
            }
        }
        if immediate {
            self.all_tasks_done.notify_all();
        }
        self.not_empty.notify_all();
        self.not_full.notify_all();
        // The items' destructors run outside the lock: they may use the queue.
        drop(dropped);
    }

    /// Empties the queue and hands everything it held to the caller, so that another
    /// implementation can carry on from where this one stops.
    ///
    /// In one critical section: the items are taken out (in the order [`get`](Self::get) would
    /// have returned them), the unfinished-task count is taken (leaving 0), and the queue is shut
    /// down. Then every blocked caller wakes: blocked `put`s fail with [`PutError::ShutDown`]
    /// (handing the item back), blocked `get`s fail with [`GetError::ShutDown`], blocked `join`s
    /// return. Every operation either happened before the hand-over (and its effect is in what
    /// it returns) or fails or returns in one of those ways, so a caller that then retries on
    /// the new implementation loses nothing and counts nothing twice.
    ///
    /// Extension: Python has no such call. threadkit's Python `Queue` uses it when a program
    /// touches the stdlib's internals (`mutex`, `queue`, the conditions) of a native queue,
    /// which from then on runs the stdlib's algorithm in Python.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadkit::LifoQueue;
    /// use threadkit::queue::{GetError, HandOver};
    ///
    /// let queue = LifoQueue::new(0);
    /// for n in 1..=3 {
    ///     queue.put(n, None).unwrap();
    /// }
    /// queue.get(None).unwrap();
    /// let HandOver { items, unfinished_tasks, was_shutdown } = queue.hand_over();
    /// assert_eq!((items, unfinished_tasks, was_shutdown), (vec![2, 1], 3, false));
    /// assert_eq!(queue.get_nowait(), Err(GetError::ShutDown));
    /// assert_eq!(queue.unfinished_tasks(), 0);
    /// ```
    pub fn hand_over(&self) -> HandOver<S::Item> {
        let hand_over = {
            let mut state = self.lock();
            if let Some(ring) = self.ring() {
                let remains = ring.retire(true);
                state.is_shutdown = true;
                drop(state);
                self.wake_all();
                return HandOver {
                    items: remains.items,
                    unfinished_tasks: remains.unfinished_tasks,
                    was_shutdown: remains.was_shut,
                };
            }
            let mut items = Vec::with_capacity(state.items.qsize());
            while let Some(item) = state.items.get() {
                items.push(item);
            }
            let was_shutdown = state.is_shutdown;
            state.is_shutdown = true;
            HandOver {
                items,
                unfinished_tasks: std::mem::take(&mut state.unfinished_tasks),
                was_shutdown,
            }
        };
        self.wake_all();
        hand_over
    }

    /// Wakes every blocked caller, to look at the queue again.
    fn wake_all(&self) {
        self.all_tasks_done.notify_all();
        self.not_empty.notify_all();
        self.not_full.notify_all();
    }

    /// The ring, while the queue keeps its items there: always `None` for the organisations
    /// without one, so that their code has no ring in it. Once `None` (the queue moved to the
    /// locked design, under the lock), `None` for good.
    #[inline]
    fn ring(&self) -> Option<&Ring<S::Item>> {
        if !S::RING {
            return None;
        }
        self.ring.as_ref().filter(|ring| !ring.retired())
    }

    /// A read of the queue's state: from the ring without the lock while there is one (taken
    /// again from the locked state if the ring retired meanwhile), otherwise under the lock.
    fn read<R>(
        &self,
        on_ring: impl FnOnce(&Ring<S::Item>) -> R,
        locked: impl FnOnce(&State<S>) -> R,
    ) -> R {
        if let Some(ring) = self.ring() {
            let value = on_ring(ring);
            if !ring.retired() {
                return value;
            }
        }
        locked(&self.lock())
    }

    /// [`put`](Self::put) on the ring; the item back if the queue moved to the locked design.
    #[inline]
    fn put_on_ring(
        &self,
        ring: &Ring<S::Item>,
        item: S::Item,
        patience: &mut Patience,
    ) -> Result<Result<(), PutError<S::Item>>, S::Item> {
        let mut item = Some(item);
        let outcome = self.not_full.wait_until(patience, |patience| {
            match ring.try_put(item.take()?, self.maxsize()) {
                Put::Done => Some(Ok(Ok(()))),
                Put::Shut(item) => Some(Ok(Err(PutError::ShutDown(item)))),
                Put::Retired(item) => Some(Err(item)),
                Put::Full(full) if patience.expired() => Some(Ok(Err(PutError::Full(full)))),
                Put::Full(full) => {
                    item = Some(full);
                    None
                }
            }
        });
        if let Ok(Ok(())) = outcome {
            self.not_empty.notify_one();
        }
        outcome
    }

    /// [`get`](Self::get) from the ring; `None` if the queue moved to the locked design.
    #[inline]
    fn get_from_ring(
        &self,
        ring: &Ring<S::Item>,
        patience: &mut Patience,
    ) -> Option<Result<S::Item, GetError>> {
        let outcome = self
            .not_empty
            .wait_until(patience, |patience| match ring.try_get() {
                Get::Item(item) => Some(Some(Ok(item))),
                Get::Shut => Some(Some(Err(GetError::ShutDown))),
                Get::Retired => Some(None),
                Get::Empty => patience.expired().then_some(Some(Err(GetError::Empty))),
            });
        if let Some(Ok(_)) = outcome {
            self.not_full.notify_one();
        }
        outcome
    }

    #[inline]
    fn lock(&self) -> MutexGuard<'_, State<S>> {
        // The lock is only held by this module's short critical sections; a panic in one (from
        // an item's `Ord`) leaves the state consistent, so poisoning is ignored.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[inline]
    fn is_full(&self, state: &State<S>) -> bool {
        let maxsize = self.maxsize.load(Ordering::Relaxed);
        maxsize != 0 && state.items.qsize() >= maxsize
    }

    /// Runs `step` under the lock until it gives a result, waiting on `list` in between.
    ///
    /// `step` sees the state and the caller's patience; it returns `None` to wait for the next
    /// notification on `list` (after checking `patience.expired()`). The first attempt is the
    /// fast path; then the caller spins briefly, then parks with a ticket taken in the same
    /// critical section in which `step` decided to wait.
    #[inline]
    fn wait_for<R>(
        &self,
        list: &WaitList,
        patience: &mut Patience,
        mut step: impl FnMut(&mut State<S>, &mut Patience) -> Option<R>,
    ) -> R {
        let mut spin = SpinWait::new();
        let mut spinning = true;
        loop {
            let mut state = self.lock();
            if let Some(result) = step(&mut state, patience) {
                return result;
            }
            if spinning {
                drop(state);
                spinning = spin.spin();
                continue;
            }
            let ticket = list.prepare();
            drop(state);
            if ticket.park(patience.deadline()) != ParkResult::TimedOut {
                spin.reset();
                spinning = true;
            }
        }
    }
}

impl<S: Storage> Default for BlockingQueue<S> {
    /// An unbounded queue.
    fn default() -> Self {
        Self::new(0)
    }
}

impl<S: Storage> fmt::Debug for BlockingQueue<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingQueue")
            .field("maxsize", &self.maxsize())
            .field("qsize", &self.qsize())
            .field("unfinished_tasks", &self.unfinished_tasks())
            .field("is_shutdown", &self.is_shutdown())
            .finish()
    }
}
