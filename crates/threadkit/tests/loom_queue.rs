//! Loom models of the queues: blocking put/get hand-off without lost wake-ups, `join`,
//! `shutdown` waking blocked callers, and `SimpleQueue`'s parked getter.
#![cfg(threadkit_loom)]

use loom::sync::Arc;
use loom::thread;
use threadkit::Queue;
use threadkit::queue::{GetError, PutError};

#[test]
fn capacity_one_hands_two_items_over_in_order() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(1));
        let producer = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                // The second put blocks until the consumer took the first item.
                queue.put(1, None).unwrap();
                queue.put(2, None).unwrap();
            })
        };
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
        let worker = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                queue.get(None).unwrap();
                queue.task_done().unwrap();
            })
        };
        queue.join();
        assert_eq!(queue.unfinished_tasks(), 0);
        worker.join().unwrap();
    });
}

#[test]
fn shutdown_wakes_a_blocked_getter() {
    loom::model(|| {
        let queue = Arc::new(Queue::<u8>::new(0));
        let getter = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.get(None))
        };
        queue.shutdown(false);
        assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
    });
}

#[test]
fn shutdown_wakes_a_blocked_putter() {
    loom::model(|| {
        let queue = Arc::new(Queue::new(1));
        queue.put(0, None).unwrap();
        let putter = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.put(1, None))
        };
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
        let putter = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.put(2, None))
        };
        let joiner = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.join())
        };
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
        let getter = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.get(None))
        };
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
            .map(|_| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || queue.get(None).unwrap())
            })
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
            .map(|_| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || queue.get(None).unwrap())
            })
            .collect();
        queue.put(1u8);
        queue.put(2);
        let mut got: Vec<u8> = getters.into_iter().map(|g| g.join().unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
    });
}
