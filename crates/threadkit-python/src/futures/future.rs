//! `concurrent.futures.Future` over [`threadkit::futures::Future`].
//!
//! The core future keeps the state machine, the waiting and the callbacks; `private.rs` emulates
//! the stdlib's private attributes over it (`_state`, `_result`, `_exception`, `_condition`,
//! `_waiters`), which the public methods consult where code may have assigned them by hand.

use std::cell::Cell;
use std::fmt;
use std::time::Duration;

use pyo3::PyTraverseError;
use pyo3::exceptions::{PyException, PyRuntimeError, PyTimeoutError, PyTypeError, PyValueError};
use pyo3::gc::PyVisit;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};
use threadkit::futures::{State, TaskError};

use super::private::{self, Private};
use crate::errors::{CancelledError, InvalidStateError, broken_thread_pool, log_failure, logger};
use crate::{blocking, carry, timeout};

/// A finished future's value.
#[derive(Debug)]
pub(crate) struct Value(pub(crate) Py<PyAny>);

/// A failed future's exception (an instance of `BaseException`).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) exception: Py<PyAny>,
    /// The call's repr, if the failure is to be logged when nobody observes it
    /// (`unobserved.rs`).
    pub(crate) report_as: Option<String>,
}

impl Failure {
    /// A failure that is not logged if nobody observes it (no [`report_as`](Failure::report_as)).
    pub(crate) fn new(exception: Py<PyAny>) -> Self {
        Failure {
            exception,
            report_as: None,
        }
    }
}

impl From<TaskError> for Failure {
    /// A panic in the glue or a broken pool, as the exception Python code sees.
    fn from(error: TaskError) -> Self {
        Python::attach(|py| {
            let error = match error {
                TaskError::Broken(broken) => broken_thread_pool(&broken),
                other => PyRuntimeError::new_err(other.to_string()),
            };
            Failure::new(error.into_value(py).into_any())
        })
    }
}

/// The core future behind a Python one.
pub(crate) type Core = threadkit::futures::Future<Value, Failure>;

/// `threadkit.futures.Future` (the native half; the Python class also derives from
/// `concurrent.futures.Future`).
#[pyclass(
    module = "threadkit.futures",
    name = "Future",
    subclass,
    frozen,
    weakref
)]
pub(crate) struct Future {
    pub(crate) core: Core,
    /// The stdlib's private attributes.
    pub(crate) private: Private,
}

impl fmt::Debug for Future {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Future").field(&self.core).finish()
    }
}

/// The Python class `threadkit.futures.Future`, which executors instantiate; the façade
/// registers it at import.
static FUTURE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Registers the Python class executors make their futures of (`threadkit.futures.Future`).
#[pyfunction]
pub(crate) fn _set_future_type(py: Python<'_>, future_type: Bound<'_, PyType>) -> PyResult<()> {
    if !future_type.is_subclass_of::<Future>()? {
        return Err(PyValueError::new_err("not a subclass of the native Future"));
    }
    FUTURE_TYPE
        .set(py, future_type.unbind())
        .map_err(|_| PyRuntimeError::new_err("the future type is already set"))
}

