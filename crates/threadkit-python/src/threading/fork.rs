//! The glue's part in `fork`: the hook `threadkit.threading` registers with
//! `os.register_at_fork(after_in_child=...)`.

use pyo3::prelude::*;

/// In a forked child: the threads that were parked in threadkit waits in the parent do not exist
/// here, so wake-ups must skip their leftover entries (see [`threadkit::after_fork_in_child`]).
#[pyfunction]
pub(crate) fn _after_fork_in_child() {
    threadkit::after_fork_in_child();
    crate::blocking::after_fork_in_child();
}
