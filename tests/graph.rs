//! The supply-chain graph: the demo's JSON graph (one node per step and
//! inspection, one edge per MATCH rule), DOT that Graphviz parses, the
//! Mermaid snapshot, provenance, feeds, delegation paths, the drawing, and
//! a build at scale.

mod common;

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
    let d = Path::new("fixtures/intoto-demo/demo-supply-chain");
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["graph", "intoto", "--layout"])
        .arg(d.join("root.layout"))
        .arg("-k")
        .arg(d.join("keys/alice.pub.json"))
        .arg("--link-dir")
        .arg(d.join("links"))
        .args(["--format", format])
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
        config: trailscope::tuf::Config::default(),
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
