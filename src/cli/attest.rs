//! `trailscope attest verify` and `attest inspect` (DESIGN §4): in-toto
//! attestations in Sigstore bundles.
//!
//! Exit codes: 0 verified, 1 not verified (anything a bundle says, a
//! malformed bundle included), 2 usage error, 3 the trusted root, the key,
//! the artifact or the `--bundle` file or directory cannot be read.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::{Args, Subcommand};

use super::Exit;
use super::format::Format;
use crate::bridge::sigstore_root::RootFailure;
use crate::sigstore::input::Pending;
use crate::sigstore::prepare::{self as sigstore_prepare, Prepared, Unprepared as Failure};
use crate::sigstore::record::Record;
use crate::sigstore::verify::{self as sv, Options};
use crate::verdict::document::SharedMembers;
use crate::verdict::{Document, InputFile, Inputs, Verdict};

/// The date of the root-signing snapshot the production root comes from.
pub const SNAPSHOT_DATE: &str = "2026-08-21";

#[derive(Debug, Args)]
pub struct AttestArgs {
    #[command(subcommand)]
    pub command: AttestCommand,
}

#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Verify a Sigstore bundle (or every bundle of a file or directory)
    /// against an artifact, a trusted root and an identity policy.
    Verify(Box<VerifyArgs>),
    /// Decode a bundle without a policy: signer, log entries, timestamps, Statement.
    Inspect(InspectArgs),
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// A bundle, a JSON-lines file of bundles, a PEP 740 attestation or PyPI
    /// provenance object, npm's or GitHub's attestation API response, or a
    /// directory of such files.
    #[arg(long, value_name = "FILE|DIR")]
    pub bundle: PathBuf,
    #[command(flatten)]
    pub flags: super::attest_flags::AttestFlags,
    /// Evaluation time recorded in the document (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// The artifact: a file, or sha256:HEX / sha384:HEX / sha512:HEX. A DSSE
    /// bundle may be verified without one (its subjects are then not matched).
    #[arg(value_name = "ARTIFACT|sha256:HEX|sha512:HEX")]
    pub artifact: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// The TUF client's limits for obtaining the trusted root from Sigstore's
    /// repository (`--timeout`, `--min-speed`, as for `tuf verify`): a
    /// stalled or trickling repository fails as a slow retrieval (exit 1).
    #[command(flatten)]
    pub limits: super::tuf::TufLimits,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A bundle or any file `attest verify --bundle` reads.
    pub file: PathBuf,
    /// Output format (json: the attestation detail of each bundle).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: &AttestArgs) -> Exit {
    match &args.command {
        AttestCommand::Verify(a) => verify(a, "attest verify"),
        AttestCommand::Inspect(a) => inspect(a),
    }
}

/// Why no verification could start.
pub enum Unprepared {
    /// A usage or input error, already printed.
    Exit(Exit),
    /// Sigstore's TUF repository did not verify: the trusted root is not had.
    Root(Box<RootFailure>, time::OffsetDateTime),
}

impl From<Exit> for Unprepared {
    fn from(e: Exit) -> Self {
        Unprepared::Exit(e)
    }
}

/// `attest verify`'s own rules (a policy is required, `--at`), then the
/// preparation every face shares (`sigstore::prepare`); errors are printed.
pub fn prepare(a: &VerifyArgs, command: &str) -> Result<Prepared, Unprepared> {
    let fail = |code: Exit, msg: String| {
        eprintln!("trailscope {command}: {msg}");
        code
    };
    let at = match &a.at {
        None => crate::meta::time::now(),
        Some(t) => crate::meta::time::parse(t).map_err(|e| fail(Exit::Usage, format!("--at: {e}")))?.at,
    };
    let f = &a.flags;
    if f.key.is_none() && f.certificate_identity.is_none() && f.certificate_identity_regexp.is_none() {
        return Err(Unprepared::Exit(fail(
            Exit::Usage,
            "keyless bundles need --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer, keyed ones --key: a valid signature proves nothing until you say whose it must be".into(),
        )));
    }
    if f.key.is_none() && f.certificate_oidc_issuer.is_none() && f.certificate_oidc_issuer_regexp.is_none() {
        return Err(Unprepared::Exit(fail(
            Exit::Usage,
            "--certificate-oidc-issuer is required with a certificate identity".into(),
        )));
    }
    let mut config = crate::tuf::Config::default();
    a.limits.apply(&mut config);
    match sigstore_prepare::prepare(&request(a), at, config) {
        Ok(p) => Ok(p),
        Err(Failure::Usage(m)) => Err(Unprepared::Exit(fail(Exit::Usage, m))),
        Err(Failure::Input(m)) => Err(Unprepared::Exit(fail(Exit::Input, m))),
        Err(Failure::Root(failure)) => {
            eprintln!("trailscope {command}: {failure}");
            Err(Unprepared::Root(failure, at))
        }
    }
}

