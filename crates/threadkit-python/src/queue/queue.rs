//! `queue.Queue` and `queue.LifoQueue` over [`threadkit::Queue`] and [`threadkit::LifoQueue`],
//! and the switch to the Python path.
//!
//! Every method first asks which path the instance is on. On the native path it runs the core
//! queue; on the Python path it calls the method of the same name of the class the façade
//! registered (`threadkit.queue._PythonPath`, the stdlib's algorithm over the storage hooks).
//! An instance is on the Python path from its creation when its class says so (`_python_path`),
//! or from the moment the façade moves it there (`_hand_over`).
//!
//! The move is safe against calls running at the same time, without any cost on the native path:
//! the flag is set first, then the core queue hands everything over and wakes its blocked
//! callers ([`threadkit::queue::BlockingQueue::hand_over`]). A call that read the flag before
//! either ran on the core before the hand-over (its effect is in what was handed over), or gets
//! an answer only a handed-over queue gives (shut down, no unfinished task, empty); it then sees
//! the flag and runs again on the Python path, with what is left of its timeout.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::call::PyCallArgs;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyList, PyString, PyTuple, PyType};
use pyo3::{IntoPyObjectExt, ffi, intern};
use threadkit::queue::{GetError, HandOver, PutError, TaskDoneError};

use crate::blocking;
use crate::errors::{OrRaise, ToPyErr};
use crate::timeout::{self, Arg};

/// `threadkit._native.queue.Queue`: the native base of `threadkit.queue.Queue` and its
/// subclasses.
///
/// The order (FIFO or LIFO) is chosen at creation from the class attribute `_lifo`, and the path
/// from `_python_path`. `__new__` accepts any arguments, so that subclasses may give `__init__`
/// their own signature; the façade's `__init__` sets `maxsize`.
///
/// # Differences from CPython
///
/// On the native path the stdlib's internals (`queue`, `mutex`, the conditions) do not exist;
/// the façade moves an instance to the Python path when a program touches them.
#[pyclass(module = "threadkit.queue", name = "Queue", subclass, frozen, weakref)]
#[derive(Debug)]
pub(crate) struct Queue {
    inner: Inner,
    /// `maxsize` as the caller gave it (the core takes negatives as 0, unbounded).
    maxsize: AtomicIsize,
    /// Whether the instance runs on the Python path; once set, never cleared.
    python: AtomicBool,
}

/// The core queue, typed by its order.
#[derive(Debug)]
enum Inner {
    /// Created by the first `maxsize` set (the façade's `__init__`) or the first call before it:
    /// a core `Queue` keeps its items in its lock-free ring only if it is bounded from creation.
    Fifo(OnceLock<threadkit::Queue<Py<PyAny>>>),
    Lifo(threadkit::LifoQueue<Py<PyAny>>),
}

/// The core FIFO queue of `cell`, created unbounded if no `maxsize` was set before.
fn fifo(cell: &OnceLock<threadkit::Queue<Py<PyAny>>>) -> &threadkit::Queue<Py<PyAny>> {
    cell.get_or_init(|| threadkit::Queue::new(0))
}

/// Runs `$body` with `$queue` bound to the core queue, whatever its order.
macro_rules! with_core {
    ($inner:expr, $queue:ident => $body:expr) => {
        match $inner {
            Inner::Fifo(cell) => {
                let $queue = fifo(cell);
                $body
            }
            Inner::Lifo($queue) => $body,
        }
    };
}

/// What the façade registers at import (`threadkit.queue`): the Python path and how to move a
/// queue there.
#[derive(Debug)]
struct PythonPath {
    /// The class whose methods the Python path runs (`_PythonPath`).
    methods: Py<PyType>,
    /// The attribute names whose setting on a native queue moves it first.
    moves_on_set: Py<PyAny>,
    /// `move(queue)`: moves a native queue to the Python path.
    move_queue: Py<PyAny>,
}

static PYTHON_PATH: PyOnceLock<PythonPath> = PyOnceLock::new();

/// Sets (`value`) or deletes (`None`) an attribute as `object.__setattr__` does.
fn generic_setattr(
    object: &Bound<'_, PyAny>,
    name: &Bound<'_, PyString>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let value = value.map_or(std::ptr::null_mut(), Bound::as_ptr);
    // SAFETY: `object` and `name` are live references for the whole call, and `value` is one or
    // null (a deletion), which is what `PyObject_GenericSetAttr` takes; it steals none of them.
    match unsafe { ffi::PyObject_GenericSetAttr(object.as_ptr(), name.as_ptr(), value) } {
        0 => Ok(()),
        _ => Err(PyErr::fetch(object.py())),
    }
}

