//! Digests of bytes and of files (streaming), for artifact and target hashes.
//!
//! [`HashAlg`] is the SHA-2 family signature schemes name; [`DigestAlg`] is
//! every algorithm a TUF `hashes` object may name that python-tuf verifies
//! (it asks `hashlib.new(name)`, plus its own `blake2b-256`).

use std::io::Read;
use std::path::Path;

use sha2::Digest as _;

/// Hash algorithms of signature schemes (and in-toto's artifact digests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    /// The algorithm named in metadata (`"sha256"`, …); `None` if unsupported.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }
}

/// Every digest a TUF `hashes` object can name and python-tuf 7 verifies:
/// the names python's own `hashlib` constructors accept. Names only some
/// OpenSSL builds know (`sha-256`, `ripemd160`, `sm3`) are unsupported here,
/// which python-tuf also says (as a hash mismatch) where OpenSSL lacks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestAlg {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    /// BLAKE2b with its full 64-byte output (`hashlib.blake2b()`).
    Blake2b,
    /// BLAKE2b with a 32-byte output: python-tuf's `blake2b-256`.
    Blake2b256,
    /// BLAKE2s with its full 32-byte output.
    Blake2s,
}

impl DigestAlg {
    pub const ALL: [DigestAlg; 15] = [
        Self::Md5,
        Self::Sha1,
        Self::Sha224,
        Self::Sha256,
        Self::Sha384,
        Self::Sha512,
        Self::Sha512_224,
        Self::Sha512_256,
        Self::Sha3_224,
        Self::Sha3_256,
        Self::Sha3_384,
        Self::Sha3_512,
        Self::Blake2b,
        Self::Blake2b256,
        Self::Blake2s,
    ];

    /// The algorithm a `hashes` key names; `None` if unsupported.
    pub fn from_name(name: &str) -> Option<Self> {
        // hashlib's built-in constructors also answer to these upper-case names.
        let alias = match name {
            "MD5" => Some(Self::Md5),
            "SHA1" => Some(Self::Sha1),
            "SHA224" => Some(Self::Sha224),
            "SHA256" => Some(Self::Sha256),
            "SHA384" => Some(Self::Sha384),
            "SHA512" => Some(Self::Sha512),
            _ => None,
        };
        alias.or_else(|| Self::ALL.into_iter().find(|a| a.name() == name))
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "md5",
            Self::Sha1 => "sha1",
            Self::Sha224 => "sha224",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
            Self::Sha512_224 => "sha512_224",
            Self::Sha512_256 => "sha512_256",
            Self::Sha3_224 => "sha3_224",
            Self::Sha3_256 => "sha3_256",
            Self::Sha3_384 => "sha3_384",
            Self::Sha3_512 => "sha3_512",
            Self::Blake2b => "blake2b",
            Self::Blake2b256 => "blake2b-256",
            Self::Blake2s => "blake2s",
        }
    }

    /// Broken for collision resistance: still verified (the reference does),
    /// but worth a warning.
    pub fn is_weak(self) -> bool {
        matches!(self, Self::Md5 | Self::Sha1)
    }
}

impl From<HashAlg> for DigestAlg {
    fn from(a: HashAlg) -> Self {
        match a {
            HashAlg::Sha256 => Self::Sha256,
            HashAlg::Sha384 => Self::Sha384,
            HashAlg::Sha512 => Self::Sha512,
        }
    }
}

/// An incremental hasher over one algorithm.
pub enum Hasher {
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    Sha512_224(sha2::Sha512_224),
    Sha512_256(sha2::Sha512_256),
    Sha3_224(sha3::Sha3_224),
    Sha3_256(sha3::Sha3_256),
    Sha3_384(sha3::Sha3_384),
    Sha3_512(sha3::Sha3_512),
    Blake2b(blake2::Blake2b512),
    Blake2b256(blake2::Blake2b<blake2::digest::consts::U32>),
    Blake2s(blake2::Blake2s256),
}

/// Runs `$body` with `$h` bound to the inner hasher of every variant.
macro_rules! each_hasher {
    ($self:expr, $h:ident => $body:expr) => {
        match $self {
            Hasher::Md5($h) => $body,
            Hasher::Sha1($h) => $body,
            Hasher::Sha224($h) => $body,
            Hasher::Sha256($h) => $body,
            Hasher::Sha384($h) => $body,
            Hasher::Sha512($h) => $body,
            Hasher::Sha512_224($h) => $body,
            Hasher::Sha512_256($h) => $body,
            Hasher::Sha3_224($h) => $body,
            Hasher::Sha3_256($h) => $body,
            Hasher::Sha3_384($h) => $body,
            Hasher::Sha3_512($h) => $body,
            Hasher::Blake2b($h) => $body,
            Hasher::Blake2b256($h) => $body,
            Hasher::Blake2s($h) => $body,
        }
    };
}

