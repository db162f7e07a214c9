//! One truth: every face shows the verifier's result, never a copy of it.
//!
//! For every scenario of `fixtures/interop/` (in-toto and bridge with their
//! inspections run, TUF with its client state and lookups) and every
//! embedded demo scenario (`trailscope::demo::list()`, in-toto and bridge
//! both with and without inspections), the scenario is opened in the TUI
//! model — the state the views render, built the way `trailscope open`
//! builds it (`open::detect` + `open::session`, or `open::demo_session`),
//! its result awaited — and compared with the headless faces:
//!
//! - the CLI's JSON (`verify`, `tuf verify`, `bridge verify`, `demo NAME`,
//!   the real binary) against the TUI model: verdict, category, failure
//!   (step, rule, artifact, scope), stage, refresh, per-target results,
//!   evaluation time, the number of errors, and the first failure the
//!   Overview names (category, subject, stage);
//! - the text, Markdown and SARIF the binary prints carry the same verdict
//!   and category (and stage);
//! - `graph` (DOT, Mermaid, JSON) marks the graph with the same verdict and
//!   category (in-toto and TUF; there is no bridge graph);
//! - an embedded scenario verified by `demo NAME` equals the same fixture
//!   verified by `verify` / `tuf verify` / `bridge verify`;
//! - the JSON agrees with the scenario's reference expectation, so the
//!   inputs the faces were given are complete (client state included).
//!
//! Every disagreement is listed (scenario, face, expected vs actual) before
//! the test fails. Binaries run a few at a time on threads; the TUI and the
//! graph run in-process.

mod corpus_support;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use serde_json::{Value, json};
use trailscope::cli::format::Format;
use trailscope::cli::graph::{self, GraphFormat, GraphOutput};
use trailscope::cli::{Cli, Command as CliCommand};
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::{App, Session, TuiOptions};
use trailscope::verdict::{Document, Inputs};

const WAIT: Duration = Duration::from_secs(120);
const WORKERS: usize = 3;

/// What a scenario verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    InToto,
    Tuf,
    Bridge,
}

/// One scenario, opened one way.
#[derive(Debug, Clone)]
struct Case {
    /// `interop/tuf/expired-root`, `demo tuf-attacks/rollback-timestamp`, …
    name: String,
    kind: Kind,
    /// The scenario directory on disk.
    dir: PathBuf,
    scenario: Value,
    inspections: bool,
    /// An embedded scenario (`set/name`): the TUI opens it with `--demo`
    /// and the headless face is `demo NAME`.
    demo: Option<String>,
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn kind_of(scenario: &Value) -> Kind {
    match scenario["kind"].as_str() {
        Some("tuf") => Kind::Tuf,
        Some("bridge") => Kind::Bridge,
        _ => Kind::InToto,
    }
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for corpus in ["in-toto", "tuf", "bridge"] {
        let base = crate_dir().join("fixtures/interop").join(corpus);
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("scenario.json").is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            let scenario = read_json(&dir.join("scenario.json"));
            let kind = kind_of(&scenario);
            let name = format!("interop/{corpus}/{}", dir.file_name().unwrap().to_string_lossy());
            out.push(Case { name, kind, dir, scenario, inspections: kind != Kind::Tuf, demo: None });
        }
    }
    // Attestation scenarios have their own agreement test (tests/attest_scenarios.rs, tests/tui_attest.rs).
    for sc in trailscope::demo::list().into_iter().filter(|s| s.kind != trailscope::demo::Kind::Attestation) {
        let id = format!("{}/{}", sc.set, sc.name);
        let dir = crate_dir().join("fixtures").join(sc.set).join(&sc.name);
        let scenario = read_json(&dir.join("scenario.json"));
        let kind = kind_of(&scenario);
        let variants: &[bool] = if kind == Kind::Tuf { &[false] } else { &[false, true] };
        for &inspections in variants {
            let name = format!("demo {id}{}", if inspections { " --run-inspections" } else { "" });
            let demo = Some(id.clone());
            out.push(Case { name, kind, dir: dir.clone(), scenario: scenario.clone(), inspections, demo });
        }
    }
    out
}

// --- the command lines of the headless faces ---------------------------------

fn arg(p: &Path) -> String {
    p.display().to_string()
}

