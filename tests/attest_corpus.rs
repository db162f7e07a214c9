//! The attestation corpus (fixtures/sigstore, a copy of
//! shared/corpus/attestations): every case whose expected outcome is `pass`
//! or `fail` runs through `trailscope attest verify` and must agree. The 70
//! sigstore-conformance cases use the suite's directory rules (research §3):
//! `artifact` else `../a.txt`, `identity`/`issuer` else the beacon workflow,
//! `key.pub` → `--key`, `trusted_root.json` → `--trusted-root` (else the
//! embedded production root).
//!
//! Until `sigstore::pki` (chain, SCT, RFC 3161) is merged, a case may
//! disagree only when its document says a check was not performed; every
//! fail case whose failure this branch can see must also carry the finding
//! that names it.

use std::path::{Path, PathBuf};

use serde_json::Value;

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GITHUB: &str = "https://token.actions.githubusercontent.com";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sigstore")
}

struct Outcome {
    verdict: String,
    category: String,
    errors: Vec<String>,
}

impl Outcome {
    fn not_performed(&self) -> bool {
        self.errors.iter().any(|c| c == "check-not-performed")
    }
}

fn run(args: &[String]) -> Outcome {
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        // Never Sigstore's repository: the embedded snapshot, verified with TUF.
        .env("TRAILSCOPE_OFFLINE", "1")
        .arg("attest")
        .arg("verify")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(matches!(code, 0 | 1 | 3), "exit {code} for {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let Ok(v) = serde_json::from_slice::<Value>(&out.stdout) else {
        // Exit 3: an input named on the command line (e.g. a key) cannot be read.
        assert_eq!(code, 3, "{args:?}");
        return Outcome { verdict: "fail".into(), category: "input-unreadable".into(), errors: vec![] };
    };
    let docs = if let Value::Array(a) = v { a } else { vec![v] };
    let failed = docs.iter().any(|d| d["verdict"] == "fail");
    assert_eq!(code == 0, !failed, "exit code and verdict disagree for {args:?}");
    let first = docs.iter().find(|d| d["verdict"] == "fail").unwrap_or(&docs[0]);
    Outcome {
        verdict: if failed { "fail".into() } else { "pass".into() },
        category: first["category"].as_str().unwrap_or_default().to_owned(),
        errors: docs
            .iter()
            .flat_map(|d| d["findings"].as_array().cloned().unwrap_or_default())
            .filter(|f| f["severity"] == "error")
            .map(|f| f["category"].as_str().unwrap_or_default().to_owned())
            .collect(),
    }
}

/// The finding a conformance fail case must carry on this branch already
/// (its cause needs no PKI).
fn required_finding(case: &str) -> Option<&'static str> {
    Some(match case {
        "bundle-malformed-json_fail" | "bundle-invalid-base64-signature_fail" => "bundle-malformed",
        "bundle-unknown-version_fail" => "bundle-version",
        "bundle-negative-log-index_fail" | "bundle-empty-certificate-chain_fail" => "bundle-structure",
        "intoto-missing-inclusion-proof_fail"
        | "rekor2-no-inclusion-proof_fail"
        | "rekor2-no-timestamp_fail" => "bundle-structure",
        "bundle-with-root-cert_fail" => "certificate-chain",
        "bundle-from-wrong-instance_fail" | "trust-root-tlog-missing-validity-start_fail" => "tlog-unknown",
        "inclusion-proof-corrupted-hash_fail" | "invalid-inclusion-proof_fail" => "inclusion-proof",
        c if c.starts_with("checkpoint-") || c == "invalid-checkpoint-signature_fail" => "checkpoint-invalid",
        c if c.starts_with("rekor2-checkpoint-") && c.ends_with("_fail") => "checkpoint-invalid",
        "set-invalid-signature_fail" => "set-invalid",
        "integrated-time-in-future_fail"
        | "intoto-expired-certificate_fail"
        | "intoto-set-outside-signing-cert-validity_fail" => "certificate-time",
        "dsse-invalid-sig_fail" | "rekor2-dsse-invalid-sig_fail" | "signature-mismatch_fail" => {
            "signature-invalid"
        }
        c if c.starts_with("dsse-mismatch") || c.starts_with("rekor2-dsse-mismatch") => "tlog-body-mismatch",
        c if c.starts_with("wrong-hashedrekord") || c == "intoto-log-entry-mismatch_fail" => {
            "tlog-body-mismatch"
        }
        "incorrect-public-key_fail" => "tlog-body-mismatch",
        "message-digest-mismatch_fail" | "wrong-material_fail" => "artifact-mismatch",
        "managed-key-no-key_fail" => "check-not-performed",
        _ => return None,
    })
}

