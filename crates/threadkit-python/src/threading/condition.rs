//! `threading.Condition` over [`threadkit::Condition`], on a threadkit lock or on any lock object.
//!
//! The condition's own methods are written once, over two views of its state: the core condition
//! whatever its lock ([`Waiters`]), and the underlying lock's methods as the condition offers
//! them ([`Underlying`]), implemented once per kind of lock:
//!
//! - threadkit's own `Lock` and `RLock`: the core condition shares the core lock (an `Arc`, so the
//!   core's `ConditionLock for Arc<L>` serves), and the lock's methods are the glue's own, one
//!   generic implementation over [`NativeLock`], which each lock's file implements for what
//!   differs between them;
//! - any other lock (a stdlib lock, a user's class, a subclass of threadkit's, which may override
//!   its methods): [`Foreign`], which calls the lock's Python methods as the stdlib's `Condition`
//!   does — `acquire`/`release`, and `_is_owned`/`_release_save`/`_acquire_restore` where the lock
//!   has them — and serves the core condition too. Exceptions those methods raise inside a core
//!   call are carried out of it (`carry.rs`) and raised from the condition's method.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::{PyAttributeError, PyDeprecationWarning};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyTuple};
use threadkit::{ConditionLock, NotOwnedError, ReleaseError};

use super::init::Init;
use super::lock;
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
        self.0.set(State::over(lock)?)
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
        self.0.get()?.lock.acquire(py, blocking, timeout)
    }

    /// Release the underlying lock.
    fn release<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.0.get()?.lock.release(py)
    }

    /// Whether the underlying lock is held (3.14's `Condition.locked()`, on every Python).
    fn locked(&self, py: Python<'_>) -> PyResult<bool> {
        self.0.get()?.lock.locked(py)
    }

    /// Acquire the underlying lock, waiting forever.
    fn __enter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.0.get()?.lock.enter(py)
    }

    /// Release the underlying lock.
    #[pyo3(signature = (*exc_info))]
    fn __exit__<'py>(
        &self,
        py: Python<'py>,
        exc_info: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.0.get()?.lock.exit(py, exc_info)
    }

    /// Whether the calling thread holds the underlying lock (for a plain lock: whether anyone
    /// does).
    fn _is_owned(&self) -> PyResult<bool> {
        self.0.get()?.core(|condition| condition.is_owned())
    }

    /// Release the underlying lock completely and return what `_acquire_restore` needs.
    fn _release_save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.0.get()?.lock.release_save(py)
    }

    /// Re-acquire the underlying lock, waiting forever, as `_release_save` left it.
    #[pyo3(signature = (state, /))]
    fn _acquire_restore(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.get()?.lock.acquire_restore(py, state)
    }

    /// How many times the calling thread holds the underlying re-entrant lock.
    fn _recursion_count(&self, py: Python<'_>) -> PyResult<usize> {
        self.0.get()?.lock.recursion_count(py)
    }

    /// Wait until notified or until the optional timeout passes; the caller must hold the lock,
    /// which is released while waiting and held again on return. Return false on timeout.
    #[pyo3(signature = (timeout = None))]
    fn wait(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        self.0.get()?.wait(py, timeout)
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
        self.0.get()?.wait_for(py, predicate, timeout)
    }

    /// Wake up to `n` threads waiting on this condition, in the order they started waiting; the
    /// caller must hold the lock.
    #[pyo3(signature = (n = Arg::Missing), text_signature = "($self, /, n=1)")]
    fn notify(&self, py: Python<'_>, n: Arg<'_>) -> PyResult<()> {
        self.0.get()?.notify(py, n)
    }

    /// Wake every thread waiting on this condition; the caller must hold the lock.
    fn notify_all(&self, py: Python<'_>) -> PyResult<()> {
        self.0.get()?.notify_all(py)
    }

    /// Wake every waiting thread (deprecated alias of `notify_all`).
    #[pyo3(name = "notifyAll")]
    fn notify_all_deprecated(&self, py: Python<'_>) -> PyResult<()> {
        let warning = c"notifyAll() is deprecated, use notify_all() instead";
        PyErr::warn(py, &py.get_type::<PyDeprecationWarning>(), warning, 1)?;
        self.notify_all(py)
    }

    /// Reset the underlying lock in a forked child, and forget the parent's waiters.
    fn _at_fork_reinit(&self, py: Python<'_>) -> PyResult<()> {
        self.0.get()?.at_fork_reinit(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.0.get()?.repr(py)
    }
}

