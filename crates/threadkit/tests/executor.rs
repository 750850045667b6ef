//! `ThreadPoolExecutor` and its `map`: `concurrent.futures.ThreadPoolExecutor`'s rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use common::{iterations, wait_until, within};
use threadkit::futures::{
    BrokenThreadPool, BuildError, FutureError, HostError, MapError, PanicError, ReturnWhen,
    SubmitError, TaskError, ThreadPoolExecutor, WorkerHost, wait,
};

/// A task that blocks until the returned sender is dropped or sent to.
fn gate() -> (mpsc::Sender<()>, impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel::<()>();
    (tx, move || {
        let _ = rx.recv();
    })
}

/// Names of this process's live threads (Linux: `/proc/self/task/*/comm`).
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(|entry| {
                std::fs::read_to_string(entry.ok()?.path().join("comm"))
                    .ok()
                    .map(|name| name.trim_end().to_owned())
            })
            .collect()
        })
        .unwrap_or_default()
}

#[test]
fn submit_returns_results() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(3)).unwrap();
        let futures: Vec<_> = (0..100u64)
            .map(|n| pool.submit(move || n * 3).unwrap())
            .collect();
        for (n, future) in futures.iter().enumerate() {
            assert_eq!(future.result(None), Ok(n as u64 * 3));
        }
    });
}

#[test]
fn max_workers_zero_is_an_error_and_the_default_follows_cpython() {
    let error = ThreadPoolExecutor::new(Some(0)).unwrap_err();
    assert_eq!(error, BuildError::ZeroWorkers);
    assert_eq!(error.to_string(), "max_workers must be greater than 0");
    let cpus = thread::available_parallelism().unwrap().get();
    assert_eq!(
        ThreadPoolExecutor::new(None).unwrap().max_workers(),
        32.min(cpus + 4)
    );
    assert_eq!(
        ThreadPoolExecutor::builder()
            .max_pending(0)
            .build()
            .unwrap_err(),
        BuildError::ZeroPending
    );
}

#[test]
fn panic_in_a_task_becomes_its_error() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
        let failed = pool
            .submit(|| -> u8 { panic!("task {} failed", 7) })
            .unwrap();
        let error = failed.result(None).unwrap_err();
        assert_eq!(
            error,
            FutureError::Failed(TaskError::Panicked(PanicError {
                message: "task 7 failed".into()
            }))
        );
        assert_eq!(error.to_string(), "task 7 failed");
        assert!(failed.exception(None).unwrap().is_some());
        // The worker survived.
        assert_eq!(pool.submit(|| 5).unwrap().result(None), Ok(5));
    });
}

#[test]
fn submit_fallible_keeps_the_tasks_own_error() {
    within(|| {
        #[derive(Debug, Clone, PartialEq)]
        enum Error {
            Mine(u8),
            Task(TaskError),
        }
        impl From<TaskError> for Error {
            fn from(error: TaskError) -> Self {
                Error::Task(error)
            }
        }
        let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
        let mine = pool
            .submit_fallible(|| Err::<(), _>(Error::Mine(3)))
            .unwrap();
        assert_eq!(mine.result(None), Err(FutureError::Failed(Error::Mine(3))));
        let panicked = pool
            .submit_fallible(|| -> Result<(), Error> { panic!("x") })
            .unwrap();
        assert!(matches!(
            panicked.result(None),
            Err(FutureError::Failed(Error::Task(_)))
        ));
    });
}

