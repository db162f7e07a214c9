//! Every generated fixture gets the verdict its `scenario.json` expects:
//! `fixtures/demo` through bridge verification (inspections run, as the
//! reference), `fixtures/intoto-demo` through `intoto::verify`,
//! `fixtures/tuf-attacks` through `tuf::session::run`. The adversary act's
//! report names the inspection, the rule and both hashes. The embedded demo
//! holds the same files and reaches the same verdicts.

mod corpus_support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::bridge::{self, Request};
use trailscope::crypto::PublicKey;
use trailscope::intoto::{self, VerifyOptions};
use trailscope::tuf::session;
use trailscope::tuf::{Config, DirSource, StateDir};
use trailscope::verdict::Verdict;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn scenarios(set: &str) -> Vec<(PathBuf, Value)> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures().join(set))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("scenario.json").is_file())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|d| {
            let v = serde_json::from_slice(&std::fs::read(d.join("scenario.json")).unwrap()).unwrap();
            (d, v)
        })
        .collect()
}

fn at(s: &Value) -> time::OffsetDateTime {
    trailscope::meta::time::parse(s["now"].as_str().unwrap()).unwrap().at
}

fn word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    }
}

fn run_bridge(dir: &Path, s: &Value, run_inspections: bool) -> bridge::BridgeOutcome {
    run_bridge_with(dir, s, run_inspections, false)
}

fn run_bridge_with(dir: &Path, s: &Value, run_inspections: bool, skip: bool) -> bridge::BridgeOutcome {
    let inputs = &s["inputs"];
    let root = dir.join(inputs["trusted_root"].as_str().unwrap());
    let metadata = DirSource::new(dir.join(inputs["metadata_dir"].as_str().unwrap()));
    let targets = DirSource::new(dir.join(inputs["targets_dir"].as_str().unwrap()))
        .with_source_layout(metadata.source_layout());
    let mut req = Request::new(
        std::fs::read(&root).unwrap(),
        root.display().to_string(),
        &metadata,
        &targets,
        inputs["target"].as_str().unwrap(),
        at(s),
    );
    req.run_inspections = run_inspections;
    req.skip_inspections = skip;
    bridge::verify(&req)
}

#[test]
fn demo_acts_get_their_expected_verdicts() {
    let all = scenarios("demo");
    assert_eq!(all.len(), 3);
    for (dir, s) in &all {
        let e = &s["expect"];
        let out = run_bridge(dir, s, true);
        let name = s["name"].as_str().unwrap();
        assert_eq!(word(out.verdict), e["verdict"], "{name}");
        assert_eq!(out.category, e["category"].as_str().unwrap(), "{name}");
        let stage = out.stage().map(|s| s.as_str().to_owned());
        assert_eq!(stage.as_deref(), e["stage"].as_str(), "{name}");
        let step = out.first.as_ref().and_then(|f| f.step.clone());
        assert_eq!(step.as_deref(), e["step"].as_str(), "{name}");
        if let Some(rule) = e["rule"].as_str() {
            assert_eq!(out.first.as_ref().and_then(|f| f.rule.as_deref()), Some(rule), "{name}");
        }
        let trace = serde_json::to_value(&out.trace).unwrap();
        assert_eq!(trace["downloaded"], e["trace"]["downloaded"], "{name}");
        assert_eq!(trace["layout"], e["trace"]["layout"], "{name}");
    }
}

