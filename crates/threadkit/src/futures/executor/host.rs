//! [`WorkerHost`]: how a [`ThreadPoolExecutor`](super::ThreadPoolExecutor) starts its worker
//! threads and what they do around waiting for work — the seam through which an embedding runtime
//! (threadkit's Python bindings) runs the pool's workers as its own threads. [`Threads`], the
//! built-in host, is the one a pool uses unless told otherwise, so every pool runs its workers
//! the same way.

use std::error::Error;
use std::fmt;

use crate::thread::Thread;

/// Where a pool's workers run.
///
/// A pool asks its host for every worker: [`start`](WorkerHost::start) must start a thread named
/// `{prefix}_{n}` that calls `work` — the worker's whole life, which returns once the pool is shut
/// down and drained or broken — and the pool counts its workers out as they return, so
/// `shutdown(wait=true)` waits for all of them, then calls [`join`](WorkerHost::join).
/// [`while_waiting`](WorkerHost::while_waiting) wraps each wait for work, so that a host can step
/// aside while its worker has nothing to do (the Python bindings detach from the interpreter there
/// and stay attached while a worker runs a batch of queued calls). By default (without
/// [`Builder::host`]) a pool starts each worker as a daemon threadkit
/// [`Thread`](crate::thread::Thread) and joins it in `join`.
///
/// [`Builder::host`]: super::Builder::host
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use threadkit::futures::{HostError, ThreadPoolExecutor, WorkerHost};
///
/// /// Starts workers as plain std threads and counts how often they wait for work.
/// #[derive(Default)]
/// struct Counting(AtomicUsize);
///
/// impl WorkerHost for Counting {
///     fn start(&self, name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), HostError> {
///         std::thread::Builder::new().name(name).spawn(work)?;
///         Ok(())
///     }
///
///     fn while_waiting(&self, wait: &mut (dyn FnMut() + Send)) {
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
    /// [`SubmitError::Start`](crate::futures::SubmitError::Start) (its call stays queued for the workers
    /// that do run).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use threadkit::futures::{HostError, ThreadPoolExecutor, WorkerHost};
    ///
    /// /// Starts workers as std threads and records their names.
    /// #[derive(Default)]
    /// struct Named(Mutex<Vec<String>>);
    ///
    /// impl WorkerHost for Named {
    ///     fn start(&self, name: String, work: Box<dyn FnOnce() + Send>)
    ///         -> Result<(), HostError>
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
    fn start(&self, name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), HostError>;

    /// Runs `wait`, one wait of a worker: for work (it spins, then parks), or, once its
    /// initializer failed, for the submits in flight to finish. The default calls it.
    ///
    /// (Python's `concurrent.futures` calls a worker with nothing to do "idle"; here only the
    /// pool's count of such workers is.)
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use threadkit::futures::{HostError, ThreadPoolExecutor, WorkerHost};
    ///
    /// /// Tracks whether its worker is waiting for work.
    /// #[derive(Default)]
    /// struct Tracking(AtomicBool);
    ///
    /// impl WorkerHost for Tracking {
    ///     fn start(&self, name: String, work: Box<dyn FnOnce() + Send>)
    ///         -> Result<(), HostError>
    ///     {
    ///         std::thread::Builder::new().name(name).spawn(work)?;
    ///         Ok(())
    ///     }
    ///
    ///     fn while_waiting(&self, wait: &mut (dyn FnMut() + Send)) {
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
    /// // A running task is never inside `while_waiting`.
    /// let probe = Arc::clone(&host);
    /// let waiting_while_running = pool.submit(move || probe.0.load(Ordering::Relaxed)).unwrap();
    /// assert_eq!(waiting_while_running.result(None), Ok(false));
    /// ```
    fn while_waiting(&self, wait: &mut (dyn FnMut() + Send)) {
        wait();
    }

    /// Called by `shutdown(wait=true)` once every worker but the calling one (a call that shuts
    /// its own pool down) has returned from `work`: a host that keeps handles of its threads
    /// joins them here. The default does nothing.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::thread::JoinHandle;
    /// use threadkit::futures::{HostError, ThreadPoolExecutor, WorkerHost};
    ///
    /// /// Starts std threads and joins them at shutdown.
    /// #[derive(Default)]
    /// struct Joined(Mutex<Vec<JoinHandle<()>>>);
    ///
    /// impl WorkerHost for Joined {
    ///     fn start(&self, name: String, work: Box<dyn FnOnce() + Send>)
    ///         -> Result<(), HostError>
    ///     {
    ///         let handle = std::thread::Builder::new().name(name).spawn(work)?;
    ///         self.0.lock().unwrap().push(handle);
    ///         Ok(())
    ///     }
    ///
    ///     fn join(&self) {
    ///         for handle in self.0.lock().unwrap().drain(..) {
    ///             handle.join().unwrap();
    ///         }
    ///     }
    /// }
    ///
    /// let host = Arc::new(Joined::default());
    /// let pool = ThreadPoolExecutor::builder().host(Arc::clone(&host)).build().unwrap();
    /// assert_eq!(pool.submit(|| 1).unwrap().result(None), Ok(1));
    /// pool.shutdown(true, false);
    /// assert!(host.0.lock().unwrap().is_empty());
    /// ```
    fn join(&self) {}

    /// Called by [`reinit_after_fork`](super::ThreadPoolExecutor::reinit_after_fork) in the child
    /// of a `fork`, where none of the parent's threads exist: a host that keeps handles of its
    /// threads forgets them here, unjoined. The default does nothing.
    ///
    /// It runs under `reinit_after_fork`'s contract: in the child, before it starts any thread.
    fn forget_after_fork(&self) {}
}

