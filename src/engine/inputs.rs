//! What a compute function sees: the current values of exactly the inputs
//! its unit declared (so the cache key covers everything it reads).

use std::any::Any;
use std::sync::Arc;

use super::id::UnitId;
use super::outcome::UnitOutcome;
use super::plan::{FileRef, ParamRef, ParamValue, UnitRef};
use super::source::FileInput;

#[derive(Clone)]
pub(crate) enum Value {
    File(Arc<FileInput>),
    Param(ParamValue),
    Unit(Arc<UnitOutcome>),
}

/// The inputs of one unit run. Asking for something the unit did not
/// declare yields `None`.
pub struct Inputs {
    pub(crate) unit: UnitId,
    /// Sorted by node index (plan order).
    pub(crate) values: Vec<(usize, Value)>,
}

impl Inputs {
    /// The unit being computed.
    pub fn unit(&self) -> &UnitId {
        &self.unit
    }

    pub fn file(&self, file: &FileRef) -> Option<&FileInput> {
        match self.value(file.ix)? {
            Value::File(f) => Some(f),
            _ => None,
        }
    }

    /// The bytes of a declared file, `None` if it is absent or unreadable.
    pub fn bytes(&self, file: &FileRef) -> Option<&[u8]> {
        self.file(file)?.bytes()
    }

    pub fn param<T: Any>(&self, param: &ParamRef<T>) -> Option<&T> {
        match self.value(param.ix)? {
            Value::Param(p) => p.value.downcast_ref::<T>(),
            _ => None,
        }
    }

    /// The output of a declared upstream unit, `None` if it produced none
    /// (it failed, was skipped or errored).
    pub fn get<T: Any>(&self, unit: &UnitRef<T>) -> Option<&T> {
        self.outcome(unit)?.output::<T>()
    }

    /// The whole outcome (status, findings) of a declared upstream unit.
    pub fn outcome<T>(&self, unit: &UnitRef<T>) -> Option<&UnitOutcome> {
        match self.value(unit.ix)? {
            Value::Unit(o) => Some(o),
            _ => None,
        }
    }

    /// Outcomes of every upstream unit, in plan order (for verdict units
    /// that aggregate many checks).
    pub fn upstream_outcomes(&self) -> impl Iterator<Item = &UnitOutcome> {
        self.values.iter().filter_map(|(_, v)| match v {
            Value::Unit(o) => Some(&**o),
            _ => None,
        })
    }

    fn value(&self, ix: usize) -> Option<&Value> {
        let pos = self.values.binary_search_by_key(&ix, |(i, _)| *i).ok()?;
        self.values.get(pos).map(|(_, v)| v)
    }
}
