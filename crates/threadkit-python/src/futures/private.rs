//! The stdlib's private attributes of a future — `_state`, `_result`, `_exception`,
//! `_condition` and `_waiters` — kept coherent with the core future.
//!
//! Python code reaches for them beyond the public methods: `concurrent.futures.wait` and
//! `as_completed` lock `_condition` and append to `_waiters`, and CPython's own tests assign
//! `_state` and `_exception` by hand. The core future keeps the state machine; this module
//! emulates the attributes over it:
//!
//! - `_condition` and `_waiters` are made when first asked for ([`Compat`]); from then on a
//!   completion also tells the waiters in `_waiters`, under `_condition`, as the stdlib's
//!   `set_result` does.
//! - `_state` reads the core's state name; assigning it drives the core there.
//! - `_result` and `_exception` read the core's outcome until one is assigned on a finished future
//!   (or `_state = FINISHED` is): from then on the assigned slots are the outcome ([`Manual`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pyo3::PyTraverseError;
use pyo3::exceptions::PyValueError;
use pyo3::gc::PyVisit;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use threadkit::futures::{FutureError, State};

use super::future::{Core, Failure, Future, Value};
use crate::carry;

// The stdlib's state names, as `_state` holds them: the core's one table, as patterns.
const RUNNING: &str = State::Running.name();
const CANCELLED: &str = State::Cancelled.name();
const CANCELLED_AND_NOTIFIED: &str = State::CancelledAndNotified.name();
const FINISHED: &str = State::Finished.name();

/// A future's private attributes (a field of the native `Future`).
pub(crate) struct Private {
    /// `_condition` and `_waiters`, made when first asked for.
    compat: PyOnceLock<Compat>,
    /// What `_result`/`_exception` were assigned.
    manual: Mutex<Manual>,
    /// Whether `manual`, not the core's outcome, is the outcome (after `_state = FINISHED` was
    /// assigned by hand, or a finished future's `_result` or `_exception`).
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

/// Whether a read of the outcome counts as observing a failure (`unobserved.rs`).
#[derive(Clone, Copy)]
enum Read {
    Observing,
    Peeking,
}

/// The slots `_result` and `_exception` assigned by hand.
#[derive(Default)]
struct Manual {
    result: Option<Py<PyAny>>,
    exception: Option<Py<PyAny>>,
}

impl Private {
    /// No attribute asked for or assigned yet.
    pub(crate) fn new() -> Self {
        Private {
            compat: PyOnceLock::new(),
            manual: Mutex::new(Manual::default()),
            manual_active: AtomicBool::new(false),
        }
    }

    /// Whether the private attributes, assigned by hand, are the outcome.
    pub(crate) fn assigned_by_hand(&self) -> bool {
        self.manual_active.load(Ordering::Acquire)
    }

    /// The outcome of `core`, once FINISHED: `Ok(value)` or `Err(exception)` — the slots
    /// assigned by hand if they are the outcome. A failure read counts as observed.
    pub(crate) fn outcome(
        &self,
        py: Python<'_>,
        core: &Core,
    ) -> Option<Result<Py<PyAny>, Py<PyAny>>> {
        self.outcome_read(py, core, Read::Observing)
    }

    /// As [`outcome`](Private::outcome), without counting as observing a failure (`repr()`,
    /// `_result`).
    pub(crate) fn peek(&self, py: Python<'_>, core: &Core) -> Option<Result<Py<PyAny>, Py<PyAny>>> {
        self.outcome_read(py, core, Read::Peeking)
    }

    fn outcome_read(
        &self,
        py: Python<'_>,
        core: &Core,
        read: Read,
    ) -> Option<Result<Py<PyAny>, Py<PyAny>>> {
        if self.assigned_by_hand() {
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
        let outcome = match read {
            Read::Observing => match core.result_ref(Some(Duration::ZERO)) {
                Ok(value) => Some(Ok(value)),
                Err(FutureError::Failed(failure)) => Some(Err(failure)),
                Err(_) => None,
            },
            Read::Peeking => core.peek(),
        };
        outcome.map(|outcome| {
            outcome
                .map(|Value(value)| value.clone_ref(py))
                .map_err(|failure| failure.exception.clone_ref(py))
        })
    }

    /// Visits the slots assigned by hand, for the garbage collector (unless they are being
    /// assigned right now). `_condition` and `_waiters` are not visited: they hold the future
    /// only through a stdlib waiter, for as long as a `wait` runs.
    pub(crate) fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Ok(manual) = self.manual.try_lock() {
            visit.call(&manual.result)?;
            visit.call(&manual.exception)?;
        }
        Ok(())
    }

    /// Runs `read` while holding `_condition` if it exists: code that assigns the private
    /// attributes by hand does so under it, as the stdlib's own methods do.
    pub(crate) fn read<T>(&self, py: Python<'_>, read: impl FnOnce() -> T) -> PyResult<T> {
        match self.compat.get(py) {
            Some(compat) => locked(compat.condition.bind(py), || Ok(read())),
            None => Ok(read()),
        }
    }

