//! SHA-512 of up to eight independent messages at once, one message per
//! 64-bit lane of an AVX-512 register.
//!
//! SHA-512 of one message is a serial chain of 80 rounds per block: one
//! core runs it at its latency, and sha2's AVX2 code (or ring's assembly)
//! cannot go much faster. An ed25519 audit of a PEP 458 repository hashes
//! 16,384 bins of ~9 KB each (`k = SHA-512(R ‖ A ‖ M)`), so there are always
//! several independent messages waiting: hashed eight at a time, each
//! round's rotations, `Ch`/`Maj` (`vpternlogq`) and additions serve eight
//! messages for the price of one (`examples/sha512-multi.rs` measures it).
//! No crate offers multi-buffer SHA-512 today (sha2, ring and aws-lc hash
//! one message at a time), which is why this module exists; the digests
//! are SHA-512's, checked against sha2 for every length up to 1,100 bytes,
//! random lengths and mixed groups (tests below).
//!
//! Without AVX-512F at run time (or off x86-64) every message goes through
//! sha2, one at a time: same digests.

use sha2::{Digest as _, Sha512};

/// Messages hashed together.
pub const LANES: usize = 8;

/// SHA-512 of each message, a message being the concatenation of its parts
/// (an ed25519 check hashes `R`, `A` and `M` without copying them together).
pub fn sha512_many(messages: &[&[&[u8]]]) -> Vec<[u8; 64]> {
    let mut out = vec![[0u8; 64]; messages.len()];
    for (group, digests) in messages.chunks(LANES).zip(out.chunks_mut(LANES)) {
        hash_group(group, digests);
    }
    out
}

/// [`sha512_many`] for a few long messages (the links of an in-toto
/// chain): four at a time in the 256-bit registers of AVX-512VL, whose
/// instructions issue on more ports than 512-bit ones, so a pass over up to
/// four lanes costs about half of an eight-lane pass. Same digests; eight
/// lanes (or sha2) where AVX-512VL is missing.
pub fn sha512_narrow(messages: &[&[&[u8]]]) -> Vec<[u8; 64]> {
    #[cfg(target_arch = "x86_64")]
    if messages.len() > 1 && narrow_available() {
        let mut out = vec![[0u8; 64]; messages.len()];
        for (group, digests) in messages.chunks(NARROW_LANES).zip(out.chunks_mut(NARROW_LANES)) {
            let mut lanes = feeds(group);
            let mut state = [[0u64; LANES]; 8];
            // SAFETY: `avx512vl::hash` is compiled with AVX-512F and
            // AVX-512VL enabled; `narrow_available` has just checked that
            // this CPU has both, the one condition for calling it.
            #[allow(unsafe_code)]
            unsafe {
                avx512vl::hash(&mut lanes, &mut state);
            }
            write_digests(&state, digests);
        }
        return out;
    }
    sha512_many(messages)
}

/// Messages per pass of [`sha512_narrow`].
const NARROW_LANES: usize = 4;

fn narrow_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vl")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// SHA-512 of one message given in parts, through sha2 (the reference the
/// lanes are compared with, and the fallback).
pub fn sha512_one(parts: &[&[u8]]) -> [u8; 64] {
    let mut h = Sha512::new();
    for p in parts {
        h.update(p);
    }
    let mut out = [0u8; 64];
    out.copy_from_slice(h.finalize().as_slice());
    out
}

