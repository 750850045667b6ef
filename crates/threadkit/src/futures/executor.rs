//! [`ThreadPoolExecutor`]: a pool of worker threads that run submitted calls and hand back
//! [`Future`]s, like `concurrent.futures.ThreadPoolExecutor`. The sleep/wake protocol is described
//! in `README.md` beside this file.

use std::fmt;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe, RefUnwindSafe, UnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_deque::{Injector, Steal};
use crossbeam_utils::CachePadded;

use super::Future;
use super::error::{BrokenThreadPool, BuildError, PanicError, SubmitError, TaskError};
use super::future::Inner;
use super::host::WorkerHost;
use super::map::Map;
use crate::loom::atomic::{self, AtomicU64, AtomicUsize, Ordering};
use crate::loom::cell::UnsafeCell;
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, SpinWait};
use crate::thread::Thread;
use crate::timeout;

/// Set in `gate` once `shutdown` was called.
const SHUTDOWN: usize = 0b01;
/// Set in `gate` once an initializer failed.
const BROKEN: usize = 0b10;
/// One submit between its check of `gate` and the end of its enqueueing.
const IN_FLIGHT: usize = 0b100;

/// How many extra rounds (each a `yield`) an idle worker keeps looking for work after its
/// `SpinWait` budget, before it parks: a wake-up costs far more than a few yields.
const IDLE_YIELDS: u32 = 32;

/// A worker thread initializer; an error (or a panic) breaks the pool. `Err(None)`: a failure the
/// initializer reported itself.
type Initializer = Arc<dyn Fn() -> Result<(), Option<String>> + Send + Sync>;

/// A queued call: run it, cancel it (shutdown with `cancel_futures`), or fail it (broken pool).
///
/// Implemented by a future's shared state with the call in it, so a submit allocates once. Only
/// the thread that took the job from the queue calls these, once.
trait Job: Send + Sync {
    /// Runs the call unless its future was cancelled; true if it released an idle token.
    fn run(self: Arc<Self>, pool: &Pool, stats: &WorkerStats) -> bool;
    fn cancel(self: Arc<Self>);
    fn fail(self: Arc<Self>);
}

/// The call inside a queued future's allocation; taken by the worker that pops the job.
struct Call<F>(UnsafeCell<Option<F>>);

// SAFETY: only the thread that popped the job touches the call (see `Job`): the closure moves to
// that thread (`F: Send`) and is never shared; future handles never look at it.
unsafe impl<F: Send> Sync for Call<F> {}

/// The call is moved out whole before it runs, so a panic in it leaves nothing half-done here.
impl<F> UnwindSafe for Call<F> {}
impl<F> RefUnwindSafe for Call<F> {}

