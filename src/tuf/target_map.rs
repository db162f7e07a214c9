//! The `targets` member of a targets role, stored compactly.
//!
//! A PEP 458 repository holds millions of target entries; a
//! `BTreeMap<String, TargetFile>` costs about 750 bytes per entry (a B-tree
//! node per one-entry `hashes` map). Here an entry is its path, its length,
//! and either the 32 bytes of its one sha256 digest (when written as 64
//! lowercase hex digits, which re-encode to the same text) or the digests as
//! written; entries are sorted by path for binary search. [`TargetFile`]s
//! are built on demand, identical to what the JSON said.

use std::collections::BTreeMap;

use serde_json::Value;

use super::metadata::TargetFile;

/// Digests of one target.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Hashes {
    /// Exactly `{"sha256": <64 lowercase hex digits>}`.
    Sha256([u8; 32]),
    /// Anything else: algorithm → digest as written, sorted by algorithm.
    Other(Box<[(Box<str>, Box<str>)]>),
}

impl Hashes {
    fn from_raw(raw: RawHashes) -> Self {
        match raw {
            RawHashes::Sha256(b) => Hashes::Sha256(b),
            RawHashes::Pairs(pairs) => Self::from_pairs(pairs),
        }
    }

    fn from_pairs(mut pairs: Vec<(String, String)>) -> Self {
        // A JSON object: the last of duplicate names wins; BTreeMap order.
        dedup_last(&mut pairs);
        if let [(alg, digest)] = pairs.as_slice()
            && alg == "sha256"
            && let Some(bytes) = lower_hex_32(digest)
        {
            return Hashes::Sha256(bytes);
        }
        Hashes::Other(pairs.into_iter().map(|(a, d)| (a.into_boxed_str(), d.into_boxed_str())).collect())
    }

    fn to_map(&self) -> BTreeMap<String, String> {
        match self {
            Hashes::Sha256(b) => BTreeMap::from([("sha256".to_owned(), hex::encode(b))]),
            Hashes::Other(pairs) => pairs.iter().map(|(a, d)| (a.to_string(), d.to_string())).collect(),
        }
    }
}

/// 64 lowercase hex digits → 32 bytes (uppercase is kept as text: it re-encodes differently).
pub(crate) fn lower_hex_32(s: &str) -> Option<[u8; 32]> {
    lower_hex_32_bytes(s.as_bytes())
}

/// [`lower_hex_32`] of bytes (hex digits are ASCII: no UTF-8 check needed first).
pub(crate) fn lower_hex_32_bytes(s: &[u8]) -> Option<[u8; 32]> {
    let b: &[u8; 64] = s.try_into().ok()?;
    let mut out = [0u8; 32];
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
        let (hi, lo) = (NIBBLE[usize::from(pair[0])], NIBBLE[usize::from(pair[1])]);
        bad |= (hi | lo) & 0x10;
        *o = (hi << 4) | (lo & 0x0f);
    }
    (bad == 0).then_some(out)
}

