//! [`Future`]: the result of an asynchronous computation, like `concurrent.futures.Future`.

use std::alloc::Layout;
use std::any::type_name;
use std::fmt;
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::panic::{self, AssertUnwindSafe, RefUnwindSafe, UnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::Arc;
use std::time::Duration;

use super::error::{FutureError, InvalidStateError, TaskError, UnexpectedStateError, WaitError};
use super::report::{self, Report};
use super::slab::{self, Home, Slab};
use super::waiter::{Completion, Waiter};
use crate::loom::atomic::{self as atomics, AtomicU8, AtomicU32, Ordering};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::Mutex;
use crate::park::{self, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, SpinWait};
use crate::timeout;

// The phase, in the low three bits of the state.
const PHASE: u8 = 0b0111;
const PENDING: u8 = 0;
const RUNNING: u8 = 1;
/// A result is being stored; the future turns FINISHED right after.
const COMPLETING: u8 = 2;
const FINISHED: u8 = 3;
const CANCELLED: u8 = 4;
const CANCELLED_AND_NOTIFIED: u8 = 5;
/// Threads may be parked in `result`/`exception`.
const PARKED: u8 = 0b1000;
/// Callbacks or waiters may be registered in `listeners`.
const LISTENERS: u8 = 0b1_0000;
/// Someone observed the outcome (see [`Report::UnobservedFailure`]): a failure is not reported.
const OBSERVED: u8 = 0b10_0000;
/// The outcome was moved out ([`Future::take_outcome`]); it is neither read nor dropped again.
const TAKEN: u8 = 0b100_0000;

/// Whether `result()` can return: finished or cancelled.
fn settled(state: u8) -> bool {
    matches!(state & PHASE, FINISHED | CANCELLED | CANCELLED_AND_NOTIFIED)
}

/// Whether `wait()`/`as_completed()` count the future as done (CPython: FINISHED or
/// CANCELLED_AND_NOTIFIED; a cancelled future whose cancellation was not yet noticed is not).
fn notified(state: u8) -> bool {
    matches!(state & PHASE, FINISHED | CANCELLED_AND_NOTIFIED)
}

/// A future's state, as CPython names them.
///
/// Python: the module constants of `concurrent.futures._base` that `Future._state` holds.
///
/// # Examples
///
/// ```
/// use threadkit::futures::{Future, State};
///
/// let future: Future<(), ()> = Future::new();
/// assert_eq!(future.state(), State::Pending);
/// future.cancel();
/// assert_eq!(future.state(), State::Cancelled);
/// assert_eq!((State::Cancelled.name(), State::Cancelled.description()), ("CANCELLED", "cancelled"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Created, not started (`PENDING`).
    Pending,
    /// Claimed by [`Future::set_running_or_notify_cancel`], not finished (`RUNNING`).
    Running,
    /// Cancelled; nobody noticed yet (`CANCELLED`).
    Cancelled,
    /// Cancelled, and whoever would have run it noticed (`CANCELLED_AND_NOTIFIED`).
    CancelledAndNotified,
    /// Finished with a value or a failure (`FINISHED`).
    Finished,
}

impl State {
    /// The state of the phase bits of `state`.
    fn of(state: u8) -> State {
        match state & PHASE {
            PENDING => State::Pending,
            RUNNING | COMPLETING => State::Running,
            FINISHED => State::Finished,
            CANCELLED => State::Cancelled,
            _ => State::CancelledAndNotified,
        }
    }

    /// CPython's name of the state and the word its repr uses for it: the one table of both
    /// (`_state` and `_STATE_TO_DESCRIPTION_MAP`).
    const fn names(self) -> (&'static str, &'static str) {
        match self {
            State::Pending => ("PENDING", "pending"),
            State::Running => ("RUNNING", "running"),
            State::Cancelled => ("CANCELLED", "cancelled"),
            State::CancelledAndNotified => ("CANCELLED_AND_NOTIFIED", "cancelled"),
            State::Finished => ("FINISHED", "finished"),
        }
    }

    /// CPython's name: `"PENDING"`, `"RUNNING"`, `"CANCELLED"`, `"CANCELLED_AND_NOTIFIED"` or
    /// `"FINISHED"` (what `future._state` holds).
    ///
    /// ```
    /// use threadkit::futures::State;
    ///
    /// assert_eq!(State::CancelledAndNotified.name(), "CANCELLED_AND_NOTIFIED");
    /// ```
    pub const fn name(self) -> &'static str {
        self.names().0
    }

    /// The word CPython's repr of a future uses: `"pending"`, `"running"`, `"cancelled"` (for
    /// both cancelled states) or `"finished"`.
    ///
    /// ```
    /// use threadkit::futures::State;
    ///
    /// assert_eq!(State::CancelledAndNotified.description(), "cancelled");
    /// ```
    pub const fn description(self) -> &'static str {
        self.names().1
    }
}

/// What else lives in a future's block: nothing for a hand-made future, the queued call for an
/// executor's (so the call needs no block of its own). Handles see it only through this trait,
/// whose auto traits keep a future unwind-safe (like std's synchronization types) and whose one
/// method reports a failure nobody observed — it is here because only where the block is filled
/// is `E: 'static` known, which the report (an `&dyn Any`) needs.
pub(crate) trait Attached<E>: Send + Sync + UnwindSafe + RefUnwindSafe {
    /// Reports `error`, the failure of the future `future` (its repr), that nobody observed.
    fn report_unobserved(&self, error: &E, future: &str);
}

impl<E: 'static, C: Send + Sync + UnwindSafe + RefUnwindSafe> Attached<E> for C {
    fn report_unobserved(&self, error: &E, future: &str) {
        report::report(&Report::UnobservedFailure { future, error });
    }
}

type Callback<T, E> = Box<dyn FnOnce(&Future<T, E>) + Send>;

/// When a callback is called: once the future settles (a done-callback), or once `wait` counts
/// it as done (see [`Future::add_notified_callback`]).
#[derive(Clone, Copy)]
enum CallWhen {
    Settled,
    Notified,
}

