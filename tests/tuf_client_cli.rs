//! `trailscope tuf-client`, the tuf-conformance client protocol, driven
//! like the suite drives it: fixture repositories served from 127.0.0.1,
//! one process per command, state only in the metadata directory.

use std::path::{Path, PathBuf};

use std::time::Duration;

use assert_cmd::Command;

mod tuf_support;

mod http_support;
use http_support::Server;

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/tuf").join(name)
}

/// A client as the suite sets one up: a metadata and an artifact directory.
struct Client {
    _tmp: tempfile::TempDir,
    metadata: PathBuf,
    artifacts: PathBuf,
    server: Server,
}

impl Client {
    /// Serves `name`'s repository and runs `init` with its trusted root.
    fn new(name: &str) -> Self {
        Self::with_root(name, &std::fs::read(scenario(name).join("trusted_root.json")).unwrap())
    }

    fn with_root(name: &str, root: &[u8]) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let metadata = tmp.path().join("metadata");
        let artifacts = tmp.path().join("targets");
        std::fs::create_dir(&metadata).unwrap();
        std::fs::create_dir(&artifacts).unwrap();
        let initial = tmp.path().join("initial_root.json");
        std::fs::write(&initial, root).unwrap();
        Command::cargo_bin("trailscope")
            .unwrap()
            .args(["tuf-client", "--metadata-dir"])
            .arg(&metadata)
            .arg("init")
            .arg(&initial)
            .assert()
            .code(0);
        let server = Server::start(scenario(name).join("repo"));
        Client { _tmp: tmp, metadata, artifacts, server }
    }

    fn refresh(&self) -> assert_cmd::assert::Assert {
        Command::cargo_bin("trailscope")
            .unwrap()
            .args(["tuf-client", "--metadata-url", &self.server.url("metadata"), "--metadata-dir"])
            .arg(&self.metadata)
            .arg("refresh")
            .assert()
    }

    fn download(&self, names: &[&str]) -> assert_cmd::assert::Assert {
        let mut cmd = Command::cargo_bin("trailscope").unwrap();
        cmd.args(["tuf-client", "--metadata-url", &self.server.url("metadata"), "--metadata-dir"])
            .arg(&self.metadata);
        for n in names {
            cmd.args(["--target-name", n]);
        }
        cmd.arg("--target-dir").arg(&self.artifacts).args([
            "--target-base-url",
            &self.server.url("targets"),
            "download",
        ]);
        cmd.assert()
    }

    /// `*.json` directly in the metadata directory, as the suite lists trusted roles.
    fn trusted_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.metadata)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        names
    }

    fn artifact_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&self.artifacts)
            .unwrap()
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
            .collect();
        out.sort();
        out
    }
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn refresh_requests_in_reference_order_and_keeps_exact_bytes() {
    let c = Client::new("plain-consistent");
    c.refresh().code(0);
    assert_eq!(
        c.server.take(),
        [
            "metadata/2.root.json",
            "metadata/timestamp.json",
            "metadata/1.snapshot.json",
            "metadata/1.targets.json"
        ]
    );
    assert_eq!(c.trusted_files(), ["root.json", "snapshot.json", "targets.json", "timestamp.json"]);
    let repo = scenario("plain-consistent").join("repo/metadata");
    for (stored, served) in [
        ("root.json", "1.root.json"),
        ("timestamp.json", "timestamp.json"),
        ("snapshot.json", "1.snapshot.json"),
        ("targets.json", "1.targets.json"),
    ] {
        assert_eq!(
            std::fs::read(c.metadata.join(stored)).unwrap(),
            std::fs::read(repo.join(served)).unwrap(),
            "{stored}"
        );
    }
    // The local snapshot and targets are still valid: only root and timestamp are asked for.
    c.refresh().code(0);
    assert_eq!(c.server.take(), ["metadata/2.root.json", "metadata/timestamp.json"]);
}

#[test]
fn options_come_in_any_order_and_usage_errors_exit_1() {
    let c = Client::new("plain-consistent");
    Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf-client", "--metadata-dir"])
        .arg(&c.metadata)
        .args(["-v", "--metadata-url", &c.server.url("metadata"), "refresh"])
        .assert()
        .code(0);
    Command::cargo_bin("trailscope").unwrap().args(["tuf-client", "--metadata-dir", "x"]).assert().code(1);
    Command::cargo_bin("trailscope").unwrap().args(["tuf-client", "--bogus", "refresh"]).assert().code(1);
    // refresh without --metadata-url
    let a = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf-client", "--metadata-dir"])
        .arg(&c.metadata)
        .arg("refresh")
        .assert()
        .code(1);
    assert!(stderr(&a).contains("--metadata-url"), "{}", stderr(&a));
}

