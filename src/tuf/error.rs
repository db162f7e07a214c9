//! The outcome vocabulary of the TUF client workflow: the categories of the
//! TUF corpus (`corpus/README-tuf.md`), which name the check python-tuf's
//! ngclient would have failed first, and the error that carries one.

use std::fmt;

use crate::meta::Location;
use crate::verdict::Evidence;

/// What went wrong, in the corpus vocabulary (kebab-case on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Ok,
    Expired,
    SignatureThreshold,
    Rollback,
    VersionMismatch,
    LengthMismatch,
    HashMismatch,
    Malformed,
    WrongType,
    SpecVersion,
    MissingFromSnapshot,
    DownloadFailed,
    NotFound,
    DelegationLimit,
    RefreshFailed,
    RepositoryError,
    Other,
}

impl Category {
    pub const ALL: [Category; 17] = [
        Category::Ok,
        Category::Expired,
        Category::SignatureThreshold,
        Category::Rollback,
        Category::VersionMismatch,
        Category::LengthMismatch,
        Category::HashMismatch,
        Category::Malformed,
        Category::WrongType,
        Category::SpecVersion,
        Category::MissingFromSnapshot,
        Category::DownloadFailed,
        Category::NotFound,
        Category::DelegationLimit,
        Category::RefreshFailed,
        Category::RepositoryError,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Ok => "ok",
            Category::Expired => "expired",
            Category::SignatureThreshold => "signature-threshold",
            Category::Rollback => "rollback",
            Category::VersionMismatch => "version-mismatch",
            Category::LengthMismatch => "length-mismatch",
            Category::HashMismatch => "hash-mismatch",
            Category::Malformed => "malformed",
            Category::WrongType => "wrong-type",
            Category::SpecVersion => "spec-version",
            Category::MissingFromSnapshot => "missing-from-snapshot",
            Category::DownloadFailed => "download-failed",
            Category::NotFound => "not-found",
            Category::DelegationLimit => "delegation-limit",
            Category::RefreshFailed => "refresh-failed",
            Category::RepositoryError => "repository-error",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed step of the client workflow: which role, which check, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{role}: {message} ({rule})")]
pub struct TufError {
    pub category: Category,
    /// The role at fault as the reference attributes it: the workflow stage
    /// that failed (`root`, `timestamp`, …, a delegated role).
    pub role: String,
    pub message: String,
    /// The spec rule that failed, e.g. `§5.4.2`.
    pub rule: &'static str,
    /// Typed detail for the finding (threshold, versions, digests, …).
    pub evidence: Box<Evidence>,
    /// The file or URL the failing bytes came from.
    pub location: Option<Box<Location>>,
}

impl TufError {
    pub fn new(
        category: Category,
        role: impl Into<String>,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            category,
            role: role.into(),
            message: message.into(),
            rule,
            evidence: Box::new(Evidence::None),
            location: None,
        }
    }

    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = Box::new(evidence);
        self
    }

    pub fn at(mut self, source: Location) -> Self {
        self.location = Some(Box::new(source));
        self
    }

    /// Misuse of the state machine (the reference raises `RuntimeError`).
    pub fn order(role: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Category::Other, role, "§5", message)
    }
}
