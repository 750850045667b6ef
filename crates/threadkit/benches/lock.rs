//! `Lock` against `std::sync::Mutex` and `parking_lot::Mutex`, uncontended and contended.

mod common;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

const THREADS: usize = 4;

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("lock/uncontended");
    let lock = threadkit::Lock::new();
    group.bench_function("threadkit::Lock acquire+release", |b| {
        b.iter(|| {
            black_box(&lock).acquire(None);
            black_box(&lock).release().unwrap();
        })
    });
    let mutex = parking_lot::Mutex::new(());
    group.bench_function("parking_lot::Mutex lock+unlock", |b| {
        b.iter(|| drop(black_box(&mutex).lock()))
    });
    let mutex = std::sync::Mutex::new(());
    group.bench_function("std::sync::Mutex lock+unlock", |b| {
        b.iter(|| drop(black_box(&mutex).lock().unwrap()))
    });
    group.finish();
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("lock/contended");
    group.bench_function("threadkit::Lock 4-thread counter", |b| {
        b.iter_custom(|iters| {
            let lock = Arc::new((threadkit::Lock::new(), std::sync::atomic::AtomicU64::new(0)));
            common::contended_run(THREADS, iters, lock, |pair| {
                let _guard = pair.0.lock();
                let value = pair.1.load(std::sync::atomic::Ordering::Relaxed);
                pair.1
                    .store(value + 1, std::sync::atomic::Ordering::Relaxed);
            })
        })
    });
    group.bench_function("parking_lot::Mutex 4-thread counter", |b| {
        b.iter_custom(|iters| {
            common::contended_run(
                THREADS,
                iters,
                Arc::new(parking_lot::Mutex::new(0u64)),
                |m| *m.lock() += 1,
            )
        })
    });
    group.bench_function("std::sync::Mutex 4-thread counter", |b| {
        b.iter_custom(|iters| {
            common::contended_run(THREADS, iters, Arc::new(std::sync::Mutex::new(0u64)), |m| {
                *m.lock().unwrap() += 1
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
