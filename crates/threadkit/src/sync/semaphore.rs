//! [`Semaphore`] and [`BoundedSemaphore`]: counting semaphores, like `threading.Semaphore` and
//! `threading.BoundedSemaphore`.
//!
//! Both types wrap one [`Core`]: a single atomic word holding the number of available permits
//! and a `PARKED` bit. The only difference between them is the largest value a release may
//! reach, which the core checks before it increments.

use std::fmt;
use std::num::NonZeroUsize;
use std::time::Duration;

use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, FilterOp, ParkResult, SpinWait};
use crate::sync::{ReleaseError, SemaphoreOverflowError};
use crate::timeout;

/// Set while threads may be parked waiting for a permit.
const PARKED: usize = 0b1;
/// One permit, in the state word (the permits live above the `PARKED` bit).
const PERMIT: usize = 0b10;
/// The largest value a semaphore can hold.
const MAX_VALUE: usize = usize::MAX >> 1;

/// The state machine shared by [`Semaphore`] and [`BoundedSemaphore`].
struct Core {
    /// `value * PERMIT | PARKED?`.
    state: AtomicUsize,
    /// The largest value a release may reach: [`MAX_VALUE`], or a bounded semaphore's initial
    /// value.
    limit: usize,
}

impl Core {
    crate::loom::const_fn! {
        /// A core holding `value` permits that releases may raise up to `limit`; `None` if
        /// `value` exceeds [`MAX_VALUE`].
        const fn new(value: usize, limit: usize) -> Option<Self> {
            if value > MAX_VALUE {
                return None;
            }
            Some(Core {
                state: AtomicUsize::new(value * PERMIT),
                limit,
            })
        }
    }

    #[inline]
    fn value(&self) -> usize {
        self.state.load(Ordering::Relaxed) / PERMIT
    }

    #[inline]
    fn try_acquire(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        while state >= PERMIT {
            match self.state.compare_exchange_weak(
                state,
                state - PERMIT,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => state = actual,
            }
        }
        false
    }

    #[inline]
    fn acquire(&self, timeout: Option<Duration>) -> bool {
        self.try_acquire() || self.acquire_slow(timeout)
    }

