//! RFC 6962 §3.2 precertificate SCTs embedded in a Fulcio certificate.
//!
//! The log signed the precertificate, so the signed bytes are rebuilt from
//! the final certificate: its TBSCertificate without the SCT-list extension
//! (re-encoded), and the hash of the issuing CA's key — the CA above a
//! precertificate signing certificate when one issued the precertificate.

use der::asn1::{AnyRef, BitStringRef, OctetStringRef};
use der::{Decode as _, Encode as _};
use time::OffsetDateTime;
use x509_cert::ext::pkix::sct::{
    HashAlgorithm, SignatureAlgorithm, SignedCertificateTimestamp, SignedCertificateTimestampList, Version,
};

use super::cert::LeafCertificate;
use super::chain::ChainPath;
use super::error::PkiError;
use super::signature::{Hash, Padding, Signer, verify_with};
use super::{CtLogKey, oids, rfc3339};

/// The SCT that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SctInfo {
    pub log_id: [u8; 32],
    /// The CT log's `baseUrl` in the trusted root.
    pub log_url: String,
    pub timestamp: OffsetDateTime,
    /// How many SCTs the certificate carries.
    pub embedded: usize,
}

/// A certificate with its parts kept as their encodings, so that dropping
/// one extension re-encodes everything else exactly as it was.
#[derive(der::Sequence)]
struct CertParts<'a> {
    tbs: TbsParts<'a>,
    signature_algorithm: AnyRef<'a>,
    signature: AnyRef<'a>,
}

/// RFC 5280 §4.1 TBSCertificate, fields other than the extensions kept raw,
/// and each extension too: only the SCT list's is read, the others are
/// copied as their bytes (the leaf was already decoded whole by x509-cert).
#[derive(der::Sequence)]
struct TbsParts<'a> {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<AnyRef<'a>>,
    serial_number: AnyRef<'a>,
    signature: AnyRef<'a>,
    issuer: AnyRef<'a>,
    validity: AnyRef<'a>,
    subject: AnyRef<'a>,
    subject_public_key_info: AnyRef<'a>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    issuer_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    subject_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<AnyRef<'a>>>,
}

/// RFC 5280 §4.1 Extension, borrowed from the certificate's bytes.
#[derive(der::Sequence)]
struct ExtensionParts<'a> {
    extn_id: der::asn1::ObjectIdentifier,
    #[asn1(default = "Default::default")]
    critical: bool,
    extn_value: &'a OctetStringRef,
}

/// The TBSCertificate DER of `cert_der` without the SCT-list extension, and that
/// extension's value.
fn precert_tbs(cert_der: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), PkiError> {
    let malformed = |e: der::Error| PkiError::malformed("leaf certificate", e);
    let cert = CertParts::from_der(cert_der).map_err(malformed)?;
    let mut tbs = cert.tbs;
    let mut sct_list = None;
    if let Some(exts) = tbs.extensions.as_mut() {
        let mut found = None;
        // The leaf was decoded whole (every extension well formed): only the
        // one whose encoding starts with the SCT list's OID is decoded again.
        let oid = oids::SCT_LIST.as_bytes();
        for (i, e) in exts.iter().enumerate() {
            if e.value().get(..2) != Some(&[0x06, oid.len() as u8][..]) || !e.value()[2..].starts_with(oid) {
                continue;
            }
            let e: ExtensionParts<'_> = e.decode_as().map_err(malformed)?;
            if e.extn_id == oids::SCT_LIST {
                found = Some((i, e.extn_value.as_bytes().to_vec()));
                break;
            }
        }
        if let Some((i, value)) = found {
            exts.remove(i);
            sct_list = Some(value);
        }
    }
    Ok((tbs.to_der().map_err(malformed)?, sct_list))
}

/// RFC 6962 §3.2 `digitally-signed struct` of a precert entry.
fn signed_bytes(sct: &SignedCertificateTimestamp, issuer_key_hash: &[u8; 32], tbs: &[u8]) -> Option<Vec<u8>> {
    let tbs_len = u32::try_from(tbs.len()).ok().filter(|l| *l < 1 << 24)?;
    let ext = sct.extensions.as_slice();
    let ext_len = u16::try_from(ext.len()).ok()?;
    let mut out = Vec::with_capacity(tbs.len() + ext.len() + 50);
    out.push(0); // sct_version v1
    out.push(0); // signature_type certificate_timestamp
    out.extend_from_slice(&sct.timestamp.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes()); // entry_type precert_entry
    out.extend_from_slice(issuer_key_hash);
    out.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
    out.extend_from_slice(tbs);
    out.extend_from_slice(&ext_len.to_be_bytes());
    out.extend_from_slice(ext);
    Some(out)
}

