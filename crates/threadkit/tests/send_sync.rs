//! Every public type is `Send` and `Sync` (guards: `Sync` only where std's are).

fn send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<threadkit::Lock>();
    send_sync::<threadkit::LockGuard<'static>>();
    send_sync::<threadkit::ReleaseError>();
    send_sync::<threadkit::timeout::TimeoutError>();
}
