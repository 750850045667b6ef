//! Python's timeout and `blocking` arguments, parsed in this one place.
//!
//! Two families of rules exist in the stdlib, and both are reproduced here with the running
//! interpreter's exception types and messages:
//!
//! - **`_thread`'s** (`Lock.acquire`, `RLock.acquire`): `timeout=-1` waits forever, any other
//!   negative number, NaN, or a value too large for CPython's clock is an error, and a timeout
//!   together with `blocking=False` is an error. See [`lock_acquire`].
//! - **`threading.py`'s** (`Condition.wait`, `Event.wait`, ...): `None` waits forever and a
//!   timeout that is not positive does not block. A positive one is then handed to a lock, so it
//!   fails like one when it is NaN or too large. See [`wait`] and [`wait_until`].
//!
//! The queues add their own check, `'timeout' must be a non-negative number`, on top of one or
//! the other: `queue.py`'s classes on top of `threading.py`'s rules ([`queue`]), the C
//! `SimpleQueue` on top of the clock conversion ([`simple_queue`]).

use std::time::Duration;

use pyo3::exceptions::{PyOverflowError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyFloat;
use threadkit::timeout::{TIMEOUT_MAX, from_secs_f64};

use crate::errors::{OrRaise, at_least};

/// How a call wants to acquire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Acquire {
    /// `blocking=False`: one attempt.
    Try,
    /// Wait at most this long (`None`: forever).
    Wait(Option<Duration>),
}

/// A keyword argument that may be absent: `None` passed by the caller is not the same as no
/// argument at all (`Lock.acquire(blocking=None)` does not block on 3.13 and fails on 3.11).
#[derive(Debug)]
pub(crate) enum Arg<'py> {
    /// The caller did not pass it.
    Missing,
    /// The object the caller passed.
    Given(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Arg<'py> {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Arg::Given(obj.to_owned()))
    }
}

impl Arg<'_> {
    /// The argument's truth as an `if` reads it, or `default` when it was not passed.
    pub(crate) fn is_truthy_or(&self, default: bool) -> PyResult<bool> {
        match self {
            Arg::Missing => Ok(default),
            Arg::Given(value) => value.is_truthy(),
        }
    }
}

/// The arguments of `_thread.lock.acquire(blocking=True, timeout=-1)`, with CPython's checks in
/// CPython's order.
pub(crate) fn lock_acquire(
    py: Python<'_>,
    blocking: &Arg<'_>,
    timeout: &Arg<'_>,
) -> PyResult<Acquire> {
    let blocking = match blocking {
        Arg::Missing => true,
        Arg::Given(blocking) => parse_blocking(blocking)?,
    };
    let secs = match timeout {
        Arg::Missing => {
            return Ok(if blocking {
                Acquire::Wait(None)
            } else {
                Acquire::Try
            });
        }
        Arg::Given(timeout) => clock_seconds(py, timeout)?,
    };
    if !blocking {
        if secs != -1.0 {
            return Err(PyValueError::new_err(
                "can't specify a timeout for a non-blocking call",
            ));
        }
        return Ok(Acquire::Try);
    }
    // CPython accepts whatever its clock can hold; a value above TIMEOUT_MAX waits "forever".
    from_secs_f64(secs.min(TIMEOUT_MAX.as_secs_f64()))
        .or_raise(py)
        .map(Acquire::Wait)
}

/// `timeout` as `threading.py`'s `Condition.wait` reads it: `None` is forever, a timeout that is
/// not positive means "do not block", a positive one is checked as a lock's would be.
pub(crate) fn wait(
    py: Python<'_>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Duration>> {
    let Some(timeout) = timeout else {
        return Ok(None);
    };
    // The stdlib compares with `>`, so any type error is the one Python reports for it.
    if !timeout.gt(0)? {
        return Ok(Some(Duration::ZERO));
    }
    match lock_acquire(py, &Arg::Missing, &Arg::Given(timeout.clone()))? {
        Acquire::Wait(timeout) => Ok(timeout),
        Acquire::Try => Ok(Some(Duration::ZERO)),
    }
}

