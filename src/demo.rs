//! The embedded demo: the generated fixtures (`fixtures/demo`,
//! `fixtures/intoto-demo`, `fixtures/tuf-attacks`,
//! `fixtures/sigstore-scenarios`) compiled into the binary,
//! so `trailscope demo …` works from any directory on a fresh machine.
//!
//! Bridge and TUF scenarios are served from memory ([`MemorySource`]); the
//! in-toto ones, and the bridge's verification directory, are written to a
//! temporary directory removed afterwards. Every scenario is evaluated at its
//! own `now` (its `scenario.json`), so the verdicts never drift with the clock.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};
use serde_json::Value;
use time::OffsetDateTime;

use crate::bridge::{self, BridgeOutcome};
use crate::crypto::PublicKey;
use crate::intoto::{self, InTotoOutcome, VerifyOptions};
use crate::tuf::session::{self, Outcome as TufOutcome};
use crate::tuf::{Config, MemorySource, StateDir};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/demo");
static INTOTO_DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/intoto-demo");
static TUF_ATTACKS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/tuf-attacks");
static SIGSTORE_SCENARIOS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/sigstore-scenarios");

/// The sets, in the order they are listed.
pub const SETS: [(&str, &Dir<'static>); 4] = [
    ("demo", &DEMO),
    ("intoto-demo", &INTOTO_DEMO),
    ("tuf-attacks", &TUF_ATTACKS),
    ("sigstore-scenarios", &SIGSTORE_SCENARIOS),
];

/// The scenario `trailscope` opens when given no argument.
pub const DEFAULT: &str = "act3-adversary";

/// What a scenario verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bridge,
    InToto,
    Tuf,
    /// A Sigstore bundle with an in-toto attestation (`fixtures/sigstore-scenarios`).
    Attestation,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Bridge => "bridge",
            Kind::InToto => "in-toto",
            Kind::Tuf => "tuf",
            Kind::Attestation => "attestation",
        }
    }
}

impl Kind {
    /// The kind a `scenario.json` names (`kind`; an attestation scenario
    /// names its `bundle`); in-toto when it names none.
    pub fn of_scenario(json: &Value) -> Self {
        match json["kind"].as_str() {
            Some("bridge") => Kind::Bridge,
            Some("tuf") => Kind::Tuf,
            _ if json.get("bundle").is_some() => Kind::Attestation,
            _ => Kind::InToto,
        }
    }
}

/// What a generated scenario verifies, as its `scenario.json` names it:
/// paths relative to the scenario directory, the evaluation time (`now`),
/// and what to look up. `demo NAME`, `open --demo NAME` and `open DIR` on a
/// scenario directory all read a scenario's inputs here, so every face
/// verifies the same thing (client state, targets and time included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioInputs {
    pub now: Option<OffsetDateTime>,
    /// in-toto: the root layout, its keys, the links and the work directory.
    pub layout: Option<String>,
    pub layout_keys: Vec<String>,
    pub link_dir: Option<String>,
    pub workdir: Option<String>,
    /// `None`: no substitution at all (`parameters: null`), as without `--param`.
    pub params: Option<BTreeMap<String, String>>,
    /// TUF and bridge: the trusted root, the repository, the client's state.
    pub trusted_root: Option<String>,
    pub metadata_dir: Option<String>,
    pub targets_dir: Option<String>,
    /// Previously trusted metadata (rollback and freeze attacks), read only.
    pub client_state: Option<String>,
    /// TUF: the targets the scenario looks up (the paths its `expect.targets`
    /// judges); bridge: the package (`inputs.target`).
    pub targets: Vec<String>,
}

