//! in-toto verification of a mutated scenario: the corpus scenario
//! `fixtures/interop/in-toto/demo-supply-chain`, with one of its files (the
//! first input byte picks which: the layout or one of the three links)
//! replaced by the rest of the input, verified at the scenario's time with
//! inspections off. Findings, never panics.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use trailscope::crypto::PublicKey;
use trailscope::intoto::{VerifyOptions, verify};

const BASE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/interop/in-toto/demo-supply-chain");
const FILES: [&str; 4] =
    ["root.layout", "links/clone.eba3e28e.link", "links/update-version.eba3e28e.link", "links/package.fb9ae765.link"];

struct Scene {
    dir: tempfile::TempDir,
    key: PublicKey,
}

fn scene() -> &'static Scene {
    static SCENE: OnceLock<Scene> = OnceLock::new();
    SCENE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("links")).expect("links");
        std::fs::create_dir(dir.path().join("workdir")).expect("workdir");
        let key = std::fs::read(format!("{BASE}/keys/carl.pub.json")).expect("key");
        Scene { dir, key: PublicKey::from_file_bytes(&key).expect("key parses") }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else { return };
    let s = scene();
    let root = s.dir.path();
    for (i, rel) in FILES.iter().enumerate() {
        let path: PathBuf = root.join(rel);
        if usize::from(which) % FILES.len() == i {
            std::fs::write(&path, bytes).expect("write");
        } else {
            std::fs::copy(format!("{BASE}/{rel}"), &path).expect("copy");
        }
    }
    let mut opts = VerifyOptions::new(root.join("root.layout"), vec![s.key.clone()]);
    opts.link_dir = root.join("links");
    opts.workdir = root.join("workdir");
    opts.at = trailscope::meta::time::parse("2026-01-25T03:03:26Z").expect("time").at;
    opts.params = (which & 0x80 != 0).then(Default::default);
    opts.strict = which & 0x40 != 0;
    if let Ok(outcome) = verify(&opts) {
        let _ = trailscope::report::text_intoto::render(&outcome);
        let _ = outcome.to_document().to_json_string();
    }
});
