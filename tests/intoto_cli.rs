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
            "checks",
            "evaluated_at",
            "failure",
            "findings",
            "inputs",
            "invocation",
            "kind",
            "schema_version",
            "stage",
            "tool",
            "verdict",
            "version"
        ],
        "exactly the in-toto keys of DESIGN §4, sorted"
    );
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["tool"], "trailscope");
    assert_eq!(doc["invocation"]["command_line"][0], "trailscope");
    assert_eq!(doc["invocation"]["trust_anchor"]["what"], "layout keys");
    assert!(
        doc["inputs"].as_array().unwrap().iter().any(|f| f["role"] == "layout"),
        "the layout is an input"
    );
    for f in doc["inputs"].as_array().unwrap() {
        assert_eq!(f["sha256"].as_str().map(str::len), Some(64), "{f}");
    }
    assert!(doc["checks"].is_array());
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

/// `verify` on the in-toto demo (`fixtures/intoto-demo/<name>`) as its
/// README runs it: from its work directory, with the scenario's time.
fn demo_verify(name: &str, extra: &[&str]) -> std::process::Output {
    let dir = fixture("intoto-demo").join(name);
    let scenario: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let mut c = trailscope();
    c.current_dir(dir.join("workdir"))
        .args([
            "verify",
            "--layout",
            "../root.layout",
            "-k",
            "../keys/alice.pub.pem",
            "--link-dir",
            "../links",
        ])
        .args(["--at", scenario["now"].as_str().unwrap()])
        .args(extra);
    c.output().unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_layout_with_inspections_is_not_verified_without_running_them() {
    let out = demo_verify("demo-supply-chain", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.starts_with("in-toto verification: FAIL (inspection-not-run)"), "{text}");
    assert!(text.contains("inspection 'untar' was not run"), "{text}");
    assert!(text.contains("--run-inspections"), "{text}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("running inspection"));

    let out = demo_verify("demo-supply-chain", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    check_schema(&doc);
    assert_eq!(
        (doc["verdict"].as_str(), doc["category"].as_str()),
        (Some("fail"), Some("inspection-not-run"))
    );
    assert_eq!(doc["failure"]["step"], "untar");
    let f =
        doc["findings"].as_array().unwrap().iter().find(|f| f["category"] == "inspection-not-run").unwrap();
    assert_eq!((f["severity"].as_str(), f["subject"]["name"].as_str()), (Some("error"), Some("untar")));
    assert_eq!(f["evidence"]["data"]["argv"], json!(["tar", "xzf", "demo-project.tar.gz"]));

    let out = demo_verify("demo-supply-chain", &["--format", "markdown"]);
    assert_eq!(out.status.code(), Some(1));
    let md = stdout(&out);
    assert!(md.contains("`inspection-not-run`") && md.contains("--run-inspections"), "{md}");
    assert!(md.contains("inspection 'untar' was not run"), "{md}");
    // With the inspection run, the chain verifies.
    let out = demo_verify("demo-supply-chain", &["--run-inspections"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// An inspection runs in a scratch copy of the work directory that is
/// removed after the run: `verify`, `demo` and `bridge verify` name it by
/// what it was, never by its temporary path.
#[test]
fn where_an_inspection_ran_is_named_by_what_it_was_not_its_temporary_path() {
    for format in ["text", "json"] {
        let out = demo_verify("demo-supply-chain", &["--run-inspections", "--format", format]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        // The text of a pass lists no findings; the document names where it ran.
        assert!(
            format == "text" || text.contains("in a scratch copy of the work directory"),
            "{format}: {text}"
        );
        assert!(!text.contains("trailscope-inspect-"), "{format}: {text}");
    }
    let cwd = tempfile::tempdir().unwrap();
    for args in [
        &["demo", "act3-adversary", "--run-inspections", "--format", "json"][..],
        &["demo", "act1-alice-alone", "--run-inspections", "--format", "json"],
    ] {
        let out = trailscope().current_dir(cwd.path()).args(args).output().unwrap();
        let text = stdout(&out);
        assert!(text.contains("in a scratch copy of the work directory"), "{args:?}: {text}");
        assert!(!text.contains("trailscope-inspect-"), "{args:?}: {text}");
    }
}

#[test]
fn skip_inspections_accepts_the_verdict_and_every_format_says_so() {
    let out = demo_verify("demo-supply-chain", &["--skip-inspections"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("PASS") && text.contains("inspections skipped"), "{text}");
    assert!(text.contains("untar — not run: inspections skipped (--skip-inspections)"), "{text}");

    let out = demo_verify("demo-supply-chain", &["--skip-inspections", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    check_schema(&doc);
    assert_eq!(doc["verdict"], "pass");
    let f =
        doc["findings"].as_array().unwrap().iter().find(|f| f["category"] == "inspections-skipped").unwrap();
    assert_eq!(f["severity"], "warning");
    assert!(f["message"].as_str().unwrap().starts_with("inspections skipped (--skip-inspections)"), "{f}");

    for format in ["markdown", "sarif"] {
        let out = demo_verify("demo-supply-chain", &["--skip-inspections", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}");
        let text = stdout(&out);
        assert!(
            text.contains("inspections skipped") && text.contains("inspections-skipped"),
            "{format}:\n{text}"
        );
    }
    // Even --strict does not turn an explicit choice into a failure.
    let out = demo_verify("demo-supply-chain", &["--skip-inspections", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // The two flags contradict each other: a usage error.
    let out = demo_verify("demo-supply-chain", &["--skip-inspections", "--run-inspections"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The adversary swapped the tarball: the inspection's material rule is
/// checked against the hashed work directory without running anything.
/// No command can run — PATH holds no `tar`, nothing is announced on
/// stderr, and the work directory is unchanged (no extracted tree).
#[test]
fn package_swapped_fails_on_the_material_rule_without_running_a_command() {
    let empty = tempfile::tempdir().unwrap();
    let dir = fixture("intoto-demo/package-swapped");
    let before: Vec<_> =
        std::fs::read_dir(dir.join("workdir")).unwrap().map(|e| e.unwrap().file_name()).collect();
    let mut c = trailscope();
    c.current_dir(dir.join("workdir"))
        .env("PATH", empty.path())
        .args([
            "verify",
            "--layout",
            "../root.layout",
            "-k",
            "../keys/alice.pub.pem",
            "--link-dir",
            "../links",
        ])
        .args(["--at", "2026-06-01T00:00:00Z", "--format", "json"]);
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("running inspection"), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["category"], "rule-disallow");
    assert_eq!(
        doc["failure"],
        json!({"step": "untar", "rule": "DISALLOW *", "artifact": "demo-project.tar.gz", "scope": []})
    );
    let categories: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().filter_map(|f| f["category"].as_str()).collect();
    assert!(categories.contains(&"inspection-not-run"), "{categories:?}");
    assert!(!categories.contains(&"error-other"), "a command was tried: {categories:?}");
    let after: Vec<_> =
        std::fs::read_dir(dir.join("workdir")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(before, after);

    // `demo package-swapped`, the embedded copy: the same, nothing run.
    let out = trailscope()
        .env("PATH", empty.path())
        .args(["demo", "package-swapped", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (doc["category"].as_str(), doc["failure"]["step"].as_str()),
        (Some("rule-disallow"), Some("untar"))
    );
    let out = trailscope().env("PATH", empty.path()).args(["demo", "package-swapped"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("FAIL (rule-disallow)") && text.contains("'untar'"), "{text}");
}

/// An inspection whose command would leave a marker: without
/// --run-inspections (with or without --skip-inspections) the marker never
/// appears; with it, it does.
#[cfg(unix)]
#[test]
fn inspections_run_only_when_asked() {
    let mut w = World::new();
    let marker = tempfile::tempdir().unwrap();
    let path = marker.path().join("ran");
    w.layout["inspect"] = json!([{"_type": "inspection", "name": "mark",
        "run": ["sh", "-c", format!("touch '{}'", path.display())],
        "expected_materials": [], "expected_products": []}]);
    let s = scene(&w);
    let with_workdir = |c: &mut Command| {
        c.arg("--workdir").arg(s.path("work"));
    };
    let mut c = verify_cmd(&s);
    with_workdir(&mut c);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("inspection 'mark' was not run"));
    assert!(!path.exists(), "ran without --run-inspections");
    let mut c = verify_cmd(&s);
    with_workdir(&mut c);
    c.arg("--skip-inspections").assert().code(0);
    assert!(!path.exists(), "ran with --skip-inspections");
    let mut c = verify_cmd(&s);
    with_workdir(&mut c);
    c.arg("--run-inspections").assert().code(0);
    assert!(path.exists(), "--run-inspections did not run it");
}

/// DESIGN §4: 1 for anything the evidence says, 3 only for what the command
/// line names (the layout file, a key, a directory).
#[test]
fn malformed_links_exit_1_and_unreadable_named_inputs_3() {
    let w = World::new();
    let s = scene(&w);
    s.write_raw(&format!("links/build.{}.link", w.a.short()), b"{\"signed\": {\"_type\": \"link\"");
    let out = verify_cmd(&s).args(["--format", "json"]).assert().code(1).get_output().stdout.clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["category"], "metadata-invalid");
    assert_eq!(doc["failure"]["step"], "build");
    let s = scene(&w);
    verify_cmd(&s).arg("--workdir").arg(s.path("no-such-dir")).assert().code(3);
    trailscope()
        .args(["verify", "--layout"])
        .arg(s.path("root.layout"))
        .arg("-k")
        .arg(s.path("owner.pub.json"))
        .arg("--link-dir")
        .arg(s.path("no-such-dir"))
        .assert()
        .code(3);
}

/// `open` with stdout not a terminal exits as `verify` does: 3 for the
/// layout it names that does not parse, 1 for a malformed link, 1 for
/// inspections not run, 0 with them skipped.
#[test]
fn open_without_a_terminal_exits_like_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    copy_tree(&fixture("intoto-demo/demo-supply-chain"), &dir);
    let open = |extra: &[&str]| trailscope().arg("open").arg(&dir).args(extra).output().unwrap();
    assert_eq!(open(&[]).status.code(), Some(1));
    assert_eq!(open(&["--skip-inspections"]).status.code(), Some(0));
    let link = std::fs::read_dir(dir.join("links")).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&link, b"{\"signed\": {").unwrap();
    let out = open(&["--skip-inspections"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("metadata-invalid"));
    std::fs::write(dir.join("root.layout"), b"{\"signed\": {").unwrap();
    let out = open(&["--skip-inspections"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
