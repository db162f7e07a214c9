//! The engine's in-toto detail units and the verdict cannot disagree: both
//! call the same `intoto::stages` functions. Over every scenario of the
//! in-toto corpus, with JSON and with PEM layout keys, the full plan (with
//! detail units) gives the verdict of a direct `intoto::verify`, and each
//! detail unit's status is what the verdict says about the same subject:
//! - `layout:<layout>` fails ⇔ the payload is no layout or parameter
//!   substitution failed (a `metadata-invalid` finding, python's KeyError);
//! - `layout-signature:<keyid>` fails ⇔ a `layout-signature` error for that key;
//! - `expiry:<layout>` fails ⇔ a `layout-expired` error on the layout;
//! - `link-signature:<file>` passes ⇔ the verdict verified the link (its
//!   trace), and is skipped ⇔ the verdict could not load it;
//! - `threshold:<step>` fails ⇔ a `link-threshold` error on the step;
//! - `agreement:<step>` fails ⇔ a `link-disagreement` error on the step;
//! - `rules:<step>/<section>` fails ⇔ an error on a rule of that section,
//!   its result equals the verdict's trace of the section, and it is
//!   skipped ⇔ the verdict did not evaluate the section.

mod common;
mod corpus_support;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Key, World, dsse, metablock_as};
use corpus_support::{copy_tree, intoto_options, scenarios};
use serde_json::{Value, json};
use trailscope::engine::plans::intoto as intoto_plan;
use trailscope::engine::{DiskSource, EngineConfig, Results, Status, UnitId, run_to_completion};
use trailscope::intoto::engine::SectionResult;
use trailscope::intoto::rule::ArtifactRule;
use trailscope::intoto::{self, InTotoOutcome, LayoutTrace, LinkStatus, VerifyOptions};
use trailscope::verdict::{Evidence, Finding, Severity, Subject};

fn config() -> EngineConfig {
    EngineConfig { workers: 2, ..EngineConfig::default() }
}

/// Failed units per kind, over all runs: every kind must fail somewhere,
/// or the agreement was never tested where it matters.
type Failures = BTreeMap<&'static str, usize>;

fn errors(o: &InTotoOutcome) -> impl Iterator<Item = &Finding> {
    o.findings.iter().filter(|f| f.severity == Severity::Error)
}

fn step_error(o: &InTotoOutcome, category: &str, step: &str) -> bool {
    errors(o).any(|f| f.category == category && f.subject == Subject::Step { name: step.to_owned() })
}

/// Step names of every sublayout below `layout`.
fn sublayout_steps(layout: &LayoutTrace, out: &mut Vec<String>) {
    for sub in layout.steps.iter().flat_map(|s| s.sublayouts.iter()) {
        out.extend(sub.steps.iter().map(|s| s.name.clone()));
        sublayout_steps(sub, out);
    }
}

