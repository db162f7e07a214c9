//! Files compiled into the binary with `include_dir` (the demo scenarios,
//! the workshop's lessons and scenarios, Sigstore's repository snapshot):
//! one walk of an embedded directory, so every reader sees the same paths.

use include_dir::Dir;

/// Every file below `dir`, with its path relative to `dir` (`/`-separated)
/// and its bytes: a directory's own files first, then its subdirectories'.
pub fn files(dir: &'static Dir<'static>) -> Vec<(String, &'static [u8])> {
    let mut out = Vec::new();
    walk(dir, dir.path(), &mut out);
    out
}

fn walk(d: &'static Dir<'static>, base: &std::path::Path, out: &mut Vec<(String, &'static [u8])>) {
    for f in d.files() {
        let rel = f.path().strip_prefix(base).unwrap_or(f.path());
        out.push((rel.to_string_lossy().replace('\\', "/"), f.contents()));
    }
    for sub in d.dirs() {
        walk(sub, base, out);
    }
}

#[cfg(test)]
mod tests {
    use include_dir::{Dir, include_dir};

    static SCENARIOS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/sigstore-scenarios");

    #[test]
    fn paths_are_relative_to_the_directory_walked_at_any_depth() {
        let all = super::files(&SCENARIOS);
        assert!(all.iter().any(|(p, _)| p == "trusted_root.json"));
        assert!(all.iter().any(|(p, b)| p == "pass/bundle.sigstore.json" && !b.is_empty()));
        let pass = SCENARIOS.get_dir("pass").unwrap();
        let below = super::files(pass);
        assert!(
            below.iter().any(|(p, _)| p == "bundle.sigstore.json"),
            "{:?}",
            below.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        assert_eq!(below.len(), 3);
    }
}
