//! `Thread` and the registry: Python's `threading.Thread`, `current_thread`, `enumerate` rules.
#![cfg(not(threadkit_loom))]

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::{iterations, wait_until, within};
use threadkit::thread::{
    self, JoinError, SetDaemonError, StartError, Thread, active_count, current_thread, enumerate,
    main_thread,
};

/// A thread that runs until `release` is dropped or sent to.
fn blocked(builder: thread::Builder) -> (Thread, mpsc::Sender<()>) {
    let (release, wait) = mpsc::channel::<()>();
    let thread = builder.build(move || {
        let _ = wait.recv();
    });
    (thread, release)
}

#[test]
fn start_twice_is_an_error() {
    within(|| {
        let worker = Thread::new(|| {});
        worker.start().unwrap();
        let error = worker.start().unwrap_err();
        assert!(matches!(error, StartError::AlreadyStarted));
        assert_eq!(error.to_string(), "threads can only be started once");
        worker.join(None).unwrap();
        assert!(matches!(worker.start(), Err(StartError::AlreadyStarted)));
        assert!(matches!(
            main_thread().start(),
            Err(StartError::AlreadyStarted)
        ));
    });
}

#[test]
fn join_current_thread_is_an_error() {
    within(|| {
        let (tx, rx) = mpsc::channel();
        let worker = Thread::new(move || tx.send(current_thread().join(None)).unwrap());
        worker.start().unwrap();
        let outcome = rx.recv().unwrap();
        assert_eq!(outcome, Err(JoinError::CurrentThread));
        assert_eq!(
            JoinError::CurrentThread.to_string(),
            "cannot join current thread"
        );
        assert!(worker.join(None).unwrap());
    });
}

#[test]
fn join_unstarted_is_an_error() {
    within(|| {
        let worker = Thread::new(|| {});
        assert_eq!(worker.join(None), Err(JoinError::NotStarted));
        assert_eq!(
            worker.join(Some(Duration::ZERO)),
            Err(JoinError::NotStarted)
        );
        assert_eq!(
            JoinError::NotStarted.to_string(),
            "cannot join thread before it is started"
        );
    });
}

#[test]
fn join_times_out_then_finishes() {
    within(|| {
        let (worker, release) = blocked(Thread::builder());
        worker.start().unwrap();
        let start = Instant::now();
        assert_eq!(worker.join(Some(Duration::from_millis(50))), Ok(false));
        assert!(start.elapsed() >= Duration::from_millis(50));
        assert_eq!(worker.join(Some(Duration::ZERO)), Ok(false));
        assert!(worker.is_alive());
        release.send(()).unwrap();
        assert_eq!(worker.join(None), Ok(true));
        assert_eq!(worker.join(Some(Duration::ZERO)), Ok(true));
    });
}

#[test]
fn join_wakes_every_joiner() {
    within(|| {
        let (worker, release) = blocked(Thread::builder());
        worker.start().unwrap();
        let joiners: Vec<Thread> = (0..4)
            .map(|_| {
                let worker = worker.clone();
                Thread::builder()
                    .start(move || assert_eq!(worker.join(None), Ok(true)))
                    .unwrap()
            })
            .collect();
        drop(release);
        for joiner in joiners {
            assert_eq!(joiner.join(None), Ok(true));
        }
    });
}

#[test]
fn an_interrupt_unwinds_out_of_join_and_the_thread_stays_joinable() {
    struct Cancelled;
    fn cancel() {
        std::panic::resume_unwind(Box::new(Cancelled));
    }
    within(|| {
        let (worker, release) = blocked(Thread::builder());
        worker.start().unwrap();
        threadkit::interrupt::set_check(Some((cancel, Duration::from_millis(5))));
        let outcome = std::panic::catch_unwind(|| worker.join(None));
        threadkit::interrupt::set_check(None);
        assert!(outcome.unwrap_err().is::<Cancelled>());
        assert!(worker.is_alive());
        drop(release);
        assert_eq!(worker.join(None), Ok(true));
    });
}

#[test]
fn is_alive_transitions() {
    within(|| {
        let (worker, release) = blocked(Thread::builder());
        assert!(!worker.is_alive());
        worker.start().unwrap();
        assert!(worker.is_alive());
        release.send(()).unwrap();
        worker.join(None).unwrap();
        assert!(!worker.is_alive());
    });
}

