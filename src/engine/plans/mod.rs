//! Engine plans for the real verifiers (DESIGN §5): the in-toto chain
//! ([`intoto`]) and the TUF client workflow ([`tuf`]) as units, and the
//! question the views ask of a plan — which units a file change invalidates.
//!
//! Both verdict units run the verifier's public entry point (`intoto::verify`,
//! `tuf::session::run`), so a plan's verdict equals a direct verification by
//! construction (tested over both corpora); the detail units around it use
//! the verifiers' public building blocks (`metadata::from_bytes`,
//! `Metadata::verify`, `verify_item_rules`, `TrustedSet::update_*`). For the
//! verdict to reuse the detail units' parses instead of reading the files
//! again, in-toto would need its stages callable over parsed metadata, e.g.
//! `intoto::verify::verify_with(opts: &VerifyOptions, layout: Metadata,
//! links: &dyn Fn(&Path) -> Result<Metadata, LoadError>) -> Result<InTotoOutcome, Error>`.

pub mod intoto;
pub mod tuf;

use std::path::Path;

use super::{Plan, UnitId};

/// Every unit a change of `path` invalidates, in topological order.
pub fn invalidated_by(plan: &Plan, path: &Path) -> Vec<UnitId> {
    plan.dependents_of_file(path)
}
