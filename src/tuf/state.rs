//! The client's local metadata directory (spec §5: "trusted metadata"
//! persisted between updates), laid out like python-tuf's: `root.json` (the
//! newest trusted root), `root_history/N.root.json`, and one
//! `quote(role, "").json` per other trusted role, each holding the exact
//! bytes that were received and verified.
//!
//! Reading it gives rollback and freeze protection across runs; it is
//! written only when the caller asks (`--save-state`), atomically.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::source::{quote, read_bounded};

/// A local state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
    write: bool,
}

impl StateDir {
    /// Reads `dir`; writes to it only if `write`.
    pub fn new(dir: impl Into<PathBuf>, write: bool) -> Self {
        Self { dir: dir.into(), write }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn writable(&self) -> bool {
        self.write
    }

    /// The file holding role `role` (`root` → `root.json`).
    pub fn path_for(&self, role: &str) -> PathBuf {
        self.dir.join(format!("{}.json", quote(role)))
    }

    /// The stored bytes of `role`, if any, at most `max_len` bytes.
    pub fn read(&self, role: &str, max_len: u64) -> Option<Vec<u8>> {
        let path = self.path_for(role);
        let file = std::fs::File::open(&path).ok()?;
        read_bounded(file, max_len, &path.display().to_string()).ok()
    }

    /// Stores `data` as the trusted copy of `role` (no-op unless writable).
    pub fn persist(&self, role: &str, data: &[u8]) -> std::io::Result<()> {
        if !self.write {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir)?;
        atomic_write(&self.dir, &self.path_for(role), data)
    }

    /// Stores root version `version`: `root_history/N.root.json` and, unless
    /// the stored `root.json` is already a newer version, `root.json` — a
    /// run started from an older `--root` must not roll the local state back.
    pub fn persist_root(&self, version: u64, data: &[u8]) -> std::io::Result<()> {
        if !self.write {
            return Ok(());
        }
        let history = self.dir.join("root_history");
        std::fs::create_dir_all(&history)?;
        atomic_write(&history, &history.join(format!("{version}.root.json")), data)?;
        if self.stored_root_version().is_some_and(|stored| stored > version) {
            return Ok(());
        }
        atomic_write(&self.dir, &self.path_for("root"), data)
    }

    /// `signed.version` of the stored `root.json`, if it can be read.
    fn stored_root_version(&self) -> Option<u64> {
        let bytes = self.read("root", 512_000)?;
        let doc: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        doc.get("signed")?.get("version")?.as_u64()
    }

    /// Removes the stored copy of `role`, if any (no-op unless writable).
    pub fn forget(&self, role: &str) -> std::io::Result<()> {
        if !self.write {
            return Ok(());
        }
        match std::fs::remove_file(self.path_for(role)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Writes through a temporary file in `dir` and renames it over `path`.
fn atomic_write(dir: &Path, path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(data)?;
    tmp.flush()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_older_root_never_replaces_a_newer_stored_one() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::new(dir.path(), true);
        let v3 = br#"{"signed":{"version":3},"signatures":[]}"#;
        let v2 = br#"{"signed":{"version":2},"signatures":[]}"#;
        state.persist_root(3, v3).unwrap();
        state.persist_root(2, v2).unwrap();
        assert_eq!(std::fs::read(dir.path().join("root.json")).unwrap(), v3);
        assert_eq!(std::fs::read(dir.path().join("root_history/2.root.json")).unwrap(), v2);
        let v4 = br#"{"signed":{"version":4},"signatures":[]}"#;
        state.persist_root(4, v4).unwrap();
        assert_eq!(std::fs::read(dir.path().join("root.json")).unwrap(), v4);
    }

    use super::*;

    #[test]
    fn role_names_are_quoted_in_file_names() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::new(dir.path(), true);
        state.persist("../evil", b"x").unwrap();
        assert!(dir.path().join("..%2Fevil.json").is_file());
        assert_eq!(state.read("../evil", 10).unwrap(), b"x");
    }

    #[test]
    fn read_only_state_is_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::new(dir.path(), false);
        state.persist("timestamp", b"x").unwrap();
        state.persist_root(2, b"x").unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
