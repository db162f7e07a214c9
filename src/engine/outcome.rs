//! What a unit yields: a status, its findings and (optionally) a typed output
//! that downstream units read.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::verdict::{Finding, Severity};

use super::id::Fingerprint;

/// The result of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Checked; no error finding.
    Pass,
    /// Checked; at least one error finding.
    Fail,
    /// Not checked because something it needs is missing (an upstream unit
    /// produced no output, a file is absent, …).
    Skipped,
    /// The unit could not run: its compute panicked or reported an internal
    /// error. Not a verification result.
    Error,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Skipped => "skipped",
            Self::Error => "error",
        }
    }
}

/// What a compute function returns; `T` is the unit's output type.
#[derive(Debug, Clone)]
pub struct Outcome<T> {
    pub status: Status,
    pub output: Option<T>,
    pub findings: Vec<Finding>,
    /// Why the unit was skipped or errored.
    pub detail: Option<String>,
    /// A fingerprint of the output's content. When given, downstream cache
    /// keys use it instead of this unit's input key, so a change that leaves
    /// the output equal (reformatted JSON, say) re-runs nothing downstream.
    pub fingerprint: Option<Fingerprint>,
}

impl<T> Outcome<T> {
    /// Passed, with an output and no findings.
    pub fn pass(output: T) -> Self {
        Self::new(Status::Pass, Some(output))
    }

    /// `Fail` if any finding is an error, `Pass` otherwise.
    pub fn from_findings(output: Option<T>, findings: Vec<Finding>) -> Self {
        let failed = findings.iter().any(|f| f.severity == Severity::Error);
        let status = if failed { Status::Fail } else { Status::Pass };
        Self { findings, ..Self::new(status, output) }
    }

    /// Failed, with these findings and no output.
    pub fn fail(findings: Vec<Finding>) -> Self {
        Self { findings, ..Self::new(Status::Fail, None) }
    }

    /// Not checked, and why.
    pub fn skipped(reason: impl Into<String>) -> Self {
        Self { detail: Some(reason.into()), ..Self::new(Status::Skipped, None) }
    }

    /// Could not run, and why.
    pub fn error(message: impl Into<String>) -> Self {
        Self { detail: Some(message.into()), ..Self::new(Status::Error, None) }
    }

    pub fn with_findings(mut self, findings: Vec<Finding>) -> Self {
        self.findings = findings;
        self
    }

    /// Declares the output's content fingerprint (see [`Outcome::fingerprint`]).
    pub fn with_fingerprint(mut self, content: &[u8]) -> Self {
        self.fingerprint = Some(Fingerprint::of(content));
        self
    }

    fn new(status: Status, output: Option<T>) -> Self {
        Self { status, output, findings: Vec::new(), detail: None, fingerprint: None }
    }
}

/// A type-erased output, shared between the cache, results and readers.
pub type Output = Arc<dyn Any + Send + Sync>;

/// A unit's outcome as the engine stores and streams it.
#[derive(Clone)]
pub struct UnitOutcome {
    pub status: Status,
    pub findings: Vec<Finding>,
    pub detail: Option<String>,
    pub(crate) output: Option<Output>,
    /// What downstream cache keys see of this outcome.
    pub(crate) fingerprint: Fingerprint,
}

impl UnitOutcome {
    pub(crate) fn erase<T: Any + Send + Sync>(o: Outcome<T>, key: Fingerprint) -> Self {
        Self {
            status: o.status,
            findings: o.findings,
            detail: o.detail,
            output: o.output.map(|v| Arc::new(v) as Output),
            fingerprint: o.fingerprint.unwrap_or(key),
        }
    }

    pub(crate) fn internal_error(message: String, key: Fingerprint) -> Self {
        Self {
            status: Status::Error,
            findings: Vec::new(),
            detail: Some(message),
            output: None,
            fingerprint: key,
        }
    }

    /// The output, if the unit produced one of type `T`.
    pub fn output<T: Any>(&self) -> Option<&T> {
        self.output.as_deref().and_then(|o| o.downcast_ref::<T>())
    }

    pub fn has_output(&self) -> bool {
        self.output.is_some()
    }

    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }
}

impl fmt::Debug for UnitOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitOutcome")
            .field("status", &self.status)
            .field("findings", &self.findings.len())
            .field("detail", &self.detail)
            .field("has_output", &self.output.is_some())
            .finish()
    }
}