/// The request `sigstore::prepare` reads, as `attest verify`'s flags give it.
fn request(a: &VerifyArgs) -> sigstore_prepare::Request {
    a.flags.request(a.artifact.clone())
}

/// Every `(label, bytes)` bundle the `--bundle` path names.
pub fn load_bundles(path: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    Ok(load_bundle_files(path)?
        .into_iter()
        .flat_map(|(_, bundles)| bundles)
        .map(|(label, text)| {
            let bytes = match text {
                BundleText::Parsed { value, .. } => serde_json::to_vec(&value).unwrap_or_default(),
                BundleText::Line { file, at } => compact(&file[at]),
                BundleText::Span { file, at } => {
                    let mut line = Vec::new();
                    read_span(&file, &at, &mut line).map_or_else(|_| Vec::new(), |()| compact(&line))
                }
                BundleText::Raw(bytes) => bytes,
            };
            (label, bytes)
        })
        .collect())
}

/// A JSON line as serde_json writes it (empty if it no longer parses).
fn compact(line: &[u8]) -> Vec<u8> {
    serde_json::from_slice::<serde_json::Value>(line)
        .and_then(|value| serde_json::to_vec(&value))
        .unwrap_or_default()
}

/// One bundle of the `--bundle` input: the JSON value read from its file or
/// line (handed to the verifier as is, not serialised and parsed again), or
/// bytes that are not JSON or too large, which the verdict then explains.
pub enum BundleText {
    Parsed {
        value: serde_json::Value,
        len: usize,
    },
    /// A line of a JSON-lines file, checked to be JSON, parsed when verified
    /// (`file[at]`; the file's bytes are shared by its lines).
    Line {
        file: std::sync::Arc<Vec<u8>>,
        at: std::ops::Range<usize>,
    },
    /// A line of a JSON-lines file read a piece at a time (checked to be
    /// JSON then), read again when verified: bytes `at` of the file.
    Span {
        file: std::sync::Arc<HeldFile>,
        at: std::ops::Range<usize>,
    },
    Raw(Vec<u8>),
}

/// A file whose lines are read again when verified, held open, and how it
/// stood when it was read and digested.
pub struct HeldFile {
    file: std::fs::File,
    label: String,
    stamp: FileStamp,
}

/// Size and modification time: an in-place write changes them. (Not the
/// status-change time: a file replaced under the same name changes it by
/// unlinking the old one, and does not matter — lines are read again from
/// the open file, the one digested.)
#[derive(PartialEq, Eq)]
struct FileStamp(u64, Option<std::time::SystemTime>);

impl FileStamp {
    fn from_meta(m: &std::fs::Metadata) -> Self {
        Self(m.len(), m.modified().ok())
    }

    fn of(file: &std::fs::File) -> Option<Self> {
        file.metadata().ok().as_ref().map(Self::from_meta)
    }
}

impl HeldFile {
    /// Whether the file may have changed since it was read and digested:
    /// the report's digest would then not be of every byte verified.
    fn changed(&self) -> bool {
        FileStamp::of(&self.file).as_ref() != Some(&self.stamp)
    }
}

thread_local! {
    /// The line a core verifies: one buffer per core for the whole run.
    static LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Bytes `at` of `file` into `buf`.
fn read_span(held: &HeldFile, at: &std::ops::Range<usize>, buf: &mut Vec<u8>) -> std::io::Result<()> {
    let file = &held.file;
    buf.clear();
    buf.resize(at.len(), 0);
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, at.start as u64)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read as _, Seek as _};
        let mut f = file;
        f.seek(std::io::SeekFrom::Start(at.start as u64))?;
        f.read_exact(buf)
    }
}

