//! Loom model of `Condition`: no lost wake-up between a waiter and a notifier, over an `RLock`
//! and over a plain `Lock`; two waiters sharing two notifications; `notify(1)` choosing exactly
//! one of two waiters; and a timeout racing a notify.
#![cfg(threadkit_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::thread;
use threadkit::{Condition, ConditionLock, Lock};

/// One thread sets a flag and notifies; the other waits for the flag. A lost wake-up deadlocks
/// the model, a spurious one fails the assertion on `wait`'s result.
fn no_lost_wake_up<L: ConditionLock + Send + Sync + 'static>(cond: Condition<L>) {
    let pair = Arc::new((cond, AtomicBool::new(false)));
    let notifier = {
        let pair = Arc::clone(&pair);
        thread::spawn(move || {
            let (cond, ready) = &*pair;
            let _held = cond.lock();
            ready.store(true, Ordering::Relaxed);
            cond.notify(1).unwrap();
        })
    };
    let (cond, ready) = &*pair;
    {
        let _held = cond.lock();
        if !ready.load(Ordering::Relaxed) {
            // Only a notify can end this untimed wait, and it returns true.
            assert!(cond.wait(None).unwrap());
            assert!(ready.load(Ordering::Relaxed));
        }
        assert!(cond.is_owned());
        assert_eq!(cond.waiter_count(), 0);
    }
    notifier.join().unwrap();
}

#[test]
fn wait_notify_over_an_rlock() {
    loom::model(|| no_lost_wake_up(Condition::new()));
}

#[test]
fn wait_notify_over_a_plain_lock() {
    loom::model(|| no_lost_wake_up(Condition::with_lock(Lock::new())));
}

#[test]
fn wait_for_sees_the_predicate() {
    loom::model(|| {
        let pair = Arc::new((Condition::new(), AtomicBool::new(false)));
        let notifier = {
            let pair = Arc::clone(&pair);
            thread::spawn(move || {
                let (cond, ready) = &*pair;
                cond.acquire(None);
                ready.store(true, Ordering::Relaxed);
                cond.notify_all().unwrap();
                cond.release().unwrap();
            })
        };
        let (cond, ready) = &*pair;
        cond.acquire(None);
        cond.acquire(None);
        assert!(
            cond.wait_for(|| ready.load(Ordering::Relaxed), None)
                .unwrap()
        );
        assert_eq!(cond.underlying().recursion_count(), 2);
        cond.release().unwrap();
        cond.release().unwrap();
        notifier.join().unwrap();
    });
}

#[test]
fn two_waiters_each_get_one_of_two_notifications() {
    loom::model(|| {
        let pair = Arc::new((Condition::with_lock(Lock::new()), AtomicUsize::new(0)));
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let pair = Arc::clone(&pair);
                thread::spawn(move || {
                    let (cond, tokens) = &*pair;
                    let _held = cond.lock();
                    while tokens.load(Ordering::Relaxed) == 0 {
                        assert!(cond.wait(None).unwrap());
                    }
                    tokens.fetch_sub(1, Ordering::Relaxed);
                })
            })
            .collect();
        let (cond, tokens) = &*pair;
        for _ in 0..2 {
            let _held = cond.lock();
            tokens.fetch_add(1, Ordering::Relaxed);
            cond.notify(1).unwrap();
        }
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(tokens.load(Ordering::Relaxed), 0);
        assert_eq!(cond.waiter_count(), 0);
    });
}

/// `notify(1)` with two threads waiting chooses exactly one: the other stays waiting (a wait that
/// returned without being chosen would count a second wake-up) until the second `notify(1)`.
#[test]
fn notify_one_of_two_wakes_exactly_one() {
    loom::model(|| {
        let pair = Arc::new((Condition::with_lock(Lock::new()), AtomicUsize::new(0)));
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let pair = Arc::clone(&pair);
                thread::spawn(move || {
                    let (cond, woken) = &*pair;
                    let _held = cond.lock();
                    // Untimed and not in a loop: only a notify ends it, and it returns true.
                    assert!(cond.wait(None).unwrap());
                    woken.fetch_add(1, Ordering::Relaxed);
                })
            })
            .collect();
        let (cond, woken) = &*pair;
        let held = loop {
            let held = cond.lock();
            if cond.waiter_count() == 2 {
                break held;
            }
            drop(held);
            thread::yield_now();
        };
        cond.notify(1).unwrap();
        assert_eq!(cond.waiter_count(), 1);
        drop(held);
        loop {
            let _held = cond.lock();
            let count = woken.load(Ordering::Relaxed);
            assert!(count <= 1, "notify(1) woke {count} threads");
            if count == 1 {
                assert_eq!(cond.waiter_count(), 1);
                cond.notify(1).unwrap();
                break;
            }
            drop(_held);
            thread::yield_now();
        }
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(woken.load(Ordering::Relaxed), 2);
        assert_eq!(cond.waiter_count(), 0);
    });
}

/// A wait whose timeout passes at once (zero: loom has no clock, but a zero timeout has expired
/// at the first look) races a `notify(1)`, beside an untimed waiter. Either the timed waiter is
/// chosen — its wait returns true, and it passes the notification on — or it leaves first and
/// the notification goes to the untimed waiter: never lost, never spent on a waiter that left,
/// and a `true` only after the notify.
#[test]
fn a_timeout_racing_a_notify_neither_loses_nor_duplicates_it() {
    loom::model(|| {
        let state = Arc::new((Condition::new(), AtomicBool::new(false)));
        let timed = {
            let state = Arc::clone(&state);
            thread::spawn(move || {
                let (cond, ready) = &*state;
                let _held = cond.lock();
                if cond.wait(Some(std::time::Duration::ZERO)).unwrap() {
                    assert!(ready.load(Ordering::Relaxed), "a wake-up before the notify");
                    cond.notify(1).unwrap();
                }
                assert!(cond.is_owned());
            })
        };
        let untimed = {
            let state = Arc::clone(&state);
            thread::spawn(move || {
                let (cond, ready) = &*state;
                let _held = cond.lock();
                while !ready.load(Ordering::Relaxed) {
                    assert!(cond.wait(None).unwrap());
                }
            })
        };
        let (cond, ready) = &*state;
        {
            let _held = cond.lock();
            ready.store(true, Ordering::Relaxed);
            cond.notify(1).unwrap();
        }
        timed.join().unwrap();
        untimed.join().unwrap();
        assert_eq!(cond.waiter_count(), 0);
    });
}
