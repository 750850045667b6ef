//! The errors of thread operations: one type per operation, each displaying the message CPython
//! raises.

use std::error::Error;
use std::fmt;
use std::io;

/// Why [`Thread::start`](crate::thread::Thread::start) failed.
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