/// A line checked to be JSON when its file was read, parsed and verified;
/// if it no longer parses (its file changed since), the verdict says why.
fn verify_line(text: &[u8], label: &str, opts: &Options) -> Document {
    match serde_json::from_slice::<serde_json::Value>(text) {
        Ok(value) => sv::verify_parsed(&value, text.len(), label, opts),
        Err(_) => sv::verify(text, label, opts),
    }
}

impl BundleText {
    fn verify(&self, label: &str, opts: &Options) -> Document {
        match self {
            Self::Parsed { value, len } => sv::verify_parsed(value, *len, label, opts),
            Self::Line { file, at } => verify_line(&file[at.clone()], label, opts),
            Self::Span { file, at } => LINE.with_borrow_mut(|line| match read_span(file, at, line) {
                Ok(()) => verify_line(line, label, opts),
                // The file was cut short since it was read: what is left of the line.
                Err(_) => sv::verify(b"", label, opts),
            }),
            Self::Raw(bytes) => sv::verify(bytes, label, opts),
        }
    }
}

/// `(label, bundle)` of each bundle a file holds.
type FileBundles = Vec<(String, BundleText)>;

/// The files the `--bundle` path names, each with its bundles.
fn load_bundle_files(path: &Path) -> Result<Vec<(InputFile, FileBundles)>, String> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot list {}: {e}", path.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter(|p| {
                let n = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                n.ends_with(".json")
                    || n.ends_with(".jsonl")
                    || n.ends_with(".sigstore")
                    || n.ends_with(".attestation")
            })
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_owned()]
    };
    let mut all = Vec::new();
    for f in files {
        let label = f.display().to_string();
        if let Some(pieces) = read_in_pieces(&f, &label).map_err(|e| format!("cannot read {label}: {e}"))? {
            all.push(pieces);
            continue;
        }
        let bytes = read_on_every_core(&f).map_err(|e| format!("cannot read {label}: {e}"))?;
        if bytes.len() > crate::sigstore::bundle::MAX_BUNDLE_BYTES && !label.ends_with(".jsonl") {
            // Oversized single bundle: the verifier reports it as a limit.
            let input = InputFile::of_bytes("bundle", label.clone(), &bytes);
            all.push((input, vec![(label, BundleText::Raw(bytes))]));
            continue;
        }
        // The file's SHA-256 (one core for 10 ms on a 20 MB JSON-lines file)
        // beside the parse of its lines, which the other cores share.
        let (input, found) = rayon::join(
            || InputFile::of_bytes("bundle", label.clone(), &bytes),
            || crate::sigstore::input::pending_in(&bytes, &label),
        );
        let out = match found {
            Ok(found) => {
                let file = std::sync::Arc::new(bytes);
                found
                    .into_iter()
                    .map(|p| match p {
                        Pending::Found(b) => (b.label, BundleText::Parsed { value: b.bundle, len: b.len }),
                        Pending::Line { label, at } => (label, BundleText::Line { file: file.clone(), at }),
                    })
                    .collect()
            }
            // Not JSON: handed over as is, so the verdict says "bundle-malformed".
            Err(_) => vec![(label, BundleText::Raw(bytes))],
        };
        all.push((input, out));
    }
    Ok(all)
}

/// A JSON-lines file of 1 MB or more read a piece at a time, its digest
/// beside its lines' checks, each line left to be read again by the core
/// that verifies it ([`crate::sigstore::input::pending_in_pieces`]); `None`
/// for any other file, which is read whole.
fn read_in_pieces(path: &Path, label: &str) -> std::io::Result<Option<(InputFile, FileBundles)>> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let stamp = FileStamp::from_meta(&meta);
    let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    if !meta.is_file()
        || len < 1 << 20
        || (len > crate::sigstore::bundle::MAX_BUNDLE_BYTES && !label.ends_with(".jsonl"))
    {
        return Ok(None);
    }
    let mut hasher = crate::crypto::digest::Hasher::new(crate::crypto::digest::HashAlg::Sha256);
    let mut size = 0u64;
    let pending = crate::sigstore::input::pending_in_pieces(&mut &file, label, |piece| {
        hasher.update(piece);
        size += piece.len() as u64;
    })?;
    let Some(pending) = pending else { return Ok(None) };
    let input = InputFile::verified("bundle", label, size, Some(hex::encode(hasher.finish())));
    let file = std::sync::Arc::new(HeldFile { file, label: label.to_owned(), stamp });
    let bundles = pending
        .into_iter()
        .map(|p| match p {
            Pending::Found(b) => (b.label, BundleText::Parsed { value: b.bundle, len: b.len }),
            Pending::Line { label, at } => (label, BundleText::Span { file: file.clone(), at }),
        })
        .collect();
    Ok(Some((input, bundles)))
}