impl<F> Call<F> {
    fn new(call: F) -> Self {
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
struct ForFuture<T, E, F> {
    future: Future<T, E>,
    call: Call<F>,
}

impl<F, T, E> Job for ForFuture<T, E, F>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + Sync + 'static,
    E: From<TaskError> + Send + Sync + 'static,
{
    fn run(self: Arc<Self>, pool: &Pool, stats: &WorkerStats) -> bool {
        // SAFETY: `Job` methods run only in the thread that popped the job.
        run_call(&self.future, unsafe { self.call.take() }, pool, stats)
    }

    fn cancel(self: Arc<Self>) {
        // SAFETY: `Job` methods run only in the thread that popped the job.
        drop(unsafe { self.call.take() });
        self.future.cancel();
    }

    fn fail(self: Arc<Self>) {
        // SAFETY: `Job` methods run only in the thread that popped the job.
        drop(unsafe { self.call.take() });
        let _ = self
            .future
            .set_exception(E::from(TaskError::Broken(BrokenThreadPool)));
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
        run_call(&Future::from_inner(self), call, pool, stats)
    }

    fn cancel(self: Arc<Self>) {
        // The call goes now: what it holds may refer back to the future.
        // SAFETY: `Job` methods run only in the thread that popped the job.
        drop(unsafe { self.call.take() });
        Future::from_inner(self).cancel();
    }

    fn fail(self: Arc<Self>) {
        // SAFETY: `Job` methods run only in the thread that popped the job.
        drop(unsafe { self.call.take() });
        let error = E::from(TaskError::Broken(BrokenThreadPool));
        let _ = Future::from_inner(self).set_exception(error);
    }
}

/// A worker's task counts: written only by that worker (plain stores, no contended
/// read-modify-write), summed by the `running`/`completed` getters.
#[derive(Default)]
struct WorkerStats {
    started: std::cell::Cell<u64>,
    completed: std::cell::Cell<u64>,
    shared: Arc<SharedStats>,
}

#[derive(Default)]
struct SharedStats {
    started: AtomicU64,
    completed: AtomicU64,
}

impl WorkerStats {
    fn start(&self) {
        self.started.set(self.started.get() + 1);
        self.shared
            .started
            .store(self.started.get(), Ordering::Release);
    }

    fn complete(&self) {
        self.completed.set(self.completed.get() + 1);
        self.shared
            .completed
            .store(self.completed.get(), Ordering::Release);
    }
}

/// The state shared by the executor handle and its workers.
struct Pool {
    queue: Injector<Arc<dyn Job>>,
    /// `SHUTDOWN | BROKEN | in-flight submits * IN_FLIGHT`.
    gate: CachePadded<AtomicUsize>,
    /// Workers that announced they are going to park (the key they park on).
    sleepers: CachePadded<AtomicUsize>,
    /// CPython's `_idle_semaphore`: released when a worker runs out of work, taken by a submit
    /// that then needs no new thread.
    idle_tokens: AtomicUsize,
    num_threads: AtomicUsize,
    max_workers: usize,
    prefix: String,
    initializer: Option<Initializer>,
    /// The workers' handles (a parking_lot mutex: a forked child can force it open).
    threads: parking_lot::Mutex<Vec<Thread>>,
    /// Each worker's counts (see `WorkerStats`).
    stats: parking_lot::Mutex<Vec<Arc<SharedStats>>>,
    /// With `max_pending`: queued tasks, counted at submit (the key blocked submitters park on).
    pending: CachePadded<AtomicUsize>,
    max_pending: Option<usize>,
    /// Submitters that announced they are going to park on `pending`.
    blocked: AtomicUsize,
    /// Starts the workers instead of `spawn_worker` (see [`WorkerHost`]).
    host: Option<Arc<dyn WorkerHost>>,
    /// With a host: workers started and not yet returned (the key `shutdown` waits on).
    live: CachePadded<AtomicUsize>,
}

thread_local! {
    /// The pool whose worker this thread is, if any (its address): a worker that shuts its own
    /// pool down does not wait for itself.
    static WORKER_OF: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Pool {
    /// Takes the oldest queued job.
    fn pop(&self) -> Option<Arc<dyn Job>> {
        loop {
            match self.queue.steal() {
                Steal::Success(job) => {
                    if self.max_pending.is_some() {
                        self.pending.fetch_sub(1, Ordering::SeqCst);
                        atomic::fence(Ordering::SeqCst);
                        if self.blocked.load(Ordering::Relaxed) > 0 {
                            wake_one(&self.pending, &self.blocked);
                        }
                    }
                    return Some(job);
                }
                Steal::Empty => return None,
                Steal::Retry => std::hint::spin_loop(),
            }
        }
    }

    fn release_idle_token_if_empty(&self) -> bool {
        if self.num_threads.load(Ordering::Relaxed) < self.max_workers && self.queue.is_empty() {
            self.idle_tokens.fetch_add(1, Ordering::AcqRel);
            true
        } else {
            false
        }
    }

    /// The worker thread's body.
    fn work(&self) {
        if let Some(initializer) = &self.initializer {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| initializer()))
                .unwrap_or_else(|payload| Err(Some(PanicError::from_payload(&*payload).message)));
            if let Err(message) = outcome {
                if let Some(message) = message {
                    eprintln!("Exception in initializer: {message}");
                }
                self.break_pool();
                return;
            }
        }
        let stats = WorkerStats::default();
        self.stats.lock().push(Arc::clone(&stats.shared));
        // Whether this worker released an idle token since it last took a job.
        let mut idle = false;
        loop {
            if let Some(job) = self.pop() {
                idle = job.run(self, &stats);
                continue;
            }
            if !idle {
                self.idle_tokens.fetch_add(1, Ordering::AcqRel);
                idle = true;
            }
            let more = match &self.host {
                Some(host) => {
                    let mut more = false;
                    host.idle(&mut || more = self.wait_for_work());
                    more
                }
                None => self.wait_for_work(),
            };
            if !more {
                return;
            }
        }
    }

    /// Waits until the queue may hold a job (true) or the pool is shut down and drained (false).
    fn wait_for_work(&self) -> bool {
        let mut spin = SpinWait::new();
        let mut yields = 0;
        loop {
            if !self.queue.is_empty() {
                return true;
            }
            let gate = self.gate.load(Ordering::Acquire);
            if gate & SHUTDOWN != 0 {
                // Pairs with the fence of a submit on the full pool's path, between its push and
                // its second look at `gate` (see README.md): a job such a submit kept is seen now.
                atomic::fence(Ordering::SeqCst);
                if gate < IN_FLIGHT && self.queue.is_empty() {
                    return false;
                }
                // A submit that passed the gate before shutdown is still enqueueing.
                std::thread::yield_now();
                continue;
            }
            if spin.spin() {
                continue;
            }
            if cfg!(not(threadkit_loom)) && yields < IDLE_YIELDS {
                yields += 1;
                std::thread::yield_now();
                continue;
            }
            // Announce, then look again under the parking lot's queue lock (see README.md).
            let idle =
                || self.queue.is_empty() && self.gate.load(Ordering::Relaxed) & SHUTDOWN == 0;
            announce_parked(&self.sleepers, &self.sleepers, idle, None);
            spin.reset();
            yields = 0;
        }
    }

    /// Wakes one parked worker if a worker announced it is parking.
    #[inline]
    fn notify_worker(&self) {
        atomic::fence(Ordering::SeqCst);
        if self.sleepers.load(Ordering::Relaxed) > 0 {
            wake_one(&self.sleepers, &self.sleepers);
        }
    }

    /// Starts a worker unless an idle one can take the new job (CPython's
    /// `_adjust_thread_count`).
    fn adjust_thread_count(self: &Arc<Self>) -> Result<(), SubmitError> {
        if self.num_threads.load(Ordering::Acquire) >= self.max_workers {
            return Ok(());
        }
        if self
            .idle_tokens
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |tokens| {
                tokens.checked_sub(1)
            })
            .is_ok()
        {
            return Ok(());
        }
        match &self.host {
            Some(host) => self.start_hosted(host),
            None => {
                let mut threads = self.threads.lock();
                let count = self.num_threads.load(Ordering::Acquire);
                if count < self.max_workers {
                    let pool = Arc::clone(self);
                    threads.push(spawn_worker(
                        format!("{}_{count}", self.prefix),
                        move || pool.work(),
                    ));
                    self.num_threads.store(count + 1, Ordering::Release);
                }
                Ok(())
            }
        }
    }

    /// Starts a worker through the host. The slot is reserved first and no lock is held while the
    /// host runs, so a host may block or call back into the pool.
    fn start_hosted(self: &Arc<Self>, host: &Arc<dyn WorkerHost>) -> Result<(), SubmitError> {
        let reserved =
            self.num_threads
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |count| {
                    (count < self.max_workers).then_some(count + 1)
                });
        let Ok(count) = reserved else { return Ok(()) };
        self.live.fetch_add(1, Ordering::SeqCst);
        let pool = Arc::clone(self);
        let work = Box::new(move || {
            WORKER_OF.set(Arc::as_ptr(&pool) as usize);
            pool.work();
            WORKER_OF.set(0);
            pool.live.fetch_sub(1, Ordering::SeqCst);
            park::unpark_all(park::key(&*pool.live), DEFAULT_UNPARK_TOKEN);
        });
        host.start(format!("{}_{count}", self.prefix), work)
            .map_err(|error| {
                self.live.fetch_sub(1, Ordering::SeqCst);
                self.num_threads.fetch_sub(1, Ordering::AcqRel);
                SubmitError::Start(error.to_string())
            })
    }

    /// With a host: waits until every worker but the calling one has returned.
    fn wait_for_hosted_workers(self: &Arc<Self>) {
        let me = usize::from(WORKER_OF.get() == Arc::as_ptr(self) as usize);
        let mut spin = SpinWait::new();
        while self.live.load(Ordering::SeqCst) > me {
            if spin.spin() {
                continue;
            }
            let validate = || self.live.load(Ordering::SeqCst) > me;
            park::park(
                park::key(&*self.live),
                validate,
                |_, _| {},
                DEFAULT_PARK_TOKEN,
                None,
            );
        }
    }

    /// Waits until no submit is between its gate check and the end of its enqueueing.
    fn wait_for_submitters(&self) {
        while self.gate.load(Ordering::Acquire) >= IN_FLIGHT {
            std::thread::yield_now();
        }
    }

    /// Wakes every parked worker and every blocked submitter (after shutdown or breakage).
    fn wake_all(&self) {
        let woken = park::unpark_all(park::key(&*self.sleepers), DEFAULT_UNPARK_TOKEN);
        self.sleepers.fetch_sub(woken, Ordering::Relaxed);
        let woken = park::unpark_all(park::key(&*self.pending), DEFAULT_UNPARK_TOKEN);
        self.blocked.fetch_sub(woken, Ordering::Relaxed);
    }

    /// An initializer failed: refuse new submits and fail the queued ones (CPython's
    /// `_initializer_failed`).
    fn break_pool(&self) {
        self.gate.fetch_or(BROKEN, Ordering::SeqCst);
        // Through the host, as a wait for work: a submit in flight may be starting a thread with
        // what a hosted worker holds while it runs (Python's GIL).
        match &self.host {
            Some(host) => host.idle(&mut || self.wait_for_submitters()),
            None => self.wait_for_submitters(),
        }
        // Every job a submit kept is in the queue now (see `ThreadPoolExecutor::enqueue_full`).
        atomic::fence(Ordering::SeqCst);
        while let Some(job) = self.pop() {
            job.fail();
        }
        self.wake_all();
    }

    /// With `max_pending`: waits until fewer than that many tasks are queued and counts one
    /// more.
    fn reserve(&self, max: usize, deadline: Option<Instant>) -> Result<(), SubmitError> {
        let mut spin = SpinWait::new();
        loop {
            refuse(self.gate.load(Ordering::Acquire))?;
            let pending = self.pending.load(Ordering::Relaxed);
            if pending < max {
                if self
                    .pending
                    .compare_exchange_weak(
                        pending,
                        pending + 1,
                        Ordering::SeqCst,
                        Ordering::Relaxed,
                    )
                    .is_ok()
                {
                    return Ok(());
                }
                continue;
            }
            if timeout::expired(deadline) {
                return Err(SubmitError::Full);
            }
            if spin.spin() {
                continue;
            }
            let full = || {
                self.pending.load(Ordering::Relaxed) >= max
                    && self.gate.load(Ordering::Relaxed) & (SHUTDOWN | BROKEN) == 0
            };
            announce_parked(&self.pending, &self.blocked, full, deadline);
            spin.reset();
        }
    }
}

