//! A worker type with its own `run`, the way Python code subclasses `threading.Thread` and
//! overrides `run()`: each worker is a struct, and a thread executes its `run(&self)`.
//!
//! Run with `cargo run --example worker_class`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// A worker that sums the squares of its range into a shared total.
struct SquareSummer {
    name: String,
    range: std::ops::Range<u64>,
    total: Arc<AtomicU64>,
}

impl SquareSummer {
    /// What the thread runs, like `Thread.run` in a Python subclass.
    fn run(&self) {
        let sum: u64 = self.range.clone().map(|n| n * n).sum();
        println!("{}: sum of squares of {:?} = {sum}", self.name, self.range);
        self.total.fetch_add(sum, Ordering::SeqCst);
    }

    /// Starts a thread named after the worker that executes `run`, like `Thread.start`.
    fn start(self) -> thread::JoinHandle<()> {
        thread::Builder::new()
            .name(self.name.clone())
            .spawn(move || self.run())
            .expect("spawn worker thread")
    }
}

fn main() {
    const WORKERS: u64 = 4;
    const PER_WORKER: u64 = 250;

    let total = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..WORKERS)
        .map(|i| {
            SquareSummer {
                name: format!("worker-{i}"),
                range: i * PER_WORKER..(i + 1) * PER_WORKER,
                total: Arc::clone(&total),
            }
            .start()
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let n = WORKERS * PER_WORKER;
    let expected: u64 = (0..n).map(|k| k * k).sum();
    println!(
        "all {WORKERS} workers finished: total = {}",
        total.load(Ordering::SeqCst)
    );
    assert_eq!(total.load(Ordering::SeqCst), expected);
}
