//! What a directory holds: flags first, then the scenario's `scenario.json`
//! (read by [`ScenarioInputs`], as `trailscope demo` reads it), then file
//! names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{InTotoInputs, OpenOptions, Opened, Plan, TufInputs};
use crate::demo::{Kind, ScenarioInputs};

fn is_url(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// Looks into `dir` (flags first, then `scenario.json`, then file names).
pub fn detect(dir: &Path, opts: &OpenOptions) -> Result<Opened, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a directory", dir.display()));
    }
    let json = read_scenario(dir);
    let kind = json.as_ref().map(Kind::of_scenario);
    let scenario = json.as_ref().map(ScenarioInputs::from_json);
    let at = scenario.as_ref().and_then(|s| s.now);
    let intoto = intoto_inputs(dir, opts, scenario.as_ref());
    let tuf = tuf_inputs(dir, opts, scenario.as_ref());
    let bridge = opts.bridge
        || kind == Some(Kind::Bridge)
        || tuf.as_ref().is_some_and(|t| {
            t.targets.as_ref().is_some_and(|d| !is_url(d) && Path::new(d).join("in-toto-metadata").is_dir())
        });
    let names_bundle = json.as_ref().is_some_and(|j| j.get("bundle").is_some());
    let attest = || super::attest::inputs_for_dir(dir, json.as_ref(), &opts.attest);
    let named = if names_bundle { attest() } else { None };
    let plan = match (named, intoto, tuf) {
        (Some(a), _, _) => Plan::Attest(Box::new(a)),
        (None, Some(i), None) => Plan::InToto(i),
        (None, Some(i), Some(_)) if opts.layout.is_some() => Plan::InToto(i),
        (None, _, Some(t)) if bridge => Plan::Bridge(t),
        (None, _, Some(t)) => Plan::Tuf(t),
        (None, None, None) => match attest() {
            Some(a) => Plan::Attest(Box::new(a)),
            None => {
                return Err(format!(
                    "{}: found neither an in-toto layout (*.layout with keys and links) nor a TUF \
                     repository (trusted_root.json or root.json, and timestamp.json) nor a Sigstore \
                     bundle; name the inputs with --layout/--layout-keys or --root/--metadata, or \
                     open the bundle file",
                    dir.display()
                ));
            }
        },
    };
    Ok(Opened { dir: dir.to_path_buf(), plan, at, opts: opts.clone() })
}

/// `open PATH`: a directory as [`detect`] reads it, a file as a Sigstore
/// bundle or attestation file.
pub fn detect_path(path: &Path, opts: &OpenOptions) -> Result<Opened, String> {
    if path.is_dir() {
        return detect(path, opts);
    }
    if !path.is_file() {
        return Err(format!("{}: no such file or directory", path.display()));
    }
    let inputs = super::attest::inputs_for_file(path, &opts.attest)?;
    let dir = path.parent().map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf);
    Ok(Opened { dir, plan: Plan::Attest(Box::new(inputs)), at: None, opts: opts.clone() })
}

