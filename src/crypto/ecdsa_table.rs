//! ECDSA checks for one key that signs many messages (a trusted root's CA,
//! CT log and Rekor log keys sign part of every bundle: the leaf
//! certificate, its SCT, the SET and the checkpoint): P-256 with SHA-256
//! and P-384 with SHA-384, the schemes those keys use.
//!
//! aws-lc's verify computes `u1·G + u2·Q` with a table for `G` but a
//! windowed multiplication of `Q` built per check: some 260 (P-256) or 380
//! (P-384) point doublings and a fifth as many additions, most of a check.
//! Here both multiplications read tables of multiples instead — of `G`
//! (built once per curve) and of `Q` (built once per key) — and need no
//! doublings: one point addition per non-zero base-128 digit, at most 37
//! (P-256) or 55 (P-384) a scalar, less than half the time of aws-lc's
//! verify (`examples/ecdsa-speed.rs`: P-256 22 µs against 52 µs). The point
//! arithmetic is aws-lc's own (its public `EC_POINT_add` on its P-256 and
//! P-384 groups, the same assembly its verify runs); RustCrypto's `p256`
//! and `p384` invert `s` and reduce scalars. (A table over `p256`'s
//! portable field arithmetic was slower than aws-lc's plain verify: 71.5
//! µs, bench/README "Session 11".)
//!
//! A table only ever says "valid": it takes a signature whose DER is
//! canonical (the encoding `p256`/`p384` write back, so one aws-lc parses
//! the same way), with `r` and `s` in `[1, n-1]`, and computes what ECDSA
//! verification computes — `e` = the digest's bits reduced mod n (all of
//! them: each hash is as long as its curve's order), `w = s⁻¹`,
//! `R = (e·w)·G + (r·w)·Q`, `R` not the point at infinity, `x(R) mod n = r`.
//! Anything else is `false`, which sends the caller to aws-lc for the
//! verdict and its wording. Debug builds (every test) hold each "valid" to
//! aws-lc's.

// The one other module that allows `unsafe` (besides `sha512_multi`): calls
// into aws-lc's EC API, each with its reason, all in this file.
#![allow(unsafe_code)]

use std::ptr::NonNull;
use std::sync::OnceLock;

use aws_lc_sys as ffi;
use sha2::{Digest as _, Sha256, Sha384};

use super::built_after::BuiltAfter;

/// Bits per digit. A P-256 table is ~1 MB at 7 (4,699 points of 224
/// bytes), a P-384 one ~1.5 MB; the gen workload's four P-256 tables (CA,
/// CT log, Rekor log, generator) spent 0.31 ms CPU a bundle at 5, 0.29 at
/// 6, 0.28 at 7, and no less at 8 (twice the memory), before the entries
/// were fetched ahead.
const WINDOW: usize = 7;
/// The non-zero multiples in a row.
const ENTRIES: usize = (1 << WINDOW) - 1;
/// Rows for the longest scalar (P-384's).
const MAX_ROWS: usize = 384usize.div_ceil(WINDOW);
/// Entries fetched ahead of the addition that needs them: −5% CPU a gen
/// bundle at 2; 1 and 4 were no better.
const AHEAD: usize = 2;

/// A curve with tables, and the hash its keys sign with here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// ECDSA P-256 with SHA-256.
    P256,
    /// ECDSA P-384 with SHA-384.
    P384,
}

impl Curve {
    /// aws-lc's group: a static object, never freed.
    fn group(self) -> *const ffi::EC_GROUP {
        // SAFETY: both return a pointer to a static, immutable group.
        unsafe {
            match self {
                Self::P256 => ffi::EC_group_p256(),
                Self::P384 => ffi::EC_group_p384(),
            }
        }
    }

