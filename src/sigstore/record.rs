//! What every document of a bundle run records about the run (DESIGN §4):
//! the labelled options (the markdown and SARIF reports name them), the
//! invocation with its trust anchor, and the files read. `attest verify`
//! and `open` of a bundle both record a run here, so a TUI export and
//! `attest verify --format json` of the same bundle say the same thing
//! about where trust came from.

use super::prepare::{Prepared, Request};
use crate::verdict::{Document, InputFile, Inputs, Invocation, TrustAnchor};

/// The record every document of one run shares.
#[derive(Debug, Clone)]
pub struct Record {
    /// The run's inputs, labelled: bundle, trusted root, artifact, identity, issuer, key.
    pub inputs: Inputs,
    /// This process's command line, those inputs, and the trust anchor.
    pub invocation: Invocation,
}

/// The labelled inputs of a run of `req` over the bundles of `bundle`,
/// whose trusted root is named `root_label`.
pub fn inputs(req: &Request, bundle: &str, root_label: &str) -> Inputs {
    let mut out = Inputs::new();
    out.add("bundle", bundle);
    out.add("trusted root", root_label);
    out.add_opt("artifact", req.artifact.clone());
    out.add_opt("identity", req.certificate_identity.clone().or(req.certificate_identity_regexp.clone()));
    out.add_opt("issuer", req.certificate_oidc_issuer.clone().or(req.certificate_oidc_issuer_regexp.clone()));
    out.add_opt("key", req.key.as_ref().map(|k| k.display().to_string()));
    out
}

impl Record {
    /// A run whose trusted root, named `root_label` (its file, or how TUF
    /// vouched for it), and key are what it trusted without verifying.
    pub fn new(req: &Request, bundle: &str, root_label: &str) -> Self {
        let inputs = inputs(req, bundle, root_label);
        let mut invocation = Invocation::of_process(&inputs);
        invocation.trust_anchor = Some(TrustAnchor {
            what: if req.key.is_some() { "trusted root and key".into() } else { "trusted root".into() },
            files: std::iter::once(root_label.to_owned())
                .chain(req.key.as_ref().map(|k| k.display().to_string()))
                .collect(),
            root_version: None,
        });
        Self { inputs, invocation }
    }

    /// A run that never had a trusted root: Sigstore's TUF repository at
    /// `location` did not verify, so nothing was trusted.
    pub fn unrooted(req: &Request, bundle: &str, location: &str) -> Self {
        let inputs = inputs(req, bundle, location);
        let invocation = Invocation::of_process(&inputs);
        Self { inputs, invocation }
    }
}

impl Prepared {
    /// The record of a run of `req` over the bundles of `bundle`.
    pub fn record(&self, req: &Request, bundle: &str) -> Record {
        Record::new(req, bundle, &self.root_label)
    }

    /// Completes a bundle's document: how the trusted root was had first
    /// (every other check stands on it), the run's invocation, and the
    /// files read — the bundle's `file`, then the trusted root, key and artifact.
    pub fn stamp(&self, record: &Record, doc: &mut Document, file: InputFile) {
        doc.findings.splice(0..0, self.root_findings.iter().cloned());
        doc.invocation = Some(record.invocation.clone());
        doc.inputs = std::iter::once(file).chain(self.files.iter().cloned()).collect();
    }
}
