//! `Barrier` against `std::sync::Barrier`: a one-party round (no waiting) and two-thread rounds.

use std::hint::black_box;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

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

/// Two threads pass `barrier` together `rounds` times; the elapsed time.
fn two_thread_rounds<B: Send + Sync + 'static>(
    rounds: u64,
    barrier: Arc<B>,
    wait: fn(&B),
) -> Duration {
    let start = Instant::now();
    let other = {
        let barrier = Arc::clone(&barrier);
        thread::spawn(move || {
            for _ in 0..rounds {
                wait(&barrier);
            }
        })
    };
    for _ in 0..rounds {
        wait(&barrier);
    }
    other.join().unwrap();
    start.elapsed()
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("barrier/contended");
    group.bench_function("threadkit::Barrier 2-thread round", |b| {
        b.iter_custom(|rounds| {
            two_thread_rounds(rounds, Arc::new(threadkit::Barrier::new(2)), |barrier| {
                barrier.wait(None).unwrap();
            })
        })
    });
    group.bench_function("std::sync::Barrier 2-thread round", |b| {
        b.iter_custom(|rounds| {
            two_thread_rounds(rounds, Arc::new(std::sync::Barrier::new(2)), |barrier| {
                barrier.wait();
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
