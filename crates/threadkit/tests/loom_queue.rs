//! Loom models of the queues: blocking put/get hand-off without lost wake-ups, `join`,
//! `shutdown` waking blocked callers, and `SimpleQueue`'s parked getter; for a bounded `Queue`'s
//! lock-free ring, its puts against `shutdown(immediate)`, `hand_over` and the move to the locked
//! design, and `task_done` against the put whose count it takes.
//!
//! `Queue::new(n)` with `n` from 1 to 4096 runs on the ring, `Queue::new(0)` on the locked design.
//! The ring's items live in a crossbeam `ArrayQueue`, which loom does not instrument: each push or
//! pop is one step of the model, and what it explores is the gate, the counts and the wait lists
//! around them.
#![cfg(threadkit_loom)]

use loom::sync::Arc;
use loom::thread;
use threadkit::Queue;
use threadkit::queue::{GetError, PutError};

/// Spawns `f` on a new model thread with a clone of `queue`.
fn spawn_with<Q: Send + Sync + 'static, R: Send + 'static>(
    queue: &Arc<Q>,
    f: impl FnOnce(&Q) -> R + Send + 'static,
) -> thread::JoinHandle<R> {
    let queue = Arc::clone(queue);
    thread::spawn(move || f(&queue))
}

#[test]
fn capacity_one_hands_two_items_over_in_order() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(1));
        let producer = spawn_with(&queue, move |queue| {
            // The second put blocks until the consumer took the first item.
            queue.put(1, None).unwrap();
            queue.put(2, None).unwrap();
        });
        // A lost wake-up on either side deadlocks the model.
        assert_eq!(queue.get(None), Ok(1));
        assert_eq!(queue.get(None), Ok(2));
        producer.join().unwrap();
        assert!(queue.empty());
    });
}

#[test]
fn join_waits_for_task_done() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(0));
        queue.put((), None).unwrap();
        let worker = spawn_with(&queue, move |queue| {
            queue.get(None).unwrap();
            queue.task_done().unwrap();
        });
        queue.join();
        assert_eq!(queue.unfinished_tasks(), 0);
        worker.join().unwrap();
    });
}

#[test]
fn shutdown_wakes_a_blocked_getter() {
    loom::model(|| {
        let queue = Arc::new(Queue::<u8>::new(0));
        let getter = spawn_with(&queue, move |queue| queue.get(None));
        queue.shutdown(false);
        assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
    });
}

#[test]
fn shutdown_wakes_a_blocked_putter() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(1));
        queue.put(0, None).unwrap();
        let putter = spawn_with(&queue, move |queue| queue.put(1, None));
        queue.shutdown(true);
        assert_eq!(putter.join().unwrap().unwrap_err().into_inner(), 1);
        assert_eq!(queue.get(None), Err(GetError::ShutDown));
    });
}

#[test]
fn hand_over_loses_nothing_a_racing_putter_or_joiner_does() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(1));
        queue.put(1, None).unwrap();
        let putter = spawn_with(&queue, move |queue| queue.put(2, None));
        let joiner = spawn_with(&queue, move |queue| queue.join());
        let hand_over = queue.hand_over();
        // The blocked put fails and hands its item back; the join returns: every item is
        // either handed over or back with its putter, and counted once.
        assert_eq!(hand_over.items, [1]);
        assert_eq!(hand_over.unfinished_tasks, 1);
        assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown(2)));
        joiner.join().unwrap();
    });
}

#[test]
fn simple_queue_put_wakes_a_blocked_getter() {
    // The items live in a crossbeam `SegQueue`, which loom does not instrument; what this model
    // explores is the getter's registration against the putter's check for parked getters.
    loom::model(|| {
        let queue = Arc::new(threadkit::SimpleQueue::new());
        let getter = spawn_with(&queue, move |queue| queue.get(None));
        queue.put(7);
        assert_eq!(getter.join().unwrap(), Ok(7));
        assert!(queue.empty());
    });
}

#[test]
fn two_blocked_getters_are_both_woken_by_two_puts() {
    // A notifier takes the thread it unparks off the wait list's count: a second put must still
    // find, and wake, the second getter, whether or not the first one has run again yet.
    loom::model(|| {
        let queue = Arc::new(Queue::new(0));
        let getters: Vec<_> = (0..2)
            .map(|_| spawn_with(&queue, move |queue| queue.get(None).unwrap()))
            .collect();
        queue.put(1, None).unwrap();
        queue.put(2, None).unwrap();
        let mut got: Vec<u8> = getters.into_iter().map(|g| g.join().unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
    });
}

#[test]
fn simple_queue_two_blocked_getters_are_both_woken() {
    loom::model(|| {
        let queue = Arc::new(threadkit::SimpleQueue::new());
        let getters: Vec<_> = (0..2)
            .map(|_| spawn_with(&queue, move |queue| queue.get(None).unwrap()))
            .collect();
        queue.put(1u8);
        queue.put(2);
        let mut got: Vec<u8> = getters.into_iter().map(|g| g.join().unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
    });
}

#[test]
fn ring_put_against_immediate_shutdown_lands_no_item_after_the_drain() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(2));
        let putter = spawn_with(&queue, move |queue| queue.put(1, None));
        queue.shutdown(true);
        let put = putter.join().unwrap();
        // Either the put came first and the drain dropped its item (counting it done), or it
        // came after and failed: in both cases nothing is left, and nothing is unfinished.
        assert!(
            matches!(put, Ok(()) | Err(PutError::ShutDown(1))),
            "{put:?}"
        );
        assert_eq!(queue.get_nowait(), Err(GetError::ShutDown));
        assert_eq!(queue.unfinished_tasks(), 0);
        assert!(queue.empty());
    });
}

