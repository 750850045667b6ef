//! `Semaphore` and `BoundedSemaphore`: Python's `threading.Semaphore` / `BoundedSemaphore` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::num::NonZeroUsize;
use std::panic;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, wait_until, within};
use threadkit::{BoundedSemaphore, ReleaseError, Semaphore, SemaphoreOverflowError, interrupt};

fn n(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

#[test]
fn acquire_release_try_acquire_and_value() {
    let semaphore = Semaphore::new(2);
    assert_eq!(semaphore.value(), 2);
    assert!(semaphore.acquire(None));
    assert!(semaphore.try_acquire());
    assert_eq!(semaphore.value(), 0);
    assert!(!semaphore.try_acquire());
    semaphore.release(n(1));
    assert_eq!(semaphore.value(), 1);
    assert!(semaphore.try_acquire());
    semaphore.release(n(2));
    assert_eq!(semaphore.value(), 2);
    // An unbounded semaphore may grow past its initial value, as in CPython.
    semaphore.release(n(5));
    assert_eq!(semaphore.value(), 7);
    assert_eq!(Semaphore::default().value(), 1);
    assert_eq!(format!("{semaphore:?}"), "Semaphore { value: 7 }");
}

#[test]
fn semaphore_zero_blocks_until_released() {
    within(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        assert!(!semaphore.try_acquire());
        assert!(!semaphore.acquire(Some(Duration::ZERO)));
        assert!(semaphore.try_permit().is_none());
        let remote = Arc::clone(&semaphore);
        let waiter = thread::spawn(move || remote.acquire(None));
        thread::sleep(Duration::from_millis(20));
        assert!(!waiter.is_finished(), "acquired from an empty semaphore");
        semaphore.release(n(1));
        assert!(waiter.join().unwrap());
        assert_eq!(semaphore.value(), 0);
    });
}

#[test]
fn timeout_returns_false_after_at_least_the_timeout() {
    within(|| {
        let semaphore = Semaphore::new(0);
        let bounded = BoundedSemaphore::new(0);
        for timeout in [
            Duration::ZERO,
            Duration::from_millis(1),
            Duration::from_millis(30),
        ] {
            let start = Instant::now();
            assert!(!semaphore.acquire(Some(timeout)));
            assert!(
                start.elapsed() >= timeout,
                "{timeout:?} {:?}",
                start.elapsed()
            );
            let start = Instant::now();
            assert!(!bounded.acquire(Some(timeout)));
            assert!(
                start.elapsed() >= timeout,
                "{timeout:?} {:?}",
                start.elapsed()
            );
        }
        assert!(semaphore.permit_timeout(Duration::from_millis(5)).is_none());
        assert_eq!(semaphore.value(), 0);
        assert_eq!(bounded.value(), 0);
    });
}

#[test]
fn timed_acquire_succeeds_when_released_in_time() {
    within(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        let remote = Arc::clone(&semaphore);
        let waiter = thread::spawn(move || remote.acquire(Some(Duration::from_secs(10))));
        thread::sleep(Duration::from_millis(10));
        semaphore.release(n(1));
        assert!(waiter.join().unwrap());
        assert_eq!(semaphore.value(), 0);
    });
}

