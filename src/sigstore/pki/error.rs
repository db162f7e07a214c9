//! What went wrong, in words a user can act on: which certificate or token,
//! which check, what was expected and what was found.

/// A failed certificate, SCT, timestamp or signature check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error("{what} cannot be read: {detail}")]
    Malformed { what: &'static str, detail: String },

    #[error("{what} uses {detail}, which is not supported")]
    Unsupported { what: &'static str, detail: String },

    #[error("{what}: the signature does not verify")]
    BadSignature { what: String },

    #[error("leaf certificate {serial}: {check}: expected {expected}, found {actual}")]
    KeyUsage { serial: String, check: &'static str, expected: String, actual: String },

    #[error("certificate {serial} does not chain to a trusted {role} valid at {at}: {reasons}")]
    Chain { serial: String, role: &'static str, at: String, reasons: String },

    #[error("leaf certificate {serial} carries no signed certificate timestamp")]
    NoSct { serial: String },

    #[error("no signed certificate timestamp verifies: {reasons}")]
    Sct { reasons: String },

    #[error("timestamp response status is {status}, expected granted (0) or grantedWithMods (1)")]
    TimestampStatus { status: String },

    #[error("timestamp covers {actual}, expected the signature's digest {expected}")]
    TimestampImprint { expected: String, actual: String },

    #[error("timestamp {gen_time}: {check}")]
    Timestamp { gen_time: String, check: String },
}

impl PkiError {
    pub(crate) fn malformed(what: &'static str, detail: impl ToString) -> Self {
        Self::Malformed { what, detail: detail.to_string() }
    }

    pub(crate) fn unsupported(what: &'static str, detail: impl ToString) -> Self {
        Self::Unsupported { what, detail: detail.to_string() }
    }
}
