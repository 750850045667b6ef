//! Synchronization primitives with the semantics of Python's `threading` module.
//!
//! One primitive per file:
//!
//! | file           | type                    | mirrors                |
//! |----------------|-------------------------|------------------------|
//! | `lock.rs`      | [`Lock`], [`LockGuard`] | `threading.Lock`       |
//! | `error.rs`     | [`ReleaseError`]        | what `release` raises  |

mod error;
mod lock;

pub use error::ReleaseError;
pub use lock::{Lock, LockGuard};
