//! A Python exception carried across a core call, on the thread that raised it.
//!
//! Python code runs inside core calls that know nothing of Python: a signal handler in a wait's
//! interrupt check, a barrier's action, the methods of a foreign lock under a `Condition`, the
//! function that starts an executor's thread. The exception such code raises is kept here, on
//! the raising thread, until the core call has returned and the glue raises it. Two ways in:
//!
//! - [`stash`] keeps it when the core call goes on and reports the failure its own way (a lock's
//!   `release` that returns an error, a thread that did not start); [`take`] gets it back after.
//! - [`unwind`] keeps it and unwinds out of the core call when that must stop at once (an
//!   interrupted wait, a failing action): the core restores its invariants on the way out, and
//!   [`catch`], around the core call, turns the unwind back into the exception.
//!
//! One exception at a time: a later one replaces an earlier one not taken yet, as in Python an
//! exception raised while another propagates (a lock's re-acquire failing as an interrupt unwinds
//! out of a wait) is the one that comes out.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

use pyo3::prelude::*;

thread_local! {
    /// The exception on its way out of a core call on this thread.
    static CARRIED: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// The unwind payload of [`unwind`].
struct Unwound;

/// Keeps `error` for [`take`], after the core call it was raised in.
pub(crate) fn stash(error: PyErr) {
    CARRIED.set(Some(error));
}

/// The exception [`stash`] kept on this thread, if any.
pub(crate) fn take() -> Option<PyErr> {
    CARRIED.take()
}

/// Keeps `error` and unwinds out of the core call, to the [`catch`] around it.
pub(crate) fn unwind(error: PyErr) -> ! {
    stash(error);
    panic::resume_unwind(Box::new(Unwound))
}

/// Runs the core call `call`; an [`unwind`] out of it becomes the exception it carried. Any other
/// panic goes on unwinding.
///
/// # Errors
///
/// The exception [`unwind`] carried out of `call`.
pub(crate) fn catch<T>(call: impl FnOnce() -> T) -> PyResult<T> {
    panic::catch_unwind(AssertUnwindSafe(call)).or_else(|payload| {
        if payload.is::<Unwound>() {
            Err(take().expect("an unwind out of a core call carries its exception"))
        } else {
            panic::resume_unwind(payload)
        }
    })
}
