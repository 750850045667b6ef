//! The errors of the synchronization primitives: one type per operation, each displaying the
//! message CPython raises.

use std::error::Error;
use std::fmt;

/// Why a `release` failed.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use threadkit::{BoundedSemaphore, Lock, RLock, ReleaseError};
///
/// let error = Lock::new().release().unwrap_err();
/// assert_eq!(error, ReleaseError::Unlocked);
/// assert_eq!(error.to_string(), "release unlocked lock");
///
/// let error = RLock::new().release().unwrap_err();
/// assert_eq!(error, ReleaseError::NotOwned);
/// assert_eq!(error.to_string(), "cannot release un-acquired lock");
///
/// let error = BoundedSemaphore::new(1).release(NonZeroUsize::MIN).unwrap_err();
/// assert_eq!(error, ReleaseError::TooManyReleases);
/// assert_eq!(error.to_string(), "Semaphore released too many times");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReleaseError {
    /// The lock was not locked (Python: `RuntimeError: release unlocked lock`).
    Unlocked,
    /// The calling thread does not own the re-entrant lock (Python:
    /// `RuntimeError: cannot release un-acquired lock`).
    NotOwned,
    /// A bounded semaphore would exceed its initial value (Python:
    /// `ValueError: Semaphore released too many times`).
    TooManyReleases,
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReleaseError::Unlocked => "release unlocked lock",
            ReleaseError::NotOwned => "cannot release un-acquired lock",
            ReleaseError::TooManyReleases => "Semaphore released too many times",
        })
    }
}

impl Error for ReleaseError {}

/// A semaphore's value would exceed [`Semaphore::MAX_VALUE`](crate::Semaphore::MAX_VALUE)
/// (`usize::MAX / 2`).
///
/// CPython's semaphores count with unbounded integers and never fail this way; the Python
/// bindings raise `OverflowError` with this message.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use threadkit::{Semaphore, SemaphoreOverflowError};
///
/// let error = Semaphore::try_new(usize::MAX).unwrap_err();
/// assert_eq!(error, SemaphoreOverflowError::Initial);
/// assert_eq!(error.to_string(), "semaphore initial value is too large");
///
/// let full = Semaphore::new(Semaphore::MAX_VALUE);
/// let error = full.try_release(NonZeroUsize::MIN).unwrap_err();
/// assert_eq!(error, SemaphoreOverflowError::Release);
/// assert_eq!(error.to_string(), "semaphore value is too large");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SemaphoreOverflowError {
    /// From `try_new`: the initial value is too large.
    Initial,
    /// From `try_release`: the released permits would take the value past the maximum.
    Release,
}

impl fmt::Display for SemaphoreOverflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SemaphoreOverflowError::Initial => "semaphore initial value is too large",
            SemaphoreOverflowError::Release => "semaphore value is too large",
        })
    }
}

impl Error for SemaphoreOverflowError {}

/// A [`Condition`](crate::Condition) was waited on or notified by a thread that does not hold its
/// lock.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::{Condition, NotOwnedError};
///
/// let cond = Arc::new(Condition::new());
/// let _held = cond.lock();
/// // Another thread does not hold the condition's RLock.
/// let remote = Arc::clone(&cond);
/// let (wait, notify) = thread::spawn(move || (remote.wait(None), remote.notify(1)))
///     .join()
///     .unwrap();
/// assert_eq!(wait, Err(NotOwnedError::Wait));
/// assert_eq!(wait.unwrap_err().to_string(), "cannot wait on un-acquired lock");
/// assert_eq!(notify, Err(NotOwnedError::Notify));
/// assert_eq!(notify.unwrap_err().to_string(), "cannot notify on un-acquired lock");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotOwnedError {
    /// From `wait`/`wait_for` (Python: `RuntimeError: cannot wait on un-acquired lock`).
    Wait,
    /// From `notify`/`notify_all` (Python: `RuntimeError: cannot notify on un-acquired lock`).
    Notify,
}

impl fmt::Display for NotOwnedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotOwnedError::Wait => "cannot wait on un-acquired lock",
            NotOwnedError::Notify => "cannot notify on un-acquired lock",
        })
    }
}

impl Error for NotOwnedError {}

/// A [`Barrier`](crate::Barrier) wait failed because the barrier is broken or was reset (Python:
/// `threading.BrokenBarrierError`).
///
/// Like CPython's `BrokenBarrierError()`, which carries no arguments, it displays as the empty
/// string; its type says it all.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::{Barrier, BrokenBarrierError};
///
/// let barrier = Arc::new(Barrier::new(2));
/// let remote = Arc::clone(&barrier);
/// let waiter = thread::spawn(move || remote.wait(None));
/// while barrier.n_waiting() == 0 {
///     thread::yield_now();
/// }
/// barrier.abort(); // the waiting thread fails
/// assert_eq!(waiter.join().unwrap(), Err(BrokenBarrierError));
/// assert_eq!(BrokenBarrierError.to_string(), "");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BrokenBarrierError;

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl Error for BrokenBarrierError {}
