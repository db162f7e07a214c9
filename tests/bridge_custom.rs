//! The `custom-metadata` categories that no corpus scenario covers:
//! `no-layout`, `multiple-layouts`, `no-layout-keys` and `custom-invalid`
//! (corpus README-bridge, rules 1–2). Each test copies a demo act
//! (`fixtures/demo`, whose keys come from the fixture generator's fixed seeds)
//! into a temporary directory, rewrites one target's `custom` in the role
//! that lists it, re-signs that role, snapshot and timestamp with the demo's
//! keys (the generator's own `envelope`), and checks the verdict through
//! `trailscope::bridge::verify` and through `trailscope bridge verify`.

// The fixture generator's TUF writer (`tuf_repo` reaches `util` as `super::util`).
#[allow(dead_code)]
#[path = "../examples/make_fixtures/tuf_repo.rs"]
mod tuf_repo;
#[allow(dead_code)]
#[path = "../examples/make_fixtures/util.rs"]
mod util;

mod corpus_support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use corpus_support::copy_tree;
use serde_json::{Value, json};
use trailscope::bridge::{self, Request, Stage};
use trailscope::crypto::SigningKey;
use trailscope::tuf::DirSource;
use trailscope::verdict::Verdict;

use tuf_repo::{envelope, timestamp_signed};
use util::sha256;

const ONLINE_ROLE: &str = "package-and-in-toto-metadata-signer";
const LAYOUT_1: &str = "in-toto-metadata/1.core.root.layout";
const LAYOUT_2: &str = "in-toto-metadata/2.core.root.layout";
const PACKAGE_10: &str = "packages/demo-project/demo-project-1.0.tar.gz";
const PACKAGE_11: &str = "packages/demo-project/demo-project-1.1.tar.gz";

fn demo_dir(act: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo").join(act)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The signers of the demo (examples/make_fixtures/demo.rs): the offline
/// top-level targets key, and the online key of snapshot, timestamp and the
/// online role.
fn demo_key(role: &str) -> SigningKey {
    util::ed25519(if role == "targets" { "demo/targets" } else { "demo/online" })
}

/// Re-signs `signed` as the file at `path` with `key`, checking that the key
/// is the one that signed the original.
fn resign(path: &Path, signed: &Value, key: &SigningKey) -> Vec<u8> {
    let old = read_json(path);
    assert_eq!(old["signatures"][0]["keyid"], key.keyid(), "{}: not the demo key", path.display());
    let bytes = envelope(signed, &[key]);
    std::fs::write(path, &bytes).unwrap();
    bytes
}

/// A copy of demo act `act` in which the `custom` of
/// `target` in `role` (the version snapshot names) is `custom`, re-signed up to timestamp.
fn with_custom(act: &str, role: &str, target: &str, custom: Value) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&demo_dir(act), tmp.path());
    let meta = tmp.path().join("repo/metadata");

    let timestamp = read_json(&meta.join("timestamp.json"));
    let snap_version = timestamp["signed"]["meta"]["snapshot.json"]["version"].as_u64().unwrap();
    let snap_path = meta.join(format!("{snap_version}.snapshot.json"));
    let mut snapshot = read_json(&snap_path)["signed"].clone();
    let role_version = snapshot["meta"][format!("{role}.json")]["version"].as_u64().unwrap();

    // The role that lists the target.
    let role_path = meta.join(format!("{role_version}.{role}.json"));
    let mut signed = read_json(&role_path)["signed"].clone();
    let info = &mut signed["targets"][target];
    assert!(info.is_object(), "{role} v{role_version} does not list {target}");
    info["custom"] = custom;
    let role_bytes = resign(&role_path, &signed, &demo_key(role));

    // Snapshot pins the role's hash and length; timestamp pins the snapshot's.
    let entry = &mut snapshot["meta"][format!("{role}.json")];
    entry["hashes"] = json!({"sha256": sha256(&role_bytes)});
    entry["length"] = json!(role_bytes.len());
    let snap_bytes = resign(&snap_path, &snapshot, &demo_key("snapshot"));
    let ts = &timestamp["signed"];
    let ts_signed = timestamp_signed(
        ts["version"].as_u64().unwrap() as u32,
        ts["expires"].as_str().unwrap(),
        snap_version as u32,
        &snap_bytes,
    );
    resign(&meta.join("timestamp.json"), &ts_signed, &demo_key("timestamp"));
    tmp
}

