//! The one switch between the real world and the loom model checker.
//!
//! Normal builds use std's atomics and `parking_lot_core`'s parking lot. Under
//! `--cfg threadkit_loom` the same names resolve to loom's atomics and to [`lot`], a small parking
//! lot written on loom's `Mutex`/`Condvar` with `parking_lot_core`'s contract, so that loom explores
//! every interleaving of our state machines. Loom cannot model time: a timed park never times out
//! under it, so loom models use untimed waits only.

#[cfg(not(threadkit_loom))]
pub(crate) use std::sync::atomic;

#[cfg(threadkit_loom)]
pub(crate) use ::loom::sync::atomic;

/// Writes a function that is `const` in normal builds and a plain `fn` under loom, whose atomics
/// and mutexes cannot be created in a constant context: one signature, one body, one doc comment.
///
/// ```ignore
/// crate::loom::const_fn! {
///     /// Creates an unlocked lock.
///     pub const fn new() -> Self {
///         Lock { state: AtomicU8::new(0) }
///     }
/// }
/// ```
///
/// A doc example that puts the value in a `static` is fine: doctests never build under loom.
macro_rules! const_fn {
    (
        $(#[$attr:meta])*
        $vis:vis const fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block
    ) => {
        $(#[$attr])*
        #[cfg(not(threadkit_loom))]
        $vis const fn $name($($arg: $ty),*) -> $ret $body

        $(#[$attr])*
        #[cfg(threadkit_loom)]
        $vis fn $name($($arg: $ty),*) -> $ret $body
    };
}

pub(crate) use const_fn;

/// Stands in, under loom, for a `SeqCst` operation inside a dependency that loom cannot see (the
/// compare-exchange that publishes an item in `crossbeam_queue::SegQueue` or `ArrayQueue`), or for
/// the `SeqCst` of a read-modify-write that loom sees but models as only `AcqRel` (a queue's
/// unfinished-task count before it checks for parked joiners): a `SeqCst` fence in the model,
/// nothing in normal builds, where the operation itself orders the real program.
#[inline]
pub(crate) fn dependency_seq_cst() {
    #[cfg(threadkit_loom)]
    ::loom::sync::atomic::fence(::loom::sync::atomic::Ordering::SeqCst);
}

/// Plain data structures that are never held across a wait (a condition's waiter list): std's
/// normally, loom's under the model so that loom sees every access.
pub(crate) mod sync {
    #[cfg(not(threadkit_loom))]
    pub(crate) use std::sync::{Arc, Mutex, MutexGuard};

    #[cfg(threadkit_loom)]
    pub(crate) use ::loom::sync::{Arc, Mutex, MutexGuard};
}

/// `UnsafeCell` with loom's closure API (`with`/`with_mut`), so that loom checks every access to a
/// cell whose exclusivity an atomic state machine argues (a future's outcome).
pub(crate) mod cell {
    #[cfg(threadkit_loom)]
    pub(crate) use ::loom::cell::UnsafeCell;

    /// std's `UnsafeCell` behind loom's API.
    #[cfg(not(threadkit_loom))]
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    #[cfg(not(threadkit_loom))]
    impl<T> UnsafeCell<T> {
        #[inline]
        pub(crate) const fn new(value: T) -> Self {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        /// Calls `f` with a pointer for reading the value.
        #[inline]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Calls `f` with a pointer for writing the value.
        #[inline]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

/// A cheap identity of the calling thread: non-zero, and different for every live thread.
///
/// It is the address of a one-byte thread-local (a loom thread-local under the model), so taking
/// it costs a thread-local access and no system call. Like CPython's `get_ident`, a token may be
/// reused by a thread started after its previous holder exited. Re-entrant locks store it as their
/// owner.
#[inline]
pub(crate) fn thread_token() -> usize {
    #[cfg(not(threadkit_loom))]
    std::thread_local! {
        static TOKEN: u8 = const { 0 };
    }
    #[cfg(threadkit_loom)]
    ::loom::thread_local! {
        static TOKEN: u8 = 0;
    }
    TOKEN.with(|token| token as *const u8 as usize)
}

/// Gives way to other threads while this one waits in a loop for one of them (a submit still
/// enqueueing): std's `yield_now`, loom's under the model, where a loop that does not yield to
/// loom never lets the awaited thread run.
#[inline]
pub(crate) fn yield_now() {
    #[cfg(not(threadkit_loom))]
    std::thread::yield_now();
    #[cfg(threadkit_loom)]
    ::loom::thread::yield_now();
}

/// A mutex for short internal critical sections that never block long (a queue's storage).
#[cfg(not(threadkit_loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

#[cfg(threadkit_loom)]
pub(crate) use ::loom::sync::{Mutex, MutexGuard};

#[cfg(not(threadkit_loom))]
pub(crate) use parking_lot_core as lot;

#[cfg(threadkit_loom)]
pub(crate) mod lot {
    //! `parking_lot_core`'s API, modelled on loom primitives: one global FIFO queue of parked
    //! threads, each with its own slot that the unparker fills.

    use ::loom::sync::{Arc, Condvar, Mutex};
    pub(crate) use parking_lot_core::{FilterOp, ParkResult, ParkToken, UnparkResult, UnparkToken};
    use std::time::Instant;

    struct Slot {
        token: Mutex<Option<UnparkToken>>,
        wake: Condvar,
    }

    struct Parked {
        key: usize,
        token: ParkToken,
        slot: Arc<Slot>,
    }

    ::loom::lazy_static! {
        static ref QUEUE: Mutex<Vec<Parked>> = Mutex::new(Vec::new());
    }

    fn wake(slot: &Slot, token: UnparkToken) {
        *slot.token.lock().unwrap() = Some(token);
        slot.wake.notify_one();
    }

    /// Mirrors `parking_lot_core::park`; `_timeout` is ignored because loom has no time.
    ///
    /// # Safety
    ///
    /// Same contract as `parking_lot_core::park`.
    pub(crate) unsafe fn park(
        key: usize,
        validate: impl FnOnce() -> bool,
        before_sleep: impl FnOnce(),
        _timed_out: impl FnOnce(usize, bool),
        park_token: ParkToken,
        _timeout: Option<Instant>,
    ) -> ParkResult {
        let slot = Arc::new(Slot {
            token: Mutex::new(None),
            wake: Condvar::new(),
        });
        {
            let mut queue = QUEUE.lock().unwrap();
            if !validate() {
                return ParkResult::Invalid;
            }
            queue.push(Parked {
                key,
                token: park_token,
                slot: Arc::clone(&slot),
            });
        }
        before_sleep();
        let mut token = slot.token.lock().unwrap();
        loop {
            if let Some(token) = *token {
                return ParkResult::Unparked(token);
            }
            token = slot.wake.wait(token).unwrap();
        }
    }

    /// Mirrors `parking_lot_core::unpark_filter`.
    ///
    /// # Safety
    ///
    /// Same contract as `parking_lot_core::unpark_filter`.
    pub(crate) unsafe fn unpark_filter(
        key: usize,
        mut filter: impl FnMut(ParkToken) -> FilterOp,
        callback: impl FnOnce(UnparkResult) -> UnparkToken,
    ) -> UnparkResult {
        let mut queue = QUEUE.lock().unwrap();
        let mut woken = Vec::new();
        let mut index = 0;
        while index < queue.len() {
            if queue[index].key != key {
                index += 1;
                continue;
            }
            match filter(queue[index].token) {
                FilterOp::Unpark => woken.push(queue.remove(index).slot),
                FilterOp::Skip => index += 1,
                FilterOp::Stop => break,
            }
        }
        let mut result = UnparkResult::default();
        result.unparked_threads = woken.len();
        result.have_more_threads = queue.iter().any(|parked| parked.key == key);
        let token = callback(result);
        drop(queue);
        for slot in woken {
            wake(&slot, token);
        }
        result
    }

    /// Mirrors `parking_lot_core::unpark_one`.
    ///
    /// # Safety
    ///
    /// Same contract as `parking_lot_core::unpark_one`.
    pub(crate) unsafe fn unpark_one(
        key: usize,
        callback: impl FnOnce(UnparkResult) -> UnparkToken,
    ) -> UnparkResult {
        let mut taken = false;
        let filter = |_| {
            if taken {
                FilterOp::Stop
            } else {
                taken = true;
                FilterOp::Unpark
            }
        };
        // SAFETY: forwarded under the caller's contract.
        unsafe { unpark_filter(key, filter, callback) }
    }

    /// Mirrors `parking_lot_core::unpark_all`.
    ///
    /// # Safety
    ///
    /// Same contract as `parking_lot_core::unpark_all`.
    pub(crate) unsafe fn unpark_all(key: usize, unpark_token: UnparkToken) -> usize {
        // SAFETY: forwarded under the caller's contract.
        unsafe { unpark_filter(key, |_| FilterOp::Unpark, |_| unpark_token) }.unparked_threads
    }
}
