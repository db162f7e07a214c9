//! Typed TUF detail (DESIGN §4 `roles`, §6 Trust): what the client workflow
//! left of each role — trusted or rejected and why, version and expiry,
//! the signatures checked against the delegator's keys (k of n, which
//! counted, why the others did not) — and the repository as a tree for
//! people: keys (id, type, scheme), thresholds, delegations with their paths,
//! hash prefixes or succinct bins, and the root history.
//!
//! [`RoleState`] is the document's `roles` member: its JSON is a contract
//! (keys sorted, members present exactly as schema_version 1 writes them),
//! so it is serialized by hand in key order, straight to the output, without
//! an intermediate `serde_json::Value` (a 16,384-bin audit has one entry per
//! bin). [`RoleTree`] is `tuf inspect`'s `inspect` member and what the Trust
//! view walks. `tuf::report` and `tuf::inspect` build both from the run's
//! outcome; nothing here verifies.

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::category::Category;
use super::finding::SignatureCheck;

/// The document's `roles`: one entry per role the run trusted or rejected,
/// by name.
pub type Roles = BTreeMap<String, RoleState>;

/// Whether the run trusts a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleTrust {
    Trusted,
    /// The verifier looked at the role and refused it: `category` names the
    /// check (reference order), `error` says what failed.
    Rejected {
        category: Category,
        error: String,
    },
    /// A failed refresh stopped before the role (`reached: false`).
    NotReached {
        category: Category,
        error: String,
    },
}

/// Version and expiry of a role's signed part, at the run's evaluation time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCommon {
    pub version: u64,
    /// `expires` as written.
    pub expires: String,
    pub expired: bool,
    /// "3d 4h", "expired 2d ago".
    pub expires_in: String,
}

/// The root-only members of a root entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootState {
    /// Every root version trusted in turn, the bootstrap root first.
    pub history: Vec<u64>,
    pub consistent_snapshot: bool,
}

/// A role's signatures against its delegator's keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SignatureSummary {
    pub threshold: u64,
    /// Votes counted (distinct key ids, or distinct keys under `--strict`).
    pub count: u64,
    /// The key ids whose signature counted, in the role's order.
    pub valid: Vec<String>,
    /// One per authorised key id and per signature by an unlisted key.
    pub checks: Vec<SignatureCheck>,
}

impl SignatureSummary {
    /// Whether the threshold is met.
    pub fn met(&self) -> bool {
        self.count >= self.threshold
    }
}

/// One delegator's verdict on a role delegated by several roles. Fields in
/// key order: the document writes them as declared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheck {
    pub delegator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `ok` or the category of the failure.
    pub result: Category,
}

/// One entry of the document's `roles`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleState {
    pub trust: RoleTrust,
    /// The delegating role (`root` for the top-level roles); `None` for root
    /// itself and where the run does not know it.
    pub delegator: Option<String>,
    /// The file the role was read from.
    pub file: Option<String>,
    /// Its length in bytes (trusted roles).
    pub length: Option<u64>,
    pub common: Option<RoleCommon>,
    pub signatures: Option<SignatureSummary>,
    /// Targets roles: how many targets the role lists.
    pub targets: Option<u64>,
    pub root: Option<RootState>,
    /// Why the file of a role the refresh did not trust could not be read.
    pub read_error: Option<String>,
    /// Every delegator's verdict, when several delegate the role.
    pub audit: Vec<AuditCheck>,
}

impl RoleState {
    /// A trusted role.
    pub fn trusted(delegator: Option<String>) -> Self {
        Self::with_trust(RoleTrust::Trusted, delegator)
    }

    /// A role the verifier refused.
    pub fn rejected(category: Category, error: impl Into<String>, delegator: Option<String>) -> Self {
        Self::with_trust(RoleTrust::Rejected { category, error: error.into() }, delegator)
    }

    /// A role a failed refresh did not reach.
    pub fn not_reached(category: Category, error: impl Into<String>) -> Self {
        Self::with_trust(RoleTrust::NotReached { category, error: error.into() }, None)
    }

    fn with_trust(trust: RoleTrust, delegator: Option<String>) -> Self {
        Self {
            trust,
            delegator,
            file: None,
            length: None,
            common: None,
            signatures: None,
            targets: None,
            root: None,
            read_error: None,
            audit: Vec::new(),
        }
    }

    pub fn is_trusted(&self) -> bool {
        self.trust == RoleTrust::Trusted
    }

    /// The category and message of a role not trusted.
    pub fn refusal(&self) -> Option<(Category, &str)> {
        match &self.trust {
            RoleTrust::Trusted => None,
            RoleTrust::Rejected { category, error } | RoleTrust::NotReached { category, error } => {
                Some((*category, error))
            }
        }
    }

