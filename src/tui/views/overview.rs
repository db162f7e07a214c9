//! Overview (`1`): the verdict with glyph and word, the trust anchor it
//! started from (trusted root and its version, layout and layout key ids),
//! counts by severity, the first failure with a one-key jump to it (Enter or
//! `x`) and, for a bridge run, the stage it failed in, and the expiry
//! timeline of every piece of metadata at the evaluation time.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::{Jump, View, ViewId};
use crate::report::text::{kind_word, subject_label};
use crate::tui::anchor::{Anchor, LayoutAnchor, RootAnchor};
use crate::tui::model::{Expiry, ExpiryStatus, Model, relative};
use crate::tui::state::{Run, State};
use crate::tui::theme::Theme;
use crate::tui::widgets::status::{unit_counts, verdict_span};
use crate::tui::widgets::{run_label, severity_label, untrusted};
use crate::verdict::{Evidence, Kind, Severity, count};

pub struct OverviewView;

/// The most rows the summary takes (with its border): the first failure's
/// text wraps into as many rows as the screen leaves it, up to this.
const SUMMARY_MAX_HEIGHT: u16 = 20;
/// Rows the timeline (or the story) keeps below the summary, border included.
const TIMELINE_MIN_HEIGHT: u16 = 5;
/// Rows of the first failure's message (or a run's error) at most.
const MESSAGE_ROWS: usize = 12;
/// Rows of a run's error before it is cut.
const ERROR_ROWS: usize = 2;
/// The story shows under the timeline when it gets this many rows; else
/// Tab shows it in the timeline's place.
const STORY_MIN_HEIGHT: u16 = 6;
/// The indentation of the summary's values.
const INDENT: usize = 10;
/// Layout key ids shown before "+N more".
const KEYIDS_SHOWN: usize = 3;
/// Hex digits of a key id shown.
const KEYID_CHARS: usize = 8;

/// The tallest the summary may be in `body`.
fn summary_cap(body: Rect) -> u16 {
    SUMMARY_MAX_HEIGHT.min(body.height.saturating_sub(TIMELINE_MIN_HEIGHT)).max(3)
}

/// Where the story pane goes in `body` (for its scrolling bounds).
fn story_area(body: Rect) -> Rect {
    let (_, lower) = split(body, summary_cap(body));
    Rect { width: lower.width, ..lower }
}

/// Below the summary, when there is room for both: the timeline (as tall
/// as its rows, at most half) and the story under it.
fn story_below(state: &State, lower: Rect) -> Option<(Rect, Rect)> {
    state.story.as_ref()?;
    let rows = entries(state).len() as u16 + 2;
    let timeline = rows.max(TIMELINE_MIN_HEIGHT).min(lower.height / 2);
    if lower.height < timeline + STORY_MIN_HEIGHT {
        return None;
    }
    let [t, s] =
        Layout::vertical([Constraint::Length(timeline), Constraint::Min(STORY_MIN_HEIGHT)]).areas(lower);
    Some((t, s))
}

/// The scenario's story, every word of it (sanitized).
fn story_lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    match &state.story {
        Some(story) => story.lines().map(|l| Line::from(untrusted(l, theme.base, theme))).collect(),
        None => vec![Line::styled(
            "No story: this input has no scenario.json with a description (the demo's scenarios have one).",
            theme.muted,
        )],
    }
}

