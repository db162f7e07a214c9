//! Outcomes keyed by the fingerprint of a unit's inputs. Units are pure, so a
//! unit whose inputs fingerprint as before has the same outcome.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use super::id::{Fingerprint, UnitId};
use super::outcome::UnitOutcome;

/// A few recent outcomes per unit (so an edit that is undone costs nothing).
pub(crate) struct Cache {
    per_unit: usize,
    entries: HashMap<UnitId, VecDeque<(Fingerprint, Arc<UnitOutcome>)>>,
}

impl Cache {
    pub fn new(per_unit: usize) -> Self {
        Self { per_unit: per_unit.max(1), entries: HashMap::new() }
    }

    pub fn get(&mut self, unit: &UnitId, key: &Fingerprint) -> Option<Arc<UnitOutcome>> {
        let list = self.entries.get_mut(unit)?;
        let pos = list.iter().position(|(k, _)| k == key)?;
        let hit = list.remove(pos)?;
        let outcome = hit.1.clone();
        list.push_front(hit);
        Some(outcome)
    }

    pub fn insert(&mut self, unit: &UnitId, key: Fingerprint, outcome: Arc<UnitOutcome>) {
        let list = self.entries.entry(unit.clone()).or_default();
        list.retain(|(k, _)| *k != key);
        list.push_front((key, outcome));
        list.truncate(self.per_unit);
    }

    /// Forgets units that are no longer in the plan.
    pub fn retain(&mut self, units: &HashSet<&UnitId>) {
        self.entries.retain(|id, _| units.contains(id));
    }
}
