//! Sigstore's trusted root, distributed by TUF (sigstore/root-signing):
//! `trusted_root.json` is a target of Sigstore's TUF repository, so the
//! chain a user sees for an attestation starts at a TUF root that trailscope
//! pins, not at a file found on disk.
//!
//! Where the bytes come from, in order of preference:
//! 1. a local copy of the repository named on the command line
//!    (`--tuf-metadata DIR|URL`, evaluated at `--at`);
//! 2. Sigstore's repository over https, with the metadata kept in the
//!    platform cache directory (rollback protection across runs);
//! 3. offline (or when the repository cannot be reached): the snapshot
//!    embedded in the binary, verified with the same TUF client as of the
//!    snapshot's date, with a warning that names that date.
//!
//! A repository that answers but does not verify is never replaced by the
//! embedded snapshot: that would let a network attacker choose the older
//! root. Only an unreachable repository falls back.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::tuf::session::{TargetStatus, lookup_and_download};
use crate::tuf::source::MemorySource;
use crate::tuf::state::StateDir;
use crate::tuf::{Category as TufCategory, Config, Source, TufError, Updater};
use crate::verdict::category::{TRUSTED_ROOT_EMBEDDED, TRUSTED_ROOT_FROM_TUF};
use crate::verdict::{Evidence, Finding, Subject};

/// The production repository snapshot (sigstore/root-signing 60cf2ce8).
static PRODUCTION_SNAPSHOT: Dir<'static> =
    include_dir!("$CARGO_MANIFEST_DIR/fixtures/interop/external/tuf/sigstore+root-signing");
/// The staging anchor, a staging snapshot, and sigstore-python's embedded staging trusted root.
static STAGING: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/sigstore-tuf/staging");

/// The target every Sigstore client asks the repository for.
pub const TARGET: &str = "trusted_root.json";

/// Which Sigstore instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Instance {
    Production,
    Staging,
}

impl Instance {
    /// The instance's TUF repository (metadata at the root, targets under `targets/`).
    pub fn repository(self) -> &'static str {
        match self {
            Instance::Production => "https://tuf-repo-cdn.sigstore.dev/",
            Instance::Staging => "https://tuf-repo-cdn.sigstage.dev/",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Instance::Production => "production",
            Instance::Staging => "staging",
        }
    }

    /// The TUF root trailscope pins for the instance (the one sigstore-python 4.x embeds).
    pub fn anchor(self) -> (&'static [u8], &'static str) {
        match self {
            Instance::Production => (
                file(&PRODUCTION_SNAPSHOT, "metadata/root_history/15.root.json"),
                "embedded production root v15 (sigstore/root-signing 60cf2ce8)",
            ),
            Instance::Staging => (
                file(&STAGING, "metadata/14.root.json"),
                "embedded staging root v14 (as sigstore-python 4.5 embeds it)",
            ),
        }
    }

    fn cache_key(self) -> &'static str {
        match self {
            Instance::Production => "tuf-repo-cdn.sigstore.dev",
            Instance::Staging => "tuf-repo-cdn.sigstage.dev",
        }
    }
}

fn file(dir: &'static Dir<'static>, path: &str) -> &'static [u8] {
    // The embedded directories are fixed at build time; a test opens every path used here.
    dir.get_file(path).map(|f| f.contents()).unwrap_or_default()
}

/// The date of the embedded production snapshot: the root-signing commit's
/// time, inside timestamp v762's validity (2026-08-21 … 2026-08-28).
pub const PRODUCTION_SNAPSHOT_DATE: OffsetDateTime = datetime!(2026-08-21 19:25:56 UTC);

/// What to obtain, and from where.
#[derive(Debug, Clone)]
pub struct RootRequest {
    pub instance: Instance,
    /// A local copy of the repository (`--tuf-metadata DIR|URL`): metadata
    /// at its root, targets under `targets/`.
    pub tuf_metadata: Option<String>,
    /// The evaluation time (`--at`, default now).
    pub at: OffsetDateTime,
    /// Never go to the network: use the embedded snapshot.
    pub offline: bool,
    /// Where trusted metadata is kept between runs (None: not kept).
    pub cache_dir: Option<PathBuf>,
    /// The repository URL (default: the instance's; tests point it at 127.0.0.1).
    pub repository: Option<String>,
    pub config: Config,
}

impl RootRequest {
    pub fn new(instance: Instance, at: OffsetDateTime) -> Self {
        Self {
            instance,
            tuf_metadata: None,
            at,
            offline: false,
            cache_dir: default_cache_dir(instance),
            repository: None,
            config: Config::default(),
        }
    }
}

