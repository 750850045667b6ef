//! `Barrier` against `std::sync::Barrier`: a one-party round (no waiting) and two-thread rounds.

mod common;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("barrier/uncontended");
    let barrier = threadkit::Barrier::new(1);
    group.bench_function("threadkit::Barrier 1-party wait", |b| {
        b.iter(|| black_box(&barrier).wait(None).unwrap())
    });
    let barrier = std::sync::Barrier::new(1);
    group.bench_function("std::sync::Barrier 1-party wait", |b| {
        b.iter(|| black_box(&barrier).wait())
    });
    group.finish();
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("barrier/contended");
    group.bench_function("threadkit::Barrier 2-thread round", |b| {
        b.iter_custom(|rounds| {
            let barrier = Arc::new(threadkit::Barrier::new(2));
            common::two_sides(rounds, barrier, |barrier, _, rounds| {
                for _ in 0..rounds {
                    barrier.wait(None).unwrap();
                }
            })
        })
    });
    group.bench_function("std::sync::Barrier 2-thread round", |b| {
        b.iter_custom(|rounds| {
            let barrier = Arc::new(std::sync::Barrier::new(2));
            common::two_sides(rounds, barrier, |barrier, _, rounds| {
                for _ in 0..rounds {
                    barrier.wait();
                }
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
