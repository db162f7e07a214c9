//! What a verification run hands the TUI: the [`Document`] every renderer
//! shares (DESIGN §4), plus the verifier's own results — the in-toto chain
//! as a [`SupplyGraph`](crate::graph::SupplyGraph) and the TUF role tree —
//! that the Chain, Step, Artifact and Trust views walk. A session that only has a
//! document (tests, `report` files) returns it bare: those views then say
//! what they would show. A Sigstore bundle's run carries its
//! [`Attestation`] (trust chain, Statement, provenance graph).

use std::sync::Arc;

use super::anchor::Anchor;
use super::attest::{Attestation, RootOrigin};
use super::chain::Chain;
use super::targets::Targets;
use crate::intoto::InTotoOutcome;
use crate::verdict::Document;
use crate::verdict::tuf_detail::RoleTree;

/// One run's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub document: Document,
    pub detail: Detail,
}

/// The traces behind the document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detail {
    /// The in-toto chain as verified (steps, links, rules, artifacts).
    pub chain: Option<Arc<Chain>>,
    /// `tuf::inspect::tree` of the TUF run: roles, keys, thresholds and
    /// which signatures counted, versions, expiry, root history.
    pub tuf: Option<RoleTree>,
    /// The trusted root and the layout the run started from (Overview).
    pub anchor: Option<Anchor>,
    /// Every target of the trusted targets roles and the run's lookups (Targets view).
    pub targets: Option<Arc<Targets>>,
    /// A verified Sigstore bundle: its trust chain, Statement and provenance graph.
    pub attest: Option<Arc<Attestation>>,
}

impl From<Document> for Results {
    fn from(document: Document) -> Self {
        Self { document, detail: Detail::default() }
    }
}

impl Results {
    /// An in-toto run: the document and the chain derived from its trace.
    /// `layout_keys` are the key ids the layout was verified with.
    pub fn intoto(outcome: &InTotoOutcome, layout_keys: Vec<String>) -> Self {
        Self::intoto_naming(outcome, layout_keys, &crate::verdict::Owners::new())
    }

    /// [`Results::intoto`], naming the keys of `key_names` (layout keys
    /// named by their files) where the layout names none.
    pub fn intoto_naming(
        outcome: &InTotoOutcome,
        layout_keys: Vec<String>,
        key_names: &crate::verdict::Owners,
    ) -> Self {
        let document = outcome.to_document_naming(key_names);
        let chain = Chain::from_graph(crate::graph::intoto::from_outcome(outcome, &layout_keys))
            .with_inspection_output(crate::graph::query::inspection_output(&outcome.layout))
            .with_owners(outcome.owners(key_names));
        let detail = Detail { chain: Some(Arc::new(chain)), ..Detail::default() };
        Self { document, detail }
    }

    /// A bridge run: the document, the role tree of its TUF part and the
    /// chain of its in-toto part (when it got that far).
    pub fn bridge(outcome: &crate::bridge::BridgeOutcome) -> Self {
        let document = outcome.to_document();
        let keys = outcome.trace.layout_keys.clone().unwrap_or_default();
        let chain = outcome.intoto.as_ref().map(|o| {
            let graph = crate::graph::intoto::from_outcome(o, &keys);
            let outputs = crate::graph::query::inspection_output(&o.layout);
            Arc::new(
                Chain::from_graph(graph).with_inspection_output(outputs).with_owners(o.layout.all_owners()),
            )
        });
        let tuf = crate::tuf::inspect::tree(&outcome.tuf);
        let lookups = outcome.fetched.iter().map(|(_, t)| t).chain(&outcome.tuf.targets);
        let targets = Some(Arc::new(Targets::build(outcome.tuf.trusted.as_ref(), lookups, true)));
        Self { document, detail: Detail { chain, tuf, anchor: None, targets, attest: None } }
    }

    /// A TUF run: the document and the role tree.
    pub fn tuf(outcome: &crate::tuf::session::Outcome, strict: bool) -> Self {
        let document = crate::tuf::report::document(outcome, strict);
        let tuf = crate::tuf::inspect::tree(outcome);
        let targets = Some(Arc::new(Targets::build(outcome.trusted.as_ref(), &outcome.targets, false)));
        Self { document, detail: Detail { chain: None, tuf, anchor: None, targets, attest: None } }
    }

    /// A Sigstore bundle's run: the document `sigstore::verify` wrote for
    /// `bundle` (`None` when it does not read as one) against `root`, and
    /// the views derived from them.
    pub fn attestation(
        document: Document,
        bundle: Option<&crate::sigstore::bundle::Bundle>,
        root: Option<&crate::sigstore::trusted_root::TrustedRoot>,
        origin: &RootOrigin,
    ) -> Self {
        let attest = Attestation::build(&document, bundle, root, origin);
        Self { document, detail: Detail { attest: Some(Arc::new(attest)), ..Detail::default() } }
    }
}
