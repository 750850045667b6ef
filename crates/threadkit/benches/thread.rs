//! `Thread` start+join against `std::thread`, `current_thread` against `std::thread::current`,
//! and `Local::with` against std's `thread_local!`; uncontended and with 4 threads at once.

use std::cell::Cell;
use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use threadkit::thread::{Local, Thread, current_thread};

const THREADS: usize = 4;

thread_local! {
    static STD_LOCAL: Cell<u64> = const { Cell::new(0) };
}

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("thread/uncontended");
    group.bench_function("threadkit::Thread start+join", |b| {
        b.iter(|| {
            let worker = Thread::new(|| {
                black_box(0);
            });
            worker.start().unwrap();
            worker.join(None).unwrap();
        })
    });
    group.bench_function("std::thread spawn+join", |b| {
        b.iter(|| {
            thread::spawn(|| {
                black_box(0);
            })
            .join()
            .unwrap()
        })
    });
    group.bench_function("threadkit::thread::current_thread", |b| {
        b.iter(|| black_box(current_thread()))
    });
    group.bench_function("std::thread::current", |b| {
        b.iter(|| black_box(thread::current()))
    });
    let local = Local::new(|| Cell::new(0u64));
    group.bench_function("threadkit::Local with", |b| {
        b.iter(|| black_box(&local).with(|n| n.set(n.get() + 1)))
    });
    group.bench_function("std thread_local! with", |b| {
        b.iter(|| STD_LOCAL.with(|n| n.set(black_box(n.get()) + 1)))
    });
    group.finish();
}

/// Runs `THREADS` threads that each do their share of `iters` calls of `start_join`.
fn contended_run(iters: u64, start_join: fn()) -> Duration {
    let per_thread = iters.div_ceil(THREADS as u64);
    let begin = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            thread::spawn(move || {
                for _ in 0..per_thread {
                    start_join();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    begin.elapsed()
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("thread/contended");
    group.bench_function("threadkit::Thread start+join, 4 starters", |b| {
        b.iter_custom(|iters| {
            contended_run(iters, || {
                let worker = Thread::new(|| {
                    black_box(0);
                });
                worker.start().unwrap();
                worker.join(None).unwrap();
            })
        })
    });
    group.bench_function("std::thread spawn+join, 4 starters", |b| {
        b.iter_custom(|iters| {
            contended_run(iters, || {
                thread::spawn(|| {
                    black_box(0);
                })
                .join()
                .unwrap()
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
