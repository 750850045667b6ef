//! `queue.Queue` and `queue.LifoQueue` over [`threadkit::Queue`] and [`threadkit::LifoQueue`].

use std::sync::atomic::{AtomicIsize, Ordering};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};
use threadkit::queue::{GetError, PutError};

use crate::blocking;
use crate::errors::{OrRaise, ToPyErr};
use crate::timeout::{self, Arg};

/// `threadkit._native.queue.Queue`: the native base of `threadkit.queue.Queue` and `LifoQueue`.
///
/// The order (FIFO or LIFO) is chosen at creation from the class attribute `_lifo`. `__new__`
/// accepts any arguments, so that subclasses may give `__init__` their own signature; the
/// façade's `__init__` sets `maxsize`.
///
/// # Differences from CPython
///
/// The `queue`, `mutex`, `not_empty`, `not_full` and `all_tasks_done` attributes do not exist on
/// the native path (they do for subclasses that override the storage hooks, which run in Python).
#[pyclass(module = "threadkit.queue", name = "Queue", subclass, frozen, weakref)]
#[derive(Debug)]
pub(crate) struct Queue {
    inner: Inner,
    /// `maxsize` as the caller gave it (the core takes negatives as 0, unbounded).
    maxsize: AtomicIsize,
}

/// The core queue, typed by its order.
#[derive(Debug)]
enum Inner {
    Fifo(threadkit::Queue<Py<PyAny>>),
    Lifo(threadkit::LifoQueue<Py<PyAny>>),
}

/// Runs `$body` with `$queue` bound to the core queue, whatever its order.
macro_rules! with_core {
    ($inner:expr, $queue:ident => $body:expr) => {
        match $inner {
            Inner::Fifo($queue) => $body,
            Inner::Lifo($queue) => $body,
        }
    };
}

#[pymethods]
impl Queue {
    #[new]
    #[classmethod]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        cls: &Bound<'_, PyType>,
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let lifo = match cls.getattr(intern!(cls.py(), "_lifo")) {
            Ok(lifo) => lifo.is_truthy()?,
            Err(_) => false,
        };
        let inner = if lifo {
            Inner::Lifo(threadkit::LifoQueue::new(0))
        } else {
            Inner::Fifo(threadkit::Queue::new(0))
        };
        Ok(Queue {
            inner,
            maxsize: AtomicIsize::new(0),
        })
    }

    /// The bound on the number of items (0 or less: unbounded); it may be changed at any time.
    #[getter]
    fn get_maxsize(&self) -> isize {
        self.maxsize.load(Ordering::Relaxed)
    }

    #[setter]
    fn set_maxsize(&self, maxsize: isize) {
        self.maxsize.store(maxsize, Ordering::Relaxed);
        let bound = usize::try_from(maxsize).unwrap_or(0);
        with_core!(&self.inner, queue => queue.set_maxsize(bound));
    }

    /// How many put items still wait for their `task_done()`.
    #[getter]
    fn unfinished_tasks(&self) -> usize {
        with_core!(&self.inner, queue => queue.unfinished_tasks())
    }

    /// The approximate size of the queue.
    fn qsize(&self) -> usize {
        with_core!(&self.inner, queue => queue.qsize())
    }

    /// Whether the queue is empty (not reliable once other threads use it).
    fn empty(&self) -> bool {
        with_core!(&self.inner, queue => queue.empty())
    }

    /// Whether the queue is full (not reliable once other threads use it).
    fn full(&self) -> bool {
        with_core!(&self.inner, queue => queue.full())
    }

    /// Put an item into the queue, waiting for a free slot if `block` is true, for at most
    /// `timeout` seconds (`None`: forever); raise `queue.Full` if none freed.
    #[pyo3(
        signature = (item, block = Arg::Missing, timeout = None),
        text_signature = "($self, item, block=True, timeout=None)"
    )]
    fn put(
        &self,
        py: Python<'_>,
        item: Py<PyAny>,
        block: Arg<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        with_core!(&self.inner, queue => {
            // As in the stdlib, an unbounded queue never looks at `block` and `timeout`, and a
            // shut-down queue fails before it does.
            let timeout = if self.get_maxsize() > 0 {
                timeout::queue(py, &block, timeout).map_err(|error| {
                    if queue.is_shutdown() { PutError::ShutDown(()).to_pyerr(py) } else { error }
                })?
            } else {
                None
            };
            blocking::take(
                py,
                timeout,
                queue.put_nowait(item),
                |error| match error {
                    PutError::Full(item) => Ok(item),
                    error => Err(error),
                },
                |item, timeout| queue.put(item, timeout),
            )?
            .or_raise(py)
        })
    }

    /// Put an item into the queue only if a slot is free now; otherwise raise `queue.Full`.
    #[pyo3(signature = (item, /))]
    fn put_nowait(&self, py: Python<'_>, item: Py<PyAny>) -> PyResult<()> {
        with_core!(&self.inner, queue => queue.put_nowait(item).or_raise(py))
    }

    /// Remove and return an item, waiting for one if `block` is true, for at most `timeout`
    /// seconds (`None`: forever); raise `queue.Empty` if none came.
    #[pyo3(
        signature = (block = Arg::Missing, timeout = None),
        text_signature = "($self, block=True, timeout=None)"
    )]
    fn get(
        &self,
        py: Python<'_>,
        block: Arg<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        with_core!(&self.inner, queue => {
            let timeout = timeout::queue(py, &block, timeout).map_err(|error| {
                if queue.is_shutdown() && queue.empty() {
                    GetError::ShutDown.to_pyerr(py)
                } else {
                    error
                }
            })?;
            blocking::take(
                py,
                timeout,
                queue.get_nowait(),
                |error| match error {
                    GetError::Empty => Ok(()),
                    error => Err(error),
                },
                |(), timeout| queue.get(timeout),
            )?
            .or_raise(py)
        })
    }

    /// Remove and return an item if one is there now; otherwise raise `queue.Empty`.
    fn get_nowait(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        with_core!(&self.inner, queue => queue.get_nowait().or_raise(py))
    }

    /// Mark one formerly enqueued task as done; raise `ValueError` if called more times than
    /// items were put.
    fn task_done(&self, py: Python<'_>) -> PyResult<()> {
        with_core!(&self.inner, queue => queue.task_done().or_raise(py))
    }

    /// Block until every item put has been gotten and marked done with `task_done()`.
    fn join(&self, py: Python<'_>) -> PyResult<()> {
        with_core!(&self.inner, queue => {
            if queue.unfinished_tasks() == 0 {
                return Ok(());
            }
            blocking::wait(py, || queue.join())
        })
    }

    /// `shutdown(immediate)`, which `threadkit.queue` exposes on Python 3.13+.
    #[pyo3(signature = (immediate = false))]
    fn _shutdown(&self, immediate: bool) {
        // Dropped items are released here, attached.
        with_core!(&self.inner, queue => queue.shutdown(immediate));
    }

    /// `is_shutdown`, which `threadkit.queue` exposes on Python 3.13+.
    fn _is_shutdown(&self) -> bool {
        with_core!(&self.inner, queue => queue.is_shutdown())
    }
}
