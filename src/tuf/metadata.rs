//! Typed TUF metadata (spec §4 "Document formats"): root, timestamp,
//! snapshot, targets and delegations, read from untrusted bytes once.
//!
//! Every object keeps the members it does not know in `extra`, and the
//! envelope keeps the canonical bytes of `signed` exactly as parsed, so
//! signatures cover unknown fields (spec §4: "must include the data when
//! calculating hashes or verifying signatures").
//!
//! What counts as malformed follows python-tuf's `Metadata.from_dict`:
//! the declared `_type` picks the parser (an unknown type is `wrong-type`),
//! duplicate signature key ids are refused, and `spec_version` must have
//! major version 1 (`spec-version`). Times are read leniently (RFC 3339),
//! with a record of whether they were in the spec's form.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::error::Category;
use super::pattern::Bins;
pub use super::target_map::TargetMap;
pub use crate::crypto::ed25519_table::{KeyTable, Prehashed, TABLE_AFTER};
use crate::crypto::{KeyIdMatch, PublicKey, SigError};
use crate::meta::json::{Obj, kind, type_error};
use crate::meta::{Location, MetaError, Signature, SignedEnvelope, canonical};

/// The four top-level role types (spec §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RoleType {
    Root,
    Timestamp,
    Snapshot,
    Targets,
}

impl RoleType {
    pub const TOP_LEVEL: [RoleType; 4] =
        [RoleType::Root, RoleType::Timestamp, RoleType::Snapshot, RoleType::Targets];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleType::Root => "root",
            RoleType::Timestamp => "timestamp",
            RoleType::Snapshot => "snapshot",
            RoleType::Targets => "targets",
        }
    }

    pub fn from_type(s: &str) -> Option<Self> {
        Self::TOP_LEVEL.into_iter().find(|t| t.as_str() == s)
    }

    /// True for the names of the top-level roles.
    pub fn is_top_level_name(name: &str) -> bool {
        Self::from_type(name).is_some()
    }
}

/// Metadata that could not be read, with the category the reference gives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct ParseError {
    pub category: Category,
    pub error: MetaError,
}

impl ParseError {
    fn malformed(error: MetaError) -> Self {
        Self { category: Category::Malformed, error }
    }
}

impl From<MetaError> for ParseError {
    fn from(error: MetaError) -> Self {
        Self::malformed(error)
    }
}

/// Members every `signed` object has (spec §4).
#[derive(Debug, Clone, PartialEq)]
pub struct Common {
    pub version: u64,
    pub spec_version: String,
    pub expires: OffsetDateTime,
    /// `expires` as written.
    pub expires_text: String,
    /// False when `expires` was not `YYYY-MM-DDTHH:MM:SSZ` (python-tuf refuses such).
    pub expires_spec_form: bool,
}

impl Common {
    /// Expired at `now`: python-tuf's `now >= expires` (spec: expires MUST be later than now).
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        now >= self.expires
    }
}

/// A key as listed in root `keys` or delegations `keys`.
#[derive(Debug, Clone)]
pub struct Key {
    /// The key id under which the key is listed.
    pub keyid: String,
    pub key: PublicKey,
    /// Whether `keyid` is the sha256 of the key's canonical JSON.
    pub id_match: KeyIdMatch,
    /// The key id computed from the key (spec §4 KEYID).
    pub computed_keyid: String,
    /// Built once the key has checked [`TABLE_AFTER`] signatures.
    pub table: KeyTable,
    /// Who holds the key, where the metadata says (`x-tuf-on-ci-keyowner`,
    /// or a `keyowner`/`name` member); raw.
    pub owner: Option<String>,
}

impl Key {
    /// Verifies `sig` over `msg` as [`PublicKey::verify`] does; a key that
    /// has checked many signatures checks the next ones with a fixed-base
    /// table (see [`KeyTable`]: same outcome, a third less time).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), SigError> {
        self.table.verify(&self.key, msg, sig)
    }

    /// [`Self::verify`] with digests computed ahead for checks through the
    /// key's table ([`Prehashed`]; the same outcome).
    pub fn verify_hinted(&self, msg: &[u8], sig: &[u8], hints: &[Prehashed<'_>]) -> Result<(), SigError> {
        self.table.verify_hinted(&self.key, msg, sig, hints)
    }

    /// Identity of the key material (ignores members such as `x-tuf-on-ci-keyowner`).
    pub fn material_id(&self) -> String {
        format!("{}:{}", self.key.scheme, self.key.public.trim())
    }
}

