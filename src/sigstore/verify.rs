//! Verifying one bundle: every check of research/attestations.md §2
//! evaluated (none stops the others), each a [`Finding`] with its evidence,
//! emitted in sigstore-python's order so the verdict's category — the first
//! error — is the one sigstore-python would report: bundle (B) → verified
//! times (T) → chain (C1) → SCT (C3) → key usage and identity (C2, C5) →
//! log, proof and checkpoint (L1, L2, L4, L5) → SET (L3) → times within the
//! certificate (C4) → signature and artifact (S1, S2) → log body (L6) →
//! Statement subject (S3) → provenance policy (P).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::bundle::{Bundle, BundleVersion, Content, Material, ParseError};
use super::pki;
use super::tlog;
use super::trusted_root::{TimeRange, TrustedRoot};
use crate::attest::{Policy, Statement, policy::same_repository, predicate};
use crate::meta::Location;
use crate::verdict::attest_detail::{
    ArtifactDetail, AttestationDetail, CertificateDetail, StatementDetail, SubjectDetail, TlogDetail,
};
use crate::verdict::category::{self as cat, Category};
use crate::verdict::{Check, CheckOutcome, Document, Evidence, Finding, Kind, Severity, Subject};

pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Up to this size an artifact is hashed again for its message signature's check.
const REHASH_LIMIT: usize = 1 << 20;

/// The artifact the bundle is checked against.
#[derive(Debug, Clone, Default)]
pub struct Artifact {
    /// The path or `sha256:…` as given.
    pub input: String,
    /// Algorithm (`sha256`, `sha384`, `sha512`) → lowercase hex.
    pub digests: BTreeMap<String, String>,
    /// The bytes, when a file was given (Ed25519 and RSA keys sign the message itself).
    pub bytes: Option<Vec<u8>>,
}

impl Artifact {
    /// A file's bytes, with their sha256, sha384 and sha512.
    pub fn from_bytes(input: impl Into<String>, bytes: Vec<u8>) -> Self {
        let mut digests = BTreeMap::new();
        digests.insert("sha256".to_owned(), hex::encode(Sha256::digest(&bytes)));
        digests.insert("sha384".to_owned(), hex::encode(sha2::Sha384::digest(&bytes)));
        digests.insert("sha512".to_owned(), hex::encode(sha2::Sha512::digest(&bytes)));
        Self { input: input.into(), digests, bytes: Some(bytes) }
    }

    /// `sha256:HEX`, `sha384:HEX` or `sha512:HEX`.
    pub fn from_digest(text: &str) -> Option<Self> {
        let (alg, hex_digest) = text.split_once(':')?;
        let len = match alg {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => return None,
        };
        if hex_digest.len() != len || !hex_digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let digests = BTreeMap::from([(alg.to_owned(), hex_digest.to_ascii_lowercase())]);
        Some(Self { input: text.to_owned(), digests, bytes: None })
    }

    /// A path on disk, else `sha256:HEX` (the conformance rule: a digest that is not a file).
    pub fn read(s: &str) -> Result<Self, String> {
        let path = std::path::Path::new(s);
        if path.is_file() {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read artifact {s}: {e}"))?;
            return Ok(Self::from_bytes(s, bytes));
        }
        Self::from_digest(s).ok_or_else(|| {
            format!("artifact {s}: no such file, and not sha256:HEX, sha384:HEX or sha512:HEX")
        })
    }

    /// The artifact as an input of the run, when it was a file (a digest given on the command line is not one).
    pub fn input_file(&self) -> Option<crate::verdict::InputFile> {
        let bytes = self.bytes.as_ref()?;
        let sha256 = self.digests.get("sha256").cloned();
        Some(crate::verdict::InputFile::verified("artifact", self.input.clone(), bytes.len() as u64, sha256))
    }

    fn sha256(&self) -> Option<Vec<u8>> {
        self.digests.get("sha256").and_then(|h| hex::decode(h).ok())
    }
}

/// What a verification is given besides the bundle.
pub struct Options<'a> {
    pub root: &'a TrustedRoot,
    /// Where the root came from, for the detail and the note.
    pub root_label: &'a str,
    pub policy: &'a Policy,
    /// `--key`: the verifier's key (SPKI DER) for keyed bundles.
    pub key: Option<&'a [u8]>,
    /// `None`: no artifact given (DSSE only: the signature is checked, no subject).
    pub artifact: Option<&'a Artifact>,
    pub evaluated_at: OffsetDateTime,
}

struct Run<'a> {
    file: &'a str,
    findings: Vec<Finding>,
    /// Every check performed, in the order performed (the document's `checks`).
    checks: Vec<Check>,
}

