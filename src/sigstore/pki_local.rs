//! The part of the Sigstore PKI this branch calls, until `sigstore::pki`
//! (SIGPKI's module: X.509 path validation, SCTs, RFC 3161, the Fulcio
//! extensions) is merged. Same names and shapes as that module's API, so the
//! orchestration switches by changing one `use`. What is here is real:
//! the leaf's key, validity and identity read with `x509-cert`, signatures
//! verified with the project's RustCrypto keys. What is not here —
//! [`verify_chain`], [`verify_sct`], [`verify_timestamp`] — answers
//! [`PkiError::Unavailable`], which the orchestration reports as a check
//! that could not be performed (an error: never a pass).

use der::{Decode as _, Encode as _};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

use crate::crypto::PublicKey;

/// Why a PKI operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PkiError {
    Parse(String),
    Signature(String),
    /// The check needs the PKI module, which this build does not have.
    Unavailable(&'static str),
}

impl std::fmt::Display for PkiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Parse(m) | Self::Signature(m) => f.write_str(m),
            Self::Unavailable(what) => write!(f, "{what} is not available in this build (sigstore::pki not merged)"),
        }
    }
}

/// A closed validity window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Validity {
    pub start: Option<OffsetDateTime>,
    pub end: Option<OffsetDateTime>,
}

pub struct CaChain<'a> {
    pub name: &'a str,
    pub certs_der: Vec<&'a [u8]>,
    pub valid_for: Validity,
}

pub struct CtLogKey<'a> {
    pub log_id: [u8; 32],
    pub spki_der: &'a [u8],
    pub valid_for: Validity,
    pub base_url: &'a str,
}

/// The CA a leaf chained to.
pub struct ChainPath {
    pub ca_name: String,
}

pub struct SctInfo {
    pub log: String,
}

pub struct VerifiedTimestamp {
    pub gen_time: OffsetDateTime,
    pub tsa: String,
}

/// The leaf's identity: SAN values and the OIDC issuer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub sans: Vec<String>,
    pub issuer: Option<String>,
}

pub struct LeafCertificate {
    spki: Vec<u8>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    identity: Identity,
}

const OID_ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";
const OID_ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";
const OID_OTHERNAME_SAN: &str = "1.3.6.1.4.1.57264.1.7";

fn to_time(t: x509_cert::time::Time) -> OffsetDateTime {
    let secs = t.to_unix_duration().as_secs();
    OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl LeafCertificate {
    pub fn parse(der_bytes: &[u8]) -> Result<Self, PkiError> {
        let cert = Certificate::from_der(der_bytes).map_err(|e| PkiError::Parse(format!("not an X.509 certificate: {e}")))?;
        let tbs = cert.tbs_certificate();
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|e| PkiError::Parse(format!("unreadable public key: {e}")))?;
        let mut identity = Identity::default();
        if let Ok(Some((_, san))) = tbs.get_extension::<SubjectAltName>() {
            for name in san.0 {
                match name {
                    GeneralName::Rfc822Name(s) | GeneralName::UniformResourceIdentifier(s) => {
                        identity.sans.push(s.to_string())
                    }
                    GeneralName::OtherName(o) if o.type_id.to_string() == OID_OTHERNAME_SAN => {
                        if let Ok(s) = o.value.decode_as::<der::asn1::Utf8StringRef>() {
                            identity.sans.push(s.as_str().to_owned());
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut v1 = None;
        for ext in tbs.extensions().into_iter().flatten() {
            let oid = ext.extn_id.to_string();
            let raw = ext.extn_value.as_bytes();
            if oid == OID_ISSUER_V2 {
                if let Ok(s) = der::asn1::Utf8StringRef::from_der(raw) {
                    identity.issuer = Some(s.as_str().to_owned());
                }
            } else if oid == OID_ISSUER_V1 {
                v1 = Some(String::from_utf8_lossy(raw).into_owned());
            }
        }
        if identity.issuer.is_none() {
            identity.issuer = v1;
        }
        Ok(Self {
            spki,
            not_before: to_time(tbs.validity().not_before),
            not_after: to_time(tbs.validity().not_after),
            identity,
        })
    }

    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    pub fn identity(&self) -> Identity {
        self.identity.clone()
    }

    pub fn check_key_usage(&self) -> Result<(), PkiError> {
        Err(PkiError::Unavailable("the key-usage check"))
    }
}

pub fn verify_chain(_leaf_der: &[u8], _cas: &[CaChain], _at: OffsetDateTime) -> Result<ChainPath, PkiError> {
    Err(PkiError::Unavailable("certificate path validation"))
}

pub fn verify_sct(_leaf_der: &[u8], _path: &ChainPath, _ctlogs: &[CtLogKey]) -> Result<SctInfo, PkiError> {
    Err(PkiError::Unavailable("SCT verification"))
}

pub fn verify_timestamp(_token_der: &[u8], _signature: &[u8], _tsas: &[CaChain]) -> Result<VerifiedTimestamp, PkiError> {
    Err(PkiError::Unavailable("RFC 3161 timestamp verification"))
}

/// A key from SPKI DER.
pub fn public_key(spki_der: &[u8]) -> Result<PublicKey, PkiError> {
    let pem = der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, spki_der)
        .map_err(|e| PkiError::Parse(e.to_string()))?;
    PublicKey::from_pem(&pem).map_err(|e| PkiError::Parse(e.to_string()))
}

/// ECDSA (DER signature, the curve's hash), Ed25519, RSA over `message`.
pub fn verify_signature(spki_der: &[u8], message: &[u8], sig: &[u8]) -> Result<(), PkiError> {
    let key = public_key(spki_der)?;
    let key = rsa_pkcs1_for_sigstore(key);
    key.verify(message, sig).map_err(|e| PkiError::Signature(e.to_string()))
}

/// Sigstore's RSA keys sign PKCS#1 v1.5 with SHA-256; securesystemslib's
/// default for an RSA PEM is PSS.
fn rsa_pkcs1_for_sigstore(key: PublicKey) -> PublicKey {
    if key.keytype != "rsa" {
        return key;
    }
    let mut dict = key.dict.clone();
    dict["scheme"] = "rsa-pkcs1v15-sha256".into();
    PublicKey::from_dict(&dict).unwrap_or(key)
}

/// ECDSA over a SHA-256/384 digest given instead of the message.
pub fn verify_prehashed(spki_der: &[u8], digest: &[u8], sig: &[u8]) -> Result<(), PkiError> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
    use spki::DecodePublicKey as _;
    if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(spki_der) {
        let s = p256::ecdsa::Signature::from_der(sig).map_err(|_| PkiError::Signature("not a DER ECDSA signature".into()))?;
        return k.verify_prehash(digest, &s).map_err(|_| PkiError::Signature("signature does not verify".into()));
    }
    if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_der(spki_der) {
        let s = p384::ecdsa::Signature::from_der(sig).map_err(|_| PkiError::Signature("not a DER ECDSA signature".into()))?;
        return k.verify_prehash(digest, &s).map_err(|_| PkiError::Signature("signature does not verify".into()));
    }
    Err(PkiError::Signature("only ECDSA keys verify a signature over a digest".into()))
}

/// Whether a certificate is self-issued (subject = issuer): a root CA, which
/// a bundle must not carry (the trusted root holds the anchors).
pub fn is_self_issued(der_bytes: &[u8]) -> bool {
    Certificate::from_der(der_bytes).is_ok_and(|c| c.tbs_certificate().issuer() == c.tbs_certificate().subject())
}
