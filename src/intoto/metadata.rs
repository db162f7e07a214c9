//! Signed in-toto documents in either envelope (python `models/metadata.py`:
//! `Metadata`, `Metablock`, `Envelope`) and their signature checks.
//!
//! Metablock signatures are checked over the canonical JSON of `signed` as
//! written (spec behaviour) and over python in-toto's normal form (unknown
//! members dropped, defaults filled in); the verdict accepts either and
//! the caller reports when the two disagree. DSSE signatures are checked over
//! PAE of the raw payload.

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use super::model::{ModelError, Payload, parse_payload, python_normalized};
use crate::crypto::PublicKey;
use crate::meta::dsse::INTOTO_PAYLOAD_TYPE;
use crate::meta::{DsseEnvelope, Signature, SignedEnvelope, canonical};

/// Largest metadata file read (links with very many artifacts are large).
pub const MAX_METADATA_BYTES: u64 = 1 << 30;

/// Which envelope a document came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Metablock,
    Dsse,
}

#[derive(Debug, Clone)]
enum Env {
    /// With the exact digits of its integers outside 64 bits, if any
    /// (the signed forms must copy them as written).
    Metablock(Box<SignedEnvelope>, canonical::ExactIntegers),
    /// A Metablock whose payload has exactly the members python's model has,
    /// so its canonical form and python's normal form are the same bytes;
    /// read without building a JSON tree (the fast path for large links).
    Canonical {
        signed_bytes: Vec<u8>,
        signatures: Vec<Signature>,
    },
    Dsse(DsseEnvelope),
}

/// A loaded document. Cloning is cheap: the envelope (as large as the
/// file) is shared, and a link's artifacts are behind `Arc`s.
#[derive(Debug, Clone)]
pub struct Metadata {
    pub path: String,
    env: Arc<Env>,
    /// The parsed payload. For DSSE python parses it only when asked
    /// (`get_payload`), after signatures; the caller reports it then.
    pub payload: Result<Payload, ModelError>,
    /// Signature checks done ahead of time (on all cores), by key id.
    precomputed: Vec<(String, SigCheck)>,
}

/// Why a document could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file cannot be read (python: `OSError`, "missing" for links).
    Io(std::io::Error),
    /// It is not in-toto metadata (python: `FormatError`, `InvalidMetadata`, `JSONDecodeError`).
    Malformed(String),
    /// It exceeds a limit (size, artifacts) or may not be read (a symbolic
    /// link out of its directory, not a regular file); not parsed.
    Limit(String),
}

/// The outcome of checking one key's signature on a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigCheck {
    /// A signature by the key verified. For a Metablock, `raw`/`normalized`
    /// say over which form (python accepts only `normalized`).
    Valid { raw: bool, normalized: bool },
    /// No signature carries the key id (python: "No signature found for key").
    NoSignature,
    /// The signature with that key id does not verify.
    Invalid(String),
}

impl SigCheck {
    pub fn is_valid(&self) -> bool {
        matches!(self, SigCheck::Valid { .. })
    }
}

/// Reads and parses a file of at most [`MAX_METADATA_BYTES`].
pub fn load(path: &Path) -> Result<Metadata, LoadError> {
    load_limited(path, MAX_METADATA_BYTES)
}

/// The key a document's signature is checked with while it loads (the one
/// stage 5 of verification will ask for): [`Metadata::verify`] with the
/// same key id then answers from the result.
#[derive(Debug, Clone, Copy)]
pub struct KeyCheck<'k> {
    pub keyid: &'k str,
    pub subkeys: &'k [String],
    pub key: &'k PublicKey,
}

/// Reads and parses a file of at most `max_bytes` bytes.
pub fn load_limited(path: &Path, max_bytes: u64) -> Result<Metadata, LoadError> {
    load_limited_checked(path, max_bytes, None)
}

/// [`load_limited`], checking the signature of `check` as it parses.
pub fn load_limited_checked(
    path: &Path,
    max_bytes: u64,
    check: Option<&KeyCheck<'_>>,
) -> Result<Metadata, LoadError> {
    load_observed(path, max_bytes, check, &|_| {})
}

/// [`load_limited_checked`], handing `observe` the bytes read before they
/// are parsed (a recording loader fingerprints them: the bytes verified are
/// the bytes reported).
pub fn load_observed(
    path: &Path,
    max_bytes: u64,
    check: Option<&KeyCheck<'_>>,
    observe: &(dyn Fn(&[u8]) + Sync),
) -> Result<Metadata, LoadError> {
    let bytes = read_limited(path, max_bytes, READ_BUFFER.take())?;
    let label = path.display().to_string();
    let parse = || match check {
        Some(check) => from_bytes_checked(&bytes, &label, check),
        None => from_bytes(&bytes, &label),
    };
    // A large link's fingerprint (tens of megabytes of SHA-256) on the other
    // core while this one parses and checks it; both read the same bytes.
    let result = if bytes.len() >= LARGE_FILE_BYTES {
        rayon::join(|| observe(&bytes), parse).1
    } else {
        observe(&bytes);
        parse()
    };
    if bytes.capacity() <= MAX_KEPT_READ_BUFFER {
        READ_BUFFER.set(bytes);
    }
    result
}

/// The bytes of the regular file `path` (at most `max_bytes`), read into `bytes`.
fn read_limited(path: &Path, max_bytes: u64, mut bytes: Vec<u8>) -> Result<Vec<u8>, LoadError> {
    // Opening a FIFO would block, a device would never end: regular files only.
    if let Ok(m) = std::fs::metadata(path)
        && !m.is_file()
        && !m.is_dir()
    {
        return Err(LoadError::Limit(format!("{} is not a regular file; not read", path.display())));
    }
    let file = std::fs::File::open(path).map_err(LoadError::Io)?;
    let meta = file.metadata().map_err(LoadError::Io)?;
    if meta.is_dir() {
        return Err(LoadError::Io(std::io::Error::other("is a directory")));
    }
    let too_big = || {
        LoadError::Limit(format!(
            "{}: file larger than the limit of {max_bytes} bytes (--max-metadata-bytes)",
            path.display()
        ))
    };
    if meta.len() > max_bytes {
        return Err(too_big());
    }
    match usize::try_from(meta.len()) {
        #[cfg(unix)]
        Ok(len) if len >= LARGE_FILE_BYTES => {
            read_in_halves(&file, len, &mut bytes).map_err(LoadError::Io)?
        }
        _ => {
            bytes.clear();
            bytes.reserve(usize::try_from(meta.len()).unwrap_or(0));
            file.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(LoadError::Io)?;
        }
    }
    if bytes.len() as u64 > max_bytes {
        return Err(too_big());
    }
    Ok(bytes)
}

