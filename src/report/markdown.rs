//! The auditor's Markdown report (`--format markdown`, `trailscope report`,
//! `e` in the TUI): the same result model as the JSON document, for people
//! who attach it to a ticket or an audit. Title, verdict (glyph and word),
//! evaluation time, inputs, counts, the first failure with its evidence
//! (both digests of a mismatch, the threshold and which keys counted, the
//! expiry), then every finding grouped by severity.
//!
//! Every string from metadata is sanitized (control, bidi and zero-width
//! characters become visible escapes) and Markdown-escaped, so a hostile
//! name can neither hide characters nor break the tables or the layout.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::evidence::digest_rows;
use crate::report::text::{kind_word, severity_glyph, subject_label, verdict_label};
use crate::sanitize::sanitize;
use crate::verdict::category;
use crate::verdict::tuf_detail::Roles;
use crate::verdict::{DigestSource, LinkDisagreement, Signer};
use crate::verdict::{Document, Inputs, Kind};
use crate::verdict::{Evidence, Finding, Severity, SignatureCheck, Subject, UnmatchedArtifact, count};

/// Most artifacts listed by name in one place (traces keep up to 1000).
const MAX_LISTED: usize = 20;

/// Sanitizes and escapes text for a Markdown table cell or paragraph.
pub fn cell(s: &str) -> String {
    let clean = sanitize(s);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        if matches!(c, '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '\\' | '~' | '&' | '!') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A paragraph of untrusted text: [`cell`], and a leading list or heading
/// marker escaped so the text cannot start a list.
fn para(s: &str) -> String {
    let mut text = cell(s);
    if text.starts_with(['-', '+', '=']) {
        text.insert(0, '\\');
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && text[digits..].starts_with(['.', ')']) {
        text.insert(digits, '\\');
    }
    text
}

/// A code span for strings that are safe in one (hex digests, key ids,
/// categories, pointers); anything else is escaped text.
fn code(s: &str) -> String {
    let safe = !s.is_empty()
        && s.len() <= 512
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "._:/+-@=,%() ".contains(c))
        && !s.starts_with(' ')
        && !s.ends_with(' ');
    if safe { format!("`{s}`") } else { cell(s) }
}

/// "✔ PASS" or "✘ FAIL", bold.
fn verdict_bold(doc: &Document) -> String {
    format!("**{}**", verdict_label(doc.verdict))
}

fn title(kind: Kind) -> &'static str {
    match kind {
        Kind::InToto => "in-toto supply chain verification",
        Kind::Tuf => "TUF repository verification",
        Kind::Bridge => "TUF + in-toto verification (bridge)",
        Kind::Attestation => "in-toto attestation in a Sigstore bundle",
    }
}

/// The report without recorded inputs (the TUI's export).
pub fn render(doc: &Document) -> String {
    render_with(doc, &Inputs::default())
}

/// The whole report.
pub fn render_with(doc: &Document, inputs: &Inputs) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# trailscope report — {}\n", title(doc.kind));
    let what = if doc.category == "pass" || doc.category == "ok" {
        "everything checked verified".to_owned()
    } else {
        format!("{}: {}", code(&doc.category), cell(category::summary(&doc.category)))
    };
    let _ = writeln!(out, "{} — {what}\n", verdict_bold(doc));
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| verdict | {} |", verdict_label(doc.verdict));
    let _ = writeln!(out, "| category | {} |", code(&doc.category));
    if let Some(stage) = &doc.stage {
        let _ = writeln!(out, "| stage | {} |", code(stage));
    }
    if let Some(refresh) = doc.refresh.as_ref().filter(|_| doc.kind != Kind::InToto) {
        let _ = writeln!(out, "| refresh | {} |", code(refresh));
    }
    let _ = writeln!(out, "| evaluated at | {} |", crate::meta::time::format(doc.evaluated_at));
    let _ = writeln!(out, "| kind | {} |", kind_word(doc.kind));
    let _ = writeln!(out, "| tool | trailscope {} |", env!("CARGO_PKG_VERSION"));

    run_section(&mut out, doc, inputs);
    inputs_section(&mut out, doc);
    checks_section(&mut out, doc);
    summary(&mut out, doc);
    if let Some(f) = deciding(doc) {
        first_failure(&mut out, doc, f);
    }

    let _ = writeln!(out, "\n## Findings\n");
    if doc.findings.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for (sev, heading) in
        [(Severity::Error, "Errors"), (Severity::Warning, "Warnings"), (Severity::Info, "Notes")]
    {
        let list: Vec<&Finding> = doc.findings.iter().filter(|f| f.severity == sev).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {} {heading} ({})\n", severity_glyph(sev), list.len());
        let _ = writeln!(out, "| # | category | subject | message | evidence | source |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for (i, f) in list.iter().enumerate() {
            let _ = writeln!(out, "{}", finding_row(i + 1, f));
        }
        let _ = writeln!(out);
    }

    if let Some(targets) = doc.targets.as_ref().filter(|t| !t.is_empty()) {
        let _ = writeln!(out, "## Targets\n");
        let _ = writeln!(out, "| target | result | category | role | length | hashes |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for (path, t) in targets {
            let hashes: Vec<String> =
                t.hashes.iter().map(|(a, h)| format!("{}: {}", cell(a), code(h))).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(path),
                cell(&t.result),
                t.category.as_deref().map(code).unwrap_or_default(),
                t.role.as_deref().map(cell).unwrap_or_default(),
                t.length.map(|l| l.to_string()).unwrap_or_default(),
                hashes.join("<br>")
            );
        }
        let _ = writeln!(out);
    }
    if let Some(roles) = doc.roles.as_ref().filter(|r| !r.is_empty()) {
        roles_table(&mut out, roles);
    }
    let _ = writeln!(
        out,
        "---\nGenerated by trailscope {}. Strings from metadata are shown sanitized: control, bidi and \
         zero-width characters appear as escapes such as `\\x1b` or `\\u{{202e}}`. `trailscope explain CATEGORY` \
         says what a category means.",
        env!("CARGO_PKG_VERSION")
    );
    // One blank line between blocks, however they ended.
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out
}