    #[cold]
    fn acquire_slow(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout::deadline(timeout);
        // A permit comes from another thread's release: a signal (see `Lock::acquire_slow`).
        let mut spin = SpinWait::for_signal();
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state >= PERMIT {
                match self.state.compare_exchange_weak(
                    state,
                    state - PERMIT,
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
            // Park only while there is still no permit and the PARKED bit we rely on is set: a
            // release changes the state before it unparks, so one of the two sees the other.
            let validate = || self.state.load(Ordering::Relaxed) == PARKED;
            let timed_out = |_, was_last| {
                if was_last {
                    self.state.fetch_and(!PARKED, Ordering::Relaxed);
                }
            };
            let key = park::key(&self.state);
            if park::park(key, validate, timed_out, DEFAULT_PARK_TOKEN, deadline)
                == ParkResult::TimedOut
            {
                // Like CPython, look once more after the timeout before giving up.
                return self.try_acquire();
            }
            // Unparked, or an interrupt slice ended: whoever took the permit first keeps it and
            // everyone else parks again.
            spin.reset();
            state = self.state.load(Ordering::Relaxed);
        }
    }

    /// Adds `n` permits unless that would exceed `limit`, then wakes up to `n` parked threads.
    #[inline]
    fn release(&self, n: NonZeroUsize) -> Result<(), LimitExceeded> {
        let n = n.get();
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            // `value <= limit` always holds, so this cannot underflow; and the new value is at
            // most `limit <= MAX_VALUE`, so the addition cannot overflow.
            if n > self.limit - state / PERMIT {
                return Err(LimitExceeded);
            }
            match self.state.compare_exchange_weak(
                state,
                state + n * PERMIT,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & PARKED != 0 {
            self.wake(n);
        }
        Ok(())
    }

    /// Unparks up to `n` threads, oldest first; clears `PARKED` once nobody is left parked.
    #[cold]
    fn wake(&self, n: usize) {
        let mut woken = 0;
        let filter = |_| {
            if woken == n {
                FilterOp::Stop
            } else {
                woken += 1;
                FilterOp::Unpark
            }
        };
        park::unpark_filter(park::key(&self.state), filter, |result| {
            if !result.have_more_threads {
                self.state.fetch_and(!PARKED, Ordering::Relaxed);
            }
            DEFAULT_UNPARK_TOKEN
        });
    }
}

/// A release would have raised the value above the core's `limit`; nothing changed.
struct LimitExceeded;

/// Writes the methods that [`Semaphore`] and [`BoundedSemaphore`] share, once for both:
/// construction, acquiring, the value and the permit guards. `limit($value) = …` is the largest
/// value a release may reach.
macro_rules! shared_methods {
    ($ty:ident, limit($value:ident) = $limit:expr) => {
        impl $ty {
            /// The largest value a semaphore can hold: `usize::MAX / 2`. Neither the initial
            /// value nor a release may go beyond it.
            ///
            /// ```
            #[doc = concat!("use threadkit::", stringify!($ty), ";")]
            ///
            #[doc = concat!("assert_eq!(", stringify!($ty), "::MAX_VALUE, usize::MAX / 2);")]
            /// ```
            pub const MAX_VALUE: usize = MAX_VALUE;

            crate::loom::const_fn! {
                #[doc = concat!("Creates a `", stringify!($ty), "` holding `value` permits.")]
                ///
                #[doc = concat!("Python: `threading.", stringify!($ty), "(value)`; [`Default`] is")]
                /// Python's `value=1`.
                ///
                /// # Panics
                ///
                #[doc = concat!("If `value` exceeds [`", stringify!($ty), "::MAX_VALUE`];")]
                #[doc = concat!("[`try_new`](", stringify!($ty), "::try_new) returns an error instead.")]
                ///
                /// # Examples
                ///
                /// ```
                #[doc = concat!("use threadkit::", stringify!($ty), ";")]
                ///
                /// // `const`: usable in a static.
                #[doc = concat!("static POOL: ", stringify!($ty), " = ", stringify!($ty), "::new(3);")]
                /// assert_eq!(POOL.value(), 3);
                #[doc = concat!("assert_eq!(", stringify!($ty), "::default().value(), 1);")]
                /// ```
                pub const fn new($value: usize) -> Self {
                    match Core::new($value, $limit) {
                        Some(core) => $ty { core },
                        None => panic!("semaphore initial value exceeds usize::MAX / 2"),
                    }
                }
            }

            crate::loom::const_fn! {
                #[doc = concat!("Creates a `", stringify!($ty), "` holding `value` permits, or fails if")]
                #[doc = concat!("`value` exceeds [`", stringify!($ty), "::MAX_VALUE`].")]
                ///
                #[doc = concat!("Python: `threading.", stringify!($ty), "(value)`.")]
                ///
                /// # Errors
                ///
                /// [`SemaphoreOverflowError::Initial`] if `value` is too large.
                ///
                /// # Examples
                ///
                /// ```
                #[doc = concat!("use threadkit::{", stringify!($ty), ", SemaphoreOverflowError};")]
                ///
                #[doc = concat!("let semaphore = ", stringify!($ty), "::try_new(2).unwrap();")]
                /// assert_eq!(semaphore.value(), 2);
                #[doc = concat!("let too_many = ", stringify!($ty), "::MAX_VALUE + 1;")]
                #[doc = concat!("let error = ", stringify!($ty), "::try_new(too_many).unwrap_err();")]
                /// assert_eq!(error, SemaphoreOverflowError::Initial);
                /// ```
                pub const fn try_new($value: usize) -> Result<Self, SemaphoreOverflowError> {
                    match Core::new($value, $limit) {
                        Some(core) => Ok($ty { core }),
                        None => Err(SemaphoreOverflowError::Initial),
                    }
                }
            }

            /// Takes a permit, waiting at most `timeout` (`None`: forever) for one; true if it
            /// was taken.
            ///
            /// Python: `semaphore.acquire()` / `semaphore.acquire(timeout=t)`. With a zero
            /// timeout, or when the timeout passes, it makes one last attempt.
            ///
            /// ```
            /// use std::time::Duration;
            #[doc = concat!("let semaphore = threadkit::", stringify!($ty), "::new(1);")]
            /// assert!(semaphore.acquire(None));
            /// assert!(!semaphore.acquire(Some(Duration::from_millis(1))));
            /// ```
            #[inline]
            pub fn acquire(&self, timeout: Option<Duration>) -> bool {
                self.core.acquire(timeout)
            }

            /// Takes a permit only if one is available now; true if it was taken.
            ///
            /// Python: `semaphore.acquire(blocking=False)`.
            ///
            /// ```
            /// use std::thread;
            #[doc = concat!("use threadkit::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let semaphore = ", stringify!($ty), "::new(1);")]
            /// assert!(semaphore.try_acquire());
            /// thread::scope(|s| {
            ///     s.spawn(|| assert!(!semaphore.try_acquire())); // none left for anyone
            /// });
            /// ```
            #[inline]
            pub fn try_acquire(&self) -> bool {
                self.core.try_acquire()
            }

            /// The number of permits available now.
            ///
            /// Python: `semaphore._value`. Other threads may change it at any moment.
            ///
            /// ```
            #[doc = concat!("use threadkit::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let semaphore = ", stringify!($ty), "::new(2);")]
            /// let _permit = semaphore.permit();
            /// assert_eq!(semaphore.value(), 1);
            /// ```
            #[inline]
            pub fn value(&self) -> usize {
                self.core.value()
            }

            /// Takes a permit, waiting forever, and returns a guard that gives it back when
            /// dropped.
            ///
            /// Python: `with semaphore:`.
            ///
            /// ```
            /// use std::sync::Arc;
            /// use std::thread;
            #[doc = concat!("use threadkit::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let semaphore = Arc::new(", stringify!($ty), "::new(1));")]
            /// let permit = semaphore.permit();
            /// let remote = Arc::clone(&semaphore);
            /// let waiter = thread::spawn(move || {
            ///     let _permit = remote.permit(); // waits for the permit below
            /// });
            /// drop(permit); // gives it back
            /// waiter.join().unwrap();
            /// assert_eq!(semaphore.value(), 1);
            /// ```
            #[inline]
            pub fn permit(&self) -> SemaphorePermit<'_> {
                self.core.acquire(None);
                SemaphorePermit { core: &self.core }
            }

            /// A guard holding a permit, if one is available now.
            ///
            /// ```
            #[doc = concat!("use threadkit::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let semaphore = ", stringify!($ty), "::new(1);")]
            /// let permit = semaphore.try_permit().unwrap();
            /// assert!(semaphore.try_permit().is_none());
            /// drop(permit);
            /// assert!(semaphore.try_permit().is_some());
            /// ```
            #[inline]
            pub fn try_permit(&self) -> Option<SemaphorePermit<'_>> {
                // Lazily: a permit built for nothing would release on drop.
                self.core
                    .try_acquire()
                    .then(|| SemaphorePermit { core: &self.core })
            }

            /// A guard holding a permit, if one can be taken within `timeout`.
            ///
            /// ```
            /// use std::thread;
            /// use std::time::Duration;
            #[doc = concat!("use threadkit::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let semaphore = ", stringify!($ty), "::new(1);")]
            /// let _permit = semaphore.permit();
            /// let short = Duration::from_millis(1);
            /// thread::scope(|s| {
            ///     let attempt = s.spawn(|| semaphore.permit_timeout(short).is_none());
            ///     assert!(attempt.join().unwrap());
            /// });
            /// ```
            #[inline]
            pub fn permit_timeout(&self, timeout: Duration) -> Option<SemaphorePermit<'_>> {
                self.core
                    .acquire(Some(timeout))
                    .then(|| SemaphorePermit { core: &self.core })
            }
        }

