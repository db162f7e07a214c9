//! The fastest path of [`super::metadata::parse`], for documents whose
//! `signed` member is written in canonical form already — as canonical
//! writers (python-tuf's `CanonicalJSONSerializer`, repository tools
//! writing succinct bins) write it. Then the signed bytes are the input
//! bytes themselves, and one pass over them both checks that and reads
//! `signed.targets` straight into a [`TargetMap`]: no JSON tree for the
//! bulk of a bin, no second pass for the canonical form, no buffer.
//!
//! It only has to be right when it succeeds: anything it does not take as
//! it comes (whitespace inside `signed`, unsorted or duplicate members, a
//! string with an escape, a target with members other than `custom`,
//! `hashes` and `length`, …) returns `None`, and the caller tries the next
//! path. When it succeeds, the document is one the typed fast path
//! ([`super::fast`]) reads to the same split, and the slice it returns is
//! exactly what the streaming canonicalizer would write for `signed`:
//! every string in the targets map is checked to have no escape and no
//! control character (so its canonical form is its text), every member
//! list to be strictly sorted by bytes (code points, as canonical JSON
//! sorts, with no duplicates), every integer to be written canonically,
//! and every other value is parsed and re-encoded and must come out as
//! written.

use serde_json::{Map, Value};

use std::collections::BTreeMap;

use super::metadata::MetaFile;
use super::target_map::{RawHashes, RawTarget, TargetMap, lower_hex_32, lower_hex_32_bytes};
use crate::meta::canonical;

/// The document split as [`super::fast::Split`] has it, plus the signed bytes.
pub(crate) struct Split<'a> {
    /// The document with `signed.targets` taken out.
    pub doc: Value,
    /// `signed.targets`, if present (empty when only counted).
    pub targets: Option<TargetMap>,
    /// A snapshot's `signed.meta`, read straight into its typed form
    /// (then taken out of `doc`): 16,384 entries for PEP 458 hash bins.
    pub snapshot_meta: Option<BTreeMap<String, MetaFile>>,
    /// How many targets `signed.targets` lists.
    pub listed: usize,
    /// `signed` as written, which is its canonical form.
    pub signed_bytes: &'a [u8],
    /// Where `signed_bytes` are in the input.
    pub signed_at: std::ops::Range<usize>,
}

/// Reads `bytes`; `None` when anything is not as this path takes it.
pub(crate) fn split(bytes: &[u8]) -> Option<Split<'_>> {
    split_with(bytes, true)
}

/// [`split`] that checks every target as `split` does but only counts
/// them (`targets` is empty): for a role that is only audited, no
/// allocation per target.
pub(crate) fn split_counting(bytes: &[u8]) -> Option<Split<'_>> {
    split_with(bytes, false)
}

fn split_with(bytes: &[u8], keep: bool) -> Option<Split<'_>> {
    let mut c = Cursor { b: bytes, p: 0 };
    c.skip_ws();
    c.eat(b'{')?;
    let mut doc = Map::new();
    let mut targets = None;
    let mut listed = 0;
    let mut snapshot_meta = None;
    let mut signed_at = None;
    c.skip_ws();
    if !c.eat_if(b'}') {
        loop {
            c.skip_ws();
            let key = c.plain_string()?;
            c.skip_ws();
            c.eat(b':')?;
            c.skip_ws();
            if doc.contains_key(key) {
                return None;
            }
            if key == "signed" {
                let start = c.p;
                let (signed, t, meta) = signed_object(&mut c, keep)?;
                signed_at = Some(start..c.p);
                snapshot_meta = meta;
                (targets, listed) = match t {
                    Some((map, n)) => (Some(map), n),
                    None => (None, 0),
                };
                doc.insert(key.to_owned(), Value::Object(signed));
            } else {
                let v = c.any_value()?;
                doc.insert(key.to_owned(), v);
            }
            c.skip_ws();
            if c.eat_if(b'}') {
                break;
            }
            c.eat(b',')?;
        }
    }
    c.skip_ws();
    if c.p != bytes.len() {
        return None;
    }
    let signed_at = signed_at?;
    Some(Split {
        doc: Value::Object(doc),
        targets,
        snapshot_meta,
        listed,
        signed_bytes: &bytes[signed_at.clone()],
        signed_at,
    })
}

