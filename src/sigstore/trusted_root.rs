//! `trusted_root.json` (protobuf-specs `sigstore_trustroot.proto`): the
//! transparency logs, CT logs, certificate authorities and timestamp
//! authorities a verifier trusts, each with its validity window (a closed
//! interval). Also read from inside a `trust_config.json` (`trustedRoot`).

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::bundle::decode_base64;

/// A closed time interval; an absent end is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    pub start: Option<OffsetDateTime>,
    pub end: Option<OffsetDateTime>,
    /// Whether the root gave a `validFor` at all; without one the key or CA
    /// is not limited in time (sigstore-js roots omit it).
    pub given: bool,
}

impl TimeRange {
    /// `start ≤ t ≤ end` (a missing start never contains anything: sigstore
    /// requires it, conformance `trust-root-tlog-missing-validity-start_fail`).
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        if !self.given {
            return true;
        }
        self.start.is_some_and(|s| s <= t) && self.end.is_none_or(|e| t <= e)
    }

    pub fn describe(&self) -> String {
        if !self.given {
            return "unlimited (no validFor)".into();
        }
        let f = |t: Option<OffsetDateTime>, none: &str| t.map_or(none.to_owned(), crate::meta::time::format);
        format!("[{}, {}]", f(self.start, "no start"), f(self.end, "open"))
    }
}

/// A transparency log or a CT log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogInstance {
    pub base_url: String,
    pub hash_algorithm: String,
    /// SubjectPublicKeyInfo DER.
    pub public_key: Vec<u8>,
    pub key_details: String,
    pub valid_for: TimeRange,
    /// `logId.keyId`.
    pub log_id: Vec<u8>,
    /// `checkpointKeyId.keyId` when given (Rekor v2).
    pub checkpoint_key_id: Option<Vec<u8>>,
}

impl LogInstance {
    /// The host of the base URL: a Rekor v2 checkpoint's origin.
    pub fn host(&self) -> &str {
        let rest = self.base_url.split_once("://").map_or(self.base_url.as_str(), |(_, r)| r);
        rest.split(['/', ':']).next().unwrap_or(rest)
    }

    /// Whether the key is Ed25519 (Rekor v2 logs sign with it).
    pub fn is_ed25519(&self) -> bool {
        self.key_details == "PKIX_ED25519" || self.public_key.starts_with(&ED25519_SPKI_PREFIX)
    }

    /// The 4-byte key hint its checkpoint signatures carry: the first bytes
    /// of the log id (Rekor v1: SHA-256 of the SPKI), or for Ed25519 note
    /// keys SHA-256(name ‖ 0x0A ‖ 0x01 ‖ raw key) (C2SP signed-note).
    pub fn checkpoint_key_hints(&self, origin: &str) -> Vec<[u8; 4]> {
        let mut out = Vec::new();
        let mut push = |b: &[u8]| {
            if let Some(h) = b.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok())
                && !out.contains(&h)
            {
                out.push(h);
            }
        };
        push(&self.log_id);
        if let Some(k) = &self.checkpoint_key_id {
            push(k);
        }
        if self.is_ed25519() && self.public_key.len() == ED25519_SPKI_PREFIX.len() + 32 {
            let raw = &self.public_key[ED25519_SPKI_PREFIX.len()..];
            let mut h = Sha256::new();
            h.update(origin.as_bytes());
            h.update([0x0A, 0x01]);
            h.update(raw);
            push(&h.finalize());
        }
        out
    }
}

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410).
pub const ED25519_SPKI_PREFIX: [u8; 12] =
    [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// A certificate or timestamp authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// `uri`, else the subject's common name / organization.
    pub name: String,
    /// Leaf-most first; the last is the trust anchor.
    pub chain: Vec<Vec<u8>>,
    pub valid_for: TimeRange,
}

/// A parsed trusted root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRoot {
    pub media_type: String,
    pub tlogs: Vec<LogInstance>,
    pub ctlogs: Vec<LogInstance>,
    pub certificate_authorities: Vec<Authority>,
    pub timestamp_authorities: Vec<Authority>,
}

impl TrustedRoot {
    /// Parses `trusted_root.json` bytes, or a `trust_config.json` holding one under `trustedRoot`.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() > super::bundle::MAX_BUNDLE_BYTES {
            return Err("trusted root larger than 16 MiB".into());
        }
        let v = crate::meta::json::parse(bytes, "trusted root").map_err(|e| e.message)?;
        let v = v.get("trustedRoot").filter(|t| t.is_object()).unwrap_or(&v);
        Self::from_value(v)
    }

    pub fn from_value(v: &Value) -> Result<Self, String> {
        let o = v.as_object().ok_or("the trusted root is not a JSON object")?;
        let media_type = o.get("mediaType").and_then(Value::as_str).unwrap_or_default().to_owned();
        if !media_type.starts_with("application/vnd.dev.sigstore.trustedroot") {
            return Err(format!("unknown trusted root media type \"{media_type}\""));
        }
        let logs = |key: &str| -> Result<Vec<LogInstance>, String> {
            list(o, key)?
                .iter()
                .enumerate()
                .map(|(i, l)| read_log(l).map_err(|e| format!("{key}[{i}]: {e}")))
                .collect()
        };
        let cas = |key: &str| -> Result<Vec<Authority>, String> {
            list(o, key)?
                .iter()
                .enumerate()
                .map(|(i, a)| read_authority(a).map_err(|e| format!("{key}[{i}]: {e}")))
                .collect()
        };
        Ok(Self {
            media_type,
            tlogs: logs("tlogs")?,
            ctlogs: logs("ctlogs")?,
            certificate_authorities: cas("certificateAuthorities")?,
            timestamp_authorities: cas("timestampAuthorities")?,
        })
    }

    /// The transparency log with this log id.
    pub fn tlog(&self, log_id: &[u8]) -> Option<&LogInstance> {
        self.tlogs.iter().find(|l| l.log_id == log_id)
    }

    /// A short description for findings: which instance this root is.
    pub fn describe(&self) -> String {
        let hosts: Vec<&str> = self.tlogs.iter().map(LogInstance::host).collect();
        let cas: Vec<&str> = self.certificate_authorities.iter().map(|c| c.name.as_str()).collect();
        format!(
            "{} transparency log(s) [{}], {} CA(s) [{}], {} CT log(s), {} TSA(s)",
            self.tlogs.len(),
            hosts.join(", "),
            cas.len(),
            cas.join(", "),
            self.ctlogs.len(),
            self.timestamp_authorities.len()
        )
    }
}

