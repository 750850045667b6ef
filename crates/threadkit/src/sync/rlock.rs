//! [`RLock`]: a re-entrant lock owned by the thread that acquired it, like `threading.RLock`.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::thread_token;
use crate::sync::{Lock, ReleaseError};

/// A re-entrant lock, mirroring Python's `threading.RLock`.
///
/// The thread that acquires an `RLock` owns it and may acquire it again without blocking; it must
/// release it once per acquisition, and only the owner may release it. Like [`Lock`] it guards no
/// data: use [`acquire`](RLock::acquire)/[`release`](RLock::release), or take an [`RLockGuard`]
/// with [`lock`](RLock::lock).
///
/// It is a [`Lock`] plus the owner's identity and a recursion count. Acquiring an unowned `RLock`
/// costs what acquiring a `Lock` costs (one compare-and-swap) plus two plain stores; a re-entrant
/// acquire by the owner is a load and a store, no compare-and-swap.
///
/// [`release_save`](RLock::release_save) and [`acquire_restore`](RLock::acquire_restore) drop and
/// restore every level at once; a [`Condition`](crate::Condition) uses them to wait on an `RLock`
/// that is held recursively.
///
/// # Differences from CPython
///
/// - `acquire(blocking, timeout)` is split into [`acquire`](RLock::acquire) and
///   [`try_acquire`](RLock::try_acquire), as for [`Lock`].
/// - Releasing a lock the caller does not own returns [`ReleaseError::NotOwned`] instead of
///   raising `RuntimeError`.
/// - [`release_save`](RLock::release_save) refuses a lock that another thread owns; CPython's
///   `_release_save` only refuses a lock that nobody holds.
/// - The owner is identified by a per-thread token that, like CPython's `get_ident()`, may be
///   reused by a new thread once the owner has exited: a lock still held by an exited thread may
///   then look owned by the new one.
///
/// # Memory ordering
///
/// Acquiring the lock (the outermost level) is an `Acquire` operation and releasing the last level
/// is a `Release` operation, as for [`Lock`]: whatever the owner wrote before its final release is
/// visible to the next owner. Re-entrant acquires and releases do not synchronize with anything.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::{RLock, ReleaseError};
///
/// let lock = Arc::new(RLock::new());
/// lock.acquire(None);
/// lock.acquire(None); // re-entrant: no deadlock
/// assert_eq!(lock.recursion_count(), 2);
///
/// let remote = Arc::clone(&lock);
/// thread::spawn(move || {
///     // Another thread neither owns it nor may release it.
///     assert!(!remote.is_owned());
///     assert!(!remote.try_acquire());
///     assert_eq!(remote.release(), Err(ReleaseError::NotOwned));
/// })
/// .join()
/// .unwrap();
///
/// lock.release().unwrap();
/// lock.release().unwrap();
/// assert!(!lock.is_owned());
/// ```
pub struct RLock {
    block: Lock,
    /// The owner's [`thread_token`], 0 when unowned. Written only by the thread that holds
    /// `block`; a thread reads its own token here only if it wrote it and has not released since.
    owner: AtomicUsize,
    /// The recursion level; read and written only by the owner.
    count: AtomicUsize,
}

/// What [`RLock::release_save`] took away and [`RLock::acquire_restore`] gives back: the recursion
/// level and the owner. Python: the `(count, owner)` tuple of `_release_save`.
///
/// # Examples
///
/// ```
/// use threadkit::RLock;
///
/// let lock = RLock::new();
/// lock.acquire(None);
/// lock.acquire(None);
/// let state = lock.release_save().unwrap();
/// assert_eq!(state.count(), 2);
/// assert!(!lock.locked());
/// lock.acquire_restore(state);
/// assert_eq!(lock.recursion_count(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "the lock's recursion level is lost unless the state is restored"]
pub struct RLockState {
    count: usize,
    owner: usize,
}

impl RLockState {
    /// The recursion level the lock had.
    ///
    /// ```
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// let _outer = lock.lock();
    /// let _inner = lock.lock();
    /// let state = lock.release_save().unwrap();
    /// assert_eq!(state.count(), 2);
    /// lock.acquire_restore(state);
    /// ```
    pub fn count(&self) -> usize {
        self.count
    }

