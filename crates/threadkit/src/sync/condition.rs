//! [`Condition`]: a condition variable over a [`Lock`] or an [`RLock`], like
//! `threading.Condition`.
//!
//! Every wait has its own waiter node, appended to the condition's FIFO list while the caller
//! holds the lock. The waiter then releases the lock and parks on its node until the node is
//! marked notified; `notify` pops nodes in order and marks them. A waiter that gives up (timeout,
//! or an interrupt check unwinding out of the park) marks its node abandoned instead, so the two
//! sides settle every node with one compare-and-swap and a notification is never spent on a
//! waiter that already left. A drop guard re-acquires the lock on every way out of `wait`.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use crate::interrupt;
use crate::loom::atomic::{AtomicU8, AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex, MutexGuard};
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, SpinWait};
use crate::sync::{Lock, NotOwnedError, RLock, RLockState, ReleaseError};
use crate::timeout;

/// The lock under a [`Condition`]: what `threading.Condition` needs from its `lock` argument.
///
/// Implemented for [`Lock`] and [`RLock`], and for references and [`std::sync::Arc`]s to them, so
/// that a condition can share a lock that other code holds too.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::{Condition, ConditionLock, Lock};
///
/// /// Runs `f` holding `lock`, whichever kind of lock it is.
/// fn with_held<L: ConditionLock, R>(lock: &L, f: impl FnOnce() -> R) -> R {
///     assert!(lock.acquire(None));
///     let result = f();
///     lock.release().unwrap();
///     result
/// }
///
/// // A condition over a lock that other code holds too.
/// let lock = Arc::new(Lock::new());
/// let cond = Arc::new(Condition::with_lock(Arc::clone(&lock)));
/// let remote = Arc::clone(&cond);
/// let waiter = thread::spawn(move || {
///     let _held = remote.lock();
///     remote.wait(None).unwrap()
/// });
/// // Holding the shared lock is holding the condition's lock, so `notify` may be called.
/// while !with_held(&lock, || cond.waiter_count() == 1 && cond.notify(1).is_ok()) {}
/// assert!(waiter.join().unwrap());
/// ```
pub trait ConditionLock {
    /// What [`release_save`](ConditionLock::release_save) hands to
    /// [`acquire_restore`](ConditionLock::acquire_restore).
    type State;

    /// Acquires the lock, waiting at most `timeout`; true if acquired. Python: `acquire`.
    ///
    /// ```
    /// use std::thread;
    /// use std::time::Duration;
    /// use threadkit::{ConditionLock, Lock};
    ///
    /// let lock = Lock::new();
    /// assert!(ConditionLock::acquire(&lock, None));
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(!ConditionLock::acquire(&lock, Some(Duration::from_millis(1)))));
    /// });
    /// ```
    fn acquire(&self, timeout: Option<Duration>) -> bool;

    /// Acquires the lock if that needs no waiting. Python: `acquire(blocking=False)`.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::{ConditionLock, RLock};
    ///
    /// let lock = RLock::new();
    /// assert!(ConditionLock::try_acquire(&lock));
    /// assert!(ConditionLock::try_acquire(&lock)); // re-entrant
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(!ConditionLock::try_acquire(&lock)));
    /// });
    /// ```
    fn try_acquire(&self) -> bool;

    /// Releases the lock (one level of it). Python: `release`.
    ///
    /// # Errors
    ///
    /// Whatever the lock's own `release` returns.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadkit::{ConditionLock, Lock, ReleaseError};
    ///
    /// let lock = Lock::new();
    /// ConditionLock::acquire(&lock, None);
    /// assert_eq!(ConditionLock::release(&lock), Ok(()));
    /// assert_eq!(ConditionLock::release(&lock), Err(ReleaseError::Unlocked));
    /// ```
    fn release(&self) -> Result<(), ReleaseError>;

    /// Whether the calling thread holds the lock. Python: `_is_owned`.
    ///
    /// A plain [`Lock`] has no owner: it counts as owned by everyone while anyone holds it.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::{ConditionLock, Lock, RLock};
    ///
    /// let (lock, rlock) = (Lock::new(), RLock::new());
    /// lock.acquire(None);
    /// rlock.acquire(None);
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(ConditionLock::is_owned(&lock) && !ConditionLock::is_owned(&rlock)));
    /// });
    /// ```
    fn is_owned(&self) -> bool;

    /// Releases the lock completely, returning what is needed to restore it. Python:
    /// `_release_save`.
    ///
    /// # Errors
    ///
    /// The lock is not held by the calling thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadkit::{ConditionLock, RLock};
    ///
    /// let lock = RLock::new();
    /// lock.acquire(None);
    /// lock.acquire(None);
    /// let saved = ConditionLock::release_save(&lock).unwrap();
    /// assert!(!lock.locked()); // every level released
    /// ConditionLock::acquire_restore(&lock, saved);
    /// assert_eq!(lock.recursion_count(), 2);
    /// ```
    fn release_save(&self) -> Result<Self::State, ReleaseError>;

    /// Acquires the lock, waiting forever, and restores `state`. Python: `_acquire_restore`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::{ConditionLock, Lock};
    ///
    /// let lock = Arc::new(Lock::new());
    /// lock.acquire(None);
    /// let saved: () = ConditionLock::release_save(&lock).unwrap(); // a `Lock` has no state
    /// let remote = Arc::clone(&lock);
    /// thread::spawn(move || drop(remote.lock())).join().unwrap();
    /// ConditionLock::acquire_restore(&lock, saved);
    /// assert!(lock.locked());
    /// ```
    fn acquire_restore(&self, state: Self::State);
}