/// How the run was started: command line, version, options, trust anchor.
/// `inputs` are the options of a document that does not hold its own.
fn run_section(out: &mut String, doc: &Document, inputs: &Inputs) {
    let _ = writeln!(out, "\n## Run\n");
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| trailscope | {} |", env!("CARGO_PKG_VERSION"));
    let Some(inv) = &doc.invocation else {
        let _ = writeln!(out, "| command line | not recorded |");
        for (label, value) in inputs.entries() {
            let _ = writeln!(out, "| {} | {} |", cell(label), cell(value));
        }
        return;
    };
    let _ = writeln!(out, "| command line | {} |", cell(&inv.command_text()));
    for o in &inv.options {
        let _ = writeln!(out, "| {} | {} |", cell(&o.name), cell(&o.value));
    }
    if let Some(a) = &inv.trust_anchor {
        let files: Vec<String> = a.files.iter().map(|f| cell(f)).collect();
        let version = a.root_version.map(|v| format!(", root version {v}")).unwrap_or_default();
        let _ = writeln!(out, "| trust anchor | {}: {}{version} |", cell(&a.what), files.join(", "));
    }
}

/// Every input file with its size and sha256.
fn inputs_section(out: &mut String, doc: &Document) {
    let _ = writeln!(out, "\n## Inputs\n");
    if doc.inputs.is_empty() {
        let _ = writeln!(out, "Not recorded in this document.");
        return;
    }
    let _ = writeln!(out, "| input | file | bytes | sha256 |\n|---|---|---|---|");
    for f in &doc.inputs {
        let digest = match (&f.sha256, f.files) {
            (Some(h), _) => code(h),
            (None, Some(n)) => format!("{n} files, not hashed one by one"),
            (None, None) => "not hashed".to_owned(),
        };
        let _ = writeln!(out, "| {} | {} | {} | {digest} |", cell(&f.role), cell(&f.path), f.size);
    }
}

/// The checks performed, in order, each with its outcome.
fn checks_section(out: &mut String, doc: &Document) {
    let _ = writeln!(out, "\n## Checks performed\n");
    if doc.checks.is_empty() {
        let _ = writeln!(out, "Not recorded in this document.");
        return;
    }
    let _ = writeln!(out, "{}.\n", super::record::tally_line(&doc.checks));
    let _ = writeln!(out, "| | subject | check | detail |\n|---|---|---|---|");
    for c in &doc.checks {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            c.outcome.label(),
            cell(&super::record::check_subject(c)),
            cell(&c.what),
            cell(&c.detail)
        );
    }
}

