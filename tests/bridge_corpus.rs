//! Every scenario of the bridge differential corpus (`fixtures/interop/bridge/`,
//! verdicts from python-tuf 7.0.1 + in-toto 3.1.0 combined as Datadog's
//! downloader does, plus the product binding): verdict, stage and category,
//! then failed_target, role, step (and rule/artifact where given), and the
//! trace of what was downloaded and handed to in-toto, must equal `expect`.
//! Inspections run, as in the reference.

mod corpus_support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use trailscope::bridge::{self, Request};
use trailscope::tuf::DirSource;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/bridge")
}

fn opt(v: Option<&str>) -> Value {
    v.map(|s| Value::String(s.to_owned())).unwrap_or(Value::Null)
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Array(a) => {
            let mut a = a.clone();
            a.sort_by_key(|x| x.to_string());
            Value::Array(a)
        }
        other => other.clone(),
    }
}

fn scenario_of(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap()
}

/// Verifies one scenario with the given choice for the inspections.
fn verify(dir: &Path, scenario: &Value, run: bool, skip: bool) -> bridge::BridgeOutcome {
    let inputs = &scenario["inputs"];
    let root_path = dir.join(inputs["trusted_root"].as_str().unwrap());
    let metadata = DirSource::new(dir.join(inputs["metadata_dir"].as_str().unwrap()));
    let targets = DirSource::new(dir.join(inputs["targets_dir"].as_str().unwrap()))
        .with_source_layout(metadata.source_layout());
    let at = trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at;
    let mut req = Request::new(
        std::fs::read(&root_path).unwrap(),
        root_path.display().to_string(),
        &metadata,
        &targets,
        inputs["target"].as_str().unwrap(),
        at,
    );
    req.run_inspections = run;
    req.skip_inspections = skip;
    bridge::verify(&req)
}

/// Runs one scenario as the reference did; returns the disagreements.
fn check_scenario(dir: &Path) -> Vec<String> {
    let scenario = scenario_of(dir);
    let expect = &scenario["expect"];
    let run = corpus_support::reference_runs_inspections(&scenario);
    assert!(run, "{}: the bridge reference runs in_toto_verify, inspections included", dir.display());
    let out = verify(dir, &scenario, run, false);
    let mut problems = Vec::new();
    let first = out.first.clone();
    let verdict = if out.verdict == trailscope::verdict::Verdict::Pass { "pass" } else { "fail" };
    let stage = opt(out.stage().map(|s| s.as_str()));
    if expect["verdict"] != verdict || expect["stage"] != stage || expect["category"] != out.category.as_str()
    {
        problems.push(format!(
            "verdict/stage/category: got {verdict}/{stage}/{} want {}/{}/{} ({})",
            out.category,
            expect["verdict"],
            expect["stage"],
            expect["category"],
            first.as_ref().map(|f| f.message.clone()).unwrap_or_default()
        ));
        return problems;
    }
    let f = first.unwrap_or(bridge::FirstFailure {
        stage: bridge::Stage::Tuf,
        category: trailscope::verdict::category::PASS,
        failed_target: None,
        role: None,
        step: None,
        rule: None,
        artifact: None,
        message: String::new(),
    });
    for (key, got) in [
        ("failed_target", opt(f.failed_target.as_deref())),
        ("role", opt(f.role.as_deref())),
        ("step", opt(f.step.as_deref())),
    ] {
        if expect[key] != got {
            problems.push(format!("{key}: got {got} want {}", expect[key]));
        }
    }
    for (key, got) in [("rule", opt(f.rule.as_deref())), ("artifact", opt(f.artifact.as_deref()))] {
        if !expect[key].is_null() && expect[key] != got {
            problems.push(format!("{key}: got {got} want {}", expect[key]));
        }
    }
    let trace = serde_json::to_value(&out.trace).unwrap();
    let want = &expect["trace"];
    for key in ["downloaded", "layout"] {
        if want[key] != trace[key] {
            problems.push(format!("trace.{key}: got {} want {}", trace[key], want[key]));
        }
    }
    for key in ["layout_keys", "links"] {
        if sorted(&want[key]) != sorted(&trace[key]) {
            problems.push(format!("trace.{key}: got {} want {}", trace[key], want[key]));
        }
    }
    if !want["binding"].is_null() {
        let b = match &out.trace.binding {
            Some(b) => serde_json::to_value(b).unwrap(),
            None => Value::Null,
        };
        if b != want["binding"] {
            problems.push(format!("trace.binding: got {b} want {}", want["binding"]));
        }
    }
    // The JSON document carries the same stage and category.
    let doc = out.to_value();
    if doc["stage"] != stage || doc["category"] != expect["category"] || doc["kind"] != "bridge" {
        problems.push(format!("json: stage {} category {}", doc["stage"], doc["category"]));
    }
    problems
}

