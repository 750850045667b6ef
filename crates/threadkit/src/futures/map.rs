//! [`Map`]: the ordered, optionally bounded iterator of
//! [`ThreadPoolExecutor::map`](super::ThreadPoolExecutor::map).

use std::collections::VecDeque;
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Future, MapError, SubmitError, ThreadPoolExecutor};
use crate::timeout;

/// The results of [`ThreadPoolExecutor::map`], in the items' order.
///
/// Python: the generator `Executor.map` returns. With a `buffersize`, each `next` submits one more
/// item (if any) before waiting for the oldest result, so at most `buffersize` calls are
/// submitted ahead of the results yielded. After an error the iterator ends; dropping it cancels
/// the calls that have not started.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use threadkit::futures::ThreadPoolExecutor;
///
/// let pool = ThreadPoolExecutor::new(Some(4)).unwrap();
/// // With a buffer of two, the items are read lazily, two calls ahead of the results.
/// let lengths = pool.map(|word: &str| word.len(), ["a", "bb", "ccc"], None, NonZeroUsize::new(2));
/// let lengths: Vec<usize> = lengths.unwrap().map(Result::unwrap).collect();
/// assert_eq!(lengths, [1, 2, 3]); // in the items' order
/// ```
pub struct Map<'a, I, F, T> {
    executor: &'a ThreadPoolExecutor,
    items: I,
    call: Arc<F>,
    futures: VecDeque<Future<T>>,
    buffered: bool,
    deadline: Option<Instant>,
    ended: bool,
}

impl<'a, I, F, T> Map<'a, I, F, T>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> T + Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    pub(crate) fn new(
        executor: &'a ThreadPoolExecutor,
        call: F,
        items: I,
        timeout: Option<Duration>,
        buffersize: Option<NonZeroUsize>,
    ) -> Result<Self, SubmitError> {
        let mut map = Map {
            executor,
            items,
            call: Arc::new(call),
            futures: VecDeque::new(),
            buffered: buffersize.is_some(),
            deadline: timeout::deadline(timeout),
            ended: false,
        };
        let first = buffersize.map_or(usize::MAX, NonZeroUsize::get);
        while map.futures.len() < first {
            let Some(item) = map.items.next() else { break };
            let future = map.submit(item)?;
            map.futures.push_back(future);
        }
        Ok(map)
    }

    fn submit(&self, item: I::Item) -> Result<Future<T>, SubmitError> {
        let call = Arc::clone(&self.call);
        self.executor.submit(move || call(item))
    }

    /// Ends the iteration and cancels the calls not yet started.
    fn end(&mut self) {
        self.ended = true;
        for future in self.futures.drain(..) {
            future.cancel();
        }
    }
}

impl<I, F, T> Iterator for Map<'_, I, F, T>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> T + Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    type Item = Result<T, MapError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        if self.buffered
            && !self.futures.is_empty()
            && let Some(item) = self.items.next()
        {
            match self.submit(item) {
                Ok(future) => self.futures.push_back(future),
                Err(error) => {
                    self.end();
                    return Some(Err(error.into()));
                }
            }
        }
        let future = self.futures.pop_front()?;
        let timeout = self
            .deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()));
        // The futures are this iterator's own: it takes the value out instead of cloning it.
        let result = future.take_outcome(timeout);
        // CPython's `_result_or_cancel`: a future we gave up on is cancelled.
        future.cancel();
        match result {
            Ok(value) => Some(Ok(value)),
            Err(error) => {
                self.end();
                Some(Err(error.into()))
            }
        }
    }
}

impl<I, F, T> Drop for Map<'_, I, F, T> {
    fn drop(&mut self) {
        for future in self.futures.drain(..) {
            future.cancel();
        }
    }
}

impl<I, F, T> fmt::Debug for Map<'_, I, F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("in_flight", &self.futures.len())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}
