//! The only way a metadata string becomes something drawable: through the
//! sanitizer, with every escape styled `suspicious` so it stands out even
//! next to text that happens to contain a literal backslash.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::sanitize::{Segment, segments};
use crate::tui::theme::Theme;

/// Spans for untrusted text: plain runs in `style`, escapes in `suspicious`.
pub fn untrusted(s: &str, style: Style, theme: &Theme) -> Vec<Span<'static>> {
    segments(s)
        .map(|seg| match seg {
            Segment::Text(t) => Span::styled(t.to_owned(), style),
            Segment::Escape(_) => Span::styled(seg.shown().into_owned(), style.patch(theme.suspicious)),
        })
        .collect()
}

/// A line of untrusted text after a trusted prefix.
pub fn untrusted_line(prefix: Vec<Span<'static>>, s: &str, style: Style, theme: &Theme) -> Line<'static> {
    let mut spans = prefix;
    spans.extend(untrusted(s, style, theme));
    Line::from(spans)
}

/// Shortens `s` to `width` columns with a trailing `…` (by chars; the
/// sanitized text is what gets measured).
pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Spans for untrusted text cut to `width` columns (escapes count at their
/// shown width), padded with spaces to exactly `width` when `pad`.
pub fn untrusted_fit(s: &str, width: usize, pad: bool, style: Style, theme: &Theme) -> Vec<Span<'static>> {
    use unicode_width::UnicodeWidthStr;
    let mut out = Vec::new();
    let mut used = 0usize;
    for span in untrusted(s, style, theme) {
        let w = span.content.width();
        if used + w <= width {
            used += w;
            out.push(span);
            continue;
        }
        let mut cut = String::new();
        let room = width.saturating_sub(used + 1);
        let mut cw = 0;
        for c in span.content.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if cw + w > room {
                break;
            }
            cw += w;
            cut.push(c);
        }
        out.push(Span::styled(cut, span.style));
        out.push(Span::styled("…", style));
        used += cw + 1;
        break;
    }
    if pad && used < width {
        out.push(Span::styled(" ".repeat(width - used), style));
    }
    out
}
