//! Signature checks over a key given as SubjectPublicKeyInfo DER: ECDSA
//! P-256/P-384 (DER signatures), Ed25519, RSA PKCS#1 v1.5 and PSS.

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
    Rsa(Box<rsa::RsaPublicKey>),
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
        oids::RSA => rsa::RsaPublicKey::try_from(info)
            .map(|k| Key::Rsa(Box::new(k)))
            .map_err(|e| PkiError::malformed("RSA public key", e)),
        other => Err(PkiError::unsupported("public key", format!("algorithm {other}"))),
    }
}

fn bad(what: &str) -> PkiError {
    PkiError::BadSignature { what: what.to_owned() }
}

/// Checks `sig` over `message` with the scheme the key implies: ECDSA P-256
/// with SHA-256, P-384 with SHA-384, Ed25519, RSA PKCS#1 v1.5 or PSS with SHA-256.
pub fn verify_signature(spki_der: &[u8], message: &[u8], sig: &[u8]) -> Result<(), PkiError> {
    match parse_key(spki_der)? {
        Key::P256(_) => verify_with(spki_der, Hash::Sha256, Padding::Pkcs1v15, message, sig, "signature"),
        Key::P384(_) => verify_with(spki_der, Hash::Sha384, Padding::Pkcs1v15, message, sig, "signature"),
        Key::Ed25519(k) => {
            let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| {
                PkiError::malformed("Ed25519 signature", format!("{} bytes, expected 64", sig.len()))
            })?;
            k.verify(message, &sig).map_err(|_| bad("Ed25519 signature"))
        }
        Key::Rsa(_) => verify_with(spki_der, Hash::Sha256, Padding::Pkcs1v15, message, sig, "signature")
            .or_else(|_| verify_with(spki_der, Hash::Sha256, Padding::Pss, message, sig, "signature")),
    }
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
/// algorithm is named beside them (CMS signer infos, SCTs, certificates).
pub(crate) fn verify_with(
    spki_der: &[u8],
    hash: Hash,
    padding: Padding,
    message: &[u8],
    sig: &[u8],
    what: &str,
) -> Result<(), PkiError> {
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

fn verify_rsa(
    key: &rsa::RsaPublicKey,
    hash: Hash,
    padding: Padding,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), ()> {
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
