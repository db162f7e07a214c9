//! One verification run, as `trailscope tuf verify` and the corpus tests do
//! it: build the updater, refresh, look up and download each requested
//! target in the same updater, optionally audit every delegated role, and
//! keep everything needed to report on it afterwards.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::error::{Category, TufError};
use super::metadata::TargetFile;
use super::source::Source;
use super::state::StateDir;
use super::trusted_set::TrustedSet;
use super::updater::{AuditedRole, Config, UntrustedRole, Updater};
use crate::crypto::DigestAlg;
use crate::verdict::{Finding, Subject};

/// What to verify.
pub struct Request<'a> {
    pub root_bytes: Vec<u8>,
    pub root_file: String,
    pub metadata: &'a dyn Source,
    pub targets: Option<&'a dyn Source>,
    pub state: Option<StateDir>,
    pub at: OffsetDateTime,
    pub config: Config,
    /// Target paths to look up, in order.
    pub target_paths: Vec<String>,
    /// Load every delegated role reachable from targets.
    pub all_roles: bool,
}

/// The outcome for one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetStatus {
    Ok,
    NotFound,
    Error,
}

impl TargetStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            TargetStatus::Ok => "ok",
            TargetStatus::NotFound => "not-found",
            TargetStatus::Error => "error",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TargetOutcome {
    pub path: String,
    pub status: TargetStatus,
    pub category: Category,
    /// The role that listed the target, or the role whose metadata failed.
    pub role: Option<String>,
    pub info: Option<TargetFile>,
    pub error: Option<TufError>,
    /// Roles consulted by the search, in order.
    pub visited: Vec<String>,
    /// Bytes verified (only kept when asked for).
    pub length_verified: Option<u64>,
}

/// Everything a run found.
pub struct Outcome {
    /// The trusted set as the run left it (None if the trusted root did not load).
    pub trusted: Option<TrustedSet>,
    /// The first failure in the reference's order of checks.
    pub refresh: Result<(), TufError>,
    pub targets: Vec<TargetOutcome>,
    pub audit: Vec<AuditedRole>,
    /// After a failed refresh: top-level roles it did not trust, read anyway.
    pub untrusted: Vec<UntrustedRole>,
    /// Observations of the updater (local copies ignored, re-verified roles).
    pub notes: Vec<Finding>,
    pub at: OffsetDateTime,
    pub config: Config,
}

impl Outcome {
    /// The trusted root the run started from could not be parsed as root
    /// metadata (not JSON, not a root, an unsupported spec version): the
    /// error, when so. Every other failure is the repository's evidence
    /// (DESIGN §4: exit 3 only for the trust anchor, 1 for the rest).
    pub fn unparsed_trusted_root(&self) -> Option<&TufError> {
        match &self.refresh {
            Err(e)
                if self.trusted.is_none()
                    && matches!(
                        e.category,
                        Category::Malformed | Category::WrongType | Category::SpecVersion
                    ) =>
            {
                Some(e)
            }
            _ => None,
        }
    }
}

/// Runs the client workflow for `req`.
pub fn run(req: Request<'_>) -> Outcome {
    let mut outcome = Outcome {
        trusted: None,
        refresh: Ok(()),
        targets: Vec::new(),
        audit: Vec::new(),
        untrusted: Vec::new(),
        notes: Vec::new(),
        at: req.at,
        config: req.config.clone(),
    };
    let updater = Updater::new(&req.root_bytes, &req.root_file, req.metadata, req.at, req.config.clone());
    let mut updater = match updater {
        Ok(u) => u,
        Err(e) => {
            outcome.targets = req.target_paths.iter().map(|p| refresh_failed(p)).collect();
            outcome.refresh = Err(e);
            return outcome;
        }
    };
    if let Some(t) = req.targets {
        updater = updater.with_targets(t);
    }
    if let Some(s) = req.state {
        updater = updater.with_state(s);
    }
    outcome.refresh = updater.refresh();
    if outcome.refresh.is_err() {
        outcome.targets = req.target_paths.iter().map(|p| refresh_failed(p)).collect();
        // A mirror too slow to answer once is not asked again: each probe
        // would wait out another timeout or deadline.
        let slow = matches!(&outcome.refresh, Err(e) if e.category == Category::SlowRetrieval);
        if !slow {
            outcome.untrusted = updater.probe_untrusted();
        }
    } else {
        for path in &req.target_paths {
            outcome.targets.push(lookup_and_download(&mut updater, path).0);
        }
        if req.all_roles {
            outcome.audit = updater.load_all_roles();
        }
    }
    let (trusted, notes) = updater.into_parts();
    outcome.notes = notes;
    outcome.notes.extend(weak_hash_findings(&trusted, &outcome.targets));
    outcome.notes.extend(substitution_findings(req.metadata, req.targets));
    outcome.trusted = Some(trusted);
    outcome
}