#[test]
fn ident_and_native_id_are_set_on_start_and_distinct() {
    within(|| {
        let (first, release_first) = blocked(Thread::builder());
        let (second, release_second) = blocked(Thread::builder());
        assert_eq!(first.ident(), None);
        assert_eq!(first.native_id(), None);
        first.start().unwrap();
        second.start().unwrap();
        let (a, b) = (first.ident().unwrap(), second.ident().unwrap());
        assert_ne!(a, b);
        let (na, nb) = (first.native_id().unwrap(), second.native_id().unwrap());
        assert_ne!(na, nb);
        assert_ne!(na, thread::get_native_id());
        assert_ne!(a, thread::get_ident());
        drop((release_first, release_second));
        first.join(None).unwrap();
        second.join(None).unwrap();
        // Still set after the thread finished, as in Python.
        assert_eq!(first.ident(), Some(a));
        assert_eq!(first.native_id(), Some(na));
    });
}

#[test]
fn ident_and_native_id_match_the_running_thread() {
    within(|| {
        let (tx, rx) = mpsc::channel();
        let worker = Thread::new(move || {
            tx.send((thread::get_ident(), thread::get_native_id()))
                .unwrap()
        });
        worker.start().unwrap();
        let (ident, native_id) = rx.recv().unwrap();
        assert_eq!(worker.ident(), Some(ident));
        assert_eq!(worker.native_id(), Some(native_id));
        worker.join(None).unwrap();
    });
}

fn number(name: &str, prefix: &str) -> u64 {
    name.strip_prefix(prefix)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{name:?} is not {prefix}N"))
}

#[test]
fn default_names_are_thread_n_increasing() {
    within(|| {
        let first = Thread::new(|| {});
        let second = Thread::new(|| {});
        let named = Thread::builder().name("custom").build(|| {});
        let empty = Thread::builder().name("").build(|| {});
        let (a, b) = (
            number(&first.name(), "Thread-"),
            number(&second.name(), "Thread-"),
        );
        assert!(a < b);
        assert_eq!(named.name(), "custom");
        assert!(number(&empty.name(), "Thread-") > b);
    });
}

#[test]
fn names_can_change_any_time() {
    within(|| {
        let (worker, release) = blocked(Thread::builder().name("before"));
        worker.start().unwrap();
        worker.set_name("after");
        assert_eq!(worker.name(), "after");
        assert!(enumerate().iter().any(|thread| thread.name() == "after"));
        drop(release);
        worker.join(None).unwrap();
    });
}

#[test]
fn daemon_flag_is_inherited_from_the_creating_thread() {
    within(|| {
        let (tx, rx) = mpsc::channel();
        let spawn_child = move || {
            let child = Thread::new(|| {});
            tx.send(child.daemon()).unwrap();
        };
        let daemon = Thread::builder()
            .daemon(true)
            .start(spawn_child.clone())
            .unwrap();
        daemon.join(None).unwrap();
        assert!(rx.recv().unwrap(), "a daemon's child is a daemon");
        let normal = Thread::builder().daemon(false).start(spawn_child).unwrap();
        normal.join(None).unwrap();
        assert!(!rx.recv().unwrap(), "a non-daemon's child is not a daemon");
        // This test runs on a std thread: a dummy, which is a daemon as in Python.
        assert!(current_thread().daemon());
        assert!(Thread::new(|| {}).daemon());
        assert!(!Thread::builder().daemon(false).build(|| {}).daemon());
    });
}

#[test]
fn set_daemon_only_before_start() {
    within(|| {
        let (worker, release) = blocked(Thread::builder().daemon(false));
        worker.set_daemon(true).unwrap();
        assert!(worker.daemon());
        worker.set_daemon(false).unwrap();
        worker.start().unwrap();
        assert_eq!(worker.set_daemon(true), Err(SetDaemonError::Active));
        assert!(!worker.daemon());
        assert_eq!(
            SetDaemonError::Active.to_string(),
            "cannot set daemon status of active thread"
        );
        drop(release);
        worker.join(None).unwrap();
        assert_eq!(worker.set_daemon(true), Err(SetDaemonError::Active));
        assert_eq!(main_thread().set_daemon(true), Err(SetDaemonError::Active));
    });
}

