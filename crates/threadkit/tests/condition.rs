//! `Condition`: Python's `threading.Condition` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::panic;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, wait_until, within};
use threadkit::{Condition, ConditionLock, Lock, NotOwnedError, RLock, interrupt};

/// Starts a thread that waits (forever) on `cond` and then records `id` in `woken`; returns once
/// the thread is in the waiter list.
fn spawn_waiter<L: ConditionLock + Send + Sync + 'static>(
    cond: &Arc<Condition<L>>,
    woken: &Arc<Mutex<Vec<usize>>>,
    id: usize,
) -> thread::JoinHandle<()> {
    let before = cond.waiter_count();
    let (cond2, woken) = (Arc::clone(cond), Arc::clone(woken));
    let handle = thread::spawn(move || {
        let _held = cond2.lock();
        assert_eq!(cond2.wait(None), Ok(true));
        woken.lock().unwrap().push(id);
    });
    wait_until(|| cond.waiter_count() == before + 1);
    handle
}

#[test]
fn wait_and_notify_without_the_lock_are_errors() {
    let cond = Condition::new();
    assert_eq!(cond.wait(None), Err(NotOwnedError::Wait));
    assert_eq!(cond.wait(Some(Duration::ZERO)), Err(NotOwnedError::Wait));
    assert_eq!(cond.notify(1), Err(NotOwnedError::Notify));
    assert_eq!(cond.notify_all(), Err(NotOwnedError::Notify));
    assert_eq!(cond.wait_for(|| false, None), Err(NotOwnedError::Wait));
    // CPython evaluates the predicate first: a true predicate needs no lock.
    assert_eq!(cond.wait_for(|| true, None), Ok(true));
    assert_eq!(
        NotOwnedError::Wait.to_string(),
        "cannot wait on un-acquired lock"
    );
    assert_eq!(
        NotOwnedError::Notify.to_string(),
        "cannot notify on un-acquired lock"
    );
    let plain = Condition::with_lock(Lock::new());
    assert_eq!(plain.wait(None), Err(NotOwnedError::Wait));
    assert_eq!(plain.notify(1), Err(NotOwnedError::Notify));
}

#[test]
fn another_threads_rlock_does_not_count_as_held() {
    within(|| {
        let cond = Arc::new(Condition::new());
        let _held = cond.lock();
        let remote = Arc::clone(&cond);
        thread::spawn(move || {
            assert!(!remote.is_owned());
            assert_eq!(remote.wait(Some(Duration::ZERO)), Err(NotOwnedError::Wait));
            assert_eq!(remote.notify(1), Err(NotOwnedError::Notify));
        })
        .join()
        .unwrap();
    });
}

#[test]
fn wait_times_out_after_at_least_the_timeout_holding_the_lock() {
    within(|| {
        let cond = Condition::new();
        let _held = cond.lock();
        for timeout in [
            Duration::ZERO,
            Duration::from_millis(1),
            Duration::from_millis(30),
        ] {
            let start = Instant::now();
            assert_eq!(cond.wait(Some(timeout)), Ok(false));
            assert!(start.elapsed() >= timeout);
            assert!(cond.is_owned());
            assert_eq!(cond.waiter_count(), 0);
        }
        // Nobody waits: notifying is a no-op.
        cond.notify(3).unwrap();
        cond.notify_all().unwrap();
    });
}

#[test]
fn waiters_wake_in_fifo_order_one_notify_at_a_time() {
    within(|| {
        let cond = Arc::new(Condition::new());
        let woken = Arc::new(Mutex::new(Vec::new()));
        let waiters: Vec<_> = (0..5).map(|id| spawn_waiter(&cond, &woken, id)).collect();
        for expected in 0..5 {
            {
                let _held = cond.lock();
                cond.notify(1).unwrap();
            }
            wait_until(|| woken.lock().unwrap().len() == expected + 1);
        }
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(*woken.lock().unwrap(), vec![0, 1, 2, 3, 4]);
    });
}

