//! The conformance client's path and role-name handling: `quote`, the
//! target-path → file-name mapping of `--target-dir`, the state directory's
//! role files, target request paths, and `DirSource` path resolution. No name
//! may leave the directory it is meant for, and a directory source never
//! serves a file from outside its base.
#![no_main]

use std::path::{Component, Path};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use trailscope::cli::tuf_client::target_file_name;
use trailscope::tuf::updater::encode_target_path;
use trailscope::tuf::{DirSource, Source, StateDir, quote};

const SECRET: &[u8] = b"outside the base directory";

fn dirs() -> &'static (tempfile::TempDir, DirSource) {
    static DIRS: OnceLock<(tempfile::TempDir, DirSource)> = OnceLock::new();
    DIRS.get_or_init(|| {
        let t = tempfile::tempdir().expect("tempdir");
        let base = t.path().join("base");
        std::fs::create_dir_all(base.join("sub/deeper")).expect("dirs");
        std::fs::write(t.path().join("secret.json"), SECRET).expect("secret");
        std::fs::write(t.path().join("secret"), SECRET).expect("secret");
        std::fs::write(base.join("inside.json"), b"inside").expect("inside");
        std::fs::write(base.join("sub/deeper/x"), b"x").expect("x");
        let src = DirSource::new(&base).with_source_layout(true);
        (t, src)
    })
}

fn one_component(name: &str) -> bool {
    let mut c = Path::new(name).components();
    matches!((c.next(), c.next()), (Some(Component::Normal(_)), None))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let quoted = quote(text);
    assert!(quoted.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-~%".contains(&b)), "{quoted}");
    if let Some(name) = target_file_name(text) {
        assert!(one_component(&name), "target file name {name:?} of {text:?}");
    }
    let state = StateDir::new("/state", false);
    let role_file = state.path_for(text);
    assert_eq!(role_file.parent(), Some(Path::new("/state")), "role file of {text:?}");
    let (_, src) = dirs();
    for rel in [text.to_owned(), encode_target_path(text), quoted] {
        if let Ok(bytes) = src.fetch(&rel, 1 << 20) {
            assert_ne!(bytes, SECRET, "{rel:?} escaped the base directory");
        }
    }
});
