//! The report faces from the outside: `--format markdown|sarif` of `verify`,
//! `tuf verify`, `bridge verify` and `demo`, `trailscope report` (a saved
//! JSON document re-rendered), `trailscope explain`, and snapshots of the
//! main commands' `--help` and of `explain --list`.

mod corpus_support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn trailscope() -> Command {
    let mut c = Command::cargo_bin("trailscope").unwrap();
    // Help text wraps at the terminal width; a pipe has none, COLUMNS decides.
    c.env("COLUMNS", "100").env_remove("NO_COLOR");
    c
}

fn scenario(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap()
}

/// `trailscope verify` on an in-toto corpus scenario, at its `now`.
fn intoto(name: &str, format: &str) -> (i32, String) {
    let dir = root().join("fixtures/interop/in-toto").join(name);
    let s = scenario(&dir);
    let mut c = trailscope();
    c.args(["verify", "--layout"]).arg(dir.join(s["inputs"]["layout"].as_str().unwrap()));
    c.arg("--layout-keys");
    for k in s["inputs"]["layout_keys"].as_array().unwrap() {
        c.arg(dir.join(k.as_str().unwrap()));
    }
    c.arg("--link-dir").arg(dir.join(s["inputs"]["link_dir"].as_str().unwrap()));
    // Nothing executed, the same output every run: the verdict without inspections.
    c.arg("--workdir").arg(corpus_support::workdir(&dir, &s["inputs"])).arg("--skip-inspections");
    c.args(["--at", s["now"].as_str().unwrap(), "--format", format]);
    run(c)
}

/// `trailscope tuf verify` on a TUF corpus scenario with its queried targets.
fn tuf(name: &str, format: &str) -> (i32, String) {
    let dir = root().join("fixtures/interop/tuf").join(name);
    let s = scenario(&dir);
    let mut c = trailscope();
    c.args(["tuf", "verify", "--root"])
        .arg(dir.join("trusted_root.json"))
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .arg("--targets")
        .arg(dir.join("repo/targets"))
        .args(["--at", s["now"].as_str().unwrap(), "--format", format]);
    for t in s["expect"]["targets"].as_object().unwrap().keys() {
        c.args(["--target", t]);
    }
    run(c)
}

/// `trailscope bridge verify` on an act of the demo (inspections not run:
/// no act verifies; act 3's swap is caught by the inspection's material rule).
fn bridge(act: &str, format: &str) -> (i32, String) {
    let dir = root().join("fixtures/demo").join(act);
    let s = scenario(&dir);
    let mut c = trailscope();
    c.args(["bridge", "verify", "--root"])
        .arg(dir.join("trusted_root.json"))
        .arg("--metadata")
        .arg(dir.join("repo/metadata"))
        .arg("--targets")
        .arg(dir.join("repo/targets"))
        .args(["--target", s["inputs"]["target"].as_str().unwrap()])
        .args(["--at", s["now"].as_str().unwrap(), "--format", format]);
    run(c)
}

fn run(mut c: Command) -> (i32, String) {
    let out = c.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Every hex digest in the evidence of `doc`'s findings (digests, MATCH).
fn digests(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()) => {
                out.push(s.clone())
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for f in doc["findings"].as_array().unwrap() {
        if matches!(f["evidence"]["kind"].as_str(), Some("digests" | "rule-trace")) {
            walk(&f["evidence"], &mut out);
        }
    }
    out
}

/// SARIF 2.1.0 structure: the required members, one run, rules that the
/// results point at, and a result for every finding of the JSON document.
fn check_sarif(sarif: &Value, doc: &Value) {
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"), "{}", sarif["$schema"]);
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "trailscope");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    let mut ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("rule id")).collect();
    for r in rules {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(matches!(
            r["defaultConfiguration"]["level"].as_str(),
            Some("error" | "warning" | "note" | "none")
        ));
    }
    let results = run["results"].as_array().expect("results");
    for r in results {
        let id = r["ruleId"].as_str().expect("ruleId");
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], id, "ruleIndex points at the rule");
        assert!(matches!(r["level"].as_str(), Some("error" | "warning" | "note")));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0];
        assert!(
            loc["physicalLocation"]["artifactLocation"]["uri"].is_string()
                || loc["logicalLocations"].is_array()
        );
        for l in loc["logicalLocations"].as_array().unwrap() {
            assert!(l["fullyQualifiedName"].is_string());
        }
    }
    // One result per finding, levels by severity, rules = categories seen.
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(findings) {
        assert_eq!(r["ruleId"], f["category"]);
        let level = match f["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level);
        if let Some(file) = f["source"]["file"].as_str() {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            // A DSSE payload's location is labelled "FILE (payload)"; the artifact is FILE.
            let file = file.strip_suffix(" (payload)").unwrap_or(file);
            assert!(uri.ends_with(Path::new(file).file_name().unwrap().to_str().unwrap()), "{uri} vs {file}");
        }
    }
    let errors_and_warnings =
        findings.iter().filter(|f| matches!(f["severity"].as_str(), Some("error" | "warning"))).count();
    assert_eq!(
        results.iter().filter(|r| matches!(r["level"].as_str(), Some("error" | "warning"))).count(),
        errors_and_warnings
    );
    let mut seen: Vec<&str> = findings.iter().map(|f| f["category"].as_str().unwrap()).collect();
    seen.sort();
    seen.dedup();
    ids.sort();
    assert_eq!(ids, seen, "one rule per category seen");
    assert_eq!(run["properties"]["verdict"], doc["verdict"]);
    assert_eq!(run["properties"]["category"], doc["category"]);
}

