//! What one task costs the executor and its peers, in heap allocations (counted here, in the
//! first round on a new pool and in the last, the steady state) and in instructions (run it
//! under `valgrind --tool=callgrind` with two round counts and divide the difference by the
//! tasks of a round): a measure that does not depend on how busy the machine is, unlike the
//! criterion benches in `benches/executor.rs`, which run the same cases.
//!
//! `cargo run --release --example pool_cost -- [CASE|all] [TASKS] [ROUNDS]`; every case by
//! default, 200000 tasks a round, 2 rounds.

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

/// A case: submits `tasks` trivial tasks to the pool it was built with, reads every result, and
/// returns their sum. Built once and run several rounds, so the last round shows the steady state
/// (a pool whose workers run and whose free lists, if any, are warm).
type Case = Box<dyn FnMut(u64) -> u64>;

/// Builds a case's pool, once.
type Build = fn() -> Case;

/// The cases, as the benches run them: a name and a function that builds the pool.
const CASES: [(&str, Build); 6] = [
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

fn threadkit_submit() -> Case {
    let pool = ThreadPoolExecutor::new(Some(threads())).unwrap();
    Box::new(move |tasks| {
        let futures: Vec<_> = (0..tasks)
            .map(|n| pool.submit(move || black_box(n) * 2).unwrap())
            .collect();
        futures
            .iter()
            .map(|future| future.result(None).unwrap())
            .sum()
    })
}

fn threadkit_map() -> Case {
    let pool = ThreadPoolExecutor::new(Some(threads())).unwrap();
    Box::new(move |tasks| {
        pool.map(
            |n: u64| black_box(n) * 2,
            0..tasks,
            None,
            NonZeroUsize::new(WINDOW as usize),
        )
        .unwrap()
        .map(Result::unwrap)
        .sum()
    })
}

fn rayon_pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads())
        .build()
        .unwrap()
}

fn rayon_shared_channel() -> Case {
    let pool = rayon_pool();
    Box::new(move |tasks| {
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
    })
}

fn rayon_oneshot() -> Case {
    let pool = rayon_pool();
    Box::new(move |tasks| {
        let receivers: Vec<_> = (0..tasks)
            .map(|n| {
                let (tx, rx) = crossbeam_channel::bounded(1);
                pool.spawn(move || tx.send(black_box(n) * 2).unwrap());
                rx
            })
            .collect();
        receivers.iter().map(|rx| rx.recv().unwrap()).sum()
    })
}

fn threadpool_mpsc() -> Case {
    let pool = threadpool::ThreadPool::new(threads());
    Box::new(move |tasks| {
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
    })
}

fn rayon_map() -> Case {
    let pool = rayon_pool();
    Box::new(move |tasks| {
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
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().filter(|case| case != "all");
    let tasks: u64 = args.next().map_or(200_000, |tasks| tasks.parse().unwrap());
    let rounds: u32 = args.next().map_or(2, |rounds| rounds.parse().unwrap());
    assert!(rounds > 0, "at least one round");
    let expected: u64 = (0..tasks).map(|n| n * 2).sum();
    println!("{tasks} tasks a round, {rounds} rounds on one pool; allocations per task");
    println!("{:<40} {:>11} {:>11}", "case", "first round", "last round");
    for (name, build) in CASES {
        if case.as_deref().is_some_and(|case| case != name) {
            continue;
        }
        let mut run = build();
        let mut per_round = Vec::new();
        for _ in 0..rounds {
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            assert_eq!(run(tasks), expected, "{name}");
            let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
            per_round.push(allocations as f64 / tasks.max(1) as f64);
        }
        let (first, last) = (per_round[0], per_round[per_round.len() - 1]);
        println!("{name:<40} {first:>11.2} {last:>11.2}");
    }
}
