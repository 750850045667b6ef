//! The classes of `threadkit.queue`.
//!
//! | file              | classes                          | core                                  |
//! |-------------------|----------------------------------|---------------------------------------|
//! | `queue.rs`        | `Queue` (also `LifoQueue`'s base) | [`threadkit::Queue`], [`threadkit::LifoQueue`] |
//! | `simple_queue.rs` | `SimpleQueue`                    | [`threadkit::SimpleQueue`]            |
//!
//! `PriorityQueue`, any subclass that overrides the methods the stdlib's algorithm calls through
//! `self` (`_init`, `_qsize`, `_put`, `_get`, `put`, `get`), and a native queue whose internals a
//! program touched run `queue.Queue`'s algorithm in Python over threadkit's `Lock` and
//! `Condition` (`_PythonPath` in `python/threadkit/queue.py`): their storage is Python code,
//! which the core cannot call while detached. `queue.rs` says how a queue moves there.

#[expect(
    clippy::module_inception,
    reason = "one primitive per file, named as in Python"
)]
mod queue;
mod simple_queue;

pub(crate) use queue::Queue;
pub(crate) use simple_queue::SimpleQueue;
