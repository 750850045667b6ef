//! Ten workers share a `threadkit::Semaphore(3)`: at most three run at once. The program tracks
//! the highest concurrency it observed and checks that it is exactly three.
//!
//! Run with `cargo run --example semaphore_limit`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use threadkit::{Event, Semaphore};

const WORKERS: usize = 10;
const LIMIT: usize = 3;

fn main() {
    let semaphore = Arc::new(Semaphore::new(LIMIT));
    let running = Arc::new(AtomicUsize::new(0));
    let max_running = Arc::new(AtomicUsize::new(0));
    // All workers start together, so that they really compete for the three permits.
    let start = Arc::new(Event::new());
    let workers: Vec<_> = (0..WORKERS)
        .map(|id| {
            let (semaphore, running, max_running, start) = (
                Arc::clone(&semaphore),
                Arc::clone(&running),
                Arc::clone(&max_running),
                Arc::clone(&start),
            );
            thread::spawn(move || {
                start.wait(None);
                let _permit = semaphore.permit();
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                max_running.fetch_max(now, Ordering::SeqCst);
                println!("worker {id} running ({now} at once)");
                // Long enough that the others queue up behind the semaphore.
                thread::sleep(Duration::from_millis(100));
                running.fetch_sub(1, Ordering::SeqCst);
                println!("worker {id} done");
            })
        })
        .collect();
    start.set();
    for worker in workers {
        worker.join().unwrap();
    }
    let max = max_running.load(Ordering::SeqCst);
    println!("maximum concurrency observed: {max} (limit {LIMIT})");
    assert_eq!(max, LIMIT);
    assert_eq!(semaphore.value(), LIMIT);
}
