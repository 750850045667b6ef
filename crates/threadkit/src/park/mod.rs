//! The parking seam: every blocking wait in threadkit goes through this module.
//!
//! It wraps `parking_lot_core` (loom's model of it under `--cfg threadkit_loom`, see
//! [`crate::loom`]) with safe functions, adds brief spinning before sleeping, and slices long
//! parks for the current thread's [interrupt check](crate::interrupt). The contract every
//! primitive relies on is in `README.md` beside this file.
//!
//! It also keeps wake-ups from going to the *ghosts* of a `fork`: the threads that were parked in
//! the parent stay queued in the child's copy of the parking lot, though they do not exist there.
//! Every park is stamped with the process's fork generation (its token), [`after_fork_in_child`]
//! starts a new generation, and from then on the unpark functions remove the older generations'
//! entries without counting them, so a wake-up always reaches a thread that exists.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::interrupt;
pub(crate) use crate::loom::lot::{FilterOp, ParkResult, ParkToken, UnparkResult, UnparkToken};

/// The token passed when nothing needs to be said to the woken thread.
pub(crate) const DEFAULT_UNPARK_TOKEN: UnparkToken = UnparkToken(0);
/// The token parked with when unparkers do not filter.
pub(crate) const DEFAULT_PARK_TOKEN: ParkToken = ParkToken(0);

/// How many `fork`s separate this process from the first one that loaded threadkit: the token
/// every thread parks with. It is a plain std atomic even under loom (loom does not fork).
static GENERATION: AtomicUsize = AtomicUsize::new(0);

/// Starts a new fork generation: threads parked before this call are taken for the ghosts of a
/// `fork` (threads of the parent, which do not exist in this child), and every later wake-up
/// skips them.
///
/// Call it in the child right after `fork` (Python does, through `os.register_at_fork`). Called
/// anywhere else it is harmless but wasteful: the threads parked at that moment get a spurious
/// wake-up, after which they look at their primitive again and park anew, as after any
/// spurious wake-up.
pub fn after_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// The token of a thread parking now.
#[inline]
fn live_token() -> ParkToken {
    ParkToken(GENERATION.load(Ordering::Relaxed))
}

/// Whether this process is the child of a `fork` (so ghosts may be parked).
#[inline]
fn forked() -> bool {
    GENERATION.load(Ordering::Relaxed) != 0
}

/// The parking key of a primitive: the address of a field it owns and that lives while any
/// thread can park on it.
#[inline]
pub(crate) fn key<T>(owner: &T) -> usize {
    owner as *const T as usize
}

/// Parks the current thread on `key` until unparked or `deadline` passes.
///
/// `validate` runs under the queue lock; the thread parks only if it returns true. `timed_out`
/// runs under the queue lock when the park ends without an unpark, with whether this thread was
/// the last one parked on `key`. Neither may panic or call into this module.
///
/// With an interrupt check installed, the park ends after at most the check's period: the check
/// runs (and may unwind), and the result is [`ParkResult::Invalid`], so the caller re-examines its
/// state and parks again, exactly as after a failed validation.
///
/// `token` must be [`DEFAULT_PARK_TOKEN`]: the seam parks with the fork generation instead (see
/// the module's documentation), and filters see [`DEFAULT_PARK_TOKEN`] again.
#[inline]
pub(crate) fn park(
    key: usize,
    validate: impl FnOnce() -> bool,
    timed_out: impl FnOnce(usize, bool),
    token: ParkToken,
    deadline: Option<Instant>,
) -> ParkResult {
    debug_assert_eq!(token, DEFAULT_PARK_TOKEN, "the seam owns park tokens");
    let token = live_token();
    let check = if cfg!(threadkit_loom) {
        None
    } else {
        interrupt::current()
    };
    let Some((check, period)) = check else {
        // SAFETY: keys are addresses of fields of live threadkit primitives (see `key`), so no
        // foreign queue is touched; `validate` and `timed_out` only do atomic operations on that
        // primitive's state, never unwind and never re-enter the parking lot (module contract).
        return unsafe { lot_park(key, validate, timed_out, token, deadline) };
    };
    let slice_end = Instant::now() + period;
    let sliced = deadline.is_none_or(|deadline| slice_end < deadline);
    let end = if sliced { Some(slice_end) } else { deadline };
    // SAFETY: as above.
    let result = unsafe { lot_park(key, validate, timed_out, token, end) };
    if sliced && result == ParkResult::TimedOut {
        check();
        return ParkResult::Invalid;
    }
    result
}

