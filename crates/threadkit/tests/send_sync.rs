//! Every public type is `Send` and `Sync` (guards: `Sync` only where std's are).

fn send_sync<T: Send + Sync>() {}
fn sync<T: Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<threadkit::Lock>();
    send_sync::<threadkit::LockGuard<'static>>();
    send_sync::<threadkit::RLock>();
    send_sync::<threadkit::RLockState>();
    // Only the owner may release an RLock, so its guard stays on the owning thread.
    sync::<threadkit::RLockGuard<'static>>();
    send_sync::<threadkit::Condition>();
    send_sync::<threadkit::Condition<threadkit::Lock>>();
    send_sync::<threadkit::Condition<&'static threadkit::RLock>>();
    send_sync::<threadkit::Condition<std::sync::Arc<threadkit::Lock>>>();
    sync::<threadkit::ConditionGuard<'static>>();
    send_sync::<threadkit::NotOwnedError>();
    send_sync::<threadkit::Barrier>();
    send_sync::<threadkit::BrokenBarrierError>();
    send_sync::<threadkit::ReleaseError>();
    send_sync::<threadkit::Semaphore>();
    send_sync::<threadkit::BoundedSemaphore>();
    send_sync::<threadkit::SemaphorePermit<'static>>();
    send_sync::<threadkit::Event>();
    send_sync::<threadkit::timeout::TimeoutError>();
    send_sync::<threadkit::Queue<String>>();
    send_sync::<threadkit::LifoQueue<String>>();
    send_sync::<threadkit::PriorityQueue<String>>();
    send_sync::<threadkit::SimpleQueue<String>>();
    send_sync::<threadkit::queue::PutError<String>>();
    send_sync::<threadkit::queue::GetError>();
    send_sync::<threadkit::queue::Empty>();
    send_sync::<threadkit::queue::TaskDoneError>();
    send_sync::<threadkit::Thread>();
    send_sync::<threadkit::thread::Builder>();
    send_sync::<threadkit::Timer>();
    send_sync::<threadkit::Local<std::cell::Cell<u32>>>();
    send_sync::<threadkit::thread::ShutdownGuard>();
    send_sync::<threadkit::thread::StartError>();
    send_sync::<threadkit::thread::JoinError>();
    send_sync::<threadkit::thread::SetDaemonError>();
    send_sync::<threadkit::thread::StackSizeError>();
    send_sync::<threadkit::thread::RegisterAtexitError>();
    {
        use threadkit::futures::*;
        send_sync::<Future<u8>>();
        send_sync::<Future<String, String>>();
        send_sync::<ThreadPoolExecutor>();
        send_sync::<Builder>();
        send_sync::<AsCompleted<u8, TaskError>>();
        send_sync::<DoneAndNotDone<u8, TaskError>>();
        send_sync::<ReturnWhen>();
        send_sync::<FutureError>();
        send_sync::<WaitError>();
        send_sync::<TaskError>();
        send_sync::<PanicError>();
        send_sync::<BrokenThreadPool>();
        send_sync::<InvalidStateError>();
        send_sync::<UnexpectedStateError>();
        send_sync::<SubmitError>();
        send_sync::<BuildError>();
        send_sync::<AsCompletedError>();
        send_sync::<MapError>();
        send_sync::<Map<'static, std::ops::Range<u8>, fn(u8) -> u8, u8>>();
    }
}
