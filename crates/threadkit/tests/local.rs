//! `Local`: Python's `threading.local` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use common::{iterations, within};
use threadkit::thread::{Local, Thread};

/// Counts its drops.
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn each_thread_has_its_own_value() {
    within(|| {
        let local = Arc::new(Local::new(|| RefCell::new(Vec::new())));
        local.with(|v| v.borrow_mut().push("here"));
        let workers: Vec<Thread> = (0..4)
            .map(|n| {
                let local = Arc::clone(&local);
                Thread::builder()
                    .start(move || {
                        assert!(local.with(|v| v.borrow().is_empty()));
                        local
                            .with(|v| v.borrow_mut().push(if n % 2 == 0 { "even" } else { "odd" }));
                        assert_eq!(local.with(|v| v.borrow().len()), 1);
                    })
                    .unwrap()
            })
            .collect();
        for worker in workers {
            worker.join(None).unwrap();
        }
        assert_eq!(local.with(|v| v.borrow().clone()), vec!["here"]);
    });
}

#[test]
fn init_runs_once_per_thread() {
    within(|| {
        let inits = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&inits);
        let local = Arc::new(Local::new(move || {
            count.fetch_add(1, Ordering::Relaxed);
            Cell::new(7)
        }));
        assert_eq!(local.get().get(), 7);
        local.with(|v| v.set(8));
        assert_eq!(local.with(Cell::get), 8);
        assert_eq!(inits.load(Ordering::Relaxed), 1);
        let remote = Arc::clone(&local);
        std::thread::spawn(move || assert_eq!(remote.with(Cell::get), 7))
            .join()
            .unwrap();
        assert_eq!(inits.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn values_are_dropped_when_their_thread_exits() {
    within(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&drops);
        let local = Arc::new(Local::new(move || Tracked(Arc::clone(&count))));
        let (touched, wait) = mpsc::channel();
        let (release, hold) = mpsc::channel::<()>();
        let remote = Arc::clone(&local);
        let worker = Thread::new(move || {
            remote.with(|_| {});
            touched.send(()).unwrap();
            let _ = hold.recv();
        });
        worker.start().unwrap();
        wait.recv().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 0);
        drop(release);
        worker.join(None).unwrap();
        // A threadkit thread's values are gone when join returns.
        assert_eq!(drops.load(Ordering::Relaxed), 1);

        let remote = Arc::clone(&local);
        std::thread::spawn(move || remote.with(|_| {}))
            .join()
            .unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
        drop(local);
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn values_are_dropped_with_the_local() {
    within(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&drops);
        let local = Arc::new(Local::new(move || Tracked(Arc::clone(&count))));
        local.with(|_| {});
        let (touched, wait) = mpsc::channel();
        let (release, hold) = mpsc::channel::<()>();
        let remote = Arc::clone(&local);
        let worker = Thread::new(move || {
            remote.with(|_| {});
            drop(remote);
            touched.send(()).unwrap();
            let _ = hold.recv();
        });
        worker.start().unwrap();
        wait.recv().unwrap();
        drop(local);
        // Both values, including the one of the still-running worker.
        assert_eq!(drops.load(Ordering::Relaxed), 2);
        drop(release);
        worker.join(None).unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn a_panicking_init_stores_nothing_and_the_next_call_retries() {
    within(|| {
        let attempts = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&attempts);
        let local = Local::new(move || {
            if count.fetch_add(1, Ordering::Relaxed) == 0 {
                panic!("first init fails");
            }
            Cell::new(5)
        });
        assert!(std::panic::catch_unwind(|| local.with(Cell::get)).is_err());
        assert_eq!(local.with(Cell::get), 5);
        assert_eq!(local.with(Cell::get), 5);
        assert_eq!(attempts.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn nested_locals_and_init_using_another_local() {
    within(|| {
        let base = Arc::new(Local::new(|| Cell::new(1)));
        let inner = Arc::clone(&base);
        let derived = Local::new(move || inner.with(Cell::get) * 10);
        base.with(|b| {
            b.set(4);
            // `with` inside `with`, on another Local whose init reads the first.
            assert_eq!(derived.with(|d| *d), 40);
        });
        assert_eq!(derived.get(), 40);
    });
}

#[test]
fn a_new_local_never_sees_an_old_value() {
    within(|| {
        for n in 0..10 {
            let local = Local::new(move || Cell::new(n));
            assert_eq!(local.with(Cell::get), n);
            local.with(|v| v.set(100));
        }
    });
}

#[test]
fn stress_locals_across_threads() {
    within(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&drops);
        let local = Arc::new(Local::new(move || {
            (Tracked(Arc::clone(&count)), Cell::new(0))
        }));
        let rounds = iterations(2000);
        let workers: Vec<Thread> = (0..8)
            .map(|_| {
                let local = Arc::clone(&local);
                Thread::builder()
                    .start(move || {
                        for _ in 0..rounds {
                            local.with(|(_, n)| n.set(n.get() + 1));
                            let inner = Arc::clone(&local);
                            let child =
                                Thread::new(move || inner.with(|(_, n)| assert_eq!(n.get(), 0)));
                            child.start().unwrap();
                            child.join(None).unwrap();
                        }
                        assert_eq!(local.with(|(_, n)| n.get()), rounds);
                    })
                    .unwrap()
            })
            .collect();
        for worker in workers {
            worker.join(None).unwrap();
        }
        // Every worker's and every child's value was dropped at its thread's end.
        assert_eq!(drops.load(Ordering::Relaxed), 8 + 8 * rounds);
    });
}