fn sct_time(ms: u64) -> OffsetDateTime {
    let nanos = i128::from(ms) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Verifies that at least one SCT embedded in the leaf was signed by a CT log
/// of the trusted root, valid at the SCT's time, over this certificate.
pub fn verify_sct(leaf_der: &[u8], path: &ChainPath, ctlogs: &[CtLogKey]) -> Result<SctInfo, PkiError> {
    verify_sct_parsed(&LeafCertificate::parse(leaf_der)?, leaf_der, path, ctlogs)
}

/// [`verify_sct`] with the leaf the caller has already parsed.
pub fn verify_sct_parsed(
    leaf: &LeafCertificate,
    leaf_der: &[u8],
    path: &ChainPath,
    ctlogs: &[CtLogKey],
) -> Result<SctInfo, PkiError> {
    let (tbs, list) = precert_tbs(leaf_der)?;
    let Some(list) = list else {
        return Err(PkiError::NoSct { serial: leaf.serial_hex() });
    };
    let scts = SignedCertificateTimestampList::from_der(&list)
        .map_err(|e| PkiError::malformed("SCT list", e))?
        .parse_timestamps()
        .map_err(|_| PkiError::malformed("SCT list", "not a TLS-encoded list of SCTs (RFC 6962 §3.3)"))?;
    if scts.is_empty() {
        return Err(PkiError::NoSct { serial: leaf.serial_hex() });
    }
    let issuer_der =
        path.certs_der.first().ok_or_else(|| PkiError::malformed("certificate path", "empty"))?;
    // The issuer and the CA above it are the trusted root's: parsed once per run.
    let issuer = super::memo::ca_certificate(issuer_der)?;
    let issuer_key_hash = if issuer.precert_signing {
        let above = path.certs_der.get(1).ok_or_else(|| {
            PkiError::malformed(
                "certificate path",
                "a precertificate signing certificate with no issuer above it",
            )
        })?;
        super::memo::ca_certificate(above)
            .map_err(|_| PkiError::malformed("issuer certificate", "not X.509"))?
            .spki_sha256
    } else {
        issuer.spki_sha256
    };

    let mut reasons = Vec::new();
    for serialized in &scts {
        let sct = match serialized.parse_timestamp() {
            Ok(s) => s,
            Err(_) => {
                reasons.push("an SCT is not TLS-encoded as RFC 6962 §3.2 describes".to_owned());
                continue;
            }
        };
        let log_hex = hex::encode(sct.log_id.key_id);
        let at = sct_time(sct.timestamp);
        if sct.version != Version::V1 {
            reasons.push(format!("SCT from log {log_hex} is not version 1"));
            continue;
        }
        let Some(log) = ctlogs.iter().find(|l| l.log_id == sct.log_id.key_id) else {
            reasons.push(format!("SCT from log {log_hex}, which the trusted root does not list"));
            continue;
        };
        if !log.valid_for.contains(at) {
            reasons.push(format!(
                "SCT from {} at {}, outside the log key's validFor {}",
                log.base_url,
                rfc3339(at),
                log.valid_for.describe()
            ));
            continue;
        }
        if sct.signature.algorithm.hash != HashAlgorithm::Sha256
            || !matches!(
                sct.signature.algorithm.signature,
                SignatureAlgorithm::Ecdsa | SignatureAlgorithm::Rsa
            )
        {
            reasons.push(format!("SCT from {} is not signed with SHA-256 and ECDSA or RSA", log.base_url));
            continue;
        }
        let Some(message) = signed_bytes(&sct, &issuer_key_hash, &tbs) else {
            reasons.push("the certificate is too large for an SCT".to_owned());
            continue;
        };
        let what = format!("SCT from {}", log.base_url);
        match verify_with(
            Signer::TrustedRoot,
            log.spki_der,
            Hash::Sha256,
            Padding::Pkcs1v15,
            &message,
            sct.signature.signature.as_slice(),
            &what,
        ) {
            Ok(()) => {
                return Ok(SctInfo {
                    log_id: sct.log_id.key_id,
                    log_url: log.base_url.to_owned(),
                    timestamp: at,
                    embedded: scts.len(),
                });
            }
            Err(e) => reasons.push(e.to_string()),
        }
    }
    Err(PkiError::Sct { reasons: reasons.join("; ") })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The leaf certificates of some production bundles of the fixtures.
    fn leaves() -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/sigstore/sigstore-conformance/bundle-verify");
        let mut out = Vec::new();
        for case in
            ["happy-path-v0.3", "happy-path-v0.1", "happy-path-intoto-in-dsse-v3", "rekor2-happy-path"]
        {
            let text = std::fs::read_to_string(dir.join(case).join("bundle.sigstore.json")).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let vm = &v["verificationMaterial"];
            let b64 = vm["certificate"]["rawBytes"]
                .as_str()
                .or_else(|| vm["x509CertificateChain"]["certificates"][0]["rawBytes"].as_str())
                .unwrap();
            out.push(base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).unwrap());
        }
        out
    }

    #[derive(der::Sequence)]
    struct WholeCert<'a> {
        tbs: WholeTbs<'a>,
        signature_algorithm: AnyRef<'a>,
        signature: AnyRef<'a>,
    }

    #[derive(der::Sequence)]
    struct WholeTbs<'a> {
        #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
        version: Option<AnyRef<'a>>,
        serial_number: AnyRef<'a>,
        signature: AnyRef<'a>,
        issuer: AnyRef<'a>,
        validity: AnyRef<'a>,
        subject: AnyRef<'a>,
        subject_public_key_info: AnyRef<'a>,
        #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
        issuer_unique_id: Option<BitStringRef<'a>>,
        #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
        subject_unique_id: Option<BitStringRef<'a>>,
        #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
        extensions: Option<Vec<x509_cert::ext::Extension>>,
    }

    #[test]
    fn the_precertificate_is_the_tbs_x509_cert_writes_without_the_sct_list() {
        let leaves = leaves();
        assert!(!leaves.is_empty());
        for der in leaves {
            let (tbs, list) = precert_tbs(&der).unwrap();
            // The same with every extension decoded and re-encoded by x509-cert.
            let whole = WholeCert::from_der(&der).unwrap();
            let mut tbs_whole = whole.tbs;
            let exts = tbs_whole.extensions.as_mut().unwrap();
            let i = exts.iter().position(|e| e.extn_id == oids::SCT_LIST).unwrap();
            let sct = exts.remove(i);
            assert_eq!(tbs, tbs_whole.to_der().unwrap());
            assert_eq!(list.as_deref(), Some(sct.extn_value.as_bytes()));
        }
    }
}
