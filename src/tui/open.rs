//! `trailscope open DIR`: find out what a directory holds and build the
//! [`Session`] that verifies it, again and again (`r`, `t`, `w`).
//!
//! - an in-toto supply chain: a `*.layout` (`root.layout` first) with its
//!   keys (`keys/*.pub*`, else `*.pub*` beside the layout) and links
//!   (`links/`, else the directory itself), and a `workdir/` if there is one;
//! - a TUF repository: a trusted root (`trusted_root.json`, `root.json`,
//!   `1.root.json`) and the metadata directory holding `timestamp.json`
//!   (the directory itself, `metadata/` or `repo/metadata/`), targets beside it;
//! - both, as in the bridge fixtures (a TUF repository distributing layouts
//!   and links): verified as TUF until the bridge verifier is wired in.
//!
//! A generated fixture's `scenario.json` names its inputs exactly and its
//! evaluation time (`now`), which the session then uses (shown as time
//! travel in the header) unless `--at` says otherwise. Flags of `verify`
//! and `tuf verify` override what detection found.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use std::sync::Arc;

use super::detail::Results;
use super::live::{Built, Live};
use super::session::{Scenarios, Session};
use crate::crypto::PublicKey;
use crate::engine::{EngineHandle, plans};
use crate::intoto::{self, VerifyOptions};
use crate::tuf::session::{self as tuf_session, Request as TufRequest};
use crate::tuf::{Config, DirSource, source};

/// The flags `open` shares with `verify` and `tuf verify` (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    pub layout: Option<PathBuf>,
    pub layout_keys: Vec<PathBuf>,
    pub link_dir: Option<PathBuf>,
    pub workdir: Option<PathBuf>,
    pub params: BTreeMap<String, String>,
    pub run_inspections: bool,
    /// Accept a verdict without the inspections (`--skip-inspections`).
    pub skip_inspections: bool,
    pub inspection_timeout: Option<Duration>,
    pub strict: bool,
    pub root: Option<PathBuf>,
    pub metadata: Option<PathBuf>,
    pub targets: Option<PathBuf>,
    pub target: Vec<String>,
    pub all_roles: bool,
}

/// An in-toto chain's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InTotoInputs {
    pub layout: PathBuf,
    pub keys: Vec<PathBuf>,
    pub link_dir: PathBuf,
    pub workdir: PathBuf,
    pub params: BTreeMap<String, String>,
}

/// A TUF repository's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TufInputs {
    pub root: PathBuf,
    pub metadata: PathBuf,
    pub targets: Option<PathBuf>,
    pub target: Vec<String>,
}

/// What a directory holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    InToto(InTotoInputs),
    Tuf(TufInputs),
    /// A TUF repository distributing an in-toto supply chain (bridge).
    Bridge(TufInputs),
}

impl Plan {
    pub fn word(&self) -> &'static str {
        match self {
            Plan::InToto(_) => "in-toto",
            Plan::Tuf(_) => "tuf",
            Plan::Bridge(_) => "bridge",
        }
    }
}

/// What `open` will verify, and when (a fixture's `now`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub dir: PathBuf,
    pub plan: Plan,
    pub at: Option<OffsetDateTime>,
    pub opts: OpenOptions,
}

/// Looks into `dir` (flags first, then `scenario.json`, then file names).
pub fn detect(dir: &Path, opts: &OpenOptions) -> Result<Opened, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a directory", dir.display()));
    }
    let scenario = read_scenario(dir);
    let at = scenario
        .as_ref()
        .and_then(|s| s.get("now"))
        .and_then(Value::as_str)
        .and_then(|t| crate::meta::time::parse(t).ok().map(|t| t.at));
    let intoto = intoto_inputs(dir, opts, scenario.as_ref());
    let tuf = tuf_inputs(dir, opts, scenario.as_ref());
    let bridge = scenario.as_ref().and_then(|s| s.get("kind")).and_then(Value::as_str) == Some("bridge")
        || tuf
            .as_ref()
            .is_some_and(|t| t.targets.as_ref().is_some_and(|d| d.join("in-toto-metadata").is_dir()));
    let plan = match (intoto, tuf) {
        (Some(i), None) => Plan::InToto(i),
        (Some(i), Some(_)) if opts.layout.is_some() => Plan::InToto(i),
        (_, Some(mut t)) if bridge => {
            if t.target.is_empty()
                && let Some(target) = scenario.as_ref().and_then(|s| s["inputs"]["target"].as_str())
            {
                t.target.push(target.to_owned());
            }
            Plan::Bridge(t)
        }
        (_, Some(t)) => Plan::Tuf(t),
        (None, None) => {
            return Err(format!(
                "{}: found neither an in-toto layout (*.layout with keys and links) nor a TUF \
                 repository (trusted_root.json or root.json, and timestamp.json); name the inputs \
                 with --layout/--layout-keys or --root/--metadata",
                dir.display()
            ));
        }
    };
    Ok(Opened { dir: dir.to_path_buf(), plan, at, opts: opts.clone() })
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

