//! Targets (`7`): every target of the trusted TUF targets roles — result
//! (looked up, verified, not found, error, or only listed), path, length,
//! the start of its sha256 and the role that signed it; beside it the
//! selected target in full: every hash, the delegation path from `targets`
//! to the role that lists it, and why a lookup failed. The list is
//! virtualized (a row is looked up in the role's target map only when
//! drawn), so a million targets scroll as fast as ten; `f` keeps the
//! targets whose lookup failed, `/` finds a target by path or by a hash
//! prefix, `y` copies the sha256. At PyPI scale the audit lets go of each
//! leaf bin once verified: its rows say "not loaded", and Enter on one
//! loads that bin (one file read and verified again), then lists it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::common::{draw_pane, field, fit, list, short_digest};
use super::{Jump, View, ViewId};
use crate::tui::state::State;
use crate::tui::targets::{Looked, TargetRow, Targets};
use crate::tui::theme::Theme;
use crate::tui::widgets::text::untrusted_fit;
use crate::verdict::Subject;

pub struct TargetsView;

const SIDE_BY_SIDE: u16 = 110;

fn split(body: Rect) -> (Rect, Rect) {
    if body.width >= SIDE_BY_SIDE {
        let [l, d] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        (l, d)
    } else {
        let [l, d] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
        (l, d)
    }
}

pub fn targets(state: &State) -> Option<&Targets> {
    state.model.as_ref().and_then(|m| m.targets.as_deref())
}

/// The target index shown at `row` (all, or under `f` the failed lookups).
pub fn target_at(state: &State, t: &Targets, row: usize) -> Option<usize> {
    if state.filters.failures_only { t.failing().get(row).copied() } else { (row < t.len()).then_some(row) }
}

fn row_count(state: &State, t: &Targets) -> usize {
    if state.filters.failures_only { t.failing().len() } else { t.len() }
}

fn shown(state: &State, row: usize) -> Option<TargetRow> {
    let t = targets(state)?;
    t.row(target_at(state, t, row)?)
}

fn result_style(r: Looked, theme: &Theme) -> Style {
    match r {
        Looked::Listed | Looked::Unloaded => theme.muted,
        Looked::LookedUp | Looked::Verified => theme.pass,
        Looked::NotFound | Looked::Error => theme.fail,
    }
}

fn sha256(row: &TargetRow) -> Option<&(String, String)> {
    row.hashes.iter().find(|(a, _)| a == "sha256").or_else(|| row.hashes.first())
}

impl View for TargetsView {
    fn id(&self) -> ViewId {
        ViewId::Targets
    }

    fn panes(&self) -> usize {
        2
    }

    fn detail_lines(&self, state: &State) -> usize {
        let theme = Theme::default();
        current(state).map_or(0, |r| detail(&r, 200, &theme).len())
    }

    fn rows(&self, state: &State) -> usize {
        targets(state).map_or(0, |t| row_count(state, t))
    }

    fn list_height(&self, body: Rect) -> usize {
        split(body).0.height.saturating_sub(2) as usize
    }

    fn drill(&self, state: &State, row: usize) -> Option<Jump> {
        let t = targets(state)?;
        let index = target_at(state, t, row)?;
        if t.is_unloaded(index) {
            // Opening a released bin: read and verify it now, through the
            // role's shared cell (the rows then show its targets).
            let _ = t.load_at(index);
            return None;
        }
        let r = shown(state, row)?;
        let subject = Subject::Target { path: r.path };
        let finding = state.findings().iter().position(|f| f.subject == subject);
        finding.is_some().then_some(Jump { subject, finding })
    }

    fn follow(&self, state: &State, row: usize) -> Option<Subject> {
        Some(Subject::Target { path: shown(state, row)?.path })
    }

    fn accepts(&self, state: &State, subject: &Subject) -> bool {
        matches!(subject, Subject::Target { path } if targets(state).and_then(|t| t.row_of(path, None)).is_some())
    }

    fn reveal(&self, state: &mut State, subject: &Subject) {
        let Subject::Target { path } = subject else { return };
        let Some(t) = targets(state) else { return };
        let Some(index) = t.row_of(path, None) else { return };
        let row = if state.filters.failures_only {
            match t.failing().iter().position(|&i| i == index) {
                Some(r) => r,
                None => {
                    state.filters.failures_only = false;
                    state.refilter();
                    index
                }
            }
        } else {
            index
        };
        let len = self.rows(state);
        let height = self.list_height(crate::tui::layout::body(state.size));
        state.cursor_mut(ViewId::Targets).set(row, len, height);
    }

    fn copy_value(&self, state: &State, row: usize) -> Option<(String, String)> {
        let r = shown(state, row)?;
        match sha256(&r) {
            Some((alg, hex)) => Some((format!("{alg} digest"), hex.clone())),
            None => Some(("target path".to_owned(), r.path)),
        }
    }

