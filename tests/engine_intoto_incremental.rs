//! The in-toto plan on a live engine (issue 7): after random edits to a
//! real 3-step chain's files (tamper a link, re-sign it, delete it, change a
//! layout rule and re-sign, touch without change) the incremental verdict
//! equals a from-scratch `intoto::verify`, and a touch re-runs nothing;
//! editing one link re-runs only that link's units and the rules that read
//! it; results stream before the last unit of a large chain is scheduled.

mod common;

use std::collections::BTreeSet;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use common::{Key, Scene, arts, link, metablock, step};
use proptest::prelude::*;
use serde_json::{Value, json};
use trailscope::engine::plans::intoto::{InTotoPlan, InTotoVerdict, plan};
use trailscope::engine::{DiskSource, Engine, EngineConfig, Event, UnitRef};
use trailscope::intoto::{InTotoOutcome, verify};

const WAIT: Duration = Duration::from_secs(120);
const STEPS: [&str; 3] = ["clone", "build", "package"];

struct Chain {
    scene: Scene,
    owner: Key,
    keys: Vec<Key>,
}

fn rules(v: &[&[&str]]) -> Value {
    json!(v.iter().map(|r| r.iter().map(|s| s.to_string()).collect::<Vec<_>>()).collect::<Vec<_>>())
}

/// The layout, in one of three rule variants (variant 0 verifies).
fn layout_doc(c: &Chain, variant: usize) -> Value {
    let build_products: &[&[&str]] = match variant {
        0 => &[&["CREATE", "app"], &["DISALLOW", "*"]],
        1 => &[&["CREATE", "app"]],
        _ => &[&["DISALLOW", "*"]],
    };
    let steps = vec![
        step("clone", &[&c.keys[0]], rules(&[]), rules(&[&["CREATE", "src/*"], &["DISALLOW", "*"]])),
        step(
            "build",
            &[&c.keys[1]],
            rules(&[&["MATCH", "src/*", "WITH", "PRODUCTS", "FROM", "clone"], &["DISALLOW", "*"]]),
            rules(build_products),
        ),
        step(
            "package",
            &[&c.keys[2]],
            rules(&[&["MATCH", "app", "WITH", "PRODUCTS", "FROM", "build"], &["DISALLOW", "*"]]),
            rules(&[&["CREATE", "pkg.tar"], &["DISALLOW", "*"]]),
        ),
    ];
    common::layout(steps, vec![], &[&c.keys[0], &c.keys[1], &c.keys[2]])
}

/// Link `i` in one of three variants (variant 0 verifies).
fn link_doc(i: usize, variant: usize) -> Value {
    let src = arts(&[("src/foo.py", "aa11"), ("src/README", "bb22")]);
    let app = if variant == 1 { "ee55" } else { "cc33" };
    match (i, variant) {
        (0, 2) => link("clone", arts(&[]), arts(&[("src/foo.py", "aa11"), ("src/evil.py", "ff66")])),
        (0, _) => link("clone", arts(&[]), src),
        (1, 2) => {
            link("build", arts(&[("src/foo.py", "0000"), ("src/README", "bb22")]), arts(&[("app", app)]))
        }
        (1, _) => link("build", src, arts(&[("app", app)])),
        (_, 2) => link("package", arts(&[("app", "cc33")]), arts(&[("pkg.tar", "dd44"), ("extra", "12")])),
        _ => link("package", arts(&[("app", "cc33")]), arts(&[("pkg.tar", "dd44")])),
    }
}

fn link_rel(c: &Chain, i: usize) -> String {
    format!("links/{}.{}.link", STEPS[i], c.keys[i].short())
}

fn chain() -> Chain {
    let c =
        Chain { scene: Scene::new(), owner: Key::from_seed(9), keys: (1..=3).map(Key::from_seed).collect() };
    c.scene.layout(&layout_doc(&c, 0), &c.owner);
    for (i, name) in STEPS.iter().enumerate() {
        c.scene.link(name, &c.keys[i], &link_doc(i, 0));
    }
    c
}

