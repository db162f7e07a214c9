//! Findings (`6`): every finding, filterable by severity (`s`), category
//! (`c`) and failures only (`f`), searchable (`/`, `n`, `N`). Enter jumps to
//! the finding's subject: the view that accepts it (see `views::view_for`),
//! or — until such views exist for its kind — the detail pane, which then
//! lists everything known about that subject.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use serde_json::Value;

use super::common::short_digest;
use super::{Jump, View, ViewId};
use crate::report::evidence::{digest_rows, search_text};
use crate::report::text::{subject_kind, subject_label, subject_name};
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::untrusted_fit;
use crate::tui::widgets::{severity_label, untrusted};
use crate::verdict::{
    DigestSource, Evidence, Finding, LinkDisagreement, RuleTrace, Severity, Signer, Subject,
};

pub struct FindingsView;

/// Wide terminals put the detail beside the list, narrow ones below it.
const SIDE_BY_SIDE: u16 = 110;

struct Areas {
    filters: Rect,
    list: Rect,
    detail: Rect,
}

fn split(body: Rect) -> Areas {
    let [filters, content] = Layout::vertical([Constraint::Length(1), Constraint::Min(4)]).areas(body);
    let [list, detail] = if body.width >= SIDE_BY_SIDE {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(content)
    } else {
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(content)
    };
    Areas { filters, list, detail }
}

/// The width of the detail pane's text in the current terminal size.
fn detail_width(state: &State) -> usize {
    split(crate::tui::layout::body(state.size)).detail.width.saturating_sub(2) as usize
}

fn selected_finding(state: &State) -> Option<(usize, &Finding)> {
    let row = state.cursor(ViewId::Findings).selected;
    let index = *state.visible_findings().get(row)?;
    Some((index, state.findings().get(index)?))
}

impl View for FindingsView {
    fn id(&self) -> ViewId {
        ViewId::Findings
    }

    fn panes(&self) -> usize {
        2
    }

    fn detail_lines(&self, state: &State) -> usize {
        static THEME: std::sync::OnceLock<Theme> = std::sync::OnceLock::new();
        let theme = THEME.get_or_init(Theme::default);
        selected_finding(state).map_or(0, |(index, f)| {
            let about = state
                .selection
                .as_ref()
                .filter(|s| **s == f.subject)
                .map_or(0, |s| subject_lines(state, s, index, theme).len());
            finding_lines(f, detail_width(state), theme).len() + about
        })
    }

    fn rows(&self, state: &State) -> usize {
        state.visible_findings().len()
    }

    fn list_height(&self, body: Rect) -> usize {
        split(body).list.height.saturating_sub(2) as usize
    }

    fn row_text(&self, state: &State, row: usize) -> String {
        let Some(f) = state.visible_findings().get(row).and_then(|i| state.findings().get(*i)) else {
            return String::new();
        };
        // The detail shows the evidence; search finds its digests and key ids too.
        format!(
            "{} {} {} {} {}",
            f.severity.word(),
            f.category,
            subject_label(&f.subject),
            f.message,
            search_text(&f.evidence)
        )
    }

    fn drill(&self, state: &State, row: usize) -> Option<Jump> {
        let index = *state.visible_findings().get(row)?;
        let f = state.findings().get(index)?;
        Some(Jump { subject: f.subject.clone(), finding: Some(index) })
    }

    fn copy_value(&self, state: &State, _row: usize) -> Option<(String, String)> {
        selected_finding(state).map(|(_, f)| copy_value(f))
    }

    fn render(&self, state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
        let areas = split(area);
        render_filters(state, theme, areas.filters, buf);
        render_list(state, theme, areas.list, buf);
        render_detail(state, theme, areas.detail, buf);
    }
}

/// What `y` copies from a finding: a key id or digest when there is one,
/// else the subject's name.
pub fn copy_value(f: &Finding) -> (String, String) {
    if let Subject::Key { keyid } = &f.subject {
        return ("key id".to_owned(), keyid.clone());
    }
    match &f.evidence {
        Evidence::Digests { expected, actual, .. } => {
            if let Some(found) = first_digest(actual).or_else(|| first_digest(expected)) {
                return found;
            }
        }
        Evidence::LinkDisagreement(d) => {
            let found = d.artifacts.iter().find_map(|a| a.actual.as_ref().and_then(first_digest));
            if let Some(found) = found {
                return found;
            }
        }
        Evidence::Signatures { checks } | Evidence::Threshold { checks, .. } => {
            if let Some(c) = checks.first() {
                return ("key id".to_owned(), c.keyid.clone());
            }
        }
        Evidence::RuleTrace(t) => {
            let found = t.unmatched.iter().find_map(|u| {
                u.hashes
                    .as_object()?
                    .iter()
                    .find_map(|(alg, h)| Some((format!("{alg} digest"), h.as_str()?.to_owned())))
            });
            if let Some(found) = found {
                return found;
            }
        }
        _ => {}
    }
    (subject_kind(&f.subject).to_owned(), subject_name(&f.subject))
}

/// The first digest of a hash dictionary, labelled for `y`.
fn first_digest(v: &Value) -> Option<(String, String)> {
    v.as_object()?.iter().find_map(|(alg, h)| Some((format!("{alg} digest"), h.as_str()?.to_owned())))
}

