//! [`App`]: the state, the keymap and the theme, plus the runtime side of
//! the Elm loop — it turns terminal events into actions, runs `update`, and
//! carries out the effects (start a verification thread, copy, export,
//! watch). The binary's loop and the tests drive the very same `App`.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEventKind};
use ratatui::Frame;

use super::action::{Action, Effect, Notice};
use super::keymap::Keymap;
use super::session::{Message, Request, Session};
use super::state::{Run, State};
use super::theme::Theme;
use super::update::{start_run, update};
use super::watch::Watcher;
use super::{TuiOptions, clipboard, export, layout, views, widgets};

/// How often watched files are polled.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

pub struct App {
    state: State,
    keymap: Keymap,
    theme: Theme,
    session: Session,
    tx: Sender<Message>,
    rx: Receiver<Message>,
    watcher: Option<Watcher>,
    last_watch: Option<Instant>,
    /// Escape sequences for the terminal (OSC 52), written after a draw.
    output: Vec<String>,
    /// Workshop mode: the lesson's scratch copy.
    lesson: Option<super::lesson::Runtime>,
}

impl App {
    /// Builds the app and starts the first verification at once, so the
    /// first frame can be drawn while it runs.
    pub fn new(session: Session, theme: Theme, opts: &TuiOptions) -> Self {
        let (tx, rx) = mpsc::channel();
        let mut keymap = Keymap::new();
        // Checked when the config was loaded (`cli`); what does not apply is left as it was.
        let _ = keymap.rebind(&opts.keys);
        let mut state = State::new(session.label.clone());
        state.can_watch = !session.watch.is_empty();
        state.can_run_inspections = session.with_inspections.is_some();
        state.story = session.story.clone();
        state.at = opts.at;
        state.help_lines = views::help::lines(&keymap, &theme).len();
        if let Some(sc) = &session.scenarios {
            state.scenarios = sc.names.clone();
            state.scenario = sc.current;
        }
        if let Some(dir) = &opts.export_dir {
            state.export_dir = dir.clone();
        }
        let mut app = Self {
            state,
            keymap,
            theme,
            session,
            tx,
            rx,
            watcher: None,
            last_watch: None,
            output: Vec::new(),
            lesson: None,
        };
        let first = start_run(&mut app.state);
        app.run_effect(first);
        app
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    pub fn theme(&self) -> &Theme {
        &self.theme
    }

    pub fn should_quit(&self) -> bool {
        self.state.quit
    }

    /// Whether work is under way (the loop then ticks the spinner).
    pub fn busy(&self) -> bool {
        self.state.busy()
    }

    /// A terminal event: keys through the keymap, mouse wheel as movement,
    /// resizes into the state.
    pub fn handle_event(&mut self, event: &Event) {
        match event {
            Event::Key(key) => self.handle_key(*key),
            Event::Resize(w, h) => self.dispatch(Action::Resize(*w, *h)),
            Event::Mouse(m) => match m.kind {
                MouseEventKind::ScrollDown => self.dispatch(Action::Down),
                MouseEventKind::ScrollUp => self.dispatch(Action::Up),
                _ => {}
            },
            _ => {}
        }
    }

    /// One key press.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let context = widgets::chrome::context(&self.state);
        if let Some(action) = self.keymap.lookup(context, &key) {
            self.dispatch(action);
        }
    }

    /// Runs `update` and then the effects it asked for.
    pub fn dispatch(&mut self, action: Action) {
        for effect in update(&mut self.state, action) {
            self.run_effect(effect);
        }
    }