/// Who is told when the future completes (allocated only when someone registers).
struct Listeners<T, E> {
    callbacks: Vec<Callback<T, E>>,
    waiters: Vec<(Arc<Waiter>, usize)>,
    /// Told when `waiters` are (see `add_notified_callback`).
    notified: Vec<Callback<T, E>>,
}

impl<T, E> Default for Listeners<T, E> {
    fn default() -> Self {
        Listeners {
            callbacks: Vec::new(),
            waiters: Vec::new(),
            notified: Vec::new(),
        }
    }
}

/// A future's shared state. `C` is what else lives in the same block (see [`Attached`]).
pub(crate) struct Inner<T, E, C: ?Sized + Attached<E>> {
    state: AtomicU8,
    /// The live [`Future`] handles: `refs` less the references that never read the outcome once
    /// it is published (an executor's job; the views it lends its calls). Only
    /// [`Future::into_result`] reads it. 32 bits: beside `state`, it fits in the padding after it.
    handles: AtomicU32,
    /// Every counted reference ([`FutureState`]): the handles and a queued job's. The one that
    /// takes it to zero drops the state and gives its block back.
    refs: AtomicU32,
    /// Written once, by the thread that moved the state to COMPLETING, before the release that
    /// makes it FINISHED; read only after an acquire load saw FINISHED, which is final. A
    /// failure is boxed: failures are rare, and every future of a pool lives in a smaller
    /// block for it (`TaskError` holds a `String`).
    outcome: UnsafeCell<MaybeUninit<Result<T, Box<E>>>>,
    listeners: Mutex<Option<Box<Listeners<T, E>>>>,
    /// Where the block goes back when the last reference goes: the executor's slab, or (`None`)
    /// the global allocator. Taken out before the rest is dropped in place.
    home: ManuallyDrop<Home>,
    pub(crate) call: C,
}

// SAFETY: the only unsynchronized field is `outcome`, written by one thread (the state machine's
// COMPLETING claim) and then only read, after the FINISHED release/acquire pair; sharing it needs
// `T, E: Sync`, and handing it to whichever thread drops the last handle needs `T, E: Send`.
unsafe impl<T: Send + Sync, E: Send + Sync, C: ?Sized + Attached<E>> Sync for Inner<T, E, C> {}

/// Unwind safety as with the `OnceLock` this replaces: a panic never leaves a half-written
/// outcome behind (the write cannot panic), so only the values' own unwind safety matters.
impl<T, E, C> RefUnwindSafe for Inner<T, E, C>
where
    T: RefUnwindSafe + UnwindSafe,
    E: RefUnwindSafe + UnwindSafe,
    C: ?Sized + Attached<E>,
{
}

impl<T, E, C: ?Sized + Attached<E>> Inner<T, E, C> {
    /// The outcome, if the future is FINISHED (and it was not taken).
    #[inline]
    fn finished(&self) -> Option<Result<&T, &E>> {
        if self.state.load(Ordering::Acquire) & (PHASE | TAKEN) != FINISHED {
            return None;
        }
        // SAFETY: FINISHED is stored (release) only after the outcome was written, and this
        // acquire load saw it: the write happens-before this read, and none follows.
        let outcome = self
            .outcome
            .with(|outcome| unsafe { (*outcome).assume_init_ref() });
        Some(outcome.as_ref().map_err(|error| &**error))
    }
}

impl<T, E, C: ?Sized + Attached<E>> Drop for Inner<T, E, C> {
    fn drop(&mut self) {
        let state = self.state.load(Ordering::Acquire);
        if state & (PHASE | TAKEN) != FINISHED {
            return;
        }
        if state & OBSERVED == 0
            && let Some(Err(error)) = self.finished()
        {
            let future = Repr::<T, E> {
                id: std::ptr::from_ref(self).cast::<u8>() as usize,
                state,
                outcome: Some(Err(error)),
            };
            self.call.report_unobserved(error, &future.to_string());
        }
        // SAFETY: FINISHED (not TAKEN) means the outcome was written and is still there, and this
        // is the last reference.
        self.outcome
            .with_mut(|outcome| unsafe { (*outcome).assume_init_drop() });
    }
}

/// A counted reference to a future's state (`Inner::refs`), which lives in a block of its
/// executor's [`Slab`] or in its own allocation: what a [`Future`] handle and an executor's job
/// hold. Like an `Arc`, whose counting it repeats, but the last reference gives the block back to
/// where it came from.
pub(crate) struct FutureState<T, E> {
    ptr: NonNull<ErasedInner<T, E>>,
    /// Auto traits as an `Arc` of the state has them.
    _owns: PhantomData<Arc<ErasedInner<T, E>>>,
}

/// A future's state, whatever else its block holds: what a handle sees.
type ErasedInner<T, E> = Inner<T, E, dyn Attached<E>>;

// SAFETY: as `Arc`'s: the state is shared by the references and dropped by the last one, in
// whichever thread that is, so it must be `Send + Sync` itself.
unsafe impl<T, E> Send for FutureState<T, E> where ErasedInner<T, E>: Send + Sync {}
// SAFETY: as above.
unsafe impl<T, E> Sync for FutureState<T, E> where ErasedInner<T, E>: Send + Sync {}

