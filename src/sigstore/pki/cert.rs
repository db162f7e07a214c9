//! A Fulcio leaf certificate: validity, identity (SANs, OIDC issuer, the
//! workflow claims of Fulcio's OID arc) and the key-usage checks.

use der::asn1::{Ia5String, ObjectIdentifier, Utf8StringRef};
use der::{Decode as _, Encode as _};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};

use super::error::PkiError;
use super::oids;

/// A parsed certificate with what the checks read from it.
#[derive(Debug, Clone)]
pub struct LeafCertificate {
    cert: Certificate,
    spki_der: Vec<u8>,
}

/// One subjectAltName value, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SanValue {
    Email(String),
    Uri(String),
    /// otherName 1.3.6.1.4.1.57264.1.7 (Fulcio's username identities).
    OtherName(String),
    Dns(String),
}

impl SanValue {
    pub fn value(&self) -> &str {
        match self {
            Self::Email(v) | Self::Uri(v) | Self::OtherName(v) | Self::Dns(v) => v,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Email(_) => "email",
            Self::Uri(_) => "URI",
            Self::OtherName(_) => "otherName",
            Self::Dns(_) => "DNS",
        }
    }
}

/// Who the certificate was issued to, as Fulcio records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub sans: Vec<SanValue>,
    /// OIDC issuer: 1.3.6.1.4.1.57264.1.8 (UTF8String), else 1.1 (raw bytes).
    pub oidc_issuer: Option<String>,
    /// Every Fulcio claim present (1.1–1.22), in OID order, by its name.
    pub claims: Vec<FulcioClaim>,
}

/// One extension of Fulcio's arc 1.3.6.1.4.1.57264.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulcioClaim {
    /// The last arc: 1 for 1.3.6.1.4.1.57264.1.1.
    pub arc: u32,
    pub oid: String,
    pub name: &'static str,
    pub value: String,
}

/// Fulcio's extensions by their last arc, with their OID and name
/// (sigstore/fulcio docs/oid-info.md). Arcs 1–6 are the deprecated
/// raw-bytes claims; 8 onwards are DER UTF8Strings.
const CLAIMS: [(u8, &str, &str); 21] = [
    (1, "1.3.6.1.4.1.57264.1.1", "Issuer (V1)"),
    (2, "1.3.6.1.4.1.57264.1.2", "GitHub Workflow Trigger"),
    (3, "1.3.6.1.4.1.57264.1.3", "GitHub Workflow SHA"),
    (4, "1.3.6.1.4.1.57264.1.4", "GitHub Workflow Name"),
    (5, "1.3.6.1.4.1.57264.1.5", "GitHub Workflow Repository"),
    (6, "1.3.6.1.4.1.57264.1.6", "GitHub Workflow Ref"),
    (8, "1.3.6.1.4.1.57264.1.8", "Issuer (V2)"),
    (9, "1.3.6.1.4.1.57264.1.9", "Build Signer URI"),
    (10, "1.3.6.1.4.1.57264.1.10", "Build Signer Digest"),
    (11, "1.3.6.1.4.1.57264.1.11", "Runner Environment"),
    (12, "1.3.6.1.4.1.57264.1.12", "Source Repository URI"),
    (13, "1.3.6.1.4.1.57264.1.13", "Source Repository Digest"),
    (14, "1.3.6.1.4.1.57264.1.14", "Source Repository Ref"),
    (15, "1.3.6.1.4.1.57264.1.15", "Source Repository Identifier"),
    (16, "1.3.6.1.4.1.57264.1.16", "Source Repository Owner URI"),
    (17, "1.3.6.1.4.1.57264.1.17", "Source Repository Owner Identifier"),
    (18, "1.3.6.1.4.1.57264.1.18", "Build Config URI"),
    (19, "1.3.6.1.4.1.57264.1.19", "Build Config Digest"),
    (20, "1.3.6.1.4.1.57264.1.20", "Build Trigger"),
    (21, "1.3.6.1.4.1.57264.1.21", "Run Invocation URI"),
    (22, "1.3.6.1.4.1.57264.1.22", "Source Repository Visibility At Signing"),
];

