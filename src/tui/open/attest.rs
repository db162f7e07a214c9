//! Sigstore bundles and attestation files in `open` (issue #15): every
//! input form `sigstore::input` reads — a bundle, JSON lines, a PEP 740
//! attestation, a PyPI provenance object, npm's and GitHub's API responses
//! — opened as a file, as a directory holding one, or as an embedded
//! scenario (`fixtures/sigstore-scenarios/*`, whose `scenario.json` names
//! the bundle, artifact, trusted root and policy).
//!
//! Verified as `attest verify` verifies: the trusted root from
//! `--trusted-root`, else Sigstore's through trailscope's TUF client
//! (`bridge::sigstore_root`, with the same label and findings), the
//! document from `sigstore::verify`, the root's findings first. Without a
//! policy the identity checks are not performed (the Trust view says so);
//! nothing is ever shown as passed that the document does not say passed.

use std::path::{Path, PathBuf};

use serde_json::Value;
use time::OffsetDateTime;

use crate::attest::{IdentityRule, Policy};
use crate::bridge::sigstore_root::{self, Instance, RootRequest};
use crate::sigstore::trusted_root::TrustedRoot;
use crate::sigstore::verify::{self as sv, Artifact, Options};
use crate::tui::attest::RootOrigin;
use crate::tui::detail::Results;
use crate::verdict::inputs::{InputFile, Invocation, TrustAnchor};
use crate::verdict::{Document, Finding, Kind, Verdict};

/// The flags `open` shares with `attest verify` (all optional: without an
/// identity the identity checks are "not performed").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttestOptions {
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

/// What an attestation file or scenario holds, with the flags merged over
/// the scenario's own inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestInputs {
    /// The file the bundles are read from.
    pub file: PathBuf,
    /// The bundles found in it, by label (`file`, `file:2`, `file#attestations/1`).
    pub labels: Vec<String>,
    /// The one shown (`a`/`A` switch between them).
    pub index: usize,
    pub opts: AttestOptions,
}

/// Bundles per file the TUI lists for `a`/`A`.
const LISTED: usize = 1000;

/// Largest attestation file `open` reads.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?.len();
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "{}: {len} bytes, more than the {MAX_FILE_BYTES} an attestation file may have",
            path.display()
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn is_bundle(v: &Value) -> bool {
    v.get("mediaType").and_then(Value::as_str).is_some_and(|m| m.contains("sigstore.bundle"))
        || v.get("verificationMaterial").is_some()
}

/// The bundles `file` holds, by label; `None` when it holds none (not an
/// attestation file).
pub fn bundles(file: &Path) -> Option<Vec<(String, Value)>> {
    let bytes = read_bounded(file).ok()?;
    let label = file.display().to_string();
    let found = crate::sigstore::input::bundles_in(&bytes, &label).ok()?;
    let found: Vec<(String, Value)> = found
        .into_iter()
        .filter(|f| is_bundle(&f.bundle))
        .take(LISTED)
        .map(|f| (f.label, f.bundle))
        .collect();
    (!found.is_empty()).then_some(found)
}

/// `file` read as an attestation file with `opts`, or why not.
pub fn inputs_for_file(file: &Path, opts: &AttestOptions) -> Result<AttestInputs, String> {
    let found = bundles(file).ok_or_else(|| {
        format!(
            "{}: not a Sigstore bundle or attestation file (a bundle, JSON lines of bundles, a PEP 740 \
             attestation, PyPI provenance, or npm's or GitHub's attestation API response)",
            file.display()
        )
    })?;
    let labels = found.into_iter().map(|(l, _)| l).collect();
    Ok(AttestInputs { file: file.to_path_buf(), labels, index: 0, opts: opts.clone() })
}