/// Counts the caller in `count`, then parks it on `key_of` while `blocked()` holds, checked under
/// the parking lot's queue lock; or until `deadline`. Whoever ends the park takes the caller off
/// `count` again: the failed check or the timeout here, the waker in [`wake_one`].
fn announce_parked(
    key_of: &AtomicUsize,
    count: &AtomicUsize,
    blocked: impl Fn() -> bool,
    deadline: Option<Instant>,
) {
    count.fetch_add(1, Ordering::SeqCst);
    atomic::fence(Ordering::SeqCst);
    let validate = || {
        let block = blocked();
        if !block {
            count.fetch_sub(1, Ordering::Relaxed);
        }
        block
    };
    let timed_out = |_, _| {
        count.fetch_sub(1, Ordering::Relaxed);
    };
    park::park(
        park::key(key_of),
        validate,
        timed_out,
        DEFAULT_PARK_TOKEN,
        deadline,
    );
}

/// Unparks one thread parked on `key_of` and, if one woke, takes it off `count`.
fn wake_one(key_of: &AtomicUsize, count: &AtomicUsize) {
    park::unpark_one(park::key(key_of), |result| {
        if result.unparked_threads > 0 {
            count.fetch_sub(1, Ordering::Relaxed);
        }
        DEFAULT_UNPARK_TOKEN
    });
}

/// The error a submit gets from the gate, if any.
fn refuse(gate: usize) -> Result<(), SubmitError> {
    if gate & BROKEN != 0 {
        Err(SubmitError::Broken(BrokenThreadPool))
    } else if gate & SHUTDOWN != 0 {
        Err(SubmitError::Shutdown)
    } else {
        Ok(())
    }
}

/// Starts a worker thread named `name`: the one place that creates pool threads.
///
/// Workers are threadkit [`Thread`]s, so they appear in [`enumerate`](crate::thread::enumerate).
/// They are daemon threads: the executor's `shutdown`/drop joins them, so
/// [`thread::shutdown`](crate::thread::shutdown) need not (CPython's workers are joined by its
/// exit hook, which first tells them to stop).
///
/// # Panics
///
/// If the operating system cannot start a thread, as [`std::thread::spawn`] does.
fn spawn_worker(name: String, body: impl FnOnce() + Send + 'static) -> Thread {
    Thread::builder()
        .name(name)
        .daemon(true)
        .start(body)
        .expect("failed to spawn a pool worker thread")
}

/// Numbers the executors created without a thread name prefix (CPython's `_counter`). A plain std
/// atomic: it is a process-wide counter, not part of any modelled state machine.
static EXECUTORS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A pool of worker threads that runs submitted calls, mirroring Python's
/// `concurrent.futures.ThreadPoolExecutor`.
///
/// [`submit`](ThreadPoolExecutor::submit) queues a call and returns a [`Future`] for its result;
/// [`map`](ThreadPoolExecutor::map) applies a function to many items and yields the results in
/// order. Worker threads are started lazily — one per submit while fewer than `max_workers` run
/// and none is idle — and named `{thread_name_prefix}_{n}`. A panic inside a call is caught and
/// stored in its future as [`TaskError::Panicked`]; it never takes a worker down.
///
/// [`shutdown`](ThreadPoolExecutor::shutdown) stops accepting calls; dropping the executor shuts
/// it down and waits for the queued calls to finish, like leaving Python's `with` block.
///
/// # Differences from CPython
///
/// - Calls are closures; their results are typed. [`submit`](ThreadPoolExecutor::submit) takes an
///   infallible closure (failures are panics); [`submit_fallible`](ThreadPoolExecutor::submit_fallible)
///   takes one returning `Result<T, E>`.
/// - `initializer` returns `Result<(), E>` (`E: Display`): an error or a panic breaks the pool.
/// - Beyond CPython: [`Builder::max_pending`] bounds the queue (submit blocks, or gives up with
///   [`submit_timeout`](ThreadPoolExecutor::submit_timeout)); `map` takes 3.14's `buffersize`;
///   [`pending`](ThreadPoolExecutor::pending), [`running`](ThreadPoolExecutor::running) and
///   [`completed`](ThreadPoolExecutor::completed) count tasks.
///
/// # Memory ordering
///
/// Everything the submitting thread did before `submit` happens-before the call runs, and
/// everything the call did happens-before its result is read from the future.
///
/// # Examples
///
/// ```
/// use threadkit::futures::ThreadPoolExecutor;
///
/// let pool = ThreadPoolExecutor::new(Some(4)).unwrap();
/// let futures: Vec<_> = (0..8u64).map(|n| pool.submit(move || n * n).unwrap()).collect();
/// let squares: Vec<u64> = futures.iter().map(|f| f.result(None).unwrap()).collect();
/// assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49]);
///
/// let failed = pool.submit(|| -> u64 { panic!("no luck") }).unwrap();
/// assert_eq!(failed.result(None).unwrap_err().to_string(), "no luck");
/// ```
pub struct ThreadPoolExecutor {
    pool: Arc<Pool>,
    wait_on_drop: bool,
}