#[test]
fn queued_future_can_be_cancelled() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
        let (release, block) = gate();
        let busy = pool.submit(block).unwrap();
        wait_until(|| busy.running());
        let ran = Arc::new(AtomicUsize::new(0));
        let queued = {
            let ran = Arc::clone(&ran);
            pool.submit(move || ran.fetch_add(1, Ordering::SeqCst))
                .unwrap()
        };
        assert!(!busy.cancel(), "a running future cannot be cancelled");
        assert!(queued.cancel());
        assert_eq!(queued.result(None), Err(FutureError::Cancelled));
        drop(release);
        // The worker notices the cancellation: `wait` then counts it as done.
        let outcome = wait(
            std::slice::from_ref(&queued),
            None,
            ReturnWhen::AllCompleted,
        );
        assert_eq!(outcome.done.len(), 1);
        busy.result(None).unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 0, "a cancelled call never runs");
    });
}

#[test]
fn callbacks_run_on_the_worker() {
    within(|| {
        let pool = ThreadPoolExecutor::builder()
            .max_workers(1)
            .thread_name_prefix("cb")
            .build()
            .unwrap();
        let (release, block) = gate();
        let future = pool.submit(block).unwrap();
        let (tx, rx) = mpsc::channel();
        future.add_done_callback(move |_| {
            tx.send(thread::current().name().map(str::to_owned))
                .unwrap()
        });
        drop(release);
        assert_eq!(rx.recv().unwrap().as_deref(), Some("cb_0"));
    });
}

#[test]
fn worker_threads_are_named_prefix_n() {
    within(|| {
        let pool = ThreadPoolExecutor::builder()
            .max_workers(2)
            .thread_name_prefix("named")
            .build()
            .unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let futures: Vec<_> = (0..2)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                pool.submit(move || {
                    barrier.wait();
                    thread::current().name().unwrap().to_owned()
                })
                .unwrap()
            })
            .collect();
        let mut names: Vec<String> = futures.iter().map(|f| f.result(None).unwrap()).collect();
        names.sort();
        assert_eq!(names, ["named_0", "named_1"]);

        // Workers are threadkit threads: `enumerate` lists them while they live.
        let listed: Vec<String> = threadkit::thread::enumerate()
            .iter()
            .map(|t| t.name())
            .collect();
        assert!(listed.iter().any(|name| name == "named_0"), "{listed:?}");
        assert!(listed.iter().any(|name| name == "named_1"), "{listed:?}");
        pool.shutdown(true, false);
        let listed: Vec<String> = threadkit::thread::enumerate()
            .iter()
            .map(|t| t.name())
            .collect();
        assert!(
            !listed.iter().any(|name| name.starts_with("named_")),
            "{listed:?}"
        );

        let default = ThreadPoolExecutor::new(Some(1)).unwrap();
        let name = default
            .submit(|| thread::current().name().unwrap().to_owned())
            .unwrap();
        let name = name.result(None).unwrap();
        assert!(
            name.starts_with("ThreadPoolExecutor-") && name.ends_with("_0"),
            "{name}"
        );
    });
}

#[test]
fn threads_start_lazily_and_idle_ones_are_reused() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(4)).unwrap();
        assert_eq!(pool.num_threads(), 0);
        for n in 0..10 {
            assert_eq!(pool.submit(move || n).unwrap().result(None), Ok(n));
        }
        assert_eq!(
            pool.num_threads(),
            1,
            "sequential submits reuse the idle worker"
        );

        // Blocked workers are not idle: each new submit needs another thread, up to the maximum.
        let barrier = Arc::new(Barrier::new(5));
        let blocked: Vec<_> = (0..4)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                pool.submit(move || {
                    barrier.wait();
                })
                .unwrap()
            })
            .collect();
        barrier.wait();
        for future in &blocked {
            future.result(None).unwrap();
        }
        assert_eq!(pool.num_threads(), 4);
        let extra: Vec<_> = (0..4).map(|n| pool.submit(move || n).unwrap()).collect();
        for future in extra {
            future.result(None).unwrap();
        }
        assert_eq!(pool.num_threads(), 4, "never more than max_workers");
    });
}

