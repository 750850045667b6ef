//! A waiter blocked on a `threadkit::Event` until another thread sets it after a delay.
//!
//! Run with `cargo run --example event_waiter`.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use threadkit::Event;

fn main() {
    const DELAY: Duration = Duration::from_millis(200);

    let event = Arc::new(Event::new());
    let start = Instant::now();
    let waiter = {
        let event = Arc::clone(&event);
        thread::spawn(move || {
            println!("waiter: waiting for the event");
            let signalled = event.wait(None);
            println!(
                "waiter: released after {} ms (wait returned {signalled})",
                start.elapsed().as_millis()
            );
            signalled
        })
    };
    let setter = {
        let event = Arc::clone(&event);
        thread::spawn(move || {
            thread::sleep(DELAY);
            println!(
                "setter: setting the event after {} ms",
                start.elapsed().as_millis()
            );
            event.set();
        })
    };
    setter.join().unwrap();
    assert!(waiter.join().unwrap());
    assert!(event.is_set());
    assert!(start.elapsed() >= DELAY);
    println!("event is set: {}", event.is_set());
}
