//! RFC 3161 timestamps: a TimeStampResp whose CMS SignedData (RFC 5652)
//! carries a TSTInfo. The CMS structures come from the `cms` crate; the
//! RFC 3161 ones, which no crate on our `der` generation provides, are
//! declared here with `der` derive.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{AnyRef, Int, ObjectIdentifier, OctetString};
use der::{Decode as _, Encode as _, Tagged as _};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectKeyIdentifier;

use super::chain::{Usage, verify_path};
use super::error::PkiError;
use super::signature::{Hash, Padding, Signer, scheme_of, verify_with};
use super::{CaChain, oids, rfc3339};

/// RFC 3161 §2.4.2 `TimeStampResp`.
#[derive(der::Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    time_stamp_token: Option<ContentInfo>,
}

/// RFC 4210 §5.2.3 `PKIStatusInfo`.
#[derive(der::Sequence)]
struct PkiStatusInfo {
    status: Int,
    status_string: Option<Vec<String>>,
    fail_info: Option<der::asn1::BitString>,
}

/// RFC 3161 §2.4.2 `TSTInfo`.
#[derive(der::Sequence)]
struct TstInfo<'a> {
    version: Int,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    /// GeneralizedTime, read by [`parse_gen_time`]: RFC 3161 allows the
    /// fractional seconds that `der`'s GeneralizedTime refuses.
    gen_time: AnyRef<'a>,
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<AnyRef<'a>>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true", constructed = "true")]
    extensions: Option<Vec<x509_cert::ext::Extension>>,
}

#[derive(der::Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(der::Sequence)]
struct Accuracy {
    seconds: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<Int>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<Int>,
}

/// A timestamp that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTimestamp {
    pub gen_time: OffsetDateTime,
    /// The timestamp authority's name in the trusted root.
    pub tsa_name: String,
    /// The TSTInfo serial number, hex.
    pub serial_hex: String,
    /// The hash the imprint uses (`SHA-256`, …).
    pub imprint_hash: &'static str,
    /// Whether the token carried its signing certificate.
    pub embedded_cert: bool,
}

fn malformed(e: impl ToString) -> PkiError {
    PkiError::malformed("RFC 3161 timestamp", e)
}

/// `YYYYMMDDHHMMSS[.f+]Z` as RFC 3161 §2.4.2 writes genTime.
fn parse_gen_time(any: &AnyRef) -> Result<OffsetDateTime, PkiError> {
    if any.tag() != der::Tag::GeneralizedTime {
        return Err(malformed("genTime is not a GeneralizedTime"));
    }
    let text = std::str::from_utf8(any.value()).map_err(|_| malformed("genTime is not text"))?;
    let bad = || malformed(format!("genTime \"{}\" is not YYYYMMDDHHMMSS[.fff]Z", text.escape_debug()));
    let body = text.strip_suffix('Z').ok_or_else(bad)?;
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.len() != 14
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| whole[r].parse::<u32>().map_err(|_| bad());
    let month = time::Month::try_from(u8::try_from(num(4..6)?).map_err(|_| bad())?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(
        i32::try_from(num(0..4)?).map_err(|_| bad())?,
        month,
        num(6..8)? as u8,
    )
    .map_err(|_| bad())?;
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
        digits.parse().map_err(|_| bad())?
    };
    let t = time::Time::from_hms_nano(num(8..10)? as u8, num(10..12)? as u8, num(12..14)? as u8, nanos)
        .map_err(|_| bad())?;
    Ok(time::PrimitiveDateTime::new(date, t).assume_utc())
}

fn hash_of(alg: &AlgorithmIdentifierOwned, what: &'static str) -> Result<Hash, PkiError> {
    Hash::from_oid(&alg.oid).ok_or_else(|| PkiError::unsupported(what, format!("hash algorithm {}", alg.oid)))
}

/// Whether `cert` is the one `sid` names.
fn is_signer(cert: &Certificate, sid: &SignerIdentifier) -> bool {
    let tbs = cert.tbs_certificate();
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            matches!(tbs.get_extension::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if own == *ski)
        }
    }
}

