//! The job: a queued call and the future it completes. A submit puts the call into its future's
//! own allocation, so the queue holds the future's shared state (an `Arc<dyn Job>`) and a submit
//! allocates once.

use std::panic::{self, AssertUnwindSafe, RefUnwindSafe, UnwindSafe};
use std::sync::Arc;

use super::pool::Pool;
use super::stats::WorkerStats;
use crate::futures::Future;
use crate::futures::error::{BrokenThreadPool, PanicError, TaskError};
use crate::futures::future::{FutureState, Inner};
use crate::loom::cell::UnsafeCell;

/// A queued call: run it, cancel it (shutdown with `cancel_futures`), or fail it (broken pool).
///
/// Implemented by a future's shared state with the call in it, so a submit allocates once. Only
/// the thread that took the job from the queue calls these, once.
pub(super) trait Job: Send + Sync {
    /// Runs the call unless its future was cancelled; true if it released an idle token.
    fn run(self: Arc<Self>, pool: &Pool, stats: &WorkerStats) -> bool;
    fn cancel(self: Arc<Self>);
    fn fail(self: Arc<Self>);
}

/// The call inside a queued future's allocation; taken by the worker that pops the job.
pub(super) struct Call<F>(UnsafeCell<Option<F>>);

// SAFETY: only the thread that popped the job touches the call (see `Job`): the closure moves to
// that thread (`F: Send`) and is never shared; future handles never look at it.
unsafe impl<F: Send> Sync for Call<F> {}

/// The call is moved out whole before it runs, so a panic in it leaves nothing half-done here.
impl<F> UnwindSafe for Call<F> {}
impl<F> RefUnwindSafe for Call<F> {}

impl<F> Call<F> {
    pub(super) fn new(call: F) -> Self {
        Call(UnsafeCell::new(Some(call)))
    }

    /// Takes the call out.
    ///
    /// # Safety
    ///
    /// Only the thread that popped the call's job may call this (see `Job`).
    unsafe fn take(&self) -> Option<F> {
        // SAFETY: the caller popped the job, so no other thread accesses the call.
        self.0.with_mut(|call| unsafe { (*call).take() })
    }
}

/// Runs a popped call for `future` unless the future was cancelled; true if the worker released
/// an idle token.
fn run_call<F, T, E>(
    future: &Future<T, E>,
    call: Option<F>,
    pool: &Pool,
    stats: &WorkerStats,
) -> bool
where
    F: FnOnce() -> Result<T, E>,
    E: From<TaskError>,
{
    let Some(call) = call else { return false };
    if future.set_running_or_notify_cancel() != Ok(true) {
        return false;
    }
    stats.start();
    let outcome = panic::catch_unwind(AssertUnwindSafe(call)).unwrap_or_else(|payload| {
        Err(E::from(TaskError::Panicked(PanicError::from_payload(
            &*payload,
        ))))
    });
    // Counted and marked idle before the result is visible, so that whoever sees the result
    // also sees this worker as idle (a following submit reuses it instead of spawning).
    stats.complete();
    let released = pool.release_idle_token_if_empty();
    // An error means someone else set the outcome by hand; the task's own is dropped.
    let _ = future.set_outcome(outcome);
    released
}

/// A call queued for a future made before it ([`ThreadPoolExecutor::submit_to`]).
pub(super) struct ForFuture<T, E, F> {
    /// The future's state, held as a job holds it: not a handle.
    pub(super) future: FutureState<T, E>,
    pub(super) call: Call<F>,
}

impl<F, T, E> Job for ForFuture<T, E, F>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + Sync + 'static,
    E: From<TaskError> + Send + Sync + 'static,
{
    fn run(self: Arc<Self>, pool: &Pool, stats: &WorkerStats) -> bool {
        // SAFETY: `Job` methods run only in the thread that popped the job.
        let call = unsafe { self.call.take() };
        run_call(&Future::view(&self.future), call, pool, stats)
    }

    fn cancel(self: Arc<Self>) {
        // SAFETY: `Job` methods run only in the thread that popped the job.
        drop(unsafe { self.call.take() });
        Future::view(&self.future).cancel();
    }

    fn fail(self: Arc<Self>) {
        // SAFETY: `Job` methods run only in the thread that popped the job.
        drop(unsafe { self.call.take() });
        let error = E::from(TaskError::Broken(BrokenThreadPool));
        let _ = Future::view(&self.future).set_exception(error);
    }
}

impl<F, T, E> Job for Inner<T, E, Call<F>>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + Sync + 'static,
    E: From<TaskError> + Send + Sync + 'static,
{
    fn run(self: Arc<Self>, pool: &Pool, stats: &WorkerStats) -> bool {
        // SAFETY: `Job` methods run only in the thread that popped the job.
        let call = unsafe { self.call.take() };
        let state: FutureState<T, E> = self;
        run_call(&Future::view(&state), call, pool, stats)
    }

    fn cancel(self: Arc<Self>) {
        // The call goes now: what it holds may refer back to the future.
        // SAFETY: `Job` methods run only in the thread that popped the job.
        drop(unsafe { self.call.take() });
        let state: FutureState<T, E> = self;
        Future::view(&state).cancel();
    }

    fn fail(self: Arc<Self>) {
        // SAFETY: `Job` methods run only in the thread that popped the job.
        drop(unsafe { self.call.take() });
        let error = E::from(TaskError::Broken(BrokenThreadPool));
        let state: FutureState<T, E> = self;
        let _ = Future::view(&state).set_exception(error);
    }
}

/// The pool's one FIFO of jobs: crossbeam's lock-free `Injector`, or, under the loom model, a
/// loom mutex around a `VecDeque`, so that loom sees the hand-over from submitter to worker
/// (crossbeam's atomics are invisible to it) and checks the protocol around the queue.
#[derive(Default)]
pub(super) struct Jobs {
    #[cfg(not(threadkit_loom))]
    queue: crossbeam_deque::Injector<Arc<dyn Job>>,
    #[cfg(threadkit_loom)]
    queue: crate::loom::sync::Mutex<std::collections::VecDeque<Arc<dyn Job>>>,
}

impl Jobs {
    pub(super) fn push(&self, job: Arc<dyn Job>) {
        #[cfg(not(threadkit_loom))]
        self.queue.push(job);
        #[cfg(threadkit_loom)]
        self.queue.lock().unwrap().push_back(job);
    }

    /// Takes the oldest job.
    pub(super) fn pop(&self) -> Option<Arc<dyn Job>> {
        #[cfg(not(threadkit_loom))]
        loop {
            match self.queue.steal() {
                crossbeam_deque::Steal::Success(job) => return Some(job),
                crossbeam_deque::Steal::Empty => return None,
                crossbeam_deque::Steal::Retry => std::hint::spin_loop(),
            }
        }
        #[cfg(threadkit_loom)]
        self.queue.lock().unwrap().pop_front()
    }

    pub(super) fn is_empty(&self) -> bool {
        #[cfg(not(threadkit_loom))]
        return self.queue.is_empty();
        #[cfg(threadkit_loom)]
        self.queue.lock().unwrap().is_empty()
    }

    pub(super) fn len(&self) -> usize {
        #[cfg(not(threadkit_loom))]
        return self.queue.len();
        #[cfg(threadkit_loom)]
        self.queue.lock().unwrap().len()
    }
}
