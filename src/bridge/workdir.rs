//! The flat verification directory (Datadog `__in_toto_verify`): every
//! downloaded file — package, layout, `.pub` keys, links — copied by
//! basename into one fresh directory, which is both in-toto's link directory
//! and the work directory its inspections run in.

use std::collections::BTreeMap;
use std::path::Path;

/// A target path's basename, as python's `os.path.basename`.
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A basename that can be written inside the directory (not empty, `.` or
/// `..`, no separator or NUL).
pub fn safe_basename(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// The scratch directory (removed on drop) and what was written into it.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    /// Basename → the target path whose bytes it holds.
    pub files: BTreeMap<String, String>,
    /// Basenames written twice with different bytes: (basename, first path, later path).
    pub collisions: Vec<(String, String, String)>,
    /// Target paths whose basename cannot be a file name.
    pub refused: Vec<String>,
}

impl Workdir {
    /// Writes `files` (target path, bytes) in order; a later file with the
    /// same basename replaces an earlier one.
    pub fn create(files: &[(String, Vec<u8>)]) -> std::io::Result<Self> {
        let dir = tempfile::Builder::new().prefix("trailscope-bridge-").tempdir()?;
        let mut out = Workdir { dir, files: BTreeMap::new(), collisions: Vec::new(), refused: Vec::new() };
        let mut written: BTreeMap<String, (String, &[u8])> = BTreeMap::new();
        for (path, bytes) in files {
            let name = basename(path);
            if !safe_basename(name) {
                out.refused.push(path.clone());
                continue;
            }
            if let Some((first, old)) = written.get(name)
                && (*old != bytes.as_slice())
            {
                out.collisions.push((name.to_owned(), first.clone(), path.clone()));
            }
            std::fs::write(out.dir.path().join(name), bytes)?;
            written.insert(name.to_owned(), (path.clone(), bytes.as_slice()));
            out.files.insert(name.to_owned(), path.clone());
        }
        Ok(out)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The `.pub` files in the directory, by name.
    pub fn pub_files(&self) -> Vec<String> {
        self.files.keys().filter(|n| n.ends_with(".pub")).cloned().collect()
    }

    /// The `.link` files in the directory, by name.
    pub fn link_files(&self) -> Vec<String> {
        self.files.keys().filter(|n| n.ends_with(".link")).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basenames() {
        assert_eq!(basename("a/b/c.link"), "c.link");
        assert_eq!(basename("c.link"), "c.link");
        assert!(!safe_basename(basename("a/..")));
        assert!(!safe_basename(basename("a/")));
        assert!(safe_basename("x.pub"));
    }

    #[test]
    fn flat_copy_by_basename() {
        let w = Workdir::create(&[
            ("p/x.tar.gz".into(), b"1".to_vec()),
            ("d1/a.link".into(), b"2".to_vec()),
            ("d2/a.link".into(), b"3".to_vec()),
            ("d/..".into(), b"4".to_vec()),
        ])
        .unwrap();
        assert_eq!(std::fs::read(w.path().join("a.link")).unwrap(), b"3");
        assert_eq!(w.collisions.len(), 1);
        assert_eq!(w.refused, vec!["d/..".to_owned()]);
        assert_eq!(w.link_files(), vec!["a.link".to_owned()]);
    }
}
