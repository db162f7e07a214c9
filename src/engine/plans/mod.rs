//! Engine plans for the real verifiers (DESIGN §5): the in-toto chain
//! ([`intoto`]) and the TUF client workflow ([`tuf`]) as units, and the
//! question the views ask of a plan — which units a file change invalidates.
//!
//! Both verdict units run the verifier's public entry point over the units'
//! inputs — [`crate::intoto::verify_with`] over the parse units' documents,
//! [`crate::tuf::session::run`] over a source serving the file contents the
//! engine read — so a plan's verdict equals a direct verification of the same
//! files (tested over both corpora) and plans work over any
//! [`super::FileSource`], the embedded demo's [`super::MemorySource`]
//! included. The detail units around it use the verifiers' public building
//! blocks (`metadata::from_bytes`, `Metadata::verify`, `verify_item_rules`,
//! `TrustedSet::update_*`).

pub mod intoto;
pub mod tuf;

use std::path::Path;

use super::{Plan, UnitId};

/// Every unit a change of `path` invalidates, in topological order.
pub fn invalidated_by(plan: &Plan, path: &Path) -> Vec<UnitId> {
    plan.dependents_of_file(path)
}
