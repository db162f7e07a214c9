//! Findings: what verification says, one problem or observation at a time
//! (DESIGN §3). A failed verification is a list of findings, not an `Err`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::category::Category;
use crate::meta::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn word(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Subject {
    Layout { path: String },
    Step { name: String },
    Inspection { name: String },
    Link { path: String },
    Rule { step: String, section: String, index: usize, text: String },
    Artifact { path: String },
    Key { keyid: String },
    Role { name: String },
    Target { path: String },
    File { path: String },
}

/// One signature as checked: by whom, and whether it counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureCheck {
    pub keyid: String,
    pub valid: bool,
    /// Why it did not count (invalid, unknown key, duplicate, …); `None` when valid.
    pub reason: Option<String>,
}

/// Typed evidence behind a finding; serialized as an object tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Evidence {
    None,
    /// Expected vs actual digests (algorithm → hex) of an artifact or file.
    Digests {
        expected: Value,
        actual: Value,
    },
    /// Signatures found on a document.
    Signatures {
        checks: Vec<SignatureCheck>,
    },
    /// A threshold: how many distinct keys were needed, which counted.
    Threshold {
        needed: u64,
        valid: Vec<String>,
        checks: Vec<SignatureCheck>,
    },
    /// An expiry compared with the evaluation time.
    Expiry {
        expires: String,
        evaluated_at: String,
    },
    /// A version compared with a trusted one.
    Versions {
        trusted: u64,
        new: u64,
    },
    /// A length compared with its limit or expected value.
    Length {
        expected: u64,
        actual: u64,
    },
    /// Anything else, as structured JSON.
    Data {
        data: Value,
    },
    /// An in-toto artifact rule as evaluated: the queue before and after, what
    /// it consumed, what it matched but could not consume (MATCH), and what a
    /// DISALLOW/REQUIRE failed on.
    RuleTrace(RuleTrace),
}

/// The trace of one artifact rule (in-toto rule engine).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleTrace {
    /// The queue before the rule, its first [`RuleTrace::LIST_LIMIT`] entries
    /// (sorted); `queue_before_count` is the full size.
    pub queue_before: Vec<String>,
    pub queue_before_count: usize,
    pub queue_after: Vec<String>,
    pub queue_after_count: usize,
    pub consumed: Vec<String>,
    pub consumed_count: usize,
    /// MATCH: artifacts the pattern selected that could not be consumed.
    pub unmatched: Vec<UnmatchedArtifact>,
    /// DISALLOW: the artifacts it matched; REQUIRE: the missing name.
    pub offending: Vec<String>,
}

impl RuleTrace {
    /// How many entries of a queue or consumed list a trace keeps: enough to
    /// show and search, bounded for links with 100k artifacts (the counts say
    /// how many there were).
    pub const LIST_LIMIT: usize = 1000;

    /// The first [`Self::LIST_LIMIT`] items and their total count.
    pub fn capped<'a>(items: impl ExactSizeIterator<Item = &'a String>) -> (Vec<String>, usize) {
        let total = items.len();
        (items.take(Self::LIST_LIMIT).cloned().collect(), total)
    }
}

/// A MATCH source artifact without an equal destination artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmatchedArtifact {
    pub path: String,
    pub hashes: Value,
    /// The destination step and artifact path looked up.
    pub dest_step: String,
    pub dest_path: String,
    /// `None` when the destination has no such artifact (or no such step).
    pub dest_hashes: Option<Value>,
    /// `hash-mismatch`, `missing-destination` or `unknown-step`.
    pub reason: String,
}

/// One thing verification found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// Reference vocabulary (corpus READMEs) for errors; our own kebab-case
    /// words for warnings and information.
    pub category: Category,
    pub subject: Subject,
    pub message: String,
    pub evidence: Evidence,
    pub source: Option<Location>,
    /// Bridge verification: the stage the finding belongs to (`tuf`,
    /// `custom-metadata`, `in-toto`, `product-binding`); absent elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
}

impl Finding {
    pub fn new(severity: Severity, category: Category, subject: Subject, message: impl Into<String>) -> Self {
        Self {
            severity,
            category,
            subject,
            message: message.into(),
            evidence: Evidence::None,
            source: None,
            stage: None,
        }
    }

    pub fn error(category: Category, subject: Subject, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, category, subject, message)
    }

    pub fn warning(category: Category, subject: Subject, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, category, subject, message)
    }

    pub fn info(category: Category, subject: Subject, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, category, subject, message)
    }

    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = evidence;
        self
    }

    pub fn at(mut self, source: Location) -> Self {
        self.source = Some(source);
        self
    }

    /// Tags the finding with the bridge stage it belongs to.
    pub fn in_stage(mut self, stage: impl Into<String>) -> Self {
        self.stage = Some(stage.into());
        self
    }

    /// Under `--strict`, warnings about weaknesses become errors.
    pub fn escalate(mut self, strict: bool) -> Self {
        if strict && self.severity == Severity::Warning {
            self.severity = Severity::Error;
        }
        self
    }
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

pub fn count(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        match f.severity {
            Severity::Error => c.error += 1,
            Severity::Warning => c.warning += 1,
            Severity::Info => c.info += 1,
        }
    }
    c
}
