//! The `concurrent.futures` thread pool: [`Future`], [`ThreadPoolExecutor`], [`wait`],
//! [`as_completed`] and an ordered, bounded `map`, with CPython's semantics.
//!
//! | file              | items                                                   | mirrors                                   |
//! |-------------------|---------------------------------------------------------|-------------------------------------------|
//! | `future.rs`       | [`Future`], [`State`]                                   | `concurrent.futures.Future`               |
//! | `executor/`       | [`ThreadPoolExecutor`], [`Builder`], [`WorkerHost`]     | `concurrent.futures.ThreadPoolExecutor`   |
//! | `map.rs`          | [`Map`]                                                 | `Executor.map` (with 3.14's `buffersize`) |
//! | `wait.rs`         | [`wait`], [`ReturnWhen`], [`DoneAndNotDone`]            | `concurrent.futures.wait`                 |
//! | `as_completed.rs` | [`as_completed`], [`AsCompleted`]                       | `concurrent.futures.as_completed`         |
//! | `waiter.rs`       | the waiter `wait`/`as_completed` register on futures    | `_base._Waiter`                           |
//! | `slab.rs`         | the blocks a pool keeps its futures in                  | —                                         |
//! | `report.rs`       | [`Report`], [`set_report_hook`]: what nobody asked for  | the `concurrent.futures` logger           |
//! | `error.rs`        | [`FutureError`], [`WaitError`], [`TaskError`], [`PanicError`], [`BrokenThreadPool`], [`InvalidStateError`], [`UnexpectedStateError`], [`SubmitError`], [`BuildError`], [`AsCompletedError`], [`MapError`] | the exceptions |
//!
//! How workers sleep and wake is described in `executor/README.md`.
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
mod map;
mod report;
mod slab;
mod wait;
mod waiter;

pub use as_completed::{AsCompleted, as_completed};
pub use error::{
    AsCompletedError, BrokenThreadPool, BuildError, FutureError, InvalidStateError, MapError,
    PanicError, SubmitError, TaskError, UnexpectedStateError, WaitError,
};
pub use executor::{Builder, HostError, ThreadPoolExecutor, WorkerHost};
pub use future::{Future, State};
pub use map::Map;
pub use report::{Report, default_report_hook, reset_report_hook, set_report_hook};
pub use wait::{DoneAndNotDone, ReturnWhen, wait};
