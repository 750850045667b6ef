//! Threads with the semantics of Python's `threading` module: [`Thread`], the registry of live
//! threads, the excepthook, [`Timer`], [`Local`] and Python's wait for non-daemon threads at exit.
//!
//! | file            | items                                                     | mirrors                                  |
//! |-----------------|-----------------------------------------------------------|------------------------------------------|
//! | `ident.rs`      | [`get_ident`], [`get_native_id`], [`stack_size`], [`set_stack_size`]; the ident and name counters | the functions of the same names |
//! | `thread.rs`     | [`Thread`]; the table of live threads                      | `threading.Thread`                       |
//! | `builder.rs`    | [`Builder`], [`Thread::new`], [`Thread::builder`]          | `threading.Thread(name=, daemon=)`       |
//! | `registry.rs`   | [`current_thread`], [`main_thread`], [`enumerate`], [`active_count`] | the functions of the same names |
//! | `start.rs`      | [`Thread::start`]; the body every started thread runs     | `thread.start()`, `_bootstrap`           |
//! | `excepthook.rs` | [`set_excepthook`], [`reset_excepthook`], [`excepthook()`], [`default_excepthook`], [`ExceptHookArgs`] | `threading.excepthook`, `__excepthook__`, `ExceptHookArgs` |
//! | `timer.rs`      | [`Timer`]                                                 | `threading.Timer`                        |
//! | `local.rs`      | [`Local`]                                                 | `threading.local`                        |
//! | `shutdown.rs`   | [`shutdown`], [`main()`], [`ShutdownGuard`], [`register_atexit`] | the wait for non-daemon threads at exit, `_register_atexit` |
//! | `error.rs`      | [`StartError`], [`JoinError`], [`SetDaemonError`], [`StackSizeError`], [`RegisterAtexitError`] | what `start`, `join`, `daemon =`, `stack_size`, `_register_atexit` raise |
//!
//! The modules build on each other in one direction, with no cycle: `ident.rs` (numbers only)
//! ← `thread.rs` (the handle and the table of live threads) ← `registry.rs` (main and dummy
//! handles, `enumerate`) ← `builder.rs` (new threads inherit the current thread's daemon flag);
//! and `thread.rs` ← `excepthook.rs` (its arguments name the thread) ← `start.rs` (a started
//! thread's body reports its panic to the excepthook).
//!
//! A Rust program exits when `main` returns, whatever other threads are doing. To get Python's
//! rule — the program ends once every non-daemon thread has finished, and daemon threads are
//! abandoned — run `main`'s body in [`main()`] or call [`shutdown`] last.
//!
//! # Examples
//!
//! ```
//! use std::sync::mpsc;
//! use threadkit::thread::{self, Thread};
//!
//! thread::main(|| {
//!     let (tx, rx) = mpsc::channel();
//!     let worker = Thread::builder()
//!         .name("worker")
//!         .start(move || tx.send(thread::current_thread().name()).unwrap())
//!         .unwrap();
//!     assert_eq!(rx.recv().unwrap(), "worker");
//!     worker.join(None).unwrap();
//! });
//! ```

mod builder;
mod error;
mod excepthook;
mod ident;
mod local;
mod registry;
mod shutdown;
mod start;
#[expect(
    clippy::module_inception,
    reason = "one primitive per file, named after the primitive"
)]
mod thread;
mod timer;

pub use builder::Builder;
pub use error::{JoinError, RegisterAtexitError, SetDaemonError, StackSizeError, StartError};
pub use excepthook::{
    ExceptHookArgs, default_excepthook, excepthook, reset_excepthook, set_excepthook,
};
pub use ident::{get_ident, get_native_id, set_stack_size, stack_size};
pub use local::Local;
pub use registry::{active_count, current_thread, enumerate, main_thread};
pub use shutdown::{ShutdownGuard, main, register_atexit, shutdown};
pub use thread::Thread;
pub use timer::Timer;
