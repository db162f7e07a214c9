//! The plain-text report for people: what `trailscope` prints instead of
//! opening the TUI when stdout is not a terminal, and what a headless run
//! shows without `--format json`, each finding with its evidence (both
//! sides of a comparison). Every metadata string is sanitized
//! (DESIGN §9: never print raw control characters).

use std::fmt::Write as _;

use crate::sanitize::sanitize;
use crate::verdict::{Document, Kind, Verdict};
use crate::verdict::{Finding, Severity, Subject, count};

/// "in-toto", "tuf" or "bridge".
pub fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::InToto => "in-toto",
        Kind::Tuf => "tuf",
        Kind::Bridge => "bridge",
        Kind::Attestation => "attestation",
    }
}

/// The verdict as glyph and word, so status never depends on colour.
pub fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✔ PASS",
        Verdict::Fail => "✘ FAIL",
    }
}

/// The glyph of a severity.
pub fn severity_glyph(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "✘",
        Severity::Warning => "⚠",
        Severity::Info => "ℹ",
    }
}

/// The kind of a subject, as a word ("step", "artifact", …).
pub fn subject_kind(subject: &Subject) -> &'static str {
    match subject {
        Subject::Layout { .. } => "layout",
        Subject::Step { .. } => "step",
        Subject::Inspection { .. } => "inspection",
        Subject::Link { .. } => "link",
        Subject::Rule { .. } => "rule",
        Subject::Artifact { .. } => "artifact",
        Subject::Key { .. } => "key",
        Subject::Role { .. } => "role",
        Subject::Target { .. } => "target",
        Subject::File { .. } => "file",
    }
}

/// The subject's name, raw (callers sanitize before showing it).
pub fn subject_name(subject: &Subject) -> String {
    match subject {
        Subject::Layout { path }
        | Subject::Link { path }
        | Subject::Artifact { path }
        | Subject::Target { path }
        | Subject::File { path } => path.clone(),
        Subject::Step { name } | Subject::Inspection { name } | Subject::Role { name } => name.clone(),
        Subject::Key { keyid } => keyid.clone(),
        Subject::Rule { step, section, index, text } => format!("{step} {section}[{index}] {text}"),
    }
}

/// "artifact foo.tar.gz", raw.
pub fn subject_label(subject: &Subject) -> String {
    format!("{} {}", subject_kind(subject), subject_name(subject))
}

/// "2 errors, 1 warning, 0 info".
pub fn counts_line(findings: &[Finding]) -> String {
    let c = count(findings);
    let plural = |n: usize, word: &str| if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") };
    format!("{}, {}, {} info", plural(c.error, "error"), plural(c.warning, "warning"), c.info)
}

/// The whole text report.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "trailscope — {} verification", kind_word(doc.kind));
    let _ = writeln!(out, "verdict:      {} ({})", verdict_label(doc.verdict), sanitize(&doc.category));
    let _ = writeln!(out, "evaluated at: {}", crate::meta::time::format(doc.evaluated_at));
    if let Some(stage) = &doc.stage {
        let _ = writeln!(out, "stage:        {}", sanitize(stage));
    }
    if let Some(f) = &doc.failure {
        let parts: Vec<String> = [("step", &f.step), ("rule", &f.rule), ("artifact", &f.artifact)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {}", sanitize(v))))
            .collect();
        if !parts.is_empty() {
            let _ = writeln!(out, "failure:      {}", parts.join(", "));
        }
    }
    let _ = writeln!(out, "findings:     {}", counts_line(&doc.findings));
    for f in &doc.findings {
        let _ = writeln!(
            out,
            "  {} {:<7} {}: {}: {}",
            severity_glyph(f.severity),
            f.severity.word(),
            sanitize(&f.category),
            sanitize(&subject_label(&f.subject)),
            sanitize(&f.message)
        );
        evidence(&mut out, f);
    }
    out.push_str(&super::record::text(doc));
    out
}

/// The finding's evidence under it: both sides of a digest comparison in
/// full, else the one-line summary.
fn evidence(out: &mut String, f: &Finding) {
    let lines = super::evidence::digest_text(&f.evidence);
    if lines.is_empty() {
        let summary = super::evidence::summary(&f.evidence);
        if !summary.is_empty() {
            let _ = writeln!(out, "      evidence: {}", sanitize(&summary));
        }
    }
    for line in lines {
        let _ = writeln!(out, "      {}", sanitize(&line));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn text_report_shows_verdict_counts_and_escaped_findings() {
        let f = Finding::error(
            crate::verdict::category::RULE_DISALLOW,
            Subject::Artifact { path: "a\u{202e}b\u{1b}".into() },
            "artifact not allowed",
        );
        let doc = Document::new(
            Kind::InToto,
            datetime!(2030-01-01 0:00 UTC),
            vec![f],
            crate::verdict::category::RULE_DISALLOW,
        );
        let text = render(&doc);
        assert!(text.contains("verdict:      ✘ FAIL (rule-disallow)"), "{text}");
        assert!(text.contains("1 error, 0 warnings, 0 info"), "{text}");
        assert!(text.contains("artifact a\\u{202e}b\\x1b: artifact not allowed"), "{text}");
        assert!(!text.contains('\u{1b}'));
    }
}
