//! Which ed25519 check is fastest on this machine, for the shape of a PEP 458
//! audit: one bin key verifying many ~9 KB documents (bench/README.md,
//! "Session 6"). Times, per check, over the same signed message:
//!
//! - `PublicKey::verify` (ed25519-dalek's `verify`, curve25519-dalek's
//!   double-base multiplication with whichever backend this build compiled);
//! - `Ed25519Table::verify` (the per-key fixed-base tables the audit uses);
//! - ring's Ed25519 (BoringSSL's code, already built for rustls-webpki);
//! - SHA-512 of the message alone, sha2 and ring, to split hash from curve.
//!
//! `cargo run --profile profiling --example ed25519-speed -- [CHECKS] [BYTES]`
//! (default 4,000 checks of 9,100 bytes). It also checks that the four
//! verifiers agree on the valid signature and a tampered one.

use std::hint::black_box;

use curve25519_dalek::traits::IsIdentity as _;
use std::time::Instant;

use sha2::Digest as _;
use signature::Signer as _;
use trailscope::crypto::PublicKey;
use trailscope::crypto::ed25519_table::Ed25519Table;

fn per_check(label: &str, n: usize, mut f: impl FnMut() -> bool) {
    // One warm-up pass (tables, caches), then ten timed blocks: the fastest
    // block is reported, the others having lost time to whatever else the
    // (shared) machine ran meanwhile.
    for _ in 0..n / 10 {
        black_box(f());
    }
    let block = (n / 10).max(1);
    let mut ok = 0usize;
    let mut best = f64::INFINITY;
    for _ in 0..10 {
        let start = Instant::now();
        for _ in 0..block {
            ok += usize::from(black_box(f()));
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / block as f64);
    }
    println!("{label:<44} {best:>8.2} µs/check, fastest of 10 blocks ({ok}/{} true)", block * 10);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4000);
    let len: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(9100);

    let signer = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let vk = signer.verifying_key();
    let msg: Vec<u8> = (0..len).map(|i| b"{\"signed\":0123456789abcdef"[i % 26]).collect();
    let sig = signer.sign(&msg).to_bytes();
    let dict = serde_json::json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": hex::encode(vk.to_bytes())}});
    let pk = PublicKey::from_dict(&dict).expect("key dict");
    let table = Ed25519Table::new(&vk);
    let ring_key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, vk.to_bytes());

    let mut bad = sig;
    bad[5] ^= 1;
    for (s, want) in [(&sig, true), (&bad, false)] {
        let got = [
            pk.verify(&msg, s).is_ok(),
            table.verify(&msg, s).is_ok(),
            ring_key.verify(&msg, s).is_ok(),
            vk.verify_strict(&msg, &ed25519_dalek::Signature::from_bytes(s)).is_ok(),
        ];
        assert!(got.iter().all(|&g| g == want), "verifiers disagree: {got:?}, expected {want}");
    }

    println!(
        "{n} checks of a {len}-byte message; avx2 {}, avx512ifma {}, sha (SHA-NI) {}",
        std::arch::is_x86_feature_detected!("avx2"),
        std::arch::is_x86_feature_detected!("avx512ifma"),
        std::arch::is_x86_feature_detected!("sha"),
    );
    per_check("ed25519-dalek verify (PublicKey::verify)", n, || pk.verify(&msg, &sig).is_ok());
    per_check("Ed25519Table::verify (per-key tables)", n, || table.verify(&msg, &sig).is_ok());
    per_check("ring ED25519 verify", n, || ring_key.verify(&msg, &sig).is_ok());
    per_check("SHA-512 of the message (sha2)", n, || sha2::Sha512::digest(&msg)[0] == 0);
    per_check("SHA-512 of the message (ring)", n, || {
        ring::digest::digest(&ring::digest::SHA512, &msg).as_ref()[0] == 0
    });
    per_check("Ed25519Table::verify of a 0-byte message", n, || table.verify(b"", &sig).is_ok());
    per_check("ring ED25519 verify of a 0-byte message", n, || ring_key.verify(b"", &sig).is_ok());

    // The fixed-base multiplication at other window widths (the audit's
    // tables use `ed25519_table::WINDOW`), and the compression (one field
    // inversion) that ends every check.
    use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
    use curve25519_dalek::scalar::Scalar;
    use trailscope::crypto::ed25519_table::FixedBase;
    let k = Scalar::from_bytes_mod_order_wide(&sha2::Sha512::digest(&msg).into());
    for w in 4..=8 {
        let t = FixedBase::new(&ED25519_BASEPOINT_POINT, w);
        per_check(&format!("fixed-base multiplication, window {w}"), n, || t.mul(&k).is_identity());
    }
    let p = FixedBase::new(&ED25519_BASEPOINT_POINT, 6).mul(&k);
    // What a table check does besides hashing: two tables (the base
    // point's and the key's), two multiplications, one compression.
    for w in 5..=8 {
        let (tb, ta) = (FixedBase::new(&ED25519_BASEPOINT_POINT, w), FixedBase::new(&-vk.to_edwards(), w));
        per_check(&format!("two tables' multiplications + compression, window {w}"), n, || {
            (tb.mul(&k) + ta.mul(&k)).compress().as_bytes()[0] == 0
        });
    }
    per_check("compression (one inversion)", n, || p.compress().as_bytes()[0] == 0);
}
