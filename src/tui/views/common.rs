//! Pieces the Chain, Step, Artifact and Trust views share: bordered panes
//! that mark focus, a virtualized list (only the visible rows are built),
//! labelled fields of untrusted text, and the message shown when a result
//! has no such data.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::tui::state::{Cursor, State};
use crate::tui::theme::Theme;
use crate::tui::widgets::untrusted;

/// A bordered pane; the focused one has the focus border and a `▶`.
pub fn pane<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused { theme.border_focus } else { theme.border };
    let marker = if focused { "▶ " } else { "" };
    Block::bordered().border_style(border).title(Span::styled(format!(" {marker}{title} "), theme.title))
}

/// Draws a pane and returns its inner area.
pub fn draw_pane(title: String, focused: bool, theme: &Theme, area: Rect, buf: &mut Buffer) -> Rect {
    let block = pane(title, focused, theme);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// Draws rows `cursor.offset..` of a list of `len` rows into `inner`,
/// building only the visible ones with `row(i)`; marks the selected row.
pub fn list(
    inner: Rect,
    len: usize,
    cursor: Cursor,
    focused: bool,
    theme: &Theme,
    buf: &mut Buffer,
    mut row: impl FnMut(usize) -> Line<'static>,
) {
    let end = len.min(cursor.offset.saturating_add(inner.height as usize));
    for i in cursor.offset..end {
        let y = inner.y + (i - cursor.offset) as u16;
        let rect = Rect::new(inner.x, y, inner.width, 1);
        let selected = i == cursor.selected;
        let mut line = row(i);
        line.spans.insert(0, Span::styled(if selected { "›" } else { " " }, theme.title));
        line.render(rect, buf);
        if selected {
            let style =
                if focused { theme.selection } else { theme.selection.remove_modifier(Modifier::BOLD) };
            buf.set_style(rect, style);
        }
    }
    if len > inner.height as usize && inner.width > 20 && inner.height > 0 {
        let text = format!(" {}/{} ", cursor.selected + 1, len);
        let w = text.chars().count() as u16;
        let rect = Rect::new(inner.x + inner.width - w, inner.y + inner.height, w, 1);
        if rect.y < buf.area.y + buf.area.height {
            Span::styled(text, theme.muted).render(rect, buf);
        }
    }
}

/// "Name      value" with the value sanitized.
pub fn field(name: &str, value: &str, style: Style, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{name:<9} "), theme.muted)];
    spans.extend(untrusted(value, style, theme));
    Line::from(spans)
}

/// What a view shows when the result has nothing for it.
pub fn empty(state: &State, what: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let text = if state.model.is_none() {
        "○ pending: this view fills in when verification finishes".to_owned()
    } else {
        format!("This result has no {what}. Open a layout or repository: trailscope open DIR")
    };
    let style = if state.model.is_none() { theme.pending } else { theme.muted };
    Paragraph::new(Line::styled(text, style)).wrap(Wrap { trim: true }).render(area, buf);
}

/// A command (JSON array of strings) as one line, raw.
pub fn command_text(cmd: &[serde_json::Value]) -> String {
    cmd.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).collect::<Vec<_>>().join(" ")
}

/// The first `n` characters of a digest, with `…`.
pub fn short_digest(d: &str, n: usize) -> String {
    if d.chars().count() <= n {
        d.to_owned()
    } else {
        format!("{}…", d.chars().take(n).collect::<String>())
    }
}

/// Pads or cuts plain (trusted) text to `w` columns.
pub fn fit(s: &str, w: usize) -> String {
    crate::tui::widgets::text::truncate(s, w).chars().chain(std::iter::repeat(' ')).take(w).collect()
}