#[test]
fn submit_after_shutdown_is_an_error_and_shutdown_is_idempotent() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
        let done = pool.submit(|| 1).unwrap();
        pool.shutdown(true, false);
        assert_eq!(done.result(None), Ok(1));
        let error = pool.submit(|| 2).unwrap_err();
        assert_eq!(error, SubmitError::Shutdown);
        assert_eq!(
            error.to_string(),
            "cannot schedule new futures after shutdown"
        );
        pool.shutdown(true, false);
        pool.shutdown(false, true);
    });
}

#[test]
fn shutdown_without_cancel_runs_the_queue() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
        let (release, block) = gate();
        let busy = pool.submit(block).unwrap();
        let queued: Vec<_> = (0..5).map(|n| pool.submit(move || n).unwrap()).collect();
        pool.shutdown(false, false);
        drop(release);
        busy.result(None).unwrap();
        for (n, future) in queued.iter().enumerate() {
            assert_eq!(future.result(None), Ok(n));
        }
        pool.shutdown(true, false);
    });
}

#[test]
fn shutdown_with_cancel_futures_cancels_the_queue() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
        let (release, block) = gate();
        let busy = pool.submit(block).unwrap();
        wait_until(|| busy.running());
        let queued: Vec<_> = (0..5).map(|n| pool.submit(move || n).unwrap()).collect();
        let releaser = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            drop(release);
        });
        pool.shutdown(true, true);
        releaser.join().unwrap();
        assert_eq!(busy.result(None), Ok(()));
        for future in &queued {
            assert!(future.cancelled());
            assert_eq!(future.result(None), Err(FutureError::Cancelled));
        }
        // As in CPython, their cancellation is never noticed: `wait` counts them as not done.
        let outcome = wait(&queued, Some(Duration::ZERO), ReturnWhen::AllCompleted);
        assert_eq!(outcome.not_done.len(), 5);
    });
}

