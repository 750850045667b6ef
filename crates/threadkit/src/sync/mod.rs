//! Synchronization primitives with the semantics of Python's `threading` module.
//!
//! One primitive per file:
//!
//! | file           | type                    | mirrors                |
//! |----------------|-------------------------|------------------------|
//! | `lock.rs`      | [`Lock`], [`LockGuard`] | `threading.Lock`       |
//! | `rlock.rs`     | [`RLock`], [`RLockGuard`], [`RLockState`] | `threading.RLock` |
//! | `semaphore.rs` | [`Semaphore`], [`BoundedSemaphore`], [`SemaphorePermit`] | `threading.Semaphore`, `threading.BoundedSemaphore` |
//! | `error.rs`     | [`ReleaseError`]        | what `release` raises  |

mod error;
mod lock;
mod rlock;
mod semaphore;

pub use error::ReleaseError;
pub use lock::{Lock, LockGuard};
pub use rlock::{RLock, RLockGuard, RLockState};
pub use semaphore::{BoundedSemaphore, Semaphore, SemaphorePermit};
