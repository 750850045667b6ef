//! PyO3 glue for the `threadkit` Python package: the extension module `threadkit._native`.
//!
//! This crate holds no threading logic: it converts Python arguments (`timeout.rs`), detaches from
//! the interpreter around every blocking call and lets signal handlers run (`blocking.rs`), and
//! maps the core's errors to the standard library's own exception classes (`errors.rs`); an
//! exception that Python code raises inside a core call is carried out of it by `carry.rs`. The
//! module tree below mirrors the package: `threadkit._native.threading` holds the classes that
//! `threadkit.threading` re-exports, `threadkit._native.queue` those of `threadkit.queue`, `threadkit._native.futures` those of
//! `threadkit.futures`.
#![deny(missing_docs, missing_debug_implementations)]

use pyo3::prelude::*;

mod blocking;
mod carry;
mod errors;
mod futures;
mod queue;
mod threading;
mod timeout;

/// `threadkit._native`: the native half of the `threadkit` package.
#[pymodule(name = "_native")]
mod native {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(module: &Bound<'_, PyModule>) -> PyResult<()> {
        super::register_submodules(module)
    }

    /// `threadkit._native.threading`: the primitives of `threadkit.threading`.
    #[pymodule]
    mod threading {
        #[pymodule_export]
        use crate::threading::{
            Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore,
        };

        // 3.15's iterator tools.
        #[pymodule_export]
        use crate::threading::{ConcurrentTee, SerializeIterator, concurrent_tee};

        // The hook `threadkit.threading` registers for a fork's child.
        #[pymodule_export]
        use crate::threading::_after_fork_in_child;

        // How many threads wait now, for tests of wake-ups.
        #[pymodule_export]
        use crate::blocking::_waiting;
    }

    /// `threadkit._native.queue`: the native queues of `threadkit.queue`.
    #[pymodule]
    mod queue {
        #[pymodule_export]
        use crate::queue::{Queue, SimpleQueue};
    }

    /// `threadkit._native.futures`: the native half of `threadkit.futures`.
    #[pymodule]
    mod futures {
        use pyo3::prelude::*;

        #[pymodule_export]
        use crate::futures::{
            _report_unobserved_failures, _set_future_type, _set_interpreter_shutdown, AsCompleted,
            Future, ThreadPoolExecutor, as_completed, wait,
        };

        /// The core's report hook, installed once: unobserved failures are logged when asked for.
        #[pymodule_init]
        fn init(_module: &Bound<'_, PyModule>) -> PyResult<()> {
            crate::futures::install_report_hook();
            Ok(())
        }
    }
}

/// The submodules of `threadkit._native`, one per module of the package.
const SUBMODULES: [&str; 3] = ["threading", "queue", "futures"];

/// Makes `import threadkit._native.threading` work, as for a package's submodule.
fn register_submodules(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let modules = py.import("sys")?.getattr("modules")?;
    for name in SUBMODULES {
        let submodule = module.getattr(name)?;
        submodule.setattr("__name__", format!("threadkit._native.{name}"))?;
        modules.set_item(format!("threadkit._native.{name}"), submodule)?;
    }
    Ok(())
}