fn read_scenario(dir: &Path) -> Option<Value> {
    let bytes = std::fs::read(dir.join("scenario.json")).ok()?;
    if bytes.len() > 1 << 20 {
        return None;
    }
    serde_json::from_slice(&bytes).ok()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn name_of(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// One key file per key: `alice.pub.json` wins over `alice.pub.pem`.
fn key_files(dir: &Path) -> Vec<PathBuf> {
    let mut by_stem: BTreeMap<String, PathBuf> = BTreeMap::new();
    for p in files(dir) {
        let name = name_of(&p);
        let Some(pos) = name.find(".pub") else { continue };
        let stem = name[..pos].to_owned();
        let json = name.ends_with(".json");
        match by_stem.get(&stem) {
            Some(existing) if name_of(existing).ends_with(".json") || !json => {}
            _ => {
                by_stem.insert(stem, p);
            }
        }
    }
    by_stem.into_values().collect()
}

fn intoto_inputs(dir: &Path, opts: &OpenOptions, scenario: Option<&ScenarioInputs>) -> Option<InTotoInputs> {
    let scenario = scenario.filter(|s| s.layout.is_some());
    let rel = |v: Option<&String>| v.map(|p| dir.join(p));
    let layout =
        opts.layout.clone().or_else(|| rel(scenario.and_then(|s| s.layout.as_ref()))).or_else(|| {
            let layouts: Vec<PathBuf> =
                files(dir).into_iter().filter(|p| name_of(p).ends_with(".layout")).collect();
            layouts.iter().find(|p| name_of(p) == "root.layout").or(layouts.first()).cloned()
        })?;
    let mut keys = opts.layout_keys.clone();
    if keys.is_empty() {
        keys = scenario.map(|s| s.layout_keys.iter().map(|k| dir.join(k)).collect()).unwrap_or_default();
    }
    if keys.is_empty() {
        keys = key_files(&dir.join("keys"));
    }
    if keys.is_empty() {
        keys = key_files(dir);
    }
    let link_dir =
        opts.link_dir.clone().or_else(|| rel(scenario.and_then(|s| s.link_dir.as_ref()))).unwrap_or_else(
            || {
                let links = dir.join("links");
                if links.is_dir() { links } else { dir.to_path_buf() }
            },
        );
    let workdir =
        opts.workdir.clone().or_else(|| rel(scenario.and_then(|s| s.workdir.as_ref()))).unwrap_or_else(
            || {
                let w = dir.join("workdir");
                if w.is_dir() { w } else { dir.to_path_buf() }
            },
        );
    let params = match (scenario.and_then(|s| s.params.clone()), &opts.params) {
        (None, None) => None,
        (from_scenario, flags) => {
            let mut params = from_scenario.unwrap_or_default();
            params.extend(flags.clone().unwrap_or_default());
            Some(params)
        }
    };
    Some(InTotoInputs { layout, keys, link_dir, workdir, params })
}

fn tuf_inputs(dir: &Path, opts: &OpenOptions, scenario: Option<&ScenarioInputs>) -> Option<TufInputs> {
    let scenario = scenario.filter(|s| s.trusted_root.is_some());
    let rel = |v: Option<&String>| v.map(|p| dir.join(p));
    let text = |p: PathBuf| p.display().to_string();
    let metadata = opts
        .metadata
        .clone()
        .or_else(|| rel(scenario.and_then(|s| s.metadata_dir.as_ref())).map(text))
        .or_else(|| {
            [dir.to_path_buf(), dir.join("metadata"), dir.join("repo/metadata")]
                .into_iter()
                .find(|d| d.join("timestamp.json").is_file() || d.join("1.root.json").is_file())
                .map(text)
        })?;
    let state = opts.state.clone().or_else(|| rel(scenario.and_then(|s| s.client_state.as_ref())));
    // As `tuf verify`: --root, else the state's root.json when --state is given.
    let state_root = opts.state.as_ref().map(|s| s.join("root.json")).filter(|p| p.is_file());
    let local = (!is_url(&metadata)).then(|| PathBuf::from(&metadata));
    let root = opts
        .root
        .clone()
        .or(state_root)
        .or_else(|| rel(scenario.and_then(|s| s.trusted_root.as_ref())))
        .or_else(|| {
            let mut candidates = vec![dir.join("trusted_root.json"), dir.join("root.json")];
            if let Some(m) = &local {
                candidates.extend([m.join("root.json"), m.join("1.root.json")]);
            }
            candidates.into_iter().find(|p| p.is_file())
        })?;
    let targets = opts
        .targets
        .clone()
        .or_else(|| rel(scenario.and_then(|s| s.targets_dir.as_ref())).map(text))
        .or_else(|| local.as_ref()?.parent().map(|p| p.join("targets")).filter(|p| p.is_dir()).map(text));
    let target = if opts.target.is_empty() {
        scenario.map(|s| s.targets.clone()).unwrap_or_default()
    } else {
        opts.target.clone()
    };
    Some(TufInputs { root, metadata, targets, state, target })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_key_wins_over_its_pem_twin() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/intoto-demo/demo-supply-chain/keys");
        let keys = key_files(&dir);
        assert_eq!(keys.len(), 1);
        assert!(name_of(&keys[0]).ends_with(".pub.json"));
    }
}