/// The finding that decided the verdict: the first error of the verdict's
/// category (and stage), else the first error.
pub fn deciding(doc: &Document) -> Option<&Finding> {
    let mut errors = doc.findings.iter().filter(|f| f.severity == Severity::Error);
    errors
        .clone()
        .find(|f| {
            f.category == doc.category && (doc.stage.is_none() || f.stage.is_none() || f.stage == doc.stage)
        })
        .or_else(|| errors.next())
}

fn summary(out: &mut String, doc: &Document) {
    let c = count(&doc.findings);
    let _ = writeln!(out, "\n## Summary\n");
    let _ = writeln!(
        out,
        "{} {} error(s), {} {} warning(s), {} {} note(s).\n",
        severity_glyph(Severity::Error),
        c.error,
        severity_glyph(Severity::Warning),
        c.warning,
        severity_glyph(Severity::Info),
        c.info
    );
    if doc.findings.is_empty() {
        return;
    }
    let mut by: BTreeMap<(Severity, &str), usize> = BTreeMap::new();
    for f in &doc.findings {
        *by.entry((f.severity, f.category.as_str())).or_default() += 1;
    }
    let _ = writeln!(out, "| severity | category | count | meaning |\n|---|---|---|---|");
    for ((sev, cat), n) in by {
        let _ = writeln!(
            out,
            "| {} {} | {} | {n} | {} |",
            severity_glyph(sev),
            sev.word(),
            code(cat),
            cell(category::summary(cat))
        );
    }
}

fn first_failure(out: &mut String, doc: &Document, f: &Finding) {
    let _ = writeln!(out, "\n## First failure\n");
    let _ = writeln!(
        out,
        "{} **{}** {} — {}\n",
        severity_glyph(f.severity),
        f.severity.word(),
        code(&f.category),
        cell(&subject_label(&f.subject))
    );
    let _ = writeln!(out, "> {}\n", para(&f.message));
    let mut facts: Vec<String> = Vec::new();
    if let Some(stage) = &f.stage {
        facts.push(format!("stage: {}", code(stage)));
    }
    if let Some(fail) = &doc.failure {
        if !fail.scope.is_empty() {
            let scope: Vec<String> = fail.scope.iter().map(|s| cell(s)).collect();
            facts.push(format!("in sublayout: {}", scope.join(" › ")));
        }
        for (k, v) in [("step", &fail.step), ("rule", &fail.rule), ("artifact", &fail.artifact)] {
            if let Some(v) = v {
                facts.push(format!("{k}: {}", cell(v)));
            }
        }
    }
    if let Some(src) = &f.source {
        facts.push(format!("source: {}", source_text(src)));
    }
    for fact in &facts {
        let _ = writeln!(out, "- {fact}");
    }
    if !facts.is_empty() {
        let _ = writeln!(out);
    }
    evidence_detail(out, f);
}

fn source_text(src: &crate::meta::Location) -> String {
    if src.pointer.is_empty() {
        cell(&src.file)
    } else {
        format!("{} at {}", cell(&src.file), code(&src.pointer))
    }
}