/// A plain lock has no owner: it counts as owned while anyone holds it (CPython's fallback
/// `_is_owned`), and saving or restoring it is releasing or acquiring it.
impl ConditionLock for Lock {
    type State = ();

    #[inline]
    fn acquire(&self, timeout: Option<Duration>) -> bool {
        Lock::acquire(self, timeout)
    }

    #[inline]
    fn try_acquire(&self) -> bool {
        Lock::try_acquire(self)
    }

    #[inline]
    fn release(&self) -> Result<(), ReleaseError> {
        Lock::release(self)
    }

    #[inline]
    fn is_owned(&self) -> bool {
        self.locked()
    }

    #[inline]
    fn release_save(&self) -> Result<(), ReleaseError> {
        Lock::release(self)
    }

    #[inline]
    fn acquire_restore(&self, (): ()) {
        Lock::acquire(self, None);
    }
}

impl ConditionLock for RLock {
    type State = RLockState;

    #[inline]
    fn acquire(&self, timeout: Option<Duration>) -> bool {
        RLock::acquire(self, timeout)
    }

    #[inline]
    fn try_acquire(&self) -> bool {
        RLock::try_acquire(self)
    }

    #[inline]
    fn release(&self) -> Result<(), ReleaseError> {
        RLock::release(self)
    }

    #[inline]
    fn is_owned(&self) -> bool {
        RLock::is_owned(self)
    }

    #[inline]
    fn release_save(&self) -> Result<RLockState, ReleaseError> {
        RLock::release_save(self)
    }

    #[inline]
    fn acquire_restore(&self, state: RLockState) {
        RLock::acquire_restore(self, state)
    }
}

macro_rules! forward_condition_lock {
    ($($pointer:ty),*) => {$(
        impl<L: ConditionLock + ?Sized> ConditionLock for $pointer {
            type State = L::State;

            #[inline]
            fn acquire(&self, timeout: Option<Duration>) -> bool {
                (**self).acquire(timeout)
            }

            #[inline]
            fn try_acquire(&self) -> bool {
                (**self).try_acquire()
            }

            #[inline]
            fn release(&self) -> Result<(), ReleaseError> {
                (**self).release()
            }

            #[inline]
            fn is_owned(&self) -> bool {
                (**self).is_owned()
            }

            #[inline]
            fn release_save(&self) -> Result<L::State, ReleaseError> {
                (**self).release_save()
            }

            #[inline]
            fn acquire_restore(&self, state: L::State) {
                (**self).acquire_restore(state)
            }
        }
    )*};
}

