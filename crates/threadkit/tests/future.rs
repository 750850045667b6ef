//! `Future`: `concurrent.futures.Future`'s state machine, results, callbacks and errors.
#![cfg(not(threadkit_loom))]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, wait_until, within};
use threadkit::futures::{Future, FutureError, InvalidStateError, UnexpectedStateError, WaitError};

type F = Future<i32, String>;

#[test]
fn futures_are_unwind_safe() {
    fn unwind_safe<T: std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    unwind_safe::<F>();
    unwind_safe::<Future<u8>>();
}

#[test]
fn pending_running_finished() {
    let future = F::new();
    assert!(!future.running() && !future.done() && !future.cancelled());
    assert_eq!(future.set_running_or_notify_cancel(), Ok(true));
    assert!(future.running() && !future.done());
    future.set_result(7).unwrap();
    assert!(!future.running() && future.done() && !future.cancelled());
    assert_eq!(future.result(None), Ok(7));
    assert_eq!(future.result_ref(Some(Duration::ZERO)), Ok(&7));
    assert_eq!(future.exception(None), Ok(None));
}

#[test]
fn set_result_straight_from_pending() {
    let future = F::new();
    future.set_result(1).unwrap();
    assert_eq!(future.result(Some(Duration::ZERO)), Ok(1));
}

#[test]
fn failure_is_returned_and_reported_by_exception() {
    let future = F::new();
    future.set_exception("bad".into()).unwrap();
    assert!(future.done());
    assert_eq!(future.result(None), Err(FutureError::Failed("bad".into())));
    assert_eq!(future.exception(None), Ok(Some("bad".into())));
    assert_eq!(
        future.result_ref(None),
        Err(FutureError::Failed(&"bad".to_owned()))
    );
}

#[test]
fn result_times_out_after_at_least_the_timeout() {
    let future = F::new();
    for timeout in [
        Duration::ZERO,
        Duration::from_millis(1),
        Duration::from_millis(30),
    ] {
        let start = Instant::now();
        assert_eq!(future.result(Some(timeout)), Err(FutureError::Timeout));
        assert!(start.elapsed() >= timeout);
        assert_eq!(future.exception(Some(timeout)), Err(WaitError::Timeout));
    }
    future.set_result(3).unwrap();
    assert_eq!(future.result(Some(Duration::ZERO)), Ok(3));
}

#[test]
fn cancel_pending_future() {
    let future = F::new();
    assert!(future.cancel());
    assert!(future.cancel(), "cancelling again still answers true");
    assert!(future.cancelled() && future.done() && !future.running());
    assert_eq!(future.result(None), Err(FutureError::Cancelled));
    assert_eq!(future.exception(None), Err(WaitError::Cancelled));
    assert_eq!(future.set_running_or_notify_cancel(), Ok(false));
    assert!(future.cancelled() && future.done());
    assert_eq!(
        future.set_running_or_notify_cancel(),
        Err(UnexpectedStateError)
    );
    assert_eq!(
        UnexpectedStateError.to_string(),
        "Future in unexpected state"
    );
}

#[test]
fn running_or_finished_future_cannot_be_cancelled() {
    let future = F::new();
    future.set_running_or_notify_cancel().unwrap();
    assert!(!future.cancel());
    assert!(future.running());
    assert_eq!(
        future.set_running_or_notify_cancel(),
        Err(UnexpectedStateError)
    );
    future.set_result(1).unwrap();
    assert!(!future.cancel());
    assert_eq!(future.result(None), Ok(1));
}

