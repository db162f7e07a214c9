//! Recording what a headless run read, for the reports' `inputs`
//! (`verdict::inputs`): the files a verification names (its trace says
//! which), hashed streaming after the run, and the helpers each command
//! uses to fill the document's `inputs` and `invocation`. TUF metadata is
//! recorded from the bytes the trusted set kept (`tuf::report::inputs`).

use std::path::Path;

use crate::crypto::digest::{HashAlg, digest_reader};
use crate::verdict::{Document, InputFile, Inputs, Invocation, TrustAnchor};

/// A file the run read, hashed streaming (a link can list 100k
/// artifacts); `None` when it is not a regular file or cannot be read (the
/// verification reported that). A file over `max_len` bytes — one the run
/// refused by its size without reading it — is recorded by size only: it
/// is not read now either (DESIGN §9: bound every read; a FIFO or device
/// is never opened).
pub fn file(role: &str, path: &Path, max_len: u64) -> Option<InputFile> {
    let meta = std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file)?;
    let shown = path.display().to_string();
    if meta.len() > max_len {
        return Some(InputFile::verified(role, shown, meta.len(), None));
    }
    let f = std::fs::File::open(path).ok()?;
    let (digests, size) = digest_reader(&[HashAlg::Sha256], std::io::Read::take(f, max_len)).ok()?;
    let sha256 = hex::encode(digests.first()?);
    Some(InputFile::verified(role, shown, size, Some(sha256)))
}

/// Sets the document's invocation (this process's command line, `options`,
/// the trust anchor) and its input files.
pub fn stamp(doc: &mut Document, options: &Inputs, anchor: Option<TrustAnchor>, inputs: Vec<InputFile>) {
    let mut inv = Invocation::of_process(options);
    inv.trust_anchor = anchor;
    doc.invocation = Some(inv);
    doc.inputs = inputs;
}
