//! Sleeping and waking: how an idle worker parks and a submit wakes it, and how a submitter
//! blocked by `max_pending` parks and a popping worker wakes it — the Dekker pairs README.md
//! argues and `tests/loom_executor.rs` models.

use std::time::Instant;

use super::pool::Pool;
use crate::loom::atomic::{self, AtomicUsize, Ordering};
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN};

impl Pool {
    /// Wakes one parked worker if a worker announced it is parking. The fence orders the
    /// caller's push before the look at `sleepers` (the submit's half of the Dekker pair).
    #[inline]
    pub(super) fn notify_worker(&self) {
        atomic::fence(Ordering::SeqCst);
        if self.sleepers.load(Ordering::Relaxed) > 0 {
            wake_one(&self.sleepers, &self.sleepers);
        }
    }

    /// Wakes every parked worker and every blocked submitter (after shutdown or breakage).
    pub(super) fn wake_all(&self) {
        let woken = park::unpark_all(park::key(&*self.sleepers), DEFAULT_UNPARK_TOKEN);
        self.sleepers.fetch_sub(woken, Ordering::Relaxed);
        let woken = park::unpark_all(park::key(&*self.pending), DEFAULT_UNPARK_TOKEN);
        self.blocked.fetch_sub(woken, Ordering::Relaxed);
    }
}

/// Counts the caller in `count`, then parks it on `key_of` while `blocked()` holds, checked under
/// the parking lot's queue lock; or until `deadline`. Whoever ends the park takes the caller off
/// `count` again: the failed check or the timeout here, the waker in [`wake_one`].
pub(super) fn announce_parked(
    key_of: &AtomicUsize,
    count: &AtomicUsize,
    blocked: impl Fn() -> bool,
    deadline: Option<Instant>,
) {
    count.fetch_add(1, Ordering::SeqCst);
    atomic::fence(Ordering::SeqCst);
    let validate = || {
        let block = blocked();
        if !block {
            count.fetch_sub(1, Ordering::Relaxed);
        }
        block
    };
    let timed_out = |_, _| {
        count.fetch_sub(1, Ordering::Relaxed);
    };
    park::park(
        park::key(key_of),
        validate,
        timed_out,
        DEFAULT_PARK_TOKEN,
        deadline,
    );
}

/// Unparks one thread parked on `key_of` and, if one woke, takes it off `count`.
pub(super) fn wake_one(key_of: &AtomicUsize, count: &AtomicUsize) {
    park::unpark_one(park::key(key_of), |result| {
        if result.unparked_threads > 0 {
            count.fetch_sub(1, Ordering::Relaxed);
        }
        DEFAULT_UNPARK_TOKEN
    });
}