/// The evidence in full: tables an auditor can read.
fn evidence_detail(out: &mut String, f: &Finding) {
    match &f.evidence {
        Evidence::None => {}
        Evidence::Digests { expected, actual, expected_from, actual_from } => {
            let _ = writeln!(out, "**Digests**\n");
            sources(out, expected_from.as_ref(), actual_from.as_ref());
            digest_table(out, expected, actual);
        }
        Evidence::LinkDisagreement(d) => disagreement(out, d),
        Evidence::RuleTrace(t) => {
            let (step, section) = match &f.subject {
                Subject::Rule { step, section, .. } => (step.as_str(), section.as_str()),
                _ => ("", ""),
            };
            for u in &t.unmatched {
                unmatched(out, step, section, u);
            }
            if !t.offending.is_empty() {
                let _ = writeln!(out, "**Offending artifacts**: {}\n", list(&t.offending, t.offending.len()));
            }
            let _ = writeln!(out, "**Rule trace**\n");
            let _ = writeln!(out, "| | artifacts |\n|---|---|");
            let _ = writeln!(out, "| queue before | {} |", list(&t.queue_before, t.queue_before_count));
            let _ = writeln!(out, "| consumed | {} |", list(&t.consumed, t.consumed_count));
            let _ = writeln!(out, "| queue after | {} |", list(&t.queue_after, t.queue_after_count));
            let _ = writeln!(out);
        }
        Evidence::Threshold { needed, valid, checks } => {
            let counted: Vec<String> = valid.iter().map(|k| code(k)).collect();
            let _ = writeln!(
                out,
                "**Threshold**: {needed} distinct key(s) needed, {} counted{}\n",
                valid.len(),
                if counted.is_empty() { String::new() } else { format!(": {}", counted.join(", ")) }
            );
            signature_table(out, checks);
        }
        Evidence::Signatures { checks } => {
            let _ = writeln!(out, "**Signatures**\n");
            signature_table(out, checks);
        }
        Evidence::Expiry { expires, evaluated_at } => {
            let _ = writeln!(out, "**Expiry**\n\n| expires | evaluated at |\n|---|---|");
            let _ = writeln!(out, "| {} | {} |\n", cell(expires), cell(evaluated_at));
        }
        Evidence::Versions { trusted, new } => {
            let _ = writeln!(out, "**Versions**: trusted {trusted}, new {new}\n");
        }
        Evidence::Length { expected, actual } => {
            let _ = writeln!(out, "**Length**: expected {expected} bytes, actual {actual} bytes\n");
        }
        Evidence::Data { data } => {
            // Line by line: the line breaks of the pretty JSON stay line breaks.
            let pretty = serde_json::to_string_pretty(data).unwrap_or_default();
            let text: String =
                pretty.lines().map(|l| sanitize(l).into_owned()).collect::<Vec<_>>().join("\n");
            let fence = "`".repeat(longest_backtick_run(&text).max(2) + 1);
            let _ = writeln!(out, "**Evidence**\n\n{fence}json\n{text}\n{fence}\n");
        }
    }
}

fn longest_backtick_run(s: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Where each side of a digest comparison was read (when recorded).
fn sources(out: &mut String, expected: Option<&DigestSource>, actual: Option<&DigestSource>) {
    if expected.is_none() && actual.is_none() {
        return;
    }
    let _ = writeln!(out, "| | read from |\n|---|---|");
    for (word, s) in [("expected", expected), ("actual", actual)] {
        let _ = writeln!(out, "| {word} | {} |", s.map(source_cell).unwrap_or_default());
    }
    let _ = writeln!(out);
}

fn source_cell(s: &DigestSource) -> String {
    let mut text = cell(&s.label);
    if let Some(f) = &s.file {
        text.push_str(&format!(", {}", cell(f)));
    }
    match &s.signed_by {
        Some(Signer::Key { keyid }) => text.push_str(&format!(", signed by key {}", code(keyid))),
        Some(Signer::Role { name }) => text.push_str(&format!(", signed by role {}", code(name))),
        None => {}
    }
    text
}

fn digest_table(out: &mut String, expected: &Value, actual: &Value) {
    let _ = writeln!(out, "| algorithm | expected | actual | |\n|---|---|---|---|");
    for r in digest_rows(expected, actual) {
        let same = if r.equal() { "✔ equal" } else { "✘ differ" };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {same} |",
            cell(&r.alg),
            r.expected.as_deref().map(code).unwrap_or_else(|| "(none)".into()),
            r.actual.as_deref().map(code).unwrap_or_else(|| "(none)".into())
        );
    }
    let _ = writeln!(out);
}

/// Two links of one step that disagree: both links, then both digests of
/// every differing artifact.
fn disagreement(out: &mut String, d: &LinkDisagreement) {
    let _ = writeln!(out, "**Links that disagree** (step {})\n", cell(&d.step));
    sources(out, Some(&d.expected), Some(&d.actual));
    let _ = writeln!(out, "| artifact | algorithm | expected | actual |\n|---|---|---|---|");
    for a in &d.artifacts {
        let (e, x) = (a.expected.clone().unwrap_or(Value::Null), a.actual.clone().unwrap_or(Value::Null));
        for r in digest_rows(&e, &x) {
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} |",
                cell(&a.section),
                cell(&a.path),
                cell(&r.alg),
                r.expected.as_deref().map(code).unwrap_or_else(|| "(not listed)".into()),
                r.actual.as_deref().map(code).unwrap_or_else(|| "(not listed)".into())
            );
        }
    }
    if d.artifacts_count > d.artifacts.len() {
        let _ = writeln!(out, "\n… {} artifacts differ in all.", d.artifacts_count);
    }
    let _ = writeln!(out);
}