/// Keys and threshold of a role (root `roles` entry, delegated role, succinct bins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleKeys {
    pub keyids: Vec<String>,
    pub threshold: u64,
}

/// Version, length and hashes of a metadata file (timestamp/snapshot `meta`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaFile {
    pub version: u64,
    pub length: Option<u64>,
    /// Algorithm → hex digest, in the order of the JSON object.
    pub hashes: Option<BTreeMap<String, String>>,
}

/// Length, hashes and custom data of a target file.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFile {
    pub length: u64,
    pub hashes: BTreeMap<String, String>,
    pub custom: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Root {
    pub common: Common,
    pub consistent_snapshot: bool,
    pub keys: BTreeMap<String, Key>,
    pub roles: BTreeMap<String, RoleKeys>,
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Timestamp {
    pub common: Common,
    pub snapshot_meta: MetaFile,
    pub extra: Map<String, Value>,
    /// `meta` entries besides `snapshot.json` (spec §4.6: it MUST only
    /// include snapshot.json; python-tuf's model drops them).
    pub extra_meta: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub common: Common,
    /// `ROLE.json` → its version (and maybe length and hashes).
    pub meta: BTreeMap<String, MetaFile>,
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Targets {
    pub common: Common,
    /// Target path → info, compact (see [`TargetMap`]); empty when the
    /// targets were only counted ([`parse_counting`]).
    pub targets: TargetMap,
    /// How many targets the role lists.
    pub listed: u64,
    pub delegations: Option<Delegations>,
    pub extra: Map<String, Value>,
}

/// Which targets a delegated role is trusted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathScope {
    /// Shell-style patterns matched per path segment.
    Paths(Vec<String>),
    /// Prefixes of the hex SHA-256 of the target path.
    HashPrefixes(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegatedRole {
    pub name: String,
    pub keys: RoleKeys,
    pub terminating: bool,
    pub scope: PathScope,
}

impl DelegatedRole {
    /// Whether this delegation covers `path` (python-tuf `is_delegated_path`).
    pub fn covers(&self, path: &str) -> bool {
        match &self.scope {
            PathScope::Paths(patterns) => patterns.iter().any(|p| super::pattern::path_matches(p, path)),
            PathScope::HashPrefixes(prefixes) => {
                let hash = super::pattern::path_hash(path);
                prefixes.iter().any(|p| hash.starts_with(p.as_str()))
            }
        }
    }
}

/// TAP 15 succinct hash bins: one key set for `2^bit_length` terminating roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccinctRoles {
    pub keys: RoleKeys,
    pub bins: Bins,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DelegatedRoles {
    List(Vec<DelegatedRole>),
    Succinct(SuccinctRoles),
}

#[derive(Debug, Clone)]
pub struct Delegations {
    pub keys: BTreeMap<String, Key>,
    pub roles: DelegatedRoles,
}

impl Delegations {
    /// The roles responsible for `path`, in priority order, with their
    /// `terminating` flag (python-tuf `get_roles_for_target`).
    pub fn roles_for_target(&self, path: &str) -> Vec<(String, bool)> {
        match &self.roles {
            DelegatedRoles::List(roles) => {
                roles.iter().filter(|r| r.covers(path)).map(|r| (r.name.clone(), r.terminating)).collect()
            }
            DelegatedRoles::Succinct(s) => vec![(s.bins.role_for(path), true)],
        }
    }

    /// Keys and threshold for delegated role `name`, if this delegates it.
    pub fn role_keys(&self, name: &str) -> Option<&RoleKeys> {
        match &self.roles {
            DelegatedRoles::List(roles) => roles.iter().find(|r| r.name == name).map(|r| &r.keys),
            DelegatedRoles::Succinct(s) => s.bins.contains(name).then_some(&s.keys),
        }
    }

    /// The keys that sign for at least `roles` of the delegated roles (a
    /// succinct delegation's keys sign for every bin).
    pub fn keys_of_at_least(&self, roles: u64) -> Vec<&Key> {
        let mut uses: BTreeMap<&str, u64> = BTreeMap::new();
        match &self.roles {
            DelegatedRoles::List(list) => {
                for keyid in list.iter().flat_map(|r| &r.keys.keyids) {
                    *uses.entry(keyid).or_default() += 1;
                }
            }
            DelegatedRoles::Succinct(s) => {
                for keyid in &s.keys.keyids {
                    uses.insert(keyid, s.bins.count());
                }
            }
        }
        uses.into_iter().filter(|&(_, n)| n >= roles).filter_map(|(keyid, _)| self.keys.get(keyid)).collect()
    }

    /// Every delegated role name, in order (all bins for succinct roles).
    pub fn role_names(&self) -> Vec<String> {
        match &self.roles {
            DelegatedRoles::List(roles) => roles.iter().map(|r| r.name.clone()).collect(),
            DelegatedRoles::Succinct(s) => (0..s.bins.count()).map(|i| s.bins.name(i)).collect(),
        }
    }
}

/// Who signs for a role: root for top-level roles, a targets role for delegations.
pub trait Delegator {
    fn role_keys(&self, role: &str) -> Option<&RoleKeys>;
    fn key(&self, keyid: &str) -> Option<&Key>;
}

impl Delegator for Root {
    fn role_keys(&self, role: &str) -> Option<&RoleKeys> {
        self.roles.get(role)
    }
    fn key(&self, keyid: &str) -> Option<&Key> {
        self.keys.get(keyid)
    }
}

impl Delegator for Targets {
    fn role_keys(&self, role: &str) -> Option<&RoleKeys> {
        self.delegations.as_ref().and_then(|d| d.role_keys(role))
    }
    fn key(&self, keyid: &str) -> Option<&Key> {
        self.delegations.as_ref().and_then(|d| d.keys.get(keyid))
    }
}

/// The `signed` object, by declared type.
#[derive(Debug, Clone)]
pub enum Signed {
    Root(Root),
    Timestamp(Timestamp),
    Snapshot(Snapshot),
    Targets(Targets),
}

impl Signed {
    pub fn role_type(&self) -> RoleType {
        match self {
            Signed::Root(_) => RoleType::Root,
            Signed::Timestamp(_) => RoleType::Timestamp,
            Signed::Snapshot(_) => RoleType::Snapshot,
            Signed::Targets(_) => RoleType::Targets,
        }
    }

    pub fn common(&self) -> &Common {
        match self {
            Signed::Root(r) => &r.common,
            Signed::Timestamp(t) => &t.common,
            Signed::Snapshot(s) => &s.common,
            Signed::Targets(t) => &t.common,
        }
    }
}

/// A parsed metadata file: the typed payload, its signatures, and the
/// canonical bytes the signatures are over.
#[derive(Debug, Clone)]
pub struct Metadata {
    pub signed: Signed,
    pub signatures: Vec<Signature>,
    pub signed_bytes: Vec<u8>,
    /// Members of `signed` the typed model does not name.
    pub extra_signed: Map<String, Value>,
    pub file: String,
}

/// Reads metadata from file bytes (`file` labels errors).
///
/// Tries the fast path first (typed targets map, canonical bytes streamed
/// from the input; see `fast`), which only has to be right when it
/// succeeds; anything it does not accept goes through the general path,
/// which decides the error.
pub fn parse(bytes: &[u8], file: &str) -> Result<Metadata, ParseError> {
    if let Some(md) = parse_fast(bytes, file) {
        return Ok(md);
    }
    parse_general(bytes, file)
}

/// The fast path alone (`None` where it would hand over); for tests.
#[doc(hidden)]
pub fn parse_fast_only(bytes: &[u8], file: &str) -> Option<Metadata> {
    parse_fast(bytes, file)
}

/// [`parse`] for a targets role that is only audited: where the document
/// is written canonically, its targets are checked as [`parse`] checks them
/// but only counted (`targets` is empty, `listed` says how many); anything
/// else is read in full. Accepts and refuses exactly what [`parse`] does.
pub fn parse_counting(bytes: &[u8], file: &str) -> Result<Metadata, ParseError> {
    let (mut md, signed_at) = parse_counting_in_place(bytes, file)?;
    if let Some(at) = signed_at {
        md.signed_bytes = bytes[at].to_vec();
    }
    Ok(md)
}

/// [`parse_counting`] that does not copy the signed bytes where they are
/// the input's own: then `signed_bytes` is empty and the range says where
/// in `bytes` they are (the audit verifies the signatures over them there).
pub(crate) fn parse_counting_in_place(
    bytes: &[u8],
    file: &str,
) -> Result<(Metadata, Option<std::ops::Range<usize>>), ParseError> {
    if let Some(super::in_place::Split { doc, targets, listed, signed_at, snapshot_meta, .. }) =
        super::in_place::split_counting(bytes)
        && let Some(md) = typed(doc, targets.map(|t| (t, listed)), snapshot_meta, file, || Some(Vec::new()))
    {
        return Ok((md, Some(signed_at)));
    }
    Ok((parse(bytes, file)?, None))
}

fn parse_fast(bytes: &[u8], file: &str) -> Option<Metadata> {
    // `signed` written canonically already: one pass, the bytes are the signed bytes.
    if let Some(super::in_place::Split { doc, targets, listed, signed_bytes, snapshot_meta, .. }) =
        super::in_place::split(bytes)
    {
        return typed(doc, targets.map(|t| (t, listed)), snapshot_meta, file, || Some(signed_bytes.to_vec()));
    }
    let super::fast::Split { doc, targets } = super::fast::split(bytes)?;
    let targets = targets.map(|t| {
        let n = t.len();
        (t, n)
    });
    typed(doc, targets, None, file, || {
        let mut signed_bytes = Vec::with_capacity(bytes.len());
        crate::meta::stream::canonicalize_member(bytes, "signed", &mut signed_bytes)
            .ok()?
            .then_some(signed_bytes)
    })
}

/// The typed checks of the fast paths over a split document; `signed_bytes`
/// gives the canonical bytes of `signed` (asked for after every other check).
fn typed(
    doc: Value,
    targets: Option<(TargetMap, usize)>,
    snapshot_meta: Option<BTreeMap<String, MetaFile>>,
    file: &str,
    signed_bytes: impl FnOnce() -> Option<Vec<u8>>,
) -> Option<Metadata> {
    let top = Location::new(file, "");
    let role_type = {
        let signed_value = Obj::new(&doc, top).ok()?.obj("signed").ok()?;
        signed_value.get("_type")?.as_str().and_then(RoleType::from_type)?
    };
    // A `targets` member of another type is an unknown member: general path.
    if (role_type == RoleType::Targets) != targets.is_some()
        || (snapshot_meta.is_some() && role_type != RoleType::Snapshot)
    {
        return None;
    }
    let env = SignedEnvelope::from_value(doc, file).ok()?;
    check_unique_signatures(&env.signatures).ok()?;
    let at = env.signed_location();
    let signed = match role_type {
        RoleType::Root => Signed::Root(parse_root(&env.signed, &at).ok()?),
        RoleType::Timestamp => Signed::Timestamp(parse_timestamp(&env.signed, &at).ok()?),
        RoleType::Snapshot => Signed::Snapshot(parse_snapshot(&env.signed, &at, snapshot_meta).ok()?),
        RoleType::Targets => Signed::Targets(parse_targets(&env.signed, &at, targets).ok()?),
    };
    check_spec_version(&signed.common().spec_version, &at).ok()?;
    if signed.common().version == 0 {
        return None;
    }
    let signed_bytes = signed_bytes()?;
    let extra_signed = extra_members(&env.signed, known_members(role_type));
    Some(Metadata { signed, signatures: env.signatures, signed_bytes, extra_signed, file: file.to_owned() })
}

/// The general path alone (a `serde_json::Value` tree); for tests.
#[doc(hidden)]
pub fn parse_general(bytes: &[u8], file: &str) -> Result<Metadata, ParseError> {
    let doc = crate::meta::json::parse(bytes, file)?;
    let top = Location::new(file, "");
    let signed_value = Obj::new(&doc, top.clone())?.obj("signed")?;
    // python-tuf dispatches on `_type` before anything else is read.
    let type_at = signed_value.at.child("_type");
    let declared = signed_value.require("_type")?;
    let Some(role_type) = declared.as_str().and_then(RoleType::from_type) else {
        let shown = declared.as_str().map(clip).unwrap_or_else(|| kind(declared).to_owned());
        return Err(ParseError {
            category: Category::WrongType,
            error: MetaError::new(type_at, format!("unrecognized metadata type \"{shown}\"")),
        });
    };
    let env = SignedEnvelope::from_value(doc, file)?;
    check_unique_signatures(&env.signatures)?;
    let at = env.signed_location();
    let typed = |value: &Value| -> Result<Signed, ParseError> {
        let signed = match role_type {
            RoleType::Root => Signed::Root(parse_root(value, &at)?),
            RoleType::Timestamp => Signed::Timestamp(parse_timestamp(value, &at)?),
            RoleType::Snapshot => Signed::Snapshot(parse_snapshot(value, &at, None)?),
            RoleType::Targets => Signed::Targets(parse_targets(value, &at, None)?),
        };
        check_spec_version(&signed.common().spec_version, &at)?;
        if signed.common().version == 0 {
            return Err(MetaError::new(at.child("version"), "version must be > 0, got 0").into());
        }
        Ok(signed)
    };
    let signed = match typed(&env.signed) {
        Ok(signed) => signed,
        // python-tuf's model compares numbers (`version <= 0`, `threshold <
        // 1`, `length < 0`) without asking for integers, so a float there
        // (`1.0`, `1e19`) passes it, and its canonical serializer refuses
        // the float when the signature is checked (SerializationError, a
        // RepositoryError). The model's own refusals come first.
        Err(e) => match crate::meta::stream::canonicalize_member(bytes, "signed", &mut Vec::new()) {
            Err(float) if float.message.contains("not an integer") => {
                typed(&floats_as_integers(&env.signed))?;
                return Err(ParseError {
                    category: Category::RepositoryError,
                    error: MetaError::new(at.clone(), format!("signed has no canonical form: {float}")),
                });
            }
            _ => return Err(e),
        },
    };
    let signed_bytes = match canonical::to_vec(&env.signed) {
        Ok(b) => b,
        // A number the tree holds as a float may be an integer outside 64
        // bits (canonical JSON integers are unbounded): the streamed
        // canonical form copies it as written, and refuses real floats.
        Err(e) => {
            let mut out = Vec::with_capacity(bytes.len());
            match crate::meta::stream::canonicalize_member(bytes, "signed", &mut out) {
                Ok(true) => out,
                // python-tuf parses floats, then its canonical serializer
                // refuses them when the signature is checked
                // (SerializationError, a RepositoryError).
                _ => {
                    return Err(ParseError {
                        category: Category::RepositoryError,
                        error: MetaError::new(at.clone(), format!("signed has no canonical form: {e}")),
                    });
                }
            }
        }
    };
    let extra_signed = extra_members(&env.signed, known_members(role_type));
    Ok(Metadata { signed, signatures: env.signatures, signed_bytes, extra_signed, file: file.to_owned() })
}

/// `value` with every float replaced by an integer that python-tuf's model
/// checks (comparisons with 0, 1 and 32) treat alike: a positive float
/// rounded up, a negative one down, saturating at 64 bits. (A float between
/// 0 and 1 becomes 1, which a threshold accepts and python refuses.)
fn floats_as_integers(value: &Value) -> Value {
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or_default();
            if f >= 0.0 { Value::from(f.ceil() as u64) } else { Value::from(f.floor() as i64) }
        }
        Value::Array(items) => Value::Array(items.iter().map(floats_as_integers).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), floats_as_integers(v))).collect())
        }
        other => other.clone(),
    }
}