/// The OID and name of Fulcio's claim `arc`.
fn claim(arc: u8) -> Option<(&'static str, &'static str)> {
    CLAIMS.iter().find(|(a, _, _)| *a == arc).map(|&(_, oid, name)| (oid, name))
}

pub(crate) fn unix_to_datetime(d: std::time::Duration) -> OffsetDateTime {
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl LeafCertificate {
    pub fn parse(der: &[u8]) -> Result<Self, PkiError> {
        let cert = Certificate::from_der(der).map_err(|e| PkiError::malformed("leaf certificate", e))?;
        let spki_der = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| PkiError::malformed("leaf certificate public key", e))?;
        Ok(Self { cert, spki_der })
    }

    pub fn not_before(&self) -> OffsetDateTime {
        unix_to_datetime(self.cert.tbs_certificate().validity().not_before.to_unix_duration())
    }

    pub fn not_after(&self) -> OffsetDateTime {
        unix_to_datetime(self.cert.tbs_certificate().validity().not_after.to_unix_duration())
    }

    /// Whether `at` lies in [notBefore, notAfter] (RFC 5280 §4.1.2.5: inclusive).
    pub fn valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before() <= at && at <= self.not_after()
    }

    pub fn serial_hex(&self) -> String {
        hex::encode(self.cert.tbs_certificate().serial_number().as_bytes())
    }

    pub fn issuer_dn(&self) -> String {
        self.cert.tbs_certificate().issuer().to_string()
    }

    pub fn subject_dn(&self) -> String {
        self.cert.tbs_certificate().subject().to_string()
    }

    /// The SubjectPublicKeyInfo DER, for [`super::verify_signature`].
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    fn extension(&self, oid: ObjectIdentifier) -> Option<&x509_cert::ext::Extension> {
        self.cert.tbs_certificate().extensions()?.iter().find(|e| e.extn_id == oid)
    }

    fn decode_ext<'a, T: der::Decode<'a>>(&'a self, oid: ObjectIdentifier) -> Option<Result<T, PkiError>> {
        self.extension(oid).map(|e| {
            T::from_der(e.extn_value.as_bytes())
                .map_err(|err| PkiError::malformed("certificate extension", err))
        })
    }

    pub fn identity(&self) -> Identity {
        let mut id = Identity::default();
        if let Some(Ok(san)) = self.decode_ext::<SubjectAltName>(oids::SUBJECT_ALT_NAME) {
            id.sans = san.0.iter().filter_map(san_value).collect();
        }
        let Some(exts) = self.cert.tbs_certificate().extensions() else {
            return id;
        };
        for ext in exts {
            // A child of Fulcio's arc is its encoding and one more arc; every
            // claim's arc is below 128, one byte (a longer arc names none).
            let Some(&[arc]) = ext.extn_id.as_bytes().strip_prefix(oids::FULCIO_ARC.as_bytes()) else {
                continue;
            };
            let Some((oid, name)) = claim(arc) else { continue };
            let (arc, oid) = (u32::from(arc), oid.to_owned());
            let raw = ext.extn_value.as_bytes();
            let value = if arc <= 6 {
                String::from_utf8_lossy(raw).into_owned()
            } else {
                match Utf8StringRef::from_der(raw) {
                    Ok(s) => s.as_str().to_owned(),
                    // A claim that is not the UTF8String Fulcio writes is shown as its bytes.
                    Err(_) => String::from_utf8_lossy(raw).into_owned(),
                }
            };
            id.claims.push(FulcioClaim { arc, oid, name, value });
        }
        id.claims.sort_by_key(|c| c.arc);
        id.oidc_issuer = id
            .claims
            .iter()
            .find(|c| c.arc == 8)
            .or_else(|| id.claims.iter().find(|c| c.arc == 1))
            .map(|c| c.value.clone());
        id
    }

    /// The leaf-only checks webpki leaves to us: KeyUsage digitalSignature,
    /// ExtendedKeyUsage codeSigning, a SAN (critical when the subject is empty).
    pub fn check_key_usage(&self) -> Result<(), PkiError> {
        let fail = |check, expected: &str, actual: String| PkiError::KeyUsage {
            serial: self.serial_hex(),
            check,
            expected: expected.to_owned(),
            actual,
        };
        match self.decode_ext::<KeyUsage>(oids::KEY_USAGE) {
            None => return Err(fail("key usage", "digitalSignature", "no KeyUsage extension".into())),
            Some(Err(e)) => return Err(e),
            Some(Ok(ku)) if !ku.digital_signature() => {
                return Err(fail("key usage", "digitalSignature", key_usage_names(&ku)));
            }
            Some(Ok(_)) => {}
        }
        match self.decode_ext::<ExtendedKeyUsage>(oids::EXT_KEY_USAGE) {
            None => return Err(fail("extended key usage", "codeSigning (1.3.6.1.5.5.7.3.3)", "none".into())),
            Some(Err(e)) => return Err(e),
            Some(Ok(eku)) if !eku.0.contains(&oids::CODE_SIGNING) => {
                let found: Vec<String> = eku.0.iter().map(ToString::to_string).collect();
                return Err(fail("extended key usage", "codeSigning (1.3.6.1.5.5.7.3.3)", found.join(", ")));
            }
            Some(Ok(_)) => {}
        }
        let Some(san) = self.extension(oids::SUBJECT_ALT_NAME) else {
            return Err(fail("subject alternative name", "a SAN extension", "none".into()));
        };
        let subject_empty = self.cert.tbs_certificate().subject().is_empty();
        if subject_empty && !san.critical {
            return Err(fail(
                "subject alternative name",
                "a critical SAN (the subject is empty; RFC 5280 §4.2.1.6)",
                "a non-critical SAN".into(),
            ));
        }
        Ok(())
    }

    /// Whether BasicConstraints says CA: a bundle must not carry a CA as its leaf.
    pub fn is_ca(&self) -> bool {
        matches!(self.decode_ext::<BasicConstraints>(oids::BASIC_CONSTRAINTS), Some(Ok(bc)) if bc.ca)
    }

    /// Whether the ExtendedKeyUsage lists `eku`.
    pub(crate) fn has_eku(&self, eku: ObjectIdentifier) -> bool {
        matches!(self.decode_ext::<ExtendedKeyUsage>(oids::EXT_KEY_USAGE), Some(Ok(e)) if e.0.contains(&eku))
    }
}