impl Run<'_> {
    fn here(&self, pointer: &str) -> Location {
        Location::new(self.file, pointer)
    }

    fn file_subject(&self) -> Subject {
        Subject::File { path: self.file.to_owned() }
    }

    /// Where the findings stand now, to record the check that follows.
    fn mark(&self) -> usize {
        self.findings.len()
    }

    /// Records a check performed since `mark`: failed when it reported an
    /// error (its message is the detail), not run when that error says the
    /// check could not be performed, else passed with `passed`.
    fn check(&mut self, mark: usize, what: &str, passed: impl Into<String>) {
        let first_error =
            self.findings[mark.min(self.findings.len())..].iter().find(|f| f.severity == Severity::Error);
        let (outcome, detail) = match first_error {
            Some(f) if f.category == cat::CHECK_NOT_PERFORMED => (CheckOutcome::NotRun, f.message.clone()),
            Some(f) => (CheckOutcome::Fail, f.message.clone()),
            None => (CheckOutcome::Pass, passed.into()),
        };
        self.checks.push(Check::new(self.file_subject(), what, outcome, detail));
    }

    /// A check that could not be performed, and why.
    fn not_run(&mut self, what: &str, why: impl Into<String>) {
        self.checks.push(Check::new(self.file_subject(), what, CheckOutcome::NotRun, why));
    }

    fn error(&mut self, c: Category, pointer: &str, message: impl Into<String>, evidence: Evidence) {
        let f =
            Finding::error(c, self.file_subject(), message).with_evidence(evidence).at(self.here(pointer));
        self.findings.push(f);
    }

    fn info(&mut self, message: impl Into<String>, evidence: Evidence) {
        let f = Finding::info(cat::ATTESTATION_NOTE, self.file_subject(), message).with_evidence(evidence);
        self.findings.push(f);
    }

    fn warning(&mut self, message: impl Into<String>) {
        self.findings.push(Finding::warning(cat::ATTESTATION_NOTE, self.file_subject(), message));
    }

    /// A PKI failure: the category, or "not performed" for what the PKI cannot check.
    fn pki(&mut self, c: Category, pointer: &str, what: &str, e: &pki::PkiError, evidence: Evidence) {
        match e {
            pki::PkiError::Unsupported { .. } => {
                self.error(cat::CHECK_NOT_PERFORMED, pointer, format!("{what}: {e}"), evidence)
            }
            _ => self.error(c, pointer, format!("{what}: {e}"), evidence),
        }
    }
}

fn data(v: Value) -> Evidence {
    Evidence::Data { data: v }
}

fn fmt_time(t: OffsetDateTime) -> String {
    crate::meta::time::format(t)
}

fn to_pki_validity(r: &TimeRange) -> pki::Validity {
    pki::Validity { start: r.start, end: r.end }
}

/// A verified signing time and where it came from.
struct VerifiedTime {
    at: OffsetDateTime,
    source: String,
}

/// Verifies `bytes` as a bundle; `file` names it in findings.
pub fn verify(bytes: &[u8], file: &str, opts: &Options) -> Document {
    verify_read(|| Bundle::parse(bytes, file), file, opts)
}

/// [`verify`] of a bundle already parsed from `len` bytes of JSON (a line
/// of a JSON-lines file), without serialising and parsing it again.
pub fn verify_parsed(value: &Value, len: usize, file: &str, opts: &Options) -> Document {
    verify_read(|| Bundle::from_parsed(value, len, file), file, opts)
}

fn verify_read(read: impl FnOnce() -> Result<Bundle, ParseError>, file: &str, opts: &Options) -> Document {
    let mut run = Run { file, findings: Vec::new(), checks: Vec::new() };
    let mut detail = AttestationDetail {
        bundle: file.to_owned(),
        trusted_root: opts.root_label.to_owned(),
        artifact: ArtifactDetail {
            input: opts.artifact.map(|a| a.input.clone()).unwrap_or_default(),
            digests: opts.artifact.map(|a| a.digests.clone()).unwrap_or_default(),
        },
        policy: policy_map(opts.policy, opts.key.is_some()),
        ..AttestationDetail::default()
    };
    let root = format!("{} — {}", opts.root_label, opts.root.describe());
    run.info(
        format!("trusted root: {root}"),
        data(json!({"trusted_root": opts.root_label, "media_type": opts.root.media_type})),
    );
    run.checks.push(Check::new(run.file_subject(), "trusted root", CheckOutcome::Pass, root));
    let mark = run.mark();
    match read() {
        Ok(bundle) => check_bundle(&bundle, &mut run, &mut detail, opts),
        Err(e) => {
            let c = if e.message.contains("exceed") { cat::LIMIT_EXCEEDED } else { cat::BUNDLE_MALFORMED };
            run.error(
                c,
                &e.location.pointer.clone(),
                format!("the bundle cannot be read: {}", e.message),
                Evidence::None,
            );
            run.check(mark, "bundle format", "");
        }
    }
    let category =
        run.findings.iter().find(|f| f.severity == Severity::Error).map_or(cat::PASS, |f| f.category);
    let mut doc = Document::new(Kind::Attestation, opts.evaluated_at, run.findings, category);
    doc.checks = run.checks;
    doc.attestation = Some(Box::new(detail));
    doc
}

fn policy_map(p: &Policy, keyed: bool) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    if keyed {
        m.insert("key".to_owned(), "given (--key)".to_owned());
    }
    if let Some(i) = &p.identity {
        m.insert("identity".to_owned(), i.describe());
    }
    if let Some(i) = &p.issuer {
        m.insert("issuer".to_owned(), i.describe());
    }
    for (k, v) in [
        ("source_repository", &p.source_repository),
        ("source_ref", &p.source_ref),
        ("builder_id", &p.builder_id),
        ("predicate_type", &p.predicate_type),
    ] {
        if let Some(v) = v {
            m.insert(k.to_owned(), v.clone());
        }
    }
    m
}

