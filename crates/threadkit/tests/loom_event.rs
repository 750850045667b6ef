//! Loom model of `Event`: set wakes waiters, and a set that a clear follows is still seen.
#![cfg(threadkit_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use threadkit::Event;

#[test]
fn set_wakes_a_waiter_and_publishes_writes() {
    loom::model(|| {
        let pair = Arc::new((Event::new(), AtomicUsize::new(0)));
        let setter = {
            let pair = Arc::clone(&pair);
            thread::spawn(move || {
                pair.1.store(1, Ordering::Relaxed);
                pair.0.set();
            })
        };
        // Blocks until the set: a lost wake-up deadlocks the model.
        assert!(pair.0.wait(None));
        assert_eq!(pair.1.load(Ordering::Relaxed), 1);
        setter.join().unwrap();
        assert!(pair.0.is_set());
    });
}

#[test]
fn set_then_clear_still_releases_the_waiter() {
    loom::model(|| {
        let event = Arc::new(Event::new());
        let setter = {
            let event = Arc::clone(&event);
            thread::spawn(move || {
                event.set();
                event.clear();
            })
        };
        // However the clear interleaves, the waiter saw a set() happen and returns true.
        assert!(event.wait(None));
        setter.join().unwrap();
        assert!(!event.is_set());
    });
}

#[test]
fn one_set_releases_two_waiters() {
    loom::model(|| {
        let event = Arc::new(Event::new());
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let event = Arc::clone(&event);
                thread::spawn(move || assert!(event.wait(None)))
            })
            .collect();
        event.set();
        for waiter in waiters {
            waiter.join().unwrap();
        }
    });
}

#[test]
fn ping_pong_between_two_events() {
    loom::model(|| {
        let events = Arc::new((Event::new(), Event::new()));
        let pong = {
            let events = Arc::clone(&events);
            thread::spawn(move || {
                for _ in 0..2 {
                    assert!(events.0.wait(None));
                    events.0.clear();
                    events.1.set();
                }
            })
        };
        for _ in 0..2 {
            events.0.set();
            assert!(events.1.wait(None));
            events.1.clear();
        }
        pong.join().unwrap();
    });
}
