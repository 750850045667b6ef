//! A worker started with arguments and a name, like Python's
//! `threading.Thread(target=worker, args=(3, "jobs"), name="worker-1")`.
//!
//! Run with `cargo run --example worker_args`.

use threadkit::thread::{self, Thread};

fn worker(count: u32, what: &str) {
    let me = thread::current_thread();
    println!("{} got args ({count}, {what:?})", me.name());
    for n in 1..=count {
        println!("{} handles {what} #{n}", me.name());
    }
}

fn main() {
    thread::main(|| {
        let workers: Vec<Thread> = [(3, "jobs"), (2, "emails")]
            .into_iter()
            .enumerate()
            .map(|(index, (count, what))| {
                // The closure captures the arguments, as `args=` passes them in Python.
                Thread::builder()
                    .name(format!("worker-{}", index + 1))
                    .build(move || worker(count, what))
            })
            .collect();
        for worker in &workers {
            worker.start().expect("start a worker");
        }
        for worker in &workers {
            worker.join(None).expect("join a started worker");
        }
        println!("{} joined both workers", thread::current_thread().name());
    });
}
