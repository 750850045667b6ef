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
//! | `barrier.rs`   | [`Barrier`]             | `threading.Barrier`    |
//! | `event.rs`     | [`Event`]               | `threading.Event`      |
//! | `error.rs`     | [`ReleaseError`], [`NotOwnedError`], [`BrokenBarrierError`] | what `release`, `wait`/`notify`, `Barrier.wait` raise |

mod barrier;
mod condition;
mod error;
mod event;
mod lock;
mod rlock;
mod semaphore;

pub use barrier::Barrier;
pub use condition::{Condition, ConditionGuard, ConditionLock};
pub use error::{BrokenBarrierError, NotOwnedError, ReleaseError, SemaphoreOverflowError};
pub use event::Event;
pub use lock::{Lock, LockGuard};
pub use rlock::{RLock, RLockGuard, RLockState};
pub use semaphore::{BoundedSemaphore, Semaphore, SemaphorePermit};
