//! `Queue`, `LifoQueue`, `PriorityQueue`: Python 3.13's `queue.Queue` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::panic;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, wait_until, within};
use threadkit::queue::{GetError, PutError, TaskDoneError};
use threadkit::{LifoQueue, PriorityQueue, Queue, interrupt};

const SHORT: Duration = Duration::from_millis(30);

/// Bounds that put a `Queue` on each of its designs: 0 (unbounded) on the locked storage, 64 on
/// the lock-free ring.
const DESIGNS: [usize; 2] = [0, 64];

/// A tiny xorshift generator: deterministic per seed, good enough to vary timeouts.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Spawns `f` on a new thread with a clone of `queue`.
fn spawn_with<Q: Send + Sync + 'static, R: Send + 'static>(
    queue: &Arc<Q>,
    f: impl FnOnce(&Q) -> R + Send + 'static,
) -> thread::JoinHandle<R> {
    let queue = Arc::clone(queue);
    thread::spawn(move || f(&queue))
}

#[test]
fn fifo_lifo_and_priority_orders() {
    let fifo = Queue::new(0);
    let lifo = LifoQueue::new(0);
    let heap = PriorityQueue::new(0);
    for n in [3, 1, 4, 1, 5, 9, 2, 6] {
        fifo.put(n, None).unwrap();
        lifo.put(n, None).unwrap();
        heap.put(n, None).unwrap();
    }
    let drain = |get: &dyn Fn() -> Result<i32, GetError>| -> Vec<i32> {
        std::iter::from_fn(|| get().ok()).collect()
    };
    assert_eq!(drain(&|| fifo.get_nowait()), [3, 1, 4, 1, 5, 9, 2, 6]);
    assert_eq!(drain(&|| lifo.get_nowait()), [6, 2, 9, 5, 1, 4, 1, 3]);
    assert_eq!(drain(&|| heap.get_nowait()), [1, 1, 2, 3, 4, 5, 6, 9]);
}

#[test]
fn priority_queue_orders_tuples_by_priority_first() {
    let queue = PriorityQueue::new(0);
    queue.put((2, "b"), None).unwrap();
    queue.put((1, "z"), None).unwrap();
    queue.put((1, "a"), None).unwrap();
    assert_eq!(queue.get_nowait(), Ok((1, "a")));
    assert_eq!(queue.get_nowait(), Ok((1, "z")));
    assert_eq!(queue.get_nowait(), Ok((2, "b")));
}

#[test]
fn qsize_empty_full_and_maxsize() {
    within(|| {
        let queue = Queue::new(2);
        assert_eq!(queue.maxsize(), 2);
        assert!(queue.empty());
        assert!(!queue.full());
        queue.put('a', None).unwrap();
        assert_eq!(queue.qsize(), 1);
        assert!(!queue.empty());
        assert!(!queue.full());
        queue.put('b', None).unwrap();
        assert!(queue.full());
        assert_eq!(queue.qsize(), 2);
        queue.get(None).unwrap();
        assert!(!queue.full());

        let unbounded = Queue::default();
        assert_eq!(unbounded.maxsize(), 0);
        for n in 0..10_000 {
            unbounded.put_nowait(n).unwrap();
        }
        assert!(!unbounded.full(), "an unbounded queue is never full");
        assert_eq!(unbounded.qsize(), 10_000);
        assert!(format!("{unbounded:?}").contains("qsize: 10000"));
    });
}

#[test]
fn set_maxsize_shrinks_and_grows_the_bound() {
    within(|| {
        let queue = Queue::new(3);
        for n in 0..3 {
            queue.put_nowait(n).unwrap();
        }
        queue.set_maxsize(2);
        assert_eq!(queue.maxsize(), 2);
        assert!(
            queue.full(),
            "holding more than the new bound counts as full"
        );
        assert_eq!(queue.put_nowait(3), Err(PutError::Full(3)));
        queue.get_nowait().unwrap();
        assert!(queue.full());
        queue.set_maxsize(0);
        assert!(!queue.full());
        queue.put_nowait(3).unwrap();
        assert_eq!(queue.qsize(), 3);
    });
}

