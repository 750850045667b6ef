//! The thread pool's two basic moves, as in Python's `concurrent.futures` docs: `map` doubling
//! 1..=5 in order, and squares computed with `submit` and read back from their futures.
//!
//! Run with `cargo run --example pool_map`.

use std::num::NonZeroUsize;

use threadkit::futures::{ThreadPoolExecutor, as_completed};

fn main() {
    let pool = ThreadPoolExecutor::builder()
        .max_workers(4)
        .thread_name_prefix("pool_map")
        .build()
        .expect("a valid pool configuration");

    // executor.map(lambda n: n * 2, range(1, 6), buffersize=2)
    let doubled: Vec<u32> = pool
        .map(|n: u32| n * 2, 1..=5, None, NonZeroUsize::new(2))
        .expect("the pool accepts work")
        .collect::<Result<_, _>>()
        .expect("doubling cannot fail");
    println!("map doubled [1, 2, 3, 4, 5] -> {doubled:?}");
    assert_eq!(doubled, [2, 4, 6, 8, 10]);

    // futures = [executor.submit(square, n) for n in range(1, 6)]
    let futures: Vec<_> = (1..=5u64)
        .map(|n| pool.submit(move || n * n).expect("the pool accepts work"))
        .collect();
    let squares: Vec<u64> = futures
        .iter()
        .map(|future| future.result(None).expect("squaring cannot fail"))
        .collect();
    println!("submit squared [1, 2, 3, 4, 5] -> {squares:?}");
    assert_eq!(squares, [1, 4, 9, 16, 25]);

    let total: u64 = as_completed(&futures, None)
        .map(|future| future.expect("no timeout").result(None).unwrap())
        .sum();
    println!("as_completed summed them in completion order -> {total}");
    assert_eq!(total, 55);
    pool.shutdown(true, false);
}
