//! `concurrent.futures.wait` and `as_completed` over the core's, for lists of threadkit
//! futures. Both return `None` when a future is not threadkit's; the façade then runs the
//! stdlib's own algorithm, which works on threadkit's futures too (through `_condition` and
//! `_waiters`).

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use pyo3::exceptions::{PyStopIteration, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PySet};
use threadkit::futures::{FutureError, ReturnWhen};

use super::future::{Core, Future};
use crate::blocking;
use crate::errors::ToPyErr;
use crate::timeout;

/// Distinct core futures, and their Python objects by core identity.
type Natives = (Vec<Core>, HashMap<usize, Py<PyAny>>);

/// The core futures of `fs` and, by core identity, their Python objects; `None` if one of them
/// is not a threadkit future, or is one whose outcome was assigned by hand (`_state`,
/// `_exception`), which only the private attributes the stdlib's algorithm reads know of.
fn natives(fs: &Bound<'_, PyAny>) -> PyResult<Option<Natives>> {
    let mut cores = Vec::new();
    let mut objects = HashMap::new();
    for future in fs.try_iter()? {
        let future = future?;
        let Ok(native) = future.cast::<Future>() else {
            return Ok(None);
        };
        if native.get().private.assigned_by_hand() {
            return Ok(None);
        }
        let core = native.get().core.clone();
        if objects.insert(core.id(), future.unbind()).is_none() {
            cores.push(core);
        }
    }
    Ok(Some((cores, objects)))
}

/// `wait(fs, timeout, return_when)` on threadkit futures: `(done, not_done)` as sets, or `None`
/// if `fs` holds a future that is not threadkit's.
///
/// In the stdlib's order: the futures already done may answer the call (some done for
/// `FIRST_COMPLETED`, a failed one for `FIRST_EXCEPTION`, all of them for any condition), and
/// only a call that has to wait checks `return_when` and `timeout`.
#[pyfunction]
#[pyo3(signature = (fs, timeout, return_when))]
pub(crate) fn wait<'py>(
    py: Python<'py>,
    fs: &Bound<'py, PyAny>,
    timeout: Option<&Bound<'py, PyAny>>,
    return_when: &Bound<'py, PyAny>,
) -> PyResult<Option<(Bound<'py, PySet>, Bound<'py, PySet>)>> {
    let Some((cores, objects)) = natives(fs)? else {
        return Ok(None);
    };
    let mode = match return_when.extract::<&str>() {
        Ok("FIRST_COMPLETED") => Some(ReturnWhen::FirstCompleted),
        Ok("FIRST_EXCEPTION") => Some(ReturnWhen::FirstException),
        Ok("ALL_COMPLETED") => Some(ReturnWhen::AllCompleted),
        _ => None,
    };
    let done = Core::notified;
    let failed = |core: &Core| {
        done(core)
            && matches!(
                core.result_ref(Some(Duration::ZERO)),
                Err(FutureError::Failed(_))
            )
    };
    let answered = match mode {
        Some(ReturnWhen::FirstCompleted) => cores.iter().any(done),
        Some(ReturnWhen::FirstException) => cores.iter().any(failed),
        _ => false,
    } || cores.iter().all(done);
    let outcome = match mode {
        _ if answered => threadkit::futures::wait(
            &cores,
            Some(Duration::ZERO),
            mode.unwrap_or(ReturnWhen::AllCompleted),
        ),
        None => {
            return Err(PyValueError::new_err(format!(
                "Invalid return condition: {}",
                return_when.repr()?
            )));
        }
        Some(mode) => match timeout::wait(py, timeout)? {
            Some(Duration::ZERO) => threadkit::futures::wait(&cores, Some(Duration::ZERO), mode),
            timeout => blocking::wait(py, || threadkit::futures::wait(&cores, timeout, mode))?,
        },
    };
    let done = PySet::empty(py)?;
    for core in &outcome.done {
        done.add(objects[&core.id()].bind(py))?;
    }
    let not_done = PySet::empty(py)?;
    for core in &outcome.not_done {
        not_done.add(objects[&core.id()].bind(py))?;
    }
    Ok(Some((done, not_done)))
}

