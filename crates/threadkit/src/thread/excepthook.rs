//! The excepthook: what happens to a panic that escapes a thread's target.
//!
//! Every thread threadkit starts runs its target under `catch_unwind`; a panic is handed to the
//! process-wide hook, which by default prints it to stderr the way CPython's
//! `threading.excepthook` prints an uncaught exception, and the thread then finishes normally.
//!
//! To print a panic only once, threadkit wraps the process's panic hook the first time it starts
//! a thread: while a threadkit thread runs its target, the wrapper records the panic's location
//! (and a backtrace, when `RUST_BACKTRACE` asks for one) for the excepthook instead of printing;
//! on every other thread, and outside targets, it calls the hook that was installed before, so
//! their output does not change. A program that sets its own panic hook after threadkit started
//! a thread replaces the wrapper: panics in targets are then printed by that hook and by the
//! excepthook.

use std::any::Any;
use std::backtrace::{Backtrace, BacktraceStatus};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::thread::Thread;

/// A shared excepthook.
type Hook = Arc<dyn Fn(&ExceptHookArgs<'_>) + Send + Sync + 'static>;

/// The installed hook; `None` is [`default_excepthook`].
static HOOK: RwLock<Option<Hook>> = RwLock::new(None);
/// Whether the panic-hook wrapper is installed.
static FILTER: Mutex<bool> = Mutex::new(false);

thread_local! {
    /// Set while a threadkit thread runs its target.
    static IN_TARGET: Cell<bool> = const { Cell::new(false) };
    /// The location and backtrace of the last panic raised in a target.
    static CAPTURED: RefCell<Option<Captured>> = const { RefCell::new(None) };
}

/// What the panic hook saw that the payload does not carry.
struct Captured {
    location: Option<String>,
    backtrace: Backtrace,
}

/// What the excepthook receives about a panic that escaped a thread's target.
///
/// Python: `threading.ExceptHookArgs`: [`thread`](ExceptHookArgs::thread) is `args.thread`,
/// [`payload`](ExceptHookArgs::payload) and [`message`](ExceptHookArgs::message) stand for
/// `exc_type`/`exc_value`, [`location`](ExceptHookArgs::location) and
/// [`backtrace`](ExceptHookArgs::backtrace) for `exc_traceback`.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use threadkit::thread::{self, Thread};
///
/// let (tx, rx) = mpsc::channel();
/// thread::set_excepthook(move |args| {
///     let report = format!("{}: {}", args.thread().name(), args.message().unwrap_or("?"));
///     tx.send((report, args.location().is_some())).unwrap();
/// });
/// let worker = Thread::builder().name("parser").start(|| panic!("unexpected token")).unwrap();
/// let (report, located) = rx.recv().unwrap();
/// assert_eq!(report, "parser: unexpected token");
/// assert!(located);
/// worker.join(None).unwrap();
/// thread::reset_excepthook();
/// ```
///
/// See also [`set_excepthook`].
pub struct ExceptHookArgs<'a> {
    thread: &'a Thread,
    payload: &'a (dyn Any + Send),
    location: Option<&'a str>,
    backtrace: Option<&'a Backtrace>,
}

