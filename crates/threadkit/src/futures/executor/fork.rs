//! The fork reset: what the child of a `fork` must forget of its parent's workers.

use super::gate::{BROKEN, SHUTDOWN};
use super::pool::ThreadPoolExecutor;
use crate::loom::atomic::Ordering;
use crate::park::{self, DEFAULT_UNPARK_TOKEN};

impl ThreadPoolExecutor {
    /// Makes the executor usable in the child of a `fork`, where none of its worker threads
    /// exist: it forgets them, so the next submit starts new ones; queued calls stay queued.
    ///
    /// Python: what `os.register_at_fork(after_in_child=...)` does for threadkit's executors.
    ///
    /// # Safety
    ///
    /// Call it only in a child process right after `fork`, before the child starts any thread
    /// (as `os.register_at_fork(after_in_child=...)` hooks run). Elsewhere it would make the pool
    /// lose track of running workers, and force open locks that live threads hold. Locks the
    /// parent's threads held at the fork are forced open here, as CPython's `_at_fork_reinit`
    /// does for its own.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// // `no_run`: a doctest should not fork the test harness, a process with threads; this is
    /// // the pattern. (The Python bindings call it from `os.register_at_fork(after_in_child=...)`.)
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// unsafe extern "C" {
    ///     fn fork() -> i32; // POSIX, as the `libc` crate declares it
    ///     fn _exit(status: i32) -> !;
    /// }
    ///
    /// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
    /// pool.submit(|| ()).unwrap().result(None).unwrap(); // a worker thread runs now
    /// // SAFETY: the child uses nothing but the pool, which it repairs first.
    /// if unsafe { fork() } == 0 {
    ///     // SAFETY: the child of a fork, right after it; its only thread is this one.
    ///     unsafe { pool.reinit_after_fork() };
    ///     let status = pool.submit(|| 0).unwrap().result(None).unwrap(); // a new worker
    ///     // SAFETY: leaves the child without running the parent's exit code a second time.
    ///     unsafe { _exit(status) };
    /// }
    /// ```
    pub unsafe fn reinit_after_fork(&self) {
        let pool = &self.pool;
        // The host forgets its handles of the parent's threads; the counts go with them. A
        // thread of the parent may have held the counts' lock at the fork, possibly in the middle
        // of changing the vector: force the lock open and forget the vector unread.
        pool.host.forget_after_fork();
        if pool.stats.is_locked() {
            // SAFETY: the caller guarantees this is a fork child with no other thread: the
            // holder does not exist, so no guard is alive.
            unsafe {
                pool.stats
                    .force_unlock(parking_lot::lock_api::GuardNoSend::new())
            };
        }
        std::mem::forget(std::mem::take(&mut *pool.stats.lock()));
        // SAFETY: the caller's contract, which is the slab's.
        unsafe { pool.slab.reinit_after_fork() };
        // Entries the parent's parked workers left in the parking lot would take the wake-ups
        // meant for new workers: clear them (waking a thread that does not exist does nothing).
        park::unpark_all(park::key(&*pool.sleepers), DEFAULT_UNPARK_TOKEN);
        park::unpark_all(park::key(&*pool.pending), DEFAULT_UNPARK_TOKEN);
        pool.sleepers.store(0, Ordering::SeqCst);
        pool.blocked.store(0, Ordering::SeqCst);
        pool.idle_tokens.store(0, Ordering::SeqCst);
        pool.live.store(0, Ordering::SeqCst);
        pool.num_threads.store(0, Ordering::SeqCst);
        // A submit the fork interrupted mid-way never finishes.
        pool.gate.fetch_and(SHUTDOWN | BROKEN, Ordering::SeqCst);
    }
}