/// A warning (an error under `--strict`) for every md5 or sha1 digest a
/// verified file was checked against: the reference accepts them, but a
/// collision lets two files pass as one.
fn weak_hash_findings(trusted: &TrustedSet, targets: &[TargetOutcome]) -> Vec<Finding> {
    let mut out = Vec::new();
    let weak = |hashes: &BTreeMap<String, String>| -> Vec<&'static str> {
        hashes
            .keys()
            .filter_map(|k| DigestAlg::from_name(k))
            .filter(|a| a.is_weak())
            .map(|a| a.name())
            .collect()
    };
    let mut note = |subject: Subject, lister: &str, file: &str, algs: Vec<&'static str>| {
        if !algs.is_empty() {
            out.push(Finding::warning(
                crate::verdict::category::WEAK_HASH_ALGORITHM,
                subject,
                format!(
                    "{lister} pins {file} with {} (verified, as python-tuf does; these digests are broken for collision resistance, so two different files can match)",
                    algs.join(" and ")
                ),
            ));
        }
    };
    if let (Some(ts), Some(_)) = (trusted.timestamp(), trusted.snapshot())
        && let Some(h) = &ts.meta.snapshot_meta.hashes
    {
        note(Subject::Role { name: "snapshot".into() }, "timestamp", "snapshot.json", weak(h));
    }
    if let Some(snap) = trusted.snapshot() {
        for (name, _, _) in trusted.targets_roles() {
            if let Some(h) = snap.meta.meta.get(&format!("{name}.json")).and_then(|m| m.hashes.as_ref()) {
                note(Subject::Role { name: name.to_owned() }, "snapshot", &format!("{name}.json"), weak(h));
            }
        }
    }
    for t in targets.iter().filter(|t| t.status == TargetStatus::Ok && t.length_verified.is_some()) {
        if let (Some(info), Some(role)) = (&t.info, &t.role) {
            note(Subject::Target { path: t.path.clone() }, role, &t.path, weak(&info.hashes));
        }
    }
    out
}

/// One finding per file a directory in tuf-on-ci's source layout served
/// under another name than the one asked for (python-tuf, which asks for
/// the same names, would not find it).
fn substitution_findings(metadata: &dyn Source, targets: Option<&dyn Source>) -> Vec<Finding> {
    let mut pairs = metadata.substitutions();
    pairs.extend(targets.map(|t| t.substitutions()).unwrap_or_default());
    pairs
        .into_iter()
        .map(|(asked, read)| {
            Finding::info(
                crate::verdict::category::SOURCE_LAYOUT,
                Subject::File { path: asked.clone() },
                format!(
                    "asked for {asked}, read {read}: the directory is in tuf-on-ci's source layout (root_history/), which serves files without version or hash prefixes; a client of the published repository would ask for {asked}"
                ),
            )
        })
        .collect()
}

fn refresh_failed(path: &str) -> TargetOutcome {
    TargetOutcome {
        path: path.to_owned(),
        status: TargetStatus::Error,
        category: Category::RefreshFailed,
        role: None,
        info: None,
        error: None,
        visited: Vec::new(),
        length_verified: None,
    }
}

/// Looks `path` up (delegation search) and, unless the configuration asks for
/// lookups only, downloads and verifies it; returns the outcome and the
/// verified bytes. Shared by the TUF session and the bridge.
pub fn lookup_and_download(updater: &mut Updater<'_>, path: &str) -> (TargetOutcome, Option<Vec<u8>>) {
    let mut out = TargetOutcome {
        path: path.to_owned(),
        status: TargetStatus::NotFound,
        category: Category::NotFound,
        role: None,
        info: None,
        error: None,
        visited: Vec::new(),
        length_verified: None,
    };
    let lookup = match updater.get_targetinfo(path) {
        Ok(l) => l,
        Err(e) => {
            out.status = TargetStatus::Error;
            out.category = e.category;
            out.role = Some(e.role.clone());
            out.error = Some(e);
            return (out, None);
        }
    };
    out.visited = lookup.visited.clone();
    let Some((role, info)) = lookup.found else {
        if lookup.limit_reached {
            out.category = Category::DelegationLimit;
        }
        return (out, None);
    };
    out.role = Some(role.clone());
    out.info = Some(info.clone());
    if updater.config().lookup_only {
        out.status = TargetStatus::Ok;
        out.category = Category::Ok;
        return (out, None);
    }
    match updater.download_target(path, &info, &role) {
        Ok(data) => {
            out.status = TargetStatus::Ok;
            out.category = Category::Ok;
            out.length_verified = Some(data.len() as u64);
            (out, Some(data))
        }
        Err(e) => {
            out.status = TargetStatus::Error;
            out.category = e.category;
            out.error = Some(e);
            (out, None)
        }
    }
}
