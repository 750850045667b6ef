//! Loom model of `Semaphore` and `BoundedSemaphore`: the bound on holders, wake-ups by
//! `release(n)`, and the over-release check.
#![cfg(threadkit_loom)]

use std::num::NonZeroUsize;

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use threadkit::{BoundedSemaphore, ReleaseError, Semaphore};

#[test]
fn three_threads_two_permits_never_three_holders() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(2));
        let inside = Arc::new(AtomicUsize::new(0));
        let enter = |semaphore: &Semaphore, inside: &AtomicUsize| {
            let _permit = semaphore.permit();
            assert!(inside.fetch_add(1, Ordering::SeqCst) < 2);
            inside.fetch_sub(1, Ordering::SeqCst);
        };
        let others: Vec<_> = (0..2)
            .map(|_| {
                let (semaphore, inside) = (Arc::clone(&semaphore), Arc::clone(&inside));
                thread::spawn(move || enter(&semaphore, &inside))
            })
            .collect();
        enter(&semaphore, &inside);
        for other in others {
            other.join().unwrap();
        }
        assert_eq!(semaphore.value(), 2);
    });
}

#[test]
fn release_wakes_a_blocked_acquirer() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        let releaser = {
            let semaphore = Arc::clone(&semaphore);
            thread::spawn(move || semaphore.release(NonZeroUsize::MIN))
        };
        // Blocks until the release: a lost wake-up deadlocks the model.
        assert!(semaphore.acquire(None));
        releaser.join().unwrap();
        assert_eq!(semaphore.value(), 0);
    });
}

#[test]
fn release_two_wakes_two_blocked_acquirers() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let semaphore = Arc::clone(&semaphore);
                thread::spawn(move || assert!(semaphore.acquire(None)))
            })
            .collect();
        semaphore.release(NonZeroUsize::new(2).unwrap());
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(semaphore.value(), 0);
    });
}

#[test]
fn bounded_over_release_fails_exactly_once() {
    loom::model(|| {
        let semaphore = Arc::new(BoundedSemaphore::new(1));
        assert!(semaphore.try_acquire());
        let other = {
            let semaphore = Arc::clone(&semaphore);
            thread::spawn(move || semaphore.release(NonZeroUsize::MIN))
        };
        let mine = semaphore.release(NonZeroUsize::MIN);
        let theirs = other.join().unwrap();
        assert!(mine.is_ok() != theirs.is_ok());
        assert_eq!(mine.and(theirs), Err(ReleaseError::TooManyReleases));
        assert_eq!(semaphore.value(), 1);
    });
}

#[test]
fn bounded_release_wakes_a_waiter_while_another_over_releases() {
    loom::model(|| {
        let semaphore = Arc::new(BoundedSemaphore::new(1));
        assert!(semaphore.try_acquire());
        let waiter = {
            let semaphore = Arc::clone(&semaphore);
            thread::spawn(move || {
                assert!(semaphore.acquire(None));
                semaphore.release(NonZeroUsize::MIN).unwrap();
            })
        };
        semaphore.release(NonZeroUsize::MIN).unwrap();
        waiter.join().unwrap();
        assert_eq!(semaphore.value(), 1);
        assert_eq!(
            semaphore.release(NonZeroUsize::MIN),
            Err(ReleaseError::TooManyReleases)
        );
    });
}
