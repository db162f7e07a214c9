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

/// One invocation over a directory remembers the signature checks that
/// repeat (the trusted root's intermediate→root link, a checkpoint): bundles
/// after a passing one, with a tampered checkpoint signature, a tampered
/// leaf signature or a leaf expired at signing, still fail for their own
/// reason, and the passing bundle still passes after them.
#[test]
fn remembered_checks_change_no_verdict_in_a_directory() {
    let pass = scenario_bundle("pass");
    let mut bad_leaf = pass.clone();
    flip_last_byte_of_base64(&mut bad_leaf["verificationMaterial"]["certificate"]["rawBytes"]);
    let work = tempfile::tempdir().unwrap();
    let cases = [
        ("1-pass", pass.clone(), "pass"),
        ("2-bad-checkpoint", with_bad_checkpoint_signature(&pass), "checkpoint-invalid"),
        ("3-pass", pass.clone(), "pass"),
        ("4-bad-leaf-signature", bad_leaf, "certificate-chain"),
        ("5-expired-at-signing", scenario_bundle("certificate-expired-at-signing"), "certificate-chain"),
        ("6-pass", pass, "pass"),
    ];
    for (name, bundle, _) in &cases {
        std::fs::write(work.path().join(format!("{name}.sigstore.json")), bundle.to_string()).unwrap();
    }
    let (code, got) = private_instance_categories(work.path());
    assert_eq!(code, Some(1));
    let want: Vec<(String, String)> = cases.iter().map(|(n, _, c)| (n.to_string(), c.to_string())).collect();
    assert_eq!(got, want);
}

/// A bundle of the embedded scenarios.
fn scenario_bundle(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir().join(name).join("bundle.sigstore.json")).unwrap()).unwrap()
}

/// `bundle` with its checkpoint's signature tampered with.
fn with_bad_checkpoint_signature(bundle: &Value) -> Value {
    let mut bad = bundle.clone();
    let envelope =
        &mut bad["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]["envelope"];
    let text = envelope.as_str().unwrap().to_owned();
    let (head, sig_line) = text.trim_end().rsplit_once(' ').unwrap();
    let mut sig = Value::from(sig_line);
    flip_last_byte_of_base64(&mut sig);
    *envelope = Value::from(format!("{head} {}\n", sig.as_str().unwrap()));
    bad
}

/// [`categories`] with the `pass` scenario's trusted root, policy and artifact.
fn private_instance_categories(bundles: &Path) -> (Option<i32>, Vec<(String, String)>) {
    let s: Value = serde_json::from_slice(&std::fs::read(dir().join("pass/scenario.json")).unwrap()).unwrap();
    categories(
        bundles,
        &dir().join("trusted_root.json"),
        s["certificate_identity"].as_str().unwrap(),
        s["certificate_oidc_issuer"].as_str().unwrap(),
        &dir().join("pass/demo-widget-1.4.0.txt"),
    )
}

/// The exit code and the categories, bundle by bundle, of one `attest
/// verify` over a file or a directory of bundles.
fn categories(
    bundles: &Path,
    root: &Path,
    identity: &str,
    issuer: &str,
    artifact: &Path,
) -> (Option<i32>, Vec<(String, String)>) {
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["attest", "verify", "--bundle"])
        .arg(bundles)
        .arg("--trusted-root")
        .arg(root)
        .args(["--certificate-identity", identity, "--certificate-oidc-issuer", issuer])
        .arg(artifact)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let docs: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let docs = docs.as_array().cloned().unwrap_or_else(|| vec![docs]);
    let categories = docs
        .iter()
        .map(|d| {
            let bundle = d["attestation"]["bundle"].as_str().unwrap();
            let name = Path::new(bundle).file_name().unwrap().to_string_lossy().replace(".sigstore.json", "");
            (name, d["category"].as_str().unwrap().to_owned())
        })
        .collect();
    (out.status.code(), categories)
}

