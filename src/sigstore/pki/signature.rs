//! Signature checks over a key given as SubjectPublicKeyInfo DER: ECDSA
//! P-256/P-384 (DER signatures), Ed25519, RSA PKCS#1 v1.5 and PSS.
//!
//! ECDSA goes through aws-lc first (P-256 several times faster than
//! RustCrypto's p256, P-384 about three times faster than ring's, and the
//! bulk of a bundle's cost). aws-lc only answers "valid" or "not": when it
//! says "not", or the fast path does not take the key (a compressed point, a
//! SHA-512 digest, a prehashed message), the RustCrypto path decides and
//! words the error, so a verdict never depends on which library ran.

use der::Decode as _;
use sha2::Digest as _;
use signature::Verifier as _;
use signature::hazmat::PrehashVerifier as _;
use spki::SubjectPublicKeyInfoRef;

use super::error::PkiError;
use super::oids;

/// The hash a signature is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(crate) fn from_oid(oid: &der::asn1::ObjectIdentifier) -> Option<Self> {
        match *oid {
            oids::SHA256 => Some(Self::Sha256),
            oids::SHA384 => Some(Self::Sha384),
            oids::SHA512 => Some(Self::Sha512),
            _ => None,
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }
}

/// How the signature is padded, for RSA keys; ECDSA and Ed25519 ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Padding {
    Pkcs1v15,
    Pss,
}

enum Key {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(Box<rsa::PublicKey>),
}

fn parse_key(spki_der: &[u8]) -> Result<Key, PkiError> {
    let info =
        SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|e| PkiError::malformed("public key", e))?;
    let raw = info.subject_public_key.raw_bytes();
    match info.algorithm.oid {
        oids::EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                .ok_or_else(|| PkiError::malformed("EC public key", "no named curve"))?;
            match curve {
                oids::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(raw)
                    .map(Key::P256)
                    .map_err(|_| PkiError::malformed("P-256 public key", "not a point on the curve")),
                oids::P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(raw)
                    .map(Key::P384)
                    .map_err(|_| PkiError::malformed("P-384 public key", "not a point on the curve")),
                other => Err(PkiError::unsupported("EC public key", format!("curve {other}"))),
            }
        }
        oids::ED25519 => {
            let bytes: [u8; 32] =
                raw.try_into().map_err(|_| PkiError::malformed("Ed25519 public key", "not 32 bytes"))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(Key::Ed25519)
                .map_err(|_| PkiError::malformed("Ed25519 public key", "not a valid point"))
        }
        oids::RSA => rsa::PublicKey::try_from(info)
            .map(|k| Key::Rsa(Box::new(k)))
            .map_err(|e| PkiError::malformed("RSA public key", e)),
        other => Err(PkiError::unsupported("public key", format!("algorithm {other}"))),
    }
}

fn bad(what: &str) -> PkiError {
    PkiError::BadSignature { what: what.to_owned() }
}

/// The curve and the uncompressed point of an ECDSA key, if `spki_der` is
/// one the fast path can take (P-256 or P-384, SEC1 uncompressed form).
fn fast_ec_key(spki_der: &[u8]) -> Option<(der::asn1::ObjectIdentifier, &[u8])> {
    let info = SubjectPublicKeyInfoRef::from_der(spki_der).ok()?;
    if info.algorithm.oid != oids::EC_PUBLIC_KEY {
        return None;
    }
    let curve = info.algorithm.parameters?.decode_as::<der::asn1::ObjectIdentifier>().ok()?;
    let point = info.subject_public_key.as_bytes()?;
    (point.first() == Some(&0x04)).then_some((curve, point))
}

/// aws-lc's verdict on an ECDSA signature over `message` hashed with `hash`:
/// `Some(true)` valid, `Some(false)` aws-lc rejects it, `None` the fast path
/// does not take this key or hash (the set ring took before it, so no
/// verdict depends on which library is linked).
fn fast_ecdsa(spki_der: &[u8], hash: Hash, message: &[u8], sig: &[u8]) -> Option<bool> {
    fast_ecdsa_by(Signer::Bundle, spki_der, hash, message, sig)
}

