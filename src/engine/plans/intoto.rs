//! The in-toto verification as an engine [`Plan`] (DESIGN §5).
//!
//! Units, per layout (in topological order):
//! - `parse:<file>` — the layout and every link file a functionary could
//!   have written (missing ones are `Skipped`), recursively into sublayout
//!   link directories;
//! - `layout:<file>` — the layout payload after parameter substitution
//!   (stage 3; fails when the payload is no layout or substitution fails);
//! - `layout-signature:<keyid>` per given layout key (stage 1);
//! - `expiry:<file>` — reads the `evaluated_at` parameter (stage 2);
//! - `link-signature:<file>` per link file of the layout's steps (stage 5);
//! - `threshold:<step>` per step (stage 5);
//! - `agreement:<step>` per step with a threshold above 1 (stage 8);
//! - `rules:<step>/expected_materials|expected_products` per step section,
//!   reading the links of the step and of every step its MATCH rules name
//!   (stage 9, over the reduced chain);
//! - `verdict` — the whole [`InTotoOutcome`], in the reference's order.
//!
//! Every detail unit decides by calling the function of
//! [`crate::intoto::stages`] the verdict calls for the same check, on the
//! same inputs, so a unit fails exactly when the verdict has an error for
//! its subject (tests/engine_units_agree.rs). Sublayouts are verified only
//! inside the verdict: a unit that would need a sublayout's summary link is
//! skipped. The detail units give each node of the chain its own state
//! (pending, running, pass, fail) and re-run only where a file changed; they
//! carry no findings (their `detail` says why they failed), so every finding
//! comes from the verdict exactly once. The verdict runs
//! [`intoto::verify_with`] over the parse units' documents (shared, not
//! parsed again; a file whose parse unit has no output is loaded from its
//! content as the engine read it), so it equals a direct verification of
//! the same files and never reads the disk itself: plans work over any
//! [`FileSource`] ([`plan_in`]). Without detail units the verdict parses the
//! file contents itself (on all cores, like [`intoto::verify`]).
//!
//! The plan's *structure* (which steps, keys, link files, MATCH targets) is
//! read from the layout when the plan is built: when the layout file
//! changes, rebuild the plan and `load()` it ([`InTotoPlan::is_structural`]);
//! cached units are reused. Options other than the evaluation time are
//! fixed per plan.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::OffsetDateTime;

use crate::intoto::engine::SectionResult;
use crate::intoto::metadata::{self, LoadError, Metadata};
use crate::intoto::model::{Layout, Link, Payload, Step};
use crate::intoto::rule::{ArtifactRule, ArtifactType};
use crate::intoto::stages::{self, Expiry, LinkCandidate, VerifierKey};
use crate::intoto::verify::MAX_SUBLAYOUT_DEPTH;
use crate::intoto::{self, InTotoOutcome, SignatureForm, VerifyOptions};
use crate::verdict::Verdict;

use super::super::{
    DiskSource, FileContent, FileRef, FileSource, Input, Inputs, Outcome, ParamRef, Plan, PlanBuilder,
    PlanError, Status, UnitId, UnitRef,
};

/// The verdict unit's output.
pub type InTotoVerdict = Result<InTotoOutcome, String>;

/// A built plan and the handles a caller needs.
pub struct InTotoPlan {
    pub plan: Plan,
    pub verdict: UnitRef<InTotoVerdict>,
    /// The evaluation time; set it with `EngineHandle::set_param` (fingerprint: RFC 3339).
    pub evaluated_at: ParamRef<OffsetDateTime>,
    pub layout: PathBuf,
}

impl InTotoPlan {
    /// A change of `path` changes the plan's structure: rebuild and load.
    pub fn is_structural(&self, path: &Path) -> bool {
        path == self.layout
    }
}

/// What the plan reads, found from the files of the source when it is built.
struct Scan {
    layout: Option<Layout>,
    /// Every link file with the layout that names it, root layout first.
    links: Vec<LinkCandidate>,
}

