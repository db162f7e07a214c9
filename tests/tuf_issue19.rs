//! The TUF disagreements of issue #19 through the command line: what a user
//! sees for each scenario `tools/gen_tuf_issue19.py` built (their verdicts,
//! from python-tuf 7.0.1, are checked by tests/tuf_corpus.rs).

mod http_support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn scenario(name: &str) -> PathBuf {
    let set = if name.starts_with("issue19-trusted-root") { "tuf-trust-anchor" } else { "tuf" };
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop").join(set).join(name)
}

const AT: &str = "2026-12-06T00:00:00Z";

/// `tuf verify --format json` of a scenario's repository: (exit code, document).
fn verify(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "verify", "--format", "json", "--at", AT, "--root"])
        .arg(dir.join("trusted_root.json"))
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .arg("--targets")
        .arg(dir.join("repo/targets"))
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let doc = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout} {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), doc)
}

fn findings<'a>(doc: &'a Value, category: &str) -> Vec<&'a Value> {
    doc["findings"].as_array().unwrap().iter().filter(|f| f["category"] == category).collect()
}

#[test]
fn a_truncated_trusted_root_gets_a_json_document_and_exit_3() {
    let dir = scenario("issue19-trusted-root-truncated");
    for command in ["verify", "inspect"] {
        let out = Command::cargo_bin("trailscope")
            .unwrap()
            .args(["tuf", command, "--format", "json", "--root"])
            .arg(dir.join("trusted_root.json"))
            .arg("--metadata")
            .arg(dir.join("repo/metadata"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{command}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!((doc["verdict"].as_str(), doc["category"].as_str()), (Some("fail"), Some("malformed")));
        let f = &findings(&doc, "malformed")[0];
        assert!(f["source"]["file"].as_str().unwrap().ends_with("trusted_root.json"), "{f}");
        assert!(f["message"].as_str().unwrap().contains("invalid JSON"), "{f}");
    }
}

#[test]
fn a_trusted_root_with_one_key_id_signing_twice_gets_a_json_document_and_exit_3() {
    let dir = scenario("issue19-trusted-root-duplicate-signature");
    let (code, doc) = verify(&dir, &[]);
    assert_eq!(code, 3);
    assert_eq!(doc["category"], "malformed");
    let f = &findings(&doc, "malformed")[0];
    assert!(f["message"].as_str().unwrap().contains("multiple signatures found for keyid"), "{f}");
    assert_eq!(f["source"]["pointer"], "/signatures/1");
}

#[test]
fn an_unreadable_trusted_root_gets_a_json_document_and_exit_3() {
    let dir = scenario("issue19-trusted-root-truncated");
    let missing = dir.join("no-such-root.json");
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "verify", "--format", "json", "--root"])
        .arg(&missing)
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((doc["verdict"].as_str(), doc["category"].as_str()), (Some("fail"), Some("other")));
    let f = &findings(&doc, "other")[0];
    assert_eq!(f["source"]["file"], missing.display().to_string());
    assert!(f["message"].as_str().unwrap().contains("cannot read trusted root"), "{f}");
    // A --metadata directory that is not there: the same, naming it.
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "verify", "--format", "json", "--root"])
        .arg(dir.join("trusted_root.json"))
        .arg("--metadata")
        .arg(dir.join("no-such-dir"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["category"], "other");
    assert!(
        findings(&doc, "other")[0]["message"].as_str().unwrap().ends_with("no-such-dir: not a directory")
    );
    // bridge verify says the same in its own document.
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["bridge", "verify", "--format", "json", "--root"])
        .arg(&missing)
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .arg("--targets")
        .arg(dir.join("repo/targets"))
        .args(["--target", "pkg/app.tgz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((doc["kind"].as_str(), doc["category"].as_str()), (Some("bridge"), Some("other")));
}

#[test]
fn every_hash_algorithm_verifies_and_md5_and_sha1_warn() {
    let dir = scenario("issue19-hash-algorithms");
    let all = ["sha224", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2b-256", "blake2s"];
    let mut args: Vec<String> = Vec::new();
    for alg in all.iter().chain(&["sha512_256", "sha1", "md5", "sha256-sha3_256-blake2b-256"]) {
        args.extend(["--target".into(), format!("files/{alg}.bin")]);
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, doc) = verify(&dir, &refs);
    assert_eq!((code, doc["category"].as_str()), (0, Some("ok")), "{doc}");
    assert!(doc["targets"].as_object().unwrap().values().all(|t| t["result"] == "ok"), "{doc}");
    // md5 and sha1: the two targets, and the snapshot's md5 pin of targets.json.
    let weak = findings(&doc, "weak-hash-algorithm");
    let subjects: Vec<&str> = weak
        .iter()
        .map(|f| f["subject"]["path"].as_str().or(f["subject"]["name"].as_str()).unwrap())
        .collect();
    assert_eq!(subjects, ["targets", "files/sha1.bin", "files/md5.bin"], "{weak:?}");
    assert!(weak.iter().all(|f| f["severity"] == "warning"));
    assert!(
        weak[2]["message"].as_str().unwrap().contains("targets pins files/md5.bin with md5"),
        "{}",
        weak[2]
    );

    let (code, doc) = verify(&dir, &["--target", "files/md5.bin", "--strict"]);
    assert_eq!((code, doc["category"].as_str()), (1, Some("weak-hash-algorithm")), "{doc}");

    let (code, doc) = verify(&dir, &["--target", "files/unknown-md4.bin"]);
    assert_eq!((code, doc["category"].as_str()), (1, Some("hash-mismatch")), "{doc}");
    let msg = findings(&doc, "hash-mismatch")[0]["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("unsupported hash algorithm 'md4'"), "{msg}");
}

#[test]
fn target_paths_are_requested_as_written() {
    let dir = scenario("issue19-target-path-percent");
    let server = http_support::Server::start(dir.join("repo"));
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "verify", "--format", "json", "--at", AT, "--root"])
        .arg(dir.join("trusted_root.json"))
        .args(["--metadata", &server.url("metadata"), "--targets", &server.url("targets")])
        .args(["--target", "%41x", "--target", "a%2Fb", "--target", "dir/50%25off.txt"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((out.status.code(), doc["category"].as_str()), (Some(0), Some("ok")), "{doc}");
    let requests = server.requests();
    for sent in ["targets/%41x", "targets/a%2Fb", "targets/dir/50%25off.txt"] {
        assert!(requests.iter().any(|r| r == sent), "{sent} not in {requests:?}");
    }
}

#[test]
fn integers_outside_64_bits_verify_where_they_are_opaque() {
    let dir = scenario("issue19-big-integers");
    let (code, doc) = verify(&dir, &["--target", "pkg/big-custom.tgz"]);
    assert_eq!((code, doc["category"].as_str()), (0, Some("ok")), "{doc}");
}

#[test]
fn a_version_outside_64_bits_is_malformed_with_a_clear_finding() {
    let dir = scenario("issue19-big-integers");
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("s");
    for rel in [
        "trusted_root.json",
        "repo/metadata/1.root.json",
        "repo/metadata/snapshot.json",
        "repo/metadata/targets.json",
    ] {
        std::fs::create_dir_all(copy.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(dir.join(rel), copy.join(rel)).unwrap();
    }
    std::fs::create_dir_all(copy.join("repo/targets")).unwrap();
    let ts = std::fs::read_to_string(dir.join("repo/metadata/timestamp.json")).unwrap();
    let big = ts.replacen("\"version\": 1\n }", "\"version\": 18446744073709551616\n }", 1);
    assert_ne!(big, ts);
    std::fs::write(copy.join("repo/metadata/timestamp.json"), big).unwrap();
    let (code, doc) = verify(&copy, &[]);
    assert_eq!((code, doc["category"].as_str()), (1, Some("malformed")), "{doc}");
    let msg = findings(&doc, "malformed")[0]["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("found an integer outside 64 bits"), "{msg}");
}

#[test]
fn a_consistent_snapshot_root_over_unversioned_files_fails_naming_both() {
    let dir = scenario("issue19-consistent-snapshot-unversioned");
    let (code, doc) = verify(&dir, &["--target", "pkg/app.tgz"]);
    assert_eq!((code, doc["category"].as_str()), (1, Some("download-failed")), "{doc}");
    let f = &findings(&doc, "download-failed")[0];
    assert_eq!(f["subject"]["name"], "snapshot");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("1.snapshot.json failed: no such file; the directory has"), "{msg}");
    assert!(msg.contains("metadata/snapshot.json instead"), "{msg}");
}

#[test]
fn a_tuf_on_ci_checkout_is_read_with_a_finding_per_substituted_file() {
    // The consistent-snapshot scenario made a tuf-on-ci checkout: root_history/.
    let dir = scenario("issue19-consistent-snapshot-unversioned");
    let tmp = tempfile::tempdir().unwrap();
    let meta = tmp.path().join("metadata");
    std::fs::create_dir_all(meta.join("root_history")).unwrap();
    for f in ["timestamp.json", "snapshot.json", "targets.json"] {
        std::fs::copy(dir.join("repo/metadata").join(f), meta.join(f)).unwrap();
    }
    std::fs::copy(dir.join("repo/metadata/1.root.json"), meta.join("root_history/1.root.json")).unwrap();
    std::fs::copy(dir.join("repo/metadata/1.root.json"), meta.join("root.json")).unwrap();
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf", "verify", "--format", "json", "--at", AT, "--root"])
        .arg(dir.join("trusted_root.json"))
        .arg("--metadata")
        .arg(&meta)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((out.status.code(), doc["category"].as_str()), (Some(0), Some("ok")), "{doc}");
    let subs = findings(&doc, "source-layout");
    assert_eq!(subs.len(), 2, "{subs:?}");
    let msg = subs[0]["message"].as_str().unwrap();
    assert!(msg.contains("1.snapshot.json, read") && msg.contains("metadata/snapshot.json"), "{msg}");
}

/// A float in `signed` has no canonical form: python-tuf's serializer
/// refuses it when the signature is checked (a RepositoryError), so the
/// refresh fails at that role; floats outside `signed` are not signed and
/// do not matter.
#[test]
fn a_float_in_signed_is_a_repository_error_and_one_outside_it_is_harmless() {
    let (code, doc) = verify(&scenario("issue19-float-in-signed"), &["--target", "pkg/app.tgz"]);
    assert_eq!((code, doc["category"].as_str()), (1, Some("repository-error")), "{doc}");
    let f = &findings(&doc, "repository-error")[0];
    assert!(f["message"].as_str().unwrap().contains("0.5 is not an integer"), "{f}");
    assert!(f["source"]["file"].as_str().unwrap().ends_with("targets.json"), "{f}");
    assert_eq!(doc["targets"]["pkg/app.tgz"]["category"], "refresh-failed");
    let (code, doc) = verify(&scenario("issue19-float-outside-signed"), &["--target", "pkg/app.tgz"]);
    assert_eq!((code, doc["category"].as_str()), (0, Some("ok")), "{doc}");
    assert_eq!(doc["targets"]["pkg/app.tgz"]["result"], "ok");
}
