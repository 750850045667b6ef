//! Loom model of `RLock`: exclusion between owners, re-entrancy, and ownership.
#![cfg(threadkit_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use threadkit::{RLock, ReleaseError};

#[test]
fn two_threads_exclude_each_other_reentrantly() {
    loom::model(|| {
        let lock = Arc::new(RLock::new());
        let inside = Arc::new(AtomicUsize::new(0));
        let body = |lock: &RLock, inside: &AtomicUsize| {
            lock.acquire(None);
            assert!(lock.acquire(None));
            assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
            assert_eq!(lock.recursion_count(), 2);
            inside.fetch_sub(1, Ordering::SeqCst);
            lock.release().unwrap();
            lock.release().unwrap();
            assert!(!lock.is_owned());
        };
        let other = {
            let (lock, inside) = (Arc::clone(&lock), Arc::clone(&inside));
            thread::spawn(move || body(&lock, &inside))
        };
        body(&lock, &inside);
        other.join().unwrap();
        assert!(!lock.locked());
    });
}

#[test]
fn only_the_owner_releases() {
    loom::model(|| {
        let lock = Arc::new(RLock::new());
        let other = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                if lock.try_acquire() {
                    assert!(lock.is_owned());
                    lock.release().unwrap();
                } else {
                    assert_eq!(lock.release(), Err(ReleaseError::NotOwned));
                }
            })
        };
        lock.acquire(None);
        let saved = lock.release_save().unwrap();
        lock.acquire_restore(saved);
        assert_eq!(lock.recursion_count(), 1);
        lock.release().unwrap();
        other.join().unwrap();
        assert!(!lock.locked());
    });
}
