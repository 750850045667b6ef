//! `Condition` against `std::sync::Condvar` and `parking_lot::Condvar`: notify with nobody
//! waiting, and a two-thread ping-pong where every round is a wait and a notify on each side.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use threadkit::{Condition, ConditionLock, Lock};

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("condition/uncontended");
    let cond = Condition::new();
    group.bench_function("threadkit::Condition<RLock> lock+notify+unlock", |b| {
        b.iter(|| {
            let _held = black_box(&cond).lock();
            cond.notify(1).unwrap();
        })
    });
    let cond = Condition::with_lock(Lock::new());
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

/// One side of a ping-pong on a threadkit condition: `rounds` times, wait for this side's turn,
/// hand the turn over, notify.
fn threadkit_side<L: ConditionLock>(
    (cond, turn): &(Condition<L>, AtomicBool),
    mine: bool,
    rounds: u64,
) {
    let _held = cond.lock();
    for _ in 0..rounds {
        cond.wait_for(|| turn.load(Ordering::Relaxed) == mine, None)
            .unwrap();
        turn.store(!mine, Ordering::Relaxed);
        cond.notify(1).unwrap();
    }
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("condition/contended");
    group.bench_function("threadkit::Condition<RLock> ping-pong round", |b| {
        b.iter_custom(|rounds| {
            let shared = Arc::new((Condition::new(), AtomicBool::new(false)));
            common::two_sides(rounds, shared, threadkit_side)
        })
    });
    group.bench_function("threadkit::Condition<Lock> ping-pong round", |b| {
        b.iter_custom(|rounds| {
            let shared = Arc::new((Condition::with_lock(Lock::new()), AtomicBool::new(false)));
            common::two_sides(rounds, shared, threadkit_side)
        })
    });
    group.bench_function("std Mutex+Condvar ping-pong round", |b| {
        b.iter_custom(|rounds| {
            let shared = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
            common::two_sides(rounds, shared, |(mutex, condvar), mine, rounds| {
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
            common::two_sides(rounds, shared, |(mutex, condvar), mine, rounds| {
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
    config = common::config();
    targets = uncontended, contended
}
criterion_main!(benches);
