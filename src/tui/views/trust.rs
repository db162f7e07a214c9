//! Trust (`5`): who is trusted to sign what — the TUF role tree root →
//! timestamp, snapshot → targets → delegations with keys (type, id and
//! whether the id matches the key), thresholds k-of-n and which signatures
//! counted, versions and expiry; the root history with what changed at each
//! rotation; and the in-toto layout's keys → functionaries → the steps they
//! sign. One virtualized tree list (rows built once per result, in
//! `tui::trust`); `f` keeps the rows with a failure and their ancestors;
//! `y` copies a key id, Enter opens a step or the findings about a role.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::common::{draw_pane, empty, list};
use super::{Jump, View, ViewId};
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::trust::{Mark, Row, Trust};
use crate::tui::widgets::untrusted;
use crate::verdict::Subject;

pub struct TrustView;

static NONE: Trust = Trust { rows: Vec::new(), failing: Vec::new() };

fn trust(state: &State) -> &Trust {
    state.model.as_ref().map_or(&NONE, |m| &m.trust)
}

/// Shown row `i` (all rows, or with `f` the failing ones and their ancestors).
fn row(state: &State, i: usize) -> Option<&Row> {
    trust(state).get(state.filters.failures_only, i)
}

fn len(state: &State) -> usize {
    trust(state).len(state.filters.failures_only)
}

impl View for TrustView {
    fn id(&self) -> ViewId {
        ViewId::Trust
    }

    fn rows(&self, state: &State) -> usize {
        len(state)
    }

    fn list_height(&self, body: Rect) -> usize {
        body.height.saturating_sub(2) as usize
    }

    fn drill(&self, state: &State, row: usize) -> Option<Jump> {
        let r = self::row(state, row)?;
        if let Some(i) = r.finding {
            let subject = state.findings().get(i)?.subject.clone();
            return Some(Jump { subject, finding: Some(i) });
        }
        let subject = r.subject.clone()?;
        let finding = state.findings().iter().position(|f| f.subject == subject);
        Some(Jump { subject, finding })
    }

    fn follow(&self, state: &State, row: usize) -> Option<Subject> {
        self::row(state, row)?.subject.clone()
    }

    fn accepts(&self, state: &State, subject: &Subject) -> bool {
        matches!(subject, Subject::Role { .. } | Subject::Key { .. } | Subject::Layout { .. })
            && trust(state).shown(state.filters.failures_only).any(|r| r.subject.as_ref() == Some(subject))
            && !state
                .findings()
                .iter()
                .any(|f| &f.subject == subject && f.severity == crate::verdict::Severity::Error)
    }

    fn reveal(&self, state: &mut State, subject: &Subject) {
        let shown = trust(state).shown(state.filters.failures_only);
        let Some(row) = shown.into_iter().position(|r| r.subject.as_ref() == Some(subject)) else { return };
        let len = len(state);
        let height = self.list_height(crate::tui::layout::body(state.size));
        state.cursor_mut(ViewId::Trust).set(row, len, height);
    }

    fn copy_value(&self, state: &State, row: usize) -> Option<(String, String)> {
        self::row(state, row)?.copy.clone()
    }

    fn render(&self, state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
        let trust = trust(state);
        let only = state.filters.failures_only;
        let title = if only {
            format!("Trust · failures only · {} of {} rows", trust.len(true), trust.rows.len())
        } else {
            format!("Trust · {} rows", trust.rows.len())
        };
        let inner = draw_pane(title, true, theme, area, buf);
        if trust.rows.is_empty() {
            empty(state, "TUF roles or in-toto layout keys", theme, inner, buf);
            return;
        }
        if trust.is_empty(only) {
            Line::styled("no failures here (f shows all rows)", theme.muted).render(inner, buf);
            return;
        }
        list(inner, trust.len(only), state.cursor(ViewId::Trust), true, theme, buf, |i| {
            trust.get(only, i).map_or_else(Line::default, |r| row_line(r, theme))
        });
    }
}

fn row_line(r: &Row, theme: &Theme) -> Line<'static> {
    if r.heading {
        return Line::from(Span::styled(format!("── {} ──", r.text), theme.title));
    }
    let style = match r.mark {
        Mark::Ok => theme.pass,
        Mark::Bad => theme.fail,
        Mark::Warn => theme.warn,
        Mark::Expired => theme.expired,
        Mark::None => theme.muted,
    };
    let mut spans = vec![Span::raw("  ".repeat(r.depth.min(12)))];
    if r.mark != Mark::None || !r.word.is_empty() {
        spans.push(Span::styled(format!("{} {} ", r.mark.glyph(), r.word), style));
    }
    spans.extend(untrusted(&r.text, theme.base, theme));
    if !r.note.is_empty() {
        spans.push(Span::raw("  "));
        spans.extend(untrusted(&r.note, theme.muted, theme));
    }
    Line::from(spans)
}