impl<T, E> FutureState<T, E> {
    /// A new PENDING future's state with `call` in the same block — one of `slab`'s if one holds
    /// it, else its own allocation — counting `refs` references, one of them a handle.
    pub(crate) fn allocate<C: Attached<E> + 'static>(
        call: C,
        slab: Option<&Arc<Slab>>,
        refs: u32,
    ) -> NonNull<Inner<T, E, C>> {
        // Not zero-sized: the state has atomics.
        let (block, home) = slab::allocate(slab, Layout::new::<Inner<T, E, C>>());
        let ptr = block.cast::<Inner<T, E, C>>();
        // SAFETY: the block is fresh or free (nobody else references it), and sized and aligned
        // for `layout`.
        unsafe {
            ptr.as_ptr().write(Inner {
                state: AtomicU8::new(PENDING),
                handles: AtomicU32::new(1),
                refs: AtomicU32::new(refs),
                outcome: UnsafeCell::new(MaybeUninit::uninit()),
                listeners: Mutex::new(None),
                home: ManuallyDrop::new(home),
                call,
            });
        }
        ptr
    }

    /// Takes over one of the references counted in the state `ptr` points to.
    ///
    /// # Safety
    ///
    /// `ptr` came from [`allocate`](FutureState::allocate), and the caller owns one of the
    /// references it counted, which it gives up.
    pub(crate) unsafe fn from_raw(ptr: NonNull<ErasedInner<T, E>>) -> Self {
        FutureState {
            ptr,
            _owns: PhantomData,
        }
    }

    /// Drops the state and gives its block back.
    ///
    /// # Safety
    ///
    /// The caller dropped the last reference, and an acquire fence ordered every other
    /// reference's last use before this.
    unsafe fn destroy(ptr: NonNull<ErasedInner<T, E>>) {
        // SAFETY: nobody else references the state (the caller's contract), so this thread may
        // read it, take `home` out (it is never touched again), drop the rest in place and give
        // the memory back to where `allocate` took it from, with the layout it had there.
        unsafe {
            let layout = Layout::for_value(ptr.as_ref());
            let home = ManuallyDrop::take(&mut (*ptr.as_ptr()).home);
            ptr::drop_in_place(ptr.as_ptr());
            slab::deallocate(ptr.cast(), layout, home);
        }
    }
}

impl<T, E> std::ops::Deref for FutureState<T, E> {
    type Target = ErasedInner<T, E>;

    #[inline]
    fn deref(&self) -> &Self::Target {
        // SAFETY: this reference's count keeps the state alive.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T, E> Clone for FutureState<T, E> {
    fn clone(&self) -> Self {
        // As std's `Arc` does on overflow: over 2^31 references means a leak of them.
        if self.refs.fetch_add(1, Ordering::Relaxed) > i32::MAX as u32 {
            std::process::abort();
        }
        FutureState {
            ptr: self.ptr,
            _owns: PhantomData,
        }
    }
}

impl<T, E> Drop for FutureState<T, E> {
    fn drop(&mut self) {
        // Release, and acquire by the last: every reference's uses happen-before the drop of the
        // state and the reuse of its block, as with `Arc`.
        if self.refs.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        atomics::fence(Ordering::Acquire);
        // SAFETY: this was the last reference, and the fence above orders the others' uses.
        unsafe { FutureState::destroy(self.ptr) }
    }
}

/// The result of a computation that may not have finished yet, mirroring Python's
/// `concurrent.futures.Future`.
///
/// A `Future` is a cheap handle (one counted pointer, like an [`Arc`]): clones share the same
/// state, which a pool's futures keep in reusable blocks of the pool's. It is PENDING when
/// created, RUNNING once [`set_running_or_notify_cancel`](Future::set_running_or_notify_cancel)
/// claims it, and FINISHED after [`set_result`](Future::set_result) or
/// [`set_exception`](Future::set_exception). A PENDING future can be [`cancel`](Future::cancel)led;
/// whoever would have run it notices through `set_running_or_notify_cancel`, which moves it to
/// CANCELLED_AND_NOTIFIED. Usually a [`ThreadPoolExecutor`](super::ThreadPoolExecutor) drives these
/// transitions and you only read the outcome.
///
/// `E` is what the computation fails with: [`TaskError`] (a caught panic, or a broken pool) for
/// the futures of [`submit`](super::ThreadPoolExecutor::submit), your own type with
/// [`submit_fallible`](super::ThreadPoolExecutor::submit_fallible) or a hand-driven future.
///
/// Reading a finished future's result is one atomic load and a clone; waiting spins briefly, then
/// parks until the future settles.
///
/// # Differences from CPython
///
/// - `result()` returns `Result<T, FutureError<E>>` instead of raising; it clones the value
///   ([`result_ref`](Future::result_ref) borrows it instead).
/// - `exception()` returns `Ok(None)` for a value and `Ok(Some(error))` for a failure.
/// - A callback that panics is reported to the [report hook](super::set_report_hook) (by default
///   on stderr; CPython logs it to the `concurrent.futures` logger); later callbacks still run.
/// - Beyond CPython: a failure nobody observed is reported to the same hook when the future's
///   last handle goes ([`Report::UnobservedFailure`](super::Report::UnobservedFailure)).
/// - `set_running_or_notify_cancel` returns an error instead of raising `RuntimeError`.
///
/// # Memory ordering
///
/// Storing the outcome happens-before every read of it: whatever the computing thread wrote
/// before `set_result`/`set_exception` is visible to a thread that obtains the outcome, and to the
/// callbacks.
///
/// # Examples
///
/// ```
/// use std::thread;
/// use std::time::Duration;
/// use threadkit::futures::{Future, FutureError};
///
/// let future: Future<u32, String> = Future::new();
/// let producer = {
///     let future = future.clone();
///     thread::spawn(move || {
///         assert!(future.set_running_or_notify_cancel().unwrap());
///         future.set_result(42).unwrap();
///     })
/// };
/// assert_eq!(future.result(None), Ok(42));
/// producer.join().unwrap();
/// assert!(future.done());
/// assert!(!future.cancel(), "a finished future cannot be cancelled");
///
/// let failed: Future<u32, String> = Future::new();
/// failed.set_exception("boom".to_owned()).unwrap();
/// assert_eq!(failed.result(Some(Duration::ZERO)), Err(FutureError::Failed("boom".to_owned())));
/// ```
pub struct Future<T, E = TaskError> {
    inner: FutureState<T, E>,
}

impl<T, E> Clone for Future<T, E> {
    fn clone(&self) -> Self {
        // As std's `Arc` does on overflow: over 2^31 handles means a leak of them.
        if self.inner.handles.fetch_add(1, Ordering::Relaxed) > i32::MAX as u32 {
            std::process::abort();
        }
        Future {
            inner: self.inner.clone(),
        }
    }
}

impl<T, E> Drop for Future<T, E> {
    fn drop(&mut self) {
        // Release: what this handle did happens-before `into_result` sees it gone.
        self.inner.handles.fetch_sub(1, Ordering::Release);
    }
}

impl<T, E: 'static> Default for Future<T, E> {
    fn default() -> Self {
        Future::new()
    }
}

