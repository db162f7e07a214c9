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
//!   and links): verified by the bridge verifier.
//!
//! - a Sigstore bundle or attestation file (`open FILE`, a directory
//!   holding one, an attestation scenario): verified as `attest verify`
//!   does ([`attest`]), each bundle of a file reachable with `a`/`A`.
//!
//! A generated scenario's `scenario.json` names its inputs exactly — client
//! state, the targets it looks up, its evaluation time (`now`) — read by
//! [`crate::demo::ScenarioInputs`], the same reading `trailscope demo NAME`
//! uses, so a scenario opened here verifies what the headless run verifies.
//! The flags of `verify`, `tuf verify` and `bridge verify` ([`OpenOptions`])
//! override what detection found, and reach the verifiers unchanged.

pub mod attest;
mod detect;
mod record;
mod shown;
mod verify;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::live::Live;
use super::session::{Scenarios, Session};
use crate::tuf::Config;

pub use attest::{AttestInputs, AttestOptions, verify_attest};
pub use detect::{detect, detect_path};
pub use verify::{intoto_plan, tuf_plan, verify_bridge, verify_intoto, verify_tuf};

/// The flags `open` shares with `verify`, `tuf verify` and `bridge verify`
/// (all optional; the defaults are those commands' defaults).
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub layout: Option<PathBuf>,
    pub layout_keys: Vec<PathBuf>,
    pub link_dir: Option<PathBuf>,
    pub workdir: Option<PathBuf>,
    /// `--param`s, added to a scenario's parameters; `None` and no scenario
    /// parameters: no substitution at all (as `verify` without `--param`).
    pub params: Option<BTreeMap<String, String>>,
    pub run_inspections: bool,
    /// Accept a verdict without the inspections (`--skip-inspections`).
    pub skip_inspections: bool,
    pub inspection_timeout: Option<Duration>,
    pub strict: bool,
    /// in-toto: largest layout or link file read, in bytes.
    pub max_metadata_bytes: u64,
    /// in-toto: most materials (and products) one link may list.
    pub max_artifacts_per_link: usize,
    /// in-toto: most link files read.
    pub max_links: usize,
    /// in-toto: which signed form of a Metablock counts (`--signature-form`).
    pub signature_form: crate::intoto::SignatureForm,
    pub root: Option<PathBuf>,
    /// A directory or an http(s) base URL.
    pub metadata: Option<String>,
    /// A directory or an http(s) base URL.
    pub targets: Option<String>,
    /// Previously trusted metadata (read; written only with `save_state`).
    pub state: Option<PathBuf>,
    pub save_state: bool,
    pub target: Vec<String>,
    /// Load and verify every delegated role reachable from targets.
    pub all_roles: bool,
    /// Verify the TUF repository as `bridge verify` does (detected from a
    /// scenario or a local targets directory's `in-toto-metadata/`; a URL
    /// cannot be looked into).
    pub bridge: bool,
    /// The TUF client's limits and switches (`--max-metadata-bytes`,
    /// `--max-delegations`, `--lookup-only`); `strict` is set from `strict`.
    pub tuf_config: Config,
    /// Sigstore bundles: the flags of `attest verify` (policy, trusted root, artifact).
    pub attest: AttestOptions,
    /// Metadata files beyond which a TUF repository is audited streaming
    /// (leaf bins let go of, loaded when opened in the Targets view);
    /// tests lower it.
    #[doc(hidden)]
    pub tracked_files: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            layout: None,
            layout_keys: Vec::new(),
            link_dir: None,
            workdir: None,
            params: None,
            run_inspections: false,
            skip_inspections: false,
            inspection_timeout: None,
            strict: false,
            max_metadata_bytes: crate::intoto::metadata::MAX_METADATA_BYTES,
            max_artifacts_per_link: crate::intoto::MAX_ARTIFACTS_PER_LINK,
            max_links: crate::intoto::MAX_LINKS,
            signature_form: crate::intoto::SignatureForm::Reference,
            root: None,
            metadata: None,
            targets: None,
            state: None,
            save_state: false,
            target: Vec::new(),
            all_roles: false,
            bridge: false,
            tuf_config: Config::default(),
            attest: AttestOptions::default(),
            tracked_files: crate::engine::plans::tuf::TRACKED_FILES,
        }
    }
}

/// An in-toto chain's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InTotoInputs {
    pub layout: PathBuf,
    pub keys: Vec<PathBuf>,
    pub link_dir: PathBuf,
    pub workdir: PathBuf,
    /// `None`: no substitution at all.
    pub params: Option<BTreeMap<String, String>>,
}

