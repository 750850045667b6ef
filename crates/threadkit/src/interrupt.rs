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
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threadkit::interrupt::{self, Check};
///
/// fn never_interrupts() {}
///
/// let check: Check = (never_interrupts, Duration::from_millis(5));
/// assert!(interrupt::set_check(Some(check)).is_none());
/// assert_eq!(interrupt::set_check(None).map(|(_, period)| period), Some(check.1));
/// ```
pub type Check = (fn(), Duration);

thread_local! {
    static CHECK: Cell<Option<Check>> = const { Cell::new(None) };
}

/// Installs (or with `None` removes) the current thread's interrupt check.
///
/// Returns the check that was installed before.
///
/// # Examples
///
/// A thread cancelled by another while it waits for an event nobody sets:
///
/// ```
/// use std::panic;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::thread;
/// use std::time::Duration;
/// use threadkit::{Event, interrupt};
///
/// static CANCEL: AtomicBool = AtomicBool::new(false);
///
/// fn check() {
///     if CANCEL.load(Ordering::Relaxed) {
///         panic::resume_unwind(Box::new("cancelled"));
///     }
/// }
///
/// let never = Event::new();
/// thread::scope(|s| {
///     let waiter = s.spawn(|| {
///         // The check belongs to this thread only.
///         assert!(interrupt::set_check(Some((check, Duration::from_millis(1)))).is_none());
///         panic::catch_unwind(|| never.wait(None))
///     });
///     CANCEL.store(true, Ordering::Relaxed);
///     assert!(waiter.join().unwrap().is_err()); // the wait unwound
/// });
/// ```
pub fn set_check(check: Option<Check>) -> Option<Check> {
    CHECK.with(|cell| cell.replace(check))
}

/// The current thread's interrupt check, if any.
#[inline]
pub(crate) fn current() -> Option<Check> {
    CHECK.with(Cell::get)
}
