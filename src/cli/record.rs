//! Recording what a headless run read, for the reports' `inputs`
//! (`verdict::inputs`): the files a verification names (its trace says
//! which), hashed streaming after the run, and the helpers each command
//! uses to fill the document's `inputs` and `invocation`. TUF metadata is
//! recorded from the bytes the trusted set kept (`tuf::report::inputs`).

use std::path::Path;

use crate::crypto::digest::{HashAlg, digest_reader};
use crate::verdict::{Document, InputFile, Inputs, Invocation, TrustAnchor};

/// A file the run read, hashed streaming (a link can list 100k
/// artifacts); `None` when it cannot be read (the verification reported that).
pub fn file(role: &str, path: &Path) -> Option<InputFile> {
    let f = std::fs::File::open(path).ok()?;
    let (digests, size) = digest_reader(&[HashAlg::Sha256], f).ok()?;
    let sha256 = hex::encode(digests.first()?);
    Some(InputFile::verified(role, path.display().to_string(), size, Some(sha256)))
}

/// Sets the document's invocation (this process's command line, `options`,
/// the trust anchor) and its input files.
pub fn stamp(doc: &mut Document, options: &Inputs, anchor: Option<TrustAnchor>, inputs: Vec<InputFile>) {
    let mut inv = Invocation::of_process(options);
    inv.trust_anchor = anchor;
    doc.invocation = Some(inv);
    doc.inputs = inputs;
}