/// What `__init__` sets.
#[derive(Debug)]
struct State {
    /// The lock object, as Python code sees it.
    object: Py<PyAny>,
    /// The lock's methods, as the condition offers them.
    lock: Box<dyn Underlying>,
    /// The core condition over the same lock.
    condition: Box<dyn Waiters>,
}

impl State {
    /// The state of a condition over `lock`.
    fn over(lock: Bound<'_, PyAny>) -> PyResult<Self> {
        // Only threadkit's own locks are driven directly; a subclass may override their methods,
        // so it is called through them like any other lock.
        if let Ok(native) = lock.cast_exact::<Lock>() {
            return Ok(State::with(Arc::clone(native.get().core()), lock));
        }
        if let Ok(native) = lock.cast_exact::<RLock>() {
            return Ok(State::with(Arc::clone(native.get().core()), lock));
        }
        // The stdlib takes the lock's `acquire` and `release` here: a lock without them fails
        // now, with its AttributeError.
        let py = lock.py();
        lock.getattr(intern!(py, "acquire"))?;
        lock.getattr(intern!(py, "release"))?;
        Ok(State::with(Foreign(lock.clone().unbind()), lock))
    }

    fn with<U: Underlying + 'static>(underlying: U, lock: Bound<'_, PyAny>) -> Self {
        State {
            condition: underlying.condition(lock.py()),
            lock: Box::new(underlying),
            object: lock.unbind(),
        }
    }

    /// Runs a call of the core condition; an exception a foreign lock's method raised in it
    /// wins over what it returned.
    fn core<T>(&self, call: impl FnOnce(&dyn Waiters) -> T) -> PyResult<T> {
        let value = call(&*self.condition);
        carry::take().map_or(Ok(value), Err)
    }

    /// The stdlib checks ownership before it looks at any other argument.
    fn check_owned(&self, py: Python<'_>, error: NotOwnedError) -> PyResult<()> {
        if self.core(|condition| condition.is_owned())? {
            Ok(())
        } else {
            Err(error).or_raise(py)
        }
    }

    fn wait(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        self.check_owned(py, NotOwnedError::Wait)?;
        let timeout = timeout::wait(py, timeout)?;
        let condition = &*self.condition;
        let notified = blocking::wait(py, || condition.wait(timeout));
        // An exception from a foreign lock's methods wins over an interrupt.
        carry::take().map_or(notified, Err)?.or_raise(py)
    }

    /// The core's `wait_for`, detached, with the Python predicate called attached between
    /// waits; an exception it raises stops the wait and is raised.
    fn wait_for<'py>(
        &self,
        py: Python<'py>,
        predicate: &Bound<'py, PyAny>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let first = predicate.call0()?;
        if first.is_truthy()? {
            return Ok(first);
        }
        let timeout = timeout::wait_until(py, timeout)?;
        let predicate = predicate.clone().unbind();
        let mut result = first.unbind();
        // The core asks first, before any wait: the answer is the one just had.
        let mut asked = false;
        let mut test = || {
            if !std::mem::replace(&mut asked, true) {
                return false;
            }
            Python::attach(|py| {
                let value = predicate.call0(py)?;
                let truth = value.bind(py).is_truthy()?;
                result = value;
                Ok(truth)
            })
            .unwrap_or_else(|error| {
                carry::stash(error);
                true
            })
        };
        let condition = &*self.condition;
        let waited = blocking::wait(py, || condition.wait_for(&mut test, timeout));
        carry::take().map_or(waited, Err)?.or_raise(py)?;
        Ok(result.into_bound(py))
    }

    fn notify(&self, py: Python<'_>, n: Arg<'_>) -> PyResult<()> {
        self.check_owned(py, NotOwnedError::Notify)?;
        let n = match n {
            Arg::Missing => 1,
            // The stdlib only looks at `n` while threads wait, comparing it with 0.
            Arg::Given(_) if self.condition.waiter_count() == 0 => return Ok(()),
            Arg::Given(n) => permits(&n)?,
        };
        self.core(|condition| condition.notify(n))?.or_raise(py)?;
        blocking::woke_waiters(py);
        Ok(())
    }

    fn notify_all(&self, py: Python<'_>) -> PyResult<()> {
        self.check_owned(py, NotOwnedError::Notify)?;
        self.core(|condition| condition.notify_all())?
            .or_raise(py)?;
        blocking::woke_waiters(py);
        Ok(())
    }

    fn at_fork_reinit(&self, py: Python<'_>) -> PyResult<()> {
        self.lock.at_fork_reinit(py)?;
        self.condition.forget_waiters();
        Ok(())
    }

    fn repr(&self, py: Python<'_>) -> PyResult<String> {
        let lock = self.object.bind(py).repr()?;
        let waiters = self.condition.waiter_count();
        Ok(format!("<Condition({lock}, {waiters})>"))
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

/// The core condition, whatever its lock.
trait Waiters: fmt::Debug + Send + Sync {
    fn is_owned(&self) -> bool;
    fn wait(&self, timeout: Option<Duration>) -> Result<bool, NotOwnedError>;
    fn wait_for(
        &self,
        predicate: &mut dyn FnMut() -> bool,
        timeout: Option<Duration>,
    ) -> Result<bool, NotOwnedError>;
    fn notify(&self, n: usize) -> Result<(), NotOwnedError>;
    fn notify_all(&self) -> Result<(), NotOwnedError>;
    fn waiter_count(&self) -> usize;
    fn forget_waiters(&self);
}

impl<L> Waiters for threadkit::Condition<L>
where
    L: ConditionLock + fmt::Debug + Send + Sync,
{
    fn is_owned(&self) -> bool {
        self.is_owned()
    }

    fn wait(&self, timeout: Option<Duration>) -> Result<bool, NotOwnedError> {
        self.wait(timeout)
    }

    fn wait_for(
        &self,
        predicate: &mut dyn FnMut() -> bool,
        timeout: Option<Duration>,
    ) -> Result<bool, NotOwnedError> {
        self.wait_for(predicate, timeout)
    }

    fn notify(&self, n: usize) -> Result<(), NotOwnedError> {
        self.notify(n)
    }

    fn notify_all(&self) -> Result<(), NotOwnedError> {
        self.notify_all()
    }

    fn waiter_count(&self) -> usize {
        self.waiter_count()
    }

    fn forget_waiters(&self) {
        self.forget_waiters();
    }
}

/// The underlying lock's methods as the condition offers them (the stdlib's `Condition` takes
/// them from its lock): one implementation per kind of lock.
trait Underlying: fmt::Debug + Send + Sync {
    /// A core condition over this lock.
    fn condition(&self, py: Python<'_>) -> Box<dyn Waiters>
    where
        Self: Sized;

    fn acquire<'py>(
        &self,
        py: Python<'py>,
        blocking: Arg<'py>,
        timeout: Arg<'py>,
    ) -> PyResult<Bound<'py, PyAny>>;

    fn release<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;

    fn locked(&self, py: Python<'_>) -> PyResult<bool>;

    fn enter<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.acquire(py, Arg::Missing, Arg::Missing)
    }

    fn exit<'py>(
        &self,
        py: Python<'py>,
        _exc_info: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.release(py)
    }

    fn release_save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;

    fn acquire_restore(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()>;

    fn recursion_count(&self, _py: Python<'_>) -> PyResult<usize> {
        Err(no_recursion_count())
    }

    fn at_fork_reinit(&self, py: Python<'_>) -> PyResult<()>;
}

/// `_recursion_count()` of a condition whose lock has none.
fn no_recursion_count() -> PyErr {
    PyAttributeError::new_err("the underlying lock has no _recursion_count()")
}

/// threadkit's own locks, which a condition drives directly: what differs between them (each
/// primitive's file implements it for its core lock).
pub(super) trait NativeLock: ConditionLock + fmt::Debug + Send + Sync + 'static {
    /// Whether the lock is held.
    fn locked(&self) -> bool;

    /// `_release_save()`.
    fn release_save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;

    /// `_acquire_restore(state)`.
    fn acquire_restore(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()>;

    /// `_recursion_count()`, for a lock that has it.
    fn recursion_count(&self) -> PyResult<usize> {
        Err(no_recursion_count())
    }

    /// `_at_fork_reinit()`.
    fn at_fork_reinit(&self);
}

/// A threadkit lock: its core lock, shared with the core condition.
impl<L: NativeLock> Underlying for Arc<L> {
    fn condition(&self, _py: Python<'_>) -> Box<dyn Waiters> {
        Box::new(threadkit::Condition::with_lock(Arc::clone(self)))
    }

    fn acquire<'py>(
        &self,
        py: Python<'py>,
        blocking: Arg<'py>,
        timeout: Arg<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let acquired = lock::acquire(py, &**self, blocking, timeout)?;
        Ok(PyBool::new(py, acquired).to_owned().into_any())
    }

    fn release<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ConditionLock::release(&**self).or_raise(py)?;
        Ok(py.None().into_bound(py))
    }

    fn locked(&self, _py: Python<'_>) -> PyResult<bool> {
        Ok(NativeLock::locked(&**self))
    }

    fn release_save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        NativeLock::release_save(&**self, py)
    }

    fn acquire_restore(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
        NativeLock::acquire_restore(&**self, py, state)
    }

    fn recursion_count(&self, _py: Python<'_>) -> PyResult<usize> {
        NativeLock::recursion_count(&**self)
    }

    fn at_fork_reinit(&self, _py: Python<'_>) -> PyResult<()> {
        NativeLock::at_fork_reinit(&**self);
        Ok(())
    }
}

