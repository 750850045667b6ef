//! Python's exit rule for Rust programs: wait for every non-daemon thread, abandon daemons.

use crate::thread::registry;

/// Waits until every non-daemon thread threadkit started has finished, including threads they
/// start meanwhile; daemon threads are not waited for.
///
/// Python does this by itself when the main thread's code ends (`threading._shutdown`). A Rust
/// program ends when `main` returns, killing every other thread, so it calls `shutdown` at the
/// end of `main` — or runs its body inside [`main`](crate::thread::main()), or keeps a
/// [`ShutdownGuard`] alive — to get Python's behaviour. Daemon threads still running when `main`
/// returns are abandoned, as in Python.
///
/// Threads not started by threadkit (dummies) are not waited for, nor is the calling thread.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::time::Duration;
/// use threadkit::thread::{self, Thread};
///
/// let done = Arc::new(AtomicBool::new(false));
/// let flag = Arc::clone(&done);
/// Thread::builder()
///     .daemon(false)
///     .start(move || {
///         std::thread::sleep(Duration::from_millis(20));
///         flag.store(true, Ordering::Release);
///     })
///     .unwrap();
/// thread::shutdown();
/// assert!(done.load(Ordering::Acquire));
/// ```
pub fn shutdown() {
    loop {
        let pending = registry::non_daemon_threads();
        if pending.is_empty() {
            return;
        }
        for thread in pending {
            // These are started threadkit threads other than the caller: join cannot fail.
            let _ = thread.join(None);
        }
    }
}

/// Runs `body`, then waits for the non-daemon threads ([`shutdown`]), even if `body` panics;
/// returns what `body` returned.
///
/// Python: the implicit wait at the end of a script. Wrap a program's `main` in it:
///
/// ```
/// use threadkit::thread::{self, Thread};
///
/// fn main() {
///     thread::main(|| {
///         Thread::builder()
///             .daemon(false)
///             .start(|| println!("finished before the process exits"))
///             .unwrap();
///     });
/// }
/// # main();
/// ```
pub fn main<R>(body: impl FnOnce() -> R) -> R {
    let _guard = ShutdownGuard::new();
    body()
}

/// Calls [`shutdown`] when dropped: keep one alive for the whole of `main`.
///
/// Python: the implicit wait for non-daemon threads at interpreter exit.
///
/// # Examples
///
/// ```
/// use threadkit::thread::{ShutdownGuard, Thread};
///
/// fn main() {
///     let _shutdown = ShutdownGuard::new();
///     Thread::builder()
///         .daemon(false)
///         .start(|| println!("joined when main returns"))
///         .unwrap();
/// }
/// # main();
/// ```
#[derive(Debug, Default)]
#[must_use = "the guard waits for threads when it is dropped"]
pub struct ShutdownGuard {
    _private: (),
}

impl ShutdownGuard {
    /// A guard; dropping it waits for the non-daemon threads.
    pub fn new() -> Self {
        ShutdownGuard { _private: () }
    }
}

impl Drop for ShutdownGuard {
    fn drop(&mut self) {
        shutdown();
    }
}