struct Row {
    case: String,
    expected: String,
    outcome: Outcome,
}

fn conformance_rows() -> Vec<Row> {
    let dir = root().join("sigstore-conformance/bundle-verify");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert_eq!(cases.len(), 70, "the conformance suite has 70 verification cases");
    let s = |p: &Path| p.display().to_string();
    let read = |p: PathBuf| std::fs::read_to_string(p).ok().map(|t| t.trim().to_owned());
    cases
        .iter()
        .map(|c| {
            let name = c.file_name().unwrap().to_string_lossy().into_owned();
            let mut args = vec!["--bundle".to_owned(), s(&c.join("bundle.sigstore.json"))];
            if c.join("key.pub").is_file() {
                args.extend(["--key".to_owned(), s(&c.join("key.pub"))]);
            } else {
                let id = read(c.join("identity")).unwrap_or_else(|| BEACON.to_owned());
                let iss = read(c.join("issuer")).unwrap_or_else(|| GITHUB.to_owned());
                args.extend([
                    "--certificate-identity".to_owned(),
                    id,
                    "--certificate-oidc-issuer".to_owned(),
                    iss,
                ]);
            }
            if c.join("trusted_root.json").is_file() {
                args.extend(["--trusted-root".to_owned(), s(&c.join("trusted_root.json"))]);
            }
            let artifact = if c.join("artifact").is_file() { c.join("artifact") } else { dir.join("a.txt") };
            args.push(s(&artifact));
            let expected = if name.ends_with("_fail") { "fail" } else { "pass" }.to_owned();
            Row { case: format!("sigstore-conformance/{name}"), expected, outcome: run(&args) }
        })
        .collect()
}

/// The identity and issuer the certificate holds (`attest inspect`), for
/// cases whose source test does not check them.
fn inspected(bundle: &Path) -> (Option<String>, Option<String>) {
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["attest", "inspect", "--format", "json"])
        .arg(bundle)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let cert = &v["certificate"];
    (cert["sans"][0].as_str().map(str::to_owned), cert["issuer"].as_str().map(str::to_owned))
}

/// A path in cases.json: relative to the case's folder unless it starts with a top-level folder.
fn corpus_path(folder: &str, p: &str) -> PathBuf {
    let top = ["npm-registry/", "root-signing/", "sigstore-", "cosign/"];
    if top.iter().any(|t| p.starts_with(t)) { root().join(p) } else { root().join(folder).join(p) }
}