    /// Bytes of a field element and of a scalar (the order has as many bits as p).
    fn bytes(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
        }
    }

    /// Rows to cover a scalar.
    fn rows(self) -> usize {
        (8 * self.bytes()).div_ceil(WINDOW)
    }

    fn generator_table(self) -> &'static FixedBase {
        static P256: OnceLock<FixedBase> = OnceLock::new();
        static P384: OnceLock<FixedBase> = OnceLock::new();
        let cell = match self {
            Self::P256 => &P256,
            Self::P384 => &P384,
        };
        cell.get_or_init(|| FixedBase::new(self, &Point::generator(self)))
    }
}

/// An `EC_POINT` that this value owns, of the curve its table names.
struct Point(NonNull<ffi::EC_POINT>);

// SAFETY: an `EC_POINT` is plain memory owned by this value; aws-lc reads
// the points it is given as `const` without writing them, so a table may be
// read from several threads at once, and moved between them.
unsafe impl Send for Point {}
unsafe impl Sync for Point {}

/// What Rust does when an allocation fails: aws-lc's did (an `EC_POINT`
/// is a group pointer and three 72-byte coordinates).
fn out_of_memory() -> ! {
    std::alloc::handle_alloc_error(std::alloc::Layout::new::<[u64; 28]>())
}

impl Point {
    /// The point at infinity.
    fn infinity(curve: Curve) -> Self {
        // SAFETY: a valid group; a null result is an allocation failure.
        let p = unsafe { ffi::EC_POINT_new(curve.group()) };
        Self(NonNull::new(p).unwrap_or_else(|| out_of_memory()))
    }

    /// A SEC1-encoded point of the curve, not the point at infinity.
    fn from_sec1(curve: Curve, bytes: &[u8]) -> Option<Self> {
        let p = Self::infinity(curve);
        // SAFETY: `p` is a valid point of the group; `bytes` is a live slice
        // of the length passed; a null context is allowed (one is made).
        let ok = unsafe {
            ffi::EC_POINT_oct2point(
                curve.group(),
                p.0.as_ptr(),
                bytes.as_ptr(),
                bytes.len(),
                std::ptr::null_mut(),
            )
        };
        (ok == 1 && !p.is_infinity(curve)).then_some(p)
    }

    fn generator(curve: Curve) -> Self {
        let p = Self::infinity(curve);
        // SAFETY: both are valid points of the group, the generator being
        // the group's own, which it outlives.
        unsafe { ffi::EC_POINT_copy(p.0.as_ptr(), ffi::EC_GROUP_get0_generator(curve.group())) };
        p
    }

    fn copy(&self, curve: Curve) -> Self {
        let p = Self::infinity(curve);
        // SAFETY: both are valid, distinct points of the group.
        unsafe { ffi::EC_POINT_copy(p.0.as_ptr(), self.0.as_ptr()) };
        p
    }

    /// `self += other`.
    fn add(&mut self, curve: Curve, other: &Point) {
        // SAFETY: both are valid points of the group; `r` may alias `a`
        // (aws-lc copies its inputs first); the context is unused.
        unsafe {
            ffi::EC_POINT_add(
                curve.group(),
                self.0.as_ptr(),
                self.0.as_ptr(),
                other.0.as_ptr(),
                std::ptr::null_mut(),
            )
        };
    }

    /// Asks the CPU to bring the point's memory (group pointer and three
    /// coordinates: four cache lines) into its cache.
    fn prefetch(&self) {
        #[cfg(target_arch = "x86_64")]
        for line in 0..4 {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: a prefetch is only a hint, valid for any address; SSE
            // is part of every x86-64 CPU.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(self.0.as_ptr().cast::<i8>().wrapping_add(64 * line)) };
        }
    }

    fn is_infinity(&self, curve: Curve) -> bool {
        // SAFETY: a valid point of the group.
        unsafe { ffi::EC_POINT_is_at_infinity(curve.group(), self.0.as_ptr()) == 1 }
    }