fn known_members(t: RoleType) -> &'static [&'static str] {
    match t {
        RoleType::Root => {
            &["_type", "version", "spec_version", "expires", "consistent_snapshot", "keys", "roles"]
        }
        RoleType::Timestamp => &["_type", "version", "spec_version", "expires", "meta"],
        RoleType::Snapshot => &["_type", "version", "spec_version", "expires", "meta"],
        RoleType::Targets => &["_type", "version", "spec_version", "expires", "targets", "delegations"],
    }
}

fn extra_members(v: &Value, known: &[&str]) -> Map<String, Value> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !known.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Spec §4: "The KEYID MUST be unique in the signatures array" (python-tuf
/// refuses the whole file: "Multiple signatures found for keyid").
fn check_unique_signatures(sigs: &[Signature]) -> Result<(), ParseError> {
    let mut seen = std::collections::HashSet::new();
    for s in sigs {
        if !seen.insert(s.keyid.as_str()) {
            return Err(MetaError::new(
                s.location.clone(),
                format!("multiple signatures found for keyid {}", clip(&s.keyid)),
            )
            .into());
        }
    }
    Ok(())
}

/// `spec_version` must be `X.Y` or `X.Y.Z` in digits with major version 1.
fn check_spec_version(spec: &str, at: &Location) -> Result<(), ParseError> {
    let parts: Vec<&str> = spec.split('.').collect();
    let parses = (parts.len() == 2 || parts.len() == 3)
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let message = if !parses {
        format!("failed to parse spec_version \"{}\"", clip(spec))
    } else if parts.first() != Some(&"1") {
        format!("unsupported spec_version \"{}\" (major version must be 1)", clip(spec))
    } else {
        return Ok(());
    };
    Err(ParseError {
        category: Category::SpecVersion,
        error: MetaError::new(at.child("spec_version"), message),
    })
}

fn parse_common(o: &Obj<'_>) -> Result<Common, ParseError> {
    let version = o.u64("version")?;
    let spec_version = o.str("spec_version")?.to_owned();
    let expires_text = o.str("expires")?.to_owned();
    let t = crate::meta::time::parse(&expires_text)
        .map_err(|e| MetaError::new(o.at.child("expires"), e.to_string()))?;
    Ok(Common { version, spec_version, expires: t.at, expires_text, expires_spec_form: t.spec_form })
}

fn parse_key_map(o: &Obj<'_>) -> Result<BTreeMap<String, Key>, ParseError> {
    let mut keys = BTreeMap::new();
    for (keyid, dict) in o.map {
        let at = o.at.child(keyid);
        let key = PublicKey::from_dict(dict).map_err(|e| MetaError::new(at, e.to_string()))?;
        let computed_keyid = key.keyid();
        let id_match = if computed_keyid == *keyid { KeyIdMatch::Modern } else { key.keyid_match(keyid) };
        let owner = dict.as_object().and_then(crate::crypto::keys::key_owner);
        keys.insert(
            keyid.clone(),
            Key { keyid: keyid.clone(), key, id_match, computed_keyid, table: KeyTable::default(), owner },
        );
    }
    Ok(keys)
}

fn parse_role_keys(o: &Obj<'_>) -> Result<RoleKeys, ParseError> {
    let keyids = o.str_list("keyids")?;
    let mut seen = std::collections::HashSet::new();
    if !keyids.iter().all(|k| seen.insert(k.as_str())) {
        return Err(MetaError::new(o.at.child("keyids"), "nonunique keyids").into());
    }
    let threshold = o.u64("threshold")?;
    if threshold < 1 {
        return Err(MetaError::new(o.at.child("threshold"), "threshold should be at least 1").into());
    }
    Ok(RoleKeys { keyids, threshold })
}

fn parse_root(v: &Value, at: &Location) -> Result<Root, ParseError> {
    let o = Obj::new(v, at.clone())?;
    let common = parse_common(&o)?;
    let consistent_snapshot = match o.get("consistent_snapshot") {
        None | Some(Value::Null) => false,
        Some(_) => o.bool("consistent_snapshot")?,
    };
    let keys = parse_key_map(&o.obj("keys")?)?;
    let roles_obj = o.obj("roles")?;
    let mut roles = BTreeMap::new();
    for (name, role) in roles_obj.map {
        roles.insert(name.clone(), parse_role_keys(&Obj::new(role, roles_obj.at.child(name))?)?);
    }
    let names: Vec<&str> = roles.keys().map(String::as_str).collect();
    if names != ["root", "snapshot", "targets", "timestamp"] {
        return Err(
            MetaError::new(roles_obj.at, "role names must be the four top-level metadata roles").into()
        );
    }
    Ok(Root {
        common,
        consistent_snapshot,
        keys,
        roles,
        extra: extra_members(v, known_members(RoleType::Root)),
    })
}

fn parse_metafile(v: &Value, at: Location) -> Result<MetaFile, ParseError> {
    let o = Obj::new(v, at)?;
    let version = o.u64("version")?;
    if version == 0 {
        return Err(MetaError::new(o.at.child("version"), "metafile version must be > 0").into());
    }
    let length = match o.get("length") {
        None => None,
        Some(_) => Some(o.u64("length")?),
    };
    let hashes = match o.get("hashes") {
        None => None,
        Some(_) => Some(parse_hashes(&o)?),
    };
    Ok(MetaFile { version, length, hashes })
}

fn parse_hashes(o: &Obj<'_>) -> Result<BTreeMap<String, String>, ParseError> {
    let h = o.obj("hashes")?;
    if h.map.is_empty() {
        return Err(MetaError::new(h.at, "hashes must be a non-empty object").into());
    }
    let mut out = BTreeMap::new();
    for (alg, digest) in h.map {
        let d = digest.as_str().ok_or_else(|| type_error(h.at.child(alg), "a string", digest))?;
        out.insert(alg.clone(), d.to_owned());
    }
    Ok(out)
}

fn parse_timestamp(v: &Value, at: &Location) -> Result<Timestamp, ParseError> {
    let o = Obj::new(v, at.clone())?;
    let common = parse_common(&o)?;
    let meta = o.obj("meta")?;
    let snap = meta.require("snapshot.json")?;
    let snapshot_meta = parse_metafile(snap, meta.at.child("snapshot.json"))?;
    let extra_meta = meta.map.keys().filter(|k| *k != "snapshot.json").cloned().collect();
    Ok(Timestamp {
        common,
        snapshot_meta,
        extra: extra_members(v, known_members(RoleType::Timestamp)),
        extra_meta,
    })
}

/// The canonical bytes python-tuf checks a timestamp's signatures over:
/// `signed` rebuilt by its `Timestamp` model, whose `meta` holds only
/// `snapshot.json`. `None` when `signed_bytes` cannot be read back.
pub fn timestamp_reference_bytes(signed_bytes: &[u8]) -> Option<Vec<u8>> {
    let mut signed: Value = serde_json::from_slice(signed_bytes).ok()?;
    signed.get_mut("meta")?.as_object_mut()?.retain(|k, _| k == "snapshot.json");
    canonical::to_vec(&signed).ok()
}

/// `parsed`: `meta` already read by the fast path (then absent from `v`).
fn parse_snapshot(
    v: &Value,
    at: &Location,
    parsed: Option<BTreeMap<String, MetaFile>>,
) -> Result<Snapshot, ParseError> {
    let o = Obj::new(v, at.clone())?;
    let common = parse_common(&o)?;
    let meta = match parsed {
        Some(meta) => meta,
        None => {
            let meta_obj = o.obj("meta")?;
            let mut meta = BTreeMap::new();
            for (name, mf) in meta_obj.map {
                meta.insert(name.clone(), parse_metafile(mf, meta_obj.at.child(name))?);
            }
            meta
        }
    };
    Ok(Snapshot { common, meta, extra: extra_members(v, known_members(RoleType::Snapshot)) })
}

/// `parsed`: `targets` already read by the fast path (then absent from
/// `v`), and how many it lists.
fn parse_targets(
    v: &Value,
    at: &Location,
    parsed: Option<(TargetMap, usize)>,
) -> Result<Targets, ParseError> {
    let o = Obj::new(v, at.clone())?;
    let common = parse_common(&o)?;
    let (targets, listed) = match parsed {
        Some(t) => t,
        None => {
            let targets_obj = o.obj("targets")?;
            let mut targets = Vec::with_capacity(targets_obj.map.len());
            for (path, info) in targets_obj.map {
                let t = Obj::new(info, targets_obj.at.child(path))?;
                let length = t.u64("length")?;
                let hashes = parse_hashes(&t)?;
                targets.push((path.clone(), TargetFile { length, hashes, custom: t.get("custom").cloned() }));
            }
            let map: TargetMap = targets.into_iter().collect();
            let n = map.len();
            (map, n)
        }
    };
    let delegations = match o.get("delegations") {
        None => None,
        Some(d) => Some(parse_delegations(d, at.child("delegations"))?),
    };
    Ok(Targets {
        common,
        targets,
        listed: listed as u64,
        delegations,
        extra: extra_members(v, known_members(RoleType::Targets)),
    })
}

fn parse_delegations(v: &Value, at: Location) -> Result<Delegations, ParseError> {
    let o = Obj::new(v, at)?;
    let keys = parse_key_map(&o.obj("keys")?)?;
    let roles = match (o.get("roles"), o.get("succinct_roles")) {
        (Some(_), None) => DelegatedRoles::List(parse_delegated_roles(&o)?),
        (None, Some(s)) => DelegatedRoles::Succinct(parse_succinct(s, o.at.child("succinct_roles"))?),
        _ => {
            return Err(
                MetaError::new(o.at, "exactly one of \"roles\" and \"succinct_roles\" must be set").into()
            );
        }
    };
    Ok(Delegations { keys, roles })
}

fn parse_delegated_roles(o: &Obj<'_>) -> Result<Vec<DelegatedRole>, ParseError> {
    let items = o.array("roles")?;
    let list_at = o.at.child("roles");
    let mut roles: Vec<DelegatedRole> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let r = Obj::new(item, list_at.index(i))?;
        let name = r.str("name")?.to_owned();
        let keys = parse_role_keys(&r)?;
        let terminating = r.bool("terminating")?;
        let scope = match (r.get("paths"), r.get("path_hash_prefixes")) {
            (Some(_), None) => PathScope::Paths(r.str_list("paths")?),
            (None, Some(_)) => PathScope::HashPrefixes(r.str_list("path_hash_prefixes")?),
            _ => {
                return Err(MetaError::new(
                    r.at,
                    "exactly one of \"paths\" and \"path_hash_prefixes\" must be set",
                )
                .into());
            }
        };
        if name.is_empty() || RoleType::is_top_level_name(&name) {
            return Err(MetaError::new(
                r.at.child("name"),
                "delegated roles cannot be empty or use top-level role names",
            )
            .into());
        }
        if roles.iter().any(|x| x.name == name) {
            return Err(
                MetaError::new(r.at.child("name"), format!("duplicate role \"{}\"", clip(&name))).into()
            );
        }
        roles.push(DelegatedRole { name, keys, terminating, scope });
    }
    Ok(roles)
}