/// Configures a [`ThreadPoolExecutor`]: Python's constructor arguments, plus `max_pending`.
///
/// Python: `ThreadPoolExecutor(max_workers, thread_name_prefix, initializer)`, one method per
/// argument; [`ThreadPoolExecutor::builder`] makes one.
///
/// # Examples
///
/// ```
/// use threadkit::futures::ThreadPoolExecutor;
///
/// let pool = ThreadPoolExecutor::builder()
///     .max_workers(2)
///     .thread_name_prefix("io")
///     .max_pending(64)
///     .build()
///     .unwrap();
/// assert_eq!((pool.max_workers(), pool.thread_name_prefix()), (2, "io"));
/// assert_eq!(pool.submit(|| "ok").unwrap().result(None), Ok("ok"));
/// ```
#[derive(Default)]
pub struct Builder {
    max_workers: Option<usize>,
    thread_name_prefix: Option<String>,
    initializer: Option<Initializer>,
    max_pending: Option<usize>,
    host: Option<Arc<dyn WorkerHost>>,
    no_wait_on_drop: bool,
}

impl Builder {
    /// The most worker threads (Python's `max_workers`); the default is
    /// `min(32, available_parallelism + 4)`.
    ///
    /// ```
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::builder().max_workers(3).build().unwrap();
    /// assert_eq!(pool.max_workers(), 3);
    /// ```
    pub fn max_workers(mut self, max_workers: usize) -> Self {
        self.max_workers = Some(max_workers);
        self
    }

    /// The prefix of the workers' names, `{prefix}_{n}` (Python's `thread_name_prefix`); the
    /// default is `ThreadPoolExecutor-{k}`, with `k` counting executors.
    ///
    /// ```
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::builder().thread_name_prefix("db").build().unwrap();
    /// let name = pool.submit(|| std::thread::current().name().map(String::from)).unwrap();
    /// assert_eq!(name.result(None).unwrap().as_deref(), Some("db_0"));
    ///
    /// // An empty prefix is no prefix, as in Python (`thread_name_prefix or ...`).
    /// let unnamed = ThreadPoolExecutor::builder().thread_name_prefix("").build().unwrap();
    /// assert!(unnamed.thread_name_prefix().starts_with("ThreadPoolExecutor-"));
    /// ```
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name_prefix = Some(prefix.into());
        self
    }

    /// Runs `initializer` at the start of each worker thread (Python's `initializer`). If it
    /// fails or panics, the pool breaks: queued calls fail with [`BrokenThreadPool`] and so do
    /// later submits.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// thread_local! {
    ///     static READY: Cell<bool> = const { Cell::new(false) };
    /// }
    ///
    /// let pool = ThreadPoolExecutor::builder()
    ///     .max_workers(2)
    ///     .initializer(|| {
    ///         READY.set(true); // once per worker thread, before its first call
    ///         Ok::<(), String>(())
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(pool.submit(|| READY.get()).unwrap().result(None), Ok(true));
    /// ```
    pub fn initializer<E: fmt::Display>(
        mut self,
        initializer: impl Fn() -> Result<(), E> + Send + Sync + 'static,
    ) -> Self {
        self.initializer = Some(Arc::new(move || {
            initializer().map_err(|error| Some(error.to_string()))
        }));
        self
    }

    /// Like [`initializer`](Builder::initializer), for an initializer that reports its own
    /// failures: returning `false` breaks the pool and prints nothing (a panic is still printed).
    ///
    /// The Python bindings log the exception to `concurrent.futures`' logger, as CPython does.
    ///
    /// ```
    /// use threadkit::futures::{BrokenThreadPool, FutureError, TaskError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::builder()
    ///     .max_workers(1)
    ///     .initializer_reporting(|| {
    ///         // Report the failure in your own way here; the pool prints nothing.
    ///         false
    ///     })
    ///     .build()
    ///     .unwrap();
    /// let future = pool.submit(|| 1).unwrap();
    /// let broken = FutureError::Failed(TaskError::Broken(BrokenThreadPool));
    /// assert_eq!(future.result(None), Err(broken));
    /// assert!(pool.is_broken());
    /// ```
    pub fn initializer_reporting(
        mut self,
        initializer: impl Fn() -> bool + Send + Sync + 'static,
    ) -> Self {
        self.initializer = Some(Arc::new(
            move || {
                if initializer() { Ok(()) } else { Err(None) }
            },
        ));
        self
    }

    /// Makes `submit` wait while `max_pending` calls are queued and not yet started (beyond
    /// Python).
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::thread;
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::builder().max_workers(1).max_pending(1).build().unwrap();
    /// let (started, running) = mpsc::channel();
    /// let (release, gate) = mpsc::channel::<()>();
    /// let first = pool
    ///     .submit(move || {
    ///         started.send(()).unwrap();
    ///         let _ = gate.recv(); // until `release` is dropped
    ///     })
    ///     .unwrap();
    /// running.recv().unwrap(); // the worker took `first`: nothing is queued
    /// let second = pool.submit(|| 2).unwrap(); // queued: the queue is full now
    /// assert_eq!(pool.pending(), 1);
    /// thread::scope(|s| {
    ///     // This submit waits until the worker takes `second` off the queue.
    ///     let third = s.spawn(|| pool.submit(|| 3).unwrap());
    ///     drop(release);
    ///     assert_eq!(third.join().unwrap().result(None), Ok(3));
    /// });
    /// assert_eq!((first.result(None), second.result(None)), (Ok(()), Ok(2)));
    /// ```
    pub fn max_pending(mut self, max_pending: usize) -> Self {
        self.max_pending = Some(max_pending);
        self
    }

    /// Starts the workers through `host` instead of as threadkit threads (see [`WorkerHost`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use threadkit::futures::{StartError, ThreadPoolExecutor, WorkerHost};
    ///
    /// /// Starts each worker as a plain std thread.
    /// struct StdThreads;
    ///
    /// impl WorkerHost for StdThreads {
    ///     fn start(&self, name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), StartError> {
    ///         std::thread::Builder::new().name(name).spawn(work)?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let pool = ThreadPoolExecutor::builder()
    ///     .max_workers(1)
    ///     .host(Arc::new(StdThreads))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(pool.submit(|| 6 * 7).unwrap().result(None), Ok(42));
    /// pool.shutdown(true, false); // still waits: until the worker returns from `work`
    /// ```
    pub fn host<H: WorkerHost>(mut self, host: Arc<H>) -> Self {
        self.host = Some(host);
        self
    }

    /// Whether dropping the executor waits for its queued calls and its workers (the default,
    /// like leaving Python's `with` block). With `false`, dropping it is `shutdown(false,
    /// false)`: the queued calls still run, and the workers exit on their own afterwards (like a
    /// Python executor that is garbage-collected).
    ///
    /// ```
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::builder().wait_on_drop(false).build().unwrap();
    /// let future = pool.submit(|| 6 * 7).unwrap();
    /// drop(pool); // returns without joining the worker
    /// assert_eq!(future.result(None), Ok(42)); // the queued call still runs
    /// ```
    pub fn wait_on_drop(mut self, wait: bool) -> Self {
        self.no_wait_on_drop = !wait;
        self
    }

    /// The executor. No thread starts until the first submit.
    ///
    /// ```
    /// use threadkit::futures::{BuildError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::builder().max_workers(2).build().unwrap();
    /// assert_eq!(pool.num_threads(), 0); // none until the first submit
    ///
    /// let zero = ThreadPoolExecutor::builder().max_workers(0).build();
    /// assert_eq!(zero.unwrap_err(), BuildError::ZeroWorkers);
    /// let zero = ThreadPoolExecutor::builder().max_pending(0).build();
    /// assert_eq!(zero.unwrap_err(), BuildError::ZeroPending);
    /// ```
    ///
    /// # Errors
    ///
    /// [`BuildError::ZeroWorkers`] if `max_workers` is 0, [`BuildError::ZeroPending`] if
    /// `max_pending` is 0.
    pub fn build(self) -> Result<ThreadPoolExecutor, BuildError> {
        let max_workers = match self.max_workers {
            Some(0) => return Err(BuildError::ZeroWorkers),
            Some(max_workers) => max_workers,
            None => {
                let cpus = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
                32.min(cpus + 4)
            }
        };
        if self.max_pending == Some(0) {
            return Err(BuildError::ZeroPending);
        }
        let prefix = match self.thread_name_prefix {
            Some(prefix) if !prefix.is_empty() => prefix,
            _ => format!(
                "ThreadPoolExecutor-{}",
                EXECUTORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ),
        };
        Ok(ThreadPoolExecutor {
            pool: Arc::new(Pool {
                queue: Injector::new(),
                gate: CachePadded::new(AtomicUsize::new(0)),
                sleepers: CachePadded::new(AtomicUsize::new(0)),
                idle_tokens: AtomicUsize::new(0),
                num_threads: AtomicUsize::new(0),
                max_workers,
                prefix,
                initializer: self.initializer,
                threads: parking_lot::Mutex::new(Vec::new()),
                stats: parking_lot::Mutex::new(Vec::new()),
                pending: CachePadded::new(AtomicUsize::new(0)),
                max_pending: self.max_pending,
                blocked: AtomicUsize::new(0),
                host: self.host,
                live: CachePadded::new(AtomicUsize::new(0)),
            }),
            wait_on_drop: !self.no_wait_on_drop,
        })
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("max_workers", &self.max_workers)
            .field("thread_name_prefix", &self.thread_name_prefix)
            .field("initializer", &self.initializer.is_some())
            .field("max_pending", &self.max_pending)
            .field("host", &self.host.is_some())
            .field("wait_on_drop", &!self.no_wait_on_drop)
            .finish()
    }
}