#[test]
fn verify_markdown_is_an_auditor_report_with_both_digests_of_a_match_mismatch() {
    let (code, md) = intoto("match-artifact-tampered", "markdown");
    assert_eq!(code, 1);
    let (_, doc) = intoto("match-artifact-tampered", "json");
    let doc = json(&doc);
    for needle in [
        "# trailscope report — in-toto supply chain verification",
        "**✘ FAIL** — `rule-disallow`",
        "| evaluated at | 2026-01-25T03:03:26Z |",
        "## Inputs",
        "| link directory |",
        "## Summary",
        "## First failure",
        "- step: package",
        "- rule: DISALLOW \\*",
        "was not consumed by MATCH (hash-mismatch)",
        "### ✘ Errors (1)",
        "### ⚠ Warnings (1)",
    ] {
        assert!(md.contains(needle), "{needle:?} not in:\n{md}");
    }
    let hashes = digests(&doc);
    assert!(hashes.len() >= 2);
    for h in hashes {
        assert!(md.contains(&format!("`{h}`")), "{h} not in:\n{md}");
    }
}

#[test]
fn verify_markdown_of_a_pass() {
    let (code, md) = intoto("demo-supply-chain", "markdown");
    assert_eq!(code, 0);
    assert!(md.contains("**✔ PASS** — everything checked verified"), "{md}");
    assert!(!md.contains("## First failure"), "{md}");
}

#[test]
fn verify_sarif_is_sarif_2_1_0_with_a_result_per_finding() {
    for name in ["match-artifact-tampered", "demo-supply-chain", "threshold-not-met"] {
        let (code, sarif) = intoto(name, "sarif");
        let (json_code, doc) = intoto(name, "json");
        assert_eq!(code, json_code, "{name}: same exit code whatever the format");
        check_sarif(&json(&sarif), &json(&doc));
    }
    let (_, sarif) = intoto("match-artifact-tampered", "sarif");
    let sarif = json(&sarif);
    let result =
        &sarif["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["level"] == "error").unwrap();
    assert_eq!(result["ruleId"], "rule-disallow");
    assert!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("match-artifact-tampered/root.layout")
    );
    assert_eq!(
        result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "/signed/steps/2/expected_materials/1"
    );
}

#[test]
fn every_in_toto_scenario_renders_in_every_format_with_the_same_exit_code() {
    let dir = root().join("fixtures/interop/in-toto");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        if !e.path().join("scenario.json").exists() {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        if scenario(&e.path())["inputs"]["parameters"].is_object() {
            continue; // needs --param
        }
        let (code, doc) = intoto(&name, "json");
        let doc = json(&doc);
        let (mcode, md) = intoto(&name, "markdown");
        let (scode, sarif) = intoto(&name, "sarif");
        assert_eq!((mcode, scode), (code, code), "{name}");
        let verdict = if doc["verdict"] == "pass" { "✔ PASS" } else { "✘ FAIL" };
        assert!(md.contains(&format!("| verdict | {verdict} |")), "{name}:\n{md}");
        // No control, bidi or zero-width character reaches the report (unicode-names has them).
        assert!(!md.lines().any(trailscope::sanitize::is_suspicious), "{name}: raw hidden characters");
        let sarif = json(&sarif);
        for r in sarif["runs"][0]["results"].as_array().unwrap() {
            assert!(!trailscope::sanitize::is_suspicious(r["message"]["text"].as_str().unwrap()), "{name}");
        }
        check_sarif(&sarif, &doc);
        n += 1;
    }
    assert!(n >= 40, "only {n} scenarios");
}

