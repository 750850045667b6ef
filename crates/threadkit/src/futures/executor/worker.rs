//! A worker's life: started through the pool's [`WorkerHost`](super::WorkerHost) when a submit
//! finds no idle worker, it runs the initializer, then takes jobs until the pool is shut down and
//! drained or broken; waiting for work it spins, then parks (see "A worker's loop" in README.md).

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use super::builder::Initialized;
use super::gate::{IN_FLIGHT, SHUTDOWN};
use super::pool::Pool;
use super::sleep::announce_parked;
use super::stats::WorkerStats;
use crate::futures::error::{PanicError, SubmitError};
use crate::futures::report::{self, Report};
use crate::loom::atomic::{self, Ordering};
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, SpinWait};

/// How many extra rounds (each a `yield`) a worker with nothing to do keeps looking for work
/// after its `SpinWait` budget, before it parks: a wake-up costs far more than a few yields.
const WAIT_YIELDS: u32 = 32;

thread_local! {
    /// The pool whose worker this thread is, if any (its address): a worker that shuts its own
    /// pool down does not wait for itself.
    static WORKER_OF: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Pool {
    /// Starts a worker unless an idle one can take the new job (CPython's
    /// `_adjust_thread_count`).
    pub(super) fn adjust_thread_count(self: &Arc<Self>) -> Result<(), SubmitError> {
        if self.num_threads.load(Ordering::Acquire) >= self.max_workers {
            return Ok(());
        }
        if self
            .idle_tokens
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |tokens| {
                tokens.checked_sub(1)
            })
            .is_ok()
        {
            return Ok(());
        }
        self.start_worker()
    }

    /// Starts a worker through the host. The slot is reserved first and no lock is held while the
    /// host runs, so a host may block or call back into the pool; a failed start gives the slot
    /// back.
    fn start_worker(self: &Arc<Self>) -> Result<(), SubmitError> {
        let reserved =
            self.num_threads
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |count| {
                    (count < self.max_workers).then_some(count + 1)
                });
        let Ok(count) = reserved else { return Ok(()) };
        self.live.fetch_add(1, Ordering::SeqCst);
        let pool = Arc::clone(self);
        let work = Box::new(move || {
            WORKER_OF.set(Arc::as_ptr(&pool) as usize);
            pool.work();
            WORKER_OF.set(0);
            pool.live.fetch_sub(1, Ordering::SeqCst);
            park::unpark_all(park::key(&*pool.live), DEFAULT_UNPARK_TOKEN);
        });
        self.host
            .start(format!("{}_{count}", self.prefix), work)
            .map_err(|error| {
                self.live.fetch_sub(1, Ordering::SeqCst);
                self.num_threads.fetch_sub(1, Ordering::AcqRel);
                SubmitError::Start(error.to_string())
            })
    }

    /// Waits until every worker but the calling one has returned from its loop.
    pub(super) fn wait_for_workers(self: &Arc<Self>) {
        let me = usize::from(WORKER_OF.get() == Arc::as_ptr(self) as usize);
        let mut spin = SpinWait::new();
        while self.live.load(Ordering::SeqCst) > me {
            if spin.spin() {
                continue;
            }
            let validate = || self.live.load(Ordering::SeqCst) > me;
            park::park(
                park::key(&*self.live),
                validate,
                |_, _| {},
                DEFAULT_PARK_TOKEN,
                None,
            );
        }
    }

    /// Releases an idle token for a worker about to publish a result, if the queue is empty (see
    /// "Pieces" in README.md); true if it did.
    pub(super) fn release_idle_token_if_empty(&self) -> bool {
        if self.num_threads.load(Ordering::Relaxed) < self.max_workers && self.queue.is_empty() {
            self.idle_tokens.fetch_add(1, Ordering::AcqRel);
            true
        } else {
            false
        }
    }

    /// The worker thread's body.
    fn work(&self) {
        if let Some(initializer) = &self.initializer {
            let outcome =
                panic::catch_unwind(AssertUnwindSafe(|| initializer())).unwrap_or_else(|payload| {
                    Initialized::Failed(PanicError::from_payload(&*payload).message)
                });
            match outcome {
                Initialized::Ready => {}
                Initialized::Failed(message) => {
                    report::report(&Report::InitializerFailed { message: &message });
                    return self.break_pool();
                }
                Initialized::FailedReported => return self.break_pool(),
            }
        }
        let stats = WorkerStats::default();
        self.stats.lock().push(Arc::clone(&stats.shared));
        // Whether this worker released an idle token since it last took a job.
        let mut token_released = false;
        loop {
            if let Some(job) = self.pop() {
                token_released = job.run(self, &stats);
                continue;
            }
            if !token_released {
                self.idle_tokens.fetch_add(1, Ordering::AcqRel);
                token_released = true;
            }
            let mut more = false;
            self.host.while_waiting(&mut || more = self.wait_for_work());
            if !more {
                return;
            }
        }
    }

    /// Waits until the queue may hold a job (true) or the pool is shut down and drained (false).
    fn wait_for_work(&self) -> bool {
        let mut spin = SpinWait::new();
        let mut yields = 0;
        loop {
            if !self.queue.is_empty() {
                return true;
            }
            let gate = self.gate.load(Ordering::Acquire);
            if gate & SHUTDOWN != 0 {
                // Pairs with the fence of a submit on the full pool's path, between its push and
                // its second look at `gate` (see README.md): a job such a submit kept is seen now.
                atomic::fence(Ordering::SeqCst);
                if gate < IN_FLIGHT && self.queue.is_empty() {
                    return false;
                }
                // A submit that passed the gate before shutdown is still enqueueing.
                crate::loom::yield_now();
                continue;
            }
            if spin.spin() {
                continue;
            }
            if cfg!(not(threadkit_loom)) && yields < WAIT_YIELDS {
                yields += 1;
                std::thread::yield_now();
                continue;
            }
            // Announce, then look again under the parking lot's queue lock (see README.md).
            let nothing_to_do =
                || self.queue.is_empty() && self.gate.load(Ordering::Relaxed) & SHUTDOWN == 0;
            announce_parked(&self.sleepers, &self.sleepers, nothing_to_do, None);
            spin.reset();
            yields = 0;
        }
    }
}
