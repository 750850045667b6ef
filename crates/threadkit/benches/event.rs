//! `Event` ping-pong against `thread::park`/`unpark` and a `Mutex<bool>`+`Condvar` event: one
//! round trip is one thread setting the other's event and waiting for its own.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

/// A textbook event over std's `Mutex` and `Condvar`.
#[derive(Default)]
struct CondvarEvent {
    flag: std::sync::Mutex<bool>,
    changed: std::sync::Condvar,
}

impl CondvarEvent {
    fn set(&self) {
        *self.flag.lock().unwrap() = true;
        self.changed.notify_all();
    }

    /// Waits for the flag and clears it.
    fn take(&self) {
        let mut flag = self.flag.lock().unwrap();
        while !*flag {
            flag = self.changed.wait(flag).unwrap();
        }
        *flag = false;
    }
}

/// Runs `iters` round trips between this thread and a partner that runs `pong` once per round;
/// `ping` runs one round on this side and gets the partner's handle. The time of this side.
fn ping_pong(iters: u64, pong: impl Fn() + Send + 'static, ping: impl Fn(&Thread)) -> Duration {
    let partner = thread::spawn(move || {
        for _ in 0..iters {
            pong();
        }
    });
    let handle = partner.thread().clone();
    let start = Instant::now();
    for _ in 0..iters {
        ping(&handle);
    }
    let elapsed = start.elapsed();
    partner.join().unwrap();
    elapsed
}

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("event/uncontended");
    let event = threadkit::Event::new();
    event.set();
    group.bench_function("threadkit::Event is_set", |b| {
        b.iter(|| black_box(&event).is_set())
    });
    group.bench_function("threadkit::Event wait on a set event", |b| {
        b.iter(|| black_box(&event).wait(None))
    });
    group.bench_function("threadkit::Event set+clear", |b| {
        b.iter(|| {
            black_box(&event).set();
            black_box(&event).clear();
        })
    });
    group.finish();
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("event/contended");
    group.bench_function("threadkit::Event ping-pong round trip", |b| {
        b.iter_custom(|iters| {
            let events = Arc::new((threadkit::Event::new(), threadkit::Event::new()));
            let partner = Arc::clone(&events);
            let pong = move || {
                partner.0.wait(None);
                partner.0.clear();
                partner.1.set();
            };
            ping_pong(iters, pong, |_| {
                events.0.set();
                events.1.wait(None);
                events.1.clear();
            })
        })
    });
    group.bench_function("thread::park/unpark ping-pong round trip", |b| {
        b.iter_custom(|iters| {
            // Each side owns a flag; the other sets it and unparks the owner.
            let flags = Arc::new((AtomicBool::new(false), AtomicBool::new(false)));
            let (partner, main) = (Arc::clone(&flags), thread::current());
            let pong = move || {
                while !partner.0.swap(false, Ordering::Acquire) {
                    thread::park();
                }
                partner.1.store(true, Ordering::Release);
                main.unpark();
            };
            ping_pong(iters, pong, |partner| {
                flags.0.store(true, Ordering::Release);
                partner.unpark();
                while !flags.1.swap(false, Ordering::Acquire) {
                    thread::park();
                }
            })
        })
    });
    group.bench_function("std Mutex<bool>+Condvar ping-pong round trip", |b| {
        b.iter_custom(|iters| {
            let events = Arc::new((CondvarEvent::default(), CondvarEvent::default()));
            let partner = Arc::clone(&events);
            let pong = move || {
                partner.0.take();
                partner.1.set();
            };
            ping_pong(iters, pong, |_| {
                events.0.set();
                events.1.take();
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = uncontended, contended
}
criterion_main!(benches);
