//! A finding's evidence as the views draw it (DESIGN §6): both sides of
//! every comparison — expected and actual digests per algorithm with the
//! first differing character marked, where each side was read, the two
//! links of a step that disagree, a rule's trace — for the Findings detail,
//! the Step view and the Artifact view alike. "Expected" and "actual" mean
//! what `verdict::Evidence` says they mean.

use ratatui::text::{Line, Span};
use serde_json::Value;

use super::common::{field, short_digest};
use crate::intoto::rule::ArtifactType;
use crate::report::evidence::digest_rows;
use crate::tui::chain::Item;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::widgets::{severity_label, untrusted};
use crate::verdict::{
    ArtifactDigests, DigestSource, Evidence, Finding, LinkDisagreement, RuleTrace, Severity, Signer, Subject,
};

/// The lines of one piece of evidence in a pane `width` columns wide.
pub fn evidence_lines(e: &Evidence, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    match e {
        Evidence::None => Vec::new(),
        Evidence::Digests { expected, actual, expected_from, actual_from } => {
            let mut lines = source_lines(expected_from.as_ref(), actual_from.as_ref(), true, theme);
            lines.extend(digest_lines_in(expected, actual, width, theme));
            lines
        }
        Evidence::LinkDisagreement(d) => disagreement_lines(d, width, true, theme),
        Evidence::Signatures { checks } | Evidence::Threshold { checks, .. } => {
            let mut lines = Vec::new();
            if let Evidence::Threshold { needed, valid, .. } = e {
                let met = valid.len() as u64 >= *needed;
                let (word, style) = if met { ("✔ met", theme.pass) } else { ("✘ not met", theme.fail) };
                lines.push(Line::from(vec![
                    Span::styled(format!("{:<9} ", "Threshold"), theme.muted),
                    Span::styled(format!("{word}: {} of {needed} distinct keys", valid.len()), style),
                ]));
            }
            for c in checks {
                let (word, style) =
                    if c.valid { ("✔ valid  ", theme.pass) } else { ("✘ invalid", theme.fail) };
                let mut spans = vec![
                    Span::styled(format!("{:<9} ", "Signature"), theme.muted),
                    Span::styled(format!("{word} "), style),
                ];
                spans.extend(untrusted(&c.keyid, theme.base, theme));
                if let Some(reason) = &c.reason {
                    spans.push(Span::styled(" — ", theme.muted));
                    spans.extend(untrusted(reason, theme.base, theme));
                }
                lines.push(Line::from(spans));
            }
            lines
        }
        Evidence::Expiry { expires, evaluated_at } => vec![
            field("Expires", expires, theme.expired, theme),
            field("At", evaluated_at, theme.base, theme),
        ],
        Evidence::Versions { trusted, new } => {
            vec![field("Versions", &format!("trusted {trusted}, new {new}"), theme.base, theme)]
        }
        Evidence::Length { expected, actual } => {
            vec![field("Length", &format!("expected {expected}, actual {actual}"), theme.base, theme)]
        }
        Evidence::Data { data } => vec![field("Data", &data.to_string(), theme.base, theme)],
        Evidence::RuleTrace(t) => trace_lines(t, width, theme),
    }
}

/// Whether an error finding is about the artifact `path` (a product
/// binding, say), whatever the chain's rules said of it.
pub fn artifact_failed(state: &State, path: &str) -> bool {
    state.findings().iter().any(|f| {
        f.severity == Severity::Error && matches!(&f.subject, Subject::Artifact { path: p } if p == path)
    })
}

/// The errors and warnings about the artifact `path` with their evidence
/// (both digests of a product binding): what the Artifact view shows
/// besides the chain's own digests, so Enter on such a finding lands on it.
pub fn artifact_finding_lines(state: &State, path: &str, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let about = state.findings().iter().filter(|f| {
        f.severity != Severity::Info && matches!(&f.subject, Subject::Artifact { path: p } if p == path)
    });
    for f in about {
        let mut head = vec![severity_label(f.severity, theme), Span::raw("  ")];
        head.extend(untrusted(&f.category, theme.title, theme));
        if let Some(stage) = &f.stage {
            head.push(Span::styled("  stage ", theme.muted));
            head.extend(untrusted(stage, theme.base, theme));
        }
        lines.push(Line::from(head));
        // Both digests first, then where each was read, then the message
        // (which repeats them): a short pane shows the top.
        match &f.evidence {
            Evidence::Digests { expected, actual, expected_from, actual_from } => {
                lines.extend(digest_lines_in(expected, actual, width, theme));
                lines.extend(source_lines(expected_from.as_ref(), actual_from.as_ref(), false, theme));
            }
            other => lines.extend(evidence_lines(other, width, theme)),
        }
        lines.push(field("Message", &f.message, theme.base, theme));
    }
    lines
}

