//! The supply-chain graph: the demo's JSON graph (one node per step and
//! inspection, one edge per MATCH rule), DOT that Graphviz parses, the
//! Mermaid snapshot, provenance, feeds, delegation paths, the drawing, and
//! a build at scale.

mod common;
mod corpus_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common::{Key, Scene, arts, link, step};
use serde_json::{Value, json};
use trailscope::graph::draw::{View, draw};
use trailscope::graph::{Side, SupplyGraph};
use trailscope::intoto::rule::ArtifactRule;

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/intoto-demo/demo-supply-chain")
}

/// Runs `graph intoto` on the demo with paths relative to the crate (so
/// the output, which names the files, is the same on every machine).
fn graph_cmd(format: &str) -> Vec<u8> {
    graph_of("demo-supply-chain", format)
}

/// `graph intoto` on one of the `fixtures/intoto-demo` scenarios.
fn graph_of(scenario: &str, format: &str) -> Vec<u8> {
    let d = Path::new("fixtures/intoto-demo").join(scenario);
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["graph", "intoto", "--layout"])
        .arg(d.join("root.layout"))
        .arg("-k")
        .arg(d.join("keys/alice.pub.json"))
        .arg("--link-dir")
        .arg(d.join("links"))
        // Nothing executed: the graph of the verdict without the inspection
        // (its materials would be the work directory's files).
        .arg("--workdir")
        .arg(d.join("workdir"))
        .arg("--skip-inspections")
        .args(["--at", "2026-06-01T00:00:00Z", "--format", format])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn demo_json_graph_has_one_node_per_step_and_inspection_and_one_edge_per_match_rule() {
    let v: Value = serde_json::from_slice(&graph_cmd("json")).unwrap();
    let layout: Value = serde_json::from_slice(&std::fs::read(demo().join("root.layout")).unwrap()).unwrap();
    let signed = &layout["signed"];
    let count = |kind: &str| v["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == kind).count();
    let steps = signed["steps"].as_array().unwrap();
    let inspections = signed["inspect"].as_array().unwrap();
    assert_eq!(count("step"), steps.len());
    assert_eq!(count("inspection"), inspections.len());
    let mut match_rules = 0;
    for item in steps.iter().chain(inspections) {
        for section in ["expected_materials", "expected_products"] {
            for r in item[section].as_array().unwrap() {
                let r: Vec<String> = serde_json::from_value(r.clone()).unwrap();
                if matches!(ArtifactRule::parse(&r), Ok(ArtifactRule::Match(_))) {
                    match_rules += 1;
                }
            }
        }
    }
    let matches: Vec<&Value> =
        v["edges"].as_array().unwrap().iter().filter(|e| e["kind"] == "matches").collect();
    assert!(match_rules > 0);
    assert_eq!(matches.len(), match_rules);
    assert!(matches.iter().all(|e| e["rule"].as_str().unwrap().starts_with("MATCH ")));
    // The drawing places every step and inspection, sources first.
    assert_eq!(v["drawing"]["nodes"].as_array().unwrap().len(), steps.len() + inspections.len());
}

#[test]
fn a_failing_chain_is_marked_failing_in_json_dot_and_mermaid() {
    // package's MATCH from update-version cannot consume foo.py (its digest
    // changed in between), and DISALLOW * rejects it.
    let v: Value = serde_json::from_slice(&graph_of("tampered-between-steps", "json")).unwrap();
    assert_eq!((v["verdict"].as_str(), v["category"].as_str()), (Some("fail"), Some("rule-disallow")));
    let nodes = v["nodes"].as_array().unwrap();
    let node = |kind: &str, name: &str| {
        nodes.iter().find(|n| n["kind"] == kind && n["name"] == name).unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(node("step", "package")["status"], "fail");
    assert_eq!(node("step", "update-version")["status"], "pass");
    // The inspection did not run: its rules, and the flows into it, were not evaluated.
    assert_eq!(node("inspection", "untar")["status"], "skipped");
    let id = |kind: &str, name: &str| node(kind, name)["id"].clone();
    let edges = v["edges"].as_array().unwrap();
    let flow = |from: &str, to: (&str, &str)| {
        edges
            .iter()
            .find(|e| e["kind"] == "matches" && e["from"] == id("step", from) && e["to"] == id(to.0, to.1))
            .unwrap_or_else(|| panic!("{from} → {to:?}"))
    };
    assert_eq!(flow("update-version", ("step", "package"))["broken"], true);
    assert_eq!(flow("clone", ("step", "update-version"))["broken"], false);
    let untar = flow("package", ("inspection", "untar"));
    assert_eq!((untar["evaluated"].as_bool(), untar["broken"].as_bool()), (Some(false), Some(false)));

    let dot = String::from_utf8(graph_of("tampered-between-steps", "dot")).unwrap();
    assert!(dot.contains(r#"label="step package ✘ fail", shape=box, color=red"#), "{dot}");
    assert!(
        dot.contains(
            r#"label="✘ MATCH demo-project/* WITH PRODUCTS FROM update-version", style=dashed, color=red"#
        ),
        "{dot}"
    );
    let mermaid = String::from_utf8(graph_of("tampered-between-steps", "mermaid")).unwrap();
    let package = id("step", "package");
    assert!(mermaid.contains(&format!("class {} fail", package.as_str().unwrap())), "{mermaid}");
    assert!(
        mermaid.contains(r#"-.->|"✘ MATCH demo-project/* WITH PRODUCTS FROM update-version"|"#),
        "{mermaid}"
    );
    let passing = String::from_utf8(graph_cmd("mermaid")).unwrap();
    assert!(!passing.contains("fail"), "{passing}");
}

#[test]
fn artifacts_a_rule_broke_on_are_marked_broken() {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/intoto-demo/tampered-between-steps");
    let key = trailscope::crypto::PublicKey::from_file_bytes(
        &std::fs::read(d.join("keys/alice.pub.json")).unwrap(),
    )
    .unwrap();
    let mut opts = trailscope::intoto::VerifyOptions::new(d.join("root.layout"), vec![key]);
    opts.link_dir = d.join("links");
    opts.workdir = d.join("workdir");
    opts.at = trailscope::meta::time::parse("2026-06-01T00:00:00Z").unwrap().at;
    let g = trailscope::graph::intoto::from_options(&opts).unwrap();
    let p = g.provenance("demo-project/foo.py");
    let seen: Vec<(&str, Side, bool)> =
        p.observations.iter().map(|o| (o.item_name.as_str(), o.side, o.broken)).collect();
    assert_eq!(
        seen,
        vec![
            ("clone", Side::Products, false),
            ("update-version", Side::Materials, false),
            ("update-version", Side::Products, false),
            ("package", Side::Materials, true),
        ]
    );
    assert!(p.broken());
}

#[test]
fn a_sublayout_is_in_the_graph_with_its_items_and_their_failure() {
    let dir = corpus_support::scenarios("in-toto")
        .into_iter()
        .find(|d| d.ends_with("sublayout-inner-failure"))
        .expect("the corpus has the scenario");
    let scenario: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let g = trailscope::graph::intoto::from_options(&corpus_support::intoto_options(
        &dir,
        &scenario,
        "layout_keys",
    ))
    .unwrap();
    let scope = vec!["build".to_owned()];
    let test = g.item_in(&scope, "test").expect("the sublayout's test step");
    let compile = g.item_in(&scope, "compile").expect("the sublayout's compile step");
    let status = |n| g.node(n).and_then(|n| n.item()).map(|i| i.status);
    assert_eq!(status(test), Some(trailscope::graph::ItemStatus::Fail));
    assert_eq!(status(compile), Some(trailscope::graph::ItemStatus::Pass));
    // The delegating step fails with its sublayout.
    assert_eq!(status(g.item("build").unwrap()), Some(trailscope::graph::ItemStatus::Fail));
    assert!(g.item("test").is_none(), "sublayout items are not root items");
    // The sublayout's MATCH rule resolves inside the sublayout.
    let neighbours = g.neighbours(test);
    assert!(neighbours.contains(&compile), "{neighbours:?}");
    let sublayouts: Vec<_> = g
        .nodes_of("layout")
        .into_iter()
        .filter_map(|n| match g.node(n) {
            Some(trailscope::graph::Node::Layout(l)) if !l.scope.is_empty() => Some(l.scope.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(sublayouts, vec![scope]);
    let p = g.provenance("out/coverage.html");
    assert!(p.observations.iter().any(|o| o.item == test && o.broken), "{p:?}");
}

#[test]
fn dot_output_parses_with_graphviz() {
    let dot = graph_cmd("dot");
    let Ok(mut child) = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        println!(
            "SKIPPED: Graphviz `dot` is not installed (apt-get install graphviz); DOT output not checked"
        );
        return;
    };
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &dot).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "dot rejected the graph: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
}

#[test]
fn output_is_deterministic() {
    assert_eq!(graph_cmd("json"), graph_cmd("json"));
    assert_eq!(graph_cmd("dot"), graph_cmd("dot"));
}

#[test]
fn mermaid_output_matches_the_snapshot() {
    let got = String::from_utf8(graph_cmd("mermaid")).unwrap();
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/graph_demo.mmd");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() || !snap.exists() && std::env::var_os("CI").is_none() {
        std::fs::create_dir_all(snap.parent().unwrap()).unwrap();
        std::fs::write(&snap, &got).unwrap();
    }
    let want = std::fs::read_to_string(&snap).expect("snapshot (UPDATE_SNAPSHOTS=1 writes it)");
    assert_eq!(got, want, "mermaid output changed; review and rerun with UPDATE_SNAPSHOTS=1");
}

/// clone → build (modifies src/foo.py) → package, signed; build's link says
/// a different digest for src/README than clone produced.
fn scene() -> (Scene, Key, Vec<Key>) {
    let scene = Scene::new();
    let owner = Key::from_seed(9);
    let keys: Vec<Key> = (1..=3).map(Key::from_seed).collect();
    let m = |from: &str| json!([["MATCH", "src/*", "WITH", "PRODUCTS", "FROM", from]]);
    let steps = vec![
        step("clone", &[&keys[0]], json!([]), json!([["CREATE", "src/*"]])),
        step("build", &[&keys[1]], m("clone"), json!([["MODIFY", "src/foo.py"], ["ALLOW", "*"]])),
        step("package", &[&keys[2]], m("build"), json!([["CREATE", "pkg"]])),
    ];
    scene.layout(&common::layout(steps, vec![], &[&keys[0], &keys[1], &keys[2]]), &owner);
    let clone_out = arts(&[("src/foo.py", "01"), ("src/README", "02")]);
    scene.link("clone", &keys[0], &link("clone", arts(&[]), clone_out));
    let build_in = arts(&[("src/foo.py", "01"), ("src/README", "ff")]);
    let build_out = arts(&[("src/foo.py", "03"), ("src/README", "ff")]);
    scene.link("build", &keys[1], &link("build", build_in, build_out.clone()));
    scene.link("package", &keys[2], &link("package", build_out, arts(&[("pkg", "04")])));
    (scene, owner, keys)
}

fn scene_graph() -> (Scene, SupplyGraph) {
    let (scene, owner, _) = scene();
    let g = trailscope::graph::intoto::from_options(&scene.options(&owner)).unwrap();
    (scene, g)
}

#[test]
fn provenance_lists_every_step_side_and_where_the_digest_changed() {
    let (_s, g) = scene_graph();
    let p = g.provenance("src/foo.py");
    let seen: Vec<(String, Side, String)> =
        p.observations.iter().map(|o| (o.item_name.clone(), o.side, o.digests[0].1.clone())).collect();
    assert_eq!(
        seen,
        vec![
            ("clone".into(), Side::Products, "01".into()),
            ("build".into(), Side::Materials, "01".into()),
            ("build".into(), Side::Products, "03".into()),
            ("package".into(), Side::Materials, "03".into()),
        ]
    );
    let changes: Vec<(String, Side)> = p.changes().map(|o| (o.item_name.clone(), o.side)).collect();
    assert_eq!(changes, vec![("build".into(), Side::Products)]);
    // README changed between clone's products and build's materials: a break in the chain.
    let r = g.provenance("src/README");
    assert_eq!(r.changes().next().map(|o| (o.item_name.as_str(), o.side)), Some(("build", Side::Materials)));
}

#[test]
fn a_link_feeds_its_step_and_the_match_rules_naming_it() {
    let (s, g) = scene_graph();
    let build_link = s.path(&format!("links/build.{}.link", Key::from_seed(2).short()));
    let f = g.feeds(&build_link.display().to_string());
    assert_eq!(f.items, vec!["build".to_owned(), "package".to_owned()]);
    let rules: Vec<(String, String)> = f.rules.iter().map(|r| (r.item.clone(), r.text.clone())).collect();
    assert!(rules.contains(&("build".into(), "MODIFY src/foo.py".into())));
    assert!(rules.contains(&("package".into(), "MATCH src/* WITH PRODUCTS FROM build".into())));
    assert!(!rules.iter().any(|(item, _)| item == "clone"));
}

#[test]
fn the_chain_drawing_layers_steps_by_their_match_rules() {
    let (_s, g) = scene_graph();
    let d = draw(&g, View::Chain);
    let layer = |name: &str| d.position(g.item(name).unwrap()).unwrap().layer;
    assert_eq!((layer("clone"), layer("build"), layer("package")), (0, 1, 2));
    assert_eq!(d.layers, 3);
    assert!(d.edges.iter().all(|e| !e.back));
}

#[test]
fn signatures_are_edges_whether_or_not_they_verify() {
    let (s, owner, keys) = scene();
    // Tamper with build's link after signing.
    let rel = format!("links/build.{}.link", keys[1].short());
    let mut doc: Value = serde_json::from_slice(&std::fs::read(s.path(&rel)).unwrap()).unwrap();
    doc["signed"]["products"]["evil"] = json!({"sha256": "66"});
    s.write(&rel, &doc);
    let g = trailscope::graph::intoto::from_options(&s.options(&owner)).unwrap();
    let json = trailscope::graph::export::to_json(&g, Default::default());
    let link = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "link" && n["step"] == "build")
        .unwrap();
    assert_eq!(link["state"], "bad-signature");
    let signs: Vec<&str> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "signs")
        .map(|e| e["signature"].as_str().unwrap())
        .collect();
    assert_eq!(signs.iter().filter(|s| **s == "invalid").count(), 1);
    assert_eq!(signs.iter().filter(|s| **s == "valid").count(), 3, "layout + two good links");
}

#[test]
fn tuf_graph_gives_the_delegation_path_of_a_target() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/tuf/nested-delegation-3-deep");
    let scenario: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let inputs = &scenario["inputs"];
    let root = std::fs::read(dir.join(inputs["trusted_root"].as_str().unwrap())).unwrap();
    let opts = trailscope::engine::plans::tuf::TufOptions {
        root: dir.join(inputs["trusted_root"].as_str().unwrap()),
        metadata: dir.join(inputs["metadata_dir"].as_str().unwrap()).display().to_string(),
        targets: None,
        state: None,
        save_state: false,
        at: trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at,
        // As `trailscope graph` runs it: the audit keeps every role's targets.
        config: trailscope::tuf::Config { keep_audited_targets: true, ..Default::default() },
        target_paths: Vec::new(),
        all_roles: true,
    };
    let outcome = trailscope::engine::plans::tuf::run_session(&opts, root, opts.at);
    let g = trailscope::graph::tuf::from_outcome(&outcome).unwrap();
    let target = scenario["expect"]["targets"].as_object().unwrap().keys().next().unwrap().clone();
    let want_role = scenario["expect"]["targets"][&target]["role"].as_str().unwrap().to_owned();
    let path = g.delegation_path(&target).expect("a delegation path");
    assert_eq!(path.first().map(String::as_str), Some("root"));
    assert_eq!(path.get(1).map(String::as_str), Some("targets"));
    assert_eq!(path.last(), Some(&want_role));
    assert!(path.len() >= 4, "{path:?}");
    let d = draw(&g, View::Trust);
    let layer = |name: &str| d.position(g.role(name).unwrap()).unwrap().layer;
    assert!(path.windows(2).all(|w| layer(&w[0]) < layer(&w[1])), "{path:?}");
}

#[test]
fn the_graph_builds_for_three_steps_with_many_artifacts() {
    // 3 steps × N artifacts per side (100,000 in the benchmark; smaller here for debug builds).
    let n: usize = std::env::var("GRAPH_SCALE_N").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let scene = Scene::new();
    let owner = Key::from_seed(9);
    let keys: Vec<Key> = (1..=3).map(Key::from_seed).collect();
    let names = ["a", "b", "c"];
    let steps: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let m = if i == 0 {
                json!([])
            } else {
                json!([["MATCH", "*", "WITH", "PRODUCTS", "FROM", names[i - 1]]])
            };
            step(s, &[&keys[i]], m, json!([["ALLOW", "*"]]))
        })
        .collect();
    scene.layout(&common::layout(steps, vec![], &[&keys[0], &keys[1], &keys[2]]), &owner);
    let files: serde_json::Map<String, Value> =
        (0..n).map(|i| (format!("src/f{i:06}.c"), json!({"sha256": format!("{i:064x}")}))).collect();
    let files = Value::Object(files);
    for (i, s) in names.iter().enumerate() {
        scene.link(s, &keys[i], &link(s, files.clone(), files.clone()));
    }
    let started = std::time::Instant::now();
    let g = trailscope::graph::intoto::from_options(&scene.options(&owner)).unwrap();
    eprintln!("graph of 3 × {n} artifacts built in {:?}", started.elapsed());
    assert_eq!(g.nodes_of("artifact").len(), 3 * 2 * n);
    // Edges are per artifact and per rule, never per pair of artifacts.
    assert!(g.edge_count() < 3 * 2 * n + 100);
    let p = g.provenance("src/f000042.c");
    assert_eq!(p.observations.len(), 6);
    assert_eq!(p.changes().count(), 0);
}
