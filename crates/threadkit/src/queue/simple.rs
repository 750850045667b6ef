//! [`SimpleQueue`]: an unbounded FIFO queue without task tracking, like `queue.SimpleQueue`.

use std::fmt;
use std::time::Duration;

use crossbeam_queue::SegQueue;

use super::error::Empty;
use super::waiters::{Patience, WaitList};

/// An unbounded first-in, first-out queue, mirroring Python's `queue.SimpleQueue`.
///
/// [`put`](Self::put) never blocks; [`get`](Self::get) blocks until an item arrives or the
/// timeout passes. There is no `maxsize`, no `task_done`/`join` and no `shutdown`, exactly as in
/// CPython. In exchange it is lock-free: items go through a [`crossbeam_queue::SegQueue`], and a
/// `put` only pays for a wake-up when a `get` is actually parked.
///
/// # Differences from CPython
///
/// - `get(block, timeout)` becomes [`get`](Self::get) with an `Option<Duration>` timeout
///   (`None`: forever) and [`get_nowait`](Self::get_nowait); an empty queue gives [`Empty`].
/// - `put(item, block, timeout)` ignores `block` and `timeout` in Python; here
///   [`put`](Self::put) takes just the item.
///
/// # Memory ordering
///
/// Everything a thread wrote before `put` is visible to the thread that `get`s the item (the
/// `SegQueue`'s release/acquire). A `put` publishes the item with the `SegQueue`'s `SeqCst`
/// compare-exchange before it checks for parked getters; a getter about to park publishes itself
/// and fences before it looks at the items again, so one of the two always sees the other.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::SimpleQueue;
///
/// let queue = Arc::new(SimpleQueue::new());
/// let producers: Vec<_> = (0..4)
///     .map(|p| {
///         let queue = Arc::clone(&queue);
///         thread::spawn(move || (0..25).for_each(|n| queue.put(p * 100 + n)))
///     })
///     .collect();
/// let mut received: Vec<i32> = (0..100).map(|_| queue.get(None).unwrap()).collect();
/// producers.into_iter().for_each(|p| p.join().unwrap());
/// received.sort();
/// assert_eq!(received.len(), 100);
/// assert!(queue.empty());
/// ```
pub struct SimpleQueue<T> {
    items: SegQueue<T>,
    not_empty: WaitList,
}

impl<T> SimpleQueue<T> {
    /// Creates an empty queue.
    ///
    /// Python: `queue.SimpleQueue()`.
    ///
    /// ```
    /// use threadkit::SimpleQueue;
    ///
    /// let queue = SimpleQueue::<String>::new();
    /// assert!(queue.empty());
    /// ```
    pub fn new() -> Self {
        SimpleQueue {
            items: SegQueue::new(),
            not_empty: WaitList::new(),
        }
    }

    /// Adds `item` at the back; never blocks. Wakes one blocked `get`.
    ///
    /// Python: `queue.put(item)`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::SimpleQueue;
    ///
    /// let queue = Arc::new(SimpleQueue::new());
    /// let getter = {
    ///     let queue = Arc::clone(&queue);
    ///     thread::spawn(move || queue.get(None)) // blocks until the put
    /// };
    /// queue.put(7);
    /// assert_eq!(getter.join().unwrap(), Ok(7));
    /// ```
    #[inline]
    pub fn put(&self, item: T) {
        self.items.push(item);
        // `SegQueue::push` publishes the item with a `SeqCst` compare-exchange of its tail, which
        // pairs with the fence in `WaitList::prepare` the way a fence here would: if the load of
        // the count below misses a getter's registration, that registration comes later in the
        // single total order, so the getter's look after its fence sees the tail, and the item.
        // (On x86 the fence was a second `mfence` after a `lock cmpxchg` that already is one.)
        crate::loom::dependency_seq_cst();
        self.not_empty.notify_one();
    }

