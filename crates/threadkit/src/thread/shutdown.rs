//! Python's exit rule for Rust programs: wait for every non-daemon thread, abandon daemons.

use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::thread::error::RegisterAtexitError;
use crate::thread::registry;

type AtexitCall = Box<dyn FnOnce() + Send + 'static>;

/// Set by the first [`shutdown`]; from then on [`register_atexit`] refuses.
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
/// The calls [`register_atexit`] collected, in registration order.
static ATEXIT: Mutex<Vec<AtexitCall>> = Mutex::new(Vec::new());

/// Registers `call` to run at the start of [`shutdown`], before it joins any thread; calls run
/// in reverse order of registration, each once.
///
/// Python: `threading._register_atexit(func)`, which `concurrent.futures` uses to stop its
/// workers before the interpreter joins them. A call that panics is reported on stderr and the
/// others still run.
///
/// # Errors
///
/// [`RegisterAtexitError::ShuttingDown`] once [`shutdown`] has been called.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use threadkit::thread::{self, Thread};
///
/// // A service thread that runs until told to stop, as an executor's worker does.
/// let stop = Arc::new(AtomicBool::new(false));
/// let flag = Arc::clone(&stop);
/// Thread::builder()
///     .daemon(false)
///     .start(move || while !flag.load(Ordering::Acquire) { std::thread::yield_now() })
///     .unwrap();
/// thread::register_atexit(move || stop.store(true, Ordering::Release)).unwrap();
/// thread::shutdown(); // stops the service first, then joins it
/// assert!(thread::register_atexit(|| {}).is_err());
/// ```
pub fn register_atexit(call: impl FnOnce() + Send + 'static) -> Result<(), RegisterAtexitError> {
    let mut calls = ATEXIT.lock().unwrap_or_else(PoisonError::into_inner);
    // Checked under the lock that `shutdown` takes after setting the flag: a call registered
    // here is either refused or run.
    if SHUTTING_DOWN.load(Ordering::Relaxed) {
        return Err(RegisterAtexitError::ShuttingDown);
    }
    calls.push(Box::new(call));
    Ok(())
}

/// Runs the registered atexit calls, last registered first.
fn run_atexit_calls() {
    loop {
        let call = ATEXIT.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let Some(call) = call else { return };
        if panic::catch_unwind(AssertUnwindSafe(call)).is_err() {
            let _ = io::stderr()
                .lock()
                .write_all(b"Exception in threading atexit callback\n");
        }
    }
}

/// Waits until every non-daemon thread threadkit started has finished, including threads they
/// start meanwhile; daemon threads are not waited for.
///
/// Python does this by itself when the main thread's code ends (`threading._shutdown`). A Rust
/// program ends when `main` returns, killing every other thread, so it calls `shutdown` at the
/// end of `main` — or runs its body inside [`main`](crate::thread::main()), or keeps a
/// [`ShutdownGuard`] alive — to get Python's behaviour. Daemon threads still running when `main`
/// returns are abandoned, as in Python.
///
/// First it runs the calls registered with [`register_atexit`] (and refuses new ones from then
/// on). Threads not started by threadkit (dummies) are not waited for, nor is the calling thread.
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
    SHUTTING_DOWN.store(true, Ordering::Relaxed);
    // Taking the lock orders the flag after any registration in progress.
    drop(ATEXIT.lock().unwrap_or_else(PoisonError::into_inner));
    run_atexit_calls();
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
/// ```
#[derive(Debug, Default)]
#[must_use = "the guard waits for threads when it is dropped"]
pub struct ShutdownGuard {
    _private: (),
}

impl ShutdownGuard {
    /// A guard; dropping it waits for the non-daemon threads.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use threadkit::thread::{ShutdownGuard, Thread};
    ///
    /// let done = Arc::new(AtomicBool::new(false));
    /// {
    ///     let _shutdown = ShutdownGuard::new();
    ///     let done = Arc::clone(&done);
    ///     Thread::builder()
    ///         .daemon(false)
    ///         .start(move || done.store(true, Ordering::Release))
    ///         .unwrap();
    /// } // the drop waits for the worker
    /// assert!(done.load(Ordering::Acquire));
    /// ```
    pub fn new() -> Self {
        ShutdownGuard { _private: () }
    }
}

impl Drop for ShutdownGuard {
    fn drop(&mut self) {
        shutdown();
    }
}