impl ScenarioInputs {
    /// The inputs a `scenario.json` names.
    pub fn from_json(json: &Value) -> Self {
        let inputs = &json["inputs"];
        let text = |key: &str| inputs[key].as_str().map(str::to_owned);
        let targets = match Kind::of_scenario(json) {
            Kind::Bridge => text("target").into_iter().collect(),
            Kind::Tuf => {
                json["expect"]["targets"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
            }
            Kind::InToto | Kind::Attestation => Vec::new(),
        };
        Self {
            now: json["now"].as_str().and_then(|t| crate::meta::time::parse(t).ok()).map(|t| t.at),
            layout: text("layout"),
            layout_keys: inputs["layout_keys"]
                .as_array()
                .map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
            link_dir: text("link_dir"),
            workdir: text("workdir"),
            params: inputs["parameters"].as_object().map(|m| {
                m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect()
            }),
            trusted_root: text("trusted_root"),
            metadata_dir: text("metadata_dir"),
            targets_dir: text("targets_dir"),
            client_state: text("client_state"),
            targets,
        }
    }
}

/// One embedded scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub set: &'static str,
    pub name: String,
    pub kind: Kind,
    /// `scenario.json`.
    pub json: Value,
    dir: &'static Dir<'static>,
}

impl Scenario {
    /// The first sentence or so of the description (one line).
    pub fn summary(&self) -> String {
        one_line(self.description())
    }

    /// The story (an attestation scenario's `story`).
    pub fn description(&self) -> &str {
        self.json["description"].as_str().or_else(|| self.json["story"].as_str()).unwrap_or_default()
    }

    /// The scenario's evaluation time.
    pub fn now(&self) -> OffsetDateTime {
        self.inputs().now.unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// What the scenario verifies (see [`ScenarioInputs`]).
    pub fn inputs(&self) -> ScenarioInputs {
        ScenarioInputs::from_json(&self.json)
    }

    /// The expected verdict line from `expect`.
    pub fn expected(&self) -> String {
        let e = &self.json["expect"];
        match self.kind {
            Kind::Attestation => match (self.json["expected"].as_str(), self.json["category"].as_str()) {
                (Some("pass"), _) => "pass".into(),
                (Some(v), Some(c)) => format!("{v} ({c})"),
                _ => "?".into(),
            },
            Kind::Tuf => format!(
                "refresh {}, {}",
                e["refresh"].as_str().unwrap_or("?"),
                e["category"].as_str().unwrap_or("?")
            ),
            _ => match (e["verdict"].as_str(), e["stage"].as_str(), e["category"].as_str()) {
                (Some("pass"), _, _) => "pass".into(),
                (Some(v), Some(s), Some(c)) => format!("{v} ({s} / {c})"),
                (Some(v), None, Some(c)) => format!("{v} ({c})"),
                _ => "?".into(),
            },
        }
    }

    /// The file at `rel` (relative to the scenario directory).
    pub fn file(&self, rel: &str) -> Option<&'static [u8]> {
        self.dir.get_file(self.dir.path().join(rel)).map(|f| f.contents())
    }

    /// Every file below `rel`, as (path relative to `rel`, bytes).
    pub fn files_under(&self, rel: &str) -> Vec<(String, &'static [u8])> {
        let rel = rel.trim_matches('/');
        if rel.is_empty() {
            return crate::embedded::files(self.dir);
        }
        self.dir.get_dir(self.dir.path().join(rel)).map(crate::embedded::files).unwrap_or_default()
    }

    /// The files of its set beside the scenario directories (the
    /// attestation scenarios' shared `trusted_root.json`), by name.
    fn set_files(&self) -> Vec<(String, &'static [u8])> {
        let Some((_, dir)) = SETS.iter().find(|(name, _)| *name == self.set) else { return Vec::new() };
        dir.files()
            .map(|f| {
                (
                    f.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    f.contents(),
                )
            })
            .collect()
    }

    /// Where [`Scenario::materialize`] puts the scenario itself: `dest`,
    /// or for an attestation scenario (which names `../trusted_root.json`)
    /// `dest/NAME`, beside its set's files.
    pub fn materialized(&self, dest: &Path) -> std::path::PathBuf {
        match self.kind {
            Kind::Attestation => dest.join(&self.name),
            _ => dest.to_path_buf(),
        }
    }

