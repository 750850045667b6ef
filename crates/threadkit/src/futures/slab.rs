//! [`Slab`]: an executor's store of reusable blocks for its futures, so that a submit allocates
//! nothing once the pool has run as many futures at once as it runs now (see "Futures without a
//! heap allocation each" in `executor/README.md`).
//!
//! A block is raw memory of one of [`CLASSES`] sizes, a multiple of [`STEP`] bytes, aligned to
//! [`ALIGN`]. A future's state (`future::Inner`) is written into the smallest block it fits and,
//! when its last reference goes, dropped in place and its block given back here, to the free list
//! of its size. Blocks are allocated one at a time, when a free list is empty, and freed only
//! when the slab goes — after the executor and every future it made, as each future holds an
//! `Arc` of the slab (its `home`).

use std::alloc::{self, Layout};
use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;

use parking_lot::Mutex;

/// The size classes: blocks of `STEP`, `2 * STEP`, … `CLASSES * STEP` bytes.
const CLASSES: usize = 8;
const STEP: usize = 32;
/// Every block's alignment; a state that needs more goes to the global allocator.
const ALIGN: usize = 16;

/// An executor's free blocks, one list per size class.
///
/// The lists' locks are parking_lot's, so that a forked child can force them open
/// ([`reinit_after_fork`](Slab::reinit_after_fork)); loom does not see them, which the models do
/// not need: nothing inside a critical section is a loom operation, so loom never switches
/// threads while a list is locked, and a reused block is filled with new loom objects.
pub(crate) struct Slab {
    free: [Mutex<Vec<Block>>; CLASSES],
}

/// A free block (only its address: the class it sits in gives its size).
struct Block(NonNull<u8>);

// SAFETY: a free block is raw memory that nobody references; whoever takes it owns it.
unsafe impl Send for Block {}

impl Slab {
    pub(crate) fn new() -> Self {
        Slab {
            free: std::array::from_fn(|_| Mutex::new(Vec::new())),
        }
    }

    /// The size class of `layout`, if a block can hold it.
    fn class(layout: Layout) -> Option<usize> {
        (layout.align() <= ALIGN && (1..=CLASSES * STEP).contains(&layout.size()))
            .then(|| layout.size().div_ceil(STEP) - 1)
    }

    /// The layout of the blocks of `class`.
    fn block_layout(class: usize) -> Layout {
        // `ALIGN` is a power of two and the size a multiple of it, far below `isize::MAX`.
        Layout::from_size_align((class + 1) * STEP, ALIGN).unwrap()
    }

    /// A block for a value of `layout`: a free one, or a new one. `None` if no class holds the
    /// layout (the caller allocates globally then).
    pub(crate) fn take(&self, layout: Layout) -> Option<NonNull<u8>> {
        let class = Slab::class(layout)?;
        if let Some(Block(block)) = self.free[class].lock().pop() {
            return Some(block);
        }
        let layout = Slab::block_layout(class);
        // SAFETY: the layout's size is not zero.
        let block = unsafe { alloc::alloc(layout) };
        Some(NonNull::new(block).unwrap_or_else(|| alloc::handle_alloc_error(layout)))
    }

    /// Gives back `block`, which held a value of `layout`.
    ///
    /// # Safety
    ///
    /// `block` came from [`take`](Slab::take) on this slab with the same `layout`, and nothing
    /// uses it any more: the value in it was dropped or moved out.
    pub(crate) unsafe fn give_back(&self, block: NonNull<u8>, layout: Layout) {
        let class = Slab::class(layout).expect("a block taken for this layout");
        // The lock orders every access to the block so far before its next owner's (`take`).
        self.free[class].lock().push(Block(block));
    }

    /// Makes the slab usable in the child of a `fork`: a list that a thread of the parent held
    /// locked at the fork, perhaps mid-change, is forced open and forgotten (its blocks leak).
    ///
    /// # Safety
    ///
    /// As [`ThreadPoolExecutor::reinit_after_fork`](super::ThreadPoolExecutor::reinit_after_fork):
    /// only in a fork child that has started no thread yet.
    pub(crate) unsafe fn reinit_after_fork(&self) {
        for free in &self.free {
            if free.is_locked() {
                // SAFETY: the caller guarantees a fork child with no other thread: the holder
                // does not exist, so no guard is alive.
                unsafe { free.force_unlock(parking_lot::lock_api::GuardNoSend::new()) };
                std::mem::forget(std::mem::take(&mut *free.lock()));
            }
        }
    }
}