/// The package target's custom as the demo wrote it, with `in-toto` replaced.
fn package_custom(act: &str, package: &str, entries: impl FnOnce(Vec<Value>) -> Value) -> Value {
    let meta = demo_dir(act).join("repo/metadata");
    let timestamp = read_json(&meta.join("timestamp.json"));
    let sv = &timestamp["signed"]["meta"]["snapshot.json"]["version"];
    let snapshot = read_json(&meta.join(format!("{sv}.snapshot.json")));
    let rv = &snapshot["signed"]["meta"][format!("{ONLINE_ROLE}.json")]["version"];
    let role = read_json(&meta.join(format!("{rv}.{ONLINE_ROLE}.json")));
    let mut custom = role["signed"]["targets"][package]["custom"].clone();
    let list = custom["in-toto"].as_array().unwrap().clone();
    custom["in-toto"] = entries(list);
    custom
}

fn scenario(dir: &Path) -> Value {
    read_json(&dir.join("scenario.json"))
}

/// Runs the library path and checks fail / custom-metadata / `category`, the
/// failed target, and a message naming it.
fn expect_custom_failure(dir: &Path, category: &str, failed_target: &str) {
    let s = scenario(dir);
    let root_path = dir.join("trusted_root.json");
    let metadata = DirSource::new(dir.join("repo/metadata"));
    let targets = DirSource::new(dir.join("repo/targets")).with_source_layout(metadata.source_layout());
    let at = trailscope::meta::time::parse(s["now"].as_str().unwrap()).unwrap().at;
    let req = Request::new(
        std::fs::read(&root_path).unwrap(),
        root_path.display().to_string(),
        &metadata,
        &targets,
        s["inputs"]["target"].as_str().unwrap(),
        at,
    );
    let out = bridge::verify(&req);
    let first = out.first.clone().expect("a failure");
    assert_eq!(out.verdict, Verdict::Fail, "{}", first.message);
    assert_eq!(out.stage(), Some(Stage::CustomMetadata), "{}", first.message);
    assert_eq!(out.category, category, "{}", first.message);
    assert_eq!(first.category, category);
    assert_eq!(first.failed_target.as_deref(), Some(failed_target));
    assert!(
        first.message.contains(failed_target),
        "message does not name {failed_target}: {}",
        first.message
    );
    // in-toto did not run.
    assert!(out.intoto.is_none());
    assert_eq!(out.trace.layout_keys, None);
    // The document says the same.
    let doc = out.to_value();
    assert_eq!(doc["verdict"], "fail");
    assert_eq!(doc["stage"], "custom-metadata");
    assert_eq!(doc["category"], category);
    assert_eq!(doc["bridge"]["failed_target"], failed_target);

    // And the CLI: exit 1 with the same document fields.
    let cli = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["bridge", "verify", "--root"])
        .arg(&root_path)
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .arg("--targets")
        .arg(dir.join("repo/targets"))
        .args(["--target", s["inputs"]["target"].as_str().unwrap()])
        .args(["--at", s["now"].as_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(1), "{}", String::from_utf8_lossy(&cli.stderr));
    let v: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(v["verdict"], "fail");
    assert_eq!(v["stage"], "custom-metadata");
    assert_eq!(v["category"], category);
    assert_eq!(v["bridge"]["failed_target"], failed_target);
    assert!(v["bridge"]["message"].as_str().unwrap().contains(failed_target));
}

#[test]
fn the_unmodified_demo_passes() {
    // The re-signing machinery itself is sound: re-sign without a change.
    let custom = package_custom("act1-alice-alone", PACKAGE_10, Value::Array);
    let tmp = with_custom("act1-alice-alone", ONLINE_ROLE, PACKAGE_10, custom);
    let s = scenario(tmp.path());
    let root_path = tmp.path().join("trusted_root.json");
    let metadata = DirSource::new(tmp.path().join("repo/metadata"));
    let targets =
        DirSource::new(tmp.path().join("repo/targets")).with_source_layout(metadata.source_layout());
    let at = trailscope::meta::time::parse(s["now"].as_str().unwrap()).unwrap().at;
    let mut req =
        Request::new(std::fs::read(&root_path).unwrap(), "root", &metadata, &targets, PACKAGE_10, at);
    // About the custom metadata, not the inspection: accept the verdict without it.
    req.skip_inspections = true;
    let out = bridge::verify(&req);
    assert_eq!(out.verdict, Verdict::Pass, "{:?}", out.first);
}

#[test]
fn package_naming_no_layout_is_no_layout() {
    let custom = package_custom("act1-alice-alone", PACKAGE_10, |list| {
        Value::Array(list.into_iter().filter(|e| !e.as_str().unwrap().ends_with(".layout")).collect())
    });
    let tmp = with_custom("act1-alice-alone", ONLINE_ROLE, PACKAGE_10, custom);
    expect_custom_failure(tmp.path(), "no-layout", PACKAGE_10);
}

