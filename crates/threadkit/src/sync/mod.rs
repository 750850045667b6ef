//! Synchronization primitives with the semantics of Python's `threading` module.
//!
//! One primitive per file:
//!
//! | file           | type                    | mirrors                |
//! |----------------|-------------------------|------------------------|
//! | `lock.rs`      | [`Lock`], [`LockGuard`] | `threading.Lock`       |
//! | `rlock.rs`     | [`RLock`], [`RLockGuard`], [`RLockState`] | `threading.RLock` |
//! | `semaphore.rs` | [`Semaphore`], [`BoundedSemaphore`], [`SemaphorePermit`] | `threading.Semaphore`, `threading.BoundedSemaphore` |
//! | `condition.rs` | [`Condition`], [`ConditionGuard`], [`ConditionLock`] | `threading.Condition` |
//! | `error.rs`     | [`ReleaseError`], [`NotOwnedError`] | what `release`, `wait`/`notify` raise |

mod condition;
mod error;
mod lock;
mod rlock;
mod semaphore;

pub use condition::{Condition, ConditionGuard, ConditionLock};
pub use error::{NotOwnedError, ReleaseError};
pub use lock::{Lock, LockGuard};
pub use rlock::{RLock, RLockGuard, RLockState};
pub use semaphore::{BoundedSemaphore, Semaphore, SemaphorePermit};