forward_condition_lock!(&L, std::sync::Arc<L>);

/// The node is in the list and its thread waits.
const WAITING: u8 = 0;
/// `notify` chose the node; final.
const NOTIFIED: u8 = 1;
/// The waiter gave up (timeout or unwind) before being chosen; final.
const ABANDONED: u8 = 2;

/// One call to `wait`: the notifier and the waiter race to settle `state`, once.
struct Waiter {
    state: AtomicU8,
}

impl Waiter {
    /// Parks until notified or `deadline`; true if notified. May unwind (interrupt check), with
    /// the node still `WAITING`.
    fn wait(&self, deadline: Option<Instant>) -> bool {
        let mut spin = SpinWait::for_signal();
        loop {
            if self.state.load(Ordering::Acquire) == NOTIFIED {
                return true;
            }
            if timeout::expired(deadline) {
                return self.abandon() == NOTIFIED;
            }
            if spin.spin() {
                continue;
            }
            let validate = || self.state.load(Ordering::Relaxed) == WAITING;
            // Whatever the result (unparked, timed out, invalid after an interrupt slice), the
            // loop re-reads the state, so a notification between slices is never lost.
            park::park(
                park::key(&self.state),
                validate,
                |_, _| {},
                DEFAULT_PARK_TOKEN,
                deadline,
            );
        }
    }

    /// Settles a node its waiter leaves: `WAITING` becomes `ABANDONED`. Returns the final state.
    fn abandon(&self) -> u8 {
        match self
            .state
            .compare_exchange(WAITING, ABANDONED, Ordering::Acquire, Ordering::Acquire)
        {
            Ok(_) => ABANDONED,
            Err(settled) => settled,
        }
    }