/// Whether this CPU hashes in lanes (else [`sha512_many`] is sha2's loop).
pub fn lanes_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// One lane per message of `group` (at most [`LANES`]), the rest empty.
#[cfg(target_arch = "x86_64")]
fn feeds<'a>(group: &'a [&'a [&'a [u8]]]) -> [Option<Feed<'a>>; LANES] {
    let mut lanes: [Option<Feed<'a>>; LANES] = Default::default();
    for (lane, parts) in lanes.iter_mut().zip(group) {
        *lane = Some(Feed::new(parts));
    }
    lanes
}

/// The digest of lane `i` into `out[i]`: the state's eight words, big-endian.
#[cfg(target_arch = "x86_64")]
fn write_digests(state: &[[u64; LANES]; 8], out: &mut [[u8; 64]]) {
    for (lane, digest) in out.iter_mut().enumerate() {
        for (i, word) in state.iter().enumerate() {
            digest[i * 8..i * 8 + 8].copy_from_slice(&word[lane].to_be_bytes());
        }
    }
}

fn hash_group(group: &[&[&[u8]]], out: &mut [[u8; 64]]) {
    // One message alone gains nothing from the lanes.
    #[cfg(target_arch = "x86_64")]
    if group.len() > 1 && lanes_available() {
        let mut lanes = feeds(group);
        let mut state = [[0u64; LANES]; 8];
        // SAFETY: `avx512::hash` is compiled with AVX-512F enabled;
        // `lanes_available` has just checked that this CPU has AVX-512F,
        // which is the one condition for calling it.
        #[allow(unsafe_code)]
        unsafe {
            avx512::hash(&mut lanes, &mut state);
        }
        write_digests(&state, out);
        return;
    }
    for (parts, digest) in group.iter().zip(out.iter_mut()) {
        *digest = sha512_one(parts);
    }
}

/// SHA-512's initial hash value (FIPS 180-4 §5.3.5).
const IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// The round constants (FIPS 180-4 §4.2.3).
const K: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

/// One lane's message as a sequence of padded 128-byte blocks (FIPS 180-4
/// §5.1.2: the bytes, `0x80`, zeros, the length in bits as 128 bits).
struct Feed<'a> {
    parts: &'a [&'a [u8]],
    /// The part being read and the offset in it.
    part: usize,
    offset: usize,
    /// Blocks not yet given out.
    blocks_left: usize,
    /// The message's length in bytes.
    len: u128,
    /// Whether the `0x80` byte has been written.
    marked: bool,
}

impl<'a> Feed<'a> {
    fn new(parts: &'a [&'a [u8]]) -> Self {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        // At least 17 bytes of padding (0x80 and the 16-byte length).
        let blocks_left = (len + 17).div_ceil(128);
        Self { parts, part: 0, offset: 0, blocks_left, len: len as u128, marked: false }
    }

    /// Writes the next block's 16 big-endian words into `lane` of `words`;
    /// false once the message is done (the lane's words are left as they are).
    fn next(&mut self, words: &mut [[u64; LANES]; 16], lane: usize) -> bool {
        if self.blocks_left == 0 {
            return false;
        }
        self.blocks_left -= 1;
        // The common case: 128 bytes of one part, read in place.
        if let Some(bytes) = self.parts.get(self.part).and_then(|p| p.get(self.offset..self.offset + 128)) {
            for (i, w) in words.iter_mut().enumerate() {
                w[lane] = be_word(&bytes[i * 8..i * 8 + 8]);
            }
            self.offset += 128;
            return true;
        }
        let mut block = [0u8; 128];
        let mut filled = 0;
        while filled < 128 {
            let Some(p) = self.parts.get(self.part) else { break };
            let take = (p.len() - self.offset).min(128 - filled);
            block[filled..filled + take].copy_from_slice(&p[self.offset..self.offset + take]);
            filled += take;
            self.offset += take;
            if self.offset == p.len() {
                self.part += 1;
                self.offset = 0;
            }
        }
        if filled < 128 && !self.marked {
            block[filled] = 0x80;
            self.marked = true;
        }
        if self.blocks_left == 0 {
            block[112..].copy_from_slice(&(self.len * 8).to_be_bytes());
        }
        for (i, w) in words.iter_mut().enumerate() {
            w[lane] = be_word(&block[i * 8..i * 8 + 8]);
        }
        true
    }
}

fn be_word(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(b);
    u64::from_be_bytes(w)
}

