//! The scheduler's bookkeeping, behind one mutex: per-node state, the ready
//! queue, the generation counter, the cache and the subscribers. No threads
//! here; `scheduler.rs` drives it.

use std::collections::{HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::Sender;

use super::cache::Cache;
use super::event::{Event, Progress, Stats, UnitState};
use super::id::{Fingerprint, FingerprintBuilder, UnitId};
use super::inputs::{Inputs, Value};
use super::outcome::UnitOutcome;
use super::plan::{ComputeFn, NodeKind, ParamValue, Plan};
use super::results::Results;
use super::source::FileInput;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for inputs.
    Waiting,
    /// In the ready queue.
    Queued,
    Running,
    Done,
}

struct Slot {
    /// Bumped whenever the node is invalidated; a task whose epoch no longer
    /// matches is stale and its result is dropped. Epochs are unique across
    /// plans, so tasks from a replaced plan never match either.
    epoch: u64,
    phase: Phase,
    value: Option<Value>,
    /// For a waiting unit: how many of its inputs have no value yet.
    missing: usize,
}

pub(crate) enum Task {
    Read { ix: usize, epoch: u64, path: Arc<Path> },
    Compute { load: u64, ix: usize, epoch: u64, key: Fingerprint, inputs: Inputs, compute: ComputeFn },
    Rescan { ix: usize },
}

/// What a file change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The path is not an input of the current plan.
    NotInPlan,
    /// Same content fingerprint as before: nothing re-runs.
    Unchanged,
    /// A later re-hash of the same file started meanwhile and decides.
    Superseded,
    /// A new generation began with this many units pending again.
    Changed { generation: u64, invalidated: usize },
}

/// One re-hash of a file: read outside the lock, committed under it.
pub(crate) struct Rehash {
    load: u64,
    ix: usize,
    seq: u64,
    pub path: Arc<Path>,
}

pub(crate) struct State {
    pub plan: Arc<Plan>,
    /// Counts plan loads; a compute task remembers the load it came from.
    loads: u64,
    slots: Vec<Slot>,
    pub queue: VecDeque<Task>,
    pub generation: u64,
    next_epoch: u64,
    /// Files and units without a current value.
    not_done: usize,
    /// Rescan tasks queued or running.
    rescans: usize,
    /// Re-hashes started, per node: only the latest one of a file commits.
    rehashes: Vec<u64>,
    units_done: usize,
    completed: u64,
    subscribers: Vec<Sender<Event>>,
    cache: Cache,
    pub stats: Stats,
    pub shutdown: bool,
}

impl State {
    pub fn new(cache_per_unit: usize) -> Self {
        Self {
            plan: Arc::new(Plan::empty()),
            loads: 0,
            slots: Vec::new(),
            queue: VecDeque::new(),
            generation: 0,
            next_epoch: 1,
            not_done: 0,
            rescans: 0,
            rehashes: Vec::new(),
            units_done: 0,
            completed: 0,
            subscribers: Vec::new(),
            cache: Cache::new(cache_per_unit),
            stats: Stats::default(),
            shutdown: false,
        }
    }

    pub fn subscribe(&mut self, tx: Sender<Event>) {
        self.subscribers.push(tx);
    }

    /// No unit without a current result, and no rescan under way.
    pub fn is_complete(&self) -> bool {
        self.not_done == 0 && self.rescans == 0
    }

    /// Replaces the plan: a new generation in which every file is read again
    /// and every unit is pending (cached outcomes make unchanged units free).
    pub fn load(&mut self, plan: Arc<Plan>) {
        self.generation += 1;
        self.loads += 1;
        self.queue.clear();
        self.rescans = 0;
        self.rehashes = vec![0; plan.nodes.len()];
        let keep: HashSet<&UnitId> = plan.units().collect();
        self.cache.retain(&keep);
        self.slots.clear();
        self.not_done = 0;
        self.units_done = 0;
        for node in &plan.nodes {
            let epoch = self.fresh_epoch();
            let slot = match &node.kind {
                NodeKind::Param { initial, .. } => {
                    Slot { epoch, phase: Phase::Done, value: Some(Value::Param(initial.clone())), missing: 0 }
                }
                NodeKind::File(path) => {
                    self.not_done += 1;
                    self.queue.push_back(Task::Read { ix: self.slots.len(), epoch, path: path.clone() });
                    Slot { epoch, phase: Phase::Queued, value: None, missing: 0 }
                }
                NodeKind::Unit(_) => {
                    self.not_done += 1;
                    Slot { epoch, phase: Phase::Waiting, value: None, missing: 0 }
                }
            };
            self.slots.push(slot);
        }
        self.plan = plan;
        let units: Vec<UnitId> = self.plan.units().cloned().collect();
        self.emit(Event::Invalidated { generation: self.generation, units });
        let all: Vec<usize> = (0..self.slots.len()).collect();
        self.schedule(&all);
        self.maybe_complete();
    }

