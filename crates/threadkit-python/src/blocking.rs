//! The one path by which the glue blocks: detached from the interpreter, interruptible by
//! signals on the main thread.
//!
//! [`wait`] runs a blocking core call with the thread detached (`Python::detach`), so other
//! Python threads run meanwhile and no Rust lock is ever waited for while attached. On the main
//! thread it also installs threadkit's [interrupt check](threadkit::interrupt) for the duration of
//! the call: every [`PERIOD`] the waiting thread attaches and runs the pending signal handlers,
//! as CPython's own waits do. A handler that returns lets the wait go on (with its original
//! deadline); one that raises — `KeyboardInterrupt` from Ctrl-C — makes the check unwind out of
//! the core wait (see `carry.rs`), which restores the primitive's invariants on the way out, and
//! [`wait`] returns that exception. Python code the call itself runs (a barrier's action) may
//! unwind out of it the same way.
//!
//! It also keeps a woken waiter from racing for the GIL with the thread that woke it, which
//! still holds it (see [`HANDOFF_PENDING`]).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::intern;
use pyo3::prelude::*;
use threadkit::interrupt;

use crate::carry;
use crate::timeout::Acquire;

/// How often a waiting main thread runs signal handlers.
pub(crate) const PERIOD: Duration = Duration::from_millis(50);

/// How many threads are in [`wait`] now, detached in a core call.
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// The number of threads blocked in a threadkit wait now, past any attempt made attached: a test
/// of a wake-up polls it until its waiter really waits, so the wake-up is what it tests.
#[pyfunction]
pub(crate) fn _waiting() -> usize {
    WAITING.load(Ordering::Acquire)
}

/// In a forked child: the threads that were waiting in the parent do not exist.
pub(crate) fn after_fork_in_child() {
    WAITING.store(0, Ordering::Release);
}

/// Counts its thread in [`WAITING`] while it lives.
struct Counted;

