//! How queue callers wait: a [`WaitList`] per condition (not empty, not full, all tasks done) and
//! a [`Patience`] that turns a timeout into a deadline only once a caller really has to wait.
//!
//! The protocol, shared by every queue:
//!
//! 1. A caller that finds it must wait takes a [`Ticket`] ([`WaitList::prepare`]) at the moment
//!    it observed the queue's state: this counts it as parked and records the list's sequence
//!    number. For the locked queues that moment is inside the critical section; the lock-free
//!    ones (a bounded `Queue`'s ring, [`SimpleQueue`](crate::SimpleQueue)) look at their items
//!    again after taking the ticket ([`WaitList::wait_until`]).
//! 2. It parks ([`Ticket::park`]) only while the sequence number is unchanged (the parker's
//!    `validate`, run under the parking lot's queue lock).
//! 3. A notifier changes the queue first, then, only if the count says someone may be parked,
//!    bumps the sequence number (release) and unparks. Either the parker's validation sees the
//!    new number, or the unpark finds the parked thread: no wake-up is lost, and a notifier whose
//!    list is empty pays one load and no system call. A lock-free caller whose ticket already
//!    holds the new number (the bump came between its registration and its snapshot) has seen
//!    the change, as the snapshot is an acquire: its look after the ticket finds it. (Found by
//!    the ring's loom models: with a relaxed snapshot, a getter could register, miss a
//!    shutdown, take the bumped number and park for good.)
//!
//! The count is of tickets nobody has woken yet. A notifier that unparks threads takes them off
//! the count itself, under the parking lot's queue lock, and tells them so with the
//! [`COUNTED_OUT`] token; every other ticket leaves the count when it drops (after a failed
//! validation, a timeout, or an interrupt check unwinding out of the park). So while a woken
//! thread is still on its way back to the queue (a futex wake takes 15–35 µs on small VMs), the
//! notifications after the one that woke it see a count of zero and cost one load, not an unpark
//! each: in a one-producer, one-consumer run that is every item put in that window. A thread that
//! was unparked always re-examines the queue before it could be interrupted again, so a wake-up
//! is never swallowed.

use std::time::{Duration, Instant};

use crate::loom::atomic::{AtomicUsize, Ordering, fence};
use crate::park::{
    self, DEFAULT_PARK_TOKEN, FilterOp, ParkResult, SpinWait, UnparkResult, UnparkToken,
};
use crate::timeout;

/// The token of a thread that its notifier took off the [`WaitList`]'s count.
const COUNTED_OUT: UnparkToken = UnparkToken(1);

/// The threads waiting for one condition of one queue; its parking key is its own address.
#[derive(Debug)]
pub(super) struct WaitList {
    /// Bumped by every notification that may have to wake someone.
    seq: AtomicUsize,
    /// Threads holding a ticket that nobody has woken: parked, or about to park.
    parked: AtomicUsize,
}

impl WaitList {
    pub(super) fn new() -> Self {
        WaitList {
            seq: AtomicUsize::new(0),
            parked: AtomicUsize::new(0),
        }
    }

