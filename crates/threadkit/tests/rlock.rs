//! `RLock`: Python's `threading.RLock` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::panic;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, within};
use threadkit::{RLock, ReleaseError, interrupt};

#[test]
fn reentrant_acquire_counts_levels() {
    let lock = RLock::new();
    assert!(!lock.locked());
    assert!(!lock.is_owned());
    assert_eq!(lock.recursion_count(), 0);
    for level in 1..=5 {
        assert!(lock.acquire(None));
        assert_eq!(lock.recursion_count(), level);
    }
    assert!(lock.try_acquire());
    assert!(lock.acquire(Some(Duration::ZERO)));
    assert_eq!(lock.recursion_count(), 7);
    for level in (0..7).rev() {
        assert!(lock.is_owned());
        lock.release().unwrap();
        assert_eq!(lock.recursion_count(), level);
    }
    assert!(!lock.is_owned());
    assert!(!lock.locked());
    assert_eq!(lock.release(), Err(ReleaseError::NotOwned));
}

#[test]
fn release_unowned_is_an_error_with_cpythons_message() {
    let lock = RLock::new();
    assert_eq!(lock.release(), Err(ReleaseError::NotOwned));
    assert_eq!(
        ReleaseError::NotOwned.to_string(),
        "cannot release un-acquired lock"
    );
    assert_eq!(lock.release_save(), Err(ReleaseError::NotOwned));
}

#[test]
fn another_thread_cannot_release_or_acquire() {
    within(|| {
        let lock = Arc::new(RLock::new());
        lock.acquire(None);
        lock.acquire(None);
        let remote = Arc::clone(&lock);
        thread::spawn(move || {
            assert!(remote.locked());
            assert!(!remote.is_owned());
            assert_eq!(remote.recursion_count(), 0);
            assert_eq!(remote.release(), Err(ReleaseError::NotOwned));
            assert_eq!(remote.release_save(), Err(ReleaseError::NotOwned));
            assert!(!remote.try_acquire());
            assert!(!remote.acquire(Some(Duration::from_millis(5))));
            assert!(remote.lock_timeout(Duration::from_millis(1)).is_none());
        })
        .join()
        .unwrap();
        // Nothing the other thread did changed our levels.
        assert_eq!(lock.recursion_count(), 2);
        lock.release().unwrap();
        lock.release().unwrap();
        assert!(!lock.locked());
    });
}

#[test]
fn ownership_passes_between_threads() {
    within(|| {
        let lock = Arc::new(RLock::new());
        lock.acquire(None);
        let acquired = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (lock, acquired) = (Arc::clone(&lock), Arc::clone(&acquired));
            thread::spawn(move || {
                assert!(lock.acquire(None));
                assert!(lock.acquire(None));
                acquired.store(true, Ordering::SeqCst);
                assert_eq!(lock.recursion_count(), 2);
                lock.release().unwrap();
                lock.release().unwrap();
            })
        };
        thread::sleep(Duration::from_millis(20));
        assert!(!acquired.load(Ordering::SeqCst), "acquired an owned lock");
        lock.release().unwrap();
        waiter.join().unwrap();
        assert!(acquired.load(Ordering::SeqCst));
        assert!(!lock.locked());
        assert!(lock.try_acquire());
        assert!(lock.is_owned());
        lock.release().unwrap();
    });
}

#[test]
fn release_save_and_acquire_restore_keep_the_levels() {
    within(|| {
        let lock = Arc::new(RLock::new());
        for _ in 0..3 {
            lock.acquire(None);
        }
        let saved = lock.release_save().unwrap();
        assert_eq!(saved.count(), 3);
        assert_ne!(saved.owner(), 0);
        assert!(!lock.locked());
        assert!(!lock.is_owned());
        assert_eq!(lock.recursion_count(), 0);
        // Another thread can take and give back the fully released lock meanwhile.
        let remote = Arc::clone(&lock);
        thread::spawn(move || {
            let _guard = remote.lock();
            assert!(remote.is_owned());
            let inner = remote.release_save().unwrap();
            assert_eq!(inner.count(), 1);
            remote.acquire_restore(inner);
            assert_eq!(remote.recursion_count(), 1);
        })
        .join()
        .unwrap();
        assert!(!lock.locked());
        lock.acquire_restore(saved);
        assert!(lock.is_owned());
        assert_eq!(lock.recursion_count(), 3);
        for _ in 0..3 {
            lock.release().unwrap();
        }
        assert!(!lock.locked());
    });
}