/// The rounds in SIMD lanes, written once for both register widths: the
/// eight-lane module on 512-bit registers (AVX-512F) and the four-lane one
/// on 256-bit registers (AVX-512VL, for groups of three or four messages).
macro_rules! lanes_module {
    (
        $(#[$doc:meta])* mod $name:ident, features $features:literal, lanes $lanes:expr,
        $vec:ident, $set1:ident, $mask_add:ident, $loadu:ident, $storeu:ident,
        $add:ident, $ror:ident, $srli:ident, $ternlog:ident
    ) => {
        $(#[$doc])*
        #[cfg(target_arch = "x86_64")]
        mod $name {
            use std::arch::x86_64::*;

            use super::{Feed, IV, K, LANES};

            /// Runs every lane's blocks to its end and leaves the lanes' hash values
            /// in `out[word][lane]`; empty lanes (`None`) are left at the IV, lanes
            /// beyond the register's width are not touched.
            #[target_feature(enable = $features)]
            pub(super) fn hash(lanes: &mut [Option<Feed<'_>>; LANES], out: &mut [[u64; LANES]; 8]) {
                let mut state: [$vec; 8] = std::array::from_fn(|i| $set1(IV[i] as i64));
                let mut words = [[0u64; LANES]; 16];
                loop {
                    let mut active: __mmask8 = 0;
                    for (lane, feed) in lanes.iter_mut().take($lanes).enumerate() {
                        if feed.as_mut().is_some_and(|f| f.next(&mut words, lane)) {
                            active |= 1 << lane;
                        }
                    }
                    if active == 0 {
                        break;
                    }
                    let w: [$vec; 16] = std::array::from_fn(|i| load(&words[i]));
                    let after = compress(&state, w);
                    // A lane whose message is done keeps its hash value.
                    for (s, a) in state.iter_mut().zip(after) {
                        *s = $mask_add(*s, active, *s, a);
                    }
                }
                for (o, s) in out.iter_mut().zip(state) {
                    store(o, s);
                }
            }

            #[target_feature(enable = $features)]
            fn load(words: &[u64; LANES]) -> $vec {
                // SAFETY: `words` is 64 readable bytes, at least the register's
                // width; the load is unaligned.
                #[allow(unsafe_code)]
                unsafe {
                    $loadu(words.as_ptr().cast())
                }
            }

            #[target_feature(enable = $features)]
            fn store(words: &mut [u64; LANES], v: $vec) {
                // SAFETY: `words` is 64 writable bytes, at least the register's
                // width; the store is unaligned.
                #[allow(unsafe_code)]
                unsafe {
                    $storeu(words.as_mut_ptr().cast(), v)
                }
            }

            /// The 80 rounds of one block in every lane; returns the working
            /// variables (added to the state by the caller, lane by lane).
            #[target_feature(enable = $features)]
            fn compress(state: &[$vec; 8], mut w: [$vec; 16]) -> [$vec; 8] {
                let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
                for t in 0..80 {
                    let wt = if t < 16 {
                        w[t]
                    } else {
                        let w15 = w[(t + 1) % 16];
                        let w2 = w[(t + 14) % 16];
                        // σ0 = ROTR1 ^ ROTR8 ^ SHR7, σ1 = ROTR19 ^ ROTR61 ^ SHR6.
                        let s0 = $ternlog::<0x96>($ror::<1>(w15), $ror::<8>(w15), $srli::<7>(w15));
                        let s1 = $ternlog::<0x96>($ror::<19>(w2), $ror::<61>(w2), $srli::<6>(w2));
                        let next = $add($add(w[t % 16], s0), $add(w[(t + 9) % 16], s1));
                        w[t % 16] = next;
                        next
                    };
                    // Σ1 = ROTR14 ^ ROTR18 ^ ROTR41; Ch = e ? f : g (0xCA).
                    let big_s1 = $ternlog::<0x96>($ror::<14>(e), $ror::<18>(e), $ror::<41>(e));
                    let ch = $ternlog::<0xCA>(e, f, g);
                    let kw = $add(wt, $set1(K[t] as i64));
                    let t1 = $add($add(h, kw), $add(big_s1, ch));
                    // Σ0 = ROTR28 ^ ROTR34 ^ ROTR39; Maj = majority (0xE8).
                    let big_s0 = $ternlog::<0x96>($ror::<28>(a), $ror::<34>(a), $ror::<39>(a));
                    let maj = $ternlog::<0xE8>(a, b, c);
                    let t2 = $add(big_s0, maj);
                    h = g;
                    g = f;
                    f = e;
                    e = $add(d, t1);
                    d = c;
                    c = b;
                    b = a;
                    a = $add(t1, t2);
                }
                [a, b, c, d, e, f, g, h]
            }
        }
    };
}

lanes_module!(
    /// Eight lanes in 512-bit registers.
    mod avx512, features "avx512f", lanes LANES,
    __m512i, _mm512_set1_epi64, _mm512_mask_add_epi64, _mm512_loadu_si512, _mm512_storeu_si512,
    _mm512_add_epi64, _mm512_ror_epi64, _mm512_srli_epi64, _mm512_ternarylogic_epi64
);

lanes_module!(
    /// Four lanes in 256-bit registers.
    mod avx512vl, features "avx512f,avx512vl", lanes super::NARROW_LANES,
    __m256i, _mm256_set1_epi64x, _mm256_mask_add_epi64, _mm256_loadu_si256, _mm256_storeu_si256,
    _mm256_add_epi64, _mm256_ror_epi64, _mm256_srli_epi64, _mm256_ternarylogic_epi64
);

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    fn check(messages: &[Vec<Vec<u8>>]) {
        let parts: Vec<Vec<&[u8]>> = messages.iter().map(|m| m.iter().map(Vec::as_slice).collect()).collect();
        let refs: Vec<&[&[u8]]> = parts.iter().map(Vec::as_slice).collect();
        // Every test goes through both: eight lanes and four (`sha512_narrow`).
        for (name, got) in [("many", sha512_many(&refs)), ("narrow", sha512_narrow(&refs))] {
            assert_eq!(got.len(), refs.len());
            for (i, (m, d)) in refs.iter().zip(&got).enumerate() {
                let whole: Vec<u8> = m.concat();
                assert_eq!(
                    d.as_slice(),
                    Sha512::digest(&whole).as_slice(),
                    "{name}: message {i} of {} bytes",
                    whole.len()
                );
            }
        }
    }

    #[test]
    fn lanes_match_sha2_for_every_length_to_1100() {
        // Eight consecutive lengths per group: every padding boundary
        // (111/112, 239/240, …) falls in some lane next to others.
        let mut rng = Rng(1);
        let data = rng.bytes(1100);
        for start in (0..=1100usize).step_by(LANES) {
            let group: Vec<Vec<Vec<u8>>> =
                (start..(start + LANES).min(1101)).map(|len| vec![data[..len].to_vec()]).collect();
            check(&group);
        }
        // And each length alone among lanes of other lengths.
        for len in 0..=1100usize {
            let group = vec![
                vec![data[..len].to_vec()],
                vec![data[..1100 - len].to_vec()],
                vec![data[..len / 2].to_vec()],
            ];
            check(&group);
        }
    }

    #[test]
    fn lanes_match_sha2_for_random_lengths_parts_and_group_sizes() {
        let mut rng = Rng(2);
        for round in 0..60 {
            let n = 1 + (rng.next() as usize % 11);
            let group: Vec<Vec<Vec<u8>>> = (0..n)
                .map(|_| {
                    let len = if round % 3 == 0 {
                        rng.next() as usize % 100_001
                    } else {
                        rng.next() as usize % 10_000
                    };
                    let whole = rng.bytes(len);
                    // Split into up to four parts at random points (R ‖ A ‖ M has three).
                    let mut cuts: Vec<usize> =
                        (0..rng.next() % 4).map(|_| rng.next() as usize % (len + 1)).collect();
                    cuts.sort_unstable();
                    let mut parts = Vec::new();
                    let mut at = 0;
                    for c in cuts.into_iter().chain([len]) {
                        parts.push(whole[at..c].to_vec());
                        at = c;
                    }
                    parts
                })
                .collect();
            check(&group);
        }
    }

    #[test]
    fn ed25519_shaped_parts_and_empty_lanes() {
        let mut rng = Rng(3);
        let (r, a) = (rng.bytes(32), rng.bytes(32));
        for n in 0..=LANES + 1 {
            let group: Vec<Vec<Vec<u8>>> =
                (0..n).map(|i| vec![r.clone(), a.clone(), rng.bytes(9_100 + i * 13)]).collect();
            check(&group);
        }
        check(&[vec![], vec![Vec::new(), Vec::new()], vec![b"abc".to_vec()]]);
        assert!(sha512_many(&[]).is_empty());
    }

    #[test]
    fn known_answer() {
        // FIPS 180-4 example "abc".
        let d = sha512_many(&[&[b"a", b"bc"], &[b"abc"]]);
        let want = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
        assert_eq!(hex::encode(d[0]), want);
        assert_eq!(hex::encode(d[1]), want);
    }
}
