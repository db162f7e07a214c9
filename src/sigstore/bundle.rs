//! Sigstore bundles v0.1–v0.3 (protobuf-specs `sigstore_bundle.proto`) as
//! protobuf-JSON writes them: camelCase members, int64 as strings (numbers
//! accepted), bytes as standard base64. Parsing keeps every member the
//! checks need and reports the first thing that makes the bundle unreadable
//! with its JSON pointer; the version rules (B4–B7 of the research digest)
//! are [`Bundle::structure_problems`], so each one becomes its own finding.

use serde_json::{Map, Value};

use crate::meta::Location;

/// The largest bundle read (bytes); a bundle is a few kilobytes.
pub const MAX_BUNDLE_BYTES: usize = 16 * 1024 * 1024;
/// At most this many RFC 3161 timestamps (sigstore-python `MAX_ALLOWED_TIMESTAMP`, sigstore-go limits).
pub const MAX_TIMESTAMPS: usize = 32;
/// At most this many certificates in a v0.1/v0.2 chain (Fulcio issues leaf + 1–2 CAs).
pub const MAX_CHAIN_CERTS: usize = 10;
/// At most this many tlog entries (one is used; a handful is plausible).
pub const MAX_TLOG_ENTRIES: usize = 32;
/// At most this many inclusion-proof hashes (a tree of 2^64 leaves needs 64).
pub const MAX_PROOF_HASHES: usize = 64;

/// The bundle format version its media type names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BundleVersion {
    V01,
    V02,
    V03,
}

impl BundleVersion {
    /// The version a media type names; `None` for anything not v0.1–v0.3.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Some(match media_type {
            "application/vnd.dev.sigstore.bundle+json;version=0.1" => Self::V01,
            "application/vnd.dev.sigstore.bundle+json;version=0.2" => Self::V02,
            "application/vnd.dev.sigstore.bundle+json;version=0.3"
            | "application/vnd.dev.sigstore.bundle.v0.3+json" => Self::V03,
            _ => return None,
        })
    }

    pub fn word(self) -> &'static str {
        match self {
            Self::V01 => "v0.1",
            Self::V02 => "v0.2",
            Self::V03 => "v0.3",
        }
    }
}

/// What the bundle offers to verify its signature with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    /// A managed key named only by a hint; the key comes from the verifier.
    PublicKey { hint: String },
    /// v0.1/v0.2: leaf first, then (optionally) intermediates.
    Chain(Vec<Vec<u8>>),
    /// v0.3: the leaf alone.
    Certificate(Vec<u8>),
}

impl Material {
    /// The leaf certificate's DER, for keyless bundles with one.
    pub fn leaf(&self) -> Option<&[u8]> {
        match self {
            Material::Chain(c) => c.first().map(Vec::as_slice),
            Material::Certificate(c) => Some(c),
            Material::PublicKey { .. } => None,
        }
    }

    pub fn word(&self) -> &'static str {
        match self {
            Material::PublicKey { .. } => "publicKey",
            Material::Chain(_) => "x509CertificateChain",
            Material::Certificate(_) => "certificate",
        }
    }
}

/// A Merkle inclusion proof with its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    /// The index in this log shard's tree (differs from the entry's global index on sharded Rekor v1).
    pub log_index: i64,
    pub root_hash: Vec<u8>,
    pub tree_size: i64,
    /// Sibling hashes, leaf to root.
    pub hashes: Vec<Vec<u8>>,
    /// The signed note, when present.
    pub checkpoint: Option<String>,
}

/// One transparency-log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogEntry {
    /// Global index (what the SET signs).
    pub log_index: i64,
    /// `logId.keyId`.
    pub log_id: Vec<u8>,
    pub kind: String,
    pub version: String,
    /// Seconds since the epoch; absent on Rekor v2.
    pub integrated_time: Option<i64>,
    /// `inclusionPromise.signedEntryTimestamp`.
    pub set: Option<Vec<u8>>,
    pub proof: Option<InclusionProof>,
    /// `canonicalizedBody`, decoded.
    pub body: Vec<u8>,
    /// The pointer of this entry in the bundle.
    pub pointer: String,
}

