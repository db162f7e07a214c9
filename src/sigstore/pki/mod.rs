//! Certificates, SCTs and RFC 3161 timestamps of Sigstore bundles: the X.509
//! side of a bundle's verification, as typed results the bundle verifier
//! turns into findings. Parsing is x509-cert/cms on our `der` generation,
//! path validation is rustls-webpki (ring) at the time the caller chooses,
//! ECDSA signatures are ring (RustCrypto where ring cannot), Ed25519 and RSA
//! RustCrypto; nothing here hand-parses ASN.1. Checks that repeat across the
//! bundles of one run (the trusted root's own certificates, checkpoints) are
//! remembered once passed (`memo`).

mod cert;
mod chain;
mod error;
mod memo;
mod oids;
mod sct;
mod signature;
mod tsa;

pub use cert::{Identity, LeafCertificate, SanValue};
pub use chain::{ChainPath, verify_chain, verify_chain_parsed};
pub use error::PkiError;
pub use sct::{SctInfo, verify_sct, verify_sct_parsed};
pub use signature::{verify_ecdsa_sha256, verify_prehashed, verify_signature};
pub(crate) use signature::{verify_signature_by_root_key, verify_signature_remembered};
pub use tsa::{VerifiedTimestamp, verify_timestamp};

use time::OffsetDateTime;

/// A trusted-root `validFor` window, closed at both ends. An absent start
/// reads as unbounded here; transparency-log keys require one, and that
/// check is the caller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Validity {
    pub start: Option<OffsetDateTime>,
    pub end: Option<OffsetDateTime>,
}

impl Validity {
    pub fn contains(&self, at: OffsetDateTime) -> bool {
        self.start.is_none_or(|s| s <= at) && self.end.is_none_or(|e| at <= e)
    }

    /// The window as text, for error messages: `2022-04-13T20:06:15Z..open`.
    pub fn describe(&self) -> String {
        let side = |t: Option<OffsetDateTime>| t.map_or_else(|| "open".to_owned(), rfc3339);
        format!("{}..{}", side(self.start), side(self.end))
    }
}

/// A certificate authority or timestamp authority of a trusted root.
#[derive(Debug, Clone)]
pub struct CaChain<'a> {
    /// The authority's `uri`, else its subject, to name it in results.
    pub name: &'a str,
    /// The chain, leaf-most first; the last certificate is the trust anchor.
    pub certs_der: Vec<&'a [u8]>,
    pub valid_for: Validity,
}

/// A certificate-transparency log of a trusted root.
#[derive(Debug, Clone)]
pub struct CtLogKey<'a> {
    pub log_id: [u8; 32],
    pub spki_der: &'a [u8],
    pub valid_for: Validity,
    pub base_url: &'a str,
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn validity_is_closed_at_both_ends_and_open_where_unset() {
        let w = Validity {
            start: Some(datetime!(2025-01-01 0:00 UTC)),
            end: Some(datetime!(2025-02-01 0:00 UTC)),
        };
        assert!(w.contains(datetime!(2025-01-01 0:00 UTC)));
        assert!(w.contains(datetime!(2025-02-01 0:00 UTC)));
        assert!(!w.contains(datetime!(2024-12-31 23:59:59 UTC)));
        assert!(!w.contains(datetime!(2025-02-01 0:00:00.001 UTC)));
        assert!(Validity::default().contains(datetime!(1970-01-01 0:00 UTC)));
        assert_eq!(w.describe(), "2025-01-01T00:00:00Z..2025-02-01T00:00:00Z");
        assert_eq!(Validity { end: None, ..w }.describe(), "2025-01-01T00:00:00Z..open");
    }
}
