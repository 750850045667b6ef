//! [`ThreadPoolExecutor`], the handle, and [`Pool`], the state it shares with its workers.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_utils::CachePadded;

use super::builder::{Builder, Initializer};
use super::gate::{BROKEN, SHUTDOWN};
use super::host::WorkerHost;
use super::job::{Job, Jobs};
use super::sleep::wake_one;
use super::stats::SharedStats;
use crate::futures::error::{BuildError, SubmitError, TaskError};
use crate::futures::slab::Slab;
use crate::futures::{Future, Map};
use crate::loom::atomic::{self, AtomicUsize, Ordering};

/// The state shared by the executor handle and its workers.
pub(super) struct Pool {
    pub(super) queue: Jobs,
    /// The blocks of the futures and jobs submitted here (see `../slab.rs`).
    pub(super) slab: Arc<Slab>,
    /// `SHUTDOWN | BROKEN | in-flight submits * IN_FLIGHT` (see `gate.rs`).
    pub(super) gate: CachePadded<AtomicUsize>,
    /// Workers that announced they are going to park (the key they park on).
    pub(super) sleepers: CachePadded<AtomicUsize>,
    /// CPython's `_idle_semaphore`: released when a worker runs out of work, taken by a submit
    /// that then needs no new thread. (Only this is "idle" here: a worker with nothing to do.)
    pub(super) idle_tokens: AtomicUsize,
    /// Workers started (or being started), never more than `max_workers`.
    pub(super) num_threads: AtomicUsize,
    pub(super) max_workers: usize,
    pub(super) prefix: String,
    pub(super) initializer: Option<Initializer>,
    /// Each worker's counts (see `WorkerStats`; a parking_lot mutex: a forked child can force it
    /// open).
    pub(super) stats: parking_lot::Mutex<Vec<Arc<SharedStats>>>,
    /// With `max_pending`: queued tasks, counted at submit (the key blocked submitters park on).
    pub(super) pending: CachePadded<AtomicUsize>,
    pub(super) max_pending: Option<usize>,
    /// Submitters that announced they are going to park on `pending`.
    pub(super) blocked: AtomicUsize,
    /// Starts the workers: the built-in [`Threads`](super::host::Threads) or the builder's.
    pub(super) host: Arc<dyn WorkerHost>,
    /// Workers started and not yet returned from their loop (the key `shutdown` waits on).
    pub(super) live: CachePadded<AtomicUsize>,
}

impl Pool {
    /// Takes the oldest queued job, and gives its `max_pending` slot back.
    pub(super) fn pop(&self) -> Option<Job> {
        let job = self.queue.pop()?;
        if self.max_pending.is_some() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            atomic::fence(Ordering::SeqCst);
            if self.blocked.load(Ordering::Relaxed) > 0 {
                wake_one(&self.pending, &self.blocked);
            }
        }
        Some(job)
    }
}

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
/// - `initializer` returns `Result<(), E>` (`E: Display`): an error or a panic breaks the pool,
///   and goes to the [report hook](crate::futures::set_report_hook) (CPython logs it).
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
    pub(super) pool: Arc<Pool>,
    pub(super) wait_on_drop: bool,
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
        let builder = Builder::default();
        match max_workers {
            Some(max_workers) => builder.max_workers(max_workers),
            None => builder,
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
    ///     .initializer(|| Err("no database")) // reported: "Exception in initializer: ..."
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
    /// [`SubmitError::Broken`] once an initializer failed, [`SubmitError::Start`] if a worker
    /// thread was needed and could not be started (the call stays queued).
    ///
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
        let future = future.shared();
        let reservation = self.pool.reserve(None)?;
        self.push_starting(reservation, move || {
            (Job::for_future(&self.pool.slab, future, call), ())
        })
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
        T: Send + Sync + 'static,
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
        if wait {
            pool.wait_for_workers();
            pool.host.join();
        }
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
