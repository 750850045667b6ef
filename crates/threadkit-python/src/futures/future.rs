//! `concurrent.futures.Future` over [`threadkit::futures::Future`].
//!
//! The core future keeps the state machine, the waiting and the callbacks; the Python object
//! adds what Python code reaches for beyond the public methods: the stdlib's private `_state`,
//! `_result`, `_exception`, `_condition` and `_waiters`, so that `concurrent.futures.wait` and
//! `as_completed` (which lock `_condition` and append to `_waiters`) and CPython's own tests (which
//! assign `_state` and `_exception` by hand) work on threadkit's futures too.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyTimeoutError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};
use threadkit::futures::{FutureError, TaskError};

use crate::blocking;
use crate::errors::{CancelledError, InvalidStateError, broken_thread_pool, log_failure, logger};
use crate::timeout;

/// A finished future's value.
#[derive(Debug)]
pub(crate) struct Value(pub(crate) Py<PyAny>);

/// A failed future's exception (an instance of `BaseException`).
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) Py<PyAny>);

impl From<TaskError> for Failure {
    /// A panic in the glue or a broken pool, as the exception Python code sees.
    fn from(error: TaskError) -> Self {
        Python::attach(|py| {
            let error = match error {
                TaskError::Broken(broken) => broken_thread_pool(&broken),
                other => PyRuntimeError::new_err(other.to_string()),
            };
            Failure(error.into_value(py).into_any())
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
    /// `_condition` and `_waiters`, made when first asked for.
    compat: PyOnceLock<Compat>,
    /// What `_result`/`_exception` were assigned, and whether that, not the core's outcome, is
    /// the outcome (after `_state = FINISHED` was assigned by hand).
    manual: Mutex<Manual>,
    manual_active: AtomicBool,
}

/// The stdlib's private waiting state, kept coherent with the core future.
///
/// The stdlib changes `_state` and tells `_waiters` in one step under `_condition`; here the
/// core completes first and the waiters are told after. A stdlib waiter that saw the future done
/// in between (and so counts it already) must not be told again, so whichever comes first, the
/// completion's notification or a read of `_state` that sees the future completed, tells the
/// waiters present at that moment, under `_condition`; `told` records that it happened.
struct Compat {
    condition: Py<PyAny>,
    waiters: Py<PyList>,
    told: AtomicBool,
}

#[derive(Default)]
struct Manual {
    result: Option<Py<PyAny>>,
    exception: Option<Py<PyAny>>,
}

impl fmt::Debug for Future {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Future").field(&self.core).finish()
    }
}

/// The stdlib's state names, as `_state` holds them.
const PENDING: &str = "PENDING";
const RUNNING: &str = "RUNNING";
const CANCELLED: &str = "CANCELLED";
const CANCELLED_AND_NOTIFIED: &str = "CANCELLED_AND_NOTIFIED";
const FINISHED: &str = "FINISHED";

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
        if self.manual_active.load(Ordering::Acquire) {
            let manual = self.manual.lock().unwrap_or_else(|e| e.into_inner());
            // The stdlib tests `if self._exception:`.
            return Some(match &manual.exception {
                Some(exception) if exception.bind(py).is_truthy().unwrap_or(true) => {
                    Err(exception.clone_ref(py))
                }
                _ => Ok(manual
                    .result
                    .as_ref()
                    .map_or_else(|| py.None(), |result| result.clone_ref(py))),
            });
        }
        match self.core.result_ref(Some(Duration::ZERO)) {
            Ok(Value(value)) => Some(Ok(value.clone_ref(py))),
            Err(FutureError::Failed(Failure(exception))) => Some(Err(exception.clone_ref(py))),
            Err(_) => None,
        }
    }

    /// Runs `read` while holding `_condition` if it exists: code that assigns the private
    /// attributes by hand does so under it, as the stdlib's own methods do.
    fn read<T>(&self, py: Python<'_>, read: impl FnOnce() -> T) -> PyResult<T> {
        match self.compat.get(py) {
            Some(compat) => locked(compat.condition.bind(py), || Ok(read())),
            None => Ok(read()),
        }
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

    /// The stdlib's `_state` name of the future.
    fn state_name(&self) -> &'static str {
        self.core.state_name()
    }

