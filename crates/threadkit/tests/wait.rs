//! `wait` and `as_completed`: CPython's `concurrent.futures.wait`/`as_completed` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, within};
use threadkit::futures::{AsCompletedError, Future, ReturnWhen, as_completed, wait};

type F = Future<u32, String>;

fn futures(n: usize) -> Vec<F> {
    (0..n).map(|_| F::new()).collect()
}

/// Sets `future` to `value` from another thread after `delay`.
fn finish_later(future: &F, value: u32, delay: Duration) -> thread::JoinHandle<()> {
    let future = future.clone();
    thread::spawn(move || {
        thread::sleep(delay);
        future.set_result(value).unwrap();
    })
}

fn ids(futures: &[F], all: &[F]) -> Vec<usize> {
    futures
        .iter()
        .map(|future| all.iter().position(|f| f.ptr_eq(future)).unwrap())
        .collect()
}

#[test]
fn all_completed_waits_for_every_future() {
    within(|| {
        let all = futures(3);
        let setters: Vec<_> = all
            .iter()
            .enumerate()
            .map(|(n, future)| finish_later(future, n as u32, Duration::from_millis(5 * n as u64)))
            .collect();
        let outcome = wait(&all, None, ReturnWhen::AllCompleted);
        assert_eq!(ids(&outcome.done, &all), [0, 1, 2]);
        assert!(outcome.not_done.is_empty());
        for setter in setters {
            setter.join().unwrap();
        }
    });
}

#[test]
fn first_completed_returns_when_one_finishes() {
    within(|| {
        let all = futures(3);
        let setter = finish_later(&all[1], 1, Duration::from_millis(10));
        let outcome = wait(&all, None, ReturnWhen::FirstCompleted);
        assert_eq!(ids(&outcome.done, &all), [1]);
        assert_eq!(ids(&outcome.not_done, &all), [0, 2]);
        setter.join().unwrap();
        // Something already done: returns at once.
        let outcome = wait(&all, None, ReturnWhen::FirstCompleted);
        assert_eq!(ids(&outcome.done, &all), [1]);
    });
}

#[test]
fn first_exception_returns_at_once_for_an_already_failed_future() {
    within(|| {
        let all = futures(3);
        all[2].set_exception("boom".into()).unwrap();
        let outcome = wait(&all, None, ReturnWhen::FirstException);
        assert_eq!(ids(&outcome.done, &all), [2]);
        assert_eq!(outcome.not_done.len(), 2);
    });
}

#[test]
fn first_exception_waits_for_a_failure() {
    within(|| {
        let all = futures(3);
        all[0].set_result(0).unwrap();
        let failer = {
            let future = all[1].clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(10));
                future.set_exception("late".into()).unwrap();
            })
        };
        let outcome = wait(&all, None, ReturnWhen::FirstException);
        assert_eq!(ids(&outcome.done, &all), [0, 1]);
        assert_eq!(ids(&outcome.not_done, &all), [2]);
        failer.join().unwrap();
    });
}

#[test]
fn first_exception_without_failures_waits_for_all() {
    within(|| {
        let all = futures(2);
        let setters = [
            finish_later(&all[0], 0, Duration::from_millis(5)),
            finish_later(&all[1], 1, Duration::from_millis(15)),
        ];
        let outcome = wait(&all, None, ReturnWhen::FirstException);
        assert_eq!(outcome.done.len(), 2);
        for setter in setters {
            setter.join().unwrap();
        }
    });
}

#[test]
fn timeout_returns_the_unfinished_as_not_done() {
    within(|| {
        let all = futures(2);
        all[0].set_result(0).unwrap();
        let start = Instant::now();
        let outcome = wait(
            &all,
            Some(Duration::from_millis(30)),
            ReturnWhen::AllCompleted,
        );
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert_eq!(ids(&outcome.done, &all), [0]);
        assert_eq!(ids(&outcome.not_done, &all), [1]);
    });
}

#[test]
fn cancelled_but_not_notified_counts_as_not_done() {
    within(|| {
        let all = futures(2);
        all[0].cancel();
        all[1].set_result(1).unwrap();
        let outcome = wait(&all, Some(Duration::ZERO), ReturnWhen::AllCompleted);
        assert_eq!(ids(&outcome.not_done, &all), [0]);
        // Noticing the cancellation (as a worker does) completes it for `wait`, also a blocked one.
        let notifier = {
            let future = all[0].clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(10));
                assert_eq!(future.set_running_or_notify_cancel(), Ok(false));
            })
        };
        let outcome = wait(&all, None, ReturnWhen::AllCompleted);
        assert_eq!(ids(&outcome.done, &all), [0, 1]);
        notifier.join().unwrap();
    });
}

#[test]
fn duplicates_are_counted_once() {
    let all = futures(1);
    all[0].set_result(0).unwrap();
    let twice = vec![all[0].clone(), all[0].clone()];
    let outcome = wait(&twice, None, ReturnWhen::AllCompleted);
    assert_eq!(outcome.done.len(), 1);
    assert_eq!(as_completed(&twice, None).count(), 1);
}

