//! The parking seam: every blocking wait in threadkit goes through this module.
//!
//! It wraps `parking_lot_core` (loom's model of it under `--cfg threadkit_loom`, see
//! [`crate::loom`]) with safe functions, adds brief spinning before sleeping, and slices long
//! parks for the current thread's [interrupt check](crate::interrupt). The contract every
//! primitive relies on is in `README.md` beside this file. `fork.rs` keeps a `fork`'s child from
//! waking, or colliding with, the threads that were parked in its parent.

use std::time::Instant;

use crate::interrupt;

#[cfg(not(threadkit_loom))]
mod fork;

#[cfg(not(threadkit_loom))]
pub use fork::after_fork_in_child;

/// Under loom nothing forks.
#[cfg(threadkit_loom)]
pub fn after_fork_in_child() {}
pub(crate) use crate::loom::lot::{FilterOp, ParkResult, ParkToken, UnparkResult, UnparkToken};

/// The token passed when nothing needs to be said to the woken thread.
pub(crate) const DEFAULT_UNPARK_TOKEN: UnparkToken = UnparkToken(0);
/// The token parked with when unparkers do not filter.
pub(crate) const DEFAULT_PARK_TOKEN: ParkToken = ParkToken(0);

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
#[inline]
pub(crate) fn park(
    key: usize,
    validate: impl FnOnce() -> bool,
    timed_out: impl FnOnce(usize, bool),
    token: ParkToken,
    deadline: Option<Instant>,
) -> ParkResult {
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
    #[cfg(not(threadkit_loom))]
    let _parked = fork::parked_on(key);
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
    // SAFETY: `key` belongs to a live threadkit primitive and `callback` only touches that
    // primitive's atomics (module contract).
    unsafe { crate::loom::lot::unpark_one(key, callback) }
}

/// Unparks every thread parked on `key`, handing each `token`; returns how many woke.
#[inline]
pub(crate) fn unpark_all(key: usize, token: UnparkToken) -> usize {
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
    // SAFETY: `key` belongs to a live threadkit primitive and the callbacks only touch that
    // primitive's atomics (module contract).
    unsafe { crate::loom::lot::unpark_filter(key, filter, callback) }
}

/// Bounded exponential spinning before a thread parks (a futex wake costs 15–35 µs on small VMs,
/// so a short spin often wins). Under loom it never spins.
#[derive(Debug, Default)]
pub(crate) struct SpinWait {
    #[cfg(not(threadkit_loom))]
    inner: SpinWaitInner,
    /// Extra `yield`s made, and allowed, after the exponential part (see
    /// [`SpinWait::for_signal`]).
    #[cfg(not(threadkit_loom))]
    yields: u32,
    #[cfg(not(threadkit_loom))]
    budget: u32,
}

/// How many extra `yield`s a thread waiting for a signal from another thread makes before it
/// parks: with a thread on each core, the other side usually answers within this window (a
/// yield costs about a microsecond when nothing else is runnable), and a park would cost a
/// futex wake (15–35 µs here) on each side. Measured on the Python bench's ping-pongs on a quiet
/// 2-core VM: with parking_lot's budget alone, `Event` and `Condition` round trips took 65 and
/// 88 µs; with 48 extra yields 60 and 55–67 µs; with 128, 55–58 and 47–57 µs.
#[cfg(not(threadkit_loom))]
const SIGNAL_YIELDS: u32 = 128;

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
    /// A fresh spinner, for waits that usually end within a short critical section (locks).
    #[inline]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A fresh spinner for waits on another thread's signal (an event, a notify, a barrier's
    /// last arrival): after the exponential part it keeps yielding a while longer.
    #[inline]
    pub(crate) fn for_signal() -> Self {
        #[cfg(not(threadkit_loom))]
        return SpinWait {
            budget: SIGNAL_YIELDS,
            ..Self::default()
        };
        #[cfg(threadkit_loom)]
        return Self::default();
    }

    /// Spins once more; false once spinning should give way to parking.
    #[inline]
    pub(crate) fn spin(&mut self) -> bool {
        #[cfg(not(threadkit_loom))]
        {
            if self.inner.0.spin() {
                return true;
            }
            if self.yields < self.budget {
                self.yields += 1;
                std::thread::yield_now();
                return true;
            }
            false
        }
        #[cfg(threadkit_loom)]
        return false;
    }

    /// Starts the spin budget again (after a wake-up).
    #[inline]
    pub(crate) fn reset(&mut self) {
        #[cfg(not(threadkit_loom))]
        {
            self.inner.0.reset();
            self.yields = 0;
        }
    }
}
