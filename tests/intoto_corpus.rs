//! Every scenario of the in-toto corpus (fixtures/interop/in-toto, verdicts
//! from python in-toto 3.1) through the public `intoto::verify`, at the
//! scenario's `now`, with inspections run in a scratch copy.

mod corpus_support;

use std::path::Path;

use corpus_support::{copy_tree, intoto_options, scenarios};
use serde_json::Value;
use trailscope::intoto::verify;
use trailscope::verdict::Verdict;

/// Runs one scenario; returns the disagreements (empty when it agrees).
fn run_scenario(dir: &Path, pem: bool) -> Vec<String> {
    let scenario: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(dir, tmp.path());
    let root = tmp.path();
    let opts = intoto_options(root, &scenario, if pem { "layout_keys_pem" } else { "layout_keys" });
    let outcome = verify(&opts).expect("verify returns an outcome");

    let expect = &scenario["expect"];
    let mut problems = Vec::new();
    let verdict = if outcome.verdict == Verdict::Pass { "pass" } else { "fail" };
    if verdict != expect["verdict"] {
        problems.push(format!("verdict {verdict} != {}", expect["verdict"]));
    }
    if expect["category"] != outcome.category.id() {
        problems.push(format!("category {} != {}", outcome.category, expect["category"]));
    }
    let failure = outcome.failure.clone().unwrap_or_default();
    for (field, got) in [("step", &failure.step), ("rule", &failure.rule), ("artifact", &failure.artifact)] {
        if let Some(want) = expect[field].as_str()
            && got.as_deref() != Some(want)
        {
            problems.push(format!("{field} {got:?} != {want:?}"));
        }
    }
    let want_scope: Vec<String> = expect["scope"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    if failure.scope != want_scope {
        problems.push(format!("scope {:?} != {want_scope:?}", failure.scope));
    }
    if !problems.is_empty() {
        let errors: Vec<String> = outcome
            .findings
            .iter()
            .filter(|f| f.severity == trailscope::verdict::Severity::Error)
            .map(|f| format!("    {}: {}", f.category, f.message))
            .collect();
        problems.push(format!("errors:\n{}", errors.join("\n")));
    }
    problems
}

fn run_all(pem: bool) {
    let names = scenarios("in-toto");
    let total = names.len();
    let mut failed = Vec::new();
    for dir in &names {
        let problems = run_scenario(dir, pem);
        if !problems.is_empty() {
            failed.push(format!("{}: {}", dir.file_name().unwrap().to_string_lossy(), problems.join("; ")));
        }
    }
    let label = if pem { " (PEM keys)" } else { "" };
    println!("in-toto corpus{label}: {}/{total} agree", total - failed.len());
    assert_eq!(total, 77, "the corpus has 77 scenarios");
    assert!(failed.is_empty(), "disagreements:\n{}", failed.join("\n"));
}

#[test]
fn corpus_scenarios_agree_with_the_reference() {
    run_all(false);
}

#[test]
fn corpus_scenarios_agree_with_pem_keys() {
    run_all(true);
}

/// The corpus without running the inspections (neither flag): no scenario
/// whose layout has inspections passes. A failure the reference found
/// before its inspections ran is found the same; where the reference
/// passed or failed in an inspection, the verdict is `inspection-not-run`
/// unless an inspection's material rule already fails on the work
/// directory's files (then that failure, as the reference would report it).
/// With `--skip-inspections` every scenario the reference did not fail in
/// an inspection gets the reference's verdict.
#[test]
fn corpus_without_inspections_never_passes_what_was_not_checked() {
    let mut with_inspections = 0;
    for dir in scenarios("in-toto") {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let scenario: Value =
            serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
        let expect = &scenario["expect"];
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&dir, tmp.path());
        let mut opts = intoto_options(tmp.path(), &scenario, "layout_keys");
        opts.run_inspections = false;
        let not_run = verify(&opts).unwrap();
        opts.skip_inspections = true;
        let skipped = verify(&opts).unwrap();
        let inspections: Vec<String> = not_run.layout.inspections.iter().map(|i| i.name.clone()).collect();
        let in_inspection = expect["step"].as_str().is_some_and(|s| inspections.iter().any(|i| i == s));
        if inspections.is_empty() {
            assert_eq!(not_run.category, expect["category"].as_str().unwrap(), "{name}");
            assert_eq!(skipped.category, not_run.category, "{name}");
            continue;
        }
        with_inspections += 1;
        assert_eq!(not_run.verdict, Verdict::Fail, "{name}: inspections not run, yet pass");
        if expect["verdict"] == "pass" || in_inspection {
            let same = in_inspection && not_run.category == expect["category"].as_str().unwrap();
            assert!(not_run.category == "inspection-not-run" || same, "{name}: {}", not_run.category);
            assert!(
                not_run.findings.iter().any(|f| f.category == "inspection-not-run"
                    && f.message.contains("--run-inspections")
                    && inspections.iter().any(|i| f.message.contains(&format!("'{i}'")))),
                "{name}"
            );
        } else {
            assert_eq!(not_run.category, expect["category"].as_str().unwrap(), "{name}");
        }
        assert!(skipped.findings.iter().all(|f| f.category != "inspection-not-run"), "{name}");
        assert!(skipped.findings.iter().any(|f| f.category == "inspections-skipped"), "{name}");
        if !in_inspection {
            let verdict = if skipped.verdict == Verdict::Pass { "pass" } else { "fail" };
            assert_eq!(
                (verdict, skipped.category.as_str()),
                (expect["verdict"].as_str().unwrap(), expect["category"].as_str().unwrap()),
                "{name}: skipped"
            );
        }
    }
    assert!(with_inspections >= 5, "{with_inspections} scenarios with inspections");
}
