//! The registry of live threads: `current_thread`, `main_thread`, `enumerate`, `active_count`,
//! `get_ident`, `get_native_id`.
//!
//! One mutex-protected map from ident to handle holds every started threadkit thread until it
//! finishes, the main thread, and a dummy entry for each other thread that asked for its
//! [`current_thread`]. A dummy entry leaves the map when its OS thread exits (a thread-local
//! destructor). The map is not on any hot path: [`current_thread`] reads a thread-local cache.
//!
//! The global counters are std atomics even under loom: they are process-wide names, not part of
//! any state machine loom explores.

use std::cell::{Cell, OnceCell};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use crate::thread::error::StackSizeError;
use crate::thread::thread::{Kind, Thread};

/// Every live thread by ident, in the order their idents were handed out.
static THREADS: Mutex<BTreeMap<u64, Thread>> = Mutex::new(BTreeMap::new());
/// The next ident; idents are never reused.
static NEXT_IDENT: AtomicU64 = AtomicU64::new(1);
/// The `N` of the next `Thread-N` or `Dummy-N` name, shared by both as in CPython.
static NEXT_NAME: AtomicU64 = AtomicU64::new(1);
/// The stack size for new threads; 0 is std's default.
static STACK_SIZE: AtomicUsize = AtomicUsize::new(0);
/// The main thread's handle, created by whichever thread first needs it.
static MAIN: OnceLock<Thread> = OnceLock::new();

thread_local! {
    /// This thread's ident, 0 until first needed.
    static IDENT: Cell<u64> = const { Cell::new(0) };
    /// This thread's handle; dropping it (at thread exit) retires a dummy entry.
    static CURRENT: OnceCell<Current> = const { OnceCell::new() };
}

/// The thread-local owner of the current thread's handle.
struct Current(Thread);

impl Drop for Current {
    fn drop(&mut self) {
        if self.0.kind() == Kind::Dummy {
            if let Some(ident) = self.0.ident() {
                remove(ident);
            }
            self.0.finish_foreign();
        }
    }
}

fn threads() -> MutexGuard<'static, BTreeMap<u64, Thread>> {
    // Map operations cannot leave the map half-updated, so a poisoned lock is still consistent.
    THREADS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A fresh ident for a thread about to start.
pub(crate) fn new_ident() -> u64 {
    NEXT_IDENT.fetch_add(1, Ordering::Relaxed)
}

/// A fresh default name: `Thread-N` or `Dummy-N`.
pub(crate) fn new_name(prefix: &str) -> String {
    format!("{prefix}-{}", NEXT_NAME.fetch_add(1, Ordering::Relaxed))
}

pub(crate) fn insert(ident: u64, thread: Thread) {
    threads().insert(ident, thread);
}

pub(crate) fn remove(ident: u64) {
    let removed = threads().remove(&ident);
    // Drop the handle outside the lock: it may be the last one, and dropping a target may run
    // arbitrary code.
    drop(removed);
}

/// Makes `thread` the current thread of the OS thread running this (called first thing by
/// every thread threadkit starts).
pub(crate) fn adopt(thread: &Thread, ident: u64) {
    IDENT.with(|cell| cell.set(ident));
    let _ = CURRENT.try_with(|current| current.set(Current(thread.clone())));
}