/// `timeout` as `threading.py`'s `Semaphore.acquire` and `Barrier.wait` read it: they first add
/// it to the clock (so a non-number fails as that addition does), then wait as
/// `Condition.wait` does (see [`wait`]).
///
/// # Differences from CPython
///
/// A NaN timeout does not block (the stdlib busy-waits until it succeeds).
pub(crate) fn wait_until(
    py: Python<'_>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Duration>> {
    if let Some(timeout) = timeout {
        PyFloat::new(py, 0.0).add(timeout)?;
    }
    wait(py, timeout)
}

/// `blocking` as `_thread` reads it: any object's truth on 3.12+, an integer before.
fn parse_blocking(blocking: &Bound<'_, PyAny>) -> PyResult<bool> {
    if at_least(blocking.py(), 3, 12) {
        blocking.is_truthy()
    } else {
        Ok(blocking.extract::<i32>()? != 0)
    }
}

/// A timeout in seconds, converted as CPython's clock (`PyTime_t`, nanoseconds in an `i64`)
/// converts it, with its errors.
fn clock_seconds(py: Python<'_>, timeout: &Bound<'_, PyAny>) -> PyResult<f64> {
    const NANOS: f64 = 1e9;
    if let Ok(float) = timeout.cast::<PyFloat>() {
        let secs = float.value();
        if secs.is_nan() {
            return Err(PyValueError::new_err("Invalid value NaN (not a number)"));
        }
        let nanos = (secs * NANOS).ceil();
        if !((i64::MIN as f64)..(i64::MAX as f64)).contains(&nanos) {
            return Err(PyOverflowError::new_err(
                "timestamp out of range for platform time_t",
            ));
        }
        return Ok(secs);
    }
    let too_large = || {
        let name = if at_least(py, 3, 13) {
            "PyTime_t"
        } else {
            "_PyTime_t"
        };
        PyOverflowError::new_err(format!("timestamp too large to convert to C {name}"))
    };
    let secs = match timeout.extract::<i64>() {
        Ok(secs) => secs,
        Err(error) if error.is_instance_of::<PyOverflowError>(py) => return Err(too_large()),
        Err(error) => return Err(error),
    };
    if secs.checked_mul(1_000_000_000).is_none() {
        return Err(too_large());
    }
    Ok(secs as f64)
}

/// The `ValueError` of a negative queue timeout.
fn negative_queue_timeout() -> PyErr {
    PyValueError::new_err("'timeout' must be a non-negative number")
}

/// `block` and `timeout` as `queue.Queue.get` and `put` read them: not blocking is a zero
/// timeout, `None` is forever, a negative number is an error, and a positive one goes to a
/// `Condition.wait` (see [`wait_until`]).
pub(crate) fn queue(
    py: Python<'_>,
    block: &Arg<'_>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Duration>> {
    queue_rules(block, timeout, |timeout| {
        if timeout.lt(0)? {
            return Err(negative_queue_timeout());
        }
        wait_until(py, Some(timeout))
    })
}

/// `block` and `timeout` as the C `SimpleQueue.get` reads them: the timeout is converted as
/// `_thread`'s (see [`lock_acquire`]), then a negative one is an error.
pub(crate) fn simple_queue(
    py: Python<'_>,
    block: &Arg<'_>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Duration>> {
    queue_rules(block, timeout, |timeout| {
        let secs = clock_seconds(py, timeout)?;
        if secs < 0.0 {
            return Err(negative_queue_timeout());
        }
        from_secs_f64(secs.min(TIMEOUT_MAX.as_secs_f64())).or_raise(py)
    })
}

/// What every queue shares: not blocking is a zero timeout, no timeout (or `None`) is forever,
/// and a given timeout is read by `given`.
fn queue_rules<'py>(
    block: &Arg<'_>,
    timeout: Option<&Bound<'py, PyAny>>,
    given: impl FnOnce(&Bound<'py, PyAny>) -> PyResult<Option<Duration>>,
) -> PyResult<Option<Duration>> {
    if !block.is_truthy_or(true)? {
        return Ok(Some(Duration::ZERO));
    }
    timeout.map_or(Ok(None), given)
}
