//! `trailscope attest verify`, `attest inspect` and `sigstore-client` as a
//! user meets them: what the text and JSON say, the exit codes, the inputs
//! `--bundle` accepts (a file, a directory, an API response).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GITHUB: &str = "https://token.actions.githubusercontent.com";

fn conformance(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sigstore/sigstore-conformance/bundle-verify")
        .join(case)
}

fn a_txt() -> PathBuf {
    conformance("a.txt")
}

fn trailscope() -> Command {
    let mut c = Command::cargo_bin("trailscope").unwrap();
    // Tests never reach Sigstore's repository: the default trusted root is
    // the embedded snapshot, verified with TUF as of its date.
    c.env("TRAILSCOPE_OFFLINE", "1");
    c
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn a_wrong_identity_shows_expected_and_actual_side_by_side() {
    let out = trailscope()
        .args(["attest", "verify", "--format", "json", "--bundle"])
        .arg(conformance("happy-path-intoto-in-dsse-v3/bundle.sigstore.json"))
        .args([
            "--certificate-identity",
            "https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main",
        ])
        .args(["--certificate-oidc-issuer", GITHUB])
        .arg(a_txt())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(doc["kind"], "attestation");
    assert_eq!(doc["verdict"], "fail");
    let f =
        doc["findings"].as_array().unwrap().iter().find(|f| f["category"] == "identity-mismatch").unwrap();
    assert_eq!(
        f["evidence"]["data"]["expected"],
        "https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main"
    );
    assert_eq!(f["evidence"]["data"]["actual"][0], BEACON);
    // The detail: who signed, which log entry, what the Statement says.
    let d = &doc["attestation"];
    assert_eq!(d["certificate"]["sans"][0], BEACON);
    assert_eq!(d["tlog_entries"][0]["log_index"], 155690850);
    assert_eq!(d["tlog_entries"][0]["log"], "https://rekor.sigstore.dev");
    assert_eq!(d["statement"]["predicate_type"], "https://slsa.dev/provenance/v1");
    assert_eq!(
        d["statement"]["subjects"][0]["digest"]["sha256"],
        "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"
    );
    // Everything else this branch can check holds: proof, checkpoint, SET, signature, body, subject.
    for c in [
        "inclusion-proof",
        "checkpoint-invalid",
        "set-invalid",
        "signature-invalid",
        "tlog-body-mismatch",
        "artifact-mismatch",
    ] {
        assert!(!doc["findings"].as_array().unwrap().iter().any(|f| f["category"] == c), "{c}");
    }
}

#[test]
fn the_text_report_names_signer_log_entry_subject_and_provenance() {
    let out = trailscope()
        .args(["attest", "verify", "--bundle"])
        .arg(conformance("happy-path-intoto-in-dsse-v3/bundle.sigstore.json"))
        .args(["--certificate-identity", BEACON, "--certificate-oidc-issuer", GITHUB])
        .arg(a_txt())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("identity:     {BEACON}")), "{text}");
    assert!(text.contains("log entry:    https://rekor.sigstore.dev index 155690850 (dsse 0.0.1)"), "{text}");
    assert!(
        text.contains(
            "subject     a.txt sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"
        ),
        "{text}"
    );
    assert!(text.contains("kind        SLSA provenance v1"), "{text}");
    assert!(
        text.contains("trusted root: production trusted_root.json from the embedded snapshot of Sigstore's TUF repository (2026-08-21"),
        "{text}"
    );
    assert!(!text.contains("Some("), "{text}");
}