/// # Safety
///
/// `parking_lot_core::park`'s contract.
#[inline]
unsafe fn lot_park(
    key: usize,
    validate: impl FnOnce() -> bool,
    timed_out: impl FnOnce(usize, bool),
    token: ParkToken,
    deadline: Option<Instant>,
) -> ParkResult {
    // SAFETY: forwarded under the caller's contract.
    unsafe { crate::loom::lot::park(key, validate, || {}, timed_out, token, deadline) }
}

/// Unparks the longest-parked thread on `key`; `callback` runs under the queue lock with the
/// outcome and returns the token the woken thread receives. It must not panic or call into this
/// module.
#[inline]
pub(crate) fn unpark_one(
    key: usize,
    callback: impl FnOnce(UnparkResult) -> UnparkToken,
) -> UnparkResult {
    if forked() {
        let mut taken = false;
        let first = |_| {
            if taken {
                FilterOp::Stop
            } else {
                taken = true;
                FilterOp::Unpark
            }
        };
        return unpark_live(key, first, callback);
    }
    // SAFETY: `key` belongs to a live threadkit primitive and `callback` only touches that
    // primitive's atomics (module contract).
    unsafe { crate::loom::lot::unpark_one(key, callback) }
}

/// Unparks every thread parked on `key`, handing each `token`; returns how many woke.
#[inline]
pub(crate) fn unpark_all(key: usize, token: UnparkToken) -> usize {
    if forked() {
        return unpark_live(key, |_| FilterOp::Unpark, |_| token).unparked_threads;
    }
    // SAFETY: `key` belongs to a live threadkit primitive (module contract).
    unsafe { crate::loom::lot::unpark_all(key, token) }
}

/// Unparks, in FIFO order, the threads on `key` that `filter` selects; `callback` runs under the
/// queue lock afterwards. Neither may panic or call into this module.
#[inline]
pub(crate) fn unpark_filter(
    key: usize,
    filter: impl FnMut(ParkToken) -> FilterOp,
    callback: impl FnOnce(UnparkResult) -> UnparkToken,
) -> UnparkResult {
    if forked() {
        return unpark_live(key, filter, callback);
    }
    // SAFETY: `key` belongs to a live threadkit primitive and the callbacks only touch that
    // primitive's atomics (module contract).
    unsafe { crate::loom::lot::unpark_filter(key, filter, callback) }
}

/// [`unpark_filter`] in the child of a `fork`: the ghosts parked on `key` by an older generation
/// are removed from the queue (their "wake-up" reaches nobody) without being shown to `filter`
/// or counted in the result, so `filter` chooses among the threads that exist.
#[cold]
fn unpark_live(
    key: usize,
    mut filter: impl FnMut(ParkToken) -> FilterOp,
    callback: impl FnOnce(UnparkResult) -> UnparkToken,
) -> UnparkResult {
    let live = live_token();
    let ghosts = Cell::new(0);
    let skip_ghosts = |token: ParkToken| {
        if token == live {
            filter(DEFAULT_PARK_TOKEN)
        } else {
            ghosts.set(ghosts.get() + 1);
            FilterOp::Unpark
        }
    };
    let live_only = |mut result: UnparkResult| {
        result.unparked_threads -= ghosts.get();
        result
    };
    // SAFETY: `key` belongs to a live threadkit primitive and the callbacks only touch that
    // primitive's atomics and a local counter (module contract).
    let result = unsafe {
        crate::loom::lot::unpark_filter(key, skip_ghosts, |result| callback(live_only(result)))
    };
    live_only(result)
}

/// Bounded exponential spinning before a thread parks (a futex wake costs 15–35 µs on small VMs,
/// so a short spin often wins). Under loom it never spins.
#[derive(Debug, Default)]
pub(crate) struct SpinWait {
    #[cfg(not(threadkit_loom))]
    inner: SpinWaitInner,
}

#[cfg(not(threadkit_loom))]
#[derive(Default)]
struct SpinWaitInner(parking_lot_core::SpinWait);

#[cfg(not(threadkit_loom))]
impl std::fmt::Debug for SpinWaitInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpinWait")
    }
}

impl SpinWait {
    /// A fresh spinner.
    #[inline]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Spins once more; false once spinning should give way to parking.
    #[inline]
    pub(crate) fn spin(&mut self) -> bool {
        #[cfg(not(threadkit_loom))]
        return self.inner.0.spin();
        #[cfg(threadkit_loom)]
        return false;
    }

    /// Starts the spin budget again (after a wake-up).
    #[inline]
    pub(crate) fn reset(&mut self) {
        #[cfg(not(threadkit_loom))]
        self.inner.0.reset();
    }
}