        impl Default for $ty {
            fn default() -> Self {
                $ty::new(1)
            }
        }
    };
}

/// A counting semaphore, mirroring Python's `threading.Semaphore`.
///
/// A semaphore holds a number of permits (its [`value`](Semaphore::value)).
/// [`acquire`](Semaphore::acquire) takes one, waiting while there are none;
/// [`release`](Semaphore::release) gives back one or more and wakes as many waiting threads. Any
/// thread may release, and a release may raise the value above the initial one (use
/// [`BoundedSemaphore`] to forbid that). Take a [`SemaphorePermit`] with
/// [`permit`](Semaphore::permit) to have scope release it.
///
/// Acquiring while permits are available is one compare-and-swap; a waiting acquire spins
/// briefly, then parks.
///
/// # Differences from CPython
///
/// - `acquire(blocking, timeout)` is split into [`acquire`](Semaphore::acquire) (with an
///   `Option<Duration>` timeout, `None` waiting forever) and
///   [`try_acquire`](Semaphore::try_acquire) (`blocking=False`).
/// - `release(n)` takes a [`NonZeroUsize`]: CPython's `ValueError: n must be one or more` cannot
///   happen, and the Python bindings raise it while converting the argument. Pass
///   [`NonZeroUsize::MIN`] for Python's default of one.
/// - The value is a `usize`, so a negative initial value (CPython's `ValueError`) cannot be
///   expressed; it is at most [`MAX_VALUE`](Semaphore::MAX_VALUE) (`usize::MAX / 2`): beyond it
///   [`new`](Semaphore::new) and [`release`](Semaphore::release) panic, and
///   [`try_new`](Semaphore::try_new) and [`try_release`](Semaphore::try_release) fail.
/// - Waiters are woken in FIFO order, but a running thread may take a released permit first; a
///   woken thread that finds none waits again, as in CPython.
///
/// # Memory ordering
///
/// A release is a `Release` operation and a successful acquire an `Acquire` operation: whatever a
/// thread wrote before releasing is visible to the thread that acquires the released permit.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::thread;
/// use threadkit::Semaphore;
///
/// // At most two of the eight workers run the guarded part at any time.
/// let semaphore = Arc::new(Semaphore::new(2));
/// let inside = Arc::new(AtomicUsize::new(0));
/// let workers: Vec<_> = (0..8)
///     .map(|_| {
///         let (semaphore, inside) = (Arc::clone(&semaphore), Arc::clone(&inside));
///         thread::spawn(move || {
///             let _permit = semaphore.permit();
///             assert!(inside.fetch_add(1, Ordering::SeqCst) < 2);
///             inside.fetch_sub(1, Ordering::SeqCst);
///         })
///     })
///     .collect();
/// for worker in workers {
///     worker.join().unwrap();
/// }
/// assert_eq!(semaphore.value(), 2);
/// ```
pub struct Semaphore {
    core: Core,
}

