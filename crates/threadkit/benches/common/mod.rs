//! Helpers shared by the benchmarks: one short criterion configuration, and the thread drivers
//! that time contended runs.
#![allow(dead_code)]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::Criterion;

/// The configuration every benchmark group uses: short, so that a run stays cheap on a shared
/// machine. With `THREADKIT_BENCH_QUICK=1` in the environment (`make bench-quick`) it is shorter
/// still: a smoke run whose numbers are only indicative.
pub fn config() -> Criterion {
    if quick() {
        Criterion::default()
            .warm_up_time(Duration::from_millis(100))
            .measurement_time(Duration::from_millis(300))
            .sample_size(10)
    } else {
        Criterion::default()
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .sample_size(20)
    }
}

/// Whether `THREADKIT_BENCH_QUICK` asks for a smoke run (set, and neither empty nor `0`).
pub fn quick() -> bool {
    std::env::var_os("THREADKIT_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Runs `threads` threads that together call `step` about `iters` times; the total time.
pub fn contended_run<S: Send + Sync + 'static>(
    threads: usize,
    iters: u64,
    shared: Arc<S>,
    step: fn(&S),
) -> Duration {
    let per_thread = iters.div_ceil(threads as u64);
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                for _ in 0..per_thread {
                    step(&shared);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    start.elapsed()
}

/// Runs `side(shared, first, rounds)` on this thread (`first == true`) and on one other thread
/// (`first == false`) at once; the time until both are done.
pub fn two_sides<S: Send + Sync + 'static>(
    rounds: u64,
    shared: Arc<S>,
    side: fn(&S, bool, u64),
) -> Duration {
    let start = Instant::now();
    let other = {
        let shared = Arc::clone(&shared);
        thread::spawn(move || side(&shared, false, rounds))
    };
    side(&shared, true, rounds);
    other.join().unwrap();
    start.elapsed()
}
