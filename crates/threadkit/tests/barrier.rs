//! `Barrier`: Python's `threading.Barrier` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, wait_until, within};
use threadkit::{Barrier, BrokenBarrierError, interrupt};

/// Runs `threads` threads that each call `wait(timeout)` once; their results.
fn round(
    barrier: &Arc<Barrier>,
    threads: usize,
    timeout: Option<Duration>,
) -> Vec<Result<usize, BrokenBarrierError>> {
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let barrier = Arc::clone(barrier);
            thread::spawn(move || barrier.wait(timeout))
        })
        .collect();
    workers.into_iter().map(|w| w.join().unwrap()).collect()
}

/// Starts `threads` threads that each call `wait(None)` once and waits until they are all in.
fn spawn_waiters(
    barrier: &Arc<Barrier>,
    threads: usize,
) -> Vec<thread::JoinHandle<Result<usize, BrokenBarrierError>>> {
    let before = barrier.n_waiting();
    let waiters = (0..threads)
        .map(|_| {
            let barrier = Arc::clone(barrier);
            thread::spawn(move || barrier.wait(None))
        })
        .collect();
    wait_until(|| barrier.n_waiting() == before + threads);
    waiters
}

fn sorted_indices(results: Vec<Result<usize, BrokenBarrierError>>) -> Vec<usize> {
    let mut indices: Vec<usize> = results.into_iter().map(Result::unwrap).collect();
    indices.sort_unstable();
    indices
}

#[test]
fn every_round_hands_out_indices_zero_to_parties() {
    within(|| {
        let barrier = Arc::new(Barrier::new(5));
        assert_eq!(barrier.parties(), 5);
        for _ in 0..5 {
            assert_eq!(
                sorted_indices(round(&barrier, 5, None)),
                vec![0, 1, 2, 3, 4]
            );
            assert!(!barrier.broken());
        }
        let single = Barrier::new(1);
        assert_eq!(single.wait(None), Ok(0));
        assert_eq!(single.wait(None), Ok(0));
    });
}

#[test]
#[should_panic(expected = "parties must be > 0")]
fn zero_parties_panic() {
    let _ = Barrier::new(0);
}

#[test]
fn the_last_arrival_runs_the_action_once_per_round() {
    within(|| {
        let runs = Arc::new(Mutex::new(Vec::new()));
        let barrier = {
            let runs = Arc::clone(&runs);
            Arc::new(Barrier::with_action(4, move || {
                runs.lock().unwrap().push(thread::current().id());
            }))
        };
        for generation in 1..=3 {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    let barrier = Arc::clone(&barrier);
                    thread::spawn(move || (barrier.wait(None).unwrap(), thread::current().id()))
                })
                .collect();
            let results: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
            let runs = runs.lock().unwrap();
            assert_eq!(runs.len(), generation);
            let last = results.iter().find(|(index, _)| *index == 3).unwrap().1;
            assert_eq!(
                runs[generation - 1],
                last,
                "the action ran in another thread"
            );
        }
    });
}

#[test]
fn n_waiting_counts_the_threads_in_the_round() {
    within(|| {
        let barrier = Arc::new(Barrier::new(3));
        assert_eq!(barrier.n_waiting(), 0);
        let waiters = spawn_waiters(&barrier, 2);
        let mine = barrier.wait(None).unwrap();
        assert_eq!(mine, 2);
        let mut indices: Vec<_> = waiters
            .into_iter()
            .map(|w| w.join().unwrap().unwrap())
            .collect();
        indices.sort_unstable();
        assert_eq!(indices, [0, 1]);
        assert_eq!(barrier.n_waiting(), 0);
    });
}

#[test]
fn a_timeout_breaks_the_barrier_for_everyone_until_reset() {
    within(|| {
        let barrier = Arc::new(Barrier::new(3));
        let patient = spawn_waiters(&barrier, 1).remove(0);
        let start = Instant::now();
        assert_eq!(
            barrier.wait(Some(Duration::from_millis(20))),
            Err(BrokenBarrierError)
        );
        assert!(start.elapsed() >= Duration::from_millis(20));
        assert_eq!(patient.join().unwrap(), Err(BrokenBarrierError));
        assert!(barrier.broken());
        assert_eq!(barrier.n_waiting(), 0);
        assert_eq!(barrier.wait(None), Err(BrokenBarrierError));
        barrier.reset();
        assert!(!barrier.broken());
        assert_eq!(sorted_indices(round(&barrier, 3, None)), vec![0, 1, 2]);
    });
}

#[test]
fn the_default_timeout_applies_when_wait_passes_none() {
    within(|| {
        let barrier = Barrier::new(2).with_timeout(Some(Duration::from_millis(10)));
        let start = Instant::now();
        assert_eq!(barrier.wait(None), Err(BrokenBarrierError));
        assert!(start.elapsed() >= Duration::from_millis(10));
        assert!(barrier.broken());
        assert_eq!(BrokenBarrierError.to_string(), "");
    });
}