/// What the verdict says about the subject of one unit: `Some(true)` for
/// an error (the unit must fail), `Some(false)` for none (it must pass),
/// `None` when the verdict did not check it (the unit must be skipped).
fn verdict_on(
    unit: &UnitId,
    o: &InTotoOutcome,
    layout_path: &str,
    results: &Results,
) -> Result<Option<bool>, String> {
    let root = &o.layout;
    let layout_subject = Subject::Layout { path: layout_path.to_owned() };
    Ok(match unit.kind() {
        "layout" => {
            let parsed = results.outcome(&UnitId::new("parse", layout_path.to_owned())).map(|p| p.status);
            if parsed != Some(Status::Pass) {
                None
            } else {
                Some(errors(o).any(|f| {
                    f.category == "metadata-invalid"
                        && (f.subject == layout_subject || f.message.starts_with("parameter substitution failed"))
                }))
            }
        }
        "layout-signature" => Some(errors(o).any(|f| {
            f.category == "layout-signature"
                && f.subject == layout_subject
                && matches!(&f.evidence, Evidence::Signatures { checks } if checks.iter().any(|c| c.keyid == unit.key()))
        })),
        "expiry" => Some(errors(o).any(|f| f.category == "layout-expired" && f.subject == layout_subject)),
        "link-signature" => {
            let link = root
                .steps
                .iter()
                .flat_map(|s| s.links.iter())
                .find(|l| l.path == unit.key())
                .ok_or_else(|| format!("{unit}: no such link in the verdict's trace"))?;
            let parsed = results.outcome(&UnitId::new("parse", unit.key().to_owned())).map(|p| p.status);
            match &link.status {
                LinkStatus::Missing => None,
                // Read, but its payload is no link: an error on the link.
                LinkStatus::Malformed(_) if parsed == Some(Status::Pass) => Some(true),
                LinkStatus::Malformed(_) => None,
                LinkStatus::Verified => Some(false),
                LinkStatus::Unauthorized | LinkStatus::BadSignature(_) => Some(true),
            }
        }
        "threshold" => Some(step_error(o, "link-threshold", unit.key())),
        "agreement" => Some(step_error(o, "link-disagreement", unit.key())),
        "rules" => {
            let (step, section) = unit.key().split_once('/').ok_or("a rules unit names step/section")?;
            let st = root.steps.iter().find(|s| s.name == step).ok_or("a rules unit of an unknown step")?;
            let evaluated =
                if section == "expected_materials" { st.materials.as_ref() } else { st.products.as_ref() };
            let is_sublayout = |name: &str| {
                root.steps.iter().filter(|s| s.name == name).flat_map(|s| s.links.iter()).any(|l| l.sublayout && l.status == LinkStatus::Verified)
            };
            let reads_sublayout = is_sublayout(step)
                || evaluated.into_iter().flat_map(|t| t.rules.iter()).any(|r| {
                    matches!(&r.parsed, Some(ArtifactRule::Match(m)) if is_sublayout(&m.dest_name))
                });
            match evaluated {
                // Rules over a sublayout's summary link: only the verdict has it.
                _ if reads_sublayout => None,
                None => None,
                Some(trace) => {
                    let own = results.outcome(unit).and_then(|u| u.output::<SectionResult>());
                    if own.is_some_and(|own| own != trace) {
                        return Err(format!("{unit}: its section result differs from the verdict's trace"));
                    }
                    Some(errors(o).any(|f| {
                        matches!(&f.subject, Subject::Rule { step: s, section: sec, .. } if s == step && sec == section)
                    }))
                }
            }
        }
        _ => return Ok(None),
    })
}

