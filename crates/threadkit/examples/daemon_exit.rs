//! Python's exit rule: the program waits for a non-daemon thread, and abandons a daemon thread
//! that would run forever.
//!
//! Run with `cargo run --example daemon_exit`.

use std::time::Duration;

use threadkit::thread::{self, Thread};

fn main() {
    thread::main(|| {
        Thread::builder()
            .name("heartbeat")
            .daemon(true)
            .start(|| {
                for beat in 1.. {
                    println!("heartbeat (daemon): beat {beat}");
                    std::thread::sleep(Duration::from_millis(40));
                }
            })
            .expect("start the daemon");
        Thread::builder()
            .name("saver")
            .daemon(false)
            .start(|| {
                println!("saver (non-daemon): saving...");
                std::thread::sleep(Duration::from_millis(150));
                println!("saver (non-daemon): saved");
            })
            .expect("start the worker");
        println!("main: body done; waiting for non-daemon threads only");
    });
    println!("main: saver finished; exiting, abandoning the daemon heartbeat");
}
