//! [`Barrier`]: a reusable rendezvous for a fixed number of threads, like `threading.Barrier`.
//!
//! It is CPython's state machine on a [`Condition`] over a [`Lock`]: the barrier *fills* while
//! threads arrive; the last arrival runs the action and switches it to *draining*, and the
//! released threads leave one by one; the last one to leave switches it back to *filling*. Threads
//! that arrive while it drains (or resets) wait for that to finish. A timeout or a failing action
//! *breaks* it until [`reset`](Barrier::reset).

use std::fmt;
use std::panic::{self, AssertUnwindSafe, RefUnwindSafe, UnwindSafe};
use std::time::Duration;

use crate::loom::atomic::{AtomicU8, AtomicUsize, Ordering};
use crate::sync::{BrokenBarrierError, Condition, Lock};

/// Threads are arriving (CPython's state `0`).
const FILLING: u8 = 0;
/// The barrier tripped; released threads are leaving (`1`).
const DRAINING: u8 = 1;
/// `reset` was called with threads inside; they leave with an error (`-1`).
const RESETTING: u8 = 2;
/// Broken until reset (`-2`).
const BROKEN: u8 = 3;

/// The action run by the last thread to arrive.
type Action = Box<dyn Fn() + Send + Sync>;

/// A barrier for a fixed number of threads, mirroring Python's `threading.Barrier`.
///
/// Each of `parties` threads calls [`wait`](Barrier::wait); the call blocks until all of them
/// have arrived, then they all return, each with a distinct arrival index in `0..parties`. The
/// barrier is then ready for the next round. If an action was given, the last thread to arrive
/// runs it before anyone is released.
///
/// The barrier *breaks* when a wait times out, when the action panics, or on
/// [`abort`](Barrier::abort): every thread waiting, and every later `wait`, then fails with
/// [`BrokenBarrierError`] until [`reset`](Barrier::reset).
///
/// # Differences from CPython
///
/// - `Barrier(parties, action, timeout)` is [`new`](Barrier::new) or
///   [`with_action`](Barrier::with_action), then optionally
///   [`with_timeout`](Barrier::with_timeout). `parties == 0` panics instead of raising
///   `ValueError`.
/// - An action that panics breaks the barrier, and the panic continues in the thread that ran
///   it, as the exception does in CPython.
/// - A wait ended by the thread's [interrupt check](crate::interrupt) unwinding withdraws that
///   thread's arrival without breaking the barrier, as CPython does for `KeyboardInterrupt`.
///
/// # Memory ordering
///
/// All state changes happen under the barrier's internal lock: everything a thread wrote before
/// its `wait` is visible to every thread of the same round after their `wait` returns.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::thread;
/// use threadkit::Barrier;
///
/// let rounds = Arc::new(AtomicUsize::new(0));
/// let barrier = {
///     let rounds = Arc::clone(&rounds);
///     Arc::new(Barrier::with_action(3, move || {
///         rounds.fetch_add(1, Ordering::Relaxed);
///     }))
/// };
/// let workers: Vec<_> = (0..3)
///     .map(|_| {
///         let barrier = Arc::clone(&barrier);
///         thread::spawn(move || barrier.wait(None).unwrap())
///     })
///     .collect();
/// let mut indices: Vec<usize> = workers.into_iter().map(|w| w.join().unwrap()).collect();
/// indices.sort();
/// assert_eq!(indices, [0, 1, 2]);
/// assert_eq!(rounds.load(Ordering::Relaxed), 1);
/// ```
pub struct Barrier {
    cond: Condition<Lock>,
    action: Option<Action>,
    timeout: Option<Duration>,
    parties: usize,
    /// One of `FILLING`, `DRAINING`, `RESETTING`, `BROKEN`; written under `cond`'s lock.
    state: AtomicU8,
    /// Threads inside `wait` past the entry check; written under `cond`'s lock.
    count: AtomicUsize,
}

impl Barrier {
    /// Creates a barrier for `parties` threads. Python: `Barrier(parties)`.
    ///
    /// # Panics
    ///
    /// If `parties` is 0 (Python: `ValueError: parties must be > 0`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::Barrier;
    ///
    /// let barrier = Barrier::new(2);
    /// thread::scope(|s| {
    ///     let other = s.spawn(|| barrier.wait(None).unwrap());
    ///     let mine = barrier.wait(None).unwrap();
    ///     assert_eq!(mine + other.join().unwrap(), 1); // indices 0 and 1
    /// });
    /// ```
    pub fn new(parties: usize) -> Self {
        assert!(parties > 0, "parties must be > 0");
        Barrier {
            cond: Condition::with_lock(Lock::new()),
            action: None,
            timeout: None,
            parties,
            state: AtomicU8::new(FILLING),
            count: AtomicUsize::new(0),
        }
    }

