//! Reports that are evidence (issue #16): every format carries the command
//! line and version, every input file with its size and sha256, the trust
//! anchor, and the checks performed with their outcome, then the findings;
//! the JSON document (schema_version 2) keeps them, so `report --input`
//! renders the same report, and a schema_version 1 document still renders.

mod common;

use std::path::PathBuf;

use assert_cmd::Command;
use common::inputs as recorded;
use serde_json::Value;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn trailscope() -> Command {
    let mut c = Command::cargo_bin("trailscope").unwrap();
    c.current_dir(manifest());
    c
}

/// `verify` on an embedded-demo in-toto scenario, run from the manifest
/// directory with relative paths (so the report is the same on every machine).
fn verify(name: &str, format: &str) -> (i32, String) {
    let d = format!("fixtures/intoto-demo/{name}");
    let out = trailscope()
        .args(["verify", "-l", &format!("{d}/root.layout"), "-k", &format!("{d}/keys/alice.pub.json")])
        .args(["-d", &format!("{d}/links"), "--workdir", &format!("{d}/workdir")])
        .args(["--at", "2026-01-01T00:00:00Z", "--skip-inspections", "--format", format])
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

fn redact(s: &str) -> String {
    s.replace(env!("CARGO_PKG_VERSION"), "@VERSION@")
}

fn sha256_of(path: &str) -> String {
    let bytes = std::fs::read(manifest().join(path)).unwrap();
    trailscope::crypto::digest::sha256_hex(&bytes)
}

#[test]
fn a_passing_markdown_report_lists_inputs_with_sha256_checks_and_signers() {
    let (code, md) = verify("demo-supply-chain", "markdown");
    assert_eq!(code, 0, "{md}");
    let layout = "fixtures/intoto-demo/demo-supply-chain/root.layout";
    assert!(md.contains(&format!("| layout | {layout} | ")), "{md}");
    assert!(md.contains(&format!("`{}`", sha256_of(layout))), "the layout's sha256: {md}");
    assert!(md.contains(
        "| trust anchor | layout keys: fixtures/intoto-demo/demo-supply-chain/keys/alice.pub.json |"
    ));
    assert!(md.contains(
        "| ✔ pass | layout fixtures/intoto-demo/demo-supply-chain/root.layout | layout signature |"
    ));
    assert!(md.contains("| ✔ pass | step package | link threshold | 1 of threshold 1 link(s) signed by the step's functionaries: 2957179c |"), "{md}");
    assert!(md.contains("| – skipped | inspection untar | inspection |"), "{md}");
    insta::assert_snapshot!("markdown_pass_demo_supply_chain", redact(&md));
}

#[test]
fn a_failing_markdown_report_shows_the_failed_check_and_the_first_failure() {
    let (code, md) = verify("tampered-between-steps", "markdown");
    assert_eq!(code, 1, "{md}");
    assert!(md.contains("| ✘ fail | step package | expected\\_materials | rule "), "{md}");
    assert!(md.contains("## First failure"), "{md}");
    let link = "fixtures/intoto-demo/tampered-between-steps/links/package.2957179c.link";
    assert!(md.contains(&format!("`{}`", sha256_of(link))), "{md}");
    insta::assert_snapshot!("markdown_fail_tampered_between_steps", redact(&md));
}

#[test]
fn json_inputs_round_trip_through_report_input() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, code) in [("demo-supply-chain", 0), ("tampered-between-steps", 1)] {
        let (c, json) = verify(name, "json");
        assert_eq!(c, code);
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["schema_version"], 2);
        assert_eq!(recorded::roles(&v), ["layout", "layout key", "link", "link", "link"], "{json}");
        recorded::assert_fingerprinted(&v, &manifest());
        let inputs = recorded::of(&v);
        let file = tmp.path().join(format!("{name}.json"));
        std::fs::write(&file, &json).unwrap();
        for format in ["markdown", "text", "sarif"] {
            let out = trailscope()
                .args(["report", "--input"])
                .arg(&file)
                .args(["--format", format])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0));
            let text = String::from_utf8(out.stdout).unwrap();
            for f in inputs {
                assert!(text.contains(f["sha256"].as_str().unwrap()), "{format} keeps every input's sha256");
            }
            assert!(text.contains("--skip-inspections"), "{format} keeps the command line");
        }
    }
}