#[test]
fn release_n_wakes_exactly_n_of_m_waiters() {
    within(|| {
        const WAITERS: usize = 6;
        let semaphore = Arc::new(Semaphore::new(0));
        let started = Arc::new(AtomicUsize::new(0));
        let through = Arc::new(AtomicUsize::new(0));
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                let (semaphore, started, through) = (
                    Arc::clone(&semaphore),
                    Arc::clone(&started),
                    Arc::clone(&through),
                );
                thread::spawn(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    assert!(semaphore.acquire(None));
                    through.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        wait_until(|| started.load(Ordering::SeqCst) == WAITERS);
        thread::sleep(Duration::from_millis(30));
        assert_eq!(through.load(Ordering::SeqCst), 0);

        semaphore.release(n(2));
        wait_until(|| through.load(Ordering::SeqCst) == 2);
        // The other four stay blocked: nobody got through without a permit.
        thread::sleep(Duration::from_millis(50));
        assert_eq!(through.load(Ordering::SeqCst), 2);
        assert_eq!(semaphore.value(), 0);

        semaphore.release(n(1));
        wait_until(|| through.load(Ordering::SeqCst) == 3);
        thread::sleep(Duration::from_millis(20));
        assert_eq!(through.load(Ordering::SeqCst), 3);

        semaphore.release(n(WAITERS - 3));
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(through.load(Ordering::SeqCst), WAITERS);
        assert_eq!(semaphore.value(), 0);
    });
}

#[test]
fn release_from_another_thread_wakes_a_waiter() {
    within(|| {
        let semaphore = Arc::new(BoundedSemaphore::new(1));
        assert!(semaphore.acquire(None));
        let remote = Arc::clone(&semaphore);
        let waiter = thread::spawn(move || remote.acquire(None));
        thread::sleep(Duration::from_millis(10));
        let releaser = {
            let semaphore = Arc::clone(&semaphore);
            thread::spawn(move || semaphore.release(n(1)))
        };
        releaser.join().unwrap().unwrap();
        assert!(waiter.join().unwrap());
        assert_eq!(semaphore.value(), 0);
    });
}

#[test]
fn permit_guard_gives_back_on_drop() {
    let semaphore = Semaphore::new(1);
    {
        let _permit = semaphore.permit();
        assert_eq!(semaphore.value(), 0);
        assert!(semaphore.try_permit().is_none());
    }
    assert_eq!(semaphore.value(), 1);
    drop(semaphore.permit_timeout(Duration::from_millis(1)).unwrap());
    assert_eq!(semaphore.value(), 1);
    semaphore.try_permit().unwrap().forget();
    assert_eq!(semaphore.value(), 0);

    let bounded = BoundedSemaphore::new(1);
    let permit = bounded.permit();
    assert_eq!(bounded.value(), 0);
    drop(permit);
    assert_eq!(bounded.value(), 1);
    // A permit whose slot was already given back by hand is dropped without over-releasing.
    let permit = bounded.try_permit().unwrap();
    bounded.release(n(1)).unwrap();
    drop(permit);
    assert_eq!(bounded.value(), 1);
}

#[test]
fn bounded_over_release_is_an_error_and_changes_nothing() {
    let semaphore = BoundedSemaphore::new(3);
    assert_eq!(semaphore.initial_value(), 3);
    assert_eq!(semaphore.release(n(1)), Err(ReleaseError::TooManyReleases));
    assert_eq!(semaphore.value(), 3);
    assert!(semaphore.acquire(None));
    assert!(semaphore.acquire(None));
    // One release of two fits; one of three would overshoot and is refused as a whole.
    assert_eq!(semaphore.release(n(3)), Err(ReleaseError::TooManyReleases));
    assert_eq!(semaphore.value(), 1);
    semaphore.release(n(2)).unwrap();
    assert_eq!(semaphore.value(), 3);
    assert_eq!(
        semaphore.release(n(usize::MAX)),
        Err(ReleaseError::TooManyReleases)
    );
    assert_eq!(semaphore.value(), 3);
    assert_eq!(
        ReleaseError::TooManyReleases.to_string(),
        "Semaphore released too many times"
    );

    let empty = BoundedSemaphore::new(0);
    assert_eq!(empty.release(n(1)), Err(ReleaseError::TooManyReleases));
    assert!(!empty.try_acquire());
    assert_eq!(BoundedSemaphore::default().initial_value(), 1);
    assert_eq!(
        format!("{semaphore:?}"),
        "BoundedSemaphore { value: 3, initial_value: 3 }"
    );
}

#[test]
fn release_past_the_maximum_panics_and_changes_nothing() {
    let max = Semaphore::MAX_VALUE;
    assert_eq!(max, usize::MAX / 2);
    assert_eq!(BoundedSemaphore::MAX_VALUE, max);
    let semaphore = Semaphore::new(max - 1);
    semaphore.release(n(1));
    let outcome = panic::catch_unwind(|| semaphore.release(n(1)));
    assert!(outcome.is_err());
    assert_eq!(semaphore.value(), max);
    assert!(panic::catch_unwind(|| Semaphore::new(max + 1)).is_err());
    assert!(panic::catch_unwind(|| BoundedSemaphore::new(max + 1)).is_err());
}

#[test]
fn try_new_and_try_release_fail_past_the_maximum_and_change_nothing() {
    let max = Semaphore::MAX_VALUE;
    assert_eq!(
        Semaphore::try_new(max + 1).unwrap_err(),
        SemaphoreOverflowError::Initial
    );
    assert_eq!(
        BoundedSemaphore::try_new(usize::MAX).unwrap_err(),
        SemaphoreOverflowError::Initial
    );
    assert_eq!(BoundedSemaphore::try_new(max).unwrap().initial_value(), max);

    let semaphore = Semaphore::try_new(max - 2).unwrap();
    assert_eq!(
        semaphore.try_release(n(3)),
        Err(SemaphoreOverflowError::Release)
    );
    assert_eq!(semaphore.value(), max - 2);
    assert_eq!(semaphore.try_release(n(2)), Ok(()));
    assert_eq!(semaphore.value(), max);
    assert_eq!(
        semaphore.try_release(n(usize::MAX)),
        Err(SemaphoreOverflowError::Release)
    );
    assert_eq!(semaphore.value(), max);
    assert_eq!(
        SemaphoreOverflowError::Initial.to_string(),
        "semaphore initial value is too large"
    );
    assert_eq!(
        SemaphoreOverflowError::Release.to_string(),
        "semaphore value is too large"
    );
}

#[test]
fn racing_releases_near_the_maximum_never_overshoot() {
    // The limit is checked in the compare-and-swap that adds the permits: of many threads racing
    // to release one permit each into room for `ROOM`, exactly `ROOM` succeed.
    const ROOM: usize = 3;
    const THREADS: usize = 8;
    within(|| {
        for _ in 0..iterations(200) {
            let semaphore = Semaphore::new(Semaphore::MAX_VALUE - ROOM);
            let start = std::sync::Barrier::new(THREADS);
            let succeeded = thread::scope(|s| {
                let releasers: Vec<_> = (0..THREADS)
                    .map(|_| {
                        s.spawn(|| {
                            start.wait();
                            semaphore.try_release(n(1)).is_ok()
                        })
                    })
                    .collect();
                releasers
                    .into_iter()
                    .map(|releaser| releaser.join().unwrap())
                    .filter(|&ok| ok)
                    .count()
            });
            assert_eq!(succeeded, ROOM);
            assert_eq!(semaphore.value(), Semaphore::MAX_VALUE);
        }
    });
}

#[test]
fn interrupt_check_unwinds_out_of_a_wait_and_leaves_the_value_alone() {
    struct Interrupted;
    fn interrupt_now() {
        panic::resume_unwind(Box::new(Interrupted));
    }
    within(|| {
        let semaphore = Semaphore::new(0);
        let bounded = BoundedSemaphore::new(1);
        assert!(bounded.acquire(None));
        interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
        let start = Instant::now();
        let outcome = panic::catch_unwind(|| semaphore.acquire(None));
        let bounded_outcome = panic::catch_unwind(|| bounded.acquire(None));
        interrupt::set_check(None);
        assert!(outcome.unwrap_err().is::<Interrupted>());
        assert!(bounded_outcome.unwrap_err().is::<Interrupted>());
        assert!(start.elapsed() >= Duration::from_millis(10));
        assert_eq!(semaphore.value(), 0);
        assert_eq!(bounded.value(), 0);
        semaphore.release(n(1));
        assert!(semaphore.acquire(Some(Duration::ZERO)));
        bounded.release(n(1)).unwrap();
        assert_eq!(bounded.release(n(1)), Err(ReleaseError::TooManyReleases));
        assert!(bounded.try_acquire());
    });
}

#[test]
fn release_between_interrupt_slices_is_not_lost() {
    static CHECKS: AtomicUsize = AtomicUsize::new(0);
    fn count() {
        CHECKS.fetch_add(1, Ordering::SeqCst);
    }
    within(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let semaphore = Arc::clone(&semaphore);
                thread::spawn(move || {
                    // A very short slice: waiters are often between slices when released.
                    interrupt::set_check(Some((count, Duration::from_micros(200))));
                    let acquired = semaphore.acquire(Some(Duration::from_secs(10)));
                    interrupt::set_check(None);
                    acquired
                })
            })
            .collect();
        wait_until(|| CHECKS.load(Ordering::SeqCst) >= 9);
        semaphore.release(n(3));
        for waiter in waiters {
            assert!(waiter.join().unwrap());
        }
        assert_eq!(semaphore.value(), 0);
    });
}

