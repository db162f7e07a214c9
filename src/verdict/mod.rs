//! The one result model every verifier produces and every face renders
//! (DESIGN §2, §3): findings with their typed evidence, the verdict and its
//! reference-order category, the failure location, per-kind detail (the
//! typed TUF detail in [`tuf_detail`]), and the registry of categories.
//!
//! It sits below the verifiers (`tuf`, `intoto`, `bridge`) and above
//! `meta`; the renderers in `report/`, the CLI and the TUI read it. Nothing
//! here renders for people.

pub mod attack;
pub mod attest_detail;
pub mod category;
pub mod checks;
pub mod document;
pub mod evidence;
pub mod finding;
pub mod inputs;
pub mod paths;
pub mod tuf_detail;

pub use checks::{Check, CheckOutcome, Owners};
pub use document::{Document, Failure, Inputs, Kind, TargetResult, Verdict};
pub use evidence::{ArtifactDigests, DigestSource, LinkDisagreement, Signer};
pub use finding::{
    Counts, Evidence, Finding, RuleTrace, Severity, SignatureCheck, Subject, UnmatchedArtifact, count,
};
pub use inputs::{InputFile, Invocation, RunOption, TrustAnchor};
