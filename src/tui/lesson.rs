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

use std::collections::BTreeMap;

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
    /// The progress of the other lessons visited in this session, by id.
    pub others: BTreeMap<String, Progress>,
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
            others: BTreeMap::new(),
        }
    }

    /// Moves to `lesson`, keeping this lesson's progress for the session
    /// and taking up the new one's where the learner left it.
    pub fn switch_to(&mut self, lesson: Lesson) {
        let mut others = std::mem::take(&mut self.others);
        others.insert(self.lesson.id.clone(), self.progress.clone());
        let progress = others.remove(&lesson.id).unwrap_or_else(|| Progress::new(&lesson));
        let focus = self.focus;
        *self = Self { progress, focus, others, ..Self::new(lesson) };
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
    /// `>` / `<`: the next / previous lesson.
    NextLesson,
    PrevLesson,
}

/// Work on the scratch copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonEffect {
    /// Apply break-it action `n`.
    Apply(usize),
    Undo,
    /// Open the lesson with this number (a fresh scratch copy).
    Open(u32),
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
        LessonAction::NextLesson | LessonAction::PrevLesson => {
            let n = pane.lesson.number;
            let next = if action == LessonAction::NextLesson { n + 1 } else { n.saturating_sub(1) };
            if next == 0 || crate::workshop::find(&next.to_string()).is_none() {
                state.notice = Some(Notice::info("no lesson there: the workshop has lessons 1 to the last"));
            } else {
                return vec![Effect::Lesson(LessonEffect::Open(next))];
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

    /// Opens lesson `number` on a fresh scratch copy, keeping the progress.
    fn open(&mut self, state: &mut State, number: u32) -> Result<Session, String> {
        let lesson =
            crate::workshop::find(&number.to_string()).ok_or_else(|| format!("no lesson {number}"))?;
        *self = Runtime::new(&lesson)?;
        if let Some(view) = view_named(&lesson.view) {
            state.view = view;
        }
        state.selection = None;
        state.breadcrumb.clear();
        state.cursors.clear();
        state.model = None;
        state.refilter();
        let title = format!("lesson {}. {}", lesson.number, lesson.title);
        if let Some(pane) = state.lesson.as_mut() {
            pane.switch_to(lesson.clone());
        }
        state.notice = Some(Notice::info(format!("opened {title} (> / < in the pane: next / previous)")));
        let (session, _) = self.session(&lesson)?;
        state.label = session.label.clone();
        Ok(session)
    }

    /// The session over the scratch copy as it is now, and its time.
    pub fn session(&self, lesson: &Lesson) -> Result<(Session, Option<OffsetDateTime>), String> {
        let opened = open::detect(self.scratch.path(), &self.opts)?;
        let at = opened.at;
        Ok((open::session(&opened, format!("workshop {}. {}", lesson.number, lesson.id)), at))
    }

    /// Carries out a pane effect on the scratch copy. When every changed
    /// file is an input of the running session's engine (`engine`), returns
    /// `None`: re-verifying that session re-runs only the units downstream
    /// of them. Otherwise (a file the plan does not track, such as the
    /// in-toto work directory; a bridge, which is not on the engine; another
    /// lesson) returns a new session over the copy.
    pub fn run(
        &mut self,
        state: &mut State,
        effect: LessonEffect,
        engine: Option<crate::engine::EngineHandle>,
    ) -> Result<Option<Session>, String> {
        let Some(pane) = state.lesson.as_mut() else { return Err("no lesson is open".into()) };
        let mut changed = Vec::new();
        match effect {
            LessonEffect::Apply(i) => {
                changed = self.scratch.apply(&pane.lesson, i)?;
                pane.applied.push(i);
                if let Some(p) = pane.progress.played.get_mut(i) {
                    *p = true;
                }
                let label = pane.lesson.breaks.get(i).map(|b| b.label.clone()).unwrap_or_default();
                state.notice = Some(Notice::info(format!("played: {label} (u undoes)")));
            }
            LessonEffect::Undo => {
                if let Some((i, paths)) = self.scratch.undo() {
                    changed = paths;
                    pane.applied.retain(|a| *a != i);
                    let label = pane.lesson.breaks.get(i).map(|b| b.label.clone()).unwrap_or_default();
                    state.notice = Some(Notice::info(format!("undone: {label}")));
                }
            }
            LessonEffect::Open(number) => return self.open(state, number).map(Some),
        }
        if let Some(engine) = engine
            && !changed.is_empty()
            && changed.iter().all(|p| !engine.dependents_of_file(p).is_empty())
        {
            return Ok(None);
        }
        let Some(lesson) = state.lesson.as_ref().map(|p| p.lesson.clone()) else {
            return Err("no lesson is open".into());
        };
        let (session, _) = self.session(&lesson)?;
        state.label = session.label.clone();
        Ok(Some(session))
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