/// A directory holding an attestation: a scenario whose `scenario.json`
/// names a `bundle` (its artifact, trusted root and identity too, under
/// the flags), else the one `*.sigstore.json`, `*.sigstore`, `*.intoto.jsonl`
/// or `*.attestation` file in it.
pub fn inputs_for_dir(dir: &Path, scenario: Option<&Value>, opts: &AttestOptions) -> Option<AttestInputs> {
    let text = |k: &str| scenario.and_then(|s| s.get(k)).and_then(Value::as_str).map(str::to_owned);
    let rel = |k: &str| text(k).map(|p| dir.join(p));
    let file = rel("bundle").or_else(|| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter(|p| {
                let n = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                [".sigstore.json", ".sigstore", ".intoto.jsonl", ".attestation"]
                    .iter()
                    .any(|e| n.ends_with(e))
            })
            .collect();
        files.sort();
        (files.len() == 1).then(|| files.remove(0))
    })?;
    let mut merged = opts.clone();
    let or = |flag: &mut Option<String>, v: Option<String>| {
        if flag.is_none() {
            *flag = v;
        }
    };
    if merged.certificate_identity.is_none() && merged.certificate_identity_regexp.is_none() {
        or(&mut merged.certificate_identity, text("certificate_identity"));
    }
    if merged.certificate_oidc_issuer.is_none() && merged.certificate_oidc_issuer_regexp.is_none() {
        or(&mut merged.certificate_oidc_issuer, text("certificate_oidc_issuer"));
    }
    or(&mut merged.artifact, rel("artifact").map(|p| p.display().to_string()));
    if merged.trusted_root.is_none() && merged.tuf_metadata.is_none() {
        merged.trusted_root = rel("trusted_root");
    }
    inputs_for_file(&file, &merged).ok()
}

/// The trusted root and how it was had, or the document saying why not.
/// The root, how it was had, the findings of having it, and its input record.
type RootHad = (TrustedRoot, RootOrigin, Vec<Finding>, InputFile);

fn trusted_root(opts: &AttestOptions, at: OffsetDateTime) -> Result<Result<RootHad, Document>, String> {
    if let Some(p) = &opts.trusted_root {
        let bytes = read_bounded(p).map_err(|e| format!("trusted root: {e}"))?;
        let root = TrustedRoot::parse(&bytes).map_err(|e| format!("trusted root {}: {e}", p.display()))?;
        let origin = RootOrigin { label: p.display().to_string(), origin: None, chain: None };
        let record = InputFile::of_bytes("trusted root", p.display().to_string(), &bytes);
        return Ok(Ok((root, origin, Vec::new(), record)));
    }
    let instance = if opts.staging { Instance::Staging } else { Instance::Production };
    let mut req = RootRequest::new(instance, at);
    req.tuf_metadata = opts.tuf_metadata.clone();
    req.offline =
        opts.offline || std::env::var_os("TRAILSCOPE_OFFLINE").is_some_and(|v| v != "0" && !v.is_empty());
    if let Ok(url) = std::env::var("TRAILSCOPE_SIGSTORE_TUF_URL") {
        req.repository = Some(url);
    }
    match sigstore_root::obtain(&req) {
        Ok(got) => {
            let label = sigstore_root::describe(instance, &got);
            let root = TrustedRoot::parse(&got.bytes).map_err(|e| format!("{label}: does not parse: {e}"))?;
            let record =
                InputFile::of_bytes("trusted root", format!("trusted_root.json ({label})"), &got.bytes);
            let origin = RootOrigin { label, origin: Some(got.origin.clone()), chain: got.chain.clone() };
            Ok(Ok((root, origin, got.findings, record)))
        }
        Err(failure) => {
            // Evidence, as `attest verify` reports it: a failing document.
            let category = failure.error.category.verdict();
            let mut doc = Document::new(Kind::Attestation, at, failure.findings, category);
            doc.verdict = Verdict::Fail;
            Ok(Err(doc))
        }
    }
}

fn rule(exact: &Option<String>, regexp: &Option<String>) -> Result<Option<IdentityRule>, String> {
    Ok(match (exact, regexp) {
        (Some(x), _) => Some(IdentityRule::Exact(x.clone())),
        (None, Some(re)) => Some(IdentityRule::regexp(re)?),
        (None, None) => None,
    })
}

/// The policy the flags and the scenario give (possibly empty).
pub fn policy(opts: &AttestOptions) -> Result<Policy, String> {
    Ok(Policy {
        identity: rule(&opts.certificate_identity, &opts.certificate_identity_regexp)?,
        issuer: rule(&opts.certificate_oidc_issuer, &opts.certificate_oidc_issuer_regexp)?,
        source_repository: opts.source_repository.clone(),
        source_ref: opts.source_ref.clone(),
        builder_id: opts.builder_id.clone(),
        predicate_type: opts.predicate_type.clone(),
    })
}

