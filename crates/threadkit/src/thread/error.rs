//! The errors of thread operations: one type per operation, each displaying the message CPython
//! raises.

use std::error::Error;
use std::fmt;
use std::io;

/// Why [`Thread::start`](crate::thread::Thread::start) failed.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{StartError, Thread};
///
/// let worker = Thread::new(|| {});
/// worker.start().unwrap();
/// let error = worker.start().unwrap_err();
/// assert!(matches!(error, StartError::AlreadyStarted));
/// assert_eq!(error.to_string(), "threads can only be started once");
/// worker.join(None).unwrap();
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The thread was started before, or is the main thread or a dummy thread (Python:
    /// `RuntimeError: threads can only be started once`).
    AlreadyStarted,
    /// The operating system refused to create a thread (Python:
    /// `RuntimeError: can't start new thread`).
    Spawn(io::Error),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StartError::AlreadyStarted => "threads can only be started once",
            StartError::Spawn(_) => "can't start new thread",
        })
    }
}

impl Error for StartError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            StartError::Spawn(error) => Some(error),
            StartError::AlreadyStarted => None,
        }
    }
}

/// Why [`Thread::join`](crate::thread::Thread::join) failed.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use threadkit::thread::{self, JoinError, Thread};
///
/// let error = Thread::new(|| {}).join(None).unwrap_err();
/// assert_eq!(error, JoinError::NotStarted);
/// assert_eq!(error.to_string(), "cannot join thread before it is started");
///
/// let (tx, rx) = mpsc::channel();
/// let worker = Thread::new(move || tx.send(thread::current_thread().join(None)).unwrap());
/// worker.start().unwrap();
/// let error = rx.recv().unwrap().unwrap_err();
/// assert_eq!(error, JoinError::CurrentThread);
/// assert_eq!(error.to_string(), "cannot join current thread");
/// worker.join(None).unwrap();
///
/// let error = std::thread::spawn(|| thread::current_thread()).join().unwrap().join(None);
/// assert_eq!(error, Err(JoinError::DummyThread));
/// assert_eq!(error.unwrap_err().to_string(), "cannot join a dummy thread");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinError {
    /// The thread was never started (Python:
    /// `RuntimeError: cannot join thread before it is started`).
    NotStarted,
    /// A thread tried to join itself, which would wait forever (Python:
    /// `RuntimeError: cannot join current thread`).
    CurrentThread,
    /// The thread was not started by threadkit, so there is nothing to wait for (Python:
    /// `RuntimeError: cannot join a dummy thread`).
    DummyThread,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JoinError::NotStarted => "cannot join thread before it is started",
            JoinError::CurrentThread => "cannot join current thread",
            JoinError::DummyThread => "cannot join a dummy thread",
        })
    }
}

impl Error for JoinError {}

/// Why [`Thread::set_daemon`](crate::thread::Thread::set_daemon) failed.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{SetDaemonError, Thread};
///
/// let worker = Thread::new(|| {});
/// worker.start().unwrap();
/// let error = worker.set_daemon(true).unwrap_err();
/// assert_eq!(error, SetDaemonError::Active);
/// assert_eq!(error.to_string(), "cannot set daemon status of active thread");
/// worker.join(None).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetDaemonError {
    /// The thread has been started (Python:
    /// `RuntimeError: cannot set daemon status of active thread`).
    Active,
}

impl fmt::Display for SetDaemonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SetDaemonError::Active => "cannot set daemon status of active thread",
        })
    }
}

impl Error for SetDaemonError {}

/// Why [`set_stack_size`](crate::thread::set_stack_size) failed.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{self, StackSizeError};
///
/// let error = thread::set_stack_size(1024).unwrap_err();
/// assert_eq!(error, StackSizeError::Invalid(1024));
/// assert_eq!(error.to_string(), "size not valid: 1024 bytes");
/// assert_eq!(thread::stack_size(), 0); // unchanged
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StackSizeError {
    /// Neither 0 nor at least 32 KiB (Python: `ValueError: size not valid: N bytes`).
    Invalid(usize),
}

impl fmt::Display for StackSizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StackSizeError::Invalid(size) => write!(f, "size not valid: {size} bytes"),
        }
    }
}

impl Error for StackSizeError {}

/// Why [`register_atexit`](crate::thread::register_atexit) failed.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{self, RegisterAtexitError};
///
/// thread::shutdown(); // what the end of `thread::main` does
/// let error = thread::register_atexit(|| {}).unwrap_err();
/// assert_eq!(error, RegisterAtexitError::ShuttingDown);
/// assert_eq!(error.to_string(), "can't register atexit after shutdown");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterAtexitError {
    /// [`shutdown`](crate::thread::shutdown) has begun (Python:
    /// `RuntimeError: can't register atexit after shutdown`).
    ShuttingDown,
}

impl fmt::Display for RegisterAtexitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RegisterAtexitError::ShuttingDown => "can't register atexit after shutdown",
        })
    }
}

impl Error for RegisterAtexitError {}
