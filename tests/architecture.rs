//! The layering of DESIGN §2, checked on the source: which top-level module
//! of `src/` names which (`crate::X` paths, test modules included), no import
//! cycle between them, renderers used only by the faces, and the UI crates
//! only under `tui/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Top-level module → the other top-level modules its files name.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let deps = graph.entry(module.clone()).or_default();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && name != module {
                deps.insert(name);
            }
        }
    }
    graph
}

#[test]
fn only_the_faces_use_the_renderers() {
    let graph = module_graph();
    assert!(graph.len() > 10, "the scan found only {graph:?}");
    let users: Vec<&String> =
        graph.iter().filter(|(_, deps)| deps.contains("report")).map(|(m, _)| m).collect();
    for m in &users {
        assert!(
            ["cli", "tui"].contains(&m.as_str()),
            "{m} imports report (renderers are for the faces only)"
        );
    }
    assert!(users.iter().any(|m| *m == "cli"), "the scan must see cli's use of report");
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let graph = module_graph();
    // Depth-first search for a back edge; the path is the cycle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == m) {
            panic!("import cycle: {} -> {m}", path[i..].join(" -> "));
        }
        if done.contains(m) {
            return;
        }
        path.push(m.to_owned());
        for d in graph.get(m).into_iter().flatten() {
            visit(d, graph, path, done);
        }
        path.pop();
        done.insert(m.to_owned());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_verdict_model_sits_below_the_verifiers() {
    let graph = module_graph();
    let verdict = &graph["verdict"];
    for above in ["tuf", "intoto", "bridge", "graph", "engine", "report", "cli", "tui"] {
        assert!(!verdict.contains(above), "verdict imports {above}");
    }
    for verifier in ["tuf", "intoto", "bridge"] {
        assert!(graph[verifier].contains("verdict"), "{verifier} does not produce the verdict model");
        for above in ["graph", "engine", "report", "cli", "tui"] {
            assert!(!graph[verifier].contains(above), "{verifier} imports {above}");
        }
    }
}

#[test]
fn the_terminal_crates_stay_in_the_tui() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        if rel.starts_with("tui") || rel.starts_with("cli") || rel == Path::new("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for krate in ["ratatui::", "crossterm::"] {
            assert!(!text.contains(krate), "{} uses {krate}", rel.display());
        }
    }
}

#[test]
fn the_tui_builds_its_chain_from_the_graph() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let chain = std::fs::read_to_string(src.join("tui/chain.rs")).unwrap();
    assert!(
        chain.contains("crate::graph") && chain.contains("SupplyGraph"),
        "tui/chain.rs must be a view of graph::SupplyGraph"
    );
    // One layering algorithm: the drawing's layers are graph::draw's.
    assert!(chain.contains("draw::draw("), "tui/chain.rs must take its layers from graph::draw");
    assert!(!chain.contains("fn layers"), "tui/chain.rs lays the chain out itself again");
    // No view walks the verifier's trace on its own (statuses, flows and
    // provenance derived a second time would drift from the graph's).
    let mut files = Vec::new();
    rust_files(&src.join("tui"), &mut files);
    assert!(files.len() > 10, "the scan found only {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for copy in ["LayoutTrace", "StepTrace", "InspectionTrace", "layout.steps", ".sublayouts"] {
            assert!(
                !text.contains(copy),
                "{} walks the in-toto trace ({copy}) instead of the graph",
                file.display()
            );
        }
    }
}

#[test]
fn the_workshop_sits_below_the_faces() {
    let graph = module_graph();
    let workshop = &graph["workshop"];
    assert!(workshop.contains("engine") && workshop.contains("verdict"), "{workshop:?}");
    for above in ["report", "cli", "tui", "graph"] {
        assert!(!workshop.contains(above), "workshop imports {above}");
    }
    for (m, deps) in &graph {
        if deps.contains("workshop") {
            assert!(["cli", "tui"].contains(&m.as_str()), "{m} uses workshop (only the faces may)");
        }
    }
}
