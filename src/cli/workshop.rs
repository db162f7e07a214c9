//! `trailscope workshop` — the guided TUF and in-toto workshop: `--list`
//! prints one line per lesson (`--format markdown`: the trainer's plan),
//! `workshop [LESSON]` opens a lesson (number or id; default 1) in the TUI.
//! When stdout is not a terminal, the lesson's text is printed instead.

use clap::{Args, ValueEnum};

use super::Exit;
use crate::tui;
use crate::workshop::{self, Lesson};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Markdown,
}

#[derive(Debug, Args)]
pub struct WorkshopArgs {
    /// The lesson to open: its number or id (default: 1).
    #[arg(value_name = "LESSON")]
    pub lesson: Option<String>,
    /// List the lessons (with --format markdown: the trainer's plan).
    #[arg(long, conflicts_with = "lesson")]
    pub list: bool,
    /// The format of --list.
    #[arg(long, value_enum, default_value = "text", requires = "list")]
    pub format: ListFormat,
    #[command(flatten)]
    pub tui: tui::args::TuiArgs,
}

pub fn run(args: &WorkshopArgs) -> Exit {
    let lessons = workshop::lessons();
    if args.list {
        let text = match args.format {
            ListFormat::Text => workshop::plan::list(&lessons),
            ListFormat::Markdown => workshop::plan::markdown(&lessons),
        };
        print!("{text}");
        return Exit::Ok;
    }
    let name = args.lesson.as_deref().unwrap_or("1");
    let Some(lesson) = workshop::find(name) else {
        eprintln!(
            "trailscope workshop: no lesson ‘{}’; `trailscope workshop --list` names them",
            crate::sanitize::sanitize(name)
        );
        return Exit::Usage;
    };
    if matches!(tui::terminal::preflight(), Err(tui::Unsupported::NotATerminal)) {
        print!("{}", lesson_text(&lesson));
        return Exit::Ok;
    }
    match tui::lesson::run(lesson, args.tui.options()) {
        Ok(()) => Exit::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("trailscope: {e}");
            Exit::Usage
        }
        Err(e) => {
            eprintln!("trailscope: {e}");
            Exit::Internal
        }
    }
}

/// A lesson as text (stdout not a terminal).
fn lesson_text(l: &Lesson) -> String {
    let mut out = format!("Lesson {}. {} ({} min)\n\n{}\n\nGoals:\n", l.number, l.title, l.minutes, l.story);
    for g in &l.goals {
        out.push_str(&format!("- {g}\n"));
    }
    out.push_str("\nTasks:\n");
    for (i, t) in l.tasks.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, t.prompt));
        for c in &t.choices {
            out.push_str(&format!("   - {c}\n"));
        }
    }
    out.push_str("\nBreak it (in the TUI: b):\n");
    for b in &l.breaks {
        out.push_str(&format!("- {}: {}\n", b.label, b.attacker));
    }
    out
}
