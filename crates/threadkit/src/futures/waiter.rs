//! The waiter that [`wait`](super::wait) and [`as_completed`](super::as_completed) register on
//! futures, like CPython's `_Waiter` classes: completing futures report to it, and the waiting
//! thread parks on its one-shot signal.

use std::time::Instant;

use crate::loom::atomic::{AtomicU8, AtomicUsize, Ordering};
use crate::loom::sync::Mutex;
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, ParkResult, SpinWait};
use crate::timeout;

/// How a future reached its end, as reported to waiters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Completion {
    /// Finished with a value.
    Result,
    /// Finished with an error.
    Exception,
    /// Cancelled, and the cancellation was noticed by whoever ran it.
    Cancelled,
}

/// When a waiter's signal fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaiterKind {
    /// On every completion (`as_completed` and `FIRST_COMPLETED`).
    EachCompletion,
    /// When `pending` completions have arrived, or at the first failure if `stop_on_exception`.
    AllCompleted { stop_on_exception: bool },
}

/// A waiter registered on several futures; each reports its index once.
#[derive(Debug)]
pub(crate) struct Waiter {
    kind: WaiterKind,
    pending: AtomicUsize,
    finished: Mutex<Vec<usize>>,
    signal: Signal,
}

impl Waiter {
    /// A waiter of `kind` that expects `pending` completions (used by `AllCompleted`).
    pub(crate) fn new(kind: WaiterKind, pending: usize) -> Self {
        Waiter {
            kind,
            pending: AtomicUsize::new(pending),
            finished: Mutex::new(Vec::new()),
            signal: Signal::new(),
        }
    }

    /// Records that the future at `index` completed, and fires the signal if that is what the
    /// waiting thread waits for.
    pub(crate) fn notify(&self, index: usize, completion: Completion) {
        self.finished.lock().unwrap().push(index);
        let fire = match self.kind {
            WaiterKind::EachCompletion => true,
            WaiterKind::AllCompleted { stop_on_exception } => {
                (stop_on_exception && completion == Completion::Exception)
                    || self.pending.fetch_sub(1, Ordering::AcqRel) == 1
            }
        };
        if fire {
            self.signal.set();
        }
    }

    /// Waits until the signal fires or `deadline` passes; true if it fired.
    pub(crate) fn wait(&self, deadline: Option<Instant>) -> bool {
        self.signal.wait(deadline)
    }

    /// Takes the indexes reported so far and re-arms the signal (`as_completed`).
    pub(crate) fn take_finished(&self) -> Vec<usize> {
        let mut finished = self.finished.lock().unwrap();
        self.signal.clear();
        std::mem::take(&mut *finished)
    }
}

/// Set (and not yet cleared).
const SET: u8 = 0b01;
/// The waiting thread may be parked.
const PARKED: u8 = 0b10;

/// A one-waiter event: `set` wakes the thread blocked in `wait`.
#[derive(Debug)]
struct Signal {
    state: AtomicU8,
}

impl Signal {
    fn new() -> Self {
        Signal {
            state: AtomicU8::new(0),
        }
    }

    fn set(&self) {
        if self.state.swap(SET, Ordering::Release) & PARKED != 0 {
            park::unpark_one(park::key(&self.state), |_| DEFAULT_UNPARK_TOKEN);
        }
    }

    /// Clears the signal; the caller holds the waiter's `finished` lock, so a report that arrives
    /// after this sets it again.
    fn clear(&self) {
        self.state.fetch_and(!SET, Ordering::Relaxed);
    }

    fn wait(&self, deadline: Option<Instant>) -> bool {
        let mut spin = SpinWait::new();
        loop {
            let state = self.state.load(Ordering::Acquire);
            if state & SET != 0 {
                return true;
            }
            if timeout::expired(deadline) {
                return false;
            }
            if state & PARKED == 0 {
                if spin.spin() {
                    continue;
                }
                if self
                    .state
                    .compare_exchange_weak(
                        state,
                        state | PARKED,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    )
                    .is_err()
                {
                    continue;
                }
            }
            let validate = || self.state.load(Ordering::Relaxed) == PARKED;
            let timed_out = |_, _| {
                self.state.fetch_and(!PARKED, Ordering::Relaxed);
            };
            let key = park::key(&self.state);
            if park::park(key, validate, timed_out, DEFAULT_PARK_TOKEN, deadline)
                == ParkResult::TimedOut
            {
                return self.state.load(Ordering::Acquire) & SET != 0;
            }
        }
    }
}
