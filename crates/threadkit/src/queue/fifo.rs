//! [`Queue`]: first in, first out, like `queue.Queue`.

use std::collections::VecDeque;

use super::{BlockingQueue, Storage, sealed};

/// A first-in, first-out queue with `task_done`/`join` and `shutdown`, mirroring Python's
/// `queue.Queue`.
///
/// All methods are those of [`BlockingQueue`], which documents them, their differences from
/// CPython and their memory ordering.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::Queue;
///
/// let queue = Arc::new(Queue::new(2)); // at most two items waiting
/// let producer = {
///     let queue = Arc::clone(&queue);
///     thread::spawn(move || {
///         for n in 0..10 {
///             queue.put(n, None).unwrap(); // blocks while the queue is full
///         }
///     })
/// };
/// let received: Vec<i32> = (0..10).map(|_| queue.get(None).unwrap()).collect();
/// producer.join().unwrap();
/// assert_eq!(received, (0..10).collect::<Vec<_>>());
/// ```
pub type Queue<T> = BlockingQueue<Fifo<T>>;

/// The storage of a [`Queue`]: a ring buffer, oldest item out first.
///
/// # Examples
///
/// ```
/// use threadkit::queue::{BlockingQueue, Fifo, Storage};
/// use threadkit::Queue;
///
/// // A `Queue` is a `BlockingQueue` over a `Fifo`.
/// let queue: BlockingQueue<Fifo<char>> = Queue::new(0);
/// queue.put('a', None).unwrap();
///
/// let mut items = Fifo::init(0);
/// items.put('a');
/// items.put('b');
/// assert_eq!(items.get(), Some('a')); // oldest first
/// assert_eq!(items.qsize(), 1);
/// ```
#[derive(Debug)]
pub struct Fifo<T>(VecDeque<T>);

impl<T> sealed::Sealed for Fifo<T> {}

impl<T> Storage for Fifo<T> {
    type Item = T;

    const RING: bool = true;

    fn init(maxsize: usize) -> Self {
        Fifo(VecDeque::with_capacity(maxsize.min(super::PREALLOCATE)))
    }

    #[inline]
    fn qsize(&self) -> usize {
        self.0.len()
    }

    #[inline]
    fn put(&mut self, item: T) {
        self.0.push_back(item);
    }

    #[inline]
    fn get(&mut self) -> Option<T> {
        self.0.pop_front()
    }
}