/// Whose key a signature is checked with: the trusted root's keys are few
/// and the same for every bundle, so aws-lc's parse of them is kept, and
/// one that checks many signatures gets a table of its multiples.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signer {
    Bundle,
    TrustedRoot,
}

/// aws-lc's verdict on a signature by a key of the trusted root (its CAs'
/// and logs'): through the key's table of multiples once it has one
/// (P-256 with SHA-256, P-384 with SHA-384; a table's "valid" is a verdict,
/// its "not" is left to aws-lc), else on aws-lc's parse of the key kept from
/// an earlier check. A key aws-lc rejects fails the check either way.
pub(crate) fn root_key_ecdsa(
    alg: &'static aws_lc_rs::signature::EcdsaVerificationAlgorithm,
    point: &[u8],
    message: &[u8],
    sig: &[u8],
) -> bool {
    use crate::crypto::ecdsa_table::Curve;
    use aws_lc_rs::signature as aws;
    let curve = if *alg == aws::ECDSA_P256_SHA256_ASN1 {
        Some(Curve::P256)
    } else if *alg == aws::ECDSA_P384_SHA384_ASN1 {
        Some(Curve::P384)
    } else {
        None
    };
    if let Some(curve) = curve
        && super::memo::with_ecdsa_table(curve, point, |t| t.verify(message, sig)) == Some(true)
    {
        #[cfg(debug_assertions)]
        assert!(
            aws::UnparsedPublicKey::new(alg, point).verify(message, sig).is_ok(),
            "an ECDSA table accepted a signature aws-lc rejects"
        );
        return true;
    }
    super::memo::with_parsed_key(alg, point, |k| k.verify_sig(message, sig).is_ok()).unwrap_or(false)
}

fn fast_ecdsa_by(signer: Signer, spki_der: &[u8], hash: Hash, message: &[u8], sig: &[u8]) -> Option<bool> {
    use aws_lc_rs::signature as aws;
    let (curve, point) = fast_ec_key(spki_der)?;
    let alg: &'static aws::EcdsaVerificationAlgorithm = match (curve, hash) {
        (oids::P256, Hash::Sha256) => &aws::ECDSA_P256_SHA256_ASN1,
        (oids::P256, Hash::Sha384) => &aws::ECDSA_P256_SHA384_ASN1,
        (oids::P384, Hash::Sha256) => &aws::ECDSA_P384_SHA256_ASN1,
        (oids::P384, Hash::Sha384) => &aws::ECDSA_P384_SHA384_ASN1,
        _ => return None,
    };
    let ok = match signer {
        Signer::Bundle => aws::UnparsedPublicKey::new(alg, point).verify(message, sig).is_ok(),
        Signer::TrustedRoot => root_key_ecdsa(alg, point, message, sig),
    };
    // Debug builds (every test) hold aws-lc to the RustCrypto path: the
    // corpus and scenario tests are the differential test.
    #[cfg(debug_assertions)]
    if ok {
        let key = parse_key(spki_der).expect("aws-lc accepted a key RustCrypto cannot read");
        assert!(
            ecdsa_prehash(&key, &hash.digest(message), sig, "signature").is_ok(),
            "aws-lc accepted an ECDSA signature RustCrypto rejects"
        );
    }
    Some(ok)
}

/// The ECDSA curve of a key, when it is one: the hash its scheme implies.
fn ecdsa_default_hash(spki_der: &[u8]) -> Option<Hash> {
    match fast_ec_key(spki_der)?.0 {
        oids::P256 => Some(Hash::Sha256),
        oids::P384 => Some(Hash::Sha384),
        _ => None,
    }
}

/// Checks `sig` over `message` with the scheme the key implies: ECDSA P-256
/// with SHA-256, P-384 with SHA-384, Ed25519, RSA PKCS#1 v1.5 or PSS with SHA-256.
pub fn verify_signature(spki_der: &[u8], message: &[u8], sig: &[u8]) -> Result<(), PkiError> {
    verify_signature_by(Signer::Bundle, spki_der, message, sig)
}

