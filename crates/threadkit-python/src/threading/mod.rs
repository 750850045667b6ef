//! The classes of `threadkit.threading`, one primitive per file.
//!
//! | file           | classes                           | core                                 |
//! |----------------|-----------------------------------|--------------------------------------|
//! | `event.rs`     | `Event`                           | [`threadkit::Event`]                 |
//! | `lock.rs`      | `Lock`                            | [`threadkit::Lock`]                  |
//! | `barrier.rs`   | `Barrier`                         | [`threadkit::Barrier`]               |
//! | `condition.rs` | `Condition`                       | [`threadkit::Condition`]             |
//! | `rlock.rs`     | `RLock`                           | [`threadkit::RLock`]                 |
//! | `semaphore.rs` | `Semaphore`, `BoundedSemaphore`   | [`threadkit::Semaphore`], [`threadkit::BoundedSemaphore`] |
//! | `iterators.rs` | `serialize_iterator`, `_concurrent_tee`, `concurrent_tee()` | [`threadkit::RLock`] |
//! | `fork.rs`      | `_after_fork_in_child()`          | [`threadkit::after_fork_in_child`]   |
//!
//! As in the stdlib, the classes it writes in Python (`Condition`, `Semaphore`, `BoundedSemaphore`,
//! a subclass of `Semaphore`, `Event`, `Barrier`) have a `__dict__`, so their instances take
//! attributes; `Lock` and `RLock`, C types in the stdlib, have none.
//!
//! `init.rs` holds what the subclassable classes share (state set by `__init__`, repr names);
//! the futures' `ThreadPoolExecutor` uses it too.

mod barrier;
mod condition;
mod event;
mod fork;
pub(crate) mod init;
mod iterators;
mod lock;
mod rlock;
mod semaphore;

pub(crate) use barrier::Barrier;
pub(crate) use condition::Condition;
pub(crate) use event::Event;
pub(crate) use fork::_after_fork_in_child;
pub(crate) use iterators::{ConcurrentTee, SerializeIterator, concurrent_tee};
pub(crate) use lock::Lock;
pub(crate) use rlock::RLock;
pub(crate) use semaphore::{BoundedSemaphore, Semaphore};
