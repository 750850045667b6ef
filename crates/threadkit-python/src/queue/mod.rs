//! The classes of `threadkit.queue`.
//!
//! | file              | classes                          | core                                  |
//! |-------------------|----------------------------------|---------------------------------------|
//! | `queue.rs`        | `Queue` (also `LifoQueue`'s base) | [`threadkit::Queue`], [`threadkit::LifoQueue`] |
//! | `simple_queue.rs` | `SimpleQueue`                    | [`threadkit::SimpleQueue`]            |
//!
//! `PriorityQueue`, and any subclass that overrides the storage hooks (`_init`, `_qsize`, `_put`,
//! `_get`), run `queue.Queue`'s algorithm in Python over threadkit's `Lock` and `Condition`
//! (`python/threadkit/queue.py`): their storage is Python code, which the core cannot call while
//! detached.

#[expect(
    clippy::module_inception,
    reason = "one primitive per file, named as in Python"
)]
mod queue;
mod simple_queue;

pub(crate) use queue::Queue;
pub(crate) use simple_queue::SimpleQueue;
