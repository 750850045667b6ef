//! The job: a queued call and the future it completes. A submit puts the call into its future's
//! own block (a block of the pool's slab, see `../slab.rs`), so the queue holds a counted
//! reference to the future's state and a submit allocates nothing once the slab has free blocks;
//! `submit_to`, whose future exists already, puts the call and a reference to the future in a
//! block of their own.

use std::alloc::Layout;
use std::fmt;
use std::panic::{self, AssertUnwindSafe, RefUnwindSafe, UnwindSafe};
use std::ptr::NonNull;
use std::sync::Arc;

use super::pool::Pool;
use super::stats::WorkerStats;
use crate::futures::Future;
use crate::futures::error::{BrokenThreadPool, PanicError, TaskError};
use crate::futures::future::{FutureState, Inner};
use crate::futures::slab::{self, Home, Slab};
use crate::loom::cell::UnsafeCell;

/// A queued call: run it, cancel it (shutdown with `cancel_futures`), fail it (broken pool), or
/// drop it (with the pool). Owned: only the thread that took the job from the queue acts on it,
/// once, and that consumes it.
pub(super) struct Job {
    /// The block that holds the call: an `Inner<T, E, Call<F>>` whose one counted reference this
    /// job owns, or a `ForFuture<T, E, F>` that it owns.
    block: NonNull<()>,
    /// The one function of the block's type that acts on it.
    act: unsafe fn(NonNull<()>, Action<'_>) -> bool,
}

// SAFETY: a job is made only of a call that is `Send` and a future state that is `Send + Sync`
// (see `Job::own` and `Job::for_future`), and it is owned: moving it moves them.
unsafe impl Send for Job {}

/// What a worker (or `shutdown`, or a broken pool, or the queue's drop) does with a job.
enum Action<'a> {
    Run(&'a Pool, &'a WorkerStats),
    Cancel,
    Fail,
    Drop,
}

impl Job {
    /// The job of a new future of its own (every submit but `submit_to`): the future's state
    /// with `call` in it, in a block of `slab`'s if one holds it; and the future's handle.
    pub(super) fn own<F, T, E>(slab: &Arc<Slab>, call: F) -> (Job, Future<T, E>)
    where
        F: FnOnce() -> Result<T, E> + Send + 'static,
        T: Send + Sync + 'static,
        E: From<TaskError> + Send + Sync + 'static,
    {
        // Two references: the handle's and this job's.
        let state = FutureState::<T, E>::allocate(Call(UnsafeCell::new(Some(call))), Some(slab), 2);
        // SAFETY: `allocate` counted a handle, made here once.
        let future = unsafe { Future::from_raw(state) };
        let job = Job {
            block: state.cast(),
            act: act_own::<F, T, E>,
        };
        (job, future)
    }

    /// The job of `future`, made before it ([`ThreadPoolExecutor::submit_to`]): the call and a
    /// reference to the future, in a block of `slab`'s if one holds them.
    ///
    /// [`ThreadPoolExecutor::submit_to`]: super::ThreadPoolExecutor::submit_to
    pub(super) fn for_future<F, T, E>(slab: &Arc<Slab>, future: FutureState<T, E>, call: F) -> Job
    where
        F: FnOnce() -> Result<T, E> + Send + 'static,
        T: Send + Sync + 'static,
        E: From<TaskError> + Send + Sync + 'static,
    {
        // Not zero-sized: it holds a pointer.
        let layout = Layout::new::<ForFuture<T, E, F>>();
        let (block, home) = slab::allocate(Some(slab), layout);
        let block = block.cast::<ForFuture<T, E, F>>();
        // SAFETY: the block is fresh or free, sized and aligned for `ForFuture<T, E, F>`.
        unsafe {
            block.as_ptr().write(ForFuture { future, call, home });
        }
        Job {
            block: block.cast(),
            act: act_for_future::<F, T, E>,
        }
    }

    /// Runs the call unless its future was cancelled; true if the worker released an idle token.
    pub(super) fn run(self, pool: &Pool, stats: &WorkerStats) -> bool {
        self.consume(Action::Run(pool, stats))
    }

    /// Drops the call and cancels its future (`shutdown` with `cancel_futures`).
    pub(super) fn cancel(self) {
        self.consume(Action::Cancel);
    }

    /// Drops the call and fails its future with [`BrokenThreadPool`].
    pub(super) fn fail(self) {
        self.consume(Action::Fail);
    }

    fn consume(self, action: Action<'_>) -> bool {
        let job = std::mem::ManuallyDrop::new(self);
        // SAFETY: `act` is the function made for `block`'s type, and the job is consumed here:
        // nothing acts on the block again (`ManuallyDrop` keeps `Drop` from it).
        unsafe { (job.act)(job.block, action) }
    }
}

