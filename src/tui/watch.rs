//! `w`: watching the session's input files by polling their size and
//! modification time (cheap for metadata directories, no platform APIs).
//! The engine's own watcher (DESIGN §5) will re-run only the units
//! downstream of a change; until then any change re-verifies everything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Bounds on what one poll looks at.
const MAX_ENTRIES: usize = 20_000;
const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

#[derive(Debug)]
pub struct Watcher {
    roots: Vec<PathBuf>,
    seen: BTreeMap<PathBuf, Stamp>,
}

impl Watcher {
    pub fn new(roots: Vec<PathBuf>) -> Self {
        let seen = scan(&roots);
        Self { roots, seen }
    }

    /// Whether anything changed since the last call.
    pub fn changed(&mut self) -> bool {
        let now = scan(&self.roots);
        let changed = now != self.seen;
        self.seen = now;
        changed
    }
}

fn scan(roots: &[PathBuf]) -> BTreeMap<PathBuf, Stamp> {
    let mut out = BTreeMap::new();
    for root in roots {
        visit(root, 0, &mut out);
    }
    out
}

fn visit(path: &Path, depth: usize, out: &mut BTreeMap<PathBuf, Stamp>) {
    if out.len() >= MAX_ENTRIES {
        return;
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else { return };
    out.insert(path.to_path_buf(), Stamp { modified: meta.modified().ok(), len: meta.len() });
    if meta.is_dir()
        && depth < MAX_DEPTH
        && let Ok(entries) = std::fs::read_dir(path)
    {
        for entry in entries.flatten() {
            visit(&entry.path(), depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_is_noticed_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("root.json");
        std::fs::write(&file, "{}").unwrap();
        let mut w = Watcher::new(vec![dir.path().to_path_buf()]);
        assert!(!w.changed());
        std::fs::write(&file, "{\"signed\": {}}").unwrap();
        assert!(w.changed());
        assert!(!w.changed());
    }
}