impl ThreadPoolExecutor {
    /// An executor with at most `max_workers` threads (`None`: `min(32, cpus + 4)`).
    ///
    /// Python: `ThreadPoolExecutor(max_workers)`.
    ///
    /// ```
    /// use threadkit::futures::{BuildError, ThreadPoolExecutor};
    ///
    /// assert_eq!(ThreadPoolExecutor::new(Some(2)).unwrap().max_workers(), 2);
    /// let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    /// assert_eq!(ThreadPoolExecutor::new(None).unwrap().max_workers(), 32.min(cpus + 4));
    /// assert_eq!(ThreadPoolExecutor::new(Some(0)).unwrap_err(), BuildError::ZeroWorkers);
    /// ```
    ///
    /// # Errors
    ///
    /// [`BuildError::ZeroWorkers`] if `max_workers` is `Some(0)`.
    pub fn new(max_workers: Option<usize>) -> Result<Self, BuildError> {
        Builder {
            max_workers,
            ..Builder::default()
        }
        .build()
    }

    /// A [`Builder`] for the other options.
    ///
    /// ```
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::builder()
    ///     .max_workers(2)
    ///     .thread_name_prefix("resizer")
    ///     .build()
    ///     .unwrap();
    /// let name = pool.submit(|| std::thread::current().name().unwrap().to_owned()).unwrap();
    /// assert_eq!(name.result(None).unwrap(), "resizer_0");
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The most worker threads this executor starts (Python's `_max_workers`).
    ///
    /// ```
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
    /// let futures: Vec<_> = (0..8).map(|n| pool.submit(move || n).unwrap()).collect();
    /// assert!(pool.num_threads() <= pool.max_workers());
    /// assert!(futures.iter().all(|future| future.result(None).is_ok()));
    /// ```
    pub fn max_workers(&self) -> usize {
        self.pool.max_workers
    }

    /// The prefix of the workers' names (Python's `_thread_name_prefix`).
    ///
    /// ```
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let named = ThreadPoolExecutor::builder().thread_name_prefix("db").build().unwrap();
    /// assert_eq!(named.thread_name_prefix(), "db");
    /// let unnamed = ThreadPoolExecutor::new(None).unwrap();
    /// assert!(unnamed.thread_name_prefix().starts_with("ThreadPoolExecutor-"));
    /// ```
    pub fn thread_name_prefix(&self) -> &str {
        &self.pool.prefix
    }

    /// Whether [`shutdown`](ThreadPoolExecutor::shutdown) was called (Python's `_shutdown`).
    ///
    /// ```
    /// use threadkit::futures::{SubmitError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// assert!(!pool.is_shutdown());
    /// pool.shutdown(true, false);
    /// assert!(pool.is_shutdown());
    /// assert_eq!(pool.submit(|| ()).unwrap_err(), SubmitError::Shutdown);
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.pool.gate.load(Ordering::Acquire) & SHUTDOWN != 0
    }

    /// Whether an initializer failed, so the pool refuses new calls (Python's `_broken`).
    ///
    /// ```
    /// use threadkit::futures::{BrokenThreadPool, SubmitError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::builder()
    ///     .max_workers(1)
    ///     .initializer(|| Err("no database")) // printed: "Exception in initializer: ..."
    ///     .build()
    ///     .unwrap();
    /// assert!(!pool.is_broken()); // no worker has started yet
    /// let queued = pool.submit(|| 1).unwrap();
    /// assert!(queued.result(None).is_err()); // failed, once the worker's initializer did
    /// assert!(pool.is_broken());
    /// assert_eq!(pool.submit(|| 2).unwrap_err(), SubmitError::Broken(BrokenThreadPool));
    /// ```
    pub fn is_broken(&self) -> bool {
        self.pool.gate.load(Ordering::Acquire) & BROKEN != 0
    }

