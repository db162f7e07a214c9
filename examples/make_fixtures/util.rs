//! Shared helpers: the in-memory file tree, JSON encodings, fixed keys and times,
//! and a tiny deterministic tar.gz writer.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde::Serialize as _;
use serde_json::Value;
use trailscope::crypto::SigningKey;
use trailscope::crypto::signing::seed_from_label;
use trailscope::meta::canonical;

/// Verification time of every generated scenario.
pub const NOW: &str = "2026-06-01T00:00:00Z";
/// Expiry of valid TUF roles: ten years after `NOW` (3650+ days, like the corpus).
pub const TUF_ROOT_EXPIRES: &str = "2036-06-10T00:00:00Z";
pub const TUF_TARGETS_EXPIRES: &str = "2036-06-06T00:00:00Z";
pub const TUF_DELEGATED_EXPIRES: &str = "2036-06-05T00:00:00Z";
pub const TUF_SNAPSHOT_EXPIRES: &str = "2036-06-04T00:00:00Z";
pub const TUF_TIMESTAMP_EXPIRES: &str = "2036-06-03T00:00:00Z";
/// Expiry of valid layouts: six years after `NOW`.
pub const LAYOUT_EXPIRES: &str = "2032-06-01T00:00:00Z";
/// Expiry of the metadata an attack scenario lets lapse: 17 days before `NOW`.
pub const EXPIRED: &str = "2026-05-15T00:00:00Z";
/// TUF `spec_version` written into every role.
pub const SPEC_VERSION: &str = "1.0.31";

/// The generated tree: path (with `/`, relative to the output directory) → bytes.
#[derive(Default, Clone)]
pub struct Files(pub BTreeMap<String, Vec<u8>>);

impl Files {
    pub fn put(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.0.insert(path.into(), bytes.into());
    }

    pub fn get(&self, path: &str) -> Option<&Vec<u8>> {
        self.0.get(path)
    }

    /// Copies every file of `other` under `prefix/`.
    pub fn put_all(&mut self, prefix: &str, other: &Files) {
        for (path, bytes) in &other.0 {
            self.put(format!("{prefix}/{path}"), bytes.clone());
        }
    }

    /// Writes the tree below `root`, creating directories as needed.
    pub fn write_to(&self, root: &Path) -> io::Result<()> {
        for (path, bytes) in &self.0 {
            let full = root.join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(full, bytes)?;
        }
        Ok(())
    }
}

/// OLPC canonical JSON: the signed bytes, and the compact sorted form TUF metadata is served in.
pub fn canonical(v: &Value) -> Vec<u8> {
    canonical::to_vec(v).expect("generator values are canonicalizable")
}

/// `json.dumps(v, indent=n, sort_keys=True)` (serde_json maps are sorted), no trailing newline.
pub fn pretty(v: &Value, indent: usize) -> Vec<u8> {
    let ind = vec![b' '; indent];
    let mut out = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(&ind));
    v.serialize(&mut ser).expect("serializing a Value cannot fail");
    out
}

/// Pretty JSON with two-space indentation and a trailing newline (scenario.json, index.json).
pub fn doc(v: &Value) -> Vec<u8> {
    let mut out = pretty(v, 2);
    out.push(b'\n');
    out
}

/// A deterministic Ed25519 key for `label`.
pub fn ed25519(label: &str) -> SigningKey {
    SigningKey::ed25519_from_seed(&seed_from_label(&format!("fixtures/{label}")))
}

/// A deterministic ECDSA P-256 key for `label`.
pub fn p256(label: &str) -> SigningKey {
    SigningKey::p256_from_seed(&seed_from_label(&format!("fixtures/{label}")))
}

pub fn sha256(bytes: &[u8]) -> String {
    trailscope::crypto::sha256_hex(bytes)
}

/// One tar member: a directory (`None`) or a regular file.
pub struct TarEntry<'a> {
    pub path: &'a str,
    pub data: Option<&'a [u8]>,
}

/// A POSIX ustar archive of `entries` (uid/gid 0, owner root, mtime fixed), gzip-wrapped
/// with stored (uncompressed) deflate blocks so that no compression library is needed
/// and the bytes never depend on one.
pub fn tar_gz(entries: &[TarEntry<'_>]) -> Vec<u8> {
    gzip_stored(&tar(entries))
}

/// Fixed modification time of archive members: 2026-05-31T12:00:00Z.
const TAR_MTIME: u64 = 1_780_228_800;

fn tar(entries: &[TarEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in entries {
        let mut h = [0u8; 512];
        let name = entry.path.as_bytes();
        assert!(name.len() < 100, "tar member name too long");
        h[..name.len()].copy_from_slice(name);
        let (mode, size, typeflag) = match entry.data {
            None => ("0000755", 0, b'5'),
            Some(d) => ("0000644", d.len(), b'0'),
        };
        put_field(&mut h[100..108], mode);
        put_field(&mut h[108..116], "0000000");
        put_field(&mut h[116..124], "0000000");
        put_field(&mut h[124..136], &format!("{size:011o}"));
        put_field(&mut h[136..148], &format!("{TAR_MTIME:011o}"));
        h[148..156].copy_from_slice(b"        ");
        h[156] = typeflag;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        put_field(&mut h[265..297], "root");
        put_field(&mut h[297..329], "root");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        let chk = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(chk.as_bytes());
        out.extend_from_slice(&h);
        if let Some(d) = entry.data {
            out.extend_from_slice(d);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn put_field(field: &mut [u8], text: &str) {
    field[..text.len()].copy_from_slice(text.as_bytes());
}

fn gzip_stored(data: &[u8]) -> Vec<u8> {
    // RFC 1952 header: magic, deflate, no flags, mtime 0, no extra flags, OS = Unix.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    let mut chunks = data.chunks(0xffff).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        out.push(u8::from(last));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Splits a rule written as text into its elements (`"MATCH a WITH PRODUCTS FROM b"`).
pub fn rule(text: &str) -> Value {
    Value::Array(text.split(' ').map(|s| Value::String(s.to_owned())).collect())
}

/// A list of rules.
pub fn rules(texts: &[&str]) -> Value {
    Value::Array(texts.iter().map(|t| rule(t)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_check_value() {
        assert_eq!(super::crc32(b"123456789"), 0xcbf4_3926);
    }
}
