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
//! A third way is for code the core calls back on the core's own terms (a done-callback, which
//! the core's callback loop runs to the end): [`collect`] around the core call says that its
//! caller will raise what is stashed, and [`collecting`] tells the callback so ([`carrying`]: that
//! something is on its way out already).
//!
//! One exception comes out: a later one stashed while an earlier one is carried is the one
//! raised, with the earlier as its `__context__` (the end of its chain), as in Python an exception
//! raised while another propagates (a lock's re-acquire failing as an interrupt unwinds out of a
//! wait) comes out with the first as its context.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};

use pyo3::intern;
use pyo3::prelude::*;

thread_local! {
    /// The exception on its way out of a core call on this thread.
    static CARRIED: RefCell<Option<PyErr>> = const { RefCell::new(None) };
    /// How many [`collect`]s are running on this thread.
    static COLLECTORS: Cell<usize> = const { Cell::new(0) };
}

/// The unwind payload of [`unwind`].
struct Unwound;

/// Keeps `error` for [`take`], after the core call it was raised in; an exception already kept
/// becomes its context.
pub(crate) fn stash(error: PyErr) {
    let earlier = CARRIED.take();
    if let Some(earlier) = earlier {
        Python::attach(|py| chain(py, &error, earlier));
    }
    CARRIED.set(Some(error));
}

/// Makes `earlier` the context at the end of `later`'s chain of contexts, unless it is in the
/// chain already (as Python does for an exception raised while another is handled).
fn chain(py: Python<'_>, later: &PyErr, earlier: PyErr) {
    let earlier = earlier.into_value(py).into_any();
    let mut last = later.value(py).clone().into_any();
    // Bounded, against a cycle of contexts some code made by hand.
    for _ in 0..1000 {
        if last.is(&earlier) {
            return;
        }
        match last.getattr(intern!(py, "__context__")) {
            Ok(context) if !context.is_none() => last = context,
            _ => break,
        }
    }
    // (An exception whose `__context__` cannot be set keeps what it has.)
    let _ = last.setattr(intern!(py, "__context__"), earlier);
}

/// The exception [`stash`] kept on this thread, if any.
pub(crate) fn take() -> Option<PyErr> {
    CARRIED.take()
}

/// Whether an exception is kept on this thread, on its way out.
pub(crate) fn carrying() -> bool {
    CARRIED.with_borrow(Option::is_some)
}

/// Runs the core call `call`, whose callbacks may [`stash`] an exception for this caller to
/// raise (they ask [`collecting`]); the exception stashed in it wins over what it returned.
///
/// # Errors
///
/// The exception stashed during `call`.
pub(crate) fn collect<T>(call: impl FnOnce() -> T) -> PyResult<T> {
    struct Collector;
    impl Drop for Collector {
        fn drop(&mut self) {
            COLLECTORS.set(COLLECTORS.get() - 1);
        }
    }
    COLLECTORS.set(COLLECTORS.get() + 1);
    let collector = Collector;
    let value = call();
    drop(collector);
    take().map_or(Ok(value), Err)
}

/// Whether a [`collect`] on this thread will raise what is stashed now.
pub(crate) fn collecting() -> bool {
    COLLECTORS.get() > 0
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
