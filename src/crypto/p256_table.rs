//! ECDSA P-256 / SHA-256 checks for one key that signs many messages (a
//! trusted root's CA, CT log and Rekor log keys sign part of every bundle:
//! the leaf certificate, its SCT, the SET and the checkpoint).
//!
//! aws-lc's verify computes `u1·G + u2·Q` with a table for `G` but a
//! windowed multiplication of `Q` built per check: some 260 point doublings
//! and 60 additions, most of a check. Here both multiplications read tables
//! of multiples instead — of `G` (built once) and of `Q` (built once per
//! key) — and need no doublings: one point addition per non-zero base-128
//! digit, at most 37 a scalar, less than half the time of aws-lc's verify
//! (`examples/p256-speed.rs`: 22 µs against 52 µs). The point arithmetic
//! is aws-lc's own (its public `EC_POINT_add` on the P-256 group, the same
//! nistz256 assembly its verify runs); RustCrypto's `p256` inverts `s` and
//! reduces scalars. (A table over `p256`'s portable field arithmetic was
//! slower than aws-lc's plain verify: 71.5 µs, bench/README "Session 11".)
//!
//! The table only ever says "valid": it takes a signature whose DER is
//! canonical (the encoding `p256` writes back, so one aws-lc parses the same
//! way), with `r` and `s` in `[1, n-1]`, and computes what ECDSA verification
//! computes — `e = SHA-256(m) mod n`, `w = s⁻¹`, `R = (e·w)·G + (r·w)·Q`,
//! `R` not the point at infinity, `x(R) mod n = r`. Anything else is `false`,
//! which sends the caller to aws-lc for the verdict and its wording.
//! Debug builds (every test) hold each "valid" to aws-lc's.

// The one other module that allows `unsafe` (besides `sha512_multi`): calls
// into aws-lc's EC API, each with its reason, all in this file.
#![allow(unsafe_code)]

use std::ptr::NonNull;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_lc_sys as ffi;
use p256::Scalar;
use p256::elliptic_curve::PrimeField as _;
use p256::elliptic_curve::ops::Reduce as _;
use sha2::{Digest as _, Sha256};

/// Bits per digit. A table is ~1 MB at 7 (4,699 points of 224 bytes); the
/// gen workload's four (CA, CT log, Rekor log, generator) spent 0.31 ms CPU
/// a bundle at 5, 0.29 at 6, 0.28 at 7, and no less at 8 (twice the memory),
/// before the entries were fetched ahead.
const WINDOW: usize = 7;
/// The non-zero multiples in a row.
const ENTRIES: usize = (1 << WINDOW) - 1;
/// Rows to cover a 256-bit scalar.
const ROWS: usize = 256usize.div_ceil(WINDOW);
/// Entries fetched ahead of the addition that needs them: −5% CPU a gen
/// bundle at 2; 1 and 4 were no better.
const AHEAD: usize = 2;

/// aws-lc's P-256 group: a static object, never freed.
fn group() -> *const ffi::EC_GROUP {
    // SAFETY: returns a pointer to a static, immutable group (no arguments).
    unsafe { ffi::EC_group_p256() }
}

/// An `EC_POINT` of the P-256 group that this value owns.
struct Point(NonNull<ffi::EC_POINT>);

// SAFETY: an `EC_POINT` is plain memory owned by this value; aws-lc reads
// the points it is given as `const` without writing them, so a table may be
// read from several threads at once, and moved between them.
unsafe impl Send for Point {}
unsafe impl Sync for Point {}

impl Point {
    /// The point at infinity.
    fn infinity() -> Self {
        // SAFETY: `group()` is a valid group; a null result is an allocation
        // failure, which aborts like any other in this process.
        let p = unsafe { ffi::EC_POINT_new(group()) };
        Self(NonNull::new(p).unwrap_or_else(|| out_of_memory()))
    }

    /// A SEC1-encoded point of the curve, not the point at infinity.
    fn from_sec1(bytes: &[u8]) -> Option<Self> {
        let p = Self::infinity();
        // SAFETY: `p` is a valid point of `group()`; `bytes` is a live slice
        // of the length passed; a null context is allowed (one is made).
        let ok = unsafe {
            ffi::EC_POINT_oct2point(group(), p.0.as_ptr(), bytes.as_ptr(), bytes.len(), std::ptr::null_mut())
        };
        (ok == 1 && !p.is_infinity()).then_some(p)
    }

    fn generator() -> Self {
        let p = Self::infinity();
        // SAFETY: both are valid points of `group()`, the generator being
        // the group's own, which it outlives.
        unsafe { ffi::EC_POINT_copy(p.0.as_ptr(), ffi::EC_GROUP_get0_generator(group())) };
        p
    }