#[test]
fn failing_initializer_breaks_the_pool() {
    within(|| {
        let attempts = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&attempts);
        let pool = ThreadPoolExecutor::builder()
            .max_workers(1)
            .initializer(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                Err("no database")
            })
            .build()
            .unwrap();
        let first = pool.submit(|| 1).unwrap();
        assert_eq!(
            first.result(None),
            Err(FutureError::Failed(TaskError::Broken(BrokenThreadPool)))
        );
        let error = pool.submit(|| 2).unwrap_err();
        assert_eq!(error, SubmitError::Broken(BrokenThreadPool));
        assert_eq!(
            error.to_string(),
            "A thread initializer failed, the thread pool is not usable anymore"
        );
        assert_eq!(attempts.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn panicking_initializer_breaks_the_pool_too() {
    within(|| {
        let pool = ThreadPoolExecutor::builder()
            .max_workers(2)
            .initializer(|| -> Result<(), String> { panic!("init") })
            .build()
            .unwrap();
        let future = pool.submit(|| 1).unwrap();
        assert!(matches!(
            future.result(None),
            Err(FutureError::Failed(TaskError::Broken(_)))
        ));
        wait_until(|| pool.submit(|| 1).is_err());
    });
}

#[test]
fn initializer_runs_once_per_worker() {
    within(|| {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let pool = ThreadPoolExecutor::builder()
            .max_workers(2)
            .initializer(move || -> Result<(), String> {
                counted.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .build()
            .unwrap();
        for n in 0..20 {
            pool.submit(move || n).unwrap().result(None).unwrap();
        }
        let threads = pool.num_threads();
        drop(pool);
        assert_eq!(runs.load(Ordering::SeqCst), threads);
    });
}

#[test]
fn counts_pending_running_completed() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
        let (release, block) = gate();
        let busy = pool.submit(block).unwrap();
        wait_until(|| pool.running() == 1);
        let queued: Vec<_> = (0..3).map(|n| pool.submit(move || n).unwrap()).collect();
        assert_eq!(pool.pending(), 3);
        assert_eq!(pool.completed(), 0);
        drop(release);
        busy.result(None).unwrap();
        for future in &queued {
            future.result(None).unwrap();
        }
        assert_eq!(pool.completed(), 4);
        assert_eq!(pool.pending(), 0);
        wait_until(|| pool.running() == 0);
    });
}

#[test]
fn max_pending_blocks_submit_and_submit_timeout_gives_up() {
    within(|| {
        let pool = Arc::new(
            ThreadPoolExecutor::builder()
                .max_workers(1)
                .max_pending(2)
                .build()
                .unwrap(),
        );
        let (release, block) = gate();
        let busy = pool.submit(block).unwrap();
        wait_until(|| busy.running());
        let queued: Vec<_> = (0..2).map(|n| pool.submit(move || n).unwrap()).collect();
        assert_eq!(pool.pending(), 2);

        let start = Instant::now();
        let timeout = Duration::from_millis(30);
        assert_eq!(
            pool.submit_timeout(|| 9, timeout).unwrap_err(),
            SubmitError::Full
        );
        assert!(start.elapsed() >= timeout);

        let submitted = Arc::new(AtomicUsize::new(0));
        let blocked = {
            let (pool, submitted) = (Arc::clone(&pool), Arc::clone(&submitted));
            thread::spawn(move || {
                let future = pool.submit(|| 3).unwrap();
                submitted.store(1, Ordering::SeqCst);
                future.result(None)
            })
        };
        thread::sleep(Duration::from_millis(20));
        assert_eq!(
            submitted.load(Ordering::SeqCst),
            0,
            "submit did not wait for room"
        );
        drop(release);
        assert_eq!(blocked.join().unwrap(), Ok(3));
        for (n, future) in queued.iter().enumerate() {
            assert_eq!(future.result(None), Ok(n));
        }
    });
}

#[test]
fn shutdown_wakes_a_blocked_submitter() {
    within(|| {
        let pool = Arc::new(
            ThreadPoolExecutor::builder()
                .max_workers(1)
                .max_pending(1)
                .build()
                .unwrap(),
        );
        let (release, block) = gate();
        let busy = pool.submit(block).unwrap();
        wait_until(|| busy.running());
        let _queued = pool.submit(|| ()).unwrap();
        let blocked = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.submit(|| ()).map(drop))
        };
        thread::sleep(Duration::from_millis(20));
        pool.shutdown(false, false);
        assert_eq!(blocked.join().unwrap(), Err(SubmitError::Shutdown));
        drop(release);
    });
}

#[test]
fn map_yields_results_in_order() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(4)).unwrap();
        let slow_first = |n: u64| {
            thread::sleep(Duration::from_millis((20 - n) / 4));
            n * n
        };
        for buffersize in [None, NonZeroUsize::new(1), NonZeroUsize::new(3)] {
            let squares: Vec<u64> = pool
                .map(slow_first, 0..20, None, buffersize)
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(squares, (0..20).map(|n| n * n).collect::<Vec<_>>());
        }
    });
}

#[test]
fn map_moves_results_out_so_they_need_not_be_clone() {
    /// Neither `Clone` nor `Copy`: `map` moves each result out of its future.
    #[derive(Debug, PartialEq)]
    struct Owned(Box<u64>);

    within(|| {
        let pool = ThreadPoolExecutor::new(Some(3)).unwrap();
        for buffersize in [None, NonZeroUsize::new(2)] {
            let owned: Vec<Owned> = pool
                .map(|n: u64| Owned(Box::new(n + 1)), 0..50, None, buffersize)
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(
                owned,
                (1..=50).map(|n| Owned(Box::new(n))).collect::<Vec<_>>()
            );
        }
        // A failure is moved out too, and ends the iteration.
        let mut failing = pool
            .map(
                |n: u64| -> Owned {
                    assert!(n != 1, "no one");
                    Owned(Box::new(n))
                },
                0..3,
                None,
                None,
            )
            .unwrap();
        assert_eq!(failing.next().unwrap().unwrap(), Owned(Box::new(0)));
        let error = failing.next().unwrap().unwrap_err();
        assert_eq!(error.to_string(), "no one");
        assert!(failing.next().is_none());
    });
}