fn check_bundle(bundle: &Bundle, run: &mut Run, detail: &mut AttestationDetail, opts: &Options) {
    let mut parsed = describe_into(bundle, Some(opts.root), detail);

    // B2–B7: the version's rules.
    let mark = run.mark();
    let Some(version) = bundle.version else {
        run.error(
            cat::BUNDLE_VERSION,
            "/mediaType",
            format!("unsupported bundle media type \"{}\" (v0.1–v0.3 are known)", bundle.media_type),
            data(json!({"media_type": bundle.media_type})),
        );
        run.check(mark, "bundle format", "");
        return;
    };
    for p in bundle.structure_problems() {
        let c = if p.limit { cat::LIMIT_EXCEEDED } else { cat::BUNDLE_STRUCTURE };
        run.error(c, &p.pointer, p.message, data(json!({"version": version.word()})));
    }
    if bundle.tlog_entries.is_empty() && bundle.timestamps.is_empty() {
        run.error(
            cat::BUNDLE_STRUCTURE,
            "/verificationMaterial/tlogEntries",
            "the bundle has no transparency-log entry and no timestamp",
            Evidence::None,
        );
    } else if bundle.tlog_entries.is_empty() && !opts.root.tlogs.is_empty() {
        run.error(
            cat::BUNDLE_STRUCTURE,
            "/verificationMaterial/tlogEntries",
            "the bundle has no transparency-log entry, and the trusted root has transparency logs",
            Evidence::None,
        );
    }
    if let Material::Chain(chain) = &bundle.material
        && let Some(i) = chain.iter().skip(1).position(|c| is_self_issued(c))
    {
        if i + 2 == chain.len() {
            // sigstore-python warns and sigstore-js accepts: anchors come from the trusted root anyway.
            run.warning("the bundle's chain ends with a root certificate; it is ignored, anchors come from the trusted root");
        } else {
            run.error(
                cat::CERTIFICATE_CHAIN,
                "/verificationMaterial/x509CertificateChain/certificates",
                format!("certificate {} of the bundle's chain is a root, and more follow it: not a chain from the leaf", i + 1),
                data(json!({"certificates": chain.len(), "root_at": i + 1})),
            );
        }
    }

    run.check(
        mark,
        "bundle format",
        format!(
            "{} bundle ({}), {} log entr{}, {} timestamp(s), within the size and chain limits",
            version.word(),
            bundle.material.word(),
            bundle.tlog_entries.len(),
            if bundle.tlog_entries.len() == 1 { "y" } else { "ies" },
            bundle.timestamps.len()
        ),
    );

    // The signing key: the leaf certificate's or the verifier's.
    let mark = run.mark();
    let leaf_der = bundle.material.leaf();
    let leaf = match (leaf_der, opts.key) {
        (_, Some(_)) => None,
        (Some(der), None) => match parsed.leaf.take().map_or_else(|| pki::LeafCertificate::parse(der), Ok) {
            Ok(l) => Some(l),
            Err(e) => {
                run.error(
                    cat::CERTIFICATE_CHAIN,
                    "/verificationMaterial",
                    format!("the signing certificate cannot be read: {e}"),
                    Evidence::None,
                );
                None
            }
        },
        (None, None) => {
            let hint = match &bundle.material {
                Material::PublicKey { hint } => hint.clone(),
                _ => String::new(),
            };
            run.error(
                cat::CHECK_NOT_PERFORMED,
                "/verificationMaterial/publicKey",
                format!("the bundle is signed with a managed key (hint \"{hint}\"); verify it with --key"),
                data(json!({"hint": hint})),
            );
            None
        }
    };
    let signing_key: Option<Vec<u8>> = match (opts.key, &leaf) {
        (Some(k), _) => Some(k.to_vec()),
        (None, Some(l)) => Some(l.spki_der().to_vec()),
        _ => None,
    };
    let verifier_der: Option<&[u8]> = opts.key.or(leaf_der);
    run.check(
        mark,
        "signing key",
        if opts.key.is_some() { "the verifier's key (--key)" } else { "the leaf certificate's key" },
    );

    // Log entries: known logs, SET results (needed for T2), detail.
    let entry = bundle.tlog_entries.first();
    let log = entry.and_then(|e| opts.root.tlog(&e.log_id));
    let set_result = match (entry, log) {
        (Some(e), Some(l)) if e.set.is_some() => Some(tlog::verify_set(e, l)),
        _ => None,
    };

    // T: verified times.
    let tsa_chains: Vec<pki::CaChain> = opts
        .root
        .timestamp_authorities
        .iter()
        .map(|a| pki::CaChain {
            name: &a.name,
            certs_der: a.chain.iter().map(Vec::as_slice).collect(),
            valid_for: to_pki_validity(&a.valid_for),
        })
        .collect();
    let mut times: Vec<VerifiedTime> = Vec::new();
    let mut bad_tokens = Vec::new();
    let signature = bundle.content.signature().unwrap_or_default();
    for (i, token) in bundle.timestamps.iter().enumerate() {
        let pointer = format!("/verificationMaterial/timestampVerificationData/rfc3161Timestamps/{i}");
        let what = format!("RFC 3161 timestamp {i}");
        match pki::verify_timestamp(token, signature, &tsa_chains) {
            Ok(t) => {
                let passed = format!("{} by {}, over the signature", fmt_time(t.gen_time), t.tsa_name);
                run.checks.push(Check::new(run.file_subject(), what, CheckOutcome::Pass, passed));
                times.push(VerifiedTime {
                    at: t.gen_time,
                    source: format!("RFC 3161 timestamp by {}", t.tsa_name),
                })
            }
            Err(e) => {
                run.checks.push(Check::new(run.file_subject(), what, CheckOutcome::Fail, e.to_string()));
                bad_tokens.push((pointer, e))
            }
        }
    }
    if let (Some(e), Some(Ok(()))) = (entry, &set_result)
        && let Some(t) = e.integrated_time.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
    {
        times.push(VerifiedTime { at: t, source: format!("integrated time of log entry {}", e.log_index) });
    }
    // sigstore-python skips a token that does not verify as long as another
    // time is verified; without one the bundle has no signing time at all.
    for (pointer, e) in bad_tokens {
        if times.is_empty() {
            run.pki(
                cat::TIMESTAMP_INVALID,
                &pointer,
                "the RFC 3161 timestamp does not verify",
                &e,
                Evidence::None,
            );
        } else {
            let f = Finding::warning(
                cat::TIMESTAMP_INVALID,
                run.file_subject(),
                format!("the RFC 3161 timestamp does not verify and is not counted: {e}"),
            )
            .at(run.here(&pointer));
            run.findings.push(f);
        }
    }
    let is_v2 = entry.is_some_and(|e| e.version == "0.0.2");
    let mark = run.mark();
    if times.is_empty() && !(bundle.tlog_entries.is_empty() && bundle.timestamps.is_empty()) {
        let why = if is_v2 && bundle.timestamps.is_empty() {
            "a Rekor v2 entry carries no time and the bundle has no RFC 3161 timestamp".to_owned()
        } else {
            "no RFC 3161 timestamp verified and no integrated time is vouched for by a verified SET"
                .to_owned()
        };
        run.error(
            cat::NO_VERIFIED_TIME,
            "/verificationMaterial",
            format!("no verified signing time: {why}"),
            Evidence::None,
        );
    }
    run.check(
        mark,
        "verified signing time",
        times.iter().map(|t| format!("{} ({})", fmt_time(t.at), t.source)).collect::<Vec<_>>().join("; "),
    );

    // C1, C3, C2, C5: the certificate (keyless only).
    if let (Some(l), Some(der)) = (&leaf, leaf_der) {
        let cas: Vec<pki::CaChain> = opts
            .root
            .certificate_authorities
            .iter()
            .map(|a| pki::CaChain {
                name: &a.name,
                certs_der: a.chain.iter().map(Vec::as_slice).collect(),
                valid_for: to_pki_validity(&a.valid_for),
            })
            .collect();
        let mut path = None;
        let mark = run.mark();
        for t in &times {
            match pki::verify_chain_parsed(l, der, &cas, t.at) {
                Ok(p) => path = Some(p),
                Err(e) => run.pki(
                    cat::CERTIFICATE_CHAIN,
                    "/verificationMaterial",
                    &format!("the certificate does not chain to a trusted CA at {} ({})", fmt_time(t.at), t.source),
                    &e,
                    data(json!({"at": fmt_time(t.at), "cas": opts.root.certificate_authorities.iter().map(|a| &a.name).collect::<Vec<_>>()})),
                ),
            }
        }
        if times.is_empty() {
            run.not_run("certificate chain", "no verified signing time to validate the chain at");
        } else {
            let ca = path.as_ref().map_or_else(String::new, |p| p.ca_name.clone());
            run.check(
                mark,
                "certificate chain",
                format!("chains to {ca} at every verified time ({} of them)", times.len()),
            );
        }
        let mark = run.mark();
        if opts.root.ctlogs.is_empty() {
            run.not_run("SCT", "the trusted root has no certificate-transparency log");
        } else if path.is_none() {
            run.not_run("SCT", "the certificate does not chain: no issuer to check the SCT with");
        }
        if !opts.root.ctlogs.is_empty()
            && let Some(p) = &path
        {
            let keys: Vec<pki::CtLogKey> = opts
                .root
                .ctlogs
                .iter()
                .filter_map(|c| {
                    Some(pki::CtLogKey {
                        log_id: <[u8; 32]>::try_from(c.log_id.as_slice()).ok()?,
                        spki_der: &c.public_key,
                        valid_for: to_pki_validity(&c.valid_for),
                        base_url: &c.base_url,
                    })
                })
                .collect();
            match pki::verify_sct_parsed(l, der, p, &keys) {
                Err(e) => run.pki(
                    cat::SCT_INVALID,
                    "/verificationMaterial",
                    "the certificate's SCT does not verify",
                    &e,
                    Evidence::None,
                ),
                Ok(sct) => run.check(
                    mark,
                    "SCT",
                    format!("signed by {} at {}", sct.log_url, fmt_time(sct.timestamp)),
                ),
            }
            if run.mark() > mark {
                run.check(mark, "SCT", "");
            }
        }
        let mark = run.mark();
        if let Err(e) = l.check_key_usage() {
            run.pki(
                cat::CERTIFICATE_USAGE,
                "/verificationMaterial",
                "the certificate is not for code signing",
                &e,
                Evidence::None,
            );
        }
        run.check(mark, "key usage", "digitalSignature and codeSigning");
        let mark = run.mark();
        let id = parsed.identity.take().unwrap_or_else(|| l.identity());
        let sans: Vec<String> = id.sans.iter().map(|s| s.value().to_owned()).collect();
        if let Some(rule) = &opts.policy.identity
            && !sans.iter().any(|s| rule.matches(s))
        {
            run.error(
                cat::IDENTITY_MISMATCH,
                "/verificationMaterial",
                format!(
                    "the certificate's identity {} is not {}",
                    if sans.is_empty() { "(none)".to_owned() } else { sans.join(", ") },
                    rule.describe()
                ),
                data(json!({"expected": rule.describe(), "actual": sans})),
            );
        }
        if let Some(rule) = &opts.policy.identity {
            run.check(mark, "identity", format!("{} is {}", sans.join(", "), rule.describe()));
        }
        let mark = run.mark();
        if let Some(want) = &opts.policy.issuer
            && !match (&id.oidc_issuer, want) {
                (Some(i), rule) => rule.matches(i),
                (None, crate::attest::IdentityRule::Regexp(_)) => want.matches(""),
                (None, crate::attest::IdentityRule::Exact(_)) => false,
            }
        {
            let want = want.describe();
            run.error(
                cat::ISSUER_MISMATCH,
                "/verificationMaterial",
                format!(
                    "the certificate's OIDC issuer {} is not {want}",
                    id.oidc_issuer.as_deref().unwrap_or("(none)")
                ),
                data(json!({"expected": want, "actual": id.oidc_issuer})),
            );
        }
        if let Some(want) = &opts.policy.issuer {
            run.check(
                mark,
                "OIDC issuer",
                format!("{} is {}", id.oidc_issuer.as_deref().unwrap_or("(none)"), want.describe()),
            );
        }
    }

    // L1, L2, L4, L5: the log, its key's validity, the proof and the checkpoint.
    if entry.is_none() {
        run.not_run("transparency log", "the bundle has no log entry");
    }
    if let Some(e) = entry {
        let ptr = e.pointer.clone();
        let mark = run.mark();
        if !tlog::body::is_supported(&e.kind, &e.version) {
            run.error(
                cat::BUNDLE_STRUCTURE,
                &format!("{ptr}/kindVersion"),
                format!("log entries of kind {} {} are not supported", e.kind, e.version),
                Evidence::None,
            );
        }
        match log {
            None => {
                run.error(
                    cat::TLOG_UNKNOWN,
                    &format!("{ptr}/logId"),
                    format!("the entry's log {} is not a transparency log of the trusted root", hex::encode(&e.log_id)),
                    data(json!({"log_id": hex::encode(&e.log_id), "trusted_logs": opts.root.tlogs.iter().map(|l| json!({"base_url": l.base_url, "log_id": hex::encode(&l.log_id)})).collect::<Vec<_>>()})),
                );
                run.check(mark, "transparency log", "");
                run.not_run("inclusion proof", "the entry's log is not in the trusted root");
            }
            Some(l) => {
                let checked_at: Vec<OffsetDateTime> = match e.integrated_time {
                    Some(t) => OffsetDateTime::from_unix_timestamp(t).into_iter().collect(),
                    None => times.iter().map(|t| t.at).collect(),
                };
                if l.valid_for.given && l.valid_for.start.is_none() {
                    run.error(
                        cat::TLOG_UNKNOWN,
                        &format!("{ptr}/logId"),
                        format!("the trusted root gives log {} no validity start", l.base_url),
                        Evidence::None,
                    );
                } else if let Some(t) = checked_at.iter().find(|t| !l.valid_for.contains(**t)) {
                    run.error(
                        cat::TLOG_UNKNOWN,
                        &format!("{ptr}/logId"),
                        format!(
                            "log {}'s key is valid for {}, not at {}",
                            l.base_url,
                            l.valid_for.describe(),
                            fmt_time(*t)
                        ),
                        Evidence::None,
                    );
                }
                run.check(
                    mark,
                    "transparency log",
                    format!(
                        "entry {} ({} {}) in {}, whose key is valid then",
                        e.log_index, e.kind, e.version, l.base_url
                    ),
                );
                if e.proof.is_some() {
                    let mark = run.mark();
                    match tlog::verify_proof(e) {
                        Ok(()) => {}
                        Err(m) => run.error(
                            cat::INCLUSION_PROOF,
                            &format!("{ptr}/inclusionProof"),
                            format!("the inclusion proof does not hold: {m}"),
                            e.proof.as_ref().map_or(Evidence::None, |p| {
                                data(json!({"log_index": p.log_index, "tree_size": p.tree_size, "hashes": p.hashes.len(), "root_hash": hex::encode(&p.root_hash)}))
                            }),
                        ),
                    }
                    let (index, size) = e.proof.as_ref().map_or((0, 0), |p| (p.log_index, p.tree_size));
                    run.check(
                        mark,
                        "inclusion proof",
                        format!("leaf {index} of a tree of {size} leads to the proof's root hash"),
                    );
                    let mark = run.mark();
                    if e.proof.as_ref().is_some_and(|p| p.checkpoint.is_some()) {
                        if let Err(m) = tlog::verify_checkpoint(e, l) {
                            run.error(
                                cat::CHECKPOINT_INVALID,
                                &format!("{ptr}/inclusionProof/checkpoint"),
                                m,
                                Evidence::None,
                            );
                        }
                        run.check(
                            mark,
                            "checkpoint",
                            format!("signed by {}'s key, commits to the proof's root and size", l.base_url),
                        );
                    } else {
                        run.not_run("checkpoint", "the inclusion proof carries no checkpoint");
                    }
                } else {
                    run.not_run("inclusion proof", "the entry has no inclusion proof");
                    run.info(
                        "the entry has no inclusion proof; its inclusion promise (SET) is the log's only word",
                        Evidence::None,
                    );
                }
            }
        }
        // L3: the SET.
        match (&set_result, log) {
            (Some(Err(m)), _) => {
                let mark = run.mark();
                run.error(cat::SET_INVALID, &format!("{ptr}/inclusionPromise"), m.clone(), Evidence::None);
                run.check(mark, "signed entry timestamp", "");
            }
            (Some(Ok(())), Some(l)) => run.checks.push(Check::new(
                run.file_subject(),
                "signed entry timestamp",
                CheckOutcome::Pass,
                format!("{}'s key promises entry {} at its integrated time", l.base_url, e.log_index),
            )),
            _ if e.set.is_none() => {
                run.not_run("signed entry timestamp", "the entry has no inclusion promise")
            }
            _ => run.not_run("signed entry timestamp", "the entry's log is not in the trusted root"),
        }
        if e.version == "0.0.1"
            && e.set.is_none()
            && bundle.timestamps.is_empty()
            && version >= BundleVersion::V02
        {
            // Reported by the structure rules (B6); nothing more here.
        }
    }

    // C4: every verified time within the certificate's validity.
    if let Some(l) = &leaf {
        let mark = run.mark();
        for t in &times {
            if t.at < l.not_before() || t.at > l.not_after() {
                run.error(
                    cat::CERTIFICATE_TIME,
                    "/verificationMaterial",
                    format!(
                        "the {} ({}) is outside the certificate's validity [{}, {}]",
                        t.source,
                        fmt_time(t.at),
                        fmt_time(l.not_before()),
                        fmt_time(l.not_after())
                    ),
                    data(json!({"time": fmt_time(t.at), "source": t.source, "not_before": fmt_time(l.not_before()), "not_after": fmt_time(l.not_after())})),
                );
            }
        }
        run.check(
            mark,
            "certificate valid at signing",
            format!("every verified time within [{}, {}]", fmt_time(l.not_before()), fmt_time(l.not_after())),
        );
    }

    // S1/S2: the artifact digest and the signature; S3 prepared.
    let mut statement = None;
    match &bundle.content {
        Content::MessageSignature { digest, signature } => {
            let mark = run.mark();
            match opts.artifact {
                None => run.error(
                    cat::ARTIFACT_MISMATCH,
                    "/messageSignature",
                    "a message signature needs the artifact (a file or sha256:HEX)",
                    Evidence::None,
                ),
                Some(a) => {
                    if let (Some((alg, d)), Some(mine)) = (digest, a.sha256())
                        && alg == "SHA2_256"
                        && *d != mine
                    {
                        run.error(
                            cat::ARTIFACT_MISMATCH,
                            "/messageSignature/messageDigest",
                            "the bundle's message digest is not the artifact's sha256",
                            Evidence::digests(
                                json!({"sha256": hex::encode(d)}),
                                json!({"sha256": hex::encode(&mine)}),
                            ),
                        );
                    }
                }
            }
            if opts.artifact.is_some() {
                run.check(mark, "message digest", "the bundle's message digest is the artifact's sha256");
            } else {
                run.check(mark, "message digest", "");
            }
            let mark = run.mark();
            if signing_key.is_none() {
                run.not_run("signature", "no signing key");
            } else if opts.artifact.is_none() {
                run.not_run("signature", "no artifact to check the signature over");
            }
            if let (Some(key), Some(a)) = (&signing_key, opts.artifact) {
                let result = match (a.sha256(), &a.bytes) {
                    (_, Some(bytes)) if !is_ecdsa(key) => pki::verify_signature(key, bytes, signature),
                    // ECDSA over SHA-256(artifact): ring hashes the bytes itself, and
                    // a small artifact costs less to hash again than RustCrypto's
                    // prehashed verification does.
                    (Some(_), Some(bytes)) if bytes.len() <= REHASH_LIMIT => {
                        pki::verify_ecdsa_sha256(key, bytes, signature)
                    }
                    (Some(d), _) => pki::verify_prehashed(key, &d, signature),
                    (None, _) => Err(pki::PkiError::Unsupported {
                        what: "the artifact",
                        detail: "a digest other than sha256".into(),
                    }),
                };
                if let Err(e) = result {
                    run.error(
                        cat::SIGNATURE_INVALID,
                        "/messageSignature/signature",
                        format!("the signature over the artifact does not verify: {e}"),
                        Evidence::None,
                    );
                }
                run.check(
                    mark,
                    "signature",
                    "the message signature over the artifact verifies with the signing key",
                );
            }
        }
        Content::Dsse(d) => {
            let in_toto = d.payload_type == IN_TOTO_PAYLOAD_TYPE;
            let mark = run.mark();
            if !in_toto {
                let msg =
                    format!("the DSSE payload type is \"{}\", not {IN_TOTO_PAYLOAD_TYPE}", d.payload_type);
                if opts.artifact.is_some() {
                    run.error(cat::PAYLOAD_INVALID, "/dsseEnvelope/payloadType", msg, Evidence::None);
                } else {
                    run.warning(msg);
                }
            }
            run.check(mark, "payload type", d.payload_type.clone());
            let mark = run.mark();
            match (&signing_key, d.signatures.first()) {
                (Some(key), Some((_, sig))) => {
                    if let Err(e) = pki::verify_signature(key, &d.pae(), sig) {
                        run.error(
                            cat::SIGNATURE_INVALID,
                            "/dsseEnvelope/signatures/0/sig",
                            format!("the DSSE signature does not verify: {e}"),
                            Evidence::None,
                        );
                    }
                    run.check(
                        mark,
                        "signature",
                        "the DSSE signature over the payload (PAE) verifies with the signing key",
                    );
                }
                (None, _) => run.not_run("signature", "no signing key"),
                (_, None) => run.not_run("signature", "the envelope has no signature"),
            }
            if let Material::PublicKey { hint } = &bundle.material
                && let Some((keyid, _)) = d.signatures.first()
                && !hint.is_empty()
                && !keyid.is_empty()
                && hint != keyid
            {
                run.warning(format!(
                    "the envelope's keyid \"{keyid}\" is not the bundle's key hint \"{hint}\""
                ));
            }
            if in_toto {
                let mark = run.mark();
                match parsed.statement.take().map_or_else(|| Statement::parse(&d.payload), Ok) {
                    Ok(s) => statement = Some(s),
                    Err(m) => run.error(
                        cat::PAYLOAD_INVALID,
                        "/dsseEnvelope/payload",
                        format!("the payload is not an in-toto Statement: {m}"),
                        Evidence::None,
                    ),
                }
                run.check(mark, "in-toto Statement", "the payload is an in-toto Statement");
            }
        }
    }

    // L6: the log body against the bundle.
    if let Some(e) = entry
        && tlog::body::is_supported(&e.kind, &e.version)
    {
        let sha = opts.artifact.and_then(Artifact::sha256).or_else(|| match &bundle.content {
            Content::MessageSignature { digest: Some((alg, d)), .. } if alg == "SHA2_256" => Some(d.clone()),
            _ => None,
        });
        let want =
            tlog::body::Expected { content: &bundle.content, verifier_der, artifact_sha256: sha.as_deref() };
        let mark = run.mark();
        match tlog::body::check(&e.body, &e.kind, &e.version, &want) {
            Ok(m) if m.is_empty() => {}
            Ok(m) => run.error(
                cat::TLOG_BODY_MISMATCH,
                &format!("{}/canonicalizedBody", e.pointer),
                format!(
                    "the log entry records something else than the bundle: {}",
                    m.iter().map(|x| x.field.as_str()).collect::<Vec<_>>().join(", ")
                ),
                data(json!(
                    m.iter()
                        .map(|x| json!({"field": x.field, "expected": x.expected, "actual": x.actual}))
                        .collect::<Vec<_>>()
                )),
            ),
            Err(m) => run.error(
                cat::TLOG_BODY_MISMATCH,
                &format!("{}/canonicalizedBody", e.pointer),
                m,
                Evidence::None,
            ),
        }
        run.check(
            mark,
            "log entry body",
            format!("the {} {} entry records this bundle's signature and key", e.kind, e.version),
        );
    }

    // S3 and P: the Statement's subject and the provenance policy.
    if let Some(s) = &statement {
        if s.type_ == crate::attest::statement::STATEMENT_V01 {
            run.info("the Statement is in-toto v0.1 (npm still writes it); v1 is current", Evidence::None);
        }
        let view = predicate::view(&s.predicate_type, &s.predicate);
        let mark = run.mark();
        match opts.artifact {
            Some(a) => {
                if let Some(subject) = s.matching_subject(&a.digests) {
                    let passed = format!("subject {} has the artifact's digest", subject.name);
                    run.check(mark, "subject digest", passed);
                } else {
                    run.findings.push(
                        Finding::error(
                            cat::ARTIFACT_MISMATCH,
                            Subject::Artifact { path: a.input.clone() },
                            format!(
                                "no subject of the Statement has the artifact's digest ({} subjects)",
                                s.subjects.len()
                            ),
                        )
                        .with_evidence(Evidence::digests(
                            json!(
                                s.subjects
                                    .iter()
                                    .take(100)
                                    .map(|x| json!({"name": x.name, "digest": x.digest}))
                                    .collect::<Vec<_>>()
                            ),
                            json!(a.digests),
                        ))
                        .at(Location::new(run.file, "/dsseEnvelope/payload")),
                    );
                    run.check(mark, "subject digest", "");
                }
            }
            None => {
                run.warning("no artifact given: the Statement's subjects were not matched against anything");
                run.not_run("subject digest", "no artifact given");
            }
        }
        let mark = run.mark();
        check_policy(run, opts.policy, s, &view, leaf.as_ref());
        let asked = provenance_asked(opts.policy);
        if !asked.is_empty() {
            run.check(mark, "provenance policy", format!("{} as the policy asks", asked.join(", ")));
        }
    } else if !provenance_asked(opts.policy).is_empty() {
        let mark = run.mark();
        run.error(
            cat::POLICY_MISMATCH,
            "",
            "the policy asks about provenance, and the bundle holds no in-toto Statement",
            Evidence::None,
        );
        run.check(mark, "provenance policy", "");
    }
}