#[test]
fn notify_n_wakes_exactly_n_and_notify_all_the_rest() {
    within(|| {
        let cond = Arc::new(Condition::with_lock(Lock::new()));
        let woken = Arc::new(Mutex::new(Vec::new()));
        let waiters: Vec<_> = (0..5).map(|id| spawn_waiter(&cond, &woken, id)).collect();
        {
            let _held = cond.lock();
            cond.notify(2).unwrap();
            assert_eq!(cond.waiter_count(), 3);
        }
        wait_until(|| woken.lock().unwrap().len() == 2);
        thread::sleep(Duration::from_millis(30));
        assert_eq!(woken.lock().unwrap().len(), 2, "notify(2) woke more than 2");
        assert_eq!(cond.waiter_count(), 3);
        {
            let _held = cond.lock();
            cond.notify_all().unwrap();
            assert_eq!(cond.waiter_count(), 0);
        }
        for waiter in waiters {
            waiter.join().unwrap();
        }
        // The first two notified were the first two waiting (they may record in either order).
        let mut woken = woken.lock().unwrap().clone();
        let mut first = woken[..2].to_vec();
        first.sort_unstable();
        assert_eq!(first, [0, 1]);
        woken.sort_unstable();
        assert_eq!(woken, vec![0, 1, 2, 3, 4]);
    });
}

#[test]
fn no_spurious_wake_ups_while_the_lock_churns() {
    within(|| {
        let cond = Arc::new(Condition::new());
        let stop = Arc::new(AtomicBool::new(false));
        let churn = {
            let (cond, stop) = (Arc::clone(&cond), Arc::clone(&stop));
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let _held = cond.lock();
                    thread::yield_now();
                }
            })
        };
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                let cond = Arc::clone(&cond);
                thread::spawn(move || {
                    for _ in 0..5 {
                        let _held = cond.lock();
                        assert_eq!(cond.wait(Some(Duration::from_millis(10))), Ok(false));
                    }
                })
            })
            .collect();
        for waiter in waiters {
            waiter.join().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        churn.join().unwrap();
        assert_eq!(cond.waiter_count(), 0);
    });
}

#[test]
fn a_timed_out_waiter_does_not_consume_a_notification() {
    within(|| {
        let cond = Arc::new(Condition::new());
        let woken = Arc::new(Mutex::new(Vec::new()));
        // First in line, but gives up before anyone notifies.
        let quitter = {
            let cond = Arc::clone(&cond);
            thread::spawn(move || {
                let _held = cond.lock();
                cond.wait(Some(Duration::from_millis(10))).unwrap()
            })
        };
        wait_until(|| cond.waiter_count() == 1);
        let patient = spawn_waiter(&cond, &woken, 1);
        assert!(!quitter.join().unwrap());
        assert_eq!(cond.waiter_count(), 1);
        {
            let _held = cond.lock();
            cond.notify(1).unwrap();
        }
        patient.join().unwrap();
        assert_eq!(*woken.lock().unwrap(), vec![1]);
    });
}

#[test]
fn stress_timeouts_racing_notify_never_lose_a_notification() {
    within(|| {
        let cond = Arc::new(Condition::new());
        for round in 0..iterations(500) {
            let racer = {
                let cond = Arc::clone(&cond);
                thread::spawn(move || {
                    let _held = cond.lock();
                    cond.wait(Some(Duration::from_micros(200))).unwrap()
                })
            };
            wait_until(|| cond.waiter_count() == 1 || racer.is_finished());
            let patient = {
                let cond = Arc::clone(&cond);
                thread::spawn(move || {
                    let _held = cond.lock();
                    cond.wait(None).unwrap()
                })
            };
            // Both in line, or the racer gone and the patient one in line: then notify.
            wait_until(|| {
                let count = cond.waiter_count();
                count == 2 || (racer.is_finished() && count == 1)
            });
            if round % 2 == 0 {
                thread::sleep(Duration::from_micros(150));
            }
            {
                let _held = cond.lock();
                cond.notify(1).unwrap();
            }
            if racer.join().unwrap() {
                // The racer took the notification: the patient one still waits for its own.
                wait_until(|| cond.waiter_count() == 1);
                let _held = cond.lock();
                cond.notify(1).unwrap();
            }
            assert!(patient.join().unwrap());
            assert_eq!(cond.waiter_count(), 0);
        }
    });
}