/// When a call began its detached wait, if it did: what is left of its timeout if it must run
/// again on the Python path.
#[derive(Default)]
struct Waited(OnceLock<Instant>);

impl Waited {
    /// Marks the start of the wait; returns `timeout`, for the core call.
    fn start(&self, timeout: Option<Duration>) -> Option<Duration> {
        self.0.get_or_init(Instant::now);
        timeout
    }

    /// The `block` and `timeout` a call runs again with: its own if it never waited, otherwise
    /// a blocking call for the rest of its timeout.
    fn rest<'py>(
        &self,
        py: Python<'py>,
        block: Arg<'py>,
        given: Option<&Bound<'py, PyAny>>,
        timeout: Option<Duration>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let Some(started) = self.0.get() else {
            let given = given.map_or_else(|| py.None().into_bound(py), Bound::clone);
            return Ok((block_or_true(py, block), given));
        };
        let rest = timeout.map(|timeout| timeout.saturating_sub(started.elapsed()));
        Ok((
            block_or_true(py, Arg::Missing),
            rest.map(|rest| rest.as_secs_f64()).into_bound_py_any(py)?,
        ))
    }
}

/// `block` as the caller gave it, or `True`, its default.
fn block_or_true<'py>(py: Python<'py>, block: Arg<'py>) -> Bound<'py, PyAny> {
    match block {
        Arg::Missing => PyBool::new(py, true).to_owned().into_any(),
        Arg::Given(block) => block,
    }
}

impl Queue {
    /// Whether the instance runs on the Python path.
    #[inline]
    fn on_python_path(&self) -> bool {
        self.python.load(Ordering::Acquire)
    }

