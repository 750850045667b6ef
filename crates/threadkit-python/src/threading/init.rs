//! What the subclassable classes share: state set once by `__init__`, and the stdlib's repr
//! names.
//!
//! The stdlib's `Condition`, `Semaphore`, `BoundedSemaphore` and `Barrier` are Python classes,
//! and their subclasses commonly give `__init__` a signature of their own, then call
//! `super().__init__(...)` with the real arguments. So, as in Python, `__new__` accepts any
//! arguments and makes an empty object, and `__init__` builds the core primitive into a
//! set-once cell (the classes are `frozen`). A method called before `__init__` ran raises
//! `AttributeError`, as the stdlib's do (their attributes do not exist yet).

use std::sync::OnceLock;

use pyo3::exceptions::{PyAttributeError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::{PyTypeInfo, intern};

/// A native object's state, set by its `__init__`.
#[derive(Debug)]
pub(crate) struct Init<T> {
    /// The Python class name, for the errors.
    class: &'static str,
    state: OnceLock<T>,
}

impl<T> Init<T> {
    /// An object of `class` whose `__init__` has not run yet.
    pub(crate) const fn new(class: &'static str) -> Self {
        Init {
            class,
            state: OnceLock::new(),
        }
    }

    /// The state `__init__` set.
    ///
    /// # Errors
    ///
    /// `AttributeError` if `__init__` has not run.
    #[inline]
    pub(crate) fn get(&self) -> PyResult<&T> {
        self.state.get().ok_or_else(|| {
            let class = self.class;
            PyAttributeError::new_err(format!(
                "'{class}' object is not initialised: {class}.__init__() was not called"
            ))
        })
    }

    /// Sets the state, from `__init__`.
    ///
    /// # Errors
    ///
    /// `RuntimeError` if `__init__` already ran: the primitive may be in use, so it is not
    /// replaced under its users.
    pub(crate) fn set(&self, state: T) -> PyResult<()> {
        self.state.set(state).map_err(|_| {
            PyRuntimeError::new_err(format!("{}.__init__() may only be called once", self.class))
        })
    }

    /// The state, if `__init__` ran.
    pub(crate) fn try_get(&self) -> Option<&T> {
        self.state.get()
    }
}

/// The class path the stdlib's reprs show: `threading.<name>` for threadkit's own class (the
/// stdlib's wording), `module.qualname` of a subclass (as the stdlib shows a subclass).
pub(crate) fn repr_name<T: PyTypeInfo>(slf: &Bound<'_, T>, name: &str) -> PyResult<String> {
    let py = slf.py();
    let class = slf.as_any().get_type();
    if class.is(py.get_type::<T>()) {
        return Ok(format!("threading.{name}"));
    }
    Ok(format!(
        "{}.{}",
        class.getattr(intern!(py, "__module__"))?,
        class.getattr(intern!(py, "__qualname__"))?
    ))
}