#[test]
fn a_tampered_bundle_fails_with_the_check_that_catches_it() {
    let cases = [
        ("checkpoint-wrong-roothash_fail", "checkpoint-invalid"),
        ("inclusion-proof-corrupted-hash_fail", "inclusion-proof"),
        ("dsse-invalid-sig_fail", "signature-invalid"),
        ("wrong-hashedrekord-artifact_fail", "tlog-body-mismatch"),
        ("bundle-unknown-version_fail", "bundle-version"),
    ];
    for (case, category) in cases {
        let out = trailscope()
            .args(["attest", "verify", "--format", "json", "--bundle"])
            .arg(conformance(case).join("bundle.sigstore.json"))
            .args(["--certificate-identity", BEACON, "--certificate-oidc-issuer", GITHUB])
            .arg(a_txt())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{case}");
        let doc = json(&out);
        assert!(
            doc["findings"].as_array().unwrap().iter().any(|f| f["category"] == category),
            "{case}: {doc}"
        );
    }
    let malformed = trailscope()
        .args(["attest", "verify", "--format", "json", "--bundle"])
        .arg(conformance("bundle-malformed-json_fail/bundle.sigstore.json"))
        .args(["--certificate-identity", BEACON, "--certificate-oidc-issuer", GITHUB])
        .arg(a_txt())
        .output()
        .unwrap();
    assert_eq!(malformed.status.code(), Some(1));
    assert_eq!(json(&malformed)["category"], "bundle-malformed");
}

