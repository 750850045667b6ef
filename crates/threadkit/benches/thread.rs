//! `Thread` start+join against `std::thread`, `current_thread` against `std::thread::current`,
//! and `Local::with` against std's `thread_local!`; uncontended and with 4 threads at once.

mod common;

use std::cell::Cell;
use std::hint::black_box;
use std::sync::Arc;
use std::thread;

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

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("thread/contended");
    group.bench_function("threadkit::Thread start+join, 4 starters", |b| {
        b.iter_custom(|iters| {
            common::contended_run(THREADS, iters, Arc::new(()), |_| {
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
            common::contended_run(THREADS, iters, Arc::new(()), |_| {
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
    config = common::config();
    targets = uncontended, contended
}
criterion_main!(benches);
