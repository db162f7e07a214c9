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

use super::evidence::evidence_lines;
// `tui::chain` finds the first differing character through this path.
pub use super::evidence::first_difference;
use super::{Jump, View, ViewId};
use crate::report::text::{subject_kind, subject_label, subject_name};
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::untrusted_fit;
use crate::tui::widgets::{severity_label, untrusted};
use crate::verdict::{Evidence, Finding, Subject};

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
