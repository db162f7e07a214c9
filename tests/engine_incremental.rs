//! Incremental verification on a toy chain: after any sequence of edits the
//! incremental result equals a from-scratch run, and only the units
//! downstream of an edited file run again (DESIGN §5).

mod engine_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use engine_support::{Log, file_name, snapshot, toy};
use proptest::prelude::*;
use trailscope::engine::{
    Change, Engine, EngineConfig, MemorySource, Outcome, Plan, PlanError, Results, Status, UnitId, UnitState,
    run_to_completion,
};

const WAIT: Duration = Duration::from_secs(60);

fn config() -> EngineConfig {
    EngineConfig { workers: 2, ..EngineConfig::default() }
}

fn source_of(files: &BTreeMap<String, String>) -> MemorySource {
    let s = MemorySource::new();
    for (path, content) in files {
        s.insert(path.as_str(), content.as_bytes());
    }
    s
}

fn from_scratch(n: usize, files: &BTreeMap<String, String>, strict: bool) -> Results {
    let t = toy(n, &Log::default());
    let engine = Engine::new(config(), source_of(files));
    engine.load(t.plan);
    engine.set_param(&t.strict, strict, if strict { b"true" } else { b"false" });
    engine.wait_timeout(WAIT).expect("from-scratch run completes")
}

#[derive(Debug, Clone)]
enum Edit {
    Write(usize, &'static str),
    Touch(usize),
    Delete(usize),
    Strict(bool),
}

const CONTENTS: &[&str] =
    &["a=1\nb=2", "b=2\na=1", "  a=1\n\nb=2  ", "a=1", "b=2", "a=bad\nb=2", "garbage", ""];
const FILES: usize = 4;

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0..FILES, prop::sample::select(CONTENTS)).prop_map(|(i, c)| Edit::Write(i, c)),
        2 => (0..FILES).prop_map(Edit::Touch),
        1 => (0..FILES).prop_map(Edit::Delete),
        1 => any::<bool>().prop_map(Edit::Strict),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn incremental_results_equal_a_from_scratch_run(edits in prop::collection::vec(edit(), 1..12)) {
        let mut model: BTreeMap<String, String> =
            (0..FILES).map(|i| (file_name(i), "a=1\nb=2".to_string())).collect();
        let mut strict = false;
        let source = source_of(&model);
        let t = toy(FILES, &Log::default());
        let engine = Engine::new(config(), source.clone());
        engine.load(t.plan);
        engine.wait_timeout(WAIT).expect("initial run completes");

        for e in edits {
            let before = engine.stats();
            let change = match e {
                Edit::Write(i, content) => {
                    model.insert(file_name(i), content.to_string());
                    source.insert(file_name(i), content.as_bytes());
                    engine.file_changed(Path::new(&file_name(i)))
                }
                Edit::Touch(i) => {
                    let change = engine.file_changed(Path::new(&file_name(i)));
                    prop_assert_eq!(change, Change::Unchanged);
                    change
                }
                Edit::Delete(i) => {
                    model.remove(&file_name(i));
                    source.remove(Path::new(&file_name(i)));
                    engine.file_changed(Path::new(&file_name(i)))
                }
                Edit::Strict(s) => {
                    strict = s;
                    engine.set_param(&t.strict, s, if s { b"true" } else { b"false" })
                }
            };
            let incremental = engine.wait_timeout(WAIT).expect("incremental run completes");
            if change == Change::Unchanged {
                prop_assert_eq!(engine.stats().executed, before.executed, "an unchanged input re-ran a unit");
                prop_assert_eq!(engine.stats().reused, before.reused);
            }
            let fresh = from_scratch(FILES, &model, strict);
            prop_assert_eq!(snapshot(&incremental), snapshot(&fresh), "after {:?}", e);
        }
    }
}

fn three_step_chain() -> (Engine, engine_support::Toy, Log, MemorySource) {
    let log = Log::default();
    let t = toy(4, &log);
    let source = MemorySource::new();
    for i in 0..4 {
        source.insert(file_name(i), &b"a=1\nb=2"[..]);
    }
    let engine = Engine::new(config(), source.clone());
    engine.load(toy(4, &log).plan);
    engine.wait_timeout(WAIT).unwrap();
    (engine, t, log, source)
}

