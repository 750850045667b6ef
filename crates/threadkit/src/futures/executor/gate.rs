//! The gate and backpressure: `gate` says whether the pool still accepts calls and counts the
//! submits on the starting path; with `max_pending`, a [`Reservation`] holds a submit's queue
//! slot until its job is queued (see "A submit" in README.md).

use std::time::Instant;

use super::pool::Pool;
use super::sleep::announce_parked;
use crate::futures::error::{BrokenThreadPool, SubmitError};
use crate::loom::atomic::{self, AtomicUsize, Ordering};
use crate::park::SpinWait;
use crate::timeout;

/// Set in `gate` once `shutdown` was called.
pub(super) const SHUTDOWN: usize = 0b01;
/// Set in `gate` once an initializer failed.
pub(super) const BROKEN: usize = 0b10;
/// One submit between its check of `gate` and the end of its enqueueing.
pub(super) const IN_FLIGHT: usize = 0b100;

/// The error a submit gets from the gate, if any.
pub(super) fn refuse(gate: usize) -> Result<(), SubmitError> {
    if gate & BROKEN != 0 {
        Err(SubmitError::Broken(BrokenThreadPool))
    } else if gate & SHUTDOWN != 0 {
        Err(SubmitError::Shutdown)
    } else {
        Ok(())
    }
}

/// A submit's slot in a `max_pending` pool's queue (nothing without `max_pending`), from the
/// moment it is counted until its job is in the queue. Dropped before that — the submit was
/// refused — it gives the slot back; once the job is queued, the worker that pops it does
/// ([`Pool::pop`]).
#[must_use = "dropping a reservation gives its slot back"]
pub(super) struct Reservation<'a> {
    pending: Option<&'a AtomicUsize>,
}

impl Reservation<'_> {
    /// The job is queued: its slot now belongs to the queue.
    pub(super) fn queued(mut self) {
        self.pending = None;
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if let Some(pending) = self.pending {
            pending.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Pool {
    /// With `max_pending`: waits until fewer than that many tasks are queued and counts one more
    /// (until `deadline`). Without it, an empty reservation.
    pub(super) fn reserve(
        &self,
        deadline: Option<Instant>,
    ) -> Result<Reservation<'_>, SubmitError> {
        let Some(max) = self.max_pending else {
            return Ok(Reservation { pending: None });
        };
        let mut spin = SpinWait::new();
        loop {
            refuse(self.gate.load(Ordering::Acquire))?;
            let pending = self.pending.load(Ordering::Relaxed);
            if pending < max {
                if self
                    .pending
                    .compare_exchange_weak(
                        pending,
                        pending + 1,
                        Ordering::SeqCst,
                        Ordering::Relaxed,
                    )
                    .is_ok()
                {
                    return Ok(Reservation {
                        pending: Some(&self.pending),
                    });
                }
                continue;
            }
            if timeout::expired(deadline) {
                return Err(SubmitError::Full);
            }
            if spin.spin() {
                continue;
            }
            let full = || {
                self.pending.load(Ordering::Relaxed) >= max
                    && self.gate.load(Ordering::Relaxed) & (SHUTDOWN | BROKEN) == 0
            };
            announce_parked(&self.pending, &self.blocked, full, deadline);
            spin.reset();
        }
    }

    /// Waits until no submit is between its gate check and the end of its enqueueing.
    pub(super) fn wait_for_submitters(&self) {
        while self.gate.load(Ordering::Acquire) >= IN_FLIGHT {
            crate::loom::yield_now();
        }
    }

    /// An initializer failed: refuse new submits and fail the queued ones (CPython's
    /// `_initializer_failed`).
    pub(super) fn break_pool(&self) {
        self.gate.fetch_or(BROKEN, Ordering::SeqCst);
        // Through the host, as a wait for work: a submit in flight may be starting a thread with
        // what a hosted worker holds while it runs (Python's GIL).
        self.host.while_waiting(&mut || self.wait_for_submitters());
        // Every job a submit kept is in the queue now (see `ThreadPoolExecutor::enqueue_full`).
        atomic::fence(Ordering::SeqCst);
        while let Some(job) = self.pop() {
            job.fail();
        }
        self.wake_all();
    }
}
