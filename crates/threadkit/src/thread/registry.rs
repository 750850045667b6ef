//! The handles of threads threadkit did not start, and the views of every live thread:
//! `current_thread`, `main_thread`, `enumerate`, `active_count`.
//!
//! It sits above `thread.rs`, whose table of live threads it reads and into which it enters the
//! main thread and a dummy for each other thread that asks for its [`current_thread`]; the
//! numbers those handles carry come from `ident.rs`.

use std::sync::OnceLock;

use crate::thread::ident;
use crate::thread::thread::{self, Kind, Thread};

/// The main thread's handle, created by whichever thread first needs it.
static MAIN: OnceLock<Thread> = OnceLock::new();

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
        let main = Thread::foreign(
            Kind::Main,
            "MainThread".into(),
            false,
            ident::main_ident(),
            ident::main_native_id(),
        );
        main.register();
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
    thread::current_or_init(register_this_thread).unwrap_or_else(|| {
        // The thread is tearing down its thread-locals: hand out an unregistered dummy.
        dummy(ident::get_ident())
    })
}

/// The handle of a thread that has none yet: the main thread's, or a new registered dummy.
fn register_this_thread() -> Thread {
    if ident::is_main_os_thread() {
        return main_thread();
    }
    let thread = dummy(ident::get_ident());
    thread.register();
    thread
}

fn dummy(ident: u64) -> Thread {
    let native_id = ident::get_native_id();
    Thread::foreign(
        Kind::Dummy,
        ident::new_name("Dummy"),
        true,
        ident,
        native_id,
    )
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
    thread::live_threads().values().cloned().collect()
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
    thread::live_threads().len()
}

/// The live non-daemon threads threadkit started, except the calling one: what
/// [`shutdown`](crate::thread::shutdown) waits for.
pub(crate) fn non_daemon_threads() -> Vec<Thread> {
    let me = ident::get_ident();
    thread::live_threads()
        .iter()
        .filter(|(ident, thread)| {
            **ident != me && thread.kind() == Kind::Regular && !thread.daemon()
        })
        .map(|(_, thread)| thread.clone())
        .collect()
}
