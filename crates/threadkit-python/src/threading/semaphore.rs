//! `threading.Semaphore` and `threading.BoundedSemaphore` over [`threadkit::Semaphore`] and
//! [`threadkit::BoundedSemaphore`].

use std::num::NonZeroUsize;
use std::time::Duration;

use pyo3::exceptions::{PyAttributeError, PyValueError};
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
    weakref,
    dict
)]
#[derive(Debug)]
pub(crate) struct Semaphore(Init<Kind>);

/// The core semaphore: a `Semaphore`'s, or a `BoundedSemaphore`'s (a subclass, as in the stdlib).
#[derive(Debug)]
enum Kind {
    Unbounded(threadkit::Semaphore),
    Bounded(threadkit::BoundedSemaphore),
}

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
        self.0.set(Kind::Unbounded(semaphore))
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
        match self.0.get()? {
            Kind::Unbounded(semaphore) => acquire(
                py,
                blocking,
                timeout,
                || semaphore.try_acquire(),
                |timeout| semaphore.acquire(timeout),
            ),
            Kind::Bounded(semaphore) => acquire(
                py,
                blocking,
                timeout,
                || semaphore.try_acquire(),
                |timeout| semaphore.acquire(timeout),
            ),
        }
    }

    /// Add `n` permits, waking up to `n` waiting threads (a `BoundedSemaphore` refuses to exceed
    /// its initial value).
    #[pyo3(signature = (n = Arg::Missing), text_signature = "($self, /, n=1)")]
    fn release(&self, py: Python<'_>, n: Arg<'_>) -> PyResult<()> {
        // The core checks the limit in the compare-and-swap that adds the permits: two racing
        // releases cannot both pass a check made here first.
        let n = permits(n)?;
        match self.0.get()? {
            Kind::Unbounded(semaphore) => semaphore.try_release(n).or_raise(py)?,
            Kind::Bounded(semaphore) => semaphore.release(n).or_raise(py)?,
        }
        blocking::released(py);
        Ok(())
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
        Ok(match self.0.get()? {
            Kind::Unbounded(semaphore) => semaphore.value(),
            Kind::Bounded(semaphore) => semaphore.value(),
        })
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Ok(format!(
            "<{} at {:#x}: value={}>",
            repr_name(slf, "Semaphore")?,
            slf.as_ptr() as usize,
            slf.get()._value()?
        ))
    }
}

/// `threadkit.threading.BoundedSemaphore`: a semaphore that refuses to go above its initial value.
///
/// A subclass of `Semaphore`, as in the stdlib, whose methods it inherits; subclassable like the
/// stdlib's: `__init__` builds the core semaphore (see `init.rs`).
#[pyclass(
    module = "threadkit.threading",
    name = "BoundedSemaphore",
    extends = Semaphore,
    subclass,
    frozen
)]
#[derive(Debug)]
pub(crate) struct BoundedSemaphore;

#[pymethods]
impl BoundedSemaphore {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(value=1)")]
    fn new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Semaphore(Init::new("BoundedSemaphore"))).add_subclass(Self)
    }

    #[pyo3(signature = (value = Arg::Missing))]
    fn __init__(slf: &Bound<'_, Self>, value: Arg<'_>) -> PyResult<()> {
        let initial = initial_value(value)?;
        let semaphore = threadkit::BoundedSemaphore::try_new(initial).or_raise(slf.py())?;
        slf.as_super().get().0.set(Kind::Bounded(semaphore))
    }

    /// The initial value, which `release` may not exceed (the stdlib's private attribute).
    #[getter]
    fn _initial_value(slf: &Bound<'_, Self>) -> PyResult<usize> {
        Ok(bounded(slf)?.initial_value())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let semaphore = bounded(slf)?;
        Ok(format!(
            "<{} at {:#x}: value={}/{}>",
            repr_name(slf, "BoundedSemaphore")?,
            slf.as_ptr() as usize,
            semaphore.value(),
            semaphore.initial_value()
        ))
    }
}

/// The core semaphore of a `BoundedSemaphore`.
///
/// # Errors
///
/// `AttributeError` if its `__init__` has not run, or only `Semaphore.__init__` did (which, as
/// in the stdlib, sets no initial value).
fn bounded<'a>(slf: &'a Bound<'_, BoundedSemaphore>) -> PyResult<&'a threadkit::BoundedSemaphore> {
    match slf.as_super().get().0.get()? {
        Kind::Bounded(semaphore) => Ok(semaphore),
        Kind::Unbounded(_) => Err(PyAttributeError::new_err(
            "'BoundedSemaphore' object has no attribute '_initial_value'",
        )),
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
