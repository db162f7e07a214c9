//! The in-toto attestation framework: Statement v1 (and v0.1) with subjects
//! and digests, typed views of the common predicates, and the policy a
//! verifier applies (DESIGN §2).

pub mod policy;
pub mod predicate;
pub mod statement;

pub use policy::{IdentityRule, Policy};
pub use predicate::{PredicateView, view};
pub use statement::{Statement, Subject};