#[test]
fn into_result_of_a_submitted_future_never_counts_the_pools_reference() {
    #[derive(Debug, PartialEq)]
    struct Owned(Vec<u64>);

    within(|| {
        let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
        // Read right after the submit, while the worker may still hold its job: the pool's
        // reference is no handle, so the value always comes out.
        for n in 0..iterations(20_000) as u64 {
            let future = pool.submit(move || Owned(vec![n])).unwrap();
            assert_eq!(future.into_result(None), Some(Ok(Owned(vec![n]))));
        }
        // The same for a future made first and completed through `submit_to`.
        let future: threadkit::futures::Future<Owned, TaskError> =
            threadkit::futures::Future::new();
        pool.submit_to(&future, || Ok(Owned(vec![7]))).unwrap();
        assert_eq!(future.into_result(None), Some(Ok(Owned(vec![7]))));
    });
}

#[test]
fn map_with_buffersize_is_lazy() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
        let started = Arc::new(AtomicUsize::new(0));
        let pulled = Arc::new(AtomicUsize::new(0));
        let items = {
            let pulled = Arc::clone(&pulled);
            (0..).inspect(move |_| {
                pulled.fetch_add(1, Ordering::SeqCst);
            })
        };
        let counter = Arc::clone(&started);
        let mut results = pool
            .map(
                move |n: u32| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    n + 1
                },
                items,
                None,
                NonZeroUsize::new(3),
            )
            .unwrap();
        assert_eq!(
            pulled.load(Ordering::SeqCst),
            3,
            "an infinite iterator is read lazily"
        );
        for consumed in 1..=10u32 {
            assert_eq!(results.next().unwrap(), Ok(consumed));
            assert!(pulled.load(Ordering::SeqCst) <= 3 + consumed as usize);
            assert!(started.load(Ordering::SeqCst) <= 3 + consumed as usize);
        }
        drop(results);
        wait_until(|| pool.pending() == 0 && pool.running() == 0);
        assert!(started.load(Ordering::SeqCst) <= 13);
    });
}

#[test]
fn map_timeout_ends_the_iteration_and_cancels_the_rest() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
        let (release, block) = gate();
        let block = Arc::new(std::sync::Mutex::new(Some(block)));
        let mut results = pool
            .map(
                move |n: u32| {
                    if n == 1
                        && let Some(block) = block.lock().unwrap().take()
                    {
                        block();
                    }
                    n
                },
                0..4,
                Some(Duration::from_millis(30)),
                None,
            )
            .unwrap();
        assert_eq!(results.next(), Some(Ok(0)));
        assert_eq!(
            results.next(),
            Some(Err(MapError::Result(FutureError::Timeout)))
        );
        assert_eq!(results.next(), None);
        drop(release);
        drop(results);
        drop(pool);
    });
}

#[test]
fn map_stops_at_a_failure() {
    within(|| {
        let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
        let mut results = pool
            .map(
                |n: u32| if n == 2 { panic!("two") } else { n },
                0..5,
                None,
                None,
            )
            .unwrap();
        assert_eq!(results.next(), Some(Ok(0)));
        assert_eq!(results.next(), Some(Ok(1)));
        assert!(matches!(
            results.next(),
            Some(Err(MapError::Result(FutureError::Failed(_))))
        ));
        assert_eq!(results.next(), None);
    });
}

#[test]
fn a_call_may_shut_its_own_pool_down() {
    within(|| {
        let pool = Arc::new(ThreadPoolExecutor::new(Some(1)).unwrap());
        let inner = Arc::clone(&pool);
        pool.submit(move || inner.shutdown(true, false))
            .unwrap()
            .result(None)
            .unwrap();
        assert_eq!(pool.submit(|| ()).unwrap_err(), SubmitError::Shutdown);
    });
}