/// The built-in host: each worker is a daemon threadkit [`Thread`], so it appears in
/// [`enumerate`](crate::thread::enumerate), and is joined at shutdown.
///
/// Daemon threads: the executor's `shutdown`/drop joins them, so
/// [`thread::shutdown`](crate::thread::shutdown) need not (CPython's workers are joined by its
/// exit hook, which first tells them to stop).
#[derive(Default)]
pub(super) struct Threads {
    /// The workers' handles (a parking_lot mutex: a forked child can force it open).
    handles: parking_lot::Mutex<Vec<Thread>>,
}

impl WorkerHost for Threads {
    fn start(&self, name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), HostError> {
        let thread = Thread::builder().name(name).daemon(true).start(work)?;
        self.handles.lock().push(thread);
        Ok(())
    }

    fn join(&self) {
        let handles = std::mem::take(&mut *self.handles.lock());
        let me = crate::thread::get_ident();
        // A worker that shuts its own pool down cannot wait for its own thread: it is left to
        // finish on its own.
        for thread in handles
            .into_iter()
            .filter(|thread| thread.ident() != Some(me))
        {
            // Joining a started thread without a timeout cannot fail.
            let _ = thread.join(None);
        }
    }

    fn forget_after_fork(&self) {
        // A thread of the parent may have held the lock at the fork, possibly in the middle of
        // changing the vector: force the lock open and forget the vector unread. The parent's
        // threads do not exist here, so their handles must neither be joined nor detached.
        if self.handles.is_locked() {
            // SAFETY: this runs only under `reinit_after_fork`'s contract — a fork child with no
            // other thread: the holder does not exist, so no guard is alive.
            unsafe {
                self.handles
                    .force_unlock(parking_lot::lock_api::GuardNoSend::new())
            };
        }
        std::mem::forget(std::mem::take(&mut *self.handles.lock()));
    }
}

/// Why a [`WorkerHost`] could not start a worker thread (the thread module's own
/// [`StartError`](crate::thread::StartError) is one).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use threadkit::futures::{HostError, SubmitError, ThreadPoolExecutor, WorkerHost};
///
/// /// A host that has no threads to give.
/// struct Refusing;
///
/// impl WorkerHost for Refusing {
///     fn start(&self, _name: String, _work: Box<dyn FnOnce() + Send>) -> Result<(), HostError> {
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
pub type HostError = Box<dyn Error + Send + Sync>;

impl fmt::Debug for dyn WorkerHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WorkerHost")
    }
}