/// Seventy copies of `pass`, then `cases` (name, bundle, category), then
/// `pass` again, in one run of `run` (a file or directory: exit code and
/// categories): the trusted root's keys (a CA's, the CT log's, the Rekor
/// log's) get tables of their multiples (`crypto::ecdsa_table`, after 64
/// checks each) on the way, and every bundle must have the category it has
/// alone, without them.
fn assert_tables_change_no_verdict(
    pass: &Value,
    cases: Vec<(&str, Value, &str)>,
    run: impl Fn(&Path) -> (Option<i32>, Vec<(String, String)>),
) {
    let mut all: Vec<(String, Value, String)> =
        (0..70).map(|i| (format!("{i:02}-pass"), pass.clone(), "pass".to_owned())).collect();
    for (i, (name, bundle, category)) in cases.into_iter().enumerate() {
        all.push((format!("{}-{name}", 70 + i), bundle, category.to_owned()));
    }
    all.push(("99-pass".into(), pass.clone(), "pass".into()));
    let work = tempfile::tempdir().unwrap();
    for (name, bundle, _) in &all {
        std::fs::write(work.path().join(format!("{name}.sigstore.json")), bundle.to_string()).unwrap();
    }
    let want: Vec<(String, String)> = all.iter().map(|(n, _, c)| (n.clone(), c.clone())).collect();
    for (name, category) in want.iter().filter(|(_, c)| c != "pass") {
        let alone = run(&work.path().join(format!("{name}.sigstore.json")));
        assert_eq!(alone, (Some(1), vec![(name.clone(), category.clone())]));
    }
    assert_eq!(run(work.path()), (Some(1), want));
}

