//! Timeouts and deadlines, parsed in this one place.
//!
//! threadkit's blocking calls take `Option<Duration>`: `None` waits forever, `Some(d)` waits at
//! most `d`. A duration too large to add to the current time is treated as forever, as CPython
//! does for values up to [`TIMEOUT_MAX`]. [`from_secs_f64`] turns a Python-style timeout in
//! seconds into that form with CPython's `_thread` rules, for programs (and the Python bindings)
//! that receive timeouts as numbers.

use std::error::Error;
use std::fmt;
use std::time::{Duration, Instant};

/// The largest timeout accepted by [`from_secs_f64`]; mirrors `threading.TIMEOUT_MAX` on Linux.
///
/// ```
/// use threadkit::timeout::{self, TIMEOUT_MAX};
///
/// assert_eq!(timeout::from_secs_f64(TIMEOUT_MAX.as_secs_f64()), Ok(Some(TIMEOUT_MAX)));
/// assert!(timeout::from_secs_f64(TIMEOUT_MAX.as_secs_f64() * 2.0).is_err());
/// ```
pub const TIMEOUT_MAX: Duration = Duration::from_secs(9_223_372_036);

/// A Python-style timeout that is not a valid wait: what `threading.Lock.acquire` raises for it.
///
/// # Examples
///
/// ```
/// use threadkit::timeout::{from_secs_f64, TimeoutError};
///
/// let error = from_secs_f64(-0.5).unwrap_err();
/// assert_eq!(error, TimeoutError::Negative);
/// assert_eq!(error.to_string(), "timeout value must be a non-negative number");
/// let error = from_secs_f64(f64::NAN).unwrap_err();
/// assert_eq!(error, TimeoutError::NotANumber);
/// assert_eq!(error.to_string(), "Invalid value NaN (not a number)");
/// let error = from_secs_f64(1e19).unwrap_err();
/// assert_eq!(error, TimeoutError::TooLarge);
/// assert_eq!(error.to_string(), "timeout value is too large");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutError {
    /// A negative number other than `-1` (Python's `ValueError`).
    Negative,
    /// Not a number (Python's `ValueError`).
    NotANumber,
    /// Larger than [`TIMEOUT_MAX`] (Python's `OverflowError`).
    TooLarge,
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutError::Negative => "timeout value must be a non-negative number",
            TimeoutError::NotANumber => "Invalid value NaN (not a number)",
            TimeoutError::TooLarge => "timeout value is too large",
        })
    }
}

impl Error for TimeoutError {}

/// Parses a timeout in seconds with the rules of CPython's `_thread.lock.acquire`.
///
/// `-1` means wait forever (`Ok(None)`); other negative numbers, NaN, and values above
/// [`TIMEOUT_MAX`] are errors.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threadkit::timeout::{from_secs_f64, TimeoutError};
///
/// assert_eq!(from_secs_f64(-1.0), Ok(None));
/// assert_eq!(from_secs_f64(0.25), Ok(Some(Duration::from_millis(250))));
/// assert_eq!(from_secs_f64(-2.0), Err(TimeoutError::Negative));
/// assert_eq!(from_secs_f64(1e300), Err(TimeoutError::TooLarge));
/// ```
pub fn from_secs_f64(secs: f64) -> Result<Option<Duration>, TimeoutError> {
    if secs.is_nan() {
        Err(TimeoutError::NotANumber)
    } else if secs == -1.0 {
        Ok(None)
    } else if secs < 0.0 {
        Err(TimeoutError::Negative)
    } else if secs > TIMEOUT_MAX.as_secs_f64() {
        Err(TimeoutError::TooLarge)
    } else {
        Ok(Some(Duration::from_secs_f64(secs)))
    }
}

/// The instant a wait of `timeout` started now must give up; `None` is forever.
///
/// A timeout too large to represent as an `Instant` saturates to forever.
#[inline]
pub(crate) fn deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|timeout| Instant::now().checked_add(timeout))
}

/// Whether `deadline` has passed.
#[inline]
pub(crate) fn expired(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|deadline| Instant::now() >= deadline)
}
