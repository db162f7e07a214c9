//! A snapshot of every unit's outcome, for the headless runner and reports.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use crate::verdict::{Finding, Severity};

use super::id::UnitId;
use super::outcome::{Status, UnitOutcome};
use super::plan::UnitRef;

/// Outcomes of one generation, in the plan's topological order.
#[derive(Debug, Clone)]
pub struct Results {
    pub generation: u64,
    outcomes: Vec<(UnitId, Arc<UnitOutcome>)>,
    index: HashMap<UnitId, usize>,
}

impl Results {
    pub(crate) fn new(generation: u64, outcomes: Vec<(UnitId, Arc<UnitOutcome>)>) -> Self {
        let index = outcomes.iter().enumerate().map(|(i, (id, _))| (id.clone(), i)).collect();
        Self { generation, outcomes, index }
    }

    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&UnitId, &UnitOutcome)> {
        self.outcomes.iter().map(|(id, o)| (id, &**o))
    }

    pub fn outcome(&self, unit: &UnitId) -> Option<&UnitOutcome> {
        self.index.get(unit).and_then(|&i| self.outcomes.get(i)).map(|(_, o)| &**o)
    }

    pub fn output<T: Any>(&self, unit: &UnitRef<T>) -> Option<&T> {
        self.outcome(unit.id())?.output::<T>()
    }

    /// Every finding, unit by unit in topological order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.outcomes.iter().flat_map(|(_, o)| o.findings.iter())
    }

    /// Units that could not run (exit code 4 territory).
    pub fn errors(&self) -> impl Iterator<Item = (&UnitId, &UnitOutcome)> {
        self.iter().filter(|(_, o)| o.status == Status::Error)
    }

    /// No error finding and no unit in error.
    pub fn passed(&self) -> bool {
        self.errors().next().is_none() && !self.findings().any(|f| f.severity == Severity::Error)
    }
}
