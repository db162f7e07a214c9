//! Where file inputs come from: the disk (bounded reads), or memory (the
//! embedded demo, tests). Reading happens on the engine's workers.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::id::{Fingerprint, FingerprintBuilder};

/// Default cap on one input file (DESIGN §9: bound every read).
pub const DEFAULT_MAX_FILE_LEN: u64 = 512 * 1024 * 1024;

/// A file's content as a unit sees it. Absent and unreadable files are
/// content too: units turn them into findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileContent {
    Bytes(Arc<[u8]>),
    Missing,
    Unreadable(String),
    TooLarge { len: u64, max: u64 },
}

impl FileContent {
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The fingerprint that cache keys use for this content.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut b = FingerprintBuilder::new("file");
        match self {
            Self::Bytes(bytes) => b.bytes(b"bytes").bytes(bytes),
            Self::Missing => b.bytes(b"missing"),
            Self::Unreadable(why) => b.bytes(b"unreadable").bytes(why.as_bytes()),
            Self::TooLarge { len, max } => {
                b.bytes(b"too-large").bytes(&len.to_le_bytes()).bytes(&max.to_le_bytes())
            }
        };
        b.finish()
    }
}

/// One file input, as handed to a compute function.
#[derive(Debug, Clone)]
pub struct FileInput {
    pub path: Arc<Path>,
    pub content: FileContent,
    pub fingerprint: Fingerprint,
}

impl FileInput {
    pub fn new(path: Arc<Path>, content: FileContent) -> Self {
        let fingerprint = content.fingerprint();
        Self { path, content, fingerprint }
    }

    pub fn bytes(&self) -> Option<&[u8]> {
        self.content.bytes()
    }
}

/// Reads the files a plan names. Called from worker threads and from
/// [`super::EngineHandle::file_changed`].
pub trait FileSource: Send + Sync {
    fn read(&self, path: &Path) -> FileContent;

    /// The regular files below `dir` (recursively), sorted, at most `max`:
    /// for plans that declare every file of a directory (a TUF repository).
    /// A source that cannot list has none.
    fn list(&self, dir: &Path, max: usize) -> Vec<PathBuf> {
        let _ = (dir, max);
        Vec::new()
    }
}

/// Reads from the file system, refusing files longer than `max_len`.
#[derive(Debug, Clone)]
pub struct DiskSource {
    pub max_len: u64,
}

impl Default for DiskSource {
    fn default() -> Self {
        Self { max_len: DEFAULT_MAX_FILE_LEN }
    }
}

impl FileSource for DiskSource {
    fn read(&self, path: &Path) -> FileContent {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FileContent::Missing,
            Err(e) => return FileContent::Unreadable(e.to_string()),
        };
        let mut buf = Vec::new();
        match file.take(self.max_len.saturating_add(1)).read_to_end(&mut buf) {
            Ok(n) if n as u64 > self.max_len => FileContent::TooLarge { len: n as u64, max: self.max_len },
            Ok(_) => FileContent::Bytes(buf.into()),
            Err(e) => FileContent::Unreadable(e.to_string()),
        }
    }

    fn list(&self, dir: &Path, max: usize) -> Vec<PathBuf> {
        Self::walk(dir, max)
    }
}

impl DiskSource {
    /// Regular files below `dir`, following symbolic links to files (as a
    /// directory served by a web server would) but not to directories.
    fn walk(dir: &Path, max: usize) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else { continue };
            for e in entries.flatten() {
                if out.len() >= max {
                    out.sort();
                    return out;
                }
                match e.file_type() {
                    Ok(t) if t.is_dir() => stack.push(e.path()),
                    Ok(t) if t.is_file() => out.push(e.path()),
                    Ok(t) if t.is_symlink() && std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()) => {
                        out.push(e.path())
                    }
                    _ => {}
                }
            }
        }
        out.sort();
        out
    }
}

/// Files held in memory: the embedded demo, and tests that edit files
/// without touching the disk. Cloning shares the same files.
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    files: Arc<Mutex<HashMap<PathBuf, Arc<[u8]>>>>,
}

impl MemorySource {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&self, path: impl Into<PathBuf>, bytes: impl Into<Arc<[u8]>>) {
        self.lock().insert(path.into(), bytes.into());
    }

    pub fn remove(&self, path: &Path) {
        self.lock().remove(path);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<[u8]>>> {
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl FileSource for MemorySource {
    fn read(&self, path: &Path) -> FileContent {
        match self.lock().get(path) {
            Some(b) => FileContent::Bytes(b.clone()),
            None => FileContent::Missing,
        }
    }

    fn list(&self, dir: &Path, max: usize) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> =
            self.lock().keys().filter(|p| p.starts_with(dir) && *p != dir).cloned().collect();
        out.sort();
        out.truncate(max);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_source_refuses_files_over_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        std::fs::write(&p, [0u8; 10]).unwrap();
        assert_eq!(DiskSource { max_len: 9 }.read(&p), FileContent::TooLarge { len: 10, max: 9 });
        assert!(DiskSource { max_len: 10 }.read(&p).bytes().is_some());
        assert_eq!(DiskSource::default().read(&dir.path().join("nope")), FileContent::Missing);
    }

    #[test]
    fn sources_list_the_files_below_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/x.json"), b"x").unwrap();
        std::fs::write(dir.path().join("a/y.json"), b"y").unwrap();
        std::fs::write(dir.path().join("z.json"), b"z").unwrap();
        let disk = DiskSource::default().list(&dir.path().join("a"), 10);
        assert_eq!(disk, vec![dir.path().join("a/b/x.json"), dir.path().join("a/y.json")]);
        assert_eq!(DiskSource::default().list(&dir.path().join("a"), 1).len(), 1);
        let mem = MemorySource::new();
        for p in ["a/b/x.json", "a/y.json", "ab/z.json"] {
            mem.insert(p, &b"."[..]);
        }
        assert_eq!(
            mem.list(Path::new("a"), 10),
            vec![PathBuf::from("a/b/x.json"), PathBuf::from("a/y.json")]
        );
    }

    #[test]
    fn missing_and_empty_files_differ() {
        assert_ne!(FileContent::Missing.fingerprint(), FileContent::Bytes(Arc::from(&b""[..])).fingerprint());
    }
}
