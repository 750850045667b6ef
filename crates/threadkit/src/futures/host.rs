//! [`WorkerHost`]: how a [`ThreadPoolExecutor`](super::ThreadPoolExecutor) starts its worker
//! threads and what they do around waiting for work — the seam through which an embedding runtime
//! (threadkit's Python bindings) runs the pool's workers as its own threads.

use std::error::Error;
use std::fmt;

/// Where a pool's workers run.
///
/// By default a pool starts each worker as a threadkit [`Thread`](crate::thread::Thread) named
/// `{prefix}_{n}` and joins it at shutdown. A pool built with [`Builder::host`] asks the host
/// instead: [`start`](WorkerHost::start) must start a thread that calls `work` — the worker's whole
/// life, which returns once the pool is shut down and drained or broken — and the pool counts its
/// workers out as they return, so `shutdown(wait=true)` still waits for all of them.
/// [`idle`](WorkerHost::idle) wraps each wait for work, so that a host can step aside while its
/// worker has nothing to do (the Python bindings detach from the interpreter there and stay
/// attached while a worker runs a batch of queued calls).
///
/// [`Builder::host`]: super::Builder::host
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use threadkit::futures::{StartError, ThreadPoolExecutor, WorkerHost};
///
/// /// Starts workers as plain std threads and counts how often they go idle.
/// #[derive(Default)]
/// struct Counting(AtomicUsize);
///
/// impl WorkerHost for Counting {
///     fn start(&self, name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), StartError> {
///         std::thread::Builder::new().name(name).spawn(work)?;
///         Ok(())
///     }
///
///     fn idle(&self, wait: &mut (dyn FnMut() + Send)) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///         wait();
///     }
/// }
///
/// let host = Arc::new(Counting::default());
/// let pool = ThreadPoolExecutor::builder()
///     .max_workers(2)
///     .host(Arc::clone(&host))
///     .build()
///     .unwrap();
/// assert_eq!(pool.submit(|| 6 * 7).unwrap().result(None), Ok(42));
/// pool.shutdown(true, false); // waits until both workers have returned from `work`
/// assert!(host.0.load(Ordering::Relaxed) >= 1);
/// ```
pub trait WorkerHost: Send + Sync + 'static {
    /// Starts a thread named `name` that calls `work` once and then exits.
    ///
    /// # Errors
    ///
    /// Why no thread could be started; the submit that needed the thread fails with
    /// [`SubmitError::Start`](super::SubmitError::Start) (its call stays queued for the workers
    /// that do run).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use threadkit::futures::{StartError, ThreadPoolExecutor, WorkerHost};
    ///
    /// /// Starts workers as std threads and records their names.
    /// #[derive(Default)]
    /// struct Named(Mutex<Vec<String>>);
    ///
    /// impl WorkerHost for Named {
    ///     fn start(&self, name: String, work: Box<dyn FnOnce() + Send>)
    ///         -> Result<(), StartError>
    ///     {
    ///         self.0.lock().unwrap().push(name.clone());
    ///         std::thread::Builder::new().name(name).spawn(work)?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let host = Arc::new(Named::default());
    /// let pool = ThreadPoolExecutor::builder()
    ///     .max_workers(1)
    ///     .thread_name_prefix("hosted")
    ///     .host(Arc::clone(&host))
    ///     .build()
    ///     .unwrap();
    /// let name = pool.submit(|| std::thread::current().name().map(String::from)).unwrap();
    /// assert_eq!(name.result(None).unwrap().as_deref(), Some("hosted_0"));
    /// pool.shutdown(true, false);
    /// assert_eq!(*host.0.lock().unwrap(), ["hosted_0"]);
    /// ```
    fn start(&self, name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), StartError>;

    /// Runs `wait`, one wait of a worker: for work (it spins, then parks), or, once its
    /// initializer failed, for the submits in flight to finish. The default calls it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use threadkit::futures::{StartError, ThreadPoolExecutor, WorkerHost};
    ///
    /// /// Tracks whether its worker is waiting for work.
    /// #[derive(Default)]
    /// struct Tracking(AtomicBool);
    ///
    /// impl WorkerHost for Tracking {
    ///     fn start(&self, name: String, work: Box<dyn FnOnce() + Send>)
    ///         -> Result<(), StartError>
    ///     {
    ///         std::thread::Builder::new().name(name).spawn(work)?;
    ///         Ok(())
    ///     }
    ///
    ///     fn idle(&self, wait: &mut (dyn FnMut() + Send)) {
    ///         self.0.store(true, Ordering::Relaxed); // e.g. release a runtime lock here
    ///         wait();
    ///         self.0.store(false, Ordering::Relaxed); // and take it back here
    ///     }
    /// }
    ///
    /// let host = Arc::new(Tracking::default());
    /// let pool = ThreadPoolExecutor::builder()
    ///     .max_workers(1)
    ///     .host(Arc::clone(&host))
    ///     .build()
    ///     .unwrap();
    /// // A running task is never inside `idle`.
    /// let probe = Arc::clone(&host);
    /// let idle_while_running = pool.submit(move || probe.0.load(Ordering::Relaxed)).unwrap();
    /// assert_eq!(idle_while_running.result(None), Ok(false));
    /// ```
    fn idle(&self, wait: &mut (dyn FnMut() + Send)) {
        wait();
    }
}

/// Why a [`WorkerHost`] could not start a worker thread.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use threadkit::futures::{StartError, SubmitError, ThreadPoolExecutor, WorkerHost};
///
/// /// A host that has no threads to give.
/// struct Refusing;
///
/// impl WorkerHost for Refusing {
///     fn start(&self, _name: String, _work: Box<dyn FnOnce() + Send>) -> Result<(), StartError> {
///         Err("thread limit reached".into())
///     }
/// }
///
/// let pool = ThreadPoolExecutor::builder()
///     .host(Arc::new(Refusing))
///     .wait_on_drop(false)
///     .build()
///     .unwrap();
/// let error = pool.submit(|| ()).unwrap_err();
/// assert_eq!(error, SubmitError::Start("thread limit reached".into()));
/// assert_eq!(error.to_string(), "can't start new thread: thread limit reached");
/// pool.shutdown(false, true); // cancels the call that stayed queued
/// ```
pub type StartError = Box<dyn Error + Send + Sync>;

impl fmt::Debug for dyn WorkerHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WorkerHost")
    }
}
