//! Status as glyph + word (never colour alone, DESIGN §6), with the theme's
//! role for emphasis.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::report::text::severity_glyph;
use crate::tui::session::UnitStatus;
use crate::tui::state::{Run, State};
use crate::tui::theme::Theme;
use crate::verdict::Severity;
use crate::verdict::Verdict;

/// Spinner frames; advanced by ticks only, so snapshots are stable.
pub const SPINNER: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn severity_style(severity: Severity, theme: &Theme) -> Style {
    match severity {
        Severity::Error => theme.fail,
        Severity::Warning => theme.warn,
        Severity::Info => theme.info,
    }
}

/// "✘ error", "⚠ warning", "ℹ info".
pub fn severity_label(severity: Severity, theme: &Theme) -> Span<'static> {
    Span::styled(format!("{} {}", severity_glyph(severity), severity.word()), severity_style(severity, theme))
}

/// The verdict or what the run is doing: "✔ PASS", "✘ FAIL", "⠋ verifying…",
/// "✘ ERROR".
pub fn run_label(state: &State, theme: &Theme) -> Span<'static> {
    let spin = SPINNER.get(state.spinner % SPINNER.len()).copied().unwrap_or("…");
    match (&state.run, &state.model) {
        (Run::Verifying, None) => Span::styled(format!("{spin} verifying…"), theme.pending),
        (Run::Verifying, Some(_)) => Span::styled(format!("{spin} re-verifying…"), theme.pending),
        (Run::Failed(_), _) => Span::styled("✘ ERROR".to_owned(), theme.fail),
        (Run::Done, Some(m)) => verdict_span(m.doc.verdict, theme),
        (Run::Done, None) => Span::styled("○ no result".to_owned(), theme.pending),
    }
}

pub fn verdict_span(verdict: Verdict, theme: &Theme) -> Span<'static> {
    let style = match verdict {
        Verdict::Pass => theme.pass,
        Verdict::Fail => theme.fail,
    };
    Span::styled(crate::report::text::verdict_label(verdict).to_owned(), style)
}

/// Glyph, word and style of an engine unit's status (pending → running →
/// pass/fail as results stream in).
pub fn unit_status(status: UnitStatus, theme: &Theme) -> (&'static str, &'static str, Style) {
    match status {
        UnitStatus::Pending => ("○", "pending", theme.pending),
        UnitStatus::Running => ("◐", "running", theme.pending),
        UnitStatus::Pass => ("✔", "pass", theme.pass),
        UnitStatus::Fail => ("✘", "fail", theme.fail),
        UnitStatus::Error => ("✘", "error", theme.fail),
        UnitStatus::Skipped => ("–", "skipped", theme.muted),
    }
}

/// "○ 3 pending  ◐ 1 running  ✔ 12 pass" for the units of the run under way.
pub fn unit_counts(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    const ORDER: [UnitStatus; 6] = [
        UnitStatus::Pending,
        UnitStatus::Running,
        UnitStatus::Pass,
        UnitStatus::Fail,
        UnitStatus::Error,
        UnitStatus::Skipped,
    ];
    let mut spans = Vec::new();
    for status in ORDER {
        let n = state.units.values().filter(|s| **s == status).count();
        if n > 0 {
            let (glyph, word, style) = unit_status(status, theme);
            spans.push(Span::styled(format!("{glyph} {n} {word}  "), style));
        }
    }
    spans
}
