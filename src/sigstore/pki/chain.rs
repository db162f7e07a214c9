//! RFC 5280 path validation of a certificate to one of the trusted root's
//! authorities at a chosen time, by rustls-webpki. Only the authority's own
//! chain supplies intermediates; the authority's `validFor` window, which
//! webpki knows nothing of, is checked here.

use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm, UnixTime,
};
use time::OffsetDateTime;
use webpki::{EndEntityCert, KeyUsage};

use super::cert::{LeafCertificate, unix_to_datetime};
use super::error::PkiError;
use super::{CaChain, oids, rfc3339};

/// The path a certificate verified along.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPath {
    /// The authority's name (`uri` or subject) as the trusted root gives it.
    pub ca_name: String,
    /// Which of the authorities passed to [`verify_chain`] it is.
    pub ca_index: usize,
    /// The certificates above the leaf, issuer first, trust anchor last.
    pub certs_der: Vec<Vec<u8>>,
}

impl ChainPath {
    /// The certificate that signed the leaf.
    pub fn issuer_der(&self) -> &[u8] {
        &self.certs_der[0]
    }
}

/// Verifies a Fulcio leaf (EKU codeSigning) to a certificate authority
/// whose `validFor` holds `at`, with every certificate valid at `at`.
pub fn verify_chain(leaf_der: &[u8], cas: &[CaChain], at: OffsetDateTime) -> Result<ChainPath, PkiError> {
    verify_path(leaf_der, cas, at, Usage::CodeSigning)
}

/// [`verify_chain`] with the leaf the caller has already parsed (the
/// verifier reads it once per bundle, not once per check).
pub fn verify_chain_parsed(
    leaf: &LeafCertificate,
    leaf_der: &[u8],
    cas: &[CaChain],
    at: OffsetDateTime,
) -> Result<ChainPath, PkiError> {
    verify_parsed_path(leaf, leaf_der, cas, at, Usage::CodeSigning)
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Usage {
    CodeSigning,
    TimeStamping,
}

impl Usage {
    /// webpki applies one EKU rule to every certificate of the path; CAs
    /// without an EKU (GitHub's "Fulcio Intermediate l1") are fine by RFC 5280,
    /// so webpki gets "if present" and the leaf's EKU is required by [`Usage::oid`].
    fn key_usage(self) -> KeyUsage {
        match self {
            Self::CodeSigning => KeyUsage::required_if_present(oids::CODE_SIGNING_DER),
            Self::TimeStamping => KeyUsage::required_if_present(oids::TIME_STAMPING_DER),
        }
    }

    fn oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            Self::CodeSigning => oids::CODE_SIGNING,
            Self::TimeStamping => oids::TIME_STAMPING,
        }
    }

    fn role(self) -> &'static str {
        match self {
            Self::CodeSigning => "certificate authority",
            Self::TimeStamping => "timestamp authority",
        }
    }

    fn eku_name(self) -> &'static str {
        match self {
            Self::CodeSigning => "codeSigning (1.3.6.1.5.5.7.3.3)",
            Self::TimeStamping => "timeStamping (1.3.6.1.5.5.7.3.8)",
        }
    }
}

pub(crate) fn verify_path(
    leaf_der: &[u8],
    cas: &[CaChain],
    at: OffsetDateTime,
    usage: Usage,
) -> Result<ChainPath, PkiError> {
    verify_parsed_path(&LeafCertificate::parse(leaf_der)?, leaf_der, cas, at, usage)
}