    fn run_effect(&mut self, effect: Effect) {
        match effect {
            Effect::Verify { generation, at } => {
                tracing::info!(generation, at = ?at, session = %self.session.label, "verify");
                self.session.spawn(Request { generation, at }, self.tx.clone());
            }
            Effect::Copy { value, .. } => self.output.push(clipboard::osc52(&value)),
            Effect::Export { dir } => {
                let notice = match &self.state.model {
                    None => Notice::info("nothing to export yet"),
                    Some(model) => match export::write(&dir, &model.doc) {
                        Ok(paths) => {
                            let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                            Notice::info(format!("exported {}", shown.join(" and ")))
                        }
                        Err(e) => Notice::error(format!("cannot export to {}: {e}", dir.display())),
                    },
                };
                self.dispatch(Action::Notify(notice));
            }
            Effect::OpenScenario(index) => self.open_scenario(index),
            Effect::RunInspections => self.run_inspections(),
            Effect::Lesson(effect) => self.lesson_effect(effect),
            Effect::Watch(on) => match self.session.watch_engine(on) {
                // On the engine: its watcher re-runs only the units downstream
                // of a changed file; results stream in as usual.
                Some(Ok(())) => {}
                Some(Err(e)) => {
                    self.dispatch(Action::Notify(Notice::error(format!("cannot watch: {e}"))));
                    if self.state.watching {
                        self.dispatch(Action::ToggleWatch);
                    }
                }
                None => {
                    self.watcher = on.then(|| Watcher::new(self.session.watch.clone()));
                    self.last_watch = None;
                }
            },
        }
    }

    /// Replaces the session with scenario `index` of the set (`a`/`A`):
    /// a fresh state in the same view, the scenario's own time, a new run.
    fn open_scenario(&mut self, index: usize) {
        let Some(sc) = self.session.scenarios.clone() else { return };
        let Some(name) = sc.names.get(index) else { return };
        tracing::info!(scenario = %name, "open scenario");
        match (sc.open)(name) {
            Ok((session, at)) => {
                if self.state.watching {
                    let _ = self.session.watch_engine(false);
                }
                self.watcher = None;
                let old = &self.state;
                let mut state = State::new(session.label.clone());
                state.size = old.size;
                state.help_lines = old.help_lines;
                state.export_dir = old.export_dir.clone();
                state.view = old.view;
                state.can_watch = !session.watch.is_empty();
                state.can_run_inspections = session.with_inspections.is_some();
                state.story = session.story.clone();
                state.at = at;
                state.scenarios = sc.names.clone();
                state.scenario = index;
                let shown = crate::sanitize::sanitize(name).into_owned();
                let n = sc.names.len();
                state.notice =
                    Some(Notice::info(format!("opened {shown} ({} of {n}; a/A: next/previous)", index + 1)));
                self.state = state;
                self.session = session;
                let first = start_run(&mut self.state);
                self.run_effect(first);
            }
            Err(e) => self.dispatch(Action::Notify(Notice::error(format!("cannot open {name}: {e}")))),
        }
    }

    /// Replaces the session with the same inputs verified with the layout's
    /// inspections run (the user said yes to their argv): same view, same
    /// time, the old result on screen until the new one arrives.
    fn run_inspections(&mut self) {
        let Some(reopen) = self.session.with_inspections.clone() else {
            self.dispatch(Action::Notify(Notice::error("this session cannot run inspections")));
            return;
        };
        match reopen() {
            Ok(session) => {
                if self.state.watching {
                    let _ = self.session.watch_engine(false);
                    self.state.watching = false;
                }
                self.watcher = None;
                tracing::info!(session = %session.label, "running the inspections (confirmed)");
                self.state.can_run_inspections = session.with_inspections.is_some();
                self.state.can_watch = !session.watch.is_empty();
                self.session = session;
                let first = start_run(&mut self.state);
                self.run_effect(first);
            }
            Err(e) => {
                self.dispatch(Action::Notify(Notice::error(format!("cannot run the inspections: {e}"))))
            }
        }
    }