shared_methods!(Semaphore, limit(value) = MAX_VALUE);

impl Semaphore {
    /// Gives back `n` permits and wakes up to `n` waiting threads.
    ///
    /// Python: `semaphore.release(n)`. Any thread may release.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use threadkit::Semaphore;
    ///
    /// let semaphore = Semaphore::new(0);
    /// semaphore.release(NonZeroUsize::MIN);
    /// semaphore.release(NonZeroUsize::new(2).unwrap());
    /// assert_eq!(semaphore.value(), 3);
    /// ```
    ///
    /// # Panics
    ///
    /// If the value would exceed [`Semaphore::MAX_VALUE`]; the value is then unchanged.
    /// [`try_release`](Semaphore::try_release) returns an error instead.
    #[inline]
    pub fn release(&self, n: NonZeroUsize) {
        if self.try_release(n).is_err() {
            overflow();
        }
    }

    /// Gives back `n` permits and wakes up to `n` waiting threads, unless that would raise the
    /// value above [`Semaphore::MAX_VALUE`].
    ///
    /// Python: `semaphore.release(n)`. The check and the increment are one compare-and-swap, so
    /// two racing releases can never both pass the check and overshoot together.
    ///
    /// # Errors
    ///
    /// [`SemaphoreOverflowError::Release`] if the value would exceed the maximum; the value is
    /// then unchanged and nobody is woken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use threadkit::{Semaphore, SemaphoreOverflowError};
    ///
    /// let semaphore = Semaphore::new(Semaphore::MAX_VALUE - 1);
    /// assert_eq!(semaphore.try_release(NonZeroUsize::MIN), Ok(()));
    /// let error = semaphore.try_release(NonZeroUsize::MIN).unwrap_err();
    /// assert_eq!(error, SemaphoreOverflowError::Release);
    /// assert_eq!(semaphore.value(), Semaphore::MAX_VALUE);
    /// ```
    #[inline]
    pub fn try_release(&self, n: NonZeroUsize) -> Result<(), SemaphoreOverflowError> {
        self.core
            .release(n)
            .map_err(|LimitExceeded| SemaphoreOverflowError::Release)
    }
}

#[cold]
#[track_caller]
fn overflow() -> ! {
    panic!("semaphore value would exceed usize::MAX / 2")
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("value", &self.value())
            .finish()
    }
}

