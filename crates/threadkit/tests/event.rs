//! `Event`: Python's `threading.Event` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::panic;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, wait_until, within};
use threadkit::{Event, interrupt};

#[test]
fn set_clear_and_is_set() {
    let event = Event::new();
    assert!(!event.is_set());
    event.set();
    assert!(event.is_set());
    event.set();
    assert!(event.is_set());
    event.clear();
    assert!(!event.is_set());
    event.clear();
    assert!(!event.is_set());
    assert!(!Event::default().is_set());
    assert_eq!(format!("{event:?}"), "Event { set: false }");
    event.set();
    assert_eq!(format!("{event:?}"), "Event { set: true }");
}

#[test]
fn wait_on_a_set_event_returns_at_once() {
    within(|| {
        let event = Event::new();
        event.set();
        assert!(event.wait(None));
        assert!(event.wait(Some(Duration::ZERO)));
        assert!(event.is_set());
    });
}

#[test]
fn wait_timeout_returns_false_after_at_least_the_timeout() {
    within(|| {
        let event = Event::new();
        for timeout in [
            Duration::ZERO,
            Duration::from_millis(1),
            Duration::from_millis(30),
        ] {
            let start = Instant::now();
            assert!(!event.wait(Some(timeout)));
            assert!(
                start.elapsed() >= timeout,
                "{timeout:?} {:?}",
                start.elapsed()
            );
        }
        assert!(!event.is_set());
    });
}

#[test]
fn set_from_another_thread_wakes_a_waiter() {
    within(|| {
        let event = Arc::new(Event::new());
        let remote = Arc::clone(&event);
        let waiter = thread::spawn(move || remote.wait(Some(Duration::from_secs(10))));
        thread::sleep(Duration::from_millis(20));
        assert!(!waiter.is_finished(), "returned before set()");
        event.set();
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn one_set_releases_many_waiters() {
    within(|| {
        const WAITERS: usize = 8;
        let event = Arc::new(Event::new());
        let started = Arc::new(AtomicUsize::new(0));
        let waiters: Vec<_> = (0..WAITERS)
            .map(|i| {
                let (event, started) = (Arc::clone(&event), Arc::clone(&started));
                thread::spawn(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    let timeout = (i % 2 == 0).then_some(Duration::from_secs(10));
                    event.wait(timeout)
                })
            })
            .collect();
        wait_until(|| started.load(Ordering::SeqCst) == WAITERS);
        thread::sleep(Duration::from_millis(30));
        event.set();
        for waiter in waiters {
            assert!(waiter.join().unwrap());
        }
    });
}

#[test]
fn wait_returns_true_after_a_set_followed_by_clear() {
    within(|| {
        for round in 0..20 {
            let event = Arc::new(Event::new());
            let started = Arc::new(AtomicBool::new(false));
            let waiter = {
                let (event, started) = (Arc::clone(&event), Arc::clone(&started));
                thread::spawn(move || {
                    started.store(true, Ordering::SeqCst);
                    event.wait(None)
                })
            };
            wait_until(|| started.load(Ordering::SeqCst));
            // Sometimes the waiter is parked by now, sometimes still spinning.
            if round % 2 == 0 {
                thread::sleep(Duration::from_millis(5));
            }
            event.set();
            event.clear();
            assert!(waiter.join().unwrap(), "round {round}");
            assert!(!event.is_set());
        }
    });
}

#[test]
fn set_while_the_waiter_is_between_interrupt_slices_is_not_lost() {
    // How many waiters have run their interrupt check at least once. A check only runs inside
    // `wait`, after the waiter has read the event's generation, so once all three have checked,
    // a `set()` must reach every one of them.
    static WAITING: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static CHECKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    fn count() {
        if !CHECKED.with(|checked| checked.replace(true)) {
            WAITING.fetch_add(1, Ordering::SeqCst);
        }
    }
    within(|| {
        let event = Arc::new(Event::new());
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let event = Arc::clone(&event);
                thread::spawn(move || {
                    // A very short slice: the waiters are often between slices when set.
                    interrupt::set_check(Some((count, Duration::from_micros(200))));
                    let signalled = event.wait(None);
                    interrupt::set_check(None);
                    signalled
                })
            })
            .collect();
        wait_until(|| WAITING.load(Ordering::SeqCst) == 3);
        event.set();
        event.clear();
        for waiter in waiters {
            assert!(waiter.join().unwrap());
        }
    });
}

