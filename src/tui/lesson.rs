//! Workshop mode in the TUI: the lesson pane's state (plain data in
//! [`State::lesson`]), its keys (`L` moves between the pane and the view,
//! `b` opens the break-it menu, `u` undoes; in the pane `j`/`k` choose,
//! Enter answers or plays, `H` shows a hint, `]`/`[` change task), and the
//! runtime side: the lesson's scratch copy ([`crate::workshop::Scratch`]),
//! where a break-it action is applied before the session is opened again
//! over the copy (the views then show the attacked repository).
//!
//! Answers are checked in `update` (pure: [`crate::workshop::Task::check`]);
//! only break-it actions touch files, as an [`Effect`] the app runs.

use time::OffsetDateTime;

use super::action::{Effect, Notice};
use super::open::{self, OpenOptions};
use super::session::Session;
use super::state::State;
use crate::workshop::{Answer, Lesson, Progress, Scratch};

/// Terminals at least this wide show the pane beside the view; narrower
/// ones show it instead of the view while it has the focus (`L`).
pub const SIDE_BY_SIDE_WIDTH: u16 = 100;

/// The lesson pane.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonPane {
    pub lesson: Lesson,
    pub progress: Progress,
    /// The task shown.
    pub task: usize,
    /// The highlighted choice of the task.
    pub choice: usize,
    /// Typing an answer (typed tasks): the text so far.
    pub typing: Option<String>,
    /// The last check: accepted, and why.
    pub feedback: Option<(bool, String)>,
    pub hint: Option<String>,
    /// The break-it menu is open, with its highlighted entry.
    pub menu: Option<usize>,
    /// Break-it actions applied to the scratch copy, oldest first.
    pub applied: Vec<usize>,
    /// Keys go to the pane (`L`).
    pub focus: bool,
    /// Scroll of the pane's text.
    pub scroll: u16,
}

impl LessonPane {
    pub fn new(lesson: Lesson) -> Self {
        let progress = Progress::new(&lesson);
        Self {
            lesson,
            progress,
            task: 0,
            choice: 0,
            typing: None,
            feedback: None,
            hint: None,
            menu: None,
            applied: Vec::new(),
            focus: false,
            scroll: 0,
        }
    }

    /// Whether the pane is drawn at this terminal width.
    pub fn shown(&self, width: u16) -> bool {
        width >= SIDE_BY_SIDE_WIDTH || self.focus
    }
}

/// The pane's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonAction {
    /// `L`: move the keys between the pane and the view.
    ToggleFocus,
    /// `b`: open the break-it menu.
    BreakMenu,
    /// `u`: undo the last break-it action.
    Undo,
    Up,
    Down,
    /// Enter: answer with the highlighted choice, start or submit typing,
    /// or play the highlighted break-it action.
    Enter,
    /// Esc: close the menu or the typing, else give the keys back to the view.
    Close,
    Hint,
    NextTask,
    PrevTask,
    Insert(char),
    DeleteBack,
}

/// Work on the scratch copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonEffect {
    /// Apply break-it action `n`.
    Apply(usize),
    Undo,
}

/// Applies a pane key; returns the work to do.
pub fn update(state: &mut State, action: LessonAction) -> Vec<Effect> {
    let Some(pane) = state.lesson.as_mut() else { return Vec::new() };
    let tasks = pane.lesson.tasks.len();
    match action {
        LessonAction::ToggleFocus => {
            pane.focus = !pane.focus;
            pane.menu = None;
            pane.typing = None;
        }
        LessonAction::BreakMenu => {
            pane.focus = true;
            pane.typing = None;
            pane.menu = Some(0);
        }
        LessonAction::Undo => {
            if pane.applied.is_empty() {
                state.notice = Some(Notice::info("nothing to undo"));
            } else {
                return vec![Effect::Lesson(LessonEffect::Undo)];
            }
        }
        LessonAction::Up | LessonAction::Down => {
            let delta: isize = if action == LessonAction::Up { -1 } else { 1 };
            if let Some(m) = pane.menu.as_mut() {
                *m = m.saturating_add_signed(delta).min(pane.lesson.breaks.len().saturating_sub(1));
            } else if let Some(t) = pane.lesson.tasks.get(pane.task) {
                pane.choice = pane.choice.saturating_add_signed(delta).min(t.choices.len().saturating_sub(1));
            }
        }
        LessonAction::Enter => {
            if let Some(m) = pane.menu.take() {
                return vec![Effect::Lesson(LessonEffect::Apply(m))];
            }
            let Some(task) = pane.lesson.tasks.get(pane.task) else { return Vec::new() };
            let answer = if task.is_typed() {
                match pane.typing.take() {
                    None => {
                        pane.typing = Some(String::new());
                        return Vec::new();
                    }
                    Some(text) => Answer::Text(text),
                }
            } else {
                Answer::Choice(pane.choice)
            };
            let check = task.check(&answer);
            pane.progress.record(pane.task, &check);
            if check.accepted && pane.task + 1 < tasks {
                pane.task += 1;
                pane.choice = 0;
                pane.hint = None;
            }
            pane.feedback = Some((check.accepted, check.feedback));
        }
        LessonAction::Close => {
            if pane.menu.take().is_none() && pane.typing.take().is_none() {
                pane.focus = false;
            }
        }
        LessonAction::Hint => pane.hint = pane.progress.hint(&pane.lesson, pane.task).map(str::to_owned),
        LessonAction::NextTask | LessonAction::PrevTask => {
            let next =
                if action == LessonAction::NextTask { pane.task + 1 } else { pane.task.wrapping_sub(1) };
            if next < tasks {
                pane.task = next;
                pane.choice = 0;
                pane.hint = None;
                pane.feedback = None;
                pane.typing = None;
            }
        }
        LessonAction::Insert(c) => {
            if let Some(t) = pane.typing.as_mut()
                && t.chars().count() < 80
            {
                t.push(c);
            }
        }
        LessonAction::DeleteBack => {
            if let Some(t) = pane.typing.as_mut() {
                t.pop();
            }
        }
    }
    Vec::new()
}