fn scan(opts: &VerifyOptions, source: &dyn FileSource) -> Scan {
    let read = |p: &Path| load_content(Some(&source.read(p)), &shown(p));
    // Substitution can change MATCH sources; its errors are the layout unit's.
    let layout =
        read(&opts.layout).ok().and_then(|m| stages::layout_of(&m, opts.params.as_ref())).map(|s| s.layout);
    let mut links = Vec::new();
    if let Some(l) = &layout {
        scan_links(l, &opts.link_dir, 0, &read, &mut links);
    }
    Scan { layout, links }
}

fn scan_links(
    layout: &Layout,
    link_dir: &Path,
    depth: usize,
    read: &dyn Fn(&Path) -> Result<Metadata, LoadError>,
    out: &mut Vec<LinkCandidate>,
) {
    for cand in stages::link_candidates(layout, link_dir) {
        let sub = match read(&cand.path) {
            Ok(Metadata { payload: Ok(Payload::Layout(sub)), .. }) if depth < MAX_SUBLAYOUT_DEPTH => {
                Some(sub)
            }
            _ => None,
        };
        if let Some(sub) = sub {
            let dir = stages::sublayout_link_dir(link_dir, &cand.step, &cand.keyid);
            scan_links(&sub, &dir, depth + 1, read, out);
        }
        if !out.iter().any(|c| c.path == cand.path) {
            out.push(cand);
        }
    }
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// What [`metadata::load`] gives for a file with this content (`None`: not
/// declared, so not there).
fn load_content(content: Option<&FileContent>, label: &str) -> Result<Metadata, LoadError> {
    match content {
        Some(FileContent::Bytes(bytes)) => metadata::from_bytes(bytes, label),
        Some(FileContent::Missing) | None => {
            Err(LoadError::Io(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")))
        }
        Some(FileContent::Unreadable(why)) if why == super::super::source::NOT_REGULAR => {
            Err(LoadError::Limit(format!("{label} is not a regular file; not read")))
        }
        Some(FileContent::Unreadable(why)) => Err(LoadError::Io(std::io::Error::other(why.clone()))),
        Some(FileContent::TooLarge { max, .. }) => Err(LoadError::Limit(format!(
            "{label}: file larger than the limit of {max} bytes (--max-metadata-bytes)"
        ))),
    }
}

/// A parsed file: `None` output when missing (skipped) or malformed (fail).
/// A link file also fails above `max_artifacts` (the verdict's link loading
/// refuses it the same way, so it counts for no threshold).
fn parse_unit(
    file: FileRef,
    label: String,
    max_artifacts: Option<usize>,
) -> impl Fn(&Inputs) -> Outcome<Arc<Metadata>> {
    move |inputs| {
        let Some(bytes) = inputs.bytes(&file) else { return Outcome::skipped(format!("{label} is missing")) };
        match metadata::from_bytes(bytes, &label) {
            Ok(m) => match max_artifacts.map(|max| intoto::links::artifact_limit(file.path(), &m, max)) {
                Some(Err(why)) => failed(why),
                _ => Outcome::pass(Arc::new(m)),
            },
            Err(LoadError::Malformed(msg) | LoadError::Limit(msg)) => failed(format!("{label}: {msg}")),
            Err(LoadError::Io(e)) => failed(format!("{label}: {e}")),
        }
    }
}

/// A failed detail unit: no findings (the verdict carries them), a reason.
fn failed<T>(why: String) -> Outcome<T> {
    let mut o = Outcome::skipped(why);
    o.status = Status::Fail;
    o
}

fn passed_if<T>(ok: bool, output: T, why: impl FnOnce() -> String) -> Outcome<T> {
    if ok {
        Outcome::pass(output)
    } else {
        let mut o = failed(why());
        o.output = Some(output);
        o
    }
}

/// One file the verdict reads: its content, and its parse unit if any.
type Parsed = (FileRef, Option<UnitRef<Arc<Metadata>>>);

/// Builds the plan for `opts`, reading the layout from disk for its
/// structure. With `detail` false the plan has only the verdict unit (the
/// headless path: nothing is parsed twice).
pub fn plan(opts: &VerifyOptions, detail: bool) -> Result<InTotoPlan, PlanError> {
    plan_in(opts, detail, &DiskSource { max_len: opts.max_metadata_bytes })
}

/// [`plan`] over any [`FileSource`] — give it the source the engine will
/// read from (an [`crate::engine::MemorySource`] for the embedded demo):
/// the layout and sublayouts are read through it for the plan's structure.
pub fn plan_in(opts: &VerifyOptions, detail: bool, source: &dyn FileSource) -> Result<InTotoPlan, PlanError> {
    let scan = scan(opts, source);
    let mut b = Plan::builder();
    let at_text = crate::meta::time::format(opts.at);
    let evaluated_at = b.param("evaluated_at", opts.at, at_text.as_bytes());
    let layout_file = b.file(&opts.layout);
    let link_files: Vec<FileRef> = scan.links.iter().map(|c| b.file(&c.path)).collect();

    let mut verdict_inputs: Vec<Input> = vec![evaluated_at.input(), layout_file.input()];
    verdict_inputs.extend(link_files.iter().map(FileRef::input));
    let mut parsed: HashMap<PathBuf, Parsed> = HashMap::with_capacity(link_files.len() + 1);
    if detail {
        let label = shown(&opts.layout);
        let parse_layout = b.unit(
            UnitId::new("parse", label.clone()),
            &[layout_file.input()],
            parse_unit(layout_file.clone(), label, None),
        );
        let parse_links: Vec<UnitRef<Arc<Metadata>>> = scan
            .links
            .iter()
            .zip(&link_files)
            .map(|(cand, file)| {
                let path = shown(&cand.path);
                let parse = parse_unit(file.clone(), path.clone(), Some(opts.max_artifacts_per_link));
                b.unit(UnitId::new("parse", path), &[file.input()], parse)
            })
            .collect();
        if let Some(layout) = &scan.layout {
            let by_path: HashMap<&Path, &UnitRef<Arc<Metadata>>> =
                scan.links.iter().map(|c| c.path.as_path()).zip(&parse_links).collect();
            detail_units(&mut b, opts, layout, &parse_layout, &by_path, &evaluated_at);
        }
        verdict_inputs.push(parse_layout.input());
        verdict_inputs.extend(parse_links.iter().map(UnitRef::input));
        parsed.insert(opts.layout.clone(), (layout_file.clone(), Some(parse_layout)));
        for ((cand, file), unit) in scan.links.iter().zip(&link_files).zip(parse_links) {
            parsed.insert(cand.path.clone(), (file.clone(), Some(unit)));
        }
    } else {
        parsed.insert(opts.layout.clone(), (layout_file.clone(), None));
        for (cand, file) in scan.links.iter().zip(&link_files) {
            parsed.insert(cand.path.clone(), (file.clone(), None));
        }
    }
    let o = opts.clone();
    let at = evaluated_at.clone();
    let verdict = b.unit(UnitId::new("verdict", shown(&opts.layout)), &verdict_inputs, move |inputs| {
        let mut opts = o.clone();
        if let Some(t) = inputs.param(&at) {
            opts.at = *t;
        }
        verdict_outcome(intoto::verify_with(&opts, &EngineLoader { parsed: &parsed, inputs }))
    });
    Ok(InTotoPlan { plan: b.build()?, verdict, evaluated_at, layout: opts.layout.clone() })
}

/// The verdict's loader: the parse units' documents (shared, not copied),
/// else the file's content as the engine read it; never the disk. Its
/// read records fingerprint the same content.
struct EngineLoader<'a> {
    parsed: &'a HashMap<PathBuf, Parsed>,
    inputs: &'a Inputs,
}

impl intoto::Loader for EngineLoader<'_> {
    fn load(&self, path: &Path) -> Result<Metadata, LoadError> {
        let Some((file, unit)) = self.parsed.get(path) else { return load_content(None, &shown(path)) };
        if let Some(meta) = unit.as_ref().and_then(|u| self.inputs.get(u)) {
            return Ok((**meta).clone());
        }
        load_content(self.inputs.file(file).map(|f| &f.content), &shown(path))
    }

    fn read_record(&self, path: &Path) -> Option<intoto::FileRead> {
        let (file, _) = self.parsed.get(path)?;
        match &self.inputs.file(file)?.content {
            FileContent::Bytes(bytes) => Some(intoto::FileRead::of_bytes(bytes)),
            FileContent::TooLarge { len, .. } => Some(intoto::FileRead { size: *len, sha256: None }),
            FileContent::Missing | FileContent::Unreadable(_) => None,
        }
    }
}

/// The plan of a one-shot headless run (`trailscope verify`): nothing is
/// cached between runs, so the link files are not read and fingerprinted up
/// front and held for the whole run; the verdict verifies from disk, reading
/// each link once (on all cores) and releasing its bytes when parsed.
pub fn plan_one_shot(opts: &VerifyOptions) -> Result<InTotoPlan, PlanError> {
    let mut b = Plan::builder();
    let at_text = crate::meta::time::format(opts.at);
    let evaluated_at = b.param("evaluated_at", opts.at, at_text.as_bytes());
    let (o, at) = (opts.clone(), evaluated_at.clone());
    let verdict =
        b.unit(UnitId::new("verdict", shown(&opts.layout)), &[evaluated_at.input()], move |inputs| {
            let mut opts = o.clone();
            if let Some(t) = inputs.param(&at) {
                opts.at = *t;
            }
            verdict_outcome(intoto::verify(&opts))
        });
    Ok(InTotoPlan { plan: b.build()?, verdict, evaluated_at, layout: opts.layout.clone() })
}

/// The verdict unit's outcome: the verification's findings, pass or fail by
/// its verdict; a verification that could not run is a failed unit.
fn verdict_outcome(result: Result<InTotoOutcome, intoto::Error>) -> Outcome<InTotoVerdict> {
    match result {
        Ok(outcome) => {
            let status = if outcome.verdict == Verdict::Pass { Status::Pass } else { Status::Fail };
            let findings = outcome.findings.clone();
            let mut out = Outcome::from_findings(Some(Ok(outcome)), findings);
            out.status = status;
            out
        }
        Err(e) => {
            let mut out = failed(e.to_string());
            out.output = Some(Err(e.to_string()));
            out
        }
    }
}

/// A step's link files as units: the key id naming the file, its parse
/// unit, and its signature unit (output: the key id that validly signed it).
type LinkUnits = Vec<LinkUnitsItem>;
type LinkUnitsItem = (String, UnitRef<Arc<Metadata>>, UnitRef<Option<String>>);

/// The layout's own checks, its steps' links, thresholds and rules.
fn detail_units(
    b: &mut PlanBuilder,
    opts: &VerifyOptions,
    layout: &Layout,
    parse_layout: &UnitRef<Arc<Metadata>>,
    parse_links: &HashMap<&Path, &UnitRef<Arc<Metadata>>>,
    evaluated_at: &ParamRef<OffsetDateTime>,
) {
    let label = shown(&opts.layout);
    let payload = layout_unit(b, &label, parse_layout, opts.params.clone());
    let mut keyids = BTreeSet::new();
    for key in opts.layout_keys.iter().map(VerifierKey::given) {
        if keyids.insert(key.keyid.clone()) {
            layout_signature_unit(b, parse_layout, key, opts.signature_form);
        }
    }
    expiry_unit(b, &label, &payload, evaluated_at);
    // One set of units per step name (python keys its chain by name).
    let mut steps: Vec<&Step> = Vec::new();
    let mut per_step: BTreeMap<&str, LinkUnits> = BTreeMap::new();
    for step in &layout.steps {
        if per_step.contains_key(step.name.as_str()) {
            continue;
        }
        let mut units = LinkUnits::new();
        for cand in stages::step_link_candidates(layout, step, &opts.link_dir) {
            let Some(&parse) = parse_links.get(cand.path.as_path()) else { continue };
            let sig = link_signature_unit(b, &payload, parse, &cand, opts.signature_form);
            units.push((cand.keyid, parse.clone(), sig));
        }
        per_step.insert(step.name.as_str(), units);
        steps.push(step);
    }
    for step in steps {
        let units = per_step.get(step.name.as_str()).map(Vec::as_slice).unwrap_or_default();
        threshold_unit(b, &payload, step, units);
        if step.threshold > 1 {
            agreement_unit(b, &payload, step, units);
        }
        for side in [ArtifactType::Materials, ArtifactType::Products] {
            rules_unit(b, &payload, step, side, layout, &per_step);
        }
    }
}

/// Stage 3: the layout payload after parameter substitution. Fails when the
/// payload is no layout (no output) or when substitution fails (the output
/// is the layout as far as it could be substituted, which the verdict's
/// later stages use too).
fn layout_unit(
    b: &mut PlanBuilder,
    label: &str,
    parse_layout: &UnitRef<Arc<Metadata>>,
    params: Option<BTreeMap<String, String>>,
) -> UnitRef<Arc<Layout>> {
    let p = parse_layout.clone();
    b.unit(UnitId::new("layout", label), &[parse_layout.input()], move |inputs| {
        let Some(meta) = inputs.get(&p) else { return Outcome::skipped("the layout did not parse") };
        let Some(sub) = stages::layout_of(meta, params.as_ref()) else {
            return failed(match &meta.payload {
                Err(e) => format!("the layout payload is not valid in-toto metadata: {}", e.message),
                Ok(_) => "expected a layout, found link metadata".to_owned(),
            });
        };
        let why = sub.errors.first().map(ToString::to_string);
        passed_if(why.is_none(), Arc::new(sub.layout), || why.unwrap_or_default())
    })
}

/// Stage 1 for one given key.
fn layout_signature_unit(
    b: &mut PlanBuilder,
    parse_layout: &UnitRef<Arc<Metadata>>,
    key: VerifierKey,
    form: SignatureForm,
) {
    let p = parse_layout.clone();
    b.unit(UnitId::new("layout-signature", key.keyid.clone()), &[parse_layout.input()], move |inputs| {
        let Some(meta) = inputs.get(&p) else { return Outcome::skipped("the layout did not parse") };
        let sig = stages::layout_signature(meta, &key, form);
        let ok = sig.is_valid();
        passed_if(ok, ok, || sig.error(&key.keyid).unwrap_or_default()).with_fingerprint(&[u8::from(ok)])
    });
}

/// Stage 2.
fn expiry_unit(
    b: &mut PlanBuilder,
    label: &str,
    payload: &UnitRef<Arc<Layout>>,
    evaluated_at: &ParamRef<OffsetDateTime>,
) {
    let (l, at) = (payload.clone(), evaluated_at.clone());
    b.unit(UnitId::new("expiry", label), &[payload.input(), evaluated_at.input()], move |inputs| {
        let (Some(layout), Some(at)) = (inputs.get(&l), inputs.param(&at)) else {
            return Outcome::skipped("the layout did not parse");
        };
        match stages::expiry(layout, *at) {
            Expiry::Expired { expires } => passed_if(false, false, || format!("Layout expired at {expires}")),
            Expiry::Valid | Expiry::NoExpiry => Outcome::pass(true),
        }
    });
}

/// Stage 5 for one link file (and stage 6's reading of its payload). Its
/// output, the key id that validly signed it, is also its fingerprint:
/// re-signing a link with the same key changes nothing for the threshold.
fn link_signature_unit(
    b: &mut PlanBuilder,
    payload: &UnitRef<Arc<Layout>>,
    parse: &UnitRef<Arc<Metadata>>,
    cand: &LinkCandidate,
    form: SignatureForm,
) -> UnitRef<Option<String>> {
    let (l, p, step, keyid) = (payload.clone(), parse.clone(), cand.step.clone(), cand.keyid.clone());
    let id = UnitId::new("link-signature", shown(&cand.path));
    b.unit(id, &[payload.input(), parse.input()], move |inputs| {
        let Some(meta) = inputs.get(&p) else { return Outcome::skipped("the link did not load") };
        let Some(layout) = inputs.get(&l) else { return Outcome::skipped("the layout did not parse") };
        let Some(s) = layout.steps.iter().find(|s| s.name == step) else {
            return Outcome::skipped("the step is no longer in the layout");
        };
        let sig = stages::link_signature(layout, s, &keyid, meta, form);
        let signer = sig.valid_key().map(|k| k.keyid.clone());
        let fingerprint = signer.clone().unwrap_or_default();
        let why = match (&signer, &meta.payload) {
            (None, _) => sig.reason(),
            // Validly signed, so it counts for the threshold (stage 5), but
            // stage 6 cannot read it: the verdict reports it, no rule uses it.
            (Some(_), Err(e)) => Some(format!("the payload is not valid in-toto metadata: {}", e.message)),
            (Some(_), Ok(_)) => None,
        };
        passed_if(why.is_none(), signer, || why.unwrap_or_default()).with_fingerprint(fingerprint.as_bytes())
    })
}

/// Stage 5 for one step: distinct validly signing keys against the threshold.
fn threshold_unit(b: &mut PlanBuilder, payload: &UnitRef<Arc<Layout>>, step: &Step, units: &[LinkUnitsItem]) {
    let mut inputs = vec![payload.input()];
    inputs.extend(units.iter().map(|(_, _, s)| s.input()));
    let sigs: Vec<UnitRef<Option<String>>> = units.iter().map(|(_, _, s)| s.clone()).collect();
    let (l, name) = (payload.clone(), step.name.clone());
    b.unit(UnitId::new("threshold", name.clone()), &inputs, move |inputs| {
        let Some(layout) = inputs.get(&l) else { return Outcome::skipped("the layout did not parse") };
        let Some(step) = layout.steps.iter().find(|s| s.name == name) else {
            return Outcome::skipped("the step is no longer in the layout");
        };
        let signers = sigs.iter().filter_map(|s| inputs.get(s).and_then(Option::as_deref));
        let threshold = stages::link_threshold(step, signers);
        let n = threshold.distinct.len();
        passed_if(threshold.met(), n, || {
            format!(
                "Step '{name}' requires at least '{}' links validly signed by different authorized functionaries. Only found '{n}'",
                step.threshold
            )
        })
    });
}

/// What a link file gives the chain after stages 5–6.
enum Verified<'a> {
    Link(&'a Link),
    /// A validly signed sublayout: its summary link comes out of its own
    /// verification, inside the verdict.
    Sublayout,
}

fn verified<'a>(
    inputs: &'a Inputs,
    parse: &UnitRef<Arc<Metadata>>,
    sig: &UnitRef<Option<String>>,
) -> Option<Verified<'a>> {
    inputs.get(sig)?.as_ref()?;
    match &inputs.get(parse)?.payload {
        Ok(Payload::Link(l)) => Some(Verified::Link(l)),
        Ok(Payload::Layout(_)) => Some(Verified::Sublayout),
        Err(_) => None,
    }
}