fn render_story(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let focused = state.pane == 1;
    let border = if focused { theme.border_focus } else { theme.border };
    let marker = if focused { "▶ " } else { "" };
    let hint = if focused { " · j/k scroll, Tab back" } else { " · Tab: scroll" };
    let block = Block::bordered()
        .border_style(border)
        .title(Span::styled(format!(" {marker}Story{hint} "), theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    Paragraph::new(story_lines(state, theme))
        .wrap(Wrap { trim: true })
        .scroll((if focused { state.detail_scroll } else { 0 }, 0))
        .render(inner, buf);
}

fn split(body: Rect, summary_height: u16) -> (Rect, Rect) {
    let [summary, timeline] =
        Layout::vertical([Constraint::Length(summary_height), Constraint::Min(3)]).areas(body);
    (summary, timeline)
}

/// The timeline rows shown (`f` keeps the expired and soon-expiring ones).
fn entries(state: &State) -> Vec<&Expiry> {
    let Some(model) = &state.model else { return Vec::new() };
    let at = model.doc.evaluated_at;
    model
        .timeline
        .iter()
        .filter(|e| !state.filters.failures_only || e.status(at) != ExpiryStatus::Valid)
        .collect()
}

impl View for OverviewView {
    fn id(&self) -> ViewId {
        ViewId::Overview
    }

    fn rows(&self, state: &State) -> usize {
        entries(state).len()
    }

    fn list_height(&self, body: Rect) -> usize {
        // The fewest timeline rows shown (the summary at its tallest), so
        // scrolling never leaves the selected row below the border.
        split(body, summary_cap(body)).1.height.saturating_sub(2) as usize
    }

    /// Tab: the story pane (beside the timeline, or in its place when narrow).
    fn panes(&self) -> usize {
        2
    }

    fn detail_lines(&self, state: &State) -> usize {
        let body = crate::tui::layout::body(state.size);
        let width = story_area(body).width.saturating_sub(2).max(1);
        Paragraph::new(story_lines(state, &Theme::default())).wrap(Wrap { trim: true }).line_count(width)
    }

    fn drill(&self, state: &State, row: usize) -> Option<Jump> {
        let entry = entries(state).get(row).copied()?;
        let subject = entry.subject.clone()?;
        let finding = state
            .findings()
            .iter()
            .position(|f| f.subject == subject && matches!(f.evidence, Evidence::Expiry { .. }));
        Some(Jump { subject, finding })
    }

    fn copy_value(&self, state: &State, row: usize) -> Option<(String, String)> {
        let entry = entries(state).get(row).copied()?;
        Some(("expiry".to_owned(), crate::meta::time::format(entry.expires)))
    }

    fn render(&self, state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
        let width = area.width.saturating_sub(2) as usize;
        let cap = summary_cap(area);
        // The first failure's text takes the rows the screen leaves it.
        let mut rows = MESSAGE_ROWS;
        let lines = loop {
            let lines = match &state.model {
                None => pending_lines(state, width, theme),
                Some(model) => summary_lines(state, model, width, rows, theme),
            };
            if lines.len() as u16 + 2 <= cap || rows <= 1 {
                break lines;
            }
            rows -= 1;
        };
        let lines: Vec<Line<'static>> = lines.into_iter().map(|l| fit(l, width)).collect();
        let height = (lines.len() as u16 + 2).clamp(8.min(cap), cap);
        let (summary, lower) = split(area, height);
        render_summary(lines, theme, summary, buf);
        if let Some((timeline, story)) = story_below(state, lower) {
            render_timeline(state, theme, timeline, buf);
            render_story(state, theme, story, buf);
        } else if state.pane == 1 {
            render_story(state, theme, lower, buf);
        } else {
            render_timeline(state, theme, lower, buf);
        }
    }
}

fn block<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::bordered().border_style(theme.border).title(Span::styled(format!(" {title} "), theme.title))
}

fn render_summary(lines: Vec<Line<'static>>, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = block("Verdict".to_owned(), theme);
    let inner = block.inner(area);
    block.render(area, buf);
    Paragraph::new(lines).render(inner, buf);
}

/// One character of a line with its style.
type Cell = (char, Style);

fn cells(spans: &[Span<'static>]) -> Vec<Cell> {
    spans.iter().flat_map(|s| s.content.chars().map(move |c| (c, s.style))).collect()
}

fn char_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// Cells back into spans, one per run of a style.
fn spans_of(cells: &[Cell]) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    for &(c, style) in cells {
        match out.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push(c),
            _ => out.push(Span::styled(c.to_string(), style)),
        }
    }
    out
}

/// How many of `cells` fit in `width` columns.
fn fitting(cells: &[Cell], width: usize) -> usize {
    let mut used = 0;
    cells
        .iter()
        .take_while(|(c, _)| {
            used += char_width(*c);
            used <= width
        })
        .count()
}

/// Cells cut to `width` columns, the last one `…` when something was cut.
fn cut(cells: &[Cell], width: usize) -> Vec<Span<'static>> {
    if fitting(cells, width) == cells.len() {
        return spans_of(cells);
    }
    let n = fitting(cells, width.saturating_sub(1));
    let style = cells.get(n).map(|c| c.1).unwrap_or_default();
    let mut spans = spans_of(&cells[..n]);
    spans.push(Span::styled("…", style));
    spans
}

