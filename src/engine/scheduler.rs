//! The engine: a small pool of std threads taking ready units from the
//! shared state, and the handle through which callers load plans, feed
//! changes, subscribe to events and wait.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::event::{Event, Progress, Stats, UnitState};
use super::id::{Fingerprint, UnitId};
use super::outcome::UnitOutcome;
use super::plan::{ParamRef, ParamValue, Plan};
use super::results::Results;
use super::source::{FileInput, FileSource};
use super::state::{Change, Rehash, State, Task};

/// How many workers, and how much history the cache keeps.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Worker threads; at least 1.
    pub workers: usize,
    /// Outcomes kept per unit (the current one and a few before it).
    pub cache_per_unit: usize,
}

impl Default for EngineConfig {
    /// `available_parallelism`, capped at 4: units are short and the
    /// machine is shared with the UI thread.
    fn default() -> Self {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self { workers: n.clamp(1, 4), cache_per_unit: 4 }
    }
}

struct Shared {
    state: Mutex<State>,
    /// Workers wait here for tasks.
    work: Condvar,
    /// [`EngineHandle::wait`] waits here for completion.
    idle: Condvar,
    source: Arc<dyn FileSource>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A cheap, clonable handle on a running engine (for the watcher thread,
/// the UI loop, …). The [`Engine`] owns the workers.
#[derive(Clone)]
pub struct EngineHandle {
    shared: Arc<Shared>,
}

/// Owns the worker threads; dropping it stops them (after the units they
/// are computing return). Derefs to [`EngineHandle`].
pub struct Engine {
    handle: EngineHandle,
    workers: Vec<JoinHandle<()>>,
}

impl Engine {
    pub fn new(config: EngineConfig, source: impl FileSource + 'static) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(config.cache_per_unit)),
            work: Condvar::new(),
            idle: Condvar::new(),
            source: Arc::new(source),
        });
        let workers = (0..config.workers.max(1))
            .filter_map(|i| {
                let shared = shared.clone();
                std::thread::Builder::new().name(format!("engine-{i}")).spawn(move || worker(&shared)).ok()
            })
            .collect();
        Self { handle: EngineHandle { shared }, workers }
    }

    pub fn handle(&self) -> EngineHandle {
        self.handle.clone()
    }
}