#[test]
fn lifting_the_bound_past_the_ring_keeps_items_counts_and_waiters() {
    within(|| {
        // 4 fits a ring; 5000 does not, so the queue moves to the locked design on the way.
        let queue = Arc::new(Queue::new(4));
        for n in 0..4 {
            queue.put(n, None).unwrap();
        }
        assert_eq!(queue.get_nowait(), Ok(0));
        queue.task_done().unwrap();
        queue.put(4, None).unwrap();
        let putter = spawn_with(&queue, |queue| queue.put(5, None));
        wait_until(|| queue.waiting() == 1);
        queue.set_maxsize(5000);
        assert_eq!(
            putter.join().unwrap(),
            Ok(()),
            "the blocked put moved with the queue"
        );
        assert_eq!(queue.maxsize(), 5000);
        assert_eq!((queue.qsize(), queue.unfinished_tasks()), (5, 5));
        for n in 6..=5000 {
            queue.put_nowait(n).unwrap();
        }
        assert!(queue.full());
        queue.shutdown(false);
        let drained: Vec<i32> = std::iter::from_fn(|| queue.get_nowait().ok()).collect();
        assert_eq!(drained, (1..=5000).collect::<Vec<_>>());
        assert_eq!(queue.unfinished_tasks(), 5000);
        assert!(queue.is_shutdown());
    });
}

#[test]
fn a_shut_down_ring_stays_shut_down_on_the_locked_design() {
    let queue = Queue::new(8);
    queue.put('a', None).unwrap();
    queue.shutdown(false);
    queue.set_maxsize(0);
    assert!(queue.is_shutdown());
    assert_eq!(queue.put_nowait('b'), Err(PutError::ShutDown('b')));
    assert_eq!(queue.get_nowait(), Ok('a'));
    assert_eq!(queue.get_nowait(), Err(GetError::ShutDown));
}

#[test]
fn stress_one_producer_one_consumer_through_a_small_ring() {
    within(|| {
        let total = iterations(200_000);
        let queue = Arc::new(Queue::new(8));
        let producer = spawn_with(&queue, move |queue| {
            for n in 0..total {
                queue.put(n, None).unwrap();
            }
        });
        let consumer = spawn_with(&queue, move |queue| {
            for n in 0..total {
                assert_eq!(queue.get(None), Ok(n), "FIFO order");
                queue.task_done().unwrap();
            }
        });
        producer.join().unwrap();
        consumer.join().unwrap();
        queue.join();
        assert_eq!((queue.qsize(), queue.unfinished_tasks()), (0, 0));
    });
}

#[test]
fn nowait_forms_fail_at_once_and_hand_the_item_back() {
    let queue = LifoQueue::new(1);
    assert_eq!(queue.get_nowait(), Err(GetError::Empty));
    queue.put_nowait(String::from("kept")).unwrap();
    let error = queue.put_nowait(String::from("returned")).unwrap_err();
    assert!(error.is_full() && !error.is_shut_down());
    assert_eq!(error.into_inner(), "returned");
    assert_eq!(queue.get_nowait().as_deref(), Ok("kept"));
}

#[test]
fn bounded_put_blocks_until_a_get_frees_a_slot() {
    within(|| {
        let queue = Arc::new(Queue::new(1));
        queue.put(1, None).unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let putter = {
            let done = Arc::clone(&done);
            spawn_with(&queue, move |queue| {
                queue.put(2, None).unwrap();
                done.store(true, Ordering::SeqCst);
            })
        };
        thread::sleep(SHORT);
        assert!(
            !done.load(Ordering::SeqCst),
            "put into a full queue returned"
        );
        assert_eq!(queue.get(None), Ok(1));
        putter.join().unwrap();
        assert!(done.load(Ordering::SeqCst));
        assert_eq!(queue.get(None), Ok(2));
    });
}

