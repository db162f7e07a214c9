//! The results stream: a [`Session`] knows how to verify something (an
//! in-toto layout, a TUF repository, a bridge, the embedded demo) and runs it
//! on its own thread, sending [`Message`]s back over an `mpsc` channel. The
//! TUI draws its first frame at once and fills in as messages arrive
//! (DESIGN §6 "Never blocks"). Each run carries a generation number; the
//! state drops messages from superseded runs ("latest request wins").
//!
//! A plain session sends one `Loaded` model at the end of its run. A session
//! on the engine ([`Session::on_engine`], see [`super::live`]) streams the
//! engine's unit events as `Unit` messages while it works, and a `Loaded`
//! each time the engine completes (also after a watched file changed).
//! Either way the [`Model`] — the derived data the views read — is built on
//! the verification side, never on the UI thread.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::thread;

use time::OffsetDateTime;

use super::detail::Results;
use super::live::Live;
use super::model::Model;
use crate::engine::EngineHandle;
use crate::verdict::Document;

/// What to verify in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub generation: u64,
    /// Evaluate at this time instead of now (time travel, `t`).
    pub at: Option<OffsetDateTime>,
}

/// Where a unit of verification stands (engine events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitStatus {
    Pending,
    Running,
    Pass,
    Fail,
    Error,
    Skipped,
}

/// A progress event from the engine about one unit of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitEvent {
    /// A unit was scheduled, or started running.
    Status { unit: String, status: UnitStatus },
    /// Overall progress: units finished of total.
    Progress { done: u64, total: u64 },
}

/// Messages from a running session to the TUI.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The run of `generation` started.
    Started { generation: u64 },
    /// A unit event of the run `generation`.
    Unit { generation: u64, event: UnitEvent },
    /// The run finished with this result: the document, the verifier's
    /// traces the Chain, Step, Artifact and Trust views walk, and what the
    /// TUI derives from them (built off the UI thread).
    Loaded { generation: u64, model: Box<Model> },
    /// The run could not produce a result (input unreadable, internal error).
    Failed { generation: u64, error: String },
}

impl Message {
    pub fn generation(&self) -> u64 {
        match self {
            Message::Started { generation }
            | Message::Unit { generation, .. }
            | Message::Loaded { generation, .. }
            | Message::Failed { generation, .. } => *generation,
        }
    }
}

/// Handed to the verification closure so it can stream progress.
#[derive(Debug, Clone)]
pub struct Reporter {
    tx: Sender<Message>,
    generation: u64,
}

impl Reporter {
    pub fn new(tx: Sender<Message>, generation: u64) -> Self {
        Self { tx, generation }
    }

    /// Sends a unit event; returns false when the TUI has gone away, so the
    /// caller can stop early.
    pub fn unit(&self, event: UnitEvent) -> bool {
        self.tx.send(Message::Unit { generation: self.generation, event }).is_ok()
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The channel, for handing a run on to another session.
    pub fn sender(&self) -> Sender<Message> {
        self.tx.clone()
    }
}

/// The verification a session runs: pure with respect to the TUI, may take
/// long, must not touch the terminal.
pub type VerifyFn = dyn Fn(&Request, &Reporter) -> Result<Results, String> + Send + Sync;

/// Something the TUI can verify, again and again (`r`, `t`, `w`).
#[derive(Clone)]
pub struct Session {
    /// Shown in the header ("demo", a directory, a URL).
    pub label: String,
    /// Files and directories whose change triggers a re-run when watching.
    pub watch: Vec<PathBuf>,
    verify: Arc<VerifyFn>,
    /// Runs on the engine instead (`verify` stays for headless use).
    live: Option<Arc<Live>>,
    /// Kept alive as long as the session (a demo's temporary directory).
    keep: Vec<Arc<dyn std::any::Any + Send + Sync>>,
    /// Other scenarios `a`/`A` switch to (the demo's acts).
    pub scenarios: Option<Scenarios>,
    /// The same inputs as a session that runs the layout's inspections
    /// (`I`, after the user confirmed their argv); `None` when this session
    /// already runs them or has none to run.
    pub with_inspections: Option<Arc<ReopenFn>>,
    /// The scenario's story (its `scenario.json` description), raw.
    pub story: Option<String>,
}

/// Opens a session again with something changed (the inspections run).
pub type ReopenFn = dyn Fn() -> Result<Session, String> + Send + Sync;

/// Opens scenario `name` as a session, with its evaluation time.
pub type OpenScenarioFn = dyn Fn(&str) -> Result<(Session, Option<OffsetDateTime>), String> + Send + Sync;

/// A set of scenarios a session belongs to (the embedded demo's).
#[derive(Clone)]
pub struct Scenarios {
    pub names: Vec<String>,
    /// Which one this session is.
    pub current: usize,
    pub open: Arc<OpenScenarioFn>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("label", &self.label).field("watch", &self.watch).finish()
    }
}