    /// Creates a barrier for `parties` threads whose last arrival in each round runs `action`
    /// before releasing the others. Python: `Barrier(parties, action)`.
    ///
    /// # Panics
    ///
    /// If `parties` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::thread;
    /// use threadkit::Barrier;
    ///
    /// let trips = Arc::new(AtomicUsize::new(0));
    /// let barrier = {
    ///     let trips = Arc::clone(&trips);
    ///     Barrier::with_action(2, move || {
    ///         trips.fetch_add(1, Ordering::Relaxed);
    ///     })
    /// };
    /// thread::scope(|s| {
    ///     s.spawn(|| barrier.wait(None).unwrap());
    ///     barrier.wait(None).unwrap();
    ///     // The action ran before either thread was released.
    ///     assert_eq!(trips.load(Ordering::Relaxed), 1);
    /// });
    /// ```
    pub fn with_action(parties: usize, action: impl Fn() + Send + Sync + 'static) -> Self {
        Barrier {
            action: Some(Box::new(action)),
            ..Barrier::new(parties)
        }
    }

    /// Sets the timeout used by [`wait`](Barrier::wait) calls that pass `None`. Python:
    /// `Barrier(parties, timeout=t)`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::Barrier;
    ///
    /// let barrier = Barrier::new(2).with_timeout(Some(Duration::from_millis(5)));
    /// assert!(barrier.wait(None).is_err()); // nobody else came: timed out, broken
    /// assert!(barrier.broken());
    /// ```
    pub fn with_timeout(self, timeout: Option<Duration>) -> Self {
        Barrier { timeout, ..self }
    }

    /// Waits until all parties have called `wait`; returns this thread's arrival index in
    /// `0..parties`.
    ///
    /// Python: `barrier.wait(timeout)`. `None` uses the barrier's default timeout (forever unless
    /// set with [`with_timeout`](Barrier::with_timeout)). A thread arriving while the previous
    /// round is still leaving waits for it first. The last thread to arrive runs the action.
    ///
    /// # Errors
    ///
    /// [`BrokenBarrierError`] if the barrier is or becomes broken or reset while waiting, including
    /// when this wait times out (which breaks it for everyone).
    ///
    /// # Panics
    ///
    /// The action's panic, in the thread that ran it, after breaking the barrier.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    /// use std::time::Duration;
    /// use threadkit::Barrier;
    ///
    /// let barrier = Barrier::new(2);
    /// // Two rounds: the barrier is reusable.
    /// for _ in 0..2 {
    ///     thread::scope(|s| {
    ///         s.spawn(|| barrier.wait(None).unwrap());
    ///         barrier.wait(None).unwrap();
    ///     });
    /// }
    /// // Alone, a wait times out and breaks the barrier.
    /// assert!(barrier.wait(Some(Duration::from_millis(1))).is_err());
    /// assert!(barrier.broken());
    /// ```
    pub fn wait(&self, timeout: Option<Duration>) -> Result<usize, BrokenBarrierError> {
        let timeout = timeout.or(self.timeout);
        let _held = self.cond.lock();
        self.enter()?;
        let index = self.count.load(Ordering::Relaxed);
        self.count.store(index + 1, Ordering::Relaxed);
        // Declared after `_held`, so it runs first and under the lock on every way out.
        let _arrival = Arrival(self);
        if index + 1 == self.parties {
            self.trip();
        } else {
            self.wait_for_trip(timeout)?;
        }
        Ok(index)
    }

    /// Waits while the barrier drains or resets; fails if it is broken.
    fn enter(&self) -> Result<(), BrokenBarrierError> {
        while matches!(self.state(), DRAINING | RESETTING) {
            self.cond.wait(None).expect("the barrier holds its lock");
        }
        if self.state() == BROKEN {
            return Err(BrokenBarrierError);
        }
        Ok(())
    }

    /// The last arrival: runs the action and releases the round, or breaks the barrier and
    /// resumes the action's panic.
    fn trip(&self) {
        if let Some(action) = &self.action
            && let Err(panic) = panic::catch_unwind(AssertUnwindSafe(action))
        {
            self.break_barrier();
            panic::resume_unwind(panic);
        }
        self.set_state(DRAINING);
        self.notify_all();
    }

    /// Waits until the round trips; a timeout breaks the barrier.
    fn wait_for_trip(&self, timeout: Option<Duration>) -> Result<(), BrokenBarrierError> {
        let released = self
            .cond
            .wait_for(|| self.state() != FILLING, timeout)
            .expect("the barrier holds its lock");
        if !released {
            self.break_barrier();
            return Err(BrokenBarrierError);
        }
        if matches!(self.state(), RESETTING | BROKEN) {
            return Err(BrokenBarrierError);
        }
        Ok(())
    }

