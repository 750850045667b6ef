//! `threading.Condition` over [`threadkit::Condition`], on a threadkit lock or on any lock object.
//!
//! Over threadkit's own `Lock` or `RLock` the condition works on the core lock directly. Over any
//! other lock (a stdlib lock, a user's class) it falls back, as the stdlib's `Condition` does, to
//! calling the lock's Python methods: `acquire`/`release`, and `_is_owned`/`_release_save`/
//! `_acquire_restore` where the lock has them. Exceptions those methods raise while the core
//! waits are carried out of the wait and raised from the Condition's method.

use std::time::{Duration, Instant};

use pyo3::PyClass;
use pyo3::exceptions::{PyAttributeError, PyDeprecationWarning};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyTuple};
use threadkit::{ConditionLock, NotOwnedError, RLockState, ReleaseError};

use super::init::Init;
use super::{Lock, RLock};
use crate::errors::OrRaise;
use crate::timeout::{self, Arg};
use crate::{blocking, carry};

/// `threadkit.threading.Condition`: a condition variable over a lock (a new `RLock` by default).
///
/// Subclassable like the stdlib's: `__init__` builds the core condition (see `init.rs`).
#[pyclass(
    module = "threadkit.threading",
    name = "Condition",
    subclass,
    frozen,
    weakref,
    dict
)]
#[derive(Debug)]
pub(crate) struct Condition(Init<State>);

/// What `__init__` sets.
#[derive(Debug)]
struct State {
    /// The lock object, as Python code sees it.
    lock: Py<PyAny>,
    inner: Inner,
}

/// The core condition, typed by the kind of lock under it.
#[derive(Debug)]
enum Inner {
    Lock(threadkit::Condition<Shared<Lock>>),
    RLock(threadkit::Condition<Shared<RLock>>),
    Python(threadkit::Condition<PyLock>),
}

/// Runs `$body` with `$condition` bound to the core condition, whatever its lock.
macro_rules! with_core {
    ($inner:expr, $condition:ident => $body:expr) => {
        match $inner {
            Inner::Lock($condition) => $body,
            Inner::RLock($condition) => $body,
            Inner::Python($condition) => $body,
        }
    };
}