#[test]
fn wait_for_returns_the_predicate_and_measures_the_timeout_across_rewaits() {
    within(|| {
        let cond = Arc::new(Condition::new());
        let ready = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        // Keeps notifying without ever making the predicate true.
        let nagger = {
            let (cond, stop) = (Arc::clone(&cond), Arc::clone(&stop));
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    {
                        let _held = cond.lock();
                        cond.notify_all().unwrap();
                    }
                    thread::sleep(Duration::from_millis(2));
                }
            })
        };
        let calls = AtomicUsize::new(0);
        let start = Instant::now();
        {
            let _held = cond.lock();
            let result = cond.wait_for(
                || {
                    calls.fetch_add(1, Ordering::Relaxed);
                    false
                },
                Some(Duration::from_millis(60)),
            );
            assert_eq!(result, Ok(false));
            assert!(cond.is_owned());
        }
        assert!(start.elapsed() >= Duration::from_millis(60));
        assert!(calls.load(Ordering::Relaxed) >= 2, "never re-waited");
        stop.store(true, Ordering::Relaxed);
        nagger.join().unwrap();

        let setter = {
            let (cond, ready) = (Arc::clone(&cond), Arc::clone(&ready));
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(10));
                let _held = cond.lock();
                ready.store(true, Ordering::Relaxed);
                cond.notify_all().unwrap();
            })
        };
        let _held = cond.lock();
        let result = cond.wait_for(
            || ready.load(Ordering::Relaxed),
            Some(Duration::from_secs(10)),
        );
        assert_eq!(result, Ok(true));
        drop(_held);
        setter.join().unwrap();
    });
}

#[test]
fn wait_for_with_zero_timeout_checks_twice() {
    let cond = Condition::new();
    let _held = cond.lock();
    let calls = AtomicUsize::new(0);
    let result = cond.wait_for(
        || calls.fetch_add(1, Ordering::Relaxed) > 5,
        Some(Duration::ZERO),
    );
    assert_eq!(result, Ok(false));
    assert_eq!(calls.load(Ordering::Relaxed), 2);
}

#[test]
fn rlock_recursion_level_is_restored_after_wait() {
    within(|| {
        let cond = Arc::new(Condition::new());
        let held_during_wait = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (cond, held) = (Arc::clone(&cond), Arc::clone(&held_during_wait));
            thread::spawn(move || {
                for _ in 0..3 {
                    cond.acquire(None);
                }
                assert!(cond.wait(None).unwrap());
                assert!(held.load(Ordering::Relaxed));
                assert_eq!(cond.underlying().recursion_count(), 3);
                for _ in 0..3 {
                    cond.release().unwrap();
                }
                assert!(!cond.underlying().locked());
            })
        };
        wait_until(|| cond.waiter_count() == 1);
        // The waiter released all three levels: this thread can take the lock.
        let _held = cond.lock();
        assert_eq!(cond.underlying().recursion_count(), 1);
        held_during_wait.store(true, Ordering::Relaxed);
        cond.notify(1).unwrap();
        drop(_held);
        waiter.join().unwrap();
    });
}

#[test]
fn condition_over_a_plain_lock_and_shared_locks() {
    within(|| {
        let lock = Arc::new(Lock::new());
        let cond = Arc::new(Condition::with_lock(Arc::clone(&lock)));
        assert!(!cond.is_owned());
        let waiter = {
            let cond = Arc::clone(&cond);
            thread::spawn(move || {
                assert!(cond.acquire(None));
                let notified = cond.wait(None).unwrap();
                assert!(cond.underlying().locked());
                cond.release().unwrap();
                notified
            })
        };
        wait_until(|| cond.waiter_count() == 1);
        // The lock is free while the waiter waits; holding it through the shared handle counts.
        assert!(lock.acquire(None));
        assert!(cond.is_owned());
        cond.notify(1).unwrap();
        lock.release().unwrap();
        assert!(waiter.join().unwrap());
        assert!(!lock.locked());

        let rlock = RLock::new();
        let borrowed = Condition::with_lock(&rlock);
        assert!(borrowed.try_acquire());
        assert_eq!(borrowed.wait(Some(Duration::ZERO)), Ok(false));
        assert_eq!(rlock.recursion_count(), 1);
        borrowed.release().unwrap();
    });
}

struct Interrupted;

fn interrupt_now() {
    panic::resume_unwind(Box::new(Interrupted));
}