impl<T, E: 'static> Future<T, E> {
    /// A new PENDING future.
    ///
    /// Python: `concurrent.futures.Future()` — normally only executors create futures.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::futures::{Future, FutureError, State};
    ///
    /// let future: Future<u32> = Future::new(); // fails with a `TaskError` unless told otherwise
    /// assert_eq!(future.state(), State::Pending);
    /// assert_eq!(future.result(Some(Duration::ZERO)), Err(FutureError::Timeout));
    /// ```
    pub fn new() -> Self {
        let state = FutureState::allocate((), None, 1);
        // SAFETY: `allocate` counted one reference, the handle made here.
        unsafe { Future::from_raw(state) }
    }

    /// The handle of a future made by [`FutureState::allocate`], taking over the one handle it
    /// counted.
    ///
    /// # Safety
    ///
    /// As [`FutureState::from_raw`]; and no other handle is made of the count `allocate` made.
    pub(crate) unsafe fn from_raw<C: Attached<E> + 'static>(
        state: NonNull<Inner<T, E, C>>,
    ) -> Self {
        // SAFETY: the caller's contract.
        let inner = unsafe { FutureState::from_raw(state) };
        Future { inner }
    }
}

impl<T, E> Future<T, E> {
    /// The state a handle shares, for a job to hold without counting as a handle.
    pub(crate) fn shared(&self) -> FutureState<T, E> {
        self.inner.clone()
    }

    /// A handle lent for the duration of a borrow of `shared`, not counted as a handle: what an
    /// executor's job runs the call and publishes the outcome through. A callback it reaches may
    /// clone it (the clone is counted); nobody can move the outcome out meanwhile, as
    /// [`into_result`](Future::into_result) refuses while callbacks or waiters are registered.
    pub(crate) fn view(shared: &FutureState<T, E>) -> ManuallyDrop<Self> {
        // The reference made of `shared`'s pointer owns no count of its own and is never dropped
        // (`ManuallyDrop`, and a `Future` view is handed out only by reference), and the borrow of
        // `shared` keeps the state alive while the view can be used.
        let inner = FutureState {
            ptr: shared.ptr,
            _owns: PhantomData,
        };
        ManuallyDrop::new(Future { inner })
    }
}

impl<T, E> Future<T, E> {
    fn bits(&self) -> u8 {
        self.inner.state.load(Ordering::Acquire)
    }

