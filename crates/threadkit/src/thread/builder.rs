//! [`Builder`], and [`Thread::new`] and [`Thread::builder`] that use it: creating an unstarted
//! thread with Python's defaults (a `Thread-N` name, the creating thread's daemon flag).
//!
//! It sits above `thread.rs` and `registry.rs`: the default daemon flag is that of the
//! [`current_thread`](crate::thread::current_thread), which may be the main or a dummy thread.

use crate::thread::error::StartError;
use crate::thread::{Thread, ident, registry};

/// Configures a [`Thread`] before it is created: its name, daemon flag and stack size.
///
/// Python: the keyword arguments of `threading.Thread(name=..., daemon=...)`.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{self, Thread};
///
/// let worker = Thread::builder()
///     .name("worker")
///     .daemon(true)
///     .start(|| assert_eq!(thread::current_thread().name(), "worker"))
///     .unwrap();
/// assert!(worker.daemon());
/// assert!(worker.join(None).unwrap());
/// ```
#[derive(Debug, Default, Clone)]
#[must_use = "a builder does nothing until `build` or `start` is called"]
pub struct Builder {
    name: Option<String>,
    daemon: Option<bool>,
    stack_size: Option<usize>,
}

impl Builder {
    /// A builder with Python's defaults: name `Thread-N`, daemon flag of the creating thread.
    ///
    /// ```
    /// use threadkit::thread::Builder;
    ///
    /// let worker = Builder::new().build(|| {});
    /// assert!(worker.name().starts_with("Thread-"));
    /// assert!(!worker.daemon()); // like the main thread that created it
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the thread; an empty name means the default `Thread-N`, as in Python.
    ///
    /// ```
    /// use threadkit::thread::{self, Thread};
    ///
    /// let worker = Thread::builder()
    ///     .name("loader")
    ///     .start(|| assert_eq!(thread::current_thread().name(), "loader"))
    ///     .unwrap();
    /// worker.join(None).unwrap();
    /// assert!(Thread::builder().name("").build(|| {}).name().starts_with("Thread-"));
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Makes the thread a daemon (`true`) or not, instead of inheriting the creating thread's flag.
    ///
    /// ```
    /// use threadkit::thread::{self, Thread};
    ///
    /// let worker = Thread::builder()
    ///     .daemon(true)
    ///     .start(|| {
    ///         // Threads inherit the daemon flag of the thread that creates them.
    ///         assert!(Thread::new(|| {}).daemon());
    ///         assert!(thread::current_thread().daemon());
    ///     })
    ///     .unwrap();
    /// worker.join(None).unwrap();
    /// ```
    pub fn daemon(mut self, daemon: bool) -> Self {
        self.daemon = Some(daemon);
        self
    }

    /// The stack size of the OS thread, in bytes (Python: `threading.stack_size(size)` before
    /// creating the thread). Defaults to [`stack_size()`](crate::thread::stack_size) as it is when
    /// the thread starts, and to std's default when that is 0.
    ///
    /// ```
    /// use threadkit::thread::Thread;
    ///
    /// let worker = Thread::builder()
    ///     .stack_size(4 << 20)
    ///     .start(|| {
    ///         let deep = [0u8; 1 << 20]; // fits in a 4 MiB stack
    ///         std::hint::black_box(&deep);
    ///     })
    ///     .unwrap();
    /// assert!(worker.join(None).unwrap());
    /// ```
    pub fn stack_size(mut self, size: usize) -> Self {
        self.stack_size = Some(size);
        self
    }

    /// Creates the thread without starting it.
    ///
    /// ```
    /// use threadkit::thread::Thread;
    ///
    /// let worker = Thread::builder().name("later").build(|| {});
    /// assert!(!worker.is_alive() && worker.ident().is_none()); // not started yet
    /// worker.start().unwrap();
    /// worker.join(None).unwrap();
    /// ```
    pub fn build(self, target: impl FnOnce() + Send + 'static) -> Thread {
        let name = match self.name {
            Some(name) if !name.is_empty() => name,
            _ => ident::new_name("Thread"),
        };
        let daemon = self
            .daemon
            .unwrap_or_else(|| registry::current_thread().daemon());
        // Only an explicit size is kept: the global one is read when the thread starts.
        Thread::unstarted(name, daemon, self.stack_size, Box::new(target))
    }

    /// Creates the thread and starts it.
    ///
    /// # Errors
    ///
    /// [`StartError::Spawn`] if the operating system cannot create a thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::Thread;
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let worker = Thread::builder()
    ///     .name("sender")
    ///     .start(move || tx.send(6 * 7).unwrap())
    ///     .unwrap();
    /// assert!(worker.ident().is_some()); // running already
    /// assert_eq!(rx.recv().unwrap(), 42);
    /// worker.join(None).unwrap();
    /// ```
    pub fn start(self, target: impl FnOnce() + Send + 'static) -> Result<Thread, StartError> {
        let thread = self.build(target);
        thread.start()?;
        Ok(thread)
    }
}

impl Thread {
    /// Creates a thread that will run `target`, with the default name and daemon flag; call
    /// [`start`](Thread::start) to run it.
    ///
    /// Python: `threading.Thread(target=target)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::Thread;
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let worker = Thread::new(move || tx.send("done").unwrap());
    /// assert!(worker.name().starts_with("Thread-"));
    /// worker.start().unwrap();
    /// assert_eq!(rx.recv().unwrap(), "done");
    /// worker.join(None).unwrap();
    /// ```
    pub fn new(target: impl FnOnce() + Send + 'static) -> Thread {
        Builder::new().build(target)
    }

    /// A [`Builder`] to set the name, daemon flag or stack size.
    ///
    /// ```
    /// use threadkit::thread::Thread;
    ///
    /// let worker = Thread::builder().name("built").daemon(true).build(|| {});
    /// assert_eq!(worker.name(), "built");
    /// assert!(worker.daemon());
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }
}
