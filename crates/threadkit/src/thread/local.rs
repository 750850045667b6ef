//! [`Local`]: a value per thread, like `threading.local`.
//!
//! Each OS thread owns a [`Slots`] table (held by a thread-local) mapping a `Local`'s id to that
//! thread's boxed value. A `Local` remembers the tables it put values in, so that dropping the
//! `Local` drops its value in every thread still alive; a thread's exit drops the table and with
//! it that thread's values. Ids are never reused, so a new `Local` never sees an old one's value.
//! The `crate::thread_local`-style crates keep values until the owning object dies and recycle
//! thread slots, which is not `threading.local`'s behaviour, so this is written here.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::marker::PhantomData;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

/// The next `Local` id; ids are never reused.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

type Value = Box<dyn Any + Send>;

/// Hashes `Local` ids, which are distinct sequential numbers: one multiplication spreads them.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(self.0 << 8 | u64::from(byte));
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = id.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type Values = HashMap<u64, Value, BuildHasherDefault<IdHasher>>;

/// One thread's values, by `Local` id.
#[derive(Default)]
struct Slots {
    values: Mutex<Values>,
}

impl Slots {
    fn values(&self) -> MutexGuard<'_, Values> {
        // Map operations cannot leave the map half-updated.
        self.values.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The thread-local owner of the current thread's table; its drop drops the thread's values.
struct Owner(Arc<Slots>);

impl Drop for Owner {
    fn drop(&mut self) {
        let values = std::mem::take(&mut *self.0.values());
        // Dropped outside the lock: a value's destructor may use other `Local`s.
        drop(values);
    }
}

thread_local! {
    static SLOTS: Owner = Owner(Arc::default());
}

/// Drops every `Local` value of the calling thread (a threadkit thread calls this when its
/// target is done, so the values are gone when `join` returns).
pub(crate) fn clear_current_thread() {
    let _ = SLOTS.try_with(|owner| {
        let values = std::mem::take(&mut *owner.0.values());
        drop(values);
    });
}

/// A value per thread, mirroring Python's `threading.local`.
///
/// Each thread that touches a `Local` gets its own value, created by the `init` function on
/// first use in that thread. A thread's value is dropped when the thread exits (for threads
/// threadkit started, before [`join`](crate::thread::Thread::join) returns), or when the
/// `Local` is dropped, whichever comes first.
///
/// # Differences from CPython
///
/// A `threading.local` is an object with per-thread attributes; a `Local<T>` holds one `T` per
/// thread, reached by reference through [`with`](Local::with). To change it, put a `Cell` or
/// `RefCell` inside (the value is never shared between threads, so neither needs to be `Sync`).
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::sync::Arc;
/// use threadkit::thread::{Local, Thread};
///
/// let counter = Arc::new(Local::new(|| Cell::new(0)));
/// counter.with(|count| count.set(count.get() + 10));
/// let remote = Arc::clone(&counter);
/// let worker = Thread::new(move || {
///     // A fresh value in this thread.
///     remote.with(|count| count.set(count.get() + 1));
///     assert_eq!(remote.with(Cell::get), 1);
/// });
/// worker.start().unwrap();
/// worker.join(None).unwrap();
/// assert_eq!(counter.with(Cell::get), 10);
/// ```
pub struct Local<T: Send + 'static> {
    id: u64,
    init: Box<dyn Fn() -> T + Send + Sync>,
    /// The tables holding one of our values.
    tables: Mutex<Vec<Weak<Slots>>>,
    _values: PhantomData<fn() -> T>,
}