fn intoto_inputs(dir: &Path, opts: &OpenOptions, scenario: Option<&Value>) -> Option<InTotoInputs> {
    let inputs = scenario.filter(|s| s["kind"] == "intoto" || s["inputs"]["layout"].is_string());
    let inputs = inputs.map(|s| &s["inputs"]);
    let rel = |v: Option<&Value>| v.and_then(Value::as_str).map(|p| dir.join(p));
    let layout = opts.layout.clone().or_else(|| rel(inputs.map(|i| &i["layout"]))).or_else(|| {
        let layouts: Vec<PathBuf> =
            files(dir).into_iter().filter(|p| name_of(p).ends_with(".layout")).collect();
        layouts.iter().find(|p| name_of(p) == "root.layout").or(layouts.first()).cloned()
    })?;
    let mut keys = opts.layout_keys.clone();
    if keys.is_empty() {
        keys = inputs
            .and_then(|i| i["layout_keys"].as_array())
            .map(|a| a.iter().filter_map(|k| rel(Some(k))).collect())
            .unwrap_or_default();
    }
    if keys.is_empty() {
        keys = key_files(&dir.join("keys"));
    }
    if keys.is_empty() {
        keys = key_files(dir);
    }
    let link_dir =
        opts.link_dir.clone().or_else(|| rel(inputs.map(|i| &i["link_dir"]))).unwrap_or_else(|| {
            let links = dir.join("links");
            if links.is_dir() { links } else { dir.to_path_buf() }
        });
    let workdir = opts.workdir.clone().or_else(|| rel(inputs.map(|i| &i["workdir"]))).unwrap_or_else(|| {
        let w = dir.join("workdir");
        if w.is_dir() { w } else { dir.to_path_buf() }
    });
    let mut params: BTreeMap<String, String> = inputs
        .and_then(|i| i["parameters"].as_object())
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default();
    params.extend(opts.params.clone());
    Some(InTotoInputs { layout, keys, link_dir, workdir, params })
}

fn tuf_inputs(dir: &Path, opts: &OpenOptions, scenario: Option<&Value>) -> Option<TufInputs> {
    let inputs = scenario.map(|s| &s["inputs"]).filter(|i| i["trusted_root"].is_string());
    let rel = |v: Option<&Value>| v.and_then(Value::as_str).map(|p| dir.join(p));
    let metadata =
        opts.metadata.clone().or_else(|| rel(inputs.map(|i| &i["metadata_dir"]))).or_else(|| {
            [dir.to_path_buf(), dir.join("metadata"), dir.join("repo/metadata")]
                .into_iter()
                .find(|d| d.join("timestamp.json").is_file() || d.join("1.root.json").is_file())
        })?;
    let root = opts.root.clone().or_else(|| rel(inputs.map(|i| &i["trusted_root"]))).or_else(|| {
        [
            dir.join("trusted_root.json"),
            dir.join("root.json"),
            metadata.join("root.json"),
            metadata.join("1.root.json"),
        ]
        .into_iter()
        .find(|p| p.is_file())
    })?;
    let targets = opts
        .targets
        .clone()
        .or_else(|| rel(inputs.map(|i| &i["targets_dir"])))
        .or_else(|| metadata.parent().map(|p| p.join("targets")).filter(|p| p.is_dir()));
    Some(TufInputs { root, metadata, targets, target: opts.target.clone() })
}