    /// How many worker threads it has started so far.
    ///
    /// Python: `len(executor._threads)`.
    ///
    /// ```
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::new(Some(4)).unwrap();
    /// assert_eq!(pool.num_threads(), 0); // started lazily
    /// for n in 0..3 {
    ///     assert_eq!(pool.submit(move || n).unwrap().result(None), Ok(n));
    /// }
    /// assert_eq!(pool.num_threads(), 1); // the idle worker took each next call
    /// ```
    pub fn num_threads(&self) -> usize {
        self.pool.num_threads.load(Ordering::Acquire)
    }

    /// Tasks queued and not yet taken by a worker (cancelled ones included, as in
    /// `_work_queue.qsize()`).
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let (started, running) = mpsc::channel();
    /// let (release, gate) = mpsc::channel::<()>();
    /// pool.submit(move || {
    ///     started.send(()).unwrap();
    ///     let _ = gate.recv(); // until `release` is dropped
    /// })
    /// .unwrap();
    /// running.recv().unwrap(); // the only worker is busy
    /// let queued: Vec<_> = (0..2).map(|n| pool.submit(move || n).unwrap()).collect();
    /// assert!(queued[1].cancel());
    /// assert_eq!(pool.pending(), 2); // the cancelled call stays queued until a worker pops it
    /// drop(release);
    /// assert_eq!(queued[0].result(None), Ok(0));
    /// ```
    pub fn pending(&self) -> usize {
        if self.pool.max_pending.is_some() {
            self.pool.pending.load(Ordering::Relaxed)
        } else {
            self.pool.queue.len()
        }
    }

    /// Tasks running now (beyond Python).
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
    /// assert_eq!(pool.running(), 0);
    /// let (started, running) = mpsc::channel();
    /// let (release, gate) = mpsc::channel::<()>();
    /// let task = pool
    ///     .submit(move || {
    ///         started.send(()).unwrap();
    ///         let _ = gate.recv(); // until `release` is dropped
    ///     })
    ///     .unwrap();
    /// running.recv().unwrap();
    /// assert_eq!(pool.running(), 1);
    /// drop(release);
    /// task.result(None).unwrap();
    /// assert_eq!(pool.running(), 0);
    /// ```
    pub fn running(&self) -> usize {
        let (started, completed) = self.counts();
        usize::try_from(started.saturating_sub(completed)).unwrap_or(usize::MAX)
    }

    /// Tasks that have finished (with a value or a panic; beyond Python).
    ///
    /// ```
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
    /// let ok = pool.submit(|| 1).unwrap();
    /// let panicked = pool.submit(|| -> u8 { panic!("counted too") }).unwrap();
    /// assert!(ok.result(None).is_ok() && panicked.result(None).is_err());
    /// assert_eq!(pool.completed(), 2);
    /// ```
    pub fn completed(&self) -> u64 {
        self.counts().1
    }

    /// Started and completed tasks, summed over the workers.
    fn counts(&self) -> (u64, u64) {
        let stats = self.pool.stats.lock();
        stats.iter().fold((0, 0), |(started, completed), worker| {
            let completed = completed + worker.completed.load(Ordering::Acquire);
            (started + worker.started.load(Ordering::Acquire), completed)
        })
    }

    /// Queues `call` and returns the future of its result.
    ///
    /// Python: `executor.submit(fn, *args)`. A panic in `call` finishes the future with
    /// [`TaskError::Panicked`]. With [`Builder::max_pending`], waits for room in the queue.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::futures::{SubmitError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
    /// // Any thread may submit.
    /// let lengths = thread::scope(|s| {
    ///     let pool = &pool;
    ///     let submitters =
    ///         ["a", "bb", "ccc"].map(|word| s.spawn(move || pool.submit(move || word.len())));
    ///     submitters.map(|submitter| submitter.join().unwrap().unwrap().result(None).unwrap())
    /// });
    /// assert_eq!(lengths, [1, 2, 3]);
    ///
    /// pool.shutdown(true, false);
    /// assert_eq!(pool.submit(|| 0).unwrap_err(), SubmitError::Shutdown);
    /// ```
    ///
    /// # Errors
    ///
    /// [`SubmitError::Shutdown`] after [`shutdown`](ThreadPoolExecutor::shutdown),
    /// [`SubmitError::Broken`] once an initializer failed.
    ///
    /// # Panics
    ///
    /// If a worker thread is needed and the operating system cannot start one.
    pub fn submit<T>(
        &self,
        call: impl FnOnce() -> T + Send + 'static,
    ) -> Result<Future<T>, SubmitError>
    where
        T: Send + Sync + 'static,
    {
        self.enqueue(move || Ok(call()), None)
    }

    /// Queues `call`, which may fail with its own error type, and returns the future of its
    /// result.
    ///
    /// The future's error type `E` must convert from [`TaskError`], for panics and a broken pool.
    ///
    /// ```
    /// use threadkit::futures::{FutureError, TaskError, ThreadPoolExecutor};
    ///
    /// #[derive(Debug, Clone, PartialEq)]
    /// enum Fetch { NotFound, Task(String) }
    /// impl From<TaskError> for Fetch {
    ///     fn from(error: TaskError) -> Self { Fetch::Task(error.to_string()) }
    /// }
    ///
    /// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let missing = pool.submit_fallible(|| Err::<u8, _>(Fetch::NotFound)).unwrap();
    /// assert_eq!(missing.result(None), Err(FutureError::Failed(Fetch::NotFound)));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`submit`](ThreadPoolExecutor::submit).
    pub fn submit_fallible<T, E>(
        &self,
        call: impl FnOnce() -> Result<T, E> + Send + 'static,
    ) -> Result<Future<T, E>, SubmitError>
    where
        T: Send + Sync + 'static,
        E: From<TaskError> + Send + Sync + 'static,
    {
        self.enqueue(call, None)
    }

