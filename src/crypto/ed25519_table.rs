//! Ed25519 checks for one key that signs many documents (a PEP 458
//! repository signs all of its 16,384 hash bins with one bin key).
//!
//! ed25519-dalek's `verify` computes `R' = [s]B - [k]A` with a variable-base
//! double-scalar multiplication (about 253 doublings), compresses `R'` and
//! compares it with the signature's `R` bytes. Here both multiplications
//! read tables of multiples instead — of `B` (built once) and of `-A`
//! (built once per key, some 2,400 point additions) — and need no
//! doublings: about 38 additions each, a third less time per check than
//! `verify`, and less than ring's Ed25519 (`examples/ed25519-speed.rs`).
//! (curve25519-dalek's own fixed-base tables are constant-time: half of
//! their time went into selecting entries, which a verifier need not hide.)
//!
//! The outcome is that of [`PublicKey::verify`](super::PublicKey::verify)
//! for the same key, bit for bit: the same signature parsing (64 bytes, `s`
//! canonical, as ed25519-dalek without `legacy_compatibility` requires), the
//! same `k = SHA-512(R ‖ A ‖ M) mod ℓ` over the key's bytes as written, the
//! same group element `R'` (both compute `s·B` and `k·(-A)` as exact integer
//! multiples, whatever the order of `A`) and the same comparison of its
//! canonical encoding with `R`. Tests compare both on valid, tampered,
//! non-canonical and small-order cases.

use std::sync::OnceLock;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity as _;

use super::built_after::BuiltAfter;
use super::keys::{PublicKey, SigError};

/// Bits per signed digit of the fixed-base tables. 7 is the fastest here
/// (`examples/ed25519-speed.rs`: a multiplication 8–15% faster than at 6);
/// at 8 a table (676 KB) no longer stays in the core's cache and it is
/// slower again.
pub const WINDOW: u32 = 7;

/// Multiples of one point for scalar multiplication without doublings:
/// row `i` holds `1·2^(w·i)·P … 2^(w-1)·2^(w·i)·P`, and a scalar written in
/// signed base-`2^w` digits is the sum of one entry (or its negation) per
/// nonzero digit. Entries are read by index (variable time, as
/// ed25519-dalek's `verify` is: only public values are multiplied).
#[derive(Clone)]
pub struct FixedBase {
    window: u32,
    rows: Vec<Vec<EdwardsPoint>>,
}

impl FixedBase {
    pub fn new(point: &EdwardsPoint, window: u32) -> Self {
        let half = 1usize << (window - 1);
        let mut rows = Vec::new();
        let mut base = *point;
        for _ in 0..digit_count(window) {
            let mut row = Vec::with_capacity(half);
            let mut m = base;
            row.push(m);
            for _ in 1..half {
                m += &base;
                row.push(m);
            }
            // 2^w · base = 2 · (2^(w-1) · base).
            base = m + m;
            rows.push(row);
        }
        Self { window, rows }
    }

    /// `scalar · P`, for a scalar below 2^255 (any reduced scalar).
    pub fn mul(&self, scalar: &Scalar) -> EdwardsPoint {
        let mut acc = EdwardsPoint::identity();
        self.add_mul(&mut acc, scalar);
        acc
    }

    fn add_mul(&self, acc: &mut EdwardsPoint, scalar: &Scalar) {
        for (row, d) in self.rows.iter().zip(signed_digits(scalar.as_bytes(), self.window)) {
            match d {
                0 => {}
                d if d > 0 => *acc += &row[d as usize - 1],
                d => *acc -= &row[(-d) as usize - 1],
            }
        }
    }
}

/// Digits of a 256-bit number in signed base `2^w` (one more for the last carry).
fn digit_count(window: u32) -> usize {
    256usize.div_ceil(window as usize) + 1
}

