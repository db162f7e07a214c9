//! One TUF target, looked up and downloaded (Datadog `_download_with_tuf`:
//! `get_targetinfo`, then `download_target` unless cached). A path looked up
//! twice is answered from the first result, as the reference's cache does.

use std::collections::BTreeMap;

use crate::tuf::session::{TargetOutcome, TargetStatus};
use crate::tuf::{Category, TargetFile, TufError, Updater};
use crate::verdict::{Evidence, Finding, Subject};

/// A target as fetched: the outcome (as `tuf verify` reports it) and the bytes.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub outcome: TargetOutcome,
    pub data: Option<Vec<u8>>,
}

impl Fetched {
    pub fn ok(&self) -> bool {
        self.outcome.status == TargetStatus::Ok && self.data.is_some()
    }

    pub fn info(&self) -> Option<&TargetFile> {
        self.outcome.info.as_ref()
    }
}

/// Lookups and downloads of one run, by path.
#[derive(Default)]
pub struct Cache {
    by_path: BTreeMap<String, Fetched>,
}

impl Cache {
    /// Looks `path` up and downloads it (once per path).
    pub fn get(&mut self, updater: &mut Updater<'_>, path: &str) -> (Fetched, bool) {
        if let Some(f) = self.by_path.get(path) {
            return (f.clone(), false);
        }
        let f = lookup_and_download(updater, path);
        self.by_path.insert(path.to_owned(), f.clone());
        (f, true)
    }
}

fn lookup_and_download(updater: &mut Updater<'_>, path: &str) -> Fetched {
    let (outcome, data) = crate::tuf::session::lookup_and_download(updater, path);
    Fetched { outcome, data }
}

/// The finding for a target that could not be had, with what it was for.
pub fn failure_finding(t: &TargetOutcome, what: &str) -> Finding {
    let subject = Subject::Target { path: t.path.clone() };
    match (&t.status, &t.error) {
        (TargetStatus::Error, Some(e)) => error_finding(e, subject, what, &t.path),
        _ => {
            let searched = if t.visited.is_empty() {
                "no role was consulted".to_owned()
            } else {
                format!("roles searched: {}", t.visited.join(" → "))
            };
            let why = if t.category == Category::DelegationLimit {
                "the delegation search stopped at the limit of delegated roles".to_owned()
            } else {
                "no role trusted for this path lists it".to_owned()
            };
            Finding::error(
                t.category.verdict(),
                subject,
                format!("{what} {} is not a TUF target: {why} ({searched})", t.path),
            )
            .with_evidence(Evidence::Data { data: serde_json::json!({ "visited": t.visited }) })
        }
    }
}

fn error_finding(e: &TufError, subject: Subject, what: &str, path: &str) -> Finding {
    e.finding(subject, format!("{what} {path}: role {}: {} ({})", e.role, e.message, e.rule))
}