    /// Writes the scenario's files under `dest` (see [`Scenario::materialized`]).
    pub fn materialize(&self, dest: &Path) -> std::io::Result<()> {
        if self.kind == Kind::Attestation {
            for (name, bytes) in self.set_files() {
                std::fs::write(dest.join(name), bytes)?;
            }
        }
        let here = self.materialized(dest);
        for (rel, bytes) in self.files_under("") {
            let path = here.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }
}

fn one_line(text: &str) -> String {
    let mut out = String::new();
    for sentence in text.split_inclusive(". ") {
        out.push_str(sentence);
        if out.chars().count() >= 30 {
            break;
        }
    }
    let out = out.trim().trim_end_matches('.').to_owned();
    if out.chars().count() > 110 {
        let cut: String = out.chars().take(109).collect();
        let cut = cut.rsplit_once(' ').map(|(a, _)| a.to_owned()).unwrap_or(cut);
        format!("{cut}…")
    } else {
        out
    }
}

/// Every embedded scenario, set by set, by name.
pub fn list() -> Vec<Scenario> {
    let mut out = Vec::new();
    for (set, dir) in SETS {
        let mut names: Vec<&'static Dir<'static>> =
            dir.dirs().filter(|d| d.get_file(d.path().join("scenario.json")).is_some()).collect();
        names.sort_by_key(|d| d.path());
        for d in names {
            let Some(f) = d.get_file(d.path().join("scenario.json")) else { continue };
            let Ok(json) = serde_json::from_slice::<Value>(f.contents()) else { continue };
            let kind = Kind::of_scenario(&json);
            let name = d.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            out.push(Scenario { set, name, kind, json, dir: d });
        }
    }
    out
}

/// The scenario called `name` (or `set/name`).
pub fn find(name: &str) -> Option<Scenario> {
    let (set, name) = match name.split_once('/') {
        Some((s, n)) => (Some(s), n),
        None => (None, name),
    };
    list().into_iter().find(|s| s.name == name && set.is_none_or(|x| x == s.set))
}

/// How to run a scenario.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub run_inspections: bool,
    /// Accept a verdict without the inspections (`--skip-inspections`).
    pub skip_inspections: bool,
    pub strict: bool,
}

/// A scenario's result.
pub enum Outcome {
    Bridge(Box<BridgeOutcome>),
    InToto(Box<InTotoOutcome>),
    Tuf(Box<TufOutcome>),
    /// The document `sigstore::verify` wrote for the scenario's bundle.
    Attestation(Box<crate::verdict::Document>),
}

/// Why a scenario could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("embedded scenario {0}: missing {1}")]
    Missing(String, String),
    #[error("embedded scenario {0}: {1}")]
    Io(String, std::io::Error),
    #[error("embedded scenario {0}: {1}")]
    Other(String, String),
}

fn input<'a>(sc: &Scenario, value: &'a Option<String>, key: &str) -> Result<&'a str, Error> {
    value.as_deref().ok_or_else(|| Error::Missing(sc.name.clone(), format!("inputs.{key}")))
}

fn memory_source(sc: &Scenario, rel: &str) -> MemorySource {
    let mut src = MemorySource::new(format!("<embedded>/{}/{}/{rel}", sc.set, sc.name));
    for (path, bytes) in sc.files_under(rel) {
        src.insert(path, bytes.to_vec());
    }
    src
}

/// Runs the scenario headless: bridge verification, in-toto verification
/// or the TUF client workflow, as its `kind` says.
pub fn run(sc: &Scenario, opts: Options) -> Result<Outcome, Error> {
    match sc.kind {
        Kind::Bridge => run_bridge(sc, opts).map(|o| Outcome::Bridge(Box::new(o))),
        Kind::InToto => run_intoto(sc, opts).map(|o| Outcome::InToto(Box::new(o))),
        Kind::Tuf => run_tuf(sc, opts).map(|o| Outcome::Tuf(Box::new(o))),
        Kind::Attestation => run_attestation(sc).map(|d| Outcome::Attestation(Box::new(d))),
    }
}

