//! What the futures subsystem reports and nobody asked for: a panicking callback, a failing
//! initializer, a failure nobody observed. One process-wide hook receives each [`Report`]; the
//! default prints the first two to stderr as CPython's `concurrent.futures` logger would, and
//! ignores the third (reporting unobserved failures is opt-in: set a hook).

use std::any::Any;
use std::fmt;
use std::io::Write;
use std::sync::{Arc, PoisonError, RwLock};

use super::error::PanicError;

/// A shared report hook.
type Hook = Arc<dyn Fn(&Report<'_>) + Send + Sync + 'static>;

/// The installed hook; `None` is [`default_report_hook`].
static HOOK: RwLock<Option<Hook>> = RwLock::new(None);

/// Something that went wrong where no caller could be told.
///
/// Python: what `concurrent.futures` logs to its logger at ERROR (the first two), and what
/// asyncio calls "Task exception was never retrieved" (the third).
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use threadkit::futures::{self, Future, Report};
///
/// let (tx, rx) = mpsc::channel();
/// futures::set_report_hook(move |report| {
///     if let Report::UnobservedFailure { error, .. } = report {
///         tx.send(error.downcast_ref::<String>().cloned()).unwrap();
///     }
/// });
/// let failed: Future<u8, String> = Future::new();
/// failed.set_exception("nobody looked".to_owned()).unwrap();
/// drop(failed); // the last handle: the failure was never read
/// assert_eq!(rx.recv().unwrap().as_deref(), Some("nobody looked"));
/// futures::reset_report_hook();
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Report<'a> {
    /// A done-callback or a notified-callback panicked; the later callbacks still ran.
    ///
    /// Python: `exception calling callback for <Future ...>`, logged with the traceback.
    CallbackPanicked {
        /// The future's repr (its `Display`).
        future: &'a str,
        /// The panic.
        error: &'a PanicError,
    },
    /// A worker's initializer failed or panicked; the pool is broken now.
    ///
    /// Python: `Exception in initializer:`, logged with the traceback.
    InitializerFailed {
        /// What the initializer failed with (its error's `Display`, or the panic message).
        message: &'a str,
    },
    /// A future that failed was dropped, and nobody observed the failure: its last handle went
    /// without a [`result`](super::Future::result), [`result_ref`](super::Future::result_ref)
    /// or [`exception`](super::Future::exception) call that returned it, without a
    /// [`add_done_callback`](super::Future::add_done_callback) or
    /// [`add_notified_callback`](super::Future::add_notified_callback), and without
    /// [`wait`](super::wait) or [`as_completed`](super::as_completed) handing the future back as
    /// done.
    ///
    /// Python: what gh-120508 asks for; asyncio's "Task exception was never retrieved".
    UnobservedFailure {
        /// The future's repr (its `Display`).
        future: &'a str,
        /// The error the future failed with (its `E`, e.g. a [`TaskError`](super::TaskError)).
        error: &'a (dyn Any + 'static),
    },
}

/// The line the default hook prints.
impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Report::CallbackPanicked { future, error } => {
                write!(f, "exception calling callback for {future}: {error}")
            }
            Report::InitializerFailed { message } => {
                write!(f, "Exception in initializer: {message}")
            }
            Report::UnobservedFailure { future, .. } => {
                write!(f, "exception of {future} was never retrieved")
            }
        }
    }
}

/// Sets the process-wide hook that receives every [`Report`], replacing the default.
///
/// Python: what configuring the `concurrent.futures` logger decides. The hook runs in the thread
/// where the report arises (the one that ran the callback, started the worker, or dropped the
/// future's last handle); it must not panic.
///
/// ```
/// use std::sync::mpsc;
/// use threadkit::futures::{self, Future, Report};
///
/// let (tx, rx) = mpsc::channel();
/// futures::set_report_hook(move |report| {
///     if let Report::CallbackPanicked { error, .. } = report {
///         tx.send(error.message.clone()).unwrap();
///     }
/// });
/// let future: Future<u8, ()> = Future::new();
/// future.add_done_callback(|_| panic!("callback bug"));
/// future.set_result(1).unwrap(); // runs the callback, which panics: reported, not raised
/// assert_eq!(rx.recv().unwrap(), "callback bug");
/// futures::reset_report_hook();
/// ```
pub fn set_report_hook(hook: impl Fn(&Report<'_>) + Send + Sync + 'static) {
    *HOOK.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(hook));
}

/// Restores [`default_report_hook`].
///
/// ```
/// use threadkit::futures::{self, Future};
///
/// futures::set_report_hook(|_| {});
/// futures::reset_report_hook();
/// let future: Future<u8, ()> = Future::new();
/// future.add_done_callback(|_| panic!("printed to stderr again"));
/// future.set_result(1).unwrap();
/// ```
pub fn reset_report_hook() {
    *HOOK.write().unwrap_or_else(PoisonError::into_inner) = None;
}

/// The default hook: prints a panicking callback or a failed initializer to stderr, one line as
/// [`Report`]'s `Display` gives it; ignores unobserved failures.
///
/// ```
/// use threadkit::futures::{self, Report};
///
/// // A hook that adds to the default instead of replacing it.
/// futures::set_report_hook(|report| {
///     if let Report::UnobservedFailure { future, .. } = report {
///         eprintln!("unobserved: {future}");
///     }
///     futures::default_report_hook(report);
/// });
/// futures::reset_report_hook();
/// ```
pub fn default_report_hook(report: &Report<'_>) {
    if matches!(report, Report::UnobservedFailure { .. }) {
        return;
    }
    // Nothing to do if stderr is gone.
    let _ = writeln!(std::io::stderr().lock(), "{report}");
}

/// Hands `report` to the installed hook (outside the hook's lock, so a hook may drop futures or
/// set another hook).
pub(crate) fn report(report: &Report<'_>) {
    let hook = HOOK.read().unwrap_or_else(PoisonError::into_inner).clone();
    match hook {
        Some(hook) => hook(report),
        None => default_report_hook(report),
    }
}
