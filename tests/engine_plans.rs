//! The engine plans of the real verifiers agree with the verifiers: over
//! every scenario of the in-toto corpus (64) and the TUF corpus (42), the
//! verdict of a plan run through the engine equals `intoto::verify` /
//! `tuf::session::run`, no unit errors, and the detail units agree with the
//! verdict where they overlap.

mod corpus_support;

use std::path::{Path, PathBuf};

use corpus_support::{copy_tree, intoto_options, scenarios};
use serde_json::Value;
use trailscope::engine::plans::intoto as intoto_plan;
use trailscope::engine::plans::tuf::{self as tuf_plan, TufOptions};
use trailscope::engine::{DiskSource, EngineConfig, Status, UnitId, run_to_completion};
use trailscope::intoto;
use trailscope::tuf::{Config, report};
use trailscope::verdict::Verdict;

fn config() -> EngineConfig {
    EngineConfig { workers: 2, ..EngineConfig::default() }
}

#[test]
fn intoto_plan_verdicts_equal_direct_verification_on_the_corpus() {
    let mut problems = Vec::new();
    let all = scenarios("in-toto");
    assert_eq!(all.len(), 77, "the in-toto corpus has 77 scenarios");
    for dir in all {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let scenario: Value =
            serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&dir, tmp.path());
        let opts = intoto_options(tmp.path(), &scenario, "layout_keys");
        let direct = intoto::verify(&opts).unwrap();
        let planned = intoto_plan::plan(&opts, true).unwrap();
        let results = run_to_completion(planned.plan, config(), DiskSource::default());
        if let Some((unit, o)) = results.errors().next() {
            problems.push(format!("{name}: unit {unit} errored: {:?}", o.detail));
            continue;
        }
        let Some(Ok(via_engine)) = results.output(&planned.verdict) else {
            problems.push(format!("{name}: no verdict"));
            continue;
        };
        // Inspections run in a fresh scratch directory each time, so their
        // traces differ by path and timing: compare what a user is told.
        let told = |o: &intoto::InTotoOutcome| {
            let f: Vec<_> = o.findings.iter().map(|f| (f.severity, f.category, f.subject.clone())).collect();
            (o.verdict, o.category, o.failure.clone(), f, o.layout.steps.clone())
        };
        if told(via_engine) != told(&direct) {
            problems.push(format!("{name}: engine {} / direct {}", via_engine.category, direct.category));
        }
        if results.passed() != (direct.verdict == Verdict::Pass) {
            problems.push(format!("{name}: results.passed() disagrees with the verdict"));
        }
        // Detail units: a passing chain has no failing layout signature,
        // expiry, threshold or rule unit (rules over a sublayout's summary
        // link are skipped: only the verdict verifies sublayouts).
        if direct.verdict == Verdict::Pass {
            for (unit, o) in results.iter() {
                let kinds = ["layout-signature", "threshold", "rules", "expiry"];
                if kinds.contains(&unit.kind()) && o.status == Status::Fail {
                    problems
                        .push(format!("{name}: {unit} is {:?} in a passing chain: {:?}", o.status, o.detail));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn tuf_options(dir: &Path, scenario: &Value, state: Option<PathBuf>) -> TufOptions {
    let inputs = &scenario["inputs"];
    let expect = &scenario["expect"];
    TufOptions {
        root: dir.join(inputs["trusted_root"].as_str().unwrap()),
        metadata: dir.join(inputs["metadata_dir"].as_str().unwrap()).display().to_string(),
        targets: Some(dir.join(inputs["targets_dir"].as_str().unwrap()).display().to_string()),
        state,
        save_state: true,
        at: trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at,
        config: Config::default(),
        target_paths: expect["targets"].as_object().unwrap().keys().cloned().collect(),
        all_roles: true,
    }
}

fn scratch_state(dir: &Path, scenario: &Value) -> (tempfile::TempDir, Option<PathBuf>) {
    let scratch = tempfile::tempdir().unwrap();
    let state = scenario["inputs"]["client_state"].as_str().map(|cs| {
        copy_tree(&dir.join(cs), scratch.path());
        scratch.path().to_path_buf()
    });
    (scratch, state)
}

#[test]
fn tuf_plan_verdicts_equal_direct_sessions_on_the_corpus() {
    let mut problems = Vec::new();
    let all = scenarios("tuf");
    assert!(all.len() >= 40, "the TUF corpus has the 40 public scenarios and more: {}", all.len());
    for dir in all {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let scenario: Value =
            serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
        // The same state directory (paths appear in notes), fresh for each run.
        let (_scratch, state) = scratch_state(&dir, &scenario);
        let has_state = state.is_some();
        let direct_opts = tuf_options(&dir, &scenario, state.clone());
        let direct =
            tuf_plan::run_session(&direct_opts, std::fs::read(&direct_opts.root).unwrap(), direct_opts.at);
        if let Some(s) = &state {
            std::fs::remove_dir_all(s).unwrap();
            copy_tree(&dir.join(scenario["inputs"]["client_state"].as_str().unwrap()), s);
        }
        let opts = tuf_options(&dir, &scenario, state);
        let planned = tuf_plan::plan(&opts, true).unwrap();
        let results = run_to_completion(planned.plan, config(), DiskSource::default());
        if let Some((unit, o)) = results.errors().next() {
            problems.push(format!("{name}: unit {unit} errored: {:?}", o.detail));
            continue;
        }
        let Some(via_engine) = results.output(&planned.verdict) else {
            problems.push(format!("{name}: no verdict"));
            continue;
        };
        let a = report::document(via_engine, false).to_json_string();
        let b = report::document(&direct, false).to_json_string();
        if a != b {
            problems.push(format!("{name}: engine and direct documents differ"));
        }
        // Detail units: a refresh that succeeded from the repository alone
        // has every top-level role unit passing.
        if direct.refresh.is_ok() && !has_state {
            for kind in ["tuf-root", "tuf-timestamp", "tuf-snapshot", "tuf-targets"] {
                let unit = results.iter().find(|(u, _)| u.kind() == kind).map(|(_, o)| o.status);
                if unit != Some(Status::Pass) {
                    problems.push(format!("{name}: {kind} is {unit:?} after a good refresh"));
                }
            }
        }
        for t in &direct.targets {
            let unit = results.outcome(&UnitId::new("tuf-target", t.path.clone())).map(|o| o.status);
            let want = if t.status == trailscope::tuf::session::TargetStatus::Ok {
                Status::Pass
            } else {
                Status::Fail
            };
            if unit != Some(want) {
                problems.push(format!("{name}: target {} unit {unit:?}, want {want:?}", t.path));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