    /// Starts re-hashing the plan file `path`, if it is one.
    pub fn begin_rehash_path(&mut self, path: &Path) -> Option<Rehash> {
        let ix = *self.plan.files.get(path)?;
        self.begin_rehash(ix)
    }

    /// Starts re-hashing file node `ix`.
    pub fn begin_rehash(&mut self, ix: usize) -> Option<Rehash> {
        let path = self.file_path(ix)?;
        let seq = self.rehashes.get_mut(ix)?;
        *seq += 1;
        Some(Rehash { load: self.loads, ix, seq: *seq, path })
    }

    fn file_path(&self, ix: usize) -> Option<Arc<Path>> {
        match &self.plan.nodes.get(ix)?.kind {
            NodeKind::File(p) => Some(p.clone()),
            _ => None,
        }
    }

    /// Queues a re-hash of every file (the "re-verify" key): a new
    /// generation, complete once every file is re-hashed and whatever
    /// changed has re-run.
    pub fn rescan(&mut self) {
        self.generation += 1;
        for ix in 0..self.slots.len() {
            if self.file_path(ix).is_some() {
                self.rescans += 1;
                self.queue.push_back(Task::Rescan { ix });
            }
        }
    }

    /// A rescan task is over (whatever it found).
    pub fn rescanned(&mut self) {
        self.rescans = self.rescans.saturating_sub(1);
        self.maybe_complete();
    }

    /// A worker read a file for the initial load of a plan.
    pub fn file_read(&mut self, ix: usize, epoch: u64, input: FileInput) {
        self.stats.files_read += 1;
        let Some(slot) = self.slots.get_mut(ix) else { return };
        if slot.epoch != epoch || slot.phase == Phase::Done {
            return;
        }
        slot.phase = Phase::Done;
        slot.value = Some(Value::File(Arc::new(input)));
        self.not_done -= 1;
        self.settle(ix);
        self.maybe_complete();
    }

    /// A file was re-hashed: if its fingerprint changed, start a generation
    /// that re-runs exactly the units downstream of it.
    pub fn file_rehashed(&mut self, rehash: Rehash, input: FileInput) -> Change {
        self.stats.files_read += 1;
        let ix = rehash.ix;
        if rehash.load != self.loads {
            return Change::NotInPlan;
        }
        if self.rehashes.get(ix) != Some(&rehash.seq) {
            return Change::Superseded;
        }
        let unchanged = matches!(
            self.slots.get(ix).and_then(|s| s.value.as_ref()),
            Some(Value::File(old)) if old.fingerprint == input.fingerprint
        );
        if unchanged {
            return Change::Unchanged;
        }
        self.replace_source(ix, Value::File(Arc::new(input)))
    }

    /// A parameter got a new value.
    pub fn set_param(&mut self, name: &str, value: ParamValue) -> Change {
        let Some(&ix) = self.plan.params.get(name) else { return Change::NotInPlan };
        let unchanged = matches!(
            self.slots.get(ix).and_then(|s| s.value.as_ref()),
            Some(Value::Param(old)) if old.fingerprint == value.fingerprint
        );
        if unchanged {
            return Change::Unchanged;
        }
        self.replace_source(ix, Value::Param(value))
    }

    fn replace_source(&mut self, ix: usize, value: Value) -> Change {
        let epoch = self.fresh_epoch();
        let Some(slot) = self.slots.get_mut(ix) else { return Change::NotInPlan };
        if slot.phase != Phase::Done {
            self.not_done -= 1;
        }
        *slot = Slot { epoch, phase: Phase::Done, value: Some(value), missing: 0 };
        self.generation += 1;
        let downstream = self.plan.downstream_of(ix);
        for &d in &downstream {
            self.invalidate(d);
        }
        let units: Vec<UnitId> = downstream.iter().filter_map(|&d| self.plan.unit_id(d).cloned()).collect();
        let invalidated = units.len();
        self.emit(Event::Invalidated { generation: self.generation, units });
        self.emit_progress();
        self.schedule(&downstream);
        self.maybe_complete();
        Change::Changed { generation: self.generation, invalidated }
    }

