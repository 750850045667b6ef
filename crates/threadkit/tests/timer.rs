//! `Timer`: Python's `threading.Timer` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use common::within;
use threadkit::thread::{StartError, Timer, enumerate};

#[test]
fn fires_after_the_interval() {
    within(|| {
        let (tx, rx) = mpsc::channel();
        let timer = Timer::new(Duration::from_millis(50), move || {
            tx.send(Instant::now()).unwrap()
        });
        assert_eq!(timer.interval(), Duration::from_millis(50));
        assert!(!timer.is_alive());
        let started = Instant::now();
        timer.start().unwrap();
        assert!(timer.is_alive());
        assert!(enumerate().contains(timer.thread()));
        let fired = rx.recv().unwrap();
        assert!(fired - started >= Duration::from_millis(50));
        assert_eq!(timer.join(None), Ok(true));
        assert!(!timer.is_alive());
    });
}

#[test]
fn cancel_before_the_interval_prevents_firing() {
    within(|| {
        let fired = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&fired);
        let timer = Timer::new(Duration::from_secs(3600), move || {
            count.fetch_add(1, Ordering::Relaxed);
        });
        timer.start().unwrap();
        assert_eq!(timer.join(Some(Duration::from_millis(20))), Ok(false));
        timer.cancel();
        assert_eq!(timer.join(None), Ok(true));
        assert_eq!(fired.load(Ordering::Relaxed), 0);
        timer.cancel(); // harmless afterwards
    });
}

#[test]
fn cancel_before_start_finishes_at_once() {
    within(|| {
        let fired = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&fired);
        let timer = Timer::new(Duration::from_secs(3600), move || {
            count.fetch_add(1, Ordering::Relaxed);
        });
        timer.cancel();
        timer.start().unwrap();
        assert_eq!(timer.join(None), Ok(true));
        assert_eq!(fired.load(Ordering::Relaxed), 0);
    });
}

#[test]
fn cancel_after_firing_is_harmless() {
    within(|| {
        let fired = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&fired);
        let timer = Timer::new(Duration::ZERO, move || {
            count.fetch_add(1, Ordering::Relaxed);
        });
        timer.start().unwrap();
        timer.join(None).unwrap();
        timer.cancel();
        assert_eq!(fired.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn a_timer_is_a_thread() {
    within(|| {
        let timer = Timer::new(Duration::ZERO, || {});
        assert!(timer.name().starts_with("Thread-"));
        timer.set_name("ticker");
        timer.set_daemon(true).unwrap();
        timer.start().unwrap();
        assert!(matches!(timer.start(), Err(StartError::AlreadyStarted)));
        assert_eq!(timer.name(), "ticker");
        assert!(timer.ident().is_some());
        timer.join(None).unwrap();
    });
}

#[test]
fn stress_many_timers_cancelled_or_fired() {
    within(|| {
        let fired = Arc::new(AtomicUsize::new(0));
        let rounds = common::iterations(400).max(8);
        let timers: Vec<Timer> = (0..rounds)
            .map(|n| {
                let count = Arc::clone(&fired);
                let interval = if n % 2 == 0 {
                    Duration::ZERO
                } else {
                    Duration::from_secs(3600)
                };
                let timer = Timer::new(interval, move || {
                    count.fetch_add(1, Ordering::Relaxed);
                });
                timer.start().unwrap();
                timer
            })
            .collect();
        for (n, timer) in timers.iter().enumerate() {
            if n % 2 == 1 {
                timer.cancel();
            }
        }
        for timer in &timers {
            assert_eq!(timer.join(None), Ok(true));
        }
        assert_eq!(fired.load(Ordering::Relaxed), rounds.div_ceil(2));
    });
}