#[test]
fn blocked_get_wakes_on_put() {
    within(|| {
        let queue = Arc::new(PriorityQueue::new(0));
        let getters: Vec<_> = (0..3)
            .map(|_| spawn_with(&queue, |queue| queue.get(None)))
            .collect();
        thread::sleep(SHORT);
        for n in [30, 10, 20] {
            queue.put(n, None).unwrap();
        }
        let mut got: Vec<_> = getters
            .into_iter()
            .map(|g| g.join().unwrap().unwrap())
            .collect();
        got.sort();
        assert_eq!(got, [10, 20, 30]);
    });
}

#[test]
fn put_timeout_gives_full_after_at_least_the_timeout() {
    within(|| {
        let queue = Queue::new(1);
        queue.put(0, None).unwrap();
        for timeout in [Duration::ZERO, Duration::from_millis(1), SHORT] {
            let start = Instant::now();
            assert_eq!(queue.put(7, Some(timeout)), Err(PutError::Full(7)));
            assert!(
                start.elapsed() >= timeout,
                "{timeout:?} {:?}",
                start.elapsed()
            );
        }
        assert_eq!(queue.qsize(), 1);
        assert_eq!(queue.unfinished_tasks(), 1);
    });
}

#[test]
fn get_timeout_gives_empty_after_at_least_the_timeout() {
    within(|| {
        let queue = Queue::<u8>::new(0);
        for timeout in [Duration::ZERO, Duration::from_millis(1), SHORT] {
            let start = Instant::now();
            assert_eq!(queue.get(Some(timeout)), Err(GetError::Empty));
            assert!(
                start.elapsed() >= timeout,
                "{timeout:?} {:?}",
                start.elapsed()
            );
        }
    });
}

#[test]
fn huge_timeouts_wait_like_forever() {
    within(|| {
        let queue = Arc::new(Queue::new(0));
        let getter = spawn_with(&queue, |queue| queue.get(Some(Duration::MAX)));
        thread::sleep(Duration::from_millis(10));
        queue.put(5, None).unwrap();
        assert_eq!(getter.join().unwrap(), Ok(5));
    });
}

#[test]
fn task_done_and_join() {
    for maxsize in DESIGNS {
        within(move || {
            let queue = Arc::new(Queue::new(maxsize));
            for n in 0..5 {
                queue.put(n, None).unwrap();
            }
            assert_eq!(queue.unfinished_tasks(), 5);
            let joined = Arc::new(AtomicBool::new(false));
            let joiner = {
                let joined = Arc::clone(&joined);
                spawn_with(&queue, move |queue| {
                    queue.join();
                    joined.store(true, Ordering::SeqCst);
                })
            };
            for _ in 0..5 {
                queue.get(None).unwrap();
            }
            thread::sleep(Duration::from_millis(10));
            assert!(
                !joined.load(Ordering::SeqCst),
                "join returned before task_done"
            );
            for left in (0..5).rev() {
                queue.task_done().unwrap();
                assert_eq!(queue.unfinished_tasks(), left);
            }
            joiner.join().unwrap();
            assert!(joined.load(Ordering::SeqCst));
            queue.join(); // nothing unfinished: returns at once
        });
    }
}

#[test]
fn task_done_too_many_times_is_an_error() {
    for maxsize in DESIGNS {
        within(move || {
            let queue = Queue::new(maxsize);
            assert_eq!(queue.task_done(), Err(TaskDoneError));
            queue.put((), None).unwrap();
            queue.get(None).unwrap();
            assert_eq!(queue.task_done(), Ok(()));
            assert_eq!(queue.task_done(), Err(TaskDoneError));
            assert_eq!(
                TaskDoneError.to_string(),
                "task_done() called too many times"
            );
        });
    }
}

#[test]
fn join_timeout_reports_whether_all_tasks_are_done() {
    for maxsize in DESIGNS {
        within(move || {
            let queue = Arc::new(Queue::new(maxsize));
            assert!(queue.join_timeout(Duration::ZERO));
            queue.put(1, None).unwrap();
            let start = Instant::now();
            assert!(!queue.join_timeout(SHORT));
            assert!(start.elapsed() >= SHORT);
            let worker = spawn_with(&queue, |queue| {
                thread::sleep(Duration::from_millis(10));
                queue.get(None).unwrap();
                queue.task_done().unwrap();
            });
            assert!(queue.join_timeout(Duration::from_secs(10)));
            worker.join().unwrap();
        });
    }
}