/// A MATCH that could not consume an artifact: both sides, both hashes.
fn unmatched(out: &mut String, step: &str, section: &str, u: &UnmatchedArtifact) {
    let side = section.trim_start_matches("expected_");
    let _ = writeln!(out, "**{}** was not consumed by MATCH ({})\n", cell(&u.path), cell(&u.reason));
    let _ = writeln!(out, "| | step | artifact | digests |\n|---|---|---|---|");
    let _ = writeln!(
        out,
        "| found ({}) | {} | {} | {} |",
        cell(side),
        cell(step),
        cell(&u.path),
        hashes(&u.hashes)
    );
    let dest = u.dest_hashes.as_ref().map(hashes).unwrap_or_else(|| "(not there)".into());
    let _ = writeln!(out, "| expected from | {} | {} | {dest} |\n", cell(&u.dest_step), cell(&u.dest_path));
}

fn hashes(v: &Value) -> String {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                format!("{}: {}", cell(k), v.as_str().map(code).unwrap_or_else(|| cell(&v.to_string())))
            })
            .collect::<Vec<_>>()
            .join("<br>"),
        other => cell(&other.to_string()),
    }
}

fn signature_table(out: &mut String, checks: &[SignatureCheck]) {
    if checks.is_empty() {
        let _ = writeln!(out, "No signatures.\n");
        return;
    }
    let _ = writeln!(out, "| key id | counted | why not |\n|---|---|---|");
    for c in checks {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(&c.keyid),
            if c.valid { "✔ yes" } else { "✘ no" },
            c.reason.as_deref().map(cell).unwrap_or_default()
        );
    }
    let _ = writeln!(out);
}

/// The first [`MAX_LISTED`] items of a list that had `total`.
fn list(items: &[String], total: usize) -> String {
    if total == 0 {
        return "(none)".into();
    }
    let shown: Vec<String> = items.iter().take(MAX_LISTED).map(|s| cell(s)).collect();
    if total > shown.len() { format!("{} … ({total} in all)", shown.join(", ")) } else { shown.join(", ") }
}

fn finding_row(n: usize, f: &Finding) -> String {
    let source = f.source.as_ref().map(source_text).unwrap_or_default();
    let category = match &f.stage {
        Some(stage) => format!("{} ({})", code(&f.category), cell(stage)),
        None => code(&f.category),
    };
    format!(
        "| {n} | {category} | {} | {} | {} | {} |",
        cell(&subject_label(&f.subject)),
        cell(&f.message),
        cell(&evidence_summary(&f.evidence)),
        source
    )
}

fn roles_table(out: &mut String, roles: &Roles) {
    let _ = writeln!(out, "## Roles\n");
    let _ = writeln!(out, "| role | trusted | version | expires | delegator | signatures |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for (name, r) in roles {
        let trusted = match r.refusal() {
            None => "✔ yes".to_owned(),
            Some((category, _)) => format!("✘ no {}", code(category.id())),
        };
        let version = r.common.as_ref().map(|c| c.version.to_string()).unwrap_or_default();
        let mut expires = r.common.as_ref().map(|c| cell(&c.expires)).unwrap_or_default();
        if r.common.as_ref().is_some_and(|c| c.expired) {
            expires.push_str(" (expired)");
        }
        let sigs = r
            .signatures
            .as_ref()
            .map(|g| format!("{} valid of threshold {}", g.valid.len(), g.threshold))
            .unwrap_or_default();
        let delegator = r.delegator.as_deref().map(cell).unwrap_or_default();
        let _ =
            writeln!(out, "| {} | {trusted} | {version} | {expires} | {delegator} | {sigs} |", cell(name));
    }
    let _ = writeln!(out);
}