/// A semaphore that refuses to be released above its initial value, mirroring Python's
/// `threading.BoundedSemaphore`.
///
/// It behaves like [`Semaphore`], except that a [`release`](BoundedSemaphore::release) that
/// would raise the value above the initial one fails, leaving the value unchanged. That catches
/// releases without a matching acquire, the usual bug when a semaphore guards a fixed pool of
/// resources.
///
/// # Differences from CPython
///
/// Those of [`Semaphore`]; in addition an over-release returns
/// [`ReleaseError::TooManyReleases`] instead of raising `ValueError`.
///
/// # Memory ordering
///
/// As for [`Semaphore`]: a release is a `Release` operation and a successful acquire an `Acquire`
/// operation. The bound is checked in the same compare-and-swap that adds the permits, so no
/// thread ever sees a value above the initial one.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::{BoundedSemaphore, ReleaseError};
///
/// let pool = Arc::new(BoundedSemaphore::new(2));
/// assert!(pool.acquire(None));
/// let remote = Arc::clone(&pool);
/// thread::spawn(move || remote.release(NonZeroUsize::MIN))
///     .join()
///     .unwrap()
///     .unwrap();
/// // Back at its initial value: one more release is one too many.
/// assert_eq!(pool.release(NonZeroUsize::MIN), Err(ReleaseError::TooManyReleases));
/// assert_eq!(pool.value(), 2);
/// ```
pub struct BoundedSemaphore {
    core: Core,
}

shared_methods!(BoundedSemaphore, limit(value) = value);

impl BoundedSemaphore {
    /// Gives back `n` permits and wakes up to `n` waiting threads, unless that would raise the
    /// value above the initial one.
    ///
    /// Python: `semaphore.release(n)`. Any thread may release.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::TooManyReleases`] if the value would exceed the initial value; the value
    /// is then unchanged and nobody is woken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::{BoundedSemaphore, ReleaseError};
    ///
    /// let semaphore = Arc::new(BoundedSemaphore::new(2));
    /// semaphore.acquire(None);
    /// semaphore.acquire(None);
    /// let remote = Arc::clone(&semaphore);
    /// // Any thread may release, up to the initial value.
    /// thread::spawn(move || remote.release(NonZeroUsize::new(2).unwrap()))
    ///     .join()
    ///     .unwrap()
    ///     .unwrap();
    /// let error = semaphore.release(NonZeroUsize::MIN).unwrap_err();
    /// assert_eq!(error, ReleaseError::TooManyReleases);
    /// assert_eq!(error.to_string(), "Semaphore released too many times");
    /// ```
    #[inline]
    pub fn release(&self, n: NonZeroUsize) -> Result<(), ReleaseError> {
        self.core
            .release(n)
            .map_err(|LimitExceeded| ReleaseError::TooManyReleases)
    }

    /// The value the semaphore was created with, which releases may not exceed.
    ///
    /// Python: `semaphore._initial_value`.
    ///
    /// ```
    /// use threadkit::BoundedSemaphore;
    ///
    /// let semaphore = BoundedSemaphore::new(3);
    /// let _permit = semaphore.permit();
    /// assert_eq!((semaphore.value(), semaphore.initial_value()), (2, 3));
    /// ```
    #[inline]
    pub fn initial_value(&self) -> usize {
        self.core.limit
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("value", &self.value())
            .field("initial_value", &self.initial_value())
            .finish()
    }
}

/// A permit taken from a [`Semaphore`] or [`BoundedSemaphore`], given back when dropped.
///
/// Python: the body of `with semaphore:`.
///
/// Dropping the permit releases one. If the semaphore cannot take it back — a
/// [`BoundedSemaphore`] that someone over-released by hand, or a [`Semaphore`] at its maximum
/// value — the permit is dropped without releasing.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::Semaphore;
///
/// let semaphore = Arc::new(Semaphore::new(1));
/// let remote = Arc::clone(&semaphore);
/// thread::spawn(move || {
///     let _permit = remote.permit();
///     assert_eq!(remote.value(), 0);
/// }) // the permit is given back as the thread ends
/// .join()
/// .unwrap();
/// assert_eq!(semaphore.value(), 1);
/// ```
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    core: &'a Core,
}

impl SemaphorePermit<'_> {
    /// Drops the permit without giving it back: the semaphore keeps one permit fewer.
    ///
    /// ```
    /// use threadkit::Semaphore;
    ///
    /// let semaphore = Semaphore::new(2);
    /// semaphore.permit().forget();
    /// assert_eq!(semaphore.value(), 1);
    /// ```
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphorePermit<'_> {
    #[inline]
    fn drop(&mut self) {
        // An error means the semaphore was over-released by hand; there is nothing to undo.
        let _ = self.core.release(NonZeroUsize::MIN);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit").finish_non_exhaustive()
    }
}