#[test]
fn put_after_shutdown_fails_and_hands_the_item_back() {
    for maxsize in DESIGNS {
        within(move || {
            let queue = Queue::new(maxsize);
            assert!(!queue.is_shutdown());
            queue.shutdown(false);
            assert!(queue.is_shutdown());
            assert_eq!(queue.put("late", None), Err(PutError::ShutDown("late")));
            assert_eq!(queue.put_nowait("late"), Err(PutError::ShutDown("late")));
            assert!(queue.put("late", None).unwrap_err().is_shut_down());
            assert_eq!(queue.unfinished_tasks(), 0);
            queue.shutdown(true); // idempotent
            assert!(queue.is_shutdown());
        });
    }
}

#[test]
fn get_after_shutdown_drains_then_fails() {
    for maxsize in DESIGNS {
        within(move || {
            let queue = Queue::new(maxsize);
            queue.put(1, None).unwrap();
            queue.put(2, None).unwrap();
            queue.shutdown(false);
            assert_eq!(queue.get(None), Ok(1));
            assert_eq!(queue.get_nowait(), Ok(2));
            assert_eq!(queue.get(None), Err(GetError::ShutDown));
            assert_eq!(queue.get_nowait(), Err(GetError::ShutDown));
            assert_eq!(queue.get(Some(SHORT)), Err(GetError::ShutDown));
            // A plain shutdown does not count the drained items as done.
            assert_eq!(queue.unfinished_tasks(), 2);
        });
    }
}

#[test]
fn immediate_shutdown_drops_the_items_and_counts_them_done() {
    for maxsize in DESIGNS {
        within(move || {
            struct Counted(Arc<AtomicUsize>);
            impl Drop for Counted {
                fn drop(&mut self) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            let drops = Arc::new(AtomicUsize::new(0));
            let queue = Queue::new(maxsize);
            for _ in 0..3 {
                queue.put(Counted(Arc::clone(&drops)), None).unwrap();
            }
            queue.shutdown(true);
            assert_eq!(drops.load(Ordering::SeqCst), 3);
            assert!(queue.empty());
            assert_eq!(queue.unfinished_tasks(), 0);
            assert!(matches!(queue.get_nowait(), Err(GetError::ShutDown)));
            assert!(matches!(queue.get(None), Err(GetError::ShutDown)));
            queue.join();
        });
    }
}

#[test]
fn immediate_shutdown_keeps_tasks_already_taken_unfinished() {
    for maxsize in DESIGNS {
        within(move || {
            // As in CPython: only the dropped items count as done; one taken but not marked done
            // still holds `join`.
            let queue = Arc::new(Queue::new(maxsize));
            for n in 0..3 {
                queue.put(n, None).unwrap();
            }
            queue.get(None).unwrap();
            queue.shutdown(true);
            assert_eq!(queue.unfinished_tasks(), 1);
            assert!(!queue.join_timeout(Duration::from_millis(10)));
            queue.task_done().unwrap();
            assert!(queue.join_timeout(Duration::ZERO));
            assert_eq!(queue.task_done(), Err(TaskDoneError));
        });
    }
}

#[test]
fn immediate_shutdown_releases_blocked_joiners() {
    for maxsize in DESIGNS {
        within(move || {
            let queue = Arc::new(Queue::new(maxsize));
            for n in 0..4 {
                queue.put(n, None).unwrap();
            }
            let joiners: Vec<_> = (0..3)
                .map(|_| spawn_with(&queue, |queue| queue.join()))
                .collect();
            let timed = spawn_with(&queue, |queue| queue.join_timeout(Duration::from_secs(10)));
            thread::sleep(SHORT);
            queue.shutdown(false);
            thread::sleep(Duration::from_millis(10));
            assert!(!timed.is_finished(), "a plain shutdown released join");
            queue.shutdown(true);
            for joiner in joiners {
                joiner.join().unwrap();
            }
            assert!(timed.join().unwrap());
        });
    }
}

#[test]
fn shutdown_wakes_every_blocked_getter() {
    for immediate in [false, true] {
        within(move || {
            let queue = Arc::new(LifoQueue::<u32>::new(0));
            let getters: Vec<_> = (0..4)
                .map(|i| {
                    spawn_with(&queue, move |queue| {
                        let timeout = (i % 2 == 0).then_some(Duration::from_secs(10));
                        queue.get(timeout)
                    })
                })
                .collect();
            thread::sleep(SHORT);
            queue.shutdown(immediate);
            for getter in getters {
                assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
            }
        });
    }
}

#[test]
fn shutdown_wakes_every_blocked_putter_with_its_item() {
    for immediate in [false, true] {
        within(move || {
            let queue = Arc::new(Queue::new(1));
            queue.put(0, None).unwrap();
            let putters: Vec<_> = (1..=4)
                .map(|n| {
                    spawn_with(&queue, move |queue| {
                        let timeout = (n % 2 == 0).then_some(Duration::from_secs(10));
                        queue.put(n, timeout)
                    })
                })
                .collect();
            thread::sleep(SHORT);
            queue.shutdown(immediate);
            for (n, putter) in (1..=4).zip(putters) {
                assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown(n)));
            }
            let expected = if immediate {
                Err(GetError::ShutDown)
            } else {
                Ok(0)
            };
            assert_eq!(queue.get_nowait(), expected);
        });
    }
}

