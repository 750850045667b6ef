//! 3.15's `threading.serialize_iterator` and `threading.concurrent_tee` (gh-124397), on every
//! supported Python; `synchronized_iterator` is the façade's decorator over
//! [`SerializeIterator`].
//!
//! Both exclude other threads with a [`threadkit::RLock`], not the GIL (the module declares it
//! needs none): a thread takes the lock attached when it is free and otherwise waits for it
//! detached ([`blocking::wait`]), then calls the underlying iterator attached, holding the lock.
//! The lock's owner is known, so a re-entrant call from the thread already inside the iterator
//! does not deadlock: `serialize_iterator` lets it reach the underlying iterator, which answers
//! as it would unwrapped (a generator raises `ValueError: generator already executing`);
//! `concurrent_tee` raises `RuntimeError: cannot re-enter the tee iterator`, as
//! `itertools.tee` does.

use std::sync::{Arc, Mutex, OnceLock};

use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyStopIteration, PyValueError};
use pyo3::gc::{PyTraverseError, PyVisit};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::iterator::PySendResult;
use pyo3::types::{PyIterator, PyTuple};

use crate::blocking;

/// Holds `lock` for the calling thread until dropped.
struct Held<'a>(&'a threadkit::RLock);

impl<'a> Held<'a> {
    /// Takes `lock`: attached if it is free or already the caller's, detached if it must wait.
    fn take(py: Python<'_>, lock: &'a threadkit::RLock) -> PyResult<Self> {
        if !lock.try_acquire() {
            blocking::wait(py, || lock.acquire(None))?;
        }
        Ok(Held(lock))
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // The caller took it in `take`, so it owns it.
        let _ = self.0.release();
    }
}

/// `next(iterator)`, keeping the `StopIteration` value a generator returns.
fn next(iterator: &Bound<'_, PyIterator>) -> PyResult<Py<PyAny>> {
    let py = iterator.py();
    match iterator.send(&py.None().into_bound(py))? {
        PySendResult::Next(item) => Ok(item.unbind()),
        PySendResult::Return(value) if value.is_none() => Err(PyStopIteration::new_err(())),
        PySendResult::Return(value) => Err(PyStopIteration::new_err((value.unbind(),))),
    }
}

/// `threadkit.threading.serialize_iterator`: an iterator whose `next()` calls, from any number
/// of threads, take turns; each item goes to exactly one caller and nothing is buffered.
/// `send`, `throw` and `close` are forwarded to the underlying iterator under the same lock.
#[pyclass(
    module = "threadkit.threading",
    name = "serialize_iterator",
    subclass,
    weakref
)]
#[derive(Debug)]
pub(crate) struct SerializeIterator {
    /// `iter(iterable)`; `None` once the garbage collector has cleared it.
    iterator: Option<Py<PyIterator>>,
    lock: threadkit::RLock,
}

impl SerializeIterator {
    /// Calls `call` on the underlying iterator holding the lock.
    fn locked<T>(
        &self,
        py: Python<'_>,
        call: impl FnOnce(&Bound<'_, PyIterator>) -> PyResult<T>,
    ) -> PyResult<T> {
        let Some(iterator) = &self.iterator else {
            return Err(PyStopIteration::new_err(()));
        };
        let _held = Held::take(py, &self.lock)?;
        call(iterator.bind(py))
    }
}

#[pymethods]
impl SerializeIterator {
    #[new]
    fn new(iterable: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(SerializeIterator {
            iterator: Some(PyIterator::from_object(iterable)?.unbind()),
            lock: threadkit::RLock::new(),
        })
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.locked(py, next)
    }

    /// Forward `send(value)` to the underlying iterator, holding the lock.
    fn send(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.locked(py, |iterator| {
            Ok(iterator
                .call_method1(intern!(py, "send"), (value,))?
                .unbind())
        })
    }

    /// Forward `throw(...)` to the underlying iterator, holding the lock.
    #[pyo3(signature = (*args))]
    fn throw(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        self.locked(py, |iterator| {
            Ok(iterator.call_method1(intern!(py, "throw"), args)?.unbind())
        })
    }