#[test]
fn stress_many_tasks_every_result_checked_and_no_worker_left() {
    within(|| {
        let tasks = iterations(1_000_000);
        let submitters = 8;
        let pool = Arc::new(
            ThreadPoolExecutor::builder()
                .max_workers(4)
                .thread_name_prefix("stresspool")
                .build()
                .unwrap(),
        );
        let checked: usize = (0..submitters)
            .map(|s| {
                let pool = Arc::clone(&pool);
                thread::spawn(move || {
                    let mine = tasks / submitters;
                    let mut futures = std::collections::VecDeque::new();
                    let mut checked = 0;
                    for n in 0..mine {
                        let value = (s * mine + n) as u64;
                        futures.push_back((value, pool.submit(move || value * 2 + 1).unwrap()));
                        // Bound the memory: check the oldest results as we go.
                        while futures.len() > 4096 {
                            let (value, future) = futures.pop_front().unwrap();
                            assert_eq!(future.result(None), Ok(value * 2 + 1));
                            checked += 1;
                        }
                    }
                    for (value, future) in futures {
                        assert_eq!(future.result(None), Ok(value * 2 + 1));
                        checked += 1;
                    }
                    checked
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|submitter| submitter.join().unwrap())
            .sum();
        assert_eq!(checked, tasks / submitters * submitters);
        assert_eq!(pool.completed(), checked as u64);
        assert!(pool.num_threads() <= 4);
        pool.shutdown(true, false);
        assert!(
            !threadkit::thread::enumerate()
                .iter()
                .any(|thread| thread.name().starts_with("stresspool")),
            "workers still registered after shutdown"
        );
        // Joined workers have finished; their OS threads vanish from /proc right after.
        wait_until(|| {
            !thread_names()
                .iter()
                .any(|name| name.starts_with("stresspool"))
        });
    });
}

#[test]
fn stress_submits_racing_shutdown_are_kept_or_refused() {
    within(|| {
        for round in 0..iterations(200) {
            let cancel_futures = round % 2 == 1;
            let pool = Arc::new(ThreadPoolExecutor::new(Some(2)).unwrap());
            // Start both workers, so that the submits below take the full pool's path.
            let (tx, block) = gate();
            let first = pool.submit(block).unwrap();
            wait_until(|| pool.running() == 1);
            pool.submit(|| ()).unwrap().result(None).unwrap();
            drop(tx);
            first.result(None).unwrap();
            assert_eq!(pool.num_threads(), 2);
            let start = Arc::new(Barrier::new(3));
            let submitters: Vec<_> = (0..2u64)
                .map(|s| {
                    let (pool, start) = (Arc::clone(&pool), Arc::clone(&start));
                    thread::spawn(move || {
                        start.wait();
                        let mut kept = Vec::new();
                        for n in 0.. {
                            match pool.submit(move || s * 1_000_000 + n) {
                                Ok(future) => kept.push((s * 1_000_000 + n, future)),
                                Err(error) => {
                                    assert_eq!(error, SubmitError::Shutdown);
                                    break;
                                }
                            }
                        }
                        kept
                    })
                })
                .collect();
            start.wait();
            thread::yield_now();
            pool.shutdown(true, cancel_futures);
            for submitter in submitters {
                for (value, future) in submitter.join().unwrap() {
                    // shutdown(wait) returned: every kept call ran or was cancelled by it.
                    match future.result(Some(Duration::ZERO)) {
                        Ok(got) => assert_eq!(got, value),
                        Err(FutureError::Cancelled) => assert!(cancel_futures),
                        Err(error) => {
                            panic!("a kept call neither ran nor was cancelled: {error:?}")
                        }
                    }
                }
            }
        }
    });
}

/// A host that starts std threads, counts idle waits, and refuses to start once `refuse` is set.
#[derive(Default)]
struct TestHost {
    started: AtomicUsize,
    idles: AtomicUsize,
    refuse: std::sync::atomic::AtomicBool,
}

impl WorkerHost for TestHost {
    fn start(&self, name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), HostError> {
        if self.refuse.load(Ordering::SeqCst) {
            return Err("refused by the test".into());
        }
        self.started.fetch_add(1, Ordering::SeqCst);
        thread::Builder::new().name(name).spawn(work)?;
        Ok(())
    }

    fn while_waiting(&self, wait: &mut (dyn FnMut() + Send)) {
        self.idles.fetch_add(1, Ordering::SeqCst);
        wait();
    }
}

#[test]
fn a_host_starts_the_named_workers_and_shutdown_waits_for_them() {
    within(|| {
        let host = Arc::new(TestHost::default());
        let pool = ThreadPoolExecutor::builder()
            .max_workers(3)
            .thread_name_prefix("hosted")
            .host(Arc::clone(&host))
            .build()
            .unwrap();
        let (tx, block) = gate();
        let blocked = pool.submit(block).unwrap();
        let names: Vec<_> = (0..4)
            .map(|_| {
                pool.submit(|| thread::current().name().unwrap().to_owned())
                    .unwrap()
            })
            .collect();
        for name in &names {
            assert!(name.result(None).unwrap().starts_with("hosted_"));
        }
        assert!(host.started.load(Ordering::SeqCst) <= 3);
        drop(tx);
        blocked.result(None).unwrap();
        wait_until(|| host.idles.load(Ordering::SeqCst) > 0);
        let finished = Arc::new(AtomicUsize::new(0));
        let last = {
            let finished = Arc::clone(&finished);
            pool.submit(move || {
                thread::sleep(Duration::from_millis(20));
                finished.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap()
        };
        pool.shutdown(true, false);
        assert!(
            last.done(),
            "shutdown(wait) returned before the queued call ran"
        );
        assert_eq!(finished.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn a_hosted_worker_may_shut_its_own_pool_down_and_wait() {
    within(|| {
        let pool = Arc::new(
            ThreadPoolExecutor::builder()
                .max_workers(2)
                .host(Arc::new(TestHost::default()))
                .build()
                .unwrap(),
        );
        let inner = Arc::clone(&pool);
        let future = pool.submit(move || inner.shutdown(true, false)).unwrap();
        future.result(None).unwrap();
        assert_eq!(pool.submit(|| ()).unwrap_err(), SubmitError::Shutdown);
    });
}

#[test]
fn a_host_that_cannot_start_a_thread_fails_the_submit_and_keeps_the_call_queued() {
    within(|| {
        let host = Arc::new(TestHost::default());
        host.refuse.store(true, Ordering::SeqCst);
        let pool = ThreadPoolExecutor::builder()
            .max_workers(1)
            .host(Arc::clone(&host))
            .build()
            .unwrap();
        let error = pool.submit(|| 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "can't start new thread: refused by the test"
        );
        assert_eq!(pool.num_threads(), 0, "the failed start gave its slot back");
        assert_eq!(pool.pending(), 1, "the call stays queued, as in CPython");
        host.refuse.store(false, Ordering::SeqCst);
        let next = pool.submit(|| 2).unwrap();
        assert_eq!(next.result(None), Ok(2));
        assert_eq!(host.started.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn without_wait_on_drop_dropping_the_executor_does_not_wait_and_the_queue_still_runs() {
    within(|| {
        let pool = ThreadPoolExecutor::builder()
            .max_workers(1)
            .wait_on_drop(false)
            .build()
            .unwrap();
        let (tx, block) = gate();
        let first = pool.submit(block).unwrap();
        let second = pool.submit(|| 7).unwrap();
        drop(pool); // returns although the worker is blocked
        assert!(!second.done());
        drop(tx);
        first.result(None).unwrap();
        assert_eq!(second.result(None), Ok(7));
    });
}