#[test]
fn acquire_restore_waits_for_the_lock() {
    within(|| {
        let lock = Arc::new(RLock::new());
        lock.acquire(None);
        let saved = lock.release_save().unwrap();
        let holder = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                lock.acquire(None);
                thread::sleep(Duration::from_millis(20));
                lock.release().unwrap();
            })
        };
        common::wait_until(|| lock.locked());
        lock.acquire_restore(saved);
        assert_eq!(lock.recursion_count(), 1);
        holder.join().unwrap();
        lock.release().unwrap();
    });
}

#[test]
fn guards_release_one_level_each() {
    let lock = RLock::new();
    {
        let outer = lock.lock();
        {
            let _inner = lock.try_lock().expect("re-entrant");
            let _third = lock.lock_timeout(Duration::ZERO).expect("re-entrant");
            assert_eq!(outer.lock().recursion_count(), 3);
        }
        assert_eq!(lock.recursion_count(), 1);
    }
    assert!(!lock.locked());
}

#[test]
fn timeout_returns_false_after_at_least_the_timeout() {
    within(|| {
        let lock = Arc::new(RLock::new());
        lock.acquire(None);
        let remote = Arc::clone(&lock);
        thread::spawn(move || {
            for timeout in [Duration::ZERO, Duration::from_millis(30)] {
                let start = Instant::now();
                assert!(!remote.acquire(Some(timeout)));
                assert!(start.elapsed() >= timeout);
            }
        })
        .join()
        .unwrap();
        assert_eq!(lock.recursion_count(), 1);
        lock.release().unwrap();
    });
}

#[test]
fn interrupt_check_unwinds_out_of_a_wait() {
    struct Interrupted;
    fn interrupt_now() {
        panic::resume_unwind(Box::new(Interrupted));
    }
    within(|| {
        let lock = Arc::new(RLock::new());
        lock.acquire(None);
        let remote = Arc::clone(&lock);
        thread::spawn(move || {
            interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
            let outcome = panic::catch_unwind(|| remote.acquire(None));
            interrupt::set_check(None);
            assert!(outcome.unwrap_err().is::<Interrupted>());
            assert!(!remote.is_owned());
        })
        .join()
        .unwrap();
        assert_eq!(lock.recursion_count(), 1);
        lock.release().unwrap();
        assert!(!lock.locked());
    });
}

#[test]
fn stress_reentrant_exclusion_with_eight_threads() {
    within(|| {
        const THREADS: usize = 8;
        let per_thread = iterations(50_000);
        let lock = Arc::new(RLock::new());
        let inside = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..THREADS)
            .map(|i| {
                let (lock, inside, total) =
                    (Arc::clone(&lock), Arc::clone(&inside), Arc::clone(&total));
                thread::spawn(move || {
                    for n in 0..per_thread {
                        let acquired = if (i + n) % 7 == 0 {
                            lock.acquire(Some(Duration::from_micros(50)))
                        } else {
                            lock.acquire(None)
                        };
                        if !acquired {
                            assert!(!lock.is_owned());
                            continue;
                        }
                        assert_eq!(inside.fetch_add(1, Ordering::Relaxed), 0, "two owners");
                        let depth = 1 + (i + n) % 3;
                        for _ in 1..depth {
                            assert!(lock.try_acquire());
                        }
                        assert_eq!(lock.recursion_count(), depth);
                        let value = total.load(Ordering::Relaxed);
                        total.store(value + 1, Ordering::Relaxed);
                        for _ in 1..depth {
                            lock.release().unwrap();
                        }
                        inside.fetch_sub(1, Ordering::Relaxed);
                        lock.release().unwrap();
                        assert!(!lock.is_owned());
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        assert!(!lock.locked());
        assert!(total.load(Ordering::Relaxed) > 0);
    });
}
