//! `Lock`: Python's `threading.Lock` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::panic;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, wait_until, within};
use threadkit::{Lock, ReleaseError, interrupt};

#[test]
fn acquire_release_and_locked() {
    let lock = Lock::new();
    assert!(!lock.locked());
    assert!(lock.acquire(None));
    assert!(lock.locked());
    assert!(!lock.try_acquire());
    lock.release().unwrap();
    assert!(!lock.locked());
    assert!(lock.try_acquire());
    lock.release().unwrap();
}

#[test]
fn release_unlocked_is_an_error() {
    let lock = Lock::new();
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    lock.acquire(None);
    lock.release().unwrap();
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    assert_eq!(ReleaseError::Unlocked.to_string(), "release unlocked lock");
}

#[test]
fn another_thread_may_release() {
    within(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire(None);
        let remote = Arc::clone(&lock);
        thread::spawn(move || remote.release())
            .join()
            .unwrap()
            .unwrap();
        assert!(!lock.locked());
    });
}

#[test]
fn blocked_acquire_wakes_on_release_from_another_thread() {
    within(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire(None);
        let acquired = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (lock, acquired) = (Arc::clone(&lock), Arc::clone(&acquired));
            thread::spawn(move || {
                assert!(lock.acquire(None));
                acquired.store(true, Ordering::SeqCst);
            })
        };
        thread::sleep(Duration::from_millis(20));
        assert!(!acquired.load(Ordering::SeqCst), "acquired a held lock");
        lock.release().unwrap();
        waiter.join().unwrap();
        assert!(acquired.load(Ordering::SeqCst));
        // The waiter acquired and never released: the lock stays held, by nobody in particular.
        assert!(lock.locked());
    });
}

#[test]
fn timeout_returns_false_after_at_least_the_timeout() {
    within(|| {
        let lock = Lock::new();
        lock.acquire(None);
        for timeout in [
            Duration::ZERO,
            Duration::from_millis(1),
            Duration::from_millis(30),
        ] {
            let start = Instant::now();
            assert!(!lock.acquire(Some(timeout)));
            assert!(
                start.elapsed() >= timeout,
                "{timeout:?} {:?}",
                start.elapsed()
            );
        }
        assert!(lock.lock_timeout(Duration::from_millis(5)).is_none());
        assert!(lock.locked());
    });
}

#[test]
fn huge_timeout_waits_like_forever() {
    within(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire(None);
        let remote = Arc::clone(&lock);
        let waiter = thread::spawn(move || remote.acquire(Some(Duration::MAX)));
        thread::sleep(Duration::from_millis(10));
        lock.release().unwrap();
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn guard_releases_on_drop() {
    let lock = Lock::new();
    {
        let guard = lock.lock();
        assert!(guard.lock().locked());
        assert!(lock.try_lock().is_none());
    }
    assert!(!lock.locked());
    drop(lock.try_lock().expect("unlocked"));
    assert!(!lock.locked());
}

#[test]
fn concurrent_double_release_succeeds_exactly_once() {
    within(|| {
        for _ in 0..iterations(2_000) {
            let lock = Arc::new(Lock::new());
            lock.acquire(None);
            let releasers: Vec<_> = (0..2)
                .map(|_| {
                    let lock = Arc::clone(&lock);
                    thread::spawn(move || lock.release().is_ok())
                })
                .collect();
            let ok = releasers
                .into_iter()
                .filter(|_| true)
                .map(|t| t.join().unwrap());
            assert_eq!(ok.filter(|&released| released).count(), 1);
            assert!(!lock.locked());
        }
    });
}

#[test]
fn interrupt_check_unwinds_out_of_a_wait_and_leaves_the_lock_alone() {
    struct Interrupted;
    fn interrupt_now() {
        panic::resume_unwind(Box::new(Interrupted));
    }
    within(|| {
        let lock = Lock::new();
        lock.acquire(None);
        interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
        let start = Instant::now();
        let outcome = panic::catch_unwind(|| lock.acquire(None));
        interrupt::set_check(None);
        assert!(outcome.unwrap_err().is::<Interrupted>());
        assert!(start.elapsed() >= Duration::from_millis(5));
        assert!(lock.locked());
        lock.release().unwrap();
        assert!(lock.acquire(Some(Duration::ZERO)));
    });
}

#[test]
fn interrupt_check_that_returns_lets_the_wait_continue() {
    static CHECKS: AtomicUsize = AtomicUsize::new(0);
    fn count() {
        CHECKS.fetch_add(1, Ordering::SeqCst);
    }
    within(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire(None);
        let remote = Arc::clone(&lock);
        let waiter = thread::spawn(move || {
            interrupt::set_check(Some((count, Duration::from_millis(2))));
            let acquired = remote.acquire(Some(Duration::from_secs(10)));
            interrupt::set_check(None);
            acquired
        });
        wait_until(|| CHECKS.load(Ordering::SeqCst) >= 3);
        lock.release().unwrap();
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn stress_mutual_exclusion_with_eight_threads() {
    within(|| {
        const THREADS: usize = 8;
        let per_thread = iterations(100_000);
        let lock = Arc::new(Lock::new());
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
                            continue;
                        }
                        assert_eq!(inside.fetch_add(1, Ordering::Relaxed), 0, "two holders");
                        let value = total.load(Ordering::Relaxed);
                        total.store(value + 1, Ordering::Relaxed);
                        inside.fetch_sub(1, Ordering::Relaxed);
                        lock.release().unwrap();
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