#[test]
fn interrupt_check_unwinds_out_of_a_wait_and_leaves_the_event_usable() {
    struct Interrupted;
    fn interrupt_now() {
        panic::resume_unwind(Box::new(Interrupted));
    }
    within(|| {
        let event = Arc::new(Event::new());
        interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
        let start = Instant::now();
        let outcome = panic::catch_unwind(|| event.wait(None));
        interrupt::set_check(None);
        assert!(outcome.unwrap_err().is::<Interrupted>());
        assert!(start.elapsed() >= Duration::from_millis(5));
        assert!(!event.is_set());
        // The event still works: a new waiter blocks, then wakes on set().
        let remote = Arc::clone(&event);
        let waiter = thread::spawn(move || remote.wait(None));
        thread::sleep(Duration::from_millis(10));
        assert!(!waiter.is_finished());
        event.set();
        assert!(waiter.join().unwrap());
        assert!(event.wait(Some(Duration::ZERO)));
    });
}

#[test]
fn set_publishes_writes_to_the_waiter() {
    within(|| {
        for _ in 0..iterations(2_000) {
            let pair = Arc::new((Event::new(), AtomicUsize::new(0)));
            let remote = Arc::clone(&pair);
            let setter = thread::spawn(move || {
                remote.1.store(42, Ordering::Relaxed);
                remote.0.set();
            });
            assert!(pair.0.wait(None));
            assert_eq!(pair.1.load(Ordering::Relaxed), 42);
            setter.join().unwrap();
        }
    });
}

/// Four ping-pong pairs (eight threads), each bouncing a token between two events, with a timed
/// wait now and then: every round completes, so no set() is lost.
#[test]
fn stress_ping_pong_pairs() {
    within(|| {
        const PAIRS: usize = 4;
        let rounds = iterations(20_000);
        let mut threads = Vec::new();
        let mut counts = Vec::new();
        for p in 0..PAIRS {
            let events = Arc::new((Event::new(), Event::new()));
            let count = Arc::new(AtomicUsize::new(0));
            counts.push(Arc::clone(&count));
            let remote = Arc::clone(&events);
            threads.push(thread::spawn(move || {
                for k in 0..rounds {
                    remote.0.set();
                    let timeout = ((p + k) % 5 == 0).then_some(Duration::from_micros(50));
                    // A timed wait may time out; then wait again.
                    while !remote.1.wait(timeout) {}
                    remote.1.clear();
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }));
            threads.push(thread::spawn(move || {
                for _ in 0..rounds {
                    assert!(events.0.wait(None));
                    events.0.clear();
                    events.1.set();
                }
            }));
        }
        for thread in threads {
            thread.join().unwrap();
        }
        for count in counts {
            assert_eq!(count.load(Ordering::Relaxed), rounds);
        }
    });
}

/// Eight waiters wait again and again while one thread sets and clears the event as fast as it
/// can: every untimed wait returns true, timed ones return true or false, nobody hangs.
#[test]
fn stress_waiters_against_set_and_clear() {
    within(|| {
        const WAITERS: usize = 8;
        let waits = iterations(5_000);
        let event = Arc::new(Event::new());
        let done = Arc::new(AtomicUsize::new(0));
        let waiters: Vec<_> = (0..WAITERS)
            .map(|i| {
                let (event, done) = (Arc::clone(&event), Arc::clone(&done));
                thread::spawn(move || {
                    let mut signalled = 0;
                    for k in 0..waits {
                        if (i + k) % 3 == 0 {
                            signalled += usize::from(event.wait(Some(Duration::from_micros(30))));
                        } else {
                            assert!(event.wait(None));
                            signalled += 1;
                        }
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                    signalled
                })
            })
            .collect();
        let setter = {
            let (event, done) = (Arc::clone(&event), Arc::clone(&done));
            thread::spawn(move || {
                let mut sets = 0usize;
                while done.load(Ordering::SeqCst) < WAITERS {
                    event.set();
                    event.clear();
                    sets += 1;
                    if sets.is_multiple_of(16) {
                        thread::yield_now();
                    }
                }
                sets
            })
        };
        let signalled: usize = waiters.into_iter().map(|w| w.join().unwrap()).sum();
        assert!(setter.join().unwrap() > 0);
        assert!(signalled >= WAITERS * waits * 2 / 3);
        assert!(!event.is_set());
    });
}