fn config() -> EngineConfig {
    EngineConfig { workers: 2, ..EngineConfig::default() }
}

fn verdict(engine: &Engine, v: &UnitRef<InTotoVerdict>) -> InTotoOutcome {
    let results = engine.wait_timeout(WAIT).expect("the engine completes");
    assert!(results.errors().next().is_none(), "no unit errors");
    results.output(v).cloned().expect("a verdict").expect("the layout loads")
}

/// Loads a fresh plan for `opts`; returns its verdict unit.
fn load(engine: &Engine, opts: &trailscope::intoto::VerifyOptions) -> UnitRef<InTotoVerdict> {
    let InTotoPlan { plan: p, verdict, .. } = plan(opts, true).unwrap();
    engine.load(p);
    verdict
}

#[derive(Debug, Clone)]
enum Edit {
    /// Change a product digest of link `i` without re-signing it.
    Tamper(usize),
    /// Write link `i` in variant `v`, signed by its functionary.
    Resign(usize, usize),
    Delete(usize),
    /// Rewrite the layout with rule variant `v`, signed by the owner.
    Layout(usize),
    /// Rewrite a file with the bytes it already has (`3` is the layout).
    Touch(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        2 => (0..3usize).prop_map(Edit::Tamper),
        3 => (0..3usize, 0..3usize).prop_map(|(i, v)| Edit::Resign(i, v)),
        1 => (0..3usize).prop_map(Edit::Delete),
        1 => (0..3usize).prop_map(Edit::Layout),
        2 => (0..4usize).prop_map(Edit::Touch),
    ]
}

