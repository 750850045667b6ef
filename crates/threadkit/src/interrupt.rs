//! Interruptible waits: a per-thread check that long blocking calls run periodically.
//!
//! A thread may install a check with [`set_check`]. While one is installed, every threadkit wait
//! on that thread parks in slices of at most the given period and calls the check between slices.
//! A check that panics (best with [`std::panic::resume_unwind`], which prints nothing) unwinds out
//! of the blocking call after the primitive has restored its invariants: a `Condition` wait
//! re-acquires its lock, a `Barrier` withdraws the arrival without breaking, a queue loses no
//! item. This is how the Python bindings make Ctrl-C interrupt a wait on the main thread, the way
//! CPython's own waits do; Rust programs can use it for cancellation.
//!
//! # Examples
//!
//! ```
//! use std::panic;
//! use std::time::Duration;
//! use threadkit::{interrupt, Lock};
//!
//! struct Cancelled;
//! fn cancel() {
//!     panic::resume_unwind(Box::new(Cancelled));
//! }
//!
//! let lock = Lock::new();
//! lock.acquire(None);
//! interrupt::set_check(Some((cancel, Duration::from_millis(10))));
//! let outcome = panic::catch_unwind(|| lock.acquire(None));
//! interrupt::set_check(None);
//! assert!(outcome.unwrap_err().is::<Cancelled>());
//! assert!(lock.locked());
//! ```

use std::cell::Cell;
use std::time::Duration;

/// A check and how often it runs while the thread waits.
pub type Check = (fn(), Duration);

thread_local! {
    static CHECK: Cell<Option<Check>> = const { Cell::new(None) };
}

/// Installs (or with `None` removes) the current thread's interrupt check.
///
/// Returns the check that was installed before.
pub fn set_check(check: Option<Check>) -> Option<Check> {
    CHECK.with(|cell| cell.replace(check))
}

/// The current thread's interrupt check, if any.
#[inline]
pub(crate) fn current() -> Option<Check> {
    CHECK.with(Cell::get)
}