/// `std::fs::read`, with a large file read in one piece per core: most of
/// reading 20 MB is the kernel faulting in and filling fresh pages, which
/// the cores can share. A file that changes length meanwhile is read again
/// from the start, in one piece.
fn read_on_every_core(path: &Path) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt as _;
        let file = std::fs::File::open(path)?;
        let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
        let cores = rayon::current_num_threads();
        if len >= 1 << 20 && cores > 1 && len <= 256 << 20 {
            let mut bytes = vec![0u8; len];
            let piece = len.div_ceil(cores);
            let whole = std::sync::atomic::AtomicBool::new(true);
            rayon::scope(|s| {
                for (i, part) in bytes.chunks_mut(piece).enumerate() {
                    let (file, whole) = (&file, &whole);
                    s.spawn(move |_| {
                        if file.read_exact_at(part, (i * piece) as u64).is_err() {
                            whole.store(false, std::sync::atomic::Ordering::Relaxed);
                        }
                    });
                }
            });
            // Nothing past the length read: the file did not grow.
            let mut probe = [0u8; 1];
            if whole.into_inner() && file.read_at(&mut probe, len as u64)? == 0 {
                return Ok(bytes);
            }
        }
    }
    std::fs::read(path)
}

/// What every document of a run shares, known before the first is made.
pub struct Run {
    /// How many documents the run makes.
    pub total: usize,
    /// The run's inputs (the markdown and SARIF reports name them).
    pub inputs: Inputs,
    /// Files read again line by line that changed while the run read them
    /// (named on stderr): the report's digest may not be of what was verified.
    pub changed: Vec<String>,
}

/// Documents made but not yet handed to the caller at most: enough that
/// the cores never wait for the printer, few enough that they take a few MB.
const WINDOW: usize = 256;

/// Verifies every bundle on every core and hands each document, in input
/// order, to `map` (on the core that made it: render it there) and what
/// `map` returns to `keep` (on this thread: print it). Each core takes the
/// next bundle as soon as it is done with one, and at most [`WINDOW`]
/// documents wait to be kept, so memory does not grow with the number of
/// bundles. `Err` when the inputs could not be read (message printed).
pub fn verify_each<T: Send>(
    a: &VerifyArgs,
    command: &str,
    map: impl Fn(&Run, usize, Document) -> T + Sync,
    mut keep: impl FnMut(T),
) -> Result<Run, Exit> {
    let p = match prepare(a, command) {
        Ok(p) => p,
        Err(Unprepared::Exit(e)) => return Err(e),
        Err(Unprepared::Root(failure, at)) => {
            // Evidence, not a usage problem: the document says what failed (exit 1).
            let category = failure.error.category.verdict();
            let record = Record::unrooted(&request(a), &a.bundle.display().to_string(), &failure.location);
            let mut doc = Document::new(crate::verdict::Kind::Attestation, at, failure.findings, category);
            doc.verdict = Verdict::Fail;
            doc.invocation = Some(record.invocation);
            let run = Run { total: 1, inputs: record.inputs, changed: Vec::new() };
            keep(map(&run, 0, doc));
            return Ok(run);
        }
    };
    let bundle_files = load_bundle_files(&a.bundle).map_err(|e| {
        eprintln!("trailscope {command}: --bundle: {e}");
        Exit::Input
    })?;
    let (files, per_file): (Vec<InputFile>, Vec<FileBundles>) = bundle_files.into_iter().unzip();
    // Each bundle with the file it came from (a JSON-lines file holds thousands).
    let bundles: Vec<(usize, String, BundleText)> = per_file
        .into_iter()
        .enumerate()
        .flat_map(|(f, bs)| bs.into_iter().map(move |(l, b)| (f, l, b)))
        .collect();
    if bundles.is_empty() {
        eprintln!("trailscope {command}: --bundle {}: no bundle found", a.bundle.display());
        return Err(Exit::Input);
    }
    let opts = p.options();
    let record = p.record(&request(a), &a.bundle.display().to_string());
    let mut held: Vec<std::sync::Arc<HeldFile>> = Vec::new();
    for (_, _, text) in &bundles {
        if let BundleText::Span { file, .. } = text
            && !held.last().is_some_and(|h| std::sync::Arc::ptr_eq(h, file))
        {
            held.push(file.clone());
        }
    }
    let mut run = Run { total: bundles.len(), inputs: record.inputs.clone(), changed: Vec::new() };
    let threads = rayon::current_num_threads();
    super::in_order::run(
        bundles.into_iter(),
        threads,
        WINDOW,
        |i, (file, label, text)| {
            let mut doc = text.verify(&label, &opts);
            // The bundle's value is not needed again: memory falls as the run goes.
            drop(text);
            p.stamp(&record, &mut doc, files[file].clone());
            map(&run, i, doc)
        },
        &mut keep,
    );
    for file in held.iter().filter(|h| h.changed()) {
        eprintln!(
            "trailscope {command}: --bundle: {} changed while it was being verified: the digest in the report may not be of the bytes verified; verify a copy that does not change",
            crate::sanitize::sanitize(&file.label)
        );
        run.changed.push(file.label.clone());
    }
    Ok(run)
}

