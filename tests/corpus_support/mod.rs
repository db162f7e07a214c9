//! The corpus scenarios of `fixtures/interop/<corpus>/<scenario>/` as tests
//! read them: listing, copying into a scratch directory, and the
//! verification options an in-toto scenario's `inputs` describe.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::crypto::PublicKey;
use trailscope::intoto::VerifyOptions;

/// The scenario directories of `corpus` (those with a `scenario.json`), sorted.
pub fn scenarios(corpus: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop").join(corpus);
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("scenario.json").is_file())
        .collect();
    out.sort();
    out
}

/// Copies a directory tree (symbolic links are not followed).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Whether the reference run behind `scenario` executed the layout's
/// inspections: python's `in_toto_verify` runs `run_all_inspections`
/// unconditionally, and every corpus (in-toto, bridge: Datadog's downloader
/// calls it) was generated through it. trailscope runs them only when asked,
/// so the harness asks exactly when the reference did.
pub fn reference_runs_inspections(scenario: &Value) -> bool {
    let reference = &scenario["reference"];
    let text = |k: &str| reference[k].as_str().unwrap_or_default().to_owned();
    text("method").contains("in_toto_verify")
        || text("combination").contains("download.py")
        || text("cli").starts_with("in-toto-verify")
        || text("cli").contains("&& in-toto-verify")
}

/// Options for an in-toto scenario copied to `root`, with the layout keys
/// listed under `inputs[keys_member]` (`layout_keys` or `layout_keys_pem`);
/// inspections run when the reference ran them.
pub fn intoto_options(root: &Path, scenario: &Value, keys_member: &str) -> VerifyOptions {
    let inputs = &scenario["inputs"];
    let keys: Vec<PublicKey> = inputs[keys_member]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| PublicKey::from_file_bytes(&std::fs::read(root.join(k.as_str().unwrap())).unwrap()).unwrap())
        .collect();
    let mut opts = VerifyOptions::new(root.join(inputs["layout"].as_str().unwrap()), keys);
    opts.link_dir = root.join(inputs["link_dir"].as_str().unwrap());
    opts.workdir = workdir(root, inputs);
    opts.params = inputs["parameters"].as_object().map(|m| {
        m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect::<BTreeMap<_, _>>()
    });
    opts.at = trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at;
    opts.run_inspections = reference_runs_inspections(scenario);
    opts
}

/// The work directory an in-toto scenario's `inputs` name, below `root`,
/// created if missing: git keeps no empty directory, so a scenario whose
/// work directory is empty arrives without it.
pub fn workdir(root: &Path, inputs: &Value) -> PathBuf {
    let dir = root.join(inputs["workdir"].as_str().unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