/// The single attribute value of `oid` among the signed attributes.
fn signed_attr(signer: &SignerInfo, oid: ObjectIdentifier) -> Option<&der::Any> {
    let attrs = signer.signed_attrs.as_ref()?;
    let attr = attrs.iter().find(|a| a.oid == oid)?;
    if attr.values.len() != 1 {
        return None;
    }
    attr.values.iter().next()
}

/// Verifies an RFC 3161 timestamp over `signature` (the bundle's message
/// signature or DSSE signature): status granted, the imprint is the hash of
/// `signature`, the CMS signature by the TSA's certificate (embedded or from
/// the trusted root) with content-type and message-digest signed attributes,
/// and that certificate chains to a timestamp authority — EKU timeStamping,
/// every certificate and the authority's validFor holding genTime.
pub fn verify_timestamp(
    token_der: &[u8],
    signature: &[u8],
    tsas: &[CaChain],
) -> Result<VerifiedTimestamp, PkiError> {
    let resp = TimeStampResp::from_der(token_der).map_err(malformed)?;
    let status = resp.status.status.as_bytes();
    if !(status == [0] || status == [1]) {
        return Err(PkiError::TimestampStatus { status: hex::encode(status) });
    }
    let token = resp.time_stamp_token.ok_or_else(|| malformed("a granted response without a token"))?;
    if token.content_type != oids::SIGNED_DATA {
        return Err(malformed(format!("token content type {} is not SignedData", token.content_type)));
    }
    let signed: SignedData = token.content.decode_as().map_err(malformed)?;
    let encap = &signed.encap_content_info;
    if encap.econtent_type != oids::TST_INFO {
        return Err(malformed(format!("content type {} is not TSTInfo", encap.econtent_type)));
    }
    let econtent = encap.econtent.as_ref().ok_or_else(|| malformed("no TSTInfo in the token"))?;
    let tst_der = econtent.decode_as::<OctetString>().map_err(malformed)?;
    let tst = TstInfo::from_der(tst_der.as_bytes()).map_err(malformed)?;
    let gen_time = parse_gen_time(&tst.gen_time)?;
    let at = rfc3339(gen_time);
    let fail = |check: String| PkiError::Timestamp { gen_time: at.clone(), check };

    let imprint_hash = hash_of(&tst.message_imprint.hash_algorithm, "timestamp imprint")?;
    let expected = imprint_hash.digest(signature);
    if tst.message_imprint.hashed_message.as_bytes() != expected.as_slice() {
        return Err(PkiError::TimestampImprint {
            expected: format!("{}:{}", imprint_hash.name(), hex::encode(&expected)),
            actual: format!(
                "{}:{}",
                imprint_hash.name(),
                hex::encode(tst.message_imprint.hashed_message.as_bytes())
            ),
        });
    }

    let signers = &signed.signer_infos.0;
    if signers.len() != 1 {
        return Err(fail(format!("{} signer infos, expected exactly one", signers.len())));
    }
    let signer = signers.iter().next().ok_or_else(|| fail("no signer info".into()))?;

    // The signed attributes: the content is a TSTInfo, and its digest is signed.
    let content_type = signed_attr(signer, oids::CONTENT_TYPE)
        .and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| fail("the signed attributes lack a single content-type".into()))?;
    if content_type != oids::TST_INFO {
        return Err(fail(format!(
            "signed content-type is {content_type}, expected TSTInfo (1.2.840.113549.1.9.16.1.4)"
        )));
    }
    let digest_hash = hash_of(&signer.digest_alg, "timestamp signer")?;
    let message_digest = signed_attr(signer, oids::MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| fail("the signed attributes lack a single message-digest".into()))?;
    let content_digest = digest_hash.digest(tst_der.as_bytes());
    if message_digest.as_bytes() != content_digest.as_slice() {
        return Err(fail(format!(
            "signed message-digest {} is not the TSTInfo's {} {}",
            hex::encode(message_digest.as_bytes()),
            digest_hash.name(),
            hex::encode(&content_digest)
        )));
    }
    let signed_attrs_der = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| fail("no signed attributes".into()))?
        .to_der()
        .map_err(malformed)?;

    // The signing certificate: embedded in the token, else a TSA leaf of the trusted root.
    let embedded: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(cert) => Some(cert.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let from_root =
        tsas.iter().filter_map(|t| t.certs_der.first()).filter_map(|d| Certificate::from_der(d).ok());
    let embedded_signer = embedded.iter().find(|c| is_signer(c, &signer.sid)).cloned();
    let embedded_cert = embedded_signer.is_some();
    let signer_cert =
        embedded_signer.or_else(|| from_root.into_iter().find(|c| is_signer(c, &signer.sid))).ok_or_else(
            || fail("the signing certificate is neither in the token nor a timestamp authority's".into()),
        )?;
    let signer_der = signer_cert.to_der().map_err(malformed)?;
    let signer_spki = signer_cert.tbs_certificate().subject_public_key_info().to_der().map_err(malformed)?;

    let (hash, padding) = match scheme_of(&signer.signature_algorithm.oid) {
        Some(scheme) => scheme,
        // rsaEncryption and ecPublicKey name the key, not the hash: the digest algorithm does.
        None if signer.signature_algorithm.oid == oids::RSA
            || signer.signature_algorithm.oid == oids::EC_PUBLIC_KEY =>
        {
            (digest_hash, Padding::Pkcs1v15)
        }
        None => {
            return Err(PkiError::unsupported(
                "timestamp signature",
                format!("algorithm {}", signer.signature_algorithm.oid),
            ));
        }
    };
    verify_with(
        Signer::Bundle,
        &signer_spki,
        hash,
        padding,
        &signed_attrs_der,
        signer.signature.as_bytes(),
        "timestamp signature",
    )
    .map_err(|e| fail(e.to_string()))?;

    let path = verify_path(&signer_der, tsas, gen_time, Usage::TimeStamping)?;
    Ok(VerifiedTimestamp {
        gen_time,
        tsa_name: path.ca_name,
        serial_hex: hex::encode(tst.serial_number.as_bytes()),
        imprint_hash: imprint_hash.name(),
        embedded_cert,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen_time(text: &str) -> Result<OffsetDateTime, PkiError> {
        let header = der::Header::new(der::Tag::GeneralizedTime, der::Length::try_from(text.len()).unwrap());
        let mut encoded = header.to_der().unwrap();
        encoded.extend_from_slice(text.as_bytes());
        parse_gen_time(&AnyRef::from_der(&encoded).unwrap())
    }

    #[test]
    fn gen_time_takes_fractional_seconds() {
        assert_eq!(gen_time("20250612120220Z").unwrap(), time::macros::datetime!(2025-06-12 12:02:20 UTC));
        assert_eq!(
            gen_time("20250612120220.5Z").unwrap(),
            time::macros::datetime!(2025-06-12 12:02:20.5 UTC)
        );
        assert_eq!(
            gen_time("20250612120220.123456789Z").unwrap(),
            time::macros::datetime!(2025-06-12 12:02:20.123456789 UTC)
        );
    }

    #[test]
    fn gen_time_refuses_what_rfc_3161_does_not_write() {
        for bad in [
            "20250612120220",
            "2025061212022Z",
            "20251312120220Z",
            "20250612250220Z",
            "2025061212022xZ",
            "20250612120220.Z5",
        ] {
            let err = gen_time(bad).unwrap_err();
            assert!(err.to_string().contains("genTime"), "{bad}: {err}");
        }
        // A UTCTime where a GeneralizedTime belongs.
        let utc = der::asn1::UtcTime::from_unix_duration(std::time::Duration::from_secs(0))
            .unwrap()
            .to_der()
            .unwrap();
        assert!(parse_gen_time(&AnyRef::from_der(&utc).unwrap()).is_err());
    }
}
