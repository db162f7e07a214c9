//! `trailscope open` takes every flag of `verify`, `tuf verify` and `bridge
//! verify`, and each reaches the verifier: with stdout not a terminal,
//! `open` prints the text report of the run the TUI would show, so each test
//! runs the real binary and reads the verdict line — once without the flag,
//! once with it, and the two must differ the way the flag says.

mod http_support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

/// `trailscope open ARGS…`: (exit code, stdout, stderr).
fn open(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("trailscope").unwrap().arg("open").args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The report's verdict line, e.g. `✘ FAIL (rollback)`.
fn verdict(args: &[&str]) -> String {
    let (_, out, err) = open(args);
    out.lines()
        .find_map(|l| l.strip_prefix("verdict:"))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("no verdict line for {args:?}:\n{out}\n{err}"))
}

const PASS_TUF: &str = "✔ PASS (ok)";

/// A TUF scenario's repository opened by flags (no scenario.json beside
/// it), at the scenario's time.
fn repo_args(scenario: &str) -> Vec<String> {
    let dir = fixture(&format!("tuf-attacks/{scenario}"));
    vec![
        path(&dir.join("repo")),
        "--root".into(),
        path(&dir.join("trusted_root.json")),
        "--at".into(),
        "2026-06-01T00:00:00Z".into(),
    ]
}

fn with<'a>(base: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().map(String::as_str).chain(extra.iter().copied()).collect()
}

#[test]
fn state_holds_the_client_back_from_a_rollback() {
    let base = repo_args("rollback-timestamp");
    let state = path(&fixture("tuf-attacks/rollback-timestamp/client_state"));
    assert_eq!(verdict(&with(&base, &["--target", "app-1.0.tar.gz"])), PASS_TUF);
    assert_eq!(
        verdict(&with(&base, &["--target", "app-1.0.tar.gz", "--state", &state])),
        "✘ FAIL (rollback)"
    );
}

#[test]
fn save_state_writes_the_newly_trusted_metadata_and_state_alone_does_not() {
    let base = repo_args("arbitrary-package");
    let read_only = tempfile::tempdir().unwrap();
    assert_eq!(verdict(&with(&base, &["--state", &path(read_only.path())])), PASS_TUF);
    assert_eq!(std::fs::read_dir(read_only.path()).unwrap().count(), 0, "--state alone wrote");
    let saved = tempfile::tempdir().unwrap();
    assert_eq!(verdict(&with(&base, &["--state", &path(saved.path()), "--save-state"])), PASS_TUF);
    assert!(saved.path().join("timestamp.json").is_file(), "--save-state wrote nothing");
    let (code, _, err) = open(&with(&base, &["--save-state"]));
    assert_eq!(code, Some(2), "--save-state without --state: {err}");
}

#[test]
fn all_roles_audits_a_delegated_role_no_lookup_needs() {
    let base = repo_args("expired-delegated");
    let lookup = ["--target", "app-1.0.tar.gz"];
    assert_eq!(verdict(&with(&base, &lookup)), PASS_TUF);
    assert_eq!(verdict(&with(&base, &[&lookup[..], &["--all-roles"]].concat())), "✘ FAIL (expired)");
}

#[test]
fn target_and_targets_from_name_the_lookups() {
    let base = repo_args("arbitrary-package");
    assert_eq!(verdict(&with(&base, &["--target", "app-0.9.tar.gz"])), PASS_TUF);
    assert_eq!(verdict(&with(&base, &["--target", "app-1.0.tar.gz"])), "✘ FAIL (hash-mismatch)");
    let list = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(list.path(), "app-0.9.tar.gz\n").unwrap();
    assert_eq!(verdict(&with(&base, &["--targets-from", &path(list.path())])), PASS_TUF);
    std::fs::write(list.path(), "app-0.9.tar.gz\napp-1.0.tar.gz\n").unwrap();
    let file = path(list.path());
    assert_eq!(verdict(&with(&base, &["--targets-from", &file])), "✘ FAIL (hash-mismatch)");
}

#[test]
fn lookup_only_does_not_download_the_swapped_package() {
    let base = repo_args("arbitrary-package");
    let lookup = ["--target", "app-1.0.tar.gz"];
    assert_eq!(verdict(&with(&base, &lookup)), "✘ FAIL (hash-mismatch)");
    assert_eq!(verdict(&with(&base, &[&lookup[..], &["--lookup-only"]].concat())), PASS_TUF);
}

#[test]
fn limits_reach_the_tuf_client() {
    let base = repo_args("expired-delegated");
    let lookup = ["--target", "packages/lib-1.0.tar.gz"];
    assert_eq!(verdict(&with(&base, &lookup)), "✘ FAIL (expired)");
    let none = [&lookup[..], &["--max-delegations", "0"]].concat();
    assert_eq!(verdict(&with(&base, &none)), "✘ FAIL (delegation-limit)");
    assert_eq!(verdict(&with(&base, &["--max-metadata-bytes", "100"])), "✘ FAIL (length-mismatch)");
}

/// An in-toto chain without inspections that passes with one warning
/// (a link's command differs from the step's).
fn warned_chain() -> String {
    path(&fixture("interop/in-toto/command-mismatch"))
}