    /// Adds `item` at the back; the same as [`put`](Self::put).
    ///
    /// Python: `queue.put_nowait(item)`.
    ///
    /// ```
    /// use threadkit::SimpleQueue;
    ///
    /// let queue = SimpleQueue::new();
    /// queue.put_nowait("never blocks");
    /// assert_eq!(queue.get_nowait(), Ok("never blocks"));
    /// ```
    #[inline]
    pub fn put_nowait(&self, item: T) {
        self.put(item);
    }

    /// Removes and returns the oldest item, waiting at most `timeout` (`None`: forever) for one.
    ///
    /// Python: `queue.get(timeout=timeout)`.
    ///
    /// # Errors
    ///
    /// [`Empty`] if no item came within `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use std::time::Duration;
    /// use threadkit::SimpleQueue;
    /// use threadkit::queue::Empty;
    ///
    /// let queue = Arc::new(SimpleQueue::new());
    /// assert_eq!(queue.get(Some(Duration::from_millis(10))), Err(Empty));
    /// let producer = Arc::clone(&queue);
    /// thread::spawn(move || producer.put("hello"));
    /// assert_eq!(queue.get(None), Ok("hello"));
    /// ```
    #[inline]
    pub fn get(&self, timeout: Option<Duration>) -> Result<T, Empty> {
        match self.items.pop() {
            Some(item) => Ok(item),
            None => self.get_slow(timeout),
        }
    }

    #[cold]
    fn get_slow(&self, timeout: Option<Duration>) -> Result<T, Empty> {
        self.not_empty
            .wait_until(&mut Patience::new(timeout), |patience| {
                match self.items.pop() {
                    Some(item) => Some(Ok(item)),
                    None => patience.expired().then_some(Err(Empty)),
                }
            })
    }

    /// Removes and returns the oldest item only if there is one now.
    ///
    /// Python: `queue.get_nowait()`, `queue.get(block=False)`.
    ///
    /// # Errors
    ///
    /// [`Empty`] if the queue is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::SimpleQueue;
    /// use threadkit::queue::Empty;
    ///
    /// let queue = SimpleQueue::new();
    /// assert_eq!(queue.get_nowait(), Err(Empty));
    /// thread::scope(|s| {
    ///     s.spawn(|| queue.put(1));
    /// });
    /// assert_eq!(queue.get_nowait(), Ok(1));
    /// ```
    #[inline]
    pub fn get_nowait(&self) -> Result<T, Empty> {
        self.items.pop().ok_or(Empty)
    }

    /// How many items the queue holds now (approximate once other threads use it).
    ///
    /// Python: `queue.qsize()`.
    ///
    /// ```
    /// use threadkit::SimpleQueue;
    ///
    /// let queue = SimpleQueue::new();
    /// queue.put('a');
    /// queue.put('b');
    /// assert_eq!(queue.qsize(), 2);
    /// ```
    pub fn qsize(&self) -> usize {
        self.items.len()
    }

    /// Whether the queue holds no items now.
    ///
    /// Python: `queue.empty()`.
    ///
    /// ```
    /// use threadkit::SimpleQueue;
    ///
    /// let queue = SimpleQueue::new();
    /// assert!(queue.empty());
    /// queue.put(());
    /// assert!(!queue.empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many threads wait in [`get`](Self::get) now: each has registered before its last
    /// look at the items, so a `put` after this count includes it will wake it.
    ///
    /// Extension: Python has no such call; tests use it to act only once a waiter really waits.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::SimpleQueue;
    ///
    /// let queue = Arc::new(SimpleQueue::new());
    /// let consumer = Arc::clone(&queue);
    /// let getter = thread::spawn(move || consumer.get(None));
    /// while queue.waiting() == 0 {
    ///     thread::yield_now();
    /// }
    /// queue.put("woken");
    /// assert_eq!(getter.join().unwrap(), Ok("woken"));
    /// ```
    pub fn waiting(&self) -> usize {
        self.not_empty.waiting()
    }
}

impl<T> Default for SimpleQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for SimpleQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimpleQueue")
            .field("qsize", &self.items.len())
            .finish()
    }
}
