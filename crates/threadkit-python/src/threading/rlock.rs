//! `threading.RLock` over [`threadkit::RLock`].

use std::sync::Arc;

use pyo3::exceptions::PyDeprecationWarning;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};

use super::condition::NativeLock;
use super::lock::acquire;
use crate::blocking;
use crate::errors::{OrRaise, at_least};
use crate::timeout::Arg;

/// `threadkit.threading.RLock`: a re-entrant lock owned by the thread that acquired it.
///
/// Subclassable, like the stdlib's C type `_thread.RLock` (`threading.RLock` itself is a factory
/// function there): `__new__` accepts and ignores any arguments, as `_thread.RLock` does. The core
/// lock is shared with the `Condition`s built over this one.
#[pyclass(
    module = "threadkit.threading",
    name = "RLock",
    subclass,
    frozen,
    weakref
)]
#[derive(Debug)]
pub(crate) struct RLock(Arc<threadkit::RLock>);

impl RLock {
    /// A new unowned lock.
    pub(crate) fn new() -> Self {
        RLock(Arc::new(threadkit::RLock::new()))
    }

    /// The core lock, for a `Condition` built over this one.
    pub(crate) fn core(&self) -> &Arc<threadkit::RLock> {
        &self.0
    }
}

#[pymethods]
impl RLock {
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args, **kwargs))]
    fn py_new(
        cls: &Bound<'_, PyType>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let py = cls.py();
        let given = !args.is_empty() || kwargs.is_some_and(|kwargs| !kwargs.is_empty());
        // 3.13's `threading.RLock()` warns about arguments; a subclass's are its own.
        if given && at_least(py, 3, 13) && cls.is(py.get_type::<Self>()) {
            PyErr::warn(
                py,
                &py.get_type::<PyDeprecationWarning>(),
                c"Passing arguments to RLock is deprecated and will be removed in 3.15",
                1,
            )?;
        }
        Ok(RLock::new())
    }

    /// Acquire the lock, blocking or non-blocking, with an optional timeout; the owner may acquire
    /// it again. Return whether it was acquired.
    #[pyo3(
        signature = (blocking = Arg::Missing, timeout = Arg::Missing),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn acquire(&self, py: Python<'_>, blocking: Arg<'_>, timeout: Arg<'_>) -> PyResult<bool> {
        acquire(py, &*self.0, blocking, timeout)
    }

    /// Release one level of the lock; only its owner may.
    fn release(&self, py: Python<'_>) -> PyResult<()> {
        self.0.release().or_raise(py)
    }

    /// Whether the lock is held, by any thread (3.14's `RLock.locked()`, on every Python).
    fn locked(&self) -> bool {
        self.0.locked()
    }

    /// Acquire the lock, waiting forever.
    fn __enter__(&self, py: Python<'_>) -> PyResult<bool> {
        self.acquire(py, Arg::Missing, Arg::Missing)
    }

    /// Release one level of the lock.
    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.release(py)
    }

    /// Whether the calling thread owns the lock.
    fn _is_owned(&self) -> bool {
        self.0.is_owned()
    }

    /// How many times the calling thread holds the lock (0 if it does not own it).
    fn _recursion_count(&self) -> usize {
        self.0.recursion_count()
    }

    /// Release every level the calling thread holds; return `(count, owner)` for
    /// `_acquire_restore`.
    fn _release_save(&self, py: Python<'_>) -> PyResult<(usize, u64)> {
        release_save(py, &self.0)
    }

    /// Acquire the lock, waiting forever, and hold it `count` times, as `_release_save` left it.
    #[pyo3(signature = (state, /))]
    fn _acquire_restore(&self, py: Python<'_>, state: (usize, u64)) -> PyResult<()> {
        acquire_restore(py, &self.0, state)
    }

    /// Reset the lock to unowned in a forked child, whoever held it in the parent.
    fn _at_fork_reinit(&self) {
        NativeLock::at_fork_reinit(&*self.0);
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let lock = &slf.get().0;
        let count = lock.recursion_count();
        let (state, owner) = if count > 0 {
            ("locked", current_ident(slf.py())?)
        } else if lock.locked() {
            ("locked", 0)
        } else {
            ("unlocked", 0)
        };
        Ok(format!(
            "<{state} {} object owner={owner} count={count} at {:#x}>",
            slf.get_type().fully_qualified_name()?,
            slf.as_ptr() as usize
        ))
    }
}

/// `threading.get_ident()` of the calling thread.
fn current_ident(py: Python<'_>) -> PyResult<u64> {
    py.import(pyo3::intern!(py, "threading"))?
        .call_method0(pyo3::intern!(py, "get_ident"))?
        .extract()
}

/// `_release_save()`: releases every level the calling thread holds; `(count, owner)`.
fn release_save(py: Python<'_>, lock: &threadkit::RLock) -> PyResult<(usize, u64)> {
    let owner = current_ident(py)?;
    let state = lock.release_save().or_raise(py)?;
    Ok((state.count(), owner))
}

/// `_acquire_restore((count, owner))`: waits for the lock and holds it `count` times.
fn acquire_restore(py: Python<'_>, lock: &threadkit::RLock, state: (usize, u64)) -> PyResult<()> {
    let (count, _owner) = state;
    if count == 0 {
        return Err(PyRuntimeError::new_err(
            "cannot restore an RLock to level 0",
        ));
    }
    blocking::wait(py, || lock.acquire(None))?;
    for _ in 1..count {
        // Re-entrant: the calling thread owns the lock now, so this never waits.
        lock.try_acquire();
    }
    Ok(())
}

/// How a `Condition` drives an `RLock`: its state is the levels the owner held.
impl NativeLock for threadkit::RLock {
    fn locked(&self) -> bool {
        threadkit::RLock::locked(self)
    }

    fn release_save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(release_save(py, self)?.into_pyobject(py)?.into_any())
    }

    fn acquire_restore(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
        acquire_restore(py, self, state.extract()?)
    }

    fn recursion_count(&self) -> PyResult<usize> {
        Ok(threadkit::RLock::recursion_count(self))
    }

    fn at_fork_reinit(&self) {
        // The owner may be a thread of the parent, which the child does not have.
        self.reinit();
    }
}
