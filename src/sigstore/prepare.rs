//! Everything a bundle's verification needs besides the bundle: the trusted
//! root (a file, or Sigstore's `trusted_root.json` through trailscope's TUF
//! client, `bridge::sigstore_root`), the public key of a keyed bundle, the
//! identity and provenance policy, the artifact, and the input record of
//! each file read. `attest verify`, `open` of a bundle and the workshop all
//! prepare a run here, so the three read their inputs by the same rules.
//!
//! It lives beside the verifier rather than beside `attest::Policy`
//! because it reads a trusted root and an artifact, which are `sigstore`
//! types, and `attest` stays below `sigstore` (tests/architecture.rs).

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::trusted_root::TrustedRoot;
use super::verify::{Artifact, Options};
use crate::attest::{IdentityRule, Policy};
use crate::bridge::sigstore_root::{self, Instance, Origin, RootFailure, RootRequest, TufChain};
use crate::verdict::{Finding, InputFile};

/// Largest trusted root, key or attestation file read whole.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// What a run is asked to verify with: the flags `attest verify` and
/// `open` share, each optional (`attest verify` itself insists on an
/// identity or a key; without a policy the identity checks are reported as
/// not performed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub certificate_identity: Option<String>,
    pub certificate_identity_regexp: Option<String>,
    pub certificate_oidc_issuer: Option<String>,
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// A PEM public key for keyed bundles.
    pub key: Option<PathBuf>,
    pub trusted_root: Option<PathBuf>,
    pub staging: bool,
    pub tuf_metadata: Option<String>,
    /// Never ask the network for the trusted root (also `TRAILSCOPE_OFFLINE=1`).
    pub offline: bool,
    pub source_repository: Option<String>,
    pub source_ref: Option<String>,
    pub builder_id: Option<String>,
    pub predicate_type: Option<String>,
    /// The artifact: a file, or `sha256:HEX` / `sha384:HEX` / `sha512:HEX`.
    pub artifact: Option<String>,
}

/// A run ready to verify bundles.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub root: TrustedRoot,
    /// The label every document records for the trusted root.
    pub root_label: String,
    /// Through TUF: where the root came from and the chain that vouched for it.
    pub origin: Option<Origin>,
    pub chain: Option<TufChain>,
    /// How the trusted root was obtained (TUF chain, fallback), first in every document.
    pub root_findings: Vec<Finding>,
    pub policy: Policy,
    /// The key of a keyed bundle (DER SubjectPublicKeyInfo).
    pub key: Option<Vec<u8>>,
    pub artifact: Option<Artifact>,
    /// The input files besides the bundles: trusted root, key, artifact.
    pub files: Vec<InputFile>,
    /// The evaluation time the run records.
    pub at: OffsetDateTime,
}

impl Prepared {
    /// The trusted root's input record.
    pub fn root_file(&self) -> Option<&InputFile> {
        self.files.iter().find(|f| f.role == "trusted root")
    }

    /// What the verifier needs of this preparation, at its evaluation time.
    pub fn options(&self) -> Options<'_> {
        Options {
            root: &self.root,
            root_label: &self.root_label,
            policy: &self.policy,
            key: self.key.as_deref(),
            artifact: self.artifact.as_ref(),
            evaluated_at: self.at,
        }
    }
}

/// Why a run cannot start.
#[derive(Debug)]
pub enum Unprepared {
    /// A file named cannot be read or is not what it should be (exit 3).
    Input(String),
    /// A flag's value is not valid (a regular expression; exit 2).
    Usage(String),
    /// Sigstore's TUF repository did not verify: there is no trusted root.
    /// Evidence, not an input problem: the findings say what failed.
    Root(Box<RootFailure>),
}

impl std::fmt::Display for Unprepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unprepared::Input(m) | Unprepared::Usage(m) => f.write_str(m),
            Unprepared::Root(r) => write!(f, "{r}"),
        }
    }
}

/// Reads the `what` file (`trusted root`, `key`) of at most [`MAX_FILE_BYTES`].
pub fn read_bounded(what: &str, path: &Path) -> Result<Vec<u8>, String> {
    let cannot = |e: std::io::Error| format!("cannot read {what} {}: {e}", path.display());
    let len = std::fs::metadata(path).map_err(cannot)?.len();
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "{what} {}: {len} bytes, more than the {MAX_FILE_BYTES} trailscope reads",
            path.display()
        ));
    }
    std::fs::read(path).map_err(cannot)
}