/// The bundle verified as `attest verify` would with the scenario's
/// artifact, trusted root, identity and issuer, at the time of the run.
fn run_attestation(sc: &Scenario) -> Result<crate::verdict::Document, Error> {
    use crate::attest::{IdentityRule, Policy};
    use crate::sigstore::verify::{Artifact, Options as SigOptions, verify};
    let text = |k: &str| sc.json[k].as_str().map(str::to_owned);
    let needed = |k: &str| text(k).ok_or_else(|| Error::Missing(sc.name.clone(), k.to_owned()));
    let bundle_rel = needed("bundle")?;
    let bundle = sc.file(&bundle_rel).ok_or_else(|| Error::Missing(sc.name.clone(), bundle_rel.clone()))?;
    let root_rel = needed("trusted_root")?;
    let root_name = root_rel.rsplit('/').next().unwrap_or_default().to_owned();
    let root_bytes = sc
        .set_files()
        .into_iter()
        .find(|(n, _)| *n == root_name)
        .map(|(_, b)| b)
        .or_else(|| sc.file(&root_rel))
        .ok_or_else(|| Error::Missing(sc.name.clone(), root_rel.clone()))?;
    let root = crate::sigstore::trusted_root::TrustedRoot::parse(root_bytes)
        .map_err(|e| Error::Other(sc.name.clone(), format!("trusted root: {e}")))?;
    let artifact = match text("artifact") {
        Some(rel) => {
            let bytes = sc.file(&rel).ok_or_else(|| Error::Missing(sc.name.clone(), rel.clone()))?;
            Some(Artifact::from_bytes(rel, bytes.to_vec()))
        }
        None => None,
    };
    let policy = Policy {
        identity: text("certificate_identity").map(IdentityRule::Exact),
        issuer: text("certificate_oidc_issuer").map(IdentityRule::Exact),
        ..Policy::default()
    };
    let opts = SigOptions {
        root: &root,
        root_label: &root_rel,
        policy: &policy,
        key: None,
        artifact: artifact.as_ref(),
        evaluated_at: crate::meta::time::now(),
    };
    Ok(verify(bundle, &bundle_rel, &opts))
}

fn run_bridge(sc: &Scenario, opts: Options) -> Result<BridgeOutcome, Error> {
    let i = sc.inputs();
    let root_rel = input(sc, &i.trusted_root, "trusted_root")?;
    let root = sc.file(root_rel).ok_or_else(|| Error::Missing(sc.name.clone(), root_rel.into()))?;
    let metadata = memory_source(sc, input(sc, &i.metadata_dir, "metadata_dir")?);
    let targets = memory_source(sc, input(sc, &i.targets_dir, "targets_dir")?);
    let target = i.targets.first().ok_or_else(|| Error::Missing(sc.name.clone(), "inputs.target".into()))?;
    let mut req = bridge::Request::new(
        root.to_vec(),
        format!("<embedded>/{}/{}/{root_rel}", sc.set, sc.name),
        &metadata,
        &targets,
        target,
        sc.now(),
    );
    req.run_inspections = opts.run_inspections;
    req.skip_inspections = opts.skip_inspections;
    req.strict = opts.strict;
    let mut out = bridge::verify(&req);
    out.name_scratch_dirs();
    Ok(out)
}

fn run_intoto(sc: &Scenario, opts: Options) -> Result<InTotoOutcome, Error> {
    let tmp = tempfile::Builder::new()
        .prefix("trailscope-demo-")
        .tempdir()
        .map_err(|e| Error::Io(sc.name.clone(), e))?;
    sc.materialize(tmp.path()).map_err(|e| Error::Io(sc.name.clone(), e))?;
    let mut o = intoto_options(sc, tmp.path())?;
    o.run_inspections = opts.run_inspections;
    o.skip_inspections = opts.skip_inspections;
    o.strict = opts.strict;
    let mut out = intoto::verify(&o).map_err(|e| Error::Other(sc.name.clone(), e.to_string()))?;
    // Paths relative to the scenario, not the temporary directory; where an
    // inspection ran by what it was (removed after the run).
    let names = crate::verdict::paths::PathNames::new(Some(tmp.path()), out.scratch_dirs());
    out.rename_files(&names);
    Ok(out)
}

