//! Ed25519 checks for one key that signs many documents (a PEP 458
//! repository signs all of its 16,384 hash bins with one bin key).
//!
//! ed25519-dalek's `verify` computes `R' = [s]B - [k]A` with a variable-base
//! double-scalar multiplication (about 253 doublings), compresses `R'` and
//! compares it with the signature's `R` bytes. Here both multiplications
//! use fixed-base tables instead — curve25519-dalek's table for `B`, and a
//! table for `-A` built once per key — which need no doublings (about a
//! fifth less time per check, after a table costing some 30 checks).
//!
//! The outcome is that of [`PublicKey::verify`] for the same key, bit for
//! bit: the same signature parsing (64 bytes, `s` canonical, as
//! ed25519-dalek without `legacy_compatibility` requires), the same
//! `k = SHA-512(R ‖ A ‖ M) mod ℓ` over the key's bytes as written, the
//! same group element `R'` (both compute the integer multiples `s·B` and
//! `k·(-A)` exactly, whatever the order of `A`; `s` and `k` are below ℓ
//! as the tables require) and the same comparison of its canonical
//! encoding with `R`. Tests compare both on valid, tampered, non-canonical
//! and small-order cases.

use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::edwards::EdwardsBasepointTable;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::BasepointTable as _;
use sha2::{Digest as _, Sha512};

use super::keys::SigError;

/// An ed25519 key with its fixed-base table.
#[derive(Clone)]
pub struct Ed25519Table {
    /// The key's bytes as written (they go into `k`).
    compressed: [u8; 32],
    /// Multiples of `-A`.
    minus_a: Box<EdwardsBasepointTable>,
}

impl std::fmt::Debug for Ed25519Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519Table").field("key", &hex::encode(self.compressed)).finish_non_exhaustive()
    }
}

impl Ed25519Table {
    pub fn new(key: &ed25519_dalek::VerifyingKey) -> Self {
        Self {
            compressed: key.to_bytes(),
            minus_a: Box::new(EdwardsBasepointTable::create(&-key.to_edwards())),
        }
    }

    /// What [`super::PublicKey::verify`] says of `sig` over `msg` for this key.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), SigError> {
        let sig = ed25519_dalek::Signature::from_slice(sig)
            .map_err(|_| SigError::Malformed(format!("ed25519 signature of {} bytes", sig.len())))?;
        let r = sig.r_bytes();
        let s =
            Option::<Scalar>::from(Scalar::from_canonical_bytes(*sig.s_bytes())).ok_or(SigError::Invalid)?;
        let mut h = Sha512::new();
        h.update(r);
        h.update(self.compressed);
        h.update(msg);
        let mut wide = [0u8; 64];
        wide.copy_from_slice(h.finalize().as_slice());
        let k = Scalar::from_bytes_mod_order_wide(&wide);
        let expected = &(&s * ED25519_BASEPOINT_TABLE) + &(&*self.minus_a * &k);
        if expected.compress().as_bytes() == r { Ok(()) } else { Err(SigError::Invalid) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::PublicKey;
    use signature::Signer as _;

    fn public(bytes: &[u8; 32]) -> Option<(PublicKey, ed25519_dalek::VerifyingKey)> {
        let vk = ed25519_dalek::VerifyingKey::from_bytes(bytes).ok()?;
        let dict = serde_json::json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": hex::encode(bytes)}});
        Some((PublicKey::from_dict(&dict).ok()?, vk))
    }

    /// A small deterministic generator (no rand dependency).
    struct Rng(u64);
    impl Rng {
        fn bytes<const N: usize>(&mut self) -> [u8; N] {
            let mut out = [0u8; N];
            for b in &mut out {
                self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *b = (self.0 >> 56) as u8;
            }
            out
        }
    }

    fn same(pk: &PublicKey, table: &Ed25519Table, msg: &[u8], sig: &[u8]) -> bool {
        let (a, b) = (pk.verify(msg, sig), table.verify(msg, sig));
        assert_eq!(a, b, "msg {} sig {}", hex::encode(msg), hex::encode(sig));
        a.is_ok()
    }

    #[test]
    fn agrees_with_public_key_verify() {
        let mut rng = Rng(7);
        let ell: [u8; 32] = {
            let mut l = [0u8; 32];
            l.copy_from_slice(
                &hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010").unwrap(),
            );
            l
        };
        let mut valid = 0;
        for round in 0..40 {
            let signer = ed25519_dalek::SigningKey::from_bytes(&rng.bytes::<32>());
            let (pk, vk) = public(&signer.verifying_key().to_bytes()).unwrap();
            let table = Ed25519Table::new(&vk);
            let msg: Vec<u8> = (0..round * 37).map(|i| (i * 31 + round) as u8).collect();
            let sig = signer.sign(&msg).to_bytes();
            valid += usize::from(same(&pk, &table, &msg, &sig));
            // Tampered message and signature bits.
            let mut m2 = msg.clone();
            m2.push(1);
            assert!(!same(&pk, &table, &m2, &sig));
            for bit in [0, 7, 100, 255, 256, 300, 504, 511] {
                let mut s2 = sig;
                s2[bit / 8] ^= 1 << (bit % 8);
                same(&pk, &table, &msg, &s2);
            }
            // s + ℓ: the same point, a non-canonical scalar (refused by both).
            let mut s_plus_l = sig;
            let mut carry = 0u16;
            for i in 0..32 {
                let v = u16::from(sig[32 + i]) + u16::from(ell[i]) + carry;
                s_plus_l[32 + i] = v as u8;
                carry = v >> 8;
            }
            assert!(!same(&pk, &table, &msg, &s_plus_l));
            // Random and wrong-length signatures.
            same(&pk, &table, &msg, &rng.bytes::<64>());
            same(&pk, &table, &msg, &sig[..63]);
            same(&pk, &table, &msg, &[]);
        }
        assert_eq!(valid, 40);
    }

    #[test]
    fn agrees_on_small_order_and_odd_keys() {
        // Encodings of the eight small-order points (and non-canonical ones).
        let mut keys: Vec<[u8; 32]> = Vec::new();
        let mut identity = [0u8; 32];
        identity[0] = 1;
        keys.push(identity);
        let mut minus_one = [0xffu8; 32];
        minus_one[0] = 0xec;
        minus_one[31] = 0x7f;
        keys.push(minus_one);
        keys.push([0u8; 32]);
        for hexkey in [
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
            "0100000000000000000000000000000000000000000000000000000000000080",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ] {
            keys.push(hex::decode(hexkey).unwrap().try_into().unwrap());
        }
        let mut rng = Rng(99);
        let mut accepted = 0;
        for k in &keys {
            let Some((pk, vk)) = public(k) else { continue };
            let table = Ed25519Table::new(&vk);
            for msg in [&b""[..], b"abc", &[7u8; 300]] {
                // R = a small-order point and s = 0: the classic forgery shapes.
                for r in &keys {
                    let mut sig = [0u8; 64];
                    sig[..32].copy_from_slice(r);
                    accepted += usize::from(same(&pk, &table, msg, &sig));
                }
                for _ in 0..8 {
                    same(&pk, &table, msg, &rng.bytes::<64>());
                }
            }
        }
        assert!(accepted > 0, "no forgery shape accepted by either: the test lost its teeth");
    }
}
