//! The errors of the synchronization primitives: one type per operation, each displaying the
//! message CPython raises.

use std::error::Error;
use std::fmt;

/// Why a `release` failed.
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

/// A [`Condition`](crate::Condition) was waited on or notified by a thread that does not hold its
/// lock.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BrokenBarrierError;

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl Error for BrokenBarrierError {}