#[test]
fn blocked_getter_after_shutdown_still_gets_remaining_items_first() {
    for maxsize in DESIGNS {
        within(move || {
            let queue = Arc::new(Queue::new(maxsize));
            let getter = spawn_with(&queue, |queue| {
                let first = queue.get(None);
                (first, queue.get(None))
            });
            thread::sleep(SHORT);
            queue.put(1, None).unwrap();
            wait_until(|| queue.empty());
            queue.put(2, None).unwrap();
            queue.shutdown(false);
            let (first, second) = getter.join().unwrap();
            assert_eq!(first, Ok(1));
            // 2 was put before the shutdown: the getter drains it, CPython does the same.
            assert_eq!(second, Ok(2));
            assert_eq!(queue.get(None), Err(GetError::ShutDown));
        });
    }
}

#[test]
fn error_texts() {
    assert_eq!(PutError::Full(()).to_string(), "put on a full queue");
    assert_eq!(
        PutError::ShutDown(()).to_string(),
        "put on a shut-down queue"
    );
    assert_eq!(format!("{:?}", PutError::Full(vec![1])), "Full(..)");
    assert_eq!(GetError::Empty.to_string(), "get from an empty queue");
    assert_eq!(GetError::ShutDown.to_string(), "get from a shut-down queue");
}

struct Interrupted;
fn interrupt_now() {
    panic::resume_unwind(Box::new(Interrupted));
}

#[test]
fn interrupted_get_unwinds_and_loses_no_item() {
    for maxsize in DESIGNS {
        within(move || {
            let queue = Arc::new(Queue::new(maxsize));
            let getter = spawn_with(&queue, |queue| {
                interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
                let outcome = panic::catch_unwind(panic::AssertUnwindSafe(|| queue.get(None)));
                interrupt::set_check(None);
                outcome.unwrap_err().is::<Interrupted>()
            });
            assert!(getter.join().unwrap());
            // A second, patient getter is still woken by the next put: no stale wait-list state.
            let patient = spawn_with(&queue, |queue| queue.get(None));
            thread::sleep(Duration::from_millis(10));
            queue.put(42, None).unwrap();
            assert_eq!(patient.join().unwrap(), Ok(42));
            assert!(queue.empty());
        });
    }
}

#[test]
fn interrupted_put_keeps_the_queue_consistent() {
    within(|| {
        let queue = Arc::new(Queue::new(1));
        queue.put(1, None).unwrap();
        let putter = spawn_with(&queue, |queue| {
            interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
            let outcome = panic::catch_unwind(panic::AssertUnwindSafe(|| queue.put(2, None)));
            interrupt::set_check(None);
            outcome.unwrap_err().is::<Interrupted>()
        });
        assert!(putter.join().unwrap());
        assert_eq!(queue.qsize(), 1);
        assert_eq!(queue.unfinished_tasks(), 1);
        assert_eq!(queue.get(None), Ok(1));
        assert_eq!(queue.get_nowait(), Err(GetError::Empty));
    });
}

