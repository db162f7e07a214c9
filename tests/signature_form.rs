//! Issue #19: where python in-toto 3.1 (and python-tuf 7.0.1) check a
//! signature over the object they rebuild from a file, trailscope gives the
//! reference's verdict by default and says so; `--signature-form written`
//! accepts a signature over the document as written, and every face says
//! which form was used. The scenarios are corpus fixtures
//! (tools/gen-intoto-divergences.py, tools/gen-tuf-timestamp-meta.py).

mod corpus_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use corpus_support::copy_tree;
use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::{App, TuiOptions};

fn fixture(set: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop").join(set).join(name)
}

/// A scratch copy of an in-toto scenario and the `verify` arguments for it.
fn intoto(name: &str) -> (tempfile::TempDir, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("in-toto", name), tmp.path());
    let scenario: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("scenario.json")).unwrap()).unwrap();
    let d = tmp.path().display().to_string();
    let inputs = &scenario["inputs"];
    corpus_support::workdir(tmp.path(), inputs);
    let mut args: Vec<String> = vec![
        "verify".into(),
        "--layout".into(),
        format!("{d}/{}", inputs["layout"].as_str().unwrap()),
        "--layout-keys".into(),
        format!("{d}/{}", inputs["layout_keys"][0].as_str().unwrap()),
        "--link-dir".into(),
        format!("{d}/{}", inputs["link_dir"].as_str().unwrap()),
        "--workdir".into(),
        format!("{d}/{}", inputs["workdir"].as_str().unwrap()),
        "--at".into(),
        scenario["now"].as_str().unwrap().into(),
    ];
    if let Some(params) = inputs["parameters"].as_object() {
        for (k, v) in params {
            args.push("--param".into());
            args.push(format!("{k}={}", v.as_str().unwrap()));
        }
    }
    (tmp, args)
}