#[test]
fn download_refreshes_first_caches_artifacts_and_redownloads_a_damaged_copy() {
    let c = Client::new("plain-consistent");
    let names = ["delta/mike-8.22.bin", "foxtrot/echo/victor-3.6.tar.gz"];
    c.download(&names).code(0);
    let requests = c.server.take();
    assert_eq!(
        requests,
        [
            "metadata/2.root.json",
            "metadata/timestamp.json",
            "metadata/1.snapshot.json",
            "metadata/1.targets.json",
            "targets/delta/3720969e6da28cbdd36c6b31448a8fe5bafa2383b0db0e4f63fb8174a825b9ec.mike-8.22.bin",
            // The first listed hash names the file (sha256 here; sha512 is checked too).
            "targets/foxtrot/echo/d4e9845739cbfae5c7a8cc1aa8896a8ff15f8b85343ffc01ee798fdf0a45fc0a.victor-3.6.tar.gz",
        ]
    );
    let files = c.artifact_files();
    assert_eq!(
        files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["delta%2Fmike-8.22.bin", "foxtrot%2Fecho%2Fvictor-3.6.tar.gz"]
    );
    let targets = scenario("plain-consistent").join("repo/targets");
    assert_eq!(
        files[0].1,
        std::fs::read(
            targets
                .join("delta/3720969e6da28cbdd36c6b31448a8fe5bafa2383b0db0e4f63fb8174a825b9ec.mike-8.22.bin")
        )
        .unwrap()
    );

    // Both cached: no artifact request.
    c.download(&names).code(0);
    assert!(c.server.take().iter().all(|r| r.starts_with("metadata/")));

    // A damaged copy is replaced in the same file.
    let damaged = c.artifacts.join("delta%2Fmike-8.22.bin");
    std::fs::write(&damaged, b"tampered").unwrap();
    c.download(&names[..1]).code(0);
    assert_eq!(c.server.take().iter().filter(|r| r.starts_with("targets/")).count(), 1);
    assert_eq!(c.artifact_files(), files);
}

#[test]
fn a_target_that_fails_verification_is_never_stored() {
    let c = Client::new("target-hash-mismatch");
    let a = c.download(&["redis-9.16.txt"]).code(1);
    let err = stderr(&a);
    assert!(err.contains("targets:") && err.contains("hash-mismatch"), "{err}");
    assert!(c.artifact_files().is_empty());
}

#[test]
fn an_unknown_target_fails_after_the_refresh() {
    let c = Client::new("plain-consistent");
    let a = c.download(&["no/such/file"]).code(1);
    assert!(stderr(&a).contains("target no/such/file not found"), "{}", stderr(&a));
    assert_eq!(c.trusted_files(), ["root.json", "snapshot.json", "targets.json", "timestamp.json"]);
    assert!(c.artifact_files().is_empty());
}

#[test]
fn delegated_roles_are_stored_under_their_quoted_names() {
    let c = Client::new("delegation-path-patterns");
    c.download(&["exact/file.txt"]).code(0);
    let files = c.trusted_files();
    assert!(files.contains(&"openssl.json".to_owned()), "{files:?}");
    let requests = c.server.take();
    assert!(requests.contains(&"metadata/1.openssl.json".to_owned()), "{requests:?}");
}

#[test]
fn an_invalid_trusted_root_fails_refresh_without_any_request() {
    let mut root: serde_json::Value = serde_json::from_slice(
        &std::fs::read(scenario("plain-consistent").join("trusted_root.json")).unwrap(),
    )
    .unwrap();
    root["signed"]["version"] = serde_json::json!(7);
    let c = Client::with_root("plain-consistent", &serde_json::to_vec(&root).unwrap());
    let a = c.refresh().code(1);
    assert!(stderr(&a).contains("root:"), "{}", stderr(&a));
    assert!(c.server.take().is_empty());
}

#[test]
fn an_expired_timestamp_fails_with_the_role_and_check() {
    let c = Client::new("expired-timestamp");
    let a = c.refresh().code(1);
    let err = stderr(&a);
    assert!(err.contains("timestamp: timestamp.json is expired (§5.4.4, expired)"), "{err}");
    // Not stored: only the root is trusted.
    assert_eq!(c.trusted_files(), ["root.json"]);
}