    /// The stdlib's `_waiters` and `_condition`, made on first use; from then on a completion
    /// also tells the waiters in `_waiters`, under `_condition`, as the stdlib's `set_result`
    /// does.
    fn compat<'a>(slf: &'a Bound<'_, Self>) -> PyResult<&'a Compat> {
        let py = slf.py();
        let this: &'a Future = slf.get();
        this.compat.get_or_try_init(py, || {
            let condition = py
                .import(intern!(py, "threadkit.threading"))?
                .getattr(intern!(py, "Condition"))?
                .call0()?
                .unbind();
            let compat = Compat {
                condition,
                waiters: PyList::empty(py).unbind(),
                told: AtomicBool::new(false),
            };
            let future = slf.clone().unbind();
            this.core.add_notified_callback(move |_| {
                Python::attach(|py| notify_waiters(future.bind(py)))
            });
            Ok::<_, PyErr>(compat)
        })
    }
}

/// Tells the stdlib waiters in `_waiters` that `future` completed (called once it has).
fn notify_waiters(future: &Bound<'_, Future>) {
    let py = future.py();
    let Some(compat) = future.get().compat.get(py) else {
        return;
    };
    if let Err(error) = tell_waiters(future, compat) {
        error.write_unraisable(py, Some(future.as_any()));
    }
}

/// Under `_condition`, unless they were told already: tells the waiters in `_waiters` that
/// `future` completed, and wakes whoever waits on `_condition`.
fn tell_waiters(future: &Bound<'_, Future>, compat: &Compat) -> PyResult<()> {
    let py = future.py();
    let condition = compat.condition.bind(py);
    locked(condition, || {
        if compat.told.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let method = if future.get().core.cancelled() {
            intern!(py, "add_cancelled")
        } else if matches!(future.get().outcome(py), Some(Err(_))) {
            intern!(py, "add_exception")
        } else {
            intern!(py, "add_result")
        };
        for waiter in compat.waiters.bind(py).iter() {
            waiter.call_method1(method, (future,))?;
        }
        condition.call_method0(intern!(py, "notify_all"))?;
        Ok(())
    })
}

/// Runs `body` holding `condition` (the stdlib's `with self._condition:`); the condition is
/// released whatever `body` returns.
fn locked<T>(condition: &Bound<'_, PyAny>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    let py = condition.py();
    condition.call_method0(intern!(py, "acquire"))?;
    let outcome = body();
    condition.call_method0(intern!(py, "release"))?;
    outcome
}