/// `line` cut to one row of `width` columns.
fn fit(line: Line<'static>, width: usize) -> Line<'static> {
    Line::from(cut(&cells(&line.spans), width))
}

/// `spans` in at most `rows` rows of `width` columns after `label`
/// (indented below it), broken at spaces, the last row cut with `…`.
fn wrapped(label: Span<'static>, spans: &[Span<'static>], width: usize, rows: usize) -> Vec<Line<'static>> {
    let room = width.saturating_sub(INDENT).max(1);
    let mut rest: &[Cell] = &cells(spans);
    let mut lines = Vec::new();
    while !rest.is_empty() && lines.len() < rows {
        let first = if lines.is_empty() { label.clone() } else { Span::raw(" ".repeat(INDENT)) };
        let mut n = fitting(rest, room);
        let last = lines.len() + 1 == rows;
        if n < rest.len() && !last {
            // Break after the last space that fits, unless the word alone is wider.
            if let Some(space) = rest[..n].iter().rposition(|(c, _)| *c == ' ').filter(|&p| p > 0) {
                n = space + 1;
            }
        }
        let row = if last { cut(rest, room) } else { spans_of(&rest[..n.max(1)]) };
        let mut line = vec![first];
        line.extend(row);
        lines.push(Line::from(line));
        rest = if last { &[] } else { &rest[n.max(1).min(rest.len())..] };
    }
    lines
}

fn pending_lines(state: &State, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![Span::styled("Verdict   ", theme.muted), run_label(state, theme)])];
    match &state.run {
        Run::Failed(e) => {
            let label = Span::styled("Error     ", theme.muted);
            lines.extend(wrapped(label, &untrusted(e, theme.error_text, theme), width, ERROR_ROWS));
        }
        _ => lines
            .push(Line::from(Span::styled("○ pending: results appear here as they arrive", theme.pending))),
    }
    lines.extend(units_line(state, theme));
    lines
}

fn summary_lines(
    state: &State,
    model: &Model,
    width: usize,
    message_rows: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let doc = &model.doc;
    let mut verdict = vec![Span::styled("Verdict   ", theme.muted), verdict_span(doc.verdict, theme)];
    verdict.push(Span::styled("  category ", theme.muted));
    verdict.extend(untrusted(&doc.category, theme.base, theme));
    verdict.push(Span::styled(format!("  ({})", kind_word(doc.kind)), theme.muted));
    if state.run != Run::Done {
        verdict.push(Span::raw("  "));
        verdict.push(run_label(state, theme));
    }
    let c = count(&doc.findings);
    let counts = Line::from(vec![
        Span::styled("Findings  ", theme.muted),
        severity_count(Severity::Error, c.error, theme),
        Span::raw("   "),
        severity_count(Severity::Warning, c.warning, theme),
        Span::raw("   "),
        severity_count(Severity::Info, c.info, theme),
    ]);
    let mut lines = vec![Line::from(verdict)];
    lines.extend(model.anchor.as_ref().map(|a| anchor_lines(a, doc.kind, theme)).unwrap_or_default());
    lines.push(counts);
    lines.extend(signature_form_line(doc, theme));
    lines.extend(units_line(state, theme));
    lines.extend(first_failure_lines(model, width, message_rows, theme));
    lines
}

/// Which signed form decided (`--signature-form`), when a signature was
/// valid over only one of the document as written and the object the
/// reference rebuilds from it: the findings about it name the form.
fn signature_form_line(doc: &crate::verdict::Document, theme: &Theme) -> Option<Line<'static>> {
    let mut named = doc.findings.iter().filter_map(|f| {
        let rest = f.message.split("signature form: ").nth(1)?;
        ["written", "reference"].into_iter().find(|form| rest.starts_with(form))
    });
    let first = named.next()?;
    let form = if first == "written" || named.any(|f| f == "written") { "written" } else { "reference" };
    let what = if form == "written" {
        "signatures over the document as written count too (--signature-form written)"
    } else {
        "only signatures over the object the reference rebuilds count; --signature-form written accepts the document as written"
    };
    Some(Line::from(vec![
        Span::styled("Sig. form ", theme.muted),
        Span::styled(format!("signature form: {form}"), theme.base),
        Span::styled(format!(" — {what}"), theme.muted),
    ]))
}

/// Which trusted root and which layout the verdict rests on.
fn anchor_lines(anchor: &Anchor, kind: Kind, theme: &Theme) -> Vec<Line<'static>> {
    let mut parts: Vec<Vec<Span<'static>>> = Vec::new();
    if let Some(root) = &anchor.root {
        parts.push(root_spans(root, theme));
    }
    match (&anchor.layout, kind) {
        (Some(layout), _) => parts.push(layout_spans(layout, theme)),
        (None, Kind::Bridge) => parts.push(vec![
            Span::styled("layout ", theme.muted),
            Span::styled("not reached (no layout came through TUF)", theme.muted),
        ]),
        (None, _) => {}
    }
    parts
        .into_iter()
        .enumerate()
        .map(|(i, spans)| {
            let label = if i == 0 { "Anchor    " } else { "          " };
            let mut line = vec![Span::styled(label, theme.muted)];
            line.extend(spans);
            Line::from(line)
        })
        .collect()
}

