//! Plans over an in-memory source: the embedded demo's scenarios verified
//! through the engine from `engine::MemorySource`, at paths that are never
//! on disk, agree with the demo's own runs; and a live engine over memory
//! re-verifies an edited link.

use std::path::Path;
use std::time::Duration;

use trailscope::demo::{self, Kind};
use trailscope::engine::plans::intoto::plan_in as intoto_plan_in;
use trailscope::engine::plans::tuf::{TufOptions, plan_in as tuf_plan_in};
use trailscope::engine::{Engine, EngineConfig, Status, run_to_completion};
use trailscope::intoto::InTotoOutcome;
use trailscope::tuf::{Config, report};
use trailscope::verdict::Verdict;

fn config() -> EngineConfig {
    EngineConfig { workers: 2, ..EngineConfig::default() }
}

/// What a user is told, with the scenario's base path dropped.
fn told(o: &InTotoOutcome, base: &str) -> (Verdict, String, Vec<(String, String)>) {
    let findings = o
        .findings
        .iter()
        .map(|f| (f.category.id().to_owned(), f.message.replace(base, "")))
        .collect::<Vec<_>>();
    (o.verdict, o.category.id().to_owned(), findings)
}

/// The traces of the steps, link paths relative to the scenario.
fn steps(o: &InTotoOutcome) -> Vec<trailscope::intoto::StepTrace> {
    let mut steps = o.layout.steps.clone();
    for link in steps.iter_mut().flat_map(|s| s.links.iter_mut()) {
        // `demo` names them relative to the scenario (`links/…`), the engine under its base.
        link.path = link.path.rsplit_once("links/").map(|(_, f)| f.to_owned()).unwrap_or_default();
    }
    steps
}

#[test]
fn intoto_demo_scenarios_verify_from_memory_through_plans() {
    let scenarios: Vec<_> = demo::list().into_iter().filter(|s| s.kind == Kind::InToto).collect();
    assert!(scenarios.len() >= 3, "the embedded in-toto demo has its scenarios");
    for sc in scenarios {
        let (source, base) = demo::engine_source(&sc);
        assert!(!base.exists(), "{} is not on disk", base.display());
        let mut opts = demo::intoto_options(&sc, &base).unwrap();
        // The work directory an inspection's materials come from is not in
        // memory (nor an input of the plan): compare without inspections.
        opts.skip_inspections = true;
        for detail in [true, false] {
            let planned = intoto_plan_in(&opts, detail, &source).unwrap();
            if detail {
                assert!(planned.plan.units().any(|u| u.kind() == "rules"), "{}: detail units", sc.name);
            }
            let results = run_to_completion(planned.plan, config(), source.clone());
            assert!(results.errors().next().is_none(), "{}: no unit errors", sc.name);
            let via_engine = results.output(&planned.verdict).unwrap().as_ref().unwrap();
            let skip = demo::Options { skip_inspections: true, ..demo::Options::default() };
            let demo::Outcome::InToto(direct) = demo::run(&sc, skip).unwrap() else {
                panic!("{}: an in-toto outcome", sc.name)
            };
            let prefix = format!("{}/", base.display());
            assert_eq!(told(via_engine, &prefix), told(&direct, ""), "{} (detail {detail})", sc.name);
            assert_eq!(steps(via_engine), steps(&direct), "{}", sc.name);
        }
    }
}

#[test]
fn tuf_attack_scenarios_verify_from_memory_through_plans() {
    let scenarios: Vec<_> = demo::list().into_iter().filter(|s| s.kind == Kind::Tuf).collect();
    assert!(scenarios.len() >= 5);
    for sc in scenarios {
        let (source, base) = demo::engine_source(&sc);
        let inputs = &sc.json["inputs"];
        let rel = |k: &str| inputs[k].as_str().unwrap().to_owned();
        // Client state stays on disk (it is written to, not tracked).
        let state = tempfile::tempdir().unwrap();
        if let Some(cs) = inputs["client_state"].as_str() {
            for (rel, bytes) in sc.files_under(cs) {
                std::fs::write(state.path().join(rel), bytes).unwrap();
            }
        }
        let target_paths: Vec<String> =
            sc.json["expect"]["targets"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        let opts = TufOptions {
            root: base.join(rel("trusted_root")),
            metadata: base.join(rel("metadata_dir")).display().to_string(),
            targets: Some(base.join(rel("targets_dir")).display().to_string()),
            state: inputs["client_state"].as_str().map(|_| state.path().to_path_buf()),
            save_state: false,
            at: sc.now(),
            config: Config::default(),
            target_paths,
            all_roles: false,
        };
        let planned = tuf_plan_in(&opts, true, &source).unwrap();
        assert!(planned.plan.units().any(|u| u.kind() == "tuf-timestamp"), "{}: role units", sc.name);
        let results = run_to_completion(planned.plan, config(), source.clone());
        assert!(results.errors().next().is_none(), "{}: no unit errors", sc.name);
        let via_engine = results.output(&planned.verdict).unwrap();
        let demo::Outcome::Tuf(direct) = demo::run(&sc, demo::Options::default()).unwrap() else {
            panic!("{}: a TUF outcome", sc.name)
        };
        let (a, b) = (report::document(via_engine, false), report::document(&direct, false));
        if inputs["client_state"].is_string() {
            // The demo's state directory is another temporary directory.
            let told = |d: &trailscope::verdict::Document| {
                (d.verdict, d.findings.iter().map(|f| (f.category, f.subject.clone())).collect::<Vec<_>>())
            };
            assert_eq!(told(&a), told(&b), "{}", sc.name);
        } else {
            assert_eq!(a.to_json_string(), b.to_json_string(), "{}", sc.name);
        }
        assert_eq!(via_engine.refresh.is_ok(), sc.json["expect"]["refresh"] == "ok", "{}", sc.name);
    }
}

#[test]
fn a_live_engine_over_memory_reverifies_an_edited_link() {
    let sc =
        demo::list().into_iter().find(|s| s.kind == Kind::InToto && s.name == "demo-supply-chain").unwrap();
    let (source, base) = demo::engine_source(&sc);
    let mut opts = demo::intoto_options(&sc, &base).unwrap();
    opts.skip_inspections = true;
    let planned = intoto_plan_in(&opts, true, &source).unwrap();
    let verdict = planned.verdict.clone();
    let engine = Engine::new(config(), source.clone());
    engine.load(planned.plan);
    let wait = Duration::from_secs(60);
    let first = engine.wait_timeout(wait).unwrap();
    assert_eq!(first.output(&verdict).unwrap().as_ref().unwrap().verdict, Verdict::Pass);
    // Tamper with one link in memory: its signature no longer verifies.
    let link = first
        .iter()
        .map(|(u, _)| u)
        .find(|u| u.kind() == "link-signature")
        .map(|u| Path::new(u.key()).to_path_buf())
        .unwrap();
    let text =
        String::from_utf8(sc.file(link.strip_prefix(&base).unwrap().to_str().unwrap()).unwrap().to_vec())
            .unwrap();
    let tampered = text.replacen("\"sha256\": \"", "\"sha256\": \"0", 1);
    assert_ne!(text, tampered);
    source.insert(&link, tampered.into_bytes());
    engine.file_changed(&link);
    let second = engine.wait_timeout(wait).unwrap();
    let outcome = second.output(&verdict).unwrap().as_ref().unwrap();
    assert_eq!(outcome.verdict, Verdict::Fail);
    let sig = second.iter().find(|(u, _)| u.kind() == "link-signature" && Path::new(u.key()) == link);
    assert_eq!(sig.map(|(_, o)| o.status), Some(Status::Fail));
}