    /// The identity token of the thread that owned the lock (meaningful only for comparisons
    /// within this process).
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// lock.acquire(None);
    /// let first = lock.release_save().unwrap();
    /// lock.acquire(None);
    /// let second = lock.release_save().unwrap();
    /// assert_eq!(first.owner(), second.owner()); // the same thread
    /// let other = thread::scope(|s| {
    ///     s.spawn(|| {
    ///         lock.acquire(None);
    ///         lock.release_save().unwrap()
    ///     })
    ///     .join()
    ///     .unwrap()
    /// });
    /// assert_ne!(other.owner(), first.owner());
    /// ```
    pub fn owner(&self) -> usize {
        self.owner
    }
}

impl RLock {
    crate::loom::const_fn! {
        /// Creates an unowned lock.
        ///
        /// ```
        /// use threadkit::RLock;
        ///
        /// static LOCK: RLock = RLock::new(); // `const`: usable in a static
        /// assert!(!LOCK.locked());
        /// ```
        pub const fn new() -> Self {
            RLock {
                block: Lock::new(),
                owner: AtomicUsize::new(0),
                count: AtomicUsize::new(0),
            }
        }
    }

    /// Acquires the lock, waiting at most `timeout` (`None`: forever); true if it was acquired.
    ///
    /// Python: `rlock.acquire()` / `rlock.acquire(timeout=t)`. If the calling thread owns the lock
    /// already, the recursion level goes up by one and the call returns at once.
    ///
    /// ```
    /// use std::time::Duration;
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// assert!(lock.acquire(None));
    /// assert!(lock.acquire(Some(Duration::ZERO)));
    /// assert_eq!(lock.recursion_count(), 2);
    /// ```
    #[inline]
    pub fn acquire(&self, timeout: Option<Duration>) -> bool {
        let me = thread_token();
        if self.enter_again(me) {
            return true;
        }
        if !self.block.acquire(timeout) {
            return false;
        }
        self.take(me, 1);
        true
    }

    /// Acquires the lock only if it is unowned or owned by the caller; true if it was acquired.
    ///
    /// Python: `rlock.acquire(blocking=False)`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::RLock;
    ///
    /// let lock = Arc::new(RLock::new());
    /// assert!(lock.try_acquire());
    /// assert!(lock.try_acquire()); // the owner again
    /// let remote = Arc::clone(&lock);
    /// assert!(!thread::spawn(move || remote.try_acquire()).join().unwrap());
    /// ```
    #[inline]
    pub fn try_acquire(&self) -> bool {
        let me = thread_token();
        if self.enter_again(me) {
            return true;
        }
        if !self.block.try_acquire() {
            return false;
        }
        self.take(me, 1);
        true
    }

    /// If `me` owns the lock, one more level.
    #[inline]
    fn enter_again(&self, me: usize) -> bool {
        if self.owner.load(Ordering::Relaxed) != me {
            return false;
        }
        let count = self.count.load(Ordering::Relaxed);
        self.count.store(count + 1, Ordering::Relaxed);
        true
    }

    /// Records `owner` at `count` levels; the caller has just acquired `block`.
    #[inline]
    fn take(&self, owner: usize, count: usize) {
        self.count.store(count, Ordering::Relaxed);
        self.owner.store(owner, Ordering::Relaxed);
    }