/// A targets map and how many targets it lists.
type Counted = (TargetMap, usize);

/// `signed` as read: its other members, `targets`, and a snapshot's `meta`.
type SignedParts = (Map<String, Value>, Option<Counted>, Option<BTreeMap<String, MetaFile>>);

/// `signed`, in canonical form: its members other than `targets` (and a
/// snapshot's `meta`), and those two read straight into their typed form.
fn signed_object(c: &mut Cursor<'_>, keep: bool) -> Option<SignedParts> {
    let mut signed = Map::new();
    let (mut targets, mut meta) = (None, None);
    c.eat(b'{')?;
    if c.eat_if(b'}') {
        return Some((signed, targets, meta));
    }
    let mut prev: Option<&str> = None;
    loop {
        let key = c.plain_string()?;
        if prev.is_some_and(|p| p.as_bytes() >= key.as_bytes()) {
            return None;
        }
        prev = Some(key);
        c.eat(b':')?;
        // `_type` sorts before every other member the spec names.
        let snapshot = signed.get("_type").is_some_and(|t| t == "snapshot");
        let start = c.p;
        if key == "targets" {
            targets = Some(targets_map(c, keep)?);
        } else if let Some(m) = (key == "meta" && snapshot).then(|| meta_map(c)).flatten() {
            meta = Some(m);
        } else {
            // A `meta` this path does not read typed is read as any member.
            c.p = start;
            signed.insert(key.to_owned(), c.canonical_value()?);
        }
        if c.eat_if(b'}') {
            return Some((signed, targets, meta));
        }
        c.eat(b',')?;
    }
}

/// A snapshot's `meta` in canonical form, each entry exactly
/// `{["hashes":{…},]["length":N,]"version":N}` with a version above 0 (what
/// the general path reads without error); `None` for anything else.
fn meta_map(c: &mut Cursor<'_>) -> Option<BTreeMap<String, MetaFile>> {
    c.eat(b'{')?;
    // Room at once for as many entries of 24 bytes as the rest holds (a
    // PEP 458 bin's takes 31, `"bins-0000.json":{"version":1},`): 16,384
    // entries not grown and copied onto fresh pages; the pages reserved
    // beyond them are never touched.
    let mut entries: Vec<(String, MetaFile)> = Vec::with_capacity(c.rest().len() / 24);
    if !c.eat_if(b'}') {
        loop {
            let name = c.plain_string()?;
            if entries.last().is_some_and(|(p, _)| p.as_bytes() >= name.as_bytes()) {
                return None;
            }
            c.eat(b':')?;
            entries.push((name.to_owned(), metafile(c)?));
            if c.eat_if(b'}') {
                break;
            }
            c.eat(b',')?;
        }
    }
    // Sorted and unique: the map is built in one pass.
    Some(entries.into_iter().collect())
}

/// An optional member of an object in canonical order: when `key` (the
/// member name just read) is `name`, its value read with `value`, and
/// `key` moved on to the next member's name, which must follow; else
/// `Some(None)` with nothing read. `None` when the text is not that.
fn optional_member<'a, T>(
    c: &mut Cursor<'a>,
    key: &mut &'a str,
    name: &str,
    value: impl FnOnce(&mut Cursor<'a>) -> Option<T>,
) -> Option<Option<T>> {
    if *key != name {
        return Some(None);
    }
    c.eat(b':')?;
    let v = value(c)?;
    c.eat(b',')?;
    *key = c.plain_string()?;
    Some(Some(v))
}