/// [`verify_signature`] with a key of the trusted root (a log's).
pub(crate) fn verify_signature_by_root_key(
    spki_der: &[u8],
    message: &[u8],
    sig: &[u8],
) -> Result<(), PkiError> {
    verify_signature_by(Signer::TrustedRoot, spki_der, message, sig)
}

fn verify_signature_by(signer: Signer, spki_der: &[u8], message: &[u8], sig: &[u8]) -> Result<(), PkiError> {
    if let Some(hash) = ecdsa_default_hash(spki_der)
        && fast_ecdsa_by(signer, spki_der, hash, message, sig) == Some(true)
    {
        return Ok(());
    }
    // aws-lc has had its say: the general path decides, on one parse of the key.
    let key = parse_key(spki_der)?;
    match &key {
        Key::P256(_) => ecdsa_prehash(&key, &Hash::Sha256.digest(message), sig, "signature"),
        Key::P384(_) => ecdsa_prehash(&key, &Hash::Sha384.digest(message), sig, "signature"),
        Key::Ed25519(k) => {
            let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| {
                PkiError::malformed("Ed25519 signature", format!("{} bytes, expected 64", sig.len()))
            })?;
            k.verify(message, &sig).map_err(|_| bad("Ed25519 signature"))
        }
        Key::Rsa(k) => verify_rsa(k, Hash::Sha256, Padding::Pkcs1v15, message, sig)
            .or_else(|()| verify_rsa(k, Hash::Sha256, Padding::Pss, message, sig))
            .map_err(|()| bad("signature")),
    }
}

/// [`verify_signature`] for a check many bundles share (a checkpoint, with
/// a log's key): a pass over the same key, message and signature is remembered.
pub(crate) fn verify_signature_remembered(
    spki_der: &[u8],
    message: &[u8],
    sig: &[u8],
) -> Result<(), PkiError> {
    super::memo::passed_before(&[b"signature", spki_der, message, sig], || {
        verify_signature_by_root_key(spki_der, message, sig)
    })
}

/// Checks an ECDSA signature over SHA-256(`message`), whatever the curve
/// (a `messageSignature` over an artifact file): the same check as
/// [`verify_prehashed`] with its digest, on the faster aws-lc path.
pub fn verify_ecdsa_sha256(spki_der: &[u8], message: &[u8], sig: &[u8]) -> Result<(), PkiError> {
    if fast_ecdsa(spki_der, Hash::Sha256, message, sig) == Some(true) {
        return Ok(());
    }
    verify_prehashed(spki_der, &Hash::Sha256.digest(message), sig)
}

/// Checks an ECDSA signature over a digest the caller computed (a
/// `messageSignature` verified against a `sha256:` input).
pub fn verify_prehashed(spki_der: &[u8], digest: &[u8], sig: &[u8]) -> Result<(), PkiError> {
    if digest.len() != 32 && digest.len() != 48 {
        return Err(PkiError::malformed(
            "digest",
            format!("{} bytes, expected 32 (SHA-256) or 48 (SHA-384)", digest.len()),
        ));
    }
    ecdsa_prehash(&parse_key(spki_der)?, digest, sig, "signature")
}

fn ecdsa_prehash(key: &Key, digest: &[u8], sig: &[u8], what: &str) -> Result<(), PkiError> {
    match key {
        Key::P256(k) => {
            let sig = p256::ecdsa::Signature::from_der(sig)
                .map_err(|_| PkiError::malformed("ECDSA signature", "not a DER-encoded P-256 signature"))?;
            k.verify_prehash(digest, &sig).map_err(|_| bad(what))
        }
        Key::P384(k) => {
            let sig = p384::ecdsa::Signature::from_der(sig)
                .map_err(|_| PkiError::malformed("ECDSA signature", "not a DER-encoded P-384 signature"))?;
            k.verify_prehash(digest, &sig).map_err(|_| bad(what))
        }
        Key::Ed25519(_) => Err(PkiError::unsupported("prehashed signature", "an Ed25519 key")),
        Key::Rsa(_) => Err(PkiError::unsupported("prehashed signature", "an RSA key")),
    }
}