impl Drop for Job {
    /// A job dropped unrun (its pool went with it queued) drops its call and its reference.
    fn drop(&mut self) {
        // SAFETY: as in `consume`: this is the job's one action.
        unsafe { (self.act)(self.block, Action::Drop) };
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job").finish_non_exhaustive()
    }
}

/// The call inside a queued future's block; taken by the worker that pops the job.
pub(crate) struct Call<F>(UnsafeCell<Option<F>>);

// SAFETY: only the thread that popped the job touches the call (see `Job`): the closure moves to
// that thread (`F: Send`) and is never shared; future handles never look at it.
unsafe impl<F: Send> Sync for Call<F> {}

/// The call is moved out whole before it runs, so a panic in it leaves nothing half-done here.
impl<F> UnwindSafe for Call<F> {}
impl<F> RefUnwindSafe for Call<F> {}

/// A call queued for a future made before it ([`ThreadPoolExecutor::submit_to`]), in a block of
/// its own.
///
/// [`ThreadPoolExecutor::submit_to`]: super::ThreadPoolExecutor::submit_to
struct ForFuture<T, E, F> {
    /// The future's state, held as a job holds it: not a handle.
    future: FutureState<T, E>,
    call: F,
    home: Home,
}

/// `Job::act` for [`Job::own`]'s block.
///
/// # Safety
///
/// `block` is an `Inner<T, E, Call<F>>` whose reference the caller gives up; called once.
unsafe fn act_own<F, T, E>(block: NonNull<()>, action: Action<'_>) -> bool
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + Sync + 'static,
    E: From<TaskError> + Send + Sync + 'static,
{
    let block = block.cast::<Inner<T, E, Call<F>>>();
    // SAFETY: the caller's reference keeps the block alive until `state` goes, and it is the
    // job's: the one thread acting on the job is the only one that touches the call.
    let call = unsafe { block.as_ref().call.0.with_mut(|call| (*call).take()) };
    // SAFETY: the caller gives its reference up to `state`.
    let state = unsafe { FutureState::from_raw(block) };
    act(&state, call, action)
}

/// `Job::act` for [`Job::for_future`]'s block.
///
/// # Safety
///
/// `block` is a `ForFuture<T, E, F>` that the caller gives up; called once.
unsafe fn act_for_future<F, T, E>(block: NonNull<()>, action: Action<'_>) -> bool
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + Sync + 'static,
    E: From<TaskError> + Send + Sync + 'static,
{
    let block = block.cast::<ForFuture<T, E, F>>();
    // SAFETY: the caller owns the block and gives it up: its value moves out once, and the block,
    // unused from here on, goes back to where `for_future` took it.
    let ForFuture { future, call, home } = unsafe { block.as_ptr().read() };
    // SAFETY: as above.
    unsafe { slab::deallocate(block.cast(), Layout::new::<ForFuture<T, E, F>>(), home) };
    act(&future, Some(call), action)
}

/// What a job does with its call and its future, for both kinds of job: one body.
fn act<F, T, E>(future: &FutureState<T, E>, call: Option<F>, action: Action<'_>) -> bool
where
    F: FnOnce() -> Result<T, E>,
    E: From<TaskError>,
{
    let future = Future::view(future);
    let (pool, stats) = match action {
        Action::Run(pool, stats) => (pool, stats),
        // The call goes first: what it holds may refer back to the future.
        Action::Cancel => {
            drop(call);
            future.cancel();
            return false;
        }
        Action::Fail => {
            drop(call);
            let _ = future.set_exception(E::from(TaskError::Broken(BrokenThreadPool)));
            return false;
        }
        Action::Drop => return false,
    };
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

/// The pool's one FIFO of jobs: crossbeam's lock-free `Injector`, or, under the loom model, a
/// loom mutex around a `VecDeque`, so that loom sees the hand-over from submitter to worker
/// (crossbeam's atomics are invisible to it) and checks the protocol around the queue.
#[derive(Default)]
pub(super) struct Jobs {
    #[cfg(not(threadkit_loom))]
    queue: crossbeam_deque::Injector<Job>,
    #[cfg(threadkit_loom)]
    queue: crate::loom::sync::Mutex<std::collections::VecDeque<Job>>,
}

impl Jobs {
    pub(super) fn push(&self, job: Job) {
        #[cfg(not(threadkit_loom))]
        self.queue.push(job);
        #[cfg(threadkit_loom)]
        self.queue.lock().unwrap().push_back(job);
    }

    /// Takes the oldest job.
    pub(super) fn pop(&self) -> Option<Job> {
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