/// `bytes` (little-endian) as digits `d_i ∈ [-2^(w-1), 2^(w-1)]` with
/// `Σ d_i·2^(w·i)` equal to the number.
fn signed_digits(bytes: &[u8; 32], window: u32) -> Vec<i32> {
    let limbs: [u64; 4] =
        std::array::from_fn(|i| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap_or_default()));
    // Bits `at .. at + window` of the number (zero past its 256 bits).
    let bits = |at: usize| -> i32 {
        let (limb, shift) = (at / 64, at % 64);
        let low = limbs.get(limb).map_or(0, |l| l >> shift);
        let high = match (shift, limbs.get(limb + 1)) {
            (0, _) | (_, None) => 0,
            (_, Some(h)) => h << (64 - shift),
        };
        ((low | high) & ((1 << window) - 1)) as i32
    };
    let (full, half) = (1i32 << window, 1i32 << (window - 1));
    let mut carry = 0;
    (0..digit_count(window))
        .map(|i| {
            let raw = bits(i * window as usize) + carry;
            carry = i32::from(raw > half);
            raw - carry * full
        })
        .collect()
}

/// The table of the base point, built once.
fn base_table() -> &'static FixedBase {
    static TABLE: OnceLock<FixedBase> = OnceLock::new();
    TABLE.get_or_init(|| FixedBase::new(&ED25519_BASEPOINT_POINT, WINDOW))
}

/// An ed25519 key with its fixed-base table.
#[derive(Clone)]
pub struct Ed25519Table {
    /// The key's bytes as written (they go into `k`).
    compressed: [u8; 32],
    /// Multiples of `-A`.
    minus_a: FixedBase,
}

impl std::fmt::Debug for Ed25519Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519Table").field("key", &hex::encode(self.compressed)).finish_non_exhaustive()
    }
}

impl Ed25519Table {
    pub fn new(key: &ed25519_dalek::VerifyingKey) -> Self {
        Self { compressed: key.to_bytes(), minus_a: FixedBase::new(&-key.to_edwards(), WINDOW) }
    }

    /// What [`super::PublicKey::verify`] says of `sig` over `msg` for this key.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), SigError> {
        self.verify_hinted(msg, sig, &[])
    }

    /// The key's bytes as written (the `A` of `SHA-512(R ‖ A ‖ M)`).
    pub fn key_bytes(&self) -> &[u8; 32] {
        &self.compressed
    }

    /// [`Self::verify`], taking `SHA-512(R ‖ A ‖ M)` and the encoding of
    /// `R' = [s]B − [k]A` from `hints` when one of them was computed for this
    /// very check (the same signature bytes, key and message slice); else
    /// they are computed here.
    pub fn verify_hinted(&self, msg: &[u8], sig: &[u8], hints: &[Prehashed<'_>]) -> Result<(), SigError> {
        let raw = sig;
        let sig = ed25519_dalek::Signature::from_slice(sig)
            .map_err(|_| SigError::Malformed(format!("ed25519 signature of {} bytes", sig.len())))?;
        let r = sig.r_bytes();
        let s =
            Option::<Scalar>::from(Scalar::from_canonical_bytes(*sig.s_bytes())).ok_or(SigError::Invalid)?;
        let hint = hints.iter().find(|h| h.is_for(raw, &self.compressed, msg));
        if let Some(encoding) = hint.and_then(|h| h.encoding) {
            return if &encoding == r { Ok(()) } else { Err(SigError::Invalid) };
        }
        let wide = match hint {
            Some(h) => h.digest,
            None => super::sha512_multi::sha512_one(&[r, &self.compressed, msg]),
        };
        let k = Scalar::from_bytes_mod_order_wide(&wide);
        if self.r_prime(&s, &k).compress().as_bytes() == r { Ok(()) } else { Err(SigError::Invalid) }
    }

    /// `R' = [s]B − [k]A`, which a valid signature's `R` encodes.
    fn r_prime(&self, s: &Scalar, k: &Scalar) -> EdwardsPoint {
        let mut expected = EdwardsPoint::identity();
        base_table().add_mul(&mut expected, s);
        self.minus_a.add_mul(&mut expected, k);
        expected
    }
}

/// A SHA-512 of several messages given in parts ([`super::sha512_multi`]).
type MultiSha512 = fn(&[&[&[u8]]]) -> Vec<[u8; 64]>;

