//! `Lock` against `std::sync::Mutex` and `parking_lot::Mutex`, uncontended and contended.

use std::hint::black_box;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

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

/// Runs `THREADS` threads that each do `iters` increments through `increment`; the total time.
fn contended_run<L: Send + Sync + 'static>(
    iters: u64,
    lock: Arc<L>,
    increment: fn(&L),
) -> Duration {
    let per_thread = iters.div_ceil(THREADS as u64);
    let start = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                for _ in 0..per_thread {
                    increment(&lock);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    start.elapsed()
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("lock/contended");
    group.bench_function("threadkit::Lock 4-thread counter", |b| {
        b.iter_custom(|iters| {
            let lock = Arc::new((threadkit::Lock::new(), std::sync::atomic::AtomicU64::new(0)));
            contended_run(iters, lock, |pair| {
                let _guard = pair.0.lock();
                let value = pair.1.load(std::sync::atomic::Ordering::Relaxed);
                pair.1
                    .store(value + 1, std::sync::atomic::Ordering::Relaxed);
            })
        })
    });
    group.bench_function("parking_lot::Mutex 4-thread counter", |b| {
        b.iter_custom(|iters| {
            contended_run(iters, Arc::new(parking_lot::Mutex::new(0u64)), |m| {
                *m.lock() += 1
            })
        })
    });
    group.bench_function("std::sync::Mutex 4-thread counter", |b| {
        b.iter_custom(|iters| {
            contended_run(iters, Arc::new(std::sync::Mutex::new(0u64)), |m| {
                *m.lock().unwrap() += 1
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = uncontended, contended
}
criterion_main!(benches);
