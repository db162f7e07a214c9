//! The embedded demo: the generated fixtures (`fixtures/demo`,
//! `fixtures/intoto-demo`, `fixtures/tuf-attacks`) compiled into the binary,
//! so `trailscope demo …` works from any directory on a fresh machine.
//!
//! Bridge and TUF scenarios are served from memory ([`MemorySource`]); the
//! in-toto ones, and the bridge's verification directory, are written to a
//! temporary directory removed afterwards. Every scenario is evaluated at its
//! own `now` (its `scenario.json`), so the verdicts never drift with the clock.

use std::path::Path;

use include_dir::{Dir, DirEntry, include_dir};
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

/// The sets, in the order they are listed.
pub const SETS: [(&str, &Dir<'static>); 3] =
    [("demo", &DEMO), ("intoto-demo", &INTOTO_DEMO), ("tuf-attacks", &TUF_ATTACKS)];

/// The scenario `trailscope` opens when given no argument.
pub const DEFAULT: &str = "act3-adversary";

/// What a scenario verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bridge,
    InToto,
    Tuf,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Bridge => "bridge",
            Kind::InToto => "in-toto",
            Kind::Tuf => "tuf",
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
        one_line(self.json["description"].as_str().unwrap_or_default())
    }

    pub fn description(&self) -> &str {
        self.json["description"].as_str().unwrap_or_default()
    }

    /// The scenario's evaluation time.
    pub fn now(&self) -> OffsetDateTime {
        self.json["now"]
            .as_str()
            .and_then(|t| crate::meta::time::parse(t).ok())
            .map(|t| t.at)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// The expected verdict line from `expect`.
    pub fn expected(&self) -> String {
        let e = &self.json["expect"];
        match self.kind {
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
        let mut out = Vec::new();
        let rel = rel.trim_matches('/');
        if rel.is_empty() {
            collect(self.dir, self.dir.path(), &mut out);
        } else {
            let base = self.dir.path().join(rel);
            if let Some(d) = self.dir.get_dir(&base) {
                collect(d, &base, &mut out);
            }
        }
        out
    }

    /// Writes the scenario's files under `dest`.
    pub fn materialize(&self, dest: &Path) -> std::io::Result<()> {
        for (rel, bytes) in self.files_under("") {
            let path = dest.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }
}

fn collect(d: &'static Dir<'static>, base: &Path, out: &mut Vec<(String, &'static [u8])>) {
    for e in d.entries() {
        match e {
            DirEntry::Dir(sub) => collect(sub, base, out),
            DirEntry::File(f) => {
                let rel = f.path().strip_prefix(base).unwrap_or(f.path());
                out.push((rel.to_string_lossy().replace('\\', "/"), f.contents()));
            }
        }
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
            let kind = match json["kind"].as_str() {
                Some("bridge") => Kind::Bridge,
                Some("tuf") => Kind::Tuf,
                _ => Kind::InToto,
            };
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

fn input<'a>(sc: &'a Scenario, key: &str) -> Result<&'a str, Error> {
    sc.json["inputs"][key].as_str().ok_or_else(|| Error::Missing(sc.name.clone(), format!("inputs.{key}")))
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
        Kind::Tuf => run_tuf(sc).map(|o| Outcome::Tuf(Box::new(o))),
    }
}

fn run_bridge(sc: &Scenario, opts: Options) -> Result<BridgeOutcome, Error> {
    let root_rel = input(sc, "trusted_root")?;
    let root = sc.file(root_rel).ok_or_else(|| Error::Missing(sc.name.clone(), root_rel.into()))?;
    let metadata = memory_source(sc, input(sc, "metadata_dir")?);
    let targets = memory_source(sc, input(sc, "targets_dir")?);
    let mut req = bridge::Request::new(
        root.to_vec(),
        format!("<embedded>/{}/{}/{root_rel}", sc.set, sc.name),
        &metadata,
        &targets,
        input(sc, "target")?,
        sc.now(),
    );
    req.run_inspections = opts.run_inspections;
    req.skip_inspections = opts.skip_inspections;
    req.strict = opts.strict;
    Ok(bridge::verify(&req))
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
    // Show paths relative to the scenario, not the temporary directory.
    let prefix = format!("{}/", tmp.path().display());
    for f in &mut out.findings {
        f.message = f.message.replace(&prefix, "");
        if let Some(src) = &mut f.source {
            src.file = src.file.replace(&prefix, "");
        }
        if let crate::verdict::Subject::Link { path } | crate::verdict::Subject::Layout { path } =
            &mut f.subject
        {
            *path = path.replace(&prefix, "");
        }
    }
    out.layout.path = out.layout.path.replace(&prefix, "");
    Ok(out)
}

/// The in-toto options of an in-toto scenario whose files are under `base`
/// (evaluated at the scenario's `now`, inspections not run).
pub fn intoto_options(sc: &Scenario, base: &Path) -> Result<VerifyOptions, Error> {
    let inputs = &sc.json["inputs"];
    let mut keys = Vec::new();
    for k in inputs["layout_keys"].as_array().into_iter().flatten() {
        let rel = k.as_str().unwrap_or_default();
        let bytes = sc.file(rel).ok_or_else(|| Error::Missing(sc.name.clone(), rel.into()))?;
        keys.push(
            PublicKey::from_file_bytes(bytes).map_err(|e| Error::Other(sc.name.clone(), e.to_string()))?,
        );
    }
    let mut o = VerifyOptions::new(base.join(input(sc, "layout")?), keys);
    o.link_dir = base.join(input(sc, "link_dir")?);
    o.workdir = base.join(input(sc, "workdir")?);
    o.params = inputs["parameters"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect());
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

fn run_tuf(sc: &Scenario) -> Result<TufOutcome, Error> {
    let root_rel = input(sc, "trusted_root")?;
    let root = sc.file(root_rel).ok_or_else(|| Error::Missing(sc.name.clone(), root_rel.into()))?;
    let metadata = memory_source(sc, input(sc, "metadata_dir")?);
    let targets = memory_source(sc, input(sc, "targets_dir")?);
    let tmp = tempfile::Builder::new()
        .prefix("trailscope-demo-state-")
        .tempdir()
        .map_err(|e| Error::Io(sc.name.clone(), e))?;
    let state = match sc.json["inputs"]["client_state"].as_str() {
        Some(cs) => {
            for (rel, bytes) in sc.files_under(cs) {
                std::fs::write(tmp.path().join(rel), bytes).map_err(|e| Error::Io(sc.name.clone(), e))?;
            }
            Some(StateDir::new(tmp.path(), false))
        }
        None => None,
    };
    let target_paths: Vec<String> =
        sc.json["expect"]["targets"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    Ok(session::run(session::Request {
        root_bytes: root.to_vec(),
        root_file: format!("<embedded>/{}/{}/{root_rel}", sc.set, sc.name),
        metadata: &metadata,
        targets: Some(&targets),
        state,
        at: sc.now(),
        config: Config::default(),
        target_paths,
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
}