    /// Counts the current thread as parked and snapshots the sequence number.
    ///
    /// The `SeqCst` increment and fence pair with the `SeqCst` operation by which a caller of
    /// [`notify_one`](Self::notify_one) without a lock published its change (`SimpleQueue`: the
    /// `SegQueue`'s compare-exchange), followed by the `SeqCst` load of the count: after this, a
    /// re-check of the queue sees an item pushed before the pusher read the count, or the pusher
    /// sees this thread.
    pub(super) fn prepare(&self) -> Ticket<'_> {
        self.parked.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        Ticket {
            list: self,
            // Acquire: a snapshot that already holds a notifier's bump has seen its change too.
            seq: self.seq.load(Ordering::Acquire),
        }
    }

    /// Runs `attempt` until it gives a result, waiting on this list in between: the wait of a
    /// queue without a lock (the ring of a bounded `Queue`, `SimpleQueue`).
    ///
    /// The first attempt is the fast path; then the caller spins briefly, then takes a ticket
    /// and attempts once more before it parks (step 1 of the protocol). `attempt` sees the
    /// caller's patience, and must give a result once `patience.expired()`.
    #[inline]
    pub(super) fn wait_until<R>(
        &self,
        patience: &mut Patience,
        mut attempt: impl FnMut(&mut Patience) -> Option<R>,
    ) -> R {
        let mut spin = SpinWait::new();
        loop {
            if let Some(result) = attempt(patience) {
                return result;
            }
            if spin.spin() {
                continue;
            }
            let ticket = self.prepare();
            if let Some(result) = attempt(patience) {
                return result;
            }
            if ticket.park(patience.deadline()) != ParkResult::TimedOut {
                spin.reset();
            }
        }
    }

    /// How many threads hold a ticket: parked, or about to park.
    pub(super) fn waiting(&self) -> usize {
        self.parked.load(Ordering::SeqCst)
    }

    /// Wakes one parked thread, if any may be parked.
    #[inline]
    pub(super) fn notify_one(&self) {
        if self.parked.load(Ordering::SeqCst) != 0 {
            self.wake_one();
        }
    }

    #[cold]
    fn wake_one(&self) {
        // The bump happens before the unpark takes the parking lot's queue lock, so a thread that
        // validates after that sees it (see the module's protocol).
        self.seq.fetch_add(1, Ordering::Release);
        park::unpark_one(park::key(&self.seq), |result| self.count_out(result));
    }

    /// Wakes every parked thread.
    pub(super) fn notify_all(&self) {
        if self.parked.load(Ordering::SeqCst) != 0 {
            self.seq.fetch_add(1, Ordering::Release);
            park::unpark_filter(
                park::key(&self.seq),
                |_| FilterOp::Unpark,
                |result| self.count_out(result),
            );
        }
    }

    /// Takes the threads being unparked off the count (under the parking lot's queue lock,
    /// before they can run), and gives them the token that says so.
    fn count_out(&self, result: UnparkResult) -> UnparkToken {
        if result.unparked_threads != 0 {
            self.parked
                .fetch_sub(result.unparked_threads, Ordering::SeqCst);
        }
        COUNTED_OUT
    }
}

/// A thread's registration on a [`WaitList`]; dropping it withdraws the registration.
#[derive(Debug)]
pub(super) struct Ticket<'a> {
    list: &'a WaitList,
    seq: usize,
}

impl Ticket<'_> {
    /// Parks until notified or `deadline`; `Invalid` when a notification came first or after an
    /// interrupt slice. Callers re-examine the queue whatever the result.
    pub(super) fn park(self, deadline: Option<Instant>) -> ParkResult {
        let list = self.list;
        let result = park::park(
            park::key(&list.seq),
            || list.seq.load(Ordering::Relaxed) == self.seq,
            |_, _| {},
            DEFAULT_PARK_TOKEN,
            deadline,
        );
        if result == ParkResult::Unparked(COUNTED_OUT) {
            // The notifier took this ticket off the count already.
            std::mem::forget(self);
        }
        // Otherwise `self` drops here, or during an unwind out of `park`: the count goes down.
        result
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.list.parked.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A caller's timeout, turned into a deadline the first time it is needed, so that calls that
/// never wait never read the clock.
#[derive(Debug)]
pub(super) struct Patience {
    timeout: Option<Duration>,
    deadline: Option<Option<Instant>>,
}

impl Patience {
    #[inline]
    pub(super) fn new(timeout: Option<Duration>) -> Self {
        Patience {
            timeout,
            deadline: None,
        }
    }

    /// The instant to give up at (`None`: never), fixed on first use.
    pub(super) fn deadline(&mut self) -> Option<Instant> {
        let timeout = self.timeout;
        *self
            .deadline
            .get_or_insert_with(|| timeout::deadline(timeout))
    }

    /// Whether the wait is over: always for a zero timeout, never without one.
    #[inline]
    pub(super) fn expired(&mut self) -> bool {
        match self.timeout {
            None => false,
            Some(Duration::ZERO) => true,
            Some(_) => timeout::expired(self.deadline()),
        }
    }
}