    fn copy(&self) -> Self {
        let p = Self::infinity();
        // SAFETY: both are valid, distinct points of `group()`.
        unsafe { ffi::EC_POINT_copy(p.0.as_ptr(), self.0.as_ptr()) };
        p
    }

    /// `self += other`.
    fn add(&mut self, other: &Point) {
        // SAFETY: both are valid points of `group()`; `r` may alias `a`
        // (aws-lc copies its inputs first); the context is unused.
        unsafe {
            ffi::EC_POINT_add(
                group(),
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

    fn is_infinity(&self) -> bool {
        // SAFETY: a valid point of `group()`.
        unsafe { ffi::EC_POINT_is_at_infinity(group(), self.0.as_ptr()) == 1 }
    }

    /// The affine x coordinate, big-endian; `None` at infinity.
    fn x(&self) -> Option<[u8; 32]> {
        // SAFETY: a fresh BIGNUM, freed below.
        let x = NonNull::new(unsafe { ffi::BN_new() }).unwrap_or_else(|| out_of_memory());
        let mut out = [0u8; 32];
        // SAFETY: valid point and BIGNUM; `y` may be null (not computed);
        // `out` has the 32 bytes passed, enough for any x below p.
        let ok = unsafe {
            ffi::EC_POINT_get_affine_coordinates_GFp(
                group(),
                self.0.as_ptr(),
                x.as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            ) == 1
                && ffi::BN_bn2bin_padded(out.as_mut_ptr(), out.len(), x.as_ptr()) == 1
        };
        // SAFETY: allocated above, not used after.
        unsafe { ffi::BN_free(x.as_ptr()) };
        ok.then_some(out)
    }
}

/// What Rust does when an allocation fails: aws-lc's did (an `EC_POINT`
/// is a group pointer and three 72-byte coordinates).
fn out_of_memory() -> ! {
    std::alloc::handle_alloc_error(std::alloc::Layout::new::<[u64; 28]>())
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
    multiples: Vec<Point>,
}

impl FixedBase {
    fn new(point: &Point) -> Self {
        let mut multiples = Vec::with_capacity(ROWS * ENTRIES);
        let mut base = point.copy();
        for _ in 0..ROWS {
            let mut multiple = base.copy();
            for _ in 0..ENTRIES {
                multiples.push(multiple.copy());
                multiple.add(&base);
            }
            // 128·base: the next row's base.
            base = multiple;
        }
        Self { multiples }
    }

    /// `acc + k·P`. Variable time: a verifier handles no secret.
    fn add_multiple(&self, k: &Scalar, acc: &mut Point) {
        let be = k.to_repr();
        let limbs: [u64; 4] = std::array::from_fn(|i| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&be[32 - 8 * (i + 1)..32 - 8 * i]);
            u64::from_be_bytes(word)
        });
        let mut entries = [0usize; ROWS];
        let mut n = 0;
        for row in 0..ROWS {
            if let Some(digit) = digit(&limbs, row).checked_sub(1) {
                entries[n] = row * ENTRIES + digit;
                n += 1;
            }
        }
        // The table is larger than a core's cache: the entries are fetched
        // ahead of their addition, a few at a time.
        for &e in &entries[..n.min(AHEAD)] {
            self.multiples[e].prefetch();
        }
        for i in 0..n {
            if i + AHEAD < n {
                self.multiples[entries[i + AHEAD]].prefetch();
            }
            acc.add(&self.multiples[entries[i]]);
        }
    }
}

/// Bits `7·row .. 7·row + 7` of the number (little-endian limbs).
fn digit(limbs: &[u64; 4], row: usize) -> usize {
    let bit = row * WINDOW;
    let (limb, shift) = (bit / 64, bit % 64);
    let mut d = limbs[limb] >> shift;
    if shift + WINDOW > 64 && limb + 1 < limbs.len() {
        d |= limbs[limb + 1] << (64 - shift);
    }
    (d as usize) & ENTRIES
}

fn generator_table() -> &'static FixedBase {
    static G: OnceLock<FixedBase> = OnceLock::new();
    G.get_or_init(|| FixedBase::new(&Point::generator()))
}

/// A P-256 public key with the table of its multiples (~1 MB, some 4,700
/// point additions to build: worth it for a key that checks dozens of
/// signatures, see [`KeyTable`]).
pub struct P256Table {
    q: FixedBase,
}

impl std::fmt::Debug for P256Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P256Table").finish_non_exhaustive()
    }
}

impl P256Table {
    /// The table of a public key given as a SEC1 point; `None` when it is
    /// not a point of the curve, or is the point at infinity.
    pub fn new(sec1_point: &[u8]) -> Option<Self> {
        Point::from_sec1(sec1_point).map(|q| Self { q: FixedBase::new(&q) })
    }