    /// Releases one level; the last release unlocks the lock and wakes one waiting thread.
    ///
    /// Python: `rlock.release()`.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::NotOwned`] if the calling thread does not own the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadkit::{RLock, ReleaseError};
    ///
    /// let lock = RLock::new();
    /// lock.acquire(None);
    /// lock.acquire(None);
    /// lock.release().unwrap();
    /// assert!(lock.locked()); // one level left
    /// lock.release().unwrap();
    /// assert!(!lock.locked());
    /// let error = lock.release().unwrap_err();
    /// assert_eq!(error, ReleaseError::NotOwned);
    /// assert_eq!(error.to_string(), "cannot release un-acquired lock");
    /// ```
    #[inline]
    pub fn release(&self) -> Result<(), ReleaseError> {
        if self.owner.load(Ordering::Relaxed) != thread_token() {
            return Err(ReleaseError::NotOwned);
        }
        let count = self.count.load(Ordering::Relaxed) - 1;
        self.count.store(count, Ordering::Relaxed);
        if count == 0 {
            self.owner.store(0, Ordering::Relaxed);
            self.block
                .release()
                .expect("an owned RLock's inner lock is locked");
        }
        Ok(())
    }

    /// Whether the calling thread owns the lock.
    ///
    /// Python: `rlock._is_owned()`.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// let _guard = lock.lock();
    /// assert!(lock.is_owned());
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(!lock.is_owned()));
    /// });
    /// ```
    #[inline]
    pub fn is_owned(&self) -> bool {
        self.owner.load(Ordering::Relaxed) == thread_token()
    }

    /// How many times the calling thread holds the lock: 0 if it does not own it.
    ///
    /// Python: `rlock._recursion_count()`.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// let _outer = lock.lock();
    /// let _inner = lock.lock();
    /// assert_eq!(lock.recursion_count(), 2);
    /// thread::scope(|s| {
    ///     s.spawn(|| assert_eq!(lock.recursion_count(), 0)); // not the owner
    /// });
    /// ```
    #[inline]
    pub fn recursion_count(&self) -> usize {
        if self.is_owned() {
            self.count.load(Ordering::Relaxed)
        } else {
            0
        }
    }

    /// Whether some thread owns the lock.
    ///
    /// Python 3.14's `rlock.locked()` (CPython 3.13's `RLock` has no public equivalent; its
    /// `repr` shows it).
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// assert!(!lock.locked());
    /// let _guard = lock.lock();
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(lock.locked())); // held, though not by this thread
    /// });
    /// ```
    #[inline]
    pub fn locked(&self) -> bool {
        self.block.locked()
    }

    /// Releases every level the calling thread holds and returns them, for
    /// [`acquire_restore`](RLock::acquire_restore).
    ///
    /// Python: `rlock._release_save()`.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::NotOwned`] if the calling thread does not own the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::RLock;
    ///
    /// let lock = Arc::new(RLock::new());
    /// lock.acquire(None);
    /// lock.acquire(None);
    /// let saved = lock.release_save().unwrap();
    /// assert_eq!(saved.count(), 2);
    ///
    /// // Fully released: another thread can take it.
    /// let remote = Arc::clone(&lock);
    /// thread::spawn(move || {
    ///     assert!(remote.try_acquire());
    ///     remote.release().unwrap();
    /// })
    /// .join()
    /// .unwrap();
    ///
    /// lock.acquire_restore(saved);
    /// assert_eq!(lock.recursion_count(), 2);
    /// ```
    pub fn release_save(&self) -> Result<RLockState, ReleaseError> {
        let owner = thread_token();
        if self.owner.load(Ordering::Relaxed) != owner {
            return Err(ReleaseError::NotOwned);
        }
        let count = self.count.load(Ordering::Relaxed);
        self.take(0, 0);
        self.block
            .release()
            .expect("an owned RLock's inner lock is locked");
        Ok(RLockState { count, owner })
    }

    /// Returns the lock to unowned and unlocked, whoever holds it and at whatever level.
    ///
    /// Python: `rlock._at_fork_reinit()`, for the child of a `fork`, where the owner may be a
    /// thread of the parent that does not exist in the child. Calling it while threads of this
    /// process use the lock breaks their mutual exclusion (but not memory safety).
    pub fn reinit(&self) {
        self.take(0, 0);
        let _ = self.block.release();
    }

    /// Acquires the lock, waiting forever, and restores the levels and owner in `state`.
    ///
    /// Python: `rlock._acquire_restore(state)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::thread;
    /// use threadkit::RLock;
    ///
    /// let lock = Arc::new(RLock::new());
    /// lock.acquire(None);
    /// let saved = lock.release_save().unwrap();
    /// let remote = Arc::clone(&lock);
    /// let holder = thread::spawn(move || {
    ///     let _guard = remote.lock();
    /// });
    /// lock.acquire_restore(saved); // waits if `holder` has it now
    /// assert_eq!(lock.recursion_count(), 1);
    /// lock.release().unwrap(); // before joining: `holder` may still be waiting for it
    /// holder.join().unwrap();
    /// ```
    pub fn acquire_restore(&self, state: RLockState) {
        self.block.acquire(None);
        self.take(state.owner, state.count);
    }

    /// Acquires the lock, waiting forever, and returns a guard that releases one level when
    /// dropped.
    ///
    /// Python: `with rlock:`.
    ///
    /// ```
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// {
    ///     let _outer = lock.lock();
    ///     let _inner = lock.lock(); // re-entrant
    ///     assert_eq!(lock.recursion_count(), 2);
    /// }
    /// assert!(!lock.locked());
    /// ```
    #[inline]
    pub fn lock(&self) -> RLockGuard<'_> {
        self.acquire(None);
        RLockGuard::new(self)
    }

    /// A guard if the lock can be acquired now.
    ///
    /// ```
    /// use std::thread;
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// let _guard = lock.try_lock().unwrap();
    /// assert!(lock.try_lock().is_some()); // the owner again
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(lock.try_lock().is_none()));
    /// });
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Option<RLockGuard<'_>> {
        self.try_acquire().then(|| RLockGuard::new(self))
    }

    /// A guard if the lock can be acquired within `timeout`.
    ///
    /// ```
    /// use std::thread;
    /// use std::time::Duration;
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// let _guard = lock.lock();
    /// thread::scope(|s| {
    ///     s.spawn(|| assert!(lock.lock_timeout(Duration::from_millis(1)).is_none()));
    /// });
    /// assert!(lock.lock_timeout(Duration::ZERO).is_some()); // the owner
    /// ```
    #[inline]
    pub fn lock_timeout(&self, timeout: Duration) -> Option<RLockGuard<'_>> {
        self.acquire(Some(timeout)).then(|| RLockGuard::new(self))
    }
}