/// One line summing up the evidence (raw; callers sanitize).
pub fn evidence_summary(e: &Evidence) -> String {
    super::evidence::summary(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{RuleTrace, Subject};
    use serde_json::json;
    use time::macros::datetime;

    fn doc(findings: Vec<Finding>, category: &str) -> Document {
        Document::new(
            Kind::InToto,
            datetime!(2030-01-01 0:00 UTC),
            findings,
            crate::verdict::category::Category::from_id(category).expect("a registered category"),
        )
    }

    #[test]
    fn markdown_escapes_table_breakers_and_hidden_characters() {
        let f = Finding::error(
            crate::verdict::category::RULE_DISALLOW,
            Subject::Artifact { path: "a|b\u{202e}".into() },
            "m",
        );
        let md = render(&doc(vec![f], "rule-disallow"));
        assert!(md.contains("| verdict | ✘ FAIL |"), "{md}");
        assert!(md.contains("artifact a\\|b\\\\u{202e}"), "{md}");
        assert!(!md.contains('\u{202e}'));
    }

    #[test]
    fn a_hostile_message_cannot_start_a_list_a_link_or_html() {
        let f = Finding::error(
            crate::verdict::category::RULE_DISALLOW,
            Subject::Step { name: "s".into() },
            "- [click](http://x) <script>\n# h",
        );
        let md = render(&doc(vec![f], "rule-disallow"));
        assert!(md.contains("> \\- \\[click\\](http://x) \\<script\\>\\\\x0a\\# h"), "{md}");
    }

    #[test]
    fn the_first_failure_shows_both_digests_of_a_match_mismatch() {
        let trace = RuleTrace {
            queue_before: vec!["app".into()],
            queue_before_count: 1,
            queue_after: vec!["app".into()],
            queue_after_count: 1,
            unmatched: vec![UnmatchedArtifact {
                path: "app".into(),
                hashes: json!({"sha256": "aa11"}),
                dest_step: "build".into(),
                dest_path: "app".into(),
                dest_hashes: Some(json!({"sha256": "bb22"})),
                reason: "hash-mismatch".into(),
            }],
            ..RuleTrace::default()
        };
        let f = Finding::error(
            crate::verdict::category::RULE_DISALLOW,
            Subject::Rule {
                step: "package".into(),
                section: "expected_materials".into(),
                index: 1,
                text: "DISALLOW *".into(),
            },
            "DISALLOW * matched app",
        )
        .with_evidence(Evidence::RuleTrace(trace));
        let md = render(&doc(vec![f], "rule-disallow"));
        assert!(md.contains("## First failure"), "{md}");
        assert!(md.contains("| found (materials) | package | app | sha256: `aa11` |"), "{md}");
        assert!(md.contains("| expected from | build | app | sha256: `bb22` |"), "{md}");
    }

    #[test]
    fn thresholds_list_which_keys_counted() {
        let f = Finding::error(
            crate::verdict::category::LINK_THRESHOLD,
            Subject::Step { name: "build".into() },
            "1 of 2",
        )
        .with_evidence(Evidence::Threshold {
            needed: 2,
            valid: vec!["aaaa".into()],
            checks: vec![
                SignatureCheck { keyid: "aaaa".into(), valid: true, reason: None },
                SignatureCheck {
                    keyid: "bbbb".into(),
                    valid: false,
                    reason: Some("invalid signature".into()),
                },
            ],
        });
        let md = render(&doc(vec![f], "link-threshold"));
        assert!(md.contains("**Threshold**: 2 distinct key(s) needed, 1 counted: `aaaa`"), "{md}");
        assert!(md.contains("| `bbbb` | ✘ no | invalid signature |"), "{md}");
    }

    #[test]
    fn disagreeing_links_list_both_digests_with_hostile_names_escaped() {
        let side = |file: &str, key: &str| {
            DigestSource::new("the step's first link").in_file(file).signed_by_key(key)
        };
        let d = LinkDisagreement {
            step: "com|pile".into(),
            expected: side("a.link", "aaaa"),
            actual: side("b\u{202e}.link", "bb`b"),
            artifacts: vec![crate::verdict::ArtifactDigests {
                section: "products".into(),
                path: "dist/a|pp".into(),
                expected: Some(json!({"sha256": "11"})),
                actual: None,
            }],
            artifacts_count: 1,
        };
        let f = Finding::error(
            crate::verdict::category::LINK_DISAGREEMENT,
            Subject::Step { name: "com|pile".into() },
            "m",
        )
        .with_evidence(Evidence::LinkDisagreement(d));
        let md = render(&doc(vec![f], "link-disagreement"));
        assert!(md.contains("**Links that disagree** (step com\\|pile)"), "{md}");
        assert!(
            md.contains("| actual | the step's first link, b\\\\u{202e}.link, signed by key bb\\`b |"),
            "{md}"
        );
        assert!(md.contains("| products dist/a\\|pp | sha256 | `11` | (not listed) |"), "{md}");
        assert!(!md.contains('\u{202e}'));
    }

    #[test]
    fn code_spans_only_for_safe_strings() {
        assert_eq!(code("sha256"), "`sha256`");
        assert_eq!(code("a`b"), "a\\`b");
        assert_eq!(code("x\u{202e}"), "x\\\\u{202e}");
    }
}