    /// A thread leaves `wait` (under the lock): the last one out of a draining or resetting
    /// barrier makes it fill again and wakes the threads waiting to enter.
    fn exit(&self) {
        let count = self.count.load(Ordering::Relaxed) - 1;
        self.count.store(count, Ordering::Relaxed);
        if count == 0 && matches!(self.state(), DRAINING | RESETTING) {
            self.set_state(FILLING);
            self.notify_all();
        }
    }

    /// Returns the barrier to its initial, empty state; threads waiting in it fail with
    /// [`BrokenBarrierError`].
    ///
    /// Python: `barrier.reset()`. If threads are inside, the barrier is *resetting* until the
    /// last of them leaves, and threads arriving meanwhile wait for that.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadkit::Barrier;
    ///
    /// let barrier = Barrier::new(1);
    /// barrier.abort();
    /// assert!(barrier.wait(None).is_err());
    /// barrier.reset();
    /// assert_eq!(barrier.wait(None), Ok(0));
    /// ```
    pub fn reset(&self) {
        let _held = self.cond.lock();
        if self.count.load(Ordering::Relaxed) > 0 {
            if matches!(self.state(), FILLING | BROKEN) {
                self.set_state(RESETTING);
            }
        } else {
            self.set_state(FILLING);
        }
        self.notify_all();
    }

    /// Breaks the barrier: threads waiting in it, and later calls to `wait`, fail with
    /// [`BrokenBarrierError`] until [`reset`](Barrier::reset).
    ///
    /// Python: `barrier.abort()`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::{Barrier, BrokenBarrierError};
    ///
    /// let barrier = Arc::new(Barrier::new(3));
    /// let remote = Arc::clone(&barrier);
    /// let waiter = thread::spawn(move || remote.wait(None));
    /// while barrier.n_waiting() == 0 {
    ///     thread::yield_now();
    /// }
    /// barrier.abort();
    /// assert_eq!(waiter.join().unwrap(), Err(BrokenBarrierError));
    /// assert!(barrier.broken());
    /// assert_eq!(barrier.wait(None), Err(BrokenBarrierError)); // until reset
    /// ```
    pub fn abort(&self) {
        let _held = self.cond.lock();
        self.break_barrier();
    }

    /// Under the lock.
    fn break_barrier(&self) {
        self.set_state(BROKEN);
        self.notify_all();
    }

    /// The number of threads the barrier waits for. Python: `barrier.parties`.
    ///
    /// ```
    /// use threadkit::Barrier;
    ///
    /// let barrier = Barrier::new(4);
    /// assert_eq!(barrier.parties(), 4);
    /// ```
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// How many threads are waiting for the current round (0 unless it is filling). Python:
    /// `barrier.n_waiting`. Like CPython's, it is read without the lock: exact only at rest.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Barrier;
    ///
    /// let barrier = Arc::new(Barrier::new(2));
    /// assert_eq!(barrier.n_waiting(), 0);
    /// let remote = Arc::clone(&barrier);
    /// let waiter = thread::spawn(move || remote.wait(None));
    /// while barrier.n_waiting() == 0 {
    ///     thread::yield_now();
    /// }
    /// assert_eq!(barrier.n_waiting(), 1);
    /// barrier.wait(None).unwrap(); // the second party trips it
    /// waiter.join().unwrap().unwrap();
    /// ```
    pub fn n_waiting(&self) -> usize {
        if self.state() == FILLING {
            self.count.load(Ordering::Relaxed)
        } else {
            0
        }
    }

    /// Whether the barrier is broken. Python: `barrier.broken`.
    ///
    /// ```
    /// use threadkit::Barrier;
    ///
    /// let barrier = Barrier::new(2);
    /// assert!(!barrier.broken());
    /// barrier.abort();
    /// assert!(barrier.broken());
    /// barrier.reset();
    /// assert!(!barrier.broken());
    /// ```
    pub fn broken(&self) -> bool {
        self.state() == BROKEN
    }

    fn state(&self) -> u8 {
        self.state.load(Ordering::Relaxed)
    }

    fn set_state(&self, state: u8) {
        self.state.store(state, Ordering::Relaxed);
    }

    fn notify_all(&self) {
        self.cond.notify_all().expect("the barrier holds its lock");
    }
}

// A wait that unwinds (interrupt check, panicking action) leaves the barrier consistent — the
// arrival is withdrawn, a failed action breaks it — so observing it after a caught panic is fine
// whatever the action captured.
impl UnwindSafe for Barrier {}
impl RefUnwindSafe for Barrier {}

/// A thread counted in `count`; dropping it (normal return, error, panic or interrupt unwind)
/// withdraws it, like the `finally` of CPython's `Barrier.wait`.
struct Arrival<'a>(&'a Barrier);

impl Drop for Arrival<'_> {
    fn drop(&mut self) {
        self.0.exit();
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &self.n_waiting())
            .field("broken", &self.broken())
            .field("timeout", &self.timeout)
            .field("action", &self.action.is_some())
            .finish()
    }
}