    /// The affine x coordinate, big-endian in the curve's width (the first
    /// `curve.bytes()` bytes); `None` at infinity.
    fn x(&self, curve: Curve) -> Option<[u8; 48]> {
        // SAFETY: a fresh BIGNUM, freed below.
        let x = NonNull::new(unsafe { ffi::BN_new() }).unwrap_or_else(|| out_of_memory());
        let mut out = [0u8; 48];
        let width = curve.bytes();
        // SAFETY: valid point and BIGNUM; `y` may be null (not computed);
        // `out` has at least the `width` bytes passed, enough for any x below p.
        let ok = unsafe {
            ffi::EC_POINT_get_affine_coordinates_GFp(
                curve.group(),
                self.0.as_ptr(),
                x.as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            ) == 1
                && ffi::BN_bn2bin_padded(out.as_mut_ptr(), width, x.as_ptr()) == 1
        };
        // SAFETY: allocated above, not used after.
        unsafe { ffi::BN_free(x.as_ptr()) };
        ok.then_some(out)
    }
}

impl Drop for Point {
    fn drop(&mut self) {
        // SAFETY: owned by this value, not used after.
        unsafe { ffi::EC_POINT_free(self.0.as_ptr()) }
    }
}

/// Multiples of one point: row `i` holds `d·2^(7i)·P` for `d` in 1..=127,
/// so a multiplication is one addition per non-zero digit.
struct FixedBase {
    curve: Curve,
    multiples: Vec<Point>,
}

impl FixedBase {
    fn new(curve: Curve, point: &Point) -> Self {
        let mut multiples = Vec::with_capacity(curve.rows() * ENTRIES);
        let mut base = point.copy(curve);
        for _ in 0..curve.rows() {
            let mut multiple = base.copy(curve);
            for _ in 0..ENTRIES {
                multiples.push(multiple.copy(curve));
                multiple.add(curve, &base);
            }
            // 128·base: the next row's base.
            base = multiple;
        }
        Self { curve, multiples }
    }

    /// `acc + k·P` for `k` big-endian in the curve's width. Variable time:
    /// a verifier handles no secret.
    fn add_multiple(&self, k: &[u8], acc: &mut Point) {
        let limbs = limbs(k);
        let mut entries = [0usize; MAX_ROWS];
        let mut n = 0;
        for row in 0..self.curve.rows() {
            if let Some(digit) = digit(&limbs, row).checked_sub(1) {
                entries[n] = row * ENTRIES + digit;
                n += 1;
            }
        }
        // The tables are larger than a core's cache: the entries are
        // fetched ahead of their addition, a few at a time.
        for &e in &entries[..n.min(AHEAD)] {
            self.multiples[e].prefetch();
        }
        for i in 0..n {
            if i + AHEAD < n {
                self.multiples[entries[i + AHEAD]].prefetch();
            }
            acc.add(self.curve, &self.multiples[entries[i]]);
        }
    }
}

/// A big-endian number of up to 48 bytes as little-endian 64-bit limbs.
fn limbs(be: &[u8]) -> [u64; 6] {
    let mut limbs = [0u64; 6];
    for (i, chunk) in be.rchunks(8).take(6).enumerate() {
        let mut word = [0u8; 8];
        word[8 - chunk.len()..].copy_from_slice(chunk);
        limbs[i] = u64::from_be_bytes(word);
    }
    limbs
}

/// Bits `7·row .. 7·row + 7` of the number (little-endian limbs).
fn digit(limbs: &[u64; 6], row: usize) -> usize {
    let bit = row * WINDOW;
    let (limb, shift) = (bit / 64, bit % 64);
    let mut d = limbs.get(limb).map_or(0, |l| l >> shift);
    if shift + WINDOW > 64
        && let Some(next) = limbs.get(limb + 1)
    {
        d |= next << (64 - shift);
    }
    (d as usize) & ENTRIES
}