/// The session that verifies what was opened; `label` is shown in the header.
/// In-toto chains and TUF repositories run on the engine (DESIGN §5: units
/// stream in, `w` re-runs only what a changed file feeds); bridges run the
/// bridge verifier directly. Unless it runs them already, an in-toto or
/// bridge session offers to run the layout's inspections (`I`, after asking).
pub fn session(opened: &Opened, label: impl Into<String>) -> Session {
    let label = label.into();
    let plain = session_as_given(opened, label.clone());
    if opened.opts.run_inspections || matches!(opened.plan, Plan::Tuf(_)) {
        return plain;
    }
    let mut with = opened.clone();
    with.opts.run_inspections = true;
    with.opts.skip_inspections = false;
    plain.runs_inspections_with(move || Ok(session_as_given(&with, label.clone())))
}

fn session_as_given(opened: &Opened, label: impl Into<String>) -> Session {
    let watch = vec![opened.dir.clone()];
    let (opts, at) = (opened.opts.clone(), opened.at);
    let session = match &opened.plan {
        Plan::InToto(inputs) => {
            let (i, o) = (inputs.clone(), opts.clone());
            let direct = Session::new(label, move |req, _| verify_intoto(&i, &o, req.at.or(at)));
            let inputs = inputs.clone();
            direct.on_engine(Live::new(at, move |at| intoto_plan(&inputs, &opts, at)))
        }
        Plan::Tuf(inputs) => {
            let (i, o) = (inputs.clone(), opts.clone());
            let direct = Session::new(label, move |req, _| verify_tuf(&i, &o, req.at.or(at)));
            let inputs = inputs.clone();
            direct.on_engine(Live::new(at, move |at| tuf_plan(&inputs, &opts, at)))
        }
        Plan::Bridge(inputs) => {
            let inputs = inputs.clone();
            Session::new(label, move |req, _| verify_bridge(&inputs, &opts, req.at.or(at)))
        }
    };
    session.watching(watch)
}

fn now_or(at: Option<OffsetDateTime>) -> OffsetDateTime {
    at.unwrap_or_else(crate::meta::time::now)
}

/// The verifier's options for an in-toto chain, and the layout key ids.
fn intoto_options(
    inputs: &InTotoInputs,
    opts: &OpenOptions,
    at: OffsetDateTime,
) -> Result<(VerifyOptions, Vec<String>), String> {
    let mut keys = Vec::new();
    for path in &inputs.keys {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read key {}: {e}", path.display()))?;
        let key = PublicKey::from_file_bytes(&bytes)
            .map_err(|e| format!("key {} is malformed: {e}", path.display()))?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(format!(
            "no layout key found for {} (put keys in keys/ or pass --layout-keys)",
            inputs.layout.display()
        ));
    }
    let keyids = keys.iter().map(PublicKey::keyid).collect();
    let mut v = VerifyOptions::new(&inputs.layout, keys);
    v.link_dir = inputs.link_dir.clone();
    v.workdir = inputs.workdir.clone();
    v.params = (!inputs.params.is_empty()).then(|| inputs.params.clone());
    v.at = at;
    v.run_inspections = opts.run_inspections;
    v.skip_inspections = opts.skip_inspections;
    if let Some(t) = opts.inspection_timeout {
        v.inspection_timeout = t;
    }
    v.strict = opts.strict;
    Ok((v, keyids))
}

/// Runs in-toto verification and derives the chain.
pub fn verify_intoto(
    inputs: &InTotoInputs,
    opts: &OpenOptions,
    at: Option<OffsetDateTime>,
) -> Result<Results, String> {
    let (v, keyids) = intoto_options(inputs, opts, now_or(at))?;
    let outcome = intoto::verify(&v).map_err(|e| e.to_string())?;
    Ok(Results::intoto(&outcome, keyids))
}

/// The in-toto chain as an engine plan with its detail units.
pub fn intoto_plan(inputs: &InTotoInputs, opts: &OpenOptions, at: OffsetDateTime) -> Result<Built, String> {
    let (v, keyids) = intoto_options(inputs, opts, at)?;
    let p = plans::intoto::plan(&v, true).map_err(|e| e.to_string())?;
    let verdict = p.verdict.clone();
    let results = move |engine: &EngineHandle| {
        let o = engine.outcome(verdict.id())?;
        Some(match o.output::<plans::intoto::InTotoVerdict>() {
            Some(Ok(outcome)) => Ok(Results::intoto(outcome, keyids.clone())),
            Some(Err(e)) => Err(e.clone()),
            None => Err(o.detail.clone().unwrap_or_else(|| "verification did not run".into())),
        })
    };
    Ok(Built { plan: p.plan, evaluated_at: p.evaluated_at, results: Arc::new(results) })
}

