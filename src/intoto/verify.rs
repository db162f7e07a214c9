//! `in_toto_verify` as stages (python `verifylib.in_toto_verify`, in-toto
//! spec §5.2), in the reference's order:
//!
//! 1. layout signatures — every given key must verify ([`stages::layout_signature`])
//! 2. expiry — `expires <= at` fails ([`stages::expiry`])
//! 3. parameter substitution ([`stages::substitute_parameters`])
//! 4. to 8. links: loading, signature thresholds, sublayouts, command
//!    alignment, threshold agreement ([`super::links`])
//! 9. to 11. step rules, inspections, inspection rules ([`super::checks`])
//!
//! The checks themselves are the functions of [`super::stages`]; this
//! module turns their results into findings. Each stage records findings
//! and goes on; [`Ctx::fail`] remembers the first failure, which is the
//! exception python would have raised.

use std::collections::BTreeMap;
use std::path::Path;

use super::inspect::Scratch;
use super::metadata::{self, Format, KeyCheck, LoadError, Metadata, SigCheck};
use super::model::{Layout, Link, Payload};
use super::params;
pub use super::stages::VerifierKey;
use super::stages::{self, Expiry};
use super::trace::LayoutTrace;
use super::{Error, InTotoOutcome, SignatureForm, VerifyOptions, category, warning};
use crate::meta::Location;
use crate::verdict::{Evidence, Finding, Severity, SignatureCheck, Subject};
use crate::verdict::{Failure, InputFile, Verdict};

/// Deepest sublayout nesting followed.
pub const MAX_SUBLAYOUT_DEPTH: usize = 8;

/// Reads the metadata files a verification needs: the layout and every
/// link file its steps (and sublayouts) name. It is called from several
/// threads at once (links are read and their signatures checked on all
/// cores), so it must be `Sync`. A missing file is `LoadError::Io`.
///
/// Any `Fn(&Path) -> Result<Metadata, LoadError> + Sync` is a loader;
/// [`DiskLoader`] reads from the file system ([`metadata::load`]).
pub trait Loader: Sync {
    fn load(&self, path: &Path) -> Result<Metadata, LoadError>;

    /// [`Loader::load`] and the signature check verification will ask for
    /// first; loaders that read bytes do both at once
    /// ([`metadata::from_bytes_checked`]).
    fn load_checked(&self, path: &Path, check: &KeyCheck<'_>) -> Result<Metadata, LoadError> {
        let mut m = self.load(path)?;
        m.precompute(check.keyid, check.subkeys, check.key);
        m.release_signed_bytes();
        Ok(m)
    }

    /// Several (large) files, each as [`Loader::load_checked`] (or
    /// [`Loader::load`] without a check) gives it; loaders that read bytes
    /// hash their signatures together ([`metadata::load_many_observed`]).
    fn load_many(&self, jobs: &[(&Path, Option<&KeyCheck<'_>>)]) -> Vec<Result<Metadata, LoadError>> {
        jobs.iter()
            .map(|(path, check)| match check {
                Some(check) => self.load_checked(path, check),
                None => self.load(path),
            })
            .collect()
    }

    /// The size of `path` in bytes, when known without reading it.
    fn size(&self, _path: &Path) -> Option<u64> {
        None
    }

    /// What this loader read of `path`: the size and sha256 of the bytes it
    /// parsed (size only for a file refused by its size, never read);
    /// `None` when it did not read the file or does not record reads.
    fn read_record(&self, _path: &Path) -> Option<FileRead> {
        None
    }
}

/// One file as a loader read it (see [`Loader::read_record`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    pub size: u64,
    /// Lowercase hex; `None` for a file that was not read (over the size limit).
    pub sha256: Option<String>,
}

impl FileRead {
    pub fn of_bytes(bytes: &[u8]) -> Self {
        Self { size: bytes.len() as u64, sha256: Some(crate::crypto::digest::sha256_hex(bytes)) }
    }
}

impl<F> Loader for F
where
    F: Fn(&Path) -> Result<Metadata, LoadError> + Sync,
{
    fn load(&self, path: &Path) -> Result<Metadata, LoadError> {
        self(path)
    }
}

/// Reads metadata from the file system: what [`verify`] uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiskLoader;

impl Loader for DiskLoader {
    fn load(&self, path: &Path) -> Result<Metadata, LoadError> {
        metadata::load(path)
    }