    /// `true` when `der_signature` is a valid ECDSA signature of this key
    /// over SHA-256(`message`) in canonical DER; `false` otherwise, which
    /// includes valid signatures in another encoding (see the module).
    pub fn verify_sha256(&self, message: &[u8], der_signature: &[u8]) -> bool {
        self.verify_digest(&Sha256::digest(message).into(), der_signature)
    }

    fn verify_digest(&self, digest: &[u8; 32], der_signature: &[u8]) -> bool {
        // `from_der` takes r and s in [1, n-1] only.
        let Ok(signature) = p256::ecdsa::Signature::from_der(der_signature) else {
            return false;
        };
        if signature.to_der().as_bytes() != der_signature {
            return false;
        }
        let (r, s) = signature.split_scalars();
        // A 256-bit digest for a 256-bit order: all its bits, reduced mod n.
        let e = Scalar::reduce(&p256::FieldBytes::from(*digest));
        let Some(w) = Option::<Scalar>::from(s.invert_vartime()) else {
            return false;
        };
        let mut point = Point::infinity();
        generator_table().add_multiple(&(e * w), &mut point);
        self.q.add_multiple(&(*r * w), &mut point);
        // `x` is None at infinity.
        point.x().is_some_and(|x| Scalar::reduce(&p256::FieldBytes::from(x)) == *r)
    }
}

/// Signatures a key checks before it gets a [`P256Table`]: building one
/// costs about what 50 checks save (1.6 ms against ~30 µs a check,
/// `examples/p256-speed.rs`), and the first also builds the generator's; a
/// run of a few dozen bundles (the conformance corpus' 26) should not pay
/// for tables it barely uses.
pub const TABLE_AFTER: u32 = 64;

/// A key's [`P256Table`], built on its [`TABLE_AFTER`]th check and shared
/// by the threads that check its signatures.
#[derive(Default)]
pub struct KeyTable {
    checks: AtomicU32,
    table: OnceLock<Option<P256Table>>,
}

impl KeyTable {
    /// The table of `sec1_point` once this key has checked [`TABLE_AFTER`]
    /// signatures (never for a point that is not one of the curve).
    pub fn get(&self, sec1_point: &[u8]) -> Option<&P256Table> {
        if let Some(t) = self.table.get() {
            return t.as_ref();
        }
        if self.checks.fetch_add(1, Ordering::Relaxed) < TABLE_AFTER {
            return None;
        }
        self.table.get_or_init(|| P256Table::new(sec1_point)).as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::PrehashSigner as _;
    use p256::ecdsa::{Signature, SigningKey};
    use p256::elliptic_curve::sec1::ToSec1Point as _;

    fn key(seed: &str) -> (SigningKey, Vec<u8>) {
        let sk = SigningKey::from_slice(&Sha256::digest(seed.as_bytes())).unwrap();
        let point = sk.verifying_key().as_affine().to_sec1_point(false).as_bytes().to_vec();
        (sk, point)
    }

    /// aws-lc's own verdict, the one the table must never contradict on a "valid".
    fn aws_lc(point: &[u8], message: &[u8], der: &[u8]) -> bool {
        use aws_lc_rs::signature as lc;
        lc::UnparsedPublicKey::new(&lc::ECDSA_P256_SHA256_ASN1, point).verify(message, der).is_ok()
    }

    /// The point, uncompressed: x and y, so a sign slip shows.
    fn sec1(p: &Point) -> Vec<u8> {
        let mut out = [0u8; 65];
        // SAFETY: a valid point; `out` has the length passed.
        let n = unsafe {
            ffi::EC_POINT_point2oct(
                group(),
                p.0.as_ptr(),
                ffi::point_conversion_form_t::POINT_CONVERSION_UNCOMPRESSED,
                out.as_mut_ptr(),
                out.len(),
                std::ptr::null_mut(),
            )
        };
        out[..n].to_vec()
    }

    fn sign(sk: &SigningKey, message: &[u8]) -> Signature {
        sk.sign_prehash(&Sha256::digest(message)).unwrap()
    }

    #[test]
    fn multiples_from_the_table_are_the_curves() {
        use p256::ProjectivePoint;
        let (sk, point) = key("multiples");
        let table = P256Table::new(&point).unwrap();
        let q = ProjectivePoint::from(*sk.verifying_key().as_affine());
        let minus_one = -Scalar::ONE;
        let mut scalars =
            vec![Scalar::ONE, Scalar::from(127u64), Scalar::from(128u64), Scalar::from(129u64), minus_one];
        scalars.extend((0..40u64).map(|i| Scalar::reduce(&Sha256::digest(i.to_be_bytes()))));
        for k in scalars {
            for (base, reference) in [(&table.q, q * k), (generator_table(), ProjectivePoint::GENERATOR * k)]
            {
                let mut p = Point::infinity();
                base.add_multiple(&k, &mut p);
                assert_eq!(sec1(&p), reference.to_affine().to_sec1_point(false).as_bytes(), "k = {k:?}");
            }
        }
        let mut zero = Point::infinity();
        table.q.add_multiple(&Scalar::ZERO, &mut zero);
        assert!(zero.is_infinity());
    }

    #[test]
    fn digits_cover_the_scalar() {
        let limbs = [u64::MAX; 4];
        assert!((0..ROWS - 1).all(|row| digit(&limbs, row) == ENTRIES));
        // 256 = 36·7 + 4: the top row holds the last four bits.
        assert_eq!(digit(&limbs, ROWS - 1), 0b1111);
        // Bit 63 and bit 64 straddle two limbs in row 9 (bits 63..70).
        assert_eq!(digit(&[1 << 63, 1, 0, 0], 9), 0b11);
    }

    #[test]
    fn valid_signatures_pass_and_every_other_answer_is_aws_lcs() {
        let (sk, point) = key("differential");
        let table = P256Table::new(&point).unwrap();
        let (other, _) = key("another key");
        for i in 0..48u32 {
            let message = format!("message {i}").into_bytes();
            let signature = sign(&sk, &message);
            let der = signature.to_der().as_bytes().to_vec();
            assert!(table.verify_sha256(&message, &der), "message {i}");
            assert!(aws_lc(&point, &message, &der));

            let mut cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
                (b"another message".to_vec(), der.clone()),
                // Another key's valid signature: the one a table ignoring Q would pass.
                (message.clone(), sign(&other, &message).to_der().as_bytes().to_vec()),
            ];
            for at in 0..der.len() {
                let mut bad = der.clone();
                bad[at] ^= 1 << (i % 8);
                cases.push((message.clone(), bad));
            }
            let (r, s) = signature.split_scalars();
            // High s: still valid ECDSA, and both say so.
            cases.push((
                message.clone(),
                Signature::from_scalars(r.to_repr(), (-*s).to_repr()).unwrap().to_der().as_bytes().to_vec(),
            ));
            // r and s swapped.
            cases.push((
                message.clone(),
                Signature::from_scalars(s.to_repr(), r.to_repr()).unwrap().to_der().as_bytes().to_vec(),
            ));
            for (m, sig) in cases {
                assert_eq!(table.verify_sha256(&m, &sig), aws_lc(&point, &m, &sig), "{sig:02x?}");
            }
        }
    }