impl<'a> ExceptHookArgs<'a> {
    /// The thread whose target panicked.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::{self, Thread};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// thread::set_excepthook(move |args| tx.send(args.thread().clone()).unwrap());
    /// let worker = Thread::new(|| panic!("oops"));
    /// worker.start().unwrap();
    /// assert_eq!(rx.recv().unwrap(), worker); // the hook ran on the panicking thread
    /// worker.join(None).unwrap();
    /// thread::reset_excepthook();
    /// ```
    pub fn thread(&self) -> &'a Thread {
        self.thread
    }

    /// The panic payload, as `catch_unwind` returns it.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::{self, Thread};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// thread::set_excepthook(move |args| {
    ///     tx.send(args.payload().downcast_ref::<i32>().copied()).unwrap();
    /// });
    /// let worker = Thread::new(|| std::panic::panic_any(42));
    /// worker.start().unwrap();
    /// assert_eq!(rx.recv().unwrap(), Some(42));
    /// worker.join(None).unwrap();
    /// thread::reset_excepthook();
    /// ```
    pub fn payload(&self) -> &'a (dyn Any + Send) {
        self.payload
    }

    /// The panic message, when the payload is a string (as for `panic!("...")`).
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::{self, Thread};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// thread::set_excepthook(move |args| tx.send(args.message().map(String::from)).unwrap());
    /// let worker = Thread::new(|| panic!("disk {} is full", 3));
    /// worker.start().unwrap();
    /// assert_eq!(rx.recv().unwrap().as_deref(), Some("disk 3 is full"));
    /// worker.join(None).unwrap();
    /// thread::reset_excepthook();
    /// ```
    pub fn message(&self) -> Option<&'a str> {
        let payload = self.payload;
        payload
            .downcast_ref::<&'static str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
    }

    /// Where the panic was raised, as `file:line:column`, when the panic hook saw it.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::thread::{self, Thread};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// thread::set_excepthook(move |args| tx.send(args.location().map(String::from)).unwrap());
    /// let worker = Thread::new(|| panic!("here"));
    /// worker.start().unwrap();
    /// let location = rx.recv().unwrap().unwrap();
    /// assert!(location.contains(".rs:")); // file:line:column of the `panic!`
    /// worker.join(None).unwrap();
    /// thread::reset_excepthook();
    /// ```
    pub fn location(&self) -> Option<&'a str> {
        self.location
    }

    /// The backtrace of the panic, when `RUST_BACKTRACE` or `RUST_LIB_BACKTRACE` enabled one.
    ///
    /// ```
    /// use std::backtrace::BacktraceStatus;
    /// use std::sync::mpsc;
    /// use threadkit::thread::{self, Thread};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// thread::set_excepthook(move |args| {
    ///     tx.send(args.backtrace().map(|trace| trace.status())).unwrap();
    /// });
    /// let worker = Thread::new(|| panic!("traced"));
    /// worker.start().unwrap();
    /// // `None` unless RUST_BACKTRACE (or RUST_LIB_BACKTRACE) asked for backtraces.
    /// let status = rx.recv().unwrap();
    /// assert!(status.is_none() || status == Some(BacktraceStatus::Captured));
    /// worker.join(None).unwrap();
    /// thread::reset_excepthook();
    /// ```
    pub fn backtrace(&self) -> Option<&'a Backtrace> {
        self.backtrace
    }
}

impl fmt::Debug for ExceptHookArgs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExceptHookArgs")
            .field("thread", &self.thread.name())
            .field("message", &self.message())
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Replaces the process-wide excepthook, which handles panics that escape a thread's target.
///
/// Python: `threading.excepthook = hook`. The hook runs on the thread that panicked, after the
/// target unwound and before the thread counts as finished. A hook that panics itself is
/// reported on stderr as `Exception in threading.excepthook:` and otherwise ignored.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use std::sync::Mutex;
/// use threadkit::thread::{self, Thread};
///
/// let (report, reports) = mpsc::channel();
/// let report = Mutex::new(report);
/// thread::set_excepthook(move |args| {
///     let line = format!("{} failed: {}", args.thread().name(), args.message().unwrap_or("?"));
///     report.lock().unwrap().send(line).unwrap();
/// });
/// let worker = Thread::builder().name("fragile").start(|| panic!("boom")).unwrap();
/// assert!(worker.join(None).unwrap()); // the panic did not escape
/// thread::reset_excepthook();
/// assert_eq!(reports.recv().unwrap(), "fragile failed: boom");
/// ```
pub fn set_excepthook(hook: impl Fn(&ExceptHookArgs<'_>) + Send + Sync + 'static) {
    *HOOK.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(hook));
}

/// Restores the default excepthook, [`default_excepthook`].
///
/// Python: `threading.excepthook = threading.__excepthook__`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use threadkit::thread::{self, Thread};
///
/// let calls = Arc::new(AtomicUsize::new(0));
/// let counted = Arc::clone(&calls);
/// thread::set_excepthook(move |_| {
///     counted.fetch_add(1, Ordering::Relaxed);
/// });
/// let worker = Thread::new(|| panic!("counted"));
/// worker.start().unwrap();
/// worker.join(None).unwrap();
/// thread::reset_excepthook();
/// // From now on panics go to `default_excepthook`, which prints them to stderr.
/// let worker = Thread::new(|| panic!("printed"));
/// worker.start().unwrap();
/// worker.join(None).unwrap();
/// assert_eq!(calls.load(Ordering::Relaxed), 1);
/// ```
pub fn reset_excepthook() {
    *HOOK.write().unwrap_or_else(PoisonError::into_inner) = None;
}

