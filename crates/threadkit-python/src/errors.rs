//! The one place where threadkit's errors become Python exceptions.
//!
//! Each core error maps to the exception class the standard library raises for the same failure
//! — builtins such as `RuntimeError`, or the stdlib's own classes imported from `threading`,
//! `queue` and `concurrent.futures` at run time, so that existing `except` clauses keep working —
//! with the message of the running interpreter.

use std::sync::OnceLock;

use pyo3::exceptions::{PyOverflowError, PyRuntimeError, PyTimeoutError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use threadkit::futures::{AsCompletedError, BuildError, SubmitError};
use threadkit::queue::{GetError, PutError, TaskDoneError};
use threadkit::timeout::TimeoutError;
use threadkit::{NotOwnedError, ReleaseError, SemaphoreOverflowError};

/// A core error that Python code sees as a stdlib exception.
pub(crate) trait ToPyErr {
    /// The exception the stdlib raises for this failure, on the running interpreter.
    fn to_pyerr(&self, py: Python<'_>) -> PyErr;
}

/// `result.or_raise(py)?`: a core `Result` as a `PyResult`.
pub(crate) trait OrRaise<T> {
    /// Converts the error with [`ToPyErr`].
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T, E: ToPyErr> OrRaise<T> for Result<T, E> {
    #[inline]
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|error| error.to_pyerr(py))
    }
}

impl ToPyErr for ReleaseError {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        match self {
            ReleaseError::TooManyReleases => PyValueError::new_err(self.to_string()),
            _ => PyRuntimeError::new_err(self.to_string()),
        }
    }
}

impl ToPyErr for SemaphoreOverflowError {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        PyOverflowError::new_err(self.to_string())
    }
}

pyo3::import_exception!(threading, BrokenBarrierError);

impl ToPyErr for threadkit::BrokenBarrierError {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        BrokenBarrierError::new_err(())
    }
}

impl ToPyErr for NotOwnedError {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        PyRuntimeError::new_err(self.to_string())
    }
}

impl ToPyErr for TimeoutError {
    fn to_pyerr(&self, py: Python<'_>) -> PyErr {
        match self {
            // CPython 3.13 reworded this message; the core carries the current wording.
            TimeoutError::Negative if !at_least(py, 3, 13) => {
                PyValueError::new_err("timeout value must be positive")
            }
            TimeoutError::TooLarge => PyOverflowError::new_err(self.to_string()),
            _ => PyValueError::new_err(self.to_string()),
        }
    }
}

/// Whether the running interpreter is CPython `major.minor` or newer.
pub(crate) fn at_least(py: Python<'_>, major: u8, minor: u8) -> bool {
    static VERSION: OnceLock<(u8, u8)> = OnceLock::new();
    *VERSION.get_or_init(|| {
        let version = py.version_info();
        (version.major, version.minor)
    }) >= (major, minor)
}

pyo3::import_exception!(queue, Empty);
pyo3::import_exception!(queue, Full);
// Only raised on 3.13+, where the queues have `shutdown`; imported when first raised.
pyo3::import_exception!(queue, ShutDown);

impl<T> ToPyErr for PutError<T> {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        match self {
            PutError::Full(_) => Full::new_err(()),
            PutError::ShutDown(_) => ShutDown::new_err(()),
        }
    }
}

impl ToPyErr for GetError {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        match self {
            GetError::Empty => Empty::new_err(()),
            GetError::ShutDown => ShutDown::new_err(()),
        }
    }
}

impl ToPyErr for threadkit::queue::Empty {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        Empty::new_err(())
    }
}

impl ToPyErr for TaskDoneError {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        PyValueError::new_err(self.to_string())
    }
}

pyo3::import_exception!(concurrent.futures, CancelledError);
pyo3::import_exception!(concurrent.futures, InvalidStateError);
pyo3::import_exception!(concurrent.futures.thread, BrokenThreadPool);

/// `BrokenThreadPool` with the stdlib's message.
pub(crate) fn broken_thread_pool(error: &threadkit::futures::BrokenThreadPool) -> PyErr {
    BrokenThreadPool::new_err(error.to_string())
}

impl ToPyErr for SubmitError {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        match self {
            SubmitError::Broken(broken) => broken_thread_pool(broken),
            SubmitError::Full => PyTimeoutError::new_err(self.to_string()),
            _ => PyRuntimeError::new_err(self.to_string()),
        }
    }
}

impl ToPyErr for AsCompletedError {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        PyTimeoutError::new_err(self.to_string())
    }
}

/// `logging.getLogger("concurrent.futures")`, where the stdlib reports failures nobody can
/// catch (a raising done-callback, a failing initializer).
pub(crate) fn logger(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOGGER
        .get_or_try_init(py, || {
            py.import(intern!(py, "logging"))?
                .call_method1(intern!(py, "getLogger"), ("concurrent.futures",))
                .map(Bound::unbind)
        })
        .map(|logger| logger.bind(py).clone())
}

impl ToPyErr for BuildError {
    fn to_pyerr(&self, _py: Python<'_>) -> PyErr {
        PyValueError::new_err(self.to_string())
    }
}

/// `LOGGER.<level>(*args, exc_info=error)` on the `concurrent.futures` logger: how the stdlib
/// reports a raising done-callback or initializer. A failure to log is reported as unraisable,
/// on behalf of `context`.
pub(crate) fn log_failure<'py>(
    py: Python<'py>,
    level: &str,
    args: impl pyo3::call::PyCallArgs<'py>,
    error: PyErr,
    context: Option<&Bound<'py, PyAny>>,
) {
    let logged = (|| -> PyResult<()> {
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item(intern!(py, "exc_info"), error.into_value(py))?;
        logger(py)?.call_method(level, args, Some(&kwargs))?;
        Ok(())
    })();
    if let Err(error) = logged {
        error.write_unraisable(py, context);
    }
}
