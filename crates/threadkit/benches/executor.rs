//! `ThreadPoolExecutor` against `rayon::spawn` + a crossbeam channel, `rayon::spawn` + a oneshot
//! channel per task (crossbeam `bounded(1)`: like a future, a handle per task) and the
//! `threadpool` crate + `std::sync::mpsc`: one round trip (uncontended), and 200k trivial tasks
//! submitted then collected in order, and an ordered map over 200k items with 1024 in flight
//! (contended). `examples/pool_cost.rs` counts the same cases' allocations and instructions.

mod common;

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::mpsc;

use criterion::{Criterion, criterion_group, criterion_main};
use threadkit::futures::ThreadPoolExecutor;

const TASKS: u64 = 200_000;
const WINDOW: u64 = 1024;

fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, NonZeroUsize::get)
}

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("executor/uncontended");
    let pool = ThreadPoolExecutor::new(Some(threads())).unwrap();
    group.bench_function("threadkit submit+result", |b| {
        b.iter(|| {
            pool.submit(|| black_box(1u64))
                .unwrap()
                .result(None)
                .unwrap()
        })
    });
    group.bench_function("rayon spawn+crossbeam recv", |b| {
        let (tx, rx) = crossbeam_channel::unbounded();
        b.iter(|| {
            let tx = tx.clone();
            rayon::spawn(move || tx.send(black_box(1u64)).unwrap());
            rx.recv().unwrap()
        })
    });
    group.bench_function("rayon spawn+oneshot recv", |b| {
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::bounded(1);
            rayon::spawn(move || tx.send(black_box(1u64)).unwrap());
            rx.recv().unwrap()
        })
    });
    let peer = threadpool::ThreadPool::new(threads());
    group.bench_function("threadpool execute+mpsc recv", |b| {
        let (tx, rx) = mpsc::channel();
        b.iter(|| {
            let tx = tx.clone();
            peer.execute(move || tx.send(black_box(1u64)).unwrap());
            rx.recv().unwrap()
        })
    });
    group.finish();
}

/// Puts `(index, value)` pairs from `recv` into a vector in index order and sums it in order
/// (the peers' way to give ordered results).
fn ordered_sum(results: &mut [u64], recv: impl Fn() -> (u64, u64), count: u64) -> u64 {
    for _ in 0..count {
        let (index, value) = recv();
        results[index as usize] = value;
    }
    results.iter().sum()
}