/// Any other lock object, driven through its Python methods as the stdlib's `Condition` drives
/// it: attached for the condition's own methods, and from the core condition's waits (which
/// attach to call them, and carry an exception out).
#[derive(Debug)]
struct Foreign(Py<PyAny>);

impl Foreign {
    /// `lock.<name>(*args)`.
    fn call<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, pyo3::types::PyString>,
        args: impl pyo3::call::PyCallArgs<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.0.bind(py).call_method1(name, args)
    }

    /// Whether the lock has a method called `name` (else the stdlib's own default serves).
    fn has(&self, py: Python<'_>, name: &Bound<'_, pyo3::types::PyString>) -> PyResult<bool> {
        self.0.bind(py).hasattr(name)
    }

    /// The stdlib's `_is_owned`: the lock's own, or "a lock we can take was not held".
    fn is_owned(&self, py: Python<'_>) -> PyResult<bool> {
        if self.has(py, intern!(py, "_is_owned"))? {
            return self.call(py, intern!(py, "_is_owned"), ())?.is_truthy();
        }
        if self
            .call(py, intern!(py, "acquire"), (false,))?
            .is_truthy()?
        {
            self.call(py, intern!(py, "release"), ())?;
            Ok(false)
        } else {
            Ok(true)
        }
    }

    /// Runs `call` attached, from inside a core call: an exception is kept for the condition's
    /// method to raise, and `failed` returned in its place.
    fn attached<T>(&self, failed: T, call: impl FnOnce(Python<'_>) -> PyResult<T>) -> T {
        Python::attach(call).unwrap_or_else(|error| {
            carry::stash(error);
            failed
        })
    }
}