/// The last byte of a DER signature is a byte of s: the encoding stays
/// valid, the signature does not.
fn flip_last_byte_of_base64(v: &mut Value) {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut bytes = b64.decode(v.as_str().unwrap()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    *v = Value::from(b64.encode(&bytes));
}

/// The private instance (P-256 CA, CT and Rekor keys): a tampered
/// checkpoint, SET and leaf signature and a leaf expired at signing, after
/// seventy passing bundles, each fail as they do alone. (A debug build also
/// holds every "valid" of a table to aws-lc's: a table that passes anything
/// fails this test.)
#[test]
fn tables_of_the_trusted_roots_keys_change_no_verdict_in_a_long_run() {
    let pass = scenario_bundle("pass");
    let mut bad_set = pass.clone();
    flip_last_byte_of_base64(
        &mut bad_set["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"]["signedEntryTimestamp"],
    );
    let mut bad_leaf = pass.clone();
    flip_last_byte_of_base64(&mut bad_leaf["verificationMaterial"]["certificate"]["rawBytes"]);
    let cases = vec![
        ("bad-checkpoint", with_bad_checkpoint_signature(&pass), "checkpoint-invalid"),
        // sigstore-python's order: a SET that does not verify leaves no verified time.
        ("bad-set", bad_set, "no-verified-time"),
        ("bad-leaf-signature", bad_leaf, "certificate-chain"),
        ("expired-at-signing", scenario_bundle("certificate-expired-at-signing"), "certificate-chain"),
    ];
    assert_tables_change_no_verdict(&pass, cases, private_instance_categories);
}

/// Sigstore's production instance, whose Fulcio intermediate signs every
/// leaf with P-384 (the CT and Rekor keys are P-256): the conformance
/// suite's happy path seventy times, then with a tampered leaf signature,
/// message signature and SET.
#[test]
fn tables_change_no_verdict_in_a_long_run_on_the_production_root() {
    let conf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sigstore/sigstore-conformance/bundle-verify");
    let pass: Value =
        serde_json::from_slice(&std::fs::read(conf.join("happy-path-v0.3/bundle.sigstore.json")).unwrap())
            .unwrap();
    let mut bad_leaf = pass.clone();
    flip_last_byte_of_base64(&mut bad_leaf["verificationMaterial"]["certificate"]["rawBytes"]);
    let mut bad_signature = pass.clone();
    flip_last_byte_of_base64(&mut bad_signature["messageSignature"]["signature"]);
    let mut bad_set = pass.clone();
    flip_last_byte_of_base64(
        &mut bad_set["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"]["signedEntryTimestamp"],
    );
    let cases = vec![
        ("bad-leaf-signature", bad_leaf, "certificate-chain"),
        ("bad-signature", bad_signature, "signature-invalid"),
        ("bad-set", bad_set, "no-verified-time"),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sigstore/root-signing/targets/trusted_root.json");
    assert_tables_change_no_verdict(&pass, cases, |bundles| {
        categories(
            bundles,
            &root,
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
            "https://token.actions.githubusercontent.com",
            &conf.join("a.txt"),
        )
    });
}

/// Schema 2: an attestation document lists every check performed with its
/// outcome and every input file with its size and sha256, in every face,
/// and `report --input` renders the saved JSON with the same checks and inputs.
#[test]
fn checks_and_inputs_are_in_every_face_and_survive_report_input() {
    use sha2::Digest as _;
    let (code, json) = verify("checkpoint-unknown-key", "json");
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&json).unwrap();
    let checks = doc["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["what"].as_str().unwrap()).collect();
    for want in [
        "trusted root",
        "bundle format",
        "verified signing time",
        "certificate chain",
        "SCT",
        "identity",
        "OIDC issuer",
        "transparency log",
        "inclusion proof",
        "checkpoint",
        "signed entry timestamp",
        "signature",
        "log entry body",
        "subject digest",
    ] {
        assert!(names.contains(&want), "no {want} check in {names:?}");
    }
    let failed: Vec<&str> =
        checks.iter().filter(|c| c["outcome"] == "fail").map(|c| c["what"].as_str().unwrap()).collect();
    assert_eq!(failed, ["checkpoint"]);
    let chain = names.iter().position(|n| *n == "certificate chain").unwrap();
    let body = names.iter().position(|n| *n == "log entry body").unwrap();
    assert!(chain < body, "sigstore-python's order: {names:?}");

    let bundle_path = dir().join("checkpoint-unknown-key/bundle.sigstore.json");
    let sha = |p: &Path| hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()));
    let inputs = doc["inputs"].as_array().unwrap();
    let input = |role: &str| {
        inputs.iter().find(|i| i["role"] == role).unwrap_or_else(|| panic!("{role}: {inputs:?}"))
    };
    assert_eq!(input("bundle")["sha256"], sha(&bundle_path));
    assert_eq!(input("bundle")["size"], std::fs::metadata(&bundle_path).unwrap().len());
    assert_eq!(input("trusted root")["sha256"], sha(&dir().join("trusted_root.json")));
    assert_eq!(input("artifact")["sha256"], sha(&dir().join("checkpoint-unknown-key/demo-widget-1.4.0.txt")));

    let bundle_sha = sha(&bundle_path);
    let (_, text) = verify("checkpoint-unknown-key", "text");
    assert!(text.contains("checks performed (") && text.contains("✘ fail"), "{text}");
    assert!(text.contains(&bundle_sha), "{text}");
    let (_, markdown) = verify("checkpoint-unknown-key", "markdown");
    assert!(markdown.contains("## Checks performed") && markdown.contains("## Inputs"), "{markdown}");
    assert!(markdown.contains(&bundle_sha), "{markdown}");
    let (_, sarif) = verify("checkpoint-unknown-key", "sarif");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    assert!(sarif.to_string().contains(&bundle_sha));
    assert!(sarif.to_string().contains("\"what\":\"checkpoint\""), "{sarif}");

    let saved = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(saved.path(), &json).unwrap();
    let section = |md: &str, from: &str| -> String {
        let start = md.find(from).unwrap_or_else(|| panic!("{from} missing:\n{md}"));
        md[start..].split("\n## ").next().unwrap().to_owned()
    };
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["report", "--format", "markdown", "--input"])
        .arg(saved.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let again = String::from_utf8(out.stdout).unwrap();
    for s in ["## Checks performed", "## Inputs"] {
        assert_eq!(section(&again, s), section(&markdown, s), "{s}");
    }
}
