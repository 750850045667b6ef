//! `threading.Barrier` over [`threadkit::Barrier`].

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3::{PyTraverseError, PyVisit};

use super::init::{Init, repr_name};
use crate::errors::OrRaise;
use crate::timeout;
use crate::{blocking, carry};

/// `threadkit.threading.Barrier`: `parties` threads wait for each other, then all go on.
///
/// Subclassable like the stdlib's: `__init__` builds the core barrier (see `init.rs`). The
/// garbage collector sees the action and the timeout, so a cycle through them is collected.
///
/// Differences from CPython: `parties` below 1 is refused on every Python version, as 3.13 does
/// (3.11's stdlib builds a barrier that no thread can pass).
#[pyclass(
    module = "threadkit.threading",
    name = "Barrier",
    subclass,
    frozen,
    weakref,
    dict
)]
#[derive(Debug)]
pub(crate) struct Barrier(Init<State>);

/// What `__init__` sets.
#[derive(Debug)]
struct State {
    barrier: threadkit::Barrier,
    /// The action, shared with the core barrier's closure (one Python reference, for the GC).
    action: Option<Arc<Py<PyAny>>>,
    /// The constructor's `timeout`, read (as the stdlib reads it) by each `wait` that passes none.
    timeout: Option<Py<PyAny>>,
}

#[pymethods]
impl Barrier {
    #[new]
    #[pyo3(
        signature = (*_args, **_kwargs),
        text_signature = "(parties, action=None, timeout=None)"
    )]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Barrier(Init::new("Barrier"))
    }

    #[pyo3(signature = (parties, action = None, timeout = None))]
    fn __init__(
        &self,
        parties: &Bound<'_, PyAny>,
        action: Option<Py<PyAny>>,
        timeout: Option<Py<PyAny>>,
    ) -> PyResult<()> {
        if parties.lt(1)? {
            return Err(PyValueError::new_err("parties must be > 0"));
        }
        let parties: usize = parties.extract()?;
        let action = action.map(Arc::new);
        let barrier = match &action {
            None => threadkit::Barrier::new(parties),
            Some(action) => {
                let action = Arc::clone(action);
                threadkit::Barrier::with_action(parties, move || run_action(&action))
            }
        };
        self.0.set(State {
            barrier,
            action,
            timeout,
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(state) = self.0.try_get() {
            if let Some(action) = &state.action {
                visit.call(&**action)?;
            }
            if let Some(timeout) = &state.timeout {
                visit.call(timeout)?;
            }
        }
        Ok(())
    }

    /// Wait until all parties have called `wait`, then return this thread's arrival index (0 to
    /// parties - 1). Raise `BrokenBarrierError` if the barrier is or becomes broken, reset, or
    /// times out.
    #[pyo3(signature = (timeout = None))]
    fn wait(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
        let State {
            barrier,
            timeout: default,
            ..
        } = self.0.get()?;
        let default = default.as_ref().map(|timeout| timeout.bind(py));
        let timeout = match timeout::wait_until(py, timeout.or(default)) {
            Ok(timeout) => timeout,
            // The stdlib reads the timeout only if it has to wait: the last arrival does not.
            Err(_) if barrier.n_waiting() + 1 == barrier.parties() => None,
            Err(error) => return Err(error),
        };
        // A failing action unwinds out of the core wait with its exception (see `run_action`).
        blocking::wait_together(py, || barrier.wait(timeout))?.or_raise(py)
    }

    /// Return the barrier to its initial state; threads waiting in it get `BrokenBarrierError`.
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        let barrier = &self.0.get()?.barrier;
        blocking::wait(py, || barrier.reset())
    }

    /// Break the barrier: current and future `wait` calls raise `BrokenBarrierError` until
    /// `reset()`.
    fn abort(&self, py: Python<'_>) -> PyResult<()> {
        let barrier = &self.0.get()?.barrier;
        blocking::wait(py, || barrier.abort())
    }

    /// The number of threads required to pass the barrier.
    #[getter]
    fn parties(&self) -> PyResult<usize> {
        Ok(self.0.get()?.barrier.parties())
    }

    /// The number of threads waiting in the barrier now.
    #[getter]
    fn n_waiting(&self) -> PyResult<usize> {
        Ok(self.0.get()?.barrier.n_waiting())
    }

    /// Whether the barrier is broken.
    #[getter]
    fn broken(&self) -> PyResult<bool> {
        Ok(self.0.get()?.barrier.broken())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let barrier = &slf.get().0.get()?.barrier;
        let name = repr_name(slf, "Barrier")?;
        let at = slf.as_ptr() as usize;
        Ok(if barrier.broken() {
            format!("<{name} at {at:#x}: broken>")
        } else {
            format!(
                "<{name} at {at:#x}: waiters={}/{}>",
                barrier.n_waiting(),
                barrier.parties()
            )
        })
    }
}

/// Runs the Python action in the last arriving thread; an exception breaks the barrier (the core
/// does that when the action unwinds) and is raised from that thread's `wait`.
fn run_action(action: &Py<PyAny>) {
    if let Err(error) = Python::attach(|py| action.call0(py).map(drop)) {
        carry::unwind(error);
    }
}