#[test]
fn current_thread_in_a_threadkit_thread_is_its_handle() {
    within(|| {
        let (tx, rx) = mpsc::channel();
        let worker = Thread::builder()
            .name("me")
            .build(move || tx.send(current_thread()).unwrap());
        worker.start().unwrap();
        let seen = rx.recv().unwrap();
        assert_eq!(seen, worker);
        assert_eq!(seen.name(), "me");
        worker.join(None).unwrap();
    });
}

#[test]
fn current_thread_in_a_std_thread_is_a_dummy_until_it_exits() {
    within(|| {
        let (tx, rx) = mpsc::channel();
        let (release, wait) = mpsc::channel::<()>();
        let foreign = std::thread::spawn(move || {
            let me = current_thread();
            assert_eq!(me, current_thread(), "the handle is cached");
            tx.send(me).unwrap();
            let _ = wait.recv();
        });
        let dummy = rx.recv().unwrap();
        let n = number(&dummy.name(), "Dummy-");
        assert!(n > 0);
        assert!(dummy.daemon());
        assert!(dummy.is_alive());
        assert!(dummy.ident().is_some() && dummy.native_id().is_some());
        assert!(enumerate().contains(&dummy));
        assert_eq!(dummy.join(None), Err(JoinError::DummyThread));
        assert_eq!(
            JoinError::DummyThread.to_string(),
            "cannot join a dummy thread"
        );
        assert!(matches!(dummy.start(), Err(StartError::AlreadyStarted)));
        drop(release);
        foreign.join().unwrap();
        assert!(!dummy.is_alive());
        assert!(!enumerate().contains(&dummy));
    });
}

#[test]
fn main_thread_is_main_thread() {
    within(|| {
        let main = main_thread();
        assert_eq!(main.name(), "MainThread");
        assert!(main.is_alive());
        assert!(!main.daemon());
        assert_eq!(main.native_id(), Some(u64::from(std::process::id())));
        assert!(main.ident().is_some());
        assert_eq!(main, main_thread());
        assert_ne!(main, current_thread());
        assert!(enumerate().contains(&main));
        assert_eq!(
            main.to_string(),
            format!("<Thread(MainThread, started {})>", main.ident().unwrap())
        );
    });
}

#[test]
fn enumerate_and_active_count_track_live_threads() {
    within(|| {
        let baseline = active_count();
        assert_eq!(baseline, enumerate().len());
        let mut workers = Vec::new();
        for n in 0..3 {
            let (worker, release) = blocked(Thread::builder().name(format!("listed-{n}")));
            assert!(!enumerate().contains(&worker), "not listed before start");
            worker.start().unwrap();
            assert!(enumerate().contains(&worker));
            workers.push((worker, release));
        }
        assert!(active_count() >= 3);
        for (worker, release) in workers {
            drop(release);
            worker.join(None).unwrap();
            assert!(!enumerate().contains(&worker));
        }
        let listed = enumerate()
            .iter()
            .filter(|thread| thread.name().starts_with("listed-"))
            .count();
        assert_eq!(listed, 0);
    });
}

#[test]
fn display_mirrors_python_repr() {
    within(|| {
        let (worker, release) = blocked(Thread::builder().name("shown").daemon(true));
        assert_eq!(worker.to_string(), "<Thread(shown, initial daemon)>");
        worker.start().unwrap();
        let ident = worker.ident().unwrap();
        assert_eq!(
            worker.to_string(),
            format!("<Thread(shown, started daemon {ident})>")
        );
        drop(release);
        worker.join(None).unwrap();
        assert_eq!(
            worker.to_string(),
            format!("<Thread(shown, stopped daemon {ident})>")
        );
    });
}

