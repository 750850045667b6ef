//! Two threads, one printing numbers and one printing letters, then "Both threads have finished".
//!
//! Run with `cargo run --example two_threads`.

use std::thread;
use std::time::Duration;

fn main() {
    let numbers = thread::spawn(|| {
        for n in 1..=5 {
            println!("number {n}");
            thread::sleep(Duration::from_millis(10));
        }
    });
    let letters = thread::spawn(|| {
        for letter in ['a', 'b', 'c', 'd', 'e'] {
            println!("letter {letter}");
            thread::sleep(Duration::from_millis(10));
        }
    });
    numbers.join().unwrap();
    letters.join().unwrap();
    println!("Both threads have finished");
}