/// Stage 8 for one step with a threshold above 1: its verified links agree.
fn agreement_unit(b: &mut PlanBuilder, payload: &UnitRef<Arc<Layout>>, step: &Step, units: &[LinkUnitsItem]) {
    let mut inputs = vec![payload.input()];
    inputs.extend(units.iter().flat_map(|(_, p, s)| [p.input(), s.input()]));
    let (l, links, name) = (payload.clone(), units.to_vec(), step.name.clone());
    b.unit(UnitId::new("agreement", name.clone()), &inputs, move |inputs| {
        let Some(layout) = inputs.get(&l) else { return Outcome::skipped("the layout did not parse") };
        let Some(step) = layout.steps.iter().find(|s| s.name == name) else {
            return Outcome::skipped("the step is no longer in the layout");
        };
        let mut verified_links: Vec<(&str, &Link)> = Vec::new();
        for (keyid, p, sig) in &links {
            match verified(inputs, p, sig) {
                Some(Verified::Link(link)) => verified_links.push((keyid, link)),
                Some(Verified::Sublayout) => {
                    return Outcome::skipped(format!(
                        "a link of step '{name}' is a sublayout; checked in the verdict"
                    ));
                }
                None => {}
            }
        }
        match stages::threshold_constraints(step, &verified_links) {
            Ok(()) => Outcome::pass(()),
            Err(d) => failed(format!(
                "Links '{}' and '{}' have different artifacts!",
                stages::link_file_name(&name, &d.first),
                stages::link_file_name(&name, &d.other)
            )),
        }
    });
}