fn verify_parsed_path(
    leaf: &LeafCertificate,
    leaf_der: &[u8],
    cas: &[CaChain],
    at: OffsetDateTime,
    usage: Usage,
) -> Result<ChainPath, PkiError> {
    let fail = |reasons: String| PkiError::Chain {
        serial: leaf.serial_hex(),
        role: usage.role(),
        at: rfc3339(at),
        reasons,
    };
    if !leaf.has_eku(usage.oid()) {
        return Err(fail(format!("the certificate's extended key usage lacks {}", usage.eku_name())));
    }
    let leaf_cert = CertificateDer::from(leaf_der);
    let ee = EndEntityCert::try_from(&leaf_cert).map_err(|e| fail(webpki_reason(&e, usage)))?;
    let time =
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(at.unix_timestamp().max(0).unsigned_abs()));
    let mut reasons = Vec::new();
    if cas.is_empty() {
        reasons.push("the trusted root lists none".to_owned());
    }
    for (index, ca) in cas.iter().enumerate() {
        let Some((anchor_der, intermediates)) = ca.certs_der.split_last() else {
            reasons.push(format!("{}: no certificates", ca.name));
            continue;
        };
        if !ca.valid_for.contains(at) {
            reasons.push(format!(
                "{}: validFor {} does not contain {}",
                ca.name,
                ca.valid_for.describe(),
                rfc3339(at)
            ));
            continue;
        }
        // webpki takes an anchor as a key and a name, without its validity.
        if let Some(reason) = anchor_outside(anchor_der, at) {
            reasons.push(format!("{}: {reason}", ca.name));
            continue;
        }
        let anchor_cert = CertificateDer::from(*anchor_der);
        let anchor = match webpki::anchor_from_trusted_cert(&anchor_cert) {
            Ok(a) => a,
            Err(e) => {
                reasons.push(format!("{}: root certificate unusable: {}", ca.name, webpki_reason(&e, usage)));
                continue;
            }
        };
        // A timestamp authority's chain starts with the signing leaf itself.
        let inter: Vec<CertificateDer> =
            intermediates.iter().filter(|c| **c != leaf_der).map(|c| CertificateDer::from(*c)).collect();
        let anchors = [anchor];
        let remembering: Vec<Remembering> = ALGORITHMS
            .iter()
            .map(|&(inner, twin, fast)| Remembering { inner, twin, fast, trusted: &ca.certs_der })
            .collect();
        let algs: Vec<&dyn SignatureVerificationAlgorithm> =
            remembering.iter().map(|r| r as &dyn SignatureVerificationAlgorithm).collect();
        match ee.verify_for_usage(&algs, &anchors, &inter, time, usage.key_usage(), None, None) {
            Ok(path) => {
                let mut certs_der: Vec<Vec<u8>> =
                    path.intermediate_certificates().map(|c| c.der().as_ref().to_vec()).collect();
                certs_der.push(anchor_der.to_vec());
                return Ok(ChainPath { ca_name: ca.name.to_owned(), ca_index: index, certs_der });
            }
            Err(e) => reasons.push(format!("{}: {}", ca.name, webpki_reason(&e, usage))),
        }
    }
    Err(fail(reasons.join("; ")))
}

/// The algorithms ring's webpki took, in its order, with aws-lc for ECDSA
/// (its P-384 is about three times faster than ring's: the leaf of every
/// production bundle is signed by Fulcio's P-384 intermediate). Each aws-lc
/// one is paired with its ring twin, which debug builds hold it to. The set
/// is ring's, not `webpki::ALL_VERIFICATION_ALGS` with aws-lc (which adds
/// P-521 and SHA-512), so no verdict depends on the library linked.
/// The third member is the aws-lc algorithm webpki's aws-lc one verifies
/// with, for checking with a key aws-lc has parsed before.
type Algorithm = (
    &'static dyn SignatureVerificationAlgorithm,
    Option<&'static dyn SignatureVerificationAlgorithm>,
    Option<&'static aws_lc_rs::signature::EcdsaVerificationAlgorithm>,
);
static ALGORITHMS: &[Algorithm] = {
    use aws_lc_rs::signature as lc;
    use webpki::aws_lc_rs as aws;
    use webpki::ring;
    &[
        (aws::ECDSA_P256_SHA256, Some(ring::ECDSA_P256_SHA256), Some(&lc::ECDSA_P256_SHA256_ASN1)),
        (aws::ECDSA_P256_SHA384, Some(ring::ECDSA_P256_SHA384), Some(&lc::ECDSA_P256_SHA384_ASN1)),
        (aws::ECDSA_P384_SHA256, Some(ring::ECDSA_P384_SHA256), Some(&lc::ECDSA_P384_SHA256_ASN1)),
        (aws::ECDSA_P384_SHA384, Some(ring::ECDSA_P384_SHA384), Some(&lc::ECDSA_P384_SHA384_ASN1)),
        (ring::ED25519, None, None),
        (ring::RSA_PKCS1_2048_8192_SHA256, None, None),
        (ring::RSA_PKCS1_2048_8192_SHA384, None, None),
        (ring::RSA_PKCS1_2048_8192_SHA512, None, None),
        (ring::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS, None, None),
        (ring::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS, None, None),
        (ring::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS, None, None),
        (ring::RSA_PKCS1_3072_8192_SHA384, None, None),
        (ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY, None, None),
        (ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY, None, None),
        (ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY, None, None),
    ]
};

/// One of webpki's algorithms, remembering the signatures it checks over
/// the authority's own certificates: the intermediate→root link is the same
/// for every leaf of a run, the leaf's own signature never is.
#[derive(Debug)]
struct Remembering<'a> {
    inner: &'static dyn SignatureVerificationAlgorithm,
    #[cfg_attr(not(debug_assertions), allow(dead_code, reason = "only debug builds consult the twin"))]
    twin: Option<&'static dyn SignatureVerificationAlgorithm>,
    /// aws-lc's own form of `inner`, when it is ECDSA.
    fast: Option<&'static aws_lc_rs::signature::EcdsaVerificationAlgorithm>,
    trusted: &'a [&'a [u8]],
}

