//! The auditor's Markdown report (`e` in the TUI, `--format markdown`): the
//! same result model as the JSON document, for people. Metadata strings are
//! sanitized and Markdown-escaped so a hostile name can neither hide
//! characters nor break the tables.

use std::fmt::Write as _;

use crate::findings::{Evidence, Finding};
use crate::report::text::{counts_line, kind_word, severity_glyph, subject_label, verdict_label};
use crate::report::{Document, Kind};
use crate::sanitize::sanitize;

/// Sanitizes and escapes text for a Markdown table cell or paragraph.
pub fn cell(s: &str) -> String {
    let clean = sanitize(s);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        if matches!(c, '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The whole report.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# trailscope report\n");
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| verdict | {} |", verdict_label(doc.verdict));
    let _ = writeln!(out, "| category | {} |", cell(&doc.category));
    let _ = writeln!(out, "| kind | {} |", kind_word(doc.kind));
    let _ = writeln!(out, "| evaluated at | {} |", crate::meta::time::format(doc.evaluated_at));
    let _ = writeln!(out, "| tool | trailscope {} |", env!("CARGO_PKG_VERSION"));
    if let Some(stage) = &doc.stage {
        let _ = writeln!(out, "| stage | {} |", cell(stage));
    }
    if let Some(refresh) = doc.refresh.as_ref().filter(|_| doc.kind != Kind::InToto) {
        let _ = writeln!(out, "| refresh | {} |", cell(refresh));
    }
    if let Some(f) = &doc.failure {
        let _ = writeln!(out, "\n## First failure\n");
        for (k, v) in [("step", &f.step), ("rule", &f.rule), ("artifact", &f.artifact)] {
            if let Some(v) = v {
                let _ = writeln!(out, "- {k}: {}", cell(v));
            }
        }
    }
    let _ = writeln!(out, "\n## Findings ({})\n", counts_line(&doc.findings));
    if doc.findings.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(out, "| severity | category | subject | message | evidence | source |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for f in &doc.findings {
            let _ = writeln!(out, "{}", finding_row(f));
        }
    }
    if let Some(targets) = &doc.targets {
        let _ = writeln!(out, "\n## Targets\n\n| target | result | role | hashes |\n|---|---|---|---|");
        for (path, t) in targets {
            let hashes: Vec<String> =
                t.hashes.iter().map(|(a, h)| format!("{}:{}", cell(a), cell(h))).collect();
            let role = t.role.as_deref().map(cell).unwrap_or_default();
            let _ =
                writeln!(out, "| {} | {} | {} | {} |", cell(path), cell(&t.result), role, hashes.join(" "));
        }
    }
    out
}

fn finding_row(f: &Finding) -> String {
    let source = f.source.as_ref().map(|s| cell(&s.to_string())).unwrap_or_default();
    format!(
        "| {} {} | {} | {} | {} | {} | {} |",
        severity_glyph(f.severity),
        f.severity.word(),
        cell(&f.category),
        cell(&subject_label(&f.subject)),
        cell(&f.message),
        cell(&evidence_summary(&f.evidence)),
        source
    )
}

/// One line summing up the evidence (raw; callers sanitize).
pub fn evidence_summary(e: &Evidence) -> String {
    match e {
        Evidence::None => String::new(),
        Evidence::Digests { expected, actual } => format!("expected {expected}, actual {actual}"),
        Evidence::Signatures { checks } => {
            let valid = checks.iter().filter(|c| c.valid).count();
            format!("{valid} of {} signatures valid", checks.len())
        }
        Evidence::Threshold { needed, valid, .. } => {
            format!("threshold {needed}, {} valid keys", valid.len())
        }
        Evidence::Expiry { expires, evaluated_at } => {
            format!("expires {expires}, evaluated at {evaluated_at}")
        }
        Evidence::Versions { trusted, new } => format!("trusted version {trusted}, new {new}"),
        Evidence::Length { expected, actual } => format!("expected length {expected}, actual {actual}"),
        Evidence::Data { data } => data.to_string(),
        Evidence::RuleTrace(t) => {
            let mut parts = vec![format!(
                "queue {} → {}, consumed {}",
                t.queue_before.len(),
                t.queue_after.len(),
                t.consumed.len()
            )];
            if !t.offending.is_empty() {
                parts.push(format!("offending {}", t.offending.join(", ")));
            }
            for u in &t.unmatched {
                parts.push(format!("{} unmatched in {}:{} ({})", u.path, u.dest_step, u.dest_path, u.reason));
            }
            parts.join("; ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Subject;
    use time::macros::datetime;

    #[test]
    fn markdown_escapes_table_breakers_and_hidden_characters() {
        let f = Finding::error("rule-disallow", Subject::Artifact { path: "a|b\u{202e}".into() }, "m");
        let doc =
            Document::new(Kind::InToto, datetime!(2030-01-01 0:00 UTC), vec![f], "rule-disallow".into());
        let md = render(&doc);
        assert!(md.contains("| verdict | ✘ FAIL |"), "{md}");
        assert!(md.contains("artifact a\\|b\\\\u{202e}"), "{md}");
        assert!(!md.contains('\u{202e}'));
    }
}
