//! Context propagation, opt-in (`ThreadPoolExecutor(propagate_context=True)`): each submitted
//! call runs in a copy of the submitting thread's `contextvars` context, taken at submit time,
//! as `asyncio.to_thread` and 3.14's `Thread(context=...)` do for their calls.
//!
//! The call `fn(*args)` is queued as `Context.run(copy, fn, *args)`: the copy is the call's own,
//! so what the call sets stays in it, and nothing leaks back into the submitter or into other
//! calls.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;

/// `contextvars.copy_context` and the unbound `contextvars.Context.run`, looked up once.
struct Contextvars {
    copy_context: Py<PyAny>,
    run: Py<PyAny>,
}

fn contextvars(py: Python<'_>) -> PyResult<&Contextvars> {
    static CONTEXTVARS: PyOnceLock<Contextvars> = PyOnceLock::new();
    CONTEXTVARS.get_or_try_init(py, || {
        let module = py.import(intern!(py, "contextvars"))?;
        Ok(Contextvars {
            copy_context: module.getattr(intern!(py, "copy_context"))?.unbind(),
            run: module
                .getattr(intern!(py, "Context"))?
                .getattr(intern!(py, "run"))?
                .unbind(),
        })
    })
}

/// `fn(*args)` as the call that runs it in a copy of the current context:
/// `(Context.run, (copy, fn, *args))`.
pub(super) fn in_copy_of_current(
    py: Python<'_>,
    r#fn: Py<PyAny>,
    args: Py<PyTuple>,
) -> PyResult<(Py<PyAny>, Py<PyTuple>)> {
    let contextvars = contextvars(py)?;
    let copy = contextvars.copy_context.call0(py)?;
    let args = args.bind(py);
    let mut run_args = Vec::with_capacity(args.len() + 2);
    run_args.push(copy);
    run_args.push(r#fn);
    run_args.extend(args.iter().map(Bound::unbind));
    Ok((
        contextvars.run.clone_ref(py),
        PyTuple::new(py, run_args)?.unbind(),
    ))
}