fn root_spans(root: &RootAnchor, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled("trusted root ", theme.muted)];
    spans.extend(untrusted(&root.file, theme.base, theme));
    match (root.version, root.trusted) {
        (Some(v), Some(t)) if t != v => {
            spans.push(Span::styled(format!(" v{v}"), theme.base));
            spans.push(Span::styled(format!(" → rotated to v{t}"), theme.muted));
        }
        (Some(v), _) => spans.push(Span::styled(format!(" v{v}"), theme.base)),
        (None, _) => spans.push(Span::styled(" (did not load)", theme.fail)),
    }
    spans
}

fn layout_spans(layout: &LayoutAnchor, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled("layout ", theme.muted)];
    spans.extend(untrusted(&layout.file, theme.base, theme));
    if layout.from_tuf {
        spans.push(Span::styled(" (TUF target)", theme.muted));
    }
    let word = if layout.keyids.len() == 1 { "key" } else { "keys" };
    spans.push(Span::styled(format!(" · {word} "), theme.muted));
    if layout.keyids.is_empty() {
        spans.push(Span::styled("none", theme.fail));
    }
    let shown: Vec<String> = layout
        .keyids
        .iter()
        .take(KEYIDS_SHOWN)
        .map(|k| {
            let short: String = k.chars().take(KEYID_CHARS).collect();
            if short.len() < k.len() { format!("{short}…") } else { short }
        })
        .collect();
    spans.extend(untrusted(&shown.join(" "), theme.base, theme));
    if layout.keyids.len() > KEYIDS_SHOWN {
        spans.push(Span::styled(format!(" +{} more", layout.keyids.len() - KEYIDS_SHOWN), theme.muted));
    }
    spans
}

/// The engine's units while a run streams in (empty otherwise).
fn units_line(state: &State, theme: &Theme) -> Option<Line<'static>> {
    if state.run != Run::Verifying || state.units.is_empty() {
        return None;
    }
    let mut spans = vec![Span::styled("Units     ", theme.muted)];
    spans.extend(unit_counts(state, theme));
    Some(Line::from(spans))
}

fn severity_count(severity: Severity, n: usize, theme: &Theme) -> Span<'static> {
    let label = severity_label(severity, theme);
    let word = if n == 1 || severity == Severity::Info { "" } else { "s" };
    let glyph = label.content.chars().next().unwrap_or(' ');
    let (glyph, style) = match (n, severity) {
        (0, Severity::Error | Severity::Warning) => ('✔', theme.muted),
        (0, Severity::Info) => (glyph, theme.muted),
        _ => (glyph, label.style),
    };
    Span::styled(format!("{glyph} {n} {}{word}", severity.word()), style)
}