/// The steps whose links a step's rules read: itself and every MATCH `FROM`.
fn rule_sources<'a>(layout: &'a Layout, step: &'a Step, side: ArtifactType) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::from([step.name.as_str()]);
    for r in stages::rules_of(step, side) {
        if let Ok(ArtifactRule::Match(m)) = ArtifactRule::parse(r)
            && let Some(dest) = layout.steps.iter().find(|d| d.name == m.dest_name)
        {
            out.insert(dest.name.as_str());
        }
    }
    out
}

/// Stage 9 for one section of a step, over the reduced chain of the steps
/// it reads.
fn rules_unit(
    b: &mut PlanBuilder,
    payload: &UnitRef<Arc<Layout>>,
    step: &Step,
    side: ArtifactType,
    layout: &Layout,
    per_step: &BTreeMap<&str, LinkUnits>,
) {
    let sources: BTreeMap<String, LinkUnits> = rule_sources(layout, step, side)
        .into_iter()
        .map(|s| (s.to_owned(), per_step.get(s).cloned().unwrap_or_default()))
        .collect();
    let mut inputs = vec![payload.input()];
    for units in sources.values() {
        inputs.extend(units.iter().flat_map(|(_, p, s)| [p.input(), s.input()]));
    }
    let section = match side {
        ArtifactType::Materials => "expected_materials",
        ArtifactType::Products => "expected_products",
    };
    let (l, name) = (payload.clone(), step.name.clone());
    b.unit(UnitId::new("rules", format!("{name}/{section}")), &inputs, move |inputs| {
        let Some(layout) = inputs.get(&l) else { return Outcome::skipped("the layout did not parse") };
        let Some(s) = layout.steps.iter().find(|s| s.name == name) else {
            return Outcome::skipped("the step is no longer in the layout");
        };
        let chain =
            stages::reduce_chain_links(sources.iter().map(|(step, units)| {
                (step.as_str(), units.iter().map(|(_, p, sig)| verified(inputs, p, sig)))
            }));
        let mut reduced: BTreeMap<String, Link> = BTreeMap::new();
        for (step, v) in chain {
            match v {
                Verified::Link(link) => {
                    reduced.insert(step.to_owned(), link.clone());
                }
                Verified::Sublayout => {
                    return Outcome::skipped(format!("step '{step}' is a sublayout; checked in the verdict"));
                }
            }
        }
        let Some(link) = reduced.get(&name) else { return Outcome::skipped("no verified link for the step") };
        let result: SectionResult = stages::rule_section(s, side, link, &reduced);
        let why = result.first_failure().map(|r| format!("rule {} failed: {:?}", r.text(), r.outcome));
        passed_if(why.is_none(), result, || why.unwrap_or_default())
    });
}