impl Hasher {
    pub fn new(alg: impl Into<DigestAlg>) -> Self {
        match alg.into() {
            DigestAlg::Md5 => Self::Md5(md5::Md5::new()),
            DigestAlg::Sha1 => Self::Sha1(sha1::Sha1::new()),
            DigestAlg::Sha224 => Self::Sha224(sha2::Sha224::new()),
            DigestAlg::Sha256 => Self::Sha256(sha2::Sha256::new()),
            DigestAlg::Sha384 => Self::Sha384(sha2::Sha384::new()),
            DigestAlg::Sha512 => Self::Sha512(sha2::Sha512::new()),
            DigestAlg::Sha512_224 => Self::Sha512_224(sha2::Sha512_224::new()),
            DigestAlg::Sha512_256 => Self::Sha512_256(sha2::Sha512_256::new()),
            DigestAlg::Sha3_224 => Self::Sha3_224(sha3::Sha3_224::new()),
            DigestAlg::Sha3_256 => Self::Sha3_256(sha3::Sha3_256::new()),
            DigestAlg::Sha3_384 => Self::Sha3_384(sha3::Sha3_384::new()),
            DigestAlg::Sha3_512 => Self::Sha3_512(sha3::Sha3_512::new()),
            DigestAlg::Blake2b => Self::Blake2b(blake2::Blake2b512::new()),
            DigestAlg::Blake2b256 => Self::Blake2b256(blake2::Blake2b::new()),
            DigestAlg::Blake2s => Self::Blake2s(blake2::Blake2s256::new()),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        each_hasher!(self, h => h.update(data))
    }

    pub fn finish(self) -> Vec<u8> {
        each_hasher!(self, h => h.finalize().to_vec())
    }
}

/// The digest of `data`.
pub fn digest(alg: impl Into<DigestAlg>, data: &[u8]) -> Vec<u8> {
    let mut h = Hasher::new(alg);
    h.update(data);
    h.finish()
}

/// Lower-case hex SHA-256 of `data`, the form metadata writes.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(digest(HashAlg::Sha256, data))
}

/// Digests of everything `reader` yields, for several algorithms in one pass.
/// Returns the digests in the order of `algs` and the number of bytes read.
pub fn digest_reader<A: Copy + Into<DigestAlg>>(
    algs: &[A],
    mut reader: impl Read,
) -> std::io::Result<(Vec<Vec<u8>>, u64)> {
    let mut hashers: Vec<Hasher> = algs.iter().map(|&a| Hasher::new(a)).collect();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        for h in &mut hashers {
            h.update(chunk);
        }
        total += n as u64;
    }
    Ok((hashers.into_iter().map(Hasher::finish).collect(), total))
}

/// The digest of a file, read in chunks.
pub fn digest_file(alg: HashAlg, path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let (mut digests, _) = digest_reader(&[alg], file)?;
    Ok(digests.pop().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hex::encode(digest(HashAlg::Sha384, b"abc")),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
        );
    }

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let (d, n) = digest_reader(&[HashAlg::Sha512, HashAlg::Sha256], &data[..]).unwrap();
        assert_eq!(n, 200_000);
        assert_eq!(d[0], digest(HashAlg::Sha512, &data));
        assert_eq!(d[1], digest(HashAlg::Sha256, &data));
    }

    /// `hashlib.new(name)` (and python-tuf's `blake2b(digest_size=32)` for
    /// `blake2b-256`) over `b"abc"`, from python 3.11.
    #[test]
    fn every_algorithm_python_tuf_verifies() {
        let expected = [
            ("md5", "900150983cd24fb0d6963f7d28e17f72"),
            ("sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("sha224", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
            ("sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "sha384",
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
            ),
            (
                "sha512",
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            ),
            ("sha512_224", "4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa"),
            ("sha512_256", "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"),
            ("sha3_224", "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"),
            ("sha3_256", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
            (
                "sha3_384",
                "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25",
            ),
            (
                "sha3_512",
                "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
            ),
            (
                "blake2b",
                "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            ),
            ("blake2b-256", "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
            ("blake2s", "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982"),
        ];
        assert_eq!(expected.len(), DigestAlg::ALL.len());
        for (name, hex_digest) in expected {
            let alg = DigestAlg::from_name(name).unwrap_or_else(|| panic!("{name} unsupported"));
            assert_eq!(alg.name(), name);
            assert_eq!(hex::encode(digest(alg, b"abc")), hex_digest, "{name}");
            let (d, _) = digest_reader(&[alg], &b"abc"[..]).unwrap();
            assert_eq!(hex::encode(&d[0]), hex_digest, "{name} streamed");
        }
        assert_eq!(DigestAlg::from_name("SHA256"), Some(DigestAlg::Sha256));
        assert_eq!(DigestAlg::from_name("MD5"), Some(DigestAlg::Md5));
        for unknown in ["sha-256", "Sha3_256", "BLAKE2B", "md4", "shake_128", ""] {
            assert_eq!(DigestAlg::from_name(unknown), None, "{unknown}");
        }
    }
}