/// `messageSignature` or `dsseEnvelope`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    MessageSignature {
        /// `messageDigest`: algorithm (`SHA2_256`, …) and digest; a hint only.
        digest: Option<(String, Vec<u8>)>,
        signature: Vec<u8>,
    },
    Dsse(Dsse),
}

/// A DSSE envelope as the bundle carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dsse {
    pub payload: Vec<u8>,
    pub payload_type: String,
    /// `(keyid, sig)` per signature.
    pub signatures: Vec<(String, Vec<u8>)>,
}

impl Dsse {
    /// The bytes the signature is over.
    pub fn pae(&self) -> Vec<u8> {
        crate::meta::dsse::pae(&self.payload_type, &self.payload)
    }
}

impl Content {
    /// The signature bytes an RFC 3161 timestamp covers and a log entry records.
    pub fn signature(&self) -> Option<&[u8]> {
        match self {
            Content::MessageSignature { signature, .. } => Some(signature),
            Content::Dsse(d) => d.signatures.first().map(|(_, s)| s.as_slice()),
        }
    }
}

/// A parsed bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub media_type: String,
    /// `None` for an unknown media type (reported by the checks, B2).
    pub version: Option<BundleVersion>,
    pub material: Material,
    pub tlog_entries: Vec<TlogEntry>,
    /// DER `TimeStampResp` tokens.
    pub timestamps: Vec<Vec<u8>>,
    pub content: Content,
}

/// Why a bundle could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub location: Location,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.location.pointer.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{} (at {})", self.message, self.location.pointer)
        }
    }
}

/// One broken version or structure rule, found on a bundle that parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureProblem {
    pub pointer: String,
    pub message: String,
    /// A cap (B7) rather than a format rule.
    pub limit: bool,
}

struct Reader<'a> {
    file: &'a str,
}

type R<T> = Result<T, ParseError>;

impl Reader<'_> {
    fn err(&self, pointer: &str, message: impl Into<String>) -> ParseError {
        ParseError { location: Location::new(self.file, pointer), message: message.into() }
    }

    fn object<'v>(&self, v: &'v Value, pointer: &str) -> R<&'v Map<String, Value>> {
        v.as_object().ok_or_else(|| self.err(pointer, "expected a JSON object"))
    }

    fn member<'v>(&self, obj: &'v Map<String, Value>, key: &str, pointer: &str) -> R<&'v Value> {
        obj.get(key).ok_or_else(|| self.err(pointer, format!("member \"{key}\" is missing")))
    }

    fn string<'v>(&self, v: &'v Value, pointer: &str) -> R<&'v str> {
        v.as_str().ok_or_else(|| self.err(pointer, "expected a string"))
    }

    /// Protobuf-JSON bytes: standard base64 (padding optional, as protobuf
    /// parsers accept); URL-safe too, which protobuf-JSON also reads.
    fn bytes(&self, v: &Value, pointer: &str) -> R<Vec<u8>> {
        let s = self.string(v, pointer)?;
        decode_base64(s).ok_or_else(|| self.err(pointer, "not valid base64"))
    }

    /// Protobuf-JSON int64: a decimal string or a JSON integer.
    fn int64(&self, v: &Value, pointer: &str) -> R<i64> {
        match v {
            Value::String(s) => s.parse::<i64>().map_err(|_| self.err(pointer, "not a 64-bit integer")),
            Value::Number(n) => n.as_i64().ok_or_else(|| self.err(pointer, "not a 64-bit integer")),
            _ => Err(self.err(pointer, "expected an integer (string or number)")),
        }
    }

    /// An absent int64 is 0 in protobuf.
    fn opt_int64(&self, obj: &Map<String, Value>, key: &str, pointer: &str) -> R<Option<i64>> {
        obj.get(key).map(|v| self.int64(v, &format!("{pointer}/{key}"))).transpose()
    }
}

/// A copy without `null` members (protobuf-JSON's "not set").
/// Whether [`without_nulls`] would change `v`: an object member somewhere is null.
fn has_null(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.values().any(|x| x.is_null() || has_null(x)),
        Value::Array(a) => a.iter().any(has_null),
        _ => false,
    }
}

fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter().filter(|(_, x)| !x.is_null()).map(|(k, x)| (k.clone(), without_nulls(x))).collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn within_limit(len: usize, file: &str) -> R<()> {
    if len > MAX_BUNDLE_BYTES {
        return Err(ParseError {
            location: Location::new(file, ""),
            message: format!("bundle of {len} bytes exceeds the limit of {MAX_BUNDLE_BYTES}"),
        });
    }
    Ok(())
}

