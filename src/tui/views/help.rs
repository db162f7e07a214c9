//! Help (`?`): an overlay listing every binding of the keymap, grouped by
//! where it applies. Generated from `Keymap::help`, so it cannot drift.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

/// The help lines.
pub fn lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let help = keymap.help();
    let key_w = help
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(8)
        .min(28);
    let mut lines = Vec::new();
    for (i, (heading, rows)) in help.into_iter().enumerate() {
        if i > 0 {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(heading, theme.title));
        for (keys, desc) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<key_w$}  "), theme.key),
                Span::styled(desc, theme.base),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Status is shown as glyph and word: ✔ pass  ✘ fail  ⚠ warning  ℹ info  ⧗ expired  ○ pending",
        theme.muted,
    ));
    lines.push(Line::styled(
        "Escaped characters such as \\u{202e} or \\x1b mark hidden or control characters in metadata.",
        theme.muted,
    ));
    lines
}

/// Draws the overlay over `area` (the view body), scrolled by `scroll`.
pub fn render(keymap: &Keymap, theme: &Theme, scroll: u16, area: Rect, buf: &mut Buffer) {
    let width = area.width.min(100);
    let x = area.x + (area.width - width) / 2;
    let rect = Rect::new(x, area.y, width, area.height);
    Clear.render(rect, buf);
    let lines = lines(keymap, theme);
    let inner_h = rect.height.saturating_sub(2) as usize;
    let max_scroll = lines.len().saturating_sub(inner_h) as u16;
    let scroll = scroll.min(max_scroll);
    let more = if (scroll as usize + inner_h) < lines.len() { " ↓ more (j/k scroll) " } else { "" };
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .style(theme.base)
        .title(Span::styled(" Help — keys (Esc or ? to close) ", theme.title))
        .title_bottom(Span::styled(more, theme.muted));
    Paragraph::new(lines).block(block).scroll((scroll, 0)).render(rect, buf);
}
