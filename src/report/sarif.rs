//! SARIF 2.1.0 (`--format sarif`): one run whose driver is trailscope, with
//! a rule per category seen (its meaning from [`super::categories`]) and a
//! result per finding — level `error`, `warning` or `note`, the message, and
//! a location: the finding's source file as the artifact and its JSON
//! pointer (and the subject) as logical locations. Code-scanning services
//! and SARIF viewers read it.
//!
//! Messages are sanitized (viewers show them to people) and carry both
//! sides of a digest comparison; `properties` keep the raw subject and
//! evidence, as the JSON document does.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

use crate::report::text::{kind_word, subject_kind, subject_label, subject_name};
use crate::sanitize::sanitize;
use crate::verdict::category;
use crate::verdict::{Document, Inputs};
use crate::verdict::{Evidence, Finding, Severity};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";

/// Characters a path must not carry raw in a URI reference.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// SARIF's level for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file name or URL as a SARIF `artifactLocation.uri`: URLs as they are,
/// absolute paths as `file://` URIs, relative paths as relative references.
pub fn uri(file: &str) -> String {
    // in-toto labels a DSSE envelope's payload "FILE (payload)"; the artifact is FILE.
    let file = file.strip_suffix(" (payload)").unwrap_or(file);
    if file.starts_with("http://") || file.starts_with("https://") {
        return utf8_percent_encode(file, CONTROLS).to_string().replace(' ', "%20");
    }
    let path = file.replace('\\', "/");
    let encoded = utf8_percent_encode(&path, PATH).to_string();
    if path.starts_with('/') { format!("file://{encoded}") } else { encoded }
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

fn rule(id: &str) -> Value {
    let info = category::find(id);
    let default_level = match info.and_then(|i| i.severity) {
        Some(s) => level(s),
        None if info.is_some() => "none",
        None => "warning",
    };
    let mut r = json!({
        "id": id,
        "name": pascal_case(id),
        "shortDescription": {"text": category::summary(id)},
        "defaultConfiguration": {"level": default_level},
    });
    if let Some(i) = info {
        r["fullDescription"] = json!({"text": i.paragraph()});
        r["help"] = json!({"text": format!("{} See `trailscope explain {id}`.", i.look_at)});
        r["properties"] = json!({"tags": [i.vocabulary.word()], "vocabulary": i.vocabulary.word()});
    }
    r
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let subject = sanitize(&subject_label(&f.subject)).into_owned();
    let mut message = format!("{subject}: {}", sanitize(&f.message));
    // Viewers show the message, not the properties: both sides of a
    // comparison go in it.
    if matches!(f.evidence, Evidence::Digests { .. } | Evidence::LinkDisagreement(_)) {
        message.push_str(&format!(" ({})", sanitize(&super::evidence::summary(&f.evidence))));
    }
    let mut logical = Vec::new();
    let mut location = serde_json::Map::new();
    if let Some(src) = &f.source {
        location.insert("physicalLocation".into(), json!({"artifactLocation": {"uri": uri(&src.file)}}));
        if !src.pointer.is_empty() {
            logical.push(json!({
                "name": src.pointer.rsplit('/').next().unwrap_or_default(),
                "fullyQualifiedName": src.pointer,
                "kind": "object",
            }));
        }
    }
    logical.push(json!({
        "name": sanitize(&subject_name(&f.subject)),
        "fullyQualifiedName": format!("{}:{}", subject_kind(&f.subject), sanitize(&subject_name(&f.subject))),
        "kind": subject_kind(&f.subject),
    }));
    location.insert("logicalLocations".into(), Value::Array(logical));
    let fingerprint = crate::crypto::sha256_hex(
        format!("{}\n{}\n{}", f.category, subject_label(&f.subject), f.message).as_bytes(),
    );
    let mut properties = json!({
        "severity": f.severity.word(),
        "subject": f.subject,
        "evidence": f.evidence,
    });
    if let Some(stage) = &f.stage {
        properties["stage"] = json!(stage);
    }
    json!({
        "ruleId": f.category,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": message},
        "locations": [Value::Object(location)],
        "partialFingerprints": {"trailscope/v1": fingerprint},
        "properties": properties,
    })
}

/// The SARIF log as a JSON value.
pub fn to_value(doc: &Document, inputs: &Inputs) -> Value {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &doc.findings {
        index.entry(f.category.as_str()).or_default();
    }
    for (i, v) in index.values_mut().enumerate() {
        *v = i;
    }
    let rules: Vec<Value> = index.keys().map(|id| rule(id)).collect();
    let results: Vec<Value> = doc.findings.iter().map(|f| result(f, index[f.category.as_str()])).collect();
    let mut invocation = json!({"executionSuccessful": true});
    let options: Vec<Value> = match &doc.invocation {
        Some(inv) => {
            invocation["commandLine"] = json!(sanitize(&inv.command_text()));
            invocation["arguments"] = json!(inv.command_line.iter().skip(1).collect::<Vec<_>>());
            if let Some(a) = &inv.trust_anchor {
                invocation["properties"] = json!({"trustAnchor": a});
            }
            inv.options.iter().map(|o| json!({"name": o.name, "value": o.value})).collect()
        }
        None => inputs.entries().map(|(name, value)| json!({"name": name, "value": value})).collect(),
    };
    if !options.is_empty() {
        invocation["properties"]["inputs"] = json!(options);
    }
    // SARIF 2.1.0 §3.24: the files the run read, with their hashes.
    let artifacts: Vec<Value> = doc
        .inputs
        .iter()
        .map(|f| {
            let mut a = json!({
                "location": {"uri": uri(&f.path)},
                "length": f.size,
                "roles": ["analysisTarget"],
                "description": {"text": sanitize(&f.role)},
            });
            if let Some(h) = &f.sha256 {
                a["hashes"] = json!({"sha-256": h});
            }
            if let Some(n) = f.files {
                a["properties"] = json!({"files": n});
            }
            a
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "trailscope",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [invocation],
            "artifacts": artifacts,
            "results": results,
            "properties": {
                "kind": kind_word(doc.kind),
                "verdict": match doc.verdict {
                    crate::verdict::Verdict::Pass => "pass",
                    crate::verdict::Verdict::Fail => "fail",
                },
                "category": doc.category,
                "evaluated_at": crate::meta::time::format(doc.evaluated_at),
                "stage": doc.stage,
                "refresh": doc.refresh,
                "checks": doc.checks,
            },
        }],
    })
}