/// The TUF client workflow as an engine plan with a unit per role.
pub fn tuf_plan(inputs: &TufInputs, opts: &OpenOptions, at: OffsetDateTime) -> Result<Built, String> {
    let strict = opts.strict;
    let t = plans::tuf::TufOptions {
        root: inputs.root.clone(),
        metadata: inputs.metadata.display().to_string(),
        targets: inputs.targets.as_ref().map(|t| t.display().to_string()),
        state: None,
        save_state: false,
        at,
        config: Config { strict, ..Config::default() },
        target_paths: inputs.target.clone(),
        all_roles: true,
    };
    let p = plans::tuf::plan(&t, true).map_err(|e| e.to_string())?;
    let verdict = p.verdict.clone();
    let results = move |engine: &EngineHandle| {
        let o = engine.outcome(verdict.id())?;
        Some(match o.output::<plans::tuf::TufVerdict>() {
            Some(outcome) => Ok(Results::tuf(outcome, strict)),
            None => Err(o.detail.clone().unwrap_or_else(|| "verification did not run".into())),
        })
    };
    Ok(Built { plan: p.plan, evaluated_at: p.evaluated_at, results: Arc::new(results) })
}

/// Runs the TUF client workflow (refresh, the requested targets, every role).
pub fn verify_tuf(
    inputs: &TufInputs,
    opts: &OpenOptions,
    at: Option<OffsetDateTime>,
) -> Result<Results, String> {
    let (root_bytes, root_file) = read_root(&inputs.root)?;
    let metadata = DirSource::new(&inputs.metadata);
    let layout = metadata.source_layout();
    let targets = inputs.targets.as_ref().map(|t| DirSource::new(t).with_source_layout(layout));
    let outcome = tuf_session::run(TufRequest {
        root_bytes,
        root_file,
        metadata: &metadata,
        targets: targets.as_ref().map(|t| t as &dyn source::Source),
        state: None,
        at: now_or(at),
        config: Config { strict: opts.strict, ..Config::default() },
        target_paths: inputs.target.clone(),
        all_roles: true,
    });
    if let Some(e) = outcome.unparsed_trusted_root() {
        return Err(format!("trusted root {}: {}", inputs.root.display(), e.message));
    }
    Ok(Results::tuf(&outcome, opts.strict))
}

/// TUF distributes in-toto: the bridge verification of the first target.
pub fn verify_bridge(
    inputs: &TufInputs,
    opts: &OpenOptions,
    at: Option<OffsetDateTime>,
) -> Result<Results, String> {
    let Some(target) = inputs.target.first() else {
        return Err("a bridge repository needs --target PATH (the package to verify)".into());
    };
    let Some(targets_dir) = &inputs.targets else {
        return Err("a bridge repository needs --targets DIR".into());
    };
    let (root_bytes, root_file) = read_root(&inputs.root)?;
    let metadata = DirSource::new(&inputs.metadata);
    let targets = DirSource::new(targets_dir).with_source_layout(metadata.source_layout());
    let mut req = crate::bridge::Request::new(root_bytes, root_file, &metadata, &targets, target, now_or(at));
    req.run_inspections = opts.run_inspections;
    req.skip_inspections = opts.skip_inspections;
    if let Some(t) = opts.inspection_timeout {
        req.inspection_timeout = t;
    }
    req.strict = opts.strict;
    let outcome = crate::bridge::verify(&req);
    if let Some(e) = outcome.tuf.unparsed_trusted_root() {
        return Err(format!("trusted root {}: {}", inputs.root.display(), e.message));
    }
    Ok(Results::bridge(&outcome))
}

fn read_root(path: &Path) -> Result<(Vec<u8>, String), String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read trusted root {}: {e}", path.display()))?;
    let name = path.display().to_string();
    let bytes = source::read_bounded(file, Config::default().root_max_length, &name)
        .map_err(|e| format!("trusted root: {e}"))?;
    Ok((bytes, name))
}