/// The clock is read through libc, so libfaketime moves it (the suite's
/// expiry tests depend on that). Skipped where `faketime` is not installed.
#[test]
fn faketime_moves_the_clock() {
    if std::process::Command::new("faketime").arg("--version").output().is_err() {
        eprintln!("faketime not installed; skipped");
        return;
    }
    let c = Client::new("plain-consistent");
    let bin = assert_cmd::cargo::cargo_bin("trailscope");
    let out = std::process::Command::new("faketime")
        .arg("2040-01-01 00:00:00")
        .arg(&bin)
        .args(["tuf-client", "--metadata-url", &c.server.url("metadata"), "--metadata-dir"])
        .arg(&c.metadata)
        .arg("refresh")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("final root.json is expired") && err.contains("evaluated at 2040-01-01"), "{err}");
}

/// Downloads never write outside `--target-dir` (and metadata never outside
/// `--metadata-dir`), whatever the target paths and role names say.
#[test]
fn hostile_target_paths_and_role_names_stay_inside_their_directories() {
    use tuf_support::*;
    let k = Keys::new("client-paths");
    let d = key("client-paths-d");
    let body: &[u8] = b"payload";
    let evil =
        ["../escape.bin", "a/../../escape.bin", "/tmp/escape.bin", "..\\escape.bin", "sub/../../x", "..."];
    let listed: Vec<(&str, &[u8])> = evil.iter().map(|p| (*p, body)).collect();
    // "nested/role" lists deep/file; "../../role-escape" is asked for deep/other
    // (the test server refuses to serve `..`, so it is requested, then fails).
    let dele = delegations(
        &[&d],
        vec![
            delegated("nested/role", &[&d], 1, &["*/*"], false),
            delegated("../../role-escape", &[&d], 1, &["*/*"], false),
        ],
    );
    let roles = [
        ("nested/role", sign(&targets(1, &[("deep/file", body)], None), &[&d])),
        ("../../role-escape", sign(&targets(1, &[("deep/other", body)], None), &[&d])),
    ];
    let files = repo(&k, &listed, Some(dele), &roles);
    let served = tempfile::tempdir().unwrap();
    files.write(&served.path().join("metadata"));
    // This test server decodes %2F into a directory separator.
    std::fs::create_dir_all(served.path().join("metadata/nested")).unwrap();
    std::fs::write(served.path().join("metadata/nested/role.json"), &roles[0].1).unwrap();
    for p in evil.iter().chain(["deep/file"].iter()) {
        let rel = served.path().join("targets").join(p.trim_start_matches('/'));
        if let Some(parent) = rel.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(rel, body);
    }
    let tmp = tempfile::tempdir().unwrap();
    let inner = tmp.path().join("x/y");
    let (metadata, artifacts) = (inner.join("metadata"), inner.join("targets"));
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(inner.join("root.json"), k.signed_root(1)).unwrap();
    let server = Server::start(served.path().to_path_buf());
    Command::cargo_bin("trailscope")
        .unwrap()
        .args(["tuf-client", "--metadata-dir"])
        .arg(&metadata)
        .arg("init")
        .arg(inner.join("root.json"))
        .assert()
        .code(0);
    for name in evil.iter().chain(["deep/file", "deep/other"].iter()) {
        let out = Command::cargo_bin("trailscope")
            .unwrap()
            .args(["tuf-client", "--metadata-url", &server.url("metadata"), "--metadata-dir"])
            .arg(&metadata)
            .args(["--target-name", name, "--target-dir"])
            .arg(&artifacts)
            .args(["--target-base-url", &server.url("targets"), "download"])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // Only the two directories (and the root file) exist under x/y; nothing above.
    let mut top: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["x"]);
    let mut mid: Vec<String> = std::fs::read_dir(tmp.path().join("x"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    mid.sort();
    assert_eq!(mid, ["y"]);
    for dir in [&metadata, &artifacts] {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(!name.contains(['/', '\\']) && name != "." && name != "..", "{name}");
        }
    }
    assert!(metadata.join("nested%2Frole.json").is_file(), "the role was loaded and stored quoted");
    assert!(server.take().iter().any(|r| r == "metadata/..%2F..%2Frole-escape.json"));
    let stored: Vec<String> = std::fs::read_dir(&artifacts)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(stored.contains(&"deep%2Ffile".to_owned()), "{stored:?}");
}
