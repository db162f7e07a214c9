//! Sessions on the engine (DESIGN §5): the verification of an opened
//! directory as an engine [`Plan`], kept loaded between runs so that `r`
//! re-hashes the files and re-runs what changed, `t` sets the evaluation
//! time parameter, and `w` starts the engine's own [`Watcher`] — a changed
//! file re-runs only the units downstream of it.
//!
//! ```text
//! request thread ─load/set_param/rescan─▶ Engine ─Event─▶ forwarder thread ─Message─▶ TUI
//! ```
//!
//! The forwarder maps engine events to the TUI's unit events
//! (`Invalidated` → pending, `Started` → running, `Finished` → pass/fail,
//! `Progress`), and on `Completed` reads the verdict unit's output, builds
//! the [`Results`] and the TUI's [`Model`] there — off the UI thread — and
//! sends it as `Loaded`. Every message is tagged with the TUI generation of
//! the latest request; a `Completed` of an engine generation older than the
//! one that request started is never delivered as its result.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use time::OffsetDateTime;

use super::detail::Results;
use super::model::Model;
use super::session::{Message, Reporter, Request, UnitEvent, UnitStatus};
use crate::engine::{
    self, DiskSource, Engine, EngineConfig, EngineHandle, Event, ParamRef, Plan, Status, UnitState,
};

/// How long the watcher waits for a burst of file events to settle.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Reads the run's results from the engine's current outcomes; `None`
/// while the verdict unit has no current result.
pub type ResultsFn = dyn Fn(&EngineHandle) -> Option<Result<Results, String>> + Send + Sync;

/// A plan ready to load, and how to read its results.
pub struct Built {
    pub plan: Plan,
    pub evaluated_at: ParamRef<OffsetDateTime>,
    pub results: Arc<ResultsFn>,
    /// A first result delivered as soon as its unit finishes, while the
    /// rest runs on (a large TUF repository's refresh verdict, long before
    /// its audit's).
    pub early: Option<Early>,
}

/// See [`Built::early`].
pub struct Early {
    pub unit: engine::UnitId,
    pub results: Arc<ResultsFn>,
}

/// Builds the plan for an evaluation time (reads the layout or the
/// repository's file list; runs on the request thread).
pub type BuildFn = dyn Fn(OffsetDateTime) -> Result<Built, String> + Send + Sync;

/// Where the forwarder sends, and which engine generations count.
#[derive(Default)]
struct Route {
    tx: Option<Sender<Message>>,
    /// The TUI generation of the latest request.
    generation: u64,
    /// The engine generation that request started; older `Completed`s are
    /// not its result.
    floor: u64,
}

struct Running {
    engine: Engine,
    evaluated_at: ParamRef<OffsetDateTime>,
    watcher: Option<engine::Watcher>,
    stop: Arc<AtomicBool>,
    forwarder: Option<JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.watcher.take();
        self.stop.store(true, Ordering::SeqCst);
        if let Some(f) = self.forwarder.take() {
            let _ = f.join();
        }
    }
}

/// An engine-backed verification (see the module docs).
pub struct Live {
    build: Box<BuildFn>,
    /// The evaluation time when the request names none (a fixture's `now`).
    default_at: Option<OffsetDateTime>,
    config: EngineConfig,
    running: Mutex<Option<Running>>,
    route: Arc<Mutex<Route>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Live {
    pub fn new(
        default_at: Option<OffsetDateTime>,
        build: impl Fn(OffsetDateTime) -> Result<Built, String> + Send + Sync + 'static,
    ) -> Self {
        Self {
            build: Box::new(build),
            default_at,
            config: EngineConfig::default(),
            running: Mutex::new(None),
            route: Arc::new(Mutex::new(Route::default())),
        }
    }

    /// One run: the first loads the plan on a new engine; later ones set the
    /// evaluation time and re-hash every file (only what changed re-runs).
    /// Returns once the engine has the work; results arrive through `tx`.
    pub fn request(&self, req: &Request, tx: Sender<Message>) -> Result<(), String> {
        let at = req.at.or(self.default_at).unwrap_or_else(crate::meta::time::now);
        let mut running = lock(&self.running);
        if let Some(r) = running.as_ref() {
            let mut route = lock(&self.route);
            route.tx = Some(tx.clone());
            route.generation = req.generation;
            r.engine.set_param(&r.evaluated_at, at, crate::meta::time::format(at).as_bytes());
            r.engine.rescan();
            route.floor = r.engine.generation();
            // The TUI forgot the units when it started this run: tell it
            // where each stands now (events already queued only move them on).
            let reporter = Reporter::new(tx, req.generation);
            for (unit, state) in r.engine.unit_states() {
                reporter.unit(UnitEvent::Status { unit: unit.to_string(), status: status_of(state) });
            }
            return Ok(());
        }
        let built = (self.build)(at)?;
        let engine = Engine::new(self.config.clone(), DiskSource::default());
        let events = engine.subscribe();
        let stop = Arc::new(AtomicBool::new(false));
        let (handle, route, results, flag) =
            (engine.handle(), self.route.clone(), built.results.clone(), stop.clone());
        let early = built.early;
        let forwarder = std::thread::Builder::new()
            .name("engine-events".into())
            .spawn(move || forward(&events, &handle, &*results, early.as_ref(), &route, &flag))
            .map_err(|e| format!("cannot start the engine's event thread: {e}"))?;
        {
            let mut route = lock(&self.route);
            route.tx = Some(tx);
            route.generation = req.generation;
            engine.load(built.plan);
            route.floor = engine.generation();
        }
        *running = Some(Running {
            engine,
            evaluated_at: built.evaluated_at,
            watcher: None,
            stop,
            forwarder: Some(forwarder),
        });
        Ok(())
    }

    /// Starts (`true`) or stops the engine's file watcher.
    pub fn watch(&self, on: bool) -> Result<(), String> {
        let mut running = lock(&self.running);
        let Some(r) = running.as_mut() else {
            return Err("nothing loaded yet: watch again once the first run is under way".into());
        };
        r.watcher = None;
        if on {
            r.watcher = Some(engine::Watcher::start(r.engine.handle(), DEBOUNCE).map_err(|e| e.to_string())?);
        }
        Ok(())
    }

    /// The engine, once the first request loaded the plan (tests feed file
    /// changes through it).
    pub fn engine(&self) -> Option<EngineHandle> {
        lock(&self.running).as_ref().map(|r| r.engine.handle())
    }
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").field("default_at", &self.default_at).finish_non_exhaustive()
    }
}