fn run(args: &[String], extra: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("trailscope").unwrap().args(args).args(extra).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

fn json(args: &[String], extra: &[&str]) -> (i32, Value) {
    let mut all = extra.to_vec();
    all.extend(["--format", "json"]);
    let (code, text) = run(args, &all);
    (code, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

fn finding<'a>(doc: &'a Value, category: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["category"] == category)
        .unwrap_or_else(|| panic!("no {category} finding in {doc:#}"))
}

#[test]
fn a_layout_signed_as_written_gets_the_references_verdict_and_the_explanation() {
    let (_tmp, args) = intoto("signature-form-layout-unknown-member");
    let (code, doc) = json(&args, &[]);
    assert_eq!(code, 1);
    assert_eq!((doc["verdict"].as_str(), doc["category"].as_str()), (Some("fail"), Some("layout-signature")));
    let error = finding(&doc, "layout-signature");
    assert!(error["message"].as_str().unwrap().starts_with("Invalid signature for keyid '"), "{error}");
    let why = finding(&doc, "signature-form-divergence");
    assert_eq!(why["severity"], "warning");
    let msg = why["message"].as_str().unwrap();
    for part in [
        "valid over the document as written",
        "members it drops: /x-comment",
        "signature form: reference",
        "in-toto-golang",
        "--signature-form written accepts it",
    ] {
        assert!(msg.contains(part), "{part}: {msg}");
    }

    let (code, doc) = json(&args, &["--signature-form", "written"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["category"], "pass");
    let warning = finding(&doc, "signature-form-divergence");
    assert_eq!(warning["severity"], "warning");
    assert!(warning["message"].as_str().unwrap().contains("signature form: written"), "{warning}");

    // The accepted form is a weakness the reference rejects: --strict fails.
    let (code, doc) = json(&args, &["--signature-form", "written", "--strict"]);
    assert_eq!((code, doc["category"].as_str()), (1, Some("signature-form-divergence")));
}

#[test]
fn every_signature_form_case_follows_the_policy() {
    for (name, default, members) in [
        ("signature-form-layout-without-readme", "layout-signature", "members it fills in: /readme"),
        (
            "signature-form-step-unknown-member",
            "layout-signature",
            "members it drops: /steps/1/cert_constraints",
        ),
        ("signature-form-link-unknown-member", "link-threshold", "members it drops: /x-runner"),
        ("signature-form-link-without-defaults", "link-threshold", "/byproducts, /environment"),
    ] {
        let (_tmp, args) = intoto(name);
        let (code, doc) = json(&args, &[]);
        assert_eq!((code, doc["category"].as_str()), (1, Some(default)), "{name}");
        let msg = finding(&doc, "signature-form-divergence")["message"].as_str().unwrap().to_owned();
        assert!(msg.contains(members), "{name}: {msg}");
        let (code, doc) = json(&args, &["--signature-form", "written"]);
        assert_eq!((code, doc["category"].as_str()), (0, Some("pass")), "{name}: {doc:#}");
    }
    // Signed over python's form with a member added afterwards: both forms
    // pass, and the unsigned member is named.
    let (_tmp, args) = intoto("signature-form-member-added-after-signing");
    for form in ["reference", "written"] {
        let (code, doc) = json(&args, &["--signature-form", form]);
        assert_eq!(code, 0, "{doc:#}");
        let msg = finding(&doc, "signature-form-divergence")["message"].as_str().unwrap().to_owned();
        assert!(
            msg.contains("not covered by the signature") || msg.contains("valid only over the object"),
            "{msg}"
        );
        assert!(msg.contains(&format!("signature form: {form}")), "{msg}");
    }
}

#[test]
fn text_markdown_and_sarif_say_which_form_was_used() {
    let (_tmp, args) = intoto("signature-form-link-unknown-member");
    let (_, text) = run(&args, &[]);
    assert!(text.contains("signature form: reference"), "{text}");
    let (_, text) = run(&args, &["--signature-form", "written"]);
    assert!(text.contains("signature form: written"), "{text}");
    let (_, md) = run(&args, &["--signature-form", "written", "--format", "markdown"]);
    assert!(md.contains("signature form") && md.contains("written"), "{md}");
    assert!(md.contains("signature form: written"), "{md}");
    let (_, sarif) = run(&args, &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let inputs = &sarif["runs"][0]["invocations"][0]["properties"]["inputs"];
    assert!(
        inputs.as_array().unwrap().iter().any(|i| i["name"] == "signature form" && i["value"] == "reference"),
        "{inputs:#}"
    );
    assert!(sarif.to_string().contains("signature form: reference"));
}

#[test]
fn the_tui_overview_says_which_form_was_used() {
    for (form, want) in [
        (trailscope::intoto::SignatureForm::Reference, "signature form: reference"),
        (trailscope::intoto::SignatureForm::Written, "signature form: written"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&fixture("in-toto", "signature-form-layout-unknown-member"), tmp.path());
        let opts = OpenOptions { signature_form: form, ..OpenOptions::default() };
        let opened = open::detect(tmp.path(), &opts).unwrap();
        let session = open::session(&opened, "signature form");
        let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
        let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
        app.handle_event(&Event::Resize(200, 50));
        assert!(app.wait(Duration::from_secs(60)), "verification did not finish");
        let doc = &app.state().model.as_ref().expect("a result").doc;
        let category =
            if form == trailscope::intoto::SignatureForm::Reference { "layout-signature" } else { "pass" };
        assert_eq!(doc.category.id(), category);
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
        terminal.draw(|f| app.render(f)).unwrap();
        let buf = terminal.backend().buffer().clone();
        let screen: String = (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
            .collect();
        assert!(screen.contains(&format!("Sig. form {want}")), "{want}:\n{screen}");
    }
}

#[test]
fn parameter_substitution_errors_are_pythons_and_metadata_invalid() {
    for (name, message) in [
        ("parameter-undefined-name", "KeyError: 'UNDEFINED'"),
        ("parameter-stray-brace", "ValueError: Single '}' encountered in format string"),
        ("parameter-brace-in-field-name", "ValueError: unexpected '{' in field name"),
    ] {
        let (_tmp, args) = intoto(name);
        let (code, doc) = json(&args, &[]);
        assert_eq!((code, doc["category"].as_str()), (1, Some("metadata-invalid")), "{name}");
        let f = finding(&doc, "metadata-invalid");
        assert!(f["message"].as_str().unwrap().ends_with(message), "{name}: {f}");
        assert_eq!(doc["failure"]["step"], "build");
    }
}

/// The two inputs python in-toto crashes on keep trailscope's answer, as
/// README.md documents them; the fixture records python's crash.
#[test]
fn python_crashes_are_documented_divergences() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for (name, category, crash) in [
        ("divergence-match-double-slash", "rule-disallow", "KeyError: '/extra.c'"),
        ("divergence-inspection-braces", "inspection-failed", "KeyError: 'not a parameter'"),
    ] {
        let scenario: Value =
            serde_json::from_slice(&std::fs::read(fixture("in-toto", name).join("scenario.json")).unwrap())
                .unwrap();
        assert!(scenario["tags"].as_array().unwrap().iter().any(|t| t == "documented-divergence"));
        assert_eq!(scenario["reference"]["category"], "error-other", "{name}");
        assert_eq!(scenario["reference"]["reference_error"], crash, "{name}");
        assert!(readme.contains(name), "README.md does not document {name}");
        let (_tmp, mut args) = intoto(name);
        args.push("--run-inspections".into());
        let (code, doc) = json(&args, &[]);
        assert_eq!((code, doc["category"].as_str()), (1, Some(category)), "{name}: {doc:#}");
        assert_eq!(scenario["expect"]["category"], category);
    }
}

/// A TUF timestamp whose meta lists more than snapshot.json.
fn tuf(name: &str, extra: &[&str]) -> (i32, Value) {
    let d = fixture("tuf", name);
    let mut args: Vec<String> = vec![
        "tuf".into(),
        "verify".into(),
        "--root".into(),
        d.join("trusted_root.json").display().to_string(),
        "--metadata".into(),
        d.join("repo/metadata").display().to_string(),
        "--targets".into(),
        d.join("repo/targets").display().to_string(),
        "--target".into(),
        "pkg-1.0.tar.gz".into(),
        "--at".into(),
        "2026-06-01T00:00:00Z".into(),
        "--format".into(),
        "json".into(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let out = Command::cargo_bin("trailscope").unwrap().args(&args).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (out.status.code().unwrap_or(-1), serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

#[test]
fn a_timestamp_with_more_meta_than_snapshot_json_follows_python_tuf_and_the_spec() {
    let (code, doc) = tuf("timestamp-meta-extra-signed-as-written", &[]);
    assert_eq!((code, doc["category"].as_str()), (1, Some("signature-threshold")), "{doc:#}");
    let msg = finding(&doc, "signature-threshold")["message"].as_str().unwrap().to_owned();
    for part in
        ["valid over the timestamp as written", "it drops targets.json", "signature form: reference", "§4.6"]
    {
        assert!(msg.contains(part), "{part}: {msg}");
    }
    let (code, doc) = tuf("timestamp-meta-extra-signed-as-written", &["--signature-form", "written"]);
    assert_eq!((code, doc["category"].as_str()), (0, Some("ok")), "{doc:#}");
    let spec = finding(&doc, "timestamp-meta-extra");
    assert_eq!(spec["severity"], "warning");
    assert!(spec["message"].as_str().unwrap().contains("MUST only include snapshot.json"));
    let (code, _) =
        tuf("timestamp-meta-extra-signed-as-written", &["--signature-form", "written", "--strict"]);
    assert_eq!(code, 1);
    // Signed over python-tuf's form: both accept it; the spec rule is still named.
    let (code, doc) = tuf("timestamp-meta-extra-signed-rebuilt", &[]);
    assert_eq!((code, doc["category"].as_str()), (0, Some("ok")), "{doc:#}");
    finding(&doc, "timestamp-meta-extra");
}

/// The engine's detail units (layout-signature, link-signature, threshold)
/// judge signatures by the same policy as the verdict, under both forms.
#[test]
fn engine_units_and_the_verdict_use_the_same_form() {
    use trailscope::engine::plans::intoto as plan;
    use trailscope::engine::{DiskSource, EngineConfig, Status, run_to_completion};
    for name in ["signature-form-layout-unknown-member", "signature-form-link-unknown-member"] {
        for form in [trailscope::intoto::SignatureForm::Reference, trailscope::intoto::SignatureForm::Written]
        {
            let tmp = tempfile::tempdir().unwrap();
            copy_tree(&fixture("in-toto", name), tmp.path());
            let scenario: Value =
                serde_json::from_slice(&std::fs::read(tmp.path().join("scenario.json")).unwrap()).unwrap();
            let mut opts = corpus_support::intoto_options(tmp.path(), &scenario, "layout_keys");
            opts.signature_form = form;
            let direct = trailscope::intoto::verify(&opts).unwrap();
            let planned = plan::plan(&opts, true).unwrap();
            let results = run_to_completion(
                planned.plan,
                EngineConfig { workers: 2, ..EngineConfig::default() },
                DiskSource::default(),
            );
            let Some(Ok(via_engine)) = results.output(&planned.verdict) else { panic!("{name}: no verdict") };
            assert_eq!(via_engine.category, direct.category, "{name} {form:?}");
            let failed: Vec<String> = results
                .iter()
                .filter(|(u, o)| {
                    o.status == Status::Fail && matches!(u.kind(), "layout-signature" | "link-signature")
                })
                .map(|(u, _)| u.kind().to_owned())
                .collect();
            match (form, name.contains("layout")) {
                (trailscope::intoto::SignatureForm::Written, _) => {
                    assert!(failed.is_empty(), "{name}: {failed:?}")
                }
                (_, true) => assert_eq!(failed, ["layout-signature"], "{name}"),
                (_, false) => assert_eq!(failed, ["link-signature"], "{name}"),
            }
        }
    }
}