    /// Forward `close()` to the underlying iterator, holding the lock.
    fn close(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.locked(py, |iterator| {
            Ok(iterator.call_method0(intern!(py, "close"))?.unbind())
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(iterator) = &self.iterator {
            visit.call(iterator)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.iterator = None;
    }
}

/// One cell of a tee's stream: empty until some consumer pulls the item it holds, then the item
/// and the next cell. Consumers walk the cells; a cell is freed once every consumer is past it.
#[derive(Debug, Default)]
struct Link {
    next: OnceLock<(Py<PyAny>, Arc<Link>)>,
}

impl Drop for Link {
    /// Frees the cells only this one leads to in a loop, not by recursion: a consumer that fell
    /// a million items behind must not overflow the stack when it goes away.
    fn drop(&mut self) {
        let mut next = self.next.take();
        while let Some((_item, link)) = next {
            next = Arc::into_inner(link).and_then(|mut link| link.next.take());
        }
    }
}

/// What the consumers of one `concurrent_tee` share: the source and the lock for pulling from it.
#[derive(Debug)]
struct Source {
    iterator: Py<PyIterator>,
    lock: threadkit::RLock,
}

/// One of the iterators `concurrent_tee` returns: the whole stream, in order.
///
/// Meant for one consumer at a time (as 3.15's); used by several threads at once it stays
/// memory-safe, and each item still comes from the source exactly once.
#[pyclass(
    module = "threadkit.threading",
    name = "_concurrent_tee",
    frozen,
    weakref
)]
#[derive(Debug)]
pub(crate) struct ConcurrentTee {
    source: Arc<Source>,
    /// The cell this consumer reads next.
    link: Mutex<Arc<Link>>,
}

impl ConcurrentTee {
    fn position(&self) -> Arc<Link> {
        Arc::clone(&self.link.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Another consumer of the same stream, from this one's position on.
    fn sibling(&self) -> Self {
        ConcurrentTee {
            source: Arc::clone(&self.source),
            link: Mutex::new(self.position()),
        }
    }

    /// Fills `link` from the source, unless another consumer did while this one waited.
    fn pull(&self, py: Python<'_>, link: &Link) -> PyResult<()> {
        let lock = &self.source.lock;
        if lock.is_owned() {
            return Err(PyRuntimeError::new_err("cannot re-enter the tee iterator"));
        }
        let _held = Held::take(py, lock)?;
        if link.next.get().is_none() {
            let item = next(self.source.iterator.bind(py))?;
            // Only the holder of the lock fills a cell, and it found this one empty.
            let _ = link.next.set((item, Arc::new(Link::default())));
        }
        Ok(())
    }
}

#[pymethods]
impl ConcurrentTee {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let link = self.position();
        if link.next.get().is_none() {
            self.pull(py, &link)?;
        }
        let (item, next) = link
            .next
            .get()
            .expect("a pulled cell holds its item and the next cell");
        let mut position = self.link.lock().unwrap_or_else(|e| e.into_inner());
        // Another thread using this same consumer may have moved it on meanwhile.
        if Arc::ptr_eq(&position, &link) {
            *position = Arc::clone(next);
        }
        Ok(item.clone_ref(py))
    }

    /// A new consumer from this one's position on, as `copy.copy` of an `itertools.tee` gives.
    fn __copy__(&self) -> Self {
        self.sibling()
    }
}

/// `threadkit.threading.concurrent_tee(iterable, n=2)`: `n` iterators over one source, each
/// seeing the whole stream in order, safe to consume from different threads (each one by one
/// thread at a time).
#[pyfunction]
#[pyo3(signature = (iterable, n = 2))]
pub(crate) fn concurrent_tee<'py>(
    iterable: &Bound<'py, PyAny>,
    n: isize,
) -> PyResult<Bound<'py, PyTuple>> {
    let py = iterable.py();
    if n < 0 {
        return Err(PyValueError::new_err("n must be >= 0"));
    }
    if n == 0 {
        return Ok(PyTuple::empty(py));
    }
    // A tee of a tee shares its source and starts where it is, as `itertools.tee` does.
    let first = match iterable.cast::<ConcurrentTee>() {
        Ok(tee) => tee.get().sibling(),
        Err(_) => ConcurrentTee {
            source: Arc::new(Source {
                iterator: PyIterator::from_object(iterable)?.unbind(),
                lock: threadkit::RLock::new(),
            }),
            link: Mutex::new(Arc::new(Link::default())),
        },
    };
    // An absurd `n` raises `MemoryError`, as `itertools.tee`'s does, instead of aborting.
    let mut tees = Vec::new();
    tees.try_reserve_exact(n.unsigned_abs())
        .map_err(|_| PyMemoryError::new_err(()))?;
    let first = Bound::new(py, first)?;
    tees.push(first.clone());
    for _ in 1..n {
        tees.push(Bound::new(py, first.get().sibling())?);
    }
    PyTuple::new(py, tees)
}
