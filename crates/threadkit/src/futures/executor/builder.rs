//! [`Builder`]: the executor's configuration — Python's constructor arguments, plus
//! `max_pending`, a host and what dropping it does.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;

use crossbeam_utils::CachePadded;

use super::host::{Threads, WorkerHost};
use super::job::Jobs;
use super::pool::{Pool, ThreadPoolExecutor};
use crate::futures::error::BuildError;
use crate::futures::slab::Slab;
use crate::loom::atomic::AtomicUsize;

/// What a worker's initializer reported.
pub(super) enum Initialized {
    /// The worker may take jobs.
    Ready,
    /// It failed with this message: the pool reports it (see [`Report`](crate::futures::Report))
    /// and breaks.
    Failed(String),
    /// It failed and reported the failure itself: the pool only breaks.
    FailedReported,
}

/// A worker thread initializer.
pub(super) type Initializer = Arc<dyn Fn() -> Initialized + Send + Sync>;

/// Numbers the executors created without a thread name prefix (CPython's `_counter`). A plain std
/// atomic: it is a process-wide counter, not part of any modelled state machine.
static EXECUTORS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

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
pub struct Builder {
    max_workers: Option<usize>,
    thread_name_prefix: Option<String>,
    initializer: Option<Initializer>,
    max_pending: Option<usize>,
    host: Option<Arc<dyn WorkerHost>>,
    wait_on_drop: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            max_workers: None,
            thread_name_prefix: None,
            initializer: None,
            max_pending: None,
            host: None,
            wait_on_drop: true,
        }
    }
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
    /// fails or panics, the pool breaks: queued calls fail with [`BrokenThreadPool`](crate::futures::BrokenThreadPool) and so do
    /// later submits; the failure goes to the [report hook](crate::futures::set_report_hook) as
    /// [`Report::InitializerFailed`](crate::futures::Report::InitializerFailed).
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
        self.initializer = Some(Arc::new(move || match initializer() {
            Ok(()) => Initialized::Ready,
            Err(error) => Initialized::Failed(error.to_string()),
        }));
        self
    }

    /// Like [`initializer`](Builder::initializer), for an initializer that reports its own
    /// failures: returning `false` breaks the pool and reports nothing (a panic is still reported,
    /// as [`Report::InitializerFailed`](crate::futures::Report::InitializerFailed)).
    ///
    /// The Python bindings log the exception to `concurrent.futures`' logger, as CPython does.
    ///
    /// ```
    /// use threadkit::futures::{BrokenThreadPool, FutureError, TaskError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::builder()
    ///     .max_workers(1)
    ///     .initializer_reporting(|| {
    ///         // Report the failure in your own way here; the pool reports nothing.
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
        self.initializer = Some(Arc::new(move || {
            if initializer() {
                Initialized::Ready
            } else {
                Initialized::FailedReported
            }
        }));
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
    /// use threadkit::futures::{HostError, ThreadPoolExecutor, WorkerHost};
    ///
    /// /// Starts each worker as a plain std thread.
    /// struct StdThreads;
    ///
    /// impl WorkerHost for StdThreads {
    ///     fn start(&self, name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), HostError> {
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
        self.wait_on_drop = wait;
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
        let host = self.host.unwrap_or_else(|| Arc::new(Threads::default()));
        Ok(ThreadPoolExecutor {
            pool: Arc::new(Pool {
                queue: Jobs::default(),
                slab: Arc::new(Slab::new()),
                gate: CachePadded::new(AtomicUsize::new(0)),
                sleepers: CachePadded::new(AtomicUsize::new(0)),
                idle_tokens: AtomicUsize::new(0),
                num_threads: AtomicUsize::new(0),
                max_workers,
                prefix,
                initializer: self.initializer,
                stats: parking_lot::Mutex::new(Vec::new()),
                pending: CachePadded::new(AtomicUsize::new(0)),
                max_pending: self.max_pending,
                blocked: AtomicUsize::new(0),
                host,
                live: CachePadded::new(AtomicUsize::new(0)),
            }),
            wait_on_drop: self.wait_on_drop,
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
            .field("wait_on_drop", &self.wait_on_drop)
            .finish()
    }
}