#[test]
fn second_set_is_an_invalid_state_error_with_cpythons_message() {
    let future = F::new();
    future.set_result(5).unwrap();
    let error: InvalidStateError = future.set_result(6).unwrap_err();
    assert_eq!(error.state, "FINISHED");
    let message = error.to_string();
    assert!(message.starts_with("FINISHED: <Future at 0x"), "{message}");
    assert!(
        message.ends_with("state=finished returned i32>"),
        "{message}"
    );
    assert!(future.set_exception("x".into()).is_err());
    assert_eq!(future.result(None), Ok(5), "the first value stays");

    let failed = F::new();
    failed.set_exception("x".into()).unwrap();
    let message = failed.set_result(1).unwrap_err().to_string();
    assert!(
        message.ends_with("state=finished raised String>"),
        "{message}"
    );

    let cancelled = F::new();
    cancelled.cancel();
    let error = cancelled.set_result(1).unwrap_err();
    assert_eq!(error.state, "CANCELLED");
    assert!(error.to_string().starts_with("CANCELLED: <Future at 0x"));
    cancelled.set_running_or_notify_cancel().unwrap();
    assert_eq!(
        cancelled.set_exception("y".into()).unwrap_err().state,
        "CANCELLED_AND_NOTIFIED"
    );
}

#[test]
fn display_is_cpythons_repr() {
    let future = F::new();
    assert!(future.to_string().ends_with("state=pending>"));
    future.set_running_or_notify_cancel().unwrap();
    assert!(future.to_string().ends_with("state=running>"));
    let cancelled = F::new();
    cancelled.cancel();
    assert!(format!("{cancelled:?}").ends_with("state=cancelled>"));
}

#[test]
fn blocked_result_wakes_when_another_thread_sets_it() {
    within(|| {
        let future = F::new();
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                let future = future.clone();
                thread::spawn(move || future.result(None))
            })
            .collect();
        thread::sleep(Duration::from_millis(20));
        future.set_result(11).unwrap();
        for waiter in waiters {
            assert_eq!(waiter.join().unwrap(), Ok(11));
        }
    });
}

#[test]
fn blocked_result_wakes_on_cancel() {
    within(|| {
        let future = F::new();
        let waiter = {
            let future = future.clone();
            thread::spawn(move || future.result(None))
        };
        thread::sleep(Duration::from_millis(20));
        assert!(future.cancel());
        assert_eq!(waiter.join().unwrap(), Err(FutureError::Cancelled));
    });
}

#[test]
fn callbacks_run_in_order_and_a_panicking_one_does_not_stop_the_others() {
    let future = F::new();
    let order = Arc::new(Mutex::new(Vec::new()));
    for n in 0..5 {
        let order = Arc::clone(&order);
        future.add_done_callback(move |future| {
            order
                .lock()
                .unwrap()
                .push((n, future.result(None).unwrap()));
            if n == 2 {
                panic!("callback {n} fails");
            }
        });
    }
    assert!(
        order.lock().unwrap().is_empty(),
        "callbacks ran before completion"
    );
    future.set_result(9).unwrap();
    let order = order.lock().unwrap().clone();
    assert_eq!(order, (0..5).map(|n| (n, 9)).collect::<Vec<_>>());
}

#[test]
fn callbacks_run_in_the_completing_thread() {
    within(|| {
        let future = F::new();
        let (tx, rx) = mpsc::channel();
        future.add_done_callback(move |_| tx.send(thread::current().id()).unwrap());
        let completer = {
            let future = future.clone();
            thread::spawn(move || {
                future.set_result(1).unwrap();
                thread::current().id()
            })
        };
        let completer = completer.join().unwrap();
        assert_eq!(rx.recv().unwrap(), completer);
    });
}

#[test]
fn callback_on_a_done_future_runs_at_once_in_the_caller() {
    let future = F::new();
    future.set_result(2).unwrap();
    let ran = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&ran);
    future.add_done_callback(move |future| {
        *seen.lock().unwrap() = Some((thread::current().id(), future.result(None)));
    });
    assert_eq!(*ran.lock().unwrap(), Some((thread::current().id(), Ok(2))));
}

#[test]
fn cancel_runs_the_callbacks() {
    let future = F::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    future.add_done_callback(move |future| {
        assert!(future.cancelled());
        seen.fetch_add(1, Ordering::SeqCst);
    });
    future.cancel();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    future.set_running_or_notify_cancel().unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "notifying does not call them again"
    );
}

