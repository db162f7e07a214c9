//! Words for people (issue #16): no face — text, the JSON document's
//! messages and checks, Markdown, SARIF — says anything in Rust's Debug
//! form (`Exited(0)`, `Some("…")`, `Ok(())`, `Err(…)`, a bare `None`) or
//! repeats a prefix (`not trusted: not trusted:`), says HTTP of a local
//! file, or escapes the line breaks of a JSON blob, over the three corpora
//! and every embedded scenario; and every category a finding carries there
//! has its `explain` entry.

mod corpus_support;

use std::path::Path;

use corpus_support::{copy_tree, intoto_options, scenarios};
use serde_json::Value;
use trailscope::bridge::{self, Request};
use trailscope::report::{markdown, sarif, text, text_bridge, text_intoto, tuf_text};
use trailscope::tuf::session;
use trailscope::tuf::{Config, DirSource, StateDir};
use trailscope::verdict::{Document, Inputs};

/// What Debug formatting leaves in text.
const DEBUG_MARKS: [&str; 7] = ["Exited(", "Some(", "Ok(", "Err(", "(None", "None)", ": None"];

/// The problems of one rendering: Debug text and doubled prefixes, with the line.
fn problems(face: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        for mark in DEBUG_MARKS {
            if line.contains(mark) {
                out.push(format!("{face}: Debug text {mark:?} in: {line}"));
            }
        }
        if let Some(p) = doubled_prefix(line) {
            out.push(format!("{face}: doubled prefix {p:?} in: {line}"));
        }
        // Every corpus is a local directory: nothing was asked of a server.
        if line.contains("HTTP status") || line.contains("failed: HTTP") {
            out.push(format!("{face}: HTTP said of a local file in: {line}"));
        }
        // A JSON blob's line breaks stay line breaks (no `\x0a` escapes).
        if line.contains("\\x0a") {
            out.push(format!("{face}: an escaped line break in: {line}"));
        }
    }
    out
}

/// `X: X: …` — a prefix said twice, however the parts around it read.
fn doubled_prefix(line: &str) -> Option<String> {
    let parts: Vec<&str> = line.split(": ").collect();
    for pair in parts.windows(3) {
        let [a, b, _] = pair else { continue };
        let (a, b) = (a.trim_end(), b.trim());
        // `b` said again right after itself: the end of `a`, on a word boundary.
        let boundary = a.len() == b.len()
            || a.get(..a.len().saturating_sub(b.len()))
                .is_some_and(|head| !head.ends_with(char::is_alphanumeric));
        if b.len() >= 3 && a.ends_with(b) && boundary {
            return Some(b.to_owned());
        }
    }
    None
}