/// One `meta` entry (see [`meta_map`]).
fn metafile(c: &mut Cursor<'_>) -> Option<MetaFile> {
    c.eat(b'{')?;
    let mut key = c.plain_string()?;
    let hashes = optional_member(c, &mut key, "hashes", digests)?;
    let length = optional_member(c, &mut key, "length", Cursor::canonical_u64)?;
    if key != "version" {
        return None;
    }
    c.eat(b':')?;
    let version = c.canonical_u64().filter(|&v| v > 0)?;
    c.eat(b'}')?;
    Some(MetaFile { version, length, hashes })
}

/// A non-empty map of plain-string digests, sorted, as written.
fn digests(c: &mut Cursor<'_>) -> Option<BTreeMap<String, String>> {
    c.eat(b'{')?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    loop {
        let alg = c.plain_string()?;
        if pairs.last().is_some_and(|(p, _)| p.as_bytes() >= alg.as_bytes()) {
            return None;
        }
        c.eat(b':')?;
        pairs.push((alg.to_owned(), c.plain_string()?.to_owned()));
        if c.eat_if(b'}') {
            return Some(pairs.into_iter().collect());
        }
        c.eat(b',')?;
    }
}

/// `signed.targets` in canonical form, and how many it lists; with `keep`
/// false every entry is checked the same way but none is kept.
fn targets_map(c: &mut Cursor<'_>, keep: bool) -> Option<(TargetMap, usize)> {
    c.eat(b'{')?;
    // An entry takes some 100 bytes or more; the list is only gathered here.
    let mut raw: Vec<(String, RawTarget)> = Vec::with_capacity(if keep { c.rest().len() / 96 } else { 0 });
    let mut listed = 0;
    if c.eat_if(b'}') {
        return Some((TargetMap::from_sorted(raw), listed));
    }
    let mut prev: Option<&[u8]> = None;
    loop {
        let path = c.plain_bytes()?;
        if prev.is_some_and(|p| p >= path) {
            return None;
        }
        prev = Some(path);
        c.eat(b':')?;
        if keep {
            raw.push((std::str::from_utf8(path).ok()?.to_owned(), target(c)?));
        } else {
            target_counted(c)?;
        }
        listed += 1;
        if c.eat_if(b'}') {
            return Some((TargetMap::from_sorted(raw), listed));
        }
        c.eat(b',')?;
    }
}

/// The usual entry up to its length, exactly: one sha256 digest of 64 characters.
const SHA256: &[u8] = br#"{"hashes":{"sha256":""#;
const LENGTH: &[u8] = br#""},"length":"#;

/// [`target`] that keeps nothing: the same entries pass, the same fail.
/// The usual entry's digest is only checked to be a plain string (any
/// string is a digest; [`target`] decodes lowercase hex only to store it
/// in 32 bytes, and takes anything else through its general branch).
fn target_counted(c: &mut Cursor<'_>) -> Option<()> {
    if c.rest().starts_with(SHA256) {
        let at = c.p + SHA256.len();
        if let Some(digest) = c.b.get(at..at + 64)
            && c.b[at + 64..].starts_with(LENGTH)
            && plain_ascii(digest)
        {
            c.p = at + 64 + LENGTH.len();
            c.canonical_u64()?;
            return c.eat(b'}');
        }
    }
    target(c).map(drop)
}

/// No quote, backslash, control character or non-ASCII byte: a string's
/// text as written is its JSON value and its canonical form (checked
/// without branching per byte, so it runs as vector code).
fn plain_ascii(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| ok & (b.wrapping_sub(0x20) < 0x60) & (b != b'"') & (b != b'\\'))
}