    /// Every string of the entry that came from metadata or the run (for
    /// the sanitizer's scan).
    pub fn texts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if let Some((_, error)) = self.refusal() {
            out.push(error);
        }
        out.extend(self.delegator.as_deref());
        out.extend(self.file.as_deref());
        out.extend(self.read_error.as_deref());
        if let Some(c) = &self.common {
            out.extend([c.expires.as_str(), c.expires_in.as_str()]);
        }
        if let Some(s) = &self.signatures {
            out.extend(s.valid.iter().map(String::as_str));
            for c in &s.checks {
                out.push(&c.keyid);
                out.extend(c.reason.as_deref());
            }
        }
        for a in &self.audit {
            out.push(&a.delegator);
            out.extend(a.error.as_deref());
        }
        out
    }
}

/// The entry's members in key order, as schema_version 1 writes them: a
/// trusted entry always has `delegator` (null for root); `reached: false`
/// marks a role the refresh did not reach; absent parts are left out.
impl Serialize for RoleState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if !self.audit.is_empty() {
            m.serialize_entry("audit", &self.audit)?;
        }
        let refusal = self.refusal();
        if let Some((category, _)) = refusal {
            m.serialize_entry("category", &category)?;
        }
        if let Some(r) = &self.root {
            m.serialize_entry("consistent_snapshot", &r.consistent_snapshot)?;
        }
        if self.is_trusted() || self.delegator.is_some() {
            m.serialize_entry("delegator", &self.delegator)?;
        }
        if let Some((_, error)) = refusal {
            m.serialize_entry("error", error)?;
        }
        if let Some(c) = &self.common {
            m.serialize_entry("expired", &c.expired)?;
            m.serialize_entry("expires", &c.expires)?;
            m.serialize_entry("expires_in", &c.expires_in)?;
        }
        if let Some(file) = &self.file {
            m.serialize_entry("file", file)?;
        }
        if let Some(r) = &self.root {
            m.serialize_entry("history", &r.history)?;
        }
        if let Some(length) = &self.length {
            m.serialize_entry("length", length)?;
        }
        if matches!(self.trust, RoleTrust::NotReached { .. }) {
            m.serialize_entry("reached", &false)?;
        }
        if let Some(e) = &self.read_error {
            m.serialize_entry("read_error", e)?;
        }
        if let Some(sigs) = &self.signatures {
            m.serialize_entry("signatures", sigs)?;
        }
        if let Some(n) = &self.targets {
            m.serialize_entry("targets", n)?;
        }
        m.serialize_entry("trusted", &self.is_trusted())?;
        if let Some(c) = &self.common {
            m.serialize_entry("version", &c.version)?;
        }
        m.end()
    }
}

/// `{checks, count, threshold, valid}`, each check `{keyid, reason, valid}`.
impl Serialize for SignatureSummary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Check<'a>(&'a SignatureCheck);
        impl Serialize for Check<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("keyid", &self.0.keyid)?;
                m.serialize_entry("reason", &self.0.reason)?;
                m.serialize_entry("valid", &self.0.valid)?;
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("checks", &self.checks.iter().map(Check).collect::<Vec<_>>())?;
        m.serialize_entry("count", &self.count)?;
        m.serialize_entry("threshold", &self.threshold)?;
        m.serialize_entry("valid", &self.valid)?;
        m.end()
    }
}

/// A `roles` entry as written; [`RoleState`] reads it back through this.
#[derive(Deserialize)]
struct RoleStateWire {
    #[serde(default)]
    trusted: bool,
    reached: Option<bool>,
    category: Option<Category>,
    error: Option<String>,
    delegator: Option<String>,
    file: Option<String>,
    length: Option<u64>,
    version: Option<u64>,
    expires: Option<String>,
    expired: Option<bool>,
    expires_in: Option<String>,
    signatures: Option<SignatureSummary>,
    targets: Option<u64>,
    history: Option<Vec<u64>>,
    consistent_snapshot: Option<bool>,
    read_error: Option<String>,
    #[serde(default)]
    audit: Vec<AuditCheck>,
}

impl<'de> Deserialize<'de> for RoleState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = RoleStateWire::deserialize(d)?;
        let refused = match (w.category, w.error) {
            (Some(category), Some(error)) => Some((category, error)),
            _ => None,
        };
        let trust = match (w.trusted, w.reached, refused) {
            (true, ..) => RoleTrust::Trusted,
            (false, Some(false), Some((category, error))) => RoleTrust::NotReached { category, error },
            (false, _, Some((category, error))) => RoleTrust::Rejected { category, error },
            (false, _, None) => {
                return Err(serde::de::Error::custom("a role not trusted needs \"category\" and \"error\""));
            }
        };
        let common = match (w.version, w.expires, w.expired, w.expires_in) {
            (Some(version), Some(expires), Some(expired), Some(expires_in)) => {
                Some(RoleCommon { version, expires, expired, expires_in })
            }
            _ => None,
        };
        let root = match (w.history, w.consistent_snapshot) {
            (Some(history), Some(consistent_snapshot)) => Some(RootState { history, consistent_snapshot }),
            _ => None,
        };
        Ok(Self {
            trust,
            delegator: w.delegator,
            file: w.file,
            length: w.length,
            common,
            signatures: w.signatures,
            targets: w.targets,
            root,
            read_error: w.read_error,
            audit: w.audit,
        })
    }
}