    /// Whether two handles refer to the same future.
    ///
    /// Python: `future is other`.
    ///
    /// ```
    /// use threadkit::futures::Future;
    ///
    /// let future: Future<()> = Future::new();
    /// let handle = future.clone();
    /// assert!(future.ptr_eq(&handle));
    /// assert!(!future.ptr_eq(&Future::new()));
    /// ```
    pub fn ptr_eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }

    /// The future's identity: the address of the state its handles share, stable while any
    /// handle lives (like Python's `id`, it may be a later future's once no handle is left).
    ///
    /// ```
    /// use threadkit::futures::Future;
    ///
    /// let future: Future<()> = Future::new();
    /// assert_eq!(future.id(), future.clone().id());
    /// // The address CPython's repr shows, as `Display` does.
    /// assert!(future.to_string().starts_with(&format!("<Future at {:#x} ", future.id())));
    /// ```
    pub fn id(&self) -> usize {
        self.inner.ptr.as_ptr().cast::<u8>() as usize
    }

    /// Cancels the future if it has not started; true if it is cancelled now.
    ///
    /// Python: `future.cancel()`. Returns false if the future is running or finished. Cancelling
    /// wakes the threads blocked in [`result`](Future::result) and runs the done-callbacks in the
    /// calling thread.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::futures::{Future, FutureError};
    ///
    /// let future: Future<u8, ()> = Future::new();
    /// thread::scope(|s| {
    ///     let waiter = s.spawn(|| future.result(None));
    ///     assert!(future.cancel()); // wakes the waiter, if it waits already
    ///     assert_eq!(waiter.join().unwrap(), Err(FutureError::Cancelled));
    /// });
    /// assert!(future.cancel(), "still cancelled");
    ///
    /// let started: Future<u8, ()> = Future::new();
    /// assert_eq!(started.set_running_or_notify_cancel(), Ok(true));
    /// assert!(!started.cancel(), "too late once it runs");
    /// ```
    pub fn cancel(&self) -> bool {
        let mut state = self.inner.state.load(Ordering::Relaxed);
        loop {
            match state & PHASE {
                PENDING => {}
                CANCELLED | CANCELLED_AND_NOTIFIED => return true,
                _ => return false,
            }
            // Waiters stay registered: they hear of the cancellation when it is noticed.
            let cancelled = CANCELLED | (state & LISTENERS);
            match self.inner.state.compare_exchange_weak(
                state,
                cancelled,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & PARKED != 0 {
            park::unpark_all(park::key(&self.inner.state), DEFAULT_UNPARK_TOKEN);
        }
        if state & LISTENERS != 0 {
            let callbacks = self
                .inner
                .listeners
                .lock()
                .unwrap()
                .as_mut()
                .map(|listeners| std::mem::take(&mut listeners.callbacks));
            self.run_callbacks(callbacks.unwrap_or_default());
        }
        true
    }

    /// Whether the future was cancelled.
    ///
    /// Python: `future.cancelled()`.
    ///
    /// ```
    /// use threadkit::futures::Future;
    ///
    /// let future: Future<(), ()> = Future::new();
    /// assert!(!future.cancelled());
    /// future.cancel();
    /// assert!(future.cancelled());
    /// assert_eq!(future.set_running_or_notify_cancel(), Ok(false)); // noticed
    /// assert!(future.cancelled());
    /// ```
    pub fn cancelled(&self) -> bool {
        matches!(self.bits() & PHASE, CANCELLED | CANCELLED_AND_NOTIFIED)
    }

    /// Whether the computation is running now.
    ///
    /// Python: `future.running()`.
    ///
    /// ```
    /// use threadkit::futures::Future;
    ///
    /// let future: Future<u8, ()> = Future::new();
    /// assert!(!future.running());
    /// future.set_running_or_notify_cancel().unwrap();
    /// assert!(future.running());
    /// std::thread::scope(|s| {
    ///     s.spawn(|| future.set_result(1).unwrap());
    /// });
    /// assert!(!future.running());
    /// ```
    pub fn running(&self) -> bool {
        matches!(self.bits() & PHASE, RUNNING | COMPLETING)
    }

    /// The future's state; [`State::name`] is CPython's name of it.
    ///
    /// Python: `future._state`.
    ///
    /// ```
    /// use threadkit::futures::{Future, State};
    ///
    /// let future: Future<(), ()> = Future::new();
    /// assert_eq!(future.state(), State::Pending);
    /// future.cancel();
    /// assert_eq!(future.state().name(), "CANCELLED");
    /// ```
    pub fn state(&self) -> State {
        State::of(self.bits())
    }

    /// Whether the future finished or was cancelled.
    ///
    /// Python: `future.done()`.
    ///
    /// ```
    /// use threadkit::futures::{Future, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let future = pool.submit(|| 1).unwrap();
    /// future.result(None).unwrap();
    /// assert!(future.done()); // once `result` returns
    ///
    /// let cancelled: Future<u8> = Future::new();
    /// assert!(!cancelled.done());
    /// cancelled.cancel();
    /// assert!(cancelled.done());
    /// ```
    pub fn done(&self) -> bool {
        // `result()` returns only once the future is settled, so `done()` holds then too.
        settled(self.bits())
    }

    /// Whether [`wait`](super::wait) and [`as_completed`](super::as_completed) count the future
    /// as done: finished, or cancelled and the cancellation noticed.
    ///
    /// Python: `future._state in (FINISHED, CANCELLED_AND_NOTIFIED)`, the test of the stdlib's
    /// `wait`.
    ///
    /// ```
    /// use threadkit::futures::Future;
    ///
    /// let future: Future<(), ()> = Future::new();
    /// future.cancel();
    /// assert!(future.done() && !future.notified(), "cancelled, but nobody noticed yet");
    /// assert_eq!(future.set_running_or_notify_cancel(), Ok(false));
    /// assert!(future.notified());
    /// ```
    pub fn notified(&self) -> bool {
        notified(self.bits())
    }

    /// How the future ended, if it is done in the sense of `wait`.
    pub(crate) fn completion(&self) -> Option<Completion> {
        match self.bits() & PHASE {
            FINISHED => Some(match self.inner.finished() {
                Some(Ok(_)) => Completion::Result,
                _ => Completion::Exception,
            }),
            CANCELLED_AND_NOTIFIED => Some(Completion::Cancelled),
            _ => None,
        }
    }

    /// The outcome, waiting at most `timeout` (`None`: forever) for the future to settle.
    ///
    /// Returns `Err(Cancelled)` once the future is cancelled.
    /// A failure returned counts as observed.
    fn outcome(&self, timeout: Option<Duration>) -> Result<Result<&T, &E>, WaitError> {
        let outcome = match self.inner.finished() {
            Some(outcome) => outcome,
            None => self.outcome_slow(timeout)?,
        };
        if outcome.is_err() {
            self.observe();
        }
        Ok(outcome)
    }

    #[cold]
    fn outcome_slow(&self, timeout: Option<Duration>) -> Result<Result<&T, &E>, WaitError> {
        let deadline = timeout::deadline(timeout);
        // A wait for another thread's signal: spinning through the signal budget keeps a `map`
        // consumer waiting for its oldest future off the futex, where a park and its wake-up
        // convoy the consumer and the workers (see "Where the time goes" in executor/README.md).
        let mut spin = SpinWait::for_signal();
        let mut state = self.inner.state.load(Ordering::Acquire);
        loop {
            if let Some(outcome) = self.inner.finished() {
                return Ok(outcome);
            }
            if matches!(state & PHASE, CANCELLED | CANCELLED_AND_NOTIFIED) {
                return Err(WaitError::Cancelled);
            }
            if timeout::expired(deadline) {
                return Err(WaitError::Timeout);
            }
            if state & PARKED == 0 {
                if spin.spin() {
                    state = self.inner.state.load(Ordering::Acquire);
                    continue;
                }
                if let Err(actual) = self.inner.state.compare_exchange_weak(
                    state,
                    state | PARKED,
                    Ordering::Acquire,
                    Ordering::Acquire,
                ) {
                    state = actual;
                    continue;
                }
            }
            let validate = || {
                let state = self.inner.state.load(Ordering::Relaxed);
                !settled(state) && state & PARKED != 0
            };
            let timed_out = |_, was_last| {
                if was_last {
                    self.inner.state.fetch_and(!PARKED, Ordering::Relaxed);
                }
            };
            let key = park::key(&self.inner.state);
            park::park(key, validate, timed_out, DEFAULT_PARK_TOKEN, deadline);
            // Timed out or not, look again: the deadline check above decides.
            spin.reset();
            state = self.inner.state.load(Ordering::Acquire);
        }
    }

    /// The value, waiting at most `timeout` (`None`: forever), borrowed from the future.
    ///
    /// Python: `future.result(timeout)`, without the copy [`result`](Future::result) makes.
    ///
    /// ```
    /// use threadkit::futures::{Future, FutureError, ThreadPoolExecutor};
    ///
    /// /// Not `Clone`, so `result` is not available; `result_ref` is.
    /// struct Report {
    ///     lines: Vec<String>,
    /// }
    ///
    /// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let future = pool.submit(|| Report { lines: vec!["ok".to_owned()] }).unwrap();
    /// assert_eq!(future.result_ref(None).unwrap().lines, ["ok"]);
    ///
    /// let failed: Future<u8, String> = Future::new();
    /// failed.set_exception("boom".to_owned()).unwrap();
    /// assert_eq!(failed.result_ref(None), Err(FutureError::Failed(&"boom".to_owned())));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`result`](Future::result), with the failure borrowed.
    pub fn result_ref(&self, timeout: Option<Duration>) -> Result<&T, FutureError<&E>> {
        match self.outcome(timeout)? {
            Ok(value) => Ok(value),
            Err(error) => Err(FutureError::Failed(error)),
        }
    }

    /// The outcome if the future has finished, without waiting, and without counting as
    /// observing it: for a repr or a debugger, which show a failure nobody has handled yet.
    ///
    /// Python: what `repr(future)` reads (`raised ValueError`).
    ///
    /// ```
    /// use threadkit::futures::Future;
    ///
    /// let future: Future<u8, String> = Future::new();
    /// assert_eq!(future.peek(), None);
    /// future.set_exception("boom".to_owned()).unwrap();
    /// assert_eq!(future.peek(), Some(Err(&"boom".to_owned())));
    /// drop(future); // still unobserved: reported to the hook
    /// ```
    pub fn peek(&self) -> Option<Result<&T, &E>> {
        self.inner.finished()
    }

    /// The error the computation failed with, `None` if it succeeded; waits at most `timeout`.
    ///
    /// Python: `future.exception(timeout)`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::futures::{Future, WaitError};
    ///
    /// let failed: Future<u8, String> = Future::new();
    /// std::thread::spawn({
    ///     let failed = failed.clone();
    ///     move || failed.set_exception("boom".to_owned()).unwrap()
    /// });
    /// assert_eq!(failed.exception(None), Ok(Some("boom".to_owned())));
    ///
    /// let succeeded: Future<u8, String> = Future::new();
    /// succeeded.set_result(1).unwrap();
    /// assert_eq!(succeeded.exception(None), Ok(None));
    ///
    /// let pending: Future<u8, String> = Future::new();
    /// assert_eq!(pending.exception(Some(Duration::from_millis(1))), Err(WaitError::Timeout));
    /// pending.cancel();
    /// assert_eq!(pending.exception(None), Err(WaitError::Cancelled));
    /// ```
    ///
    /// # Errors
    ///
    /// [`WaitError::Cancelled`] if the future was cancelled, [`WaitError::Timeout`] if it did not
    /// finish in time.
    pub fn exception(&self, timeout: Option<Duration>) -> Result<Option<E>, WaitError>
    where
        E: Clone,
    {
        Ok(self.outcome(timeout)?.err().cloned())
    }

    /// Calls `callback` with the future when it finishes or is cancelled; at once (in this
    /// thread) if it already has.
    ///
    /// Python: `future.add_done_callback(fn)`. Callbacks run in registration order, in the thread
    /// that completes or cancels the future. A panicking callback is reported to the
    /// [report hook](super::set_report_hook) and the others still run. Adding a callback counts as
    /// observing the outcome.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use threadkit::futures::Future;
    ///
    /// let future: Future<&str, ()> = Future::new();
    /// let (tx, rx) = mpsc::channel();
    /// future.add_done_callback(move |future| {
    ///     tx.send(*future.result_ref(None).unwrap()).unwrap();
    /// });
    /// std::thread::spawn(move || future.set_result("done").unwrap()).join().unwrap();
    /// assert_eq!(rx.recv().unwrap(), "done");
    /// ```
    pub fn add_done_callback(&self, callback: impl FnOnce(&Future<T, E>) + Send + 'static) {
        self.add_callback(CallWhen::Settled, Box::new(callback));
    }

    /// Registers `waiter` to hear, as `index`, when the future completes in the sense of `wait`;
    /// false (nothing registered) if it already has.
    pub(crate) fn add_waiter(&self, waiter: &Arc<Waiter>, index: usize) -> bool {
        let mut listeners = self.inner.listeners.lock().unwrap();
        if self.add_listener_flag(notified) {
            listeners
                .get_or_insert_default()
                .waiters
                .push((Arc::clone(waiter), index));
            true
        } else {
            false
        }
    }

    /// Calls `callback` with the future once it completes in the sense of [`wait`](super::wait):
    /// when it finishes, or when [`set_running_or_notify_cancel`](Future::set_running_or_notify_cancel)
    /// notices its cancellation; at once (in this thread) if it already has.
    ///
    /// That is when CPython tells a future's `_waiters`, before the done-callbacks run; threadkit's
    /// Python bindings keep the stdlib's waiters coherent with it. A panicking callback is reported
    /// like a done-callback's.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use threadkit::futures::Future;
    ///
    /// let future: Future<(), ()> = Future::new();
    /// let told = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&told);
    /// future.add_notified_callback(move |_| log.lock().unwrap().push("notified"));
    /// assert!(future.cancel());
    /// assert!(told.lock().unwrap().is_empty(), "a cancellation counts once it is noticed");
    /// assert_eq!(future.set_running_or_notify_cancel(), Ok(false));
    /// assert_eq!(*told.lock().unwrap(), ["notified"]);
    /// ```
    pub fn add_notified_callback(&self, callback: impl FnOnce(&Future<T, E>) + Send + 'static) {
        self.add_callback(CallWhen::Notified, Box::new(callback));
    }

    /// Registers `callback` for `when`, or, if that has come already, calls it now, in this
    /// thread. Either way the future counts as observed.
    fn add_callback(&self, when: CallWhen, callback: Callback<T, E>) {
        self.observe();
        let done = match when {
            CallWhen::Settled => settled,
            CallWhen::Notified => notified,
        };
        {
            let mut listeners = self.inner.listeners.lock().unwrap();
            if self.add_listener_flag(done) {
                let listeners = listeners.get_or_insert_default();
                match when {
                    CallWhen::Settled => listeners.callbacks.push(callback),
                    CallWhen::Notified => listeners.notified.push(callback),
                }
                return;
            }
        }
        self.call(callback);
    }

    /// Marks the outcome as observed: a failure will not be reported when the future goes.
    pub(crate) fn observe(&self) {
        if self.inner.state.load(Ordering::Relaxed) & OBSERVED == 0 {
            self.inner.state.fetch_or(OBSERVED, Ordering::Relaxed);
        }
    }

    /// Unregisters `waiter`.
    pub(crate) fn remove_waiter(&self, waiter: &Arc<Waiter>) {
        if let Some(listeners) = self.inner.listeners.lock().unwrap().as_mut() {
            listeners
                .waiters
                .retain(|(registered, _)| !Arc::ptr_eq(registered, waiter));
        }
    }

    /// Sets LISTENERS unless `done(state)`; the caller holds the listeners lock, so a completion
    /// that sees the flag drains the list only after the caller has added to it.
    fn add_listener_flag(&self, done: fn(u8) -> bool) -> bool {
        self.inner
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                (!done(state)).then_some(state | LISTENERS)
            })
            .is_ok()
    }

    /// Marks the future as running, or notices its cancellation; true if the caller should run
    /// the computation.
    ///
    /// Python: `future.set_running_or_notify_cancel()`. Executors call it before running a task:
    /// on a PENDING future it returns `Ok(true)` and the future is RUNNING; on a cancelled one it
    /// returns `Ok(false)` and tells [`wait`](super::wait) and [`as_completed`](super::as_completed)
    /// that the future is done.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::futures::{Future, State};
    ///
    /// /// What a worker does with a future it takes from its queue.
    /// fn run(future: &Future<u32, ()>, call: impl FnOnce() -> u32) {
    ///     if future.set_running_or_notify_cancel() == Ok(true) {
    ///         future.set_result(call()).unwrap();
    ///     } // else it was cancelled while queued: the call is skipped, and `wait` is told
    /// }
    ///
    /// let (kept, cancelled) = (Future::new(), Future::new());
    /// assert!(cancelled.cancel());
    /// thread::scope(|s| {
    ///     s.spawn(|| {
    ///         run(&kept, || 1);
    ///         run(&cancelled, || unreachable!());
    ///     });
    /// });
    /// assert_eq!(kept.result(None), Ok(1));
    /// assert_eq!(cancelled.state(), State::CancelledAndNotified);
    /// ```
    ///
    /// # Errors
    ///
    /// [`UnexpectedStateError`] if the future is already running or finished, or its cancellation
    /// was already noticed.
    pub fn set_running_or_notify_cancel(&self) -> Result<bool, UnexpectedStateError> {
        let mut state = self.inner.state.load(Ordering::Relaxed);
        loop {
            let next = match state & PHASE {
                PENDING => (state & !PHASE) | RUNNING,
                CANCELLED => CANCELLED_AND_NOTIFIED,
                _ => return Err(UnexpectedStateError),
            };
            match self.inner.state.compare_exchange_weak(
                state,
                next,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) if next & PHASE == RUNNING => return Ok(true),
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & LISTENERS != 0 {
            let (waiters, notified) = self
                .inner
                .listeners
                .lock()
                .unwrap()
                .as_mut()
                .map(|listeners| {
                    (
                        std::mem::take(&mut listeners.waiters),
                        std::mem::take(&mut listeners.notified),
                    )
                })
                .unwrap_or_default();
            for (waiter, index) in waiters {
                waiter.notify(index, Completion::Cancelled);
            }
            self.run_callbacks(notified);
        }
        Ok(false)
    }

    /// Finishes the future with `value`.
    ///
    /// Python: `future.set_result(result)`. Wakes the threads waiting for the future, then runs
    /// the done-callbacks in this thread.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::futures::Future;
    ///
    /// let future: Future<String, ()> = Future::new();
    /// thread::scope(|s| {
    ///     let reader = s.spawn(|| future.result(None));
    ///     future.set_result("ready".to_owned()).unwrap(); // wakes the reader
    ///     assert_eq!(reader.join().unwrap().as_deref(), Ok("ready"));
    /// });
    /// let again = future.set_result("again".to_owned()).unwrap_err();
    /// assert_eq!(again.state, "FINISHED");
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidStateError`] if the future is finished or cancelled.
    pub fn set_result(&self, value: T) -> Result<(), InvalidStateError> {
        self.set_outcome(Ok(value))
    }

    /// Finishes the future with the failure `error`.
    ///
    /// Python: `future.set_exception(exception)`.
    ///
    /// ```
    /// use threadkit::futures::{Future, FutureError};
    ///
    /// let future: Future<u8, String> = Future::new();
    /// let writer = future.clone();
    /// std::thread::spawn(move || writer.set_exception("disk full".to_owned()).unwrap());
    /// assert_eq!(future.result(None), Err(FutureError::Failed("disk full".to_owned())));
    ///
    /// let cancelled: Future<u8, String> = Future::new();
    /// cancelled.cancel();
    /// let late = cancelled.set_exception("late".to_owned()).unwrap_err();
    /// assert_eq!(late.state, "CANCELLED");
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidStateError`] if the future is finished or cancelled.
    pub fn set_exception(&self, error: E) -> Result<(), InvalidStateError> {
        self.set_outcome(Err(error))
    }

    pub(crate) fn set_outcome(&self, outcome: Result<T, E>) -> Result<(), InvalidStateError> {
        let mut state = self.inner.state.load(Ordering::Relaxed);
        loop {
            if !matches!(state & PHASE, PENDING | RUNNING) {
                return Err(InvalidStateError {
                    state: State::of(state).name(),
                    future: self.to_string(),
                });
            }
            match self.inner.state.compare_exchange_weak(
                state,
                (state & !PHASE) | COMPLETING,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        let completion = match outcome {
            Ok(_) => Completion::Result,
            Err(_) => Completion::Exception,
        };
        // SAFETY: moving the future to COMPLETING made this thread the outcome's only writer, and
        // nobody reads it before the FINISHED stored next.
        self.inner.outcome.with_mut(|cell| unsafe {
            (*cell).write(outcome.map_err(Box::new));
        });
        // COMPLETING → FINISHED is one bit set, so the flags stay as they are (OBSERVED must);
        // the ones returned say whom to tell.
        const _: () = assert!(COMPLETING | FINISHED == FINISHED && FINISHED & !COMPLETING == 1);
        let state = self.inner.state.fetch_or(1, Ordering::AcqRel);
        if state & PARKED != 0 {
            park::unpark_all(park::key(&self.inner.state), DEFAULT_UNPARK_TOKEN);
        }
        if state & LISTENERS != 0 {
            let listeners = self.inner.listeners.lock().unwrap().take();
            let Listeners {
                callbacks,
                waiters,
                notified,
            } = listeners.map(|b| *b).unwrap_or_default();
            for (waiter, index) in waiters {
                waiter.notify(index, completion);
            }
            self.run_callbacks(notified);
            self.run_callbacks(callbacks);
        }
        Ok(())
    }

    fn run_callbacks(&self, callbacks: Vec<Callback<T, E>>) {
        for callback in callbacks {
            self.call(callback);
        }
    }

    fn call(&self, callback: Callback<T, E>) {
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| callback(self))) {
            let error = super::PanicError::from_payload(&*payload);
            let future = self.to_string();
            report::report(&Report::CallbackPanicked {
                future: &future,
                error: &error,
            });
        }
    }
}

impl<T, E> Future<T, E> {
    /// The value, moved out of the future, if this is its last handle: no `Clone` needed.
    ///
    /// Python: `future.result(timeout)` for a future nobody else holds. Waits at most `timeout`
    /// (`None`: forever), like [`result`](Future::result). Returns `None` — and this handle is
    /// gone, as with [`Arc::into_inner`] — if another handle is alive, or callbacks or waiters were
    /// registered (they may still read the outcome); use [`result_ref`](Future::result_ref) then.
    /// The pool's own reference to a submitted call is no handle.
    ///
    /// ```
    /// use threadkit::futures::{FutureError, ThreadPoolExecutor};
    ///
    /// /// Not `Clone`, so `result` is not available.
    /// #[derive(Debug, PartialEq)]
    /// struct Report(Vec<String>);
    ///
    /// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let future = pool.submit(|| Report(vec!["ok".to_owned()])).unwrap();
    /// assert_eq!(future.into_result(None), Some(Ok(Report(vec!["ok".to_owned()]))));
    ///
    /// let shared = pool.submit(|| Report(Vec::new())).unwrap();
    /// let other = shared.clone();
    /// assert_eq!(shared.into_result(None), None); // `other` still holds it
    /// assert_eq!(other.into_result(None), Some(Ok(Report(Vec::new()))));
    ///
    /// let failed = pool.submit(|| -> Report { panic!("no report") }).unwrap();
    /// let error = failed.into_result(None).unwrap().unwrap_err();
    /// assert_eq!(error.to_string(), "no report");
    /// ```
    pub fn into_result(self, timeout: Option<Duration>) -> Option<Result<T, FutureError<E>>> {
        if let Err(error) = self.outcome(timeout) {
            return Some(Err(error.into()));
        }
        // Acquire: the other handles' last uses happen-before this; with none left and no
        // listener, nobody can reach the outcome but this handle (a job's view no longer reads
        // it, and nobody can clone a handle that does not exist).
        let alone = self.inner.handles.load(Ordering::Acquire) == 1
            && self.inner.state.load(Ordering::Acquire) & LISTENERS == 0;
        alone.then(|| self.take_outcome(None))
    }

    /// Waits at most `timeout` (`None`: forever) for the future to settle, then moves the value
    /// (or the failure) out of it.
    ///
    /// Only for a handle nobody else reads through: no clone of it was handed out and no listener
    /// registered — [`Map`](super::Map)'s own futures. The executor's job, the one other
    /// reference, never reads the outcome once it is published. Afterwards the future is
    /// FINISHED with nothing in it; only dropping it is left.
    pub(crate) fn take_outcome(&self, timeout: Option<Duration>) -> Result<T, FutureError<E>> {
        // The outcome is borrowed from `self` and read again below, by value.
        let _ = self.outcome(timeout)?;
        // SAFETY: `outcome` returned, so the future is FINISHED: the outcome was written and its
        // write happens-before this read (the acquire load that saw FINISHED). Only this handle
        // reads it (see above), and TAKEN, set next, keeps anyone from reading or dropping it
        // again; the release orders the read before the drop of the last reference.
        let outcome = self
            .inner
            .outcome
            .with(|outcome| unsafe { (*outcome).assume_init_read() });
        self.inner.state.fetch_or(TAKEN, Ordering::Release);
        outcome.map_err(|error| FutureError::Failed(*error))
    }
}