/// A TUF repository's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TufInputs {
    pub root: PathBuf,
    /// A directory or an http(s) base URL.
    pub metadata: String,
    /// A directory or an http(s) base URL.
    pub targets: Option<String>,
    /// The client's state directory (previously trusted metadata).
    pub state: Option<PathBuf>,
    pub target: Vec<String>,
}

/// What a directory holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    InToto(InTotoInputs),
    Tuf(TufInputs),
    /// A TUF repository distributing an in-toto supply chain (bridge).
    Bridge(TufInputs),
    /// Sigstore bundles (an attestation file, or a scenario naming one).
    Attest(Box<AttestInputs>),
}

impl Plan {
    pub fn word(&self) -> &'static str {
        match self {
            Plan::InToto(_) => "in-toto",
            Plan::Tuf(_) => "tuf",
            Plan::Bridge(_) => "bridge",
            Plan::Attest(_) => "attestation",
        }
    }
}

/// What `open` will verify, and when (a fixture's `now`).
#[derive(Debug, Clone)]
pub struct Opened {
    pub dir: PathBuf,
    pub plan: Plan,
    pub at: Option<OffsetDateTime>,
    pub opts: OpenOptions,
}

impl Opened {
    /// Why the flags do not fit what was found: a bridge is verified as
    /// `bridge verify` does, which keeps no client state and audits no roles.
    pub fn flag_conflict(&self) -> Option<String> {
        let Plan::Bridge(_) = &self.plan else { return None };
        let o = &self.opts;
        let flag = [
            (o.state.is_some(), "--state"),
            (o.all_roles, "--all-roles"),
            (o.tuf_config.lookup_only, "--lookup-only"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))?;
        Some(format!(
            "{} holds a TUF repository distributing in-toto, verified as `bridge verify` does, which \
             takes no {flag}",
            self.dir.display()
        ))
    }
}

/// The session that verifies what was opened; `label` is shown in the header.
/// In-toto chains and TUF repositories run on the engine (DESIGN §5: units
/// stream in, `w` re-runs only what a changed file feeds); bridges run the
/// bridge verifier directly. [`Session::run_blocking`] (the text report when
/// stdout is not a terminal) runs the same verifiers with the same options.
/// Unless it runs them already, an in-toto or bridge session offers to run
/// the layout's inspections (`I`, after showing their argv and asking).
pub fn session(opened: &Opened, label: impl Into<String>) -> Session {
    let label = label.into();
    let plain = session_as_given(opened, label.clone());
    if opened.opts.run_inspections || matches!(opened.plan, Plan::Tuf(_) | Plan::Attest(_)) {
        return plain;
    }
    let mut with = opened.clone();
    with.opts.run_inspections = true;
    with.opts.skip_inspections = false;
    plain.runs_inspections_with(move || Ok(session_as_given(&with, label.clone())))
}

fn session_as_given(opened: &Opened, label: impl Into<String>) -> Session {
    let watch = vec![opened.dir.clone()];
    let (opts, at, base) = (opened.opts.clone(), opened.at, opened.dir.clone());
    let session = match &opened.plan {
        Plan::InToto(inputs) => {
            let (i, o, b) = (inputs.clone(), opts.clone(), base.clone());
            let direct = Session::new(label, move |req, _| {
                verify_intoto(&i, &o, req.at.or(at), &b).map(|r| verify::relative(r, &b))
            });
            let inputs = inputs.clone();
            direct.on_engine(Live::new(at, move |at| {
                intoto_plan(&inputs, &opts, at, &base).map(|p| verify::relative_built(p, &base))
            }))
        }
        Plan::Tuf(inputs) => {
            let (i, o, b) = (inputs.clone(), opts.clone(), base.clone());
            let direct = Session::new(label, move |req, _| {
                verify_tuf(&i, &o, req.at.or(at)).map(|r| verify::relative(r, &b))
            });
            let inputs = inputs.clone();
            direct.on_engine(Live::new(at, move |at| {
                tuf_plan(&inputs, &opts, at).map(|p| verify::relative_built(p, &base))
            }))
        }
        Plan::Bridge(inputs) => {
            let inputs = inputs.clone();
            Session::new(label, move |req, _| {
                verify_bridge(&inputs, &opts, req.at.or(at)).map(|r| verify::relative(r, &base))
            })
        }
        Plan::Attest(inputs) => return attest_session(inputs, at, label.into(), &opened.dir),
    };
    session.watching(watch).with_story(story(&opened.dir))
}

