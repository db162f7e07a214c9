//! The Step view (`3`) of an attestation: the in-toto Statement — its
//! subjects with their digests, each marked matched or not against the
//! artifact (the subject `sigstore::verify` matched), the predicate type,
//! and the predicate's typed facts: for SLSA provenance v0.2 and v1 the
//! builder, source repository, ref and commit, workflow, parameters and
//! resolved dependencies; npm and PyPI publish predicates' facts. The
//! selected row shows in full below the list (digests do not fit a row).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::common::{draw_pane, field, list};
use super::{Jump, ViewId};
use crate::tui::attest::{StatementView, SubjectRow};
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::widgets::untrusted;

/// The Statement of the model's attestation, when it has one; `Some(None)`
/// for an attestation without a readable Statement.
pub fn of(state: &State) -> Option<Option<&StatementView>> {
    let a = state.model.as_ref()?.attest.as_ref()?;
    Some(a.statement.as_ref())
}

/// One row of the list.
enum Row<'a> {
    Heading(String),
    Subject(&'a SubjectRow),
    Fact(&'a str, &'a str),
    Dependency(&'a str, &'a str),
}

fn rows(s: &StatementView) -> Vec<Row<'_>> {
    let mut out = vec![Row::Heading(format!("Subjects ({})", s.subjects.len()))];
    out.extend(s.subjects.iter().map(Row::Subject));
    let kind = if s.kind.is_empty() { "predicate".to_owned() } else { s.kind.clone() };
    out.push(Row::Heading(kind));
    out.push(Row::Fact("predicate type", &s.predicate_type));
    out.extend(s.facts.iter().map(|(k, v)| Row::Fact(k, v)));
    if !s.parameters.is_empty() {
        out.push(Row::Heading(format!("Parameters ({})", s.parameters.len())));
        out.extend(s.parameters.iter().map(|(k, v)| Row::Fact(k, v)));
    }
    if !s.dependencies.is_empty() {
        out.push(Row::Heading(format!("Resolved dependencies ({})", s.dependencies.len())));
        out.extend(s.dependencies.iter().map(|(u, d)| Row::Dependency(u, d)));
    }
    out
}

/// Each row's words and identifier (a subject's digest, a dependency's), for `/`.
pub fn search_rows(s: &StatementView) -> Vec<(String, String)> {
    rows(s)
        .iter()
        .map(|r| match r {
            Row::Heading(t) => (t.clone(), String::new()),
            Row::Subject(x) => {
                let id = x.digests.first().map(|(_, h)| h.to_lowercase()).unwrap_or_default();
                (format!("{} {}", x.name, digests(x)), id)
            }
            Row::Fact(k, v) => (format!("{k} {v}"), String::new()),
            Row::Dependency(u, d) => {
                let id = d.split_once(':').map(|(_, h)| h.to_lowercase()).unwrap_or_default();
                (format!("{u} {d}"), id)
            }
        })
        .collect()
}

pub fn len(s: Option<&StatementView>) -> usize {
    s.map_or(0, |s| rows(s).len())
}

fn split(body: Rect) -> [Rect; 3] {
    let detail = if body.height >= 20 { 6 } else { 4 };
    Layout::vertical([Constraint::Length(2), Constraint::Min(3), Constraint::Length(detail)]).areas(body)
}

/// The mark of a subject against the artifact.
fn matched(s: &StatementView, row: &SubjectRow, theme: &Theme) -> Span<'static> {
    let any = s.subjects.iter().any(|x| x.matched == Some(true));
    match row.matched {
        Some(true) => Span::styled("✔ matched     ", theme.pass),
        Some(false) if any => Span::styled("· other       ", theme.muted),
        Some(false) => Span::styled("✘ not matched ", theme.fail),
        None => Span::styled("○ no artifact ", theme.muted),
    }
}

fn digests(row: &SubjectRow) -> String {
    row.digests.iter().map(|(a, h)| format!("{a}:{h}")).collect::<Vec<_>>().join(" ")
}

