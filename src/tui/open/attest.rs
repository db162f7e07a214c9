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

use crate::sigstore::bundle::Bundle;
use crate::sigstore::input::Found;
use crate::sigstore::prepare::{self, Prepared, Unprepared};
use crate::sigstore::record::Record;
use crate::sigstore::verify as sv;
use crate::tui::attest::RootOrigin;
use crate::tui::detail::Results;
use crate::verdict::inputs::InputFile;
use crate::verdict::{Document, Kind, Verdict};

/// The flags `open` shares with `attest verify` (all optional: without an
/// identity the identity checks are "not performed"), prepared by
/// `sigstore::prepare` as `attest verify` prepares them.
pub use crate::sigstore::prepare::Request as AttestOptions;

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
    /// A scenario directory: every path below it is shown relative to it,
    /// as its `scenario.json` names it (`bundle.sigstore.json`,
    /// `../trusted_root.json`), never the copy's place on this machine.
    pub shown_from: Option<PathBuf>,
}

/// Bundles per file the TUI lists for `a`/`A`.
const LISTED: usize = 1000;

/// Largest attestation file `open` reads.
pub use crate::sigstore::prepare::MAX_FILE_BYTES;

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    prepare::read_bounded("attestation file", path)
}

fn is_bundle(v: &Value) -> bool {
    v.get("mediaType").and_then(Value::as_str).is_some_and(|m| m.contains("sigstore.bundle"))
        || v.get("verificationMaterial").is_some()
}

/// The bundles `file` holds, each with its label and the length of the
/// text it was read from; `None` when it holds none (not an attestation file).
pub fn bundles(file: &Path) -> Option<Vec<Found>> {
    let bytes = read_bounded(file).ok()?;
    let label = file.display().to_string();
    let found = crate::sigstore::input::bundles_in(&bytes, &label).ok()?;
    let found: Vec<Found> = found.into_iter().filter(|f| is_bundle(&f.bundle)).take(LISTED).collect();
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
    let labels = found.into_iter().map(|f| f.label).collect();
    Ok(AttestInputs { file: file.to_path_buf(), labels, index: 0, opts: opts.clone(), shown_from: None })
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
    let mut inputs = inputs_for_file(&file, &merged).ok()?;
    inputs.labels = inputs.labels.iter().map(|l| shown(l, Some(dir))).collect();
    inputs.shown_from = Some(dir.to_path_buf());
    Some(inputs)
}

/// `path` as shown: relative to `base` when it lies below it (a label
/// such as `file:2` too), else as given.
fn shown(path: &str, base: Option<&Path>) -> String {
    match base.and_then(|b| Path::new(path).strip_prefix(b).ok()) {
        Some(rel) => rel.display().to_string(),
        None => path.to_owned(),
    }
}

/// The request with every path it names shown relative to `base`: what
/// the documents' run record and the exports name.
fn shown_request(req: &AttestOptions, base: Option<&Path>) -> AttestOptions {
    let path = |p: &Option<PathBuf>| p.as_ref().map(|p| PathBuf::from(shown(&p.display().to_string(), base)));
    AttestOptions {
        artifact: req.artifact.as_deref().map(|a| shown(a, base)),
        key: path(&req.key),
        trusted_root: path(&req.trusted_root),
        ..req.clone()
    }
}

/// The preparation with the paths it shows (the trusted root's label,
/// the files read, the artifact) relative to `base`; the files were read
/// already, from where they are.
fn show_relative(p: &mut Prepared, base: Option<&Path>) {
    if p.origin.is_none() {
        p.root_label = shown(&p.root_label, base);
    }
    for f in &mut p.files {
        f.path = shown(&f.path, base);
    }
    if let Some(a) = &mut p.artifact {
        a.input = shown(&a.input, base);
    }
}

/// Verifies bundle `inputs.index` of the file: its results with the views
/// derived from them. `Err` when an input cannot be read (exit 3 headless).
pub fn verify_attest(inputs: &AttestInputs, at: Option<OffsetDateTime>) -> Result<Results, String> {
    let at = at.unwrap_or_else(crate::meta::time::now);
    let base = inputs.shown_from.as_deref();
    let file_label = shown(&inputs.file.display().to_string(), base);
    let req = shown_request(&inputs.opts, base);
    let mut p = match prepare::prepare(&inputs.opts, at, crate::tuf::Config::default()) {
        Ok(p) => p,
        Err(Unprepared::Root(failure)) => {
            // Evidence, as `attest verify` reports it: a failing document.
            let record = Record::unrooted(&req, &file_label, &failure.location);
            let category = failure.error.category.verdict();
            let mut doc = Document::new(Kind::Attestation, at, failure.findings, category);
            doc.verdict = Verdict::Fail;
            doc.invocation = Some(record.invocation);
            return Ok(doc.into());
        }
        Err(e) => return Err(e.to_string()),
    };
    show_relative(&mut p, base);
    let origin = RootOrigin { label: p.root_label.clone(), origin: p.origin.clone(), chain: p.chain.clone() };
    let found = bundles(&inputs.file).ok_or_else(|| format!("{}: no bundle found", inputs.file.display()))?;
    let Found { mut label, bundle, len } = found
        .into_iter()
        .nth(inputs.index)
        .ok_or_else(|| format!("{}: no bundle {}", inputs.file.display(), inputs.index + 1))?;
    label = shown(&label, base);
    // As `attest verify`: the value as read, the size limit on the text it was read from.
    let mut doc = sv::verify_parsed(&bundle, len, &label, &p.options());
    // As `attest verify`: the run and the files it read, so an export is evidence.
    let file = std::fs::read(&inputs.file).map_err(|e| format!("cannot read {file_label}: {e}"))?;
    p.stamp(&p.record(&req, &file_label), &mut doc, InputFile::of_bytes("bundle", &*file_label, &file));
    let bundle = Bundle::from_parsed(&bundle, len, &label).ok();
    Ok(Results::attestation(doc, bundle.as_ref(), Some(&p.root), &origin))
}

/// The labelled inputs `doc`'s run recorded (`sigstore::record`), as
/// `attest verify` lists them.
pub fn document_inputs(doc: &Document) -> crate::verdict::Inputs {
    let mut out = crate::verdict::Inputs::new();
    for o in doc.invocation.iter().flat_map(|i| &i.options) {
        out.add(&o.name, &o.value);
    }
    out
}