    /// Settles a node for `notify`: `WAITING` becomes `NOTIFIED` and its thread is woken. False if
    /// the waiter had abandoned it.
    fn notify(&self) -> bool {
        if self
            .state
            .compare_exchange(WAITING, NOTIFIED, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        park::unpark_one(park::key(&self.state), |_| DEFAULT_UNPARK_TOKEN);
        true
    }
}

/// A condition variable, mirroring Python's `threading.Condition`.
///
/// A condition wraps a lock — by default a fresh [`RLock`], like `Condition()`, or any
/// [`ConditionLock`] given to [`with_lock`](Condition::with_lock), like `Condition(lock)`. Holding
/// the lock, a thread may [`wait`](Condition::wait): the lock is released completely (every level
/// of an `RLock`), the thread sleeps until another thread holding the lock calls
/// [`notify`](Condition::notify) or [`notify_all`](Condition::notify_all), and the lock is
/// re-acquired (at its former recursion level) before `wait` returns.
///
/// Waiters are woken in the order they started waiting, and there are no spurious wake-ups:
/// `wait` returns true only when a `notify` chose it, and `notify(n)` chooses exactly
/// `min(n, waiting)` threads — a waiter that timed out is never chosen.
///
/// # Differences from CPython
///
/// - Waiting or notifying without holding the lock returns [`NotOwnedError`] instead of raising
///   `RuntimeError`.
/// - The lock's `acquire`/`release`/`with` become [`acquire`](Condition::acquire),
///   [`try_acquire`](Condition::try_acquire), [`release`](Condition::release) and the guard of
///   [`lock`](Condition::lock). `len(cond._waiters)` is [`waiter_count`](Condition::waiter_count).
/// - Re-acquiring the lock at the end of `wait` ignores the thread's
///   [interrupt check](crate::interrupt): `wait` always returns, or unwinds, holding the lock.
///   An interrupt that unwinds out of a wait after the waiter was notified spends that
///   notification, as a `KeyboardInterrupt` does in CPython.
///
/// # Memory ordering
///
/// `wait` and `notify` run under the lock, whose acquire/release order everything. In addition a
/// `notify` that chooses a waiter is a `Release` operation that the waiter's return from `wait`
/// `Acquire`s.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::thread;
/// use threadkit::Condition;
///
/// let pair = Arc::new((Condition::new(), AtomicBool::new(false)));
/// let remote = Arc::clone(&pair);
/// let producer = thread::spawn(move || {
///     let (cond, ready) = &*remote;
///     let _held = cond.lock();
///     ready.store(true, Ordering::Relaxed);
///     cond.notify(1).unwrap();
/// });
///
/// let (cond, ready) = &*pair;
/// let _held = cond.lock();
/// // Python: `cond.wait_for(lambda: ready)`.
/// assert!(cond.wait_for(|| ready.load(Ordering::Relaxed), None).unwrap());
/// producer.join().unwrap();
/// ```
pub struct Condition<L: ConditionLock = RLock> {
    lock: L,
    /// The waiting nodes in arrival order. Touched by threads that hold `lock`, and by a leaving
    /// waiter removing its abandoned node; never held across a wait.
    waiters: Mutex<VecDeque<Arc<Waiter>>>,
    /// `waiters.len()`, stored under `waiters`' mutex after every change, so that `notify` with
    /// nobody waiting and `waiter_count` need not take it. A waiter joins the list before it
    /// releases the lock, so a notifier holding the lock sees it.
    len: AtomicUsize,
}

impl Condition<RLock> {
    crate::loom::const_fn! {
        /// Creates a condition over a new [`RLock`]. Python: `Condition()`.
        ///
        /// ```
        /// use threadkit::Condition;
        ///
        /// static COND: Condition = Condition::new(); // `const`: usable in a static
        /// let _held = COND.lock();
        /// assert!(COND.underlying().is_owned());
        /// ```
        pub const fn new() -> Self {
            Condition {
                lock: RLock::new(),
                waiters: Mutex::new(VecDeque::new()),
                len: AtomicUsize::new(0),
            }
        }
    }
}

impl Default for Condition<RLock> {
    fn default() -> Self {
        Condition::new()
    }
}

impl<L: ConditionLock> Condition<L> {
    /// Creates a condition over `lock`. Python: `Condition(lock)`.
    ///
    /// ```
    /// use threadkit::{Condition, Lock};
    ///
    /// let cond = Condition::with_lock(Lock::new());
    /// let _held = cond.lock();
    /// assert!(cond.underlying().locked());
    /// ```
    pub fn with_lock(lock: L) -> Self {
        Condition {
            lock,
            waiters: Mutex::new(VecDeque::new()),
            len: AtomicUsize::new(0),
        }
    }

    /// The lock under the condition. Python: `cond._lock`.
    ///
    /// ```
    /// use threadkit::{Condition, RLock};
    ///
    /// let cond: Condition<RLock> = Condition::new();
    /// let _held = cond.lock();
    /// assert_eq!(cond.underlying().recursion_count(), 1);
    /// ```
    pub fn underlying(&self) -> &L {
        &self.lock
    }

    /// Acquires the lock, waiting at most `timeout`; true if acquired. Python: `cond.acquire()`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use std::time::Duration;
    /// use threadkit::Condition;
    ///
    /// let cond = Arc::new(Condition::new());
    /// assert!(cond.acquire(None));
    /// let remote = Arc::clone(&cond);
    /// let timed_out = thread::spawn(move || !remote.acquire(Some(Duration::from_millis(1))));
    /// assert!(timed_out.join().unwrap());
    /// cond.release().unwrap();
    /// ```
    #[inline]
    pub fn acquire(&self, timeout: Option<Duration>) -> bool {
        self.lock.acquire(timeout)
    }

    /// Acquires the lock if that needs no waiting. Python: `cond.acquire(blocking=False)`.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::Condition;
    ///
    /// let cond = Condition::new();
    /// assert!(cond.try_acquire());
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(!cond.try_acquire()));
    /// });
    /// cond.release().unwrap();
    /// ```
    #[inline]
    pub fn try_acquire(&self) -> bool {
        self.lock.try_acquire()
    }