impl Underlying for Foreign {
    fn condition(&self, py: Python<'_>) -> Box<dyn Waiters> {
        Box::new(threadkit::Condition::with_lock(Foreign(
            self.0.clone_ref(py),
        )))
    }

    fn acquire<'py>(
        &self,
        py: Python<'py>,
        blocking: Arg<'py>,
        timeout: Arg<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // The same arguments as given: none, `blocking`, or both.
        let given: Vec<_> = [blocking, timeout]
            .into_iter()
            .map_while(|arg| match arg {
                Arg::Given(value) => Some(value),
                Arg::Missing => None,
            })
            .collect();
        self.call(py, intern!(py, "acquire"), PyTuple::new(py, given)?)
    }

    fn release<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, intern!(py, "release"), ())
    }

    fn locked(&self, py: Python<'_>) -> PyResult<bool> {
        self.call(py, intern!(py, "locked"), ())?.is_truthy()
    }

    fn enter<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, intern!(py, "__enter__"), ())
    }

    fn exit<'py>(
        &self,
        py: Python<'py>,
        exc_info: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, intern!(py, "__exit__"), exc_info)
    }

    fn release_save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.has(py, intern!(py, "_release_save"))? {
            return self.call(py, intern!(py, "_release_save"), ());
        }
        Underlying::release(self, py)?;
        Ok(py.None().into_bound(py))
    }

    fn acquire_restore(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
        if self.has(py, intern!(py, "_acquire_restore"))? {
            self.call(py, intern!(py, "_acquire_restore"), (state,))?;
        } else {
            self.call(py, intern!(py, "acquire"), ())?;
        }
        Ok(())
    }

    fn recursion_count(&self, py: Python<'_>) -> PyResult<usize> {
        self.call(py, intern!(py, "_recursion_count"), ())
            .map_err(|_| no_recursion_count())?
            .extract()
    }

    fn at_fork_reinit(&self, py: Python<'_>) -> PyResult<()> {
        self.call(py, intern!(py, "_at_fork_reinit"), ()).map(drop)
    }
}

