//! A shared counter under a `threadkit::Lock`: first several threads increment it, then one
//! thread increments while another decrements. The final values are checked.
//!
//! Run with `cargo run --example counter`.

use std::cell::UnsafeCell;
use std::sync::Arc;
use std::thread;

use threadkit::Lock;

/// A counter whose every access happens under its lock, the way Python code shares an int.
struct Counter {
    lock: Lock,
    value: UnsafeCell<i64>,
}

// SAFETY: `value` is only read or written while `lock` is held (see `add` and `get`).
unsafe impl Sync for Counter {}

impl Counter {
    fn add(&self, delta: i64) {
        let _guard = self.lock.lock();
        // SAFETY: the lock is held, so no other thread touches `value`.
        unsafe { *self.value.get() += delta };
    }

    fn get(&self) -> i64 {
        let _guard = self.lock.lock();
        // SAFETY: the lock is held, so no other thread touches `value`.
        unsafe { *self.value.get() }
    }
}

fn run(counter: &Arc<Counter>, deltas: &[i64], per_thread: usize) {
    let workers: Vec<_> = deltas
        .iter()
        .map(|&delta| {
            let counter = Arc::clone(counter);
            thread::spawn(move || (0..per_thread).for_each(|_| counter.add(delta)))
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
}

fn main() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 100_000;

    let counter = Arc::new(Counter {
        lock: Lock::new(),
        value: UnsafeCell::new(0),
    });
    run(&counter, &[1; THREADS], PER_THREAD);
    let expected = (THREADS * PER_THREAD) as i64;
    println!(
        "{THREADS} threads x {PER_THREAD} increments: counter = {}",
        counter.get()
    );
    assert_eq!(counter.get(), expected);

    run(&counter, &[1, -1], PER_THREAD);
    println!(
        "one thread incrementing, one decrementing: counter = {}",
        counter.get()
    );
    assert_eq!(counter.get(), expected);
    println!("Final counts are correct");
}