fn row_line(s: &StatementView, r: &Row, theme: &Theme) -> Line<'static> {
    match r {
        Row::Heading(t) => Line::from(Span::styled(format!("── {t} ──"), theme.title)),
        Row::Subject(x) => {
            let mut spans = vec![Span::raw(" "), matched(s, x, theme)];
            spans.extend(untrusted(&x.name, theme.base, theme));
            spans.push(Span::raw("  "));
            spans.extend(untrusted(&digests(x), theme.muted, theme));
            Line::from(spans)
        }
        Row::Fact(k, v) => {
            let mut spans = vec![Span::raw(" ")];
            spans.extend(untrusted(&format!("{k:<18}"), theme.muted, theme));
            spans.push(Span::raw(" "));
            spans.extend(untrusted(v, theme.base, theme));
            Line::from(spans)
        }
        Row::Dependency(u, d) => {
            let mut spans = vec![Span::raw(" ")];
            spans.extend(untrusted(u, theme.base, theme));
            spans.push(Span::raw("  "));
            spans.extend(untrusted(d, theme.muted, theme));
            Line::from(spans)
        }
    }
}

/// The selected row in full.
fn detail(s: &StatementView, r: Option<&Row>, theme: &Theme) -> Vec<Line<'static>> {
    match r {
        Some(Row::Subject(x)) => {
            let mut lines = vec![field("Subject", &x.name, theme.base, theme)];
            for (a, h) in &x.digests {
                lines.push(field(a, h, theme.base, theme));
            }
            if let Some(a) = &s.artifact {
                lines.push(field("Artifact", a, theme.muted, theme));
            }
            lines
        }
        Some(Row::Fact(k, v)) => vec![field(k, v, theme.base, theme)],
        Some(Row::Dependency(u, d)) => {
            vec![field("URI", u, theme.base, theme), field("Digest", d, theme.base, theme)]
        }
        _ => vec![Line::styled("Enter on a subject opens the findings about the artifact", theme.muted)],
    }
}

pub fn drill(state: &State, s: Option<&StatementView>, i: usize) -> Option<Jump> {
    let s = s?;
    let rows = rows(s);
    let Row::Subject(_) = rows.get(i)? else { return None };
    // The artifact-mismatch finding, when there is one; else nothing to open.
    let finding =
        state.findings().iter().position(|f| f.category == crate::verdict::category::ARTIFACT_MISMATCH)?;
    Some(Jump { subject: state.findings().get(finding)?.subject.clone(), finding: Some(finding) })
}

pub fn copy_value(s: Option<&StatementView>, i: usize) -> Option<(String, String)> {
    let s = s?;
    match rows(s).get(i)? {
        Row::Subject(x) => {
            let (a, h) = x.digests.iter().find(|(a, _)| a == "sha256").or(x.digests.first())?;
            Some((format!("{a} digest"), h.clone()))
        }
        Row::Fact(k, v) => Some(((*k).to_owned(), (*v).to_owned())),
        Row::Dependency(u, _) => Some(("dependency".to_owned(), (*u).to_owned())),
        Row::Heading(t) => Some(("section".to_owned(), t.clone())),
    }
}

pub fn render(state: &State, s: Option<&StatementView>, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some(s) = s else {
        let inner = draw_pane("Statement".into(), true, theme, area, buf);
        Paragraph::new(Line::styled(
            "This bundle holds no in-toto Statement (a message signature, or a payload that is not one)",
            theme.muted,
        ))
        .wrap(Wrap { trim: true })
        .render(inner, buf);
        return;
    };
    let [head, body, foot] = split(area);
    let mut line = vec![Span::styled("Statement ", theme.muted)];
    line.extend(untrusted(&s.type_, theme.title, theme));
    Paragraph::new(vec![Line::from(line), field("Predicate", &s.predicate_type, theme.base, theme)])
        .render(head, buf);
    let rows = rows(s);
    let title = format!("{} subjects · {} facts", s.subjects.len(), s.facts.len() + 1);
    let inner = draw_pane(title, state.pane == 0, theme, body, buf);
    // The Step view's list height is the in-toto layout's: keep the selection in sight here.
    let mut cursor = state.cursor(ViewId::Step);
    let height = (inner.height as usize).max(1);
    if cursor.selected >= cursor.offset + height {
        cursor.offset = cursor.selected + 1 - height;
    }
    list(inner, rows.len(), cursor, state.pane == 0, theme, buf, |i| {
        rows.get(i).map_or_else(Line::default, |r| row_line(s, r, theme))
    });
    let inner = draw_pane("Selected".into(), state.pane == 1, theme, foot, buf);
    Paragraph::new(detail(s, rows.get(cursor.selected), theme))
        .wrap(Wrap { trim: false })
        .scroll((state.detail_scroll, 0))
        .render(inner, buf);
}
