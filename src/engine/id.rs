//! Unit identities and content fingerprints: the keys of the unit DAG and of
//! the result cache.

use std::fmt;
use std::sync::Arc;

use crate::crypto::{HashAlg, digest::Hasher};

/// A unit's stable identity: a kind (a code constant such as
/// `"link-signature"`) and a key within that kind (usually a path or a name).
/// Cheap to clone; equal ids across plans denote the same computation, which
/// is what lets the cache carry results over when a plan is rebuilt.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitId {
    kind: &'static str,
    key: Arc<str>,
}

impl UnitId {
    pub fn new(kind: &'static str, key: impl Into<Arc<str>>) -> Self {
        Self { kind, key: key.into() }
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.key)
    }
}

impl fmt::Debug for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnitId({self})")
    }
}

/// A SHA-256 fingerprint: of a file's content, a parameter's value, a unit's
/// inputs (its cache key) or a unit's output.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The fingerprint of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let mut b = FingerprintBuilder::new("bytes");
        b.bytes(bytes);
        b.finish()
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.to_hex();
        write!(f, "Fingerprint({})", hex.get(..12).unwrap_or(&hex))
    }
}

/// Builds a fingerprint from tagged, length-prefixed parts, so that distinct
/// sequences of parts never collide by concatenation.
pub struct FingerprintBuilder(Hasher);

impl FingerprintBuilder {
    /// A builder whose domain is `tag` (fingerprints of different domains differ).
    pub fn new(tag: &str) -> Self {
        let mut b = Self(Hasher::new(HashAlg::Sha256));
        b.bytes(b"trailscope-engine-v1");
        b.bytes(tag.as_bytes());
        b
    }

    /// Adds one length-prefixed part.
    pub fn bytes(&mut self, part: &[u8]) -> &mut Self {
        self.0.update(&(part.len() as u64).to_le_bytes());
        self.0.update(part);
        self
    }

    pub fn fingerprint(&mut self, part: &Fingerprint) -> &mut Self {
        self.bytes(&part.0)
    }

    pub fn finish(self) -> Fingerprint {
        let v = self.0.finish();
        let mut out = [0u8; 32];
        for (o, b) in out.iter_mut().zip(v) {
            *o = b;
        }
        Fingerprint(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_length_prefixed() {
        let mut a = FingerprintBuilder::new("t");
        a.bytes(b"ab").bytes(b"c");
        let mut b = FingerprintBuilder::new("t");
        b.bytes(b"a").bytes(b"bc");
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn unit_id_displays_kind_and_key() {
        assert_eq!(UnitId::new("parse", "a.link").to_string(), "parse:a.link");
    }
}