#[test]
fn ring_getter_sees_an_item_put_before_a_plain_shutdown() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(2));
        let putter = spawn_with(&queue, move |queue| queue.put(1, None).is_ok());
        let getter = spawn_with(&queue, move |queue| queue.get(None));
        queue.shutdown(false);
        let put = putter.join().unwrap();
        let got = getter.join().unwrap();
        // A getter fails with ShutDown only once the queue is empty for good: a put that
        // succeeded came before the shutdown, so its item is what the getter got.
        match got {
            Ok(item) => assert!(put && item == 1),
            Err(GetError::ShutDown) => assert!(!put),
            Err(GetError::Empty) => unreachable!("no timeout"),
        }
        assert_eq!(queue.get_nowait(), Err(GetError::ShutDown));
    });
}

#[test]
fn ring_task_done_never_runs_before_its_puts_count() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(1));
        let worker = spawn_with(&queue, move |queue| {
            queue.get(None).unwrap();
            // The put may not have counted the item yet: this must wait for it, not fail.
            queue.task_done()
        });
        queue.put((), None).unwrap();
        queue.join();
        assert_eq!(worker.join().unwrap(), Ok(()));
        assert_eq!(queue.unfinished_tasks(), 0);
        assert!(queue.task_done().is_err());
    });
}

#[test]
fn ring_put_and_get_against_hand_over_lose_and_duplicate_nothing() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(2));
        queue.put(1, None).unwrap();
        let putter = spawn_with(&queue, move |queue| queue.put(2, None));
        let getter = spawn_with(&queue, move |queue| queue.get_nowait());
        let hand_over = queue.hand_over();
        let put = putter.join().unwrap();
        let got = getter.join().unwrap();
        let mut seen = hand_over.items.clone();
        seen.extend(got.ok());
        let put_done = match put {
            Ok(()) => true,
            Err(error) => {
                assert!(error.is_shut_down());
                seen.push(error.into_inner());
                false
            }
        };
        seen.sort_unstable();
        assert_eq!(seen, [1, 2]);
        // Gets take no count: the hand-over carries one per put that happened before it.
        assert_eq!(hand_over.unfinished_tasks, 1 + usize::from(put_done));
        assert!(!hand_over.was_shutdown);
        assert_eq!(queue.get_nowait(), Err(GetError::ShutDown));
        assert_eq!(queue.unfinished_tasks(), 0);
    });
}

#[test]
fn ring_blocked_put_moves_with_the_queue_when_the_bound_is_lifted() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(1));
        queue.put(1, None).unwrap();
        let putter = {
            let queue = Arc::clone(&queue);
            // Full: blocks on the ring until the bound is lifted.
            thread::spawn(move || queue.put(2, None))
        };
        queue.set_maxsize(0);
        assert_eq!(putter.join().unwrap(), Ok(()));
        assert_eq!(queue.get_nowait(), Ok(1));
        assert_eq!(queue.get_nowait(), Ok(2));
        assert_eq!(queue.unfinished_tasks(), 2);
    });
}

#[test]
fn ring_get_against_the_move_to_the_locked_design_keeps_the_order() {
    // The move pops the ring's items one by one; a getter popping among them would take a later
    // item before the earlier ones reach the locked queue.
    loom::model(|| {
        let queue = Arc::new(Queue::new(2));
        queue.put(1, None).unwrap();
        queue.put(2, None).unwrap();
        let getter = spawn_with(&queue, move |queue| queue.get(None));
        queue.set_maxsize(0);
        assert_eq!(getter.join().unwrap(), Ok(1));
        assert_eq!(queue.get_nowait(), Ok(2));
    });
}

#[test]
fn ring_get_against_immediate_shutdown_never_skips_a_dropped_item() {
    // The drop pops the ring's items one by one; a getter among them would return item 2 after
    // item 1 was dropped.
    loom::model(|| {
        let queue = Arc::new(Queue::new(2));
        queue.put(1, None).unwrap();
        queue.put(2, None).unwrap();
        let getter = spawn_with(&queue, move |queue| queue.get(None));
        queue.shutdown(true);
        let got = getter.join().unwrap();
        assert!(matches!(got, Ok(1) | Err(GetError::ShutDown)), "{got:?}");
        assert_eq!(queue.get_nowait(), Err(GetError::ShutDown));
    });
}
