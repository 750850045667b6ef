//! Starting a [`Thread`]: the OS thread's spawn, and the body every thread threadkit starts runs —
//! its target, the excepthook for a panic, the teardown of its `Local`s. The one place the handle
//! (`thread.rs`) and the excepthook (`excepthook.rs`, which names the handle) meet, above both.

use std::panic::{self, AssertUnwindSafe};

use crate::loom::atomic::Ordering;
#[cfg(doc)]
use crate::thread::enumerate;
use crate::thread::error::StartError;
use crate::thread::thread::{
    self, FINISHED, Kind, NEW, STARTED, STARTING, Thread, lock, unregister,
};
use crate::thread::{excepthook, ident, local};

impl Thread {
    /// Starts the thread and returns once it runs: its [`ident`](Thread::ident) and
    /// [`native_id`](Thread::native_id) are set and it is in [`enumerate`].
    ///
    /// Python: `thread.start()`.
    ///
    /// # Errors
    ///
    /// [`StartError::AlreadyStarted`] if `start` was called before (or this is the main thread or
    /// a dummy thread); [`StartError::Spawn`] if the operating system cannot create a thread, in
    /// which case the thread stays unstarted and `start` may be tried again.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use threadkit::thread::{self, StartError, Thread};
    ///
    /// let ran = Arc::new(AtomicBool::new(false));
    /// let worker = {
    ///     let ran = Arc::clone(&ran);
    ///     Thread::new(move || ran.store(true, Ordering::Relaxed))
    /// };
    /// worker.start().unwrap();
    /// assert!(worker.ident().is_some()); // set once `start` returns
    /// worker.join(None).unwrap();
    /// assert!(ran.load(Ordering::Relaxed));
    /// assert!(matches!(worker.start(), Err(StartError::AlreadyStarted)));
    /// assert!(matches!(thread::main_thread().start(), Err(StartError::AlreadyStarted)));
    /// ```
    pub fn start(&self) -> Result<(), StartError> {
        let inner = &self.inner;
        if inner.kind != Kind::Regular
            || inner
                .state
                .compare_exchange(NEW, STARTING, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Err(StartError::AlreadyStarted);
        }
        excepthook::install_panic_filter();
        let ident = ident::new_ident();
        inner.ident.store(ident, Ordering::Relaxed);
        self.register();
        let mut builder = std::thread::Builder::new();
        let name = self.name();
        if !name.contains('\0') {
            builder = builder.name(name);
        }
        // The global setting as it is now, when the thread starts, not when it was built.
        let global = Some(ident::stack_size()).filter(|&size| size != 0);
        if let Some(size) = inner.stack_size.or(global) {
            builder = builder.stack_size(size);
        }
        let child = self.clone();
        if let Err(error) = builder.spawn(move || child.bootstrap(ident)) {
            unregister(ident);
            inner.ident.store(0, Ordering::Relaxed);
            inner.state.store(NEW, Ordering::Relaxed);
            return Err(StartError::Spawn(error));
        }
        // Like CPython, wait until the new thread has published its identity.
        self.wait_for(STARTED, None);
        Ok(())
    }

    /// The body of every thread threadkit starts.
    fn bootstrap(self, ident: u64) {
        let inner = &self.inner;
        ident::adopt(ident);
        thread::adopt_current(&self);
        inner
            .native_id
            .store(ident::get_native_id(), Ordering::Relaxed);
        self.set_state(STARTED);
        let target = lock(&inner.target).take();
        if let Some(target) = target
            && let Err(payload) = excepthook::run_target(target)
        {
            excepthook::report(&self, payload);
        }
        // Values of `Local`s die with their thread, before `join` returns.
        let _ = panic::catch_unwind(AssertUnwindSafe(local::clear_current_thread));
        unregister(ident);
        self.set_state(FINISHED);
    }
}
