//! The process-wide numbers every thread handle is built from: idents, native ids, the counter
//! behind default names, and the stack size for new threads.
//!
//! A leaf: it knows nothing of [`Thread`](crate::thread::Thread). `thread.rs` and `registry.rs`
//! both build on it, and neither needs the other for these.
//!
//! The counters are std atomics even under loom: they are process-wide names, not part of any
//! state machine loom explores.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::thread::error::StackSizeError;

/// The next ident; idents are never reused.
static NEXT_IDENT: AtomicU64 = AtomicU64::new(1);
/// The `N` of the next `Thread-N` or `Dummy-N` name, shared by both as in CPython.
static NEXT_NAME: AtomicU64 = AtomicU64::new(1);
/// The stack size for new threads; 0 is std's default.
static STACK_SIZE: AtomicUsize = AtomicUsize::new(0);
/// The main thread's ident, handed out by whichever comes first: the main thread asking for its
/// ident, or any thread asking for the main thread's handle.
static MAIN_IDENT: OnceLock<u64> = OnceLock::new();

thread_local! {
    /// This thread's ident, 0 until first needed.
    static IDENT: Cell<u64> = const { Cell::new(0) };
}

/// A fresh ident for a thread about to start.
pub(crate) fn new_ident() -> u64 {
    NEXT_IDENT.fetch_add(1, Ordering::Relaxed)
}

/// The main thread's ident, the same from every thread.
pub(crate) fn main_ident() -> u64 {
    *MAIN_IDENT.get_or_init(new_ident)
}

/// A fresh default name: `Thread-N` or `Dummy-N`.
pub(crate) fn new_name(prefix: &str) -> String {
    format!("{prefix}-{}", NEXT_NAME.fetch_add(1, Ordering::Relaxed))
}

/// Records `ident` as the calling OS thread's (called first thing by every thread threadkit
/// starts).
pub(crate) fn adopt(ident: u64) {
    IDENT.with(|cell| cell.set(ident));
}

/// Whether the calling OS thread is the process's main thread.
pub(crate) fn is_main_os_thread() -> bool {
    #[cfg(target_os = "linux")]
    {
        // On Linux the main thread's tid is the process id.
        get_native_id() == u64::from(std::process::id())
    }
    #[cfg(not(target_os = "linux"))]
    {
        std::thread::current().name() == Some("main")
    }
}

/// The main thread's native id: on Linux the process id, elsewhere unknown (0).
pub(crate) fn main_native_id() -> u64 {
    if cfg!(target_os = "linux") {
        u64::from(std::process::id())
    } else {
        0
    }
}

/// Returns the identifier of the current thread: a nonzero number unique among all threads the
/// process ever had.
///
/// Python: `threading.get_ident()`. It equals [`Thread::ident`](crate::thread::Thread::ident) of
/// [`current_thread()`](crate::thread::current_thread) and works on any thread, even one
/// threadkit did not start.
///
/// # Differences from CPython
///
/// Identifiers are never recycled, and are small numbers rather than `pthread_t` values.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{self, Thread};
///
/// let here = thread::get_ident();
/// assert_eq!(thread::current_thread().ident(), Some(here));
/// let worker = Thread::new(move || assert_ne!(thread::get_ident(), here));
/// worker.start().unwrap();
/// worker.join(None).unwrap();
/// ```
pub fn get_ident() -> u64 {
    IDENT.with(|cell| {
        let mut ident = cell.get();
        if ident == 0 {
            ident = if is_main_os_thread() {
                main_ident()
            } else {
                new_ident()
            };
            cell.set(ident);
        }
        ident
    })
}

/// Returns the operating system's id of the current thread (on Linux, `gettid()`).
///
/// Python: `threading.get_native_id()`.
///
/// # Examples
///
/// ```
/// use threadkit::thread;
///
/// assert_eq!(thread::current_thread().native_id(), Some(thread::get_native_id()));
/// ```
pub fn get_native_id() -> u64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `gettid` has no preconditions and cannot fail.
        let tid = unsafe { libc::gettid() };
        u64::try_from(tid).unwrap_or_default()
    }
    #[cfg(not(target_os = "linux"))]
    {
        get_ident()
    }
}

/// The stack size, in bytes, of threads started from now on without an explicit
/// [`Builder::stack_size`](crate::thread::Builder::stack_size); 0 means std's default.
///
/// Python: `threading.stack_size()`. A thread reads it when it starts, not when it is built.
///
/// # Examples
///
/// ```
/// use threadkit::thread;
///
/// assert_eq!(thread::stack_size(), 0); // std's default
/// thread::set_stack_size(256 * 1024).unwrap();
/// assert_eq!(thread::stack_size(), 256 * 1024);
/// thread::set_stack_size(0).unwrap();
/// ```
pub fn stack_size() -> usize {
    STACK_SIZE.load(Ordering::Relaxed)
}

/// Sets the stack size of threads started from now on (0: std's default); returns the previous
/// setting.
///
/// Python: `threading.stack_size(size)`.
///
/// # Errors
///
/// [`StackSizeError::Invalid`] for a size that is neither 0 nor at least 32 KiB.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{self, Thread};
///
/// assert_eq!(thread::set_stack_size(1 << 20), Ok(0));
/// let worker = Thread::new(|| {});
/// worker.start().unwrap(); // with a 1 MiB stack
/// worker.join(None).unwrap();
/// assert_eq!(thread::set_stack_size(0), Ok(1 << 20));
/// assert!(thread::set_stack_size(100).is_err());
/// ```
pub fn set_stack_size(size: usize) -> Result<usize, StackSizeError> {
    if size != 0 && size < 32 * 1024 {
        return Err(StackSizeError::Invalid(size));
    }
    Ok(STACK_SIZE.swap(size, Ordering::Relaxed))
}