#[test]
fn bridge_corpus_agrees_with_reference() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("scenario.json").is_file())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 19, "the public bridge corpus has 19 scenarios");
    let mut failures = Vec::new();
    for dir in &dirs {
        let problems = check_scenario(dir);
        if !problems.is_empty() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    let agree = dirs.len() - failures.len();
    println!("bridge corpus: {agree}/{} agree", dirs.len());
    assert!(failures.is_empty(), "{} scenarios disagree:\n{}", failures.len(), failures.join("\n"));
}

/// Without running the inspections, no scenario whose layout has some
/// passes; with `--skip-inspections` the verdict is the reference's except
/// where the reference failed in an inspection. Before the in-toto stage
/// (TUF, custom metadata) nothing changes.
#[test]
fn bridge_corpus_without_inspections_never_passes_what_was_not_checked() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("scenario.json").is_file())
        .collect();
    dirs.sort();
    let mut checked_in_toto = 0;
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let scenario = scenario_of(dir);
        let expect = &scenario["expect"];
        let not_run = verify(dir, &scenario, false, false);
        let skipped = verify(dir, &scenario, false, true);
        let stage = |o: &bridge::BridgeOutcome| opt(o.stage().map(|s| s.as_str()));
        let has_inspections = not_run.intoto.as_ref().is_some_and(|o| !o.layout.inspections.is_empty());
        let before_in_toto = expect["stage"] == "tuf" || expect["stage"] == "custom-metadata";
        if before_in_toto || !has_inspections {
            // Nothing about inspections to decide: the reference's verdict.
            for o in [&not_run, &skipped] {
                let want = (expect["stage"].clone(), expect["category"].as_str().unwrap());
                assert_eq!((stage(o), o.category.as_str()), want, "{name}");
            }
            continue;
        }
        checked_in_toto += 1;
        assert_eq!(not_run.verdict, trailscope::verdict::Verdict::Fail, "{name}: not run must not pass");
        let reference_inspection = expect["step"] == "untar";
        if expect["verdict"] == "pass" || reference_inspection {
            // The inspection's material rule on the downloaded files may
            // already catch what the reference caught there.
            let ok = not_run.category == "inspection-not-run"
                || (reference_inspection && not_run.category == expect["category"].as_str().unwrap());
            assert!(ok, "{name}: {} ({:?})", not_run.category, not_run.first);
            assert_eq!(stage(&not_run), json!("in-toto"), "{name}");
        } else {
            assert_eq!(not_run.category, expect["category"].as_str().unwrap(), "{name}");
            assert_eq!(stage(&not_run), expect["stage"], "{name}");
        }
        if reference_inspection {
            assert!(skipped.findings.iter().any(|f| f.category == "inspections-skipped"), "{name}");
        } else {
            assert_eq!(stage(&skipped), expect["stage"], "{name}: skipped");
            assert_eq!(skipped.category, expect["category"].as_str().unwrap(), "{name}: skipped");
            assert!(skipped.findings.iter().any(|f| f.category == "inspections-skipped"), "{name}");
            assert!(skipped.findings.iter().all(|f| f.category != "inspection-not-run"), "{name}");
        }
    }
    assert!(checked_in_toto > 5, "{checked_in_toto}");
}
