//! The errors of the queues: one type per operation, named after what Python's `queue` raises.
//!
//! CPython's `queue.Empty`, `queue.Full` and `queue.ShutDown` carry no message; the texts here
//! say the same thing in words, for Rust users. The Python bindings map each variant back to the
//! stdlib's own exception class.

use std::error::Error;
use std::fmt;

/// Why a `put` failed; the item comes back with the error.
///
/// Python: `put` raises `queue.Full` or `queue.ShutDown`.
///
/// # Examples
///
/// ```
/// use threadkit::Queue;
/// use threadkit::queue::PutError;
///
/// let queue = Queue::new(1);
/// queue.put_nowait("first").unwrap();
/// let error = queue.put_nowait("second").unwrap_err();
/// assert_eq!(error, PutError::Full("second"));
/// assert_eq!(error.to_string(), "put on a full queue");
/// assert_eq!(error.into_inner(), "second");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PutError<T> {
    /// The queue stayed full for the whole timeout (Python: `queue.Full`).
    Full(T),
    /// The queue has been shut down (Python: `queue.ShutDown`).
    ShutDown(T),
}

impl<T> PutError<T> {
    /// The item that could not be put.
    ///
    /// ```
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(0);
    /// queue.shutdown(false);
    /// let error = queue.put(String::from("late"), None).unwrap_err();
    /// let item: String = error.into_inner(); // not lost
    /// assert_eq!(item, "late");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::ShutDown(item) => item,
        }
    }

    /// Whether the queue was full.
    ///
    /// ```
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(1);
    /// queue.put_nowait(1).unwrap();
    /// assert!(queue.put_nowait(2).unwrap_err().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }

    /// Whether the queue was shut down.
    ///
    /// ```
    /// use threadkit::Queue;
    ///
    /// let queue = Queue::new(1);
    /// queue.shutdown(false);
    /// let error = queue.put_nowait(1).unwrap_err();
    /// assert!(error.is_shut_down() && !error.is_full());
    /// ```
    pub fn is_shut_down(&self) -> bool {
        matches!(self, PutError::ShutDown(_))
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PutError::Full(_) => "Full(..)",
            PutError::ShutDown(_) => "ShutDown(..)",
        })
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PutError::Full(_) => "put on a full queue",
            PutError::ShutDown(_) => "put on a shut-down queue",
        })
    }
}

impl<T> Error for PutError<T> {}

/// Why a `get` failed.
///
/// Python: `get` raises `queue.Empty` or `queue.ShutDown`.
///
/// # Examples
///
/// ```
/// use threadkit::Queue;
/// use threadkit::queue::GetError;
///
/// let queue = Queue::<u32>::new(0);
/// assert_eq!(queue.get_nowait(), Err(GetError::Empty));
/// assert_eq!(GetError::Empty.to_string(), "get from an empty queue");
/// queue.shutdown(false);
/// assert_eq!(queue.get_nowait(), Err(GetError::ShutDown));
/// assert_eq!(GetError::ShutDown.to_string(), "get from a shut-down queue");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetError {
    /// The queue stayed empty for the whole timeout (Python: `queue.Empty`).
    Empty,
    /// The queue has been shut down and holds no more items, or was shut down immediately
    /// (Python: `queue.ShutDown`).
    ShutDown,
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GetError::Empty => "get from an empty queue",
            GetError::ShutDown => "get from a shut-down queue",
        })
    }
}

impl Error for GetError {}

/// A [`SimpleQueue`](crate::SimpleQueue) stayed empty for the whole timeout.
///
/// Python: `SimpleQueue.get` raises `queue.Empty`.
///
/// # Examples
///
/// ```
/// use threadkit::SimpleQueue;
/// use threadkit::queue::Empty;
///
/// let queue = SimpleQueue::<u32>::new();
/// assert_eq!(queue.get_nowait(), Err(Empty));
/// assert_eq!(Empty.to_string(), "get from an empty queue");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Empty;

impl fmt::Display for Empty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("get from an empty queue")
    }
}

impl Error for Empty {}

/// `task_done` was called more times than items were put.
///
/// Python: `ValueError: task_done() called too many times`.
///
/// # Examples
///
/// ```
/// use threadkit::Queue;
///
/// let queue = Queue::<u32>::new(0);
/// let error = queue.task_done().unwrap_err();
/// assert_eq!(error.to_string(), "task_done() called too many times");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called too many times")
    }
}

impl Error for TaskDoneError {}
