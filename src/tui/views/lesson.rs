//! The lesson pane (workshop mode): beside the view it talks about at 100
//! columns and more, instead of it (while focused) below. From the top:
//! progress, the break-it menu when open, what the last attack did and why
//! it was caught (the lesson's words and the `explain` text of the
//! finding), the current task with its choices, feedback and hint, then the
//! story and the goals. Lesson text is ours; what comes from the verified
//! metadata (the category) goes through the sanitizer like every view.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::tui::lesson::LessonPane;
use crate::tui::state::{Run, State};
use crate::tui::theme::Theme;
use crate::workshop;

/// Splits the body between the view and the pane: (view, pane).
pub fn split(state: &State, body: Rect) -> (Rect, Option<Rect>) {
    if !state.lesson.as_ref().is_some_and(|p| p.shown(body.width)) {
        return (body, None);
    }
    if body.width < crate::tui::lesson::SIDE_BY_SIDE_WIDTH {
        return (Rect { width: 0, ..body }, Some(body));
    }
    let width = (body.width * 9 / 20).max(40);
    let view = Rect { width: body.width - width, ..body };
    let side = Rect { x: body.x + view.width, width, ..body };
    (view, Some(side))
}

/// The pane's text.
pub fn lines(state: &State, pane: &LessonPane, theme: &Theme) -> Vec<Line<'static>> {
    let l = &pane.lesson;
    let mut out = Vec::new();
    let played = pane.progress.played.iter().filter(|p| **p).count();
    out.push(Line::styled(
        format!(
            "tasks {}/{} · attacks played {}/{} · {} min",
            pane.progress.solved_count(),
            l.tasks.len(),
            played,
            l.breaks.len(),
            l.minutes
        ),
        theme.muted,
    ));
    if let Some(sel) = pane.menu {
        out.push(Line::styled("Break it — play the attacker (Enter plays, Esc closes):", theme.warn));
        for (i, b) in l.breaks.iter().enumerate() {
            let style = if i == sel { theme.selection } else { theme.base };
            out.push(Line::styled(
                format!("{} {}. {}", if i == sel { "›" } else { " " }, i + 1, b.label),
                style,
            ));
        }
        if let Some(b) = l.breaks.get(sel) {
            out.push(Line::styled(format!("  {}", b.attacker), theme.muted));
        }
        out.push(Line::raw(""));
    }
    if let Some(last) = pane.applied.last() {
        match (&state.run, &state.model) {
            (Run::Done, Some(model)) => {
                let text = workshop::explanation(l, *last, &model.doc);
                for (i, para) in text.into_iter().enumerate() {
                    let style = match i {
                        0 => theme.warn,
                        1 => theme.fail,
                        _ => theme.base,
                    };
                    out.push(Line::from(crate::tui::widgets::text::untrusted(&para, style, theme)));
                }
                out.push(Line::styled("u undoes it.", theme.muted));
            }
            _ => out.push(Line::styled("verifying the attacked copy…", theme.info)),
        }
        out.push(Line::raw(""));
    }
    if let Some(task) = l.tasks.get(pane.task) {
        let done = pane.progress.solved.get(pane.task).copied().unwrap_or(false);
        out.push(Line::styled(
            format!(
                "Task {}/{}{}: {}",
                pane.task + 1,
                l.tasks.len(),
                if done { " ✔" } else { "" },
                task.prompt
            ),
            theme.title,
        ));
        if task.is_typed() {
            let typed = pane.typing.as_deref().map_or("(Enter to type)".to_owned(), |t| format!("{t}▏"));
            out.push(Line::from(vec![
                Span::styled("  answer: ", theme.muted),
                Span::styled(typed, theme.key),
            ]));
        }
        for (i, c) in task.choices.iter().enumerate() {
            let style = if i == pane.choice && pane.focus && pane.menu.is_none() {
                theme.selection
            } else {
                theme.base
            };
            let mark = if i == pane.choice { "›" } else { " " };
            out.push(Line::styled(format!("{mark} {}", c), style));
        }
    }
    if let Some((ok, text)) = &pane.feedback {
        let (glyph, style) = if *ok { ("✔", theme.pass) } else { ("✘", theme.fail) };
        out.push(Line::styled(format!("{glyph} {text}"), style));
    }
    if let Some(h) = &pane.hint {
        out.push(Line::styled(format!("hint: {h}"), theme.info));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(l.story.clone(), theme.base));
    out.push(Line::styled("Goals:", theme.title));
    for g in &l.goals {
        out.push(Line::styled(format!("• {g}"), theme.base));
    }
    out.push(Line::styled(
        if pane.focus {
            "j/k choose · Enter answer · H hint · ]/[ task · b break it · u undo · >/< lesson · L/Esc back to the view"
        } else {
            "L: answer in the lesson pane · b: break it · u: undo"
        },
        theme.muted,
    ));
    out
}

/// Draws the pane.
pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some(pane) = &state.lesson else { return };
    let border: Style = if pane.focus { theme.border_focus } else { theme.border };
    let title = format!(" Lesson {}. {} ", pane.lesson.number, pane.lesson.title);
    let block =
        Block::default().borders(Borders::ALL).border_style(border).title(Span::styled(title, theme.title));
    Paragraph::new(lines(state, pane, theme))
        .block(block)
        .wrap(Wrap { trim: false })
        .style(theme.base)
        .render(area, buf);
}