#[test]
fn excepthook_gets_panics_and_the_thread_finishes() {
    within(|| {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        thread::set_excepthook(move |args| {
            record.lock().unwrap().push((
                args.thread().name(),
                args.message().map(str::to_owned),
                args.location().map(str::to_owned),
            ));
        });
        let worker = Thread::builder()
            .name("fragile")
            .start(|| panic!("boom {}", 42))
            .unwrap();
        assert_eq!(worker.join(None), Ok(true));
        assert!(!worker.is_alive());
        assert!(!enumerate().contains(&worker));
        let static_message = Thread::builder()
            .name("fragile-2")
            .start(|| panic!("static"))
            .unwrap();
        static_message.join(None).unwrap();
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 2);
            assert_eq!(seen[0].0, "fragile");
            assert_eq!(seen[0].1.as_deref(), Some("boom 42"));
            let location = seen[0].2.as_deref().expect("a location");
            assert!(location.contains("thread.rs"), "{location}");
            assert_eq!(seen[1].0, "fragile-2");
            assert_eq!(seen[1].1.as_deref(), Some("static"));
        }

        // A hook that panics itself does not take the thread down either.
        thread::set_excepthook(|_| panic!("hook failed"));
        let worker = Thread::new(|| panic!("again"));
        worker.start().unwrap();
        assert_eq!(worker.join(None), Ok(true));

        // Restored: the custom hook no longer sees panics.
        thread::reset_excepthook();
        let worker = Thread::builder()
            .name("printed")
            .start(|| panic!("to stderr"))
            .unwrap();
        worker.join(None).unwrap();
        assert_eq!(seen.lock().unwrap().len(), 2);
    });
}

#[test]
fn panics_caught_inside_the_target_do_not_reach_the_hook() {
    within(|| {
        let called = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&called);
        let (tx, rx) = mpsc::channel();
        let worker = Thread::new(move || {
            let caught = std::panic::catch_unwind(|| panic!("handled"));
            tx.send(caught.is_err()).unwrap();
            flag.store(thread::current_thread().is_alive(), Ordering::Relaxed);
        });
        worker.start().unwrap();
        assert!(rx.recv().unwrap());
        worker.join(None).unwrap();
        assert!(called.load(Ordering::Relaxed));
    });
}

/// The child-process half of the tests below: which scenario to run.
const CHILD: &str = "THREADKIT_THREAD_CHILD";

