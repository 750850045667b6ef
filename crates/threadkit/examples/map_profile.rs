//! Profiles `map(buffersize=1024)` over 200k trivial items, sample by sample: the wall time and,
//! per thread (the consumer, the workers), the context switches it made — voluntary ones are
//! parks (a futex wait that blocked), involuntary ones preemptions and yields that switched —
//! read from `/proc/self/task/*/status` (Linux only).
//!
//! Run with `cargo run --release --example map_profile [samples]`.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Instant;

use threadkit::futures::ThreadPoolExecutor;

const TASKS: u64 = 200_000;
const WINDOW: usize = 1024;

/// Each thread's (voluntary, involuntary) context switches so far, by thread id.
fn switches() -> Vec<(u32, u64, u64)> {
    let mut counts = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").expect("Linux's /proc") {
        let entry = entry.expect("a task entry");
        let tid: u32 = entry
            .file_name()
            .to_string_lossy()
            .parse()
            .expect("a thread id");
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map_or(0, |rest| rest.trim().parse().unwrap_or(0))
        };
        counts.push((
            tid,
            field("voluntary_ctxt_switches:"),
            field("nonvoluntary_ctxt_switches:"),
        ));
    }
    counts.sort_unstable();
    counts
}

fn main() {
    let samples: usize = std::env::args()
        .nth(1)
        .map_or(20, |arg| arg.parse().expect("a count"));
    let threads = std::thread::available_parallelism().map_or(2, NonZeroUsize::get);
    let pool = ThreadPoolExecutor::new(Some(threads)).expect("a pool");
    let expected: u64 = (0..TASKS).map(|n| n * 2).sum();
    let me = std::process::id();
    println!("ms\tconsumer vol/invol\tworkers vol/invol");
    for _ in 0..samples {
        let before = switches();
        let start = Instant::now();
        let sum: u64 = pool
            .map(
                |n: u64| black_box(n) * 2,
                0..TASKS,
                None,
                NonZeroUsize::new(WINDOW),
            )
            .expect("the pool accepts work")
            .map(Result::unwrap)
            .sum();
        let elapsed = start.elapsed();
        let after = switches();
        assert_eq!(sum, expected);
        let (mut consumer, mut workers) = ((0, 0), (0, 0));
        for (tid, voluntary, involuntary) in after {
            let (v0, i0) = before
                .iter()
                .find(|(t, ..)| *t == tid)
                .map_or((0, 0), |(_, v, i)| (*v, *i));
            let counts = if tid == me {
                &mut consumer
            } else {
                &mut workers
            };
            counts.0 += voluntary - v0;
            counts.1 += involuntary - i0;
        }
        println!(
            "{:.1}\t{}/{}\t{}/{}",
            elapsed.as_secs_f64() * 1e3,
            consumer.0,
            consumer.1,
            workers.0,
            workers.1
        );
    }
}