/// One target: `{["custom":…,]"hashes":{…},"length":N}` (canonical member order).
fn target(c: &mut Cursor<'_>) -> Option<RawTarget> {
    if c.rest().starts_with(SHA256) {
        let at = c.p + SHA256.len();
        if let Some(hex) = c.b.get(at..at + 64)
            && c.b[at + 64..].starts_with(LENGTH)
            && let Some(digest) = lower_hex_32_bytes(hex)
        {
            c.p = at + 64 + LENGTH.len();
            let length = c.canonical_u64()?;
            c.eat(b'}')?;
            return Some(RawTarget { length, hashes: RawHashes::Sha256(digest), custom: None });
        }
    }
    c.eat(b'{')?;
    let mut key = c.plain_string()?;
    let custom = optional_member(c, &mut key, "custom", Cursor::canonical_value)?;
    if key != "hashes" {
        return None;
    }
    c.eat(b':')?;
    let hashes = hashes(c)?;
    c.eat(b',')?;
    if c.plain_string()? != "length" {
        return None;
    }
    c.eat(b':')?;
    let length = c.canonical_u64()?;
    c.eat(b'}')?;
    Some(RawTarget { length, hashes, custom })
}

/// A non-empty map of plain-string digests, sorted.
fn hashes(c: &mut Cursor<'_>) -> Option<RawHashes> {
    c.eat(b'{')?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    loop {
        let alg = c.plain_string()?;
        if pairs.last().is_some_and(|(p, _)| p.as_bytes() >= alg.as_bytes()) {
            return None;
        }
        c.eat(b':')?;
        let digest = c.plain_string()?;
        pairs.push((alg.to_owned(), digest.to_owned()));
        if c.eat_if(b'}') {
            break;
        }
        c.eat(b',')?;
    }
    if let [(alg, digest)] = pairs.as_slice()
        && alg == "sha256"
        && let Some(bytes) = lower_hex_32(digest)
    {
        return Some(RawHashes::Sha256(bytes));
    }
    Some(RawHashes::Pairs(pairs))
}

