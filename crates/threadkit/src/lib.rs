//! Python's threading system — locks, events, semaphores, conditions, barriers, threads, timers,
//! blocking queues and the `concurrent.futures` thread pool — with CPython's semantics, in Rust.
//!
//! Every type is named as in Python and has Python's method names, made idiomatic: timeouts are
//! `Option<Duration>` (`None` waits forever), Python's `bool` results stay `bool`, and what Python
//! raises becomes a typed error.
//!
//! | Python (`threading`)   | threadkit                      |
//! |------------------------|--------------------------------|
//! | `Lock`                 | [`Lock`]                       |
//! | `RLock`                | [`RLock`]                      |
//! | `Condition`            | [`Condition`]                  |
//! | `Semaphore`            | [`Semaphore`]                  |
//! | `BoundedSemaphore`     | [`BoundedSemaphore`]           |
//! | `Barrier`              | [`Barrier`]                    |
//! | `Event`                | [`Event`]                      |
//! | `Thread`               | [`Thread`]                     |
//! | `Timer`                | [`Timer`]                      |
//! | `local`                | [`Local`]                      |
//! | `current_thread`, `main_thread`, `enumerate`, `active_count`, `get_ident`, `get_native_id`, `excepthook` | the functions of [`thread`] |
//!
//! | Python (`queue`)       | threadkit                      |
//! |------------------------|--------------------------------|
//! | `Queue`                | [`Queue`]                      |
//! | `LifoQueue`            | [`LifoQueue`]                  |
//! | `PriorityQueue`        | [`PriorityQueue`]              |
//! | `SimpleQueue`          | [`SimpleQueue`]                |
//! | `Empty`, `Full`, `ShutDown` | [`queue::GetError`], [`queue::PutError`], [`queue::Empty`] |
//!
//! | Python (`concurrent.futures`)  | threadkit                                   |
//! |--------------------------------|---------------------------------------------|
//! | `Future`                       | [`futures::Future`]                         |
//! | `ThreadPoolExecutor`           | [`futures::ThreadPoolExecutor`]             |
//! | `wait`, `as_completed`         | [`futures::wait`], [`futures::as_completed`] |
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use std::thread;
//! use threadkit::Lock;
//!
//! let lock = Arc::new(Lock::new());
//! lock.acquire(None);
//! let remote = Arc::clone(&lock);
//! // Like Python's `threading.Lock`, any thread may release it.
//! thread::spawn(move || remote.release().unwrap()).join().unwrap();
//! assert!(!lock.locked());
//! ```
#![deny(missing_docs, missing_debug_implementations)]

mod loom;
mod park;

pub mod futures;
pub mod interrupt;
pub mod queue;
pub mod sync;
pub mod thread;
pub mod timeout;

pub use park::after_fork_in_child;
pub use queue::{LifoQueue, PriorityQueue, Queue, SimpleQueue};
pub use sync::{
    Barrier, BoundedSemaphore, BrokenBarrierError, Condition, ConditionGuard, ConditionLock, Event,
    Lock, LockGuard, NotOwnedError, RLock, RLockGuard, RLockState, ReleaseError, Semaphore,
    SemaphoreOverflowError, SemaphorePermit,
};
pub use thread::{Local, Thread, Timer};