#[pymethods]
impl Condition {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(lock=None)")]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Condition(Init::new("Condition"))
    }

    #[pyo3(signature = (lock = None))]
    fn __init__(&self, py: Python<'_>, lock: Option<Bound<'_, PyAny>>) -> PyResult<()> {
        let lock = match lock {
            Some(lock) => lock,
            None => Bound::new(py, RLock::new())?.into_any(),
        };
        // Only threadkit's own locks are driven directly; a subclass may override their methods,
        // so it is called through them like any other lock.
        let inner = if let Ok(native) = lock.cast_exact::<Lock>() {
            Inner::Lock(threadkit::Condition::with_lock(Shared(
                native.clone().unbind(),
            )))
        } else if let Ok(native) = lock.cast_exact::<RLock>() {
            Inner::RLock(threadkit::Condition::with_lock(Shared(
                native.clone().unbind(),
            )))
        } else {
            // The stdlib takes the lock's `acquire` and `release` here: a lock without them
            // fails now, with its AttributeError.
            lock.getattr(intern!(py, "acquire"))?;
            lock.getattr(intern!(py, "release"))?;
            Inner::Python(threadkit::Condition::with_lock(PyLock(
                lock.clone().unbind(),
            )))
        };
        self.0.set(State {
            lock: lock.unbind(),
            inner,
        })
    }

    /// Acquire the underlying lock (its own `acquire`, with the same arguments and result).
    #[pyo3(
        signature = (blocking = Arg::Missing, timeout = Arg::Missing),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn acquire<'py>(
        &self,
        py: Python<'py>,
        blocking: Arg<'py>,
        timeout: Arg<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let acquired = match &self.state()?.inner {
            Inner::Lock(condition) => condition
                .underlying()
                .0
                .get()
                .acquire(py, blocking, timeout)?,
            Inner::RLock(condition) => condition
                .underlying()
                .0
                .get()
                .acquire(py, blocking, timeout)?,
            Inner::Python(_) => {
                let mut args = Vec::new();
                for arg in [blocking, timeout] {
                    match arg {
                        Arg::Given(value) => args.push(value),
                        Arg::Missing => break,
                    }
                }
                let args = PyTuple::new(py, args)?;
                return self
                    .state()?
                    .lock
                    .bind(py)
                    .call_method1(intern!(py, "acquire"), args);
            }
        };
        Ok(PyBool::new(py, acquired).to_owned().into_any())
    }

    /// Release the underlying lock.
    fn release<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.state()?.inner {
            Inner::Lock(condition) => condition.underlying().0.get().release(py)?,
            Inner::RLock(condition) => condition.underlying().0.get().release(py)?,
            Inner::Python(_) => {
                return self
                    .state()?
                    .lock
                    .bind(py)
                    .call_method0(intern!(py, "release"));
            }
        }
        Ok(py.None().into_bound(py))
    }

    /// Whether the underlying lock is held (3.14's `Condition.locked()`, on every Python).
    fn locked(&self, py: Python<'_>) -> PyResult<bool> {
        match &self.state()?.inner {
            Inner::Lock(condition) => Ok(condition.underlying().0.get().core().locked()),
            Inner::RLock(condition) => Ok(condition.underlying().0.get().core().locked()),
            Inner::Python(_) => self
                .state()?
                .lock
                .bind(py)
                .call_method0(intern!(py, "locked"))?
                .is_truthy(),
        }
    }

    /// Acquire the underlying lock, waiting forever.
    fn __enter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.state()?.inner {
            Inner::Python(_) => self
                .state()?
                .lock
                .bind(py)
                .call_method0(intern!(py, "__enter__")),
            _ => self.acquire(py, Arg::Missing, Arg::Missing),
        }
    }

    /// Release the underlying lock.
    #[pyo3(signature = (*exc_info))]
    fn __exit__<'py>(
        &self,
        py: Python<'py>,
        exc_info: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match &self.state()?.inner {
            Inner::Python(_) => self
                .state()?
                .lock
                .bind(py)
                .call_method1(intern!(py, "__exit__"), exc_info),
            _ => self.release(py),
        }
    }

    /// Whether the calling thread holds the underlying lock (for a plain lock: whether anyone
    /// does).
    fn _is_owned(&self, _py: Python<'_>) -> PyResult<bool> {
        let owned = with_core!(&self.state()?.inner, condition => condition.is_owned());
        carry::take().map_or(Ok(owned), Err)
    }

    /// Release the underlying lock completely and return what `_acquire_restore` needs.
    fn _release_save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let lock = self.state()?.lock.bind(py);
        match &self.state()?.inner {
            Inner::Lock(condition) => condition.underlying().0.get().release(py)?,
            Inner::RLock(condition) => {
                return condition
                    .underlying()
                    .0
                    .get()
                    ._release_save(py)?
                    .into_pyobject(py)
                    .map(Bound::into_any);
            }
            Inner::Python(_) => {
                if lock.hasattr(intern!(py, "_release_save"))? {
                    return lock.call_method0(intern!(py, "_release_save"));
                }
                lock.call_method0(intern!(py, "release"))?;
            }
        }
        Ok(py.None().into_bound(py))
    }

    /// Re-acquire the underlying lock, waiting forever, as `_release_save` left it.
    #[pyo3(signature = (state, /))]
    fn _acquire_restore(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
        let lock = self.state()?.lock.bind(py);
        match &self.state()?.inner {
            Inner::Lock(condition) => {
                condition
                    .underlying()
                    .0
                    .get()
                    .acquire(py, Arg::Missing, Arg::Missing)?;
            }
            Inner::RLock(condition) => {
                condition
                    .underlying()
                    .0
                    .get()
                    ._acquire_restore(py, state.extract()?)?;
            }
            Inner::Python(_) => {
                if lock.hasattr(intern!(py, "_acquire_restore"))? {
                    lock.call_method1(intern!(py, "_acquire_restore"), (state,))?;
                } else {
                    lock.call_method0(intern!(py, "acquire"))?;
                }
            }
        }
        Ok(())
    }

    /// How many times the calling thread holds the underlying re-entrant lock.
    fn _recursion_count(&self, py: Python<'_>) -> PyResult<usize> {
        match &self.state()?.inner {
            Inner::RLock(condition) => Ok(condition.underlying().0.get()._recursion_count()),
            _ => self
                .state()?
                .lock
                .bind(py)
                .call_method0(intern!(py, "_recursion_count"))
                .map_err(|_| {
                    PyAttributeError::new_err("the underlying lock has no _recursion_count()")
                })?
                .extract(),
        }
    }

    /// Wait until notified or until the optional timeout passes; the caller must hold the lock,
    /// which is released while waiting and held again on return. Return false on timeout.
    #[pyo3(signature = (timeout = None))]
    fn wait(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        self.check_owned(py, NotOwnedError::Wait)?;
        let timeout = timeout::wait(py, timeout)?;
        self.wait_core(py, timeout)
    }

    /// Wait until `predicate()` is true, or until the optional timeout passes; return the
    /// predicate's last result.
    #[pyo3(signature = (predicate, timeout = None))]
    fn wait_for<'py>(
        &self,
        py: Python<'py>,
        predicate: &Bound<'py, PyAny>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut result = predicate.call0()?;
        if result.is_truthy()? {
            return Ok(result);
        }
        let timeout = timeout::wait_until(py, timeout)?;
        let deadline = timeout.map(|timeout| Instant::now().checked_add(timeout));
        let mut wait = timeout;
        loop {
            self.check_owned(py, NotOwnedError::Wait)?;
            self.wait_core(py, wait)?;
            result = predicate.call0()?;
            if result.is_truthy()? {
                return Ok(result);
            }
            if let Some(Some(deadline)) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(result);
                }
                wait = Some(left);
            }
        }
    }

    /// Wake up to `n` threads waiting on this condition, in the order they started waiting; the
    /// caller must hold the lock.
    #[pyo3(signature = (n = Arg::Missing), text_signature = "($self, /, n=1)")]
    fn notify(&self, py: Python<'_>, n: Arg<'_>) -> PyResult<()> {
        self.check_owned(py, NotOwnedError::Notify)?;
        let n = match n {
            Arg::Missing => 1,
            // The stdlib only looks at `n` while threads wait, comparing it with 0.
            Arg::Given(_)
                if with_core!(&self.state()?.inner, condition => condition.waiter_count()) == 0 =>
            {
                return Ok(());
            }
            Arg::Given(n) => permits(&n)?,
        };
        with_core!(&self.state()?.inner, condition => condition.notify(n)).or_raise(py)?;
        carry::take().map_or(Ok(()), Err)
    }

    /// Wake every thread waiting on this condition; the caller must hold the lock.
    fn notify_all(&self, py: Python<'_>) -> PyResult<()> {
        self.check_owned(py, NotOwnedError::Notify)?;
        with_core!(&self.state()?.inner, condition => condition.notify_all()).or_raise(py)?;
        carry::take().map_or(Ok(()), Err)
    }

    /// Wake every waiting thread (deprecated alias of `notify_all`).
    #[pyo3(name = "notifyAll")]
    fn notify_all_deprecated(&self, py: Python<'_>) -> PyResult<()> {
        PyErr::warn(
            py,
            &py.get_type::<PyDeprecationWarning>(),
            c"notifyAll() is deprecated, use notify_all() instead",
            1,
        )?;
        self.notify_all(py)
    }

    /// Reset the underlying lock in a forked child, and forget the parent's waiters.
    fn _at_fork_reinit(&self, py: Python<'_>) -> PyResult<()> {
        match &self.state()?.inner {
            Inner::Lock(condition) => condition.underlying().0.get()._at_fork_reinit(),
            Inner::RLock(condition) => condition.underlying().0.get()._at_fork_reinit(),
            Inner::Python(_) => {
                self.state()?
                    .lock
                    .bind(py)
                    .call_method0(intern!(py, "_at_fork_reinit"))?;
            }
        }
        with_core!(&self.state()?.inner, condition => condition.forget_waiters());
        Ok(())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let waiters = with_core!(&self.state()?.inner, condition => condition.waiter_count());
        Ok(format!(
            "<Condition({}, {waiters})>",
            self.state()?.lock.bind(py).repr()?
        ))
    }
}