/// The steps of ECDSA verification over one curve crate's types (`p256`
/// or `p384`): the same for both curves, written once.
macro_rules! verify_on {
    ($krate:ident, $table:expr, $digest:expr, $der:expr) => {{
        use $krate::elliptic_curve::PrimeField as _;
        use $krate::elliptic_curve::ops::Reduce as _;
        use $krate::{FieldBytes, Scalar};
        let (table, digest, der): (&EcdsaTable, &[u8], &[u8]) = ($table, $digest, $der);
        // `from_der` takes r and s in [1, n-1] only.
        match $krate::ecdsa::Signature::from_der(der) {
            Ok(signature) if signature.to_der().as_bytes() == der => {
                let (r, s) = signature.split_scalars();
                // A digest as long as the order: all its bits, reduced mod n.
                let e = FieldBytes::try_from(digest).map(|d| Scalar::reduce(&d));
                match (e, Option::<Scalar>::from(s.invert_vartime())) {
                    (Ok(e), Some(w)) => table
                        .x_of_combination(&(e * w).to_repr(), &(*r * w).to_repr())
                        .and_then(|x| FieldBytes::try_from(&x[..table.curve.bytes()]).ok())
                        .is_some_and(|x| Scalar::reduce(&x) == *r),
                    _ => false,
                }
            }
            _ => false,
        }
    }};
}

/// A public key with the table of its multiples (P-256: ~1 MB, some 4,700
/// point additions to build; P-384: ~1.5 MB, 7,000): worth it for a key
/// that checks dozens of signatures, see [`KeyTable`].
pub struct EcdsaTable {
    curve: Curve,
    q: FixedBase,
}

impl std::fmt::Debug for EcdsaTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcdsaTable").field("curve", &self.curve).finish_non_exhaustive()
    }
}

impl EcdsaTable {
    /// The table of a public key of `curve` given as a SEC1 point; `None`
    /// when it is not a point of the curve, or is the point at infinity.
    pub fn new(curve: Curve, sec1_point: &[u8]) -> Option<Self> {
        Point::from_sec1(curve, sec1_point).map(|q| Self { curve, q: FixedBase::new(curve, &q) })
    }

    pub fn curve(&self) -> Curve {
        self.curve
    }

    /// `true` when `der_signature` is a valid ECDSA signature of this key
    /// over the curve's hash of `message` (SHA-256 for P-256, SHA-384 for
    /// P-384) in canonical DER; `false` otherwise, which includes valid
    /// signatures in another encoding (see the module).
    pub fn verify(&self, message: &[u8], der_signature: &[u8]) -> bool {
        match self.curve {
            Curve::P256 => verify_on!(p256, self, &Sha256::digest(message), der_signature),
            Curve::P384 => verify_on!(p384, self, &Sha384::digest(message), der_signature),
        }
    }

    /// The affine x of `u1·G + u2·Q` (scalars big-endian); `None` at infinity.
    fn x_of_combination(&self, u1: &[u8], u2: &[u8]) -> Option<[u8; 48]> {
        let mut point = Point::infinity(self.curve);
        self.curve.generator_table().add_multiple(u1, &mut point);
        self.q.add_multiple(u2, &mut point);
        point.x(self.curve)
    }
}

/// Signatures a key checks before it gets an [`EcdsaTable`]: building a
/// P-256 one costs about what 50 checks save (1.6 ms against ~30 µs a
/// check, `examples/ecdsa-speed.rs`; P-384 about as many), and the first of
/// a curve also builds the generator's; a run of a few dozen bundles (the
/// conformance corpus' 26) should not pay for tables it barely uses.
pub const TABLE_AFTER: u32 = 64;

/// A key's [`EcdsaTable`], built on its [`TABLE_AFTER`]th check and shared
/// by the threads that check its signatures.
#[derive(Default)]
pub struct KeyTable(BuiltAfter<EcdsaTable>);

