//! `Condition` against `std::sync::Condvar` and `parking_lot::Condvar`: notify with nobody
//! waiting, and a two-thread ping-pong where every round is a wait and a notify on each side.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("condition/uncontended");
    let cond = threadkit::Condition::new();
    group.bench_function("threadkit::Condition<RLock> lock+notify+unlock", |b| {
        b.iter(|| {
            let _held = black_box(&cond).lock();
            cond.notify(1).unwrap();
        })
    });
    let cond = threadkit::Condition::with_lock(threadkit::Lock::new());
    group.bench_function("threadkit::Condition<Lock> lock+notify+unlock", |b| {
        b.iter(|| {
            let _held = black_box(&cond).lock();
            cond.notify(1).unwrap();
        })
    });
    let pair = (std::sync::Mutex::new(()), std::sync::Condvar::new());
    group.bench_function("std Mutex+Condvar lock+notify_one+unlock", |b| {
        b.iter(|| {
            let _held = black_box(&pair).0.lock().unwrap();
            pair.1.notify_one();
        })
    });
    let pair = (parking_lot::Mutex::new(()), parking_lot::Condvar::new());
    group.bench_function("parking_lot Mutex+Condvar lock+notify_one+unlock", |b| {
        b.iter(|| {
            let _held = black_box(&pair).0.lock();
            pair.1.notify_one();
        })
    });
    group.finish();
}

/// Two threads take turns `rounds` times: each waits for its turn, flips it, and notifies.
/// `side(turn, mine, rounds)` plays one side; returns the elapsed time.
fn ping_pong<S: Send + Sync + 'static>(
    rounds: u64,
    shared: Arc<S>,
    side: fn(&S, bool, u64),
) -> Duration {
    let start = Instant::now();
    let other = {
        let shared = Arc::clone(&shared);
        thread::spawn(move || side(&shared, true, rounds))
    };
    side(&shared, false, rounds);
    other.join().unwrap();
    start.elapsed()
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("condition/contended");
    group.bench_function("threadkit::Condition<RLock> ping-pong round", |b| {
        b.iter_custom(|rounds| {
            let shared = Arc::new((threadkit::Condition::new(), AtomicBool::new(false)));
            ping_pong(rounds, shared, |(cond, turn), mine, rounds| {
                let _held = cond.lock();
                for _ in 0..rounds {
                    cond.wait_for(|| turn.load(Ordering::Relaxed) == mine, None)
                        .unwrap();
                    turn.store(!mine, Ordering::Relaxed);
                    cond.notify(1).unwrap();
                }
            })
        })
    });
    group.bench_function("threadkit::Condition<Lock> ping-pong round", |b| {
        b.iter_custom(|rounds| {
            let shared = Arc::new((
                threadkit::Condition::with_lock(threadkit::Lock::new()),
                AtomicBool::new(false),
            ));
            ping_pong(rounds, shared, |(cond, turn), mine, rounds| {
                let _held = cond.lock();
                for _ in 0..rounds {
                    cond.wait_for(|| turn.load(Ordering::Relaxed) == mine, None)
                        .unwrap();
                    turn.store(!mine, Ordering::Relaxed);
                    cond.notify(1).unwrap();
                }
            })
        })
    });
    group.bench_function("std Mutex+Condvar ping-pong round", |b| {
        b.iter_custom(|rounds| {
            let shared = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
            ping_pong(rounds, shared, |(mutex, condvar), mine, rounds| {
                let mut turn = mutex.lock().unwrap();
                for _ in 0..rounds {
                    turn = condvar.wait_while(turn, |turn| *turn != mine).unwrap();
                    *turn = !mine;
                    condvar.notify_one();
                }
            })
        })
    });
    group.bench_function("parking_lot Mutex+Condvar ping-pong round", |b| {
        b.iter_custom(|rounds| {
            let shared = Arc::new((parking_lot::Mutex::new(false), parking_lot::Condvar::new()));
            ping_pong(rounds, shared, |(mutex, condvar), mine, rounds| {
                let mut turn = mutex.lock();
                for _ in 0..rounds {
                    condvar.wait_while(&mut turn, |turn| *turn != mine);
                    *turn = !mine;
                    condvar.notify_one();
                }
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = uncontended, contended
}
criterion_main!(benches);