/// The people-facing strings of the JSON document: messages and check details.
fn json_words(doc: &Document) -> String {
    let v = doc.to_value();
    let mut out = String::new();
    for f in v["findings"].as_array().into_iter().flatten() {
        out.push_str(f["message"].as_str().unwrap_or_default());
        out.push('\n');
    }
    for c in v["checks"].as_array().into_iter().flatten() {
        out.push_str(c["detail"].as_str().unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Every face of `doc`, plus the kind's own text (`extra`).
fn faces(label: &str, doc: &Document, extra: &str) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(problems(&format!("{label} text"), &text::render(doc)));
    out.extend(problems(&format!("{label} text (kind)"), extra));
    out.extend(problems(&format!("{label} json"), &json_words(doc)));
    out.extend(problems(&format!("{label} markdown"), &markdown::render(doc)));
    let s: Value = serde_json::from_str(&sarif::render(doc, &Inputs::default())).unwrap();
    let messages: Vec<&str> = s["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["message"]["text"].as_str())
        .collect();
    out.extend(problems(&format!("{label} sarif"), &messages.join("\n")));
    for f in &doc.findings {
        let info = trailscope::verdict::category::find(f.category.id());
        if info.is_none_or(|i| i.summary.is_empty()) {
            out.push(format!("{label}: category {} has no explain entry", f.category));
        }
    }
    out
}

fn scenario_of(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap()
}

fn name_of(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn no_debug_text_or_doubled_prefix_in_any_face_of_the_intoto_corpus() {
    let mut found = Vec::new();
    for dir in scenarios("in-toto") {
        let scenario = scenario_of(&dir);
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&dir, tmp.path());
        let opts = intoto_options(tmp.path(), &scenario, "layout_keys");
        let outcome = trailscope::intoto::verify(&opts).unwrap();
        found.extend(faces(&name_of(&dir), &outcome.to_document(), &text_intoto::render(&outcome)));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_debug_text_or_doubled_prefix_in_any_face_of_the_tuf_corpus() {
    let mut found = Vec::new();
    for dir in scenarios("tuf") {
        let scenario = scenario_of(&dir);
        let inputs = &scenario["inputs"];
        let root = dir.join(inputs["trusted_root"].as_str().unwrap());
        let metadata = DirSource::new(dir.join(inputs["metadata_dir"].as_str().unwrap()));
        let targets = DirSource::new(dir.join(inputs["targets_dir"].as_str().unwrap()));
        let scratch = tempfile::tempdir().unwrap();
        let state = inputs["client_state"].as_str().map(|cs| {
            copy_tree(&dir.join(cs), scratch.path());
            StateDir::new(scratch.path(), false)
        });
        let outcome = session::run(session::Request {
            root_bytes: std::fs::read(&root).unwrap(),
            root_file: root.display().to_string(),
            metadata: &metadata,
            targets: Some(&targets),
            state,
            at: trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at,
            config: Config::default(),
            target_paths: scenario["expect"]["targets"].as_object().unwrap().keys().cloned().collect(),
            all_roles: true,
        });
        let doc = trailscope::tuf::report::document(&outcome, false);
        let own = tuf_text::verify(&doc, &outcome) + &tuf_text::inspect(&doc, &outcome);
        found.extend(faces(&name_of(&dir), &doc, &own));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_debug_text_or_doubled_prefix_in_any_face_of_the_bridge_corpus() {
    let mut found = Vec::new();
    for dir in scenarios("bridge") {
        let scenario = scenario_of(&dir);
        let inputs = &scenario["inputs"];
        let root = dir.join(inputs["trusted_root"].as_str().unwrap());
        let metadata = DirSource::new(dir.join(inputs["metadata_dir"].as_str().unwrap()));
        let targets = DirSource::new(dir.join(inputs["targets_dir"].as_str().unwrap()))
            .with_source_layout(metadata.source_layout());
        let at = trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at;
        // Both choices a user has: inspections run (as the reference did), and skipped.
        for (run, skip) in [(true, false), (false, true), (false, false)] {
            let mut req = Request::new(
                std::fs::read(&root).unwrap(),
                root.display().to_string(),
                &metadata,
                &targets,
                inputs["target"].as_str().unwrap(),
                at,
            );
            req.run_inspections = run;
            req.skip_inspections = skip;
            let outcome = bridge::verify(&req);
            found.extend(faces(&name_of(&dir), &outcome.to_document(), &text_bridge::render(&outcome)));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_debug_text_or_doubled_prefix_in_any_face_of_the_embedded_scenarios() {
    let mut found = Vec::new();
    for sc in trailscope::demo::list() {
        for run_inspections in [false, true] {
            let opts = trailscope::demo::Options { run_inspections, ..Default::default() };
            let outcome = trailscope::demo::run(&sc, opts).unwrap();
            let label = format!("{}/{}", sc.set, sc.name);
            let (doc, own) = match &outcome {
                trailscope::demo::Outcome::Bridge(o) => (o.to_document(), text_bridge::render(o)),
                trailscope::demo::Outcome::InToto(o) => (o.to_document(), text_intoto::render(o)),
                trailscope::demo::Outcome::Tuf(o) => {
                    let doc = trailscope::tuf::report::document(o, false);
                    let own = tuf_text::verify(&doc, o);
                    (doc, own)
                }
                trailscope::demo::Outcome::Attestation(d) => {
                    let own = trailscope::report::text_attest::render(d);
                    ((**d).clone(), own)
                }
            };
            found.extend(faces(&label, &doc, &own));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_word_checks_catch_what_they_look_for() {
    assert!(!problems("t", "ran: Exited(0)").is_empty());
    assert!(!problems("t", "x: Some(\"a\")").is_empty());
    assert_eq!(
        doubled_prefix("role snapshot: not trusted: not trusted: the refresh stopped"),
        Some("not trusted".into())
    );
    assert_eq!(
        doubled_prefix("✘ snapshot not trusted: not trusted: the refresh"),
        Some("not trusted".into())
    );
    assert_eq!(doubled_prefix("timestamp: expired at 2030: ok"), None);
    assert_eq!(doubled_prefix("step a: a b: c"), None);
    assert!(problems("t", "non-int return value 'None'").is_empty(), "a quoted python value is words");
}
