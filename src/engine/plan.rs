//! The unit DAG: files, parameters and units, declared once per loaded
//! scenario. A unit can only name inputs declared before it, so a plan is
//! acyclic by construction and declaration order is a topological order.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::id::{Fingerprint, UnitId};
use super::inputs::Inputs;
use super::outcome::{Outcome, Output, UnitOutcome};

/// The type-erased compute function of a unit; the engine passes the unit's
/// cache key, which becomes the output fingerprint unless the unit gives one.
pub(crate) type ComputeFn = Arc<dyn Fn(&Inputs, Fingerprint) -> UnitOutcome + Send + Sync>;

pub(crate) struct UnitDef {
    pub id: UnitId,
    pub inputs: Vec<usize>,
    pub compute: ComputeFn,
}

#[derive(Clone)]
pub(crate) struct ParamValue {
    pub value: Output,
    pub fingerprint: Fingerprint,
}

pub(crate) enum NodeKind {
    File(Arc<Path>),
    Param { name: Arc<str>, initial: ParamValue },
    Unit(UnitDef),
}

pub(crate) struct Node {
    pub kind: NodeKind,
    /// Units that read this node directly.
    pub dependents: Vec<usize>,
}

/// A declared input, from [`FileRef::input`], [`ParamRef::input`] or
/// [`UnitRef::input`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    plan: u64,
    ix: usize,
}

/// A file in a plan.
#[derive(Debug, Clone)]
pub struct FileRef {
    plan: u64,
    pub(crate) ix: usize,
    path: Arc<Path>,
}