/// Verifies every bundle; the documents in input order.
pub fn verify_all(a: &VerifyArgs, command: &str) -> Result<(Vec<Document>, Inputs), Exit> {
    let mut docs = Vec::new();
    let run = verify_each(a, command, |_, _, doc| doc, |doc| docs.push(doc))?;
    if !run.changed.is_empty() {
        return Err(Exit::Failed);
    }
    Ok((docs, run.inputs))
}

/// How much of the report `attest verify` writes at once (about 20 JSON documents).
const OUTPUT_CHUNK: usize = 256 * 1024;

fn verify(a: &VerifyArgs, command: &str) -> Exit {
    let format = a.format;
    let mut printer = super::format::Printer::default();
    let (mut passed, mut seen) = (0usize, 0usize);
    // Documents written a chunk at a time: a write each (two through
    // stdout's line buffer) was 4,000 system calls for 2,000 bundles.
    let mut pending = Vec::with_capacity(OUTPUT_CHUNK + 64 * 1024);
    let shared = OnceLock::new();
    let run = verify_each(
        a,
        command,
        |run, i, doc| (doc.verdict == Verdict::Pass, piece(&doc, i, run.total, format, &run.inputs, &shared)),
        |(pass, text)| {
            seen += 1;
            passed += usize::from(pass);
            pending.extend_from_slice(&text);
            if pending.len() >= OUTPUT_CHUNK {
                printer.write_bytes(&pending);
                pending.clear();
            }
        },
    );
    let run = match run {
        Ok(run) => run,
        Err(e) => return e,
    };
    pending.extend_from_slice(trailer(run.total, passed, format).as_bytes());
    printer.write_bytes(&pending);
    printer.finish();
    if passed == seen && run.changed.is_empty() { Exit::Ok } else { Exit::Failed }
}

/// One document as is; several as a JSON array (text: one report after another).
pub fn render(docs: &[Document], format: Format, inputs: &Inputs) -> String {
    let shared = OnceLock::new();
    let mut out = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        out.extend_from_slice(&piece(d, i, docs.len(), format, inputs, &shared));
    }
    let passed = docs.iter().filter(|d| d.verdict == Verdict::Pass).count();
    out.extend_from_slice(trailer(docs.len(), passed, format).as_bytes());
    String::from_utf8(out).unwrap_or_default()
}