impl KeyTable {
    /// The table of `sec1_point` on `curve` once this key has checked
    /// [`TABLE_AFTER`] signatures (never for a point that is not one of the curve).
    pub fn get(&self, curve: Curve, sec1_point: &[u8]) -> Option<&EcdsaTable> {
        self.0.get(TABLE_AFTER, || EcdsaTable::new(curve, sec1_point))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature as lc;
    use p256::elliptic_curve::sec1::ToSec1Point as _;
    use signature::hazmat::PrehashSigner as _;

    /// Signs a message: canonical DER.
    type Sign = Box<dyn Fn(&[u8]) -> Vec<u8>>;

    /// A deterministic key of `curve`: its SEC1 point (uncompressed or
    /// compressed) and a signer of messages.
    struct Key {
        curve: Curve,
        point: Vec<u8>,
        compressed: Vec<u8>,
        sign: Sign,
    }

    fn key(curve: Curve, seed: &str) -> Key {
        match curve {
            Curve::P256 => {
                let sk = p256::ecdsa::SigningKey::from_slice(&Sha256::digest(seed.as_bytes())).unwrap();
                let a = *sk.verifying_key().as_affine();
                Key {
                    curve,
                    point: a.to_sec1_point(false).as_bytes().to_vec(),
                    compressed: a.to_sec1_point(true).as_bytes().to_vec(),
                    sign: Box::new(move |m| {
                        let s: p256::ecdsa::Signature = sk.sign_prehash(&Sha256::digest(m)).unwrap();
                        s.to_der().as_bytes().to_vec()
                    }),
                }
            }
            Curve::P384 => {
                let sk = p384::ecdsa::SigningKey::from_slice(&Sha384::digest(seed.as_bytes())).unwrap();
                let a = *sk.verifying_key().as_affine();
                Key {
                    curve,
                    point: a.to_sec1_point(false).as_bytes().to_vec(),
                    compressed: a.to_sec1_point(true).as_bytes().to_vec(),
                    sign: Box::new(move |m| {
                        let s: p384::ecdsa::Signature = sk.sign_prehash(&Sha384::digest(m)).unwrap();
                        s.to_der().as_bytes().to_vec()
                    }),
                }
            }
        }
    }

    /// aws-lc's own verdict, the one a table must never contradict on a "valid".
    fn aws_lc(k: &Key, message: &[u8], der: &[u8]) -> bool {
        let alg = match k.curve {
            Curve::P256 => &lc::ECDSA_P256_SHA256_ASN1,
            Curve::P384 => &lc::ECDSA_P384_SHA384_ASN1,
        };
        lc::UnparsedPublicKey::new(alg, &k.point).verify(message, der).is_ok()
    }

    /// The point, uncompressed: x and y, so a sign slip shows.
    fn sec1(curve: Curve, p: &Point) -> Vec<u8> {
        let mut out = [0u8; 97];
        // SAFETY: a valid point; `out` has the length passed.
        let n = unsafe {
            ffi::EC_POINT_point2oct(
                curve.group(),
                p.0.as_ptr(),
                ffi::point_conversion_form_t::POINT_CONVERSION_UNCOMPRESSED,
                out.as_mut_ptr(),
                out.len(),
                std::ptr::null_mut(),
            )
        };
        out[..n].to_vec()
    }

    /// `s` as a DER SEQUENCE of two INTEGERs with `r` and `s` (big-endian, minimal).
    fn der_of(r: &[u8], s: &[u8]) -> Vec<u8> {
        let int = |v: &[u8]| {
            let v = &v[v.iter().position(|b| *b != 0).unwrap_or(v.len() - 1)..];
            let mut out = vec![0x02];
            let pad = v[0] & 0x80 != 0;
            out.push((v.len() + usize::from(pad)) as u8);
            if pad {
                out.push(0);
            }
            out.extend_from_slice(v);
            out
        };
        let body = [int(r), int(s)].concat();
        let mut out = vec![0x30];
        if body.len() >= 0x80 {
            out.push(0x81);
        }
        out.push(body.len() as u8);
        out.extend(body);
        out
    }

    /// (r, s) of a canonical DER signature.
    fn split(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let body = if der[1] == 0x81 { &der[3..] } else { &der[2..] };
        let r_len = usize::from(body[1]);
        let r = body[2..2 + r_len].to_vec();
        let s = body[4 + r_len..].to_vec();
        (r, s)
    }

    #[test]
    fn multiples_from_the_tables_are_the_curves() {
        for k in 1..=3u64 {
            // k·G from the table against RustCrypto's, and 127·2^7 (a row's last entry).
            for scalar in [k, 127, 128, 129, 127 << 7, u64::MAX] {
                let p256_ref = p256::ProjectivePoint::GENERATOR * p256::Scalar::from(scalar);
                let p384_ref = p384::ProjectivePoint::GENERATOR * p384::Scalar::from(scalar);
                for (curve, reference) in [
                    (Curve::P256, p256::AffinePoint::from(p256_ref).to_sec1_point(false).as_bytes().to_vec()),
                    (Curve::P384, p384::AffinePoint::from(p384_ref).to_sec1_point(false).as_bytes().to_vec()),
                ] {
                    let mut be = vec![0u8; curve.bytes()];
                    let at = be.len() - 8;
                    be[at..].copy_from_slice(&scalar.to_be_bytes());
                    let mut p = Point::infinity(curve);
                    curve.generator_table().add_multiple(&be, &mut p);
                    assert_eq!(sec1(curve, &p), reference, "{curve:?} k = {scalar}");
                }
            }
        }
        // Scalars that use every row, against RustCrypto's multiplication of the key.
        let sk = p384::ecdsa::SigningKey::from_slice(&Sha384::digest(b"multiples")).unwrap();
        let q = p384::ProjectivePoint::from(*sk.verifying_key().as_affine());
        let table =
            EcdsaTable::new(Curve::P384, sk.verifying_key().as_affine().to_sec1_point(false).as_bytes())
                .unwrap();
        for i in 0..20u64 {
            use p384::elliptic_curve::PrimeField as _;
            use p384::elliptic_curve::ops::Reduce as _;
            let k = p384::Scalar::reduce(&Sha384::digest(i.to_be_bytes()));
            let mut p = Point::infinity(Curve::P384);
            table.q.add_multiple(&k.to_repr(), &mut p);
            let reference = p384::AffinePoint::from(q * k).to_sec1_point(false).as_bytes().to_vec();
            assert_eq!(sec1(Curve::P384, &p), reference);
        }
        let mut zero = Point::infinity(Curve::P256);
        Curve::P256.generator_table().add_multiple(&[0u8; 32], &mut zero);
        assert!(zero.is_infinity(Curve::P256));
    }

    #[test]
    fn digits_cover_the_scalar() {
        let all = limbs(&[0xff; 32]);
        assert!((0..Curve::P256.rows() - 1).all(|row| digit(&all, row) == ENTRIES));
        // 256 = 36·7 + 4: the top row holds the last four bits.
        assert_eq!(digit(&all, Curve::P256.rows() - 1), 0b1111);
        // 384 = 54·7 + 6.
        let all = limbs(&[0xff; 48]);
        assert_eq!(digit(&all, Curve::P384.rows() - 1), 0b11_1111);
        // Bit 63 and bit 64 straddle two limbs in row 9 (bits 63..70).
        assert_eq!(digit(&[1 << 63, 1, 0, 0, 0, 0], 9), 0b11);
        assert_eq!(limbs(&[1, 2]), [0x0102, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn valid_signatures_pass_and_every_other_answer_is_aws_lcs() {
        for curve in [Curve::P256, Curve::P384] {
            let k = key(curve, "differential");
            let table = EcdsaTable::new(curve, &k.point).unwrap();
            let other = key(curve, "another key");
            for i in 0..24u32 {
                let message = format!("message {i}").into_bytes();
                let der = (k.sign)(&message);
                assert!(table.verify(&message, &der), "{curve:?} message {i}");
                assert!(aws_lc(&k, &message, &der));
                let mut cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
                    (b"another message".to_vec(), der.clone()),
                    // Another key's valid signature: the one a table ignoring Q would pass.
                    (message.clone(), (other.sign)(&message)),
                ];
                for at in 0..der.len() {
                    let mut bad = der.clone();
                    bad[at] ^= 1 << (i % 8);
                    cases.push((message.clone(), bad));
                }
                let (r, s) = split(&der);
                // r and s swapped.
                cases.push((message.clone(), der_of(&s, &r)));
                for (m, sig) in cases {
                    assert_eq!(table.verify(&m, &sig), aws_lc(&k, &m, &sig), "{curve:?} {sig:02x?}");
                }
            }
        }
    }

    #[test]
    fn high_s_is_valid_for_both() {
        use p256::elliptic_curve::PrimeField as _;
        let k = key(Curve::P256, "high s");
        let table = EcdsaTable::new(Curve::P256, &k.point).unwrap();
        let sig = p256::ecdsa::Signature::from_der(&(k.sign)(b"m")).unwrap();
        let (r, s) = sig.split_scalars();
        let high = p256::ecdsa::Signature::from_scalars(r.to_repr(), (-*s).to_repr()).unwrap();
        let der = high.to_der().as_bytes().to_vec();
        assert!(table.verify(b"m", &der));
        assert!(aws_lc(&k, b"m", &der));
    }

    #[test]
    fn signatures_out_of_range_or_not_canonical_are_left_to_aws_lc() {
        for curve in [Curve::P256, Curve::P384] {
            let k = key(curve, "encoding");
            let table = EcdsaTable::new(curve, &k.point).unwrap();
            let der = (k.sign)(b"m");
            // A long-form length where the short form fits: BER, not DER.
            let body = if der[1] == 0x81 { &der[3..] } else { &der[2..] };
            if body.len() < 0x80 {
                let mut long = vec![0x30, 0x81, body.len() as u8];
                long.extend_from_slice(body);
                assert!(!table.verify(b"m", &long), "{curve:?}");
            }
            let mut trailing = der.clone();
            trailing.push(0);
            assert!(!table.verify(b"m", &trailing));
            // r = 0; and r = n (the order, out of range).
            assert!(!table.verify(b"m", &der_of(&[0], &[1])));
            let n = match curve {
                Curve::P256 => "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
                Curve::P384 => {
                    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"
                }
            };
            let order = der_of(&hex::decode(n).unwrap(), &[1]);
            assert!(!table.verify(b"m", &order));
            assert!(!aws_lc(&k, b"m", &order));
            assert!(table.verify(b"m", &der));
        }
    }

    #[test]
    fn a_key_gets_its_table_once_it_has_checked_table_after_signatures() {
        let k = key(Curve::P256, "counted");
        let kt = KeyTable::default();
        assert!((0..TABLE_AFTER).all(|_| kt.get(Curve::P256, &k.point).is_none()));
        assert!(kt.get(Curve::P256, &k.point).is_some());
        let off_curve = KeyTable::default();
        assert!((0..=TABLE_AFTER + 1).all(|_| off_curve.get(Curve::P256, &[0x04; 65]).is_none()));
    }

    #[test]
    fn points_off_the_curve_and_the_point_at_infinity_have_no_table() {
        for curve in [Curve::P256, Curve::P384] {
            assert!(EcdsaTable::new(curve, &[0x04; 65]).is_none());
            assert!(EcdsaTable::new(curve, &[0x04; 97]).is_none());
            assert!(EcdsaTable::new(curve, &[0x00]).is_none());
            assert!(EcdsaTable::new(curve, b"").is_none());
            // A compressed point is a point: the same key as uncompressed.
            let k = key(curve, "compressed");
            let table = EcdsaTable::new(curve, &k.compressed).unwrap();
            assert!(table.verify(b"m", &(k.sign)(b"m")));
            // The other curve's point is not one of this curve.
            let other = key(if curve == Curve::P256 { Curve::P384 } else { Curve::P256 }, "other curve");
            assert!(EcdsaTable::new(curve, &other.point).is_none());
        }
    }
}