/// Eight threads share `PERMITS` permits of each kind of semaphore with a mix of untimed, timed
/// and non-blocking acquires; never more than `PERMITS` hold one at once, and every permit comes
/// back.
#[test]
fn stress_holders_never_exceed_the_value() {
    within(|| {
        const THREADS: usize = 8;
        const PERMITS: usize = 3;
        let per_thread = iterations(40_000);
        let semaphore = Arc::new(Semaphore::new(PERMITS));
        let bounded = Arc::new(BoundedSemaphore::new(PERMITS));
        let inside = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let taken = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..THREADS)
            .map(|i| {
                let (semaphore, bounded, inside, taken) = (
                    Arc::clone(&semaphore),
                    Arc::clone(&bounded),
                    Arc::clone(&inside),
                    Arc::clone(&taken),
                );
                thread::spawn(move || {
                    for k in 0..per_thread {
                        let which = (i + k) % 2;
                        let acquire = |timeout| {
                            if which == 0 {
                                semaphore.acquire(timeout)
                            } else {
                                bounded.acquire(timeout)
                            }
                        };
                        let acquired = match (i * 7 + k * 13) % 11 {
                            0 if which == 0 => semaphore.try_acquire(),
                            0 => bounded.try_acquire(),
                            1..=3 => acquire(Some(Duration::from_micros(((k % 5) * 20) as u64))),
                            _ => acquire(None),
                        };
                        if !acquired {
                            continue;
                        }
                        taken.fetch_add(1, Ordering::Relaxed);
                        let holders = inside[which].fetch_add(1, Ordering::SeqCst) + 1;
                        assert!(holders <= PERMITS, "{holders} holders of {PERMITS} permits");
                        if k % 64 == 0 {
                            thread::yield_now();
                        }
                        inside[which].fetch_sub(1, Ordering::SeqCst);
                        if which == 0 {
                            semaphore.release(NonZeroUsize::MIN);
                        } else {
                            bounded.release(NonZeroUsize::MIN).unwrap();
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(semaphore.value(), PERMITS);
        assert_eq!(bounded.value(), PERMITS);
        assert!(taken.load(Ordering::Relaxed) > 0);
    });
}

#[test]
fn stress_batched_releases_reach_every_waiter() {
    within(|| {
        const CONSUMERS: usize = 8;
        let per_consumer = iterations(20_000);
        let semaphore = Arc::new(Semaphore::new(0));
        let consumed = Arc::new(AtomicUsize::new(0));
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|_| {
                let (semaphore, consumed) = (Arc::clone(&semaphore), Arc::clone(&consumed));
                thread::spawn(move || {
                    for _ in 0..per_consumer {
                        assert!(semaphore.acquire(None));
                        consumed.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        // Two producers hand out exactly as many permits as the consumers take, in batches of
        // one to five: a lost wake-up leaves a consumer blocked and the test times out.
        let total = CONSUMERS * per_consumer;
        let producers: Vec<_> = (0..2)
            .map(|p| {
                let semaphore = Arc::clone(&semaphore);
                thread::spawn(move || {
                    let mut left = total / 2 + if p == 0 { total % 2 } else { 0 };
                    let mut batch = p;
                    while left > 0 {
                        batch = batch % 5 + 1;
                        let this = batch.min(left);
                        semaphore.release(n(this));
                        left -= this;
                    }
                })
            })
            .collect();
        for thread in producers.into_iter().chain(consumers) {
            thread.join().unwrap();
        }
        assert_eq!(consumed.load(Ordering::Relaxed), total);
        assert_eq!(semaphore.value(), 0);
    });
}