    fn render(&self, state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
        let Some(t) = targets(state) else {
            let inner = draw_pane("Targets".into(), true, theme, area, buf);
            super::common::empty(state, "TUF targets", theme, inner, buf);
            return;
        };
        let (list_area, detail_area) = split(area);
        let rows = row_count(state, t);
        let title = if state.filters.failures_only {
            format!("Targets · failures only: {rows} of {} · f: all", t.len())
        } else {
            format!("Targets {} in {} role(s) · {} looked up", t.len(), t.role_count(), t.looked_up())
        };
        let inner = draw_pane(title, state.pane == 0, theme, list_area, buf);
        if rows == 0 {
            let text = if state.filters.failures_only {
                "✔ every lookup succeeded (f: all)"
            } else {
                "The trusted targets roles list no targets."
            };
            Line::styled(text, theme.muted)
                .render(Rect::new(inner.x, inner.y, inner.width, 1.min(inner.height)), buf);
        }
        let width = inner.width as usize;
        // status 12, length 11, the digest's start 10 where there is room,
        // the role; the path takes the rest.
        let with_digest = width >= 100;
        let role_w = (width / 5).clamp(8, 24);
        let digest_w = if with_digest { 10 } else { 0 };
        let path_w = width.saturating_sub(1 + 12 + 11 + digest_w + role_w + 1).max(8);
        list(inner, rows, state.cursor(ViewId::Targets), state.pane == 0, theme, buf, |row| {
            let Some(r) = shown(state, row) else { return Line::default() };
            let status = format!("{} {}", r.result.glyph(), r.result.word());
            let mut spans = vec![Span::styled(fit(&status, 12), result_style(r.result, theme))];
            if r.path.is_empty() {
                let role = r.role.as_deref().unwrap_or("—");
                let what = match r.result {
                    Looked::Unloaded => format!("Enter: load {role}"),
                    _ => format!("{role} did not load"),
                };
                spans.extend(untrusted_fit(&what, path_w, false, theme.muted, theme));
            } else {
                spans.extend(untrusted_fit(&r.path, path_w, true, theme.base, theme));
            }
            let length = r.length.map_or_else(|| "—".to_owned(), |l| l.to_string());
            spans.push(Span::styled(format!(" {length:>10}"), theme.muted));
            if with_digest {
                let digest = sha256(&r).map_or_else(String::new, |(_, h)| short_digest(h, 8));
                spans.extend(untrusted_fit(&format!(" {digest}"), digest_w, true, theme.muted, theme));
            }
            spans.push(Span::raw(" "));
            spans.extend(untrusted_fit(r.role.as_deref().unwrap_or("—"), role_w, false, theme.base, theme));
            Line::from(spans)
        });
        let inner = draw_pane("Target".into(), state.pane == 1, theme, detail_area, buf);
        if let Some(r) = current(state) {
            Paragraph::new(detail(&r, inner.width as usize, theme))
                .wrap(Wrap { trim: false })
                .scroll((state.detail_scroll, 0))
                .render(inner, buf);
        }
    }
}

fn current(state: &State) -> Option<TargetRow> {
    shown(state, state.cursor(ViewId::Targets).selected)
}

fn detail(r: &TargetRow, _width: usize, theme: &Theme) -> Vec<Line<'static>> {
    if r.path.is_empty() {
        return unloaded_detail(r, theme);
    }
    let mut lines = vec![field("Target", &r.path, theme.title, theme)];
    let status = format!("{} {}", r.result.glyph(), r.result.word());
    lines.push(Line::from(vec![
        Span::styled(format!("{:<9} ", "Result"), theme.muted),
        Span::styled(status, result_style(r.result, theme)),
    ]));
    if let Some(e) = &r.error {
        lines.push(field("Why", e, theme.fail, theme));
    }
    let length = r.length.map_or_else(|| "— (no trusted role lists it)".to_owned(), |l| format!("{l} bytes"));
    lines.push(field("Length", &length, theme.base, theme));
    for (alg, hex) in &r.hashes {
        lines.push(field(alg, hex, theme.base, theme));
    }
    lines.push(field("Signed by", r.role.as_deref().unwrap_or("—"), theme.base, theme));
    if !r.delegation_path.is_empty() {
        lines.push(field("Path", &r.delegation_path.join(" › "), theme.base, theme));
    }
    lines
}

/// A row of a bin the audit verified and let go of.
fn unloaded_detail(r: &TargetRow, theme: &Theme) -> Vec<Line<'static>> {
    let role = r.role.as_deref().unwrap_or("—");
    let mut lines = vec![field("Role", role, theme.title, theme)];
    match &r.error {
        Some(e) => lines.push(field("Why", e, theme.fail, theme)),
        None => lines.push(Line::styled(
            "Verified by the audit, then let go of to keep memory flat. Enter loads it (one file, verified again).",
            theme.muted,
        )),
    }
    if !r.delegation_path.is_empty() {
        lines.push(field("Path", &r.delegation_path.join(" › "), theme.base, theme));
    }
    lines
}
