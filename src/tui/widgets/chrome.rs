//! The frame around every view: the header (view tabs, what is verified,
//! the verdict), the breadcrumb, the status/input line, and the key bar
//! generated from the keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::status::run_label;
use super::text::{untrusted, untrusted_fit};
use crate::report::text::{kind_word, subject_label};
use crate::tui::action::{Action, NoticeLevel};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::state::{Run, State};
use crate::tui::theme::Theme;
use crate::tui::views::ViewId;

/// The keymap context the user is in.
pub fn context(state: &State) -> Context {
    if state.confirm.is_some() {
        Context::Confirm
    } else if state.input.is_some() {
        Context::Input
    } else if state.help.is_some() {
        Context::Help
    } else if let Some(typing) = crate::tui::lesson::focus(state) {
        if typing { Context::LessonInput } else { Context::Lesson }
    } else {
        Context::View(state.view)
    }
}

pub fn header(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let tabs = |full: bool| {
        let mut tabs = vec![Span::styled(" trailscope ", theme.title)];
        for id in ViewId::ALL {
            let style = if *id == state.view { theme.tab_active } else { theme.tab };
            let text = if full || *id == state.view {
                format!(" {} {} ", id.digit(), id.title())
            } else {
                format!(" {} ", id.digit())
            };
            tabs.push(Span::styled(text, style));
            tabs.push(Span::raw(" "));
        }
        Line::from(tabs).style(theme.base)
    };
    let right = |label_room: usize| {
        let mut right: Vec<Span> = Vec::new();
        if state.watching {
            right.push(Span::styled("◉ watching  ", theme.info));
        }
        if let Some(m) = &state.model {
            right.push(Span::styled(format!("{} · ", kind_word(m.doc.kind)), theme.muted));
        }
        if label_room > 0 {
            right.extend(untrusted(&super::text::truncate(&state.label, label_room), theme.muted, theme));
            right.push(Span::raw("  "));
        }
        right.push(run_label(state, theme));
        right.push(Span::raw(" "));
        Line::from(right).alignment(Alignment::Right)
    };
    // Every view's digit stays reachable: the label gives way first, then
    // the other views' titles.
    let compact = tabs(false).width();
    let without_label = right(0).width();
    let label_room = (area.width as usize).saturating_sub(compact + 1 + without_label + 2).min(24);
    let line = right(if label_room >= 6 { label_room } else { 0 });
    let right_w = (line.width() as u16).min(area.width);
    let room = area.width.saturating_sub(right_w + 1) as usize;
    let full = tabs(true);
    let tabs = if full.width() <= room { full } else { tabs(false) };
    tabs.render(Rect::new(area.x, area.y, room as u16, 1), buf);
    if right_w < area.width {
        let x = area.x + area.width - right_w;
        line.render(Rect::new(x, area.y, right_w, 1), buf);
    }
}

pub fn crumbs(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let at = state.at.or_else(|| state.model.as_ref().map(|m| m.doc.evaluated_at));
    let mut left = area;
    if let Some(at) = at {
        let word = if state.at.is_some() { "time travel: at " } else { "evaluated at " };
        let text = format!(" {word}{} ", crate::meta::time::format(at));
        let style = if state.at.is_some() { theme.warn } else { theme.muted };
        let w = text.chars().count() as u16;
        if w + 40 < area.width {
            Span::styled(text, style).render(Rect::new(area.x + area.width - w, area.y, w, 1), buf);
            left.width -= w;
        }
    }
    let mut spans = vec![Span::raw(" ")];
    // Results that rest on a layout that did not verify say so on every view of them.
    let shows_chain = matches!(state.view, ViewId::Chain | ViewId::Step | ViewId::Artifact | ViewId::Trust);
    if let Some(why) = state.model.as_ref().and_then(|m| m.unverified.as_ref()).filter(|_| shows_chain) {
        spans.push(Span::styled("⚠ UNVERIFIED ", theme.warn));
        let room = (left.width as usize).saturating_sub(14 + state.view.title().len() + 4).min(40);
        spans.extend(untrusted_fit(why, room, false, theme.warn, theme));
        spans.push(Span::styled(" · ", theme.muted));
    }
    for crumb in &state.breadcrumb {
        spans.push(Span::styled(crumb.view.title(), theme.muted));
        spans.push(Span::styled(" › ", theme.muted));
    }
    spans.push(Span::styled(state.view.title(), theme.title));
    if let Some(subject) = &state.selection {
        spans.push(Span::styled(" › ", theme.muted));
        let used = Line::from(spans.clone()).width();
        let room = (left.width as usize).saturating_sub(used);
        spans.extend(untrusted_fit(&subject_label(subject), room, false, theme.base, theme));
    }
    Line::from(spans).render(left, buf);
}

pub fn status_line(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let line = if let Some(input) = &state.input {
        let mut spans = vec![Span::styled(format!(" {}", input.kind.prompt()), theme.title)];
        spans.extend(untrusted(&input.text, theme.base, theme));
        spans.push(Span::styled("▏", theme.key));
        Line::from(spans)
    } else if let Some(notice) = &state.notice {
        let (glyph, style) = match notice.level {
            NoticeLevel::Info => ("ℹ", theme.status),
            NoticeLevel::Error => ("✘", theme.error_text),
        };
        let mut spans = vec![Span::styled(format!(" {glyph} "), style)];
        spans.extend(untrusted(&notice.text, style, theme));
        Line::from(spans)
    } else {
        match &state.run {
            Run::Verifying => {
                let progress =
                    state.progress.map(|(d, t)| format!(" {d}/{t} units done")).unwrap_or_default();
                Line::from(Span::styled(format!(" verifying {}…{progress}", state.label), theme.pending))
            }
            Run::Failed(e) => {
                let mut spans = vec![Span::styled(" ✘ could not verify: ", theme.error_text)];
                spans.extend(untrusted(e, theme.error_text, theme));
                Line::from(spans)
            }
            Run::Done => Line::from(Span::styled(" press ? for help", theme.muted)),
        }
    };
    line.render(area, buf);
}

pub fn key_bar(state: &State, keymap: &Keymap, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![Span::raw(" ")];
    let mut width = 1usize;
    let shown = |a: &Action| *a != Action::AskRunInspections || state.offers_inspections();
    for (key, label) in keymap.bar_where(context(state), shown) {
        let w = key.chars().count() + label.chars().count() + 3;
        if width + w > area.width as usize {
            break;
        }
        width += w;
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::styled(format!(" {label}  "), theme.muted));
    }
    Line::from(spans).render(area, buf);
}

/// What a too-small terminal shows instead of the views.
pub fn too_small(theme: &Theme, area: Rect, buf: &mut Buffer) {
    let text = format!(
        "trailscope needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}. \
         Enlarge the window, or press q to quit.",
        area.width, area.height
    );
    let y = area.y + area.height.saturating_sub(3) / 2;
    let h = area.height.min(3);
    Paragraph::new(text)
        .style(theme.warn)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(Rect::new(area.x, y, area.width, h), buf);
}