/// Where the expected and the actual digests were read, when recorded:
/// in full (`full`: the Findings detail, which search reads), or as the
/// file and a short signer where a view has a few lines to spare.
pub fn source_lines(
    expected: Option<&DigestSource>,
    actual: Option<&DigestSource>,
    full: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    [("Expected", expected), ("Actual", actual)]
        .into_iter()
        .filter_map(|(word, s)| {
            let s = s?;
            let text = if full { s.describe() } else { brief(s) };
            Some(field(word, &text, theme.muted, theme))
        })
        .collect()
}

/// "compile.6fa71fe9.link · key 6fa71fe9…", "TUF target x · role y".
fn brief(s: &DigestSource) -> String {
    let what = s.file.clone().unwrap_or_else(|| s.label.clone());
    match &s.signed_by {
        Some(Signer::Key { keyid }) => format!("{what} · key {}", short_digest(keyid, 8)),
        Some(Signer::Role { name }) => format!("{what} · role {name}"),
        None => what,
    }
}

/// Two links of one step that disagree: the category and count, which links
/// (expected: the first), then each differing artifact with both digests,
/// the first difference marked; `width` as for [`digest_lines_in`], `full`
/// as for [`source_lines`].
pub fn disagreement_lines(
    d: &LinkDisagreement,
    width: usize,
    full: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{:<9} ", "Links"), theme.muted),
        Span::styled(format!("✘ disagree on {} artifact(s)", d.artifacts_count), theme.fail),
    ])];
    lines.extend(source_lines(Some(&d.expected), Some(&d.actual), full, theme));
    for a in &d.artifacts {
        lines.push(field("Artifact", &format!("{} {}", a.section, a.path), theme.fail, theme));
        let (e, x) = (a.expected.clone().unwrap_or(Value::Null), a.actual.clone().unwrap_or(Value::Null));
        lines.extend(digest_lines_in(&e, &x, width, theme));
    }
    if d.artifacts_count > d.artifacts.len() {
        lines.push(Line::styled(format!("… {} artifacts differ in all", d.artifacts_count), theme.muted));
    }
    lines
}

/// An artifact rule's trace: the queue before and after, what it consumed,
/// what it failed on, and each unmatched artifact with both digests.
fn trace_lines(t: &RuleTrace, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    const SHOWN: usize = 6;
    let list = |items: &[String]| {
        let mut s = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
        if items.len() > SHOWN {
            s.push_str(&format!(", … ({} in all)", items.len()));
        }
        s
    };
    let queue = format!("{} before → {} after", t.queue_before.len(), t.queue_after.len());
    let mut lines = vec![field("Queue", &queue, theme.base, theme)];
    if !t.consumed.is_empty() {
        lines.push(field("Consumed", &list(&t.consumed), theme.base, theme));
    }
    if !t.offending.is_empty() {
        lines.push(field("Offending", &list(&t.offending), theme.fail, theme));
    }
    for u in &t.unmatched {
        let text = format!("{} → {}:{} ({})", u.path, u.dest_step, u.dest_path, u.reason);
        lines.push(field("Unmatched", &text, theme.fail, theme));
        lines.extend(digest_lines_in(
            u.dest_hashes.as_ref().unwrap_or(&Value::Null),
            &u.hashes,
            width,
            theme,
        ));
    }
    lines
}

/// Expected and actual digests per algorithm, one value per line, a caret
/// under the first differing character, for a pane `width` columns wide:
/// where a labelled digest would wrap, the label goes on its own line and
/// the digest is cut into rows of `width` characters from the left edge,
/// so the caret stays under the character it marks.
pub fn digest_lines_in(expected: &Value, actual: &Value, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for row in digest_rows(expected, actual) {
        let (e, a) = (row.expected.as_deref(), row.actual.as_deref());
        let diff = e.zip(a).and_then(|(e, a)| first_difference(e, a));
        let mut head = vec![Span::styled(format!("{:<9} ", "Digest"), theme.muted)];
        head.extend(untrusted(&row.alg, theme.base, theme));
        head.push(match (e, a, diff) {
            (Some(_), Some(_), None) => Span::styled("  ✔ match", theme.pass),
            (Some(_), Some(_), Some(at)) => {
                Span::styled(format!("  ✘ differs at character {}", at + 1), theme.fail)
            }
            (Some(_), None, _) => Span::styled("  ✘ no actual digest", theme.fail),
            (None, _, _) => Span::styled("  ⚠ no expected digest", theme.warn),
        });
        lines.push(Line::from(head));
        let longest = e.iter().chain(a.iter()).map(|d| d.chars().count()).max().unwrap_or(0);
        if longest + 10 <= width {
            if let Some(e) = e {
                lines.push(field("Expected", e, theme.base, theme));
            }
            if let Some(a) = a {
                let mut spans = vec![Span::styled(format!("{:<9} ", "Actual"), theme.muted)];
                spans.extend(diff_spans(a, diff, theme));
                lines.push(Line::from(spans));
                if let Some(at) = diff {
                    lines.push(Line::styled(format!("{}^", " ".repeat(10 + at)), theme.fail));
                }
            }
            continue;
        }
        // Narrow: each label on its own line, each digest cut into rows of
        // `width` characters from the left edge, the caret under its row.
        let label = |name: &str| Line::from(Span::styled(name.to_owned(), theme.muted));
        let width = width.max(8);
        if let Some(e) = e {
            lines.push(label("Expected"));
            for chunk in chunks(e, width) {
                lines.push(Line::from(untrusted(&chunk, theme.base, theme)));
            }
        }
        if let Some(a) = a {
            lines.push(label("Actual"));
            for (n, chunk) in chunks(a, width).into_iter().enumerate() {
                let start = n * width;
                let here = diff.filter(|at| (start..start + width).contains(at)).map(|at| at - start);
                lines.push(Line::from(diff_spans(&chunk, here, theme)));
                if let Some(at) = here {
                    lines.push(Line::styled(format!("{}^", " ".repeat(at)), theme.fail));
                }
            }
        }
    }
    lines
}

