//! `Semaphore` against `parking_lot::Mutex` (the cost floor of a lock round trip) and against
//! semaphores built the textbook way, a `Mutex<usize>` plus a `Condvar` (std and parking_lot),
//! uncontended and contended (4 threads sharing 2 permits).

mod common;

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

const THREADS: usize = 4;
const PERMITS: usize = 2;

/// The textbook semaphore over std's `Mutex` and `Condvar`.
struct StdSemaphore {
    value: std::sync::Mutex<usize>,
    available: std::sync::Condvar,
}

impl StdSemaphore {
    fn new(value: usize) -> Self {
        StdSemaphore {
            value: std::sync::Mutex::new(value),
            available: std::sync::Condvar::new(),
        }
    }

    fn acquire(&self) {
        let mut value = self.value.lock().unwrap();
        while *value == 0 {
            value = self.available.wait(value).unwrap();
        }
        *value -= 1;
    }

    fn release(&self) {
        *self.value.lock().unwrap() += 1;
        self.available.notify_one();
    }
}

/// The textbook semaphore over parking_lot's `Mutex` and `Condvar`.
struct PlSemaphore {
    value: parking_lot::Mutex<usize>,
    available: parking_lot::Condvar,
}

impl PlSemaphore {
    fn new(value: usize) -> Self {
        PlSemaphore {
            value: parking_lot::Mutex::new(value),
            available: parking_lot::Condvar::new(),
        }
    }

    fn acquire(&self) {
        let mut value = self.value.lock();
        while *value == 0 {
            self.available.wait(&mut value);
        }
        *value -= 1;
    }

    fn release(&self) {
        *self.value.lock() += 1;
        self.available.notify_one();
    }
}

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("semaphore/uncontended");
    let semaphore = threadkit::Semaphore::new(1);
    group.bench_function("threadkit::Semaphore acquire+release", |b| {
        b.iter(|| {
            black_box(&semaphore).acquire(None);
            black_box(&semaphore).release(NonZeroUsize::MIN);
        })
    });
    let bounded = threadkit::BoundedSemaphore::new(1);
    group.bench_function("threadkit::BoundedSemaphore acquire+release", |b| {
        b.iter(|| {
            black_box(&bounded).acquire(None);
            black_box(&bounded).release(NonZeroUsize::MIN).unwrap();
        })
    });
    let mutex = parking_lot::Mutex::new(());
    group.bench_function("parking_lot::Mutex lock+unlock", |b| {
        b.iter(|| drop(black_box(&mutex).lock()))
    });
    let textbook = StdSemaphore::new(1);
    group.bench_function("std Mutex<usize>+Condvar acquire+release", |b| {
        b.iter(|| {
            black_box(&textbook).acquire();
            black_box(&textbook).release();
        })
    });
    let textbook = PlSemaphore::new(1);
    group.bench_function("parking_lot Mutex<usize>+Condvar acquire+release", |b| {
        b.iter(|| {
            black_box(&textbook).acquire();
            black_box(&textbook).release();
        })
    });
    group.finish();
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("semaphore/contended");
    group.bench_function("threadkit::Semaphore(2) 4 threads", |b| {
        b.iter_custom(|iters| {
            let semaphore = Arc::new(threadkit::Semaphore::new(PERMITS));
            common::contended_run(THREADS, iters, semaphore, |s| drop(black_box(s.permit())))
        })
    });
    group.bench_function("std Mutex<usize>+Condvar(2) 4 threads", |b| {
        b.iter_custom(|iters| {
            common::contended_run(THREADS, iters, Arc::new(StdSemaphore::new(PERMITS)), |s| {
                s.acquire();
                s.release();
            })
        })
    });
    group.bench_function("parking_lot Mutex<usize>+Condvar(2) 4 threads", |b| {
        b.iter_custom(|iters| {
            common::contended_run(THREADS, iters, Arc::new(PlSemaphore::new(PERMITS)), |s| {
                s.acquire();
                s.release();
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
