//! The parts of typed evidence that say where each side of a comparison
//! came from, and the evidence of two links of one step that disagree
//! (python in-toto `verify_threshold_constraints`). The meaning of
//! "expected" and "actual" is written once, on [`super::Evidence`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where one side of a digest comparison was read: the record, the file
/// or target it is in, and who vouches for it. Raw strings from metadata;
/// every face sanitizes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestSource {
    /// What holds the digests, in a few words (`product pebble-3.4.tar.gz of
    /// step 'package'`, `TUF target packages/x.tar.gz`, `the downloaded bytes`).
    pub label: String,
    /// The file (link, metadata file, download) the digests were read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Who vouches for it: the TUF role that signed the record, or the key
    /// whose signature on the link counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<Signer>,
}

/// Who signed a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Signer {
    /// An in-toto functionary's key (a link's signature).
    Key { keyid: String },
    /// A TUF role (whose metadata lists the record).
    Role { name: String },
}

impl std::fmt::Display for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Signer::Key { keyid } => write!(f, "key {keyid}"),
            Signer::Role { name } => write!(f, "role {name}"),
        }
    }
}

impl DigestSource {
    pub fn new(label: impl Into<String>) -> Self {
        Self { label: label.into(), file: None, signed_by: None }
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn signed_by_key(mut self, keyid: impl Into<String>) -> Self {
        self.signed_by = Some(Signer::Key { keyid: keyid.into() });
        self
    }

    pub fn signed_by_role(mut self, name: impl Into<String>) -> Self {
        self.signed_by = Some(Signer::Role { name: name.into() });
        self
    }

    /// "label (file, signed by who)", raw.
    pub fn describe(&self) -> String {
        let mut extra = Vec::new();
        if let Some(f) = &self.file {
            extra.push(f.clone());
        }
        if let Some(s) = &self.signed_by {
            extra.push(format!("signed by {s}"));
        }
        if extra.is_empty() { self.label.clone() } else { format!("{} ({})", self.label, extra.join(", ")) }
    }
}

/// Two verified links of one step (threshold > 1) that record different
/// artifacts. `expected` is the step's first link (the reference python
/// in-toto compares every other link with), `actual` the first link that
/// differs from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkDisagreement {
    pub step: String,
    pub expected: DigestSource,
    pub actual: DigestSource,
    /// The artifacts that differ, sorted by section then path, at most
    /// [`LinkDisagreement::LIST_LIMIT`]; `artifacts_count` is how many differ.
    pub artifacts: Vec<ArtifactDigests>,
    pub artifacts_count: usize,
}

impl LinkDisagreement {
    /// How many differing artifacts the evidence keeps (links can list 100k).
    pub const LIST_LIMIT: usize = 100;
}

/// One artifact's digests in the two links; `None` when a link does not
/// list the artifact at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactDigests {
    /// `materials` or `products`.
    pub section: String,
    pub path: String,
    pub expected: Option<Value>,
    pub actual: Option<Value>,
}
