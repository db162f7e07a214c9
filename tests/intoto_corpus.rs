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
    assert_eq!(total, 43, "the corpus has 43 scenarios");
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