/// Value of a lowercase hex digit; 0x10 marks anything else.
const NIBBLE: [u8; 256] = {
    let mut t = [0x10u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Sorts by key (stably) and keeps the last entry of each run of equal keys.
fn dedup_last<K: Ord, V>(items: &mut Vec<(K, V)>) {
    if items.is_sorted_by(|a, b| a.0 < b.0) {
        return;
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    // Keep the last of each run: reverse, dedup keeping the first, reverse.
    items.reverse();
    items.dedup_by(|later, earlier| later.0 == earlier.0);
    items.reverse();
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    length: u64,
    hashes: Hashes,
    custom: Option<Box<Value>>,
}

impl Entry {
    fn to_target_file(&self) -> TargetFile {
        TargetFile {
            length: self.length,
            hashes: self.hashes.to_map(),
            custom: self.custom.as_deref().cloned(),
        }
    }
}

/// Target path → [`TargetFile`], compact and sorted by path.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetMap {
    paths: Vec<String>,
    entries: Vec<Entry>,
}

impl TargetMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    fn index(&self, path: &str) -> Option<usize> {
        self.paths.binary_search_by(|p| p.as_str().cmp(path)).ok()
    }

    /// The target info for `path` (built on demand).
    pub fn get(&self, path: &str) -> Option<TargetFile> {
        let i = self.index(path)?;
        self.entries.get(i).map(Entry::to_target_file)
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.index(path).is_some()
    }

    /// Target paths, sorted.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &String> {
        self.paths.iter()
    }

    /// `(path, info)` sorted by path; each info is built on demand.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&String, TargetFile)> {
        self.paths.iter().zip(self.entries.iter()).map(|(p, e)| (p, e.to_target_file()))
    }

    /// Length of `path`'s target without building its info.
    pub fn length(&self, path: &str) -> Option<u64> {
        self.entries.get(self.index(path)?).map(|e| e.length)
    }

    /// From entries in document order: the last of duplicate paths wins.
    pub(crate) fn from_raw(mut raw: Vec<(String, RawTarget)>) -> Self {
        dedup_last(&mut raw);
        Self::from_sorted(raw)
    }

    /// From entries already sorted by path, without duplicates (checked by the caller).
    pub(crate) fn from_sorted(raw: Vec<(String, RawTarget)>) -> Self {
        let mut paths = Vec::with_capacity(raw.len());
        let mut entries = Vec::with_capacity(raw.len());
        for (path, t) in raw {
            paths.push(path);
            entries.push(Entry {
                length: t.length,
                hashes: Hashes::from_raw(t.hashes),
                custom: t.custom.map(Box::new),
            });
        }
        Self { paths, entries }
    }
}

/// Digests as read.
pub(crate) enum RawHashes {
    /// Exactly one member, `sha256`, in lowercase hex.
    Sha256([u8; 32]),
    /// In document order, duplicates included.
    Pairs(Vec<(String, String)>),
}

/// One target as read, before compaction.
pub(crate) struct RawTarget {
    pub length: u64,
    pub hashes: RawHashes,
    pub custom: Option<Value>,
}

impl FromIterator<(String, TargetFile)> for TargetMap {
    fn from_iter<I: IntoIterator<Item = (String, TargetFile)>>(iter: I) -> Self {
        let raw = iter
            .into_iter()
            .map(|(p, t)| {
                (
                    p,
                    RawTarget {
                        length: t.length,
                        hashes: RawHashes::Pairs(t.hashes.into_iter().collect()),
                        custom: t.custom,
                    },
                )
            })
            .collect();
        Self::from_raw(raw)
    }
}

impl From<BTreeMap<String, TargetFile>> for TargetMap {
    fn from(map: BTreeMap<String, TargetFile>) -> Self {
        map.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a TargetMap {
    type Item = (&'a String, TargetFile);
    type IntoIter = Box<dyn ExactSizeIterator<Item = (&'a String, TargetFile)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(length: u64, hashes: &[(&str, &str)]) -> RawTarget {
        RawTarget {
            length,
            hashes: RawHashes::Pairs(hashes.iter().map(|(a, d)| (a.to_string(), d.to_string())).collect()),
            custom: None,
        }
    }

    #[test]
    fn last_duplicate_wins_and_digests_round_trip() {
        let lower = "ab".repeat(32);
        let upper = "AB".repeat(32);
        assert_eq!(lower_hex_32(&"0f".repeat(32)), Some([0x0f; 32]));
        assert_eq!(lower_hex_32(&"0F".repeat(32)), None);
        assert_eq!(lower_hex_32(&"0g".repeat(32)), None);
        assert_eq!(lower_hex_32("00"), None);
        let m = TargetMap::from_raw(vec![
            ("b".into(), raw(1, &[("sha256", &lower)])),
            ("a".into(), raw(2, &[("sha256", &upper)])),
            ("b".into(), raw(3, &[("sha512", "x"), ("sha256", &lower), ("sha512", "y")])),
        ]);
        assert_eq!(m.len(), 2);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(m.get("a").unwrap().hashes["sha256"], upper);
        let b = m.get("b").unwrap();
        assert_eq!(b.length, 3);
        assert_eq!(b.hashes.len(), 2);
        assert_eq!(b.hashes["sha512"], "y");
        assert_eq!(b.hashes["sha256"], lower);
        assert!(m.get("c").is_none());
        let one = TargetMap::from_raw(vec![("x".into(), raw(1, &[("sha256", &lower)]))]);
        assert_eq!(one.get("x").unwrap().hashes["sha256"], lower);
        assert_eq!((&one).into_iter().count(), 1);
    }
}
