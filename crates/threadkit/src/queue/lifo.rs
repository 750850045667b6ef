//! [`LifoQueue`]: last in, first out, like `queue.LifoQueue`.

use super::{BlockingQueue, Storage, sealed};

/// A last-in, first-out queue (a stack) with `task_done`/`join` and `shutdown`, mirroring
/// Python's `queue.LifoQueue`.
///
/// All methods are those of [`BlockingQueue`], which documents them.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::LifoQueue;
///
/// let stack = Arc::new(LifoQueue::new(0));
/// let pusher = Arc::clone(&stack);
/// thread::spawn(move || {
///     for n in 1..=3 {
///         pusher.put(n, None).unwrap();
///     }
/// })
/// .join()
/// .unwrap();
/// let popped: Vec<i32> = (0..3).map(|_| stack.get(None).unwrap()).collect();
/// assert_eq!(popped, [3, 2, 1]);
/// ```
pub type LifoQueue<T> = BlockingQueue<Lifo<T>>;

/// The storage of a [`LifoQueue`]: a vector, newest item out first.
///
/// # Examples
///
/// ```
/// use threadkit::queue::{BlockingQueue, Lifo, Storage};
/// use threadkit::LifoQueue;
///
/// // A `LifoQueue` is a `BlockingQueue` over a `Lifo`.
/// let stack: BlockingQueue<Lifo<char>> = LifoQueue::new(0);
/// stack.put('a', None).unwrap();
///
/// let mut items = Lifo::init(0);
/// items.put('a');
/// items.put('b');
/// assert_eq!(items.get(), Some('b')); // newest first
/// assert_eq!(items.qsize(), 1);
/// ```
#[derive(Debug)]
pub struct Lifo<T>(Vec<T>);

impl<T> sealed::Sealed for Lifo<T> {}

impl<T> Storage for Lifo<T> {
    type Item = T;

    fn init(maxsize: usize) -> Self {
        Lifo(Vec::with_capacity(maxsize.min(super::PREALLOCATE)))
    }

    #[inline]
    fn qsize(&self) -> usize {
        self.0.len()
    }

    #[inline]
    fn put(&mut self, item: T) {
        self.0.push(item);
    }

    #[inline]
    fn get(&mut self) -> Option<T> {
        self.0.pop()
    }
}