fn key(opts: &AttestOptions) -> Result<Option<Vec<u8>>, String> {
    let Some(p) = &opts.key else { return Ok(None) };
    let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read key {}: {e}", p.display()))?;
    crate::sigstore::tlog::body::pem_to_der(&text)
        .filter(|d| spki::SubjectPublicKeyInfoRef::try_from(d.as_slice()).is_ok())
        .map(Some)
        .ok_or_else(|| format!("key {}: not a PEM public key", p.display()))
}

fn artifact(opts: &AttestOptions) -> Result<Option<Artifact>, String> {
    opts.artifact.as_deref().map(Artifact::read).transpose()
}

/// Verifies bundle `inputs.index` of the file: its results with the views
/// derived from them. `Err` when an input cannot be read (exit 3 headless).
pub fn verify_attest(inputs: &AttestInputs, at: Option<OffsetDateTime>) -> Result<Results, String> {
    let at = at.unwrap_or_else(crate::meta::time::now);
    let policy = policy(&inputs.opts)?;
    let key = key(&inputs.opts)?;
    let artifact = artifact(&inputs.opts)?;
    let (root, origin, root_findings, root_record) = match trusted_root(&inputs.opts, at)? {
        Ok(had) => had,
        Err(doc) => return Ok(doc.into()),
    };
    let found = bundles(&inputs.file).ok_or_else(|| format!("{}: no bundle found", inputs.file.display()))?;
    let (label, bundle) = found
        .into_iter()
        .nth(inputs.index)
        .ok_or_else(|| format!("{}: no bundle {}", inputs.file.display(), inputs.index + 1))?;
    let bytes = serde_json::to_vec(&bundle).unwrap_or_default();
    let opts = Options {
        root: &root,
        root_label: &origin.label,
        policy: &policy,
        key: key.as_deref(),
        artifact: artifact.as_ref(),
        evaluated_at: at,
    };
    let mut doc = sv::verify(&bytes, &label, &opts);
    // As `attest verify`: how the trusted root was had comes first.
    doc.findings.splice(0..0, root_findings);
    // As `attest verify`: the run and the files it read, so an export is evidence.
    let file =
        std::fs::read(&inputs.file).map_err(|e| format!("cannot read {}: {e}", inputs.file.display()))?;
    doc.inputs.push(InputFile::of_bytes("bundle", inputs.file.display().to_string(), &file));
    doc.inputs.push(root_record.clone());
    if let Some(p) = &inputs.opts.key {
        let text = std::fs::read(p).map_err(|e| format!("cannot read key {}: {e}", p.display()))?;
        doc.inputs.push(InputFile::of_bytes("key", p.display().to_string(), &text));
    }
    doc.inputs.extend(artifact.as_ref().and_then(Artifact::input_file));
    let mut invocation = Invocation::of_process(&document_inputs(inputs, &doc));
    invocation.trust_anchor = Some(TrustAnchor {
        what: if inputs.opts.key.is_some() { "trusted root and key".into() } else { "trusted root".into() },
        files: std::iter::once(root_record.path)
            .chain(inputs.opts.key.as_ref().map(|k| k.display().to_string()))
            .collect(),
        root_version: None,
    });
    doc.invocation = Some(invocation);
    Ok(Results::attestation(doc, &bytes, Some(&root), &origin))
}

/// The inputs of the document, as `attest verify` lists them.
pub fn document_inputs(inputs: &AttestInputs, doc: &Document) -> crate::verdict::Inputs {
    let o = &inputs.opts;
    let mut out = crate::verdict::Inputs::new();
    out.add("bundle", inputs.file.display().to_string());
    let root = doc.attestation.as_deref().map(|a| a.trusted_root.clone()).unwrap_or_default();
    out.add("trusted root", root);
    out.add_opt("artifact", o.artifact.clone());
    out.add_opt("identity", o.certificate_identity.clone().or(o.certificate_identity_regexp.clone()));
    out.add_opt("issuer", o.certificate_oidc_issuer.clone().or(o.certificate_oidc_issuer_regexp.clone()));
    out.add_opt("key", o.key.as_ref().map(|k| k.display().to_string()));
    out
}
