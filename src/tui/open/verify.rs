//! The verifiers an opened directory runs, with every option `open` was
//! given: in-toto and TUF as engine plans (the TUI) and directly (the text
//! report), the bridge directly. Each run's [`Results`] carry the trust
//! anchor it started from, for the Overview.

use std::path::Path;
use std::sync::Arc;

use time::OffsetDateTime;

use super::{InTotoInputs, OpenOptions, TufInputs, record};
use crate::crypto::PublicKey;
use crate::engine::UnitRef;
use crate::engine::plans::tuf::TufOptions;
use crate::engine::{EngineHandle, plans};
use crate::intoto::{self, VerifyOptions};
use crate::tuf::{Config, DirSource, Source, source};
use crate::tui::anchor::{Anchor, shown_path};
use crate::tui::detail::Results;
use crate::tui::live::{Built, Early, ResultsFn};
use crate::verdict::InputFile;

fn now_or(at: Option<OffsetDateTime>) -> OffsetDateTime {
    at.unwrap_or_else(crate::meta::time::now)
}

fn is_url(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// Anchor and input paths relative to the opened directory `base`.
pub(super) fn relative(mut results: Results, base: &Path) -> Results {
    super::record::relative(&mut results.document, base);
    if let Some(anchor) = &mut results.detail.anchor {
        for file in anchor
            .root
            .iter_mut()
            .map(|r| &mut r.file)
            .chain(anchor.layout.iter_mut().filter(|l| !l.from_tuf).map(|l| &mut l.file))
        {
            *file = shown_path(Path::new(file.as_str()), base);
        }
    }
    results
}

/// [`relative`] for the results an engine plan delivers.
pub(super) fn relative_built(built: Built, base: &Path) -> Built {
    let (inner, base) = (built.results, base.to_path_buf());
    let early = built.early.map(|e| {
        let (inner, base) = (e.results, base.clone());
        let results = move |engine: &EngineHandle| inner(engine).map(|r| r.map(|r| relative(r, &base)));
        Early { unit: e.unit, results: Arc::new(results) }
    });
    let results = move |engine: &EngineHandle| inner(engine).map(|r| r.map(|r| relative(r, &base)));
    Built { plan: built.plan, evaluated_at: built.evaluated_at, results: Arc::new(results), early }
}

/// The layout keys as read: their ids, and their files with the size and
/// sha256 of the bytes the keys were parsed from (the document's `inputs`).
#[derive(Clone)]
struct LayoutKeys {
    keyids: Vec<String>,
    files: Vec<InputFile>,
    /// Their holders as the key files name them (`keys/alice.pub.json`: alice).
    names: crate::verdict::Owners,
}

/// The verifier's options for an in-toto chain, and the layout keys.
fn intoto_options(
    inputs: &InTotoInputs,
    opts: &OpenOptions,
    at: OffsetDateTime,
    without_keys: bool,
) -> Result<(VerifyOptions, LayoutKeys), String> {
    let mut keys = Vec::new();
    let mut files = Vec::new();
    let mut names = crate::verdict::Owners::new();
    for path in &inputs.keys {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read key {}: {e}", path.display()))?;
        let key = PublicKey::from_file_bytes(&bytes)
            .map_err(|e| format!("key {} is malformed: {e}", path.display()))?;
        files.push(InputFile::of_bytes("layout key", path.display().to_string(), &bytes));
        if let Some(name) = crate::crypto::keys::owner_of_file(path) {
            names.insert(key.keyid(), name);
        }
        keys.push(key);
    }
    // The TUI browses a chain without its keys (every result marked
    // unverified, the layout-signature finding says why); the text report
    // refuses it, as `verify` does.
    if keys.is_empty() && !without_keys {
        return Err(format!(
            "no layout key found for {} (put keys in keys/ or pass --layout-keys)",
            inputs.layout.display()
        ));
    }
    let keyids = keys.iter().map(PublicKey::keyid).collect();
    let layout_keys = LayoutKeys { keyids, files, names };
    let mut v = VerifyOptions::new(&inputs.layout, keys);
    v.link_dir = inputs.link_dir.clone();
    v.workdir = inputs.workdir.clone();
    v.params = inputs.params.clone();
    v.at = at;
    v.run_inspections = opts.run_inspections;
    v.skip_inspections = opts.skip_inspections;
    if let Some(t) = opts.inspection_timeout {
        v.inspection_timeout = t;
    }
    v.strict = opts.strict;
    v.max_metadata_bytes = opts.max_metadata_bytes;
    v.max_artifacts_per_link = opts.max_artifacts_per_link;
    v.max_links = opts.max_links;
    v.signature_form = opts.signature_form;
    Ok((v, layout_keys))
}

/// `outcome` names its files as shown ([`super::shown`]).
fn intoto_results(
    outcome: &intoto::InTotoOutcome,
    inputs: &InTotoInputs,
    opts: &OpenOptions,
    keys: &LayoutKeys,
) -> Results {
    let mut results = Results::intoto_naming(outcome, keys.keyids.clone(), &keys.names);
    results.detail.anchor = Some(Anchor::intoto(inputs.layout.display().to_string(), keys.keyids.clone()));
    record::stamp(
        &mut results.document,
        &record::intoto_options(inputs, opts),
        record::layout_keys_anchor(inputs),
        outcome.input_files(keys.files.clone()),
    );
    results
}

/// Runs in-toto verification and derives the chain, naming the files
/// below `base` (the opened directory) relative to it.
pub fn verify_intoto(
    inputs: &InTotoInputs,
    opts: &OpenOptions,
    at: Option<OffsetDateTime>,
    base: &Path,
) -> Result<Results, String> {
    let (v, keys) = intoto_options(inputs, opts, now_or(at), false)?;
    let mut outcome = intoto::verify(&v).map_err(|e| e.to_string())?;
    super::shown::in_place(&mut outcome, base);
    Ok(intoto_results(&outcome, inputs, opts, &keys))
}

/// The in-toto chain as an engine plan with its detail units; files below
/// `base` (the opened directory) are named relative to it.
pub fn intoto_plan(
    inputs: &InTotoInputs,
    opts: &OpenOptions,
    at: OffsetDateTime,
    base: &Path,
) -> Result<Built, String> {
    let (v, keys) = intoto_options(inputs, opts, at, true)?;
    let p = plans::intoto::plan(&v, true).map_err(|e| e.to_string())?;
    let (verdict, inputs, opts, base) = (p.verdict.clone(), inputs.clone(), opts.clone(), base.to_path_buf());
    let results = move |engine: &EngineHandle| {
        let o = engine.outcome(verdict.id())?;
        Some(match o.output::<plans::intoto::InTotoVerdict>() {
            Some(Ok(outcome)) => {
                Ok(intoto_results(&super::shown::intoto_outcome(outcome, &base), &inputs, &opts, &keys))
            }
            Some(Err(e)) => Err(e.clone()),
            None => Err(o.detail.clone().unwrap_or_else(|| "verification did not run".into())),
        })
    };
    Ok(Built { plan: p.plan, evaluated_at: p.evaluated_at, results: Arc::new(results), early: None })
}

/// The TUF client's options, as `tuf verify` builds them from the same flags.
fn tuf_options(inputs: &TufInputs, opts: &OpenOptions, at: OffsetDateTime) -> TufOptions {
    TufOptions {
        root: inputs.root.clone(),
        metadata: inputs.metadata.clone(),
        targets: inputs.targets.clone(),
        state: inputs.state.clone(),
        save_state: opts.save_state,
        at,
        config: Config { strict: opts.strict, ..opts.tuf_config.clone() },
        target_paths: inputs.target.clone(),
        all_roles: opts.all_roles,
    }
}

/// `root` is the trusted root's content as the run read it.
fn tuf_results(
    outcome: &crate::tuf::session::Outcome,
    inputs: &TufInputs,
    opts: &OpenOptions,
    root: Option<&[u8]>,
) -> Results {
    let mut results = Results::tuf(outcome, opts.strict);
    released_roles_load_when_opened(&mut results, outcome, inputs, opts);
    let root_file = inputs.root.display().to_string();
    results.detail.anchor = Some(Anchor::tuf(root_file.clone(), outcome));
    record::stamp(
        &mut results.document,
        &record::tuf_options(inputs, opts, false),
        crate::tuf::report::trust_anchor(outcome, &root_file),
        crate::tuf::report::inputs(outcome, root.map(|bytes| (root_file.as_str(), bytes))),
    );
    results
}

/// A streaming audit let go of its leaf roles' targets: the Targets view
/// loads one when its rows are opened, reading and verifying it again from
/// the metadata directory against the trusted set (`tuf::RoleTargets::load`).
fn released_roles_load_when_opened(
    results: &mut Results,
    outcome: &crate::tuf::session::Outcome,
    inputs: &TufInputs,
    opts: &OpenOptions,
) {
    let Some(set) = outcome.trusted.as_ref().filter(|s| s.released_roles().next().is_some()) else { return };
    let Some(targets) = results.detail.targets.as_mut() else { return };
    if is_url(&inputs.metadata) {
        return;
    }
    let (set, source) = (set.clone(), DirSource::new(&inputs.metadata));
    let config = Config { strict: opts.strict, ..opts.tuf_config.clone() };
    Arc::make_mut(targets).set_loader(move |role| {
        crate::tuf::RoleTargets::load(&set, &source, role, &config)
            .map(|r| Arc::new(r.metadata().clone()))
            .map_err(|e| e.message)
    });
}

/// The TUF client workflow as an engine plan with a unit per role.
pub fn tuf_plan(inputs: &TufInputs, opts: &OpenOptions, at: OffsetDateTime) -> Result<Built, String> {
    let source = crate::engine::DiskSource::default();
    let p = plans::tuf::plan_with(&tuf_options(inputs, opts, at), true, &source, opts.tracked_files)
        .map_err(|e| e.to_string())?;
    let results_of = |unit: UnitRef<plans::tuf::TufVerdict>| -> Arc<ResultsFn> {
        let (inputs, opts) = (inputs.clone(), opts.clone());
        Arc::new(move |engine: &EngineHandle| {
            let o = engine.outcome(unit.id())?;
            // The trusted root as the engine read it: the bytes the run started from.
            let root = engine.file(&inputs.root);
            let root = root.as_ref().and_then(|f| f.bytes());
            Some(match o.output::<plans::tuf::TufVerdict>() {
                Some(outcome) => Ok(tuf_results(outcome, &inputs, &opts, root)),
                None => Err(o.detail.clone().unwrap_or_else(|| "verification did not run".into())),
            })
        })
    };
    // A large repository audited in parts: its refresh verdict goes on screen at once.
    let early = p.refresh.clone().map(|r| Early { unit: r.id().clone(), results: results_of(r) });
    let results = results_of(p.verdict.clone());
    Ok(Built { plan: p.plan, evaluated_at: p.evaluated_at, results, early })
}

/// Runs the TUF client workflow directly (refresh, the requested targets,
/// every role with `all_roles`), as the engine plan's verdict does.
pub fn verify_tuf(
    inputs: &TufInputs,
    opts: &OpenOptions,
    at: Option<OffsetDateTime>,
) -> Result<Results, String> {
    let (root_bytes, _) = read_root(&inputs.root)?;
    let at = now_or(at);
    let outcome = plans::tuf::run_session(&tuf_options(inputs, opts, at), root_bytes.clone(), at);
    // A trusted root that does not parse: nothing verified (exit 3 headless, as `tuf verify`).
    if let Some(e) = outcome.unparsed_trusted_root() {
        return Err(format!("trusted root {}: {}", inputs.root.display(), e.message));
    }
    Ok(tuf_results(&outcome, inputs, opts, Some(&root_bytes)))
}

/// A directory or URL source; `layout` forces a directory's source-layout
/// fallback (targets take the metadata directory's, as `bridge verify` does).
fn open_source(
    location: &str,
    layout: Option<bool>,
    net: source::NetLimits,
) -> Result<Box<dyn Source>, String> {
    if is_url(location) {
        return Ok(source::open_with(location, net));
    }
    if !Path::new(location).is_dir() {
        return Err(format!("{location}: not a directory"));
    }
    let dir = DirSource::new(location);
    Ok(Box::new(match layout {
        Some(on) => dir.with_source_layout(on),
        None => dir,
    }))
}

/// TUF distributes in-toto: the bridge verification of the first target,
/// with the options `bridge verify` takes.
pub fn verify_bridge(
    inputs: &TufInputs,
    opts: &OpenOptions,
    at: Option<OffsetDateTime>,
) -> Result<Results, String> {
    let Some(target) = inputs.target.first() else {
        return Err("a bridge repository needs --target PATH (the package to verify)".into());
    };
    let Some(targets_location) = &inputs.targets else {
        return Err("a bridge repository needs --targets DIR|URL".into());
    };
    let (root_bytes, root_file) = read_root(&inputs.root)?;
    let metadata = open_source(&inputs.metadata, None, opts.tuf_config.net)?;
    let layout = !is_url(&inputs.metadata) && DirSource::new(&inputs.metadata).source_layout();
    let targets = open_source(targets_location, Some(layout), opts.tuf_config.net)?;
    let mut req = crate::bridge::Request::new(
        root_bytes.clone(),
        root_file.clone(),
        metadata.as_ref(),
        targets.as_ref(),
        target,
        now_or(at),
    );
    req.run_inspections = opts.run_inspections;
    req.skip_inspections = opts.skip_inspections;
    if let Some(t) = opts.inspection_timeout {
        req.inspection_timeout = t;
    }
    req.strict = opts.strict;
    req.config = Config { strict: req.config.strict, ..opts.tuf_config.clone() };
    req.max_metadata_bytes = opts.max_metadata_bytes;
    req.max_artifacts_per_link = opts.max_artifacts_per_link;
    req.max_links = opts.max_links;
    req.signature_form = opts.signature_form;
    let mut outcome = crate::bridge::verify(&req);
    outcome.name_scratch_dirs();
    if let Some(e) = outcome.tuf.unparsed_trusted_root() {
        return Err(format!("trusted root {}: {}", inputs.root.display(), e.message));
    }
    let mut results = Results::bridge(&outcome);
    record::stamp(
        &mut results.document,
        &record::tuf_options(inputs, opts, true),
        crate::tuf::report::trust_anchor(&outcome.tuf, &root_file),
        outcome.input_files(&root_file, &root_bytes),
    );
    results.detail.anchor = Some(Anchor::bridge(root_file, &outcome));
    Ok(results)
}

fn read_root(path: &Path) -> Result<(Vec<u8>, String), String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read trusted root {}: {e}", path.display()))?;
    let name = path.display().to_string();
    let bytes = source::read_bounded(file, Config::default().root_max_length, &name)
        .map_err(|e| format!("trusted root: {e}"))?;
    Ok((bytes, name))
}