#[test]
fn tuf_verify_markdown_shows_digests_thresholds_expiry_and_targets() {
    let (code, md) = tuf("target-hash-mismatch", "markdown");
    assert_eq!(code, 1);
    assert!(md.contains("# trailscope report — TUF repository verification"), "{md}");
    assert!(md.contains("## Targets"), "{md}");
    assert!(md.contains("## Roles"), "{md}");
    assert!(md.contains("✘ differ"), "{md}");
    let (_, doc) = tuf("target-hash-mismatch", "json");
    for h in digests(&json(&doc)) {
        assert!(md.contains(&format!("`{h}`")), "{h} not in:\n{md}");
    }

    let (_, md) = tuf("threshold-2-of-3-one-signature", "markdown");
    assert!(md.contains("**Threshold**: 2 distinct key(s) needed, 1 counted: `"), "{md}");
    assert!(md.contains("| ✘ no | no signature by this key |"), "{md}");

    let (_, md) = tuf("expired-timestamp", "markdown");
    assert!(md.contains("**Expiry**"), "{md}");
    assert!(md.contains("`expired`"), "{md}");
}

#[test]
fn tuf_verify_sarif() {
    for name in ["target-hash-mismatch", "plain-consistent", "expired-timestamp", "keyid-mismatch"] {
        let (code, sarif) = tuf(name, "sarif");
        let (json_code, doc) = tuf(name, "json");
        assert_eq!(code, json_code, "{name}");
        check_sarif(&json(&sarif), &json(&doc));
    }
}

#[test]
fn bridge_verify_markdown_and_sarif() {
    let (code, md) = bridge("act3-adversary", "markdown");
    assert_eq!(code, 1);
    assert!(md.contains("# trailscope report — TUF + in-toto verification (bridge)"), "{md}");
    assert!(md.contains("| stage | `in-toto` |"), "{md}");
    assert!(md.contains("`product-hash-mismatch`"), "{md}");
    assert!(md.contains("| target | packages/demo-project/demo-project-1.1.tar.gz |"), "{md}");
    let (_, doc) = bridge("act3-adversary", "json");
    let doc = json(&doc);
    let (scode, sarif) = bridge("act3-adversary", "sarif");
    assert_eq!(scode, 1);
    check_sarif(&json(&sarif), &doc);
    let (code, md) = bridge("act1-alice-alone", "markdown");
    assert_eq!(code, 1);
    assert!(md.contains("**✘ FAIL** — `inspection-not-run`"), "{md}");
    assert!(md.contains("inspection 'untar' was not run") && md.contains("--run-inspections"), "{md}");
}

#[test]
fn demo_markdown_and_sarif() {
    let (code, md) = run({
        let mut c = trailscope();
        c.args(["demo", "act3-adversary", "--format", "markdown"]);
        c
    });
    assert_eq!(code, 1);
    assert!(md.starts_with("# trailscope report"), "no text header before the report:\n{md}");
    assert!(md.contains("| embedded demo scenario | demo/act3-adversary |"), "{md}");
    let (code, sarif) = run({
        let mut c = trailscope();
        c.args(["demo", "act3-adversary", "--format", "sarif"]);
        c
    });
    assert_eq!(code, 1);
    let (_, doc) = run({
        let mut c = trailscope();
        c.args(["demo", "act3-adversary", "--format", "json"]);
        c
    });
    check_sarif(&json(&sarif), &json(&doc));
}

/// The report without its Inputs section (the JSON document does not hold them).
fn report(input: &Path, format: &str) -> (i32, String) {
    let mut c = trailscope();
    c.args(["report", "--input"]).arg(input).args(["--format", format]);
    run(c)
}

