//! `Queue` and `SimpleQueue` against crossbeam-channel and `std::sync::mpsc`: one thread doing
//! put+get (uncontended), and one producer with one consumer (contended).

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use threadkit::{Queue, SimpleQueue};

const CAPACITY: usize = 256;

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("queue/uncontended");
    let queue = Queue::new(CAPACITY);
    group.bench_function("threadkit::Queue bounded(256) put+get", |b| {
        b.iter(|| {
            queue.put(black_box(1u64), None).unwrap();
            black_box(queue.get(None).unwrap())
        })
    });
    let (tx, rx) = crossbeam_channel::bounded(CAPACITY);
    group.bench_function("crossbeam bounded(256) send+recv", |b| {
        b.iter(|| {
            tx.send(black_box(1u64)).unwrap();
            black_box(rx.recv().unwrap())
        })
    });
    let (tx, rx) = std::sync::mpsc::sync_channel(CAPACITY);
    group.bench_function("std sync_channel(256) send+recv", |b| {
        b.iter(|| {
            tx.send(black_box(1u64)).unwrap();
            black_box(rx.recv().unwrap())
        })
    });
    let queue = SimpleQueue::new();
    group.bench_function("threadkit::SimpleQueue put+get", |b| {
        b.iter(|| {
            queue.put(black_box(1u64));
            black_box(queue.get(None).unwrap())
        })
    });
    let (tx, rx) = crossbeam_channel::unbounded();
    group.bench_function("crossbeam unbounded send+recv", |b| {
        b.iter(|| {
            tx.send(black_box(1u64)).unwrap();
            black_box(rx.recv().unwrap())
        })
    });
    let (tx, rx) = std::sync::mpsc::channel();
    group.bench_function("std channel send+recv", |b| {
        b.iter(|| {
            tx.send(black_box(1u64)).unwrap();
            black_box(rx.recv().unwrap())
        })
    });
    group.finish();
}

/// Moves `iters` items from a producer thread to this thread through `send`/`recv`; the time.
fn one_to_one<S: Send + 'static>(
    iters: u64,
    sender: S,
    send: fn(&S, u64),
    recv: impl Fn() -> u64,
) -> Duration {
    let start = Instant::now();
    let producer = thread::spawn(move || {
        for n in 0..iters {
            send(&sender, n);
        }
    });
    for _ in 0..iters {
        black_box(recv());
    }
    producer.join().unwrap();
    start.elapsed()
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("queue/contended");
    group.bench_function("threadkit::Queue bounded(256) 1P1C", |b| {
        b.iter_custom(|iters| {
            let queue = Arc::new(Queue::new(CAPACITY));
            let sender = Arc::clone(&queue);
            one_to_one(
                iters,
                sender,
                |q, n| q.put(n, None).unwrap(),
                || queue.get(None).unwrap(),
            )
        })
    });
    group.bench_function("crossbeam bounded(256) 1P1C", |b| {
        b.iter_custom(|iters| {
            let (tx, rx) = crossbeam_channel::bounded(CAPACITY);
            one_to_one(
                iters,
                tx,
                |tx, n| tx.send(n).unwrap(),
                || rx.recv().unwrap(),
            )
        })
    });
    group.bench_function("std sync_channel(256) 1P1C", |b| {
        b.iter_custom(|iters| {
            let (tx, rx) = std::sync::mpsc::sync_channel(CAPACITY);
            one_to_one(
                iters,
                tx,
                |tx, n| tx.send(n).unwrap(),
                || rx.recv().unwrap(),
            )
        })
    });
    group.bench_function("threadkit::SimpleQueue 1P1C", |b| {
        b.iter_custom(|iters| {
            let queue = Arc::new(SimpleQueue::new());
            let sender = Arc::clone(&queue);
            one_to_one(iters, sender, |q, n| q.put(n), || queue.get(None).unwrap())
        })
    });
    group.bench_function("crossbeam unbounded 1P1C", |b| {
        b.iter_custom(|iters| {
            let (tx, rx) = crossbeam_channel::unbounded();
            one_to_one(
                iters,
                tx,
                |tx, n| tx.send(n).unwrap(),
                || rx.recv().unwrap(),
            )
        })
    });
    group.bench_function("std channel 1P1C", |b| {
        b.iter_custom(|iters| {
            let (tx, rx) = std::sync::mpsc::channel();
            one_to_one(
                iters,
                tx,
                |tx, n| tx.send(n).unwrap(),
                || rx.recv().unwrap(),
            )
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
