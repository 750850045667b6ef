//! `RLock` against `parking_lot::ReentrantMutex`, uncontended (outer and re-entrant) and
//! contended. (std's `ReentrantLock` is not stable.)

mod common;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

const THREADS: usize = 4;

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("rlock/uncontended");
    let lock = threadkit::RLock::new();
    group.bench_function("threadkit::RLock acquire+release", |b| {
        b.iter(|| {
            black_box(&lock).acquire(None);
            black_box(&lock).release().unwrap();
        })
    });
    let mutex = parking_lot::ReentrantMutex::new(());
    group.bench_function("parking_lot::ReentrantMutex lock+unlock", |b| {
        b.iter(|| drop(black_box(&mutex).lock()))
    });
    let plain = threadkit::Lock::new();
    group.bench_function("threadkit::Lock acquire+release", |b| {
        b.iter(|| {
            black_box(&plain).acquire(None);
            black_box(&plain).release().unwrap();
        })
    });
    lock.acquire(None);
    group.bench_function("threadkit::RLock re-entrant acquire+release", |b| {
        b.iter(|| {
            black_box(&lock).acquire(None);
            black_box(&lock).release().unwrap();
        })
    });
    lock.release().unwrap();
    let outer = mutex.lock();
    group.bench_function("parking_lot::ReentrantMutex re-entrant lock+unlock", |b| {
        b.iter(|| drop(black_box(&mutex).lock()))
    });
    drop(outer);
    group.finish();
}

fn contended(c: &mut Criterion) {
    use std::sync::atomic::{AtomicU64, Ordering};
    let mut group = c.benchmark_group("rlock/contended");
    group.bench_function("threadkit::RLock 4-thread counter", |b| {
        b.iter_custom(|iters| {
            let lock = Arc::new((threadkit::RLock::new(), AtomicU64::new(0)));
            common::contended_run(THREADS, iters, lock, |pair| {
                let _guard = pair.0.lock();
                let value = pair.1.load(Ordering::Relaxed);
                pair.1.store(value + 1, Ordering::Relaxed);
            })
        })
    });
    group.bench_function("parking_lot::ReentrantMutex 4-thread counter", |b| {
        b.iter_custom(|iters| {
            let lock = Arc::new(parking_lot::ReentrantMutex::new(AtomicU64::new(0)));
            common::contended_run(THREADS, iters, lock, |mutex| {
                let counter = mutex.lock();
                let value = counter.load(Ordering::Relaxed);
                counter.store(value + 1, Ordering::Relaxed);
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