impl std::ops::Deref for Engine {
    type Target = EngineHandle;
    fn deref(&self) -> &EngineHandle {
        &self.handle
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.handle.shared.lock().shutdown = true;
        self.handle.shared.work.notify_all();
        self.handle.shared.idle.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Loads `plan` on a fresh engine and waits for every unit: the headless path.
pub fn run_to_completion(plan: Plan, config: EngineConfig, source: impl FileSource + 'static) -> Results {
    let engine = Engine::new(config, source);
    engine.load(plan);
    engine.wait()
}

impl EngineHandle {
    /// Starts a new generation over `plan`: every file is read again and every
    /// unit is pending; units whose inputs fingerprint as before come from the
    /// cache without running.
    pub fn load(&self, plan: Plan) {
        self.shared.lock().load(Arc::new(plan));
        self.shared.work.notify_all();
        self.shared.idle.notify_all();
    }

    /// A file may have changed (watcher, reload key): re-hash it on this
    /// thread; if its content differs, re-run exactly the units downstream.
    pub fn file_changed(&self, path: &Path) -> Change {
        let Some(job) = self.shared.lock().begin_rehash_path(path) else { return Change::NotInPlan };
        let change = rehash(&self.shared, job);
        self.shared.work.notify_all();
        self.shared.idle.notify_all();
        change
    }

    /// Re-hashes every file on the workers and re-runs what changed (the
    /// re-verify key); [`Self::wait`] waits for the rescan too.
    pub fn rescan(&self) {
        self.shared.lock().rescan();
        self.shared.work.notify_all();
    }

    /// Sets a parameter (evaluation time, …); re-runs the units that read it
    /// if `fingerprint` differs from the current value's.
    pub fn set_param<T: Any + Send + Sync>(
        &self,
        param: &ParamRef<T>,
        value: T,
        fingerprint: &[u8],
    ) -> Change {
        let value = ParamValue { value: Arc::new(value), fingerprint: Fingerprint::of(fingerprint) };
        let change = self.shared.lock().set_param(param.name(), value);
        self.shared.work.notify_all();
        self.shared.idle.notify_all();
        change
    }

    /// Events from now on. Several subscribers may listen; a dropped
    /// receiver is forgotten.
    pub fn subscribe(&self) -> Receiver<Event> {
        let (tx, rx) = channel();
        self.shared.lock().subscribe(tx);
        rx
    }

    /// Blocks until every unit has a current result; returns them.
    pub fn wait(&self) -> Results {
        let mut st = self.shared.lock();
        while !st.is_complete() && !st.shutdown {
            st = self.shared.idle.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        st.results()
    }

    /// As [`Self::wait`], giving up after `timeout`.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Results> {
        let deadline = Instant::now() + timeout;
        let mut st = self.shared.lock();
        while !st.is_complete() && !st.shutdown {
            let left = deadline.checked_duration_since(Instant::now())?;
            st = self.shared.idle.wait_timeout(st, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        Some(st.results())
    }

    /// The current results (complete or not).
    pub fn results(&self) -> Results {
        self.shared.lock().results()
    }

    pub fn plan(&self) -> Arc<Plan> {
        self.shared.lock().plan.clone()
    }

    /// Every unit with its state, in topological order, for the views.
    pub fn unit_states(&self) -> Vec<(UnitId, UnitState)> {
        self.shared.lock().unit_states()
    }

    pub fn outcome(&self, unit: &UnitId) -> Option<Arc<UnitOutcome>> {
        self.shared.lock().outcome(unit)
    }

    /// The content of the plan file `path` as the engine read it, the bytes
    /// its units verified (for recording a run's inputs without reading the
    /// file again); `None` if it is not in the plan or not read yet.
    pub fn file(&self, path: &Path) -> Option<Arc<FileInput>> {
        self.shared.lock().file(path)
    }

    pub fn progress(&self) -> Progress {
        self.shared.lock().progress()
    }

    pub fn generation(&self) -> u64 {
        self.shared.lock().generation
    }

    pub fn stats(&self) -> Stats {
        self.shared.lock().stats
    }

    /// Units a change of `path` would re-run, in topological order.
    pub fn dependents_of_file(&self, path: &Path) -> Vec<UnitId> {
        self.plan().dependents_of_file(path)
    }

    /// Units downstream of `unit`, in topological order.
    pub fn downstream(&self, unit: &UnitId) -> Vec<UnitId> {
        self.plan().downstream(unit)
    }
}

fn rehash(shared: &Shared, job: Rehash) -> Change {
    let content = shared.source.read(&job.path);
    let input = FileInput::new(job.path.clone(), content);
    shared.lock().file_rehashed(job, input)
}

fn worker(shared: &Shared) {
    loop {
        let task = {
            let mut st = shared.lock();
            loop {
                if st.shutdown {
                    return;
                }
                if let Some(t) = st.next_task() {
                    break t;
                }
                st = shared.work.wait(st).unwrap_or_else(|p| p.into_inner());
            }
        };
        match task {
            Task::Read { ix, epoch, path } => {
                let content = shared.source.read(&path);
                shared.lock().file_read(ix, epoch, FileInput::new(path, content));
            }
            Task::Compute { load, ix, epoch, key, inputs, compute } => {
                let outcome = catch_unwind(AssertUnwindSafe(|| compute(&inputs, key)))
                    .unwrap_or_else(|payload| UnitOutcome::internal_error(panic_message(&*payload), key));
                shared.lock().computed(load, ix, epoch, key, outcome);
            }
            Task::Rescan { ix } => {
                let job = shared.lock().begin_rehash(ix);
                if let Some(job) = job {
                    rehash(shared, job);
                }
                shared.lock().rescanned();
            }
        }
        shared.work.notify_all();
        shared.idle.notify_all();
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    format!("unit panicked: {what}")
}
