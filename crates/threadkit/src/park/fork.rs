//! Forgetting a `fork`'s ghosts: the threads that were parked in the parent.
//!
//! `fork` copies the whole address space into the child, `parking_lot_core`'s table of parked
//! threads included, but only the forking thread. The other threads' entries stay queued in the
//! child's table although those threads do not exist there, and their `ThreadData` lives in
//! their thread-local storage, which the C library hands to the next thread the child starts.
//! Left alone, a wake-up meant for one of the child's threads is spent on a ghost, and a new
//! thread that reuses a ghost's storage links it into the table a second time (which corrupts
//! the queue: the child hangs).
//!
//! So every thread that parks through the seam publishes the key it is parked on in a slot of
//! [`THREADS`], and [`after_fork_in_child`] unparks every key a ghost was parked on, before any
//! new thread exists in the child: that removes the ghosts from the table while their storage is
//! still theirs. Storing the key costs the parking thread two thread-local stores.

use std::cell::OnceCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::DEFAULT_UNPARK_TOKEN;

/// One slot per thread that has parked: the key it is parked on now, 0 when not parked.
static THREADS: Mutex<Vec<Arc<AtomicUsize>>> = Mutex::new(Vec::new());

/// This thread's slot in [`THREADS`], removed when the thread exits.
struct Registration(Arc<AtomicUsize>);

impl Registration {
    fn new() -> Self {
        let slot = Arc::new(AtomicUsize::new(0));
        THREADS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&slot));
        Registration(slot)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        THREADS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|slot| !Arc::ptr_eq(slot, &self.0));
    }
}

std::thread_local! {
    /// Made on the thread's first park (so the fork hook can look without registering).
    static SLOT: OnceCell<Registration> = const { OnceCell::new() };
}

/// Publishes that this thread parks on `key` until the returned guard drops.
#[inline]
pub(super) fn parked_on(key: usize) -> Parked {
    publish(key);
    Parked
}

/// Stores `key` in this thread's slot; during thread-local destruction, when the slot may be
/// gone, the park is simply not published.
#[inline]
fn publish(key: usize) {
    let _ = SLOT.try_with(|slot| {
        slot.get_or_init(Registration::new)
            .0
            .store(key, Ordering::Release);
    });
}

/// Clears this thread's published key when the park ends (also by unwinding).
pub(super) struct Parked;

impl Drop for Parked {
    #[inline]
    fn drop(&mut self) {
        publish(0);
    }
}

/// Removes the threads that were parked in the parent of a `fork` from this child's parking
/// lot, so that wake-ups reach only the child's own threads and new threads can reuse the
/// ghosts' storage safely.
///
/// Python: what threadkit registers with `os.register_at_fork(after_in_child=...)`. Call it in
/// the child right after `fork`, before the child starts any thread. Called anywhere else it is
/// harmless but wasteful: every parked thread gets a spurious wake-up, after which it looks at
/// its primitive again and parks anew.
///
/// # Differences from CPython
///
/// CPython 3.13 empties its own parking lot in a forked child the same way. If the fork caught
/// another thread in the middle of registering itself (the first park of a thread, or a thread's
/// exit), the ghosts cannot be listed and are left in place.
pub fn after_fork_in_child() {
    let Ok(mut threads) = THREADS.try_lock().or_else(|error| match error {
        std::sync::TryLockError::Poisoned(poisoned) => Ok(poisoned.into_inner()),
        std::sync::TryLockError::WouldBlock => Err(()),
    }) else {
        return;
    };
    // Looked up without registering: the lock is held.
    let me = SLOT
        .try_with(|slot| slot.get().map(|registration| Arc::clone(&registration.0)))
        .ok()
        .flatten();
    let is_me = |slot: &Arc<AtomicUsize>| me.as_ref().is_some_and(|me| Arc::ptr_eq(slot, me));
    let mut keys: Vec<usize> = threads
        .iter()
        .filter(|slot| !is_me(slot))
        .map(|slot| slot.load(Ordering::Acquire))
        .filter(|&key| key != 0)
        .collect();
    // The ghosts' registrations never drop: they are dropped here.
    threads.retain(|slot| is_me(slot));
    drop(threads);
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        // SAFETY: the entries parked on `key` are ghosts, whose storage is intact until the
        // child starts a thread; unparking them only stores to their parkers and calls
        // `futex_wake`. No callback runs.
        unsafe { parking_lot_core::unpark_all(key, DEFAULT_UNPARK_TOKEN) };
    }
}
