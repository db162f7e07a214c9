//! RFC 3161 timestamps: a TimeStampResp whose CMS SignedData carries a TSTInfo.

use super::error::PkiError;
use super::CaChain;
use time::OffsetDateTime;

/// A timestamp that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTimestamp {
    pub gen_time: OffsetDateTime,
    pub tsa_name: String,
    pub serial_hex: String,
}

pub fn verify_timestamp(token_der: &[u8], signature: &[u8], tsas: &[CaChain]) -> Result<VerifiedTimestamp, PkiError> {
    let _ = (token_der, signature, tsas);
    Err(PkiError::Timestamp { gen_time: "unknown".into(), check: "not yet implemented".into() })
}