/// `<platform cache dir>/sigstore-tuf/<host>` (`TRAILSCOPE_CACHE_DIR` overrides the base).
pub fn default_cache_dir(instance: Instance) -> Option<PathBuf> {
    let base = match std::env::var_os("TRAILSCOPE_CACHE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => directories::ProjectDirs::from("", "", "trailscope")?.cache_dir().to_path_buf(),
    };
    Some(base.join("sigstore-tuf").join(instance.cache_key()))
}

/// Where the trusted root came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// Sigstore's repository (or `--tuf-metadata`), verified now.
    Repository { location: String },
    /// The snapshot embedded in the binary, verified as of its date.
    EmbeddedSnapshot { date: String },
    /// A copy embedded in the binary that no embedded TUF snapshot vouches for.
    EmbeddedCopy { from: String },
}

/// The TUF chain that vouches for the trusted root: what a user sees
/// above the certificate authorities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TufChain {
    /// The pinned root the update started from.
    pub anchor: String,
    pub anchor_version: u64,
    /// Every root version trusted on the way, oldest first.
    pub root_versions: Vec<u64>,
    pub root_version: u64,
    pub root_expires: String,
    /// `k of n` of the final root's root role.
    pub root_threshold: String,
    /// The final root's own root-role threshold, and the keys whose
    /// signatures on it counted toward it (§5.3.4), with their holders
    /// where the root names them (`x-tuf-on-ci-keyowner`).
    pub root_signature_threshold: u64,
    pub root_signers: Vec<RootSigner>,
    pub timestamp_version: u64,
    pub snapshot_version: u64,
    pub targets_version: u64,
    /// The role that listed `trusted_root.json`.
    pub signed_by: String,
    pub length: u64,
    pub sha256: String,
    /// The time the metadata was evaluated at.
    pub evaluated_at: String,
}

/// A key whose signature on the TUF root counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootSigner {
    pub keyid: String,
    /// As the metadata says it, raw (sanitized where shown).
    pub owner: Option<String>,
}

/// A trusted root as obtained.
#[derive(Debug, Clone)]
pub struct ObtainedRoot {
    pub bytes: Vec<u8>,
    pub origin: Origin,
    /// `None` for an embedded copy no snapshot vouches for.
    pub chain: Option<TufChain>,
    /// What happened on the way (the chain as an info finding; a fallback as a warning).
    pub findings: Vec<Finding>,
}

/// The trusted root could not be had: the repository did not verify.
#[derive(Debug, Clone)]
pub struct RootFailure {
    pub location: String,
    pub error: Box<TufError>,
    /// The failure as a finding (TUF category, the role, the rule), plus what came before it.
    pub findings: Vec<Finding>,
}

impl std::fmt::Display for RootFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sigstore's TUF repository {} did not verify: role {}: {} ({})",
            self.location, self.error.role, self.error.message, self.error.rule
        )
    }
}

/// How an obtained root is named in every document (`attest verify`,
/// `open` of a bundle): the repository and versions, or the fallback.
pub fn describe(instance: Instance, got: &ObtainedRoot) -> String {
    match (&got.origin, &got.chain) {
        (Origin::Repository { location }, Some(c)) => format!(
            "{} trusted_root.json via TUF from {location} (root v{}, timestamp v{}, sha256 {})",
            instance.name(),
            c.root_version,
            c.timestamp_version,
            c.sha256.get(..16).unwrap_or(&c.sha256)
        ),
        (Origin::EmbeddedSnapshot { date }, _) => format!(
            "{} trusted_root.json from the embedded snapshot of Sigstore's TUF repository ({date}, verified with TUF as of that date)",
            instance.name()
        ),
        (_, _) => {
            format!("{} trusted_root.json embedded in trailscope (not vouched for by TUF)", instance.name())
        }
    }
}