/// Pretty SARIF JSON, with a final newline.
pub fn render(doc: &Document, inputs: &Inputs) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(doc, inputs)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::Location;
    use crate::verdict::Kind;
    use crate::verdict::Subject;
    use time::macros::datetime;

    #[test]
    fn uris_are_references() {
        assert_eq!(uri("links/a b.link"), "links/a%20b.link");
        assert_eq!(uri("/tmp/x/root.layout"), "file:///tmp/x/root.layout");
        assert_eq!(uri("<embedded>/root.json"), "%3Cembedded%3E/root.json");
        assert_eq!(
            uri("https://repo.invalid/metadata/1.root.json"),
            "https://repo.invalid/metadata/1.root.json"
        );
        assert_eq!(uri("p\u{202e}"), "p%E2%80%AE");
        assert_eq!(uri("links/root.layout (payload)"), "links/root.layout");
    }

    #[test]
    fn one_rule_per_category_and_a_result_per_finding() {
        let findings = vec![
            Finding::error(crate::verdict::category::RULE_DISALLOW, Subject::Step { name: "s".into() }, "m1")
                .at(Location::new("root.layout", "/signed/steps/0")),
            Finding::warning(
                crate::verdict::category::COMMAND_MISMATCH,
                Subject::Link { path: "s.1234.link".into() },
                "m2",
            ),
            Finding::error(
                crate::verdict::category::RULE_DISALLOW,
                Subject::Step { name: "t\u{1b}".into() },
                "m3",
            ),
            Finding::info(
                crate::verdict::category::INSPECTION_RUN,
                Subject::Inspection { name: "i".into() },
                "m4",
            ),
        ];
        let doc = Document::new(
            Kind::InToto,
            datetime!(2030-01-01 0:00 UTC),
            findings,
            crate::verdict::category::RULE_DISALLOW,
        );
        let v = to_value(&doc, &Inputs::default());
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["command-mismatch", "inspection-run", "rule-disallow"]);
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        let levels: Vec<&str> = results.iter().map(|r| r["level"].as_str().unwrap()).collect();
        assert_eq!(levels, ["error", "warning", "error", "note"]);
        for r in results {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
        assert_eq!(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "root.layout");
        assert_eq!(
            results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "/signed/steps/0"
        );
        assert_eq!(results[2]["message"]["text"], "step t\\x1b: m3");
    }
}