/// Checks `sig` over `message` hashed with `hash`, for signatures whose
/// algorithm is named beside them (CMS signer infos, SCTs, certificates),
/// with a key `signer` holds.
pub(crate) fn verify_with(
    signer: Signer,
    spki_der: &[u8],
    hash: Hash,
    padding: Padding,
    message: &[u8],
    sig: &[u8],
    what: &str,
) -> Result<(), PkiError> {
    if fast_ecdsa_by(signer, spki_der, hash, message, sig) == Some(true) {
        return Ok(());
    }
    let key = parse_key(spki_der)?;
    match &key {
        Key::P256(_) | Key::P384(_) => ecdsa_prehash(&key, &hash.digest(message), sig, what),
        Key::Ed25519(k) => {
            let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| {
                PkiError::malformed("Ed25519 signature", format!("{} bytes, expected 64", sig.len()))
            })?;
            k.verify(message, &sig).map_err(|_| bad(what))
        }
        Key::Rsa(k) => verify_rsa(k, hash, padding, message, sig).map_err(|_| bad(what)),
    }
}

fn verify_rsa(key: &rsa::PublicKey, hash: Hash, padding: Padding, msg: &[u8], sig: &[u8]) -> Result<(), ()> {
    use rsa::{pkcs1v15, pss};
    match padding {
        Padding::Pkcs1v15 => {
            let sig = pkcs1v15::Signature::try_from(sig).map_err(|_| ())?;
            let key = key.clone();
            match hash {
                Hash::Sha256 => pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify(msg, &sig),
                Hash::Sha384 => pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key).verify(msg, &sig),
                Hash::Sha512 => pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key).verify(msg, &sig),
            }
            .map_err(|_| ())
        }
        Padding::Pss => {
            let sig = pss::Signature::try_from(sig).map_err(|_| ())?;
            let key = key.clone();
            match hash {
                Hash::Sha256 => {
                    pss::VerifyingKey::<sha2::Sha256>::new_with_auto_salt_len(key).verify(msg, &sig)
                }
                Hash::Sha384 => {
                    pss::VerifyingKey::<sha2::Sha384>::new_with_auto_salt_len(key).verify(msg, &sig)
                }
                Hash::Sha512 => {
                    pss::VerifyingKey::<sha2::Sha512>::new_with_auto_salt_len(key).verify(msg, &sig)
                }
            }
            .map_err(|_| ())
        }
    }
}