    fn invalidate(&mut self, ix: usize) {
        let epoch = self.fresh_epoch();
        let Some(slot) = self.slots.get_mut(ix) else { return };
        if slot.phase == Phase::Done {
            self.not_done += 1;
            self.units_done -= 1;
        }
        *slot = Slot { epoch, phase: Phase::Waiting, value: None, missing: 0 };
    }

    /// Takes the next task; a compute task is marked running (or skipped
    /// when it went stale while queued).
    pub fn next_task(&mut self) -> Option<Task> {
        while let Some(task) = self.queue.pop_front() {
            let Task::Compute { ix, epoch, .. } = &task else { return Some(task) };
            let (ix, epoch) = (*ix, *epoch);
            let Some(slot) = self.slots.get_mut(ix) else { continue };
            if slot.epoch != epoch || slot.phase != Phase::Queued {
                continue;
            }
            slot.phase = Phase::Running;
            if let Some(unit) = self.plan.unit_id(ix).cloned() {
                self.emit(Event::Started { generation: self.generation, unit });
            }
            return Some(task);
        }
        None
    }

    /// A worker finished computing a unit. The outcome is cached either way
    /// (units are pure); it becomes current only if its inputs still are.
    pub fn computed(&mut self, load: u64, ix: usize, epoch: u64, key: Fingerprint, outcome: UnitOutcome) {
        self.stats.executed += 1;
        if load != self.loads {
            // Computed under a replaced plan, whose unit ids may mean other things.
            self.stats.dropped += 1;
            return;
        }
        let outcome = Arc::new(outcome);
        let Some(unit) = self.plan.unit_id(ix).cloned() else { return };
        self.cache.insert(&unit, key, outcome.clone());
        if self.slots.get(ix).is_none_or(|s| s.epoch != epoch || s.phase != Phase::Running) {
            // Superseded: its inputs changed while it ran.
            self.stats.dropped += 1;
            return;
        }
        self.finish(ix, unit, outcome, false);
        self.settle(ix);
        self.maybe_complete();
    }

    fn finish(&mut self, ix: usize, unit: UnitId, outcome: Arc<UnitOutcome>, reused: bool) {
        if let Some(slot) = self.slots.get_mut(ix) {
            slot.phase = Phase::Done;
            slot.value = Some(Value::Unit(outcome.clone()));
        }
        self.not_done -= 1;
        self.units_done += 1;
        self.emit(Event::Finished { generation: self.generation, unit, outcome, reused });
        self.emit_progress();
    }

    /// Counts the missing inputs of the units among `ixs` (ascending) and
    /// makes those that miss none ready.
    fn schedule(&mut self, ixs: &[usize]) {
        let plan = self.plan.clone();
        for &ix in ixs {
            let Some(NodeKind::Unit(def)) = plan.nodes.get(ix).map(|n| &n.kind) else { continue };
            let missing = def
                .inputs
                .iter()
                .filter(|&&i| self.slots.get(i).is_none_or(|s| s.phase != Phase::Done))
                .count();
            if let Some(slot) = self.slots.get_mut(ix) {
                slot.missing = missing;
            }
        }
        for &ix in ixs {
            if self.try_ready(ix) {
                self.settle(ix);
            }
        }
    }

    /// After `ix` got a value: its dependents miss one input less; make
    /// ready those that miss none, transitively through cache hits.
    fn settle(&mut self, ix: usize) {
        let plan = self.plan.clone();
        let mut work = vec![ix];
        while let Some(done) = work.pop() {
            for &d in plan.nodes.get(done).map(|n| n.dependents.as_slice()).unwrap_or_default() {
                if let Some(slot) = self.slots.get_mut(d) {
                    slot.missing = slot.missing.saturating_sub(1);
                }
                if self.try_ready(d) {
                    work.push(d);
                }
            }
        }
    }