/// The inputs of the scenario as the flags of `verify` / `tuf verify` /
/// `bridge verify` (read from scenario.json here, independently of the
/// crate's own reading).
fn input_args(case: &Case) -> Vec<String> {
    let (dir, inputs) = (&case.dir, &case.scenario["inputs"]);
    let rel = |key: &str| arg(&dir.join(inputs[key].as_str().unwrap()));
    let mut a: Vec<String> = Vec::new();
    match case.kind {
        Kind::InToto => {
            a.extend(["--layout".into(), rel("layout"), "--layout-keys".into()]);
            a.extend(
                inputs["layout_keys"].as_array().unwrap().iter().map(|k| arg(&dir.join(k.as_str().unwrap()))),
            );
            let workdir = arg(&corpus_support::workdir(dir, inputs));
            a.extend(["--link-dir".into(), rel("link_dir"), "--workdir".into(), workdir]);
            for (k, v) in inputs["parameters"].as_object().into_iter().flatten() {
                a.extend(["--param".into(), format!("{k}={}", v.as_str().unwrap())]);
            }
        }
        Kind::Tuf | Kind::Bridge => {
            a.extend(["--root".into(), rel("trusted_root"), "--metadata".into(), rel("metadata_dir")]);
            a.extend(["--targets".into(), rel("targets_dir")]);
            if let Some(state) = inputs["client_state"].as_str() {
                a.extend(["--state".into(), arg(&dir.join(state))]);
            }
            if case.kind == Kind::Bridge {
                a.extend(["--target".into(), inputs["target"].as_str().unwrap().to_owned()]);
            } else {
                for t in case.scenario["expect"]["targets"].as_object().into_iter().flatten().map(|(k, _)| k)
                {
                    a.extend(["--target".into(), t.clone()]);
                }
            }
        }
    }
    a.extend(["--at".into(), case.scenario["now"].as_str().unwrap().to_owned()]);
    if case.inspections {
        a.push("--run-inspections".into());
    }
    a
}

/// The verifying subcommand of the scenario's kind.
fn verify_command(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::InToto => vec!["verify"],
        Kind::Tuf => vec!["tuf", "verify"],
        Kind::Bridge => vec!["bridge", "verify"],
    }
}

/// The headless command line of the case, without `--format`.
fn headless(case: &Case) -> Vec<String> {
    match &case.demo {
        Some(id) => {
            let mut a = vec!["demo".to_owned(), id.clone()];
            if case.inspections {
                a.push("--run-inspections".into());
            }
            a
        }
        None => {
            let mut a: Vec<String> = verify_command(case.kind).into_iter().map(str::to_owned).collect();
            a.extend(input_args(case));
            a
        }
    }
}

fn run_binary(args: &[String], format: &str) -> String {
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(args)
        .args(["--format", format])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// --- the TUI model -------------------------------------------------------------

/// Opens the case as `trailscope open` does and returns the document the
/// views render, as JSON.
fn tui_document(case: &Case) -> Result<Value, String> {
    let opts = OpenOptions { run_inspections: case.inspections, ..OpenOptions::default() };
    let (session, at): (Session, _) = match &case.demo {
        Some(id) => open::demo_session(id, &opts)?,
        None => {
            let opened = open::detect(&case.dir, &opts)?;
            (open::session(&opened, case.name.clone()), opened.at)
        }
    };
    let tui = TuiOptions { at, ..TuiOptions::default() };
    let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
    if !app.wait(WAIT) {
        return Err("the TUI's verification did not finish".into());
    }
    let model = app.state().model.as_ref().ok_or_else(|| format!("no result: {:?}", app.state().run))?;
    let mut doc = model.doc.to_value();
    // What the Overview's "First" line shows: the model's first failure.
    doc["first"] =
        model.first_failure().and_then(|i| model.doc.findings.get(i)).map(first_of).unwrap_or(Value::Null);
    Ok(doc)
}

fn first_of(f: &trailscope::verdict::Finding) -> Value {
    let v = serde_json::to_value(f).unwrap();
    json!({"category": v["category"], "subject": normalized(&v["subject"]), "stage": v["stage"]})
}

/// A subject with file paths cut to their names: the TUI opens an embedded
/// scenario from a temporary directory, the headless `demo` from memory.
fn normalized(subject: &Value) -> Value {
    let mut s = subject.clone();
    if let Some(p) = s.get("path").and_then(Value::as_str) {
        let name = p.rsplit(['/', '\\']).next().unwrap_or(p).to_owned();
        s["path"] = name.into();
    }
    s
}

/// The first error finding of a JSON document.
fn json_first(doc: &Value) -> Value {
    doc["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["severity"] == "error"))
        .map(
            |f| json!({"category": f["category"], "subject": normalized(&f["subject"]), "stage": f["stage"]}),
        )
        .unwrap_or(Value::Null)
}

fn errors(doc: &Value) -> usize {
    doc["findings"].as_array().map(|f| f.iter().filter(|f| f["severity"] == "error").count()).unwrap_or(0)
}

// --- the comparisons -------------------------------------------------------------

/// Collects disagreements: scenario, face, what, expected vs actual.
struct Report<'a> {
    case: &'a Case,
    problems: Vec<String>,
}

impl Report<'_> {
    fn same(&mut self, face: &str, what: &str, expected: &Value, actual: &Value) {
        if expected != actual {
            self.problems
                .push(format!("{} — {face}: {what}: expected {expected}, got {actual}", self.case.name));
        }
    }

    fn holds(&mut self, face: &str, ok: bool, why: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(format!("{} — {face}: {}", self.case.name, why()));
        }
    }
}