fn rule(exact: &Option<String>, regexp: &Option<String>) -> Result<Option<IdentityRule>, Unprepared> {
    Ok(match (exact, regexp) {
        (Some(x), _) => Some(IdentityRule::Exact(x.clone())),
        (None, Some(re)) => Some(IdentityRule::regexp(re).map_err(Unprepared::Usage)?),
        (None, None) => None,
    })
}

/// The identity and provenance policy the request asks for (possibly empty).
pub fn policy(req: &Request) -> Result<Policy, Unprepared> {
    Ok(Policy {
        identity: rule(&req.certificate_identity, &req.certificate_identity_regexp)?,
        issuer: rule(&req.certificate_oidc_issuer, &req.certificate_oidc_issuer_regexp)?,
        source_repository: req.source_repository.clone(),
        source_ref: req.source_ref.clone(),
        builder_id: req.builder_id.clone(),
        predicate_type: req.predicate_type.clone(),
    })
}

/// Prepares a run evaluated at `at`; `config` holds the TUF client's
/// limits for obtaining Sigstore's trusted root.
pub fn prepare(
    req: &Request,
    at: OffsetDateTime,
    config: crate::tuf::Config,
) -> Result<Prepared, Unprepared> {
    let policy = policy(req)?;
    let mut files = Vec::new();
    let (root, root_label, origin, chain, root_findings) = match &req.trusted_root {
        Some(p) => {
            let bytes = read_bounded("trusted root", p).map_err(Unprepared::Input)?;
            let root = TrustedRoot::parse(&bytes)
                .map_err(|e| Unprepared::Input(format!("trusted root {}: {e}", p.display())))?;
            files.push(InputFile::of_bytes("trusted root", p.display().to_string(), &bytes));
            (root, p.display().to_string(), None, None, Vec::new())
        }
        None => {
            let got = obtain(req, at, config)?;
            files.push(InputFile::of_bytes("trusted root", format!("trusted_root.json ({})", got.1), &got.0));
            let (bytes, label, origin, chain, findings) = got;
            let root = TrustedRoot::parse(&bytes).map_err(|e| {
                Unprepared::Root(Box::new(RootFailure {
                    location: label.clone(),
                    error: Box::new(crate::tuf::TufError::new(
                        crate::tuf::Category::Malformed,
                        "targets",
                        "§5.7",
                        format!("trusted_root.json does not parse: {e}"),
                    )),
                    findings: findings.clone(),
                }))
            })?;
            (root, label, Some(origin), chain, findings)
        }
    };
    let key = match &req.key {
        None => None,
        Some(p) => {
            let bytes = read_bounded("key", p).map_err(Unprepared::Input)?;
            files.push(InputFile::of_bytes("key", p.display().to_string(), &bytes));
            let der = std::str::from_utf8(&bytes)
                .ok()
                .and_then(super::tlog::body::pem_to_der)
                .filter(|d| spki::SubjectPublicKeyInfoRef::try_from(d.as_slice()).is_ok())
                .ok_or_else(|| Unprepared::Input(format!("key {}: not a PEM public key", p.display())))?;
            Some(der)
        }
    };
    let artifact = req.artifact.as_deref().map(Artifact::read).transpose().map_err(Unprepared::Input)?;
    files.extend(artifact.as_ref().and_then(Artifact::input_file));
    Ok(Prepared { root, root_label, origin, chain, root_findings, policy, key, artifact, files, at })
}

type Obtained = (Vec<u8>, String, Origin, Option<TufChain>, Vec<Finding>);

/// Sigstore's `trusted_root.json` through trailscope's TUF client: from
/// `--tuf-metadata`, else Sigstore's repository (cached), else — offline or
/// unreachable — the embedded repository snapshot; the findings say which.
fn obtain(req: &Request, at: OffsetDateTime, config: crate::tuf::Config) -> Result<Obtained, Unprepared> {
    let instance = if req.staging { Instance::Staging } else { Instance::Production };
    let mut root_req = RootRequest::new(instance, at);
    root_req.config = config;
    root_req.tuf_metadata = req.tuf_metadata.clone();
    root_req.offline =
        req.offline || std::env::var_os("TRAILSCOPE_OFFLINE").is_some_and(|v| v != "0" && !v.is_empty());
    if let Ok(url) = std::env::var("TRAILSCOPE_SIGSTORE_TUF_URL") {
        root_req.repository = Some(url);
    }
    let got = sigstore_root::obtain(&root_req).map_err(|f| Unprepared::Root(Box::new(f)))?;
    let label = sigstore_root::describe(instance, &got);
    Ok((got.bytes, label, got.origin, got.chain, got.findings))
}