#[test]
fn a_schema_version_1_document_still_renders_without_inputs() {
    let (_, json) = verify("demo-supply-chain", "json");
    let mut v: Value = serde_json::from_str(&json).unwrap();
    let obj = v.as_object_mut().unwrap();
    for key in ["checks", "inputs", "invocation"] {
        obj.remove(key);
    }
    obj.insert("schema_version".into(), 1.into());
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("v1.json");
    std::fs::write(&file, v.to_string()).unwrap();
    let out = trailscope().args(["report", "--input"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("## Inputs\n\nNot recorded in this document."), "{md}");
    assert!(md.contains("## Checks performed\n\nNot recorded in this document."), "{md}");
    assert!(md.contains("| command line | not recorded |"), "{md}");
}

#[test]
fn tuf_checks_name_each_roles_signers_and_expiry_and_every_target() {
    let d = "fixtures/interop/tuf/delegation-cycle";
    let out = trailscope()
        .args([
            "tuf",
            "verify",
            "--root",
            &format!("{d}/trusted_root.json"),
            "--metadata",
            &format!("{d}/repo/metadata"),
        ])
        .args(["--targets", &format!("{d}/repo/targets"), "--at", "2026-11-22T00:07:02Z"])
        .args(["--target", "regex/quebec-1.22.tar.gz", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    let find = |what: &str, name: &str| {
        checks
            .iter()
            .find(|c| c["what"] == what && (c["subject"]["name"] == name || c["subject"]["path"] == name))
            .unwrap_or_else(|| panic!("no {what} check of {name}: {checks:#?}"))
    };
    let ts = find("signatures", "timestamp");
    assert_eq!(ts["outcome"], "pass");
    assert_eq!(ts["evidence"]["needed"], 1);
    assert!(ts["detail"].as_str().unwrap().starts_with("timestamp v1 signed by 1 of threshold 1"), "{ts}");
    assert_eq!(find("expiry", "snapshot")["outcome"], "pass");
    let t = find("length and hashes", "regex/quebec-1.22.tar.gz");
    assert_eq!(t["outcome"], "pass");
    assert_eq!(t["evidence"]["data"]["length"], 168);
    assert!(checks.iter().any(|c| c["what"] == "root v1 signatures"));
    // The anchor and the trusted metadata files, each with its sha256.
    assert_eq!(v["invocation"]["trust_anchor"]["files"][0], format!("{d}/trusted_root.json"));
    let inputs = recorded::of(&v);
    let root = inputs.iter().find(|f| f["role"] == "trusted root").unwrap();
    assert_eq!(root["sha256"], sha256_of(&format!("{d}/trusted_root.json")));
    assert!(inputs.iter().any(|f| f["role"] == "target" && f["path"] == "regex/quebec-1.22.tar.gz"));
}

#[test]
fn sarif_lists_the_input_files_as_artifacts_with_their_sha256() {
    let (_, sarif) = verify("demo-supply-chain", "sarif");
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let run = &v["runs"][0];
    let artifacts = run["artifacts"].as_array().unwrap();
    let layout = "fixtures/intoto-demo/demo-supply-chain/root.layout";
    let a = artifacts.iter().find(|a| a["location"]["uri"] == layout).unwrap();
    assert_eq!(a["hashes"]["sha-256"], sha256_of(layout));
    assert!(run["invocations"][0]["commandLine"].as_str().unwrap().starts_with("trailscope verify"));
    assert!(run["properties"]["checks"].as_array().unwrap().len() > 5);
}

/// sigstore's root-signing repository (`fixtures/interop/external`), from
/// its first root to v15.
fn sigstore_inspect() -> Value {
    let d = "fixtures/interop/external/tuf/sigstore+root-signing/metadata";
    let out = trailscope()
        .args(["tuf", "inspect", "--root", &format!("{d}/root_history/1.root.json"), "--metadata", d])
        .args(["--at", "2026-08-22T00:00:00Z", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sigstore_root_keys_are_shown_with_their_owners() {
    let v = sigstore_inspect();
    let root = &v["inspect"]["root"];
    let owners: std::collections::BTreeMap<&str, &str> = root["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| Some((k["keyid"].as_str()?.get(..8)?, k["owner"].as_str()?)))
        .collect();
    let root_keys: Vec<&str> = root["roles"]["root"]["keyids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| &k.as_str().unwrap()[..8])
        .collect();
    let named: Vec<&str> = root_keys.iter().map(|k| owners[k]).collect();
    assert_eq!(named, ["@mnm678", "@santiagotorres", "@bobcallaway", "@joshuagl", "@lance"]);
    // The checks name the signers of each root version by owner.
    let v15 = v["checks"].as_array().unwrap().iter().find(|c| c["what"] == "root v15 signatures").unwrap();
    assert_eq!(v15["outcome"], "pass");
    assert!(v15["detail"].as_str().unwrap().contains("@joshuagl (a687e5bf)"), "{v15}");
}

#[test]
fn sigstore_v9_to_v10_rotation_keeps_the_key_material() {
    let v = sigstore_inspect();
    let history = v["inspect"]["root"]["history"].as_array().unwrap();
    let change = history.iter().find(|h| h["from"] == 9 && h["to"] == 10).unwrap();
    let relabelled = change["keys_relabelled"].as_array().unwrap();
    // Every root key of v9 is in v10 under a new id (tuf-on-ci added the owner).
    let root = &change["roles"]["root"];
    assert_eq!(root["keys_added"], serde_json::json!([]), "{change:#}");
    assert_eq!(root["keys_removed"], serde_json::json!([]), "{change:#}");
    assert_eq!(root["keys_relabelled"].as_array().unwrap().len(), 5);
    assert!(
        relabelled
            .iter()
            .any(|r| r["owner"] == "@joshuagl" && r["from"].as_str().unwrap().starts_with("fdfa83a0"))
    );
    // In words: "same key, new id", not a removal and an addition.
    let d = "fixtures/interop/external/tuf/sigstore+root-signing/metadata";
    let out = trailscope()
        .args(["tuf", "inspect", "--root", &format!("{d}/root_history/1.root.json"), "--metadata", d])
        .args(["--at", "2026-08-22T00:00:00Z"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().find(|l| l.contains("v9 → v10")).unwrap();
    assert!(line.contains("same key, new id: ") && line.contains("fdfa83a0→a687e5bf (@joshuagl)"), "{line}");
    assert!(line.contains("root 5 key(s) same, new id"), "{line}");
    // Findings point to the file read: metadata/root_history/N.root.json.
    assert!(text.contains("metadata/root_history/2.root.json at /signed/expires"), "{text}");
    assert!(!text.contains("metadata/2.root.json at "), "{text}");
}

#[test]
fn each_rotation_counts_the_new_root_s_signers_against_both_thresholds() {
    let v = sigstore_inspect();
    let history = v["inspect"]["root"]["history"].as_array().unwrap();
    let change = history.iter().find(|h| h["from"] == 9 && h["to"] == 10).unwrap();
    // §5.3.4: a threshold of v9's root keys signed v10 (the old key ids)…
    let previous = &change["signed_by_previous"];
    assert_eq!(
        (previous["threshold"].as_u64(), previous["count"].as_u64()),
        (Some(3), Some(5)),
        "{change:#}"
    );
    let old_ids: Vec<&str> =
        previous["valid"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert!(old_ids.iter().any(|k| k.starts_with("fdfa83a0")), "{old_ids:?}");
    // …and a threshold of its own (the same keys under their new ids).
    let own = &change["signed_by_own"];
    assert_eq!((own["threshold"].as_u64(), own["count"].as_u64()), (Some(3), Some(5)), "{change:#}");
    assert!(own["valid"].as_array().unwrap().iter().any(|k| k.as_str().unwrap().starts_with("a687e5bf")));
    // The checks performed say both, with the signers by owner.
    let checks = v["checks"].as_array().unwrap();
    let by_v9 =
        checks.iter().find(|c| c["what"] == "root v10 signatures by root v9").expect("no check by v9");
    assert_eq!(by_v9["outcome"], "pass");
    let detail = by_v9["detail"].as_str().unwrap();
    assert!(detail.contains("5 of threshold 3 of root v9's root keys"), "{detail}");
    assert!(detail.contains("@joshuagl (fdfa83a0)"), "{detail}");
    assert!(
        checks.iter().all(|c| c["what"] != "root v1 signatures by root v0"),
        "the trusted root has no previous"
    );
    // In the text report, under the rotation.
    let d = "fixtures/interop/external/tuf/sigstore+root-signing/metadata";
    let out = trailscope()
        .args(["tuf", "inspect", "--root", &format!("{d}/root_history/1.root.json"), "--metadata", d])
        .args(["--at", "2026-08-22T00:00:00Z"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rotation = text.lines().position(|l| l.contains("v9 → v10")).unwrap();
    let below: Vec<&str> = text.lines().skip(rotation + 1).take(2).collect();
    assert!(
        below[0].contains("✔ signed by 5 of threshold 3 of v9's root keys: @dlorenc (3c344aa0)"),
        "{below:?}"
    );
    assert!(
        below[1].contains("✔ signed by 5 of threshold 3 of its own root keys: @dlorenc (6f260089)"),
        "{below:?}"
    );
}

/// `verify` on the intoto-demo scenario whose layout names its
/// functionaries, in `format`.
fn named_functionaries(format: &str) -> String {
    let out = trailscope()
        .current_dir("fixtures/intoto-demo/named-functionaries")
        .args([
            "verify",
            "-l",
            "root.layout",
            "-k",
            "keys/alice.pub.json",
            "-d",
            "links",
            "--workdir",
            "workdir",
        ])
        .args(["--skip-inspections", "--at", "2026-06-01T00:00:00Z", "--format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn functionaries_named_in_the_layout_are_named_beside_their_key_ids_in_every_report() {
    let v: Value = serde_json::from_str(&named_functionaries("json")).unwrap();
    let checks = v["checks"].as_array().unwrap();
    let detail = |what: &str| {
        checks
            .iter()
            .find(|c| c["what"].as_str().is_some_and(|w| w == what))
            .and_then(|c| c["detail"].as_str())
            .unwrap_or_else(|| panic!("no check {what:?} in {checks:#?}"))
            .to_owned()
    };
    let threshold = |step: &str| {
        let c =
            checks.iter().find(|c| c["subject"]["name"] == step && c["what"] == "link threshold").unwrap();
        c["detail"].as_str().unwrap().to_owned()
    };
    assert!(threshold("clone").ends_with("functionaries: bob (1ddcdd28)"), "{}", threshold("clone"));
    assert!(threshold("package").ends_with("functionaries: carl (2957179c)"), "{}", threshold("package"));
    // The layout key, named by its file (keys/alice.pub.json).
    assert!(detail("layout signature").contains("alice (db0e8ae8)"));
    // A label is not a key-id mismatch: the id is securesystemslib's hash of the key's own members.
    assert!(v["findings"].as_array().unwrap().iter().all(|f| f["category"] != "keyid-mismatch"), "{v:#}");
    for format in ["text", "markdown"] {
        let out = named_functionaries(format);
        assert!(out.contains("bob (1ddcdd28)") && out.contains("carl (2957179c)"), "{format}:\n{out}");
    }
}