    /// Assigns `_result` or `_exception`; on a finished future that makes the manual slots the
    /// outcome, starting from the core's.
    fn assign(&self, py: Python<'_>, core: &Core, write: impl FnOnce(&mut Manual)) {
        let mut manual = self.manual.lock().unwrap_or_else(|e| e.into_inner());
        if !self.assigned_by_hand() && core.done() {
            match core.result_ref(Some(Duration::ZERO)) {
                Ok(Value(value)) => manual.result = Some(value.clone_ref(py)),
                Err(FutureError::Failed(Failure { exception, .. })) => {
                    manual.exception = Some(exception.clone_ref(py));
                }
                Err(_) => {}
            }
            self.manual_active.store(true, Ordering::Release);
        }
        write(&mut manual);
    }
}

/// `_state`. Reading a completed state first tells the stdlib waiters of the completion if that
/// has not happened yet (see [`Compat`]).
pub(crate) fn state(future: &Bound<'_, Future>) -> PyResult<&'static str> {
    let this = future.get();
    let state = this.core.state().name();
    if let Some(compat) = this.private.compat.get(future.py())
        && matches!(state, FINISHED | CANCELLED_AND_NOTIFIED)
        && !compat.told.load(Ordering::Acquire)
    {
        tell_waiters(future, compat)?;
    }
    Ok(state)
}

/// `_state = state`: drives the core future there.
pub(crate) fn set_state(future: &Future, state: &str) -> PyResult<()> {
    let core = &future.core;
    let current = core.state().name();
    if state == current {
        return Ok(());
    }
    // (The done-callbacks that run may raise a `KeyboardInterrupt`, as from `cancel()`.)
    let reached = carry::collect(|| match state {
        RUNNING => core.set_running_or_notify_cancel() == Ok(true),
        CANCELLED => core.cancel(),
        CANCELLED_AND_NOTIFIED => core.cancel() && core.set_running_or_notify_cancel() == Ok(false),
        FINISHED => {
            // From now on `_result` and `_exception` say what the outcome is.
            future.private.manual_active.store(true, Ordering::Release);
            Python::attach(|py| core.set_result(Value(py.None()))).is_ok()
        }
        _ => false,
    })?;
    if reached {
        Ok(())
    } else {
        Err(PyValueError::new_err(format!(
            "a threadkit future cannot go from {current} to {state}"
        )))
    }
}

/// `_result` (which does not count as observing a failure).
pub(crate) fn result(future: &Future, py: Python<'_>) -> Py<PyAny> {
    match future.private.peek(py, &future.core) {
        Some(Ok(value)) => value,
        _ => py.None(),
    }
}

/// `_result = result`.
pub(crate) fn set_result(future: &Future, py: Python<'_>, result: Py<PyAny>) {
    let assign = |manual: &mut Manual| manual.result = Some(result);
    future.private.assign(py, &future.core, assign);
}

/// `_exception` (which counts as observing a failure, as `exception()` does).
pub(crate) fn exception(future: &Future, py: Python<'_>) -> Option<Py<PyAny>> {
    match future.private.outcome(py, &future.core) {
        Some(Err(exception)) => Some(exception),
        _ => None,
    }
}

/// `_exception = exception`.
pub(crate) fn set_exception(future: &Future, py: Python<'_>, exception: Option<Py<PyAny>>) {
    let assign = |manual: &mut Manual| manual.exception = exception;
    future.private.assign(py, &future.core, assign);
}

/// `_condition`: held by `concurrent.futures.wait`/`as_completed` while they install their
/// waiters.
pub(crate) fn condition(future: &Bound<'_, Future>) -> PyResult<Py<PyAny>> {
    Ok(compat(future)?.condition.clone_ref(future.py()))
}

/// `_waiters`: told of the completion under `_condition`.
pub(crate) fn waiters(future: &Bound<'_, Future>) -> PyResult<Py<PyList>> {
    Ok(compat(future)?.waiters.clone_ref(future.py()))
}

/// The stdlib's `_waiters` and `_condition`, made on first use; from then on a completion
/// also tells the waiters in `_waiters`, under `_condition`, as the stdlib's `set_result` does.
fn compat<'a>(future: &'a Bound<'_, Future>) -> PyResult<&'a Compat> {
    let py = future.py();
    let this: &'a Future = future.get();
    this.private.compat.get_or_try_init(py, || {
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
        let future = future.clone().unbind();
        this.core
            .add_notified_callback(move |_| Python::attach(|py| notify_waiters(future.bind(py))));
        Ok::<_, PyErr>(compat)
    })
}

/// Tells the stdlib waiters in `_waiters` that `future` completed (called once it has).
fn notify_waiters(future: &Bound<'_, Future>) {
    let py = future.py();
    let Some(compat) = future.get().private.compat.get(py) else {
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
    let this = future.get();
    let condition = compat.condition.bind(py);
    locked(condition, || {
        if compat.told.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let method = if this.core.cancelled() {
            intern!(py, "add_cancelled")
        } else if matches!(this.private.outcome(py, &this.core), Some(Err(_))) {
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