/// Calls a done-callback with the future; an exception is logged, as the stdlib does.
fn call_callback(future: &Bound<'_, Future>, callback: &Bound<'_, PyAny>) {
    if let Err(error) = callback.call1((future,)) {
        let py = future.py();
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
            compat: PyOnceLock::new(),
            manual: Mutex::new(Manual::default()),
            manual_active: AtomicBool::new(false),
        })
    }

    /// Cancel the future if possible; return True if it is cancelled.
    fn cancel(&self) -> bool {
        self.core.cancel()
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
    fn add_done_callback(slf: &Bound<'_, Self>, r#fn: Bound<'_, PyAny>) {
        let future = slf.clone().unbind();
        let callback = r#fn.unbind();
        slf.get().core.add_done_callback(move |_| {
            Python::attach(|py| call_callback(future.bind(py), callback.bind(py)));
        });
    }

    /// Return the result of the call, waiting at most `timeout` seconds for it.
    #[pyo3(signature = (timeout = None))]
    fn result(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        if let Ok(Value(value)) = self.core.result_ref(Some(Duration::ZERO))
            && !self.manual_active.load(Ordering::Acquire)
        {
            return Ok(value.clone_ref(py));
        }
        self.wait(py, timeout)?;
        match self.read(py, || (self.core.cancelled(), self.outcome(py)))? {
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
        match self.read(py, || (self.core.cancelled(), self.outcome(py)))? {
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
                    slf.get().state_name(),
                ),
            )?;
            Err(PyRuntimeError::new_err("Future in unexpected state"))
        })
    }

    /// Set the return value of the future (for executors and unit tests).
    fn set_result(slf: &Bound<'_, Self>, result: Py<PyAny>) -> PyResult<()> {
        slf.get()
            .core
            .set_result(Value(result))
            .or_else(|error| invalid_state(slf, error.state))
    }

    /// Set the exception of the future (for executors and unit tests).
    fn set_exception(slf: &Bound<'_, Self>, exception: Py<PyAny>) -> PyResult<()> {
        slf.get()
            .core
            .set_exception(Failure(exception))
            .or_else(|error| invalid_state(slf, error.state))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let this = slf.get();
        let class = slf.get_type().name()?;
        let address = slf.as_ptr() as usize;
        let state = this.state_name();
        let description = match state {
            PENDING => "pending",
            RUNNING => "running",
            FINISHED => "finished",
            _ => "cancelled",
        };
        let outcome = if state == FINISHED {
            match this.outcome(py) {
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

    /// The stdlib's private state name (`PENDING`, `RUNNING`, `CANCELLED`,
    /// `CANCELLED_AND_NOTIFIED` or `FINISHED`). Assigning it drives the future there.
    ///
    /// Reading a completed state first tells the stdlib waiters of the completion if that has
    /// not happened yet (see [`Compat`]).
    #[getter]
    fn _state(slf: &Bound<'_, Self>) -> PyResult<&'static str> {
        let this = slf.get();
        let state = this.state_name();
        if let Some(compat) = this.compat.get(slf.py())
            && matches!(state, FINISHED | CANCELLED_AND_NOTIFIED)
            && !compat.told.load(Ordering::Acquire)
        {
            tell_waiters(slf, compat)?;
        }
        Ok(state)
    }

    #[setter(_state)]
    fn set_state(&self, state: &str) -> PyResult<()> {
        let current = self.state_name();
        if state == current {
            return Ok(());
        }
        let reached = match state {
            RUNNING => self.core.set_running_or_notify_cancel() == Ok(true),
            CANCELLED => self.core.cancel(),
            CANCELLED_AND_NOTIFIED => {
                self.core.cancel() && self.core.set_running_or_notify_cancel() == Ok(false)
            }
            FINISHED => {
                // From now on `_result` and `_exception` say what the outcome is.
                self.manual_active.store(true, Ordering::Release);
                Python::attach(|py| self.core.set_result(Value(py.None()))).is_ok()
            }
            _ => false,
        };
        if reached {
            Ok(())
        } else {
            Err(PyValueError::new_err(format!(
                "a threadkit future cannot go from {current} to {state}"
            )))
        }
    }

    /// The stdlib's private result slot.
    #[getter]
    fn _result(&self, py: Python<'_>) -> Py<PyAny> {
        match self.outcome(py) {
            Some(Ok(value)) => value,
            _ => py.None(),
        }
    }

    #[setter(_result)]
    fn set_manual_result(&self, py: Python<'_>, result: Py<PyAny>) {
        self.assign(py, |manual| manual.result = Some(result));
    }

    /// The stdlib's private exception slot.
    #[getter]
    fn _exception(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        match self.outcome(py) {
            Some(Err(exception)) => Some(exception),
            _ => None,
        }
    }

    #[setter(_exception)]
    fn set_manual_exception(&self, py: Python<'_>, exception: Option<Py<PyAny>>) {
        self.assign(py, |manual| manual.exception = exception);
    }

    /// The stdlib's private condition: held by `concurrent.futures.wait`/`as_completed` while
    /// they install their waiters.
    #[getter]
    fn _condition(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(Future::compat(slf)?.condition.clone_ref(slf.py()))
    }

    /// The stdlib's private list of waiters, told of the completion under `_condition`.
    #[getter]
    fn _waiters(slf: &Bound<'_, Self>) -> PyResult<Py<PyList>> {
        Ok(Future::compat(slf)?.waiters.clone_ref(slf.py()))
    }
}

impl Future {
    /// Whether `_state = FINISHED` or an assignment to a finished future's `_result` or
    /// `_exception` made the private attributes the outcome.
    pub(crate) fn assigned_by_hand(&self) -> bool {
        self.manual_active.load(Ordering::Acquire)
    }

    /// Assigns `_result` or `_exception`; on a finished future that makes the manual slots the
    /// outcome, starting from the core's.
    fn assign(&self, py: Python<'_>, write: impl FnOnce(&mut Manual)) {
        let mut manual = self.manual.lock().unwrap_or_else(|e| e.into_inner());
        if !self.manual_active.load(Ordering::Acquire) && self.core.done() {
            match self.core.result_ref(Some(Duration::ZERO)) {
                Ok(Value(value)) => manual.result = Some(value.clone_ref(py)),
                Err(FutureError::Failed(Failure(exception))) => {
                    manual.exception = Some(exception.clone_ref(py));
                }
                Err(_) => {}
            }
            self.manual_active.store(true, Ordering::Release);
        }
        write(&mut manual);
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
