//! [`wait`]: block until some or all of a set of futures are done, like
//! `concurrent.futures.wait`.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::Future;
use super::waiter::{Completion, Waiter, WaiterKind};
use crate::timeout;

/// When [`wait`] returns.
///
/// Python: the `FIRST_COMPLETED`, `FIRST_EXCEPTION` and `ALL_COMPLETED` constants.
///
/// # Examples
///
/// ```
/// use threadkit::futures::{wait, Future, ReturnWhen};
///
/// let ok: Future<u8, &str> = Future::new();
/// let failed: Future<u8, &str> = Future::new();
/// let pending: Future<u8, &str> = Future::new();
/// let all = [ok.clone(), failed.clone(), pending.clone()];
/// ok.set_result(1).unwrap();
/// assert_eq!(wait(&all, None, ReturnWhen::FirstCompleted).done.len(), 1);
/// std::thread::spawn(move || failed.set_exception("broken").unwrap()).join().unwrap();
/// // A failure ends the wait although `pending` is not done.
/// let outcome = wait(&all, None, ReturnWhen::FirstException);
/// assert_eq!((outcome.done.len(), outcome.not_done.len()), (2, 1));
/// assert_eq!(ReturnWhen::default(), ReturnWhen::AllCompleted);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnWhen {
    /// As soon as any future finishes or is cancelled (Python: `FIRST_COMPLETED`).
    FirstCompleted,
    /// As soon as any future fails; like `AllCompleted` if none does (Python: `FIRST_EXCEPTION`).
    FirstException,
    /// When every future is done (Python: `ALL_COMPLETED`).
    #[default]
    AllCompleted,
}

/// The futures [`wait`] found done and not done.
///
/// Python: the `DoneAndNotDoneFutures` named tuple (of sets; here vectors, in the order given,
/// without duplicates).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threadkit::futures::{wait, ReturnWhen, ThreadPoolExecutor};
///
/// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
/// let (release, blocked) = std::sync::mpsc::channel::<()>();
/// let quick = pool.submit(|| "quick").unwrap();
/// let stuck = pool.submit(move || blocked.recv().map(|()| "stuck").unwrap()).unwrap();
/// quick.result(None).unwrap();
/// let futures = [quick.clone(), stuck.clone(), quick.clone()];
/// let outcome = wait(&futures, Some(Duration::from_millis(1)), ReturnWhen::AllCompleted);
/// // Duplicates appear once; the order is the order given.
/// assert!(outcome.done.len() == 1 && outcome.done[0].ptr_eq(&quick));
/// assert!(outcome.not_done.len() == 1 && outcome.not_done[0].ptr_eq(&stuck));
/// release.send(()).unwrap();
/// assert_eq!(stuck.result(None), Ok("stuck"));
/// ```
pub struct DoneAndNotDone<T, E> {
    /// Finished futures, and cancelled ones whose cancellation was noticed.
    pub done: Vec<Future<T, E>>,
    /// The others.
    pub not_done: Vec<Future<T, E>>,
}

impl<T, E> std::fmt::Debug for DoneAndNotDone<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DoneAndNotDone")
            .field("done", &self.done)
            .field("not_done", &self.not_done)
            .finish()
    }
}

/// The futures in `futures` without duplicates, in their first order.
pub(crate) fn distinct<T, E>(futures: &[Future<T, E>]) -> Vec<Future<T, E>> {
    let mut seen = HashSet::with_capacity(futures.len());
    futures
        .iter()
        .filter(|future| seen.insert(future.id()))
        .cloned()
        .collect()
}

/// Removes a waiter from the futures it was registered on, also when a wait unwinds.
pub(crate) struct Registration<'a, T, E> {
    pub(crate) futures: &'a [Future<T, E>],
    pub(crate) waiter: Arc<Waiter>,
    pub(crate) registered: Vec<usize>,
}

impl<'a, T, E> Registration<'a, T, E> {
    /// Registers `waiter` on each future at `indexes`; a future that turns out to be done
    /// already is reported to the waiter at once.
    pub(crate) fn new(
        futures: &'a [Future<T, E>],
        waiter: Waiter,
        indexes: impl IntoIterator<Item = usize>,
    ) -> Self {
        let mut registration = Registration {
            futures,
            waiter: Arc::new(waiter),
            registered: Vec::new(),
        };
        for index in indexes {
            let future = &futures[index];
            if future.add_waiter(&registration.waiter, index) {
                registration.registered.push(index);
            } else if let Some(completion) = future.completion() {
                registration.waiter.notify(index, completion);
            }
        }
        registration
    }
}

impl<T, E> Drop for Registration<'_, T, E> {
    fn drop(&mut self) {
        for &index in &self.registered {
            self.futures[index].remove_waiter(&self.waiter);
        }
    }
}

/// Waits at most `timeout` (`None`: forever) until the futures are done as `return_when` asks.
///
/// Python: `concurrent.futures.wait(fs, timeout, return_when)`. A future counts as done when it
/// finished, or was cancelled and whoever would have run it noticed
/// ([`Future::set_running_or_notify_cancel`]); a future cancelled while still queued in an
/// executor that will never run it again (shut down with `cancel_futures`) stays not done, as in
/// CPython. With `FirstException`, a future that already failed makes `wait` return at once.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use threadkit::futures::{wait, ReturnWhen, ThreadPoolExecutor};
///
/// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
/// let quick = pool.submit(|| 1).unwrap();
/// let slow = pool.submit(|| {
///     std::thread::sleep(Duration::from_millis(50));
///     2
/// }).unwrap();
/// let outcome = wait(&[quick.clone(), slow], None, ReturnWhen::FirstCompleted);
/// assert!(!outcome.done.is_empty());
/// assert!(outcome.done.iter().all(|future| future.done()));
/// ```
pub fn wait<T, E>(
    futures: &[Future<T, E>],
    timeout: Option<Duration>,
    return_when: ReturnWhen,
) -> DoneAndNotDone<T, E> {
    let deadline = timeout::deadline(timeout);
    let futures = distinct(futures);
    let mut done: Vec<bool> = futures.iter().map(Future::notified).collect();
    let done_count = done.iter().filter(|&&done| done).count();
    let already = match return_when {
        ReturnWhen::FirstCompleted => done_count > 0,
        ReturnWhen::FirstException => futures
            .iter()
            .any(|future| future.completion() == Some(Completion::Exception)),
        ReturnWhen::AllCompleted => false,
    };
    if !already && done_count < futures.len() {
        let kind = match return_when {
            ReturnWhen::FirstCompleted => WaiterKind::EachCompletion,
            ReturnWhen::FirstException => WaiterKind::AllCompleted {
                stop_on_exception: true,
            },
            ReturnWhen::AllCompleted => WaiterKind::AllCompleted {
                stop_on_exception: false,
            },
        };
        let pending: Vec<usize> = (0..futures.len()).filter(|&index| !done[index]).collect();
        let registration = Registration::new(&futures, Waiter::new(kind, pending.len()), pending);
        let waiter = Arc::clone(&registration.waiter);
        waiter.wait(deadline);
        drop(registration);
        for index in waiter.take_finished() {
            done[index] = true;
        }
    }
    let mut outcome = DoneAndNotDone {
        done: Vec::new(),
        not_done: Vec::new(),
    };
    for (future, done) in futures.into_iter().zip(done) {
        if done {
            // Handed back as done: its outcome counts as observed.
            future.observe();
            outcome.done.push(future);
        } else {
            outcome.not_done.push(future);
        }
    }
    outcome
}
