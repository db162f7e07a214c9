//! The in-toto verification as an engine [`Plan`] (DESIGN §5).
//!
//! Units, per layout (in topological order):
//! - `parse:<file>` — the layout and every link file a functionary could
//!   have written (missing ones are `Skipped`), recursively into sublayout
//!   link directories;
//! - `layout-signature:<keyid>` per given layout key;
//! - `expiry` — reads the `evaluated_at` parameter;
//! - `link-signature:<file>` per link file;
//! - `threshold:<step>` per step;
//! - `rules:<step>/expected_materials|expected_products` per step section,
//!   reading the links of the step and of every step its MATCH rules name;
//! - `verdict` — the whole [`InTotoOutcome`], in the reference's order.
//!
//! The detail units give each node of the chain its own state (pending,
//! running, pass, fail) and re-run only where a file changed; they carry no
//! findings (their `detail` says why they failed), so every finding comes
//! from the verdict exactly once. The verdict runs [`intoto::verify_with`]
//! over the parse units' documents (shared, not parsed again; a file whose
//! parse unit has no output is loaded from its content as the engine read
//! it), so it equals a direct verification of the same files and never
//! reads the disk itself: plans work over any [`FileSource`] ([`plan_in`]).
//! Without detail units the verdict parses the file contents itself (on all
//! cores, like [`intoto::verify`]).
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

use crate::graph::LinkState;
use crate::graph::intoto::{LinkCandidate, layout_of, link_candidates, link_signature};
use crate::intoto::engine::{SectionResult, verify_item_rules};
use crate::intoto::metadata::{self, LoadError, Metadata, SigCheck};
use crate::intoto::model::{Layout, Link, Payload};
use crate::intoto::rule::{ArtifactRule, ArtifactType};
use crate::intoto::{self, InTotoOutcome, VerifyOptions};
use crate::verdict::Verdict;