#[test]
fn stress_set_against_cancel_against_result() {
    within(|| {
        for _ in 0..iterations(2000) {
            let future = F::new();
            let calls = Arc::new(AtomicUsize::new(0));
            let seen = Arc::clone(&calls);
            future.add_done_callback(move |_| {
                seen.fetch_add(1, Ordering::SeqCst);
            });
            let threads: Vec<_> = (0..8)
                .map(|n| {
                    let future = future.clone();
                    thread::spawn(move || match n % 4 {
                        0 => {
                            if future.set_running_or_notify_cancel() == Ok(true) {
                                future.set_result(1).unwrap();
                            }
                            None
                        }
                        1 => Some(future.cancel()),
                        _ => {
                            let outcome = future.result(None);
                            assert!(matches!(outcome, Ok(1) | Err(FutureError::Cancelled)));
                            None
                        }
                    })
                })
                .collect();
            for thread in threads {
                thread.join().unwrap();
            }
            assert!(future.done());
            wait_until(|| calls.load(Ordering::SeqCst) == 1);
            assert_eq!(future.cancelled(), future.result(None).is_err());
        }
    });
}

#[test]
fn notified_callbacks_run_before_done_callbacks_and_at_once_when_already_notified() {
    let future: Future<u8, ()> = Future::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::clone(&log);
    future.add_done_callback(move |_| done.lock().unwrap().push("done"));
    let notified = Arc::clone(&log);
    future.add_notified_callback(move |_| notified.lock().unwrap().push("notified"));
    future.set_result(1).unwrap();
    assert_eq!(*log.lock().unwrap(), ["notified", "done"]);
    let late = Arc::clone(&log);
    future.add_notified_callback(move |future| {
        late.lock()
            .unwrap()
            .push(if future.done() { "late" } else { "?" })
    });
    assert_eq!(*log.lock().unwrap(), ["notified", "done", "late"]);
}

/// Neither `Clone` nor `Copy`: only moving it out of its future gives it back.
#[derive(Debug, PartialEq)]
struct Owned(Box<i32>);

#[test]
fn into_result_moves_the_value_out_of_the_last_handle() {
    let future: Future<Owned, String> = Future::new();
    let setter = future.clone();
    thread::spawn(move || setter.set_result(Owned(Box::new(5))).unwrap())
        .join()
        .unwrap();
    assert_eq!(future.into_result(None), Some(Ok(Owned(Box::new(5)))));

    let failed: Future<Owned, String> = Future::new();
    failed.set_exception("moved".to_owned()).unwrap();
    assert_eq!(
        failed.into_result(None),
        Some(Err(FutureError::Failed("moved".to_owned())))
    );
}

#[test]
fn into_result_gives_none_while_another_handle_or_a_listener_may_read() {
    let future: Future<Owned, String> = Future::new();
    future.set_result(Owned(Box::new(1))).unwrap();
    let other = future.clone();
    assert_eq!(future.into_result(None), None);
    // The value stayed for the other handle, which is the last one now.
    assert_eq!(other.result_ref(None), Ok(&Owned(Box::new(1))));
    assert_eq!(other.into_result(None), Some(Ok(Owned(Box::new(1)))));

    let listened: Future<Owned, String> = Future::new();
    listened.add_done_callback(|_| {});
    listened.set_result(Owned(Box::new(2))).unwrap();
    assert_eq!(listened.into_result(None), None);
}

#[test]
fn into_result_reports_a_timeout_or_a_cancellation() {
    let pending: Future<Owned, String> = Future::new();
    assert_eq!(
        pending.into_result(Some(Duration::from_millis(1))),
        Some(Err(FutureError::Timeout))
    );
    let cancelled: Future<Owned, String> = Future::new();
    assert!(cancelled.cancel());
    assert_eq!(
        cancelled.into_result(None),
        Some(Err(FutureError::Cancelled))
    );
}
