//! The classes of `threadkit.threading`, one primitive per file.
//!
//! | file      | class  | mirrors           | core              |
//! |-----------|--------|-------------------|-------------------|
//! | `lock.rs` | `Lock` | `threading.Lock`  | [`threadkit::Lock`] |

mod lock;

pub(crate) use lock::Lock;