impl Counted {
    fn new() -> Self {
        WAITING.fetch_add(1, Ordering::AcqRel);
        Counted
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        WAITING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// How long a woken waiter waits, detached, for the GIL's holder to release it before it attaches
/// anyway: the cost of the futex sleep and wake it saves (15–35 µs on small VMs), so that
/// waiting in vain costs at most what attaching at once would have.
const HANDOFF: Duration = Duration::from_micros(15);

/// True while the GIL's holder is expected to wait here soon: it woke someone ([`woke_waiters`])
/// or claimed its turn after a shared wake-up ([`wait_together`]), and has not detached in a wait
/// since.
///
/// A detached waiter sees a wake-up within a microsecond while it spins, but the thread that woke
/// it usually holds the GIL a few microseconds more, on its way to its own next wait. Attaching at
/// once makes the waiter sleep on the GIL and costs a futex wake on each side: the cliff of the
/// ping-pongs (with `perf`, every futex sleep of an `Event` ping-pong was in CPython's
/// `take_gil`, none in the parker). So a woken waiter first gives the holder up to [`HANDOFF`] to
/// detach (see `src/park/README.md` in the core for the measurements).
///
/// It is a hint: if the holder releases the GIL another way (`time.sleep`, I/O, the eval loop's
/// switch interval), the next woken waiter spends one `HANDOFF` and clears it. Without a GIL its
/// writes race, which costs the same and never a wake-up.
static HANDOFF_PENDING: AtomicBool = AtomicBool::new(false);

/// Tells the waiters the calling thread (attached) has just woken — `Event.set`,
/// `Condition.notify` — to give it a moment to reach its own wait before they attach.
pub(crate) fn woke_waiters(_py: Python<'_>) {
    HANDOFF_PENDING.store(true, Ordering::Relaxed);
}

/// Tells the waiters the calling thread (attached) has just released a lock or a semaphore that
/// may be another thread's signal, as [`woke_waiters`] does; only while some thread waits in a
/// threadkit wait, so that the `with lock:` of a program whose threads never wait here leaves no
/// stale hint.
pub(crate) fn released(py: Python<'_>) {
    if WAITING.load(Ordering::Relaxed) != 0 {
        woke_waiters(py);
    }
}

/// How a thread that waited takes the GIL back.
#[derive(Clone, Copy)]
enum Return {
    /// After whoever woke it: it gives way to a pending hand-off.
    AfterWaker,
    /// With the peers released by the same wake-up (a barrier's parties): the first to return
    /// claims the hand-off, the others give way to it.
    Together,
}

impl Return {
    /// Runs detached, just before attaching: waits, at most [`HANDOFF`], until no hand-off is
    /// pending (claiming it for [`Return::Together`]).
    fn take_turn(self) {
        let pending = || match self {
            Return::AfterWaker => HANDOFF_PENDING.load(Ordering::Relaxed),
            Return::Together => HANDOFF_PENDING.swap(true, Ordering::Relaxed),
        };
        if !pending() {
            return;
        }
        let start = Instant::now();
        while pending() {
            if start.elapsed() >= HANDOFF {
                if let Return::AfterWaker = self {
                    // The holder went on without waiting here: the hint is stale.
                    HANDOFF_PENDING.store(false, Ordering::Relaxed);
                }
                return;
            }
            std::thread::yield_now();
        }
    }
}

/// Runs `call` detached; on the main thread, signal handlers run while it waits.
///
/// # Errors
///
/// The exception a signal handler raised while `call` was waiting, or that Python code run by
/// `call` carried out of it with [`carry::unwind`].
pub(crate) fn wait<T, F>(py: Python<'_>, call: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    detached(py, call, Return::AfterWaker)
}

/// [`wait`] for a call that returns together with the peers it releases or is released with (a
/// barrier's `wait`): they take the GIL back one after the other instead of racing for it.
///
/// # Errors
///
/// As [`wait`].
pub(crate) fn wait_together<T, F>(py: Python<'_>, call: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    detached(py, call, Return::Together)
}

fn detached<T, F>(py: Python<'_>, call: F, back: Return) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let main = on_main_thread(py)?;
    // The GIL's holder is about to release it: a hand-off it promised is done.
    HANDOFF_PENDING.store(false, Ordering::Relaxed);
    let counted = || {
        let _counted = Counted::new();
        carry::catch(call)
    };
    if !main {
        return py.detach(|| {
            let result = counted();
            back.take_turn();
            result
        });
    }
    py.detach(|| {
        let _check = CheckGuard(interrupt::set_check(Some((run_signal_handlers, PERIOD))));
        let result = counted();
        back.take_turn();
        result
    })
}

/// An acquire of a lock-like primitive: one attempt attached, and only if that fails and the
/// call may wait, a detached wait.
pub(crate) fn acquire(
    py: Python<'_>,
    acquire: Acquire,
    try_acquire: impl FnOnce() -> bool,
    wait_for: impl FnOnce(Option<Duration>) -> bool + Send,
) -> PyResult<bool> {
    if try_acquire() {
        return Ok(true);
    }
    match acquire {
        Acquire::Try => Ok(false),
        Acquire::Wait(Some(timeout)) if timeout.is_zero() => Ok(false),
        Acquire::Wait(timeout) => wait(py, || wait_for(timeout)),
    }
}

/// A queue operation: one attempt attached, and only if it failed in a way that waiting may fix
/// (`retry` gives back what to retry with, such as the item of a full queue's put) and the call
/// may wait, a detached wait.
pub(crate) fn take<T, E, R>(
    py: Python<'_>,
    timeout: Option<Duration>,
    attempt: Result<T, E>,
    retry: impl FnOnce(E) -> Result<R, E>,
    wait_for: impl FnOnce(R, Option<Duration>) -> Result<T, E> + Send,
) -> PyResult<Result<T, E>>
where
    T: Send,
    E: Send,
    R: Send,
{
    match attempt {
        Err(error) if timeout != Some(Duration::ZERO) => match retry(error) {
            Ok(again) => wait(py, || wait_for(again, timeout)),
            Err(error) => Ok(Err(error)),
        },
        attempt => Ok(attempt),
    }
}

/// The interrupt check: runs the pending signal handlers; unwinds with the exception when one
/// raises.
fn run_signal_handlers() {
    if let Some(error) = Python::attach(|py| py.check_signals().err()) {
        carry::unwind(error);
    }
}

/// Restores the check that was installed before [`wait`] installed its own.
struct CheckGuard(Option<interrupt::Check>);

impl Drop for CheckGuard {
    fn drop(&mut self) {
        interrupt::set_check(self.0.take());
    }
}

/// Whether this is the thread on which CPython runs signal handlers (`threading.main_thread()`,
/// which after a `fork` is the thread that forked).
fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    let threading = py.import(intern!(py, "threading"))?;
    let main = threading
        .call_method0(intern!(py, "main_thread"))?
        .getattr(intern!(py, "ident"))?;
    let current = threading.call_method0(intern!(py, "get_ident"))?;
    main.eq(current)
}