/// A bundle of an attestation file; with several, `a`/`A` switch between them.
fn attest_session(
    inputs: &AttestInputs,
    at: Option<OffsetDateTime>,
    label: String,
    dir: &std::path::Path,
) -> Session {
    let this = inputs.clone();
    let shown = match inputs.labels.len() {
        0 | 1 => label.clone(),
        n => format!("{label} · bundle {} of {n}", inputs.index + 1),
    };
    let mut session = Session::new(shown, move |req, _| verify_attest(&this, req.at.or(at)))
        .watching([inputs.file.clone()])
        .with_story(story(dir));
    if inputs.labels.len() > 1 {
        let (all, dir) = (inputs.clone(), dir.to_path_buf());
        let open = move |name: &str| {
            let index =
                all.labels.iter().position(|l| l == name).ok_or_else(|| format!("no bundle {name}"))?;
            let one = AttestInputs { index, ..all.clone() };
            Ok((attest_session(&one, at, label.clone(), &dir), at))
        };
        session = session.with_scenarios(Scenarios {
            names: inputs.labels.clone(),
            current: inputs.index,
            open: Arc::new(open),
        });
    }
    session
}

/// The `description` (an attestation scenario's `story`) of a scenario
/// directory's `scenario.json` (bounded read).
fn story(dir: &std::path::Path) -> Option<String> {
    let bytes = std::fs::read(dir.join("scenario.json")).ok().filter(|b| b.len() <= 1 << 20)?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    json.get("description").or_else(|| json.get("story"))?.as_str().map(str::to_owned)
}

/// The embedded demo scenario `name` (see `trailscope demo --list`),
/// written to a temporary directory that lives as long as the session, and
/// opened like `open DIR` opens a scenario directory: with the inputs its
/// `scenario.json` names (client state, targets, time), the ones
/// `trailscope demo NAME` verifies, and the flags in `opts` (inspections,
/// `--strict`, limits). `a`/`A` switch to the other scenarios with the same
/// flags. The demo's own inspection (it untars the embedded package) runs
/// only with `run_inspections`, or after `I` and a yes for this scenario.
pub fn demo_session(name: &str, opts: &OpenOptions) -> Result<(Session, Option<OffsetDateTime>), String> {
    demo_session_for(name, opts, opts)
}

/// [`demo_session`] with `this` for scenario `name` and `others` for the
/// scenarios `a`/`A` switch to.
fn demo_session_for(
    name: &str,
    this: &OpenOptions,
    others: &OpenOptions,
) -> Result<(Session, Option<OffsetDateTime>), String> {
    let sc = crate::demo::find(name).ok_or_else(|| format!("no embedded scenario {name:?}"))?;
    let tmp = tempfile::Builder::new()
        .prefix("trailscope-demo-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    sc.materialize(tmp.path()).map_err(|e| format!("cannot write the demo: {e}"))?;
    let opened = detect(&sc.materialized(tmp.path()), this)?;
    if let Some(e) = opened.flag_conflict() {
        return Err(e);
    }
    let at = opened.at;
    let label = format!("demo {}", sc.name);
    let names: Vec<String> = crate::demo::list().iter().map(|s| format!("{}/{}", s.set, s.name)).collect();
    let full = format!("{}/{}", sc.set, sc.name);
    let current = names.iter().position(|n| n == &full).unwrap_or(0);
    let flags = others.clone();
    let scenarios = Scenarios {
        names,
        current,
        open: Arc::new(move |name: &str| demo_session_for(name, &flags, &flags)),
    };
    let mut session = session_as_given(&opened, label);
    if !this.run_inspections && !matches!(opened.plan, Plan::Tuf(_) | Plan::Attest(_)) {
        let run = OpenOptions { run_inspections: true, skip_inspections: false, ..this.clone() };
        let others = others.clone();
        session =
            session.runs_inspections_with(move || demo_session_for(&full, &run, &others).map(|(s, _)| s));
    }
    let session = session.keeping(Arc::new(tmp)).with_scenarios(scenarios);
    Ok((session, at))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

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
    fn a_tuf_scenario_opens_with_its_client_state_and_its_lookups() {
        let dir = fixture("tuf-attacks/rollback-timestamp");
        let o = detect(&dir, &OpenOptions::default()).unwrap();
        let Plan::Tuf(t) = &o.plan else { panic!("{:?}", o.plan) };
        assert_eq!(t.state.as_deref(), Some(dir.join("client_state").as_path()));
        assert_eq!(t.target, vec!["app-1.0.tar.gz".to_owned()]);
        // A flag wins over the scenario.
        let state = fixture("tuf-attacks/rollback-snapshot/client_state");
        let opts = OpenOptions { state: Some(state.clone()), ..OpenOptions::default() };
        let Plan::Tuf(t) = detect(&dir, &opts).unwrap().plan else { panic!() };
        assert_eq!(t.state, Some(state));
    }

    #[test]
    fn an_empty_directory_says_what_it_looked_for() {
        let dir = tempfile::tempdir().unwrap();
        let e = detect(dir.path(), &OpenOptions::default()).unwrap_err();
        assert!(e.contains("found neither an in-toto layout"), "{e}");
    }
}