fn ia5(s: &Ia5String) -> String {
    s.to_string()
}

fn san_value(name: &GeneralName) -> Option<SanValue> {
    match name {
        GeneralName::Rfc822Name(s) => Some(SanValue::Email(ia5(s))),
        GeneralName::UniformResourceIdentifier(s) => Some(SanValue::Uri(ia5(s))),
        GeneralName::DnsName(s) => Some(SanValue::Dns(ia5(s))),
        GeneralName::OtherName(other) if other.type_id == oids::FULCIO_OTHERNAME_SAN => {
            other.value.decode_as::<Utf8StringRef>().ok().map(|s| SanValue::OtherName(s.as_str().to_owned()))
        }
        _ => None,
    }
}

fn key_usage_names(ku: &KeyUsage) -> String {
    let names = [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ];
    let set: Vec<&str> = names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
    if set.is_empty() { "no usage".to_owned() } else { set.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_claim_is_named_by_its_oid_under_fulcios_arc() {
        for (arc, oid, _) in CLAIMS {
            let want = ObjectIdentifier::new_unwrap(oid);
            assert_eq!(want.parent(), Some(oids::FULCIO_ARC), "{oid}");
            assert_eq!(want.arcs().last(), Some(u32::from(arc)), "{oid}");
            assert_eq!(oid, format!("{}.{arc}", oids::FULCIO_ARC_TEXT));
        }
    }
}
