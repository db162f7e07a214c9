//! Digests of bytes and of files (streaming), for artifact and target hashes.

use std::io::Read;
use std::path::Path;

use sha2::Digest as _;

/// Hash algorithms TUF and in-toto metadata name.
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

/// An incremental hasher over one algorithm.
pub enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub fn new(alg: HashAlg) -> Self {
        match alg {
            HashAlg::Sha256 => Self::Sha256(sha2::Sha256::new()),
            HashAlg::Sha384 => Self::Sha384(sha2::Sha384::new()),
            HashAlg::Sha512 => Self::Sha512(sha2::Sha512::new()),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        match self {
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// The digest of `data`.
pub fn digest(alg: HashAlg, data: &[u8]) -> Vec<u8> {
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
pub fn digest_reader(algs: &[HashAlg], mut reader: impl Read) -> std::io::Result<(Vec<Vec<u8>>, u64)> {
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
}