/// The provenance fields the policy asks about, named for people.
fn provenance_asked(p: &Policy) -> Vec<&'static str> {
    [
        ("predicate type", &p.predicate_type),
        ("builder id", &p.builder_id),
        ("source repository", &p.source_repository),
        ("source ref", &p.source_ref),
    ]
    .into_iter()
    .filter_map(|(name, v)| v.as_ref().map(|_| name))
    .collect()
}

/// What a bundle holds, without a policy (`attest inspect`).
pub fn inspect(bytes: &[u8], file: &str) -> Result<AttestationDetail, String> {
    let bundle = Bundle::parse(bytes, file).map_err(|e| e.to_string())?;
    let mut d = AttestationDetail { bundle: file.to_owned(), ..AttestationDetail::default() };
    describe_into(&bundle, None, &mut d);
    Ok(d)
}

/// What [`describe_into`] parsed, for the checks to reuse.
#[derive(Default)]
struct Parsed {
    leaf: Option<pki::LeafCertificate>,
    /// The leaf's identity, read once for the detail and the policy.
    identity: Option<pki::Identity>,
    statement: Option<Statement>,
}

/// Fills the detail from what the bundle says (no check involved).
fn describe_into(bundle: &Bundle, root: Option<&TrustedRoot>, detail: &mut AttestationDetail) -> Parsed {
    let mut parsed = Parsed::default();
    detail.media_type = bundle.media_type.clone();
    detail.material = bundle.material.word().to_owned();
    detail.content = match bundle.content {
        Content::MessageSignature { .. } => "message-signature".into(),
        Content::Dsse(_) => "dsse".into(),
    };
    detail.timestamps = bundle.timestamps.len();
    parsed.leaf = bundle.material.leaf().and_then(|d| pki::LeafCertificate::parse(d).ok());
    if let Some(l) = &parsed.leaf {
        let id = l.identity();
        detail.certificate = Some(CertificateDetail {
            sans: id.sans.iter().map(|s| s.value().to_owned()).collect(),
            issuer: id.oidc_issuer.clone(),
            claims: id.claims.iter().map(|c| (c.name.to_owned(), c.value.clone())).collect(),
            not_before: fmt_time(l.not_before()),
            not_after: fmt_time(l.not_after()),
        });
        parsed.identity = Some(id);
    }
    for e in &bundle.tlog_entries {
        let known = root.and_then(|r| r.tlog(&e.log_id));
        detail.tlog_entries.push(TlogDetail {
            log: known.map_or_else(|| format!("log {}", hex::encode(&e.log_id)), |l| l.base_url.clone()),
            log_index: e.log_index,
            kind: format!("{} {}", e.kind, e.version),
            integrated_time: e
                .integrated_time
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                .map(fmt_time),
            proof_index: e.proof.as_ref().map(|p| p.log_index),
            tree_size: e.proof.as_ref().map(|p| p.tree_size),
        });
    }
    if let Content::Dsse(d) = &bundle.content
        && d.payload_type == IN_TOTO_PAYLOAD_TYPE
        && let Ok(s) = Statement::parse(&d.payload)
    {
        let view = predicate::view(&s.predicate_type, &s.predicate);
        detail.statement = Some(statement_detail(&s, &view));
        parsed.statement = Some(s);
    }
    parsed
}