#[test]
fn interrupt_check_that_returns_lets_the_get_continue() {
    static CHECKS: AtomicUsize = AtomicUsize::new(0);
    fn count() {
        CHECKS.fetch_add(1, Ordering::SeqCst);
    }
    within(|| {
        let queue = Arc::new(Queue::new(0));
        let getter = spawn_with(&queue, |queue| {
            interrupt::set_check(Some((count, Duration::from_millis(2))));
            let item = queue.get(Some(Duration::from_secs(10)));
            interrupt::set_check(None);
            item
        });
        wait_until(|| CHECKS.load(Ordering::SeqCst) >= 3);
        queue.put('x', None).unwrap();
        assert_eq!(getter.join().unwrap(), Ok('x'));
    });
}

/// Producers and consumers with random timeouts on a small bounded queue: every item is received
/// exactly once, and `join` sees every `task_done`.
#[test]
fn stress_every_item_received_exactly_once_with_random_timeouts() {
    within(|| {
        const PRODUCERS: usize = 4;
        const CONSUMERS: usize = 4;
        let per_producer = iterations(20_000);
        let total = PRODUCERS * per_producer;
        let queue = Arc::new(Queue::new(4));
        let received = Arc::new(AtomicUsize::new(0));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                spawn_with(&queue, move |queue| {
                    let mut rng = Rng(p as u64 * 7919 + 1);
                    for n in 0..per_producer {
                        let mut item = p * per_producer + n;
                        loop {
                            let timeout = match rng.below(4) {
                                0 => None,
                                1 => Some(Duration::ZERO),
                                _ => Some(Duration::from_micros(rng.below(200))),
                            };
                            match queue.put(item, timeout) {
                                Ok(()) => break,
                                Err(PutError::Full(back)) => item = back,
                                Err(PutError::ShutDown(_)) => panic!("not shut down"),
                            }
                        }
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|c| {
                let received = Arc::clone(&received);
                spawn_with(&queue, move |queue| {
                    let mut rng = Rng(c as u64 * 104_729 + 3);
                    let mut mine = Vec::new();
                    while received.load(Ordering::SeqCst) < total {
                        let timeout = match rng.below(3) {
                            0 => Some(Duration::ZERO),
                            _ => Some(Duration::from_micros(rng.below(500))),
                        };
                        match queue.get(timeout) {
                            Ok(item) => {
                                mine.push(item);
                                received.fetch_add(1, Ordering::SeqCst);
                                queue.task_done().unwrap();
                            }
                            Err(GetError::Empty) => {}
                            Err(GetError::ShutDown) => panic!("not shut down"),
                        }
                    }
                    mine
                })
            })
            .collect();
        queue.join();
        for producer in producers {
            producer.join().unwrap();
        }
        let mut all: Vec<usize> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..total).collect::<Vec<_>>());
        assert!(queue.empty());
        assert_eq!(queue.unfinished_tasks(), 0);
    });
}

/// Blocking producers and consumers end by shutdown: consumers drain what was put, then stop.
#[test]
fn stress_shutdown_drains_every_item_to_blocked_consumers() {
    within(|| {
        const PRODUCERS: usize = 4;
        const CONSUMERS: usize = 4;
        let per_producer = iterations(20_000);
        let queue = Arc::new(LifoQueue::new(8));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                spawn_with(&queue, move |queue| {
                    for n in 0..per_producer {
                        queue.put(p * per_producer + n, None).unwrap();
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|_| {
                spawn_with(&queue, |queue| {
                    let mut mine = Vec::new();
                    loop {
                        match queue.get(None) {
                            Ok(item) => mine.push(item),
                            Err(GetError::ShutDown) => return mine,
                            Err(GetError::Empty) => panic!("no timeout was given"),
                        }
                    }
                })
            })
            .collect();
        for producer in producers {
            producer.join().unwrap();
        }
        queue.shutdown(false);
        let mut all: Vec<usize> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..PRODUCERS * per_producer).collect::<Vec<_>>());
    });
}