fn list<'v>(o: &'v Map<String, Value>, key: &str) -> Result<&'v [Value], String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(format!("\"{key}\" is not an array")),
    }
}

fn bytes(v: Option<&Value>, what: &str) -> Result<Vec<u8>, String> {
    let s = v.and_then(Value::as_str).ok_or_else(|| format!("{what} is missing"))?;
    decode_base64(s).ok_or_else(|| format!("{what} is not valid base64"))
}

fn time_range(v: Option<&Value>) -> Result<TimeRange, String> {
    let Some(v) = v else { return Ok(TimeRange::default()) };
    let t = |k: &str| -> Result<Option<OffsetDateTime>, String> {
        match v.get(k).and_then(Value::as_str) {
            None => Ok(None),
            Some(s) => {
                parse_time(s).map(Some).ok_or_else(|| format!("validFor.{k} \"{s}\" is not an RFC 3339 time"))
            }
        }
    };
    Ok(TimeRange { start: t("start")?, end: t("end")?, given: true })
}

/// RFC 3339 with optional fractional seconds (protobuf Timestamp JSON).
pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

fn read_log(v: &Value) -> Result<LogInstance, String> {
    let pk = v.get("publicKey").ok_or("publicKey is missing")?;
    let public_key = bytes(pk.get("rawBytes"), "publicKey.rawBytes")?;
    let log_id = bytes(v.get("logId").and_then(|l| l.get("keyId")), "logId.keyId")?;
    let checkpoint_key_id = v
        .get("checkpointKeyId")
        .and_then(|c| c.get("keyId"))
        .map(|k| bytes(Some(k), "checkpointKeyId.keyId"))
        .transpose()?;
    Ok(LogInstance {
        base_url: v.get("baseUrl").and_then(Value::as_str).unwrap_or_default().to_owned(),
        hash_algorithm: v.get("hashAlgorithm").and_then(Value::as_str).unwrap_or("SHA2_256").to_owned(),
        public_key,
        key_details: pk.get("keyDetails").and_then(Value::as_str).unwrap_or_default().to_owned(),
        valid_for: time_range(pk.get("validFor"))?,
        log_id,
        checkpoint_key_id,
    })
}

fn read_authority(v: &Value) -> Result<Authority, String> {
    let certs = v
        .get("certChain")
        .and_then(|c| c.get("certificates"))
        .and_then(Value::as_array)
        .ok_or("certChain.certificates is missing")?;
    if certs.len() > super::bundle::MAX_CHAIN_CERTS {
        return Err(format!("a chain of {} certificates", certs.len()));
    }
    let chain =
        certs.iter().map(|c| bytes(c.get("rawBytes"), "certificate rawBytes")).collect::<Result<_, _>>()?;
    let subject = v.get("subject");
    let name = v
        .get("uri")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .or_else(|| subject.and_then(|s| s.get("commonName")).and_then(Value::as_str))
        .or_else(|| subject.and_then(|s| s.get("organization")).and_then(Value::as_str))
        .unwrap_or("(unnamed)")
        .to_owned();
    Ok(Authority { name, chain, valid_for: time_range(v.get("validFor"))? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prod() -> TrustedRoot {
        let p = format!(
            "{}/fixtures/sigstore/root-signing/targets/trusted_root.json",
            env!("CARGO_MANIFEST_DIR")
        );
        TrustedRoot::parse(&std::fs::read(p).unwrap()).unwrap()
    }

    #[test]
    fn log_ids_are_the_key_digests_and_v2_hints_follow_the_note_rule() {
        let root = prod();
        assert_eq!(root.tlogs.len(), 2);
        for log in &root.tlogs {
            let spki_digest = Sha256::digest(&log.public_key);
            if log.is_ed25519() {
                // Rekor v2: the log id is the note key id of origin + key.
                let hints = log.checkpoint_key_hints(log.host());
                assert!(hints.iter().any(|h| log.log_id.starts_with(h)));
                assert_eq!(log.host(), "log2025-1.rekor.sigstore.dev");
            } else {
                assert_eq!(log.log_id, spki_digest.to_vec());
            }
        }
        assert_eq!(root.ctlogs.len(), 2);
        assert_eq!(root.certificate_authorities.len(), 2);
    }

    #[test]
    fn validity_is_a_closed_interval_that_needs_a_start() {
        let t = |s: &str| parse_time(s).unwrap();
        let r = TimeRange {
            start: Some(t("2020-01-01T00:00:00Z")),
            end: Some(t("2021-01-01T00:00:00Z")),
            given: true,
        };
        assert!(r.contains(t("2021-01-01T00:00:00Z")));
        assert!(r.contains(t("2020-01-01T00:00:00Z")));
        assert!(!r.contains(t("2021-01-01T00:00:01Z")));
        assert!(!TimeRange { start: None, end: None, given: true }.contains(t("2021-01-01T00:00:00Z")));
        assert!(TimeRange::default().contains(t("2021-01-01T00:00:00Z")));
    }
}
