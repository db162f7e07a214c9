//! `crypto::ecdsa_table`: a key's table of multiples must never call valid
//! a signature aws-lc rejects, and must agree with it on every signature in
//! canonical DER. Byte 0 picks the curve (bit 3: P-384) and how the rest is
//! read: a message and raw signature bytes, or a message signed with the
//! curve's fixed key and then tampered with (the signature a table is most
//! likely to get wrong is one close to a valid one).
#![no_main]

use std::sync::OnceLock;

use aws_lc_rs::signature as lc;
use libfuzzer_sys::fuzz_target;
use p256::elliptic_curve::sec1::ToSec1Point as _;
use sha2::{Digest as _, Sha256, Sha384};
use signature::hazmat::PrehashSigner as _;
use trailscope::crypto::ecdsa_table::{Curve, EcdsaTable};

struct Fixed {
    curve: Curve,
    sign: Box<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>,
    point: Vec<u8>,
    table: EcdsaTable,
    alg: &'static lc::EcdsaVerificationAlgorithm,
}

fn fixed(p384: bool) -> &'static Fixed {
    static P256: OnceLock<Fixed> = OnceLock::new();
    static P384: OnceLock<Fixed> = OnceLock::new();
    if p384 {
        P384.get_or_init(|| {
            let sk = p384::ecdsa::SigningKey::from_slice(&Sha384::digest(b"fuzz ecdsa_table")).unwrap();
            let point = sk.verifying_key().as_affine().to_sec1_point(false).as_bytes().to_vec();
            let table = EcdsaTable::new(Curve::P384, &point).unwrap();
            let sign = Box::new(move |m: &[u8]| {
                let s: p384::ecdsa::Signature = sk.sign_prehash(&Sha384::digest(m)).unwrap();
                s.to_der().as_bytes().to_vec()
            });
            Fixed { curve: Curve::P384, sign, point, table, alg: &lc::ECDSA_P384_SHA384_ASN1 }
        })
    } else {
        P256.get_or_init(|| {
            let sk = p256::ecdsa::SigningKey::from_slice(&Sha256::digest(b"fuzz ecdsa_table")).unwrap();
            let point = sk.verifying_key().as_affine().to_sec1_point(false).as_bytes().to_vec();
            let table = EcdsaTable::new(Curve::P256, &point).unwrap();
            let sign = Box::new(move |m: &[u8]| {
                let s: p256::ecdsa::Signature = sk.sign_prehash(&Sha256::digest(m)).unwrap();
                s.to_der().as_bytes().to_vec()
            });
            Fixed { curve: Curve::P256, sign, point, table, alg: &lc::ECDSA_P256_SHA256_ASN1 }
        })
    }
}

fn canonical(curve: Curve, der: &[u8]) -> bool {
    match curve {
        Curve::P256 => p256::ecdsa::Signature::from_der(der).is_ok_and(|s| s.to_der().as_bytes() == der),
        Curve::P384 => p384::ecdsa::Signature::from_der(der).is_ok_and(|s| s.to_der().as_bytes() == der),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let k = fixed(mode & 8 != 0);
    let (message, signature) = if mode & 1 == 0 {
        // Byte 1: where the message ends.
        let Some((&cut, rest)) = rest.split_first() else { return };
        let cut = usize::from(cut).min(rest.len());
        (rest[..cut].to_vec(), rest[cut..].to_vec())
    } else {
        // Bytes 1–2 flip bits of the signature, byte 3 may truncate it; the rest is the message.
        if rest.len() < 3 {
            return;
        }
        let message = rest[3..].to_vec();
        let mut der = (k.sign)(&message);
        if mode & 2 != 0 {
            let at = usize::from(rest[0]) % der.len();
            der[at] ^= rest[1].max(1);
        }
        if mode & 4 != 0 {
            der.truncate(usize::from(rest[2]) % (der.len() + 1));
        }
        (message, der)
    };
    let by_table = k.table.verify(&message, &signature);
    let by_aws_lc = lc::UnparsedPublicKey::new(k.alg, &k.point).verify(&message, &signature).is_ok();
    assert!(!by_table || by_aws_lc, "the table passed a signature aws-lc rejects");
    if canonical(k.curve, &signature) {
        assert_eq!(by_table, by_aws_lc, "a canonical signature, two verdicts");
    }
    // Any bytes as a key: a table or None, never a panic (rarely: a table is megabytes of work).
    if mode == 0xff && rest.len() >= 97 {
        let _ = EcdsaTable::new(Curve::P256, &rest[..65]);
        let _ = EcdsaTable::new(Curve::P384, &rest[..97]);
    }
});
