//! `threading.Lock` over [`threadkit::Lock`].

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

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
    pub(crate) fn acquire(
        &self,
        py: Python<'_>,
        blocking: Arg<'_>,
        timeout: Arg<'_>,
    ) -> PyResult<bool> {
        blocking::acquire(
            py,
            timeout::lock_acquire(py, &blocking, &timeout)?,
            || self.0.try_acquire(),
            |timeout| self.0.acquire(timeout),
        )
    }

    /// Release the lock; any thread may release it.
    pub(crate) fn release(&self, py: Python<'_>) -> PyResult<()> {
        self.0.release().or_raise(py)
    }

    /// Whether the lock is held.
    pub(crate) fn locked(&self) -> bool {
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
    pub(crate) fn _at_fork_reinit(&self) {
        // The child has only the forking thread: a held lock is released for good.
        let _ = self.0.release();
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
