//! Every scenario of the bridge differential corpus (`fixtures/interop/bridge/`,
//! verdicts from python-tuf 7.0.1 + in-toto 3.1.0 combined as Datadog's
//! downloader does, plus the product binding): verdict, stage and category,
//! then failed_target, role, step (and rule/artifact where given), and the
//! trace of what was downloaded and handed to in-toto, must equal `expect`.
//! Inspections run, as in the reference.

use std::path::{Path, PathBuf};

use serde_json::Value;
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

/// Runs one scenario; returns the disagreements.
fn check_scenario(dir: &Path) -> Vec<String> {
    let scenario: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let inputs = &scenario["inputs"];
    let expect = &scenario["expect"];
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
    req.run_inspections = true;
    let out = bridge::verify(&req);
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
