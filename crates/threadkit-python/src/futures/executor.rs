//! `concurrent.futures.ThreadPoolExecutor` over [`threadkit::futures::ThreadPoolExecutor`].
//!
//! The workers are Python threads (`threading.Thread`, started by the façade's function the
//! executor is given), so they have a persistent thread state, show in `threading.enumerate()`
//! under the stdlib's names and are joined at exit like the stdlib's. Each runs the core's worker
//! loop attached to the interpreter, so it runs a batch of queued calls without giving the GIL
//! back in between, and detaches only to wait for work ([`PyHost::idle`]).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use threadkit::futures::{HostError, SubmitError, WorkerHost};

use super::future::{Failure, Future, Value};
use super::unobserved;
use crate::errors::{OrRaise, ToPyErr, log_failure};
use crate::threading::init::Init;
use crate::{blocking, carry};

/// Set by the façade's exit hook: submits fail from then on, as in the stdlib.
static INTERPRETER_SHUTDOWN: AtomicBool = AtomicBool::new(false);

/// Marks the interpreter as shutting down (`concurrent.futures.thread._shutdown`).
#[pyfunction]
pub(crate) fn _set_interpreter_shutdown(shutdown: bool) {
    INTERPRETER_SHUTDOWN.store(shutdown, Ordering::SeqCst);
}

/// Starts the pool's workers through a Python function `start(name, work)` that runs `work` in
/// a new `threading.Thread` named `name`.
struct PyHost {
    start: Py<PyAny>,
}

impl WorkerHost for PyHost {
    fn start(&self, name: String, work: Box<dyn FnOnce() + Send>) -> Result<(), HostError> {
        Python::attach(|py| {
            let work = Bound::new(
                py,
                Worker {
                    work: Mutex::new(Some(work)),
                },
            )?;
            self.start.call1(py, (name, work)).map(drop)
        })
        .map_err(|error| {
            // Raised by the submit that needed the thread.
            let message = error.to_string();
            carry::stash(error);
            message.into()
        })
    }

    /// Detached while it waits: other threads run Python code meanwhile.
    fn while_waiting(&self, wait: &mut (dyn FnMut() + Send)) {
        Python::attach(|py| {
            report_worker_failure(py);
            py.detach(wait);
        });
    }
}

/// Logs what the last call's done-callbacks carried out to this worker (a `KeyboardInterrupt`
/// or `SystemExit` they raised, which stopped the later ones), as the stdlib's worker logs what
/// reaches it: `LOGGER.critical('Exception in worker', exc_info=True)`. Called between calls,
/// in the worker's loop ([`Worker::__call__`]); unlike the stdlib's, the worker goes on.
fn report_worker_failure(py: Python<'_>) {
    if let Some(error) = carry::take() {
        log_worker_failure(py, error);
    }
}

fn log_worker_failure(py: Python<'_>, error: PyErr) {
    log_failure(py, "critical", ("Exception in worker",), error, None);
}

/// The body of one worker thread: the core's worker loop, called once by the thread.
#[pyclass(module = "threadkit.futures", name = "_Worker", frozen)]
struct Worker {
    work: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker").finish_non_exhaustive()
    }
}

#[pymethods]
impl Worker {
    /// Runs the loop as a [`carry::collect`]: what a call's done-callbacks carry out is taken,
    /// and reported, before the worker's next call or wait and as it ends.
    fn __call__(&self, py: Python<'_>) {
        let work = self.work.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(work) = work
            && let Err(error) = carry::collect(work)
        {
            log_worker_failure(py, error);
        }
    }
}

/// `threadkit.futures.ThreadPoolExecutor` (the native half; the Python class also derives from
/// `concurrent.futures.ThreadPoolExecutor`).
#[pyclass(
    module = "threadkit.futures",
    name = "ThreadPoolExecutor",
    subclass,
    frozen,
    weakref
)]
pub(crate) struct ThreadPoolExecutor {
    /// Set by `_init` (the façade's `__init__`), so that subclasses may have their own
    /// constructor signature, as for the threading classes (see `threading/init.rs`).
    core: Init<Core>,
    /// Whether `shutdown` was called by the program, not by the exit hook: a later submit says
    /// which one, as the stdlib's does.
    shut_down_by_program: AtomicBool,
}

struct Core {
    executor: threadkit::futures::ThreadPoolExecutor,
    /// With `max_pending`, a submit may wait, so it detaches.
    bounded: bool,
    /// Each call runs in a copy of its submitter's context (`context.rs`).
    propagate_context: bool,
    /// Whether a call's failure nobody observed is logged (`unobserved.rs`); `None`: the
    /// process-wide setting at submit time decides.
    report_unobserved: Option<bool>,
}