/// What to do with a layout's inspections (`--run-inspections`,
/// `--skip-inspections`, or neither: not run, and the chain does not verify).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inspections {
    pub run: bool,
    pub skip: bool,
}

/// The embedded demo scenario `name` (see `trailscope demo --list`),
/// written to a temporary directory that lives as long as the session, and
/// verified like `open` would. The demo's own inspection (it untars the
/// embedded package in a scratch directory) runs only when `run_inspections`
/// (or after `I` and a yes); `a`/`A` open the other scenarios with the same
/// choice.
pub fn demo_session(name: &str, run_inspections: bool) -> Result<(Session, Option<OffsetDateTime>), String> {
    demo_session_with(name, Inspections { run: run_inspections, skip: false })
}

/// [`demo_session`] with `--skip-inspections` too.
pub fn demo_session_with(
    name: &str,
    inspections: Inspections,
) -> Result<(Session, Option<OffsetDateTime>), String> {
    demo_session_for(name, inspections, inspections)
}

/// [`demo_session`] with `this` choice for scenario `name` and `others` for
/// the scenarios `a`/`A` switch to.
fn demo_session_for(
    name: &str,
    this: Inspections,
    others: Inspections,
) -> Result<(Session, Option<OffsetDateTime>), String> {
    let sc = crate::demo::find(name).ok_or_else(|| format!("no embedded scenario {name:?}"))?;
    let tmp = tempfile::Builder::new()
        .prefix("trailscope-demo-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    sc.materialize(tmp.path()).map_err(|e| format!("cannot write the demo: {e}"))?;
    let opts =
        OpenOptions { run_inspections: this.run, skip_inspections: this.skip, ..OpenOptions::default() };
    let opened = detect(tmp.path(), &opts)?;
    let at = opened.at;
    let label = format!("demo {}", sc.name);
    let names: Vec<String> = crate::demo::list().iter().map(|s| format!("{}/{}", s.set, s.name)).collect();
    let full = format!("{}/{}", sc.set, sc.name);
    let current = names.iter().position(|n| n == &full).unwrap_or(0);
    let scenarios = Scenarios {
        names,
        current,
        open: Arc::new(move |name: &str| demo_session_for(name, others, others)),
    };
    let mut session = session_as_given(&opened, label);
    if !this.run && opened.plan.word() != "tuf" {
        let run = Inspections { run: true, skip: false };
        session = session.runs_inspections_with(move || demo_session_for(&full, run, others).map(|(s, _)| s));
    }
    let session = session.keeping(Arc::new(tmp)).with_scenarios(scenarios);
    Ok((session, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
    }

    #[test]
    fn an_intoto_scenario_is_detected_with_its_keys_links_and_time() {
        let o = detect(&fixture("intoto-demo/package-swapped"), &OpenOptions::default()).unwrap();
        let Plan::InToto(i) = &o.plan else { panic!("{:?}", o.plan) };
        assert!(i.layout.ends_with("root.layout"));
        assert_eq!(i.keys.len(), 1);
        assert!(i.link_dir.ends_with("links"));
        assert!(o.at.is_some());
    }

    #[test]
    fn a_tuf_repository_and_a_bridge_repository_are_told_apart() {
        let o = detect(&fixture("tuf-attacks/expired-snapshot"), &OpenOptions::default()).unwrap();
        assert_eq!(o.plan.word(), "tuf");
        let o = detect(&fixture("demo/act3-adversary"), &OpenOptions::default()).unwrap();
        let Plan::Bridge(t) = &o.plan else { panic!("{:?}", o.plan) };
        assert_eq!(t.target, vec!["packages/demo-project/demo-project-1.1.tar.gz".to_owned()]);
    }

    #[test]
    fn an_empty_directory_says_what_it_looked_for() {
        let dir = tempfile::tempdir().unwrap();
        let e = detect(dir.path(), &OpenOptions::default()).unwrap_err();
        assert!(e.contains("found neither an in-toto layout"), "{e}");
    }

    #[test]
    fn a_json_key_wins_over_its_pem_twin() {
        let keys = key_files(&fixture("intoto-demo/demo-supply-chain/keys"));
        assert_eq!(keys.len(), 1);
        assert!(name_of(&keys[0]).ends_with(".pub.json"));
    }
}