    /// Workshop mode: the app over a lesson's scratch copy, with its pane.
    pub fn workshop(
        lesson: crate::workshop::Lesson,
        theme: Theme,
        opts: &TuiOptions,
    ) -> Result<Self, String> {
        let runtime = super::lesson::Runtime::new(&lesson)?;
        let (session, at) = runtime.session(&lesson)?;
        let mut app = Self::new(session, theme, &TuiOptions { at: opts.at.or(at), ..opts.clone() });
        app.state.view = super::lesson::view_named(&lesson.view).unwrap_or(app.state.view);
        app.state.lesson = Some(super::lesson::LessonPane::new(lesson));
        app.lesson = Some(runtime);
        Ok(app)
    }

    /// Applies or undoes a break-it action (or opens another lesson), then
    /// verifies the copy again — on the same engine when it tracks every
    /// changed file, else in a new session over the copy; the old result
    /// stays on screen meanwhile.
    fn lesson_effect(&mut self, effect: super::lesson::LessonEffect) {
        let Some(runtime) = self.lesson.as_mut() else { return };
        match runtime.run(&mut self.state, effect, self.session.engine()) {
            Ok(session) => {
                if let Some(session) = session {
                    self.session = session;
                }
                let first = start_run(&mut self.state);
                self.run_effect(first);
            }
            Err(e) => self.dispatch(Action::Notify(Notice::error(format!("break it: {e}")))),
        }
    }

    /// Applies every message that has arrived, without blocking; polls the
    /// watched files. Returns whether anything changed.
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        while let Ok(message) = self.rx.try_recv() {
            self.dispatch(Action::Session(message));
            changed = true;
        }
        changed | self.poll_watch()
    }

    fn poll_watch(&mut self) -> bool {
        let due = self.last_watch.is_none_or(|t| t.elapsed() >= WATCH_INTERVAL);
        let Some(watcher) = self.watcher.as_mut().filter(|_| due) else { return false };
        self.last_watch = Some(Instant::now());
        if watcher.changed() {
            self.dispatch(Action::Notify(Notice::info("input changed: verifying again")));
            self.dispatch(Action::Reverify);
            return true;
        }
        false
    }

    /// Blocks until the latest run has finished or `timeout` passed (tests,
    /// headless use). Returns whether it finished.
    pub fn wait(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.state.run == Run::Verifying {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(message) => self.dispatch(Action::Session(message)),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return false,
            }
        }
        true
    }

    /// Waits up to `timeout` for one message from the session, applies it
    /// and returns it (tests watch the state change message by message).
    pub fn step(&mut self, timeout: Duration) -> Option<Message> {
        let message = self.rx.recv_timeout(timeout).ok()?;
        self.dispatch(Action::Session(message.clone()));
        Some(message)
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The escape sequences to write to the terminal after the next draw.
    pub fn take_output(&mut self) -> Vec<String> {
        std::mem::take(&mut self.output)
    }

    /// Draws the whole screen: a pure function of the state.
    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        let buf = frame.buffer_mut();
        render(&self.state, &self.keymap, &self.theme, area, buf);
    }
}

/// Draws the state into a buffer.
pub fn render(
    state: &State,
    keymap: &Keymap,
    theme: &Theme,
    area: ratatui::layout::Rect,
    buf: &mut ratatui::buffer::Buffer,
) {
    buf.set_style(area, theme.base);
    if layout::too_small(area) {
        widgets::chrome::too_small(theme, area, buf);
        return;
    }
    let a = layout::areas(area);
    widgets::chrome::header(state, theme, a.header, buf);
    widgets::chrome::crumbs(state, theme, a.crumbs, buf);
    let (body, lesson) = views::lesson::split(state, a.body);
    views::get(state.view).render(state, theme, body, buf);
    if let Some(pane) = lesson {
        views::lesson::render(state, theme, pane, buf);
    }
    if let Some(scroll) = state.help {
        views::help::render(keymap, theme, scroll, a.body, buf);
    }
    if let Some(confirm) = &state.confirm {
        views::confirm::render(confirm, keymap, theme, a.body, buf);
    }
    widgets::chrome::status_line(state, theme, a.status, buf);
    widgets::chrome::key_bar(state, keymap, theme, a.bar, buf);
}
