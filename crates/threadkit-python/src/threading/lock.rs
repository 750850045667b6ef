//! `threading.Lock` over [`threadkit::Lock`].

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use threadkit::ConditionLock;

use super::condition::NativeLock;
use crate::blocking;
use crate::errors::OrRaise;
use crate::timeout::{self, Arg};

/// `threadkit.threading.Lock`: a primitive lock any thread may release.
///
/// The core lock is shared with the `Condition`s built over this one.
#[pyclass(module = "threadkit.threading", name = "Lock", frozen, weakref)]
#[derive(Debug)]
pub(crate) struct Lock(Arc<threadkit::Lock>);

impl Lock {
    /// The core lock, for a `Condition` built over this one.
    pub(crate) fn core(&self) -> &Arc<threadkit::Lock> {
        &self.0
    }
}

#[pymethods]
impl Lock {
    #[new]
    fn new() -> Self {
        Lock(Arc::new(threadkit::Lock::new()))
    }

    /// Acquire the lock, blocking or non-blocking, with an optional timeout; return whether it
    /// was acquired.
    #[pyo3(
        signature = (blocking = Arg::Missing, timeout = Arg::Missing),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn acquire(&self, py: Python<'_>, blocking: Arg<'_>, timeout: Arg<'_>) -> PyResult<bool> {
        acquire(py, &*self.0, blocking, timeout)
    }

    /// Release the lock; any thread may release it.
    fn release(&self, py: Python<'_>) -> PyResult<()> {
        self.0.release().or_raise(py)?;
        // A thread waiting to acquire it may be waiting for this release as a signal.
        blocking::released(py);
        Ok(())
    }

    /// Whether the lock is held.
    fn locked(&self) -> bool {
        self.0.locked()
    }

    /// An alias of `acquire`, as on `_thread.lock`.
    #[pyo3(
        signature = (blocking = Arg::Missing, timeout = Arg::Missing),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn acquire_lock(&self, py: Python<'_>, blocking: Arg<'_>, timeout: Arg<'_>) -> PyResult<bool> {
        self.acquire(py, blocking, timeout)
    }

    /// An alias of `release`, as on `_thread.lock`.
    fn release_lock(&self, py: Python<'_>) -> PyResult<()> {
        self.release(py)
    }

    /// An alias of `locked`, as on `_thread.lock`.
    fn locked_lock(&self) -> bool {
        self.locked()
    }

    /// Acquire the lock, waiting forever.
    fn __enter__(&self, py: Python<'_>) -> PyResult<bool> {
        self.acquire(py, Arg::Missing, Arg::Missing)
    }

    /// Release the lock.
    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.release(py)
    }

    /// Reset the lock to unlocked in a forked child, whoever held it in the parent.
    fn _at_fork_reinit(&self) {
        NativeLock::at_fork_reinit(&*self.0);
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let state = if slf.get().0.locked() {
            "locked"
        } else {
            "unlocked"
        };
        Ok(format!(
            "<{state} {} object at {:#x}>",
            slf.get_type().fully_qualified_name()?,
            slf.as_ptr() as usize
        ))
    }
}

/// `_thread`'s `acquire(blocking=True, timeout=-1)` of a threadkit lock (a `Lock`, an `RLock`, or
/// either under a `Condition`).
pub(super) fn acquire<L: ConditionLock + Sync>(
    py: Python<'_>,
    lock: &L,
    blocking: Arg<'_>,
    timeout: Arg<'_>,
) -> PyResult<bool> {
    blocking::acquire(
        py,
        timeout::lock_acquire(py, &blocking, &timeout)?,
        || lock.try_acquire(),
        |timeout| lock.acquire(timeout),
    )
}

/// How a `Condition` drives a `Lock`: a plain lock has no state to save.
impl NativeLock for threadkit::Lock {
    fn locked(&self) -> bool {
        threadkit::Lock::locked(self)
    }

    fn release_save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        threadkit::Lock::release(self).or_raise(py)?;
        Ok(py.None().into_bound(py))
    }

    fn acquire_restore(&self, py: Python<'_>, _state: &Bound<'_, PyAny>) -> PyResult<()> {
        acquire(py, self, Arg::Missing, Arg::Missing).map(drop)
    }

    fn at_fork_reinit(&self) {
        // The child has only the forking thread: a held lock is released for good.
        let _ = threadkit::Lock::release(self);
    }
}