/// The TUI's status word for an engine unit state.
pub fn status_of(state: UnitState) -> UnitStatus {
    match state {
        UnitState::Pending => UnitStatus::Pending,
        UnitState::Running => UnitStatus::Running,
        UnitState::Done(s) => done(s),
    }
}

fn done(status: Status) -> UnitStatus {
    match status {
        Status::Pass => UnitStatus::Pass,
        Status::Fail => UnitStatus::Fail,
        Status::Skipped => UnitStatus::Skipped,
        Status::Error => UnitStatus::Error,
    }
}

/// The forwarder thread: engine events in, TUI messages out.
fn forward(
    events: &Receiver<Event>,
    engine: &EngineHandle,
    results: &ResultsFn,
    early: Option<&Early>,
    route: &Mutex<Route>,
    stop: &AtomicBool,
) {
    // The engine generation whose early result went out (one per run).
    let mut early_sent: Option<u64> = None;
    loop {
        let event = match events.recv_timeout(Duration::from_millis(200)) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout) if !stop.load(Ordering::SeqCst) => continue,
            Err(_) => return,
        };
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let send = |messages: &mut dyn Iterator<Item = Message>| {
            let route = lock(route);
            if let Some(tx) = &route.tx {
                for m in messages {
                    let _ = tx.send(m);
                }
            }
        };
        let generation = || lock(route).generation;
        let status = |unit: &engine::UnitId, status: UnitStatus| Message::Unit {
            generation: generation(),
            event: UnitEvent::Status { unit: unit.to_string(), status },
        };
        match event {
            Event::Invalidated { units, .. } => {
                let g = generation();
                let started = std::iter::once(Message::Started { generation: g });
                let pending = units.iter().map(|u| Message::Unit {
                    generation: g,
                    event: UnitEvent::Status { unit: u.to_string(), status: UnitStatus::Pending },
                });
                send(&mut started.chain(pending));
            }
            Event::Started { unit, .. } => send(&mut std::iter::once(status(&unit, UnitStatus::Running))),
            Event::Finished { generation: engine_gen, unit, outcome, .. } => {
                send(&mut std::iter::once(status(&unit, done(outcome.status))));
                if let Some(e) = early.filter(|e| e.unit == unit)
                    && early_sent != Some(engine_gen)
                    && engine_gen >= lock(route).floor
                    && let Some(Ok(r)) = (e.results)(engine)
                {
                    early_sent = Some(engine_gen);
                    let model = Box::new(Model::from_results(r));
                    let route = lock(route);
                    if let Some(tx) = route.tx.as_ref().filter(|_| engine_gen >= route.floor) {
                        // The result so far, then the run goes on (units and
                        // progress stream in until the whole result replaces it).
                        let generation = route.generation;
                        let _ = tx.send(Message::Loaded { generation, model });
                        let _ = tx.send(Message::Started { generation });
                    }
                }
            }
            Event::Progress { done, total, .. } => {
                let event = UnitEvent::Progress { done: done as u64, total: total as u64 };
                send(&mut std::iter::once(Message::Unit { generation: generation(), event }));
            }
            Event::Completed { generation: engine_gen } => {
                if engine_gen < lock(route).floor {
                    continue;
                }
                let Some(outcome) = results(engine) else { continue };
                let started = std::time::Instant::now();
                // The derived data (artifact index, suspicious names) is
                // built here, never on the UI thread.
                let payload = outcome.map(|r| Box::new(Model::from_results(r)));
                let route = lock(route);
                if engine_gen >= route.floor
                    && let Some(tx) = &route.tx
                {
                    let generation = route.generation;
                    let _ = tx.send(match payload {
                        Ok(model) => Message::Loaded { generation, model },
                        Err(error) => Message::Failed { generation, error },
                    });
                }
                tracing::debug!(engine_gen, elapsed = ?started.elapsed(), "engine results delivered");
            }
        }
    }
}