#[test]
fn package_with_empty_in_toto_list_is_no_layout() {
    let tmp = with_custom(
        "act1-alice-alone",
        ONLINE_ROLE,
        PACKAGE_10,
        json!({"in-toto": [], "root-layout-type": "core"}),
    );
    expect_custom_failure(tmp.path(), "no-layout", PACKAGE_10);
}

#[test]
fn package_naming_two_layouts_is_multiple_layouts() {
    // Act 2 publishes both layout versions; release 1.1 names both.
    let custom = package_custom("act2-bob-updates", PACKAGE_11, |mut list| {
        list.insert(0, json!(LAYOUT_1));
        Value::Array(list)
    });
    assert!(custom["in-toto"].as_array().unwrap().contains(&json!(LAYOUT_2)));
    let tmp = with_custom("act2-bob-updates", ONLINE_ROLE, PACKAGE_11, custom);
    expect_custom_failure(tmp.path(), "multiple-layouts", PACKAGE_11);
}

#[test]
fn the_same_layout_listed_twice_is_not_multiple_layouts() {
    let custom = package_custom("act1-alice-alone", PACKAGE_10, |mut list| {
        list.push(json!(LAYOUT_1));
        Value::Array(list)
    });
    let tmp = with_custom("act1-alice-alone", ONLINE_ROLE, PACKAGE_10, custom);
    let s = scenario(tmp.path());
    let root_path = tmp.path().join("trusted_root.json");
    let metadata = DirSource::new(tmp.path().join("repo/metadata"));
    let targets =
        DirSource::new(tmp.path().join("repo/targets")).with_source_layout(metadata.source_layout());
    let at = trailscope::meta::time::parse(s["now"].as_str().unwrap()).unwrap().at;
    let mut req =
        Request::new(std::fs::read(&root_path).unwrap(), "root", &metadata, &targets, PACKAGE_10, at);
    // About the custom metadata, not the inspection: accept the verdict without it.
    req.skip_inspections = true;
    let out = bridge::verify(&req);
    assert_eq!(out.verdict, Verdict::Pass, "{:?}", out.first);
}

#[test]
fn layout_naming_no_key_is_no_layout_keys() {
    // The layout target is listed by the offline top-level targets role.
    let tmp = with_custom(
        "act1-alice-alone",
        "targets",
        LAYOUT_1,
        json!({"in-toto": [], "root-layout-type": "core"}),
    );
    expect_custom_failure(tmp.path(), "no-layout-keys", LAYOUT_1);
}

#[test]
fn layout_naming_only_non_keys_is_no_layout_keys() {
    let tmp = with_custom(
        "act1-alice-alone",
        "targets",
        LAYOUT_1,
        json!({"in-toto": ["in-toto-pubkeys/owner.pem"], "root-layout-type": "core"}),
    );
    expect_custom_failure(tmp.path(), "no-layout-keys", LAYOUT_1);
}

#[test]
fn package_in_toto_not_a_list_is_custom_invalid() {
    let tmp = with_custom(
        "act1-alice-alone",
        ONLINE_ROLE,
        PACKAGE_10,
        json!({"in-toto": LAYOUT_1, "root-layout-type": "core"}),
    );
    expect_custom_failure(tmp.path(), "custom-invalid", PACKAGE_10);
}

#[test]
fn package_custom_without_in_toto_is_custom_invalid() {
    let tmp = with_custom("act1-alice-alone", ONLINE_ROLE, PACKAGE_10, json!({"root-layout-type": "core"}));
    expect_custom_failure(tmp.path(), "custom-invalid", PACKAGE_10);
}

#[test]
fn package_in_toto_entry_not_a_string_is_custom_invalid() {
    let tmp = with_custom(
        "act1-alice-alone",
        ONLINE_ROLE,
        PACKAGE_10,
        json!({"in-toto": [LAYOUT_1, 7], "root-layout-type": "core"}),
    );
    expect_custom_failure(tmp.path(), "custom-invalid", PACKAGE_10);
}

#[test]
fn layout_in_toto_not_a_list_is_custom_invalid() {
    let pubkey = format!("in-toto-pubkeys/{}.pub", util::ed25519("alice").keyid());
    let tmp = with_custom(
        "act1-alice-alone",
        "targets",
        LAYOUT_1,
        json!({"in-toto": {"key": pubkey}, "root-layout-type": "core"}),
    );
    expect_custom_failure(tmp.path(), "custom-invalid", LAYOUT_1);
}