thread_local! {
    static CHECKS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// An interrupt check that lets most slices pass and unwinds on every third one.
fn sometimes_interrupt() {
    let calls = CHECKS.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    if calls.is_multiple_of(3) {
        panic::resume_unwind(Box::new(Interrupted));
    }
}

/// Producers and consumers whose waits are sliced by an interrupt check that sometimes unwinds:
/// an interrupted `put` did not put its item (it is retried), an interrupted `get` took none, so
/// every item is still received exactly once.
#[test]
fn stress_interrupted_waits_lose_and_duplicate_nothing() {
    within(|| {
        const PRODUCERS: usize = 4;
        const CONSUMERS: usize = 4;
        let per_producer = iterations(10_000);
        let total = PRODUCERS * per_producer;
        let queue = Arc::new(Queue::new(2));
        let received = Arc::new(AtomicUsize::new(0));
        let interrupts = Arc::new(AtomicUsize::new(0));
        let period = Some((sometimes_interrupt as fn(), Duration::from_micros(20)));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let interrupts = Arc::clone(&interrupts);
                spawn_with(&queue, move |queue| {
                    interrupt::set_check(period);
                    for n in 0..per_producer {
                        if n % 128 == 0 {
                            // Pauses make consumers wait long enough to be interrupted.
                            thread::sleep(Duration::from_micros(300));
                        }
                        let item = p * per_producer + n;
                        while panic::catch_unwind(|| queue.put(item, None).unwrap()).is_err() {
                            interrupts.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    interrupt::set_check(None);
                })
            })
            .collect();
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|_| {
                let (received, interrupts) = (Arc::clone(&received), Arc::clone(&interrupts));
                spawn_with(&queue, move |queue| {
                    interrupt::set_check(period);
                    let mut mine = Vec::new();
                    while received.load(Ordering::SeqCst) < total {
                        let timeout = Some(Duration::from_millis(5));
                        match panic::catch_unwind(|| queue.get(timeout)) {
                            Ok(Ok(item)) => {
                                mine.push(item);
                                received.fetch_add(1, Ordering::SeqCst);
                                if mine.len() % 128 == 0 {
                                    // And producers wait on a full queue.
                                    thread::sleep(Duration::from_micros(300));
                                }
                            }
                            Ok(Err(GetError::Empty)) => {}
                            Ok(Err(GetError::ShutDown)) => panic!("not shut down"),
                            Err(_) => {
                                interrupts.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    interrupt::set_check(None);
                    mine
                })
            })
            .collect();
        for producer in producers {
            producer.join().unwrap();
        }
        let mut all: Vec<usize> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..total).collect::<Vec<_>>());
        assert_eq!(queue.unfinished_tasks(), total);
        assert!(queue.empty());
        // Not asserted: how many waits were interrupted depends on scheduling.
        let _ = interrupts.load(Ordering::Relaxed);
    });
}

#[test]
fn hand_over_takes_everything_and_releases_every_caller() {
    within(|| {
        let queue = Arc::new(Queue::new(2));
        queue.put('a', None).unwrap();
        queue.put('b', None).unwrap();
        assert_eq!(queue.get(None), Ok('a'));
        queue.put('c', None).unwrap();
        // Whether they have parked yet or not, each caller ends the same way.
        let putter = spawn_with(&queue, |queue| queue.put('d', None));
        let joiner = spawn_with(&queue, |queue| queue.join());
        let hand_over = queue.hand_over();
        assert_eq!(hand_over.items, ['b', 'c']);
        assert_eq!(hand_over.unfinished_tasks, 3);
        assert!(!hand_over.was_shutdown);
        assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown('d')));
        joiner.join().unwrap();
        let getter = spawn_with(&queue, |queue| queue.get(None));
        assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
        assert_eq!(queue.task_done(), Err(TaskDoneError));
        assert_eq!((queue.qsize(), queue.unfinished_tasks()), (0, 0));
        assert!(queue.hand_over().was_shutdown);
    });
}