#[test]
fn report_re_renders_a_saved_document_as_the_run_would_have() {
    let tmp = tempfile::tempdir().unwrap();
    type Runner = fn(&str, &str) -> (i32, String);
    let cases: [(&str, Runner, &str); 4] = [
        ("intoto", intoto, "match-artifact-tampered"),
        ("intoto-pass", intoto, "demo-supply-chain"),
        ("tuf", tuf, "target-hash-mismatch"),
        ("bridge", bridge, "act3-adversary"),
    ];
    for (label, runner, name) in cases {
        let (_, doc) = runner(name, "json");
        let file = tmp.path().join(format!("{label}.json"));
        std::fs::write(&file, &doc).unwrap();

        // schema_version 2 keeps the inputs, the command line and the
        // checks: the re-rendered report is the one the run printed, except
        // the command line (`--format json` instead of `--format markdown`).
        let (_, direct) = runner(name, "markdown");
        let (code, again) = report(&file, "markdown");
        assert_eq!(code, 0, "{label}: report exits 0 whatever the verdict");
        assert!(again.contains("## Inputs\n\n| input | file | bytes | sha256 |"), "{again}");
        assert!(again.contains("## Checks performed"), "{again}");
        let same_line =
            |md: &str| md.replace("--format json", "--format F").replace("--format markdown", "--format F");
        assert_eq!(same_line(&again), same_line(&direct), "{label}: markdown");

        let (_, direct) = runner(name, "sarif");
        let (code, again) = report(&file, "sarif");
        assert_eq!(code, 0);
        let same_args = |s: &str| {
            let mut v =
                json(&s.replace("--format json", "--format F").replace("--format sarif", "--format F"));
            v["runs"][0]["invocations"][0].as_object_mut().unwrap().remove("arguments");
            v
        };
        assert_eq!(same_args(&again), same_args(&direct), "{label}: sarif");

        let (code, text) = report(&file, "text");
        assert_eq!(code, 0);
        assert!(text.contains("verdict:"), "{text}");
    }
}

#[test]
fn report_reads_standard_input_and_defaults_to_markdown() {
    let (_, doc) = intoto("match-artifact-tampered", "json");
    let out = trailscope().args(["report", "--input", "-"]).write_stdin(doc).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# trailscope report"));
}

