//! [`ThreadPoolExecutor`]: a pool of worker threads that run submitted calls and hand back
//! [`Future`](super::Future)s, like `concurrent.futures.ThreadPoolExecutor`. One file per
//! concept, as the headings of `README.md` beside them, which describes the sleep/wake protocol:
//!
//! | file        | what                                                                          |
//! |-------------|-------------------------------------------------------------------------------|
//! | `pool.rs`   | [`ThreadPoolExecutor`], the handle, and `Pool`, the state shared with workers  |
//! | `builder.rs`| [`Builder`]: the configuration                                                |
//! | `submit.rs` | the submit path: the full pool's, and the starting path                       |
//! | `gate.rs`   | `gate` (shutdown, broken, submits in flight), `Reservation` (`max_pending`)   |
//! | `job.rs`    | the queued call inside its future's block (`../slab.rs`)                       |
//! | `worker.rs` | a worker's life: started, initialized, its loop, its wait for work            |
//! | `sleep.rs`  | parking and waking workers and blocked submitters                             |
//! | `host.rs`   | [`WorkerHost`]: who starts the workers (the built-in `Threads`, or yours)      |
//! | `stats.rs`  | per-worker task counts                                                        |
//! | `fork.rs`   | [`reinit_after_fork`](ThreadPoolExecutor::reinit_after_fork)                  |

mod builder;
mod fork;
mod gate;
mod host;
mod job;
mod pool;
mod sleep;
mod stats;
mod submit;
mod worker;

pub use builder::Builder;
pub use host::{HostError, WorkerHost};
pub use pool::ThreadPoolExecutor;
