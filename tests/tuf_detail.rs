//! The typed TUF detail (`verdict::tuf_detail`) keeps the JSON contract:
//! `tuf verify`, `tuf inspect` and `bridge verify` print the same bytes as
//! when the detail was a JSON tree (`tests/golden/tuf-detail/`, written by
//! the JSON-tree build on the same fixtures: rejected, unreached and
//! audited roles, root rotations, hash-prefix and succinct delegations);
//! every document of the TUF and bridge corpora reads back typed and equal;
//! and the document's members come out in key order.

mod corpus_support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use trailscope::tuf::report;
use trailscope::tuf::session::{self, Request};
use trailscope::tuf::{Config, DirSource, StateDir};
use trailscope::verdict::Document;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(dir: &str) -> Value {
    serde_json::from_slice(&std::fs::read(manifest().join(dir).join("scenario.json")).unwrap()).unwrap()
}

/// The inputs of a TUF scenario as command-line arguments, relative to
/// the crate (so the file names in the output do not depend on the machine).
fn tuf_args(dir: &str) -> Vec<String> {
    let s = scenario(dir);
    let input = |key: &str, default: &str| format!("{dir}/{}", s["inputs"][key].as_str().unwrap_or(default));
    let mut args = vec![
        "--root".into(),
        input("trusted_root", "trusted_root.json"),
        "--metadata".into(),
        input("metadata_dir", "repo/metadata"),
        "--targets".into(),
        input("targets_dir", "repo/targets"),
        "--at".into(),
        s["now"].as_str().unwrap().to_owned(),
    ];
    if let Some(state) = s["inputs"]["client_state"].as_str() {
        args.extend(["--state".into(), format!("{dir}/{state}")]);
    }
    for target in s["expect"]["targets"].as_object().into_iter().flat_map(|t| t.keys()) {
        args.extend(["--target".into(), target.clone()]);
    }
    args
}

/// stdout and the exit code as the golden files hold them, with the
/// version of trailscope replaced by `@VERSION@`.
fn run(args: &[String]) -> String {
    let out = Command::cargo_bin("trailscope").unwrap().current_dir(manifest()).args(args).output().unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let stdout = String::from_utf8(out.stdout)
        .unwrap()
        .replace(&format!("\"version\": \"{version}\"\n"), "\"version\": \"@VERSION@\"\n")
        .replace(&format!("trailscope {version}"), "trailscope @VERSION@");
    format!("{stdout}exit {}\n", out.status.code().unwrap_or(-1))
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(manifest().join("tests/golden/tuf-detail").join(name)).unwrap()
}

/// `UPDATE_GOLDEN=1` rewrites the golden file (review the diff before committing).
fn assert_same(name: &str, got: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(manifest().join("tests/golden/tuf-detail").join(name), got).unwrap();
    }
    let want = golden(name);
    if got != want {
        let line = got.lines().zip(want.lines()).position(|(a, b)| a != b);
        panic!("{name} differs from its golden file at line {line:?}:\n{got}");
    }
}

#[test]
fn tuf_verify_and_inspect_print_the_bytes_of_the_json_tree_build() {
    let cases = [
        ("tuf-delegation-cycle.all.json", "fixtures/interop/tuf/delegation-cycle", "verify", true, "json"),
        ("tuf-delegation-cycle.all.text", "fixtures/interop/tuf/delegation-cycle", "verify", true, "text"),
        (
            "tuf-delegation-cycle.all.markdown",
            "fixtures/interop/tuf/delegation-cycle",
            "verify",
            true,
            "markdown",
        ),
        (
            "tuf-succinct-hash-bins.all.text",
            "fixtures/interop/tuf/succinct-hash-bins",
            "verify",
            true,
            "text",
        ),
        (
            "tuf-attacks-expired-root.verify.json",
            "fixtures/tuf-attacks/expired-root",
            "verify",
            false,
            "json",
        ),
        (
            "tuf-attacks-rollback-timestamp.verify.json",
            "fixtures/tuf-attacks/rollback-timestamp",
            "verify",
            false,
            "json",
        ),
        (
            "tuf-attacks-threshold-not-met.all.json",
            "fixtures/tuf-attacks/threshold-not-met",
            "verify",
            true,
            "json",
        ),
        (
            "tuf-attacks-threshold-not-met.all.markdown",
            "fixtures/tuf-attacks/threshold-not-met",
            "verify",
            true,
            "markdown",
        ),
        (
            "tuf-root-rotation-chain.inspect.json",
            "fixtures/interop/tuf/root-rotation-chain",
            "inspect",
            false,
            "json",
        ),
        (
            "tuf-root-rotation-chain.inspect.text",
            "fixtures/interop/tuf/root-rotation-chain",
            "inspect",
            false,
            "text",
        ),
        (
            "tuf-path-hash-prefixes.inspect.json",
            "fixtures/interop/tuf/path-hash-prefixes",
            "inspect",
            false,
            "json",
        ),
    ];
    for (name, dir, verb, all_roles, format) in cases {
        let mut args: Vec<String> = vec!["tuf".into(), verb.into()];
        args.extend(tuf_args(dir));
        if all_roles {
            args.push("--all-roles".into());
        }
        args.extend(["--format".into(), format.into()]);
        assert_same(name, &run(&args));
    }
}

