//! Loom model of `Future`: set_result against cancel against a blocked result, and the waiter
//! `wait` registers.
#![cfg(threadkit_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use threadkit::futures::{Future, FutureError, ReturnWhen, wait};

type F = Future<u32, ()>;

#[test]
fn result_wakes_on_set_result() {
    loom::model(|| {
        let future = F::new();
        let setter = {
            let future = future.clone();
            thread::spawn(move || future.set_result(1).unwrap())
        };
        // Blocks until set: a lost wake-up deadlocks the model.
        assert_eq!(future.result(None), Ok(1));
        setter.join().unwrap();
    });
}

#[test]
fn set_result_races_cancel_and_a_waiter_sees_the_winner() {
    loom::model(|| {
        let future = F::new();
        let setter = {
            let future = future.clone();
            thread::spawn(move || {
                if future.set_running_or_notify_cancel() == Ok(true) {
                    future.set_result(7).unwrap();
                    true
                } else {
                    false
                }
            })
        };
        let canceller = {
            let future = future.clone();
            thread::spawn(move || future.cancel())
        };
        let outcome = future.result(None);
        let ran = setter.join().unwrap();
        let cancelled = canceller.join().unwrap();
        assert!(ran != cancelled, "exactly one of run and cancel wins");
        if ran {
            assert_eq!(outcome, Ok(7));
        } else {
            assert_eq!(outcome, Err(FutureError::Cancelled));
        }
    });
}

#[test]
fn callback_registered_during_completion_runs_once() {
    loom::model(|| {
        let future = F::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let setter = {
            let future = future.clone();
            thread::spawn(move || future.set_result(1).unwrap())
        };
        let seen = Arc::clone(&calls);
        future.add_done_callback(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        setter.join().unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn wait_all_completed_wakes_on_the_last_completion() {
    loom::model(|| {
        let futures = [F::new(), F::new()];
        let setters: Vec<_> = futures
            .iter()
            .map(|future| {
                let future = future.clone();
                thread::spawn(move || future.set_result(0).unwrap())
            })
            .collect();
        let outcome = wait(&futures, None, ReturnWhen::AllCompleted);
        assert_eq!(outcome.done.len(), 2);
        for setter in setters {
            setter.join().unwrap();
        }
    });
}
