//! What the engine tells its listeners, and the per-unit states a view shows.

use std::sync::Arc;

use super::id::UnitId;
use super::outcome::{Status, UnitOutcome};

/// Sent over `std::sync::mpsc` to every subscriber, in the order things
/// happened. Every event carries the generation it belongs to; the engine
/// never sends a result computed from superseded inputs.
#[derive(Debug, Clone)]
pub enum Event {
    /// A new generation began (a plan was loaded, a file or parameter
    /// changed) and these units are pending again.
    Invalidated { generation: u64, units: Vec<UnitId> },
    /// A worker began computing `unit`.
    Started { generation: u64, unit: UnitId },
    /// `unit` has its result for this generation; `reused` when it came from
    /// the cache without running.
    Finished { generation: u64, unit: UnitId, outcome: Arc<UnitOutcome>, reused: bool },
    /// Units with a current result, out of all units in the plan.
    Progress { generation: u64, done: usize, total: usize },
    /// Every unit has its result for this generation.
    Completed { generation: u64 },
}

/// A unit's state as a view shows it (DESIGN §5: pending/running/pass/fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitState {
    Pending,
    Running,
    Done(Status),
}

impl UnitState {
    pub fn word(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done(s) => s.word(),
        }
    }
}

/// Counters since the engine started, for tests and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Compute functions run (including ones that panicked).
    pub executed: u64,
    /// Results taken from the cache instead of running.
    pub reused: u64,
    /// Results that arrived for superseded inputs and were not delivered.
    pub dropped: u64,
    /// Files read by workers or re-hashed on a change.
    pub files_read: u64,
}

/// How far the current generation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub generation: u64,
    pub done: usize,
    pub total: usize,
}