impl Default for RLock {
    fn default() -> Self {
        RLock::new()
    }
}

impl fmt::Debug for RLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLock")
            .field("locked", &self.locked())
            .field("owned_by_caller", &self.is_owned())
            .field("recursion_count", &self.recursion_count())
            .finish()
    }
}

/// Holds one level of an [`RLock`] and releases it when dropped.
///
/// It is not `Send`: only the owning thread may release the lock.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::RLock;
///
/// let lock = Arc::new(RLock::new());
/// let guard = lock.lock();
/// let remote = Arc::clone(&lock);
/// let waiter = thread::spawn(move || {
///     let _guard = remote.lock(); // waits for the guard below to drop
///     remote.recursion_count()
/// });
/// drop(guard);
/// assert_eq!(waiter.join().unwrap(), 1);
/// ```
#[must_use = "the level is released as soon as the guard is dropped"]
pub struct RLockGuard<'a> {
    lock: &'a RLock,
    /// `Sync` but not `Send`, like std's `MutexGuard`.
    _not_send: PhantomData<std::sync::MutexGuard<'static, ()>>,
}

impl<'a> RLockGuard<'a> {
    fn new(lock: &'a RLock) -> Self {
        RLockGuard {
            lock,
            _not_send: PhantomData,
        }
    }

    /// The guarded lock.
    ///
    /// ```
    /// use threadkit::RLock;
    ///
    /// let lock = RLock::new();
    /// let guard = lock.lock();
    /// assert!(guard.lock().is_owned());
    /// assert!(std::ptr::eq(guard.lock(), &lock));
    /// ```
    pub fn lock(&self) -> &RLock {
        self.lock
    }
}

impl Drop for RLockGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        // An error means the level was released through `release` already; nothing to undo.
        let _ = self.lock.release();
    }
}

impl fmt::Debug for RLockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLockGuard").finish_non_exhaustive()
    }
}
