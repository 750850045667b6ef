//! `queue.SimpleQueue` over [`threadkit::SimpleQueue`].

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::blocking;
use crate::errors::OrRaise;
use crate::timeout::{self, Arg};

/// `threadkit.queue.SimpleQueue`: an unbounded FIFO queue without task tracking.
///
/// `put` never blocks and takes no lock (it is a push on the core's lock-free queue and, when a
/// `get` is parked, one wake-up), so it is safe from `__del__` methods and weakref callbacks
/// that interrupt the same thread in the middle of another `put` or `get`.
#[pyclass(
    module = "threadkit.queue",
    name = "SimpleQueue",
    subclass,
    frozen,
    weakref
)]
#[derive(Debug)]
pub(crate) struct SimpleQueue(threadkit::SimpleQueue<Py<PyAny>>);

#[pymethods]
impl SimpleQueue {
    /// Takes no arguments, unless a subclass's own `__init__` does (the C type's rule).
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args, **kwargs))]
    fn new(
        cls: &Bound<'_, PyType>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let py = cls.py();
        let given_kwargs = kwargs.is_some_and(|kwargs| !kwargs.is_empty());
        if !args.is_empty() || given_kwargs {
            let base = py.get_type::<Self>();
            let init = intern!(py, "__init__");
            if cls.is(&base) || cls.getattr(init)?.is(base.getattr(init)?) {
                let kind = if args.is_empty() {
                    "keyword"
                } else {
                    "positional"
                };
                return Err(PyTypeError::new_err(format!(
                    "SimpleQueue() takes no {kind} arguments"
                )));
            }
        }
        Ok(SimpleQueue(threadkit::SimpleQueue::new()))
    }

    /// Put the item on the queue; never blocks (`block` and `timeout` are accepted and ignored,
    /// as by the stdlib).
    #[pyo3(
        signature = (item, block = None, timeout = None),
        text_signature = "($self, /, item, block=True, timeout=None)"
    )]
    fn put(
        &self,
        item: Py<PyAny>,
        block: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) {
        let _ = (block, timeout);
        self.0.put(item);
    }

    /// Put the item on the queue; the same as `put(item)`.
    #[pyo3(signature = (item, /))]
    fn put_nowait(&self, item: Py<PyAny>) {
        self.0.put(item);
    }

    /// Remove and return the oldest item, waiting for one if `block` is true, for at most
    /// `timeout` seconds (`None`: forever); raise `queue.Empty` if none came.
    #[pyo3(
        signature = (block = Arg::Missing, timeout = None),
        text_signature = "($self, /, block=True, timeout=None)"
    )]
    fn get(
        &self,
        py: Python<'_>,
        block: Arg<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let timeout = timeout::simple_queue(py, &block, timeout)?;
        blocking::take(py, timeout, self.0.get_nowait(), Ok, |_, timeout| {
            self.0.get(timeout)
        })?
        .or_raise(py)
    }

    /// Remove and return the oldest item if there is one now; otherwise raise `queue.Empty`.
    fn get_nowait(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.0.get_nowait().or_raise(py)
    }

    /// Whether the queue is empty (not reliable once other threads use it).
    fn empty(&self) -> bool {
        self.0.empty()
    }

    /// How many threads wait in `get` (for tests).
    fn _waiting(&self) -> usize {
        self.0.waiting()
    }

    /// The approximate number of items in the queue.
    fn qsize(&self) -> usize {
        self.0.qsize()
    }

    /// `SimpleQueue[T]`, for type annotations.
    #[classmethod]
    fn __class_getitem__<'py>(
        cls: &Bound<'py, PyType>,
        item: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        py.import("types")?
            .getattr("GenericAlias")?
            .call1(PyTuple::new(py, [cls.as_any(), item])?)
    }
}