#[test]
fn as_completed_yields_finished_first_then_in_completion_order() {
    within(|| {
        let all = futures(4);
        all[3].set_result(3).unwrap();
        // `as_completed` registers at the call; then one thread completes the rest in a known order.
        let iter = as_completed(&all, None);
        let setter = {
            let all = all.clone();
            thread::spawn(move || {
                for n in [2, 0, 1] {
                    thread::sleep(Duration::from_millis(5));
                    all[n].set_result(n as u32).unwrap();
                }
            })
        };
        let order: Vec<u32> = iter
            .map(|future| future.unwrap().result(None).unwrap())
            .collect();
        assert_eq!(order, [3, 2, 0, 1]);
        setter.join().unwrap();
    });
}

#[test]
fn as_completed_timeout_names_how_many_are_left() {
    within(|| {
        let all = futures(3);
        all[1].set_result(1).unwrap();
        let start = Instant::now();
        let mut iter = as_completed(&all, Some(Duration::from_millis(20)));
        assert!(iter.next().unwrap().unwrap().ptr_eq(&all[1]));
        let error = iter.next().unwrap().unwrap_err();
        assert!(start.elapsed() >= Duration::from_millis(20));
        assert_eq!(
            error,
            AsCompletedError {
                unfinished: 2,
                total: 3
            }
        );
        assert_eq!(error.to_string(), "2 (of 3) futures unfinished");
        assert!(iter.next().is_none());
    });
}

#[test]
fn as_completed_yields_noticed_cancellations() {
    within(|| {
        let all = futures(1);
        all[0].cancel();
        let mut iter = as_completed(&all, None);
        let notifier = {
            let future = all[0].clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(10));
                future.set_running_or_notify_cancel().unwrap();
            })
        };
        assert!(iter.next().unwrap().unwrap().cancelled());
        assert!(iter.next().is_none());
        notifier.join().unwrap();
    });
}

#[test]
fn stress_wait_and_as_completed_against_completers() {
    within(|| {
        for round in 0..iterations(200) {
            let all = futures(16);
            let completers: Vec<_> = (0..8)
                .map(|t| {
                    let mine: Vec<F> = all.iter().skip(t).step_by(8).cloned().collect();
                    thread::spawn(move || {
                        for (n, future) in mine.into_iter().enumerate() {
                            if (n + round) % 5 == 0 {
                                future.cancel();
                                future.set_running_or_notify_cancel().unwrap();
                            } else {
                                future.set_result(n as u32).unwrap();
                            }
                        }
                    })
                })
                .collect();
            if round % 2 == 0 {
                let outcome = wait(&all, None, ReturnWhen::AllCompleted);
                assert_eq!(outcome.done.len(), 16);
            } else {
                assert_eq!(as_completed(&all, None).filter(Result::is_ok).count(), 16);
            }
            for completer in completers {
                completer.join().unwrap();
            }
        }
    });
}

struct Interrupted;

fn interrupt_now() {
    std::panic::resume_unwind(Box::new(Interrupted));
}

#[test]
fn interrupt_unwinds_out_of_wait_and_as_completed_and_unregisters_the_waiter() {
    within(|| {
        let all = futures(2);
        threadkit::interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
        let waited = std::panic::catch_unwind(|| wait(&all, None, ReturnWhen::AllCompleted));
        let iterated = std::panic::catch_unwind(|| as_completed(&all, None).count());
        threadkit::interrupt::set_check(None);
        assert!(waited.unwrap_err().is::<Interrupted>());
        assert!(iterated.unwrap_err().is::<Interrupted>());
        // The abandoned waiters are gone: completing still works and a new wait sees it.
        all[0].set_result(0).unwrap();
        all[1].set_result(1).unwrap();
        assert_eq!(wait(&all, None, ReturnWhen::AllCompleted).done.len(), 2);
    });
}

#[test]
fn interrupt_check_that_returns_lets_result_keep_waiting() {
    static CHECKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    fn count() {
        CHECKS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    within(|| {
        let future = F::new();
        let waiter = {
            let future = future.clone();
            thread::spawn(move || {
                threadkit::interrupt::set_check(Some((count, Duration::from_millis(2))));
                let outcome = future.result(None);
                threadkit::interrupt::set_check(None);
                outcome
            })
        };
        common::wait_until(|| CHECKS.load(std::sync::atomic::Ordering::SeqCst) >= 3);
        future.set_result(5).unwrap();
        assert_eq!(waiter.join().unwrap(), Ok(5));
    });
}

#[test]
fn interrupt_unwinds_out_of_result() {
    within(|| {
        let future = F::new();
        threadkit::interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
        let outcome = std::panic::catch_unwind(|| future.result(None));
        threadkit::interrupt::set_check(None);
        assert!(outcome.unwrap_err().is::<Interrupted>());
        future.set_result(2).unwrap();
        assert_eq!(future.result(None), Ok(2));
    });
}