fn render_filters(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let f = &state.filters;
    let severity = f.severity.map_or("all", |s| s.word());
    let mut spans = vec![
        Span::styled(" severity ", theme.muted),
        Span::styled(severity.to_owned(), if f.severity.is_some() { theme.warn } else { theme.base }),
        Span::styled(" · category ", theme.muted),
    ];
    match &f.category {
        Some(c) => spans.extend(untrusted(c, theme.warn, theme)),
        None => spans.push(Span::styled("all", theme.base)),
    }
    spans.push(Span::styled(" · ", theme.muted));
    if f.failures_only {
        spans.push(Span::styled("failures only", theme.warn));
    } else {
        spans.push(Span::styled("all findings", theme.muted));
    }
    if let Some(q) = &state.search {
        spans.push(Span::styled(" · search ", theme.muted));
        spans.extend(untrusted(q, theme.search, theme));
    }
    Line::from(spans).render(area, buf);
}

fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused { theme.border_focus } else { theme.border };
    let marker = if focused { "▶ " } else { "" };
    Block::bordered().border_style(border).title(Span::styled(format!(" {marker}{title} "), theme.title))
}

fn render_list(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let visible = state.visible_findings();
    let total = state.findings().len();
    let title = format!("Findings {} of {total}", visible.len());
    let block = pane_block(title, state.pane == 0, theme);
    let inner = block.inner(area);
    block.render(area, buf);
    if state.model.is_none() {
        Line::styled("○ pending: findings appear as verification finishes", theme.pending).render(inner, buf);
        return;
    }
    if visible.is_empty() {
        let text = if total == 0 {
            "✔ no findings"
        } else {
            "no findings match the filters (s, c, f change them)"
        };
        Line::styled(text, if total == 0 { theme.pass } else { theme.muted }).render(inner, buf);
        return;
    }
    let cursor = state.cursor(ViewId::Findings);
    let cat_w = visible
        .iter()
        .filter_map(|i| state.findings().get(*i))
        .map(|f| f.category.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 24);
    for (row, index) in visible.iter().enumerate().skip(cursor.offset).take(inner.height as usize) {
        let Some(f) = state.findings().get(*index) else { continue };
        let y = inner.y + (row - cursor.offset) as u16;
        let rect = Rect::new(inner.x, y, inner.width, 1);
        let selected = row == cursor.selected;
        let marker = if selected { "›" } else { " " };
        let mut spans = vec![Span::styled(marker, theme.title), pad(severity_label(f.severity, theme), 10)];
        spans.extend(untrusted_fit(&f.category, cat_w, true, theme.base, theme));
        spans.push(Span::raw(" "));
        let rest = (inner.width as usize).saturating_sub(1 + 10 + cat_w + 1);
        spans.extend(untrusted_fit(&subject_label(&f.subject), rest, false, theme.base, theme));
        Line::from(spans).render(rect, buf);
        if selected {
            let style = if state.pane == 0 {
                theme.selection
            } else {
                theme.selection.remove_modifier(ratatui::style::Modifier::BOLD)
            };
            buf.set_style(rect, style);
        }
    }
}

fn pad(span: Span<'static>, width: usize) -> Span<'static> {
    let text = format!("{:<width$}", span.content);
    Span::styled(text, span.style)
}

fn render_detail(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = pane_block("Detail".to_owned(), state.pane == 1, theme);
    let inner = block.inner(area);
    block.render(area, buf);
    let Some((index, f)) = selected_finding(state) else { return };
    let mut lines = finding_lines(f, inner.width as usize, theme);
    if let Some(subject) = state.selection.as_ref().filter(|s| **s == f.subject) {
        lines.extend(subject_lines(state, subject, index, theme));
    }
    Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((state.detail_scroll, 0)).render(inner, buf);
}

fn field(name: &str, value: &str, style: Style, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{name:<9} "), theme.muted)];
    spans.extend(untrusted(value, style, theme));
    Line::from(spans)
}

/// The detail of one finding: severity, category, subject, message,
/// evidence and source.
pub fn finding_lines(f: &Finding, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut head = vec![severity_label(f.severity, theme), Span::raw("  ")];
    head.extend(untrusted(&f.category, theme.title, theme));
    let mut lines = vec![Line::from(head), field("Subject", &subject_label(&f.subject), theme.base, theme)];
    if let Some(stage) = &f.stage {
        lines.push(field("Stage", stage, theme.base, theme));
    }
    lines.push(field("Message", &f.message, theme.base, theme));
    lines.extend(evidence_lines(&f.evidence, width, theme));
    if let Some(src) = &f.source {
        lines.push(field("Source", &src.to_string(), theme.muted, theme));
    }
    lines
}

fn subject_lines(state: &State, subject: &Subject, current: usize, theme: &Theme) -> Vec<Line<'static>> {
    let others: Vec<&Finding> = state
        .findings()
        .iter()
        .enumerate()
        .filter(|(i, f)| *i != current && &f.subject == subject)
        .map(|(_, f)| f)
        .collect();
    let mut lines = vec![
        Line::raw(""),
        Line::styled(format!("About this {} ({} more)", subject_kind(subject), others.len()), theme.title),
    ];
    for f in others {
        let mut spans = vec![severity_label(f.severity, theme), Span::raw(" ")];
        spans.extend(untrusted(&f.category, theme.base, theme));
        spans.push(Span::styled(": ", theme.muted));
        spans.extend(untrusted(&f.message, theme.base, theme));
        lines.push(Line::from(spans));
    }
    lines
}

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