    fn load_checked(&self, path: &Path, check: &KeyCheck<'_>) -> Result<Metadata, LoadError> {
        metadata::load_limited_checked(path, metadata::MAX_METADATA_BYTES, Some(check))
    }

    fn load_many(&self, jobs: &[(&Path, Option<&KeyCheck<'_>>)]) -> Vec<Result<Metadata, LoadError>> {
        metadata::load_many_observed(jobs, metadata::MAX_METADATA_BYTES, &|_, _| {})
    }

    fn size(&self, path: &Path) -> Option<u64> {
        std::fs::metadata(path).ok().map(|m| m.len())
    }
}

/// [`DiskLoader`] with a smaller file size limit, recording the size and
/// sha256 of every file as it reads it (the outcome's `files`).
struct LimitedDiskLoader {
    max: u64,
    reads: std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, FileRead>>,
}

impl LimitedDiskLoader {
    fn new(max: u64) -> Self {
        Self { max, reads: Default::default() }
    }

    fn load_recorded(&self, path: &Path, check: Option<&KeyCheck<'_>>) -> Result<Metadata, LoadError> {
        let record = |bytes: &[u8]| {
            let read = FileRead::of_bytes(bytes);
            self.reads.lock().unwrap_or_else(|p| p.into_inner()).insert(path.to_path_buf(), read);
        };
        metadata::load_observed(path, self.max, check, &record)
    }

    fn record(&self, path: &Path, bytes: &[u8]) {
        let read = FileRead::of_bytes(bytes);
        self.reads.lock().unwrap_or_else(|p| p.into_inner()).insert(path.to_path_buf(), read);
    }
}

impl Loader for LimitedDiskLoader {
    fn load(&self, path: &Path) -> Result<Metadata, LoadError> {
        self.load_recorded(path, None)
    }

    fn load_checked(&self, path: &Path, check: &KeyCheck<'_>) -> Result<Metadata, LoadError> {
        self.load_recorded(path, Some(check))
    }

    fn load_many(&self, jobs: &[(&Path, Option<&KeyCheck<'_>>)]) -> Vec<Result<Metadata, LoadError>> {
        metadata::load_many_observed(jobs, self.max, &|path, bytes| self.record(path, bytes))
    }

    fn size(&self, path: &Path) -> Option<u64> {
        DiskLoader.size(path)
    }

    fn read_record(&self, path: &Path) -> Option<FileRead> {
        if let Some(r) = self.reads.lock().unwrap_or_else(|p| p.into_inner()).get(path) {
            return Some(r.clone());
        }
        // Refused by its size: known by its size alone (it was never read).
        let meta = std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file)?;
        (meta.len() > self.max).then_some(FileRead { size: meta.len(), sha256: None })
    }
}

/// Verification state shared by all (sub)layouts.
pub struct Ctx<'a> {
    pub opts: &'a VerifyOptions,
    /// Where the layout and link files are read from.
    pub loader: &'a dyn Loader,
    pub findings: Vec<Finding>,
    first: Option<(crate::verdict::category::Category, Failure)>,
    /// Checks that were not performed (inspections not run): errors that
    /// decide the category only when nothing that was checked failed.
    unchecked: Vec<(Finding, Failure)>,
    /// What inspections not run leave known (the work directory's files).
    pub not_run: super::not_run::Progress,
    scratch: Option<Result<Scratch, String>>,
    pub depth: usize,
    /// Link files looked up so far (all layouts), against `max_links`.
    pub links_seen: usize,
}

impl<'a> Ctx<'a> {
    fn new(opts: &'a VerifyOptions, loader: &'a dyn Loader) -> Self {
        Self {
            opts,
            loader,
            findings: Vec::new(),
            first: None,
            unchecked: Vec::new(),
            not_run: Default::default(),
            scratch: None,
            depth: 0,
            links_seen: 0,
        }
    }

    /// Records an error the reference raises; the first one decides the verdict.
    pub fn fail(&mut self, finding: Finding, failure: Failure) {
        if self.first.is_none() {
            self.first = Some((finding.category, failure));
        }
        self.findings.push(finding);
    }

    /// Records a check that was not performed: an error (the verdict cannot
    /// be pass), listed after every other finding, deciding the category
    /// only when no performed check failed.
    pub fn not_performed(&mut self, finding: Finding, failure: Failure) {
        self.unchecked.push((finding, failure));
    }

    /// Records a weakness the reference accepts (an error under `--strict`).
    pub fn weak(&mut self, finding: Finding) {
        self.findings.push(finding.escalate(self.opts.strict));
    }

    pub fn info(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// The scratch copy of the work directory inspections run in, made once.
    pub fn scratch(&mut self) -> Result<&Path, String> {
        if self.scratch.is_none() {
            let made = Scratch::copy_of(&self.opts.workdir)
                .map_err(|e| format!("cannot copy work directory {}: {e}", self.opts.workdir.display()));
            self.scratch = Some(made);
        }
        match &self.scratch {
            Some(Ok(s)) => Ok(s.path.as_path()),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no scratch directory".into()),
        }
    }
}

/// Where in the layout file a payload pointer is.
pub fn source(meta: &Metadata, pointer: &str) -> Location {
    match meta.format() {
        Format::Metablock => Location::new(&meta.path, format!("/signed{pointer}")),
        Format::Dsse => Location::new(format!("{} (payload)", meta.path), pointer),
    }
}

/// The failure record for a stage that names no step.
pub fn failure_at(scope: &[String], step: Option<&str>) -> Failure {
    Failure { step: step.map(str::to_owned), rule: None, artifact: None, scope: scope.to_vec() }
}

/// Verifies the layout of `opts` with its links (and, if asked, inspections),
/// reading them from the file system.
pub fn verify(opts: &VerifyOptions) -> Result<InTotoOutcome, Error> {
    verify_with(opts, &LimitedDiskLoader::new(opts.max_metadata_bytes))
}

/// [`verify`] with the layout (`opts.layout`) and the link files (under
/// `opts.link_dir` and sublayout link directories) read through `loader`:
/// already parsed metadata (the engine's parse units), files held in memory
/// (the embedded demo), or the disk. `opts.workdir` is still the directory
/// inspections run in. The result equals [`verify`]'s whenever `loader`
/// yields what [`metadata::load`] would for the same paths.
pub fn verify_with(opts: &VerifyOptions, loader: &dyn Loader) -> Result<InTotoOutcome, Error> {
    if let Some(p) = &opts.params
        && let Some(bad) = p.keys().find(|k| !params::valid_name(k))
    {
        return Err(Error::Parameter(bad.clone()));
    }
    let mut ctx = Ctx::new(opts, loader);
    let path = opts.layout.display().to_string();
    let keys: Vec<VerifierKey> = opts.layout_keys.iter().map(VerifierKey::given).collect();
    let (layout_trace, summary) = match loader.load(&opts.layout) {
        Ok(meta) => verify_layout(&mut ctx, &meta, &keys, &opts.link_dir, opts.params.as_ref(), &[], ""),
        Err(LoadError::Io(source)) => return Err(Error::Io { path, source }),
        Err(LoadError::Malformed(msg)) => {
            let f = Finding::error(
                category::METADATA_INVALID,
                Subject::Layout { path: path.clone() },
                format!("the layout is not valid in-toto metadata: {msg}"),
            )
            .at(Location::new(&path, ""));
            ctx.fail(f, failure_at(&[], None));
            (empty_trace(&path, None, &[]), Link::empty(None))
        }
        Err(LoadError::Limit(msg)) => {
            let f = Finding::error(
                category::LIMIT_EXCEEDED,
                Subject::Layout { path: path.clone() },
                format!("the layout is not read: {msg}"),
            )
            .at(Location::new(&path, ""));
            ctx.fail(f, failure_at(&[], None));
            (empty_trace(&path, None, &[]), Link::empty(None))
        }
    };
    let mut outcome = finish(ctx, layout_trace, summary);
    outcome.files = files_read(opts, &outcome.layout, loader);
    Ok(outcome)
}

/// The layout and every link and sublayout file the verification read, in
/// step order, as the loader read them (see [`Loader::read_record`]).
fn files_read(opts: &VerifyOptions, trace: &LayoutTrace, loader: &dyn Loader) -> Vec<InputFile> {
    let record = |role: &str, path: &str| {
        let r = loader.read_record(Path::new(path))?;
        Some(InputFile::verified(role, path, r.size, r.sha256))
    };
    let mut files: Vec<InputFile> =
        record("layout", &opts.layout.display().to_string()).into_iter().collect();
    fn links(
        trace: &LayoutTrace,
        files: &mut Vec<InputFile>,
        record: &dyn Fn(&str, &str) -> Option<InputFile>,
    ) {
        for step in &trace.steps {
            for l in step.links.iter().filter(|l| l.status != super::LinkStatus::Missing) {
                files.extend(record(if l.sublayout { "sublayout" } else { "link" }, &l.path));
            }
            for sub in &step.sublayouts {
                links(sub, files, record);
            }
        }
    }
    links(trace, &mut files, &record);
    files
}

fn finish(mut ctx: Ctx<'_>, layout: LayoutTrace, summary: Link) -> InTotoOutcome {
    let unchecked = std::mem::take(&mut ctx.unchecked);
    let escalated = ctx.findings.iter().find(|f| f.severity == Severity::Error).map(|f| f.category);
    let (category, failure) = match (ctx.first, escalated, unchecked.first()) {
        (Some((c, f)), _, _) => (c, Some(f)),
        // Only weaknesses escalated by --strict failed.
        (None, Some(c), _) => (c, None),
        (None, None, Some((f, failure))) => (f.category, Some(failure.clone())),
        (None, None, None) => (category::PASS, None),
    };
    ctx.findings.extend(unchecked.into_iter().map(|(f, _)| f));
    let has_error = ctx.findings.iter().any(|f| f.severity == Severity::Error);
    InTotoOutcome {
        verdict: if has_error { Verdict::Fail } else { Verdict::Pass },
        category,
        failure,
        findings: ctx.findings,
        evaluated_at: ctx.opts.at,
        layout,
        summary,
        files: Vec::new(),
    }
}

fn empty_trace(path: &str, format: Option<Format>, scope: &[String]) -> LayoutTrace {
    LayoutTrace {
        scope: scope.to_vec(),
        path: path.to_owned(),
        format,
        expires: None,
        signatures: Vec::new(),
        steps: Vec::new(),
        inspections: Vec::new(),
        owners: Default::default(),
    }
}

/// One (sub)layout: all stages. Returns its trace and its summary link
/// (python `get_summary_link`), named `step_name`.
pub fn verify_layout(
    ctx: &mut Ctx<'_>,
    meta: &Metadata,
    keys: &[VerifierKey],
    link_dir: &Path,
    params: Option<&BTreeMap<String, String>>,
    scope: &[String],
    step_name: &str,
) -> (LayoutTrace, Link) {
    let mut trace = empty_trace(&meta.path, Some(meta.format()), scope);
    trace.signatures = layout_signatures(ctx, meta, keys, scope);
    let mut layout = match &meta.payload {
        Ok(Payload::Layout(l)) => (**l).clone(),
        Ok(Payload::Link(_)) => {
            let f = Finding::error(
                category::METADATA_INVALID,
                Subject::Layout { path: meta.path.clone() },
                "expected a layout, found link metadata",
            )
            .at(source(meta, "/_type"));
            ctx.fail(f, failure_at(scope, None));
            return (trace, Link::empty(Some(step_name.to_owned())));
        }
        Err(e) => {
            let f = Finding::error(
                category::METADATA_INVALID,
                Subject::Layout { path: meta.path.clone() },
                format!("the layout payload is not valid in-toto metadata: {}", e.message),
            )
            .at(source(meta, &e.pointer));
            ctx.fail(f, failure_at(scope, None));
            return (trace, Link::empty(Some(step_name.to_owned())));
        }
    };
    trace.expires = layout.expires.clone();
    for (id, k) in &layout.keys {
        if let Some(owner) = k.owner() {
            trace.owners.insert(id.clone(), owner.clone());
            trace.owners.insert(k.keyid.clone(), owner);
        }
    }
    expiry(ctx, meta, &layout, scope);
    if let Some(p) = params {
        substitute_parameters(ctx, meta, &mut layout, p, scope);
    }
    layout_key_checks(ctx, meta, &layout);
    let summary = super::links::verify_chain(ctx, meta, &layout, link_dir, scope, step_name, &mut trace);
    (trace, summary)
}

/// Stage 1 (`verify_metadata_signatures`): every given key, in order; the
/// check of each, for the trace.
fn layout_signatures(
    ctx: &mut Ctx<'_>,
    meta: &Metadata,
    keys: &[VerifierKey],
    scope: &[String],
) -> Vec<SignatureCheck> {
    let mut checked = Vec::with_capacity(keys.len());
    let subject = Subject::Layout { path: meta.path.clone() };
    if keys.is_empty() {
        let f = Finding::error(
            category::LAYOUT_SIGNATURE,
            subject,
            "Layout signature verification requires at least one key.",
        );
        ctx.fail(f, failure_at(scope, None));
        return checked;
    }
    for k in keys {
        let sig = stages::layout_signature(meta, k, ctx.opts.signature_form);
        if let Some(alias) = &sig.alias {
            let f = Finding::warning(
                warning::KEYID_ALIAS,
                Subject::Key { keyid: k.keyid.clone() },
                format!(
                    "the layout is signed by key {} under its other key id {alias} (the other key id formula); python in-toto looks signatures up by '{}' only and would report \"No signature found\"",
                    k.keyid, k.keyid
                ),
            );
            ctx.weak(f);
        }
        let check = SignatureCheck {
            keyid: k.keyid.clone(),
            valid: sig.is_valid(),
            reason: match &sig.check {
                SigCheck::Valid { .. } if sig.is_valid() => None,
                SigCheck::Valid { .. } => Some(stages::FORM_ONLY_WRITTEN.into()),
                SigCheck::NoSignature => Some("no signature with this key id".into()),
                SigCheck::Invalid(why) => Some(why.clone()),
            },
        };
        checked.push(check.clone());
        let evidence = Evidence::Signatures { checks: vec![check] };
        if let Some(msg) = sig.error(&k.keyid) {
            let f = Finding::error(category::LAYOUT_SIGNATURE, subject.clone(), msg).with_evidence(evidence);
            ctx.fail(f, failure_at(scope, None));
        }
        signature_form_finding(ctx, meta, &k.keyid, &sig.check);
    }
    checked
}

/// What to say about a Metablock signature valid over only one of the two
/// signed forms (the document as written, python in-toto's rebuilt
/// object): which form decided, and who accepts the other.
pub fn signature_form_finding(ctx: &mut Ctx<'_>, meta: &Metadata, keyid: &str, check: &SigCheck) {
    let SigCheck::Valid { raw, normalized } = *check else { return };
    let path = &meta.path;
    let diff = meta.normal_form_difference();
    let subject = Subject::File { path: path.to_owned() };
    match (raw, normalized, ctx.opts.signature_form) {
        (true, false, SignatureForm::Reference) => {
            let msg = format!(
                "the signature of {keyid} is valid over the document as written, but not over the object python in-toto 3.1 rebuilds from it ({diff}), which is what the reference checks; so it does not count (signature form: reference). Verifiers that check the canonical JSON of \"signed\" as written (the in-toto specification's wording) accept it; in-toto-golang re-serializes its own structs and does not. --signature-form written accepts it"
            );
            // The error is already recorded; this says why (not escalated by --strict).
            ctx.info(Finding::warning(warning::SIGNATURE_FORM, subject, msg));
        }
        (true, false, SignatureForm::Written) => {
            let msg = format!(
                "the signature of {keyid} is valid over the document as written and counts because of --signature-form written; python in-toto 3.1 checks the object it rebuilds from it ({diff}) and reports an invalid signature (signature form: written)"
            );
            ctx.weak(Finding::warning(warning::SIGNATURE_FORM, subject, msg));
        }
        (false, true, form) => {
            let msg = format!(
                "the signature of {keyid} is valid only over the object python in-toto rebuilds ({diff}), not over the document as written: what python drops is not covered by the signature (signature form: {})",
                form.name()
            );
            ctx.weak(Finding::warning(warning::SIGNATURE_FORM, subject, msg));
        }
        _ => {}
    }
}

/// Stage 2 (`verify_layout_expiration`): expired when `expires <= at`.
fn expiry(ctx: &mut Ctx<'_>, meta: &Metadata, layout: &Layout, scope: &[String]) {
    let subject = Subject::Layout { path: meta.path.clone() };
    match stages::expiry(layout, ctx.opts.at) {
        Expiry::Valid => {}
        Expiry::NoExpiry => {
            let f = Finding::warning(
                warning::LAYOUT_NO_EXPIRY,
                subject,
                "the layout has no \"expires\"; python in-toto treats it as expiring one month after loading, so it never expires",
            );
            ctx.weak(f);
        }
        Expiry::Expired { expires } => {
            let at = crate::meta::time::format(ctx.opts.at);
            let f = Finding::error(
                category::LAYOUT_EXPIRED,
                subject,
                format!("Layout expired at {expires} (evaluated at {at})"),
            )
            .with_evidence(Evidence::Expiry { expires, evaluated_at: at })
            .at(source(meta, "/expires"));
            ctx.fail(f, failure_at(scope, None));
        }
    }
}

/// Warnings about `layout.keys`: ids that do not match the key.
fn layout_key_checks(ctx: &mut Ctx<'_>, meta: &Metadata, layout: &Layout) {
    for (id, k) in &layout.keys {
        if &k.keyid != id {
            let f = Finding::warning(
                warning::KEYID_MISMATCH,
                Subject::Key { keyid: id.clone() },
                format!("the layout lists a key under id {id} but its \"keyid\" member says {}", k.keyid),
            )
            .at(source(meta, &format!("/keys/{}", super::model::escape_pointer(id))));
            ctx.weak(f);
        }
        // A labelled key (`"name": "bob"`) keeps the id securesystemslib
        // computes over the key's own members.
        if let Ok(key) = &k.key
            && key.keyid_match(&k.keyid) == crate::crypto::KeyIdMatch::None
            && key.sslib_keyid() != k.keyid
        {
            let f = Finding::warning(
                    warning::KEYID_MISMATCH,
                    Subject::Key { keyid: k.keyid.clone() },
                    format!(
                        "key id {} is not the hash of its key (neither the modern nor the legacy formula); in-toto never checks this",
                        k.keyid
                    ),
                )
                .at(source(meta, &format!("/keys/{}", super::model::escape_pointer(id))));
            ctx.weak(f);
        }
    }
}

/// Stage 3 (`substitute_parameters`): each element python's `str.format`
/// raises on is an error, the first one being python's.
fn substitute_parameters(
    ctx: &mut Ctx<'_>,
    meta: &Metadata,
    layout: &mut Layout,
    p: &BTreeMap<String, String>,
    scope: &[String],
) {
    let Err(errors) = stages::substitute_parameters(layout, p) else { return };
    for e in errors {
        let subject = if e.is_inspection {
            Subject::Inspection { name: e.item.clone() }
        } else {
            Subject::Step { name: e.item.clone() }
        };
        let f = Finding::error(e.category(), subject, e.to_string()).at(source(meta, &e.pointer));
        ctx.fail(f, failure_at(scope, Some(&e.item)));
    }
}