fn ids(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn ran(log: &Log) -> BTreeSet<String> {
    log.take().iter().map(UnitId::to_string).collect()
}

#[test]
fn editing_one_link_reruns_only_its_units_and_the_rules_that_read_it() {
    let (engine, _, log, source) = three_step_chain();
    assert_eq!(log.take().len(), 4 + 4 + 3 + 1, "the first run runs every unit once");

    source.insert("step1.link", &b"a=1\nb=3"[..]);
    assert!(matches!(engine.file_changed(Path::new("step1.link")), Change::Changed { invalidated: 5, .. }));
    let results = engine.wait_timeout(WAIT).unwrap();
    let expected =
        ids(&["parse:step1.link", "check:step1.link", "rules:step0", "rules:step1", "verdict:toy"]);
    assert_eq!(ran(&log), expected);
    let dependents: BTreeSet<String> =
        engine.dependents_of_file(Path::new("step1.link")).iter().map(UnitId::to_string).collect();
    assert_eq!(dependents, expected);
    assert_eq!(results.len(), 12);
}

#[test]
fn touching_a_file_without_changing_it_reruns_nothing() {
    let (engine, _, log, _) = three_step_chain();
    log.take();
    let before = engine.stats();
    assert_eq!(engine.file_changed(Path::new("step2.link")), Change::Unchanged);
    engine.rescan();
    engine.wait_timeout(WAIT).unwrap();
    assert_eq!(engine.stats().files_read, before.files_read + 1 + 4, "the touch and the rescan re-hash");
    assert!(log.take().is_empty());
    assert_eq!(engine.stats().executed, before.executed);
}

#[test]
fn an_edit_that_leaves_the_parse_equal_stops_at_the_parse() {
    let (engine, _, log, source) = three_step_chain();
    log.take();
    source.insert("step1.link", &b"b=2\na=1\n"[..]);
    engine.file_changed(Path::new("step1.link"));
    engine.wait_timeout(WAIT).unwrap();
    assert_eq!(ran(&log), ids(&["parse:step1.link"]));
    assert_eq!(engine.stats().reused, 4, "check, two rules and the verdict come from the cache");
}

#[test]
fn undoing_an_edit_takes_every_outcome_from_the_cache() {
    let (engine, _, log, source) = three_step_chain();
    source.insert("step3.link", &b"a=bad"[..]);
    engine.file_changed(Path::new("step3.link"));
    let failed = engine.wait_timeout(WAIT).unwrap();
    assert_eq!(failed.outcome(&UnitId::new("check", "step3.link")).unwrap().status, Status::Fail);
    log.take();
    source.insert("step3.link", &b"a=1\nb=2"[..]);
    engine.file_changed(Path::new("step3.link"));
    let results = engine.wait_timeout(WAIT).unwrap();
    assert!(log.take().is_empty());
    assert_eq!(results.output(&toy(4, &Log::default()).verdict), Some(&"pass".to_string()));
}

#[test]
fn a_parameter_change_reruns_only_its_readers() {
    let (engine, t, log, _) = three_step_chain();
    log.take();
    // `t` is another build of the same plan: handles work by name.
    assert!(matches!(engine.set_param(&t.strict, true, b"true"), Change::Changed { invalidated: 1, .. }));
    engine.wait_timeout(WAIT).unwrap();
    assert_eq!(ran(&log), ids(&["verdict:toy"]));
    assert_eq!(engine.set_param(&t.strict, true, b"true"), Change::Unchanged);
}

#[test]
fn a_deleted_file_becomes_a_finding_not_an_error() {
    let (engine, _, _, source) = three_step_chain();
    source.remove(Path::new("step0.link"));
    engine.file_changed(Path::new("step0.link"));
    let r = engine.wait_timeout(WAIT).unwrap();
    let parse = r.outcome(&UnitId::new("parse", "step0.link")).unwrap();
    assert_eq!(parse.status, Status::Fail);
    assert_eq!(parse.findings[0].message, "file missing");
    assert_eq!(r.outcome(&UnitId::new("check", "step0.link")).unwrap().status, Status::Skipped);
    assert_eq!(r.outcome(&UnitId::new("rules", "step0")).unwrap().status, Status::Skipped);
    assert!(!r.passed());
}

#[test]
fn queries_follow_the_dag() {
    let t = toy(4, &Log::default());
    let plan = &t.plan;
    let down: Vec<String> =
        plan.downstream(&UnitId::new("parse", "step0.link")).iter().map(|u| u.to_string()).collect();
    assert_eq!(down, ["check:step0.link", "rules:step0", "verdict:toy"]);
    assert_eq!(plan.readers_of_file(Path::new("step0.link")), vec![UnitId::new("parse", "step0.link")]);
    assert!(plan.dependents_of_file(Path::new("nope")).is_empty());
    assert_eq!(plan.unit_count(), 12);
    assert_eq!(plan.files().count(), 4);
}

#[test]
fn unit_states_show_every_unit_done_after_a_run() {
    let (engine, _, _, _) = three_step_chain();
    let states = engine.unit_states();
    assert_eq!(states.len(), 12);
    assert!(states.iter().all(|(_, s)| matches!(s, UnitState::Done(Status::Pass))), "{states:?}");
    assert_eq!(states.last().unwrap().0, UnitId::new("verdict", "toy"));
    let p = engine.progress();
    assert_eq!((p.done, p.total), (12, 12));
}

#[test]
fn a_unit_declared_twice_is_a_plan_error() {
    let mut b = Plan::builder();
    b.unit(UnitId::new("x", "1"), &[], |_| Outcome::pass(()));
    b.unit(UnitId::new("x", "1"), &[], |_| Outcome::pass(()));
    assert!(matches!(b.build(), Err(PlanError::DuplicateUnit(_))));
}

#[test]
fn an_input_from_another_plan_is_refused() {
    let mut other = Plan::builder();
    let f = other.file("a");
    let mut b = Plan::builder();
    b.unit(UnitId::new("x", "1"), &[f.input()], |_| Outcome::pass(()));
    assert!(matches!(b.build(), Err(PlanError::ForeignInput(_))));
}

#[test]
fn headless_run_to_completion_collects_every_outcome() {
    let source = MemorySource::new();
    for i in 0..3 {
        source.insert(file_name(i), &b"a=1"[..]);
    }
    let t = toy(3, &Log::default());
    let verdict = t.verdict.clone();
    let r = run_to_completion(t.plan, config(), source);
    assert_eq!(r.len(), 3 + 3 + 2 + 1);
    assert_eq!(r.output(&verdict), Some(&"pass".to_string()));
    assert!(r.passed());
}

#[test]
fn a_rescan_that_finds_nothing_changed_still_completes_its_generation() {
    let (engine, _, log, _) = three_step_chain();
    log.take();
    let rx = engine.subscribe();
    let before = engine.generation();
    engine.rescan();
    let r = engine.wait_timeout(WAIT).unwrap();
    assert_eq!(r.generation, before + 1);
    // Nothing re-runs: the next event is the generation's completion.
    let first = rx.recv_timeout(WAIT).expect("Completed arrives");
    assert!(
        matches!(first, trailscope::engine::Event::Completed { generation } if generation == before + 1),
        "{first:?}"
    );
    assert!(log.take().is_empty());
}
