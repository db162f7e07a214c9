//! Recording what a headless run read, for the reports' `inputs`
//! (`verdict::inputs`): each command fills the document's `inputs` and
//! `invocation` here. The files come from the verifiers, fingerprinted as
//! they were read: in-toto layouts and links by the loader
//! (`InTotoOutcome::files`), TUF metadata from the bytes the trusted set
//! kept (`tuf::report::inputs`).

use crate::verdict::{Document, InputFile, Inputs, Invocation, TrustAnchor};

/// Sets the document's invocation (this process's command line, `options`,
/// the trust anchor) and its input files.
pub fn stamp(doc: &mut Document, options: &Inputs, anchor: Option<TrustAnchor>, inputs: Vec<InputFile>) {
    let mut inv = Invocation::of_process(options);
    inv.trust_anchor = anchor;
    doc.invocation = Some(inv);
    doc.inputs = inputs;
}
