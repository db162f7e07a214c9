//! `attest verify`'s TUF refresh of Sigstore's trusted root on a hostile
//! network (#19): a repository on 127.0.0.1 that accepts and never answers
//! is given up at `--timeout`, as a slow retrieval (exit 1, the document
//! says so), not waited on for the default 30 s and not taken for an
//! unreachable one (which would fall back on the embedded snapshot).

use std::net::TcpListener;
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// Accepts connections and holds them without a byte, for 30 s.
fn stalling_repository() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
            if held.len() > 16 {
                break;
            }
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    port
}

#[test]
fn a_stalled_sigstore_repository_fails_at_the_timeout() {
    let port = stalling_repository();
    let cache = tempfile::tempdir().unwrap();
    let conformance = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sigstore/sigstore-conformance/bundle-verify");
    let started = Instant::now();
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .env_remove("TRAILSCOPE_OFFLINE")
        .env("TRAILSCOPE_CACHE_DIR", cache.path())
        .env("TRAILSCOPE_SIGSTORE_TUF_URL", format!("http://127.0.0.1:{port}/"))
        .args(["attest", "verify", "--format", "json", "--timeout", "1", "--min-speed", "1024", "--bundle"])
        .arg(conformance.join("happy-path-v0.3/bundle.sigstore.json"))
        .args([
            "--certificate-identity",
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
        ])
        .arg(conformance.join("a.txt"))
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(secs < 8.0, "took {secs:.1} s with --timeout 1");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["category"], "slow-retrieval", "{doc:#}");
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["severity"] == "error").unwrap();
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert!(msg.contains("within the timeout of 1 s"), "{msg}");
    assert!(!doc["findings"].to_string().contains("embedded snapshot"), "no fallback: {doc:#}");
}
