//! Which ECDSA check is fastest on this machine, for the shape of an
//! attestation run: a trusted root's key (a CA, a CT log, a Rekor log)
//! verifying one signature of every bundle, each over a different ~1 KB
//! message (bench/README.md, "Session 12"). Times, per check and curve
//! (P-256 with SHA-256, P-384 with SHA-384):
//!
//! - aws-lc's verify on an unparsed key (what a bundle's own key gets);
//! - aws-lc's verify on a key parsed once (the trusted root's keys before tables);
//! - `EcdsaTable::verify` (the table of the key's multiples), and what
//!   building a table costs (the first of a curve also builds the generator's).
//!
//! `cargo run --profile profiling --example ecdsa-speed -- [CHECKS] [KEYS]`
//! (default 4,000 checks spread over 1 key; with 4 keys the tables compete
//! for the cache as the gen workload's four do). It also checks that the
//! verifiers agree on each valid signature and on a tampered one.

use std::hint::black_box;
use std::time::Instant;

use aws_lc_rs::signature as lc;
use p256::elliptic_curve::sec1::ToSec1Point as _;
use sha2::{Digest as _, Sha256, Sha384};
use signature::hazmat::PrehashSigner as _;
use trailscope::crypto::ecdsa_table::{Curve, EcdsaTable};

struct Case {
    key: usize,
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// The fastest of five passes over every case, per check: the others lost
/// time to whatever else the (shared) machine ran meanwhile.
fn per_check(label: &str, cases: &[Case], mut f: impl FnMut(&Case) -> bool) {
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for c in cases {
            assert!(black_box(f(c)), "{label}: a valid signature failed");
        }
        best = best.min(t.elapsed().as_secs_f64() / cases.len() as f64);
    }
    println!("{label:<44} {:8.1} µs", best * 1e6);
}

/// Signs a message: canonical DER.
type Sign = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// `n` deterministic keys of `curve`: their SEC1 points and signers.
fn keys(curve: Curve, n: usize) -> (Vec<Vec<u8>>, Vec<Sign>) {
    let mut points = Vec::new();
    let mut signers: Vec<Sign> = Vec::new();
    for i in 0..n {
        let seed = format!("ecdsa-speed {i}");
        match curve {
            Curve::P256 => {
                let sk = p256::ecdsa::SigningKey::from_slice(&Sha256::digest(&seed)).unwrap();
                points.push(sk.verifying_key().as_affine().to_sec1_point(false).as_bytes().to_vec());
                signers.push(Box::new(move |m| {
                    let s: p256::ecdsa::Signature = sk.sign_prehash(&Sha256::digest(m)).unwrap();
                    s.to_der().as_bytes().to_vec()
                }));
            }
            Curve::P384 => {
                let sk = p384::ecdsa::SigningKey::from_slice(&Sha384::digest(&seed)).unwrap();
                points.push(sk.verifying_key().as_affine().to_sec1_point(false).as_bytes().to_vec());
                signers.push(Box::new(move |m| {
                    let s: p384::ecdsa::Signature = sk.sign_prehash(&Sha384::digest(m)).unwrap();
                    s.to_der().as_bytes().to_vec()
                }));
            }
        }
    }
    (points, signers)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let checks: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4000);
    let n_keys: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1).max(1);
    for curve in [Curve::P256, Curve::P384] {
        let alg = match curve {
            Curve::P256 => &lc::ECDSA_P256_SHA256_ASN1,
            Curve::P384 => &lc::ECDSA_P384_SHA384_ASN1,
        };
        let (points, signers) = keys(curve, n_keys);
        let cases: Vec<Case> = (0..checks)
            .map(|i| {
                let message = format!("entry {i} {}", "x".repeat(1000)).into_bytes();
                let signature = signers[i % n_keys](&message);
                Case { key: i % n_keys, message, signature }
            })
            .collect();
        println!("{curve:?}: {checks} checks, {n_keys} key(s), {} bytes a message", cases[0].message.len());

        per_check("aws-lc, unparsed key", &cases, |c| {
            lc::UnparsedPublicKey::new(alg, &points[c.key]).verify(&c.message, &c.signature).is_ok()
        });
        let parsed: Vec<lc::ParsedPublicKey> =
            points.iter().map(|p| lc::ParsedPublicKey::new(alg, p).unwrap()).collect();
        per_check("aws-lc, key parsed once", &cases, |c| {
            parsed[c.key].verify_sig(&c.message, &c.signature).is_ok()
        });

        let t = Instant::now();
        let tables: Vec<EcdsaTable> = points.iter().map(|p| EcdsaTable::new(curve, p).unwrap()).collect();
        // The generator's table is built on the first check.
        assert!(tables[0].verify(&cases[0].message, &cases[0].signature));
        println!("{:<44} {:8.2} ms", "tables built (the generator's too)", t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let again = EcdsaTable::new(curve, &points[0]).unwrap();
        println!("{:<44} {:8.2} ms", "one more key's table", t.elapsed().as_secs_f64() * 1e3);
        drop(again);
        per_check("EcdsaTable::verify", &cases, |c| tables[c.key].verify(&c.message, &c.signature));

        let c = &cases[0];
        let mut tampered = c.signature.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(!tables[c.key].verify(&c.message, &tampered));
        assert!(parsed[c.key].verify_sig(&c.message, &tampered).is_err());
        println!("the verifiers agree on {} valid signatures and a tampered one", cases.len());
    }
}
