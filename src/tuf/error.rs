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
    /// A download timed out or missed its deadline (`SlowRetrievalError`).
    SlowRetrieval,
    Other,
}

impl Category {
    pub const ALL: [Category; 18] = [
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
        Category::SlowRetrieval,
        Category::Other,
    ];

    /// The registered category of the JSON document and findings.
    pub fn verdict(self) -> crate::verdict::category::Category {
        use crate::verdict::category as vc;
        match self {
            Category::Ok => vc::OK,
            Category::Expired => vc::EXPIRED,
            Category::SignatureThreshold => vc::SIGNATURE_THRESHOLD,
            Category::Rollback => vc::ROLLBACK,
            Category::VersionMismatch => vc::VERSION_MISMATCH,
            Category::LengthMismatch => vc::LENGTH_MISMATCH,
            Category::HashMismatch => vc::HASH_MISMATCH,
            Category::Malformed => vc::MALFORMED,
            Category::WrongType => vc::WRONG_TYPE,
            Category::SpecVersion => vc::SPEC_VERSION,
            Category::MissingFromSnapshot => vc::MISSING_FROM_SNAPSHOT,
            Category::DownloadFailed => vc::DOWNLOAD_FAILED,
            Category::NotFound => vc::NOT_FOUND,
            Category::DelegationLimit => vc::DELEGATION_LIMIT,
            Category::RefreshFailed => vc::REFRESH_FAILED,
            Category::RepositoryError => vc::REPOSITORY_ERROR,
            Category::SlowRetrieval => vc::SLOW_RETRIEVAL,
            Category::Other => vc::OTHER,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.verdict().id()
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

    /// The error as a finding about `subject`, saying `message`: its
    /// category, evidence and location.
    pub fn finding(&self, subject: crate::verdict::Subject, message: String) -> crate::verdict::Finding {
        let f = crate::verdict::Finding::error(self.category.verdict(), subject, message)
            .with_evidence((*self.evidence).clone());
        match &self.location {
            Some(loc) => f.at((**loc).clone()),
            None => f,
        }
    }

    /// Misuse of the state machine (the reference raises `RuntimeError`).
    pub fn order(role: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Category::Other, role, "§5", message)
    }
}
