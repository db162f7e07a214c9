//! Signature checks that repeat across the bundles of one invocation: the
//! trusted root's intermediate signed by its root (every Fulcio leaf's path
//! goes through it) and a log's checkpoint that many entries share. A check
//! is remembered only once it passed, under the SHA-256 of everything it
//! depends on (algorithm, key, message, signature), so a hit is the same
//! check with the same bytes: it cannot turn a failure into a pass. The
//! table is bounded and simply starts over when full.
//!
//! Also what the checks read from the trusted root's own certificates (a
//! root's validity, an issuer's key hash and EKU), parsed once and kept
//! under their whole DER: a function of those bytes, not a verdict. And
//! aws-lc's parse of the keys the trusted root fixes (its logs' keys, its
//! CAs' keys), kept per thread under the key's bytes and the algorithm;
//! and, for a P-256 or P-384 key among them that checks many signatures, a
//! table of its multiples (`crypto::ecdsa_table`).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use time::OffsetDateTime;

use super::cert::LeafCertificate;
use super::error::PkiError;
use crate::crypto::ecdsa_table::{Curve, EcdsaTable, KeyTable};

use sha2::{Digest as _, Sha256};

/// Enough for every certificate of a trusted root and a few thousand
/// checkpoints; 32 bytes an entry.
const CAPACITY: usize = 4096;

static PASSED: OnceLock<Mutex<HashSet<[u8; 32]>>> = OnceLock::new();

fn table() -> &'static Mutex<HashSet<[u8; 32]>> {
    PASSED.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Each part length-prefixed, so no two different checks share a key.
