//! `threading.Event` over [`threadkit::Event`].

use std::fmt;

use pyo3::exceptions::PyDeprecationWarning;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use super::init::repr_name;
use crate::blocking;
use crate::timeout;

/// `threadkit.threading.Event`: a flag threads can wait for.
///
/// Subclassable like the stdlib's: `__new__` accepts the arguments a subclass's `__init__` takes
/// and makes the event; `__init__` takes none.
#[pyclass(
    module = "threadkit.threading",
    name = "Event",
    subclass,
    frozen,
    weakref,
    dict
)]
pub(crate) struct Event {
    event: threadkit::Event,
    /// The stdlib's private `_cond`, made on first use: see [`Event::_cond`].
    cond: PyOnceLock<Py<PyAny>>,
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Event").field(&self.event).finish()
    }
}

#[pymethods]
impl Event {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "()")]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Event {
            event: threadkit::Event::new(),
            cond: PyOnceLock::new(),
        }
    }

    /// The event is made by `__new__`; this checks that no arguments were given.
    fn __init__(&self) {}

    /// Return true if and only if the internal flag is true.
    fn is_set(&self) -> bool {
        self.event.is_set()
    }

    /// Return true if and only if the internal flag is true (deprecated alias of `is_set`).
    #[pyo3(name = "isSet")]
    fn is_set_deprecated(&self, py: Python<'_>) -> PyResult<bool> {
        PyErr::warn(
            py,
            &py.get_type::<PyDeprecationWarning>(),
            c"isSet() is deprecated, use is_set() instead",
            1,
        )?;
        Ok(self.event.is_set())
    }

    /// Set the internal flag to true, waking every thread waiting for it.
    fn set(&self, py: Python<'_>) {
        self.event.set();
        blocking::woke_waiters(py);
    }

    /// Reset the internal flag to false.
    fn clear(&self) {
        self.event.clear();
    }

    /// Block until the internal flag is true, or until the optional timeout passes; return true
    /// if the flag was set (also when a `clear()` followed the `set()` while waiting).
    #[pyo3(signature = (timeout = None))]
    fn wait(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        if self.event.is_set() {
            return Ok(true);
        }
        match timeout::wait(py, timeout)? {
            Some(timeout) if timeout.is_zero() => Ok(self.event.is_set()),
            timeout => blocking::wait(py, || self.event.wait(timeout)),
        }
    }

    /// The stdlib's private `_cond`: a `Condition` over a `Lock`, for code that reaches for it
    /// (CPython's own tests do). threadkit's event is lock-free and does not use it: holding it
    /// does not keep other threads from setting, clearing or waiting.
    #[getter]
    fn _cond<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.cond
            .get_or_try_init(py, || {
                let threading = py.import(intern!(py, "threadkit.threading"))?;
                let lock = threading.getattr(intern!(py, "Lock"))?.call0()?;
                Ok::<_, PyErr>(
                    threading
                        .getattr(intern!(py, "Condition"))?
                        .call1((lock,))?
                        .unbind(),
                )
            })
            .map(|cond| cond.bind(py).clone())
    }

    /// Reset the private `_cond` in a forked child; the event itself has no lock to reset.
    fn _at_fork_reinit(&self, py: Python<'_>) -> PyResult<()> {
        if let Some(cond) = self.cond.get(py) {
            cond.call_method0(py, intern!(py, "_at_fork_reinit"))?;
        }
        Ok(())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let state = if slf.get().event.is_set() {
            "set"
        } else {
            "unset"
        };
        Ok(format!(
            "<{} at {:#x}: {state}>",
            repr_name(slf, "Event")?,
            slf.as_ptr() as usize
        ))
    }
}