impl<T: Clone, E: Clone> Future<T, E> {
    /// The value, waiting at most `timeout` (`None`: forever) for the future to finish.
    ///
    /// Python: `future.result(timeout)`. A finished future answers with one atomic load and a
    /// clone of the value.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::futures::{Future, FutureError, ThreadPoolExecutor};
    ///
    /// let pool = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let future = pool.submit(|| vec![1, 2, 3]).unwrap();
    /// assert_eq!(future.result(None), Ok(vec![1, 2, 3]));
    /// assert_eq!(future.result(Some(Duration::ZERO)), Ok(vec![1, 2, 3])); // a clone each time
    ///
    /// let never: Future<u8> = Future::new();
    /// assert_eq!(never.result(Some(Duration::from_millis(1))), Err(FutureError::Timeout));
    /// ```
    ///
    /// # Errors
    ///
    /// [`FutureError::Cancelled`] if the future was cancelled, [`FutureError::Timeout`] if it did
    /// not finish in time, [`FutureError::Failed`] with the computation's error if it failed.
    #[inline]
    pub fn result(&self, timeout: Option<Duration>) -> Result<T, FutureError<E>> {
        match self.outcome(timeout)? {
            Ok(value) => Ok(value.clone()),
            Err(error) => Err(FutureError::Failed(error.clone())),
        }
    }
}

