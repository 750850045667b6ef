//! Loom model of `Barrier`: one generation with 2 and 3 parties (distinct indices, the action
//! once, before anyone leaves), and abort against a waiter.
#![cfg(threadkit_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use threadkit::{Barrier, BrokenBarrierError};

fn one_generation(parties: usize) {
    let actions = Arc::new(AtomicUsize::new(0));
    let barrier = {
        let actions = Arc::clone(&actions);
        Arc::new(Barrier::with_action(parties, move || {
            actions.fetch_add(1, Ordering::SeqCst);
        }))
    };
    let others: Vec<_> = (1..parties)
        .map(|_| {
            let (barrier, actions) = (Arc::clone(&barrier), Arc::clone(&actions));
            thread::spawn(move || {
                let index = barrier.wait(None).unwrap();
                assert_eq!(actions.load(Ordering::SeqCst), 1);
                index
            })
        })
        .collect();
    let mut indices = vec![barrier.wait(None).unwrap()];
    assert_eq!(actions.load(Ordering::SeqCst), 1);
    indices.extend(others.into_iter().map(|t| t.join().unwrap()));
    indices.sort_unstable();
    assert_eq!(indices, (0..parties).collect::<Vec<_>>());
    assert!(!barrier.broken());
    assert_eq!(barrier.n_waiting(), 0);
}

#[test]
fn two_parties_one_generation() {
    loom::model(|| one_generation(2));
}

#[test]
fn three_parties_one_generation() {
    loom::model(|| one_generation(3));
}

#[test]
fn abort_releases_a_waiter() {
    loom::model(|| {
        let barrier = Arc::new(Barrier::new(2));
        let waiter = {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || barrier.wait(None))
        };
        barrier.abort();
        assert_eq!(waiter.join().unwrap(), Err(BrokenBarrierError));
        assert!(barrier.broken());
    });
}