/// Whether the pane takes the keys now, and whether it is typing.
pub fn focus(state: &State) -> Option<bool> {
    state.lesson.as_ref().filter(|p| p.focus).map(|p| p.typing.is_some())
}

/// The runtime side of a lesson: its scratch copy and how to open it.
pub struct Runtime {
    pub scratch: Scratch,
    opts: OpenOptions,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("scratch", &self.scratch).finish_non_exhaustive()
    }
}

impl Runtime {
    /// Writes the lesson's scenario to a scratch copy.
    pub fn new(lesson: &Lesson) -> Result<Self, String> {
        let scratch = Scratch::new(lesson)?;
        let opts = OpenOptions { skip_inspections: lesson.skip_inspections, ..OpenOptions::default() };
        Ok(Self { scratch, opts })
    }

    /// The session over the scratch copy as it is now, and its time.
    pub fn session(&self, lesson: &Lesson) -> Result<(Session, Option<OffsetDateTime>), String> {
        let opened = open::detect(self.scratch.path(), &self.opts)?;
        let at = opened.at;
        Ok((open::session(&opened, format!("workshop {}. {}", lesson.number, lesson.id)), at))
    }

    /// Carries out a pane effect on the scratch copy and opens the session
    /// again over it: a changed file may be one the engine's plan does not
    /// track (the work directory), so a fresh session verifies what is there.
    pub fn run(&mut self, state: &mut State, effect: LessonEffect) -> Result<Session, String> {
        let Some(pane) = state.lesson.as_mut() else { return Err("no lesson is open".into()) };
        match effect {
            LessonEffect::Apply(i) => {
                self.scratch.apply(&pane.lesson, i)?;
                pane.applied.push(i);
                if let Some(p) = pane.progress.played.get_mut(i) {
                    *p = true;
                }
                let label = pane.lesson.breaks.get(i).map(|b| b.label.clone()).unwrap_or_default();
                state.notice = Some(Notice::info(format!("played: {label} (u undoes)")));
            }
            LessonEffect::Undo => {
                if let Some((i, _)) = self.scratch.undo() {
                    pane.applied.retain(|a| *a != i);
                    let label = pane.lesson.breaks.get(i).map(|b| b.label.clone()).unwrap_or_default();
                    state.notice = Some(Notice::info(format!("undone: {label}")));
                }
            }
        }
        let lesson = pane.lesson.clone();
        self.session(&lesson).map(|(s, _)| s)
    }
}

/// The view a lesson names (`trust`), by its title.
pub fn view_named(name: &str) -> Option<super::views::ViewId> {
    super::views::ViewId::ALL.iter().copied().find(|v| v.title().eq_ignore_ascii_case(name))
}

/// Runs a lesson in the TUI on the real terminal until the user quits
/// (`trailscope workshop [LESSON]`). Fails like [`super::run`] when stdout
/// is not a terminal.
pub fn run(lesson: Lesson, opts: super::TuiOptions) -> std::io::Result<()> {
    use std::io::{Error, ErrorKind};
    super::terminal::preflight().map_err(|e| Error::new(ErrorKind::Unsupported, e.to_string()))?;
    let theme = opts.load_theme().map_err(|e| Error::new(ErrorKind::InvalidInput, e.to_string()))?;
    let _log = super::logging::init(opts.log_file.clone());
    let mut app = super::App::workshop(lesson, theme, &opts).map_err(Error::other)?;
    let mut guard = super::terminal::Guard::enter(opts.mouse)?;
    let result = super::terminal::event_loop(&mut guard, &mut app);
    drop(guard);
    result
}