#[test]
fn usage_and_unreadable_inputs_have_their_exit_codes() {
    let bundle = conformance("happy-path-v0.3/bundle.sigstore.json");
    // No identity: exit 2, with the reason.
    let out = trailscope().args(["attest", "verify", "--bundle"]).arg(&bundle).arg(a_txt()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--certificate-identity"));
    // An unreadable trusted root: exit 3.
    let out = trailscope()
        .args(["attest", "verify", "--bundle"])
        .arg(&bundle)
        .args(["--certificate-identity", BEACON, "--certificate-oidc-issuer", GITHUB])
        .args(["--trusted-root", "/nonexistent/trusted_root.json"])
        .arg(a_txt())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    // An artifact that is neither a file nor a digest: exit 3.
    let out = trailscope()
        .args(["attest", "verify", "--bundle"])
        .arg(&bundle)
        .args(["--certificate-identity", BEACON, "--certificate-oidc-issuer", GITHUB, "sha256:nothex"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn a_directory_and_an_api_response_are_verified_bundle_by_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let b1 = std::fs::read(conformance("happy-path-v0.3/bundle.sigstore.json")).unwrap();
    let b2 = std::fs::read(conformance("message-digest-mismatch_fail/bundle.sigstore.json")).unwrap();
    std::fs::write(tmp.path().join("one.sigstore.json"), &b1).unwrap();
    std::fs::write(tmp.path().join("two.sigstore.json"), &b2).unwrap();
    std::fs::write(tmp.path().join("notes.txt"), b"not a bundle").unwrap();
    let out = trailscope()
        .args(["attest", "verify", "--format", "json", "--bundle"])
        .arg(tmp.path())
        .args(["--certificate-identity", BEACON, "--certificate-oidc-issuer", GITHUB])
        .arg(a_txt())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let docs = json(&out);
    let docs = docs.as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert!(docs[1]["findings"].as_array().unwrap().iter().any(|f| f["category"] == "artifact-mismatch"));

    // GitHub's / npm's attestation API answer: {"attestations": [{"bundle": …}]}.
    let api =
        serde_json::json!({"attestations": [{"bundle": serde_json::from_slice::<Value>(&b1).unwrap()}]});
    let api_path = tmp.path().join("api.json");
    std::fs::write(&api_path, serde_json::to_vec(&api).unwrap()).unwrap();
    let out = trailscope().args(["attest", "inspect", "--format", "json"]).arg(&api_path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let d = json(&out);
    assert_eq!(d["tlog_entries"][0]["log_index"], 79571823);
    assert_eq!(d["certificate"]["issuer"], GITHUB);
}

#[test]
fn the_conformance_client_verifies_and_refuses_to_sign() {
    let dir = conformance("signature-mismatch_fail");
    let out = trailscope()
        .args(["sigstore-client", "verify-bundle", "--bundle"])
        .arg(dir.join("bundle.sigstore.json"))
        .args(["--certificate-identity", BEACON, "--certificate-oidc-issuer", GITHUB])
        .arg(a_txt())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("signature-invalid"));
    // Protocol errors are exit 1 too (the protocol knows 0 and 1).
    let out = trailscope().args(["sigstore-client", "verify-bundle", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = trailscope()
        .args(["sigstore-client", "sign-bundle", "--identity-token", "x", "--bundle", "b.json", "a.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("signing is not supported"));
}

#[test]
fn explain_knows_the_attestation_categories() {
    for c in ["identity-mismatch", "tlog-body-mismatch", "checkpoint-invalid", "no-verified-time"] {
        let out = trailscope().args(["explain", c]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{c}");
        assert!(!out.stdout.is_empty());
    }
}

/// conda's publish attestation states no source; the policy reads the
/// certificate's Source Repository URI (1.12) and Ref (1.14) instead, and
/// says so. A predicate that states its source is still what is compared
/// (the conformance SLSA bundle's predicate names another repository than
/// its certificate).
#[test]
fn the_provenance_policy_falls_back_on_the_certificate_when_the_predicate_states_no_source() {
    let sigstore = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sigstore");
    let bundles = sigstore.join("sigstore-rust/crates/sigstore-verify/test_data/bundles");
    let conda = |repo: &str, git_ref: &str| {
        let out = trailscope()
            .args(["attest", "verify", "--format", "json", "--bundle"])
            .arg(bundles.join("conda-attestation.sigstore.json"))
            .arg("--trusted-root")
            .arg(sigstore.join("root-signing/targets/trusted_root.json"))
            .args([
                "--certificate-identity",
                "https://github.com/prefix-dev/sigstore-example/.github/workflows/action.yaml@refs/heads/main",
                "--certificate-oidc-issuer",
                GITHUB,
                "--source-repository",
                repo,
                "--source-ref",
                git_ref,
            ])
            .arg(bundles.join("signed-package-2.1.0-hb0f4dca_0.conda"))
            .output()
            .unwrap();
        (out.status.code(), json(&out))
    };
    let (code, doc) = conda("https://github.com/prefix-dev/sigstore-example", "refs/heads/main");
    assert_eq!((code, doc["verdict"].as_str()), (Some(0), Some("pass")), "{doc:#}");
    let note = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("checked against the certificate"))
        .unwrap_or_else(|| panic!("no fallback note: {doc:#}"));
    let msg = note["message"].as_str().unwrap();
    assert!(msg.contains("Source Repository URI (1.3.6.1.4.1.57264.1.12)"), "{msg}");
    assert!(msg.contains("Source Repository Ref (1.3.6.1.4.1.57264.1.14)"), "{msg}");

    let (code, doc) = conda("https://github.com/evil/sigstore-example", "refs/heads/main");
    assert_eq!((code, doc["category"].as_str()), (Some(1), Some("policy-mismatch")));
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["category"] == "policy-mismatch").unwrap();
    assert_eq!(f["evidence"]["data"]["actual"], "https://github.com/prefix-dev/sigstore-example");
    assert_eq!(
        f["evidence"]["data"]["from"],
        "the certificate's Source Repository URI (1.3.6.1.4.1.57264.1.12)"
    );
    let (_, doc) = conda("https://github.com/prefix-dev/sigstore-example", "refs/tags/v1");
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["category"] == "policy-mismatch").unwrap();
    assert_eq!(f["evidence"]["data"]["actual"], "refs/heads/main");

    // The predicate states its source: the certificate's (the beacon) is not read.
    let out = trailscope()
        .args(["attest", "verify", "--format", "json", "--bundle"])
        .arg(conformance("happy-path-intoto-in-dsse-v3/bundle.sigstore.json"))
        .args(["--certificate-identity", BEACON, "--certificate-oidc-issuer", GITHUB])
        .args([
            "--source-repository",
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon",
        ])
        .arg(a_txt())
        .output()
        .unwrap();
    let doc = json(&out);
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["category"] == "policy-mismatch").unwrap();
    assert_eq!(f["evidence"]["data"]["actual"], "https://github.com/loosebazooka/aa-test");
    assert_eq!(f["evidence"]["data"]["from"], "the predicate");
}