/// Calls the installed excepthook with `args`.
///
/// Python: `threading.excepthook(args)`.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use threadkit::thread::{self, Thread};
///
/// let (tx, rx) = mpsc::channel();
/// // A hook that installs its successor, then hands the panic to whichever hook is installed now.
/// thread::set_excepthook(move |args| {
///     let tx = tx.clone();
///     thread::set_excepthook(move |args| tx.send(args.message().map(String::from)).unwrap());
///     thread::excepthook(args);
/// });
/// let worker = Thread::new(|| panic!("forwarded"));
/// worker.start().unwrap();
/// assert_eq!(rx.recv().unwrap().as_deref(), Some("forwarded"));
/// worker.join(None).unwrap();
/// thread::reset_excepthook();
/// ```
pub fn excepthook(args: &ExceptHookArgs<'_>) {
    let hook = HOOK.read().unwrap_or_else(PoisonError::into_inner).clone();
    match hook {
        Some(hook) => hook(args),
        None => default_excepthook(args),
    }
}

/// The default excepthook: prints `Exception in thread NAME:` and the panic to stderr.
///
/// Python: `threading.__excepthook__`. The text has CPython's shape, with the panic's location
/// and message where Python prints the traceback:
///
/// ```text
/// Exception in thread Thread-1:
/// thread panicked at src/main.rs:5:9:
/// boom
/// ```
pub fn default_excepthook(args: &ExceptHookArgs<'_>) {
    let mut text = format!("Exception in thread {}:\n", args.thread().name());
    match args.location() {
        Some(location) => text.push_str(&format!("thread panicked at {location}:\n")),
        None => text.push_str("thread panicked:\n"),
    }
    text.push_str(args.message().unwrap_or("Box<dyn Any>"));
    text.push('\n');
    if let Some(backtrace) = args.backtrace() {
        text.push_str(&format!("stack backtrace:\n{backtrace}"));
    }
    // Like CPython, say nothing if stderr is gone.
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Installs the panic-hook wrapper once (and not from a panicking thread, where std forbids
/// touching the hook; a later `start` installs it then).
pub(crate) fn install_panic_filter() {
    let mut installed = FILTER.lock().unwrap_or_else(PoisonError::into_inner);
    if *installed || std::thread::panicking() {
        return;
    }
    *installed = true;
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if IN_TARGET.try_with(Cell::get).unwrap_or(false) {
            let captured = Captured {
                location: info.location().map(ToString::to_string),
                backtrace: Backtrace::capture(),
            };
            let _ = CAPTURED.try_with(|slot| *slot.borrow_mut() = Some(captured));
        } else {
            previous(info);
        }
    }));
}

/// Runs a thread's target, catching its panic.
pub(crate) fn run_target(target: Box<dyn FnOnce() + Send>) -> Result<(), Box<dyn Any + Send>> {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_TARGET.with(|flag| flag.set(false));
        }
    }
    CAPTURED.with(|slot| slot.borrow_mut().take());
    IN_TARGET.with(|flag| flag.set(true));
    let _reset = Reset;
    panic::catch_unwind(AssertUnwindSafe(target))
}

/// Hands a panic that escaped `thread`'s target to the excepthook.
pub(crate) fn report(thread: &Thread, payload: Box<dyn Any + Send>) {
    let captured = CAPTURED.with(|slot| slot.borrow_mut().take());
    let (location, backtrace) = match &captured {
        Some(captured) => (
            captured.location.as_deref(),
            (captured.backtrace.status() == BacktraceStatus::Captured)
                .then_some(&captured.backtrace),
        ),
        None => (None, None),
    };
    let args = ExceptHookArgs {
        thread,
        payload: &*payload,
        location,
        backtrace,
    };
    if panic::catch_unwind(AssertUnwindSafe(|| excepthook(&args))).is_err() {
        let _ = io::stderr()
            .lock()
            .write_all(b"Exception in threading.excepthook:\n");
    }
    // The payload's own destructor may panic; it must not take the thread down either.
    let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
}