struct Cursor<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.b[self.p..]
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.eat_if(byte).then_some(())
    }

    fn eat_if(&mut self, byte: u8) -> bool {
        let hit = self.b.get(self.p) == Some(&byte);
        self.p += usize::from(hit);
        hit
    }

    /// JSON whitespace (outside `signed` only: canonical form has none).
    fn skip_ws(&mut self) {
        while matches!(self.b.get(self.p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.p += 1;
        }
    }

    /// A string with no escape and no control character: its text is its
    /// JSON value and its canonical form at once.
    fn plain_string(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.plain_bytes()?).ok()
    }

    /// [`Self::plain_string`] as bytes (valid UTF-8): the closing quote, then
    /// the text before it checked in one pass; only text with non-ASCII
    /// bytes needs the UTF-8 check.
    fn plain_bytes(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.p;
        let len = memchr::memchr(b'"', self.rest())?;
        let text = &self.b[start..start + len];
        let plain = plain_ascii(text)
            || (!text.iter().any(|&b| b == b'\\' || b < 0x20) && std::str::from_utf8(text).is_ok());
        if !plain {
            return None;
        }
        self.p += len + 1;
        Some(text)
    }

    /// A non-negative integer as canonical JSON writes it (no leading zero, no sign).
    fn canonical_u64(&mut self) -> Option<u64> {
        let digits = self.rest().iter().take_while(|b| b.is_ascii_digit()).count();
        let text = &self.rest()[..digits];
        if digits == 0 || (digits > 1 && text[0] == b'0') {
            return None;
        }
        let mut n: u64 = 0;
        for &d in text {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        }
        // A fraction or exponent would make it another number.
        if matches!(self.b.get(self.p + digits), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.p += digits;
        Some(n)
    }

    /// Any JSON value, as serde_json reads it (as the typed fast path does).
    fn any_value(&mut self) -> Option<Value> {
        let mut values = serde_json::Deserializer::from_slice(self.rest()).into_iter::<Value>();
        let v = values.next()?.ok()?;
        self.p += values.byte_offset();
        Some(v)
    }

    /// Any JSON value that is written in canonical form.
    fn canonical_value(&mut self) -> Option<Value> {
        // The common members (`_type`, `expires`, `version`, …) read directly:
        // a plain string or a non-negative integer written canonically is
        // the value serde_json reads, and its canonical form.
        let start = self.p;
        match self.b.get(start) {
            Some(b'"') => {
                if let Some(s) = self.plain_string() {
                    return Some(Value::String(s.to_owned()));
                }
                self.p = start;
            }
            Some(b'0'..=b'9') => {
                if let Some(n) = self.canonical_u64() {
                    return Some(Value::from(n));
                }
                self.p = start;
            }
            _ => {}
        }
        let v = self.any_value()?;
        let written = &self.b[start..self.p];
        (canonical::to_vec(&v).ok()?.as_slice() == written).then_some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_of(doc: &str) -> Option<String> {
        split(doc.as_bytes()).map(|s| String::from_utf8(s.signed_bytes.to_vec()).unwrap())
    }

    #[test]
    fn canonical_signed_is_taken_as_written() {
        let signed = r#"{"_type":"targets","expires":"2030-01-01T00:00:00Z","spec_version":"1.0","targets":{"a":{"hashes":{"sha256":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},"length":0},"b/c":{"custom":{"x":[1,-2]},"hashes":{"sha256":"AB","sha512":"cd"},"length":12}},"version":3}"#;
        let doc = format!(" {{\"signatures\" : [ ],\n\"signed\":{signed}}}\n");
        assert_eq!(signed_of(&doc).as_deref(), Some(signed));
        let s = split(doc.as_bytes()).unwrap();
        let t = s.targets.unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            t.get("a").unwrap().hashes["sha256"],
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
        );
        let bc = t.get("b/c").unwrap();
        assert_eq!((bc.length, bc.hashes.len()), (12, 2));
        assert_eq!(bc.custom, Some(serde_json::json!({"x": [1, -2]})));
        assert!(s.doc["signed"].get("targets").is_none());
        assert_eq!(s.doc["signed"]["version"], 3);
    }

    #[test]
    fn anything_not_canonical_as_written_is_handed_on() {
        let ok = r#"{"signatures":[],"signed":{"_type":"targets","targets":{"a":{"hashes":{"sha256":"ab"},"length":1}},"version":1}}"#;
        assert!(split(ok.as_bytes()).is_some());
        for (from, to) in [
            (r#""_type":"targets","#, r#""_type": "targets","#),
            (r#""version":1"#, r#""version":1.0"#),
            (r#""version":1"#, r#""version":01"#),
            (r#""version":1"#, r#""version":-0"#),
            (r#""length":1"#, r#""length":01"#),
            (r#""length":1"#, r#""length":-1"#),
            (r#""length":1"#, r#""length":1e0"#),
            (r#""length":1"#, r#""length":18446744073709551616"#),
            (r#""a":"#, r#""a\u0061":"#),
            (r#""a":"#, r#""\/":"#),
            (r#""ab""#, r#""a\"b""#),
            (r#""_type":"targets","#, r#""_type":"targets","_type":"targets","#),
            (r#""_type":"targets","#, r#""z":1,"_type":"targets","#),
            (r#""length":1}"#, r#""length":1,"other":2}"#),
            (r#""sha256":"ab""#, r#""sha256":"ab","sha256":"ab""#),
            (r#""signatures":[],"#, r#""signatures":[],"signatures":[],"#),
            (r#""version":1}}"#, r#""version":1}} x"#),
        ] {
            let doc = ok.replacen(from, to, 1);
            assert_ne!(doc, ok, "{to}");
            assert!(split(doc.as_bytes()).is_none(), "{doc}");
        }
        // Sorted, two paths: fine; the same path twice or out of order: not.
        let two = ok.replace(r#""length":1}}"#, r#""length":1},"b":{"hashes":{"sha256":"ab"},"length":2}}"#);
        assert!(split(two.as_bytes()).is_some());
        assert!(split(two.replace(r#""b":"#, r#""a":"#).as_bytes()).is_none());
        assert!(split(two.replace(r#""b":"#, r#""0":"#).as_bytes()).is_none());
    }

    /// Wherever this path succeeds, the typed fast path reads the same split
    /// and the streaming canonicalizer writes the same signed bytes.
    fn agrees_with_typed_path(bytes: &[u8]) -> bool {
        let Some(mut mine) = split(bytes) else { return false };
        let theirs = super::super::fast::split(bytes).expect("typed fast path reads it too");
        if let Some(meta) = mine.snapshot_meta.take() {
            put_back_meta(&mut mine.doc, meta);
        }
        assert_eq!(mine.doc, theirs.doc);
        assert_eq!(mine.targets, theirs.targets);
        let mut canonical = Vec::new();
        assert!(crate::meta::stream::canonicalize_member(bytes, "signed", &mut canonical).unwrap());
        assert_eq!(mine.signed_bytes, canonical.as_slice());
        true
    }

    /// A snapshot's `meta` read typed, as the JSON it was read from.
    fn put_back_meta(doc: &mut Value, meta: BTreeMap<String, MetaFile>) {
        let entries = meta.into_iter().map(|(name, m)| {
            let mut e = Map::new();
            if let Some(h) = m.hashes {
                e.insert("hashes".into(), h.into_iter().map(|(a, d)| (a, Value::String(d))).collect());
            }
            if let Some(l) = m.length {
                e.insert("length".into(), l.into());
            }
            e.insert("version".into(), m.version.into());
            (name, Value::Object(e))
        });
        let signed = doc["signed"].as_object_mut().expect("signed is an object");
        assert!(signed.insert("meta".into(), entries.collect()).is_none(), "meta taken out");
    }

    #[test]
    fn a_snapshot_meta_is_read_typed_exactly_when_it_reads_without_error() {
        let ok = r#"{"signatures":[],"signed":{"_type":"snapshot","expires":"2030-01-01T00:00:00Z","meta":{"a.json":{"hashes":{"sha256":"ab","sha512":"cd"},"length":12,"version":3},"b.json":{"version":1},"targets.json":{"length":5,"version":2}},"spec_version":"1.0","version":4}}"#;
        let s = split(ok.as_bytes()).unwrap();
        let meta = s.snapshot_meta.as_ref().expect("read typed");
        assert_eq!(meta.len(), 3);
        assert_eq!(meta["a.json"].hashes.as_ref().unwrap()["sha512"], "cd");
        assert_eq!(
            (meta["a.json"].length, meta["b.json"].length, meta["targets.json"].version),
            (Some(12), None, 2)
        );
        assert!(agrees_with_typed_path(ok.as_bytes()));
        // Anything else in `meta` is read as any member, or refused, as before.
        for (from, to) in [
            (r#""version":1}"#, r#""version":0}"#),
            (r#""version":1}"#, r#""version":1,"x":2}"#),
            (r#""length":5,"#, r#""length":5,"other":1,"#),
            (r#"{"version":1}"#, r#"{"length":1}"#),
            (r#"{"version":1}"#, r#"{}"#),
            (r#""hashes":{"sha256":"ab","sha512":"cd"}"#, r#""hashes":{}"#),
            (r#""hashes":{"sha256":"ab","sha512":"cd"}"#, r#""hashes":{"sha256":1}"#),
            (r#""version":3"#, r#""version":"3""#),
        ] {
            let doc = ok.replacen(from, to, 1);
            assert_ne!(doc, ok, "{to}");
            if let Some(s) = split(doc.as_bytes()) {
                assert!(s.snapshot_meta.is_none(), "{doc}");
                assert!(s.doc["signed"].get("meta").is_some());
                agrees_with_typed_path(doc.as_bytes());
            }
        }
        // Another type's `meta` is not a snapshot's.
        let ts = ok.replace(r#""_type":"snapshot""#, r#""_type":"timestamp""#);
        assert!(split(ts.as_bytes()).unwrap().snapshot_meta.is_none());
    }

    fn fixtures() -> Vec<Vec<u8>> {
        fn walk(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "json") {
                    out.push(std::fs::read(&p).unwrap());
                }
            }
        }
        let mut out = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &mut out);
        out
    }

    #[test]
    fn agrees_with_the_typed_path_on_the_fixtures() {
        let taken = fixtures().iter().filter(|b| agrees_with_typed_path(b)).count();
        assert!(taken > 50, "only {taken} fixtures written canonically");
    }

    /// Counting takes exactly what keeping takes, with the same split.
    fn counting_agrees(bytes: &[u8]) -> bool {
        let (kept, counted) = (split(bytes), split_counting(bytes));
        let (Some(kept), Some(counted)) = (kept, counted) else {
            assert!(split(bytes).is_none() && split_counting(bytes).is_none());
            return false;
        };
        assert_eq!(kept.doc, counted.doc);
        assert_eq!(kept.signed_bytes, counted.signed_bytes);
        assert_eq!(&bytes[counted.signed_at.clone()], counted.signed_bytes);
        assert_eq!(kept.listed, counted.listed);
        assert_eq!(kept.targets.as_ref().map(TargetMap::len), kept.targets.as_ref().map(|_| kept.listed));
        assert_eq!(counted.targets.as_ref().map(TargetMap::len), counted.targets.as_ref().map(|_| 0));
        true
    }

    #[test]
    fn counting_agrees_with_keeping_on_fixtures_and_mutations() {
        let all = fixtures();
        assert!(all.iter().filter(|b| counting_agrees(b)).count() > 50);
        let mut checked = 0;
        for doc in all.iter().filter(|b| split(b).is_some() && b.len() < 4000).take(12) {
            for i in 0..doc.len() {
                // 'A', DEL and a non-ASCII byte inside a digest: counting
                // checks it as a string where keeping decodes hex.
                for b in [b' ', b'"', b'\\', b'0', b'-', b'.', b'a', b'A', b'{', b'}', b',', 0x01, 0x7f, 0xc3]
                {
                    let mut m = doc.clone();
                    m[i] = b;
                    checked += usize::from(counting_agrees(&m));
                }
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn counting_takes_a_digest_exactly_when_keeping_does() {
        // Every byte value at every offset of the usual entry's digest and
        // its surroundings: taken by both or by neither.
        let doc = br#"{"signatures":[],"signed":{"_type":"targets","targets":{"a":{"hashes":{"sha256":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},"length":7}},"version":1}}"#;
        let at = doc.windows(4).position(|w| w == b"0011").unwrap();
        let (mut taken, mut refused) = (0, 0);
        for i in at - 12..at + 80 {
            for b in 0..=255u8 {
                let mut m = doc.to_vec();
                m[i] = b;
                if counting_agrees(&m) { taken += 1 } else { refused += 1 }
            }
        }
        assert!(taken > 64 * 90 && refused > 64 * 30, "taken {taken}, refused {refused}");
    }

    #[test]
    fn agrees_with_the_typed_path_on_mutated_documents() {
        // Single-byte edits of canonical documents, at every offset (bounded).
        let docs: Vec<Vec<u8>> =
            fixtures().into_iter().filter(|b| split(b).is_some() && b.len() < 4000).take(12).collect();
        let mut checked = 0;
        for doc in &docs {
            for i in 0..doc.len() {
                for b in [
                    b' ', b'"', b'\\', b'0', b'9', b'-', b'.', b'e', b'a', b'A', b'{', b'}', b',', 0x01, 0xff,
                ] {
                    let mut m = doc.clone();
                    m[i] = b;
                    if super::super::fast::split(&m).is_some() || split(&m).is_none() {
                        checked += usize::from(split(&m).is_none() || agrees_with_typed_path(&m));
                    } else {
                        panic!("taken here but not by the typed path: {}", String::from_utf8_lossy(&m));
                    }
                }
            }
        }
        assert!(checked > 1000);
    }
}
