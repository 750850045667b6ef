//! [`Lock`]: a primitive lock that any thread may release, like `threading.Lock`.

use std::fmt;
use std::time::Duration;

use crate::loom::atomic::{AtomicU8, Ordering};
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, ParkResult, SpinWait};
use crate::sync::ReleaseError;
use crate::timeout;

/// Set while the lock is held.
const LOCKED: u8 = 0b01;
/// Set while threads may be parked waiting for the lock.
const PARKED: u8 = 0b10;

/// A primitive lock, mirroring Python's `threading.Lock`.
///
/// A `Lock` is either locked or unlocked, and — unlike [`std::sync::Mutex`] — it is not owned:
/// whichever thread acquired it, any thread may release it. It guards no data; use it the Python
/// way with [`acquire`](Lock::acquire)/[`release`](Lock::release), or take a [`LockGuard`] with
/// [`lock`](Lock::lock) and let scope release it.
///
/// Acquiring an unlocked lock is one compare-and-swap; a contended acquire spins, then yields for
/// about as long as a futex wake would cost, then parks.
///
/// # Differences from CPython
///
/// - `acquire(blocking, timeout)` is split into [`acquire`](Lock::acquire) (with an
///   `Option<Duration>` timeout, `None` waiting forever) and [`try_acquire`](Lock::try_acquire)
///   (`blocking=False`); invalid Python timeouts cannot be expressed (see
///   [`timeout::from_secs_f64`]).
/// - Releasing an unlocked lock returns [`ReleaseError::Unlocked`] instead of raising
///   `RuntimeError`.
/// - Waiters are woken in FIFO order, but a running thread may take the lock first (no hand-off),
///   as with CPython's lock.
///
/// # Memory ordering
///
/// A successful acquire is an `Acquire` operation and a release is a `Release` operation: whatever
/// a thread wrote before releasing is visible to the thread that acquires the lock next.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::thread;
/// use threadkit::Lock;
///
/// let lock = Arc::new(Lock::new());
/// let counter = Arc::new(AtomicUsize::new(0));
/// let workers: Vec<_> = (0..4)
///     .map(|_| {
///         let (lock, counter) = (Arc::clone(&lock), Arc::clone(&counter));
///         thread::spawn(move || {
///             for _ in 0..1000 {
///                 let _guard = lock.lock();
///                 // A read-modify-write that is only safe under the lock.
///                 let value = counter.load(Ordering::Relaxed);
///                 counter.store(value + 1, Ordering::Relaxed);
///             }
///         })
///     })
///     .collect();
/// for worker in workers {
///     worker.join().unwrap();
/// }
/// assert_eq!(counter.load(Ordering::Relaxed), 4000);
/// ```
pub struct Lock {
    state: AtomicU8,
}

impl Lock {
    crate::loom::const_fn! {
        /// Creates an unlocked lock.
        ///
        /// ```
        /// use threadkit::Lock;
        ///
        /// static LOCK: Lock = Lock::new(); // `const`: usable in a static
        /// assert!(!LOCK.locked());
        /// ```
        pub const fn new() -> Self {
            Lock {
                state: AtomicU8::new(0),
            }
        }
    }

    /// Acquires the lock, waiting at most `timeout` (`None`: forever); true if it was acquired.
    ///
    /// Python: `lock.acquire()` / `lock.acquire(timeout=t)`. A zero timeout makes a single attempt.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::Lock;
    ///
    /// let lock = Lock::new();
    /// assert!(lock.acquire(None));
    /// assert!(!lock.acquire(Some(Duration::from_millis(1))));
    /// ```
    #[inline]
    pub fn acquire(&self, timeout: Option<Duration>) -> bool {
        if self
            .state
            .compare_exchange_weak(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return true;
        }
        self.acquire_slow(timeout)
    }

    /// Acquires the lock only if it is unlocked now; true if it was acquired.
    ///
    /// Python: `lock.acquire(blocking=False)`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Lock;
    ///
    /// let lock = Arc::new(Lock::new());
    /// assert!(lock.try_acquire());
    /// let remote = Arc::clone(&lock);
    /// // Held (even by another thread): the attempt fails at once.
    /// assert!(!thread::spawn(move || remote.try_acquire()).join().unwrap());
    /// ```
    #[inline]
    pub fn try_acquire(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        while state & LOCKED == 0 {
            match self.state.compare_exchange_weak(
                state,
                state | LOCKED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => state = actual,
            }
        }
        false
    }