/// Runs this test binary again with `CHILD=scenario`, running only `test`; returns its exit
/// status, stdout and stderr. Fails if it takes longer than the test limit.
fn run_child(test: &str, scenario: &str) -> (bool, String, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, scenario)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > common::LIMIT {
            let _ = child.kill();
            panic!("child {scenario} did not exit within {:?}", common::LIMIT);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn shutdown_child() {
    let Ok(scenario) = std::env::var(CHILD) else {
        return; // only meaningful in the child process
    };
    match scenario.as_str() {
        "shutdown" => {
            Thread::builder()
                .daemon(true)
                .start(|| {
                    loop {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                })
                .unwrap();
            Thread::builder()
                .daemon(false)
                .start(|| {
                    std::thread::sleep(Duration::from_millis(100));
                    // Started while shutdown is already waiting: waited for too.
                    Thread::builder()
                        .daemon(false)
                        .start(|| {
                            std::thread::sleep(Duration::from_millis(100));
                            println!("late worker done");
                        })
                        .unwrap();
                    println!("worker done");
                })
                .unwrap();
            thread::shutdown();
            println!("shutdown returned");
            std::process::exit(0);
        }
        "main" => {
            thread::main(|| {
                Thread::builder()
                    .daemon(false)
                    .start(|| {
                        std::thread::sleep(Duration::from_millis(100));
                        println!("worker done");
                    })
                    .unwrap();
            });
            println!("main returned");
            std::process::exit(0);
        }
        "panic" => {
            let worker = Thread::builder()
                .name("boom-thread")
                .start(|| panic!("boom"))
                .unwrap();
            worker.join(None).unwrap();
            println!("survived");
            std::process::exit(0);
        }
        "atexit" => {
            let stop = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&stop);
            // A non-daemon service that only an atexit call stops: shutdown must run the call
            // before joining, or it would wait forever.
            Thread::builder()
                .daemon(false)
                .start(move || {
                    while !flag.load(Ordering::Acquire) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    println!("service stopped");
                })
                .unwrap();
            thread::register_atexit(|| println!("first registered")).unwrap();
            thread::register_atexit(|| panic!("a failing call")).unwrap();
            thread::register_atexit(move || {
                println!("last registered");
                stop.store(true, Ordering::Release);
            })
            .unwrap();
            thread::shutdown();
            let refused = thread::register_atexit(|| {}).unwrap_err();
            println!("shutdown returned; then: {refused}");
            std::process::exit(0);
        }
        other => panic!("unknown scenario {other}"),
    }
}

#[test]
fn shutdown_waits_for_non_daemon_threads_but_not_daemons() {
    within(|| {
        let (ok, stdout, stderr) = run_child("shutdown_child", "shutdown");
        assert!(ok, "child failed:\n{stdout}\n{stderr}");
        let worker = stdout.find("worker done").expect(&stdout);
        let late = stdout.find("late worker done").expect(&stdout);
        let returned = stdout.find("shutdown returned").expect(&stdout);
        assert!(worker < returned && late < returned, "{stdout}");
    });
}

#[test]
fn main_helper_waits_for_non_daemon_threads() {
    within(|| {
        let (ok, stdout, stderr) = run_child("shutdown_child", "main");
        assert!(ok, "child failed:\n{stdout}\n{stderr}");
        let worker = stdout.find("worker done").expect(&stdout);
        let returned = stdout.find("main returned").expect(&stdout);
        assert!(worker < returned, "{stdout}");
    });
}

#[test]
fn shutdown_runs_atexit_calls_in_reverse_before_joining() {
    within(|| {
        let (ok, stdout, stderr) = run_child("shutdown_child", "atexit");
        assert!(ok, "child failed:\n{stdout}\n{stderr}");
        let last = stdout.find("last registered").expect(&stdout);
        let first = stdout.find("first registered").expect(&stdout);
        let stopped = stdout.find("service stopped").expect(&stdout);
        let returned = stdout
            .find("shutdown returned; then: can't register atexit after shutdown")
            .expect(&stdout);
        assert!(
            last < first && first < returned && stopped < returned,
            "{stdout}"
        );
        assert!(
            stderr.contains("Exception in threading atexit callback"),
            "{stderr}"
        );
    });
}

#[test]
fn stack_size_is_validated_and_used() {
    within(|| {
        assert_eq!(
            thread::set_stack_size(100),
            Err(thread::StackSizeError::Invalid(100))
        );
        assert_eq!(
            thread::StackSizeError::Invalid(100).to_string(),
            "size not valid: 100 bytes"
        );
        let previous = thread::set_stack_size(4 << 20).unwrap();
        assert_eq!(thread::stack_size(), 4 << 20);
        // A thread started with the configured stack runs a recursion of about 1 MiB (this does
        // not prove the size was applied, only that start honours the setting without failing).
        fn depth(n: u64) -> u64 {
            let pad = std::hint::black_box([n; 64]);
            if n == 0 { 0 } else { 1 + depth(pad[1] - 1) }
        }
        let worker = Thread::new(|| assert_eq!(depth(2000), 2000));
        worker.start().unwrap();
        assert_eq!(worker.join(None), Ok(true));
        thread::set_stack_size(previous).unwrap();
        let small = Thread::builder()
            .stack_size(64 * 1024)
            .start(|| {})
            .unwrap();
        assert_eq!(small.join(None), Ok(true));
    });
}

/// The calling thread's stack size as the C library reports it.
#[cfg(target_os = "linux")]
fn own_stack_size() -> usize {
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before it is read, and destroyed once.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        assert_eq!(libc::pthread_getattr_np(libc::pthread_self(), &mut attr), 0);
        let mut size = 0;
        assert_eq!(libc::pthread_attr_getstacksize(&attr, &mut size), 0);
        libc::pthread_attr_destroy(&mut attr);
        size
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_global_stack_size_is_read_when_the_thread_starts_not_when_it_is_built() {
    within(|| {
        const LARGE: usize = 8 << 20;
        const SMALL: usize = 256 << 10;
        let previous = thread::set_stack_size(0).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let grows = {
            let tx = tx.clone();
            Thread::new(move || tx.send(own_stack_size()).unwrap())
        };
        thread::set_stack_size(LARGE).unwrap();
        let shrinks = Thread::new(move || tx.send(own_stack_size()).unwrap());
        grows.start().unwrap();
        let grown = rx.recv().unwrap();
        thread::set_stack_size(SMALL).unwrap();
        shrinks.start().unwrap();
        let shrunk = rx.recv().unwrap();
        thread::set_stack_size(previous).unwrap();
        assert!(
            grown >= LARGE,
            "built at 0, started at 8 MiB: {grown} bytes"
        );
        assert!(
            shrunk < LARGE,
            "built at 8 MiB, started at 256 KiB: {shrunk} bytes"
        );
        // An explicit size wins over the global one.
        let explicit = Thread::builder()
            .stack_size(LARGE)
            .start(|| assert!(own_stack_size() >= LARGE))
            .unwrap();
        assert_eq!(explicit.join(None), Ok(true));
        assert_eq!(grows.join(None), Ok(true));
        assert_eq!(shrinks.join(None), Ok(true));
    });
}

#[test]
fn default_excepthook_prints_like_cpython_and_the_process_survives() {
    within(|| {
        let (ok, stdout, stderr) = run_child("shutdown_child", "panic");
        assert!(ok, "child failed:\n{stdout}\n{stderr}");
        assert!(stdout.contains("survived"), "{stdout}");
        assert!(
            stderr.contains("Exception in thread boom-thread:\nthread panicked at "),
            "{stderr}"
        );
        assert!(stderr.contains(":\nboom\n"), "{stderr}");
        // Rust's own panic message is not printed a second time.
        assert!(
            !stderr.contains("thread 'boom-thread' panicked"),
            "{stderr}"
        );
    });
}

#[test]
fn stress_start_and_join_many_threads() {
    within(|| {
        current_thread(); // this thread counts from here on
        let baseline = active_count();
        let rounds = iterations(400);
        let finished = Arc::new(AtomicUsize::new(0));
        let idents = Arc::new(Mutex::new(HashSet::new()));
        let starters: Vec<Thread> = (0..8)
            .map(|s| {
                let (finished, idents) = (Arc::clone(&finished), Arc::clone(&idents));
                Thread::builder()
                    .name(format!("stress-starter-{s}"))
                    .start(move || {
                        for r in 0..rounds {
                            let name = format!("stress-{s}-{r}");
                            let expected = name.clone();
                            let finished = Arc::clone(&finished);
                            let child = Thread::builder()
                                .name(name)
                                .start(move || {
                                    let me = current_thread();
                                    assert_eq!(me.name(), expected);
                                    assert_eq!(me.ident(), Some(thread::get_ident()));
                                    finished.fetch_add(1, Ordering::Relaxed);
                                })
                                .unwrap();
                            let ident = child.ident().unwrap();
                            assert!(idents.lock().unwrap().insert(ident), "ident reused");
                            assert_eq!(child.join(None), Ok(true));
                            assert!(!child.is_alive());
                        }
                    })
                    .unwrap()
            })
            .collect();
        for starter in starters {
            assert_eq!(starter.join(None), Ok(true));
        }
        assert_eq!(finished.load(Ordering::Relaxed), 8 * rounds);
        let leftover = enumerate()
            .iter()
            .filter(|thread| thread.name().starts_with("stress-"))
            .count();
        assert_eq!(leftover, 0);
        wait_until(|| active_count() == baseline);
    });
}

#[test]
fn stress_dummy_threads_come_and_go() {
    within(|| {
        current_thread(); // this thread counts from here on
        let baseline = active_count();
        let rounds = iterations(200);
        let names = Arc::new(Mutex::new(HashSet::new()));
        let outer: Vec<_> = (0..8)
            .map(|_| {
                let names = Arc::clone(&names);
                std::thread::spawn(move || {
                    for _ in 0..rounds {
                        let names = Arc::clone(&names);
                        std::thread::spawn(move || {
                            let me = current_thread();
                            assert!(enumerate().contains(&me));
                            assert!(names.lock().unwrap().insert(me.name()), "name reused");
                        })
                        .join()
                        .unwrap();
                    }
                })
            })
            .collect();
        for thread in outer {
            thread.join().unwrap();
        }
        // The outer std threads never asked for a handle: only their children registered, and
        // each left the registry when it exited.
        assert_eq!(names.lock().unwrap().len(), 8 * rounds);
        assert_eq!(active_count(), baseline);
    });
}
