//! `threading.Semaphore` and `threading.BoundedSemaphore` over [`threadkit::Semaphore`] and
//! [`threadkit::BoundedSemaphore`].

use std::num::NonZeroUsize;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::init::{Init, repr_name};
use crate::blocking;
use crate::errors::OrRaise;
use crate::timeout::{self, Acquire, Arg};

/// `threadkit.threading.Semaphore`: a counter of permits; `acquire` takes one, `release` adds.
///
/// Subclassable like the stdlib's: `__init__` builds the core semaphore (see `init.rs`).
#[pyclass(
    module = "threadkit.threading",
    name = "Semaphore",
    subclass,
    frozen,
    weakref
)]
#[derive(Debug)]
pub(crate) struct Semaphore(Init<threadkit::Semaphore>);

#[pymethods]
impl Semaphore {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(value=1)")]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Semaphore(Init::new("Semaphore"))
    }

    #[pyo3(signature = (value = Arg::Missing))]
    fn __init__(&self, py: Python<'_>, value: Arg<'_>) -> PyResult<()> {
        let semaphore = threadkit::Semaphore::try_new(initial_value(value)?).or_raise(py)?;
        self.0.set(semaphore)
    }

    /// Take a permit, blocking or not, waiting at most `timeout` seconds; return whether one was
    /// taken.
    #[pyo3(
        signature = (blocking = Arg::Missing, timeout = None),
        text_signature = "($self, /, blocking=True, timeout=None)"
    )]
    fn acquire(
        &self,
        py: Python<'_>,
        blocking: Arg<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let semaphore = self.0.get()?;
        acquire(
            py,
            blocking,
            timeout,
            || semaphore.try_acquire(),
            |timeout| semaphore.acquire(timeout),
        )
    }

    /// Add `n` permits, waking up to `n` waiting threads.
    #[pyo3(signature = (n = Arg::Missing), text_signature = "($self, /, n=1)")]
    fn release(&self, py: Python<'_>, n: Arg<'_>) -> PyResult<()> {
        // The core checks the limit in the compare-and-swap that adds the permits: two racing
        // releases cannot both pass a check made here first.
        let semaphore = self.0.get()?;
        semaphore.try_release(permits(n)?).or_raise(py)
    }

    /// Take a permit, waiting forever.
    fn __enter__(&self, py: Python<'_>) -> PyResult<bool> {
        self.acquire(py, Arg::Missing, None)
    }

    /// Give one permit back.
    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.release(py, Arg::Missing)
    }

    /// The number of permits available now (the stdlib's private attribute).
    #[getter]
    fn _value(&self) -> PyResult<usize> {
        Ok(self.0.get()?.value())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Ok(format!(
            "<{} at {:#x}: value={}>",
            repr_name(slf, "Semaphore")?,
            slf.as_ptr() as usize,
            slf.get().0.get()?.value()
        ))
    }
}

/// `threadkit.threading.BoundedSemaphore`: a semaphore that refuses to go above its initial value.
///
/// Subclassable like the stdlib's: `__init__` builds the core semaphore (see `init.rs`).
#[pyclass(
    module = "threadkit.threading",
    name = "BoundedSemaphore",
    subclass,
    frozen,
    weakref
)]
#[derive(Debug)]
pub(crate) struct BoundedSemaphore(Init<threadkit::BoundedSemaphore>);

#[pymethods]
impl BoundedSemaphore {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(value=1)")]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        BoundedSemaphore(Init::new("BoundedSemaphore"))
    }

    #[pyo3(signature = (value = Arg::Missing))]
    fn __init__(&self, py: Python<'_>, value: Arg<'_>) -> PyResult<()> {
        let semaphore = threadkit::BoundedSemaphore::try_new(initial_value(value)?).or_raise(py)?;
        self.0.set(semaphore)
    }

    /// Take a permit, blocking or not, waiting at most `timeout` seconds; return whether one was
    /// taken.
    #[pyo3(
        signature = (blocking = Arg::Missing, timeout = None),
        text_signature = "($self, /, blocking=True, timeout=None)"
    )]
    fn acquire(
        &self,
        py: Python<'_>,
        blocking: Arg<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let semaphore = self.0.get()?;
        acquire(
            py,
            blocking,
            timeout,
            || semaphore.try_acquire(),
            |timeout| semaphore.acquire(timeout),
        )
    }

    /// Add `n` permits, waking up to `n` waiting threads; refuse to exceed the initial value.
    #[pyo3(signature = (n = Arg::Missing), text_signature = "($self, /, n=1)")]
    fn release(&self, py: Python<'_>, n: Arg<'_>) -> PyResult<()> {
        let semaphore = self.0.get()?;
        semaphore.release(permits(n)?).or_raise(py)
    }

    /// Take a permit, waiting forever.
    fn __enter__(&self, py: Python<'_>) -> PyResult<bool> {
        self.acquire(py, Arg::Missing, None)
    }

    /// Give one permit back.
    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.release(py, Arg::Missing)
    }

    /// The number of permits available now (the stdlib's private attribute).
    #[getter]
    fn _value(&self) -> PyResult<usize> {
        Ok(self.0.get()?.value())
    }

    /// The initial value, which `release` may not exceed (the stdlib's private attribute).
    #[getter]
    fn _initial_value(&self) -> PyResult<usize> {
        Ok(self.0.get()?.initial_value())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let semaphore = slf.get().0.get()?;
        Ok(format!(
            "<{} at {:#x}: value={}/{}>",
            repr_name(slf, "BoundedSemaphore")?,
            slf.as_ptr() as usize,
            semaphore.value(),
            semaphore.initial_value()
        ))
    }
}

/// The constructors' `value` (default 1) as the stdlib reads it; the core checks the maximum.
fn initial_value(value: Arg<'_>) -> PyResult<usize> {
    let Arg::Given(value) = value else {
        return Ok(1);
    };
    if value.lt(0)? {
        return Err(PyValueError::new_err(
            "semaphore initial value must be >= 0",
        ));
    }
    value.extract()
}

/// `release`'s `n` (default 1) as the stdlib reads it.
fn permits(n: Arg<'_>) -> PyResult<NonZeroUsize> {
    let Arg::Given(n) = n else {
        return Ok(NonZeroUsize::MIN);
    };
    if n.lt(1)? {
        return Err(PyValueError::new_err("n must be one or more"));
    }
    let n: usize = n.extract()?;
    NonZeroUsize::new(n).ok_or_else(|| PyValueError::new_err("n must be one or more"))
}

/// `acquire` with the stdlib's rules: a permit that is available is taken at once, and only a
/// call that has to wait reads its timeout (so, as in the stdlib, a bad timeout goes unnoticed
/// while permits are available).
fn acquire(
    py: Python<'_>,
    blocking: Arg<'_>,
    timeout: Option<&Bound<'_, PyAny>>,
    try_acquire: impl FnOnce() -> bool,
    wait: impl FnOnce(Option<Duration>) -> bool + Send,
) -> PyResult<bool> {
    let blocking = blocking.is_truthy_or(true)?;
    if !blocking && timeout.is_some() {
        return Err(PyValueError::new_err(
            "can't specify timeout for non-blocking acquire",
        ));
    }
    if !blocking {
        return Ok(try_acquire());
    }
    if try_acquire() {
        return Ok(true);
    }
    let timeout = timeout::wait_until(py, timeout)?;
    blocking::acquire(py, Acquire::Wait(timeout), || false, wait)
}