#[test]
fn report_refuses_what_is_not_a_trailscope_document() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        ("not-json.json", "{ nope"),
        ("other-tool.json", r#"{"tool": "in-toto", "schema_version": 1}"#),
        (
            "newer.json",
            r#"{"tool": "trailscope", "schema_version": 3, "kind": "tuf", "verdict": "pass", "category": "ok", "evaluated_at": "2030-01-01T00:00:00Z", "findings": []}"#,
        ),
        (
            "bad-finding.json",
            r#"{"tool": "trailscope", "schema_version": 1, "kind": "tuf", "verdict": "pass", "category": "ok", "evaluated_at": "2030-01-01T00:00:00Z", "findings": [{"severity": "fatal"}]}"#,
        ),
    ];
    for (name, text) in cases {
        let file = tmp.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = trailscope().args(["report", "--input"]).arg(&file).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{name}");
        assert!(out.stdout.is_empty(), "{name}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("trailscope report:"), "{name}");
    }
    let out = trailscope().args(["report", "--input"]).arg(tmp.path().join("absent.json")).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = trailscope().args(["report"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_lists_every_category_and_explains_one() {
    let out = trailscope().args(["explain", "--list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let list = String::from_utf8(out.stdout).unwrap();
    for c in trailscope::verdict::category::CATEGORIES {
        assert!(list.contains(&format!("  {} ", c.id())), "{} not listed", c.id());
    }
    insta::assert_snapshot!("explain_list", list);

    let out = trailscope().args(["explain", "product-hash-mismatch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("product-hash-mismatch — bridge category, error\n\n"), "{text}");
    assert!(text.contains("product-binding"), "{text}");

    let out = trailscope().args(["explain", "command-mismatch"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("under --strict"));

    let out = trailscope().args(["explain", "disallow"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rule-disallow"));
    assert_eq!(trailscope().arg("explain").output().unwrap().status.code(), Some(2));
}

#[test]
fn every_category_in_the_corpora_readmes_is_explained() {
    // The vocabulary tables of the corpus READMEs: rows "| `category` | …".
    for readme in ["README.md", "README-tuf.md", "README-bridge.md"] {
        let text = std::fs::read_to_string(root().join("fixtures/interop").join(readme)).unwrap();
        let mut n = 0;
        let mut in_table = false;
        for line in text.lines() {
            if line.starts_with("| category |") {
                in_table = true;
                continue;
            }
            in_table &= line.starts_with('|');
            if !in_table {
                continue;
            }
            let Some(rest) = line.strip_prefix("| `") else { continue };
            let Some((id, _)) = rest.split_once('`') else { continue };
            if id.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                assert!(trailscope::verdict::category::find(id).is_some(), "{readme}: {id} not in the table");
                n += 1;
            }
        }
        assert!(n >= 8, "{readme}: only {n} categories found");
    }
}

#[test]
fn help_of_the_main_commands() {
    let commands: [&[&str]; 9] = [
        &["--help"],
        &["verify", "--help"],
        &["tuf", "verify", "--help"],
        &["tuf", "inspect", "--help"],
        &["bridge", "verify", "--help"],
        &["demo", "--help"],
        &["graph", "--help"],
        &["report", "--help"],
        &["explain", "--help"],
    ];
    for args in commands {
        let out = trailscope().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let name = format!("help_{}", args[..args.len() - 1].join("_"));
        let name = if name == "help_" { "help_trailscope".to_owned() } else { name };
        insta::assert_snapshot!(name, String::from_utf8(out.stdout).unwrap());
    }
}

#[test]
fn paths_are_relative_to_where_trailscope_runs() {
    // A relative --layout gives relative URIs in SARIF (no absolute path leaks in).
    let mut c = trailscope();
    c.current_dir(root().join("fixtures/interop/in-toto/match-artifact-tampered")).args([
        "verify",
        "--layout",
        "root.layout",
        "-k",
        "keys/erin.pub.json",
        "--link-dir",
        "links",
        "--at",
        "2026-01-25T03:03:26Z",
        "--format",
        "sarif",
    ]);
    let (code, sarif) = run(c);
    assert_eq!(code, 1);
    let sarif = json(&sarif);
    let uris: Vec<PathBuf> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .map(PathBuf::from)
        .collect();
    assert!(!uris.is_empty());
    assert!(uris.iter().all(|u| u.is_relative()), "{uris:?}");
}

#[test]
fn hostile_strings_in_a_saved_document_are_shown_escaped_in_every_format() {
    let evil = "pkg\u{202e}zg.tar\u{1b}[31m|`*<b>\u{200b}";
    let doc = serde_json::json!({
        "schema_version": 1, "tool": "trailscope", "version": "0", "kind": "in-toto",
        "evaluated_at": "2030-01-01T00:00:00Z", "verdict": "fail", "category": "rule-disallow", "stage": null,
        "failure": {"step": evil, "rule": evil, "artifact": evil, "scope": [evil]},
        "findings": [{
            "severity": "error", "category": "rule-disallow", "message": evil,
            "subject": {"kind": "artifact", "path": evil},
            "evidence": {"kind": "digests", "expected": {evil: evil}, "actual": {"sha256": evil}},
            "source": {"file": evil, "pointer": format!("/x/{evil}")},
        }],
    });
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("evil.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    for format in ["markdown", "text", "sarif"] {
        let (code, out) = report(&file, format);
        assert_eq!(code, 0, "{format}");
        if format == "sarif" {
            let v = json(&out);
            let r = &v["runs"][0]["results"][0];
            assert!(!trailscope::sanitize::is_suspicious(r["message"]["text"].as_str().unwrap()));
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(uri.is_ascii() && !uri.contains(['|', '`', '<', ' ']), "{uri}");
        } else {
            assert!(!out.lines().any(trailscope::sanitize::is_suspicious), "{format}:\n{out}");
            assert!(out.contains("\\u{202e}"), "{format}:\n{out}");
        }
        if format == "markdown" {
            assert!(!out.contains("<b>") && !out.contains("|`*"), "{out}");
        }
    }
}

#[test]
fn a_saved_document_with_an_unknown_category_is_refused_and_the_error_is_escaped() {
    let evil = "made-up\u{202e}\u{1b}[31m";
    let doc = serde_json::json!({
        "schema_version": 1, "tool": "trailscope", "version": "0", "kind": "in-toto",
        "evaluated_at": "2030-01-01T00:00:00Z", "verdict": "fail", "category": evil, "stage": null,
        "failure": null, "findings": [],
    });
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("evil.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out =
        trailscope().args(["report", "--input"]).arg(&file).args(["--format", "text"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("evil.json") && stderr.contains("not a category"), "{stderr}");
    assert!(!stderr.lines().any(trailscope::sanitize::is_suspicious), "{stderr}");
}
