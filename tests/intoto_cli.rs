//! `trailscope verify` from the outside: exit codes 0/1/2/3 and the JSON
//! document of DESIGN §4.

mod common;

use assert_cmd::Command;
use common::*;
use serde_json::{Value, json};

fn assert_stdout_contains(a: assert_cmd::assert::Assert, needle: &str) {
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains(needle), "{needle:?} not in:\n{out}");
}

fn trailscope() -> Command {
    Command::cargo_bin("trailscope").unwrap()
}

/// A scene plus the owner's key written as a JSON key file.
fn scene(w: &World) -> Scene {
    let s = w.scene();
    s.write("owner.pub.json", &w.owner.dict);
    s
}

fn verify_cmd(s: &Scene) -> Command {
    let mut c = trailscope();
    c.arg("verify")
        .arg("--layout")
        .arg(s.path("root.layout"))
        .arg("--layout-keys")
        .arg(s.path("owner.pub.json"))
        .arg("--link-dir")
        .arg(s.path("links"))
        .arg("--at")
        .arg(NOW);
    c
}

#[test]
fn passing_chain_exits_0() {
    let w = World::new();
    assert_stdout_contains(verify_cmd(&scene(&w)).assert().code(0), "PASS");
}

#[test]
fn verification_keys_alias_and_short_flag_work() {
    let w = World::new();
    let s = scene(&w);
    for flag in ["--verification-keys", "-k"] {
        trailscope()
            .args(["verify", "--layout"])
            .arg(s.path("root.layout"))
            .arg(flag)
            .arg(s.path("owner.pub.json"))
            .arg("--link-dir")
            .arg(s.path("links"))
            .args(["--at", NOW])
            .assert()
            .code(0);
    }
}

#[test]
fn failed_verification_exits_1() {
    let mut w = World::new();
    w.package["materials"]["out/app"]["sha256"] = json!("0bad");
    assert_stdout_contains(verify_cmd(&scene(&w)).assert().code(1), "rule-disallow");
}

#[test]
fn usage_errors_exit_2() {
    trailscope().args(["verify", "--layout", "x"]).assert().code(2);
    let w = World::new();
    let s = scene(&w);
    verify_cmd(&s).args(["--param", "no-equals-sign"]).assert().code(2);
    verify_cmd(&s).args(["--param", "bad name=1"]).assert().code(2);
    verify_cmd(&s).args(["--at", "yesterday"]).assert().code(2);
    verify_cmd(&s).args(["--format", "yaml"]).assert().code(2);
}

#[test]
fn unreadable_or_malformed_input_exits_3() {
    let w = World::new();
    let s = scene(&w);
    trailscope()
        .args(["verify", "--layout"])
        .arg(s.path("missing.layout"))
        .arg("-k")
        .arg(s.path("owner.pub.json"))
        .assert()
        .code(3);
    trailscope()
        .args(["verify", "--layout"])
        .arg(s.path("root.layout"))
        .arg("-k")
        .arg(s.path("missing.pub"))
        .assert()
        .code(3);
    s.write_raw("garbage.pub", b"not a key");
    trailscope()
        .args(["verify", "--layout"])
        .arg(s.path("root.layout"))
        .arg("-k")
        .arg(s.path("garbage.pub"))
        .assert()
        .code(3);
    s.write_raw("root.layout", b"{\"signed\": {\"_type\": \"layout\"");
    verify_cmd(&s).assert().code(3);
    let out = verify_cmd(&s).args(["--format", "json"]).assert().code(3).get_output().stdout.clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["category"], "metadata-invalid");
}

fn check_schema(doc: &Value) {
    let obj = doc.as_object().expect("an object");
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "category",
            "evaluated_at",
            "failure",
            "findings",
            "kind",
            "schema_version",
            "stage",
            "tool",
            "verdict",
            "version"
        ],
        "exactly the in-toto keys of DESIGN §4, sorted"
    );
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["tool"], "trailscope");
    assert!(doc["version"].is_string());
    assert_eq!(doc["kind"], "in-toto");
    assert!(trailscope::meta::time::is_spec_form(doc["evaluated_at"].as_str().unwrap()));
    assert!(matches!(doc["verdict"].as_str(), Some("pass" | "fail")));
    assert!(doc["category"].is_string());
    assert!(doc["stage"].is_null());
    match &doc["failure"] {
        Value::Null => assert_eq!(doc["verdict"], "pass"),
        Value::Object(f) => {
            let fk: Vec<&str> = f.keys().map(String::as_str).collect();
            assert_eq!(fk, ["artifact", "rule", "scope", "step"]);
            assert!(f["scope"].is_array());
        }
        other => panic!("failure must be an object or null, not {other}"),
    }
    for f in doc["findings"].as_array().unwrap() {
        assert!(matches!(f["severity"].as_str(), Some("error" | "warning" | "info")));
        let cat = f["category"].as_str().unwrap();
        assert!(
            !cat.is_empty() && cat.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "kebab-case {cat}"
        );
        assert!(f["subject"]["kind"].is_string());
        assert!(f["message"].is_string());
        assert!(f["evidence"]["kind"].is_string());
        assert!(
            f["source"].is_null() || (f["source"]["file"].is_string() && f["source"]["pointer"].is_string())
        );
    }
}

#[test]
fn json_output_follows_the_schema() {
    let mut w = World::new();
    let out = verify_cmd(&scene(&w)).args(["--format", "json"]).assert().code(0).get_output().stdout.clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    check_schema(&doc);
    assert_eq!((doc["verdict"].as_str(), doc["category"].as_str()), (Some("pass"), Some("pass")));
    assert_eq!(doc["evaluated_at"], NOW);

    w.package["materials"]["out/app"]["sha256"] = json!("0bad");
    let out = verify_cmd(&scene(&w)).args(["--format", "json"]).assert().code(1).get_output().stdout.clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    check_schema(&doc);
    assert_eq!(doc["category"], "rule-disallow");
    assert_eq!(
        doc["failure"],
        json!({"step": "package", "rule": "DISALLOW *", "artifact": "out/app", "scope": []})
    );
    let err = doc["findings"].as_array().unwrap().iter().find(|f| f["severity"] == "error").unwrap();
    assert_eq!(err["evidence"]["kind"], "rule-trace");
    assert_eq!(err["evidence"]["unmatched"][0]["dest_hashes"]["sha256"], "bb");
    assert_eq!(err["evidence"]["unmatched"][0]["hashes"]["sha256"], "0bad");
}

#[test]
fn strict_turns_weaknesses_into_failures() {
    let mut w = World::new();
    w.layout["steps"][0]["expected_command"] = json!(["make"]);
    let s = scene(&w);
    verify_cmd(&s).assert().code(0);
    verify_cmd(&s).arg("--strict").assert().code(1);
}

#[test]
fn parameters_are_substituted() {
    let mut w = World::new();
    w.layout["steps"][1]["expected_products"] =
        json!([["CREATE", "{NAME}.tar"], ["ALLOW", "out/app"], ["DISALLOW", "*"]]);
    let s = scene(&w);
    verify_cmd(&s).args(["--param", "NAME=app"]).assert().code(0);
    assert_stdout_contains(verify_cmd(&s).args(["--param", "OTHER=app"]).assert().code(1), "KeyError");
}