fn first_failure_lines(
    model: &Model,
    width: usize,
    message_rows: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(index) = model.first_failure() else {
        return vec![Line::from(vec![
            Span::styled("First     ", theme.muted),
            Span::styled("✔ no failures", theme.pass),
        ])];
    };
    let Some(f) = model.doc.findings.get(index) else { return Vec::new() };
    let mut head = vec![severity_label(f.severity, theme), Span::raw(" ")];
    head.extend(untrusted(&f.category, theme.fail, theme));
    head.push(Span::styled(" · ", theme.muted));
    head.extend(untrusted(&subject_label(&f.subject), theme.base, theme));
    let mut lines = wrapped(Span::styled("First     ", theme.muted), &head, width, 2);
    let message = untrusted(&f.message, theme.base, theme);
    lines.extend(wrapped(Span::raw(" ".repeat(INDENT)), &message, width, message_rows));
    // A bridge failure names the stage it stopped in, whatever else it names.
    if let Some(stage) = &model.doc.stage {
        let mut spans = vec![Span::styled("Stage     ", theme.muted)];
        spans.extend(untrusted(stage, theme.fail, theme));
        lines.push(Line::from(spans));
    }
    if let Some(failure) =
        model.doc.failure.as_ref().filter(|f| f.step.is_some() || f.rule.is_some() || f.artifact.is_some())
    {
        let mut spans = vec![Span::styled("Failure   ", theme.muted)];
        for (k, v) in [("step", &failure.step), ("rule", &failure.rule), ("artifact", &failure.artifact)] {
            if let Some(v) = v {
                spans.push(Span::styled(format!("{k} "), theme.muted));
                spans.extend(untrusted(v, theme.base, theme));
                spans.push(Span::raw("  "));
            }
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(vec![
        Span::raw("          "),
        Span::styled("Enter", theme.key),
        Span::styled(" jump to the first failure", theme.muted),
    ]));
    lines
}

fn render_timeline(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let at = state.model.as_ref().map(|m| m.doc.evaluated_at);
    let title = match at {
        Some(at) => format!("Expiry timeline at {}", crate::meta::time::format(at)),
        None => "Expiry timeline".to_owned(),
    };
    let block = block(title, theme);
    let inner = block.inner(area);
    block.render(area, buf);
    let (Some(at), rows) = (at, entries(state)) else {
        Line::styled("○ pending", theme.pending).render(inner, buf);
        return;
    };
    if rows.is_empty() {
        let text = if state.filters.failures_only {
            "nothing expired or expiring soon (f shows all)"
        } else {
            "no expiry information in this result"
        };
        Line::styled(text, theme.muted).render(inner, buf);
        return;
    }
    let cursor = state.cursor(ViewId::Overview);
    let label_w = rows.iter().map(|e| e.label.chars().count()).max().unwrap_or(0).clamp(8, 24);
    let fixed = 1 + 11 + 1 + label_w + 1 + 20 + 2 + 17 + 1;
    let bar_w = (inner.width as usize).saturating_sub(fixed);
    let scale = Scale::new(&rows, at);
    for (i, entry) in rows.iter().enumerate().skip(cursor.offset).take(inner.height as usize) {
        let y = inner.y + (i - cursor.offset) as u16;
        let selected = i == cursor.selected && state.pane == 0;
        let mut line = timeline_row(entry, at, label_w, bar_w, &scale, theme);
        line.spans.insert(0, Span::styled(if selected { "›" } else { " " }, theme.title));
        let row = Rect::new(inner.x, y, inner.width, 1);
        if selected {
            buf.set_style(row, theme.selection);
        }
        line.render(row, buf);
        if selected {
            buf.set_style(row, theme.selection);
        }
    }
}

fn timeline_row(
    e: &Expiry,
    at: time::OffsetDateTime,
    label_w: usize,
    bar_w: usize,
    scale: &Scale,
    theme: &Theme,
) -> Line<'static> {
    let (word, style): (&str, Style) = match e.status(at) {
        ExpiryStatus::Expired => ("⧗ EXPIRED", theme.expired),
        ExpiryStatus::Soon => ("⚠ soon", theme.warn),
        ExpiryStatus::Valid => ("✔ valid", theme.pass),
        ExpiryStatus::Rejected => ("✘ rejected", theme.fail),
        ExpiryStatus::NotTrusted => ("· untrusted", theme.muted),
    };
    let label = crate::tui::widgets::text::truncate(&crate::sanitize::sanitize(&e.label), label_w);
    let mut spans = vec![Span::styled(format!("{word:<11} "), style)];
    spans.extend(untrusted(&format!("{label:<label_w$} "), theme.base, theme));
    spans.push(Span::styled(format!("{} ", crate::meta::time::format(e.expires)), theme.base));
    spans.push(Span::styled(format!(" {:<17} ", relative(e.expires, at)), theme.muted));
    if bar_w >= 8 {
        spans.extend(scale.bar(e.expires, at, bar_w, style, theme));
    }
    Line::from(spans)
}

/// Maps times onto bar columns: the earliest and latest of all expiries and
/// the evaluation time span the bar.
struct Scale {
    min: i128,
    max: i128,
}

impl Scale {
    fn new(rows: &[&Expiry], at: time::OffsetDateTime) -> Self {
        let ts = rows.iter().map(|e| e.expires.unix_timestamp() as i128).chain([at.unix_timestamp() as i128]);
        let (min, max) = ts.fold((i128::MAX, i128::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
        Self { min, max }
    }

    fn col(&self, t: time::OffsetDateTime, width: usize) -> usize {
        let span = (self.max - self.min).max(1);
        let pos = (t.unix_timestamp() as i128 - self.min).clamp(0, span);
        (pos * (width.saturating_sub(1)) as i128 / span) as usize
    }

    fn bar(
        &self,
        expires: time::OffsetDateTime,
        at: time::OffsetDateTime,
        width: usize,
        style: Style,
        theme: &Theme,
    ) -> Vec<Span<'static>> {
        let now = self.col(at, width);
        let end = self.col(expires, width);
        (0..width)
            .map(|x| {
                if x == end {
                    Span::styled("●", style)
                } else if x == now {
                    Span::styled("┃", theme.title)
                } else if (x < end && x > now) || (x > end && x < now) {
                    Span::styled("─", style)
                } else {
                    Span::styled("·", theme.muted)
                }
            })
            .collect()
    }
}
