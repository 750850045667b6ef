//! The one path by which the glue blocks: detached from the interpreter, interruptible by
//! signals on the main thread.
//!
//! [`wait`] runs a blocking core call with the thread detached (`Python::detach`), so other
//! Python threads run meanwhile and no Rust lock is ever waited for while attached. On the main
//! thread it also installs threadkit's [interrupt check](threadkit::interrupt) for the duration of
//! the call: every [`PERIOD`] the waiting thread attaches and runs the pending signal handlers,
//! as CPython's own waits do. A handler that returns lets the wait go on (with its original
//! deadline); one that raises — `KeyboardInterrupt` from Ctrl-C — makes the check unwind out of
//! the core wait (see `carry.rs`), which restores the primitive's invariants on the way out, and
//! [`wait`] returns that exception. Python code the call itself runs (a barrier's action) may
//! unwind out of it the same way.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pyo3::intern;
use pyo3::prelude::*;
use threadkit::interrupt;

use crate::carry;
use crate::timeout::Acquire;

/// How often a waiting main thread runs signal handlers.
pub(crate) const PERIOD: Duration = Duration::from_millis(50);

/// How many threads are in [`wait`] now, detached in a core call.
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// The number of threads blocked in a threadkit wait now, past any attempt made attached: a test
/// of a wake-up polls it until its waiter really waits, so the wake-up is what it tests.
#[pyfunction]
pub(crate) fn _waiting() -> usize {
    WAITING.load(Ordering::Acquire)
}

/// In a forked child: the threads that were waiting in the parent do not exist.
pub(crate) fn after_fork_in_child() {
    WAITING.store(0, Ordering::Release);
}

/// Counts its thread in [`WAITING`] while it lives.
struct Counted;

impl Counted {
    fn new() -> Self {
        WAITING.fetch_add(1, Ordering::AcqRel);
        Counted
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        WAITING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs `call` detached; on the main thread, signal handlers run while it waits.
///
/// # Errors
///
/// The exception a signal handler raised while `call` was waiting, or that Python code run by
/// `call` carried out of it with [`carry::unwind`].
pub(crate) fn wait<T, F>(py: Python<'_>, call: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    if !on_main_thread(py)? {
        return py.detach(|| {
            let _counted = Counted::new();
            carry::catch(call)
        });
    }
    py.detach(|| {
        let _check = CheckGuard(interrupt::set_check(Some((run_signal_handlers, PERIOD))));
        let _counted = Counted::new();
        carry::catch(call)
    })
}

/// An acquire of a lock-like primitive: one attempt attached, and only if that fails and the
/// call may wait, a detached wait.
pub(crate) fn acquire(
    py: Python<'_>,
    acquire: Acquire,
    try_acquire: impl FnOnce() -> bool,
    wait_for: impl FnOnce(Option<Duration>) -> bool + Send,
) -> PyResult<bool> {
    if try_acquire() {
        return Ok(true);
    }
    match acquire {
        Acquire::Try => Ok(false),
        Acquire::Wait(Some(timeout)) if timeout.is_zero() => Ok(false),
        Acquire::Wait(timeout) => wait(py, || wait_for(timeout)),
    }
}

/// A queue operation: one attempt attached, and only if it failed in a way that waiting may fix
/// (`retry` gives back what to retry with, such as the item of a full queue's put) and the call
/// may wait, a detached wait.
pub(crate) fn take<T, E, R>(
    py: Python<'_>,
    timeout: Option<Duration>,
    attempt: Result<T, E>,
    retry: impl FnOnce(E) -> Result<R, E>,
    wait_for: impl FnOnce(R, Option<Duration>) -> Result<T, E> + Send,
) -> PyResult<Result<T, E>>
where
    T: Send,
    E: Send,
    R: Send,
{
    match attempt {
        Err(error) if timeout != Some(Duration::ZERO) => match retry(error) {
            Ok(again) => wait(py, || wait_for(again, timeout)),
            Err(error) => Ok(Err(error)),
        },
        attempt => Ok(attempt),
    }
}

/// The interrupt check: runs the pending signal handlers; unwinds with the exception when one
/// raises.
fn run_signal_handlers() {
    if let Some(error) = Python::attach(|py| py.check_signals().err()) {
        carry::unwind(error);
    }
}

/// Restores the check that was installed before [`wait`] installed its own.
struct CheckGuard(Option<interrupt::Check>);

impl Drop for CheckGuard {
    fn drop(&mut self) {
        interrupt::set_check(self.0.take());
    }
}

/// Whether this is the thread on which CPython runs signal handlers (`threading.main_thread()`,
/// which after a `fork` is the thread that forked).
fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    let threading = py.import(intern!(py, "threading"))?;
    let main = threading
        .call_method0(intern!(py, "main_thread"))?
        .getattr(intern!(py, "ident"))?;
    let current = threading.call_method0(intern!(py, "get_ident"))?;
    main.eq(current)
}