/// Standard or URL-safe base64, padded or not.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(s).ok())
}

impl Bundle {
    /// Parses a bundle from its bytes; `file` labels errors.
    pub fn parse(bytes: &[u8], file: &str) -> R<Self> {
        within_limit(bytes.len(), file)?;
        let value = crate::meta::json::parse(bytes, file)
            .map_err(|e| ParseError { location: Location::new(file, ""), message: e.message })?;
        Self::from_value(&value, file)
    }

    /// [`Bundle::parse`] of a value the caller parsed from `len` bytes of
    /// JSON (a line of a JSON-lines file): the same limit, no second parse.
    pub fn from_parsed(value: &Value, len: usize, file: &str) -> R<Self> {
        within_limit(len, file)?;
        Self::from_value(value, file)
    }

    /// Reads a bundle from a parsed JSON value.
    pub fn from_value(value: &Value, file: &str) -> R<Self> {
        let r = Reader { file };
        // protobuf-JSON writes an unset message as null; it means absent.
        // Most bundles have none: copying the value only then saves a deep
        // copy per bundle.
        let stripped;
        let value = if has_null(value) {
            stripped = without_nulls(value);
            &stripped
        } else {
            value
        };
        let root = r.object(value, "")?;
        let media_type = r.string(r.member(root, "mediaType", "")?, "/mediaType")?.to_owned();
        let version = BundleVersion::from_media_type(&media_type);
        let vm = r.object(r.member(root, "verificationMaterial", "")?, "/verificationMaterial")?;
        let material = read_material(&r, vm)?;
        let mut tlog_entries = Vec::new();
        if let Some(entries) = vm.get("tlogEntries") {
            let list = entries
                .as_array()
                .ok_or_else(|| r.err("/verificationMaterial/tlogEntries", "expected an array"))?;
            if list.len() > MAX_TLOG_ENTRIES {
                return Err(r.err(
                    "/verificationMaterial/tlogEntries",
                    format!("{} entries exceed the limit of {MAX_TLOG_ENTRIES}", list.len()),
                ));
            }
            for (i, e) in list.iter().enumerate() {
                tlog_entries.push(read_entry(&r, e, &format!("/verificationMaterial/tlogEntries/{i}"))?);
            }
        }
        let mut timestamps = Vec::new();
        if let Some(tvd) = vm.get("timestampVerificationData") {
            let p = "/verificationMaterial/timestampVerificationData";
            let tvd = r.object(tvd, p)?;
            if let Some(list) = tvd.get("rfc3161Timestamps") {
                let list = list.as_array().ok_or_else(|| r.err(p, "rfc3161Timestamps is not an array"))?;
                if list.len() > MAX_TIMESTAMPS {
                    return Err(r.err(
                        &format!("{p}/rfc3161Timestamps"),
                        format!("{} timestamps exceed the limit of {MAX_TIMESTAMPS}", list.len()),
                    ));
                }
                for (i, t) in list.iter().enumerate() {
                    let tp = format!("{p}/rfc3161Timestamps/{i}");
                    let t = r.object(t, &tp)?;
                    timestamps.push(
                        r.bytes(r.member(t, "signedTimestamp", &tp)?, &format!("{tp}/signedTimestamp"))?,
                    );
                }
            }
        }
        let content = match (root.get("messageSignature"), root.get("dsseEnvelope")) {
            (Some(_), Some(_)) => {
                return Err(
                    r.err("", "both messageSignature and dsseEnvelope are present (one content only)")
                );
            }
            (None, None) => return Err(r.err("", "neither messageSignature nor dsseEnvelope is present")),
            (Some(ms), None) => read_message_signature(&r, ms)?,
            (None, Some(d)) => Content::Dsse(read_dsse(&r, d)?),
        };
        Ok(Self { media_type, version, material, tlog_entries, timestamps, content })
    }