/// [`load_observed`] for several files at once (large links): all are read,
/// then the ed25519 signatures of those written in canonical form are
/// hashed together, `SHA-512(R ‖ A ‖ M)` of each in its own SIMD lane
/// ([`crate::crypto::sha512_multi`]), on one core while the others
/// fingerprint and parse the files. Each signature is still decided on its
/// own, by the equation [`PublicKey::verify`] uses (not batch verification);
/// a file the lanes cannot take gets exactly what [`load_observed`] gives.
/// `observe` is handed each file's path and bytes once, as they were read.
pub fn load_many_observed(
    jobs: &[(&Path, Option<&KeyCheck<'_>>)],
    max_bytes: u64,
    observe: &(dyn Fn(&Path, &[u8]) + Sync),
) -> Vec<Result<Metadata, LoadError>> {
    use rayon::prelude::*;
    let (bufs, mut errors): (Vec<Vec<u8>>, Vec<Option<LoadError>>) = jobs
        .par_iter()
        .map(|(path, _)| match read_limited(path, max_bytes, Vec::new()) {
            Ok(bytes) => (bytes, None),
            Err(e) => (Vec::new(), Some(e)),
        })
        .unzip();
    let labels: Vec<String> = jobs.iter().map(|(path, _)| path.display().to_string()).collect();
    let lanes: Vec<Option<fast::Lane<'_>>> = bufs
        .iter()
        .zip(jobs)
        .zip(&errors)
        .map(|((bytes, (_, check)), error)| if error.is_some() { None } else { fast::lane(bytes, (*check)?) })
        .collect();
    let parse = |i: usize| -> Option<fast::Parsed> {
        if errors[i].is_some() {
            return None;
        }
        let bytes = &bufs[i];
        let (_, parsed) = rayon::join(
            || observe(jobs[i].0, bytes),
            || match (&lanes[i], jobs[i].1) {
                (Some(_), _) => fast::Parsed::Plain(
                    std::str::from_utf8(bytes).ok().and_then(crate::intoto::plain_link::read).map(Box::new),
                ),
                (None, Some(check)) => fast::Parsed::Done(from_bytes_checked(bytes, &labels[i], check)),
                (None, None) => fast::Parsed::Done(from_bytes(bytes, &labels[i])),
            },
        );
        Some(parsed)
    };
    let (outcomes, parsed) = rayon::join(
        || fast::check_lanes(&lanes),
        || (0..jobs.len()).into_par_iter().map(parse).collect::<Vec<_>>(),
    );
    let mut results = Vec::with_capacity(jobs.len());
    for (i, parsed) in parsed.into_iter().enumerate() {
        if let Some(e) = errors[i].take() {
            results.push(Err(e));
            continue;
        }
        let bytes = &bufs[i];
        let label = &labels[i];
        let check = jobs[i].1;
        let done = match (parsed, &lanes[i], &outcomes[i], check) {
            (Some(fast::Parsed::Done(result)), ..) => result,
            (Some(fast::Parsed::Plain(Some(plain))), Some(lane), Some(outcome), Some(check)) => {
                match fast::assemble_lane(*plain, lane, outcome.clone(), check, label) {
                    Some(m) => Ok(m),
                    None => from_bytes_checked(bytes, label, check),
                }
            }
            (_, _, _, Some(check)) => from_bytes_checked(bytes, label, check),
            (_, _, _, None) => from_bytes(bytes, label),
        };
        results.push(done);
    }
    results
}

/// A file this large is read by two threads, a half each (copying tens of
/// megabytes out of the page cache is otherwise time with one core idle),
/// and verification loads such links one at a time, each on all cores.
pub const LARGE_FILE_BYTES: usize = 4 << 20;

/// Reads the `len` bytes the file had when it was opened into `bytes` (a
/// file that shrank meanwhile is an error; what it grew by is not read).
#[cfg(unix)]
fn read_in_halves(file: &std::fs::File, len: usize, bytes: &mut Vec<u8>) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt as _;
    // A reused buffer is overwritten, not zeroed first.
    if bytes.len() < len {
        bytes.resize(len, 0);
    } else {
        bytes.truncate(len);
    }
    let (front, back) = bytes.split_at_mut(len / 2);
    let (a, b) = rayon::join(|| file.read_exact_at(front, 0), || file.read_exact_at(back, (len / 2) as u64));
    a.and(b)
}

thread_local! {
    /// The buffer the last file read on this thread went into, reused for
    /// the next: the page faults of a fresh buffer per large link cost
    /// several percent of a run. (Taken out while in use, so a nested read
    /// simply gets a new one.)
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Largest read buffer kept for reuse.
const MAX_KEPT_READ_BUFFER: usize = 256 << 20;

/// Frees this thread's read buffer (after a batch of large files).
pub fn release_read_buffer() {
    drop(READ_BUFFER.take());
}

/// Why the link file `path` of `dir` may not be read: it is a symbolic link
/// (on disk) that leads out of `dir`. `None` when it is not a symbolic link,
/// does not exist on disk (an in-memory source) or stays inside.
pub fn symlink_out_of(dir: &Path, path: &Path) -> Option<String> {
    let link = std::fs::symlink_metadata(path).ok()?;
    if !link.file_type().is_symlink() {
        return None;
    }
    let base = std::fs::canonicalize(dir).ok()?;
    match std::fs::canonicalize(path) {
        Ok(target) if target.starts_with(&base) => None,
        Ok(target) => Some(format!(
            "{} is a symbolic link to {}, outside the link directory {}; not read",
            path.display(),
            target.display(),
            dir.display()
        )),
        // Dangling: reading it fails as a missing file would.
        Err(_) => None,
    }
}

/// Parses document bytes like python's `Metadata.from_dict` (+ `json.load`).
pub fn from_bytes(bytes: &[u8], label: &str) -> Result<Metadata, LoadError> {
    match fast::link(bytes, label) {
        Some(fast) => Ok(fast),
        None => from_bytes_general(bytes, label),
    }
}

/// [`from_bytes`] and the signature check of `check`. A large link in the
/// plain shape is parsed on one core while its canonical form is streamed
/// into the signature check on the other, and the canonical bytes are never
/// held (a check with another key later reads the file again).
pub fn from_bytes_checked(bytes: &[u8], label: &str, check: &KeyCheck<'_>) -> Result<Metadata, LoadError> {
    if let Some(fast) = fast::link_checked(bytes, label, check) {
        return Ok(fast);
    }
    let mut m = from_bytes_general(bytes, label)?;
    m.precompute(check.keyid, check.subkeys, check.key);
    m.release_signed_bytes();
    Ok(m)
}

fn from_bytes_general(bytes: &[u8], label: &str) -> Result<Metadata, LoadError> {
    let doc = crate::meta::json::parse(bytes, label).map_err(|e| LoadError::Malformed(e.message))?;
    let obj = doc.as_object().ok_or_else(|| LoadError::Malformed("not a JSON object".into()))?;
    if obj.contains_key("payload") {
        if obj.get("payloadType").and_then(|v| v.as_str()) != Some(INTOTO_PAYLOAD_TYPE) {
            return Err(LoadError::Malformed(format!(
                "DSSE envelope whose payloadType is not \"{INTOTO_PAYLOAD_TYPE}\""
            )));
        }
        let env = DsseEnvelope::from_value(&doc, label).map_err(|e| LoadError::Malformed(e.to_string()))?;
        let payload = env
            .payload_json()
            .map_err(|e| ModelError { pointer: String::new(), message: e.message })
            .and_then(|v| parse_payload(&v, &payload_exact_integers(&env.payload, &v)));
        return Ok(Metadata {
            path: label.to_owned(),
            env: Arc::new(Env::Dsse(env)),
            payload,
            precomputed: Vec::new(),
        });
    }
    if obj.contains_key("signed") {
        let env = SignedEnvelope::from_value(doc, label).map_err(|e| LoadError::Malformed(e.to_string()))?;
        // python parses a Metablock's payload at load: a malformed one fails here.
        let exact = exact_integers(bytes, &env.signed);
        let payload = parse_payload(&env.signed, &exact)
            .map_err(|e| LoadError::Malformed(format!("{label} at /signed{}: {}", e.pointer, e.message)))?;
        return Ok(Metadata {
            path: label.to_owned(),
            env: Arc::new(Env::Metablock(Box::new(env), exact)),
            payload: Ok(payload),
            precomputed: Vec::new(),
        });
    }
    Err(LoadError::Malformed("neither a Metablock (\"signed\") nor a DSSE envelope (\"payload\")".into()))
}

/// The exact digits of the integers outside 64 bits of `signed` (read from
/// the document's text, `bytes`); empty when it has none, or when they cannot
/// be recovered (then its signed forms have no canonical JSON, as before).
fn exact_integers(bytes: &[u8], signed: &serde_json::Value) -> canonical::ExactIntegers {
    if !canonical::has_big_integer(signed) {
        return Default::default();
    }
    let mut text = Vec::with_capacity(bytes.len());
    // Numbers as written: a float in a member python drops must not hide
    // the integers of the members it keeps.
    match crate::meta::stream::member_with_numbers_as_written(bytes, "signed", &mut text) {
        Ok(true) => canonical::exact_integers(signed, &text).unwrap_or_default(),
        _ => Default::default(),
    }
}

/// [`exact_integers`] of a DSSE payload, the whole document `text`.
fn payload_exact_integers(text: &[u8], payload: &serde_json::Value) -> canonical::ExactIntegers {
    if !canonical::has_big_integer(payload) {
        return Default::default();
    }
    let mut canonical_text = Vec::with_capacity(text.len());
    match crate::meta::stream::with_numbers_as_written(text, &mut canonical_text) {
        Ok(()) => canonical::exact_integers(payload, &canonical_text).unwrap_or_default(),
        Err(_) => Default::default(),
    }
}

impl Metadata {
    pub fn format(&self) -> Format {
        match *self.env {
            Env::Metablock(..) | Env::Canonical { .. } => Format::Metablock,
            Env::Dsse(_) => Format::Dsse,
        }
    }

    /// Where python in-toto's rebuilt object differs from `signed` as
    /// written (nothing for DSSE, whose payload is signed as it is).
    pub fn normal_form_difference(&self) -> super::model::FormDifference {
        match &*self.env {
            Env::Metablock(env, _) => super::model::normal_form_difference(&env.signed),
            Env::Canonical { .. } | Env::Dsse(_) => Default::default(),
        }
    }

    /// The key ids of all signatures, in order.
    pub fn signature_keyids(&self) -> Vec<String> {
        match &*self.env {
            Env::Metablock(e, _) => e.signatures.iter().map(|s| s.keyid.clone()).collect(),
            Env::Canonical { signatures, .. } => signatures.iter().map(|s| s.keyid.clone()).collect(),
            Env::Dsse(e) => e.signatures.iter().map(|s| s.keyid.clone()).collect(),
        }
    }

    /// Checks the signature of the key labelled `keyid` (or one of its GPG
    /// `subkeys`), like python's `verify_signature`: the first Metablock
    /// signature with a matching key id is the one checked; for DSSE any
    /// signature with the key id may verify.
    pub fn verify(&self, keyid: &str, subkeys: &[String], key: &PublicKey) -> SigCheck {
        if let Some((_, check)) = self.precomputed.iter().find(|(id, _)| id == keyid) {
            return check.clone();
        }
        match &*self.env {
            Env::Canonical { signed_bytes, signatures } => {
                let Some(sig) = signatures.iter().find(|s| s.keyid == keyid || subkeys.contains(&s.keyid))
                else {
                    return SigCheck::NoSignature;
                };
                if signed_bytes.is_empty() {
                    // Released after the checks we expected; read the file again.
                    return match load(Path::new(&self.path)) {
                        Ok(fresh) if fresh.holds_signed_bytes() => fresh.verify(keyid, subkeys, key),
                        _ => SigCheck::Invalid(format!(
                            "{} changed or vanished while being verified",
                            self.path
                        )),
                    };
                }
                let Ok(bytes) = hex::decode(&sig.sig) else {
                    return SigCheck::Invalid("signature is not hex".into());
                };
                canonical_outcome(key.verify(signed_bytes, &bytes))
            }
            Env::Metablock(env, exact) => {
                let Some(sig) =
                    env.signatures.iter().find(|s| s.keyid == keyid || subkeys.contains(&s.keyid))
                else {
                    return SigCheck::NoSignature;
                };
                if sig.extra.contains_key("other_headers") {
                    return SigCheck::Invalid("GPG signatures are not supported".into());
                }
                let Ok(bytes) = hex::decode(&sig.sig) else {
                    return SigCheck::Invalid("signature is not hex".into());
                };
                let raw_msg = if exact.is_empty() {
                    env.signed_bytes().ok()
                } else {
                    canonical::to_vec_exact(&env.signed, exact).ok()
                };
                let raw = raw_msg.as_ref().is_some_and(|m| key.verify(m, &bytes).is_ok());
                // The rebuilt object keeps the members it keeps at the same
                // pointers, so the exact digits apply to it as well.
                let norm_msg =
                    python_normalized(&env.signed).and_then(|v| canonical::to_vec_exact(&v, exact).ok());
                let normalized = match (&norm_msg, &raw_msg) {
                    (Some(n), Some(r)) if n == r => raw,
                    (Some(n), _) => key.verify(n, &bytes).is_ok(),
                    (None, _) => false,
                };
                if raw || normalized {
                    SigCheck::Valid { raw, normalized }
                } else {
                    let why = match raw_msg.as_ref().map(|m| key.verify(m, &bytes)) {
                        Some(Err(e)) => e.to_string(),
                        _ => "signature does not verify".to_owned(),
                    };
                    SigCheck::Invalid(why)
                }
            }
            Env::Dsse(env) => {
                let mut matching = env.signatures.iter().filter(|s| s.keyid == keyid).peekable();
                if matching.peek().is_none() {
                    return SigCheck::NoSignature;
                }
                let pae = env.pae();
                let mut why = String::from("signature does not verify");
                for sig in matching {
                    match sig.sig_bytes() {
                        Ok(b) => match key.verify(&pae, &b) {
                            Ok(()) => return SigCheck::Valid { raw: true, normalized: true },
                            Err(e) => why = e.to_string(),
                        },
                        Err(e) => why = e.message,
                    }
                }
                SigCheck::Invalid(why)
            }
        }
    }
}

/// A Metablock signature over canonical bytes, which are both forms at once.
fn canonical_outcome(result: Result<(), crate::crypto::SigError>) -> SigCheck {
    match result {
        Ok(()) => SigCheck::Valid { raw: true, normalized: true },
        Err(e) => SigCheck::Invalid(e.to_string()),
    }
}

impl Metadata {
    /// Checks the signature of `keyid` now and keeps the result, so a later
    /// [`Metadata::verify`] with the same key id (in the reference's order)
    /// costs nothing. The key must be the one `verify` will be called with.
    pub fn precompute(&mut self, keyid: &str, subkeys: &[String], key: &PublicKey) {
        let check = self.verify(keyid, subkeys, key);
        self.precomputed.push((keyid.to_owned(), check));
    }

    /// Drops the canonical bytes of a link once its expected signature checks
    /// are done (they are as large as the file); a later check with another
    /// key reads the file again. Nothing is dropped while a clone of this
    /// document shares them (its holder keeps them anyway).
    pub fn release_signed_bytes(&mut self) {
        if let Some(Env::Canonical { signed_bytes, .. }) = Arc::get_mut(&mut self.env) {
            *signed_bytes = Vec::new();
        }
    }

    fn holds_signed_bytes(&self) -> bool {
        !matches!(&*self.env, Env::Canonical { signed_bytes, .. } if signed_bytes.is_empty())
    }
}

mod fast {
    //! Reading a Metablock link straight into the model with serde, when it
    //! has the plain shape python writes. Anything unusual (unknown or
    //! missing members, duplicate members, wrong types, non-hex hashes)
    //! returns `None` and the caller takes the general path, which gives
    //! the precise error or the python-normalized signature form.

    use std::sync::Arc;

    use serde::Deserialize;
    use serde_json::value::RawValue;
    use serde_json::{Map, Value};

    use super::{Env, KeyCheck, Metadata, SigCheck};
    use crate::crypto::PublicKey;
    use crate::intoto::model::{Artifacts, HashDict, Link, Payload};
    use crate::meta::{Location, Signature};

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Envelope<'a> {
        #[serde(borrow)]
        signed: &'a RawValue,
        signatures: Vec<Sig>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sig {
        keyid: String,
        sig: String,
    }

    /// A whole link file in one pass, when it is only these two members.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct WholeLink {
        signatures: Vec<Sig>,
        signed: PlainLink,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct PlainLink {
        #[serde(rename = "_type")]
        kind: String,
        name: String,
        command: Vec<Value>,
        materials: SortedArtifacts,
        products: SortedArtifacts,
        byproducts: Map<String, Value>,
        environment: Map<String, Value>,
    }

    /// Artifacts read as a list and turned into a map in one bulk build:
    /// python writes them sorted, so this is linear, where inserting one by
    /// one costs a search per artifact. Later duplicates win, as in python.
    struct SortedArtifacts(Artifacts);

    std::thread_local! {
        /// How many artifacts a list being read may hold at most (JSON does
        /// not say): reserving that up front spares growing a large list by
        /// copies into fresh memory. Only what is written is ever touched.
        static ARTIFACTS_HINT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// Runs `read` with the artifact lists reserved for a file of `len` bytes.
    fn with_artifacts_hint<R>(len: usize, read: impl FnOnce() -> R) -> R {
        // An artifact entry takes more than 64 bytes of JSON (a 64-digit
        // SHA-256 alone); lists are reserved only for large files.
        let hint = if len >= 1 << 20 { len / 64 } else { 0 };
        let previous = ARTIFACTS_HINT.replace(hint);
        let result = read();
        ARTIFACTS_HINT.set(previous);
        result
    }

    impl<'de> Deserialize<'de> for SortedArtifacts {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = SortedArtifacts;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object of artifacts")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Self::Value, A::Error> {
                    let hint = map.size_hint().unwrap_or_else(|| ARTIFACTS_HINT.get());
                    let mut items: Vec<(String, HashDict)> = Vec::with_capacity(hint);
                    while let Some(entry) = map.next_entry::<String, HashDict>()? {
                        // python's hash-dict check (every value a hex string),
                        // while the entry is at hand; the general path says why.
                        if !entry.1.all_hex() {
                            return Err(serde::de::Error::custom("hash values must be hex strings"));
                        }
                        items.push(entry);
                    }
                    Ok(SortedArtifacts(items.into_iter().collect()))
                }
            }
            d.deserialize_map(Visit)
        }
    }

    /// Artifacts with non-hex hashes do not parse as [`SortedArtifacts`].
    fn plain_shape(plain: &PlainLink) -> bool {
        plain.kind == "link"
    }

    fn plain_link(raw: &[u8]) -> Option<PlainLink> {
        let plain: PlainLink = serde_json::from_slice(raw).ok()?;
        plain_shape(&plain).then_some(plain)
    }

    pub(super) fn link(bytes: &[u8], label: &str) -> Option<Metadata> {
        let env: Envelope<'_> = serde_json::from_slice(bytes).ok()?;
        let raw = env.signed.get().as_bytes();
        let plain = plain_link(raw)?;
        let mut signed_bytes = Vec::with_capacity(raw.len());
        crate::meta::stream::canonicalize(raw, &mut signed_bytes).ok()?;
        Some(assemble(env.signatures, plain, signed_bytes, Vec::new(), label))
    }

    /// One core reads the whole file into the model while the other streams
    /// the canonical form of `signed` into the signature check — possible
    /// when `signatures` comes first, as in files written with sorted keys.
    /// Other files take two steps: find `signed`, then both at once.
    pub(super) fn link_checked(bytes: &[u8], label: &str, check: &KeyCheck<'_>) -> Option<Metadata> {
        let (whole, outcome) = match canonical_route(bytes, check) {
            Route::Checked(whole, outcome) => (Some(*whole), Some(outcome)),
            // Read already; only the signature check is left to do.
            Route::NotCanonical(whole) => (Some(*whole), streamed_envelope_check(bytes, check)),
            Route::NotTaken => rayon::join(|| whole_link(bytes), || streamed_envelope_check(bytes, check)),
        };
        if let (Some(whole), Some(outcome)) = (whole, outcome) {
            let precomputed = vec![(check.keyid.to_owned(), outcome)];
            return plain_shape(&whole.signed)
                .then(|| assemble(whole.signatures, whole.signed, Vec::new(), precomputed, label));
        }
        let env: Envelope<'_> = serde_json::from_slice(bytes).ok()?;
        let raw = env.signed.get().as_bytes();
        let sig = matching(&env.signatures, check);
        let (plain, outcome) = rayon::join(|| plain_link(raw), || streamed_check(raw, sig, check.key));
        let precomputed = vec![(check.keyid.to_owned(), outcome?)];
        Some(assemble(env.signatures, plain?, Vec::new(), precomputed, label))
    }

    /// How far [`canonical_route`] got.
    enum Route {
        /// Read by hand, `signed` canonical as written, signature checked.
        Checked(Box<WholeLink>, SigCheck),
        /// Read by hand, but `signed` is not canonical as written.
        NotCanonical(Box<WholeLink>),
        /// Not a large file of that shape, or the hand reader declined.
        NotTaken,
    }

    /// A large link whose `signed` is written in canonical form (as compact
    /// files with sorted keys are): its bytes are the signed bytes, so one
    /// core hashes them from the start while the other reads the file by
    /// hand, which also confirms the form.
    fn canonical_route(bytes: &[u8], check: &KeyCheck<'_>) -> Route {
        if bytes.len() < PIPELINE_BYTES {
            return Route::NotTaken;
        }
        let Some((sigs, rest)) = leading_signatures(bytes) else { return Route::NotTaken };
        let Some(Ok(sig)) = matching(&sigs, check).map(|s| hex::decode(&s.sig)) else {
            return Route::NotTaken;
        };
        let Some(span) = signed_span(bytes, rest) else { return Route::NotTaken };
        // Pretty-printed files (python writes `indent=1`) are never canonical: skip the attempt.
        if bytes.get(span.0 + 1).is_some_and(u8::is_ascii_whitespace) {
            return Route::NotTaken;
        }
        let Some(signed) = bytes.get(span.0..span.1) else { return Route::NotTaken };
        let mut verifier = check.key.message_verifier(&sig);
        let read = std::thread::scope(|scope| {
            let hashing = scope.spawn(|| verifier.update(signed));
            let read = std::str::from_utf8(bytes).ok().and_then(crate::intoto::plain_link::read);
            hashing.join().ok().and(read)
        });
        match read {
            Some(read) if read.signed_span == span && read.signed_canonical => {
                Route::Checked(Box::new(read.into()), super::canonical_outcome(verifier.finish()))
            }
            Some(read) => Route::NotCanonical(Box::new(read.into())),
            None => Route::NotTaken,
        }
    }

    /// An ed25519 check of a large link whose `signed` looks written in
    /// canonical form (confirmed when the file is read by hand), ready to be
    /// hashed in a lane of [`check_lanes`].
    pub(in crate::intoto) struct Lane<'b> {
        sig: [u8; 64],
        key: &'b ed25519_dalek::VerifyingKey,
        signed: &'b [u8],
        span: (usize, usize),
    }

    /// The lane of `bytes` for `check`: when the file is large, starts with
    /// its signatures, the first matching one is 64 bytes of hex and the key
    /// is ed25519 ([`PublicKey::verify`] checks ed25519 material as ed25519
    /// whatever the scheme's name). Anything else takes the one-file path.
    pub(in crate::intoto) fn lane<'b>(bytes: &'b [u8], check: &KeyCheck<'b>) -> Option<Lane<'b>> {
        if bytes.len() < PIPELINE_BYTES {
            return None;
        }
        let key = check.key.ed25519()?;
        let (sigs, rest) = leading_signatures(bytes)?;
        let sig: [u8; 64] = hex::decode(&matching(&sigs, check)?.sig).ok()?.try_into().ok()?;
        let span = signed_span(bytes, rest)?;
        if bytes.get(span.0 + 1).is_some_and(u8::is_ascii_whitespace) {
            return None;
        }
        Some(Lane { sig, key, signed: bytes.get(span.0..span.1)?, span })
    }

    /// What the parsing side made of a file.
    pub(in crate::intoto) enum Parsed {
        /// Read by hand, for a file with a lane.
        Plain(Option<Box<crate::intoto::plain_link::PlainLink>>),
        /// Loaded on the one-file path (no lane).
        Done(Result<Metadata, super::LoadError>),
    }

    /// The outcome of each lane's signature over its `signed` bytes, each
    /// decided on its own through its key's table with `SHA-512(R ‖ A ‖ M)`
    /// computed for all lanes together.
    pub(in crate::intoto) fn check_lanes(lanes: &[Option<Lane<'_>>]) -> Vec<Option<SigCheck>> {
        use crate::crypto::ed25519_table::{Ed25519Table, Prehashed};
        let mut tables: Vec<Ed25519Table> = Vec::new();
        let mut which: Vec<Option<usize>> = Vec::with_capacity(lanes.len());
        for lane in lanes {
            which.push(lane.as_ref().map(|lane| {
                let bytes = lane.key.to_bytes();
                tables.iter().position(|t| t.key_bytes() == &bytes).unwrap_or_else(|| {
                    tables.push(Ed25519Table::new(lane.key));
                    tables.len() - 1
                })
            }));
        }
        let checks: Vec<([u8; 64], &Ed25519Table, &[u8])> = lanes
            .iter()
            .zip(&which)
            .filter_map(|(lane, t)| Some((lane.as_ref()?.sig, &tables[(*t)?], lane.as_ref()?.signed)))
            .collect();
        let hints = Prehashed::compute_few(&checks);
        lanes
            .iter()
            .zip(&which)
            .map(|(lane, t)| {
                let lane = lane.as_ref()?;
                Some(super::canonical_outcome(tables[(*t)?].verify_hinted(lane.signed, &lane.sig, &hints)))
            })
            .collect()
    }

    /// The document of a file read by hand whose lane was checked, when the
    /// reading confirms the lane's bytes are its canonical signed bytes.
    pub(in crate::intoto) fn assemble_lane(
        read: crate::intoto::plain_link::PlainLink,
        lane: &Lane<'_>,
        outcome: SigCheck,
        check: &KeyCheck<'_>,
        label: &str,
    ) -> Option<Metadata> {
        if read.signed_span != lane.span || !read.signed_canonical {
            return None;
        }
        let whole: WholeLink = read.into();
        let precomputed = vec![(check.keyid.to_owned(), outcome)];
        plain_shape(&whole.signed)
            .then(|| assemble(whole.signatures, whole.signed, Vec::new(), precomputed, label))
    }

    /// Where the value of `signed` would be in `{"signatures": …, "signed": …}`
    /// from `rest` (just after the comma), if the file has that shape.
    fn signed_span(bytes: &[u8], rest: usize) -> Option<(usize, usize)> {
        let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
        let after = bytes.get(rest..)?;
        let key = after.iter().position(|b| !is_ws(b))?;
        let after_key = after.get(key..)?.strip_prefix(b"\"signed\"")?;
        let colon = after_key.iter().position(|b| !is_ws(b))?;
        let value = after_key.get(colon..)?.strip_prefix(b":")?;
        let start_in_value = value.iter().position(|b| !is_ws(b))?;
        let start = bytes.len() - value.len() + start_in_value;
        let close = bytes.iter().rposition(|b| !is_ws(b))?;
        (bytes.get(close) == Some(&b'}')).then_some(())?;
        let end = bytes.get(..close)?.iter().rposition(|b| !is_ws(b))? + 1;
        (start < end).then_some((start, end))
    }

    impl From<crate::intoto::plain_link::PlainLink> for WholeLink {
        fn from(p: crate::intoto::plain_link::PlainLink) -> Self {
            WholeLink {
                signatures: p.signatures.into_iter().map(|(keyid, sig)| Sig { keyid, sig }).collect(),
                signed: PlainLink {
                    kind: p.kind,
                    name: p.name,
                    command: p.command,
                    materials: SortedArtifacts(p.materials),
                    products: SortedArtifacts(p.products),
                    byproducts: p.byproducts,
                    environment: p.environment,
                },
            }
        }
    }

    /// The whole file read in one pass: by hand when it has the plain shape
    /// ([`crate::intoto::plain_link`]), else by serde.
    fn whole_link(bytes: &[u8]) -> Option<WholeLink> {
        // One UTF-8 check of the whole file (a fast scan for ASCII) instead of one per string.
        let text = std::str::from_utf8(bytes).ok()?;
        if let Some(p) = crate::intoto::plain_link::read(text) {
            return Some(p.into());
        }
        with_artifacts_hint(bytes.len(), || serde_json::from_str::<WholeLink>(text).ok())
    }

    /// python's verify_signature: the first signature with a matching key id.
    fn matching<'s>(sigs: &'s [Sig], check: &KeyCheck<'_>) -> Option<&'s Sig> {
        sigs.iter().find(|s| s.keyid == check.keyid || check.subkeys.contains(&s.keyid))
    }

    /// The signatures of a file whose first member is `signatures`, and the
    /// offset just past the comma after them.
    fn leading_signatures(bytes: &[u8]) -> Option<(Vec<Sig>, usize)> {
        let (sigs, rest) = crate::meta::stream::leading_member(bytes, "signatures")?;
        Some((serde_json::from_slice(sigs).ok()?, rest))
    }

    /// The signature's bytes (when one matched) and a check started over them.
    type Started<'k> =
        (Option<Result<Vec<u8>, hex::FromHexError>>, Option<crate::crypto::MessageVerifier<'k>>);

    fn start<'k>(sig: Option<&Sig>, key: &'k PublicKey) -> Started<'k> {
        let decoded = sig.map(|s| hex::decode(&s.sig));
        let verifier = match &decoded {
            Some(Ok(b)) => Some(key.message_verifier(b)),
            _ => None,
        };
        (decoded, verifier)
    }

    /// The check of [`streamed_check`] on a file `{"signatures": [...],
    /// "signed": {...}}` in that order, straight from the file's bytes;
    /// `None` for any other shape or content the stream cannot take.
    fn streamed_envelope_check(bytes: &[u8], check: &KeyCheck<'_>) -> Option<SigCheck> {
        use crate::meta::stream;
        let (sigs, rest) = leading_signatures(bytes)?;
        let (decoded, mut verifier) = start(matching(&sigs, check), check.key);
        let streamed = match verifier.as_mut() {
            Some(v) if bytes.len() >= PIPELINE_BYTES => {
                hashed_on_the_side(v, |sink| stream::last_member_to(bytes, rest, "signed", sink))
            }
            Some(v) => stream::last_member_to(bytes, rest, "signed", &mut |chunk: &[u8]| v.update(chunk)),
            None => stream::last_member_to(bytes, rest, "signed", &mut |_: &[u8]| {}),
        };
        if streamed != Ok(true) {
            return None;
        }
        Some(outcome(decoded, verifier))
    }

    /// Files this large have their canonical form hashed on a thread of its
    /// own while it is produced ([`hashed_on_the_side`]), or, when written
    /// canonically, straight from the file ([`canonical_route`]).
    const PIPELINE_BYTES: usize = 1 << 20;

    /// Runs `produce` (which writes the message to the sink it is given)
    /// with `verifier` fed on another thread: canonicalizing and hashing a
    /// large link are about equal work, and a large link's other core is
    /// busy parsing, so the three overlap.
    fn hashed_on_the_side<R>(
        verifier: &mut crate::crypto::MessageVerifier<'_>,
        produce: impl FnOnce(&mut dyn FnMut(&[u8])) -> R,
    ) -> R {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
        std::thread::scope(move |scope| {
            scope.spawn(move || {
                for chunk in rx {
                    verifier.update(&chunk);
                }
            });
            // The receiver lives until this sender is dropped, so a send
            // cannot fail.
            let result = produce(&mut |chunk: &[u8]| {
                let _ = tx.send(chunk.to_vec());
            });
            drop(tx);
            result
        })
    }

    fn outcome(
        decoded: Option<Result<Vec<u8>, hex::FromHexError>>,
        verifier: Option<crate::crypto::MessageVerifier<'_>>,
    ) -> SigCheck {
        match (decoded, verifier) {
            (None, _) => SigCheck::NoSignature,
            (Some(Ok(_)), Some(v)) => super::canonical_outcome(v.finish()),
            (Some(_), _) => SigCheck::Invalid("signature is not hex".into()),
        }
    }

    /// The signature check over the canonical form of `raw`, streamed into
    /// the hash where the document's objects are in order already, else
    /// over the buffered canonical form; `None` when `raw` has no canonical
    /// form (the general path reports why).
    fn streamed_check(raw: &[u8], sig: Option<&Sig>, key: &PublicKey) -> Option<SigCheck> {
        use crate::meta::stream;
        let (decoded, mut verifier) = start(sig, key);
        let streamed = stream::canonicalize_to(raw, &mut |chunk: &[u8]| {
            if let Some(v) = verifier.as_mut() {
                v.update(chunk);
            }
        })
        .ok()?;
        if !streamed {
            let mut buffered = Vec::with_capacity(raw.len());
            stream::canonicalize(raw, &mut buffered).ok()?;
            verifier = start(sig, key).1;
            if let Some(v) = verifier.as_mut() {
                v.update(&buffered);
            }
        }
        Some(outcome(decoded, verifier))
    }

    fn assemble(
        sigs: Vec<Sig>,
        plain: PlainLink,
        signed_bytes: Vec<u8>,
        precomputed: Vec<(String, SigCheck)>,
        label: &str,
    ) -> Metadata {
        let signatures = sigs
            .into_iter()
            .enumerate()
            .map(|(i, s)| Signature {
                keyid: s.keyid,
                sig: s.sig,
                extra: Map::new(),
                location: Location::new(label, format!("/signatures/{i}")),
            })
            .collect();
        let link = Link {
            name: Some(plain.name),
            command: plain.command,
            materials: Arc::new(plain.materials.0),
            products: Arc::new(plain.products.0),
            byproducts: Value::Object(plain.byproducts),
            environment: Value::Object(plain.environment),
        };
        Metadata {
            path: label.to_owned(),
            env: Arc::new(Env::Canonical { signed_bytes, signatures }),
            payload: Ok(Payload::Link(link)),
            precomputed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_and_rejects_others() {
        let m = from_bytes(br#"{"signed":{"_type":"link","name":"a"},"signatures":[]}"#, "a.link").unwrap();
        assert_eq!(m.format(), Format::Metablock);
        assert!(matches!(m.payload, Ok(Payload::Link(_))));
        assert!(matches!(from_bytes(b"{}", "x"), Err(LoadError::Malformed(_))));
        assert!(matches!(from_bytes(b"not json", "x"), Err(LoadError::Malformed(_))));
        assert!(matches!(
            from_bytes(br#"{"payload":"e30=","payloadType":"text/plain","signatures":[]}"#, "x"),
            Err(LoadError::Malformed(_))
        ));
        let bad_link = br#"{"signed":{"_type":"link","materials":[]},"signatures":[]}"#;
        assert!(matches!(from_bytes(bad_link, "x"), Err(LoadError::Malformed(_))));
    }

    #[test]
    fn non_hex_hashes_are_malformed_on_every_path_and_uppercase_hex_is_kept() {
        let key = crate::crypto::SigningKey::ed25519_from_seed(&[3; 32]);
        let public = key.public_key();
        let keyid = key.keyid();
        let doc = |hash: &str| {
            format!(
                r#"{{"signatures":[{{"keyid":"{keyid}","sig":"00"}}],"signed":{{"_type":"link","byproducts":{{}},"command":[],"environment":{{}},"materials":{{"a":{{"sha256":"{hash}"}}}},"name":"s","products":{{}}}}}}"#
            )
        };
        let check = KeyCheck { keyid: &keyid, subkeys: &[], key: &public };
        let bad = doc("zz");
        for loaded in
            [from_bytes(bad.as_bytes(), "x.link"), from_bytes_checked(bad.as_bytes(), "x.link", &check)]
        {
            match loaded {
                Err(LoadError::Malformed(why)) => assert!(why.contains("hex"), "{why}"),
                other => panic!("{other:?}"),
            }
        }
        let upper = "AB".repeat(32);
        let m = from_bytes_checked(doc(&upper).as_bytes(), "x.link", &check).unwrap();
        let Ok(Payload::Link(link)) = &m.payload else { panic!() };
        assert_eq!(link.materials["a"].get("sha256").as_deref(), Some(upper.as_str()));
        assert!(matches!(m.verify(&keyid, &[], &public), SigCheck::Invalid(_)));
    }

    /// Links over the pipeline threshold hash on a side thread; the verdict
    /// must be the same as the plain check, for a good and a tampered link,
    /// and for one whose members are not in order (buffered instead).
    /// `s + ℓ` (little-endian): the same point equation, a non-canonical `s`.
    fn s_plus_ell(sig: &[u8]) -> Vec<u8> {
        const ELL: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut out = sig.to_vec();
        let mut carry = 0u16;
        for (o, l) in out[32..].iter_mut().zip(ELL) {
            let sum = u16::from(*o) + u16::from(l) + carry;
            *o = sum as u8;
            carry = sum >> 8;
        }
        out
    }

    /// The `signed` part of a link with 20,000 materials (over 1 MB as a file):
    /// large enough for the paths that only large links take.
    fn large_link() -> serde_json::Value {
        let materials: serde_json::Map<String, serde_json::Value> = (0..20_000)
            .map(|i| (format!("src/file-{i:06}.c"), serde_json::json!({"sha256": format!("{i:064x}")})))
            .collect();
        serde_json::json!({"_type": "link", "byproducts": {}, "command": ["cc"], "environment": {},
            "materials": materials, "name": "build", "products": {}})
    }

    #[test]
    fn links_loaded_together_verify_like_one_by_one() {
        let key = crate::crypto::SigningKey::ed25519_from_seed(&[7; 32]);
        let other = crate::crypto::SigningKey::ed25519_from_seed(&[8; 32]);
        let (public, keyid) = (key.public_key(), key.keyid());
        let signed = large_link();
        let bytes = canonical::to_vec(&signed).unwrap();
        let good = key.sign(&bytes);
        let file =
            |sigs: serde_json::Value| serde_json::json!({"signatures": sigs, "signed": signed}).to_string();
        let one = |sig: &[u8]| file(serde_json::json!([{"keyid": keyid, "sig": hex::encode(sig)}]));
        let valid = one(&good);
        let mut flipped = good.clone();
        flipped[5] ^= 1;
        let variants: Vec<(&str, String)> = vec![
            ("valid", valid.clone()),
            ("tampered", valid.replace("file-012345.c", "file-012345.d")),
            ("another key's signature", one(&other.sign(&bytes))),
            ("R flipped", one(&flipped)),
            ("s + l", one(&s_plus_ell(&good))),
            ("63 bytes", one(&good[..63])),
            ("over other bytes", one(&key.sign(b"other"))),
            (
                "several signatures, ours second",
                file(serde_json::json!([{"keyid": other.keyid(), "sig": hex::encode(other.sign(&bytes))},
                    {"keyid": keyid, "sig": hex::encode(&good)}])),
            ),
            (
                "same key id twice, the first bad",
                file(serde_json::json!([{"keyid": keyid, "sig": hex::encode(&flipped)},
                    {"keyid": keyid, "sig": hex::encode(&good)}])),
            ),
            ("no signature by the key", file(serde_json::json!([]))),
            (
                "pretty",
                serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&valid).unwrap())
                    .unwrap(),
            ),
            (
                "signed first",
                format!(
                    r#"{{"signed":{},"signatures":[{{"keyid":"{keyid}","sig":"{}"}}]}}"#,
                    signed,
                    hex::encode(&good)
                ),
            ),
            ("not JSON", valid[..valid.len() - 1].to_owned()),
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut paths: Vec<std::path::PathBuf> = variants
            .iter()
            .enumerate()
            .map(|(i, (_, text))| {
                let p = dir.path().join(format!("{i}.link"));
                std::fs::write(&p, text).unwrap();
                p
            })
            .collect();
        paths.push(dir.path().join("missing.link"));
        let check = KeyCheck { keyid: &keyid, subkeys: &[], key: &public };
        let jobs: Vec<(&Path, Option<&KeyCheck<'_>>)> =
            paths.iter().enumerate().map(|(i, p)| (p.as_path(), (i != 1).then_some(&check))).collect();
        let seen = std::sync::Mutex::new(Vec::new());
        let together = load_many_observed(&jobs, MAX_METADATA_BYTES, &|p, b| {
            seen.lock().unwrap().push((p.to_path_buf(), crate::crypto::sha256_hex(b)))
        });
        assert_eq!(together.len(), paths.len());
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        let mut expected: Vec<_> = variants
            .iter()
            .zip(&paths)
            .map(|((_, text), p)| (p.clone(), crate::crypto::sha256_hex(text.as_bytes())))
            .collect();
        expected.sort();
        assert_eq!(seen, expected, "each file read is observed once");
        let mut lanes_taken = 0;
        for (i, (result, (name, text))) in together.iter().zip(&variants).enumerate() {
            let alone = load_observed(&paths[i], MAX_METADATA_BYTES, jobs[i].1, &|_| {});
            let general = from_bytes_general(text.as_bytes(), "x");
            match (result, alone, general) {
                (Ok(m), Ok(a), Ok(g)) => {
                    let verdict = m.verify(&keyid, &[], &public);
                    assert_eq!(verdict, a.verify(&keyid, &[], &public), "{name}");
                    assert_eq!(verdict, g.verify(&keyid, &[], &public), "{name}");
                    let (Ok(Payload::Link(x)), Ok(Payload::Link(y))) = (&m.payload, &g.payload) else {
                        panic!("{name}")
                    };
                    assert_eq!((&x.materials, &x.name), (&y.materials, &y.name), "{name}");
                    lanes_taken += usize::from(
                        fast::lane(text.as_bytes(), &check).is_some()
                            && m.precomputed.iter().any(|(id, _)| id == &keyid),
                    );
                }
                (
                    Err(LoadError::Malformed(_)),
                    Err(LoadError::Malformed(_)),
                    Err(LoadError::Malformed(_)),
                ) => {}
                _ => panic!("{name}: loaded differently"),
            }
        }
        assert_eq!(lanes_taken, 7, "files the lanes could take");
        assert_eq!(
            together[0].as_ref().unwrap().verify(&keyid, &[], &public),
            SigCheck::Valid { raw: true, normalized: true }
        );
        assert!(matches!(together[4].as_ref().unwrap().verify(&keyid, &[], &public), SigCheck::Invalid(_)));
        assert!(matches!(together.last(), Some(Err(LoadError::Io(_)))));
    }

    #[test]
    fn large_links_verify_like_small_ones() {
        let key = crate::crypto::SigningKey::ed25519_from_seed(&[5; 32]);
        let (public, keyid) = (key.public_key(), key.keyid());
        let signed = large_link();
        let sig = hex::encode(key.sign(&canonical::to_vec(&signed).unwrap()));
        let file =
            serde_json::json!({"signatures": [{"keyid": keyid, "sig": sig}], "signed": signed}).to_string();
        assert!(file.len() > 1 << 20);
        let check = KeyCheck { keyid: &keyid, subkeys: &[], key: &public };
        let verdict = |text: &str| {
            from_bytes_checked(text.as_bytes(), "big.link", &check).unwrap().verify(&keyid, &[], &public)
        };
        assert_eq!(verdict(&file), SigCheck::Valid { raw: true, normalized: true });
        assert!(matches!(verdict(&file.replace("file-012345.c", "file-012345.d")), SigCheck::Invalid(_)));
        // "signed" before "signatures", and a member out of order: other routes, same verdicts.
        let reordered =
            format!(r#"{{"signed":{},"signatures":[{{"keyid":"{keyid}","sig":"{sig}"}}]}}"#, signed);
        assert_eq!(verdict(&reordered), SigCheck::Valid { raw: true, normalized: true });
        let unsorted = file.replacen(r#""_type":"link","#, "", 1).replacen(
            r#""name":"build","#,
            r#""name":"build","_type":"link","#,
            1,
        );
        assert_ne!(unsorted, file);
        assert_eq!(verdict(&unsorted), SigCheck::Valid { raw: true, normalized: true });
        // Not canonical in one small place each: every route agrees with the
        // plain load (no streaming, no side thread) on verdict and content.
        let same_as_plain_load = |text: &str| {
            let checked = from_bytes_checked(text.as_bytes(), "big.link", &check).unwrap();
            let plain = from_bytes(text.as_bytes(), "big.link").unwrap();
            assert_eq!(
                checked.verify(&keyid, &[], &public),
                plain.verify(&keyid, &[], &public),
                "{}",
                &text[..200]
            );
            let (Ok(Payload::Link(a)), Ok(Payload::Link(b))) = (&checked.payload, &plain.payload) else {
                panic!()
            };
            assert_eq!(
                (&a.materials, &a.products, &a.command, &a.name),
                (&b.materials, &b.products, &b.command, &b.name)
            );
            checked.verify(&keyid, &[], &public)
        };
        let valid = SigCheck::Valid { raw: true, normalized: true };
        assert_eq!(same_as_plain_load(&file), valid);
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&file).unwrap()).unwrap();
        assert_eq!(same_as_plain_load(&pretty), valid);
        assert_eq!(
            same_as_plain_load(&file.replacen(r#""command":["cc"]"#, r#""command":[ "cc"]"#, 1)),
            valid
        );
        assert_eq!(same_as_plain_load(&file.replacen(r#"{"sha256":"#, r#"{ "sha256":"#, 1)), valid);
        assert_eq!(same_as_plain_load(&format!("{file}\n\n")), valid);
        // A duplicate artifact (the later one wins, and the signed form has one).
        let first = format!(r#""src/file-000000.c":{{"sha256":"{:064x}"}},"#, 0);
        let duplicated = file.replacen(&first, &format!("{first}{first}"), 1);
        assert_ne!(duplicated, file);
        assert_eq!(same_as_plain_load(&duplicated), valid);
        // Content changes the signature does not cover: invalid on every route.
        assert!(matches!(
            same_as_plain_load(&file.replacen(r#""name":"build""#, r#""name":"built""#, 1)),
            SigCheck::Invalid(_)
        ));
        assert!(matches!(
            same_as_plain_load(&file.replacen(r#""command":["cc"]"#, r#""command":["cc",1]"#, 1)),
            SigCheck::Invalid(_)
        ));
    }

    #[test]
    fn dsse_payload_errors_are_deferred() {
        // payload "{}" has no _type: python fails only when it reads the payload.
        let m = from_bytes(
            br#"{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[]}"#,
            "x",
        )
        .unwrap();
        assert_eq!(m.format(), Format::Dsse);
        assert!(m.payload.is_err());
    }
}
