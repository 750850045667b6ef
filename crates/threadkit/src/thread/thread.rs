//! [`Thread`]: a named, daemon-aware thread of control, like `threading.Thread`; and the table
//! of live threads and each OS thread's own handle, which a thread joins as it starts and leaves
//! as it finishes.
//!
//! The table holds every started threadkit thread until it finishes, the main thread, and a dummy
//! entry for each other thread that asked for its handle; `registry.rs` hands out the main and
//! dummy handles and reads the table. A dummy entry leaves the table when its OS thread exits (a
//! thread-local destructor). The table is not on any hot path: the current handle is a
//! thread-local.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::loom::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, ParkResult};
#[cfg(doc)]
use crate::thread::Builder;
#[cfg(doc)]
use crate::thread::error::StartError;
use crate::thread::error::{JoinError, SetDaemonError};
use crate::thread::ident;
#[cfg(doc)]
use crate::thread::{current_thread, enumerate, main_thread};
use crate::timeout;

/// Created, `start` not called yet.
pub(super) const NEW: u8 = 0;
/// `start` is creating the OS thread.
pub(super) const STARTING: u8 = 1;
/// The OS thread runs (Python: `_started` is set and the handle is not done).
pub(super) const STARTED: u8 = 2;
/// The target returned or panicked and the thread left the table of live threads.
pub(super) const FINISHED: u8 = 3;

/// What a thread is to threadkit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Created by threadkit, with a target to run.
    Regular,
    /// The process's main thread (Python's `_MainThread`).
    Main,
    /// A thread threadkit did not start (Python's `_DummyThread`).
    Dummy,
}

/// A thread's activity.
pub(crate) type Target = Box<dyn FnOnce() + Send + 'static>;

/// Every live thread by ident, in the order their idents were handed out.
static LIVE: Mutex<BTreeMap<u64, Thread>> = Mutex::new(BTreeMap::new());

thread_local! {
    /// This OS thread's handle; dropping it (at thread exit) retires a dummy entry.
    static CURRENT: OnceCell<Current> = const { OnceCell::new() };
}

/// The thread-local owner of the current thread's handle.
struct Current(Thread);

impl Drop for Current {
    fn drop(&mut self) {
        if self.0.kind() == Kind::Dummy {
            if let Some(ident) = self.0.ident() {
                unregister(ident);
            }
            self.0.set_state(FINISHED);
        }
    }
}

/// The table of live threads.
pub(crate) fn live_threads() -> MutexGuard<'static, BTreeMap<u64, Thread>> {
    // Map operations cannot leave the map half-updated, so a poisoned lock is still consistent.
    lock(&LIVE)
}

pub(super) fn unregister(ident: u64) {
    let removed = live_threads().remove(&ident);
    // Drop the handle outside the lock: it may be the last one, and dropping a target may run
    // arbitrary code.
    drop(removed);
}

/// Makes `thread` the calling OS thread's handle (a thread threadkit started, as it begins).
pub(super) fn adopt_current(thread: &Thread) {
    let _ = CURRENT.try_with(|current| current.set(Current(thread.clone())));
}

/// The calling OS thread's handle, made by `init` (and kept) if it has none yet; `None` while the
/// thread is tearing down its thread-locals.
pub(crate) fn current_or_init(init: impl FnOnce() -> Thread) -> Option<Thread> {
    CURRENT
        .try_with(|current| current.get_or_init(|| Current(init())).0.clone())
        .ok()
}

pub(crate) struct Inner {
    pub(super) kind: Kind,
    pub(super) state: AtomicU8,
    daemon: AtomicBool,
    /// 0 until the thread is started.
    pub(super) ident: AtomicU64,
    /// 0 until the thread is started.
    pub(super) native_id: AtomicU64,
    name: Mutex<String>,
    pub(super) target: Mutex<Option<Target>>,
    /// The builder's explicit stack size; otherwise [`ident::stack_size`] is read at start.
    pub(super) stack_size: Option<usize>,
}