use super::super::{
    DiskSource, FileContent, FileRef, FileSource, Input, Inputs, Outcome, ParamRef, Plan, PlanError, Status,
    UnitId, UnitRef,
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

/// Deepest sublayout nesting whose link files are declared.
const MAX_DEPTH: usize = 8;

/// What the plan reads, found from the files of the source when it is built.
struct Scan {
    layout: Option<Layout>,
    /// Every link file with the layout that names it, root layout first.
    links: Vec<LinkCandidate>,
}

fn scan(opts: &VerifyOptions, source: &dyn FileSource) -> Scan {
    let read = |p: &Path| load_content(Some(&source.read(p)), &shown(p));
    let layout = read(&opts.layout).ok().and_then(|m| layout_of(&m, opts.params.as_ref()));
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
    for cand in link_candidates(layout, link_dir) {
        let sub = match read(&cand.path) {
            Ok(Metadata { payload: Ok(Payload::Layout(sub)), .. }) if depth < MAX_DEPTH => Some(sub),
            _ => None,
        };
        if let Some(sub) = sub {
            let prefix: String = cand.keyid.chars().take(8).collect();
            scan_links(&sub, &link_dir.join(format!("{}.{prefix}", cand.step)), depth + 1, read, out);
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
fn parse_unit(file: FileRef, label: String) -> impl Fn(&Inputs) -> Outcome<Arc<Metadata>> {
    move |inputs| {
        let Some(bytes) = inputs.bytes(&file) else { return Outcome::skipped(format!("{label} is missing")) };
        match metadata::from_bytes(bytes, &label) {
            Ok(m) => Outcome::pass(Arc::new(m)),
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
            parse_unit(layout_file.clone(), label),
        );
        let parse_links: Vec<UnitRef<Arc<Metadata>>> = scan
            .links
            .iter()
            .zip(&link_files)
            .map(|(cand, file)| {
                let path = shown(&cand.path);
                b.unit(UnitId::new("parse", path.clone()), &[file.input()], parse_unit(file.clone(), path))
            })
            .collect();
        if let Some(layout) = &scan.layout {
            detail_units(&mut b, opts, layout, &parse_layout, &scan.links, &parse_links, &evaluated_at);
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
        // The parse units' documents (shared, not copied), else the file's
        // content as the engine read it; never the disk.
        let loader = |path: &Path| -> Result<Metadata, LoadError> {
            let Some((file, unit)) = parsed.get(path) else { return load_content(None, &shown(path)) };
            if let Some(meta) = unit.as_ref().and_then(|u| inputs.get(u)) {
                return Ok((**meta).clone());
            }
            load_content(inputs.file(file).map(|f| &f.content), &shown(path))
        };
        verdict_outcome(intoto::verify_with(&opts, &loader))
    });
    Ok(InTotoPlan { plan: b.build()?, verdict, evaluated_at, layout: opts.layout.clone() })
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

/// The layout's own checks, links, thresholds and step rules.
fn detail_units(
    b: &mut super::super::PlanBuilder,
    opts: &VerifyOptions,
    layout: &Layout,
    parse_layout: &UnitRef<Arc<Metadata>>,
    links: &[LinkCandidate],
    parse_links: &[UnitRef<Arc<Metadata>>],
    evaluated_at: &ParamRef<OffsetDateTime>,
) {
    let label = shown(&opts.layout);
    let params = opts.params.clone();
    for key in &opts.layout_keys {
        let keyid = key.declared_keyid().map(str::to_owned).unwrap_or_else(|| key.keyid());
        let (p, key, id) = (parse_layout.clone(), key.clone(), keyid.clone());
        b.unit(UnitId::new("layout-signature", keyid), &[parse_layout.input()], move |inputs| {
            let Some(meta) = inputs.get(&p) else { return Outcome::skipped("the layout did not parse") };
            let check = meta.verify(&id, &[], &key);
            let ok = check.is_valid();
            passed_if(ok, ok, || match check {
                SigCheck::NoSignature => format!("No signature found for key '{id}'"),
                SigCheck::Invalid(why) => format!("Invalid signature for keyid '{id}' ({why})"),
                SigCheck::Valid { .. } => String::new(),
            })
            .with_fingerprint(&[u8::from(ok)])
        });
    }
    let (p, at) = (parse_layout.clone(), evaluated_at.clone());
    b.unit(UnitId::new("expiry", label), &[parse_layout.input(), evaluated_at.input()], move |inputs| {
        let (Some(meta), Some(at)) = (inputs.get(&p), inputs.param(&at)) else {
            return Outcome::skipped("the layout did not parse");
        };
        let Some(layout) = layout_of(meta, None) else { return Outcome::skipped("not a layout") };
        let Some(expires) = layout.expires else { return Outcome::pass(true) };
        let expired = crate::meta::time::parse(&expires).is_ok_and(|t| t.at <= *at);
        passed_if(!expired, !expired, || format!("Layout expired at {expires}"))
    });
    // Per link file: parse and signature.
    let mut per_step: BTreeMap<&str, LinkUnits> = BTreeMap::new();
    for (cand, parse) in links.iter().zip(parse_links) {
        // Links of sublayouts are verified by the sublayout, inside the verdict.
        if !layout.steps.iter().any(|s| s.name == cand.step) || !is_top_level(cand, &opts.link_dir) {
            continue;
        }
        let path = shown(&cand.path);
        let parse = parse.clone();
        let (pl, pk, keyid) = (parse_layout.clone(), parse.clone(), cand.keyid.clone());
        let sig = b.unit(
            UnitId::new("link-signature", path),
            &[parse_layout.input(), parse.input()],
            move |inputs| {
                let Some(link) = inputs.get(&pk) else { return Outcome::skipped("the link did not load") };
                let Some(layout) = inputs.get(&pl).and_then(|m| layout_of(m, None)) else {
                    return Outcome::skipped("the layout did not parse");
                };
                let state = link_signature(&layout, &keyid, link);
                let ok = state == LinkState::Signed;
                passed_if(ok, ok, || match state {
                    LinkState::BadSignature(w) | LinkState::Malformed(w) => w,
                    other => other.word().to_owned(),
                })
                .with_fingerprint(&[u8::from(ok)])
            },
        );
        per_step.entry(cand.step.as_str()).or_default().push((parse, sig));
    }
    for step in &layout.steps {
        let units = per_step.get(step.name.as_str()).cloned().unwrap_or_default();
        threshold_unit(b, parse_layout, &step.name, &units);
        for side in [ArtifactType::Materials, ArtifactType::Products] {
            rules_unit(b, parse_layout, params.clone(), &step.name, side, layout, &per_step);
        }
    }
}

fn is_top_level(cand: &LinkCandidate, link_dir: &Path) -> bool {
    cand.path.parent() == Some(link_dir) || (link_dir == Path::new("") && cand.path.parent().is_none())
}

fn threshold_unit(
    b: &mut super::super::PlanBuilder,
    parse_layout: &UnitRef<Arc<Metadata>>,
    step: &str,
    units: &[(UnitRef<Arc<Metadata>>, UnitRef<bool>)],
) {
    let mut inputs = vec![parse_layout.input()];
    inputs.extend(units.iter().map(|(_, s)| s.input()));
    let (pl, sigs, name) = (parse_layout.clone(), units.to_vec(), step.to_owned());
    b.unit(UnitId::new("threshold", step.to_owned()), &inputs, move |inputs| {
        let Some(layout) = inputs.get(&pl).and_then(|m| layout_of(m, None)) else {
            return Outcome::skipped("the layout did not parse");
        };
        let Some(threshold) = layout.steps.iter().find(|s| s.name == name).map(|s| s.threshold) else {
            return Outcome::skipped("the step is no longer in the layout");
        };
        let valid = sigs.iter().filter(|(_, s)| inputs.get(s) == Some(&true)).count();
        let ok = i64::try_from(valid).unwrap_or(i64::MAX) >= threshold;
        passed_if(ok, valid, || {
            format!(
                "Step '{name}' requires at least '{threshold}' links validly signed; only found '{valid}'"
            )
        })
    });
}

/// The steps whose links a step's rules read: itself and every MATCH `FROM`.
fn rule_sources<'a>(layout: &'a Layout, step: &'a str, side: ArtifactType) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::from([step]);
    if let Some(s) = layout.steps.iter().find(|s| s.name == step) {
        let rules = match side {
            ArtifactType::Materials => &s.expected_materials,
            ArtifactType::Products => &s.expected_products,
        };
        for r in rules {
            if let Ok(ArtifactRule::Match(m)) = ArtifactRule::parse(r)
                && let Some(dest) = layout.steps.iter().find(|d| d.name == m.dest_name)
            {
                out.insert(dest.name.as_str());
            }
        }
    }
    out
}

type LinkUnits = Vec<(UnitRef<Arc<Metadata>>, UnitRef<bool>)>;

fn rules_unit(
    b: &mut super::super::PlanBuilder,
    parse_layout: &UnitRef<Arc<Metadata>>,
    params: Option<BTreeMap<String, String>>,
    step: &str,
    side: ArtifactType,
    layout: &Layout,
    per_step: &BTreeMap<&str, LinkUnits>,
) {
    let sources: BTreeMap<String, LinkUnits> = rule_sources(layout, step, side)
        .into_iter()
        .map(|s| (s.to_owned(), per_step.get(s).cloned().unwrap_or_default()))
        .collect();
    let mut inputs = vec![parse_layout.input()];
    for units in sources.values() {
        inputs.extend(units.iter().flat_map(|(p, s)| [p.input(), s.input()]));
    }
    let section = match side {
        ArtifactType::Materials => "expected_materials",
        ArtifactType::Products => "expected_products",
    };
    let (pl, name) = (parse_layout.clone(), step.to_owned());
    b.unit(UnitId::new("rules", format!("{step}/{section}")), &inputs, move |inputs| {
        let Some(layout) = inputs.get(&pl).and_then(|m| layout_of(m, params.as_ref())) else {
            return Outcome::skipped("the layout did not parse");
        };
        let Some(s) = layout.steps.iter().find(|s| s.name == name) else {
            return Outcome::skipped("the step is no longer in the layout");
        };
        // python's reduced chain: the first validly signed link of each step.
        let mut reduced: BTreeMap<String, Link> = BTreeMap::new();
        for (step, units) in &sources {
            let first = units.iter().find(|(_, sig)| inputs.get(sig) == Some(&true));
            match first.and_then(|(p, _)| inputs.get(p)).map(|m| &m.payload) {
                Some(Ok(Payload::Link(l))) => {
                    reduced.insert(step.clone(), l.clone());
                }
                // A sublayout's summary link comes out of its verification.
                Some(Ok(Payload::Layout(_))) => {
                    return Outcome::skipped(format!("step '{step}' is a sublayout; checked in the verdict"));
                }
                _ => {}
            }
        }
        let Some(link) = reduced.get(&name) else { return Outcome::skipped("no verified link for the step") };
        let rules = match side {
            ArtifactType::Materials => &s.expected_materials,
            ArtifactType::Products => &s.expected_products,
        };
        let result: SectionResult = verify_item_rules(side, rules, link, &reduced);
        let why = result.first_failure().map(|r| format!("rule {} failed: {:?}", r.text(), r.outcome));
        passed_if(why.is_none(), result, || why.unwrap_or_default())
    });
}
