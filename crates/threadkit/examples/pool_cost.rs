//! What one task costs the executor and its peers, in heap allocations (counted here) and in
//! instructions (run it under `valgrind --tool=callgrind` with two task counts and divide the
//! difference): a measure that does not depend on how busy the machine is, unlike the
//! criterion benches in `benches/executor.rs`, which run the same cases.
//!
//! `cargo run --release --example pool_cost -- [CASE] [TASKS]`; without a case, every case.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use threadkit::futures::ThreadPoolExecutor;

/// The system allocator, counting allocations.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; counting has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const WINDOW: u64 = 1024;

/// A case: submits `tasks` trivial tasks, reads every result, and returns their sum.
type Case = fn(u64) -> u64;

/// The cases, as the benches run them.
const CASES: [(&str, Case); 6] = [
    ("threadkit submit then result", threadkit_submit),
    ("threadkit map buffersize=1024", threadkit_map),
    (
        "rayon spawn then one crossbeam channel",
        rayon_shared_channel,
    ),
    ("rayon spawn then a oneshot per task", rayon_oneshot),
    ("threadpool execute then mpsc", threadpool_mpsc),
    ("rayon map window=1024 one channel", rayon_map),
];

fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, NonZeroUsize::get)
}

fn threadkit_submit(tasks: u64) -> u64 {
    let pool = ThreadPoolExecutor::new(Some(threads())).unwrap();
    let futures: Vec<_> = (0..tasks)
        .map(|n| pool.submit(move || black_box(n) * 2).unwrap())
        .collect();
    futures
        .iter()
        .map(|future| future.result(None).unwrap())
        .sum()
}

fn threadkit_map(tasks: u64) -> u64 {
    let pool = ThreadPoolExecutor::new(Some(threads())).unwrap();
    pool.map(
        |n: u64| black_box(n) * 2,
        0..tasks,
        None,
        NonZeroUsize::new(WINDOW as usize),
    )
    .unwrap()
    .map(Result::unwrap)
    .sum()
}

fn rayon_pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads())
        .build()
        .unwrap()
}

fn rayon_shared_channel(tasks: u64) -> u64 {
    let pool = rayon_pool();
    let (tx, rx) = crossbeam_channel::unbounded();
    for n in 0..tasks {
        let tx = tx.clone();
        pool.spawn(move || tx.send((n, black_box(n) * 2)).unwrap());
    }
    let mut results = vec![0; tasks as usize];
    for _ in 0..tasks {
        let (index, value) = rx.recv().unwrap();
        results[index as usize] = value;
    }
    results.iter().sum()
}

fn rayon_oneshot(tasks: u64) -> u64 {
    let pool = rayon_pool();
    let receivers: Vec<_> = (0..tasks)
        .map(|n| {
            let (tx, rx) = crossbeam_channel::bounded(1);
            pool.spawn(move || tx.send(black_box(n) * 2).unwrap());
            rx
        })
        .collect();
    receivers.iter().map(|rx| rx.recv().unwrap()).sum()
}

fn threadpool_mpsc(tasks: u64) -> u64 {
    let pool = threadpool::ThreadPool::new(threads());
    let (tx, rx) = mpsc::channel();
    for n in 0..tasks {
        let tx = tx.clone();
        pool.execute(move || tx.send((n, black_box(n) * 2)).unwrap());
    }
    let mut results = vec![0; tasks as usize];
    for _ in 0..tasks {
        let (index, value) = rx.recv().unwrap();
        results[index as usize] = value;
    }
    results.iter().sum()
}

fn rayon_map(tasks: u64) -> u64 {
    let pool = rayon_pool();
    let (tx, rx) = crossbeam_channel::unbounded();
    let spawn = |n: u64| {
        let tx = tx.clone();
        pool.spawn(move || tx.send((n, black_box(n) * 2)).unwrap());
    };
    (0..WINDOW.min(tasks)).for_each(spawn);
    let mut next = WINDOW;
    let mut results = vec![0; tasks as usize];
    for _ in 0..tasks {
        let (index, value) = rx.recv().unwrap();
        results[index as usize] = value;
        if next < tasks {
            spawn(next);
            next += 1;
        }
    }
    results.iter().sum()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next();
    let tasks: u64 = args.next().map_or(200_000, |tasks| tasks.parse().unwrap());
    let expected: u64 = (0..tasks).map(|n| n * 2).sum();
    println!("{tasks} tasks; allocations per task (pool set-up included, amortised)");
    for (name, run) in CASES {
        if case.as_deref().is_some_and(|case| case != name) {
            continue;
        }
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        assert_eq!(run(tasks), expected, "{name}");
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        println!(
            "{name:<40} {:>6.2}",
            allocations as f64 / tasks.max(1) as f64
        );
    }
}