/// Obtains the instance's `trusted_root.json` through TUF (see the module docs for the order).
pub fn obtain(req: &RootRequest) -> Result<ObtainedRoot, RootFailure> {
    if let Some(location) = &req.tuf_metadata {
        let (metadata_at, targets_at) = locations(location);
        let metadata = crate::tuf::source::open_with(&metadata_at, req.config.net);
        let targets = crate::tuf::source::open_with(&targets_at, req.config.net);
        let (anchor, anchor_name) = req.instance.anchor();
        return through_tuf(
            req,
            metadata.as_ref(),
            targets.as_ref(),
            anchor,
            anchor_name,
            None,
            req.at,
            location,
        );
    }
    let mut fallback_reason = "offline: the network was not asked".to_owned();
    if !req.offline {
        let url = req.repository.clone().unwrap_or_else(|| req.instance.repository().to_owned());
        let (metadata_at, targets_at) = locations(&url);
        let metadata = crate::tuf::source::open_with(&metadata_at, req.config.net);
        let targets = crate::tuf::source::open_with(&targets_at, req.config.net);
        let state = req.cache_dir.as_ref().map(|d| StateDir::new(d, true));
        let (anchor, anchor_name) = req.instance.anchor();
        let cached = state.as_ref().and_then(|s| newer_cached_root(s, anchor, req.config.root_max_length));
        let (start, start_name) = match &cached {
            Some(bytes) => (bytes.as_slice(), "the cached trusted root"),
            None => (anchor, anchor_name),
        };
        match through_tuf(req, metadata.as_ref(), targets.as_ref(), start, start_name, state, req.at, &url) {
            Ok(root) => return Ok(root),
            Err(failure) if unreachable(&failure.error) => {
                fallback_reason = format!("{url} could not be reached ({})", failure.error.message);
            }
            Err(failure) => return Err(failure),
        }
    }
    embedded(req, &fallback_reason)
}

/// Metadata and targets locations of a repository: a URL serves metadata at
/// its root and targets under `targets/` (as Sigstore's CDN does); a
/// directory holds either `metadata/` and `targets/`, or the metadata itself
/// with `targets/` inside.
fn locations(repository: &str) -> (String, String) {
    if repository.starts_with("http://") || repository.starts_with("https://") {
        let base = repository.trim_end_matches('/');
        return (format!("{base}/"), format!("{base}/targets/"));
    }
    let dir = Path::new(repository);
    let metadata = dir.join("metadata");
    if metadata.is_dir() {
        (metadata.display().to_string(), dir.join("targets").display().to_string())
    } else {
        (repository.to_owned(), dir.join("targets").display().to_string())
    }
}

/// A failure of the transport, not of the metadata: nothing was said by the repository.
fn unreachable(e: &TufError) -> bool {
    e.category == TufCategory::DownloadFailed && !e.message.contains(": HTTP ")
}

/// The cached root when it is a newer version of the pinned one's chain; the
/// update from it is verified like any other, so a tampered cache only fails.
fn newer_cached_root(state: &StateDir, anchor: &[u8], max_len: u64) -> Option<Vec<u8>> {
    let cached = state.read("root", max_len)?;
    (signed_version(&cached)? > signed_version(anchor)?).then_some(cached)
}

fn embedded(req: &RootRequest, reason: &str) -> Result<ObtainedRoot, RootFailure> {
    match req.instance {
        Instance::Production => {
            let (metadata, targets) = production_sources();
            let (anchor, anchor_name) = req.instance.anchor();
            let location = "the embedded snapshot of Sigstore's production TUF repository";
            let mut root = through_tuf(
                req,
                &metadata,
                &targets,
                anchor,
                anchor_name,
                None,
                PRODUCTION_SNAPSHOT_DATE,
                location,
            )?;
            let date = PRODUCTION_SNAPSHOT_DATE.date().to_string();
            root.origin = Origin::EmbeddedSnapshot { date: date.clone() };
            root.findings.insert(
                0,
                Finding::warning(
                    TRUSTED_ROOT_EMBEDDED,
                    Subject::File { path: TARGET.into() },
                    format!(
                        "{reason}; using the snapshot of Sigstore's production TUF repository embedded in \
                         trailscope, dated {date} (verified with TUF as of that date): keys added or \
                         revoked since then are not known"
                    ),
                ),
            );
            Ok(root)
        }
        Instance::Staging => {
            let bytes = file(&STAGING, "trusted_root.embedded.json").to_vec();
            let finding = Finding::warning(
                TRUSTED_ROOT_EMBEDDED,
                Subject::File { path: TARGET.into() },
                format!(
                    "{reason}; using the staging trusted root sigstore-python 4.5 embeds (sha256 {}), \
                     a copy no embedded TUF snapshot vouches for",
                    hex::encode(Sha256::digest(&bytes))
                ),
            );
            Ok(ObtainedRoot {
                bytes,
                origin: Origin::EmbeddedCopy {
                    from: "sigstore-python 4.5 (27db13db), sigstore/_store".into(),
                },
                chain: None,
                findings: vec![finding],
            })
        }
    }
}