fn key(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// Runs `check` unless the same `parts` passed before; remembers a pass.
pub(crate) fn passed_before<E>(parts: &[&[u8]], check: impl FnOnce() -> Result<(), E>) -> Result<(), E> {
    let k = key(parts);
    if table().lock().is_ok_and(|t| t.contains(&k)) {
        return Ok(());
    }
    check()?;
    if let Ok(mut t) = table().lock() {
        if t.len() >= CAPACITY {
            t.clear();
        }
        t.insert(k);
    }
    Ok(())
}

/// What the checks read from a certificate authority's certificate.
#[derive(Debug)]
pub(crate) struct CaCertificate {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub subject_dn: String,
    /// ExtendedKeyUsage lists precertificate signing (RFC 6962 §3.1).
    pub precert_signing: bool,
    /// SHA-256 of its SubjectPublicKeyInfo (an SCT's issuer key hash).
    pub spki_sha256: [u8; 32],
}

/// A handful of trusted roots' certificates; starts over when full.
const CA_CAPACITY: usize = 256;

type CaTable = Mutex<HashMap<Vec<u8>, Arc<CaCertificate>>>;
static CA_CERTIFICATES: OnceLock<CaTable> = OnceLock::new();

/// `der` (a certificate of the trusted root) parsed, once per process; an
/// error is not remembered, so it is the parse's own every time.
pub(crate) fn ca_certificate(der: &[u8]) -> Result<Arc<CaCertificate>, PkiError> {
    let table = CA_CERTIFICATES.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(c) = table.lock().ok().and_then(|t| t.get(der).cloned()) {
        return Ok(c);
    }
    let cert = LeafCertificate::parse(der)?;
    let facts = Arc::new(CaCertificate {
        not_before: cert.not_before(),
        not_after: cert.not_after(),
        subject_dn: cert.subject_dn(),
        precert_signing: cert.has_eku(super::oids::PRECERT_SIGNING),
        spki_sha256: Sha256::digest(cert.spki_der()).into(),
    });
    if let Ok(mut t) = table.lock() {
        if t.len() >= CA_CAPACITY {
            t.clear();
        }
        t.insert(der.to_vec(), facts.clone());
    }
    Ok(facts)
}

/// A trusted root's log and CA keys, a few per algorithm.
const KEY_CAPACITY: usize = 64;

type ParsedKeys = Vec<(
    &'static aws_lc_rs::signature::EcdsaVerificationAlgorithm,
    Box<[u8]>,
    aws_lc_rs::signature::ParsedPublicKey,
)>;

thread_local! {
    /// Per thread: no lock on the path of every signature check.
    static PARSED_KEYS: RefCell<ParsedKeys> = const { RefCell::new(Vec::new()) };
}

/// `f` over aws-lc's parse of `key` (a SEC1 point or a SubjectPublicKeyInfo)
/// for `alg`, parsed once per thread: building the `EVP_PKEY` and checking
/// the point is on the curve is ~3 µs of every ~55 µs P-256 check otherwise.
/// Only for keys the trusted root fixes (a bundle's own keys differ every
/// time). `None` when aws-lc rejects the key, which is not remembered: the
/// unparsed path rejects it the same way.
pub(crate) fn with_parsed_key<R>(
    alg: &'static aws_lc_rs::signature::EcdsaVerificationAlgorithm,
    key: &[u8],
    f: impl FnOnce(&aws_lc_rs::signature::ParsedPublicKey) -> R,
) -> Option<R> {
    PARSED_KEYS.with_borrow_mut(|keys| {
        if let Some((_, _, parsed)) = keys.iter().find(|(a, k, _)| **a == *alg && **k == *key) {
            return Some(f(parsed));
        }
        let parsed = aws_lc_rs::signature::ParsedPublicKey::new(alg, key).ok()?;
        let out = f(&parsed);
        if keys.len() >= KEY_CAPACITY {
            keys.clear();
        }
        keys.push((alg, key.into(), parsed));
        Some(out)
    })
}

/// The trusted root's ECDSA keys, each with its table of multiples once it
/// has checked enough signatures; a few per root. One lock per check: its
/// ~50 ns are nothing beside the check's 22–80 µs.
type KeyTables = Vec<(Curve, Box<[u8]>, Arc<KeyTable>)>;

static KEY_TABLES: OnceLock<Mutex<KeyTables>> = OnceLock::new();

/// `f` over the [`EcdsaTable`] of `point` (a key of `curve` the trusted
/// root fixes, SEC1) once it has checked
/// [`TABLE_AFTER`](crate::crypto::ecdsa_table::TABLE_AFTER) signatures in
/// this process; `None` before, or for a point aws-lc rejects.
pub(crate) fn with_ecdsa_table<R>(curve: Curve, point: &[u8], f: impl FnOnce(&EcdsaTable) -> R) -> Option<R> {
    let shared = {
        let mut all =
            KEY_TABLES.get_or_init(|| Mutex::new(Vec::new())).lock().unwrap_or_else(|e| e.into_inner());
        match all.iter().find(|(c, k, _)| *c == curve && **k == *point) {
            Some((_, _, kt)) => kt.clone(),
            None => {
                if all.len() >= KEY_CAPACITY {
                    all.clear();
                }
                let kt = Arc::new(KeyTable::default());
                all.push((curve, point.into(), kt.clone()));
                kt
            }
        }
    };
    shared.get(curve, point).map(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pass_is_remembered_and_only_for_the_same_bytes() {
        let mut runs = 0;
        let mut check = |ok: bool| {
            runs += 1;
            if ok { Ok(()) } else { Err(()) }
        };
        let parts: [&[u8]; 3] = [b"memo-test-key", b"message", b"signature"];
        assert_eq!(passed_before(&parts, || check(false)), Err(()));
        assert_eq!(passed_before(&parts, || check(true)), Ok(()));
        assert_eq!(passed_before(&parts, || check(false)), Ok(()), "the pass was remembered");
        let other: [&[u8]; 3] = [b"memo-test-key", b"message", b"signaturf"];
        assert_eq!(passed_before(&other, || check(false)), Err(()), "other bytes are checked again");
        // Length prefixes: moving a byte from one part to the next is another check.
        let shifted: [&[u8]; 3] = [b"memo-test-key", b"messag", b"esignature"];
        assert_eq!(passed_before(&shifted, || check(false)), Err(()));
        assert_eq!(runs, 4);
    }

    #[test]
    fn a_key_aws_lc_rejects_is_not_kept_and_each_algorithm_has_its_own_parse() {
        use aws_lc_rs::signature as lc;
        let kept = || PARSED_KEYS.with_borrow(Vec::len);
        let before = kept();
        let off_curve = [0x04; 65];
        assert!(with_parsed_key(&lc::ECDSA_P256_SHA256_ASN1, &off_curve, |_| ()).is_none());
        assert_eq!(kept(), before, "a rejected key is not kept");
        let k = p256::ecdsa::SigningKey::from_slice(&Sha256::digest(b"memo key")).unwrap();
        let spki = p256::pkcs8::EncodePublicKey::to_public_key_der(k.verifying_key()).unwrap();
        let point = spki::SubjectPublicKeyInfoRef::try_from(spki.as_bytes())
            .unwrap()
            .subject_public_key
            .raw_bytes()
            .to_vec();
        assert!(with_parsed_key(&lc::ECDSA_P256_SHA256_ASN1, &point, |_| ()).is_some());
        assert!(with_parsed_key(&lc::ECDSA_P256_SHA256_ASN1, &point, |_| ()).is_some());
        assert_eq!(kept(), before + 1, "parsed once");
        assert!(with_parsed_key(&lc::ECDSA_P256_SHA384_ASN1, &point, |_| ()).is_some());
        assert_eq!(kept(), before + 2, "another algorithm, another parse");
        assert!(with_parsed_key(&lc::ECDSA_P384_SHA384_ASN1, &point, |_| ()).is_none(), "not a P-384 point");
    }
}