/// `s` in pieces of `width` characters.
fn chunks(s: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(width.max(1)).map(|c| c.iter().collect()).collect()
}

/// The index (in characters) of the first difference, if any.
pub fn first_difference(expected: &str, actual: &str) -> Option<usize> {
    expected.chars().zip(actual.chars()).position(|(a, b)| a != b).or_else(|| {
        let (le, la) = (expected.chars().count(), actual.chars().count());
        (le != la).then_some(le.min(la))
    })
}

/// `actual` with the character at `diff` marked `hash-mismatch`.
pub fn diff_spans(actual: &str, diff: Option<usize>, theme: &Theme) -> Vec<Span<'static>> {
    let Some(at) = diff else { return untrusted(actual, theme.hash_match, theme) };
    let head: String = actual.chars().take(at).collect();
    let mark: String = actual.chars().skip(at).take(1).collect();
    let tail: String = actual.chars().skip(at + 1).collect();
    let mut spans = untrusted(&head, theme.base, theme);
    spans.extend(untrusted(if mark.is_empty() { "∅" } else { &mark }, theme.hash_mismatch, theme));
    spans.extend(untrusted(&tail, theme.base, theme));
    spans
}

// ---- the Step view: a step's own failures and its links' disagreement ----

/// The findings about an item (its step or inspection, its rules, its
/// links), in the document's order: the verifier's word on it, which the
/// header and the detail pane show rather than re-deriving it.
pub fn findings_about<'a>(state: &'a State, item: &Item) -> Vec<&'a Finding> {
    state
        .findings()
        .iter()
        .filter(|f| match &f.subject {
            Subject::Step { name } | Subject::Inspection { name } => *name == item.name,
            Subject::Rule { step, .. } => *step == item.name,
            Subject::Link { path } => item.links.iter().any(|l| l.path == *path),
            _ => false,
        })
        .collect()
}

/// The threshold-agreement evidence among an item's findings.
pub fn disagreements<'a>(about: &[&'a Finding]) -> Vec<&'a LinkDisagreement> {
    about
        .iter()
        .filter_map(|f| match &f.evidence {
            Evidence::LinkDisagreement(d) => Some(d),
            _ => None,
        })
        .collect()
}

/// The item's failures that no rule trace shows (threshold, agreement,
/// signatures, missing links): each with its message and evidence, both
/// digests of a disagreement included.
pub fn step_findings_lines(about: &[&Finding], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for f in
        about.iter().filter(|f| f.severity == Severity::Error && !matches!(f.subject, Subject::Rule { .. }))
    {
        // A disagreement's lines say all its message says, in fewer lines:
        // at 80×24 both digests show without scrolling.
        if let Evidence::LinkDisagreement(d) = &f.evidence {
            lines.extend(disagreement_lines(d, width, false, theme));
        } else {
            let mut head = vec![severity_label(f.severity, theme), Span::raw("  ")];
            head.extend(untrusted(&f.category, theme.title, theme));
            lines.push(Line::from(head));
            lines.push(field("Message", &f.message, theme.base, theme));
            lines.extend(evidence_lines(&f.evidence, width, theme));
        }
        lines.push(Line::raw(""));
    }
    lines
}

/// The disagreement about one artifact of the table, if any.
pub fn differing<'a>(
    disagreements: &[&'a LinkDisagreement],
    side: ArtifactType,
    path: &str,
) -> Option<(&'a LinkDisagreement, &'a ArtifactDigests)> {
    let section = side_section(side);
    disagreements
        .iter()
        .find_map(|d| Some((*d, d.artifacts.iter().find(|a| a.section == section && a.path == path)?)))
}

fn side_section(side: ArtifactType) -> &'static str {
    match side {
        ArtifactType::Materials => "materials",
        ArtifactType::Products => "products",
    }
}

/// One artifact the step's links disagree on: both links, both digests.
pub fn artifact_disagreement(
    d: &LinkDisagreement,
    a: &ArtifactDigests,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::raw(""),
        Line::styled("✘ the step's links disagree on it (threshold agreement)", theme.fail),
    ];
    lines.extend(source_lines(Some(&d.expected), Some(&d.actual), false, theme));
    let (e, x) = (a.expected.clone().unwrap_or(Value::Null), a.actual.clone().unwrap_or(Value::Null));
    lines.extend(digest_lines_in(&e, &x, width, theme));
    lines
}
