//! Text for people: the result of `trailscope verify`. One paragraph per
//! failure (what was expected, what was found, where), warnings after, then
//! the steps and inspections at a glance. Long artifact lists are summarized;
//! every string from metadata is sanitized (control, bidi and zero-width
//! characters shown as escapes).

use std::fmt::Write as _;

use serde_json::Value;

use crate::intoto::{InTotoOutcome, LayoutTrace, LinkStatus};
use crate::verdict::Verdict;
use crate::verdict::{Evidence, Finding, Severity, Subject, UnmatchedArtifact};

/// Most artifacts listed by name in one paragraph.
const MAX_LISTED: usize = 8;

/// Makes an untrusted string safe to print on a terminal (the crate's one
/// sanitizer, `crate::sanitize`).
pub fn sanitize(s: &str) -> String {
    crate::sanitize::sanitize(s).into_owned()
}

/// Renders the whole outcome.
pub fn render(outcome: &InTotoOutcome) -> String {
    let mut out = String::new();
    let verdict = match outcome.verdict {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
    };
    let _ = writeln!(out, "in-toto verification: {verdict} ({})", sanitize(&outcome.category));
    let _ = writeln!(
        out,
        "layout {} evaluated at {}",
        sanitize(&outcome.layout.path),
        crate::meta::time::format(outcome.evaluated_at)
    );
    if let Some(f) = &outcome.failure {
        let mut what = Vec::new();
        if !f.scope.is_empty() {
            what.push(format!(
                "in sublayout of {}",
                f.scope.iter().map(|s| sanitize(s)).collect::<Vec<_>>().join(" > ")
            ));
        }
        if let Some(s) = &f.step {
            what.push(format!("step '{}'", sanitize(s)));
        }
        if let Some(r) = &f.rule {
            what.push(format!("rule '{}'", sanitize(r)));
        }
        if let Some(a) = &f.artifact {
            what.push(format!("artifact '{}'", sanitize(a)));
        }
        if !what.is_empty() {
            let _ = writeln!(out, "first failure (the one python in-toto reports): {}", what.join(", "));
        }
    }
    for (title, sev) in [("Errors", Severity::Error), ("Warnings", Severity::Warning)] {
        let list: Vec<&Finding> = outcome.findings.iter().filter(|f| f.severity == sev).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", list.len());
        for f in list {
            paragraph(&mut out, f);
        }
    }
    let _ = writeln!(out);
    overview(&mut out, &outcome.layout, &outcome.findings, 0);
    let c = crate::verdict::count(&outcome.findings);
    let _ = writeln!(out, "\n{} error(s), {} warning(s), {} note(s)", c.error, c.warning, c.info);
    out
}

fn subject_text(s: &Subject) -> String {
    match s {
        Subject::Layout { path } => format!("layout {}", sanitize(path)),
        Subject::Step { name } => format!("step '{}'", sanitize(name)),
        Subject::Inspection { name } => format!("inspection '{}'", sanitize(name)),
        Subject::Link { path } => format!("link {}", sanitize(path)),
        Subject::Rule { step, section, index, text } => {
            format!("'{}' ({section} rule {index} of '{}')", sanitize(text), sanitize(step))
        }
        Subject::Artifact { path } => format!("artifact {}", sanitize(path)),
        Subject::Key { keyid } => format!("key {}", sanitize(keyid)),
        Subject::Role { name } => format!("role {}", sanitize(name)),
        Subject::Target { path } => format!("target {}", sanitize(path)),
        Subject::File { path } => format!("file {}", sanitize(path)),
    }
}

pub(crate) fn paragraph(out: &mut String, f: &Finding) {
    let mark = if f.severity == Severity::Error { "✗" } else { "!" };
    let _ = writeln!(out, "\n  {mark} [{}] {}", f.category, subject_text(&f.subject));
    let _ = writeln!(out, "    {}", sanitize(&f.message));
    match &f.evidence {
        Evidence::RuleTrace(t) => {
            if let Subject::Rule { step, section, .. } = &f.subject {
                for u in &t.unmatched {
                    unmatched(out, step, section, u);
                }
            }
            if !t.queue_before.is_empty() || !t.offending.is_empty() {
                let _ = writeln!(
                    out,
                    "    queue before the rule: {}",
                    list_of(&t.queue_before, t.queue_before_count)
                );
            }
        }
        Evidence::Threshold { needed, valid, checks } => {
            let _ = writeln!(out, "    needed {needed} distinct functionaries, counted {}", valid.len());
            for c in checks {
                let why = c.reason.as_deref().map(sanitize).unwrap_or_else(|| "valid".into());
                let _ = writeln!(out, "      key {}: {why}", sanitize(&c.keyid));
            }
        }
        Evidence::Expiry { expires, evaluated_at } => {
            let _ = writeln!(out, "    expires {} <= evaluated at {evaluated_at}", sanitize(expires));
        }
        Evidence::Digests { .. } | Evidence::LinkDisagreement(_) => digests(out, &f.evidence),
        _ => {}
    }
    if let Some(src) = &f.source {
        let _ = writeln!(out, "    at {}", sanitize(&src.to_string()));
    }
}