    /// `_PythonPath.<name>(*args)`, the queue first in `args`.
    fn python<'py>(
        py: Python<'py>,
        name: &Bound<'py, PyString>,
        args: impl PyCallArgs<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let path = PYTHON_PATH
            .get(py)
            .ok_or_else(|| PyRuntimeError::new_err("threadkit.queue is not initialized"))?;
        path.methods.bind(py).getattr(name)?.call1(args)
    }

    /// A read of the core queue, or of the Python path if the instance is there by the time the
    /// read is done.
    fn read<'py, T: IntoPyObject<'py>>(
        queue: &Bound<'py, Self>,
        name: &Bound<'py, PyString>,
        read: impl FnOnce(&Self) -> T,
    ) -> PyResult<Bound<'py, PyAny>> {
        let this = queue.get();
        if !this.on_python_path() {
            let value = read(this);
            if !this.on_python_path() {
                return value.into_bound_py_any(queue.py());
            }
        }
        Self::python(queue.py(), name, (queue,))
    }
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
        let flag = |name| match cls.getattr(name) {
            Ok(value) => value.is_truthy(),
            Err(_) => Ok(false),
        };
        let inner = if flag(intern!(cls.py(), "_lifo"))? {
            Inner::Lifo(threadkit::LifoQueue::new(0))
        } else {
            Inner::Fifo(OnceLock::new())
        };
        Ok(Queue {
            inner,
            maxsize: AtomicIsize::new(0),
            python: AtomicBool::new(flag(intern!(cls.py(), "_python_path"))?),
        })
    }

    /// Registers the Python path: the class whose methods it runs (`_PythonPath`), the names
    /// whose setting moves a native queue there, and the function that moves one.
    #[staticmethod]
    fn _set_python_path(
        py: Python<'_>,
        methods: Bound<'_, PyType>,
        moves_on_set: Bound<'_, PyAny>,
        move_queue: Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let path = PythonPath {
            methods: methods.unbind(),
            moves_on_set: moves_on_set.unbind(),
            move_queue: move_queue.unbind(),
        };
        PYTHON_PATH
            .set(py, path)
            .map_err(|_| PyRuntimeError::new_err("the Python path is already set"))
    }

    /// Sets an attribute as `object.__setattr__` does. Setting one the Python path reads (a
    /// hook, `put`, `get`, an internal: the registered names) on a native queue first moves it
    /// there, so that the new value is honoured. Written here, not
    /// in Python, so that the Python path's own sets (`unfinished_tasks` on every put) stay cheap.
    fn __setattr__(
        slf: &Bound<'_, Self>,
        name: &Bound<'_, PyString>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        if !slf.get().on_python_path() {
            let py = slf.py();
            if let Some(path) = PYTHON_PATH.get(py)
                && path.moves_on_set.bind(py).contains(name)?
            {
                path.move_queue.bind(py).call1((slf,))?;
            }
        }
        generic_setattr(slf.as_any(), name, Some(value))
    }

    /// Deletes an attribute as `object.__delattr__` does.
    fn __delattr__(slf: &Bound<'_, Self>, name: &Bound<'_, PyString>) -> PyResult<()> {
        generic_setattr(slf.as_any(), name, None)
    }

    /// Whether the instance runs on the Python path.
    fn _uses_python_path(&self) -> bool {
        self.on_python_path()
    }

    /// Moves the instance to the Python path: sets it there, then empties the core queue and
    /// wakes its blocked callers, which run again on the Python path. Returns the items (in
    /// `get` order), the unfinished-task count and whether it was shut down. The façade calls it
    /// once, holding the new `mutex`, so that the calls it re-routes wait for it to finish.
    fn _hand_over<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyList>, usize, bool)> {
        self.python.store(true, Ordering::Release);
        let HandOver {
            items,
            unfinished_tasks,
            was_shutdown,
        } = with_core!(&self.inner, queue => queue.hand_over());
        Ok((PyList::new(py, items)?, unfinished_tasks, was_shutdown))
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
        match &self.inner {
            Inner::Fifo(cell) => {
                let mut created = false;
                let queue = cell.get_or_init(|| {
                    created = true;
                    threadkit::Queue::new(bound)
                });
                if !created {
                    queue.set_maxsize(bound);
                }
            }
            Inner::Lifo(queue) => queue.set_maxsize(bound),
        }
    }

    /// How many put items still wait for their `task_done()` (the façade's `unfinished_tasks`
    /// on the native path).
    fn _unfinished_tasks<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::read(
            slf,
            intern!(slf.py(), "_unfinished_tasks"),
            |this| with_core!(&this.inner, queue => queue.unfinished_tasks()),
        )
    }

    /// How many threads wait in `put`, `get` or `join` on the core queue (for tests).
    fn _waiting(&self) -> usize {
        with_core!(&self.inner, queue => queue.waiting())
    }

    /// The approximate size of the queue.
    fn qsize<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::read(
            slf,
            intern!(slf.py(), "qsize"),
            |this| with_core!(&this.inner, queue => queue.qsize()),
        )
    }

    /// Whether the queue is empty (not reliable once other threads use it).
    fn empty<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::read(
            slf,
            intern!(slf.py(), "empty"),
            |this| with_core!(&this.inner, queue => queue.empty()),
        )
    }

    /// Whether the queue is full (not reliable once other threads use it).
    fn full<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::read(
            slf,
            intern!(slf.py(), "full"),
            |this| with_core!(&this.inner, queue => queue.full()),
        )
    }

    /// Put an item into the queue, waiting for a free slot if `block` is true, for at most
    /// `timeout` seconds (`None`: forever); raise `queue.Full` if none freed.
    #[pyo3(
        signature = (item, block = Arg::Missing, timeout = None),
        text_signature = "($self, item, block=True, timeout=None)"
    )]
    fn put<'py>(
        slf: &Bound<'py, Self>,
        item: Py<PyAny>,
        block: Arg<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let name = intern!(py, "put");
        if this.on_python_path() {
            return Self::python(py, name, (slf, item, block_or_true(py, block), timeout));
        }
        let waited = Waited::default();
        let (item, wait) = with_core!(&this.inner, queue => {
            // As in the stdlib, an unbounded queue never looks at `block` and `timeout`, and a
            // shut-down queue fails before it does.
            let wait = if this.get_maxsize() > 0 {
                match timeout::queue(py, &block, timeout) {
                    Ok(wait) => wait,
                    Err(_) if this.on_python_path() => {
                        return Self::python(py, name, (slf, item, block_or_true(py, block), timeout));
                    }
                    Err(_) if queue.is_shutdown() => return Err(PutError::ShutDown(()).to_pyerr(py)),
                    Err(error) => return Err(error),
                }
            } else {
                None
            };
            let outcome = blocking::take(
                py,
                wait,
                queue.put_nowait(item),
                |error| match error {
                    PutError::Full(item) => Ok(item),
                    error => Err(error),
                },
                |item, wait| queue.put(item, waited.start(wait)),
            )?;
            match outcome {
                Err(PutError::ShutDown(item)) if this.on_python_path() => (item, wait),
                outcome => return outcome.map(|()| py.None().into_bound(py)).or_raise(py),
            }
        });
        let (block, timeout) = waited.rest(py, block, timeout, wait)?;
        Self::python(py, name, (slf, item, block, timeout))
    }

    /// Put an item into the queue only if a slot is free now; otherwise raise `queue.Full`.
    #[pyo3(signature = (item, /))]
    fn put_nowait<'py>(slf: &Bound<'py, Self>, item: Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        if !this.on_python_path() {
            match with_core!(&this.inner, queue => queue.put_nowait(item)) {
                Err(PutError::ShutDown(item)) if this.on_python_path() => {
                    return Self::python(py, intern!(py, "put_nowait"), (slf, item));
                }
                outcome => return outcome.map(|()| py.None().into_bound(py)).or_raise(py),
            }
        }
        Self::python(py, intern!(py, "put_nowait"), (slf, item))
    }

    /// Remove and return an item, waiting for one if `block` is true, for at most `timeout`
    /// seconds (`None`: forever); raise `queue.Empty` if none came.
    #[pyo3(
        signature = (block = Arg::Missing, timeout = None),
        text_signature = "($self, block=True, timeout=None)"
    )]
    fn get<'py>(
        slf: &Bound<'py, Self>,
        block: Arg<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let name = intern!(py, "get");
        if this.on_python_path() {
            return Self::python(py, name, (slf, block_or_true(py, block), timeout));
        }
        let waited = Waited::default();
        let wait = with_core!(&this.inner, queue => {
            let wait = match timeout::queue(py, &block, timeout) {
                Ok(wait) => wait,
                Err(_) if this.on_python_path() => {
                    return Self::python(py, name, (slf, block_or_true(py, block), timeout));
                }
                Err(_) if queue.is_shutdown() && queue.empty() => {
                    return Err(GetError::ShutDown.to_pyerr(py));
                }
                Err(error) => return Err(error),
            };
            let outcome = blocking::take(
                py,
                wait,
                queue.get_nowait(),
                |error| match error {
                    GetError::Empty => Ok(()),
                    error => Err(error),
                },
                |(), wait| queue.get(waited.start(wait)),
            )?;
            match outcome {
                Err(GetError::ShutDown) if this.on_python_path() => wait,
                outcome => return outcome.map(|item| item.into_bound(py)).or_raise(py),
            }
        });
        let (block, timeout) = waited.rest(py, block, timeout, wait)?;
        Self::python(py, name, (slf, block, timeout))
    }

    /// Remove and return an item if one is there now; otherwise raise `queue.Empty`.
    fn get_nowait<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        if !this.on_python_path() {
            match with_core!(&this.inner, queue => queue.get_nowait()) {
                Err(GetError::ShutDown) if this.on_python_path() => {}
                outcome => return outcome.map(|item| item.into_bound(py)).or_raise(py),
            }
        }
        Self::python(py, intern!(py, "get_nowait"), (slf,))
    }

    /// Mark one formerly enqueued task as done; raise `ValueError` if called more times than
    /// items were put.
    fn task_done<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        if !this.on_python_path() {
            match with_core!(&this.inner, queue => queue.task_done()) {
                Err(TaskDoneError) if this.on_python_path() => {}
                outcome => return outcome.map(|()| py.None().into_bound(py)).or_raise(py),
            }
        }
        Self::python(py, intern!(py, "task_done"), (slf,))
    }

    /// Block until every item put has been gotten and marked done with `task_done()`.
    fn join<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        if !this.on_python_path() {
            with_core!(&this.inner, queue => {
                if queue.unfinished_tasks() != 0 {
                    blocking::wait(py, || queue.join())?;
                }
            });
            // A hand-over releases the core's `join`: it must then wait on the Python path.
            if !this.on_python_path() {
                return Ok(py.None().into_bound(py));
            }
        }
        Self::python(py, intern!(py, "join"), (slf,))
    }

    /// `shutdown(immediate)`, which `threadkit.queue` exposes on Python 3.13+.
    #[pyo3(signature = (immediate = false))]
    fn _shutdown<'py>(slf: &Bound<'py, Self>, immediate: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        if !this.on_python_path() {
            // Dropped items are released here, attached.
            with_core!(&this.inner, queue => queue.shutdown(immediate));
            // Done again on the Python path if the hand-over came first (it is idempotent).
            if !this.on_python_path() {
                return Ok(py.None().into_bound(py));
            }
        }
        Self::python(py, intern!(py, "_shutdown"), (slf, immediate))
    }

    /// `is_shutdown`, which `threadkit.queue` exposes on Python 3.13+.
    fn _is_shutdown<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::read(
            slf,
            intern!(slf.py(), "_is_shutdown"),
            |this| with_core!(&this.inner, queue => queue.is_shutdown()),
        )
    }
}