/// Whether the calling OS thread is the process's main thread.
fn is_main_os_thread() -> bool {
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

/// Returns the identifier of the current thread: a nonzero number unique among all threads the
/// process ever had.
///
/// Python: `threading.get_ident()`. It equals [`Thread::ident`] of
/// [`current_thread()`](current_thread) and works on any thread, even one threadkit did not start.
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
                main_thread().ident().unwrap_or_else(new_ident)
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

/// Returns the handle of the main thread, named `MainThread`.
///
/// Python: `threading.main_thread()`. The main thread is the one the process started with
/// (on Linux, the thread whose id is the process id), whether or not it ever calls threadkit.
///
/// # Differences from CPython
///
/// The main thread is always alive: Rust has no interpreter shutdown that would mark it
/// stopped. Outside Linux it is recognized by std's name `main`.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{self, Thread};
///
/// let main = thread::main_thread();
/// assert_eq!(main.name(), "MainThread");
/// assert!(main.is_alive() && !main.daemon());
/// let worker = Thread::new(|| assert_ne!(thread::current_thread(), thread::main_thread()));
/// worker.start().unwrap();
/// worker.join(None).unwrap();
/// ```
pub fn main_thread() -> Thread {
    MAIN.get_or_init(|| {
        let ident = new_ident();
        let native_id = if cfg!(target_os = "linux") {
            u64::from(std::process::id())
        } else {
            0
        };
        let main = Thread::foreign(Kind::Main, "MainThread".into(), false, ident, native_id);
        insert(ident, main.clone());
        main
    })
    .clone()
}

/// Returns the handle of the calling thread.
///
/// Python: `threading.current_thread()`. On a thread threadkit started it is that thread's
/// handle, read from a thread-local cache. On the main thread it is [`main_thread`]. On any other
/// thread (one started with `std::thread`, say) it is a dummy handle named `Dummy-N`, a daemon,
/// that appears in [`enumerate`] until that thread exits and cannot be joined.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{self, Thread};
///
/// let named = Thread::builder()
///     .name("reporter")
///     .start(|| assert_eq!(thread::current_thread().name(), "reporter"))
///     .unwrap();
/// named.join(None).unwrap();
///
/// std::thread::spawn(|| {
///     let dummy = thread::current_thread();
///     assert!(dummy.name().starts_with("Dummy-") && dummy.daemon());
/// })
/// .join()
/// .unwrap();
/// ```
pub fn current_thread() -> Thread {
    CURRENT
        .try_with(|current| current.get_or_init(register_this_thread).0.clone())
        .unwrap_or_else(|_| {
            // The thread is tearing down its thread-locals: hand out an unregistered dummy.
            dummy(get_ident())
        })
}

fn register_this_thread() -> Current {
    if is_main_os_thread() {
        return Current(main_thread());
    }
    let ident = get_ident();
    let thread = dummy(ident);
    insert(ident, thread.clone());
    Current(thread)
}

fn dummy(ident: u64) -> Thread {
    Thread::foreign(Kind::Dummy, new_name("Dummy"), true, ident, get_native_id())
}

/// Returns every live thread: started threadkit threads that have not finished, the main thread,
/// and dummy threads whose OS thread is still running.
///
/// Python: `threading.enumerate()`. Threads are listed in the order they got their ident.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use threadkit::thread::{self, Thread};
///
/// let (done, wait) = mpsc::channel::<()>();
/// let worker = Thread::builder().name("listed").start(move || wait.recv().unwrap()).unwrap();
/// assert!(thread::enumerate().contains(&worker));
/// assert!(thread::enumerate().contains(&thread::main_thread()));
/// done.send(()).unwrap();
/// worker.join(None).unwrap();
/// assert!(!thread::enumerate().contains(&worker));
/// ```
pub fn enumerate() -> Vec<Thread> {
    main_thread();
    threads().values().cloned().collect()
}

/// Returns how many threads are alive: the length of [`enumerate`].
///
/// Python: `threading.active_count()`.
///
/// # Examples
///
/// ```
/// use threadkit::thread;
///
/// assert!(thread::active_count() >= 1); // at least the main thread
/// ```
pub fn active_count() -> usize {
    main_thread();
    threads().len()
}

/// The live non-daemon threads threadkit started, except the calling one: what
/// [`shutdown`](crate::thread::shutdown) waits for.
pub(crate) fn non_daemon_threads() -> Vec<Thread> {
    let me = get_ident();
    threads()
        .iter()
        .filter(|(ident, thread)| {
            **ident != me && thread.kind() == Kind::Regular && !thread.daemon()
        })
        .map(|(_, thread)| thread.clone())
        .collect()
}

/// The stack size, in bytes, of threads started from now on without an explicit
/// [`Builder::stack_size`](crate::thread::Builder::stack_size); 0 means std's default.
///
/// Python: `threading.stack_size()`.
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
