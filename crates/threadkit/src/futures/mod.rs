//! The `concurrent.futures` thread pool: [`Future`], [`ThreadPoolExecutor`], [`wait`],
//! [`as_completed`] and an ordered, bounded `map`, with CPython's semantics.
//!
//! | file              | items                                                   | mirrors                                   |
//! |-------------------|---------------------------------------------------------|-------------------------------------------|
//! | `future.rs`       | [`Future`]                                              | `concurrent.futures.Future`               |
//! | `executor.rs`     | [`ThreadPoolExecutor`], [`Builder`]                     | `concurrent.futures.ThreadPoolExecutor`   |
//! | `host.rs`         | [`WorkerHost`]: who starts the workers, and what they do while idle | (the bindings' workers are Python threads) |
//! | `map.rs`          | [`Map`]                                                 | `Executor.map` (with 3.14's `buffersize`) |
//! | `wait.rs`         | [`wait`], [`ReturnWhen`], [`DoneAndNotDone`]            | `concurrent.futures.wait`                 |
//! | `as_completed.rs` | [`as_completed`], [`AsCompleted`]                       | `concurrent.futures.as_completed`         |
//! | `waiter.rs`       | the waiter `wait`/`as_completed` register on futures    | `_base._Waiter`                           |
//! | `error.rs`        | [`FutureError`], [`WaitError`], [`TaskError`], [`PanicError`], [`BrokenThreadPool`], [`InvalidStateError`], [`UnexpectedStateError`], [`SubmitError`], [`BuildError`], [`AsCompletedError`], [`MapError`] | the exceptions |
//!
//! How workers sleep and wake is described in `README.md` beside this file.
//!
//! # Examples
//!
//! ```
//! use threadkit::futures::{as_completed, ThreadPoolExecutor};
//!
//! let pool = ThreadPoolExecutor::new(None).unwrap();
//! let futures: Vec<_> = ["a", "bb", "ccc"]
//!     .into_iter()
//!     .map(|word| pool.submit(move || word.len()).unwrap())
//!     .collect();
//! let total: usize = as_completed(&futures, None)
//!     .map(|future| future.unwrap().result(None).unwrap())
//!     .sum();
//! assert_eq!(total, 6);
//! ```

mod as_completed;
mod error;
mod executor;
mod future;
mod host;
mod map;
mod wait;
mod waiter;

pub use as_completed::{AsCompleted, as_completed};
pub use error::{
    AsCompletedError, BrokenThreadPool, BuildError, FutureError, InvalidStateError, MapError,
    PanicError, SubmitError, TaskError, UnexpectedStateError, WaitError,
};
pub use executor::{Builder, ThreadPoolExecutor};
pub use future::Future;
pub use host::{StartError, WorkerHost};
pub use map::Map;
pub use wait::{DoneAndNotDone, ReturnWhen, wait};
