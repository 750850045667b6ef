//! The errors of `concurrent.futures`: one type per operation, each displaying the message CPython
//! raises (or, where CPython raises a bare exception, a short description).

use std::any::Any;
use std::error::Error;
use std::fmt;

/// Why [`Future::result`](super::Future::result) returned no value.
///
/// Python: `concurrent.futures.CancelledError`, `TimeoutError`, or the task's own exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FutureError<E = TaskError> {
    /// The future was cancelled (Python: `CancelledError`).
    Cancelled,
    /// The future did not finish within the timeout (Python: `TimeoutError`).
    Timeout,
    /// The task failed; the error it failed with (Python: the exception the call raised).
    Failed(E),
}

impl<E: fmt::Display> fmt::Display for FutureError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FutureError::Cancelled => f.write_str("the future was cancelled"),
            FutureError::Timeout => f.write_str("the future did not finish in time"),
            FutureError::Failed(error) => error.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> Error for FutureError<E> {}

/// Why [`Future::exception`](super::Future::exception) could not tell the outcome.
///
/// Python: the `CancelledError` or `TimeoutError` that `Future.exception()` raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitError {
    /// The future was cancelled (Python: `CancelledError`).
    Cancelled,
    /// The future did not finish within the timeout (Python: `TimeoutError`).
    Timeout,
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WaitError::Cancelled => "the future was cancelled",
            WaitError::Timeout => "the future did not finish in time",
        })
    }
}

impl Error for WaitError {}

/// A panic caught inside a task or an initializer, with its message.
///
/// CPython catches every exception a task raises and stores it in the future; threadkit catches
/// the task's panic the same way, so a panicking task never takes a worker (or the process) down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanicError {
    /// The panic's message (`"Box<dyn Any>"` when the payload was not a string).
    pub message: String,
}

impl PanicError {
    /// The error for a caught panic payload.
    pub(crate) fn from_payload(payload: &(dyn Any + Send)) -> Self {
        let message = if let Some(message) = payload.downcast_ref::<&str>() {
            (*message).to_owned()
        } else if let Some(message) = payload.downcast_ref::<String>() {
            message.clone()
        } else {
            "Box<dyn Any>".to_owned()
        };
        PanicError { message }
    }
}

impl fmt::Display for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for PanicError {}

/// The pool cannot run tasks: a thread initializer failed.
///
/// Python: `concurrent.futures.thread.BrokenThreadPool`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenThreadPool;

impl fmt::Display for BrokenThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("A thread initializer failed, the thread pool is not usable anymore")
    }
}

impl Error for BrokenThreadPool {}

/// Why a task submitted to a [`ThreadPoolExecutor`](super::ThreadPoolExecutor) produced no value.
///
/// This is the error type of the futures that [`submit`](super::ThreadPoolExecutor::submit)
/// returns. Tasks with their own error type use
/// [`submit_fallible`](super::ThreadPoolExecutor::submit_fallible), whose error type converts from
/// this one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskError {
    /// The task panicked (Python: the exception the task raised).
    Panicked(PanicError),
    /// The pool broke before the task ran (Python: `BrokenThreadPool`).
    Broken(BrokenThreadPool),
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Panicked(error) => error.fmt(f),
            TaskError::Broken(error) => error.fmt(f),
        }
    }
}

impl Error for TaskError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            TaskError::Panicked(error) => Some(error),
            TaskError::Broken(error) => Some(error),
        }
    }
}

impl From<PanicError> for TaskError {
    fn from(error: PanicError) -> Self {
        TaskError::Panicked(error)
    }
}

impl From<BrokenThreadPool> for TaskError {
    fn from(error: BrokenThreadPool) -> Self {
        TaskError::Broken(error)
    }
}

/// A second `set_result`/`set_exception`, or one on a cancelled future.
///
/// Python: `concurrent.futures.InvalidStateError`, whose message is the state and the future's
/// repr, e.g. `FINISHED: <Future at 0x7f… state=finished returned i32>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidStateError {
    /// The state the future was in (`"FINISHED"`, `"CANCELLED"`, `"CANCELLED_AND_NOTIFIED"`).
    pub state: &'static str,
    /// The future's repr (its `Display`), as CPython puts it in the message.
    pub future: String,
}

impl fmt::Display for InvalidStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.state, self.future)
    }
}

impl Error for InvalidStateError {}

/// `set_running_or_notify_cancel` on a future that is already running or finished.
///
/// Python: `RuntimeError: Future in unexpected state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnexpectedStateError;

impl fmt::Display for UnexpectedStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Future in unexpected state")
    }
}

impl Error for UnexpectedStateError {}

/// [`as_completed`](super::as_completed) ran out of time.
///
/// Python: `TimeoutError: N (of M) futures unfinished`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsCompletedError {
    /// How many futures had not finished.
    pub unfinished: usize,
    /// How many distinct futures were given.
    pub total: usize,
}

impl fmt::Display for AsCompletedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (of {}) futures unfinished",
            self.unfinished, self.total
        )
    }
}

impl Error for AsCompletedError {}

/// Why [`ThreadPoolExecutor::submit`](super::ThreadPoolExecutor::submit) refused a task.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubmitError {
    /// The executor was shut down (Python: `RuntimeError: cannot schedule new futures after
    /// shutdown`).
    Shutdown,
    /// A thread initializer failed (Python: `BrokenThreadPool`).
    Broken(BrokenThreadPool),
    /// `max_pending` tasks were waiting for the whole timeout of
    /// [`submit_timeout`](super::ThreadPoolExecutor::submit_timeout) (no Python equivalent).
    Full,
    /// A worker thread was needed and could not be started (Python: `RuntimeError: can't start
    /// new thread`); the call stays queued.
    Start(String),
}

impl fmt::Display for SubmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubmitError::Shutdown => f.write_str("cannot schedule new futures after shutdown"),
            SubmitError::Broken(error) => error.fmt(f),
            SubmitError::Full => f.write_str("too many pending tasks"),
            SubmitError::Start(error) => write!(f, "can't start new thread: {error}"),
        }
    }
}

impl Error for SubmitError {}

/// An invalid [`ThreadPoolExecutor`](super::ThreadPoolExecutor) configuration.
///
/// Python: the `ValueError` the constructor raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// `max_workers` was 0 (Python: `ValueError: max_workers must be greater than 0`).
    ZeroWorkers,
    /// `max_pending` was 0 (no Python equivalent).
    ZeroPending,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BuildError::ZeroWorkers => "max_workers must be greater than 0",
            BuildError::ZeroPending => "max_pending must be greater than 0",
        })
    }
}

impl Error for BuildError {}

/// Why [`ThreadPoolExecutor::map`](super::ThreadPoolExecutor::map)'s iterator stopped with an
/// error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MapError {
    /// A call failed, was cancelled or timed out (Python: what `result()` raises).
    Result(FutureError<TaskError>),
    /// The next call could not be submitted (Python: what `submit` raises).
    Submit(SubmitError),
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::Result(error) => error.fmt(f),
            MapError::Submit(error) => error.fmt(f),
        }
    }
}

impl Error for MapError {}

impl From<FutureError<TaskError>> for MapError {
    fn from(error: FutureError<TaskError>) -> Self {
        MapError::Result(error)
    }
}

impl From<SubmitError> for MapError {
    fn from(error: SubmitError) -> Self {
        MapError::Submit(error)
    }
}