/// The fields of the document every face must agree on.
const FIELDS: [&str; 7] = ["verdict", "category", "failure", "stage", "refresh", "targets", "evaluated_at"];

fn targets_view(doc: &Value) -> Value {
    // The per-target result, role and category (the hashes are the trusted
    // metadata's, the same bytes for every face).
    match doc["targets"].as_object() {
        None => Value::Null,
        Some(m) => m
            .iter()
            .map(|(k, t)| {
                (k.clone(), json!({"result": t["result"], "role": t["role"], "category": t["category"]}))
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

fn field(doc: &Value, key: &str) -> Value {
    if key == "targets" { targets_view(doc) } else { doc.get(key).cloned().unwrap_or(Value::Null) }
}

fn compare_documents(r: &mut Report, face: &str, expected: &Value, actual: &Value) {
    for key in FIELDS {
        r.same(face, key, &field(expected, key), &field(actual, key));
    }
    r.same(face, "number of errors", &errors(expected).into(), &errors(actual).into());
}

fn word(doc: &Value) -> &'static str {
    if doc["verdict"] == "pass" { "PASS" } else { "FAIL" }
}

fn check_text(r: &mut Report, doc: &Value, text: &str) {
    let category = doc["category"].as_str().unwrap_or_default();
    let headline = text.lines().find(|l| l.contains("PASS") || l.contains("FAIL")).unwrap_or_default();
    r.holds("text", headline.contains(word(doc)), || {
        format!("verdict line {headline:?}, expected {}", word(doc))
    });
    if doc["verdict"] == "fail" {
        r.holds("text", text.contains(category), || format!("category {category} not printed"));
    }
    if let Some(stage) = doc["stage"].as_str() {
        r.holds("text", text.contains(stage), || format!("stage {stage} not printed"));
    }
}

fn check_markdown(r: &mut Report, doc: &Value, md: &str) {
    let glyph = if doc["verdict"] == "pass" { "✔ PASS" } else { "✘ FAIL" };
    let row = format!("| verdict | {glyph} |");
    r.holds("markdown", md.contains(&row), || format!("no row {row:?}"));
    let row = format!("| category | `{}` |", doc["category"].as_str().unwrap_or_default());
    r.holds("markdown", md.contains(&row), || format!("no row {row:?}"));
    if let Some(stage) = doc["stage"].as_str() {
        let row = format!("| stage | `{stage}` |");
        r.holds("markdown", md.contains(&row), || format!("no row {row:?}"));
    }
}

fn check_sarif(r: &mut Report, doc: &Value, sarif: &str) {
    let v: Value = match serde_json::from_str(sarif) {
        Ok(v) => v,
        Err(e) => return r.holds("sarif", false, || format!("not JSON: {e}")),
    };
    let props = &v["runs"][0]["properties"];
    for key in ["verdict", "category", "stage"] {
        r.same("sarif", key, &doc[key], &props[key]);
    }
}

/// `graph` with the scenario's inputs, in-process through the CLI's own
/// argument parsing: built (and verified) once, exported in each format.
fn check_graph(r: &mut Report, doc: &Value) {
    let sub = if r.case.kind == Kind::InToto { "intoto" } else { "tuf" };
    let mut argv = vec!["trailscope".to_owned(), "graph".into(), sub.into()];
    argv.extend(input_args(r.case));
    let args = match Cli::try_parse_from(&argv).map(|c| c.command) {
        Ok(Some(CliCommand::Graph(args))) => args,
        other => return r.holds("graph", false, || format!("{argv:?} is not a graph command: {other:?}")),
    };
    let marked = match graph::build(&args) {
        Ok(m) => m,
        Err(e) => return r.holds("graph", false, || format!("exit {e:?}")),
    };
    let (verdict, category) =
        (doc["verdict"].as_str().unwrap_or_default(), doc["category"].as_str().unwrap_or_default());
    let marking = format!("verdict: {verdict}; category: {category}");
    for format in [GraphFormat::Dot, GraphFormat::Mermaid, GraphFormat::Json] {
        let face = format!("graph --format {format:?}");
        let out = graph::render(&marked, &GraphOutput { format, artifacts: false });
        if format == GraphFormat::Json {
            let v: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
            r.same(&face, "verdict", &doc["verdict"], &v["verdict"]);
            r.same(&face, "category", &doc["category"], &v["category"]);
        } else {
            r.holds(&face, out.contains(&marking), || format!("no {marking:?} in the output"));
        }
    }
}

/// The scenario's reference expectation (what the corpora compare): the
/// faces were given all of the scenario's inputs.
fn check_expectation(r: &mut Report, doc: &Value) {
    let expect = &r.case.scenario["expect"];
    match r.case.kind {
        Kind::Tuf => {
            r.same("json vs expect", "refresh", &expect["refresh"], &doc["refresh"]);
            if expect["refresh"] == "error" {
                r.same("json vs expect", "category", &expect["category"], &doc["category"]);
            }
        }
        // Reference verdicts run the inspections.
        Kind::InToto | Kind::Bridge if r.case.inspections => {
            r.same("json vs expect", "verdict", &expect["verdict"], &doc["verdict"]);
            r.same("json vs expect", "category", &expect["category"], &doc["category"]);
        }
        _ => {}
    }
}

fn check(case: &Case) -> Vec<String> {
    let mut r = Report { case, problems: Vec::new() };
    let args = headless(case);
    let json_text = run_binary(&args, "json");
    let doc: Value = match serde_json::from_str(&json_text) {
        Ok(v) => v,
        Err(e) => {
            r.holds("json", false, || format!("{args:?} printed no JSON document ({e}): {json_text}"));
            return r.problems;
        }
    };
    match tui_document(case) {
        Ok(tui) => {
            compare_documents(&mut r, "tui model", &doc, &tui);
            r.same("tui overview", "first failure", &json_first(&doc), &tui["first"]);
        }
        Err(e) => r.holds("tui model", false, || e),
    }
    check_text(&mut r, &doc, &run_binary(&args, "text"));
    // Markdown and SARIF: the renderers every command hands its document to.
    match Document::from_value(&doc) {
        Ok(d) => {
            let render =
                |f| trailscope::cli::format::render_common(&d, f, &Inputs::new()).unwrap_or_default();
            check_markdown(&mut r, &doc, &render(Format::Markdown));
            check_sarif(&mut r, &doc, &render(Format::Sarif));
        }
        Err(e) => r.holds("report", false, || format!("the JSON document does not read back: {e}")),
    }
    check_expectation(&mut r, &doc);
    if case.demo.is_some() {
        // The same fixture through the kind's own command.
        let mut direct: Vec<String> = verify_command(case.kind).into_iter().map(str::to_owned).collect();
        direct.extend(input_args(case));
        match serde_json::from_str::<Value>(&run_binary(&direct, "json")) {
            Ok(v) => compare_documents(&mut r, "demo vs verify", &v, &doc),
            Err(e) => r.holds("demo vs verify", false, || format!("{direct:?}: {e}")),
        }
    }
    if case.kind != Kind::Bridge {
        check_graph(&mut r, &doc);
    }
    r.problems
}

#[test]
fn every_face_shows_the_verifiers_result() {
    let cases = cases();
    assert!(cases.len() > 100, "{} cases", cases.len());
    let next = AtomicUsize::new(0);
    let problems = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                while let Some(case) = cases.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let found = check(case);
                    problems.lock().unwrap().extend(found);
                }
            });
        }
    });
    let mut problems = problems.into_inner().unwrap();
    problems.sort();
    println!("one truth: {} cases, {} disagreements", cases.len(), problems.len());
    assert!(problems.is_empty(), "{} disagreements:\n{}", problems.len(), problems.join("\n"));
}
