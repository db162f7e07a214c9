//! An opened directory's results name its files as the directory does
//! ([`PathNames`]): relative to it, and an inspection's scratch directory
//! by what it is. Applied to the outcome before the views and the document
//! are derived from it, so the chain's nodes, findings and exports agree.

use std::borrow::Cow;
use std::path::Path;

use crate::intoto::InTotoOutcome;
use crate::verdict::Document;
use crate::verdict::paths::PathNames;

/// The document's findings, checks and TUF roles with the paths below
/// `base` relative to it (its inputs and invocation are
/// [`super::record::relative`]'s).
pub(super) fn document(doc: &mut Document, base: &Path) {
    PathNames::new(Some(base), Vec::new()).document(doc);
}

/// The names for `outcome` when it names anything to rename: a file below
/// `base`, an inspection's scratch directory.
fn names_for<'b>(outcome: &InTotoOutcome, base: &'b Path) -> Option<PathNames<'b>> {
    let scratch = outcome.scratch_dirs();
    (!scratch.is_empty() || Path::new(&outcome.layout.path).starts_with(base))
        .then(|| PathNames::new(Some(base), scratch))
}

/// `outcome` renamed; borrowed as it is when there is nothing to rename.
pub(super) fn intoto_outcome<'o>(outcome: &'o InTotoOutcome, base: &Path) -> Cow<'o, InTotoOutcome> {
    let Some(names) = names_for(outcome, base) else { return Cow::Borrowed(outcome) };
    let mut shown = outcome.clone();
    shown.rename_files(&names);
    Cow::Owned(shown)
}

/// [`intoto_outcome`] for an outcome the caller owns (no copy).
pub(super) fn in_place(outcome: &mut InTotoOutcome, base: &Path) {
    if let Some(names) = names_for(outcome, base) {
        outcome.rename_files(&names);
    }
}