    #[test]
    fn signatures_out_of_range_or_not_canonical_are_left_to_aws_lc() {
        let (sk, point) = key("encoding");
        let table = P256Table::new(&point).unwrap();
        let der = sign(&sk, b"m").to_der().as_bytes().to_vec();
        // A long-form length for the outer SEQUENCE: BER, not DER.
        let mut long = vec![0x30, 0x81, der[1]];
        long.extend_from_slice(&der[2..]);
        assert!(!table.verify_sha256(b"m", &long));
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(!table.verify_sha256(b"m", &trailing));
        // r = 0, s = 1; and r = n (the order, out of range).
        assert!(!table.verify_sha256(b"m", &[0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]));
        let n = hex::decode("00ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551").unwrap();
        let mut order = vec![0x30, 0x26, 0x02, 0x21];
        order.extend_from_slice(&n);
        order.extend_from_slice(&[0x02, 0x01, 0x01]);
        assert!(!table.verify_sha256(b"m", &order));
        assert!(!aws_lc(&point, b"m", &order));
        assert!(table.verify_sha256(b"m", &der));
    }

    #[test]
    fn a_key_gets_its_table_once_it_has_checked_table_after_signatures() {
        let (_, point) = key("counted");
        let kt = KeyTable::default();
        assert!((0..TABLE_AFTER).all(|_| kt.get(&point).is_none()));
        assert!(kt.get(&point).is_some());
        let off_curve = KeyTable::default();
        assert!((0..=TABLE_AFTER + 1).all(|_| off_curve.get(&[0x04; 65]).is_none()));
    }

    #[test]
    fn points_off_the_curve_and_the_point_at_infinity_have_no_table() {
        assert!(P256Table::new(&[0x04; 65]).is_none());
        assert!(P256Table::new(&[0x00]).is_none());
        assert!(P256Table::new(b"").is_none());
        // A compressed point is a point: the same key as uncompressed.
        let (sk, _) = key("compressed");
        let compressed = sk.verifying_key().as_affine().to_sec1_point(true).as_bytes().to_vec();
        let table = P256Table::new(&compressed).unwrap();
        assert!(table.verify_sha256(b"m", sign(&sk, b"m").to_der().as_bytes()));
    }
}