/// Both sides of a digest comparison, each digest in full.
pub(crate) fn digests(out: &mut String, e: &Evidence) {
    for line in crate::report::evidence::digest_text(e) {
        let _ = writeln!(out, "    {}", sanitize(&line));
    }
}

/// A MATCH that could not consume an artifact: both sides, both hashes.
fn unmatched(out: &mut String, step: &str, section: &str, u: &UnmatchedArtifact) {
    let side = section.trim_start_matches("expected_");
    let _ = writeln!(out, "    {} was not consumed by MATCH ({}):", sanitize(&u.path), u.reason);
    let _ = writeln!(
        out,
        "      found    {side} of '{}': {}  {}",
        sanitize(step),
        sanitize(&u.path),
        hashes(&u.hashes)
    );
    match &u.dest_hashes {
        Some(d) => {
            let _ = writeln!(
                out,
                "      expected from '{}':  {}  {}",
                sanitize(&u.dest_step),
                sanitize(&u.dest_path),
                hashes(d)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "      expected from '{}':  {}  (not there)",
                sanitize(&u.dest_step),
                sanitize(&u.dest_path)
            );
        }
    }
}

fn hashes(v: &Value) -> String {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{}:{}", sanitize(k), sanitize(v.as_str().unwrap_or_default())))
            .collect::<Vec<_>>()
            .join(" "),
        other => sanitize(&other.to_string()),
    }
}

/// ", which DISAGREE on N artifact(s)" when the step's links disagree.
fn disagreement(findings: &[Finding], step: &str) -> String {
    let n: usize = findings
        .iter()
        .filter(|f| matches!(&f.subject, Subject::Step { name } if name == step))
        .filter_map(|f| match &f.evidence {
            Evidence::LinkDisagreement(d) => Some(d.artifacts_count),
            _ => None,
        })
        .sum();
    if n == 0 { String::new() } else { format!(", which DISAGREE on {n} artifact(s)") }
}

/// The first entries of a list that had `total` entries (traces keep only a prefix).
fn list_of(items: &[String], total: usize) -> String {
    let shown: Vec<String> = items.iter().take(MAX_LISTED).map(|s| sanitize(s)).collect();
    if total > shown.len() {
        format!("{} … ({total} artifacts in all)", shown.join(", "))
    } else if items.is_empty() {
        "(empty)".into()
    } else {
        shown.join(", ")
    }
}

pub(crate) fn overview(out: &mut String, layout: &LayoutTrace, findings: &[Finding], depth: usize) {
    let pad = "  ".repeat(depth);
    let title = if depth == 0 { "Steps".to_owned() } else { format!("Sublayout {}", sanitize(&layout.path)) };
    let _ = writeln!(out, "{pad}{title}:");
    for s in &layout.steps {
        let ok = s.links.iter().filter(|l| l.status == LinkStatus::Verified).count();
        let rules = match (&s.materials, &s.products) {
            (Some(m), Some(p)) => {
                if m.first_failure().is_some() || p.first_failure().is_some() {
                    "rules FAIL".to_owned()
                } else {
                    "rules ok".to_owned()
                }
            }
            _ => format!("rules not evaluated ({})", s.not_evaluated.as_deref().unwrap_or("no link")),
        };
        let _ = writeln!(
            out,
            "{pad}  {} — links {ok}/{} (threshold {}){}, {rules}",
            sanitize(&s.name),
            s.links.len(),
            s.threshold,
            disagreement(findings, &s.name)
        );
        for sub in &s.sublayouts {
            overview(out, sub, findings, depth + 2);
        }
    }
    if !layout.inspections.is_empty() {
        let _ = writeln!(out, "{pad}Inspections:");
        for i in &layout.inspections {
            let state = match (&i.execution, &i.not_evaluated) {
                (_, Some(why)) => format!("not run: {}", sanitize(why)),
                (Some(e), None) => sanitize(&e.outcome.describe()),
                (None, None) => "not run".to_owned(),
            };
            let _ = writeln!(out, "{pad}  {} — {state}", sanitize(&i.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_hidden_characters() {
        assert_eq!(sanitize("a\u{1b}[31mb\u{202e}c"), "a\\x1b[31mb\\u{202e}c");
        assert_eq!(sanitize("plain/ü"), "plain/ü");
    }
}