#[test]
fn interrupt_unwinding_out_of_wait_reacquires_the_lock() {
    within(|| {
        let cond = Arc::new(Condition::new());
        let woken = Arc::new(Mutex::new(Vec::new()));
        let interrupted = {
            let cond = Arc::clone(&cond);
            thread::spawn(move || {
                cond.acquire(None);
                cond.acquire(None);
                interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
                let outcome = panic::catch_unwind(|| cond.wait(None));
                interrupt::set_check(None);
                assert!(outcome.unwrap_err().is::<Interrupted>());
                // Back at two levels, and no longer a waiter.
                assert_eq!(cond.underlying().recursion_count(), 2);
                assert_eq!(cond.waiter_count(), 0);
                cond.release().unwrap();
                cond.release().unwrap();
            })
        };
        interrupted.join().unwrap();
        // The interrupted wait left nothing behind that could swallow a notification.
        let patient = spawn_waiter(&cond, &woken, 7);
        {
            let _held = cond.lock();
            cond.notify(1).unwrap();
        }
        patient.join().unwrap();
        assert_eq!(*woken.lock().unwrap(), vec![7]);
    });
}

#[test]
fn interrupt_while_another_thread_holds_the_lock_waits_for_it() {
    within(|| {
        let cond = Arc::new(Condition::with_lock(Lock::new()));
        let waiter = {
            let cond = Arc::clone(&cond);
            thread::spawn(move || {
                let _held = cond.lock();
                interrupt::set_check(Some((interrupt_now, Duration::from_millis(20))));
                let outcome = panic::catch_unwind(|| cond.wait(None));
                interrupt::set_check(None);
                assert!(outcome.unwrap_err().is::<Interrupted>());
                assert!(cond.underlying().locked());
            })
        };
        wait_until(|| cond.waiter_count() == 1);
        // Hold the lock across the interrupt: the unwinding waiter must wait for it.
        let held = cond.lock();
        thread::sleep(Duration::from_millis(50));
        drop(held);
        waiter.join().unwrap();
        assert!(!cond.underlying().locked());
    });
}

#[test]
fn interrupt_check_that_returns_does_not_lose_a_notification() {
    static CHECKS: AtomicUsize = AtomicUsize::new(0);
    fn count() {
        CHECKS.fetch_add(1, Ordering::SeqCst);
    }
    within(|| {
        let cond = Arc::new(Condition::new());
        let waiter = {
            let cond = Arc::clone(&cond);
            thread::spawn(move || {
                interrupt::set_check(Some((count, Duration::from_millis(1))));
                let _held = cond.lock();
                let notified = cond.wait(Some(Duration::from_secs(10))).unwrap();
                interrupt::set_check(None);
                notified
            })
        };
        wait_until(|| CHECKS.load(Ordering::SeqCst) >= 3);
        {
            let _held = cond.lock();
            cond.notify(1).unwrap();
        }
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn stress_producers_and_consumers_with_eight_threads() {
    within(|| {
        const PRODUCERS: usize = 4;
        const CONSUMERS: usize = 4;
        let per_producer = iterations(20_000);
        let cond = Arc::new(Condition::new());
        let items = Arc::new(AtomicUsize::new(0));
        let consumed = Arc::new(AtomicUsize::new(0));
        let total = PRODUCERS * per_producer;
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|i| {
                let (cond, items, consumed) =
                    (Arc::clone(&cond), Arc::clone(&items), Arc::clone(&consumed));
                thread::spawn(move || {
                    let _held = cond.lock();
                    loop {
                        let timeout = (i % 2 == 0).then(|| Duration::from_micros(100));
                        let available = cond
                            .wait_for(
                                || {
                                    items.load(Ordering::Relaxed) > 0
                                        || consumed.load(Ordering::Relaxed) == total
                                },
                                timeout,
                            )
                            .unwrap();
                        if consumed.load(Ordering::Relaxed) == total {
                            // Wake the other consumers so that they see the end too.
                            cond.notify_all().unwrap();
                            return;
                        }
                        if available {
                            items.fetch_sub(1, Ordering::Relaxed);
                            consumed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|_| {
                let (cond, items) = (Arc::clone(&cond), Arc::clone(&items));
                thread::spawn(move || {
                    for n in 0..per_producer {
                        let _held = cond.lock();
                        items.fetch_add(1, Ordering::Relaxed);
                        if n % 5 == 0 {
                            cond.notify_all().unwrap();
                        } else {
                            cond.notify(1).unwrap();
                        }
                    }
                })
            })
            .collect();
        for producer in producers {
            producer.join().unwrap();
        }
        for consumer in consumers {
            consumer.join().unwrap();
        }
        assert_eq!(consumed.load(Ordering::Relaxed), total);
        assert_eq!(items.load(Ordering::Relaxed), 0);
        assert_eq!(cond.waiter_count(), 0);
    });
}