    /// If unit `ix` waits and has all its inputs: finish it from the cache
    /// (returns true) or queue it.
    fn try_ready(&mut self, ix: usize) -> bool {
        let plan = self.plan.clone();
        let Some(NodeKind::Unit(def)) = plan.nodes.get(ix).map(|n| &n.kind) else { return false };
        if self.slots.get(ix).is_none_or(|s| s.phase != Phase::Waiting || s.missing > 0) {
            return false;
        }
        let mut values = Vec::with_capacity(def.inputs.len());
        let mut key = FingerprintBuilder::new("unit");
        key.bytes(def.id.kind().as_bytes()).bytes(def.id.key().as_bytes());
        for &i in &def.inputs {
            let Some(v) = self.slots.get(i).filter(|s| s.phase == Phase::Done).and_then(|s| s.value.clone())
            else {
                return false;
            };
            key.bytes(&input_name(&plan, i)).fingerprint(&value_fingerprint(&v));
            values.push((i, v));
        }
        let key = key.finish();
        if let Some(hit) = self.cache.get(&def.id, &key) {
            self.stats.reused += 1;
            self.finish(ix, def.id.clone(), hit, true);
            return true;
        }
        let epoch = self.slots.get(ix).map_or(0, |s| s.epoch);
        if let Some(s) = self.slots.get_mut(ix) {
            s.phase = Phase::Queued;
        }
        values.sort_unstable_by_key(|(i, _)| *i);
        let inputs = Inputs { unit: def.id.clone(), values };
        let load = self.loads;
        self.queue.push_back(Task::Compute { load, ix, epoch, key, inputs, compute: def.compute.clone() });
        false
    }

    fn maybe_complete(&mut self) {
        if self.is_complete() && self.completed != self.generation {
            self.completed = self.generation;
            self.emit(Event::Completed { generation: self.generation });
        }
    }

    pub fn progress(&self) -> Progress {
        Progress { generation: self.generation, done: self.units_done, total: self.plan.unit_count }
    }

    fn emit_progress(&mut self) {
        let p = self.progress();
        self.emit(Event::Progress { generation: p.generation, done: p.done, total: p.total });
    }

    fn emit(&mut self, event: Event) {
        if self.subscribers.is_empty() {
            return;
        }
        self.subscribers.retain(|tx| tx.send(event.clone()).is_ok());
    }

    pub fn unit_states(&self) -> Vec<(UnitId, UnitState)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(ix, slot)| {
                let id = self.plan.unit_id(ix)?.clone();
                let state = match (&slot.phase, &slot.value) {
                    (Phase::Running, _) => UnitState::Running,
                    (Phase::Done, Some(Value::Unit(o))) => UnitState::Done(o.status),
                    _ => UnitState::Pending,
                };
                Some((id, state))
            })
            .collect()
    }

    /// The content file `path` currently holds: what the units downstream
    /// of it read (`None` if it is not in the plan or not read yet).
    pub fn file(&self, path: &Path) -> Option<Arc<FileInput>> {
        let ix = *self.plan.files.get(path)?;
        match &self.slots.get(ix)?.value {
            Some(Value::File(f)) => Some(f.clone()),
            _ => None,
        }
    }

    pub fn outcome(&self, unit: &UnitId) -> Option<Arc<UnitOutcome>> {
        let ix = *self.plan.units.get(unit)?;
        match &self.slots.get(ix)?.value {
            Some(Value::Unit(o)) => Some(o.clone()),
            _ => None,
        }
    }

    pub fn results(&self) -> Results {
        let outcomes = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(ix, slot)| match &slot.value {
                Some(Value::Unit(o)) => Some((self.plan.unit_id(ix)?.clone(), o.clone())),
                _ => None,
            })
            .collect();
        Results::new(self.generation, outcomes)
    }

    fn fresh_epoch(&mut self) -> u64 {
        self.next_epoch += 1;
        self.next_epoch
    }
}

fn value_fingerprint(v: &Value) -> Fingerprint {
    match v {
        Value::File(f) => f.fingerprint,
        Value::Param(p) => p.fingerprint,
        Value::Unit(o) => o.fingerprint,
    }
}

/// Which input this is, so two inputs with equal content still key apart.
fn input_name(plan: &Plan, ix: usize) -> Vec<u8> {
    match plan.nodes.get(ix).map(|n| &n.kind) {
        Some(NodeKind::File(p)) => [b"file:", p.as_os_str().as_encoded_bytes()].concat(),
        Some(NodeKind::Param { name, .. }) => [b"param:", name.as_bytes()].concat(),
        Some(NodeKind::Unit(u)) => format!("unit:{}", u.id).into_bytes(),
        None => Vec::new(),
    }
}
