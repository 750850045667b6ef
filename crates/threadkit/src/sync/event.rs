//! [`Event`]: a flag that threads can wait for, like `threading.Event`.

use std::fmt;
use std::time::Duration;

use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, ParkResult, SpinWait};
use crate::timeout;

/// Set while the flag is true.
const SET: usize = 0b01;
/// Set while threads may be parked waiting for the flag.
const PARKED: usize = 0b10;
/// One generation: every `set()` that turns the flag on adds this. The generation lives in the
/// bits above `PARKED` and wraps around (after 2^62 sets, harmlessly).
const GENERATION: usize = 0b100;
/// The bits that hold the generation.
const GENERATION_MASK: usize = !(SET | PARKED);

/// A flag that is either set or clear, and that threads can wait for, mirroring Python's
/// `threading.Event`.
///
/// An event starts clear. [`set`](Event::set) turns it on and wakes every waiting thread;
/// [`clear`](Event::clear) turns it off; [`wait`](Event::wait) returns at once while it is set
/// and otherwise blocks until a `set()`, or until its timeout passes.
///
/// [`is_set`](Event::is_set) is one atomic load, and so is `wait` on a set event. A waiting
/// thread spins briefly (a wake-up through the kernel costs tens of microseconds on small
/// machines), then parks.
///
/// # Differences from CPython
///
/// - `wait(timeout)` takes an `Option<Duration>` (`None` waits forever).
/// - As in CPython, `wait` returns true if a `set()` happened while it waited, even if a
///   `clear()` followed before the waiting thread ran. Every `set()` that turns the event on
///   starts a new generation, and a waiter compares generations rather than looking only at the
///   flag, so this also holds for a thread between two [interrupt](crate::interrupt) slices.
/// - `isSet()`, deprecated in Python, does not exist.
///
/// # Memory ordering
///
/// `set` is a `Release` operation; `is_set` returning true and `wait` returning true are
/// `Acquire` operations: whatever a thread wrote before calling `set` is visible to a thread
/// that then sees the event set (even if its own `set` found the event already set).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::Event;
///
/// let ready = Arc::new(Event::new());
/// let waiters: Vec<_> = (0..3)
///     .map(|_| {
///         let ready = Arc::clone(&ready);
///         thread::spawn(move || ready.wait(None))
///     })
///     .collect();
/// ready.set(); // wakes all three
/// for waiter in waiters {
///     assert!(waiter.join().unwrap());
/// }
/// assert!(ready.is_set());
/// ```
pub struct Event {
    /// `generation * GENERATION | PARKED? | SET?`. Every change is a read-modify-write, so an
    /// `Acquire` load that sees a value synchronizes with every `Release` write before it.
    state: AtomicUsize,
}

impl Event {
    crate::loom::const_fn! {
        /// Creates a clear event.
        ///
        /// Python: `threading.Event()`.
        ///
        /// ```
        /// use threadkit::Event;
        ///
        /// static READY: Event = Event::new(); // `const`: usable in a static
        /// assert!(!READY.is_set());
        /// ```
        pub const fn new() -> Self {
            Event {
                state: AtomicUsize::new(0),
            }
        }
    }

    /// Whether the event is set.
    ///
    /// Python: `event.is_set()`. One atomic load.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Event;
    ///
    /// let event = Arc::new(Event::new());
    /// assert!(!event.is_set());
    /// let remote = Arc::clone(&event);
    /// thread::spawn(move || remote.set()).join().unwrap();
    /// assert!(event.is_set());
    /// ```
    #[inline]
    pub fn is_set(&self) -> bool {
        self.state.load(Ordering::Acquire) & SET != 0
    }

    /// Sets the event and wakes every thread waiting for it.
    ///
    /// Python: `event.set()`. Threads that wait while the event stays set return at once. Setting
    /// a set event changes nothing and wakes nobody.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::Event;
    ///
    /// let event = Arc::new(Event::new());
    /// let remote = Arc::clone(&event);
    /// let waiter = thread::spawn(move || remote.wait(None));
    /// event.set();
    /// event.set(); // already set: no effect
    /// assert!(waiter.join().unwrap());
    /// ```
    #[inline]
    pub fn set(&self) {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & SET != 0 {
                // Already set, so nobody is parked. Still a release write, so that whatever this
                // thread wrote is visible to the threads that see the event set after this.
                self.state.fetch_add(0, Ordering::Release);
                return;
            }
            // A new generation, the flag on, and the PARKED bit taken over by this call.
            let new = (state.wrapping_add(GENERATION) | SET) & !PARKED;
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & PARKED != 0 {
            park::unpark_all(park::key(&self.state), DEFAULT_UNPARK_TOKEN);
        }
    }

    /// Clears the event: later waits block until the next [`set`](Event::set).
    ///
    /// Python: `event.clear()`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::Event;
    ///
    /// let event = Event::new();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// assert!(!event.wait(Some(Duration::from_millis(1))));
    /// ```
    #[inline]
    pub fn clear(&self) {
        self.state.fetch_and(!SET, Ordering::Relaxed);
    }

    /// Waits until the event is set, at most `timeout` (`None`: forever); true if it was set.
    ///
    /// Python: `event.wait()` / `event.wait(timeout=t)`. Returns true at once if the event is
    /// set; otherwise true as soon as a [`set`](Event::set) happens, even if a
    /// [`clear`](Event::clear) follows it before this thread runs; false if the timeout passes
    /// first.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::Event;
    ///
    /// let event = Event::new();
    /// assert!(!event.wait(Some(Duration::from_millis(1))));
    /// event.set();
    /// assert!(event.wait(None));
    /// ```
    #[inline]
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        let state = self.state.load(Ordering::Acquire);
        state & SET != 0 || self.wait_slow(state, timeout)
    }

    #[cold]
    fn wait_slow(&self, start: usize, timeout: Option<Duration>) -> bool {
        let generation = start & GENERATION_MASK;
        let signalled = |state: usize| state & SET != 0 || state & GENERATION_MASK != generation;
        let deadline = timeout::deadline(timeout);
        let mut spin = SpinWait::for_signal();
        let mut state = start;
        loop {
            if signalled(state) {
                return true;
            }
            if timeout::expired(deadline) {
                return false;
            }
            if state & PARKED == 0 {
                if spin.spin() {
                    state = self.state.load(Ordering::Acquire);
                    continue;
                }
                if let Err(actual) = self.state.compare_exchange_weak(
                    state,
                    state | PARKED,
                    Ordering::Relaxed,
                    Ordering::Acquire,
                ) {
                    state = actual;
                    continue;
                }
            }
            // Park only while this generation is still unset and the PARKED bit we rely on is
            // there: `set` changes both before it unparks, so one of the two sees the other.
            let validate = || self.state.load(Ordering::Relaxed) == generation | PARKED;
            let timed_out = |_, was_last| {
                if was_last {
                    self.state.fetch_and(!PARKED, Ordering::Relaxed);
                }
            };
            let key = park::key(&self.state);
            let result = park::park(key, validate, timed_out, DEFAULT_PARK_TOKEN, deadline);
            // Unparked, timed out, or an interrupt slice ended: the generation tells whether a
            // `set()` happened meanwhile, whatever the flag says now.
            state = self.state.load(Ordering::Acquire);
            if result == ParkResult::TimedOut {
                return signalled(state);
            }
            spin.reset();
        }
    }
}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish()
    }
}