/// A peer's ordered map: `WINDOW` tasks in flight, one more spawned per result received, each
/// result stored at its index.
fn windowed_map(results: &mut [u64], spawn: impl Fn(u64), recv: impl Fn() -> (u64, u64)) {
    (0..WINDOW).for_each(&spawn);
    let mut next = WINDOW;
    for _ in 0..TASKS {
        let (index, value) = recv();
        results[index as usize] = value;
        if next < TASKS {
            spawn(next);
            next += 1;
        }
    }
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("executor/contended");
    group.sample_size(10);
    let expected: u64 = (0..TASKS).map(|n| n * 2).sum();

    let pool = ThreadPoolExecutor::new(Some(threads())).unwrap();
    group.bench_function("threadkit 200k submit then result", |b| {
        // Reused like the peers' result vectors; the futures are dropped inside the iteration.
        let mut futures = Vec::with_capacity(TASKS as usize);
        b.iter(|| {
            futures.extend((0..TASKS).map(|n| pool.submit(move || black_box(n) * 2).unwrap()));
            let sum: u64 = futures.iter().map(|f| f.result(None).unwrap()).sum();
            assert_eq!(sum, expected);
            futures.clear();
        })
    });
    // Not a peer: what a future of its own allocation cost each task before the slab (one
    // `Future<u64>`-sized allocation per task, held until its result is read), for comparison.
    group.bench_function(
        "reference 200k future-sized allocations, held then read",
        |b| {
            let mut handles = Vec::with_capacity(TASKS as usize);
            b.iter(|| {
                handles.extend((0..TASKS).map(|n| std::sync::Arc::new([black_box(n) * 2; 7])));
                let sum: u64 = handles.iter().map(|handle| handle[0]).sum();
                assert_eq!(sum, expected);
                handles.clear();
            })
        },
    );
    group.bench_function("rayon 200k spawn then crossbeam recv", |b| {
        let mut results = vec![0; TASKS as usize];
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::unbounded();
            for n in 0..TASKS {
                let tx = tx.clone();
                rayon::spawn(move || tx.send((n, black_box(n) * 2)).unwrap());
            }
            assert_eq!(
                ordered_sum(&mut results, || rx.recv().unwrap(), TASKS),
                expected
            );
        })
    });
    group.bench_function("rayon 200k spawn then oneshot recv", |b| {
        let mut receivers = Vec::with_capacity(TASKS as usize);
        b.iter(|| {
            receivers.extend((0..TASKS).map(|n| {
                let (tx, rx) = crossbeam_channel::bounded(1);
                rayon::spawn(move || tx.send(black_box(n) * 2).unwrap());
                rx
            }));
            let sum: u64 = receivers.iter().map(|rx| rx.recv().unwrap()).sum();
            assert_eq!(sum, expected);
            receivers.clear();
        })
    });
    let peer = threadpool::ThreadPool::new(threads());
    group.bench_function("threadpool 200k execute then mpsc recv", |b| {
        let mut results = vec![0; TASKS as usize];
        b.iter(|| {
            let (tx, rx) = mpsc::channel();
            for n in 0..TASKS {
                let tx = tx.clone();
                peer.execute(move || tx.send((n, black_box(n) * 2)).unwrap());
            }
            assert_eq!(
                ordered_sum(&mut results, || rx.recv().unwrap(), TASKS),
                expected
            );
        })
    });

    group.bench_function("threadkit 200k map buffersize=1024", |b| {
        b.iter(|| {
            let sum: u64 = pool
                .map(
                    |n: u64| black_box(n) * 2,
                    0..TASKS,
                    None,
                    NonZeroUsize::new(WINDOW as usize),
                )
                .unwrap()
                .map(Result::unwrap)
                .sum();
            assert_eq!(sum, expected);
        })
    });
    group.bench_function("rayon 200k map window=1024", |b| {
        let mut results = vec![0; TASKS as usize];
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::unbounded();
            let spawn = |n: u64| {
                let tx = tx.clone();
                rayon::spawn(move || tx.send((n, black_box(n) * 2)).unwrap());
            };
            windowed_map(&mut results, spawn, || rx.recv().unwrap());
            assert_eq!(results.iter().sum::<u64>(), expected);
        })
    });
    group.bench_function("rayon 200k map window=1024 oneshot each", |b| {
        let mut receivers = std::collections::VecDeque::with_capacity(WINDOW as usize);
        b.iter(|| {
            let spawn = |n: u64| {
                let (tx, rx) = crossbeam_channel::bounded(1);
                rayon::spawn(move || tx.send(black_box(n) * 2).unwrap());
                rx
            };
            receivers.extend((0..WINDOW).map(spawn));
            let mut next = WINDOW;
            let mut sum = 0;
            while let Some(rx) = receivers.pop_front() {
                sum += rx.recv().unwrap();
                if next < TASKS {
                    receivers.push_back(spawn(next));
                    next += 1;
                }
            }
            assert_eq!(sum, expected);
        })
    });
    group.bench_function("threadpool 200k map window=1024", |b| {
        let mut results = vec![0; TASKS as usize];
        b.iter(|| {
            let (tx, rx) = mpsc::channel();
            let spawn = |n: u64| {
                let tx = tx.clone();
                peer.execute(move || tx.send((n, black_box(n) * 2)).unwrap());
            };
            windowed_map(&mut results, spawn, || rx.recv().unwrap());
            assert_eq!(results.iter().sum::<u64>(), expected);
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