impl Condition {
    /// What `__init__` set.
    #[inline]
    fn state(&self) -> PyResult<&State> {
        self.0.get()
    }

    /// The stdlib checks ownership before it looks at any other argument.
    fn check_owned(&self, py: Python<'_>, error: NotOwnedError) -> PyResult<()> {
        if self._is_owned(py)? {
            Ok(())
        } else {
            Err(error).or_raise(py)
        }
    }

    /// One core wait, detached; an exception from a Python lock's methods wins.
    fn wait_core(&self, py: Python<'_>, timeout: Option<Duration>) -> PyResult<bool> {
        let inner = &self.state()?.inner;
        let notified = blocking::wait(
            py,
            || with_core!(inner, condition => condition.wait(timeout)),
        );
        if let Some(error) = carry::take() {
            return Err(error);
        }
        notified?.or_raise(py)
    }
}

/// How many waiters `notify(n)` wakes: the stdlib wakes one while `n > 0`, subtracting 1 each
/// time, so a fraction counts as a whole one and a number that is not positive wakes none.
fn permits(n: &Bound<'_, PyAny>) -> PyResult<usize> {
    if !n.gt(0)? {
        return Ok(0);
    }
    if let Ok(n) = n.extract::<usize>() {
        return Ok(n);
    }
    let n: f64 = n.extract()?;
    // Saturating: more than `usize::MAX` waiters cannot exist.
    Ok(n.ceil() as usize)
}

