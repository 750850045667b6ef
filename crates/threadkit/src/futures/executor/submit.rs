//! The submit path (see "A submit" in README.md): the full pool's, which needs no shared
//! read-modify-write, and the starting path, counted in flight in `gate`.

use std::time::Duration;

use super::gate::{IN_FLIGHT, Reservation, refuse};
use super::job::Job;
use super::pool::{Pool, ThreadPoolExecutor};
use crate::futures::Future;
use crate::futures::error::{SubmitError, TaskError};
use crate::loom::atomic::Ordering;
use crate::timeout;

impl ThreadPoolExecutor {
    /// Queues `call` in a new future of its own (the submits but `submit_to`), waiting at most
    /// `timeout` for room with `max_pending`.
    pub(super) fn enqueue<T, E>(
        &self,
        call: impl FnOnce() -> Result<T, E> + Send + 'static,
        timeout: Option<Duration>,
    ) -> Result<Future<T, E>, SubmitError>
    where
        T: Send + Sync + 'static,
        E: From<TaskError> + Send + Sync + 'static,
    {
        let pool = &self.pool;
        let reservation = pool.reserve(timeout::deadline(timeout))?;
        if pool.num_threads.load(Ordering::Acquire) >= pool.max_workers {
            return self.enqueue_full(reservation, call);
        }
        self.push_starting(reservation, move || Job::own(&pool.slab, call))
    }

    /// Passes the gate (counted in flight), pushes the job `make` builds, wakes a worker and
    /// starts one if needed. `submit_to` always takes this path: its future is the caller's, so a
    /// submit that lost a race with `shutdown` could not take its job back by cancelling it.
    pub(super) fn push_starting<R>(
        &self,
        reservation: Reservation<'_>,
        make: impl FnOnce() -> (Job, R),
    ) -> Result<R, SubmitError> {
        let pool = &self.pool;
        let gate = pool.gate.fetch_add(IN_FLIGHT, Ordering::Acquire);
        if let Err(error) = refuse(gate) {
            pool.gate.fetch_sub(IN_FLIGHT, Ordering::Release);
            return Err(error);
        }
        let (job, handle) = make();
        pool.queue.push(job);
        reservation.queued();
        pool.notify_worker();
        let started = Pool::adjust_thread_count(pool);
        pool.gate.fetch_sub(IN_FLIGHT, Ordering::Release);
        started.map(|()| handle)
    }

    /// `enqueue` once every worker has started, the common case: no thread to start, so the
    /// submit need not hold `gate` open. It checks `gate` before the push and again after the
    /// fence that follows it; `shutdown` and `break_pool` fence after setting their bit before
    /// they drain, and so does an exiting worker before its last look at the queue. So either
    /// the second check sees the bit, or whoever set it sees the job (see README.md). A submit
    /// that sees the bit takes its job back by cancelling it, unless a worker already took it.
    fn enqueue_full<T, E>(
        &self,
        reservation: Reservation<'_>,
        call: impl FnOnce() -> Result<T, E> + Send + 'static,
    ) -> Result<Future<T, E>, SubmitError>
    where
        T: Send + Sync + 'static,
        E: From<TaskError> + Send + Sync + 'static,
    {
        let pool = &self.pool;
        refuse(pool.gate.load(Ordering::Acquire))?;
        let (job, future) = Job::own(&pool.slab, call);
        pool.queue.push(job);
        reservation.queued();
        // The fence in here also orders the push before the second look at `gate`.
        pool.notify_worker();
        match refuse(pool.gate.load(Ordering::Relaxed)) {
            // The job stays queued, cancelled: whoever pops it only notices that (and counts it
            // off `pending`).
            Err(error) if future.cancel() => Err(error),
            _ => Ok(future),
        }
    }
}
