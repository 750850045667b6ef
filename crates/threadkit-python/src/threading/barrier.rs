//! `threading.Barrier` over [`threadkit::Barrier`].

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::blocking;
use crate::errors::OrRaise;
use crate::timeout;

/// `threadkit.threading.Barrier`: `parties` threads wait for each other, then all go on.
///
/// Differences from CPython: `parties` below 1 is refused on every Python version, as 3.13 does
/// (3.11's stdlib builds a barrier that no thread can pass).
#[pyclass(module = "threadkit.threading", name = "Barrier", frozen, weakref)]
#[derive(Debug)]
pub(crate) struct Barrier {
    barrier: threadkit::Barrier,
    /// The constructor's `timeout`, read (as the stdlib reads it) by each `wait` that passes none.
    timeout: Option<Py<PyAny>>,
}

thread_local! {
    /// The exception the action raised in this thread, carried across the core's unwind.
    static ACTION_RAISED: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// The unwind payload of a failed action.
struct ActionFailed;

#[pymethods]
impl Barrier {
    #[new]
    #[pyo3(signature = (parties, action = None, timeout = None))]
    fn new(
        parties: &Bound<'_, PyAny>,
        action: Option<Py<PyAny>>,
        timeout: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        if parties.lt(1)? {
            return Err(PyValueError::new_err("parties must be > 0"));
        }
        let parties: usize = parties.extract()?;
        let barrier = match action {
            None => threadkit::Barrier::new(parties),
            Some(action) => threadkit::Barrier::with_action(parties, move || run_action(&action)),
        };
        Ok(Barrier { barrier, timeout })
    }

    /// Wait until all parties have called `wait`, then return this thread's arrival index (0 to
    /// parties - 1). Raise `BrokenBarrierError` if the barrier is or becomes broken, reset, or
    /// times out.
    #[pyo3(signature = (timeout = None))]
    fn wait(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
        let default = self.timeout.as_ref().map(|timeout| timeout.bind(py));
        let timeout = match timeout::wait_until(py, timeout.or(default)) {
            Ok(timeout) => timeout,
            // The stdlib reads the timeout only if it has to wait: the last arrival does not.
            Err(_) if self.barrier.n_waiting() + 1 == self.barrier.parties() => None,
            Err(error) => return Err(error),
        };
        let arrival = blocking::wait(py, || {
            panic::catch_unwind(AssertUnwindSafe(|| self.barrier.wait(timeout))).map_err(
                |payload| {
                    if payload.is::<ActionFailed>() {
                        ActionFailed
                    } else {
                        // Not ours (an interrupt, or a bug): let it go on unwinding.
                        panic::resume_unwind(payload)
                    }
                },
            )
        })?;
        match arrival {
            Ok(arrival) => arrival.or_raise(py),
            Err(ActionFailed) => Err(ACTION_RAISED
                .take()
                .expect("a failed action leaves its exception")),
        }
    }

    /// Return the barrier to its initial state; threads waiting in it get `BrokenBarrierError`.
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        blocking::wait(py, || self.barrier.reset())
    }

    /// Break the barrier: current and future `wait` calls raise `BrokenBarrierError` until
    /// `reset()`.
    fn abort(&self, py: Python<'_>) -> PyResult<()> {
        blocking::wait(py, || self.barrier.abort())
    }

    /// The number of threads required to pass the barrier.
    #[getter]
    fn parties(&self) -> usize {
        self.barrier.parties()
    }

    /// The number of threads waiting in the barrier now.
    #[getter]
    fn n_waiting(&self) -> usize {
        self.barrier.n_waiting()
    }

    /// Whether the barrier is broken.
    #[getter]
    fn broken(&self) -> bool {
        self.barrier.broken()
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let barrier = &slf.get().barrier;
        let at = slf.as_ptr() as usize;
        if barrier.broken() {
            format!("<threading.Barrier at {at:#x}: broken>")
        } else {
            format!(
                "<threading.Barrier at {at:#x}: waiters={}/{}>",
                barrier.n_waiting(),
                barrier.parties()
            )
        }
    }
}

/// Runs the Python action in the last arriving thread; an exception breaks the barrier (the core
/// does that when the action unwinds) and is raised from that thread's `wait`.
fn run_action(action: &Py<PyAny>) {
    if let Err(error) = Python::attach(|py| action.call0(py).map(drop)) {
        ACTION_RAISED.set(Some(error));
        panic::resume_unwind(Box::new(ActionFailed));
    }
}