/// The in-toto options of an in-toto scenario whose files are under `base`
/// (evaluated at the scenario's `now`, inspections not run).
pub fn intoto_options(sc: &Scenario, base: &Path) -> Result<VerifyOptions, Error> {
    let i = sc.inputs();
    let mut keys = Vec::new();
    for rel in &i.layout_keys {
        let bytes = sc.file(rel).ok_or_else(|| Error::Missing(sc.name.clone(), rel.clone()))?;
        keys.push(
            PublicKey::from_file_bytes(bytes).map_err(|e| Error::Other(sc.name.clone(), e.to_string()))?,
        );
    }
    let mut o = VerifyOptions::new(base.join(input(sc, &i.layout, "layout")?), keys);
    o.link_dir = base.join(input(sc, &i.link_dir, "link_dir")?);
    o.workdir = base.join(input(sc, &i.workdir, "workdir")?);
    o.params = i.params;
    o.at = sc.now();
    Ok(o)
}

/// The scenario's files in an engine [`crate::engine::MemorySource`] under
/// `<embedded>/SET/NAME/` (a path that is never on disk), and that base:
/// plans built with `plan_in` over it verify the scenario from memory.
pub fn engine_source(sc: &Scenario) -> (crate::engine::MemorySource, std::path::PathBuf) {
    let base = std::path::PathBuf::from(format!("<embedded>/{}/{}", sc.set, sc.name));
    let source = crate::engine::MemorySource::new();
    for (rel, bytes) in sc.files_under("") {
        source.insert(base.join(rel), bytes);
    }
    (source, base)
}

fn run_tuf(sc: &Scenario, opts: Options) -> Result<TufOutcome, Error> {
    let i = sc.inputs();
    let root_rel = input(sc, &i.trusted_root, "trusted_root")?;
    let root = sc.file(root_rel).ok_or_else(|| Error::Missing(sc.name.clone(), root_rel.into()))?;
    let metadata = memory_source(sc, input(sc, &i.metadata_dir, "metadata_dir")?);
    let targets = memory_source(sc, input(sc, &i.targets_dir, "targets_dir")?);
    let tmp = tempfile::Builder::new()
        .prefix("trailscope-demo-state-")
        .tempdir()
        .map_err(|e| Error::Io(sc.name.clone(), e))?;
    let state = match &i.client_state {
        Some(cs) => {
            for (rel, bytes) in sc.files_under(cs) {
                std::fs::write(tmp.path().join(rel), bytes).map_err(|e| Error::Io(sc.name.clone(), e))?;
            }
            Some(StateDir::new(tmp.path(), false))
        }
        None => None,
    };
    Ok(session::run(session::Request {
        root_bytes: root.to_vec(),
        root_file: format!("<embedded>/{}/{}/{root_rel}", sc.set, sc.name),
        metadata: &metadata,
        targets: Some(&targets),
        state,
        at: sc.now(),
        config: Config { strict: opts.strict, ..Config::default() },
        target_paths: i.targets,
        all_roles: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_set() {
        let all = list();
        assert!(all.iter().any(|s| s.name == "act3-adversary" && s.kind == Kind::Bridge));
        assert!(all.iter().any(|s| s.kind == Kind::InToto));
        assert!(all.iter().any(|s| s.kind == Kind::Tuf));
        for s in &all {
            assert!(!s.summary().is_empty() && !s.summary().contains('\n'), "{}", s.name);
        }
        assert!(find(DEFAULT).is_some());
        assert!(find("demo/act1-alice-alone").is_some());
        assert!(find("nope").is_none());
    }

    #[test]
    fn a_scenarios_inputs_include_its_client_state_lookups_and_time() {
        let tuf = find("rollback-timestamp").unwrap().inputs();
        assert_eq!(tuf.client_state.as_deref(), Some("client_state"));
        assert_eq!(tuf.targets, vec!["app-1.0.tar.gz".to_owned()]);
        assert_eq!(tuf.now.map(crate::meta::time::format).as_deref(), Some("2026-06-01T00:00:00Z"));
        let bridge = find(DEFAULT).unwrap().inputs();
        assert_eq!(bridge.targets, vec!["packages/demo-project/demo-project-1.1.tar.gz".to_owned()]);
        let intoto = find("package-swapped").unwrap().inputs();
        assert_eq!(intoto.layout.as_deref(), Some("root.layout"));
        assert_eq!(intoto.params, None, "parameters: null is no substitution at all");
    }
}
