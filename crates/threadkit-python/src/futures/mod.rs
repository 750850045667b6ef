//! The classes and functions of `threadkit.futures`.
//!
//! | file          | items                              | core                                        |
//! |---------------|------------------------------------|---------------------------------------------|
//! | `future.rs`   | `Future`                           | [`threadkit::futures::Future`]              |
//! | `private.rs`  | `Future`'s stdlib-private attributes (`_state`, `_result`, `_exception`, `_condition`, `_waiters`) | |
//! | `executor.rs` | `ThreadPoolExecutor`               | [`threadkit::futures::ThreadPoolExecutor`]  |
//! | `context.rs`  | `ThreadPoolExecutor(propagate_context=True)` | —                                  |
//! | `unobserved.rs` | `ThreadPoolExecutor(report_unobserved=True)`, `_report_unobserved_failures` | [`threadkit::futures::set_report_hook`] |
//! | `waiting.rs`  | `wait`, `as_completed`             | [`threadkit::futures::wait`], [`threadkit::futures::as_completed`] |

mod context;
mod executor;
mod future;
mod private;
mod unobserved;
mod waiting;

pub(crate) use executor::{_set_interpreter_shutdown, ThreadPoolExecutor};
pub(crate) use future::{_set_future_type, Future};
pub(crate) use unobserved::{_report_unobserved_failures, install_report_hook};
pub(crate) use waiting::{AsCompleted, as_completed, wait};