impl fmt::Debug for ThreadPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.core.try_get() {
            Some(core) => core.executor.fmt(f),
            None => f.write_str("ThreadPoolExecutor(uninitialized)"),
        }
    }
}

impl ThreadPoolExecutor {
    fn core(&self) -> PyResult<&Core> {
        self.core.get()
    }

    fn executor(&self) -> PyResult<&threadkit::futures::ThreadPoolExecutor> {
        self.core().map(|core| &core.executor)
    }
}

/// The callable and arguments as submitted, which name a failed call whose failure is to be
/// reported if nobody observes it (`unobserved.rs`).
type AsSubmitted = (Py<PyAny>, Py<PyTuple>);

/// Runs `r#fn(*args, **kwargs)` for a future: its value or the exception it raised, named after
/// `as_submitted` if that is given.
fn call(
    r#fn: Py<PyAny>,
    args: Py<PyTuple>,
    kwargs: Option<Py<PyDict>>,
    as_submitted: Option<AsSubmitted>,
) -> impl FnOnce() -> Result<Value, Failure> + Send + 'static {
    move || {
        Python::attach(|py| {
            report_worker_failure(py);
            let kwargs_bound = kwargs.as_ref().map(|kwargs| kwargs.bind(py));
            let outcome = r#fn
                .bind(py)
                .call(args.bind(py), kwargs_bound)
                .map(|value| Value(value.unbind()))
                .map_err(|error| Failure {
                    exception: error.into_value(py).into_any(),
                    report_as: as_submitted.as_ref().map(|(r#fn, args)| {
                        unobserved::call_repr(r#fn.bind(py), args.bind(py), kwargs_bound)
                    }),
                });
            // Released now, attached, as the stdlib drops its work item after running it.
            drop((r#fn, args, kwargs, as_submitted));
            outcome
        })
    }
}

#[pymethods]
impl ThreadPoolExecutor {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        ThreadPoolExecutor {
            core: Init::new("ThreadPoolExecutor"),
            shut_down_by_program: AtomicBool::new(false),
        }
    }

    /// Configures the pool (called once by the façade's `__init__`). The core checks
    /// `max_workers` and `max_pending`, as the stdlib compares `max_workers` with 0.
    #[pyo3(signature = (
        max_workers, thread_name_prefix, initializer, initargs, max_pending, start,
        propagate_context = false, report_unobserved = None,
    ))]
    #[allow(clippy::too_many_arguments)] // the façade's constructor arguments
    fn _init(
        &self,
        max_workers: &Bound<'_, PyAny>,
        thread_name_prefix: String,
        initializer: Option<Py<PyAny>>,
        initargs: Py<PyTuple>,
        max_pending: Option<&Bound<'_, PyAny>>,
        start: Py<PyAny>,
        propagate_context: bool,
        report_unobserved: Option<bool>,
    ) -> PyResult<()> {
        let mut builder = threadkit::futures::ThreadPoolExecutor::builder()
            .max_workers(count(max_workers)?)
            .thread_name_prefix(thread_name_prefix)
            .host(Arc::new(PyHost { start }))
            .wait_on_drop(false);
        if let Some(max_pending) = max_pending {
            builder = builder.max_pending(count(max_pending)?);
        }
        if let Some(initializer) = initializer {
            builder = builder.initializer_reporting(move || {
                Python::attach(|py| match initializer.bind(py).call1(initargs.bind(py)) {
                    Ok(_) => true,
                    Err(error) => {
                        log_initializer_failure(py, error);
                        false
                    }
                })
            });
        }
        let executor = builder.build().or_raise(max_workers.py())?;
        self.core.set(Core {
            executor,
            bounded: max_pending.is_some(),
            propagate_context,
            report_unobserved,
        })
    }

    /// Submit a callable to be executed with the given arguments; return its `Future`.
    #[pyo3(signature = (r#fn, /, *args, **kwargs))]
    fn submit<'py>(
        &self,
        py: Python<'py>,
        r#fn: Py<PyAny>,
        args: Py<PyTuple>,
        kwargs: Option<Py<PyDict>>,
    ) -> PyResult<Bound<'py, Future>> {
        let core = self.core()?;
        let executor = &core.executor;
        if INTERPRETER_SHUTDOWN.load(Ordering::SeqCst)
            && !executor.is_broken()
            && !self.shut_down_by_program.load(Ordering::SeqCst)
        {
            return Err(PyRuntimeError::new_err(
                "cannot schedule new futures after interpreter shutdown",
            ));
        }
        let as_submitted = unobserved::enabled(core.report_unobserved)
            .then(|| (r#fn.clone_ref(py), args.clone_ref(py)));
        let (r#fn, args) = if core.propagate_context {
            super::context::in_copy_of_current(py, r#fn, args)?
        } else {
            (r#fn, args)
        };
        let future = Future::create(py)?;
        let call = call(r#fn, args, kwargs, as_submitted);
        let submitted = if core.bounded {
            let native = future.get();
            blocking::wait(py, || executor.submit_to(&native.core, call))?
        } else {
            executor.submit_to(&future.get().core, call)
        };
        match submitted {
            Ok(()) => Ok(future),
            Err(error @ SubmitError::Start(_)) => {
                Err(carry::take().unwrap_or_else(|| error.to_pyerr(py)))
            }
            Err(error) => Err(error.to_pyerr(py)),
        }
    }

    /// Stops accepting calls; with `cancel_futures`, cancels the queued ones; with `wait`, waits
    /// (interruptibly) until every worker has left the pool's loop. The façade then joins the
    /// threads, which by then only have to end: a Ctrl-C during the wait never lands inside
    /// `Thread.join` (which on 3.11 would mark a running thread as stopped).
    #[pyo3(signature = (cancel_futures, wait = false, at_exit = false))]
    fn _shutdown_pool(
        &self,
        py: Python<'_>,
        cancel_futures: bool,
        wait: bool,
        at_exit: bool,
    ) -> PyResult<()> {
        let executor = self.executor()?;
        if !at_exit {
            self.shut_down_by_program.store(true, Ordering::SeqCst);
        }
        // Detached: a submit in flight may be starting a thread, which needs the interpreter.
        // The done-callbacks of the calls cancelled run here, and may raise.
        carry::collect(|| {
            if wait {
                blocking::wait(py, || executor.shutdown(true, cancel_futures))
            } else {
                py.detach(|| executor.shutdown(false, cancel_futures));
                Ok(())
            }
        })?
    }

    /// In a forked child: forget the parent's workers, so the next submit starts new ones.
    fn _reinit_after_fork(&self) -> PyResult<()> {
        // SAFETY: the façade calls this only from `os.register_at_fork(after_in_child=...)`,
        // in the child right after the fork, before any other thread of the child exists.
        unsafe { self.executor()?.reinit_after_fork() };
        Ok(())
    }

    /// The most worker threads (the stdlib's private `_max_workers`).
    #[getter]
    fn _max_workers(&self) -> PyResult<usize> {
        Ok(self.executor()?.max_workers())
    }

    /// The stdlib's private `_thread_name_prefix`.
    #[getter]
    fn _thread_name_prefix(&self) -> PyResult<String> {
        Ok(self.executor()?.thread_name_prefix().to_owned())
    }

    /// The stdlib's private `_broken`: False, or why the pool is broken.
    #[getter]
    fn _broken(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let executor = self.executor()?;
        Ok(if executor.is_broken() {
            threadkit::futures::BrokenThreadPool
                .to_string()
                .into_pyobject(py)?
                .into_any()
                .unbind()
        } else {
            false.into_pyobject(py)?.to_owned().into_any().unbind()
        })
    }

    /// The stdlib's private `_shutdown`.
    #[getter]
    fn _shutdown(&self) -> PyResult<bool> {
        Ok(self.executor()?.is_shutdown())
    }

    /// Calls queued and not yet started (beyond the stdlib).
    #[getter]
    fn pending_tasks(&self) -> PyResult<usize> {
        Ok(self.executor()?.pending())
    }

    /// Calls running now (beyond the stdlib).
    #[getter]
    fn running_tasks(&self) -> PyResult<usize> {
        Ok(self.executor()?.running())
    }

    /// Calls finished so far (beyond the stdlib).
    #[getter]
    fn completed_tasks(&self) -> PyResult<u64> {
        Ok(self.executor()?.completed())
    }
}

/// A count the core checks: one that is not positive is 0, which the core refuses with the
/// stdlib's message.
fn count(value: &Bound<'_, PyAny>) -> PyResult<usize> {
    if value.le(0)? { Ok(0) } else { value.extract() }
}

/// `LOGGER.critical('Exception in initializer:', exc_info=True)`, as the stdlib's worker does.
fn log_initializer_failure(py: Python<'_>, error: PyErr) {
    log_failure(py, "critical", ("Exception in initializer:",), error, None);
}