#[test]
fn a_panicking_action_breaks_the_barrier_and_resumes_in_the_last_thread() {
    struct ActionFailed;
    within(|| {
        let barrier = Arc::new(Barrier::with_action(2, || {
            panic::resume_unwind(Box::new(ActionFailed));
        }));
        let first = spawn_waiters(&barrier, 1).remove(0);
        let outcome = panic::catch_unwind(panic::AssertUnwindSafe(|| barrier.wait(None)));
        assert!(outcome.unwrap_err().is::<ActionFailed>());
        assert_eq!(first.join().unwrap(), Err(BrokenBarrierError));
        assert!(barrier.broken());
        assert_eq!(barrier.wait(None), Err(BrokenBarrierError));
    });
}

#[test]
fn abort_breaks_waiting_and_later_waits() {
    within(|| {
        let barrier = Arc::new(Barrier::new(3));
        let waiter = spawn_waiters(&barrier, 1).remove(0);
        barrier.abort();
        assert_eq!(waiter.join().unwrap(), Err(BrokenBarrierError));
        assert!(barrier.broken());
        assert_eq!(
            barrier.wait(Some(Duration::from_secs(5))),
            Err(BrokenBarrierError)
        );
    });
}

#[test]
fn reset_fails_the_waiting_threads_and_leaves_the_barrier_usable() {
    within(|| {
        let barrier = Arc::new(Barrier::new(3));
        let waiters = spawn_waiters(&barrier, 2);
        barrier.reset();
        for waiter in waiters {
            assert_eq!(waiter.join().unwrap(), Err(BrokenBarrierError));
        }
        assert!(!barrier.broken());
        assert_eq!(barrier.n_waiting(), 0);
        assert_eq!(sorted_indices(round(&barrier, 3, None)), vec![0, 1, 2]);
        // Resetting an idle barrier is a no-op.
        barrier.reset();
        assert_eq!(sorted_indices(round(&barrier, 3, None)), vec![0, 1, 2]);
    });
}

struct Interrupted;

fn interrupt_now() {
    panic::resume_unwind(Box::new(Interrupted));
}

#[test]
fn an_interrupt_withdraws_the_arrival_without_breaking() {
    within(|| {
        let barrier = Arc::new(Barrier::new(2));
        {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                interrupt::set_check(Some((interrupt_now, Duration::from_millis(5))));
                let outcome = panic::catch_unwind(|| barrier.wait(None));
                interrupt::set_check(None);
                assert!(outcome.unwrap_err().is::<Interrupted>());
            })
            .join()
            .unwrap();
        }
        assert!(!barrier.broken());
        assert_eq!(barrier.n_waiting(), 0);
        assert_eq!(sorted_indices(round(&barrier, 2, None)), vec![0, 1]);
    });
}

#[test]
fn stress_many_generations_with_eight_threads() {
    within(|| {
        const THREADS: usize = 8;
        let generations = iterations(4_000);
        // Each thread's slot holds the generation it last entered; the action checks that every
        // thread of the round is in the same generation, and counts the rounds.
        let slots: Arc<Vec<AtomicUsize>> =
            Arc::new((0..THREADS).map(|_| AtomicUsize::new(0)).collect());
        let completed = Arc::new(AtomicUsize::new(0));
        let barrier = {
            let (slots, completed) = (Arc::clone(&slots), Arc::clone(&completed));
            Arc::new(Barrier::with_action(THREADS, move || {
                let generation = completed.load(Ordering::Relaxed);
                for slot in slots.iter() {
                    assert_eq!(
                        slot.load(Ordering::Relaxed),
                        generation,
                        "mixed generations"
                    );
                }
                completed.store(generation + 1, Ordering::Relaxed);
            }))
        };
        let workers: Vec<_> = (0..THREADS)
            .map(|i| {
                let (barrier, slots, completed) = (
                    Arc::clone(&barrier),
                    Arc::clone(&slots),
                    Arc::clone(&completed),
                );
                thread::spawn(move || {
                    let mut last_index_counts = 0;
                    for generation in 0..generations {
                        slots[i].store(generation, Ordering::Relaxed);
                        let index = barrier.wait(None).unwrap();
                        assert!(index < THREADS);
                        if index == THREADS - 1 {
                            last_index_counts += 1;
                        }
                        assert_eq!(completed.load(Ordering::Relaxed), generation + 1);
                    }
                    last_index_counts
                })
            })
            .collect();
        let last_arrivals: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
        assert_eq!(
            last_arrivals, generations,
            "one last arrival per generation"
        );
        assert_eq!(completed.load(Ordering::Relaxed), generations);
        assert!(!barrier.broken());
        assert_eq!(barrier.n_waiting(), 0);
    });
}