/// The hash and padding a certificate or CMS `signatureAlgorithm` names.
pub(crate) fn scheme_of(alg: &der::asn1::ObjectIdentifier) -> Option<(Hash, Padding)> {
    match *alg {
        oids::ECDSA_SHA256 | oids::SHA256_WITH_RSA => Some((Hash::Sha256, Padding::Pkcs1v15)),
        oids::ECDSA_SHA384 | oids::SHA384_WITH_RSA => Some((Hash::Sha384, Padding::Pkcs1v15)),
        oids::ECDSA_SHA512 | oids::SHA512_WITH_RSA => Some((Hash::Sha512, Padding::Pkcs1v15)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signature::hazmat::PrehashSigner as _;

    /// The verdict of the RustCrypto path alone, as before ring and aws-lc.
    fn rustcrypto(spki: &[u8], hash: Hash, message: &[u8], sig: &[u8]) -> bool {
        parse_key(spki).is_ok_and(|k| ecdsa_prehash(&k, &hash.digest(message), sig, "signature").is_ok())
    }

    /// Variants of a valid signature: itself, one byte in five flipped in turn
    /// (headers, lengths, r and s; debug-build RustCrypto is slow),
    /// truncated, with a byte appended.
    fn variants(sig: &[u8]) -> Vec<Vec<u8>> {
        let mut out = vec![sig.to_vec()];
        for i in (0..sig.len()).step_by(5) {
            let mut v = sig.to_vec();
            v[i] ^= 0x01;
            out.push(v);
        }
        out.push(sig[..sig.len() - 1].to_vec());
        out.push([sig, &[0]].concat());
        out
    }

    fn agree(spki: &[u8], hash: Hash, message: &[u8], sig: &[u8]) -> usize {
        let mut valid = 0;
        for (i, v) in variants(sig).iter().enumerate() {
            for m in [message.to_vec(), [message, b"!"].concat()] {
                let fast = fast_ecdsa(spki, hash, &m, v).expect("aws-lc takes P-256/P-384 with SHA-256/384");
                assert_eq!(fast, rustcrypto(spki, hash, &m, v), "variant {i}, message {m:?}");
                assert_eq!(fast, ring_ecdsa(spki, hash, &m, v), "variant {i}, message {m:?}");
                valid += usize::from(fast);
            }
        }
        valid
    }

    /// ring's verdict, the fast path before aws-lc.
    fn ring_ecdsa(spki: &[u8], hash: Hash, message: &[u8], sig: &[u8]) -> bool {
        use ring::signature as rs;
        let (curve, point) = fast_ec_key(spki).unwrap();
        let alg: &'static rs::EcdsaVerificationAlgorithm = match (curve, hash) {
            (oids::P256, Hash::Sha256) => &rs::ECDSA_P256_SHA256_ASN1,
            (oids::P256, Hash::Sha384) => &rs::ECDSA_P256_SHA384_ASN1,
            (oids::P384, Hash::Sha256) => &rs::ECDSA_P384_SHA256_ASN1,
            _ => &rs::ECDSA_P384_SHA384_ASN1,
        };
        rs::UnparsedPublicKey::new(alg, point).verify(message, sig).is_ok()
    }

    #[test]
    fn aws_lc_ring_and_rustcrypto_agree_on_p256_and_p384() {
        use p256::pkcs8::EncodePublicKey as _;
        for seed in 1..=2u8 {
            let scalar = sha2::Sha256::digest([seed]);
            let message = format!("message {seed}").into_bytes();
            let k256 = p256::ecdsa::SigningKey::from_slice(&scalar).unwrap();
            let spki256 = k256.verifying_key().to_public_key_der().unwrap().into_vec();
            let k384 = p384::ecdsa::SigningKey::from_slice(&sha2::Sha384::digest([seed])).unwrap();
            let spki384 = k384.verifying_key().to_public_key_der().unwrap().into_vec();
            for hash in [Hash::Sha256, Hash::Sha384] {
                let digest = hash.digest(&message);
                let s: p256::ecdsa::Signature = k256.sign_prehash(&digest).unwrap();
                assert_eq!(agree(&spki256, hash, &message, s.to_der().as_bytes()), 1);
                let high: p256::ecdsa::Signature =
                    p256::ecdsa::Signature::from_scalars(s.r(), -*s.s()).unwrap();
                assert_eq!(agree(&spki256, hash, &message, high.to_der().as_bytes()), 1, "high S");
                let s: p384::ecdsa::Signature = k384.sign_prehash(&digest).unwrap();
                assert_eq!(agree(&spki384, hash, &message, s.to_der().as_bytes()), 1);
            }
            // A P-256 signature under the P-384 key, and the other way round.
            let s: p256::ecdsa::Signature = k256.sign_prehash(&Hash::Sha256.digest(&message)).unwrap();
            assert_eq!(agree(&spki384, Hash::Sha256, &message, s.to_der().as_bytes()), 0);
        }
    }

    #[test]
    fn a_trusted_root_key_parsed_once_gives_the_verdicts_of_a_key_parsed_every_time() {
        use p256::pkcs8::EncodePublicKey as _;
        let k = p256::ecdsa::SigningKey::from_slice(&sha2::Sha256::digest(b"root key")).unwrap();
        let spki = k.verifying_key().to_public_key_der().unwrap().into_vec();
        let msg = b"signed entry timestamp";
        let s: p256::ecdsa::Signature = k.sign_prehash(&sha2::Sha256::digest(msg)).unwrap();
        let mut valid = 0;
        for v in variants(s.to_der().as_bytes()) {
            for m in [&msg[..], b"another message"] {
                // The first check parses the key, the second uses the parse kept.
                for _ in 0..2 {
                    let kept = verify_signature_by_root_key(&spki, m, &v);
                    assert_eq!(kept.is_ok(), verify_signature(&spki, m, &v).is_ok());
                    assert_eq!(
                        fast_ecdsa_by(Signer::TrustedRoot, &spki, Hash::Sha256, m, &v),
                        fast_ecdsa(&spki, Hash::Sha256, m, &v)
                    );
                    valid += usize::from(kept.is_ok());
                }
            }
        }
        assert_eq!(valid, 2, "the signature itself, checked twice");
    }

    #[test]
    fn a_trusted_root_key_with_a_table_gives_the_verdicts_of_a_key_parsed_every_time() {
        use crate::crypto::ecdsa_table::{Curve, TABLE_AFTER};
        use p256::pkcs8::EncodePublicKey as _;
        let k = p256::ecdsa::SigningKey::from_slice(&sha2::Sha256::digest(b"root key with a table")).unwrap();
        let spki = k.verifying_key().to_public_key_der().unwrap().into_vec();
        let point = fast_ec_key(&spki).unwrap().1.to_vec();
        let other = p256::ecdsa::SigningKey::from_slice(&sha2::Sha256::digest(b"not the root key")).unwrap();
        let mut valid = 0;
        for i in 0..TABLE_AFTER + 8 {
            let msg = format!("checkpoint {i}").into_bytes();
            let s: p256::ecdsa::Signature = k.sign_prehash(&sha2::Sha256::digest(&msg)).unwrap();
            let forged: p256::ecdsa::Signature = other.sign_prehash(&sha2::Sha256::digest(&msg)).unwrap();
            let mut cases = variants(s.to_der().as_bytes());
            cases.push(forged.to_der().as_bytes().to_vec());
            for v in cases {
                for m in [&msg[..], b"another message"] {
                    let by_root = verify_signature_by_root_key(&spki, m, &v);
                    assert_eq!(by_root.is_ok(), verify_signature(&spki, m, &v).is_ok(), "check {i}");
                    valid += usize::from(by_root.is_ok());
                }
            }
        }
        assert_eq!(valid, TABLE_AFTER as usize + 8, "each signature over its own message");
        assert!(
            super::super::memo::with_ecdsa_table(Curve::P256, &point, |_| ()).is_some(),
            "the key has its table"
        );
    }

    #[test]
    fn the_public_entry_points_take_aws_lc_and_fall_back_with_the_same_errors() {
        use p256::pkcs8::EncodePublicKey as _;
        let k = p256::ecdsa::SigningKey::from_slice(&sha2::Sha256::digest(b"k")).unwrap();
        let spki = k.verifying_key().to_public_key_der().unwrap().into_vec();
        let msg = b"artifact bytes";
        let s: p256::ecdsa::Signature = k.sign_prehash(&sha2::Sha256::digest(msg)).unwrap();
        let der = s.to_der().as_bytes().to_vec();
        assert_eq!(verify_signature(&spki, msg, &der), Ok(()));
        assert_eq!(verify_ecdsa_sha256(&spki, msg, &der), Ok(()));
        assert_eq!(verify_prehashed(&spki, &sha2::Sha256::digest(msg), &der), Ok(()));
        assert_eq!(verify_signature(&spki, b"other", &der), Err(bad("signature")));
        assert_eq!(verify_ecdsa_sha256(&spki, b"other", &der), Err(bad("signature")));
        assert!(matches!(verify_signature(&spki, msg, b"\x30\x00"), Err(PkiError::Malformed { .. })));
        // A compressed point: the fast path does not take it, RustCrypto decides.
        let mut owned = spki::SubjectPublicKeyInfoOwned::from_der(&spki).unwrap();
        let point = owned.subject_public_key.raw_bytes().to_vec();
        let compressed = [&[0x02 | (point[64] & 1)], &point[1..33]].concat();
        owned.subject_public_key = der::asn1::BitString::from_bytes(&compressed).unwrap();
        let spki_c = der::Encode::to_der(&owned).unwrap();
        assert_eq!(fast_ecdsa(&spki_c, Hash::Sha256, msg, &der), None);
        assert_eq!(verify_signature(&spki_c, msg, &der), Ok(()));
    }
}
