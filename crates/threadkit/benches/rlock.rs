//! `RLock` against `parking_lot::ReentrantMutex`, uncontended (outer and re-entrant) and
//! contended. (std's `ReentrantLock` is not stable.)

use std::hint::black_box;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

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
    use std::sync::atomic::{AtomicU64, Ordering};
    let mut group = c.benchmark_group("rlock/contended");
    group.bench_function("threadkit::RLock 4-thread counter", |b| {
        b.iter_custom(|iters| {
            let lock = Arc::new((threadkit::RLock::new(), AtomicU64::new(0)));
            contended_run(iters, lock, |pair| {
                let _guard = pair.0.lock();
                let value = pair.1.load(Ordering::Relaxed);
                pair.1.store(value + 1, Ordering::Relaxed);
            })
        })
    });
    group.bench_function("parking_lot::ReentrantMutex 4-thread counter", |b| {
        b.iter_custom(|iters| {
            let lock = Arc::new(parking_lot::ReentrantMutex::new(AtomicU64::new(0)));
            contended_run(iters, lock, |mutex| {
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
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = uncontended, contended
}
criterion_main!(benches);