/// A subject = issuer certificate: a root, which a bundle's chain should not carry.
fn is_self_issued(der: &[u8]) -> bool {
    pki::LeafCertificate::parse(der).is_ok_and(|c| c.issuer_dn() == c.subject_dn())
}

fn is_ecdsa(spki_der: &[u8]) -> bool {
    // id-ecPublicKey 1.2.840.10045.2.1
    let oid = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    spki_der.windows(oid.len()).take(8).any(|w| w == oid)
}

fn statement_detail(s: &Statement, v: &predicate::PredicateView) -> StatementDetail {
    let mut facts = BTreeMap::new();
    facts.insert("kind".to_owned(), v.kind.clone());
    for (k, x) in [
        ("builder", &v.builder_id),
        ("build type", &v.build_type),
        ("source repository", &v.source_repository),
        ("source ref", &v.source_ref),
        ("source commit", &v.source_commit),
        ("workflow", &v.workflow),
    ] {
        if let Some(x) = x {
            facts.insert(k.to_owned(), x.clone());
        }
    }
    for (k, x) in &v.facts {
        facts.insert(k.clone(), x.clone());
    }
    if !v.materials.is_empty() {
        facts.insert("materials".to_owned(), v.materials.len().to_string());
    }
    StatementDetail {
        type_: s.type_.clone(),
        predicate_type: s.predicate_type.clone(),
        subjects: s
            .subjects
            .iter()
            .take(1024)
            .map(|x| SubjectDetail { name: x.name.clone(), digest: x.digest.clone() })
            .collect(),
        predicate: facts,
    }
}

