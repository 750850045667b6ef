//! The errors of `concurrent.futures`: one type per operation, each displaying the message CPython
//! raises (or, where CPython raises a bare exception, a short description).

use std::any::Any;
use std::error::Error;
use std::fmt;

/// Why [`Future::result`](super::Future::result) returned no value.
///
/// Python: `concurrent.futures.CancelledError`, `TimeoutError`, or the task's own exception.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threadkit::futures::{Future, FutureError, TaskError, ThreadPoolExecutor};
///
/// let pending: Future<u8> = Future::new();
/// let error = pending.result(Some(Duration::from_millis(1))).unwrap_err();
/// assert_eq!(error, FutureError::Timeout);
/// assert_eq!(error.to_string(), "the future did not finish in time");
///
/// pending.cancel();
/// let error = pending.result(None).unwrap_err();
/// assert_eq!(error, FutureError::Cancelled);
/// assert_eq!(error.to_string(), "the future was cancelled");
///
/// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
/// let failed = pool.submit(|| -> u8 { panic!("bad input") }).unwrap();
/// let error = failed.result(None).unwrap_err();
/// assert!(matches!(error, FutureError::Failed(TaskError::Panicked(_))));
/// assert_eq!(error.to_string(), "bad input"); // the task's own error
/// ```
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
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threadkit::futures::{Future, WaitError};
///
/// let future: Future<u8, String> = Future::new();
/// let error = future.exception(Some(Duration::from_millis(1))).unwrap_err();
/// assert_eq!(error, WaitError::Timeout);
/// assert_eq!(error.to_string(), "the future did not finish in time");
/// future.cancel();
/// let error = future.exception(None).unwrap_err();
/// assert_eq!(error, WaitError::Cancelled);
/// assert_eq!(error.to_string(), "the future was cancelled");
/// ```
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

/// A wait that ended without an outcome: the same two cases [`FutureError`] has.
impl<E> From<WaitError> for FutureError<E> {
    fn from(error: WaitError) -> Self {
        match error {
            WaitError::Cancelled => FutureError::Cancelled,
            WaitError::Timeout => FutureError::Timeout,
        }
    }
}