impl Remembering<'_> {
    /// `message` is the to-be-signed part of a certificate of the trusted
    /// root: it sits right after the certificate's SEQUENCE header (2 to 6
    /// bytes), so comparing bytes there is enough, no parsing involved.
    fn over_trusted_certificate(&self, message: &[u8]) -> bool {
        self.trusted.iter().any(|c| (2..=6).any(|at| c.get(at..at + message.len()) == Some(message)))
    }

    /// `public_key` is one of the trusted root's certificates' keys (every
    /// issuer webpki is given is: the bundle supplies no intermediates).
    fn of_trusted_certificate(&self, public_key: &[u8]) -> bool {
        self.trusted.iter().any(|c| memchr::memmem::find(c, public_key).is_some())
    }

    /// `inner`'s check: with a key of the trusted root, on aws-lc's parse of
    /// it kept from an earlier check (which webpki's aws-lc algorithm makes
    /// again for every signature), or the key's table of multiples.
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        let Some(alg) = self.fast.filter(|_| self.of_trusted_certificate(public_key)) else {
            return self.inner.verify_signature(public_key, message, signature);
        };
        // webpki's rule for EC keys (RFC 5480 §2.2: uncompressed or compressed points only).
        if !matches!(public_key.first(), Some(0x02..=0x04)) {
            return Err(InvalidSignature);
        }
        super::signature::root_key_ecdsa(alg, public_key, message, signature)
            .then_some(())
            .ok_or(InvalidSignature)
    }
}

impl SignatureVerificationAlgorithm for Remembering<'_> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let check = || {
            let verdict = self.verify(public_key, message, signature);
            // Debug builds (every test) hold aws-lc to ring on every certificate signature.
            #[cfg(debug_assertions)]
            if let Some(twin) = self.twin {
                assert_eq!(
                    verdict.is_ok(),
                    twin.verify_signature(public_key, message, signature).is_ok(),
                    "aws-lc and ring disagree on a certificate signature"
                );
            }
            verdict
        };
        if !self.over_trusted_certificate(message) {
            return check();
        }
        let (key_alg, sig_alg) = (self.inner.public_key_alg_id(), self.inner.signature_alg_id());
        super::memo::passed_before(
            &[b"webpki", key_alg.as_ref(), sig_alg.as_ref(), public_key, message, signature],
            check,
        )
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.public_key_alg_id()
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.signature_alg_id()
    }

    fn fips(&self) -> bool {
        self.inner.fips()
    }
}

/// Why the anchor certificate is not valid at `at`, if it is not. The
/// anchor is the trusted root's: parsed once per run, not per bundle.
fn anchor_outside(anchor_der: &[u8], at: OffsetDateTime) -> Option<String> {
    let Ok(anchor) = super::memo::ca_certificate(anchor_der) else {
        return Some("the root certificate cannot be read".to_owned());
    };
    (!(anchor.not_before <= at && at <= anchor.not_after)).then(|| {
        format!(
            "the root certificate {} is valid {}..{}, not at {}",
            anchor.subject_dn,
            rfc3339(anchor.not_before),
            rfc3339(anchor.not_after),
            rfc3339(at)
        )
    })
}

fn unix(t: UnixTime) -> String {
    rfc3339(unix_to_datetime(std::time::Duration::from_secs(t.as_secs())))
}

/// webpki's errors in words (its Display is its Debug form). The deprecated
/// unit variants are still what some paths return.
#[allow(deprecated)]
fn webpki_reason(e: &webpki::Error, usage: Usage) -> String {
    use webpki::Error as E;
    match e {
        E::CertExpired { time, not_after } => {
            format!("a certificate expired: notAfter {} is before {}", unix(*not_after), unix(*time))
        }
        E::CertNotValidYet { time, not_before } => {
            format!(
                "a certificate is not yet valid: notBefore {} is after {}",
                unix(*not_before),
                unix(*time)
            )
        }
        E::UnknownIssuer => "no path from the certificate to this authority's root".to_owned(),
        E::InvalidSignatureForPublicKey => {
            "a certificate's signature does not verify with its issuer's key".into()
        }
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => {
            format!("extended key usage {} is missing", usage.eku_name())
        }
        E::CaUsedAsEndEntity => "the leaf is a CA certificate".to_owned(),
        E::EndEntityUsedAsCa => "an end-entity certificate is used as an issuer".to_owned(),
        E::UnsupportedCriticalExtension => {
            "a certificate has a critical extension webpki does not know".into()
        }
        E::PathLenConstraintViolated => "a pathLenConstraint is violated".to_owned(),
        E::NameConstraintViolation => "a name constraint is violated".to_owned(),
        E::BadDer | E::BadDerTime | E::TrailingData(_) => "a certificate is not valid DER".to_owned(),
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "a certificate is signed with an unsupported algorithm".to_owned()
        }
        other => {
            // The variant's name alone, without its fields' Debug text.
            let debug = format!("{other:?}");
            let name: String = debug.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            format!("path validation failed ({name})")
        }
    }
}
