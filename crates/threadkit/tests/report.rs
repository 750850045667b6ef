//! The futures report hook: panicking callbacks, failed initializers, and failed futures nobody
//! observed — reported exactly once, and never once observed.
#![cfg(not(threadkit_loom))]

mod common;

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use common::{wait_until, within};
use threadkit::futures::{
    self, Future, FutureError, PanicError, Report, ReturnWhen, TaskError, ThreadPoolExecutor,
    as_completed, wait,
};

/// One report, as the hook saw it.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Callback {
        future: String,
        message: String,
    },
    Initializer(String),
    /// The repr, and the error if it was a `String` or a panic's `TaskError`.
    Unobserved {
        future: String,
        error: String,
    },
}

/// Every report since the hook was installed. The hook is process-wide and tests may share a
/// process (`cargo test`), so each test uses its own error strings and looks only for them.
fn seen() -> &'static Mutex<Vec<Seen>> {
    static SEEN: OnceLock<Mutex<Vec<Seen>>> = OnceLock::new();
    SEEN.get_or_init(|| {
        futures::set_report_hook(|report| {
            let entry = match report {
                Report::CallbackPanicked { future, error } => Seen::Callback {
                    future: (*future).to_owned(),
                    message: error.message.clone(),
                },
                Report::InitializerFailed { message } => Seen::Initializer((*message).to_owned()),
                Report::UnobservedFailure { future, error } => Seen::Unobserved {
                    future: (*future).to_owned(),
                    error: error
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| error.downcast_ref::<TaskError>().map(ToString::to_string))
                        .unwrap_or_default(),
                },
                _ => return,
            };
            seen().lock().unwrap().push(entry);
        });
        Mutex::new(Vec::new())
    })
}

fn reports() -> MutexGuard<'static, Vec<Seen>> {
    seen().lock().unwrap()
}

/// How many unobserved failures with `error` were reported.
fn unobserved(error: &str) -> usize {
    reports()
        .iter()
        .filter(|seen| matches!(seen, Seen::Unobserved { error: e, .. } if e == error))
        .count()
}

/// A hand-made future that failed with `error`.
fn failed(error: &str) -> Future<u8, String> {
    seen();
    let future = Future::new();
    future.set_exception(error.to_owned()).unwrap();
    future
}

#[test]
fn a_failure_nobody_observed_is_reported_once_when_the_last_handle_goes() {
    let future = failed("unobserved-once");
    let clone = future.clone();
    let repr = future.to_string();
    drop(future);
    assert_eq!(unobserved("unobserved-once"), 0, "a handle is still alive");
    drop(clone);
    let reported: Vec<Seen> = reports()
        .iter()
        .filter(|seen| matches!(seen, Seen::Unobserved { error, .. } if error == "unobserved-once"))
        .cloned()
        .collect();
    assert_eq!(
        reported,
        [Seen::Unobserved {
            future: repr,
            error: "unobserved-once".to_owned()
        }]
    );
}

#[test]
fn reading_the_failure_observes_it() {
    let by_result = failed("observed-result");
    assert!(by_result.result(None).is_err());
    let by_ref = failed("observed-result-ref");
    assert!(by_ref.result_ref(None).is_err());
    let by_exception = failed("observed-exception");
    assert!(by_exception.exception(None).unwrap().is_some());
    drop((by_result, by_ref, by_exception));
    for error in [
        "observed-result",
        "observed-result-ref",
        "observed-exception",
    ] {
        assert_eq!(unobserved(error), 0, "{error}");
    }
}

#[test]
fn peeking_does_not_observe_it() {
    let future = failed("peeked");
    assert_eq!(future.peek(), Some(Err(&"peeked".to_owned())));
    drop(future);
    assert_eq!(unobserved("peeked"), 1);
}

#[test]
fn a_callback_observes_it_whether_added_before_or_after_the_failure() {
    seen();
    let before: Future<u8, String> = Future::new();
    before.add_done_callback(|_| {});
    before
        .set_exception("observed-callback-before".to_owned())
        .unwrap();
    let after = failed("observed-callback-after");
    after.add_done_callback(|_| {});
    let notified = failed("observed-notified-callback");
    notified.add_notified_callback(|_| {});
    drop((before, after, notified));
    for error in [
        "observed-callback-before",
        "observed-callback-after",
        "observed-notified-callback",
    ] {
        assert_eq!(unobserved(error), 0, "{error}");
    }
}

