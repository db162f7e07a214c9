//! The incremental verification engine (DESIGN §2 `engine/`, §5).
//!
//! Verification is split into **units** — parse one file, check one
//! signature set, one threshold, one expiry, one rule list, one artifact
//! digest, one delegation resolution — that form a DAG ([`Plan`]). Each unit
//! is a pure function of its declared inputs (file bytes, parameters such as
//! the evaluation time, other units' outputs) and yields an [`Outcome`]: a
//! status, findings and a typed output. The engine:
//!
//! - runs ready units on a small pool of std threads and streams
//!   [`Event`]s (`Invalidated`, `Started`, `Finished`, `Progress`,
//!   `Completed`) over `std::sync::mpsc` to every subscriber;
//! - keys a cache by the fingerprints of each unit's inputs, so a unit whose
//!   inputs did not change is not run again;
//! - on a file change ([`EngineHandle::file_changed`], or the [`Watcher`])
//!   re-hashes the file and, if its content changed, starts a new generation
//!   that re-runs exactly the units downstream of it; results computed from
//!   superseded inputs are never delivered.
//!
//! **Why threads, not async** (research/tui.md §2): the work is CPU-bound
//! hashing and signature checks over local files, the UI loop is a plain
//! blocking loop over channels, and a runtime would add a dependency and a
//! colouring of every function for nothing. "Latest request wins" (gitui's
//! async jobs) is the per-unit epoch check here. This module and the TUI are
//! the only places that spawn threads (DESIGN §2); units themselves must not.
//!
//! ```
//! use trailscope::engine::{run_to_completion, EngineConfig, MemorySource, Outcome, Plan, UnitId};
//!
//! let mut plan = Plan::builder();
//! let file = plan.file("alice.link");
//! let f = file.clone();
//! let parse = plan.unit(UnitId::new("parse", "alice.link"), &[file.input()], move |inputs| {
//!     match inputs.bytes(&f) {
//!         Some(bytes) => Outcome::pass(bytes.len()),
//!         None => Outcome::skipped("alice.link is missing"),
//!     }
//! });
//! let p = parse.clone();
//! let check = plan.unit(UnitId::new("check", "alice.link"), &[parse.input()], move |inputs| {
//!     let Some(len) = inputs.get(&p) else { return Outcome::skipped("did not parse") };
//!     Outcome::from_findings(Some(*len > 0), Vec::new())
//! });
//! let source = MemorySource::new();
//! source.insert("alice.link", &b"{}"[..]);
//! let results = run_to_completion(plan.build().unwrap(), EngineConfig::default(), source);
//! assert_eq!(results.output(&check), Some(&true));
//! ```
//!
//! Rules for unit authors: a compute function reads only its declared
//! inputs (anything else is invisible to the cache key), captures only
//! handles and constants that are the same for equal [`UnitId`]s, and never
//! blocks on I/O other than through file inputs.

mod cache;
mod event;
mod id;
mod inputs;
mod outcome;
mod plan;
pub mod plans;
mod results;
mod scheduler;
mod source;
mod state;
mod watch;

pub use event::{Event, Progress, Stats, UnitState};
pub use id::{Fingerprint, FingerprintBuilder, UnitId};
pub use inputs::Inputs;
pub use outcome::{Outcome, Status, UnitOutcome};
pub use plan::{Dependency, FileRef, Input, ParamRef, Plan, PlanBuilder, PlanError, UnitRef};
pub use results::Results;
pub use scheduler::{Engine, EngineConfig, EngineHandle, run_to_completion};
pub use source::{DEFAULT_MAX_FILE_LEN, DiskSource, FileContent, FileInput, FileSource, MemorySource};
pub use state::Change;
pub use watch::{WatchError, Watcher};
