//! Sigstore: bundles v0.1–v0.3, `trusted_root.json`, transparency-log
//! entries (Rekor v1 and v2), the X.509 side (`pki`: chain, SCT, RFC 3161),
//! and verification of a bundle as findings in sigstore-python's order
//! (research/attestations.md §2).

pub mod bundle;
pub mod input;
pub mod pki;
pub mod prepare;
pub mod record;
pub mod tlog;
pub mod trusted_root;
pub mod verify;
