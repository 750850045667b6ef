//! Reporting unobserved failures, opt-in (`ThreadPoolExecutor(report_unobserved=True)`, or
//! process-wide `threadkit.futures.report_unobserved_failures()`): when a future whose call raised
//! is destroyed and nobody observed the exception, it is logged through the `concurrent.futures`
//! logger at ERROR, with its traceback and the call's repr — asyncio's "Task exception was never
//! retrieved" for the thread pool (gh-120508).
//!
//! The core decides what counts as observed and reports the drop of the last handle to its report
//! hook ([`threadkit::futures::Report::UnobservedFailure`]); this module installs that hook once,
//! at module init. The executor decides at submit time whether the call is to be reported (its
//! own setting, or the process-wide one when it has none) and, if so, names the call when it
//! fails ([`call_repr`]); the failure carries that name ([`Failure::report_as`]), and only such a
//! failure is logged. The glue's own reads: `result()`, `exception()`, `_exception`,
//! `add_done_callback`, threadkit's `wait`/`as_completed` (the futures handed back as done) observe;
//! the stdlib's `wait`/`as_completed` (run for a list holding a foreign future) observe every
//! threadkit future they are given, as they install their waiters through `_condition`/`_waiters`;
//! `repr()`, `_state`, `_result`, `done()` and the other predicates do not.
//!
//! The hook runs in the thread that drops the last handle: it attaches if it can
//! ([`Python::try_attach`]) and logs nothing once the interpreter is finalizing.

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};
use threadkit::futures::Report;

use super::future::Failure;
use crate::errors::log_failure;

/// The process-wide setting, for executors made with `report_unobserved=None`.
static PROCESS_WIDE: AtomicBool = AtomicBool::new(false);

/// How many arguments a call's repr shows before `...`, as `reprlib` shows a tuple's items.
const MAX_ARGUMENTS: usize = 6;

/// Sets the process-wide setting; returns the previous one.
#[pyfunction]
pub(crate) fn _report_unobserved_failures(enabled: bool) -> bool {
    PROCESS_WIDE.swap(enabled, Ordering::SeqCst)
}

/// Whether a call submitted now to an executor with setting `executor` is to be reported.
pub(crate) fn enabled(executor: Option<bool>) -> bool {
    executor.unwrap_or_else(|| PROCESS_WIDE.load(Ordering::SeqCst))
}

/// Routes the core's reports: an unobserved failure of a call to be reported is logged; the
/// others go to the core's default hook, as before (the glue logs its callbacks' and
/// initializers' exceptions itself, so those never reach the hook).
pub(crate) fn install_report_hook() {
    threadkit::futures::set_report_hook(|report| match report {
        Report::UnobservedFailure { error, .. } => {
            if let Some(failure) = error.downcast_ref::<Failure>() {
                log_unobserved(failure);
            }
        }
        other => threadkit::futures::default_report_hook(other),
    });
}

/// `LOGGER.error('exception never retrieved from the call %s', call, exc_info=exception)`.
fn log_unobserved(failure: &Failure) {
    let Some(call) = failure.report_as.as_deref() else {
        return;
    };
    Python::try_attach(|py| {
        if finalizing(py) {
            return;
        }
        let message = "exception never retrieved from the call %s";
        let exception = PyErr::from_value(failure.exception.bind(py).clone());
        log_failure(py, "error", (message, call), exception, None);
    });
}

/// Whether the interpreter is finalizing (`sys.is_finalizing()`, looked up at the first report),
/// when modules and the logger may be gone: true if it cannot tell.
fn finalizing(py: Python<'_>) -> bool {
    static IS_FINALIZING: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let is_finalizing = IS_FINALIZING.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import(intern!(py, "sys"))?
                .getattr(intern!(py, "is_finalizing"))?
                .unbind(),
        )
    });
    is_finalizing
        .and_then(|is_finalizing| is_finalizing.call0(py)?.is_truthy(py))
        .unwrap_or(true)
}

/// The call `fn(*args, **kwargs)` as a bounded repr, `reprlib`'s way: the function's qualified
/// name (or its `reprlib.repr`), each argument's `reprlib.repr`, at most [`MAX_ARGUMENTS`] of
/// each kind.
pub(crate) fn call_repr(
    r#fn: &Bound<'_, PyAny>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> String {
    let py = r#fn.py();
    let repr = |object: &Bound<'_, PyAny>| -> String {
        reprlib(py)
            .and_then(|repr| repr.call1(py, (object,))?.extract(py))
            .unwrap_or_else(|_| "...".to_owned())
    };
    let name = match r#fn.getattr(intern!(py, "__qualname__")) {
        Ok(name) if name.is_instance_of::<pyo3::types::PyString>() => name.to_string(),
        _ => repr(r#fn),
    };
    let mut parts: Vec<String> = args
        .iter()
        .take(MAX_ARGUMENTS)
        .map(|arg| repr(&arg))
        .collect();
    if args.len() > MAX_ARGUMENTS {
        parts.push("...".to_owned());
    }
    if let Some(kwargs) = kwargs {
        for (key, value) in kwargs.iter().take(MAX_ARGUMENTS) {
            parts.push(format!("{key}={}", repr(&value)));
        }
        if kwargs.len() > MAX_ARGUMENTS {
            parts.push("...".to_owned());
        }
    }
    format!("{name}({})", parts.join(", "))
}

/// `reprlib.repr`, looked up once.
fn reprlib(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    static REPR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    REPR.get_or_try_init(py, || {
        Ok(py
            .import(intern!(py, "reprlib"))?
            .getattr(intern!(py, "repr"))?
            .unbind())
    })
}