#[test]
fn wait_and_as_completed_observe_the_futures_they_hand_back_as_done() {
    let waited = failed("observed-wait");
    let outcome = wait(&[waited], None, ReturnWhen::AllCompleted);
    assert_eq!(outcome.done.len(), 1);
    drop(outcome);
    let completed = failed("observed-as-completed");
    let yielded: Vec<_> = as_completed(&[completed], None).collect();
    assert_eq!(yielded.len(), 1);
    drop(yielded);
    assert_eq!(unobserved("observed-wait"), 0);
    assert_eq!(unobserved("observed-as-completed"), 0);

    // `wait` that does not hand the failed future back as done does not observe it.
    let pending: Future<u8, String> = Future::new();
    let not_done = wait(
        std::slice::from_ref(&pending),
        Some(Duration::ZERO),
        ReturnWhen::AllCompleted,
    );
    assert_eq!(not_done.not_done.len(), 1);
    drop(not_done);
    pending
        .set_exception("waited-before-it-failed".to_owned())
        .unwrap();
    drop(pending);
    assert_eq!(unobserved("waited-before-it-failed"), 1);
}

#[test]
fn values_and_cancellations_are_never_reported() {
    seen();
    let value: Future<u8, String> = Future::new();
    value.set_result(1).unwrap();
    let cancelled: Future<u8, String> = Future::new();
    assert!(cancelled.cancel());
    let ids = [value.id(), cancelled.id()].map(|id| format!("<Future at {id:#x} "));
    drop((value, cancelled));
    let reported = reports().iter().any(|seen| {
        matches!(seen, Seen::Unobserved { future, .. } if ids.iter().any(|id| future.starts_with(id)))
    });
    assert!(!reported);
}

#[test]
fn a_pool_task_that_panicked_unread_is_reported_once() {
    seen();
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
        let future = pool
            .submit(|| -> u8 { panic!("pool-task-unobserved") })
            .unwrap();
        // Settled (`done` does not observe the outcome), then dropped unread: the last reference
        // goes here or in the worker, whichever lets go last.
        wait_until(|| future.done());
        drop(future);
        wait_until(|| unobserved("pool-task-unobserved") > 0);
        pool.shutdown(true, false);
        assert_eq!(unobserved("pool-task-unobserved"), 1);

        let read = pool.submit(|| -> u8 { panic!("pool-task-read") });
        assert_eq!(read.unwrap_err(), futures::SubmitError::Shutdown);
    });
}

#[test]
fn a_pool_task_whose_failure_was_read_is_not_reported() {
    seen();
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
        let future = pool
            .submit(|| -> u8 { panic!("pool-task-observed") })
            .unwrap();
        assert!(matches!(
            future.result(None),
            Err(FutureError::Failed(TaskError::Panicked(PanicError { .. })))
        ));
        drop(future);
        pool.shutdown(true, false); // the worker's reference is gone too
        assert_eq!(unobserved("pool-task-observed"), 0);
    });
}

#[test]
fn a_panicking_callback_is_reported_with_the_future() {
    seen();
    let future: Future<u8, String> = Future::new();
    let ran = Arc::new(Mutex::new(false));
    future.add_done_callback(|_| panic!("callback-report"));
    let later = Arc::clone(&ran);
    future.add_done_callback(move |_| *later.lock().unwrap() = true);
    future.set_result(1).unwrap();
    assert!(*ran.lock().unwrap(), "the later callback still ran");
    let repr = future.to_string();
    let callbacks: Vec<Seen> = reports()
        .iter()
        .filter(
            |seen| matches!(seen, Seen::Callback { message, .. } if message == "callback-report"),
        )
        .cloned()
        .collect();
    assert_eq!(
        callbacks,
        [Seen::Callback {
            future: repr,
            message: "callback-report".to_owned()
        }]
    );
}

#[test]
fn a_failed_initializer_is_reported_unless_it_reported_itself() {
    seen();
    within(|| {
        let pool = ThreadPoolExecutor::builder()
            .max_workers(1)
            .initializer(|| Err("initializer-report"))
            .build()
            .unwrap();
        assert!(pool.submit(|| 1).unwrap().result(None).is_err());
        let quiet = ThreadPoolExecutor::builder()
            .max_workers(1)
            .initializer_reporting(|| false)
            .build()
            .unwrap();
        assert!(quiet.submit(|| 1).unwrap().result(None).is_err());
        pool.shutdown(true, false);
        quiet.shutdown(true, false);
    });
    let initializers: Vec<Seen> = reports()
        .iter()
        .filter(|seen| matches!(seen, Seen::Initializer(_)))
        .cloned()
        .collect();
    assert_eq!(
        initializers,
        [Seen::Initializer("initializer-report".to_owned())]
    );
}
