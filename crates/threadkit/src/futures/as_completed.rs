//! [`as_completed`]: iterate over futures as they complete, like
//! `concurrent.futures.as_completed`.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::wait::distinct;
use super::waiter::{Waiter, WaiterKind};
use super::{AsCompletedError, Future};
use crate::timeout;

/// Yields the given futures as they complete: first those already done, then each as it finishes
/// or its cancellation is noticed.
///
/// Python: `concurrent.futures.as_completed(fs, timeout)`. Duplicates are yielded once. If the
/// futures are not all done within `timeout` (counted from this call), the iterator yields one
/// [`AsCompletedError`] ("N (of M) futures unfinished") and ends.
///
/// # Differences from CPython
///
/// CPython starts the clock at the first `next()`; threadkit at the call.
///
/// # Examples
///
/// ```
/// use threadkit::futures::{as_completed, ThreadPoolExecutor};
///
/// let pool = ThreadPoolExecutor::new(Some(4)).unwrap();
/// let futures: Vec<_> = (1..=4).map(|n| pool.submit(move || n * 10).unwrap()).collect();
/// let mut total = 0;
/// for future in as_completed(&futures, None) {
///     total += future.unwrap().result(None).unwrap();
/// }
/// assert_eq!(total, 100);
/// ```
pub fn as_completed<T, E>(
    futures: &[Future<T, E>],
    timeout: Option<Duration>,
) -> AsCompleted<T, E> {
    let deadline = timeout::deadline(timeout);
    let futures = distinct(futures);
    let waiter = Arc::new(Waiter::new(WaiterKind::EachCompletion, 0));
    let mut ready = VecDeque::new();
    let mut registered = Vec::new();
    for (index, future) in futures.iter().enumerate() {
        if future.notified() || !future.add_waiter(&waiter, index) {
            ready.push_back(index);
        } else {
            registered.push(index);
        }
    }
    AsCompleted {
        total: futures.len(),
        pending: registered.len(),
        futures,
        waiter,
        registered,
        ready,
        deadline,
        ended: false,
    }
}

/// The iterator [`as_completed`] returns.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use threadkit::futures::{as_completed, ThreadPoolExecutor};
///
/// let pool = ThreadPoolExecutor::new(Some(2)).unwrap();
/// let (release, blocked) = mpsc::channel::<()>();
/// let slow = pool.submit(move || blocked.recv().map(|()| "slow").unwrap()).unwrap();
/// let fast = pool.submit(|| "fast").unwrap();
/// fast.result(None).unwrap();
/// let mut completed = as_completed(&[slow, fast], None);
/// // The finished future comes first, whatever the order given.
/// assert_eq!(completed.next().unwrap().unwrap().result(None), Ok("fast"));
/// release.send(()).unwrap();
/// assert_eq!(completed.next().unwrap().unwrap().result(None), Ok("slow"));
/// assert!(completed.next().is_none());
/// ```
pub struct AsCompleted<T, E> {
    futures: Vec<Future<T, E>>,
    waiter: Arc<Waiter>,
    registered: Vec<usize>,
    ready: VecDeque<usize>,
    pending: usize,
    total: usize,
    deadline: Option<Instant>,
    ended: bool,
}

impl<T, E> AsCompleted<T, E> {
    /// The next future that has already completed, without waiting (and without running out of
    /// time): `None` when none is ready now, though more may come.
    ///
    /// ```
    /// use threadkit::futures::{as_completed, Future};
    ///
    /// let done: Future<u8, ()> = Future::new();
    /// done.set_result(1).unwrap();
    /// let pending: Future<u8, ()> = Future::new();
    /// let mut completed = as_completed(&[done, pending.clone()], None);
    /// assert!(completed.try_next().is_some());
    /// assert!(completed.try_next().is_none());
    /// pending.set_result(2).unwrap();
    /// assert!(completed.try_next().unwrap().ptr_eq(&pending));
    /// ```
    pub fn try_next(&mut self) -> Option<Future<T, E>> {
        if self.ready.is_empty() && self.pending > 0 && !self.ended {
            let finished = self.waiter.take_finished();
            self.pending -= finished.len();
            self.ready.extend(finished);
        }
        self.ready.pop_front().map(|index| self.yielded(index))
    }

    /// The future at `index`, handed back as done: its outcome counts as observed.
    fn yielded(&self, index: usize) -> Future<T, E> {
        let future = &self.futures[index];
        future.observe();
        future.clone()
    }
}

impl<T, E> Iterator for AsCompleted<T, E> {
    type Item = Result<Future<T, E>, AsCompletedError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(index) = self.ready.pop_front() {
                return Some(Ok(self.yielded(index)));
            }
            if self.pending == 0 || self.ended {
                return None;
            }
            if timeout::expired(self.deadline) {
                self.ended = true;
                return Some(Err(AsCompletedError {
                    unfinished: self.pending,
                    total: self.total,
                }));
            }
            self.waiter.wait(self.deadline);
            let finished = self.waiter.take_finished();
            self.pending -= finished.len();
            self.ready.extend(finished);
        }
    }
}

impl<T, E> Drop for AsCompleted<T, E> {
    fn drop(&mut self) {
        for &index in &self.registered {
            self.futures[index].remove_waiter(&self.waiter);
        }
    }
}

impl<T, E> fmt::Debug for AsCompleted<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("total", &self.total)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}