#[test]
fn limits_reach_the_intoto_verifier() {
    let dir = warned_chain();
    assert_eq!(verdict(&[&dir]), "✔ PASS (pass)");
    for flag in [["--max-artifacts-per-link", "0"], ["--max-links", "1"], ["--max-metadata-bytes", "100"]] {
        assert_eq!(verdict(&[&dir, flag[0], flag[1]]), "✘ FAIL (limit-exceeded)", "{flag:?}");
    }
}

#[test]
fn strict_turns_a_warning_into_the_failure() {
    let dir = warned_chain();
    let (_, out, _) = open(&[&dir]);
    assert!(
        out.contains("verdict:      ✔ PASS (pass)") && out.contains("⚠ warning command-mismatch"),
        "{out}"
    );
    assert_eq!(verdict(&[&dir, "--strict"]), "✘ FAIL (command-mismatch)");
}

#[test]
fn at_evaluates_at_another_time() {
    let dir = warned_chain();
    assert_eq!(verdict(&[&dir, "--at", "2040-01-01T00:00:00Z"]), "✘ FAIL (layout-expired)");
    let (code, _, err) = open(&[&dir, "--at", "yesterday"]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn param_overrides_the_scenarios_parameter() {
    let dir = path(&fixture("interop/in-toto/parameter-substitution"));
    assert_eq!(verdict(&[&dir, "--run-inspections"]), "✔ PASS (pass)");
    assert_eq!(verdict(&[&dir, "--run-inspections", "--param", "PROJECT=other"]), "✘ FAIL (rule-disallow)");
    let (code, _, err) = open(&[&dir, "--param", "bad name=x"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("must match"), "{err}");
}

#[test]
fn run_inspections_and_inspection_timeout_reach_the_inspections() {
    let dir = path(&fixture("intoto-demo/package-swapped"));
    let (_, out, _) = open(&[&dir]);
    assert!(out.contains("inspection-not-run"), "without the flag the inspection is not run:\n{out}");
    assert_eq!(verdict(&[&dir, "--run-inspections"]), "✘ FAIL (rule-disallow)");
    let (_, out, _) = open(&[&dir, "--run-inspections", "--inspection-timeout", "0"]);
    assert!(out.contains("timed out") || out.contains("time limit"), "{out}");
}

#[test]
fn metadata_and_targets_may_be_urls() {
    let dir = fixture("tuf-attacks/arbitrary-package");
    let server = http_support::Server::start(dir.join("repo"));
    let empty = tempfile::tempdir().unwrap();
    let (m, t) = (server.url("metadata"), server.url("targets"));
    let root = path(&dir.join("trusted_root.json"));
    let args = [&path(empty.path()), "--root", &root, "--metadata", &m, "--targets", &t];
    let at = ["--at", "2026-06-01T00:00:00Z"];
    assert_eq!(verdict(&[&args[..], &at, &["--target", "app-0.9.tar.gz"]].concat()), PASS_TUF);
    assert_eq!(
        verdict(&[&args[..], &at, &["--target", "app-1.0.tar.gz"]].concat()),
        "✘ FAIL (hash-mismatch)"
    );
    assert!(server.take().iter().any(|r| r.contains("timestamp.json")));
}

#[test]
fn a_bridge_over_urls_gives_the_directory_verdict() {
    let dir = fixture("interop/bridge/link-file-missing");
    let server = http_support::Server::start(dir.join("repo"));
    let empty = tempfile::tempdir().unwrap();
    let scenario: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let (m, t) = (server.url("metadata"), server.url("targets"));
    let (root, at) = (path(&dir.join("trusted_root.json")), scenario["now"].as_str().unwrap());
    let target = scenario["inputs"]["target"].as_str().unwrap();
    let (root, empty) = (root.as_str(), path(empty.path()));
    let local = verdict(&[&path(&dir), "--run-inspections"]);
    let remote = verdict(&[
        &empty,
        "--bridge",
        "--root",
        root,
        "--metadata",
        &m,
        "--targets",
        &t,
        "--target",
        target,
        "--at",
        at,
        "--run-inspections",
    ]);
    assert_eq!(local, "✘ FAIL (download-failed)");
    assert_eq!(remote, local);
}

#[test]
fn flags_a_bridge_does_not_take_are_a_usage_error() {
    let dir = path(&fixture("demo/act1-alice-alone"));
    let (code, _, err) = open(&[&dir, "--all-roles"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("bridge verify") && err.contains("--all-roles"), "{err}");
}

#[test]
fn a_demo_scenario_opens_with_its_client_state_and_the_flags_given() {
    assert_eq!(verdict(&["--demo", "rollback-timestamp"]), "✘ FAIL (rollback)");
    assert_eq!(verdict(&["--demo", "rollback-snapshot"]), "✘ FAIL (rollback)");
    assert_eq!(verdict(&["--demo", "rollback-targets-in-snapshot"]), "✘ FAIL (rollback)");
    assert_eq!(verdict(&["--demo", "arbitrary-package"]), "✘ FAIL (hash-mismatch)");
    assert_eq!(verdict(&["--demo", "package-swapped", "--run-inspections"]), "✘ FAIL (rule-disallow)");
    assert_eq!(verdict(&["--demo", "act1-alice-alone", "--at", "2040-01-01T00:00:00Z"]), "✘ FAIL (expired)");
    let (code, _, err) = open(&["--demo", "rollback-timestamp", "--state", "x"]);
    assert_eq!(code, Some(2), "a scenario names its own state: {err}");
}