/// The embedded production snapshot as a repository: metadata under both
/// the plain and the versioned name, targets under both the plain and the
/// hash-prefixed name (the snapshot keeps tuf-on-ci's source layout).
pub fn production_sources() -> (MemorySource, MemorySource) {
    let mut metadata = MemorySource::new("embedded:sigstore-production/metadata");
    let mut targets = MemorySource::new("embedded:sigstore-production/targets");
    for (path, bytes) in crate::embedded::files(&PRODUCTION_SNAPSHOT) {
        if let Some(rest) = path.strip_prefix("metadata/root_history/") {
            metadata.insert(rest.to_owned(), bytes);
        } else if let Some(rest) = path.strip_prefix("metadata/") {
            metadata.insert(rest.to_owned(), bytes);
            if let Some(version) = signed_version(bytes) {
                metadata.insert(format!("{version}.{rest}"), bytes);
            }
        } else if let Some(rest) = path.strip_prefix("targets/") {
            targets.insert(rest.to_owned(), bytes);
            let hash = hex::encode(Sha256::digest(bytes));
            let prefixed = match rest.rsplit_once('/') {
                Some((dir, base)) => format!("{dir}/{hash}.{base}"),
                None => format!("{hash}.{rest}"),
            };
            targets.insert(prefixed, bytes);
        }
    }
    (metadata, targets)
}

fn signed_version(bytes: &[u8]) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    v.get("signed")?.get("version")?.as_u64()
}

#[allow(clippy::too_many_arguments)]
fn through_tuf(
    req: &RootRequest,
    metadata: &dyn Source,
    targets: &dyn Source,
    anchor: &[u8],
    anchor_name: &str,
    state: Option<StateDir>,
    at: OffsetDateTime,
    location: &str,
) -> Result<ObtainedRoot, RootFailure> {
    let fail = |error: TufError, findings: Vec<Finding>| {
        let mut all = findings;
        all.push(failure_finding(&error, location));
        RootFailure { location: location.to_owned(), error: Box::new(error), findings: all }
    };
    let updater = Updater::new(anchor, anchor_name, metadata, at, req.config.clone());
    let mut updater = match updater {
        Ok(u) => u.with_targets(targets),
        Err(e) => return Err(fail(e, Vec::new())),
    };
    if let Some(state) = state {
        updater = updater.with_state(state);
    }
    if let Err(e) = updater.refresh() {
        let notes = updater.notes().to_vec();
        return Err(fail(e, notes));
    }
    let (target, bytes) = lookup_and_download(&mut updater, TARGET);
    let notes = updater.notes().to_vec();
    let bytes = match (target.status, bytes, target.error) {
        (TargetStatus::Ok, Some(bytes), _) => bytes,
        (_, _, Some(e)) => return Err(fail(e, notes)),
        _ => {
            let e = TufError::new(
                TufCategory::NotFound,
                "targets",
                "§5.7",
                format!(
                    "{TARGET} is not a target of the repository (roles searched: {})",
                    target.visited.join(", ")
                ),
            );
            return Err(fail(e, notes));
        }
    };
    let trusted = updater.trusted();
    let root = trusted.root();
    let root_role = root.meta.roles.get("root");
    let chain = TufChain {
        anchor: anchor_name.to_owned(),
        anchor_version: signed_version(anchor).unwrap_or_default(),
        root_versions: trusted.root_history().iter().map(|r| r.meta.common.version).collect(),
        root_version: root.meta.common.version,
        root_expires: root.meta.common.expires_text.clone(),
        root_threshold: root_role
            .map(|r| format!("{} of {}", r.threshold, r.keyids.len()))
            .unwrap_or_default(),
        root_signature_threshold: root.signatures.threshold,
        root_signers: root
            .signatures
            .signed
            .iter()
            .map(|k| RootSigner {
                keyid: k.clone(),
                owner: root.meta.keys.get(k).and_then(|key| key.owner.clone()),
            })
            .collect(),
        timestamp_version: trusted.timestamp().map(|t| t.meta.common.version).unwrap_or_default(),
        snapshot_version: trusted.snapshot().map(|s| s.meta.common.version).unwrap_or_default(),
        targets_version: trusted
            .targets_role("targets")
            .map(|(_, t)| t.meta.common.version)
            .unwrap_or_default(),
        signed_by: target.role.clone().unwrap_or_default(),
        length: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        evaluated_at: crate::meta::time::format(at),
    };
    let mut findings = notes;
    findings.push(
        Finding::info(
            TRUSTED_ROOT_FROM_TUF,
            Subject::File { path: TARGET.into() },
            format!(
                "{TARGET} (sha256 {}…) is target of role {} in {location}: root v{} ({} keys) from {}, \
                 timestamp v{}, snapshot v{}, targets v{}, evaluated at {}",
                &chain.sha256[..16],
                chain.signed_by,
                chain.root_version,
                chain.root_threshold,
                chain.anchor,
                chain.timestamp_version,
                chain.snapshot_version,
                chain.targets_version,
                chain.evaluated_at,
            ),
        )
        .with_evidence(Evidence::Data { data: serde_json::to_value(&chain).unwrap_or_default() }),
    );
    Ok(ObtainedRoot {
        bytes,
        origin: Origin::Repository { location: location.to_owned() },
        chain: Some(chain),
        findings,
    })
}

