//! [`PriorityQueue`]: smallest item first, like `queue.PriorityQueue`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{BlockingQueue, Storage, sealed};

/// A queue that hands out its smallest item first, with `task_done`/`join` and `shutdown`,
/// mirroring Python's `queue.PriorityQueue` (a `heapq` min-heap).
///
/// Items are typically `(priority, data)` tuples. All methods are those of [`BlockingQueue`],
/// which documents them.
///
/// # Differences from CPython
///
/// The item type must be [`Ord`]; Python compares items with `<` at run time. As with `heapq`,
/// items that compare equal come out in no particular order. An `Ord` implementation that panics
/// propagates the panic out of `put`/`get` and may lose the item being moved.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use threadkit::PriorityQueue;
///
/// let tasks = Arc::new(PriorityQueue::new(0));
/// let submitter = Arc::clone(&tasks);
/// thread::spawn(move || {
///     submitter.put((2, "write report"), None).unwrap();
///     submitter.put((1, "fix the build"), None).unwrap();
///     submitter.put((3, "lunch"), None).unwrap();
/// })
/// .join()
/// .unwrap();
/// assert_eq!(tasks.get(None), Ok((1, "fix the build")));
/// assert_eq!(tasks.get(None), Ok((2, "write report")));
/// ```
pub type PriorityQueue<T> = BlockingQueue<Heap<T>>;

/// The storage of a [`PriorityQueue`]: a binary min-heap.
///
/// # Examples
///
/// ```
/// use threadkit::queue::{BlockingQueue, Heap, Storage};
/// use threadkit::PriorityQueue;
///
/// // A `PriorityQueue` is a `BlockingQueue` over a `Heap`.
/// let tasks: BlockingQueue<Heap<(u8, &str)>> = PriorityQueue::new(0);
/// tasks.put((1, "urgent"), None).unwrap();
///
/// let mut items = Heap::init(0);
/// items.put(3);
/// items.put(1);
/// items.put(2);
/// assert_eq!(items.get(), Some(1)); // smallest first
/// assert_eq!(items.qsize(), 2);
/// ```
#[derive(Debug)]
pub struct Heap<T>(BinaryHeap<Reverse<T>>);

impl<T> sealed::Sealed for Heap<T> {}

impl<T: Ord> Storage for Heap<T> {
    type Item = T;

    fn init(maxsize: usize) -> Self {
        Heap(BinaryHeap::with_capacity(maxsize.min(super::PREALLOCATE)))
    }

    #[inline]
    fn qsize(&self) -> usize {
        self.0.len()
    }

    #[inline]
    fn put(&mut self, item: T) {
        self.0.push(Reverse(item));
    }

    #[inline]
    fn get(&mut self) -> Option<T> {
        self.0.pop().map(|Reverse(item)| item)
    }
}