#[test]
fn adversary_report_names_step_rule_and_both_hashes() {
    let dir = fixtures().join("demo/act3-adversary");
    let s: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let ev = &s["expect"]["evidence"];
    let out = run_bridge(&dir, &s, true);
    let text = trailscope::report::text_bridge::render(&out);
    for needle in [
        "stage in-toto, category rule-disallow",
        "inspection 'untar'",
        "rule 'DISALLOW *'",
        "MATCH demo-project-*.tar.gz WITH PRODUCTS FROM package",
        ev["served_sha256"].as_str().unwrap(),
        ev["recorded_sha256"].as_str().unwrap(),
    ] {
        assert!(text.contains(needle), "report lacks {needle:?}:\n{text}");
    }
    // Without inspections nothing runs, and the swap is still caught where
    // the reference catches it: the inspection's materials are the
    // downloaded files, so its MATCH rule is checked on the hashed package
    // (in-toto comes before the product binding, which disagrees too).
    let out = run_bridge(&dir, &s, false);
    assert_eq!(out.verdict, Verdict::Fail);
    assert_eq!((out.stage().map(|s| s.as_str()), out.category.as_str()), (Some("in-toto"), "rule-disallow"));
    assert_eq!(out.first.as_ref().and_then(|f| f.step.as_deref()), Some("untar"));
    assert!(out.findings.iter().any(|f| f.category == "product-hash-mismatch"));
    assert_eq!(out.inspections_skipped, vec!["untar".to_owned()]);
    let text = trailscope::report::text_bridge::render(&out);
    assert!(text.contains("inspections not run (untar)"), "{text}");
    assert!(
        text.contains(ev["served_sha256"].as_str().unwrap())
            && text.contains(ev["recorded_sha256"].as_str().unwrap())
    );
}

#[test]
fn passing_acts_without_inspections_are_not_verified_unless_skipped() {
    let dir = fixtures().join("demo/act1-alice-alone");
    let s: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let out = run_bridge(&dir, &s, false);
    assert_eq!(out.verdict, Verdict::Fail);
    assert_eq!(
        (out.stage().map(|s| s.as_str()), out.category.as_str()),
        (Some("in-toto"), "inspection-not-run")
    );
    assert!(out.findings.iter().any(|f| f.category == "inspection-not-run" && f.message.contains("'untar'")));
    let skipped = run_bridge_with(&dir, &s, false, true);
    assert_eq!(skipped.verdict, Verdict::Pass);
    assert!(skipped.findings.iter().any(|f| f.category == "inspections-skipped"));
    assert!(skipped.trace.binding.as_ref().is_some_and(|b| b.holds()));
}

#[test]
fn intoto_demo_gets_its_expected_verdicts() {
    let all = scenarios("intoto-demo");
    assert!(!all.is_empty());
    for (dir, s) in &all {
        let inputs = &s["inputs"];
        let e = &s["expect"];
        let keys: Vec<PublicKey> = inputs["layout_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                PublicKey::from_file_bytes(&std::fs::read(dir.join(k.as_str().unwrap())).unwrap()).unwrap()
            })
            .collect();
        let mut o = VerifyOptions::new(dir.join(inputs["layout"].as_str().unwrap()), keys);
        o.link_dir = dir.join(inputs["link_dir"].as_str().unwrap());
        o.workdir = corpus_support::workdir(dir, inputs);
        o.at = at(s);
        o.run_inspections = true;
        let out = intoto::verify(&o).unwrap();
        let name = s["name"].as_str().unwrap();
        assert_eq!(word(out.verdict), e["verdict"], "{name}");
        assert_eq!(out.category, e["category"].as_str().unwrap(), "{name}");
        let step = out.failure.as_ref().and_then(|f| f.step.clone());
        assert_eq!(step.as_deref(), e["step"].as_str(), "{name}");
    }
}

