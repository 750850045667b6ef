//! Loom model of `Lock`: mutual exclusion, wake-ups, release by another thread.
#![cfg(threadkit_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use threadkit::{Lock, ReleaseError};

#[test]
fn two_threads_exclude_each_other() {
    loom::model(|| {
        let lock = Arc::new(Lock::new());
        let inside = Arc::new(AtomicUsize::new(0));
        let other = {
            let (lock, inside) = (Arc::clone(&lock), Arc::clone(&inside));
            thread::spawn(move || {
                lock.acquire(None);
                assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                inside.fetch_sub(1, Ordering::SeqCst);
                lock.release().unwrap();
            })
        };
        lock.acquire(None);
        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
        inside.fetch_sub(1, Ordering::SeqCst);
        lock.release().unwrap();
        other.join().unwrap();
        assert!(!lock.locked());
    });
}

#[test]
fn release_by_another_thread_wakes_a_waiter() {
    loom::model(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire(None);
        let releaser = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || lock.release().unwrap())
        };
        // Blocks until the other thread releases: a lost wake-up deadlocks the model.
        lock.acquire(None);
        releaser.join().unwrap();
        assert!(lock.locked());
    });
}

#[test]
fn racing_releases_succeed_once() {
    loom::model(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire(None);
        let other = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || lock.release())
        };
        let mine = lock.release();
        let theirs = other.join().unwrap();
        assert!(mine.is_ok() != theirs.is_ok());
        assert_eq!(mine.and(theirs), Err(ReleaseError::Unlocked));
    });
}
