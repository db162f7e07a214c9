//! RFC 6962 §3.2 precertificate SCTs embedded in a Fulcio certificate.

use super::chain::ChainPath;
use super::error::PkiError;
use super::{CtLogKey, oids};
use time::OffsetDateTime;

/// The SCT that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SctInfo {
    pub log_id: [u8; 32],
    pub log_url: String,
    pub timestamp: OffsetDateTime,
}

pub fn verify_sct(leaf_der: &[u8], path: &ChainPath, ctlogs: &[CtLogKey]) -> Result<SctInfo, PkiError> {
    let _ = (leaf_der, path, ctlogs, oids::SCT_LIST);
    Err(PkiError::Sct { reasons: "not yet implemented".into() })
}