#[test]
fn tuf_attacks_get_their_expected_verdicts() {
    let all = scenarios("tuf-attacks");
    assert!(all.len() >= 10);
    for (dir, s) in &all {
        let inputs = &s["inputs"];
        let e = &s["expect"];
        let root = dir.join(inputs["trusted_root"].as_str().unwrap());
        let metadata = DirSource::new(dir.join(inputs["metadata_dir"].as_str().unwrap()));
        let targets = DirSource::new(dir.join(inputs["targets_dir"].as_str().unwrap()))
            .with_source_layout(metadata.source_layout());
        let scratch = tempfile::tempdir().unwrap();
        let state = inputs["client_state"].as_str().map(|cs| {
            for f in std::fs::read_dir(dir.join(cs)).unwrap() {
                let f = f.unwrap();
                std::fs::copy(f.path(), scratch.path().join(f.file_name())).unwrap();
            }
            StateDir::new(scratch.path(), true)
        });
        let paths: Vec<String> = e["targets"].as_object().unwrap().keys().cloned().collect();
        let out = session::run(session::Request {
            root_bytes: std::fs::read(&root).unwrap(),
            root_file: root.display().to_string(),
            metadata: &metadata,
            targets: Some(&targets),
            state,
            at: at(s),
            config: Config::default(),
            target_paths: paths,
            all_roles: false,
        });
        let name = s["name"].as_str().unwrap();
        let (refresh, category, role) = match &out.refresh {
            Ok(()) => ("ok", "ok".to_owned(), Value::Null),
            Err(err) => ("error", err.category.to_string(), Value::String(err.role.clone())),
        };
        assert_eq!(refresh, e["refresh"], "{name}");
        if refresh == "error" {
            assert_eq!(category, e["category"].as_str().unwrap(), "{name}");
            assert_eq!(role, e["role"], "{name}");
        }
        for t in &out.targets {
            let want = &e["targets"][&t.path];
            assert_eq!(t.status.as_str(), want["result"], "{name} {}", t.path);
            assert_eq!(t.category.as_str(), want["category"], "{name} {}", t.path);
            let role = t.role.clone().map(Value::String).unwrap_or(Value::Null);
            assert_eq!(role, want["role"], "{name} {}", t.path);
        }
    }
}

#[test]
fn embedded_demo_matches_the_fixtures_and_their_verdicts() {
    let list = trailscope::demo::list();
    let mut on_disk = 0;
    for set in ["demo", "intoto-demo", "tuf-attacks", "sigstore-scenarios"] {
        for (dir, s) in scenarios(set) {
            on_disk += 1;
            let name = s["name"].as_str().unwrap();
            let sc = list
                .iter()
                .find(|x| x.set == set && x.name == name)
                .unwrap_or_else(|| panic!("{set}/{name}"));
            // Same files, same bytes.
            let tmp = tempfile::tempdir().unwrap();
            sc.materialize(tmp.path()).unwrap();
            assert_same_tree(&dir, &sc.materialized(tmp.path()));
            let opts = trailscope::demo::Options { run_inspections: true, ..Default::default() };
            let verdict = match trailscope::demo::run(sc, opts).unwrap() {
                trailscope::demo::Outcome::Bridge(o) => {
                    assert_eq!(o.category, s["expect"]["category"].as_str().unwrap(), "{name}");
                    word(o.verdict).to_owned()
                }
                trailscope::demo::Outcome::InToto(o) => {
                    assert_eq!(o.category, s["expect"]["category"].as_str().unwrap(), "{name}");
                    word(o.verdict).to_owned()
                }
                trailscope::demo::Outcome::Tuf(o) => {
                    let refresh = if o.refresh.is_ok() { "ok" } else { "error" };
                    assert_eq!(refresh, s["expect"]["refresh"], "{name}");
                    continue;
                }
                trailscope::demo::Outcome::Attestation(d) => {
                    assert_eq!(d.category.id(), s["category"].as_str().unwrap(), "{name}");
                    assert_eq!(word(d.verdict), s["expected"].as_str().unwrap(), "{name}");
                    continue;
                }
            };
            assert_eq!(verdict, s["expect"]["verdict"].as_str().unwrap(), "{name}");
        }
    }
    assert_eq!(list.len(), on_disk);
}

fn assert_same_tree(a: &Path, b: &Path) {
    let mut names: Vec<_> = std::fs::read_dir(a).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    let mut other: Vec<_> = std::fs::read_dir(b).unwrap().map(|e| e.unwrap().file_name()).collect();
    other.sort();
    assert_eq!(names, other, "{}", a.display());
    for n in names {
        let (pa, pb) = (a.join(&n), b.join(&n));
        if pa.is_dir() {
            assert_same_tree(&pa, &pb);
        } else {
            assert!(std::fs::read(&pa).unwrap() == std::fs::read(&pb).unwrap(), "{}", pa.display());
        }
    }
}
