//! `trailscope bridge verify` and `trailscope demo` as a user runs them:
//! exit codes (DESIGN §4), the JSON document (kind bridge, stage, category,
//! findings with their stage, targets), the embedded demo from an empty
//! current directory, and a scenario served over http from 127.0.0.1.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/bridge").join(name)
}

fn scenario(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap()
}

fn bridge_cmd(dir: &Path, metadata: &str, targets: &str) -> Command {
    let s = scenario(dir);
    let mut cmd = Command::cargo_bin("trailscope").unwrap();
    cmd.args(["bridge", "verify", "--root"])
        .arg(dir.join("trusted_root.json"))
        .args(["--metadata", metadata, "--targets", targets])
        .args(["--target", s["inputs"]["target"].as_str().unwrap()])
        .args(["--at", s["now"].as_str().unwrap()]);
    cmd
}

fn dir_cmd(name: &str) -> Command {
    let dir = corpus(name);
    let m = dir.join("repo/metadata").display().to_string();
    let t = dir.join("repo/targets").display().to_string();
    bridge_cmd(&dir, &m, &t)
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn pass_exits_0_with_a_bridge_document() {
    let out = dir_cmd("solo-developer").args(["--run-inspections", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json_of(&out);
    assert_eq!(v["kind"], "bridge");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["category"], "pass");
    assert_eq!(v["stage"], Value::Null);
    assert_eq!(v["schema_version"], 2);
    assert!(v["targets"].as_object().unwrap().values().all(|t| t["result"] == "ok"));
    // Evidence: both halves' checks and the binding, all passed; the trusted root as anchor.
    let checks = v["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["outcome"] == "pass"), "{checks:#?}");
    for stage in ["tuf", "in-toto", "product-binding"] {
        assert!(checks.iter().any(|c| c["stage"] == stage), "no {stage} check");
    }
    assert_eq!(v["invocation"]["trust_anchor"]["what"], "trusted root");
    assert!(
        v["inputs"].as_array().unwrap().iter().any(|f| f["role"] == "package" && f["sha256"].is_string())
    );
    assert!(v["bridge"]["trace"]["binding"]["product_sha256"].is_string());
}

#[test]
fn failures_exit_1_with_stage_and_category() {
    for (name, stage, category) in [
        ("package-replaced-on-mirror", "tuf", "hash-mismatch"),
        ("layout-type-mismatch", "custom-metadata", "layout-type-mismatch"),
        ("tampered-between-steps", "in-toto", "rule-disallow"),
        ("product-missing", "product-binding", "product-missing"),
    ] {
        let out = dir_cmd(name).args(["--run-inspections", "--format", "json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let v = json_of(&out);
        assert_eq!(v["stage"], stage, "{name}");
        assert_eq!(v["category"], category, "{name}");
        assert_eq!(v["verdict"], "fail", "{name}");
        let deciding = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["severity"] == "error" && f["category"] == category)
            .unwrap_or_else(|| panic!("{name}: no {category} finding"));
        assert_eq!(deciding["stage"], stage, "{name}");
    }
}

/// Without --run-inspections a layout with inspections is not verified:
/// exit 1, and the report names the inspection and the flag; with
/// --skip-inspections the verdict is accepted without it (exit 0) and every
/// format says "inspections skipped".
#[test]
fn inspections_not_run_are_not_a_pass_unless_skipped() {
    let out = dir_cmd("solo-developer").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("stage in-toto, category inspection-not-run"), "{text}");
    assert!(text.contains("inspection 'untar' was not run"), "{text}");
    assert!(text.contains("--run-inspections") && text.contains("--skip-inspections"), "{text}");

    let out = dir_cmd("solo-developer").arg("--skip-inspections").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("inspections skipped"), "{text}");
    assert!(text.contains("NOTE: inspections skipped (untar) as --skip-inspections asked"), "{text}");
    assert!(!text.contains("inspections not run") && !text.contains("Re-run with"), "{text}");
    let out = dir_cmd("solo-developer").args(["--skip-inspections", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["bridge"]["inspections_skipped"], true);
    let skipped = v["findings"].as_array().unwrap().iter().find(|f| f["category"] == "inspections-skipped");
    let skipped = skipped.expect("an inspections-skipped finding");
    assert!(skipped["message"].as_str().unwrap().contains("inspections skipped"), "{skipped}");
    let out =
        dir_cmd("solo-developer").args(["--skip-inspections", "--format", "markdown"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("inspections skipped"));
    // The two flags contradict each other.
    let out = dir_cmd("solo-developer").args(["--skip-inspections", "--run-inspections"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Demo act 3 without --run-inspections: nothing runs, yet the swapped
/// package is caught. The bridge stages run in order (TUF, custom metadata,
/// in-toto, product binding) and in-toto comes first: the inspection
/// 'untar''s materials are the downloaded files, so its rule
/// `MATCH demo-project-*.tar.gz WITH PRODUCTS FROM package` is checked on
/// the hashed package without running `tar`, fails, and `DISALLOW *` decides
/// (in-toto / rule-disallow, as the reference reports it after running the
/// inspection). The product binding, a later stage, disagrees too.
#[test]
fn act3_is_caught_without_running_anything() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/act3-adversary");
    let m = dir.join("repo/metadata").display().to_string();
    let t = dir.join("repo/targets").display().to_string();
    let empty_path = tempfile::tempdir().unwrap();
    for run in [false, true] {
        let mut cmd = bridge_cmd(&dir, &m, &t);
        cmd.args(["--format", "json"]);
        if !run {
            // No tar (nor anything else) on PATH: a command could not run.
            cmd.env("PATH", empty_path.path());
        } else {
            cmd.arg("--run-inspections");
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        let v = json_of(&out);
        assert_eq!((v["stage"].as_str(), v["category"].as_str()), (Some("in-toto"), Some("rule-disallow")));
        assert_eq!(v["failure"]["step"], "untar");
        assert_eq!(v["failure"]["artifact"], "demo-project-1.1.tar.gz");
        assert_eq!(stderr.contains("running inspection"), run, "{stderr}");
        let categories: Vec<&str> =
            v["findings"].as_array().unwrap().iter().filter_map(|f| f["category"].as_str()).collect();
        assert_eq!(categories.contains(&"inspection-not-run"), !run, "{categories:?}");
        assert_eq!(categories.contains(&"inspection-run"), run, "{categories:?}");
        assert!(categories.contains(&"product-hash-mismatch"), "{categories:?}");
    }
}

#[test]
fn usage_and_input_errors() {
    let out = dir_cmd("solo-developer").args(["--at", "yesterday"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out =
        Command::cargo_bin("trailscope").unwrap().args(["bridge", "verify", "--root", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let dir = corpus("solo-developer");
    let out = bridge_cmd(&dir, "/nonexistent/metadata", "/nonexistent/targets").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("trusted_root.json"), b"{not json").unwrap();
    std::fs::copy(dir.join("scenario.json"), tmp.path().join("scenario.json")).unwrap();
    let m = dir.join("repo/metadata").display().to_string();
    let t = dir.join("repo/targets").display().to_string();
    let out = bridge_cmd(tmp.path(), &m, &t).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
}

/// Limits are exceeded by what the repository serves: evidence, exit 1.
#[test]
fn limits_exit_1_naming_the_file() {
    // No link of the corpus lists more than one artifact: a limit of 0 is
    // the smallest that a link exceeds.
    let out = dir_cmd("solo-developer")
        .args(["--max-artifacts-per-link", "0", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json_of(&out);
    assert_eq!(v["verdict"], "fail");
    assert_eq!(v["stage"], "in-toto");
    assert_eq!(v["category"], "limit-exceeded");
    let msg = v["bridge"]["message"].as_str().unwrap_or_default().to_owned();
    let found = v["findings"].as_array().unwrap().iter().find(|f| f["category"] == "limit-exceeded").unwrap();
    let finding = found["message"].as_str().unwrap();
    for m in [&msg, finding] {
        assert!(m.contains("clone.134c1c07.link") && m.contains("--max-artifacts-per-link"), "{m}");
    }
    // Within the limit, the same scenario passes.
    let out = dir_cmd("solo-developer")
        .args(["--max-artifacts-per-link", "1", "--max-links", "3", "--run-inspections"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = dir_cmd("solo-developer").args(["--max-links", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("limit-exceeded"));

    // TUF metadata over --max-metadata-bytes: the refresh stops, exit 1.
    let out = dir_cmd("solo-developer").args(["--max-metadata-bytes", "100"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("stage tuf"), "{text}");
    assert!(text.contains("timestamp.json exceeded the maximum allowed length of 100 bytes"), "{text}");
}

#[test]
fn demo_list_and_act3_from_an_empty_directory() {
    let cwd = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .current_dir(cwd.path())
        .args(["demo", "--list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for name in
        ["act1-alice-alone", "act2-bob-updates", "act3-adversary", "demo-supply-chain", "rollback-timestamp"]
    {
        assert!(text.contains(name), "{text}");
    }
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .current_dir(cwd.path())
        .args(["demo", "act3-adversary", "--run-inspections"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("stage in-toto, category rule-disallow"), "{text}");
    // The inspection's scratch copy is gone after the run: named by what it was.
    assert!(!text.contains("trailscope-inspect-"), "{text}");
    assert!(text.contains("inspection 'untar'") && text.contains("rule 'DISALLOW *'"), "{text}");
    assert!(text.contains("59062c11935a51a39546897cbabaf90b91fd9fe6631066655a142677ea950099"), "{text}");
    assert!(text.contains("82f78c856af363e9427b7aac9cb83d03745fa9d2bb9630b774698309dce25017"), "{text}");
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .current_dir(cwd.path())
        .args(["demo", "act2-bob-updates", "--format", "json"])
        .output()
        .unwrap();
    // Its inspection is not run: not verified.
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["kind"], "bridge");
    assert_eq!(json_of(&out)["category"], "inspection-not-run");
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .current_dir(cwd.path())
        .args(["demo", "act2-bob-updates", "--skip-inspections", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_of(&out)["verdict"], "pass");
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .current_dir(cwd.path())
        .args(["demo", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // No argument: the headless summary of the three acts.
    let out = Command::cargo_bin("trailscope").unwrap().current_dir(cwd.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("act3-adversary") && text.contains("FAIL"), "{text}");
    assert_eq!(
        std::fs::read_dir(cwd.path()).unwrap().count(),
        0,
        "the demo wrote into the current directory"
    );
}

mod http_support;

fn serve(root: PathBuf) -> u16 {
    http_support::Server::start(root).port
}

#[test]
fn a_scenario_over_http_gives_the_directory_verdict() {
    for (name, code, category) in
        [("second-layout-version", 0, "pass"), ("link-file-missing", 1, "download-failed")]
    {
        let dir = corpus(name);
        let port = serve(dir.join("repo"));
        let m = format!("http://127.0.0.1:{port}/metadata/");
        let t = format!("http://127.0.0.1:{port}/targets/");
        let out = bridge_cmd(&dir, &m, &t).args(["--run-inspections", "--format", "json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let v = json_of(&out);
        assert_eq!(v["category"], category, "{name}");
        assert_eq!(v["stage"], scenario(&dir)["expect"]["stage"], "{name}");
        assert_eq!(v["bridge"]["failed_target"], scenario(&dir)["expect"]["failed_target"], "{name}");
    }
}