impl Future {
    /// A new PENDING future of the registered Python class.
    pub(crate) fn create(py: Python<'_>) -> PyResult<Bound<'_, Future>> {
        let future_type = FUTURE_TYPE
            .get(py)
            .ok_or_else(|| PyRuntimeError::new_err("threadkit.futures is not initialized"))?;
        Ok(future_type.bind(py).call0()?.cast_into::<Future>()?)
    }

    /// The outcome, once FINISHED: `Ok(value)` or `Err(exception)`.
    fn outcome(&self, py: Python<'_>) -> Option<Result<Py<PyAny>, Py<PyAny>>> {
        self.private.outcome(py, &self.core)
    }

    /// Waits (detached) until the future settles or `timeout` passes.
    fn wait(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        if self.core.done() {
            return Ok(());
        }
        let timeout = timeout::wait(py, timeout)?;
        if timeout == Some(Duration::ZERO) {
            return Ok(());
        }
        blocking::wait(py, || {
            let _ = self.core.result_ref(timeout);
        })
    }
}

thread_local! {
    /// The future (its address) whose done-callback raised the exception this thread carries
    /// out: its later callbacks are not run, as the stdlib's loop over them is left. (Those of
    /// another future completed in the same core call, such as a shutdown's cancellations, are.)
    static STOPPED: Cell<usize> = const { Cell::new(0) };
}

/// Calls a done-callback with the future; an `Exception` is logged, as the stdlib does.
///
/// Any other `BaseException` (`KeyboardInterrupt`, `SystemExit`) goes on, as out of the stdlib's
/// callback loop: it is carried out of the core call to the glue method that completed the
/// future or added the callback ([`carry::collect`]), or, in a pool's worker, to the worker
/// (`executor.rs`), and the later callbacks of that call are not run.
fn call_callback(future: &Bound<'_, Future>, callback: &Bound<'_, PyAny>) {
    let id = future.as_ptr() as usize;
    if carry::collecting() && carry::carrying() && STOPPED.get() == id {
        return; // an earlier callback of this future raised what is on its way out
    }
    if let Err(error) = callback.call1((future,)) {
        let py = future.py();
        if carry::collecting() && !error.is_instance_of::<PyException>(py) {
            STOPPED.set(id);
            carry::stash(error);
            return;
        }
        let message = "exception calling callback for %r";
        log_failure(py, "error", (message, future), error, Some(future.as_any()));
    }
}

#[pymethods]
impl Future {
    /// Accepts any arguments for a subclass's own `__init__`; without one, arguments are an
    /// error, as they are to the stdlib's `Future.__init__(self)`.
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args, **kwargs))]
    fn new(
        cls: &Bound<'_, PyType>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let keyword = kwargs.and_then(|kwargs| kwargs.iter().next().map(|(key, _)| key));
        if keyword.is_some() || !args.is_empty() {
            check_no_arguments(cls, args, keyword)?;
        }
        Ok(Future {
            core: Core::new(),
            private: Private::new(),
        })
    }

    /// Cancel the future if possible; return True if it is cancelled.
    fn cancel(&self) -> PyResult<bool> {
        carry::collect(|| self.core.cancel())
    }

    /// Return True if the future was cancelled.
    fn cancelled(&self) -> bool {
        self.core.cancelled()
    }

    /// Return True if the future is currently executing.
    fn running(&self) -> bool {
        self.core.running()
    }

    /// Return True if the future was cancelled or finished executing.
    fn done(&self) -> bool {
        self.core.done()
    }

    /// Attach a callable that is called with the future when it finishes or is cancelled (at
    /// once if it already has).
    fn add_done_callback(slf: &Bound<'_, Self>, r#fn: Bound<'_, PyAny>) -> PyResult<()> {
        let future = slf.clone().unbind();
        let callback = r#fn.unbind();
        carry::collect(|| {
            slf.get().core.add_done_callback(move |_| {
                Python::attach(|py| call_callback(future.bind(py), callback.bind(py)));
            });
        })
    }

    /// Return the result of the call, waiting at most `timeout` seconds for it.
    #[pyo3(signature = (timeout = None))]
    fn result(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        if let Ok(Value(value)) = self.core.result_ref(Some(Duration::ZERO))
            && !self.private.assigned_by_hand()
        {
            return Ok(value.clone_ref(py));
        }
        self.wait(py, timeout)?;
        match self
            .private
            .read(py, || (self.core.cancelled(), self.outcome(py)))?
        {
            (true, _) => Err(CancelledError::new_err(())),
            (false, Some(Ok(value))) => Ok(value),
            (false, Some(Err(exception))) => Err(PyErr::from_value(exception.into_bound(py))),
            (false, None) => Err(PyTimeoutError::new_err(())),
        }
    }

    /// Return the exception raised by the call (None if it returned), waiting at most
    /// `timeout` seconds for it.
    #[pyo3(signature = (timeout = None))]
    fn exception(
        &self,
        py: Python<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<Py<PyAny>>> {
        self.wait(py, timeout)?;
        match self
            .private
            .read(py, || (self.core.cancelled(), self.outcome(py)))?
        {
            (true, _) => Err(CancelledError::new_err(())),
            (false, Some(Ok(_))) => Ok(None),
            (false, Some(Err(exception))) => Ok(Some(exception)),
            (false, None) => Err(PyTimeoutError::new_err(())),
        }
    }

    /// Mark the future as running or process any cancel notifications (for executors).
    fn set_running_or_notify_cancel(slf: &Bound<'_, Self>) -> PyResult<bool> {
        let py = slf.py();
        slf.get().core.set_running_or_notify_cancel().or_else(|_| {
            let id = slf.as_ptr() as usize;
            logger(py)?.call_method1(
                intern!(py, "critical"),
                (
                    "Future %s in unexpected state: %s",
                    id,
                    slf.get().core.state().name(),
                ),
            )?;
            Err(PyRuntimeError::new_err("Future in unexpected state"))
        })
    }

    /// Set the return value of the future (for executors and unit tests).
    fn set_result(slf: &Bound<'_, Self>, result: Py<PyAny>) -> PyResult<()> {
        carry::collect(|| slf.get().core.set_result(Value(result)))?
            .or_else(|error| invalid_state(slf, error.state))
    }

    /// Set the exception of the future (for executors and unit tests).
    fn set_exception(slf: &Bound<'_, Self>, exception: Py<PyAny>) -> PyResult<()> {
        carry::collect(|| slf.get().core.set_exception(Failure::new(exception)))?
            .or_else(|error| invalid_state(slf, error.state))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let this = slf.get();
        let class = slf.get_type().name()?;
        let address = slf.as_ptr() as usize;
        let state = this.core.state();
        let description = state.description();
        let outcome = if state == State::Finished {
            // A repr shows a failure without counting as observing it.
            match this.private.peek(py, &this.core) {
                Some(Ok(value)) => format!(" returned {}", value.bind(py).get_type().name()?),
                Some(Err(error)) => format!(" raised {}", error.bind(py).get_type().name()?),
                None => String::new(),
            }
        } else {
            String::new()
        };
        Ok(format!(
            "<{class} at {address:#x} state={description}{outcome}>"
        ))
    }

    /// The objects the future holds, for the garbage collector: a failure's traceback may hold
    /// the frame that holds the future (an `except` around `result()`), a cycle only this shows.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        match self.core.peek() {
            Some(Ok(Value(value))) => visit.call(value)?,
            Some(Err(failure)) => visit.call(&failure.exception)?,
            None => {}
        }
        self.private.traverse(&visit)
    }

    /// The stdlib's private state name (`PENDING`, `RUNNING`, `CANCELLED`,
    /// `CANCELLED_AND_NOTIFIED` or `FINISHED`). Assigning it drives the future there.
    #[getter]
    fn _state(slf: &Bound<'_, Self>) -> PyResult<&'static str> {
        private::state(slf)
    }

    #[setter(_state)]
    fn set_state(&self, state: &str) -> PyResult<()> {
        private::set_state(self, state)
    }

    /// The stdlib's private result slot.
    #[getter]
    fn _result(&self, py: Python<'_>) -> Py<PyAny> {
        private::result(self, py)
    }

    #[setter(_result)]
    fn set_manual_result(&self, py: Python<'_>, result: Py<PyAny>) {
        private::set_result(self, py, result);
    }

    /// The stdlib's private exception slot.
    #[getter]
    fn _exception(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        private::exception(self, py)
    }

    #[setter(_exception)]
    fn set_manual_exception(&self, py: Python<'_>, exception: Option<Py<PyAny>>) {
        private::set_exception(self, py, exception);
    }

    /// The stdlib's private condition: held by `concurrent.futures.wait`/`as_completed` while
    /// they install their waiters.
    #[getter]
    fn _condition(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        private::condition(slf)
    }

    /// The stdlib's private list of waiters, told of the completion under `_condition`.
    #[getter]
    fn _waiters(slf: &Bound<'_, Self>) -> PyResult<Py<PyList>> {
        private::waiters(slf)
    }
}

/// The stdlib's `TypeError` for arguments to `Future(...)`, unless the class has its own
/// `__init__` (the façade's class keeps `object.__init__`, so that making a future calls no
/// Python code).
fn check_no_arguments(
    cls: &Bound<'_, PyType>,
    args: &Bound<'_, PyTuple>,
    keyword: Option<Bound<'_, PyAny>>,
) -> PyResult<()> {
    let py = cls.py();
    let init = intern!(py, "__init__");
    if !cls.getattr(init)?.is(py.get_type::<PyAny>().getattr(init)?) {
        return Ok(());
    }
    Err(PyTypeError::new_err(match keyword {
        Some(keyword) => format!(
            "Future.__init__() got an unexpected keyword argument {}",
            keyword.repr()?
        ),
        None => format!(
            "Future.__init__() takes 1 positional argument but {} were given",
            args.len() + 1
        ),
    }))
}

/// `InvalidStateError('{state}: {future!r}')`, the stdlib's message.
fn invalid_state(future: &Bound<'_, Future>, state: &str) -> PyResult<()> {
    let repr = future.repr()?;
    Err(InvalidStateError::new_err(format!("{state}: {repr}")))
}