    /// The version and structure rules a parsed bundle can still break
    /// (research §2 B2–B7), in the order sigstore-python checks them.
    pub fn structure_problems(&self) -> Vec<StructureProblem> {
        let mut out = Vec::new();
        let mut push = |pointer: &str, message: String, limit: bool| {
            out.push(StructureProblem { pointer: pointer.to_owned(), message, limit })
        };
        let Some(version) = self.version else {
            push(
                "/mediaType",
                format!("unsupported bundle media type \"{}\" (v0.1–v0.3 are known)", self.media_type),
                false,
            );
            return out;
        };
        if let Content::Dsse(d) = &self.content
            && d.signatures.len() != 1
        {
            push(
                "/dsseEnvelope/signatures",
                format!(
                    "a bundle's DSSE envelope has exactly one signature, this one has {}",
                    d.signatures.len()
                ),
                false,
            );
        }
        match &self.material {
            Material::Chain(chain) => {
                if version == BundleVersion::V03 {
                    push(
                        "/verificationMaterial/x509CertificateChain",
                        "a v0.3 bundle carries a single certificate, not a chain".into(),
                        false,
                    );
                }
                if chain.is_empty() {
                    push(
                        "/verificationMaterial/x509CertificateChain/certificates",
                        "the certificate chain is empty".into(),
                        false,
                    );
                }
                if chain.len() > MAX_CHAIN_CERTS {
                    push(
                        "/verificationMaterial/x509CertificateChain/certificates",
                        format!("{} certificates exceed the limit of {MAX_CHAIN_CERTS}", chain.len()),
                        true,
                    );
                }
            }
            Material::Certificate(_) | Material::PublicKey { .. } => {}
        }
        if self.tlog_entries.len() != 1 && !self.tlog_entries.is_empty() {
            push(
                "/verificationMaterial/tlogEntries",
                format!("exactly one transparency-log entry is expected, found {}", self.tlog_entries.len()),
                false,
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for e in &self.tlog_entries {
            if e.log_index < 0 {
                push(
                    &format!("{}/logIndex", e.pointer),
                    format!("log index {} is negative", e.log_index),
                    false,
                );
            }
            if !seen.insert((e.log_id.clone(), e.log_index)) {
                push(&e.pointer, "duplicate entry (same log and index)".into(), false);
            }
            if version == BundleVersion::V01 && e.set.is_none() {
                push(
                    &format!("{}/inclusionPromise", e.pointer),
                    "a v0.1 bundle's entry needs an inclusion promise (SET)".into(),
                    false,
                );
            }
            match &e.proof {
                None if version >= BundleVersion::V02 => push(
                    &format!("{}/inclusionProof", e.pointer),
                    format!("a {} bundle's entry needs an inclusion proof", version.word()),
                    false,
                ),
                Some(p) if p.checkpoint.is_none() => push(
                    &format!("{}/inclusionProof/checkpoint", e.pointer),
                    "the inclusion proof has no checkpoint".into(),
                    false,
                ),
                Some(p) if p.log_index < 0 || p.tree_size < 0 => push(
                    &format!("{}/inclusionProof", e.pointer),
                    "the inclusion proof has a negative index or tree size".into(),
                    false,
                ),
                _ => {}
            }
        }
        if version >= BundleVersion::V02
            && self.timestamps.is_empty()
            && !self.tlog_entries.is_empty()
            && self.tlog_entries.iter().all(|e| e.set.is_none())
        {
            push(
                "/verificationMaterial/timestampVerificationData",
                "no entry has an inclusion promise and there is no RFC 3161 timestamp: nothing attests the signing time"
                    .into(),
                false,
            );
        }
        let mut ts = std::collections::BTreeSet::new();
        for (i, t) in self.timestamps.iter().enumerate() {
            if !ts.insert(t) {
                push(
                    &format!("/verificationMaterial/timestampVerificationData/rfc3161Timestamps/{i}"),
                    "duplicate RFC 3161 timestamp".into(),
                    true,
                );
            }
        }
        out
    }
}

fn read_material(r: &Reader, vm: &Map<String, Value>) -> R<Material> {
    let p = "/verificationMaterial";
    let present: Vec<&str> = ["publicKey", "x509CertificateChain", "certificate"]
        .into_iter()
        .filter(|k| vm.contains_key(*k))
        .collect();
    if present.len() > 1 {
        return Err(r.err(p, format!("more than one kind of verification material: {}", present.join(", "))));
    }
    if let Some(pk) = vm.get("publicKey") {
        let pk = r.object(pk, &format!("{p}/publicKey"))?;
        let hint = pk.get("hint").and_then(Value::as_str).unwrap_or_default().to_owned();
        return Ok(Material::PublicKey { hint });
    }
    if let Some(chain) = vm.get("x509CertificateChain") {
        let cp = format!("{p}/x509CertificateChain");
        let chain = r.object(chain, &cp)?;
        let mut certs = Vec::new();
        if let Some(list) = chain.get("certificates") {
            let list = list.as_array().ok_or_else(|| r.err(&cp, "certificates is not an array"))?;
            if list.len() > 64 {
                return Err(r.err(&cp, format!("{} certificates in the chain", list.len())));
            }
            for (i, c) in list.iter().enumerate() {
                let ip = format!("{cp}/certificates/{i}");
                let c = r.object(c, &ip)?;
                certs.push(r.bytes(r.member(c, "rawBytes", &ip)?, &format!("{ip}/rawBytes"))?);
            }
        }
        return Ok(Material::Chain(certs));
    }
    if let Some(cert) = vm.get("certificate") {
        let cp = format!("{p}/certificate");
        let cert = r.object(cert, &cp)?;
        return Ok(Material::Certificate(
            r.bytes(r.member(cert, "rawBytes", &cp)?, &format!("{cp}/rawBytes"))?,
        ));
    }
    Err(r.err(p, "no verification material (publicKey, x509CertificateChain or certificate)"))
}

fn read_entry(r: &Reader, v: &Value, p: &str) -> R<TlogEntry> {
    let e = r.object(v, p)?;
    let log_index = r.opt_int64(e, "logIndex", p)?.unwrap_or(0);
    let log_id = match e.get("logId") {
        Some(id) => {
            let id = r.object(id, &format!("{p}/logId"))?;
            r.bytes(r.member(id, "keyId", &format!("{p}/logId"))?, &format!("{p}/logId/keyId"))?
        }
        None => return Err(r.err(p, "member \"logId\" is missing")),
    };
    let kv = r.object(r.member(e, "kindVersion", p)?, &format!("{p}/kindVersion"))?;
    let kind =
        r.string(r.member(kv, "kind", &format!("{p}/kindVersion"))?, &format!("{p}/kindVersion/kind"))?;
    let version =
        r.string(r.member(kv, "version", &format!("{p}/kindVersion"))?, &format!("{p}/kindVersion/version"))?;
    let integrated_time = r.opt_int64(e, "integratedTime", p)?.filter(|t| *t != 0);
    let set = match e.get("inclusionPromise") {
        Some(ip) => {
            let ipp = format!("{p}/inclusionPromise");
            let ip = r.object(ip, &ipp)?;
            Some(
                r.bytes(r.member(ip, "signedEntryTimestamp", &ipp)?, &format!("{ipp}/signedEntryTimestamp"))?,
            )
        }
        None => None,
    };
    let proof = match e.get("inclusionProof") {
        Some(pr) => Some(read_proof(r, pr, &format!("{p}/inclusionProof"))?),
        None => None,
    };
    let body = r.bytes(r.member(e, "canonicalizedBody", p)?, &format!("{p}/canonicalizedBody"))?;
    Ok(TlogEntry {
        log_index,
        log_id,
        kind: kind.to_owned(),
        version: version.to_owned(),
        integrated_time,
        set,
        proof,
        body,
        pointer: p.to_owned(),
    })
}

fn read_proof(r: &Reader, v: &Value, p: &str) -> R<InclusionProof> {
    let o = r.object(v, p)?;
    let log_index = r.opt_int64(o, "logIndex", p)?.unwrap_or(0);
    let tree_size = r.opt_int64(o, "treeSize", p)?.unwrap_or(0);
    let root_hash = r.bytes(r.member(o, "rootHash", p)?, &format!("{p}/rootHash"))?;
    let mut hashes = Vec::new();
    if let Some(list) = o.get("hashes") {
        let list = list.as_array().ok_or_else(|| r.err(&format!("{p}/hashes"), "expected an array"))?;
        if list.len() > MAX_PROOF_HASHES {
            return Err(
                r.err(&format!("{p}/hashes"), format!("{} hashes exceed {MAX_PROOF_HASHES}", list.len()))
            );
        }
        for (i, h) in list.iter().enumerate() {
            hashes.push(r.bytes(h, &format!("{p}/hashes/{i}"))?);
        }
    }
    let checkpoint = match o.get("checkpoint") {
        Some(c) => {
            let c = r.object(c, &format!("{p}/checkpoint"))?;
            c.get("envelope").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
        }
        None => None,
    };
    Ok(InclusionProof { log_index, root_hash, tree_size, hashes, checkpoint })
}

fn read_message_signature(r: &Reader, v: &Value) -> R<Content> {
    let p = "/messageSignature";
    let o = r.object(v, p)?;
    let digest = match o.get("messageDigest") {
        Some(md) => {
            let mp = format!("{p}/messageDigest");
            let md = r.object(md, &mp)?;
            let alg = md.get("algorithm").and_then(Value::as_str).unwrap_or("HASH_ALGORITHM_UNSPECIFIED");
            let d = r.bytes(r.member(md, "digest", &mp)?, &format!("{mp}/digest"))?;
            Some((alg.to_owned(), d))
        }
        None => None,
    };
    let signature = r.bytes(r.member(o, "signature", p)?, &format!("{p}/signature"))?;
    Ok(Content::MessageSignature { digest, signature })
}

fn read_dsse(r: &Reader, v: &Value) -> R<Dsse> {
    let p = "/dsseEnvelope";
    let o = r.object(v, p)?;
    let payload = r.bytes(r.member(o, "payload", p)?, &format!("{p}/payload"))?;
    let payload_type = r.string(r.member(o, "payloadType", p)?, &format!("{p}/payloadType"))?.to_owned();
    let list =
        r.member(o, "signatures", p)?.as_array().ok_or_else(|| r.err(p, "signatures is not an array"))?;
    if list.len() > 64 {
        return Err(r.err(&format!("{p}/signatures"), format!("{} signatures", list.len())));
    }
    let mut signatures = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let sp = format!("{p}/signatures/{i}");
        let s = r.object(s, &sp)?;
        let keyid = s.get("keyid").and_then(Value::as_str).unwrap_or_default().to_owned();
        signatures.push((keyid, r.bytes(r.member(s, "sig", &sp)?, &format!("{sp}/sig"))?));
    }
    Ok(Dsse { payload, payload_type, signatures })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conformance(case: &str) -> Vec<u8> {
        let path = format!(
            "{}/fixtures/sigstore/sigstore-conformance/bundle-verify/{case}/bundle.sigstore.json",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).unwrap()
    }

    #[test]
    fn reads_the_three_versions() {
        let b = Bundle::parse(&conformance("happy-path-v0.1"), "b").unwrap();
        assert_eq!(b.version, Some(BundleVersion::V01));
        assert!(matches!(b.material, Material::Chain(ref c) if c.len() == 1));
        assert_eq!(b.tlog_entries[0].log_index, 27246492);
        assert_eq!(b.tlog_entries[0].proof.as_ref().unwrap().log_index, 23083061);
        assert!(b.structure_problems().is_empty());
        let b = Bundle::parse(&conformance("happy-path-v0.3-new-mediaType"), "b").unwrap();
        assert_eq!(b.version, Some(BundleVersion::V03));
        let b = Bundle::parse(&conformance("happy-path-intoto-in-dsse-v3"), "b").unwrap();
        assert!(
            matches!(b.content, Content::Dsse(ref d) if d.payload_type == "application/vnd.in-toto+json")
        );
    }

    #[test]
    fn malformed_inputs_say_where() {
        let e = Bundle::parse(&conformance("bundle-invalid-base64-signature_fail"), "b").unwrap_err();
        assert_eq!(e.location.pointer, "/messageSignature/signature");
        assert!(Bundle::parse(&conformance("bundle-malformed-json_fail"), "b").is_err());
        let b = Bundle::parse(&conformance("bundle-negative-log-index_fail"), "b").unwrap();
        assert!(b.structure_problems()[0].message.contains("negative"));
        let b = Bundle::parse(&conformance("bundle-unknown-version_fail"), "b").unwrap();
        assert!(b.structure_problems()[0].message.contains("media type"));
        let b = Bundle::parse(&conformance("bundle-empty-certificate-chain_fail"), "b").unwrap();
        assert!(b.structure_problems()[0].message.contains("empty"));
    }
}
