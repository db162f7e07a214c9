//! The terminal UI (DESIGN §6): an Elm-style loop over plain data.
//!
//! ```text
//! terminal event ─keymap─▶ Action ─update(&mut State)─▶ Vec<Effect> ─App─▶ threads, clipboard, files
//!        session thread ─mpsc Message─▶ Action::Session ─┘        render(&State) is pure
//! ```
//!
//! - [`Session`] is what gets verified: a closure run on its own thread
//!   per request (`r`, `t`, `w` re-run it with a new generation), sending a
//!   [`Message`] stream — `Loaded(Document)` today, engine unit events
//!   (`Message::Unit`) as the engine lands. The first frame shows before
//!   verification ends.
//! - [`App`] holds state, keymap and theme; tests drive it with
//!   `handle_key` and draw it with `render` into a `TestBackend`, through the
//!   same code the binary's loop uses.
//! - [`run`] owns the real terminal; [`launch`] falls back to the text
//!   report when stdout is not a terminal.
//! - Views live in `views/` (see there for adding one); every metadata
//!   string reaches a widget through `widgets::text::untrusted`, which uses
//!   the crate's one sanitizer.

pub mod action;
pub mod anchor;
pub mod app;
pub mod args;
pub mod attest;
pub mod chain;
pub mod clipboard;
pub mod detail;
pub mod export;
pub mod keymap;
pub mod layout;
pub mod lesson;
pub mod live;
pub mod logging;
pub mod model;
pub mod open;
pub mod search;
pub mod session;
pub mod state;
pub mod targets;
pub mod terminal;
pub mod theme;
pub mod trust;
pub mod update;
pub mod views;
pub mod watch;
pub mod widgets;

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::mpsc;

use time::OffsetDateTime;

pub use crate::sanitize;
pub use app::App;
pub use session::{Message, Reporter, Request, Session, UnitEvent, UnitStatus};
pub use terminal::Unsupported;
pub use theme::{Theme, ThemeSource};

use crate::verdict::{Document, Verdict};

/// How to start the TUI.
#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    /// `--theme NAME`; `None` picks `mono` under `NO_COLOR`, else `dark`.
    pub theme: Option<String>,
    /// `NO_COLOR` is set (see [`TuiOptions::from_env`]).
    pub no_color: bool,
    /// `--mouse`: capture the mouse (wheel scrolls).
    pub mouse: bool,
    /// `--at`: evaluate at this time instead of now.
    pub at: Option<OffsetDateTime>,
    /// Where `e` proposes to write the report (default: the current dir).
    pub export_dir: Option<PathBuf>,
    /// Directory of user themes; `None` uses `<config dir>/trailscope/themes`.
    pub theme_dir: Option<PathBuf>,
    /// Log file; `None` uses [`logging::default_log_file`].
    pub log_file: Option<PathBuf>,
    /// Key bindings from the config file's `[keys]` (see [`keymap::Keymap::rebind`]).
    pub keys: std::collections::BTreeMap<String, String>,
}

impl TuiOptions {
    /// Options with `NO_COLOR` read from the environment.
    pub fn from_env() -> Self {
        Self { no_color: theme::no_color_from_env(), ..Self::default() }
    }

    /// The theme these options select.
    pub fn load_theme(&self) -> Result<Theme, theme::ThemeError> {
        let source = match &self.theme_dir {
            Some(dir) => ThemeSource { user_dir: Some(dir.clone()) },
            None => ThemeSource::from_env(),
        };
        source.select(self.theme.as_deref(), self.no_color)
    }
}

/// Runs the TUI on the real terminal until the user quits.
///
/// Fails with `io::ErrorKind::Unsupported` and a clear message when stdout
/// is not a terminal or `TERM=dumb` (see [`launch`] for the fallback), and
/// with `InvalidInput` for an unknown or broken theme.
pub fn run(session: Session, opts: TuiOptions) -> io::Result<()> {
    terminal::preflight().map_err(|e| io::Error::new(io::ErrorKind::Unsupported, e.to_string()))?;
    let theme = opts.load_theme().map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let _log = logging::init(opts.log_file.clone());
    tracing::info!(session = %session.label, theme = %theme.name, "tui start");
    let mut app = App::new(session, theme, &opts);
    let mut guard = terminal::Guard::enter(opts.mouse)?;
    let result = terminal::event_loop(&mut guard, &mut app);
    drop(guard);
    tracing::info!("tui exit");
    result
}

/// What [`launch`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Launched {
    /// The TUI ran and the user quit.
    Tui,
    /// stdout was not a terminal: the text report was printed; its
    /// document (`None` if verification could not run) decides the exit code.
    Printed(Option<Box<Document>>),
}

/// The TUI when stdout is a terminal, else the text report on stdout. A
/// `TERM=dumb` terminal gets an error with a clear message.
pub fn launch(session: Session, opts: TuiOptions) -> io::Result<Launched> {
    match terminal::preflight() {
        Ok(()) => run(session, opts).map(|()| Launched::Tui),
        Err(Unsupported::NotATerminal) => {
            let doc = print_document(&session, &opts, &mut io::stdout().lock())?;
            Ok(Launched::Printed(doc.map(Box::new)))
        }
        Err(e @ Unsupported::DumbTerminal) => Err(io::Error::new(io::ErrorKind::Unsupported, e.to_string())),
    }
}

/// Verifies on the calling thread and writes the text report (sanitized).
pub fn print_report(
    session: &Session,
    opts: &TuiOptions,
    out: &mut dyn Write,
) -> io::Result<Option<Verdict>> {
    Ok(print_document(session, opts, out)?.map(|d| d.verdict))
}

/// [`print_report`], returning the document it printed.
pub fn print_document(
    session: &Session,
    opts: &TuiOptions,
    out: &mut dyn Write,
) -> io::Result<Option<Document>> {
    let (tx, _rx) = mpsc::channel();
    match session.run_blocking(&Request { generation: 1, at: opts.at }, tx) {
        Ok(results) => {
            let model = model::Model::from_results(results);
            out.write_all(text_report(&model.doc).as_bytes())?;
            Ok(Some(model.doc))
        }
        Err(e) => {
            writeln!(
                out,
                "trailscope: could not verify {}: {}",
                sanitize::sanitize(&session.label),
                sanitize::sanitize(&e)
            )?;
            Ok(None)
        }
    }
}

/// The text report for a document (what non-terminal stdout gets).
pub fn text_report(doc: &Document) -> String {
    crate::report::text::render(doc)
}