impl<T: Send + 'static> Local<T> {
    /// Creates a `Local` whose value in each thread starts as `init()`.
    ///
    /// Python: `threading.local()` (with the attributes a subclass's `__init__` sets).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::thread;
    /// use threadkit::thread::Local;
    ///
    /// let log = Local::new(|| RefCell::new(Vec::<&str>::new()));
    /// log.with(|log| log.borrow_mut().push("main"));
    /// thread::scope(|s| {
    ///     s.spawn(|| {
    ///         // `init` ran again for this thread: an empty log.
    ///         assert!(log.with(|log| log.borrow().is_empty()));
    ///     });
    /// });
    /// assert_eq!(log.with(|log| log.borrow().len()), 1);
    /// ```
    pub fn new(init: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Local {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            init: Box::new(init),
            tables: Mutex::new(Vec::new()),
            _values: PhantomData,
        }
    }

    /// Calls `f` with the calling thread's value, creating it first if this thread has none.
    ///
    /// `init` runs outside any lock, so it may use other `Local`s; if it panics, no value is
    /// stored and the next call tries again.
    ///
    /// # Panics
    ///
    /// If called while the thread's thread-locals are being destroyed (from another
    /// thread-local's destructor), like std's `LocalKey::with`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::sync::Arc;
    /// use threadkit::thread::{Local, Thread};
    ///
    /// let calls = Arc::new(Local::new(|| Cell::new(0u32)));
    /// let count = |calls: &Local<Cell<u32>>| calls.with(|n| {
    ///     n.set(n.get() + 1);
    ///     n.get()
    /// });
    /// assert_eq!(count(&calls), 1);
    /// assert_eq!(count(&calls), 2);
    /// let remote = Arc::clone(&calls);
    /// let worker = Thread::new(move || assert_eq!(count(&remote), 1));
    /// worker.start().unwrap();
    /// worker.join(None).unwrap();
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        let slots = SLOTS.with(|owner| Arc::clone(&owner.0));
        let existing = slots
            .values()
            .get(&self.id)
            .map(|value| value_ptr::<T>(value));
        let value = match existing {
            Some(value) => value,
            None => self.insert(&slots),
        };
        // SAFETY: `value` points into a box in this thread's table. Boxes are removed from the
        // table only (1) by `Local::drop`, which cannot run while `&self` is borrowed, (2) when
        // this thread exits or finishes its threadkit target, which cannot happen while it runs
        // this call, and (3) by nothing else: `insert` never replaces an existing entry. The box
        // is never mutated through the table, and only this thread reads it (`T` need not be
        // `Sync`), so a shared reference for the duration of `f` is sound.
        f(unsafe { &*value })
    }

    /// Creates the calling thread's value and registers this thread's table.
    #[cold]
    fn insert(&self, slots: &Arc<Slots>) -> *const T {
        let value: Value = Box::new((self.init)());
        let mut values = slots.values();
        // `init` may have used this `Local` re-entrantly; keep the first value then.
        let value = value_ptr::<T>(values.entry(self.id).or_insert(value));
        drop(values);
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        tables.retain(|table| table.strong_count() > 0);
        tables.push(Arc::downgrade(slots));
        value
    }

    /// A clone of the calling thread's value.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::thread;
    /// use threadkit::thread::Local;
    ///
    /// let id = Local::new(|| Cell::new(0));
    /// id.with(|id| id.set(7));
    /// assert_eq!(id.get().get(), 7);
    /// let other = thread::scope(|s| s.spawn(|| id.get().get()).join().unwrap());
    /// assert_eq!(other, 0);
    /// ```
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.with(T::clone)
    }
}

fn value_ptr<T: 'static>(value: &Value) -> *const T {
    let value: &T = value
        .downcast_ref()
        .expect("a Local's id always maps to that Local's type");
    value
}

impl<T: Send + 'static> Drop for Local<T> {
    fn drop(&mut self) {
        let tables = std::mem::take(
            self.tables
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for table in tables.iter().filter_map(Weak::upgrade) {
            let value = table.values().remove(&self.id);
            drop(value);
        }
    }
}

// Like std's `LocalKey`: a panic in `init` stores nothing, and the tables are consistent after any
// panic, so a `Local` may be used across `catch_unwind`.
impl<T: Send + 'static> UnwindSafe for Local<T> {}
impl<T: Send + 'static> RefUnwindSafe for Local<T> {}

impl<T: Send + 'static> fmt::Debug for Local<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Local")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
