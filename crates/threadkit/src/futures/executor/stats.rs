//! Per-worker task counts, for [`running`](super::ThreadPoolExecutor::running) and
//! [`completed`](super::ThreadPoolExecutor::completed).

use std::sync::Arc;

use crate::loom::atomic::{AtomicU64, Ordering};

/// A worker's task counts: written only by that worker (plain stores, no contended
/// read-modify-write), summed by the `running`/`completed` getters.
#[derive(Default)]
pub(super) struct WorkerStats {
    started: std::cell::Cell<u64>,
    completed: std::cell::Cell<u64>,
    pub(super) shared: Arc<SharedStats>,
}

#[derive(Default)]
pub(super) struct SharedStats {
    pub(super) started: AtomicU64,
    pub(super) completed: AtomicU64,
}

impl WorkerStats {
    pub(super) fn start(&self) {
        self.started.set(self.started.get() + 1);
        self.shared
            .started
            .store(self.started.get(), Ordering::Release);
    }

    pub(super) fn complete(&self) {
        self.completed.set(self.completed.get() + 1);
        self.shared
            .completed
            .store(self.completed.get(), Ordering::Release);
    }
}