/// Fulcio's Source Repository URI (1.12) and Source Repository Ref (1.14):
/// what the policy reads when the predicate does not say (npm and PyPI
/// publish attestations, conda's), as slsa-verifier and `gh attestation
/// verify` read the certificate.
const SOURCE_REPOSITORY_ARC: u32 = 12;
const SOURCE_REF_ARC: u32 = 14;

/// A value the policy compares, and where it was read.
struct Stated<'a> {
    value: Option<&'a str>,
    from: String,
}

fn stated<'a>(predicate: Option<&'a str>, leaf: Option<&'a pki::Identity>, arc: u32) -> Stated<'a> {
    if let Some(v) = predicate {
        return Stated { value: Some(v), from: "the predicate".to_owned() };
    }
    match leaf.and_then(|id| id.claims.iter().find(|c| c.arc == arc)) {
        Some(c) => {
            Stated { value: Some(&c.value), from: format!("the certificate's {} ({})", c.name, c.oid) }
        }
        None => Stated { value: None, from: "neither the predicate nor the certificate".to_owned() },
    }
}

fn check_policy(
    run: &mut Run,
    policy: &Policy,
    s: &Statement,
    view: &predicate::PredicateView,
    leaf: Option<&pki::LeafCertificate>,
) {
    let mut mismatch = |what: &str, expected: &str, actual: Option<&str>, from: &str| {
        run.error(
            cat::POLICY_MISMATCH,
            "/dsseEnvelope/payload",
            format!(
                "the {what} is {} (from {from}), the policy asks for {expected}",
                actual.unwrap_or("not stated")
            ),
            data(json!({"field": what, "expected": expected, "actual": actual, "from": from})),
        );
    };
    if let Some(want) = &policy.predicate_type
        && *want != s.predicate_type
    {
        mismatch("predicate type", want, Some(&s.predicate_type), "the Statement");
    }
    if let Some(want) = &policy.builder_id
        && view.builder_id.as_deref() != Some(want.as_str())
    {
        mismatch("builder id", want, view.builder_id.as_deref(), "the predicate");
    }
    // Only the source checks fall back on the certificate's claims.
    let asks_source = policy.source_repository.is_some() || policy.source_ref.is_some();
    let identity = leaf.filter(|_| asks_source).map(pki::LeafCertificate::identity);
    let mut fallbacks = Vec::new();
    if let Some(want) = &policy.source_repository {
        let got = stated(view.source_repository.as_deref(), identity.as_ref(), SOURCE_REPOSITORY_ARC);
        if !got.value.is_some_and(|r| same_repository(r, want)) {
            mismatch("source repository", want, got.value, &got.from);
        } else if view.source_repository.is_none() {
            fallbacks.push(format!("source repository {} from {}", got.value.unwrap_or_default(), got.from));
        }
    }
    if let Some(want) = &policy.source_ref {
        let got = stated(view.source_ref.as_deref(), identity.as_ref(), SOURCE_REF_ARC);
        if got.value != Some(want.as_str()) {
            mismatch("source ref", want, got.value, &got.from);
        } else if view.source_ref.is_none() {
            fallbacks.push(format!("source ref {} from {}", got.value.unwrap_or_default(), got.from));
        }
    }
    if !fallbacks.is_empty() {
        run.info(
            format!(
                "the predicate states no source, so the policy was checked against the certificate, which the CA vouches for: {}",
                fallbacks.join(" and ")
            ),
            data(json!({"fallback": fallbacks})),
        );
    }
}