    #[cold]
    fn acquire_slow(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout::deadline(timeout);
        // A lock's waiter waits for another thread's release, which is often a signal — a lock
        // any thread may release is one, and so is the end of a condition's wait, where the
        // notifier still holds the lock on its way to its own wait — and from Python always
        // takes the interpreter's time: the signal budget, not a critical section's (see
        // `src/park/README.md`, "Where a wake-up's time goes").
        let mut spin = SpinWait::for_signal();
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & LOCKED == 0 {
                match self.state.compare_exchange_weak(
                    state,
                    state | LOCKED,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return true,
                    Err(actual) => state = actual,
                }
                continue;
            }
            if timeout::expired(deadline) {
                return false;
            }
            if state & PARKED == 0 {
                if spin.spin() {
                    state = self.state.load(Ordering::Relaxed);
                    continue;
                }
                if let Err(actual) = self.state.compare_exchange_weak(
                    state,
                    state | PARKED,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    state = actual;
                    continue;
                }
            }
            let validate = || self.state.load(Ordering::Relaxed) == LOCKED | PARKED;
            let timed_out = |_, was_last| {
                if was_last {
                    self.state.fetch_and(!PARKED, Ordering::Relaxed);
                }
            };
            let key = park::key(&self.state);
            if park::park(key, validate, timed_out, DEFAULT_PARK_TOKEN, deadline)
                == ParkResult::TimedOut
            {
                return false;
            }
            spin.reset();
            state = self.state.load(Ordering::Relaxed);
        }
    }

    /// Releases the lock; any thread may release it, not only the one that acquired it.
    ///
    /// Python: `lock.release()`. Wakes one waiting thread, if any.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Unlocked`] if the lock is not locked.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::{Lock, ReleaseError};
    ///
    /// let lock = Arc::new(Lock::new());
    /// lock.acquire(None);
    /// let remote = Arc::clone(&lock);
    /// thread::spawn(move || remote.release()).join().unwrap().unwrap();
    /// let error = lock.release().unwrap_err();
    /// assert_eq!(error, ReleaseError::Unlocked);
    /// assert_eq!(error.to_string(), "release unlocked lock");
    /// ```
    #[inline]
    pub fn release(&self) -> Result<(), ReleaseError> {
        if self
            .state
            .compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_ok()
        {
            return Ok(());
        }
        self.release_slow()
    }

    #[cold]
    fn release_slow(&self) -> Result<(), ReleaseError> {
        // Clearing LOCKED is the release: exactly one of two racing releasers succeeds.
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & LOCKED == 0 {
                return Err(ReleaseError::Unlocked);
            }
            match self.state.compare_exchange_weak(
                state,
                state & !LOCKED,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & PARKED != 0 {
            park::unpark_one(park::key(&self.state), |result| {
                if !result.have_more_threads {
                    self.state.fetch_and(!PARKED, Ordering::Relaxed);
                }
                DEFAULT_UNPARK_TOKEN
            });
        }
        Ok(())
    }

    /// Whether the lock is held by some thread.
    ///
    /// Python: `lock.locked()`.
    ///
    /// ```
    /// use threadkit::Lock;
    ///
    /// let lock = Lock::new();
    /// assert!(!lock.locked());
    /// let _guard = lock.lock();
    /// assert!(lock.locked());
    /// ```
    #[inline]
    pub fn locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) & LOCKED != 0
    }

    /// Acquires the lock, waiting forever, and returns a guard that releases it when dropped.
    ///
    /// Python: `with lock:`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Lock;
    ///
    /// let lock = Arc::new(Lock::new());
    /// {
    ///     let _guard = lock.lock();
    ///     let remote = Arc::clone(&lock);
    ///     assert!(!thread::spawn(move || remote.try_acquire()).join().unwrap());
    /// } // released here
    /// assert!(!lock.locked());
    /// ```
    #[inline]
    pub fn lock(&self) -> LockGuard<'_> {
        self.acquire(None);
        LockGuard { lock: self }
    }

    /// A guard if the lock is unlocked now.
    ///
    /// ```
    /// use threadkit::Lock;
    ///
    /// let lock = Lock::new();
    /// let guard = lock.try_lock().unwrap();
    /// assert!(lock.try_lock().is_none());
    /// drop(guard);
    /// assert!(lock.try_lock().is_some());
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Option<LockGuard<'_>> {
        self.try_acquire().then(|| LockGuard { lock: self })
    }

    /// A guard if the lock can be acquired within `timeout`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use std::time::Duration;
    /// use threadkit::Lock;
    ///
    /// let lock = Arc::new(Lock::new());
    /// let _guard = lock.lock();
    /// let remote = Arc::clone(&lock);
    /// let short = Duration::from_millis(1);
    /// let attempt = thread::spawn(move || remote.lock_timeout(short).is_none());
    /// assert!(attempt.join().unwrap());
    /// ```
    #[inline]
    pub fn lock_timeout(&self, timeout: Duration) -> Option<LockGuard<'_>> {
        self.acquire(Some(timeout))
            .then(|| LockGuard { lock: self })
    }
}

impl Default for Lock {
    fn default() -> Self {
        Lock::new()
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("locked", &self.locked())
            .finish()
    }
}

/// Holds a [`Lock`] and releases it when dropped.
///
/// Releasing the lock through [`Lock::release`] while a guard is alive is a logic error: the
/// guard would later release whoever holds the lock then.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::Lock;
///
/// let lock = Arc::new(Lock::new());
/// let guard = lock.lock();
/// let remote = Arc::clone(&lock);
/// let waiter = thread::spawn(move || {
///     let _guard = remote.lock(); // waits for the guard below to drop
/// });
/// drop(guard);
/// waiter.join().unwrap();
/// assert!(!lock.locked());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
}

impl LockGuard<'_> {
    /// The guarded lock.
    ///
    /// ```
    /// use threadkit::Lock;
    ///
    /// let lock = Lock::new();
    /// let guard = lock.lock();
    /// assert!(guard.lock().locked());
    /// assert!(std::ptr::eq(guard.lock(), &lock));
    /// ```
    pub fn lock(&self) -> &Lock {
        self.lock
    }
}

impl Drop for LockGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        // An error here means someone released the lock under us; there is nothing to undo.
        let _ = self.lock.release();
    }
}

impl fmt::Debug for LockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard").finish_non_exhaustive()
    }
}