/// An ed25519 check through a key's table, computed ahead of it
/// ([`Prehashed::compute`]): `SHA-512(R ‖ A ‖ M)` eight messages at a time
/// ([`super::sha512_multi`]) and the encoding of `R' = [s]B − [k]A` with one
/// field inversion for eight points (Montgomery's trick,
/// `EdwardsPoint::compress_batch`; each encoding is exactly the one
/// `compress` gives). The check then compares that encoding with its own
/// `R`. Not batch verification: each signature is decided on its own by
/// the same equation as [`Ed25519Table::verify`].
#[derive(Debug, Clone)]
pub struct Prehashed<'a> {
    sig: [u8; 64],
    a: [u8; 32],
    /// The message, borrowed: it cannot change while the hint exists, and
    /// the hint applies only to this slice (same address and length).
    msg: &'a [u8],
    digest: [u8; 64],
    /// The encoding of `R'`; none when `s` is not canonical (refused anyway).
    encoding: Option<[u8; 32]>,
}

impl<'a> Prehashed<'a> {
    /// The hints of `checks` (signature, key table, message each).
    pub fn compute(checks: &[([u8; 64], &Ed25519Table, &'a [u8])]) -> Vec<Self> {
        Self::compute_with(checks, super::sha512_multi::sha512_many)
    }

    /// [`Self::compute`] for a few long messages (large in-toto links):
    /// hashed with [`super::sha512_multi::sha512_narrow`].
    pub fn compute_few(checks: &[([u8; 64], &Ed25519Table, &'a [u8])]) -> Vec<Self> {
        Self::compute_with(checks, super::sha512_multi::sha512_narrow)
    }

    fn compute_with(checks: &[([u8; 64], &Ed25519Table, &'a [u8])], sha512: MultiSha512) -> Vec<Self> {
        let parts: Vec<[&[u8]; 3]> =
            checks.iter().map(|(sig, t, m)| [&sig[..32], &t.compressed[..], *m]).collect();
        let refs: Vec<&[&[u8]]> = parts.iter().map(|p| &p[..]).collect();
        let digests = sha512(&refs);
        let points: Vec<Option<EdwardsPoint>> = checks
            .iter()
            .zip(&digests)
            .map(|((sig, table, _), digest)| {
                let s_bytes: [u8; 32] = sig[32..].try_into().ok()?;
                let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
                Some(table.r_prime(&s, &Scalar::from_bytes_mod_order_wide(digest)))
            })
            .collect();
        let encodings = compress_all(&points);
        checks
            .iter()
            .zip(digests)
            .zip(encodings)
            .map(|((&(sig, table, msg), digest), encoding)| Self {
                sig,
                a: table.compressed,
                msg,
                digest,
                encoding,
            })
            .collect()
    }

    fn is_for(&self, sig: &[u8], a: &[u8; 32], msg: &[u8]) -> bool {
        self.sig.as_slice() == sig && &self.a == a && std::ptr::eq(self.msg, msg)
    }
}

/// The encodings of `points`, eight per field inversion.
fn compress_all(points: &[Option<EdwardsPoint>]) -> Vec<Option<[u8; 32]>> {
    const GROUP: usize = 8;
    let mut out = Vec::with_capacity(points.len());
    for chunk in points.chunks(GROUP) {
        // Missing points (and the tail) are the identity: Z = 1, no harm to the inversion.
        let batch: [EdwardsPoint; GROUP] =
            std::array::from_fn(|i| chunk.get(i).copied().flatten().unwrap_or_else(EdwardsPoint::identity));
        let encoded = EdwardsPoint::compress_batch(&batch);
        out.extend(chunk.iter().zip(encoded).map(|(p, e)| p.map(|_| e.to_bytes())));
    }
    out
}

/// Signatures a key checks before it gets an [`Ed25519Table`]: the table
/// costs about as much as 20 checks save, and pays off for a key that
/// signs hash bins (hundreds to tens of thousands of roles).
pub const TABLE_AFTER: u32 = 32;

/// A key's [`Ed25519Table`], built on its [`TABLE_AFTER`]th check (shared by
/// the threads that verify roles; a clone starts counting afresh).
#[derive(Default)]
pub struct KeyTable(BuiltAfter<Ed25519Table>);

impl KeyTable {
    /// The table of `key` once it has checked [`TABLE_AFTER`] signatures
    /// (never for a key that is not ed25519).
    pub fn get(&self, key: &PublicKey) -> Option<&Ed25519Table> {
        self.0.get(TABLE_AFTER, || key.ed25519().map(Ed25519Table::new))
    }

    /// Builds the table now, for a key known to sign many roles: not on
    /// its [`TABLE_AFTER`]th check, while the other threads checking its
    /// signatures wait for it.
    pub fn build(&self, key: &PublicKey) {
        self.0.build(|| key.ed25519().map(Ed25519Table::new));
    }

    /// Verifies `sig` over `msg` with `key` as [`PublicKey::verify`] does,
    /// through the table once there is one (same outcome, a third less time).
    pub fn verify(&self, key: &PublicKey, msg: &[u8], sig: &[u8]) -> Result<(), SigError> {
        self.verify_hinted(key, msg, sig, &[])
    }

    /// [`Self::verify`] with digests computed ahead (see [`Prehashed`]).
    pub fn verify_hinted(
        &self,
        key: &PublicKey,
        msg: &[u8],
        sig: &[u8],
        hints: &[Prehashed<'_>],
    ) -> Result<(), SigError> {
        match self.get(key) {
            Some(t) => t.verify_hinted(msg, sig, hints),
            None => key.verify(msg, sig),
        }
    }

    /// The table, if it is built already (without counting a check).
    pub fn built(&self) -> Option<&Ed25519Table> {
        self.0.built()
    }

    /// Whether the table was built.
    pub fn is_built(&self) -> bool {
        self.0.built().is_some()
    }
}

impl Clone for KeyTable {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for KeyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyTable")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::PublicKey;
    use sha2::{Digest as _, Sha512};
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
    fn signed_digits_add_up() {
        let mut rng = Rng(3);
        for w in 2..=8 {
            for _ in 0..200 {
                let mut bytes = rng.bytes::<32>();
                bytes[31] &= 0x7f;
                let digits = signed_digits(&bytes, w);
                let half = 1 << (w - 1);
                assert!(digits.iter().all(|d| (-half..=half).contains(d)));
                // Σ d_i 2^(w i), evaluated from the top in i128 pieces via Scalar.
                let radix = Scalar::from(1u64 << w);
                let total = digits.iter().rev().fold(Scalar::ZERO, |acc, &d| {
                    let d = if d < 0 { -Scalar::from((-d) as u64) } else { Scalar::from(d as u64) };
                    acc * radix + d
                });
                assert_eq!(total, Scalar::from_bytes_mod_order(bytes));
                // Exact, not just mod ℓ: the top digit is small.
                assert!(digits.last().is_some_and(|&d| d.abs() <= 1));
            }
        }
        let p = EdwardsPoint::mul_base(&Scalar::from(99u64));
        let k = Scalar::from_bytes_mod_order(rng.bytes::<32>());
        for w in [4, 5, 6, 7, 8] {
            assert_eq!(FixedBase::new(&p, w).mul(&k), p * k);
        }
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
    fn agrees_on_mixed_order_keys() {
        // A' = [a]B + T with T of order 8: for R = [r]B and s = r + k·a,
        // [s]B - [k]A' = R - [k]T, which is R only when 8 divides k. Exact
        // integer multiples decide; a multiplication that reduced its
        // scalar mod ℓ first would disagree.
        use curve25519_dalek::constants::EIGHT_TORSION;
        let mut rng = Rng(11);
        let (mut accepted, mut refused) = (0, 0);
        for t in EIGHT_TORSION.iter().skip(1) {
            let a = Scalar::from_bytes_mod_order(rng.bytes::<32>());
            let key_point = EdwardsPoint::mul_base(&a) + t;
            let Some((pk, vk)) = public(&key_point.compress().to_bytes()) else { continue };
            let table = Ed25519Table::new(&vk);
            for i in 0..24u32 {
                let msg = i.to_le_bytes();
                let r = Scalar::from_bytes_mod_order(rng.bytes::<32>());
                let big_r = EdwardsPoint::mul_base(&r).compress();
                let mut h = Sha512::new();
                h.update(big_r.as_bytes());
                h.update(vk.as_bytes());
                h.update(msg);
                let mut wide = [0u8; 64];
                wide.copy_from_slice(h.finalize().as_slice());
                let k = Scalar::from_bytes_mod_order_wide(&wide);
                let s = r + k * a;
                let mut sig = [0u8; 64];
                sig[..32].copy_from_slice(big_r.as_bytes());
                sig[32..].copy_from_slice(s.as_bytes());
                if same(&pk, &table, &msg, &sig) {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
        }
        assert!(accepted > 0 && refused > 0, "accepted {accepted}, refused {refused}");
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

    #[test]
    fn prehashed_checks_agree_and_apply_only_to_their_own_message() {
        let mut rng = Rng(21);
        let signer = ed25519_dalek::SigningKey::from_bytes(&rng.bytes::<32>());
        let (pk, vk) = public(&signer.verifying_key().to_bytes()).unwrap();
        let table = Ed25519Table::new(&vk);
        let msgs: Vec<Vec<u8>> =
            (0..11).map(|i| (0..9_000 + i * 17).map(|j| (j * 7 + i) as u8).collect()).collect();
        let mut sigs: Vec<[u8; 64]> = msgs.iter().map(|m| signer.sign(m).to_bytes()).collect();
        sigs[3][40] ^= 1; // s changed (still canonical): refused
        sigs[5][2] ^= 1; // R changed: refused (and its hint is for the changed R)
        let checks: Vec<([u8; 64], &Ed25519Table, &[u8])> =
            msgs.iter().zip(&sigs).map(|(m, s)| (*s, &table, m.as_slice())).collect();
        let hints = Prehashed::compute(&checks);
        assert_eq!(
            hints.iter().filter(|h| h.encoding.is_some()).count(),
            11,
            "s of check 3 is still canonical"
        );
        for (i, (m, s)) in msgs.iter().zip(&sigs).enumerate() {
            let hinted = table.verify_hinted(m, s, &hints);
            assert_eq!(hinted, pk.verify(m, s), "check {i}");
            assert_eq!(hinted.is_ok(), i != 3 && i != 5, "check {i}");
        }
        // A hint over equal bytes elsewhere, or over another message, is not
        // this check's: the slice's address and length decide.
        let copy = msgs[0].clone();
        assert!(table.verify_hinted(&copy, &sigs[0], &hints).is_ok());
        let wrong_digest = Prehashed { digest: hints[1].digest, encoding: None, ..hints[0].clone() };
        let wrong_point = Prehashed { encoding: hints[1].encoding, ..hints[0].clone() };
        for forged in [wrong_digest, wrong_point] {
            let forged = [forged];
            assert!(table.verify_hinted(&copy, &sigs[0], &forged).is_ok());
            assert!(table.verify_hinted(&msgs[0], &sigs[0], &forged).is_err(), "a hint on its slice is used");
        }
        // Non-canonical s: no encoding, refused as without hints.
        let mut high = sigs[0];
        high[63] = 0xff;
        let hint = Prehashed::compute(&[(high, &table, msgs[0].as_slice())]);
        assert!(hint[0].encoding.is_none());
        assert_eq!(table.verify_hinted(&msgs[0], &high, &hint), pk.verify(&msgs[0], &high));
        // The batch's encodings are compress()'s, for any number of points.
        let mut rng = Rng(5);
        for n in [1usize, 7, 8, 9, 17] {
            let points: Vec<Option<EdwardsPoint>> = (0..n)
                .map(|i| {
                    (i % 4 != 2)
                        .then(|| EdwardsPoint::mul_base(&Scalar::from_bytes_mod_order(rng.bytes::<32>())))
                })
                .collect();
            let got = compress_all(&points);
            let want: Vec<Option<[u8; 32]>> =
                points.iter().map(|p| p.map(|p| p.compress().to_bytes())).collect();
            assert_eq!(got, want, "{n} points");
        }
    }
}