/// A panic caught inside a task or an initializer, with its message.
///
/// CPython catches every exception a task raises and stores it in the future; threadkit catches
/// the task's panic the same way, so a panicking task never takes a worker (or the process) down.
///
/// # Examples
///
/// ```
/// use threadkit::futures::{FutureError, PanicError, TaskError, ThreadPoolExecutor};
///
/// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
/// let future = pool.submit(|| -> u32 { panic!("division by {}", 0) }).unwrap();
/// let Err(FutureError::Failed(TaskError::Panicked(error))) = future.result(None) else {
///     unreachable!("the task panicked")
/// };
/// assert_eq!(error, PanicError { message: "division by 0".into() });
/// assert_eq!(error.to_string(), "division by 0");
/// assert_eq!(pool.submit(|| 1).unwrap().result(None), Ok(1)); // the worker survived
/// ```
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
///
/// # Examples
///
/// ```
/// use threadkit::futures::{BrokenThreadPool, SubmitError, ThreadPoolExecutor};
///
/// let pool = ThreadPoolExecutor::builder()
///     .max_workers(1)
///     .initializer(|| Err("no database")) // reported to the report hook (stderr by default)
///     .build()
///     .unwrap();
/// let queued = pool.submit(|| 1).unwrap(); // starts the worker, whose initializer fails
/// assert!(queued.result(None).is_err());
/// assert!(pool.is_broken());
/// assert_eq!(pool.submit(|| 2).unwrap_err(), SubmitError::Broken(BrokenThreadPool));
/// assert_eq!(
///     BrokenThreadPool.to_string(),
///     "A thread initializer failed, the thread pool is not usable anymore"
/// );
/// ```
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
///
/// # Examples
///
/// ```
/// use threadkit::futures::{BrokenThreadPool, FutureError, TaskError, ThreadPoolExecutor};
///
/// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
/// let future = pool.submit(|| -> u8 { panic!("lost") }).unwrap();
/// let Err(FutureError::Failed(error)) = future.result(None) else {
///     unreachable!("the task panicked")
/// };
/// assert!(matches!(&error, TaskError::Panicked(panic) if panic.message == "lost"));
/// assert_eq!(error.to_string(), "lost");
///
/// let broken = TaskError::from(BrokenThreadPool);
/// assert_eq!(broken.to_string(), BrokenThreadPool.to_string());
/// ```
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
///
/// # Examples
///
/// ```
/// use threadkit::futures::Future;
///
/// let future: Future<i32, ()> = Future::new();
/// future.set_result(1).unwrap();
/// let error = future.set_result(2).unwrap_err();
/// assert_eq!(error.state, "FINISHED");
/// assert_eq!(error.future, future.to_string());
/// // CPython's message: "FINISHED: <Future at 0x... state=finished returned int>".
/// assert!(error.to_string().starts_with("FINISHED: <Future at 0x"));
/// assert_eq!(future.result(None), Ok(1)); // unchanged
/// ```
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
///
/// # Examples
///
/// ```
/// use threadkit::futures::{Future, UnexpectedStateError};
///
/// let future: Future<u8, ()> = Future::new();
/// assert_eq!(future.set_running_or_notify_cancel(), Ok(true)); // now RUNNING
/// let error = future.set_running_or_notify_cancel().unwrap_err();
/// assert_eq!(error, UnexpectedStateError);
/// assert_eq!(error.to_string(), "Future in unexpected state");
/// ```
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
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threadkit::futures::{AsCompletedError, Future, as_completed};
///
/// let done: Future<u8, ()> = Future::new();
/// done.set_result(1).unwrap();
/// let never: Future<u8, ()> = Future::new();
/// let results: Vec<_> = as_completed(&[done, never], Some(Duration::from_millis(1))).collect();
/// assert!(results[0].is_ok());
/// let error = results[1].clone().unwrap_err();
/// assert_eq!(error, AsCompletedError { unfinished: 1, total: 2 });
/// assert_eq!(error.to_string(), "1 (of 2) futures unfinished");
/// assert_eq!(results.len(), 2); // the error ends the iteration
/// ```
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
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use std::time::Duration;
/// use threadkit::futures::{SubmitError, ThreadPoolExecutor};
///
/// let pool = ThreadPoolExecutor::builder().max_workers(1).max_pending(1).build().unwrap();
/// let (release, blocked) = mpsc::channel::<()>();
/// let busy = pool.submit(move || blocked.recv().unwrap()).unwrap();
/// let queued = pool.submit(|| ()).unwrap(); // waits until the worker took `busy`
/// // One call running, one queued: no room for a third.
/// let error = pool.submit_timeout(|| (), Duration::from_millis(1)).unwrap_err();
/// assert_eq!(error, SubmitError::Full);
/// assert_eq!(error.to_string(), "too many pending tasks");
/// release.send(()).unwrap();
/// busy.result(None).unwrap();
/// queued.result(None).unwrap();
///
/// pool.shutdown(true, false);
/// let error = pool.submit(|| ()).unwrap_err();
/// assert_eq!(error, SubmitError::Shutdown);
/// assert_eq!(error.to_string(), "cannot schedule new futures after shutdown");
/// ```
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
///
/// # Examples
///
/// ```
/// use threadkit::futures::{BuildError, ThreadPoolExecutor};
///
/// let error = ThreadPoolExecutor::new(Some(0)).unwrap_err();
/// assert_eq!(error, BuildError::ZeroWorkers);
/// assert_eq!(error.to_string(), "max_workers must be greater than 0");
/// let error = ThreadPoolExecutor::builder().max_pending(0).build().unwrap_err();
/// assert_eq!(error, BuildError::ZeroPending);
/// assert_eq!(error.to_string(), "max_pending must be greater than 0");
/// ```
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
///
/// # Examples
///
/// ```
/// use threadkit::futures::{FutureError, MapError, TaskError, ThreadPoolExecutor};
///
/// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
/// let inverse = |n: u32| {
///     assert!(n != 0, "no inverse of 0");
///     1.0 / f64::from(n)
/// };
/// let mut results = pool.map(inverse, [1, 0, 2], None, None).unwrap();
/// assert_eq!(results.next(), Some(Ok(1.0)));
/// let error = results.next().unwrap().unwrap_err();
/// assert!(matches!(error, MapError::Result(FutureError::Failed(TaskError::Panicked(_)))));
/// assert_eq!(error.to_string(), "no inverse of 0");
/// assert!(results.next().is_none()); // ended after the error
/// ```
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
