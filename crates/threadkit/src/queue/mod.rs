//! Blocking queues with the semantics of Python's `queue` module (CPython 3.13).
//!
//! `Queue`, `LifoQueue` and `PriorityQueue` are one implementation, [`BlockingQueue`], over three
//! [`Storage`] organisations, the way Python's subclasses override `_init/_qsize/_put/_get`.
//! `SimpleQueue` is separate and lock-free, as CPython's C `SimpleQueue` is.
//!
//! | file          | type                                      | mirrors                         |
//! |---------------|-------------------------------------------|---------------------------------|
//! | `blocking.rs` | [`BlockingQueue`], [`Storage`], [`HandOver`] | `queue.Queue`'s logic        |
//! | `fifo.rs`     | [`Queue`], [`Fifo`]                       | `queue.Queue`                   |
//! | `lifo.rs`     | [`LifoQueue`], [`Lifo`]                   | `queue.LifoQueue`               |
//! | `priority.rs` | [`PriorityQueue`], [`Heap`]               | `queue.PriorityQueue`           |
//! | `ring.rs`     | (internal) a bounded `Queue`'s lock-free ring | `queue.Queue`'s deque and counts |
//! | `simple.rs`   | [`SimpleQueue`]                           | `queue.SimpleQueue`             |
//! | `error.rs`    | [`PutError`], [`GetError`], [`Empty`], [`TaskDoneError`] | `Full`, `Empty`, `ShutDown`, `ValueError` |
//! | `waiters.rs`  | (internal) wait lists and deadlines       | the `Condition`s in `queue.py`  |
//!
//! Where the time goes, and the design that would bring `Queue` to a channel's speed: `README.md`
//! beside this file.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use std::thread;
//! use threadkit::Queue;
//! use threadkit::queue::GetError;
//!
//! let queue = Arc::new(Queue::new(8));
//! let consumer = {
//!     let queue = Arc::clone(&queue);
//!     thread::spawn(move || {
//!         let mut sum = 0;
//!         // Drains the remaining items after `shutdown`, then stops.
//!         loop {
//!             match queue.get(None) {
//!                 Ok(n) => sum += n,
//!                 Err(GetError::ShutDown) => return sum,
//!                 Err(GetError::Empty) => unreachable!("no timeout"),
//!             }
//!         }
//!     })
//! };
//! for n in 1..=10 {
//!     queue.put(n, None).unwrap();
//! }
//! queue.shutdown(false);
//! assert_eq!(consumer.join().unwrap(), 55);
//! ```

mod blocking;
mod error;
mod fifo;
mod lifo;
mod priority;
mod ring;
mod simple;
mod waiters;

pub use blocking::{BlockingQueue, HandOver, Storage};
pub use error::{Empty, GetError, PutError, TaskDoneError};
pub use fifo::{Fifo, Queue};
pub use lifo::{Lifo, LifoQueue};
pub use priority::{Heap, PriorityQueue};
pub use simple::SimpleQueue;

/// How many slots a bounded queue reserves up front, at most.
const PREALLOCATE: usize = 1024;

mod sealed {
    /// Keeps [`Storage`](super::Storage) implementable only inside threadkit for now.
    pub trait Sealed {}
}