/// A thread of control, mirroring Python's `threading.Thread`.
///
/// A `Thread` is a handle: clones refer to the same thread, and [`current_thread`],
/// [`enumerate`] and [`main_thread`] hand out handles too. Create one with [`Thread::new`] or
/// [`Thread::builder`], then [`start`](Thread::start) it; [`join`](Thread::join) waits for it to
/// finish. Each thread has a name (`Thread-N` by default), a daemon flag inherited from the
/// thread that created it, and, once started, an [`ident`](Thread::ident) and a
/// [`native_id`](Thread::native_id).
///
/// A panic in the target never takes the process down: it is handed to the
/// [excepthook](crate::thread::excepthook()), and the thread finishes normally otherwise. Dropping
/// every handle of a started thread does not stop it.
///
/// Non-daemon threads are what [`shutdown`](crate::thread::shutdown) and
/// [`main`](crate::thread::main()) wait for before the program exits, as Python waits for them
/// at interpreter exit.
///
/// # Differences from CPython
///
/// - The activity is a closure (`target` with its `args` captured); there is no `run` method to
///   override. To get a result back, send it through a channel or store it in shared state.
/// - `join` returns `Ok(true)` if the thread finished and `Ok(false)` on timeout, instead of
///   `None` followed by an `is_alive()` check; Python's `RuntimeError`s are [`JoinError`],
///   [`StartError`] and [`SetDaemonError`].
/// - Default names are `Thread-N` without Python 3.13's ` (target_name)` suffix: closures have
///   no name.
/// - [`ident`](Thread::ident) is a process-unique number that is never reused, not the
///   `pthread_t`.
/// - A Rust program does not wait for non-daemon threads by itself: call
///   [`shutdown`](crate::thread::shutdown) or run `main` inside [`main`](crate::thread::main()).
/// - The main thread never counts as finished, so joining it from another thread without a
///   timeout waits until the process exits.
/// - A panic that escapes the target is printed once, by the excepthook, instead of also by
///   Rust's panic hook; panics caught inside the target (`catch_unwind`) print nothing, as a
///   caught Python exception prints nothing. See [`set_excepthook`](crate::thread::set_excepthook)
///   for how, and when a program's own panic hook changes that.
///
/// # Memory ordering
///
/// Everything the starting thread did before [`start`](Thread::start) happens before the target
/// runs, and everything the target did happens before a [`join`](Thread::join) that returns
/// `Ok(true)` and before an [`is_alive`](Thread::is_alive) that returns false.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use threadkit::thread::Thread;
///
/// let total = Arc::new(AtomicUsize::new(0));
/// let workers: Vec<Thread> = (1..=3)
///     .map(|n| {
///         let total = Arc::clone(&total);
///         Thread::builder()
///             .name(format!("adder-{n}"))
///             .build(move || {
///                 total.fetch_add(n, Ordering::Relaxed);
///             })
///     })
///     .collect();
/// for worker in &workers {
///     assert!(!worker.is_alive());
///     worker.start().unwrap();
/// }
/// for worker in &workers {
///     assert!(worker.join(None).unwrap());
///     assert!(!worker.is_alive());
/// }
/// assert_eq!(total.load(Ordering::Relaxed), 6);
/// assert_eq!(workers[2].name(), "adder-3");
/// ```
#[derive(Clone)]
pub struct Thread {
    pub(crate) inner: Arc<Inner>,
}

impl Thread {
    /// A new, unstarted thread that will run `target` (see [`Builder::build`]).
    pub(crate) fn unstarted(
        name: String,
        daemon: bool,
        stack_size: Option<usize>,
        target: Target,
    ) -> Thread {
        Thread {
            inner: Arc::new(Inner {
                kind: Kind::Regular,
                state: AtomicU8::new(NEW),
                daemon: AtomicBool::new(daemon),
                ident: AtomicU64::new(0),
                native_id: AtomicU64::new(0),
                name: Mutex::new(name),
                target: Mutex::new(Some(target)),
                stack_size,
            }),
        }
    }

