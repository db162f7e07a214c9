//! The embedded Sigstore scenarios (fixtures/sigstore-scenarios, written by
//! the fixture generator; each agrees with sigstore-python 4.5.1 through
//! tools/check-sigstore-scenarios.py): `attest verify` gives each one's
//! verdict and category in every format, with the exit code.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sigstore-scenarios")
}

fn verify(name: &str, format: &str) -> (i32, String) {
    let d = dir().join(name);
    let s: Value = serde_json::from_slice(&std::fs::read(d.join("scenario.json")).unwrap()).unwrap();
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["attest", "verify", "--bundle"])
        .arg(d.join(s["bundle"].as_str().unwrap()))
        .arg("--trusted-root")
        .arg(dir().join("trusted_root.json"))
        .args(["--certificate-identity", s["certificate_identity"].as_str().unwrap()])
        .args(["--certificate-oidc-issuer", s["certificate_oidc_issuer"].as_str().unwrap()])
        .arg(d.join(s["artifact"].as_str().unwrap()))
        .args(["--format", format])
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn every_embedded_scenario_has_its_verdict_and_category_in_every_format() {
    let index: Value = serde_json::from_slice(&std::fs::read(dir().join("index.json")).unwrap()).unwrap();
    let scenarios = index["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 9);
    for s in scenarios {
        let name = s["name"].as_str().unwrap();
        let (expected, category) = (s["expected"].as_str().unwrap(), s["category"].as_str().unwrap());
        let (code, json) = verify(name, "json");
        let doc: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}\n{json}"));
        assert_eq!(
            (doc["verdict"].as_str().unwrap(), doc["category"].as_str().unwrap()),
            (expected, category),
            "{name}"
        );
        assert_eq!(code, if expected == "pass" { 0 } else { 1 }, "{name}");
        for format in ["text", "markdown", "sarif"] {
            let (c, out) = verify(name, format);
            assert_eq!(c, code, "{name} {format}");
            if expected == "fail" {
                assert!(out.contains(category), "{name} {format} does not name {category}:\n{out}");
            }
        }
    }
}

#[test]
fn the_wrong_identity_scenario_shows_the_expected_and_the_actual_identity() {
    let (code, text) = verify("wrong-identity", "text");
    assert_eq!(code, 1);
    assert!(text.contains("nightly.yml@refs/heads/main"), "expected identity missing:\n{text}");
    assert!(text.contains("release.yml@refs/tags/v1.4.0"), "actual identity missing:\n{text}");
}