/// A threadkit lock that a condition shares with Python code, which keeps it alive.
#[derive(Debug)]
struct Shared<T: PyClass>(Py<T>);

/// Forwards [`ConditionLock`] to the core lock inside a shared glue lock.
macro_rules! forward_to_core {
    ($glue:ty, $state:ty) => {
        impl ConditionLock for Shared<$glue> {
            type State = $state;

            fn acquire(&self, timeout: Option<Duration>) -> bool {
                ConditionLock::acquire(self.0.get().core(), timeout)
            }

            fn try_acquire(&self) -> bool {
                ConditionLock::try_acquire(self.0.get().core())
            }

            fn release(&self) -> Result<(), ReleaseError> {
                ConditionLock::release(self.0.get().core())
            }

            fn is_owned(&self) -> bool {
                ConditionLock::is_owned(self.0.get().core())
            }

            fn release_save(&self) -> Result<$state, ReleaseError> {
                ConditionLock::release_save(self.0.get().core())
            }

            fn acquire_restore(&self, state: $state) {
                ConditionLock::acquire_restore(self.0.get().core(), state)
            }
        }
    };
}

forward_to_core!(Lock, ());
forward_to_core!(RLock, RLockState);

/// Any lock object, driven through its Python methods like the stdlib's `Condition` does.
#[derive(Debug)]
struct PyLock(Py<PyAny>);

impl PyLock {
    /// Calls `lock.<name>(*args)` attached; an exception is kept for the glue to raise.
    fn call<A>(&self, name: &str, args: A) -> Option<Py<PyAny>>
    where
        A: for<'py> pyo3::call::PyCallArgs<'py>,
    {
        Python::attach(|py| match self.0.bind(py).call_method1(name, args) {
            Ok(value) => Some(value.unbind()),
            Err(error) => {
                carry::stash(error);
                None
            }
        })
    }

    /// Whether the lock has a method called `name`.
    fn has(&self, name: &str) -> bool {
        Python::attach(|py| self.0.bind(py).hasattr(name).unwrap_or(false))
    }

    /// `value` as a Python `if` reads it; an exception counts as false and is kept.
    fn truth(value: Option<Py<PyAny>>) -> bool {
        value.is_some_and(|value| {
            Python::attach(|py| {
                value.bind(py).is_truthy().unwrap_or_else(|error| {
                    carry::stash(error);
                    false
                })
            })
        })
    }
}

impl ConditionLock for PyLock {
    /// What `_release_save` returned, if the lock has it.
    type State = Option<Py<PyAny>>;

    fn acquire(&self, timeout: Option<Duration>) -> bool {
        let seconds = timeout.map_or(-1.0, |timeout| timeout.as_secs_f64());
        PyLock::truth(self.call("acquire", (true, seconds)))
    }

    fn try_acquire(&self) -> bool {
        PyLock::truth(self.call("acquire", (false,)))
    }

    fn release(&self) -> Result<(), ReleaseError> {
        self.call("release", ())
            .map(drop)
            .ok_or(ReleaseError::NotOwned)
    }

    fn is_owned(&self) -> bool {
        if self.has("_is_owned") {
            return PyLock::truth(self.call("_is_owned", ()));
        }
        // The stdlib's fallback: a lock we can take was not held.
        if self.try_acquire() {
            let _ = self.release();
            false
        } else {
            true
        }
    }

    fn release_save(&self) -> Result<Self::State, ReleaseError> {
        if self.has("_release_save") {
            return self
                .call("_release_save", ())
                .map(Some)
                .ok_or(ReleaseError::NotOwned);
        }
        self.release().map(|()| None)
    }

    fn acquire_restore(&self, state: Self::State) {
        match state {
            Some(state) => drop(self.call("_acquire_restore", (state,))),
            None => drop(self.call("acquire", ())),
        }
    }
}