/// Runs the full plan for `opts`; returns the disagreements.
fn check(name: &str, opts: &VerifyOptions, failures: &mut Failures) -> Vec<String> {
    let mut problems = Vec::new();
    let direct = intoto::verify(opts).unwrap();
    let planned = intoto_plan::plan(opts, true).unwrap();
    let results = run_to_completion(planned.plan, config(), DiskSource::default());
    let Some(Ok(via_engine)) = results.output(&planned.verdict) else {
        return vec![format!("{name}: no verdict")];
    };
    // Inspections run in a fresh scratch directory each time, so their
    // traces differ by path and timing: compare what a user is told.
    let told = |o: &InTotoOutcome| {
        let f: Vec<_> = o.findings.iter().map(|f| (f.severity, f.category, f.subject.clone())).collect();
        (o.verdict, o.category, o.failure.clone(), f, o.layout.steps.clone())
    };
    if told(via_engine) != told(&direct) {
        problems.push(format!("{name}: engine verdict {} / direct {}", via_engine.category, direct.category));
    }
    // Findings name steps without their sublayout scope: the subjects
    // compared here must be the root layout's.
    let mut inner = Vec::new();
    sublayout_steps(&direct.layout, &mut inner);
    assert!(
        direct.layout.steps.iter().all(|s| !inner.contains(&s.name)),
        "{name}: a sublayout reuses a step name of the root layout; the comparison would be ambiguous"
    );
    let layout_path = opts.layout.display().to_string();
    let mut seen = 0;
    for (unit, o) in results.iter() {
        if o.status == Status::Error {
            problems.push(format!("{name}: {unit} errored: {:?}", o.detail));
            continue;
        }
        let want = match verdict_on(unit, via_engine, &layout_path, &results) {
            Ok(w) => w,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        if !matches!(unit.kind(), "parse" | "verdict") {
            seen += 1;
        }
        let want_status = match want {
            Some(true) => Status::Fail,
            Some(false) => Status::Pass,
            None if matches!(unit.kind(), "parse" | "verdict") => continue,
            None => Status::Skipped,
        };
        if o.status == Status::Fail {
            *failures.entry(unit.kind()).or_default() += 1;
        }
        if o.status != want_status {
            problems.push(format!(
                "{name}: {unit} is {:?} but the verdict says {want_status:?} ({:?})",
                o.status, o.detail
            ));
        }
    }
    // A layout that does not load (a float python cannot encode) has no
    // steps to plan units for.
    let layout_unreadable = direct.category.id() == "metadata-invalid" && direct.layout.steps.is_empty();
    if seen == 0 && !layout_unreadable {
        problems.push(format!("{name}: no detail units"));
    }
    problems
}

fn load_scenario(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap()
}

#[test]
fn detail_units_agree_with_the_verdict_on_every_corpus_scenario() {
    let mut problems = Vec::new();
    let mut failures = Failures::new();
    let all = scenarios("in-toto");
    assert_eq!(all.len(), 77, "the in-toto corpus has 77 scenarios");
    for dir in &all {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let scenario = load_scenario(dir);
        // PEM keys carry no key id: the layout is signed under the legacy
        // id, found as an alias (the units once missed it).
        for keys in ["layout_keys", "layout_keys_pem"] {
            let tmp = tempfile::tempdir().unwrap();
            copy_tree(dir, tmp.path());
            let opts = intoto_options(tmp.path(), &scenario, keys);
            problems.extend(check(&format!("{name} ({keys})"), &opts, &mut failures));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for kind in ["layout-signature", "expiry", "link-signature", "threshold", "agreement", "rules"] {
        assert!(failures.get(kind).copied().unwrap_or(0) > 0, "no {kind} unit failed anywhere: {failures:?}");
    }
}

#[test]
fn a_parameter_python_cannot_substitute_fails_the_layout_unit_and_the_verdict_alike() {
    let dir = scenarios("in-toto").into_iter().find(|d| d.ends_with("parameter-substitution")).unwrap();
    let scenario = load_scenario(&dir);
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&dir, tmp.path());
    let mut opts = intoto_options(tmp.path(), &scenario, "layout_keys");
    // The layout uses {PROJECT}; without it python raises KeyError('PROJECT').
    opts.params = Some(BTreeMap::new());
    let mut failures = Failures::new();
    let problems = check("parameter-substitution without PROJECT", &opts, &mut failures);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(failures.get("layout"), Some(&1), "{failures:?}");
    let outcome = intoto::verify(&opts).unwrap();
    assert_eq!(outcome.category, "metadata-invalid");
    let first = errors(&outcome).next().unwrap();
    assert!(first.message.contains("KeyError: 'PROJECT'"), "{}", first.message);
}

/// Where the engine's own copies of the checks once disagreed with the
/// verdict: a layout signed under the key's other (legacy) id, two links
/// by subkeys of one functionary meeting a threshold of 2 by count only,
/// and a step whose first validly signed link has no valid payload (the
/// verdict's rules use the next one).
#[test]
fn units_agree_where_the_engines_own_copies_did_not() {
    let mut failures = Failures::new();
    let mut problems = Vec::new();

    let w = World::new();
    let s = w.scene();
    let legacy = w.owner.public().legacy_keyid();
    s.write("root.layout", &metablock_as(&w.layout, &w.owner, &legacy));
    let opts = s.options(&w.owner);
    assert_eq!(intoto::verify(&opts).unwrap().category, "pass");
    problems.extend(check("layout signed under the legacy key id", &opts, &mut failures));

    let mut w = World::new();
    let (s1, s2) = ("aaaa1111".repeat(8), "bbbb2222".repeat(8));
    let a = w.a.keyid.clone();
    w.layout["keys"][&a]["subkeys"] = json!({ &s1: {}, &s2: {} });
    w.layout["steps"][0]["threshold"] = json!(2);
    let s = w.scene();
    std::fs::remove_file(s.path(&format!("links/build.{}.link", w.a.short()))).unwrap();
    for sub in [&s1, &s2] {
        s.write(&format!("links/build.{}.link", &sub[..8]), &metablock_as(&w.build, &w.a, sub));
    }
    let opts = s.options(&w.owner);
    assert_eq!(intoto::verify(&opts).unwrap().category, "link-threshold");
    problems.extend(check("two links by subkeys of one key", &opts, &mut failures));

    let mut w = World::new();
    let c = Key::from_seed(4);
    w.layout["keys"][&c.keyid] = c.dict.clone();
    w.layout["steps"][0]["pubkeys"] = json!([w.a.keyid, c.keyid]);
    let s = w.scene();
    let mut bad = w.build.clone();
    bad["materials"] = json!("not a map");
    // DSSE: python reads the payload only after the signature (stage 6).
    s.write(&format!("links/build.{}.link", w.a.short()), &dsse(&bad, &[&w.a]));
    s.link("build", &c, &w.build);
    let opts = s.options(&w.owner);
    let o = intoto::verify(&opts).unwrap();
    assert_eq!(o.category, "metadata-invalid");
    assert!(o.layout.steps[0].materials.is_some(), "the verdict's rules used the second link");
    problems.extend(check("first signed link has no valid payload", &opts, &mut failures));

    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(failures.get("threshold"), Some(&1), "{failures:?}");
    assert_eq!(failures.get("link-signature"), Some(&1), "{failures:?}");
}