/// Where a block came from and goes back to: a slab, or (`None`) the global allocator.
pub(crate) type Home = Option<Arc<Slab>>;

/// A block for a value of `layout` (not zero-sized): one of `slab`'s if it has a class for the
/// layout, else a global allocation; and where it goes back.
pub(crate) fn allocate(slab: Option<&Arc<Slab>>, layout: Layout) -> (NonNull<u8>, Home) {
    if let Some(slab) = slab
        && let Some(block) = slab.take(layout)
    {
        return (block, Some(Arc::clone(slab)));
    }
    // SAFETY: the caller's layout is not zero-sized.
    let block = unsafe { alloc::alloc(layout) };
    let block = NonNull::new(block).unwrap_or_else(|| alloc::handle_alloc_error(layout));
    (block, None)
}

/// Gives back `block`, allocated for `layout` by [`allocate`], which returned `home`.
///
/// # Safety
///
/// As [`Slab::give_back`]: nothing uses the block any more.
pub(crate) unsafe fn deallocate(block: NonNull<u8>, layout: Layout, home: Home) {
    match home {
        // SAFETY: the caller's contract; the block came from this slab's `take` for `layout`.
        Some(slab) => unsafe { slab.give_back(block, layout) },
        // SAFETY: the caller's contract; the block came from the global `alloc` with `layout`.
        None => unsafe { alloc::dealloc(block.as_ptr(), layout) },
    }
}

impl Drop for Slab {
    fn drop(&mut self) {
        for (class, free) in self.free.iter_mut().enumerate() {
            let layout = Slab::block_layout(class);
            for Block(block) in free.get_mut().drain(..) {
                // SAFETY: every block was allocated in `take` with its class's layout, and the
                // slab goes last: no future of it is left, so every block is free.
                unsafe { alloc::dealloc(block.as_ptr(), layout) };
            }
        }
    }
}

impl fmt::Debug for Slab {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slab").finish_non_exhaustive()
    }
}

#[cfg(all(test, not(threadkit_loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_block_given_back_is_the_next_taken_for_its_class() {
        let slab = Slab::new();
        let layout = Layout::new::<[u64; 9]>(); // 72 bytes: the 96-byte class
        let first = slab.take(layout).unwrap();
        let other = slab.take(Layout::new::<[u64; 4]>()).unwrap(); // 32 bytes, another class
        // SAFETY: both came from `take` with these layouts and hold nothing.
        unsafe {
            slab.give_back(first, layout);
            slab.give_back(other, Layout::new::<[u64; 4]>());
        }
        assert_eq!(slab.take(Layout::new::<[u8; 70]>()), Some(first));
        let second = slab.take(layout).unwrap();
        assert_ne!(second, first, "taken already");
        // SAFETY: as above.
        unsafe {
            slab.give_back(first, layout);
            slab.give_back(second, layout);
        }
    }

    #[test]
    fn a_list_locked_by_a_thread_gone_at_a_fork_is_forced_open() {
        let slab = Slab::new();
        let layout = Layout::new::<[u64; 9]>();
        let block = slab.take(layout).unwrap();
        // SAFETY: from `take` with this layout, holding nothing.
        unsafe { slab.give_back(block, layout) };
        // What a fork leaves of a parent's thread inside `give_back`: a lock nobody will release.
        std::mem::forget(slab.free[Slab::class(layout).unwrap()].lock());
        // SAFETY: no other thread uses the slab, and the only guard was forgotten.
        unsafe { slab.reinit_after_fork() };
        let fresh = slab.take(layout).unwrap();
        assert_ne!(fresh, block, "the locked list was forgotten, not read");
        // SAFETY: from `take` with this layout, holding nothing.
        unsafe { slab.give_back(fresh, layout) };
    }

    #[test]
    fn what_no_class_holds_is_refused() {
        let slab = Slab::new();
        assert_eq!(slab.take(Layout::new::<[u8; 257]>()), None);
        assert_eq!(slab.take(Layout::new::<()>()), None);
        assert_eq!(slab.take(Layout::from_size_align(64, 64).unwrap()), None);
    }
}
