//! Helpers shared by the integration tests: every test that can block runs under a deadline.
#![allow(dead_code)]

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long a test that should finish quickly may take before it counts as hung.
pub const LIMIT: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread and returns its result; panics if it takes longer than `limit`
/// (a deadlock then fails the test instead of hanging the run). A panic in `f` is re-raised.
pub fn bounded<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = thread::Builder::new()
        .name("bounded-test".into())
        .spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        })
        .expect("spawn test thread");
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => {
            worker.join().unwrap();
            value
        }
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("test did not finish within {limit:?}: probable deadlock"),
    }
}

/// `bounded` with the default [`LIMIT`].
pub fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    bounded(LIMIT, f)
}

/// Polls `condition` every millisecond until it holds; panics after [`LIMIT`].
pub fn wait_until(mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < LIMIT,
            "condition not reached within {LIMIT:?}"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

/// Iterations for stress loops: smaller in debug builds, full size in release.
pub fn iterations(release: usize) -> usize {
    if cfg!(debug_assertions) {
        release / 20
    } else {
        release
    }
}
