//! `crypto::p256_table`: a key's table of multiples must never call valid a
//! signature aws-lc rejects, and must agree with it on every signature in
//! canonical DER. Byte 0 picks how the rest is read: a message and raw
//! signature bytes, or a message signed with the fixed key and then
//! tampered with (the signature the table is most likely to get wrong is one
//! close to a valid one).
#![no_main]

use std::sync::OnceLock;

use aws_lc_rs::signature as lc;
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::signature::hazmat::PrehashSigner as _;
use p256::elliptic_curve::sec1::ToSec1Point as _;
use sha2::{Digest as _, Sha256};
use trailscope::crypto::p256_table::P256Table;

struct Fixed {
    signing: p256::ecdsa::SigningKey,
    point: Vec<u8>,
    table: P256Table,
}

fn fixed() -> &'static Fixed {
    static KEY: OnceLock<Fixed> = OnceLock::new();
    KEY.get_or_init(|| {
        let signing = p256::ecdsa::SigningKey::from_slice(&Sha256::digest(b"fuzz p256_table")).unwrap();
        let point = signing.verifying_key().as_affine().to_sec1_point(false).as_bytes().to_vec();
        let table = P256Table::new(&point).unwrap();
        Fixed { signing, point, table }
    })
}

fn canonical(der: &[u8]) -> bool {
    p256::ecdsa::Signature::from_der(der).is_ok_and(|s| s.to_der().as_bytes() == der)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let k = fixed();
    let (message, signature) = if mode & 1 == 0 {
        // Byte 1: where the message ends.
        let Some((&cut, rest)) = rest.split_first() else { return };
        let cut = usize::from(cut).min(rest.len());
        (rest[..cut].to_vec(), rest[cut..].to_vec())
    } else {
        // Bytes 1–2 flip bits of the signature at bytes 3.. ; the rest is the message.
        if rest.len() < 3 {
            return;
        }
        let message = rest[3..].to_vec();
        let s: p256::ecdsa::Signature = k.signing.sign_prehash(&Sha256::digest(&message)).unwrap();
        let mut der = s.to_der().as_bytes().to_vec();
        if mode & 2 != 0 {
            let at = usize::from(rest[0]) % der.len();
            der[at] ^= rest[1].max(1);
        }
        if mode & 4 != 0 {
            der.truncate(usize::from(rest[2]) % (der.len() + 1));
        }
        (message, der)
    };
    let by_table = k.table.verify_sha256(&message, &signature);
    let by_aws_lc = lc::UnparsedPublicKey::new(&lc::ECDSA_P256_SHA256_ASN1, &k.point).verify(&message, &signature).is_ok();
    assert!(!by_table || by_aws_lc, "the table passed a signature aws-lc rejects");
    if canonical(&signature) {
        assert_eq!(by_table, by_aws_lc, "a canonical signature, two verdicts");
    }
    // Any bytes as a key: a table or None, never a panic (rarely: a table is ~1 MB of work).
    if mode == 0xff && rest.len() >= 65 {
        let _ = P256Table::new(&rest[..65]);
    }
});