    /// [`submit`](ThreadPoolExecutor::submit), giving up after `timeout` if `max_pending` calls
    /// stay queued (beyond Python).
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use threadkit::futures::{SubmitError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::builder().max_workers(1).max_pending(1).build().unwrap();
    /// let (started, running) = mpsc::channel();
    /// let (release, gate) = mpsc::channel::<()>();
    /// pool.submit(move || {
    ///     started.send(()).unwrap();
    ///     let _ = gate.recv(); // until `release` is dropped
    /// })
    /// .unwrap();
    /// running.recv().unwrap(); // the only worker is busy
    /// let queued = pool.submit(|| 2).unwrap(); // the queue is full now
    /// let full = pool.submit_timeout(|| 3, Duration::from_millis(1));
    /// assert_eq!(full.unwrap_err(), SubmitError::Full);
    /// drop(release);
    /// assert_eq!(queued.result(None), Ok(2));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`submit`](ThreadPoolExecutor::submit), and [`SubmitError::Full`] on timeout.
    pub fn submit_timeout<T>(
        &self,
        call: impl FnOnce() -> T + Send + 'static,
        timeout: Duration,
    ) -> Result<Future<T>, SubmitError>
    where
        T: Send + Sync + 'static,
    {
        self.enqueue(move || Ok(call()), Some(timeout))
    }

    /// Queues `call` to complete `future`, a PENDING future made with [`Future::new`], instead of
    /// a new one.
    ///
    /// For callers whose future must exist before its call is queued — threadkit's Python
    /// bindings, whose future is a Python object made by the interpreter. Otherwise as
    /// [`submit_fallible`](ThreadPoolExecutor::submit_fallible): if `future` is cancelled before a
    /// worker takes the call, the call does not run (and is dropped when the call is taken from
    /// the queue).
    ///
    /// ```
    /// use threadkit::futures::{Future, TaskError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let future: Future<u8, TaskError> = Future::new();
    /// pool.submit_to(&future, || Ok(7)).unwrap();
    /// assert_eq!(future.result(None), Ok(7));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`submit`](ThreadPoolExecutor::submit).
    pub fn submit_to<T, E>(
        &self,
        future: &Future<T, E>,
        call: impl FnOnce() -> Result<T, E> + Send + 'static,
    ) -> Result<(), SubmitError>
    where
        T: Send + Sync + 'static,
        E: From<TaskError> + Send + Sync + 'static,
    {
        let future = future.clone();
        self.push(
            move || {
                let job: Arc<dyn Job> = Arc::new(ForFuture {
                    future,
                    call: Call::new(call),
                });
                (job, ())
            },
            None,
        )
    }

    fn enqueue<T, E>(
        &self,
        call: impl FnOnce() -> Result<T, E> + Send + 'static,
        timeout: Option<Duration>,
    ) -> Result<Future<T, E>, SubmitError>
    where
        T: Send + Sync + 'static,
        E: From<TaskError> + Send + Sync + 'static,
    {
        let pool = &self.pool;
        if let Some(max) = pool.max_pending {
            pool.reserve(max, timeout::deadline(timeout))?;
        }
        if pool.num_threads.load(Ordering::Acquire) >= pool.max_workers {
            return self.enqueue_full(call);
        }
        self.push_reserved(move || {
            let inner = Future::with_call(Call::new(call));
            let future = Future::from_inner(Arc::clone(&inner));
            let job: Arc<dyn Job> = inner;
            (job, future)
        })
    }

    /// Reserves room (with `max_pending`), then [`push_reserved`](Self::push_reserved).
    fn push<R>(
        &self,
        make: impl FnOnce() -> (Arc<dyn Job>, R),
        timeout: Option<Duration>,
    ) -> Result<R, SubmitError> {
        let pool = &self.pool;
        if let Some(max) = pool.max_pending {
            pool.reserve(max, timeout::deadline(timeout))?;
        }
        self.push_reserved(make)
    }

    /// Passes the gate (counted in flight), pushes the job `make` builds, wakes a worker and
    /// starts one if needed. `submit_to` always takes this path: its future is the caller's, so a
    /// submit that lost a race with `shutdown` could not take its job back by cancelling it.
    fn push_reserved<R>(&self, make: impl FnOnce() -> (Arc<dyn Job>, R)) -> Result<R, SubmitError> {
        let pool = &self.pool;
        let gate = pool.gate.fetch_add(IN_FLIGHT, Ordering::Acquire);
        if let Err(error) = refuse(gate) {
            pool.gate.fetch_sub(IN_FLIGHT, Ordering::Release);
            if pool.max_pending.is_some() {
                pool.pending.fetch_sub(1, Ordering::Relaxed);
            }
            return Err(error);
        }
        let (job, handle) = make();
        pool.queue.push(job);
        pool.notify_worker();
        let started = Pool::adjust_thread_count(pool);
        pool.gate.fetch_sub(IN_FLIGHT, Ordering::Release);
        started.map(|()| handle)
    }

    /// `enqueue` once every worker has started, the common case: no thread to start, so the
    /// submit need not hold `gate` open. It checks `gate` before the push and again after the
    /// fence that follows it; `shutdown` and `break_pool` fence after setting their bit before
    /// they drain, and so does an exiting worker before its last look at the queue. So either
    /// the second check sees the bit, or whoever set it sees the job (see README.md). A submit
    /// that sees the bit takes its job back by cancelling it, unless a worker already took it.
    fn enqueue_full<T, E>(
        &self,
        call: impl FnOnce() -> Result<T, E> + Send + 'static,
    ) -> Result<Future<T, E>, SubmitError>
    where
        T: Send + Sync + 'static,
        E: From<TaskError> + Send + Sync + 'static,
    {
        let pool = &self.pool;
        if let Err(error) = refuse(pool.gate.load(Ordering::Acquire)) {
            if pool.max_pending.is_some() {
                pool.pending.fetch_sub(1, Ordering::Relaxed);
            }
            return Err(error);
        }
        let inner = Future::with_call(Call::new(call));
        let future = Future::from_inner(Arc::clone(&inner));
        pool.queue.push(inner);
        // The fence in here also orders the push before the second look at `gate`.
        pool.notify_worker();
        match refuse(pool.gate.load(Ordering::Relaxed)) {
            // The job stays queued, cancelled: whoever pops it only notices that (and counts it
            // off `pending`).
            Err(error) if future.cancel() => Err(error),
            _ => Ok(future),
        }
    }

    /// Calls `call` on every item, in the pool, and yields the results in the items' order.
    ///
    /// Python: `executor.map(fn, iterable, timeout=timeout, buffersize=buffersize)` (3.14's
    /// `buffersize`). Without `buffersize` every item is submitted now; with it, at most that many
    /// calls are submitted ahead of the results consumed, and the items are read lazily. If the
    /// next result is not ready within `timeout` (counted from this call), or a call fails, the
    /// iterator yields that error and ends; the calls not yet started are cancelled then, and when
    /// the iterator is dropped.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// let pool = ThreadPoolExecutor::new(Some(4)).unwrap();
    /// let doubled: Vec<u32> = pool
    ///     .map(|n: u32| n * 2, 1..=5, None, NonZeroUsize::new(2))
    ///     .unwrap()
    ///     .collect::<Result<_, _>>()
    ///     .unwrap();
    /// assert_eq!(doubled, [2, 4, 6, 8, 10]);
    /// ```
    ///
    /// # Errors
    ///
    /// What [`submit`](ThreadPoolExecutor::submit) returns for the first submissions.
    pub fn map<I, F, T>(
        &self,
        call: F,
        items: I,
        timeout: Option<Duration>,
        buffersize: Option<NonZeroUsize>,
    ) -> Result<Map<'_, I::IntoIter, F, T>, SubmitError>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> T + Send + Sync + 'static,
        T: Clone + Send + Sync + 'static,
    {
        Map::new(self, call, items.into_iter(), timeout, buffersize)
    }

    /// Stops accepting calls and lets the workers exit once the queue is empty.
    ///
    /// Python: `executor.shutdown(wait=True, *, cancel_futures=False)`. With `cancel_futures`, the
    /// queued calls are cancelled (their futures stay CANCELLED, never notified — CPython's
    /// behaviour); with `wait`, returns after every worker thread has exited. Calling it again is
    /// harmless.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::futures::{FutureError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let (started, running) = mpsc::channel();
    /// let (release, gate) = mpsc::channel::<()>();
    /// let first = pool
    ///     .submit(move || {
    ///         started.send(()).unwrap();
    ///         let _ = gate.recv(); // until `release` is dropped
    ///         1
    ///     })
    ///     .unwrap();
    /// running.recv().unwrap(); // the only worker is busy
    /// let queued = pool.submit(|| 2).unwrap();
    /// pool.shutdown(false, true); // cancels `queued`; `first` runs on
    /// assert_eq!(queued.result(None), Err(FutureError::Cancelled));
    /// drop(release);
    /// pool.shutdown(true, false); // again, now waiting for the worker
    /// assert_eq!(first.result(None), Ok(1));
    /// ```
    pub fn shutdown(&self, wait: bool, cancel_futures: bool) {
        let pool = &self.pool;
        pool.gate.fetch_or(SHUTDOWN, Ordering::SeqCst);
        pool.wait_for_submitters();
        // Every job a submit kept is in the queue now (see `enqueue_full`).
        atomic::fence(Ordering::SeqCst);
        if cancel_futures {
            while let Some(job) = pool.pop() {
                job.cancel();
            }
        }
        pool.wake_all();
        if wait && pool.host.is_some() {
            pool.wait_for_hosted_workers();
        } else if wait {
            let threads = std::mem::take(&mut *pool.threads.lock());
            for thread in threads {
                // A call that shuts its own pool down cannot wait for itself: joining its own
                // thread is an error, which is ignored.
                let _ = thread.join(None);
            }
        }
    }
}

impl ThreadPoolExecutor {
    /// Makes the executor usable in the child of a `fork`, where none of its worker threads
    /// exist: it forgets them, so the next submit starts new ones; queued calls stay queued.
    ///
    /// Python: what `os.register_at_fork(after_in_child=...)` does for threadkit's executors.
    ///
    /// # Safety
    ///
    /// Call it only in a child process right after `fork`, before the child starts any thread
    /// (as `os.register_at_fork(after_in_child=...)` hooks run). Elsewhere it would make the pool
    /// lose track of running workers, and force open locks that live threads hold. Locks the
    /// parent's threads held at the fork are forced open here, as CPython's `_at_fork_reinit`
    /// does for its own.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// // `no_run`: a doctest should not fork the test harness, a process with threads; this is
    /// // the pattern. (The Python bindings call it from `os.register_at_fork(after_in_child=...)`.)
    /// use threadkit::futures::ThreadPoolExecutor;
    ///
    /// unsafe extern "C" {
    ///     fn fork() -> i32; // POSIX, as the `libc` crate declares it
    ///     fn _exit(status: i32) -> !;
    /// }
    ///
    /// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
    /// pool.submit(|| ()).unwrap().result(None).unwrap(); // a worker thread runs now
    /// // SAFETY: the child uses nothing but the pool, which it repairs first.
    /// if unsafe { fork() } == 0 {
    ///     // SAFETY: the child of a fork, right after it; its only thread is this one.
    ///     unsafe { pool.reinit_after_fork() };
    ///     let status = pool.submit(|| 0).unwrap().result(None).unwrap(); // a new worker
    ///     // SAFETY: leaves the child without running the parent's exit code a second time.
    ///     unsafe { _exit(status) };
    /// }
    /// ```
    pub unsafe fn reinit_after_fork(&self) {
        let pool = &self.pool;
        // A thread of the parent may have held a bookkeeping lock at the fork, possibly in the
        // middle of changing its vector: force the lock open and forget the vector unread. The
        // parent's threads do not exist here, so their handles must neither be joined nor
        // detached, and their counts are gone with them.
        if pool.threads.is_locked() {
            // SAFETY: the caller guarantees this is a fork child with no other thread: the
            // holder does not exist, so no guard is alive.
            unsafe {
                pool.threads
                    .force_unlock(parking_lot::lock_api::GuardNoSend::new())
            };
        }
        if pool.stats.is_locked() {
            // SAFETY: as above.
            unsafe {
                pool.stats
                    .force_unlock(parking_lot::lock_api::GuardNoSend::new())
            };
        }
        std::mem::forget(std::mem::take(&mut *pool.threads.lock()));
        std::mem::forget(std::mem::take(&mut *pool.stats.lock()));
        // Entries the parent's parked workers left in the parking lot would take the wake-ups
        // meant for new workers: clear them (waking a thread that does not exist does nothing).
        park::unpark_all(park::key(&*pool.sleepers), DEFAULT_UNPARK_TOKEN);
        park::unpark_all(park::key(&*pool.pending), DEFAULT_UNPARK_TOKEN);
        pool.sleepers.store(0, Ordering::SeqCst);
        pool.blocked.store(0, Ordering::SeqCst);
        pool.idle_tokens.store(0, Ordering::SeqCst);
        pool.live.store(0, Ordering::SeqCst);
        pool.num_threads.store(0, Ordering::SeqCst);
        // A submit the fork interrupted mid-way never finishes.
        pool.gate.fetch_and(SHUTDOWN | BROKEN, Ordering::SeqCst);
    }
}

impl Drop for ThreadPoolExecutor {
    /// Shuts down and waits for the workers, like leaving a `with ThreadPoolExecutor()` block.
    fn drop(&mut self) {
        self.shutdown(self.wait_on_drop, false);
    }
}

impl fmt::Debug for ThreadPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolExecutor")
            .field("prefix", &self.pool.prefix)
            .field("max_workers", &self.pool.max_workers)
            .field("num_threads", &self.num_threads())
            .field("pending", &self.pending())
            .field("running", &self.running())
            .finish_non_exhaustive()
    }
}