/// CPython's repr: `<Future at 0x… state=finished returned T>`.
impl<T, E> fmt::Display for Future<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let repr = Repr {
            id: self.id(),
            state: self.bits(),
            outcome: self.inner.finished(),
        };
        repr.fmt(f)
    }
}

/// CPython's repr of a future, shared by its `Display` and the report of a failure nobody
/// observed (made when no handle is left).
struct Repr<'a, T, E> {
    id: usize,
    state: u8,
    outcome: Option<Result<&'a T, &'a E>>,
}

impl<T, E> fmt::Display for Repr<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let description = State::of(self.state).description();
        write!(f, "<Future at {:#x} state={description}", self.id)?;
        match self.outcome {
            Some(Ok(_)) => write!(f, " returned {}", short_type_name::<T>())?,
            Some(Err(_)) => write!(f, " raised {}", short_type_name::<E>())?,
            None => {}
        }
        f.write_str(">")
    }
}

impl<T, E> fmt::Debug for Future<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `alloc::string::String` → `String`, keeping generic arguments readable.
fn short_type_name<T>() -> &'static str {
    let name = type_name::<T>();
    let end = name.find('<').unwrap_or(name.len());
    match name[..end].rfind("::") {
        Some(start) => &name[start + 2..],
        None => name,
    }
}