/// Applies `e`; returns the file it changed and whether it was a touch.
fn apply(c: &Chain, e: &Edit) -> (String, bool) {
    match e {
        Edit::Tamper(i) => {
            let rel = link_rel(c, *i);
            let mut doc = metablock(&link_doc(*i, 0), &[&c.keys[*i]]);
            doc["signed"]["products"] = json!({"tampered": {"sha256": "9999"}});
            c.scene.write(&rel, &doc);
            (rel, false)
        }
        Edit::Resign(i, v) => {
            c.scene.link(STEPS[*i], &c.keys[*i], &link_doc(*i, *v));
            (link_rel(c, *i), false)
        }
        Edit::Delete(i) => {
            let rel = link_rel(c, *i);
            let _ = std::fs::remove_file(c.scene.path(&rel));
            (rel, false)
        }
        Edit::Layout(v) => {
            c.scene.layout(&layout_doc(c, *v), &c.owner);
            ("root.layout".into(), false)
        }
        Edit::Touch(i) => {
            let rel = if *i == 3 { "root.layout".to_owned() } else { link_rel(c, *i) };
            if let Ok(bytes) = std::fs::read(c.scene.path(&rel)) {
                c.scene.write_raw(&rel, &bytes);
            }
            (rel, true)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn incremental_verdicts_equal_from_scratch_verification(edits in prop::collection::vec(edit(), 1..8)) {
        let c = chain();
        let opts = c.scene.options(&c.owner);
        let engine = Engine::new(config(), DiskSource::default());
        let mut v = load(&engine, &opts);
        prop_assert_eq!(verdict(&engine, &v), verify(&opts).unwrap());
        for e in &edits {
            let (rel, touch) = apply(&c, e);
            let before = engine.stats().executed;
            let path = c.scene.path(&rel);
            if path == opts.layout && !touch {
                // A layout change: rebuild the plan (cached units are reused).
                v = load(&engine, &opts);
            } else {
                engine.file_changed(&path);
            }
            let got = verdict(&engine, &v);
            prop_assert_eq!(&got, &verify(&opts).unwrap(), "after {:?}", e);
            if touch {
                prop_assert_eq!(engine.stats().executed, before, "a touch re-ran units ({:?})", e);
            }
        }
    }
}

/// Units started in the generation after a change, until it completes.
fn started_until_completed(rx: &Receiver<Event>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    loop {
        match rx.recv_timeout(WAIT).expect("events") {
            Event::Started { unit, .. } => {
                out.insert(unit.to_string());
            }
            Event::Completed { .. } => return out,
            _ => {}
        }
    }
}

#[test]
fn editing_one_link_reruns_only_its_units_and_the_rules_that_read_it() {
    let c = chain();
    let opts = c.scene.options(&c.owner);
    let p = plan(&opts, true).unwrap();
    let engine = Engine::new(config(), DiskSource::default());
    engine.load(p.plan);
    engine.wait_timeout(WAIT).unwrap();
    let rx = engine.subscribe();
    // Re-sign build's link with another digest for `app`.
    c.scene.link("build", &c.keys[1], &link_doc(1, 1));
    let path = c.scene.path(&link_rel(&c, 1));
    engine.file_changed(&path);
    let ran = started_until_completed(&rx);
    let shown = path.display().to_string();
    let must: BTreeSet<String> = [
        format!("parse:{shown}"),
        format!("link-signature:{shown}"),
        "rules:build/expected_materials".to_owned(),
        "rules:build/expected_products".to_owned(),
        "rules:package/expected_materials".to_owned(),
        format!("verdict:{}", c.scene.path("root.layout").display()),
    ]
    .into();
    // Still validly signed: the threshold's input fingerprint is unchanged.
    assert_eq!(ran, must, "exactly the link's units, the rules reading it and the verdict");
}

#[test]
fn touching_a_link_reruns_nothing() {
    let c = chain();
    let opts = c.scene.options(&c.owner);
    let engine = Engine::new(config(), DiskSource::default());
    engine.load(plan(&opts, true).unwrap().plan);
    engine.wait_timeout(WAIT).unwrap();
    let before = engine.stats().executed;
    apply(&c, &Edit::Touch(1));
    engine.file_changed(&c.scene.path(&link_rel(&c, 1)));
    engine.wait_timeout(WAIT).unwrap();
    assert_eq!(engine.stats().executed, before);
}

#[test]
fn results_stream_before_the_last_unit_of_a_large_chain_starts() {
    // 120 steps, each with its own link: ~600 units.
    let scene = Scene::new();
    let owner = Key::from_seed(9);
    let k = Key::from_seed(1);
    let n = 120;
    let steps: Vec<Value> = (0..n)
        .map(|i| {
            let m = if i == 0 {
                rules(&[])
            } else {
                let from = format!("s{}", i - 1);
                json!([["MATCH", "*", "WITH", "PRODUCTS", "FROM", from]])
            };
            step(&format!("s{i}"), &[&k], m, rules(&[&["ALLOW", "*"]]))
        })
        .collect();
    scene.layout(&common::layout(steps, vec![], &[&k]), &owner);
    for i in 0..n {
        let a = arts(&[("f", "aa")]);
        scene.link(&format!("s{i}"), &k, &link(&format!("s{i}"), a.clone(), a));
    }
    let opts = scene.options(&owner);
    let p = plan(&opts, true).unwrap();
    let total = p.plan.unit_count();
    assert!(total > 500, "{total} units");
    let engine = Engine::new(EngineConfig { workers: 2, ..EngineConfig::default() }, DiskSource::default());
    let rx = engine.subscribe();
    engine.load(p.plan);
    let mut started = 0;
    let mut finished_before_last_start = 0;
    loop {
        match rx.recv_timeout(WAIT).expect("events") {
            Event::Started { .. } => started += 1,
            Event::Finished { reused: false, .. } if started < total => finished_before_last_start += 1,
            Event::Completed { .. } => break,
            _ => {}
        }
    }
    assert_eq!(started, total);
    assert!(finished_before_last_start > 0, "no result arrived before the last unit started");
}