impl Session {
    /// A session running `verify` on a worker thread for every request.
    /// `verify` returns a bare [`Document`] (Overview and Findings only) or
    /// [`Results`] with the verifier's traces (every view).
    pub fn new<R: Into<Results>>(
        label: impl Into<String>,
        verify: impl Fn(&Request, &Reporter) -> Result<R, String> + Send + Sync + 'static,
    ) -> Self {
        let verify = move |req: &Request, rep: &Reporter| verify(req, rep).map(Into::into);
        Self {
            label: label.into(),
            watch: Vec::new(),
            verify: Arc::new(verify),
            live: None,
            keep: Vec::new(),
            scenarios: None,
            with_inspections: None,
            story: None,
        }
    }

    /// The story the Overview tells of this scenario.
    pub fn with_story(mut self, story: Option<String>) -> Self {
        self.story = story.filter(|s| !s.trim().is_empty());
        self
    }

    /// Runs the TUI's requests on the engine (`live`); [`Session::run_blocking`]
    /// keeps using the direct verifier.
    pub fn on_engine(mut self, live: Live) -> Self {
        self.live = Some(Arc::new(live));
        self
    }

    /// Makes `a`/`A` switch between `scenarios`.
    pub fn with_scenarios(mut self, scenarios: Scenarios) -> Self {
        self.scenarios = Some(scenarios);
        self
    }

    /// Makes `I` offer to run the layout's inspections: `reopen` builds the
    /// session that runs them.
    pub fn runs_inspections_with(
        mut self,
        reopen: impl Fn() -> Result<Session, String> + Send + Sync + 'static,
    ) -> Self {
        self.with_inspections = Some(Arc::new(reopen));
        self
    }

    /// Keeps `value` alive as long as the session.
    pub fn keeping(mut self, value: Arc<dyn std::any::Any + Send + Sync>) -> Self {
        self.keep.push(value);
        self
    }

    /// Whether requests run on the engine.
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// The engine of a live session, once its first run started.
    pub fn engine(&self) -> Option<EngineHandle> {
        self.live.as_ref().and_then(|l| l.engine())
    }

    /// Starts or stops the engine's watcher; `None` for a session not on
    /// the engine (the TUI then polls the watched paths itself).
    pub fn watch_engine(&self, on: bool) -> Option<Result<(), String>> {
        self.live.as_ref().map(|l| l.watch(on))
    }

    /// A session that always shows the same document (tests, `report` views).
    pub fn fixed(label: impl Into<String>, document: Document) -> Self {
        Self::new(label, move |_, _| Ok(document.clone()))
    }

    /// Adds paths to watch with `w`.
    pub fn watching(mut self, paths: impl IntoIterator<Item = PathBuf>) -> Self {
        self.watch.extend(paths);
        self
    }

    /// Runs one request to completion on the calling thread (headless use).
    pub fn run_blocking(&self, request: &Request, tx: Sender<Message>) -> Result<Results, String> {
        (self.verify)(request, &Reporter::new(tx, request.generation))
    }

    /// Starts one request on a new thread; its messages go to `tx`. A panic
    /// in the verifier becomes a `Failed` message, never a dead TUI.
    pub fn spawn(&self, request: Request, tx: Sender<Message>) {
        let verify = Arc::clone(&self.verify);
        let live = self.live.clone();
        let generation = request.generation;
        let fallback = tx.clone();
        let spawned = thread::Builder::new().name(format!("verify-{generation}")).spawn(move || {
            let _ = tx.send(Message::Started { generation });
            if let Some(live) = live {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    live.request(&request, tx.clone())
                }));
                let error = match outcome {
                    Ok(Ok(())) => return,
                    Ok(Err(error)) => error,
                    Err(panic) => panic_text(&panic),
                };
                let _ = tx.send(Message::Failed { generation, error });
                return;
            }
            let reporter = Reporter::new(tx.clone(), generation);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                verify(&request, &reporter).map(|r| Box::new(Model::from_results(r)))
            }));
            let message = match outcome {
                Ok(Ok(model)) => Message::Loaded { generation, model },
                Ok(Err(error)) => Message::Failed { generation, error },
                Err(panic) => Message::Failed { generation, error: panic_text(&panic) },
            };
            tracing::debug!(generation, "verification finished");
            let _ = tx.send(message);
        });
        if let Err(e) = spawned {
            tracing::error!("cannot start a verification thread: {e}");
            let _ = fallback
                .send(Message::Failed { generation, error: format!("cannot start verification: {e}") });
        }
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal error in verification: {what}")
}
