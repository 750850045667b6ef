//! `SimpleQueue`: Python's `queue.SimpleQueue` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::panic;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, within};
use threadkit::queue::Empty;
use threadkit::{SimpleQueue, interrupt};

#[test]
fn fifo_order_qsize_and_empty() {
    let queue = SimpleQueue::default();
    assert!(queue.empty());
    assert_eq!(queue.qsize(), 0);
    for n in 0..5 {
        queue.put(n);
    }
    queue.put_nowait(5);
    assert_eq!(queue.qsize(), 6);
    assert!(!queue.empty());
    let drained: Vec<_> = std::iter::from_fn(|| queue.get_nowait().ok()).collect();
    assert_eq!(drained, [0, 1, 2, 3, 4, 5]);
    assert_eq!(queue.get_nowait(), Err(Empty));
    assert!(format!("{queue:?}").contains("qsize: 0"));
    assert_eq!(Empty.to_string(), "get from an empty queue");
}

#[test]
fn get_timeout_gives_empty_after_at_least_the_timeout() {
    within(|| {
        let queue = SimpleQueue::<()>::new();
        for timeout in [
            Duration::ZERO,
            Duration::from_millis(1),
            Duration::from_millis(30),
        ] {
            let start = Instant::now();
            assert_eq!(queue.get(Some(timeout)), Err(Empty));
            assert!(start.elapsed() >= timeout);
        }
    });
}

#[test]
fn blocked_getters_wake_on_put() {
    within(|| {
        let queue = Arc::new(SimpleQueue::new());
        let getters: Vec<_> = (0..3)
            .map(|i| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || {
                    let timeout = (i == 0).then_some(Duration::from_secs(10));
                    queue.get(timeout)
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(30));
        for n in 0..3 {
            queue.put(n);
        }
        let mut got: Vec<_> = getters
            .into_iter()
            .map(|g| g.join().unwrap().unwrap())
            .collect();
        got.sort();
        assert_eq!(got, [0, 1, 2]);
    });
}

#[test]
fn interrupted_get_unwinds_and_a_later_getter_still_wakes() {
    struct Interrupted;
    fn interrupt_now() {
        panic::resume_unwind(Box::new(Interrupted));
    }
    within(|| {
        let queue = Arc::new(SimpleQueue::new());
        let remote = Arc::clone(&queue);
        let interrupted = thread::spawn(move || {
            interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
            let outcome = panic::catch_unwind(panic::AssertUnwindSafe(|| remote.get(None)));
            interrupt::set_check(None);
            outcome.unwrap_err().is::<Interrupted>()
        });
        assert!(interrupted.join().unwrap());
        let remote = Arc::clone(&queue);
        let patient = thread::spawn(move || remote.get(None));
        thread::sleep(Duration::from_millis(10));
        queue.put("item");
        assert_eq!(patient.join().unwrap(), Ok("item"));
    });
}

/// Many producers and consumers (some with short timeouts): every item arrives exactly once, and
/// each producer's items arrive in the order it put them.
#[test]
fn stress_many_producers_and_consumers_receive_each_item_once() {
    within(|| {
        const PRODUCERS: usize = 4;
        const CONSUMERS: usize = 4;
        let per_producer = iterations(50_000);
        let total = PRODUCERS * per_producer;
        let queue = Arc::new(SimpleQueue::new());
        let received = Arc::new(AtomicUsize::new(0));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || {
                    for n in 0..per_producer {
                        queue.put((p, n));
                        if n % 1024 == 0 {
                            thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|c| {
                let (queue, received) = (Arc::clone(&queue), Arc::clone(&received));
                thread::spawn(move || {
                    let mut mine = Vec::new();
                    let mut last = [None; PRODUCERS];
                    let mut attempt = 0u64;
                    while received.load(Ordering::SeqCst) < total {
                        attempt += 1;
                        let timeout = match (attempt + c as u64) % 3 {
                            0 => Some(Duration::ZERO),
                            1 => Some(Duration::from_micros(100)),
                            _ => Some(Duration::from_millis(2)),
                        };
                        if let Ok((p, n)) = queue.get(timeout) {
                            assert!(last[p] < Some(n), "producer {p}'s items out of order");
                            last[p] = Some(n);
                            mine.push((p, n));
                            received.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    mine
                })
            })
            .collect();
        for producer in producers {
            producer.join().unwrap();
        }
        let mut all: Vec<_> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort_unstable();
        let expected: Vec<_> = (0..PRODUCERS)
            .flat_map(|p| (0..per_producer).map(move |n| (p, n)))
            .collect();
        assert_eq!(all, expected);
        assert!(queue.empty());
    });
}