    /// Releases the lock. Python: `cond.release()`.
    ///
    /// # Errors
    ///
    /// The lock's own release error.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadkit::{Condition, ReleaseError};
    ///
    /// let cond = Condition::new();
    /// cond.acquire(None);
    /// cond.release().unwrap();
    /// assert_eq!(cond.release(), Err(ReleaseError::NotOwned));
    /// ```
    #[inline]
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.lock.release()
    }

    /// Acquires the lock, waiting forever, and returns a guard that releases it when dropped.
    /// Python: `with cond:`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::thread;
    /// use threadkit::Condition;
    ///
    /// let pair = Arc::new((Condition::new(), AtomicBool::new(false)));
    /// let remote = Arc::clone(&pair);
    /// let waiter = thread::spawn(move || {
    ///     let (cond, done) = &*remote;
    ///     let _held = cond.lock();
    ///     cond.wait_for(|| done.load(Ordering::Relaxed), None).unwrap()
    /// });
    /// {
    ///     let (cond, done) = &*pair;
    ///     let _held = cond.lock();
    ///     done.store(true, Ordering::Relaxed);
    ///     cond.notify_all().unwrap();
    /// }
    /// assert!(waiter.join().unwrap());
    /// ```
    #[inline]
    pub fn lock(&self) -> ConditionGuard<'_, L> {
        self.lock.acquire(None);
        ConditionGuard {
            condition: self,
            _not_send: PhantomData,
        }
    }

    /// Whether the calling thread holds the lock (for a plain [`Lock`]: whether anyone does).
    /// Python: `cond._is_owned()`.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::Condition;
    ///
    /// let cond = Condition::new();
    /// assert!(!cond.is_owned());
    /// let _held = cond.lock();
    /// assert!(cond.is_owned());
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(!cond.is_owned())); // an RLock is owned by one thread
    /// });
    /// ```
    #[inline]
    pub fn is_owned(&self) -> bool {
        self.lock.is_owned()
    }

    /// How many threads are waiting. Python: `len(cond._waiters)`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Condition;
    ///
    /// let cond = Arc::new(Condition::new());
    /// assert_eq!(cond.waiter_count(), 0);
    /// let remote = Arc::clone(&cond);
    /// let waiter = thread::spawn(move || {
    ///     let _held = remote.lock();
    ///     remote.wait(None).unwrap()
    /// });
    /// while cond.waiter_count() == 0 {
    ///     thread::yield_now();
    /// }
    /// assert_eq!(cond.waiter_count(), 1);
    /// let held = cond.lock();
    /// cond.notify_all().unwrap();
    /// drop(held);
    /// assert!(waiter.join().unwrap());
    /// ```
    pub fn waiter_count(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// Empties the list of waiting threads without waking them: later notifications go to
    /// threads that wait from now on.
    ///
    /// Python: the `_waiters.clear()` of `cond._at_fork_reinit()`, for the child of a `fork`,
    /// where the waiting threads were the parent's and do not exist. Threads of this process that
    /// are waiting when it is called are not lost track of for good: their `wait` returns when
    /// its timeout passes (an untimed one never does).
    pub fn forget_waiters(&self) {
        let mut waiters = self.waiters();
        waiters.clear();
        self.set_len(&waiters);
    }

    fn waiters(&self) -> MutexGuard<'_, VecDeque<Arc<Waiter>>> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes the list's new length; under its mutex.
    fn set_len(&self, waiters: &VecDeque<Arc<Waiter>>) {
        self.len.store(waiters.len(), Ordering::Relaxed);
    }

    /// Releases the lock, waits until notified or until `timeout` passes (`None`: forever), and
    /// re-acquires the lock; true if notified, false on timeout.
    ///
    /// Python: `cond.wait(timeout)`. The lock is re-acquired on every way out, also when the
    /// thread's [interrupt check](crate::interrupt) unwinds out of the wait.
    ///
    /// # Errors
    ///
    /// [`NotOwnedError::Wait`] if the calling thread does not hold the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::{Condition, NotOwnedError};
    ///
    /// let cond = Condition::new();
    /// assert_eq!(cond.wait(None), Err(NotOwnedError::Wait));
    /// let _held = cond.lock();
    /// assert_eq!(cond.wait(Some(Duration::from_millis(1))), Ok(false));
    /// assert!(cond.is_owned());
    /// ```
    pub fn wait(&self, timeout: Option<Duration>) -> Result<bool, NotOwnedError> {
        if !self.lock.is_owned() {
            return Err(NotOwnedError::Wait);
        }
        let node = Arc::new(Waiter {
            state: AtomicU8::new(WAITING),
        });
        {
            let mut waiters = self.waiters();
            waiters.push_back(Arc::clone(&node));
            self.set_len(&waiters);
        }
        let saved = match self.lock.release_save() {
            Ok(saved) => saved,
            Err(_) => {
                self.remove(&node);
                return Err(NotOwnedError::Wait);
            }
        };
        let restore = Restore {
            condition: self,
            node: &node,
            saved: Some(saved),
        };
        let notified = node.wait(timeout::deadline(timeout));
        drop(restore);
        Ok(notified)
    }

    /// Removes `node` from the list if it is still there.
    fn remove(&self, node: &Arc<Waiter>) {
        let mut waiters = self.waiters();
        if let Some(index) = waiters.iter().position(|other| Arc::ptr_eq(other, node)) {
            waiters.remove(index);
            self.set_len(&waiters);
        }
    }

    /// Waits until `predicate` returns true or `timeout` passes; returns the predicate's last
    /// result.
    ///
    /// Python: `cond.wait_for(predicate, timeout)`. The predicate runs with the lock held, first
    /// before any waiting; the timeout counts from the first wait across all re-waits.
    ///
    /// # Errors
    ///
    /// [`NotOwnedError::Wait`] if the predicate is false and the calling thread does not hold the
    /// lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::Condition;
    ///
    /// let cond = Condition::new();
    /// let _held = cond.lock();
    /// // Nobody will make it true: false after the timeout.
    /// assert_eq!(cond.wait_for(|| false, Some(Duration::from_millis(5))), Ok(false));
    /// ```
    pub fn wait_for(
        &self,
        mut predicate: impl FnMut() -> bool,
        timeout: Option<Duration>,
    ) -> Result<bool, NotOwnedError> {
        // `None` until the first wait fixes the deadline (itself `None` for forever).
        let mut deadline: Option<Option<Instant>> = None;
        let mut result = predicate();
        while !result {
            let wait = match (timeout, deadline) {
                (None, _) => None,
                (Some(timeout), None) => {
                    deadline = Some(timeout::deadline(Some(timeout)));
                    Some(timeout)
                }
                (Some(_), Some(None)) => None,
                (Some(_), Some(Some(deadline))) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    Some(left)
                }
            };
            self.wait(wait)?;
            result = predicate();
        }
        Ok(result)
    }

    /// Wakes the `n` longest-waiting threads (fewer if fewer wait).
    ///
    /// Python: `cond.notify(n)`.
    ///
    /// # Errors
    ///
    /// [`NotOwnedError::Notify`] if the calling thread does not hold the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Condition;
    ///
    /// let cond = Arc::new(Condition::new());
    /// let remote = Arc::clone(&cond);
    /// let waiter = thread::spawn(move || {
    ///     let _held = remote.lock();
    ///     remote.wait(None).unwrap()
    /// });
    /// loop {
    ///     let _held = cond.lock();
    ///     if cond.waiter_count() == 1 {
    ///         cond.notify(1).unwrap();
    ///         break;
    ///     }
    /// }
    /// assert!(waiter.join().unwrap());
    /// ```
    pub fn notify(&self, n: usize) -> Result<(), NotOwnedError> {
        if !self.lock.is_owned() {
            return Err(NotOwnedError::Notify);
        }
        if n == 0 || self.len.load(Ordering::Relaxed) == 0 {
            return Ok(());
        }
        let mut waiters = self.waiters();
        let mut left = n;
        while left > 0 {
            let Some(node) = waiters.pop_front() else {
                break;
            };
            if node.notify() {
                left -= 1;
            }
        }
        self.set_len(&waiters);
        Ok(())
    }

    /// Wakes every waiting thread. Python: `cond.notify_all()`.
    ///
    /// # Errors
    ///
    /// [`NotOwnedError::Notify`] if the calling thread does not hold the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::{Condition, NotOwnedError};
    ///
    /// let cond = Arc::new(Condition::new());
    /// let waiters: Vec<_> = (0..3)
    ///     .map(|_| {
    ///         let cond = Arc::clone(&cond);
    ///         thread::spawn(move || {
    ///             let _held = cond.lock();
    ///             cond.wait(None).unwrap()
    ///         })
    ///     })
    ///     .collect();
    /// assert_eq!(cond.notify_all(), Err(NotOwnedError::Notify)); // not holding the lock
    /// loop {
    ///     let _held = cond.lock();
    ///     if cond.waiter_count() == 3 {
    ///         cond.notify_all().unwrap();
    ///         break;
    ///     }
    /// }
    /// for waiter in waiters {
    ///     assert!(waiter.join().unwrap());
    /// }
    /// ```
    pub fn notify_all(&self) -> Result<(), NotOwnedError> {
        self.notify(usize::MAX)
    }
}