fn parse_succinct(v: &Value, at: Location) -> Result<SuccinctRoles, ParseError> {
    let o = Obj::new(v, at)?;
    let keys = parse_role_keys(&o)?;
    let bit_length = o.u64("bit_length")?;
    if !(1..=32).contains(&bit_length) {
        return Err(MetaError::new(o.at.child("bit_length"), "bit_length must be between 1 and 32").into());
    }
    let name_prefix = o.str("name_prefix")?.to_owned();
    let bit_length = u32::try_from(bit_length).unwrap_or(32);
    Ok(SuccinctRoles { keys, bins: Bins { bit_length, name_prefix } })
}

/// A short description of a JSON value's type (re-exported for messages).
pub fn json_kind(v: &Value) -> &'static str {
    kind(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(signed: &str) -> Vec<u8> {
        format!(r#"{{"signatures":[],"signed":{signed}}}"#).into_bytes()
    }

    #[test]
    fn unknown_type_is_wrong_type() {
        let e = parse(&doc(r#"{"_type":"mirrors"}"#), "x.json").unwrap_err();
        assert_eq!(e.category, Category::WrongType);
    }

    #[test]
    fn spec_version_major_two_is_refused() {
        let e = parse(
            &doc(r#"{"_type":"timestamp","version":1,"spec_version":"2.0.0","expires":"2030-01-01T00:00:00Z","meta":{"snapshot.json":{"version":1}}}"#),
            "t.json",
        )
        .unwrap_err();
        assert_eq!(e.category, Category::SpecVersion);
    }

    #[test]
    fn duplicate_signature_keyids_are_malformed() {
        let bytes = br#"{"signatures":[{"keyid":"a","sig":"00"},{"keyid":"a","sig":"01"}],"signed":{"_type":"timestamp","version":1,"spec_version":"1.0","expires":"2030-01-01T00:00:00Z","meta":{"snapshot.json":{"version":1}}}}"#;
        let e = parse(bytes, "t.json").unwrap_err();
        assert_eq!(e.category, Category::Malformed);
        assert!(e.to_string().contains("multiple signatures"));
    }

    #[test]
    fn a_key_with_a_table_verifies_as_before() {
        for signer in [
            crate::crypto::SigningKey::ed25519_from_seed(&[3; 32]),
            crate::crypto::SigningKey::p256_from_seed(&[3; 32]),
        ] {
            let dict = signer.public_key_dict();
            let mut keys =
                parse_key_map(&Obj::new(&serde_json::json!({"k": dict}), Location::new("t", "")).unwrap())
                    .unwrap();
            let key = keys.remove("k").unwrap();
            for i in 0..3 * TABLE_AFTER {
                let msg = i.to_be_bytes();
                let mut sig = signer.sign(&msg);
                if i % 3 == 1 {
                    sig[5] ^= 4;
                }
                if i % 5 == 2 {
                    sig.pop();
                }
                assert_eq!(key.verify(&msg, &sig), key.key.verify(&msg, &sig), "check {i}");
                assert_eq!(key.verify(&msg, &sig).is_ok(), i % 3 != 1 && i % 5 != 2);
            }
            assert_eq!(key.table.is_built(), signer.keytype() == "ed25519");
        }
    }

    #[test]
    fn not_json_is_malformed() {
        assert_eq!(parse(b"<html>", "t.json").unwrap_err().category, Category::Malformed);
        assert_eq!(parse(b"", "t.json").unwrap_err().category, Category::Malformed);
        assert_eq!(parse(b"[]", "t.json").unwrap_err().category, Category::Malformed);
    }
}
