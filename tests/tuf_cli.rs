//! `trailscope tuf verify` / `tuf inspect`: exit codes (DESIGN §4) and the JSON document.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop")
}

fn verify(scenario: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    let dir = fixtures().join("tuf").join(scenario);
    let v: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let mut cmd = Command::cargo_bin("trailscope").unwrap();
    cmd.args(["tuf", "verify", "--root"])
        .arg(dir.join("trusted_root.json"))
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .arg("--targets")
        .arg(dir.join("repo/targets"))
        .args(["--at", v["now"].as_str().unwrap()])
        .args(extra);
    cmd.assert()
}

fn json_of(a: &assert_cmd::assert::Assert) -> Value {
    serde_json::from_slice(&a.get_output().stdout).expect("stdout is one JSON document")
}

#[test]
fn verified_repository_exits_0_with_pass_json() {
    let a = verify("plain-consistent", &["--format", "json"]).code(0);
    let doc = json_of(&a);
    assert_eq!(doc["kind"], "tuf");
    assert_eq!(doc["verdict"], "pass");
    assert_eq!(doc["category"], "ok");
    assert_eq!(doc["refresh"], "ok");
    assert_eq!(doc["roles"]["root"]["version"], 1);
    assert_eq!(doc["roles"]["timestamp"]["signatures"]["threshold"], 1);
    assert_eq!(doc["schema_version"], 2);
    let checks = doc["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["what"] == "signatures" && c["subject"]["name"] == "timestamp"));
    assert!(checks.iter().all(|c| c["outcome"] == "pass"), "{checks:#?}");
    assert_eq!(doc["invocation"]["trust_anchor"]["root_version"], 1);
    let inputs = doc["inputs"].as_array().unwrap();
    for role in ["trusted root", "timestamp", "snapshot", "targets"] {
        assert!(inputs.iter().any(|f| f["role"] == role && f["sha256"].is_string()), "{role}");
    }
}

#[test]
fn rollback_exits_1_with_category_and_role() {
    let dir = fixtures().join("tuf/rollback-timestamp");
    let state = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(dir.join("client_state")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), state.path().join(e.file_name())).unwrap();
    }
    let a = verify("rollback-timestamp", &["--format", "json", "--state", state.path().to_str().unwrap()])
        .code(1);
    let doc = json_of(&a);
    assert_eq!(doc["verdict"], "fail");
    assert_eq!(doc["refresh"], "error");
    assert_eq!(doc["category"], "rollback");
    assert_eq!(doc["findings"][0]["subject"], serde_json::json!({"kind": "role", "name": "timestamp"}));
    assert_eq!(doc["findings"][0]["evidence"]["kind"], "versions");
}

#[test]
fn targets_are_reported_with_result_role_hashes_and_length() {
    let a = verify(
        "target-hash-mismatch",
        &["--format", "json", "--target", "redis-9.16.txt", "--target", "no/such/file"],
    )
    .code(1);
    let doc = json_of(&a);
    let t = &doc["targets"]["redis-9.16.txt"];
    assert_eq!(t["result"], "error");
    assert_eq!(t["category"], "hash-mismatch");
    assert_eq!(t["role"], "targets");
    assert!(t["hashes"]["sha256"].is_string());
    assert!(t["length"].is_u64());
    assert_eq!(doc["targets"]["no/such/file"]["result"], "not-found");
    assert_eq!(doc["category"], "hash-mismatch");
}

#[test]
fn save_state_then_rerun_uses_the_stored_metadata() {
    let state = tempfile::tempdir().unwrap();
    let s = state.path().to_str().unwrap();
    verify("plain-consistent", &["--state", s, "--save-state"]).code(0);
    for f in ["root.json", "timestamp.json", "snapshot.json", "targets.json", "root_history/1.root.json"] {
        assert!(state.path().join(f).is_file(), "{f} not saved");
    }
    let served = fixtures().join("tuf/plain-consistent/repo/metadata/timestamp.json");
    assert_eq!(std::fs::read(state.path().join("timestamp.json")).unwrap(), std::fs::read(served).unwrap());
    verify("plain-consistent", &["--state", s]).code(0);
}

#[test]
fn text_output_names_the_failure() {
    let a = verify("expired-timestamp", &[]).code(1);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains("FAIL"), "{out}");
    assert!(out.contains("expired"), "{out}");
}

#[test]
fn usage_and_input_errors_have_their_exit_codes() {
    verify("plain-consistent", &["--at", "yesterday"]).code(2);
    Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "verify", "--metadata", "/nonexistent"])
        .assert()
        .code(2);
    let dir = fixtures().join("tuf/plain-consistent");
    Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "verify", "--root", "/nonexistent/root.json", "--metadata"])
        .arg(dir.join("repo/metadata"))
        .assert()
        .code(3);
    Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "verify", "--root"])
        .arg(dir.join("trusted_root.json"))
        .args(["--metadata", "/nonexistent/dir"])
        .assert()
        .code(3);
    let garbage = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(garbage.path(), b"not json").unwrap();
    Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "verify", "--root"])
        .arg(garbage.path())
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .assert()
        .code(3);
}

#[test]
fn inspect_shows_the_role_tree_and_root_history() {
    let s = fixtures().join("external/tuf/sigstore+root-signing");
    let a = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "inspect", "--root"])
        .arg(s.join("metadata/root_history/9.root.json"))
        .arg("--metadata")
        .arg(s.join("metadata"))
        .args(["--at", "2026-08-22T00:00:00Z"])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains("root v15"), "{out}");
    assert!(out.contains("v10 → v11"), "{out}");
    assert!(out.contains("ID MISMATCH") || out.contains("keyid-mismatch"), "{out}");
    assert!(out.contains("registry.npmjs.org (delegated by targets) v8"), "{out}");
    assert!(out.contains("paths [\"registry.npmjs.org/*\"]"), "{out}");
    let a = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "inspect", "--format", "json", "--root"])
        .arg(s.join("metadata/root_history/9.root.json"))
        .arg("--metadata")
        .arg(s.join("metadata"))
        .args(["--at", "2026-08-22T00:00:00Z"])
        .assert()
        .code(0);
    let doc = json_of(&a);
    assert_eq!(doc["inspect"]["root"]["versions"], serde_json::json!([9, 10, 11, 12, 13, 14, 15]));
    assert_eq!(doc["roles"]["registry.npmjs.org"]["delegator"], "targets");
}

/// `graph tuf`: 3 when the trusted root does not parse, like `tuf verify`.
#[test]
fn graph_of_an_unparseable_trusted_root_exits_3() {
    let dir = fixtures().join("tuf/plain-consistent");
    let garbage = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(garbage.path(), b"not json").unwrap();
    Command::cargo_bin("trailscope")
        .unwrap()
        .args(["graph", "tuf", "--root"])
        .arg(garbage.path())
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .assert()
        .code(3);
    Command::cargo_bin("trailscope")
        .unwrap()
        .args(["graph", "tuf", "--root"])
        .arg(dir.join("trusted_root.json"))
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .assert()
        .code(0);
}
