//! How queue callers wait: a [`WaitList`] per condition (not empty, not full, all tasks done) and
//! a [`Patience`] that turns a timeout into a deadline only once a caller really has to wait.
//!
//! The protocol, shared by every queue:
//!
//! 1. A caller that finds it must wait takes a [`Ticket`] ([`WaitList::prepare`]) at the moment
//!    it observed the queue's state: this counts it as parked and records the list's sequence
//!    number. For the locked queues that moment is inside the critical section; the lock-free
//!    [`SimpleQueue`](crate::SimpleQueue) re-checks its items after taking the ticket.
//! 2. It parks ([`Ticket::park`]) only while the sequence number is unchanged (the parker's
//!    `validate`, run under the parking lot's queue lock).
//! 3. A notifier changes the queue first, then, only if the count says someone may be parked,
//!    bumps the sequence number and unparks. Either the parker's validation sees the new number,
//!    or the unpark finds the parked thread: no wake-up is lost, and a notifier whose list is
//!    empty pays one load and no system call.
//!
//! The count is decremented when the ticket drops, also when an interrupt check unwinds out of
//! the park, so a stale count only costs a useless unpark. A thread that was unparked always
//! re-examines the queue before it could be interrupted again, so a wake-up is never swallowed.

use std::time::{Duration, Instant};

use crate::loom::atomic::{AtomicUsize, Ordering, fence};
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, ParkResult};
use crate::timeout;

/// The threads waiting for one condition of one queue; its parking key is its own address.
#[derive(Debug)]
pub(super) struct WaitList {
    /// Bumped by every notification that may have to wake someone.
    seq: AtomicUsize,
    /// Threads holding a ticket: parked, or about to park.
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
    /// The `SeqCst` increment and fence pair with the fence in [`notify_one`](Self::notify_one)'s
    /// callers that have no lock: after this, a re-check of the queue sees an item pushed before
    /// the pusher read the count, or the pusher sees this thread.
    pub(super) fn prepare(&self) -> Ticket<'_> {
        self.parked.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        Ticket {
            list: self,
            seq: self.seq.load(Ordering::Relaxed),
        }
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
        self.seq.fetch_add(1, Ordering::Relaxed);
        park::unpark_one(park::key(&self.seq), |_| DEFAULT_UNPARK_TOKEN);
    }

    /// Wakes every parked thread.
    pub(super) fn notify_all(&self) {
        if self.parked.load(Ordering::SeqCst) != 0 {
            self.seq.fetch_add(1, Ordering::Relaxed);
            park::unpark_all(park::key(&self.seq), DEFAULT_UNPARK_TOKEN);
        }
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
        park::park(
            park::key(&list.seq),
            || list.seq.load(Ordering::Relaxed) == self.seq,
            |_, _| {},
            DEFAULT_PARK_TOKEN,
            deadline,
        )
        // `self` drops here, or during an unwind out of `park`: either way the count goes down.
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