    /// The handle of a thread threadkit did not create: the main thread or a dummy.
    pub(crate) fn foreign(
        kind: Kind,
        name: String,
        daemon: bool,
        ident: u64,
        native_id: u64,
    ) -> Thread {
        Thread {
            inner: Arc::new(Inner {
                kind,
                state: AtomicU8::new(STARTED),
                daemon: AtomicBool::new(daemon),
                ident: AtomicU64::new(ident),
                native_id: AtomicU64::new(native_id),
                name: Mutex::new(name),
                target: Mutex::new(None),
                stack_size: None,
            }),
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        self.inner.kind
    }

    /// Enters a started or foreign thread in the table of live threads.
    pub(crate) fn register(&self) {
        let ident = self.inner.ident.load(Ordering::Relaxed);
        live_threads().insert(ident, self.clone());
    }

    /// Publishes `state` and wakes every thread waiting for a state change.
    pub(super) fn set_state(&self, state: u8) {
        self.inner.state.store(state, Ordering::Release);
        park::unpark_all(park::key(&self.inner.state), DEFAULT_UNPARK_TOKEN);
    }

    /// Waits until the state reaches `wanted` or `timeout` passes; true if it was reached.
    pub(super) fn wait_for(&self, wanted: u8, timeout: Option<Duration>) -> bool {
        let state = &self.inner.state;
        if state.load(Ordering::Acquire) >= wanted {
            return true;
        }
        let deadline = timeout::deadline(timeout);
        loop {
            if timeout::expired(deadline) {
                return false;
            }
            let validate = || state.load(Ordering::Relaxed) < wanted;
            let result = park::park(
                park::key(state),
                validate,
                |_, _| {},
                DEFAULT_PARK_TOKEN,
                deadline,
            );
            if state.load(Ordering::Acquire) >= wanted {
                return true;
            }
            if result == ParkResult::TimedOut {
                return false;
            }
        }
    }

    /// Waits at most `timeout` (`None`: forever) for the thread to finish; `Ok(true)` if it has.
    ///
    /// Python: `thread.join(timeout)` followed by `not thread.is_alive()`. A thread that
    /// panicked has finished too: the panic went to the excepthook.
    ///
    /// # Errors
    ///
    /// [`JoinError::NotStarted`] before [`start`](Thread::start), [`JoinError::CurrentThread`]
    /// when a thread joins itself, and [`JoinError::DummyThread`] for a thread threadkit did not
    /// start.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use threadkit::thread::Thread;
    ///
    /// let (go, wait) = mpsc::channel::<()>();
    /// let worker = Thread::new(move || wait.recv().unwrap());
    /// worker.start().unwrap();
    /// assert!(!worker.join(Some(Duration::from_millis(10))).unwrap());
    /// go.send(()).unwrap();
    /// assert!(worker.join(None).unwrap());
    /// ```
    pub fn join(&self, timeout: Option<Duration>) -> Result<bool, JoinError> {
        if self.inner.kind == Kind::Dummy {
            return Err(JoinError::DummyThread);
        }
        if self.inner.state.load(Ordering::Acquire) < STARTING {
            return Err(JoinError::NotStarted);
        }
        if self.inner.ident.load(Ordering::Relaxed) == ident::get_ident() {
            return Err(JoinError::CurrentThread);
        }
        Ok(self.wait_for(FINISHED, timeout))
    }

    /// Whether the thread has started and not finished.
    ///
    /// Python: `thread.is_alive()`. The main thread is always alive; a dummy thread is alive
    /// until its OS thread exits.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::Thread;
    ///
    /// let (go, wait) = mpsc::channel::<()>();
    /// let worker = Thread::new(move || wait.recv().unwrap());
    /// assert!(!worker.is_alive()); // not started
    /// worker.start().unwrap();
    /// assert!(worker.is_alive());
    /// go.send(()).unwrap();
    /// worker.join(None).unwrap();
    /// assert!(!worker.is_alive()); // finished
    /// ```
    pub fn is_alive(&self) -> bool {
        self.inner.state.load(Ordering::Acquire) == STARTED
    }

    /// The thread's name.
    ///
    /// Python: `thread.name`.
    ///
    /// ```
    /// use threadkit::thread::{self, Thread};
    ///
    /// assert_eq!(thread::main_thread().name(), "MainThread");
    /// let worker = Thread::builder().name("named").build(|| {});
    /// assert_eq!(worker.name(), "named");
    /// ```
    pub fn name(&self) -> String {
        lock(&self.inner.name).clone()
    }

    /// Renames the thread; allowed at any time, as in Python. The OS thread keeps the name it
    /// was started with.
    ///
    /// Python: `thread.name = name`.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::{self, Thread};
    ///
    /// let (go, wait) = mpsc::channel::<()>();
    /// let worker = Thread::new(move || {
    ///     wait.recv().unwrap();
    ///     assert_eq!(thread::current_thread().name(), "renamed");
    /// });
    /// worker.start().unwrap();
    /// worker.set_name("renamed"); // also while it runs
    /// go.send(()).unwrap();
    /// worker.join(None).unwrap();
    /// ```
    pub fn set_name(&self, name: impl Into<String>) {
        *lock(&self.inner.name) = name.into();
    }

    /// Whether the thread is a daemon: one that [`shutdown`](crate::thread::shutdown) does not
    /// wait for.
    ///
    /// Python: `thread.daemon`.
    ///
    /// ```
    /// use threadkit::thread::{self, Thread};
    ///
    /// assert!(!thread::main_thread().daemon());
    /// let dummy = std::thread::spawn(thread::current_thread).join().unwrap();
    /// assert!(dummy.daemon()); // threads threadkit did not start are daemons
    /// assert!(Thread::builder().daemon(true).build(|| {}).daemon());
    /// ```
    pub fn daemon(&self) -> bool {
        self.inner.daemon.load(Ordering::Relaxed)
    }

    /// Sets the daemon flag, which is only possible before [`start`](Thread::start).
    ///
    /// Python: `thread.daemon = daemonic`.
    ///
    /// # Errors
    ///
    /// [`SetDaemonError::Active`] once the thread has been started (always for the main and
    /// dummy threads).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadkit::thread::{SetDaemonError, Thread};
    ///
    /// let worker = Thread::new(|| {});
    /// worker.set_daemon(true).unwrap();
    /// assert!(worker.daemon());
    /// worker.start().unwrap();
    /// assert_eq!(worker.set_daemon(false), Err(SetDaemonError::Active));
    /// worker.join(None).unwrap();
    /// ```
    pub fn set_daemon(&self, daemon: bool) -> Result<(), SetDaemonError> {
        if self.inner.state.load(Ordering::Relaxed) != NEW {
            return Err(SetDaemonError::Active);
        }
        self.inner.daemon.store(daemon, Ordering::Relaxed);
        Ok(())
    }

    /// The thread's identifier, `None` until it has started; stays set after it finishes.
    ///
    /// Python: `thread.ident`. It is what [`get_ident`](crate::thread::get_ident) returns on
    /// that thread.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::{self, Thread};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let worker = Thread::new(move || tx.send(thread::get_ident()).unwrap());
    /// assert_eq!(worker.ident(), None);
    /// worker.start().unwrap();
    /// assert_eq!(worker.ident(), Some(rx.recv().unwrap()));
    /// worker.join(None).unwrap();
    /// assert!(worker.ident().is_some()); // kept after it finished
    /// ```
    pub fn ident(&self) -> Option<u64> {
        self.started_value(&self.inner.ident)
    }

    /// The operating system's id of the thread (on Linux the `gettid()` value), `None` until it
    /// has started.
    ///
    /// Python: `thread.native_id`.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::{self, Thread};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let worker = Thread::new(move || tx.send(thread::get_native_id()).unwrap());
    /// assert_eq!(worker.native_id(), None);
    /// worker.start().unwrap();
    /// assert_eq!(worker.native_id(), Some(rx.recv().unwrap()));
    /// worker.join(None).unwrap();
    /// ```
    pub fn native_id(&self) -> Option<u64> {
        self.started_value(&self.inner.native_id)
    }

    fn started_value(&self, value: &AtomicU64) -> Option<u64> {
        if self.inner.state.load(Ordering::Acquire) >= STARTED {
            Some(value.load(Ordering::Relaxed)).filter(|&value| value != 0)
        } else {
            None
        }
    }

    /// `initial`, `started` or `stopped`, as in Python's `repr`.
    fn status(&self) -> &'static str {
        match self.inner.state.load(Ordering::Acquire) {
            NEW | STARTING => "initial",
            STARTED => "started",
            _ => "stopped",
        }
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The data behind these mutexes stays consistent even if a holder panicked.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PartialEq for Thread {
    /// Two handles are equal when they refer to the same thread (Python's `is`).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for Thread {}

impl Hash for Thread {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.inner).hash(state);
    }
}

impl fmt::Debug for Thread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thread")
            .field("name", &self.name())
            .field("status", &self.status())
            .field("daemon", &self.daemon())
            .field("ident", &self.ident())
            .finish()
    }
}

impl fmt::Display for Thread {
    /// The shape of Python's `repr(thread)`: `<Thread(Thread-1, started daemon 7)>`. Unlike
    /// CPython, the main and dummy threads show as `Thread` too, not as the private classes
    /// `_MainThread` and `_DummyThread`: their names (`MainThread`, `Dummy-N`) tell them apart.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Thread({}, {}", self.name(), self.status())?;
        if self.daemon() {
            f.write_str(" daemon")?;
        }
        if let Some(ident) = self.ident() {
            write!(f, " {ident}")?;
        }
        f.write_str(")>")
    }
}
