//! The confirmation popup (`I`): what would run, exactly — each
//! inspection's argv after parameter substitution — and the question. The
//! answer keys come from the keymap's `Confirm` context, like the bar.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::tui::keymap::{Context, Keymap};
use crate::tui::state::Confirm;
use crate::tui::theme::Theme;
use crate::tui::widgets::text::untrusted;

/// The popup's title and lines.
pub fn lines(confirm: &Confirm, keymap: &Keymap, theme: &Theme) -> (String, Vec<Line<'static>>) {
    match confirm {
        Confirm::RunInspections { commands } => {
            let title = format!(" Run {} inspection(s) of the layout? ", commands.len());
            let mut lines = vec![
                Line::styled(
                    "These commands come from the layout. They run on this machine as you, without a shell, \
                     one after the other in a scratch copy of the work directory, each with a time limit. \
                     Run them only if you trust the layout's signers.",
                    theme.warn,
                ),
                Line::raw(""),
            ];
            for (name, argv) in commands {
                let mut spans = vec![Span::styled("  ", theme.base)];
                spans.extend(untrusted(name, theme.title, theme));
                spans.push(Span::styled("  argv ", theme.muted));
                spans.extend(untrusted(&format!("{argv:?}"), theme.base, theme));
                lines.push(Line::from(spans));
            }
            lines.push(Line::raw(""));
            let mut answer = vec![Span::raw(" ")];
            for (key, label) in keymap.bar(Context::Confirm) {
                answer.push(Span::styled(key, theme.key));
                answer.push(Span::styled(format!(" {label}   "), theme.base));
            }
            lines.push(Line::from(answer));
            (title, lines)
        }
    }
}

/// Draws the popup centred over `area` (the view body).
pub fn render(confirm: &Confirm, keymap: &Keymap, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let (title, lines) = lines(confirm, keymap, theme);
    let width = area.width.min(100);
    let inner_w = width.saturating_sub(2).max(1) as usize;
    // Wrapped height: each line takes its width over the inner width, rounded up.
    let wanted: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner_w)).sum::<usize>() + 2;
    let height = (wanted.min(u16::MAX as usize) as u16).min(area.height);
    let x = area.x + (area.width - width) / 2;
    let y = area.y + (area.height - height) / 2;
    let rect = Rect::new(x, y, width, height);
    Clear.render(rect, buf);
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .style(theme.base)
        .title(Span::styled(title, theme.title));
    Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(rect, buf);
}
