//! The attestation member of the JSON document (`kind: "attestation"`):
//! what the bundle holds and what was checked against what — the bundle,
//! the certificate's identity, the log entries, the timestamps, the
//! Statement and its predicate, the artifact's digests and the policy.
//! Raw strings; faces sanitize.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationDetail {
    pub bundle: String,
    pub media_type: String,
    /// `certificate`, `x509CertificateChain` or `publicKey`.
    pub material: String,
    /// `message-signature` or `dsse`.
    pub content: String,
    /// Where the trusted root came from (file, embedded snapshot, …).
    pub trusted_root: String,
    pub certificate: Option<CertificateDetail>,
    pub tlog_entries: Vec<TlogDetail>,
    pub timestamps: usize,
    pub statement: Option<StatementDetail>,
    pub artifact: ArtifactDetail,
    pub policy: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateDetail {
    pub sans: Vec<String>,
    pub issuer: Option<String>,
    pub not_before: String,
    pub not_after: String,
    /// Fulcio claims (1.3.6.1.4.1.57264.1.*) by name: workflow, source repository, ref, …
    #[serde(default)]
    pub claims: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlogDetail {
    /// The trusted root's name for the log (its base URL), or its id in hex when unknown.
    pub log: String,
    pub log_index: i64,
    pub kind: String,
    pub integrated_time: Option<String>,
    pub proof_index: Option<i64>,
    pub tree_size: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementDetail {
    pub type_: String,
    pub predicate_type: String,
    pub subjects: Vec<SubjectDetail>,
    /// The typed view's facts (`builder`, `source repository`, `ref`, `commit`, …).
    pub predicate: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDetail {
    pub name: String,
    pub digest: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactDetail {
    /// The path or `sha256:…` given.
    pub input: String,
    pub digests: BTreeMap<String, String>,
}