fn failure_finding(e: &TufError, location: &str) -> Finding {
    e.finding(
        Subject::Role { name: e.role.clone() },
        format!(
            "Sigstore's trusted root could not be obtained from {location}: role {}: {} ({})",
            e.role, e.message, e.rule
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offline(instance: Instance) -> RootRequest {
        RootRequest {
            offline: true,
            cache_dir: None,
            ..RootRequest::new(instance, OffsetDateTime::now_utc())
        }
    }

    #[test]
    fn embedded_production_snapshot_verifies_and_yields_the_known_trusted_root() {
        let root = obtain(&offline(Instance::Production)).expect("embedded snapshot verifies");
        assert_eq!(
            hex::encode(Sha256::digest(&root.bytes)),
            "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"
        );
        let chain = root.chain.expect("a TUF chain");
        assert_eq!((chain.root_version, chain.timestamp_version, chain.snapshot_version), (15, 762, 165));
        assert_eq!(chain.targets_version, 14);
        assert_eq!(chain.signed_by, "targets");
        assert_eq!(root.origin, Origin::EmbeddedSnapshot { date: "2026-08-21".into() });
        assert!(root.findings[0].message.contains("dated 2026-08-21"), "{}", root.findings[0].message);
        assert_eq!(root.findings[0].category, TRUSTED_ROOT_EMBEDDED);
    }

    #[test]
    fn the_snapshot_date_lies_inside_the_timestamps_validity() {
        let (metadata, _) = production_sources();
        let ts = metadata.fetch("timestamp.json", 1 << 20).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&ts).unwrap();
        let expires = crate::meta::time::parse(v["signed"]["expires"].as_str().unwrap()).unwrap().at;
        assert!(PRODUCTION_SNAPSHOT_DATE < expires);
        assert!(expires - PRODUCTION_SNAPSHOT_DATE <= time::Duration::days(7));
    }

    #[test]
    fn staging_offline_is_the_embedded_copy_and_says_tuf_did_not_vouch_for_it() {
        let root = obtain(&offline(Instance::Staging)).unwrap();
        assert!(root.chain.is_none());
        assert!(root.findings[0].message.contains("no embedded TUF snapshot vouches for"));
        assert_eq!(
            hex::encode(Sha256::digest(&root.bytes)),
            "81f5af777952d2c3955062ad56924c05ca916b5d49f3a0bce945faa475a8b1cc"
        );
    }

    const STAGING_COPY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sigstore-tuf/staging");

    #[test]
    fn a_local_staging_copy_verifies_from_the_pinned_staging_root_at_its_date() {
        let mut req = offline(Instance::Staging);
        req.at = datetime!(2025-07-25 00:00 UTC);
        req.tuf_metadata = Some(STAGING_COPY.to_owned());
        let root = obtain(&req).expect("the staging snapshot verifies from root v14");
        let chain = root.chain.expect("chain");
        assert_eq!((chain.root_version, chain.timestamp_version), (14, 353));
        assert_eq!((chain.snapshot_version, chain.targets_version), (16, 17));
        assert_eq!(chain.sha256, "ed6a9cf4e7c2e3297a4b5974fce0d17132f03c63512029d7aa3a402b43acab49");
        assert_eq!(root.origin, Origin::Repository { location: STAGING_COPY.into() });
    }

    #[test]
    fn a_repository_that_does_not_verify_is_an_error_not_a_fallback() {
        let mut req = offline(Instance::Staging);
        req.at = datetime!(2030-01-01 00:00 UTC);
        req.tuf_metadata = Some(STAGING_COPY.to_owned());
        let failure = obtain(&req).expect_err("expired at 2030");
        assert!(failure.findings.iter().any(|f| f.severity == crate::verdict::Severity::Error));
        assert!(failure.to_string().contains("did not verify"), "{failure}");
    }
}