/// `as_completed(fs, timeout)` on threadkit futures, or `None` if `fs` holds a future that is
/// not threadkit's.
#[pyfunction]
#[pyo3(signature = (fs, timeout = None))]
pub(crate) fn as_completed(
    fs: &Bound<'_, PyAny>,
    timeout: Option<Bound<'_, PyAny>>,
) -> PyResult<Option<AsCompleted>> {
    let Some((cores, objects)) = natives(fs)? else {
        return Ok(None);
    };
    Ok(Some(AsCompleted {
        state: Mutex::new(State::Created {
            cores,
            timeout: timeout.map(Bound::unbind),
        }),
        objects: Mutex::new(objects),
    }))
}

/// The iterator of [`as_completed`]. Like the stdlib's generator it starts at the first
/// `next()`: that is when the timeout starts to run.
#[pyclass(module = "threadkit.futures", name = "_AsCompleted", frozen)]
pub(crate) struct AsCompleted {
    state: Mutex<State>,
    /// The futures not yielded yet: a yielded one is not kept alive by the iterator.
    objects: Mutex<HashMap<usize, Py<PyAny>>>,
}

enum State {
    Created {
        cores: Vec<Core>,
        timeout: Option<Py<PyAny>>,
    },
    Running {
        iterator: threadkit::futures::AsCompleted<super::future::Value, super::future::Failure>,
        /// Why the timeout cannot be waited for (too large for the clock): raised, as the
        /// stdlib's wait raises it, only when a future is still pending once the done ones are
        /// yielded.
        unusable_timeout: Option<PyErr>,
    },
    Ended,
}

impl fmt::Debug for AsCompleted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted").finish_non_exhaustive()
    }
}

impl AsCompleted {
    /// The Python object of a future being yielded, which the iterator then forgets.
    fn take(&self, core: &Core) -> Py<PyAny> {
        self.objects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&core.id())
            .expect("every yielded future is one of the iterator's, yielded once")
    }
}

#[pymethods]
impl AsCompleted {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let Ok(mut state) = self.state.try_lock() else {
            return Err(PyValueError::new_err("generator already executing"));
        };
        if let State::Created { cores, timeout } = &*state {
            let (timeout, unusable_timeout) = match timeout {
                // The stdlib computes `timeout + time.monotonic()`, failing as that addition does.
                Some(timeout) => {
                    let timeout = timeout.bind(py);
                    timeout.add(PyFloat::new(py, 0.0))?;
                    match timeout::wait(py, Some(timeout)) {
                        Ok(timeout) => (timeout, None),
                        Err(error) => (None, Some(error)),
                    }
                }
                None => (None, None),
            };
            *state = State::Running {
                iterator: threadkit::futures::as_completed(cores, timeout),
                unusable_timeout,
            };
        }
        let State::Running {
            iterator,
            unusable_timeout,
        } = &mut *state
        else {
            return Err(PyStopIteration::new_err(()));
        };
        if let Some(core) = iterator.try_next() {
            return Ok(self.take(&core));
        }
        let pending = !self
            .objects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty();
        if pending && let Some(error) = unusable_timeout.take() {
            *state = State::Ended;
            return Err(error);
        }
        let next = blocking::wait(py, || iterator.next());
        let next = match next {
            Ok(next) => next,
            Err(error) => {
                *state = State::Ended;
                return Err(error);
            }
        };
        match next {
            Some(Ok(core)) => Ok(self.take(&core)),
            Some(Err(error)) => {
                *state = State::Ended;
                Err(error.to_pyerr(py))
            }
            None => {
                *state = State::Ended;
                Err(PyStopIteration::new_err(()))
            }
        }
    }

    /// Stops the iteration and unregisters from the futures (like closing the generator).
    fn close(&self) {
        if let Ok(mut state) = self.state.try_lock() {
            *state = State::Ended;
            self.objects
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
        }
    }
}
