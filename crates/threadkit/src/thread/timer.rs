//! [`Timer`]: a thread that runs an action after a delay unless cancelled, like
//! `threading.Timer`.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use crate::loom::atomic::{AtomicBool, Ordering};
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN};
use crate::thread::Thread;
use crate::timeout;

/// A thread that runs `function` once `interval` has passed since it started, unless
/// [`cancel`](Timer::cancel)led first, mirroring Python's `threading.Timer`.
///
/// A `Timer` is a [`Thread`] (it dereferences to one): [`start`](Thread::start) it, then
/// [`join`](Thread::join), [`is_alive`](Thread::is_alive), [`name`](Thread::name) and the rest
/// work as for any thread. Its default name is `Thread-N`, like Python's.
///
/// # Differences from CPython
///
/// `function` is a closure, with its `args`/`kwargs` captured.
///
/// # Memory ordering
///
/// A `cancel` that happens before the interval elapses is seen by the timer thread: `function`
/// then never runs. Everything done before `start` happens before `function` runs.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use std::time::Duration;
/// use threadkit::thread::Timer;
///
/// let (fired, fires) = mpsc::channel();
/// let timer = Timer::new(Duration::from_millis(10), move || fired.send("ding").unwrap());
/// timer.start().unwrap();
/// assert_eq!(fires.recv().unwrap(), "ding");
/// timer.join(None).unwrap();
///
/// let (fired, fires) = mpsc::channel::<()>();
/// let timer = Timer::new(Duration::from_secs(3600), move || fired.send(()).unwrap());
/// timer.start().unwrap();
/// timer.cancel();
/// assert!(timer.join(None).unwrap());
/// assert!(fires.recv().is_err()); // the function was dropped without running
/// ```
pub struct Timer {
    thread: Thread,
    interval: Duration,
    cancelled: Arc<AtomicBool>,
}

impl Timer {
    /// Creates a timer that will run `function` `interval` after it is started.
    ///
    /// Python: `threading.Timer(interval, function)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use threadkit::thread::Timer;
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let timer = Timer::new(Duration::from_millis(1), move || tx.send("fired").unwrap());
    /// timer.start().unwrap(); // the interval counts from here
    /// assert_eq!(rx.recv().unwrap(), "fired");
    /// timer.join(None).unwrap();
    /// ```
    pub fn new(interval: Duration, function: impl FnOnce() + Send + 'static) -> Timer {
        let cancelled = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancelled);
        let thread = Thread::new(move || {
            if !wait_cancelled(&flag, interval) {
                function();
            }
            // Python sets `finished` here, so a late `cancel` is harmless.
            flag.store(true, Ordering::Relaxed);
        });
        Timer {
            thread,
            interval,
            cancelled,
        }
    }

    /// Stops the timer if it is still waiting: `function` will not run.
    ///
    /// Python: `timer.cancel()`. Cancelling a timer that already fired, or one not started yet
    /// (it will then finish at once when started), is allowed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::time::Duration;
    /// use threadkit::thread::Timer;
    ///
    /// let ran = Arc::new(AtomicBool::new(false));
    /// let timer = {
    ///     let ran = Arc::clone(&ran);
    ///     Timer::new(Duration::from_secs(60), move || ran.store(true, Ordering::Relaxed))
    /// };
    /// timer.start().unwrap();
    /// timer.cancel(); // wakes the timer thread, which exits at once
    /// timer.join(None).unwrap();
    /// assert!(!ran.load(Ordering::Relaxed));
    /// ```
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
        park::unpark_all(park::key(&*self.cancelled), DEFAULT_UNPARK_TOKEN);
    }

    /// The delay between `start` and running `function`.
    ///
    /// Python: `timer.interval`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::thread::Timer;
    ///
    /// let timer = Timer::new(Duration::from_millis(250), || {});
    /// assert_eq!(timer.interval(), Duration::from_millis(250));
    /// ```
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The timer's thread.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::thread::{Thread, Timer};
    ///
    /// let timer = Timer::new(Duration::ZERO, || {});
    /// let handle: Thread = timer.thread().clone(); // a handle that outlives the `Timer`
    /// timer.start().unwrap();
    /// drop(timer);
    /// handle.join(None).unwrap();
    /// assert!(!handle.is_alive());
    /// ```
    pub fn thread(&self) -> &Thread {
        &self.thread
    }
}

/// Waits up to `interval` for `flag`; true if it was set (the timer was cancelled).
fn wait_cancelled(flag: &AtomicBool, interval: Duration) -> bool {
    let deadline = timeout::deadline(Some(interval));
    loop {
        if flag.load(Ordering::Acquire) {
            return true;
        }
        if timeout::expired(deadline) {
            return false;
        }
        let validate = || !flag.load(Ordering::Relaxed);
        park::park(
            park::key(flag),
            validate,
            |_, _| {},
            DEFAULT_PARK_TOKEN,
            deadline,
        );
    }
}

impl Deref for Timer {
    type Target = Thread;

    fn deref(&self) -> &Thread {
        &self.thread
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer")
            .field("thread", &self.thread)
            .field("interval", &self.interval)
            .field("cancelled", &self.cancelled.load(Ordering::Relaxed))
            .finish()
    }
}