/// Keys and threshold a delegator gives a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleKeys {
    pub keyids: Vec<String>,
    pub threshold: u64,
}

/// A public key as listed by root or a delegating targets role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    pub keyid: String,
    pub keytype: String,
    pub scheme: String,
    /// Whether `keyid` is the sha256 of the key (spec §4 KEYID).
    pub id_matches: bool,
    pub computed_keyid: String,
    /// False when no scheme trailscope implements can use the key.
    pub usable: bool,
    /// Accepted deviations from the spec's key forms.
    pub quirks: Vec<String>,
    /// Who holds the key, where the metadata names them (`x-tuf-on-ci-keyowner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A key listed under a new key id with the same key material: "same key,
/// new id", not a removal and an addition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRelabel {
    pub from: String,
    pub to: String,
    /// The owner named in the new root, else the old one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// The scope of a delegation: the member name is the kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Shell-style path patterns.
    #[serde(rename = "paths")]
    Paths(Vec<String>),
    /// Prefixes of the hex SHA-256 of the target path.
    #[serde(rename = "path_hash_prefixes")]
    HashPrefixes(Vec<String>),
    /// TAP 15 succinct hash bins.
    #[serde(rename = "succinct_roles")]
    Succinct(SuccinctBins),
}

/// The bins of a succinct delegation, named by their first and last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccinctBins {
    pub name_prefix: String,
    pub bit_length: u32,
    pub bins: u64,
    pub first: String,
    pub last: String,
}

/// One delegation of a targets role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// The delegated role (none for succinct bins: see the scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub keyids: Vec<String>,
    pub threshold: u64,
    pub terminating: bool,
    #[serde(flatten)]
    pub scope: Scope,
}

/// What changed from one trusted root to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootChange {
    pub from: u64,
    pub to: u64,
    /// Key material new in this root (a key id whose key was listed under
    /// another id is in `keys_relabelled` instead).
    pub keys_added: Vec<String>,
    pub keys_removed: Vec<String>,
    /// Same key material under a new key id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys_relabelled: Vec<KeyRelabel>,
    /// Roles whose keys or threshold changed.
    pub roles: BTreeMap<String, RoleKeyChange>,
    /// The new value, when it changed.
    pub consistent_snapshot: Option<bool>,
    /// The new root's expiry.
    pub expires: String,
    /// §5.3.4: the new root's signatures counted against the previous
    /// root's root keys and threshold…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by_previous: Option<SignatureSummary>,
    /// …and against its own root keys and threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by_own: Option<SignatureSummary>,
}

/// How one role's keys and threshold changed at a rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleKeyChange {
    pub keys_added: Vec<String>,
    pub keys_removed: Vec<String>,
    /// The role's keys that are the same key under a new key id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys_relabelled: Vec<KeyRelabel>,
    /// Old and new threshold.
    pub threshold: [u64; 2],
}

/// The trusted root as the tree shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootNode {
    #[serde(flatten)]
    pub common: RoleCommon,
    pub consistent_snapshot: bool,
    pub spec_version: String,
    pub keys: Vec<KeyInfo>,
    pub roles: BTreeMap<String, RoleKeys>,
    pub signatures: SignatureSummary,
    pub history: Vec<RootChange>,
    pub versions: Vec<u64>,
}

impl RootNode {
    /// Root key owners by key id: the trusted root's keys, and both ids of
    /// a key relabelled at a rotation (same holder).
    pub fn owners(&self) -> super::Owners {
        let mut owners: super::Owners =
            self.keys.iter().filter_map(|k| Some((k.keyid.clone(), k.owner.clone()?))).collect();
        for r in self.history.iter().flat_map(|h| &h.keys_relabelled) {
            if let Some(o) = &r.owner {
                owners.entry(r.from.clone()).or_insert_with(|| o.clone());
                owners.entry(r.to.clone()).or_insert_with(|| o.clone());
            }
        }
        owners
    }
}

/// A role below root: timestamp and snapshot (trusted or not), and every
/// trusted targets role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleNode {
    pub name: String,
    pub delegator: String,
    /// Keys and threshold root gives it (top-level roles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleKeys>,
    /// Absent when the role is not trusted.
    #[serde(flatten)]
    pub common: Option<RoleCommon>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<SignatureSummary>,
    /// Targets roles: how many targets it lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<u64>,
    /// The keys its delegations use, when it delegates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegation_keys: Option<Vec<KeyInfo>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegations: Option<Vec<Delegation>>,
}

/// The repository as trusted after the run (`tuf inspect`'s `inspect`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleTree {
    pub root: RootNode,
    /// timestamp, snapshot, targets, then the delegated roles.
    pub roles: Vec<RoleNode>,
}

impl RoleTree {
    pub fn role(&self, name: &str) -> Option<&RoleNode> {
        self.roles.iter().find(|r| r.name == name)
    }
}