fn other_rows(tmp: &Path) -> (Vec<Row>, Vec<String>) {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(root().join("cases.json")).unwrap()).unwrap();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for c in cases.iter().filter(|c| c["folder"] != "sigstore-conformance") {
        let folder = c["folder"].as_str().unwrap();
        let case = c["case"].as_str().unwrap();
        let expected = c["expected"].as_str().unwrap();
        if expected != "pass" && expected != "fail" {
            skipped.push(format!("{folder}/{case}: expected \"{expected}\""));
            continue;
        }
        let bundle = root().join(c["bundle"].as_str().unwrap());
        let mut args = vec!["--bundle".to_owned(), bundle.display().to_string()];
        let (_, iss) = inspected(&bundle);
        let identity = c["identity"].as_str().unwrap_or("(not checked)");
        let issuer = c["issuer"].as_str().unwrap_or("(not checked)");
        if let Some(key) = identity.strip_prefix("key: ") {
            args.extend(["--key".to_owned(), corpus_path(folder, key).display().to_string()]);
        } else {
            match identity {
                "(another workflow)" => args.extend([
                    "--certificate-identity".into(),
                    "https://github.com/prefix-dev/sigstore-example/.github/workflows/other.yaml@refs/heads/main".into(),
                ]),
                "(regexp 'wrong')" => args.extend(["--certificate-identity-regexp".into(), "wrong".into()]),
                i if i.starts_with('(') => args.extend(["--certificate-identity-regexp".into(), ".*".into()]),
                i => args.extend(["--certificate-identity".into(), i.to_owned()]),
            }
            // A source test with no identity policy checks no issuer either.
            let unchecked = identity.starts_with('(')
                && identity != "(another workflow)"
                && identity != "(regexp 'wrong')";
            if issuer.starts_with('(') || (unchecked && iss.is_none()) {
                args.extend(["--certificate-oidc-issuer-regexp".into(), ".*".into()]);
            } else {
                args.extend(["--certificate-oidc-issuer".into(), issuer.to_owned()]);
            }
        }
        let tr = c["trusted_root"].as_str().unwrap();
        let tr_path = tr.split_whitespace().next().unwrap();
        args.extend(["--trusted-root".into(), root().join(tr_path).display().to_string()]);
        if let Some(extra) = tr.split(" + ").nth(1)
            && !args.iter().any(|a| a == "--key")
        {
            args.extend([
                "--key".into(),
                root().join("sigstore-go/examples").join(extra.trim()).display().to_string(),
            ]);
        }
        let art = c["artifact"].as_str().unwrap_or("-");
        let first = art.split_whitespace().next().unwrap_or("-");
        let artifact: Option<String> = if first.starts_with("sha256:") || first.starts_with("sha512:") {
            Some(first.to_owned())
        } else if art == "empty artifact (0 bytes)" {
            let p = tmp.join(format!("{case}-empty"));
            std::fs::write(&p, b"").unwrap();
            Some(p.display().to_string())
        } else if art == "the 12 bytes 'test content'" {
            let p = tmp.join("test-content");
            std::fs::write(&p, b"test content").unwrap();
            Some(p.display().to_string())
        } else if art.starts_with("the .conda with modified bytes") {
            let orig = root()
                .join(folder)
                .join("crates/sigstore-verify/test_data/bundles/signed-package-2.1.0-hb0f4dca_0.conda");
            let mut bytes = std::fs::read(orig).unwrap();
            bytes[0] ^= 1;
            let p = tmp.join("tampered.conda");
            std::fs::write(&p, bytes).unwrap();
            Some(p.display().to_string())
        } else if art == "a different (random) image digest" {
            Some(format!("sha256:{}", "1".repeat(64)))
        } else if art == "same image" {
            Some("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4".into())
        } else if art.starts_with("(statement subject digest") {
            let out = assert_cmd::Command::cargo_bin("trailscope")
                .unwrap()
                .args(["attest", "inspect", "--format", "json"])
                .arg(&bundle)
                .output()
                .unwrap();
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            v["statement"]["subjects"][0]["digest"]["sha256"].as_str().map(|h| format!("sha256:{h}"))
        } else if corpus_path(folder, first).is_file() {
            Some(corpus_path(folder, first).display().to_string())
        } else {
            None
        };
        if let Some(a) = artifact {
            args.push(a);
        }
        rows.push(Row {
            case: format!("{folder}/{case}"),
            expected: expected.to_owned(),
            outcome: run(&args),
        });
    }
    (rows, skipped)
}

#[test]
fn every_case_with_an_expected_outcome_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rows = conformance_rows();
    let (others, skipped) = other_rows(tmp.path());
    rows.extend(others);
    let mut agree = 0;
    let mut pending = 0;
    let mut problems = Vec::new();
    println!("{:<72} {:<8} {:<8} category", "case", "expected", "actual");
    for r in &rows {
        let ok = r.outcome.verdict == r.expected;
        let mark = if ok {
            agree += 1;
            "agrees"
        } else if r.outcome.not_performed() {
            pending += 1;
            "pending (sigstore::pki)"
        } else {
            problems.push(format!(
                "{}: expected {}, got {} ({})",
                r.case, r.expected, r.outcome.verdict, r.outcome.category
            ));
            "DISAGREES"
        };
        println!("{:<72} {:<8} {:<8} {} — {mark}", r.case, r.expected, r.outcome.verdict, r.outcome.category);
        let name = r.case.rsplit('/').next().unwrap_or_default();
        if r.case.starts_with("sigstore-conformance/")
            && let Some(want) = required_finding(name)
            && !r.outcome.errors.iter().any(|c| c == want)
        {
            problems.push(format!("{}: no {want} finding among {:?}", r.case, r.outcome.errors));
        }
    }
    for s in &skipped {
        println!("skipped: {s}");
    }
    println!(
        "{agree}/{} agree, {pending} pending the PKI module, {} skipped (qualified expectations)",
        rows.len(),
        skipped.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