#[test]
fn bridge_verify_prints_the_bytes_of_the_json_tree_build() {
    let dir = "fixtures/interop/bridge/product-hash-mismatch";
    let s = scenario(dir);
    let args: Vec<String> = [
        "bridge",
        "verify",
        "--root",
        &format!("{dir}/trusted_root.json"),
        "--metadata",
        &format!("{dir}/repo/metadata"),
        "--targets",
        &format!("{dir}/repo/targets"),
        "--target",
        s["inputs"]["target"].as_str().unwrap(),
        "--at",
        s["now"].as_str().unwrap(),
        "--format",
        "json",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    assert_same("bridge-product-hash-mismatch.json", &run(&args));
}

fn scenarios(corpus: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(manifest().join(corpus))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("scenario.json").is_file())
        .collect();
    out.sort();
    out
}

fn tuf_document(dir: &Path, all_roles: bool) -> Document {
    let s: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let inputs = &s["inputs"];
    let root = dir.join(inputs["trusted_root"].as_str().unwrap());
    let metadata = DirSource::new(dir.join(inputs["metadata_dir"].as_str().unwrap()));
    let targets = DirSource::new(dir.join(inputs["targets_dir"].as_str().unwrap()));
    let scratch = tempfile::tempdir().unwrap();
    let state = inputs["client_state"].as_str().map(|cs| {
        corpus_support::copy_tree(&dir.join(cs), scratch.path());
        StateDir::new(scratch.path(), false)
    });
    let outcome = session::run(Request {
        root_bytes: std::fs::read(&root).unwrap(),
        root_file: root.display().to_string(),
        metadata: &metadata,
        targets: Some(&targets),
        state,
        at: trailscope::meta::time::parse(s["now"].as_str().unwrap()).unwrap().at,
        config: Config::default(),
        target_paths: s["expect"]["targets"]
            .as_object()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default(),
        all_roles,
    });
    report::document(&outcome, false)
}

/// The document reads back typed and equal, and its text is the sorted
/// rendering of its JSON value (the members are written in key order).
fn assert_round_trip(label: &str, doc: &Document) {
    let text = doc.to_json_string();
    let back = Document::from_json_str(&text).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_eq!(&back, doc, "{label}: read back differs");
    assert_eq!(text, serde_json::to_string_pretty(&doc.to_value()).unwrap(), "{label}: keys out of order");
}

#[test]
fn every_tuf_document_reads_back_typed_and_equal() {
    let mut seen = 0;
    for corpus in ["fixtures/interop/tuf", "fixtures/tuf-attacks"] {
        for dir in scenarios(corpus) {
            for all_roles in [false, true] {
                let doc = tuf_document(&dir, all_roles);
                assert_round_trip(&format!("{} all_roles={all_roles}", dir.display()), &doc);
                seen += 1;
            }
        }
    }
    assert!(seen >= 100, "{seen} documents");
}

#[test]
fn every_bridge_document_carries_its_typed_tuf_detail() {
    for dir in scenarios("fixtures/interop/bridge") {
        let s: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
        let root = dir.join("trusted_root.json");
        let metadata = DirSource::new(dir.join("repo/metadata"));
        let targets = DirSource::new(dir.join("repo/targets")).with_source_layout(metadata.source_layout());
        let at = trailscope::meta::time::parse(s["now"].as_str().unwrap()).unwrap().at;
        let target = s["inputs"]["target"].as_str().unwrap();
        let req = trailscope::bridge::Request::new(
            std::fs::read(&root).unwrap(),
            root.display().to_string(),
            &metadata,
            &targets,
            target,
            at,
        );
        let outcome = trailscope::bridge::verify(&req);
        let doc = outcome.to_document();
        let roles = doc.roles.as_ref().unwrap();
        let top = roles.get("root").unwrap_or_else(|| panic!("{}: no root", dir.display()));
        assert!(top.is_trusted(), "{}", dir.display());
        assert_round_trip(&dir.display().to_string(), &doc);
        // The bridge's own JSON holds the same `roles` as its document.
        let full: Value = serde_json::from_str(&outcome.to_json_string()).unwrap();
        assert_eq!(full["roles"], doc.to_value()["roles"], "{}", dir.display());
    }
}