/// Ends a wait on every way out: settles the node, takes an abandoned one off the list, and
/// re-acquires the lock with the interrupt check suspended.
struct Restore<'a, L: ConditionLock> {
    condition: &'a Condition<L>,
    node: &'a Arc<Waiter>,
    saved: Option<L::State>,
}

impl<L: ConditionLock> Drop for Restore<'_, L> {
    fn drop(&mut self) {
        if self.node.abandon() == ABANDONED {
            // Unless `notify` popped it meanwhile (and skipped it).
            self.condition.remove(self.node);
        }
        let check = interrupt::set_check(None);
        if let Some(saved) = self.saved.take() {
            self.condition.lock.acquire_restore(saved);
        }
        interrupt::set_check(check);
    }
}

impl<L: ConditionLock + fmt::Debug> fmt::Debug for Condition<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("lock", &self.lock)
            .field("waiters", &self.waiter_count())
            .finish()
    }
}

/// Holds a [`Condition`]'s lock (one level of it) and releases it when dropped.
///
/// It is not `Send`: an [`RLock`] may only be released by its owner.
///
/// # Examples
///
/// ```
/// use threadkit::Condition;
///
/// let cond = Condition::new();
/// {
///     let _outer = cond.lock();
///     let _inner = cond.lock(); // the default RLock is re-entrant
///     assert_eq!(cond.underlying().recursion_count(), 2);
/// }
/// assert!(!cond.is_owned());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct ConditionGuard<'a, L: ConditionLock = RLock> {
    condition: &'a Condition<L>,
    /// `Sync` but not `Send`, like std's `MutexGuard`.
    _not_send: PhantomData<std::sync::MutexGuard<'static, ()>>,
}

impl<L: ConditionLock> ConditionGuard<'_, L> {
    /// The guarded condition.
    ///
    /// ```
    /// use threadkit::Condition;
    ///
    /// let cond = Condition::new();
    /// let held = cond.lock();
    /// assert!(held.condition().is_owned());
    /// assert!(std::ptr::eq(held.condition(), &cond));
    /// ```
    pub fn condition(&self) -> &Condition<L> {
        self.condition
    }
}

impl<L: ConditionLock> Drop for ConditionGuard<'_, L> {
    #[inline]
    fn drop(&mut self) {
        // An error means the lock was released through `release` already; nothing to undo.
        let _ = self.condition.lock.release();
    }
}

impl<L: ConditionLock> fmt::Debug for ConditionGuard<'_, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionGuard").finish_non_exhaustive()
    }
}
