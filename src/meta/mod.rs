//! Metadata containers: canonical JSON, the signed envelope and DSSE, times,
//! and errors that point into files. Shared by the TUF and in-toto sides.

pub mod canonical;
pub mod dsse;
pub mod envelope;
pub mod error;
pub mod json;
pub mod stream;
pub mod time;

pub use dsse::DsseEnvelope;
pub use envelope::{Signature, SignedEnvelope};
pub use error::{Location, MetaError};

use serde_json::Value;

/// A signed document in either envelope format.
#[derive(Debug, Clone)]
pub enum Envelope {
    Signed(SignedEnvelope),
    Dsse(DsseEnvelope),
}

impl Envelope {
    /// Detects the format like python in-toto's `Metadata.from_dict`: a
    /// `payload` member means DSSE, a `signed` member a Metablock.
    pub fn from_slice(bytes: &[u8], file: &str) -> Result<Self, MetaError> {
        let doc = json::parse(bytes, file)?;
        if doc.get("payload").is_some() {
            Ok(Envelope::Dsse(DsseEnvelope::from_value(&doc, file)?))
        } else if doc.get("signed").is_some() {
            Ok(Envelope::Signed(SignedEnvelope::from_value(doc, file)?))
        } else {
            Err(MetaError::new(
                Location::new(file, ""),
                "neither a signed envelope (\"signed\") nor a DSSE envelope (\"payload\")",
            ))
        }
    }

    /// The signed payload as JSON.
    pub fn payload(&self) -> Result<Value, MetaError> {
        match self {
            Envelope::Signed(s) => Ok(s.signed.clone()),
            Envelope::Dsse(d) => d.payload_json(),
        }
    }
}