/// Document `i` of `total` as [`render`] writes it, with what goes before
/// it, so that a run can be printed a document at a time. Several JSON
/// documents are serde_json's pretty array: each is written one level in,
/// as the array nests it.
/// `shared`: the members every document of the run shares, written by the
/// first document that needs them. Bytes, as serde_json writes them: UTF-8
/// checked again per document was ~0.3% of a gen run's CPU.
fn piece(
    doc: &Document,
    i: usize,
    total: usize,
    format: Format,
    inputs: &Inputs,
    shared: &OnceLock<SharedMembers>,
) -> Vec<u8> {
    let before = if i == 0 { "" } else { "\n" };
    match format {
        Format::Json if total == 1 => format!("{}\n", doc.to_json_string()).into_bytes(),
        Format::Json => {
            let mut out = Vec::with_capacity(16 * 1024);
            out.extend_from_slice(if i == 0 { b"[\n  " } else { b",\n  " });
            shared.get_or_init(|| SharedMembers::new(doc, 1)).write(doc, 1, &mut out);
            out
        }
        Format::Text => format!("{before}{}", crate::report::text_attest::render(doc)).into_bytes(),
        other => super::format::render_common(doc, other, inputs)
            .map(|text| format!("{before}{text}").into_bytes())
            .unwrap_or_default(),
    }
}

/// What [`render`] writes after the last of `total` documents.
fn trailer(total: usize, passed: usize, format: Format) -> String {
    match format {
        Format::Json if total == 0 => "[]\n".to_owned(),
        Format::Json if total > 1 => "\n]\n".to_owned(),
        Format::Text if total > 1 => format!("\n{passed} of {total} bundles verified\n"),
        _ => String::new(),
    }
}

fn inspect(a: &InspectArgs) -> Exit {
    let bundles = match load_bundles(&a.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("trailscope attest inspect: {e}");
            return Exit::Input;
        }
    };
    let mut out = Vec::new();
    let mut details = Vec::new();
    let mut readable = true;
    for (label, bytes) in &bundles {
        let d = crate::sigstore::verify::inspect(bytes, label);
        readable &= d.is_ok();
        match d {
            Ok(d) => {
                out.push(crate::report::text_attest::detail(&d));
                details.push(serde_json::to_value(&d).unwrap_or_default());
            }
            Err(e) => {
                out.push(format!("{}: {e}\n", crate::sanitize::sanitize(label)));
                details.push(serde_json::json!({"bundle": label, "error": e}));
            }
        }
    }
    match a.format {
        Format::Json => {
            let v = if details.len() == 1 { details.remove(0) } else { serde_json::Value::Array(details) };
            super::format::print(&format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
        }
        _ => super::format::print(&out.join("\n")),
    }
    if readable { Exit::Ok } else { Exit::Failed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::category as cat;

    #[test]
    fn a_held_file_written_in_place_has_changed_one_replaced_has_not() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bundles.jsonl");
        std::fs::write(&path, b"{}\n{}\n").unwrap();
        let hold = || {
            let file = std::fs::File::open(&path).unwrap();
            let stamp = FileStamp::of(&file).unwrap();
            HeldFile { file, label: "bundles.jsonl".into(), stamp }
        };
        let held = hold();
        assert!(!held.changed());
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{}\n").unwrap();
        assert!(held.changed(), "a line appended while the run reads the file");
        // A new file under the same name: the open one, the one digested, is read again.
        let held = hold();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, b"[]\n").unwrap();
        assert!(!held.changed());
    }

    #[test]
    fn the_json_array_is_serde_jsons_pretty_array() {
        let at = time::macros::datetime!(2026-06-01 12:00 UTC);
        let mut a = Document::new(crate::verdict::Kind::Attestation, at, Vec::new(), cat::PASS);
        a.attestation = Some(Box::default());
        let mut b = a.clone();
        b.findings.push(crate::verdict::Finding::error(
            cat::SET_INVALID,
            crate::verdict::Subject::File { path: "b \"quoted\"\nline".into() },
            "two\nlines",
        ));
        let docs = [a, b];
        let all: Vec<serde_json::Value> = docs.iter().map(Document::to_value).collect();
        let inputs = Inputs::new();
        assert_eq!(
            render(&docs, Format::Json, &inputs),
            format!("{}\n", serde_json::to_string_pretty(&all).unwrap())
        );
        assert_eq!(render(&docs[..1], Format::Json, &inputs), format!("{}\n", docs[0].to_json_string()));
        assert_eq!(render(&[], Format::Json, &inputs), "[]\n");
    }
}