impl FileRef {
    pub fn input(&self) -> Input {
        Input { plan: self.plan, ix: self.ix }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A parameter (evaluation time, strictness, …) whose value units read.
#[derive(Debug)]
pub struct ParamRef<T> {
    plan: u64,
    pub(crate) ix: usize,
    name: Arc<str>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for ParamRef<T> {
    fn clone(&self) -> Self {
        Self { plan: self.plan, ix: self.ix, name: self.name.clone(), _t: PhantomData }
    }
}

impl<T> ParamRef<T> {
    pub fn input(&self) -> Input {
        Input { plan: self.plan, ix: self.ix }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A unit whose output has type `T`.
#[derive(Debug)]
pub struct UnitRef<T> {
    plan: u64,
    pub(crate) ix: usize,
    id: UnitId,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for UnitRef<T> {
    fn clone(&self) -> Self {
        Self { plan: self.plan, ix: self.ix, id: self.id.clone(), _t: PhantomData }
    }
}

impl<T> UnitRef<T> {
    pub fn input(&self) -> Input {
        Input { plan: self.plan, ix: self.ix }
    }

    pub fn id(&self) -> &UnitId {
        &self.id
    }
}

/// What a unit reads, for display and for the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependency {
    File(Arc<Path>),
    Param(Arc<str>),
    Unit(UnitId),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("unit {0} is declared twice")]
    DuplicateUnit(UnitId),
    #[error("parameter {0} is declared twice")]
    DuplicateParam(String),
    #[error("unit {0} names an input from another plan")]
    ForeignInput(UnitId),
}

static NEXT_PLAN: AtomicU64 = AtomicU64::new(1);

/// Declares files, parameters and units; [`PlanBuilder::build`] checks them.
pub struct PlanBuilder {
    plan: u64,
    nodes: Vec<Node>,
    files: HashMap<Arc<Path>, usize>,
    params: HashMap<Arc<str>, usize>,
    units: HashMap<UnitId, usize>,
    errors: Vec<PlanError>,
}

impl Default for PlanBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl PlanBuilder {
    pub fn new() -> Self {
        Self {
            plan: NEXT_PLAN.fetch_add(1, Ordering::Relaxed),
            nodes: Vec::new(),
            files: HashMap::new(),
            params: HashMap::new(),
            units: HashMap::new(),
            errors: Vec::new(),
        }
    }

    /// A file input; declaring the same path twice gives the same file.
    pub fn file(&mut self, path: impl AsRef<Path>) -> FileRef {
        let path: Arc<Path> = Arc::from(path.as_ref());
        let ix = match self.files.get(&path) {
            Some(&ix) => ix,
            None => {
                let ix = self.push(NodeKind::File(path.clone()));
                self.files.insert(path.clone(), ix);
                ix
            }
        };
        FileRef { plan: self.plan, ix, path }
    }

    /// A parameter with its initial value; `fingerprint` is any byte form
    /// that changes whenever the value does (an RFC 3339 string for a time).
    pub fn param<T: Any + Send + Sync>(
        &mut self,
        name: &str,
        value: T,
        fingerprint: impl AsRef<[u8]>,
    ) -> ParamRef<T> {
        let name: Arc<str> = Arc::from(name);
        let initial =
            ParamValue { value: Arc::new(value), fingerprint: Fingerprint::of(fingerprint.as_ref()) };
        let ix = self.push(NodeKind::Param { name: name.clone(), initial });
        if self.params.insert(name.clone(), ix).is_some() {
            self.errors.push(PlanError::DuplicateParam(name.to_string()));
        }
        ParamRef { plan: self.plan, ix, name, _t: PhantomData }
    }

    /// A unit: its id, the inputs its cache key covers (the only ones it can
    /// read), and a pure compute function of them.
    pub fn unit<T, F>(&mut self, id: UnitId, inputs: &[Input], compute: F) -> UnitRef<T>
    where
        T: Any + Send + Sync,
        F: Fn(&Inputs) -> Outcome<T> + Send + Sync + 'static,
    {
        let mut ixs: Vec<usize> = Vec::with_capacity(inputs.len());
        let mut seen = HashSet::with_capacity(inputs.len());
        for input in inputs {
            if input.plan != self.plan || input.ix >= self.nodes.len() {
                self.errors.push(PlanError::ForeignInput(id.clone()));
            } else if seen.insert(input.ix) {
                ixs.push(input.ix);
            }
        }
        let compute: ComputeFn = Arc::new(move |inputs, key| UnitOutcome::erase(compute(inputs), key));
        let ix = self.push(NodeKind::Unit(UnitDef { id: id.clone(), inputs: ixs.clone(), compute }));
        for &i in &ixs {
            if let Some(n) = self.nodes.get_mut(i) {
                n.dependents.push(ix);
            }
        }
        if self.units.insert(id.clone(), ix).is_some() {
            self.errors.push(PlanError::DuplicateUnit(id.clone()));
        }
        UnitRef { plan: self.plan, ix, id, _t: PhantomData }
    }

    pub fn build(self) -> Result<Plan, PlanError> {
        if let Some(e) = self.errors.into_iter().next() {
            return Err(e);
        }
        let unit_count = self.units.len();
        Ok(Plan { nodes: self.nodes, files: self.files, params: self.params, units: self.units, unit_count })
    }

    fn push(&mut self, kind: NodeKind) -> usize {
        self.nodes.push(Node { kind, dependents: Vec::new() });
        self.nodes.len() - 1
    }
}

/// A checked unit DAG, ready for [`super::Engine::load`].
pub struct Plan {
    pub(crate) nodes: Vec<Node>,
    pub(crate) files: HashMap<Arc<Path>, usize>,
    pub(crate) params: HashMap<Arc<str>, usize>,
    pub(crate) units: HashMap<UnitId, usize>,
    pub(crate) unit_count: usize,
}

impl Plan {
    pub fn builder() -> PlanBuilder {
        PlanBuilder::new()
    }

    pub(crate) fn empty() -> Self {
        Self {
            nodes: Vec::new(),
            files: HashMap::new(),
            params: HashMap::new(),
            units: HashMap::new(),
            unit_count: 0,
        }
    }

    pub fn unit_count(&self) -> usize {
        self.unit_count
    }

    /// Every unit, in a topological order (declaration order).
    pub fn units(&self) -> impl Iterator<Item = &UnitId> {
        self.nodes.iter().filter_map(|n| match &n.kind {
            NodeKind::Unit(u) => Some(&u.id),
            _ => None,
        })
    }

    /// Every file the plan reads, in declaration order.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.nodes.iter().filter_map(|n| match &n.kind {
            NodeKind::File(p) => Some(&**p),
            _ => None,
        })
    }

    pub fn contains(&self, unit: &UnitId) -> bool {
        self.units.contains_key(unit)
    }

    /// What `unit` reads, in declaration order.
    pub fn inputs_of(&self, unit: &UnitId) -> Vec<Dependency> {
        let Some(NodeKind::Unit(def)) =
            self.units.get(unit).and_then(|&ix| self.nodes.get(ix)).map(|n| &n.kind)
        else {
            return Vec::new();
        };
        def.inputs
            .iter()
            .filter_map(|&i| match &self.nodes.get(i)?.kind {
                NodeKind::File(p) => Some(Dependency::File(p.clone())),
                NodeKind::Param { name, .. } => Some(Dependency::Param(name.clone())),
                NodeKind::Unit(u) => Some(Dependency::Unit(u.id.clone())),
            })
            .collect()
    }

    /// The units that read `path` directly.
    pub fn readers_of_file(&self, path: &Path) -> Vec<UnitId> {
        let Some(node) = self.files.get(path).and_then(|&ix| self.nodes.get(ix)) else {
            return Vec::new();
        };
        node.dependents.iter().filter_map(|&i| self.unit_id(i).cloned()).collect()
    }

    /// Every unit a change of `path` invalidates, in topological order.
    pub fn dependents_of_file(&self, path: &Path) -> Vec<UnitId> {
        self.files.get(path).map(|&ix| self.ids(&self.downstream_of(ix))).unwrap_or_default()
    }

    /// Every unit downstream of `unit` (not `unit` itself), in topological order.
    pub fn downstream(&self, unit: &UnitId) -> Vec<UnitId> {
        self.units.get(unit).map(|&ix| self.ids(&self.downstream_of(ix))).unwrap_or_default()
    }

    pub(crate) fn unit_id(&self, ix: usize) -> Option<&UnitId> {
        match &self.nodes.get(ix)?.kind {
            NodeKind::Unit(u) => Some(&u.id),
            _ => None,
        }
    }

    fn ids(&self, ixs: &[usize]) -> Vec<UnitId> {
        ixs.iter().filter_map(|&i| self.unit_id(i).cloned()).collect()
    }

    /// Node indices reachable from `start` (excluding it), ascending, which
    /// is a topological order.
    pub(crate) fn downstream_of(&self, start: usize) -> Vec<usize> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![start];
        let mut out = Vec::new();
        while let Some(ix) = stack.pop() {
            for &d in self.nodes.get(ix).map(|n| n.dependents.as_slice()).unwrap_or_default() {
                if let Some(s) = seen.get_mut(d)
                    && !*s
                {
                    *s = true;
                    out.push(d);
                    stack.push(d);
                }
            }
        }
        out.sort_unstable();
        out
    }
}
