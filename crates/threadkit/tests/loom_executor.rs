//! Loom models of the executor: a submit against a worker that is going to park (the sleepers'
//! Dekker pair) and a submit against `shutdown` (the gate's). The workers are loom threads,
//! started through a `WorkerHost`. The job queue (crossbeam's `Injector`) is not loom's: its
//! operations run without a preemption point inside, so the models take them as atomic and
//! check the protocol around them. A future's references are counted in loom's atomics, so the
//! models of the slab (a future's block reused by a later one) see every drop.
#![cfg(threadkit_loom)]

use std::sync::atomic::AtomicUsize;

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread::{self, JoinHandle};
use threadkit::futures::{
    self, Future, FutureError, HostError, Report, SubmitError, TaskError, ThreadPoolExecutor,
    WorkerHost,
};

/// Starts each worker as a loom thread and joins it at shutdown.
#[derive(Default)]
struct LoomThreads(Mutex<Vec<JoinHandle<()>>>);

impl WorkerHost for LoomThreads {
    fn start(&self, _name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), HostError> {
        let handle = thread::spawn(work);
        self.0.lock().unwrap().push(handle);
        Ok(())
    }

    fn join(&self) {
        for handle in self.0.lock().unwrap().drain(..) {
            handle.join().unwrap();
        }
    }
}

/// A one-worker pool whose worker has started and has run one call (its future is returned, to
/// be dropped after the shutdown), so the next submit takes the full pool's path.
fn started_pool() -> (ThreadPoolExecutor, Future<u32>) {
    let pool = ThreadPoolExecutor::builder()
        .max_workers(1)
        .host(std::sync::Arc::new(LoomThreads::default()))
        .build()
        .unwrap();
    let first = pool.submit(|| 0).unwrap();
    assert_eq!(first.result(None), Ok(0));
    (pool, first)
}

#[test]
fn submit_wakes_a_worker_that_is_going_to_park() {
    loom::model(|| {
        let (pool, _first) = started_pool();
        // The worker is anywhere between publishing the first result and parking: a lost
        // wake-up (neither side seeing the other's write) deadlocks the model here.
        let second = pool.submit(|| 1).unwrap();
        assert_eq!(second.result(None), Ok(1));
        pool.shutdown(true, false);
    });
}

/// Submits one call from another thread while this one shuts the pool down (`cancel_futures` as
/// given); returns what the submit got, and the result of its future if it was accepted.
fn submit_against_shutdown(cancel_futures: bool) -> Result<Result<u32, FutureError>, SubmitError> {
    let (pool, _first) = started_pool();
    let pool = Arc::new(pool);
    let submitter = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || pool.submit(|| 1))
    };
    pool.shutdown(true, cancel_futures);
    // Joined after the shutdown returned: a call the submit got accepted is already settled, or
    // was left in a queue nobody looks at again (then `result` deadlocks the model).
    let submitted = submitter.join().unwrap();
    submitted.map(|future| future.result(None))
}

#[test]
fn submit_against_shutdown_either_runs_or_is_refused() {
    loom::model(|| match submit_against_shutdown(false) {
        Ok(result) => assert_eq!(result, Ok(1)),
        Err(error) => assert_eq!(error, SubmitError::Shutdown),
    });
}

#[test]
fn submit_against_cancelling_shutdown_never_leaves_a_future_pending() {
    loom::model(|| match submit_against_shutdown(true) {
        Ok(result) => assert!(matches!(result, Ok(1) | Err(FutureError::Cancelled))),
        Err(error) => assert_eq!(error, SubmitError::Shutdown),
    });
}

#[test]
fn into_result_races_the_worker_publishing_and_always_gets_the_value() {
    loom::model(|| {
        let (pool, _first) = started_pool();
        let future = pool.submit(|| 1).unwrap();
        // The worker's reference to the job is no handle: wherever the worker is in publishing
        // the result, this handle is the last one and takes the value.
        assert_eq!(future.into_result(None), Some(Ok(1)));
        pool.shutdown(true, false);
    });
}

#[test]
fn a_block_is_reused_only_after_its_last_handle_and_never_read_stale() {
    loom::model(|| {
        let (pool, _first) = started_pool();
        let old = pool.submit(|| 1).unwrap();
        let old_id = old.id();
        let read = Arc::new(AtomicBool::new(false));
        let reader = {
            let (old, read) = (old.clone(), Arc::clone(&read));
            thread::spawn(move || {
                // Whatever the worker and the next submit do meanwhile, this handle reads its own
                // task's outcome, never the state of a later task written into a reused block.
                assert_eq!(old.result(None), Ok(1));
                read.store(true, Ordering::Release);
                drop(old);
            })
        };
        drop(old);
        let new = pool.submit(|| 2).unwrap();
        assert_eq!(new.result(None), Ok(2));
        if new.id() == old_id {
            // The block came back only once every reference went, the reader's too: its drop
            // (release) happens-before the reuse, and so does its read before it.
            assert!(
                read.load(Ordering::Acquire),
                "a block reused under a live handle"
            );
        }
        reader.join().unwrap();
        pool.shutdown(true, false);
    });
}

/// Unobserved failures reported in the current model run (the hook is process-wide).
static UNOBSERVED: AtomicUsize = AtomicUsize::new(0);

#[test]
fn the_last_drop_racing_a_failure_reports_it_once() {
    loom::model(|| {
        UNOBSERVED.store(0, std::sync::atomic::Ordering::Relaxed);
        futures::set_report_hook(|report| {
            if let Report::UnobservedFailure { .. } = report {
                UNOBSERVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        let (pool, _first) = started_pool();
        let failing = pool
            .submit_fallible(|| Err::<u32, _>(TaskError::Broken(futures::BrokenThreadPool)))
            .unwrap();
        // Dropped wherever the worker is in publishing the failure: the last of the two
        // references (this handle, the job's) reports it, and only that one.
        drop(failing);
        pool.shutdown(true, false);
        futures::reset_report_hook();
        assert_eq!(UNOBSERVED.load(std::sync::atomic::Ordering::Relaxed), 1);
    });
}