/// The core condition's view of a foreign lock: the same methods, attached.
impl ConditionLock for Foreign {
    /// What `_release_save` returned (`None` if the lock has none).
    type State = Py<PyAny>;

    fn acquire(&self, timeout: Option<Duration>) -> bool {
        let seconds = timeout.map_or(-1.0, |timeout| timeout.as_secs_f64());
        self.attached(false, |py| {
            self.call(py, intern!(py, "acquire"), (true, seconds))?
                .is_truthy()
        })
    }

    fn try_acquire(&self) -> bool {
        self.attached(false, |py| {
            self.call(py, intern!(py, "acquire"), (false,))?.is_truthy()
        })
    }

    fn release(&self) -> Result<(), ReleaseError> {
        let released = self.attached(false, |py| Underlying::release(self, py).map(|_| true));
        released.then_some(()).ok_or(ReleaseError::NotOwned)
    }

    fn is_owned(&self) -> bool {
        self.attached(false, |py| Foreign::is_owned(self, py))
    }

    fn release_save(&self) -> Result<Py<PyAny>, ReleaseError> {
        let saved = self.attached(None, |py| {
            Underlying::release_save(self, py).map(|saved| Some(saved.unbind()))
        });
        saved.ok_or(ReleaseError::NotOwned)
    }

    fn acquire_restore(&self, state: Py<PyAny>) {
        self.attached((), |py| {
            Underlying::acquire_restore(self, py, state.bind(py))
        });
    }
}
