//! TUF metadata: signed envelopes, role documents, and a small repository that
//! publishes new versions with consistent snapshots, keeping old versions on the mirror.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use trailscope::crypto::SigningKey;

use super::util::{self, Files, SPEC_VERSION, canonical, sha256};

/// `{"signatures": [...], "signed": signed}` signed over the canonical JSON of
/// `signed` and served as compact JSON with sorted keys (`json.dumps(separators=(",", ":"),
/// sort_keys=True)`; unlike canonical JSON it escapes the newlines of PEM keys).
pub fn envelope(signed: &Value, keys: &[&SigningKey]) -> Vec<u8> {
    let msg = canonical(signed);
    let sigs: Vec<Value> =
        keys.iter().map(|k| json!({"keyid": k.keyid(), "sig": k.sign_hex(&msg)})).collect();
    serde_json::to_vec(&json!({"signatures": sigs, "signed": signed}))
        .expect("serializing a Value cannot fail")
}

/// `{keyid: keydict}` for `keys`.
pub fn key_map(keys: &[&SigningKey]) -> Map<String, Value> {
    keys.iter().map(|k| (k.keyid(), k.public_key_dict())).collect()
}

fn role_entry(keys: &[&SigningKey], threshold: u32) -> Value {
    json!({"keyids": keys.iter().map(|k| k.keyid()).collect::<Vec<_>>(), "threshold": threshold})
}

/// The key sets of the four top-level roles.
#[derive(Clone)]
pub struct TopKeys {
    pub root: Vec<SigningKey>,
    pub targets: Vec<SigningKey>,
    pub targets_threshold: u32,
    pub snapshot: SigningKey,
    pub timestamp: SigningKey,
}

/// `signed` of a root with consistent snapshots.
pub fn root_signed(version: u32, expires: &str, keys: &TopKeys) -> Value {
    let root: Vec<&SigningKey> = keys.root.iter().collect();
    let targets: Vec<&SigningKey> = keys.targets.iter().collect();
    let mut all: Vec<&SigningKey> = root.clone();
    all.extend(targets.iter().copied());
    all.push(&keys.snapshot);
    all.push(&keys.timestamp);
    json!({
        "_type": "root",
        "consistent_snapshot": true,
        "expires": expires,
        "keys": key_map(&all),
        "roles": {
            "root": role_entry(&root, 1),
            "snapshot": role_entry(&[&keys.snapshot], 1),
            "targets": role_entry(&targets, keys.targets_threshold),
            "timestamp": role_entry(&[&keys.timestamp], 1),
        },
        "spec_version": SPEC_VERSION,
        "version": version,
    })
}

/// A target's fileinfo: length, sha256 and (optionally) `custom`.
pub fn target_info(bytes: &[u8], custom: Option<Value>) -> Value {
    let mut info = json!({"hashes": {"sha256": sha256(bytes)}, "length": bytes.len()});
    if let Some(c) = custom {
        info["custom"] = c;
    }
    info
}

/// A delegated role entry of `delegations.roles`.
#[derive(Clone)]
pub struct Delegation {
    pub name: String,
    pub keys: Vec<SigningKey>,
    pub threshold: u32,
    pub paths: Vec<String>,
    pub terminating: bool,
    /// `path_hash_prefixes` (hash-bin delegation) instead of `paths`.
    pub hash_prefixes: Option<Vec<String>>,
}

impl Delegation {
    pub fn new(name: &str, keys: Vec<SigningKey>, paths: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            keys,
            threshold: 1,
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            terminating: true,
            hash_prefixes: None,
        }
    }

    fn entry(&self) -> Value {
        let mut entry = json!({
            "keyids": self.keys.iter().map(|k| k.keyid()).collect::<Vec<_>>(),
            "name": self.name,
            "paths": self.paths,
            "terminating": self.terminating,
            "threshold": self.threshold,
        });
        if let Some(prefixes) = &self.hash_prefixes {
            entry.as_object_mut().map(|m| m.remove("paths"));
            entry["path_hash_prefixes"] = json!(prefixes);
        }
        entry
    }
}

/// A targets-type role (top-level or delegated) as the repository holds it.
#[derive(Clone)]
pub struct TargetsRole {
    pub name: String,
    pub version: u32,
    pub expires: String,
    pub targets: BTreeMap<String, Value>,
    pub delegations: Vec<Delegation>,
    /// Keys that sign the next publication of this role.
    pub signers: Vec<SigningKey>,
    /// Changed since the last publication.
    pub dirty: bool,
}

impl TargetsRole {
    pub fn new(name: &str, expires: &str, signers: Vec<SigningKey>) -> Self {
        Self {
            name: name.to_owned(),
            version: 0,
            expires: expires.to_owned(),
            targets: BTreeMap::new(),
            delegations: Vec::new(),
            signers,
            dirty: true,
        }
    }

    pub fn signed(&self) -> Value {
        let mut v = json!({
            "_type": "targets",
            "expires": self.expires,
            "spec_version": SPEC_VERSION,
            "targets": self.targets,
            "version": self.version,
        });
        if !self.delegations.is_empty() {
            let mut keys: Vec<&SigningKey> = Vec::new();
            for d in &self.delegations {
                keys.extend(d.keys.iter());
            }
            let roles: Vec<Value> = self.delegations.iter().map(Delegation::entry).collect();
            v["delegations"] = json!({"keys": key_map(&keys), "roles": roles});
        }
        v
    }
}

/// A TUF repository with consistent snapshots. `files` holds the served tree
/// (`metadata/…`, `targets/…`); every publication adds files and never removes one.
#[derive(Clone)]
pub struct Repo {
    pub keys: TopKeys,
    pub root_version: u32,
    pub root_expires: String,
    /// `targets` first, then delegated roles in publication order.
    pub roles: Vec<TargetsRole>,
    pub snapshot_version: u32,
    pub snapshot_expires: String,
    pub timestamp_version: u32,
    pub timestamp_expires: String,
    /// Whether snapshot meta carries hashes and lengths of the targets roles.
    pub snapshot_hashes: bool,
    pub files: Files,
    /// The bytes last published for each role (`root`, `timestamp`, `snapshot`, targets roles).
    pub current: BTreeMap<String, Vec<u8>>,
    /// Every timestamp ever published, by version.
    pub timestamps: BTreeMap<u32, Vec<u8>>,
}

impl Repo {
    pub fn new(keys: TopKeys) -> Self {
        let targets = TargetsRole::new("targets", util::TUF_TARGETS_EXPIRES, keys.targets.clone());
        let mut repo = Self {
            keys,
            root_version: 1,
            root_expires: util::TUF_ROOT_EXPIRES.to_owned(),
            roles: vec![targets],
            snapshot_version: 0,
            snapshot_expires: util::TUF_SNAPSHOT_EXPIRES.to_owned(),
            timestamp_version: 0,
            timestamp_expires: util::TUF_TIMESTAMP_EXPIRES.to_owned(),
            snapshot_hashes: true,
            files: Files::default(),
            current: BTreeMap::new(),
            timestamps: BTreeMap::new(),
        };
        repo.write_root();
        repo
    }

    /// Re-signs and writes `N.root.json` for the current root version.
    pub fn write_root(&mut self) {
        let signed = root_signed(self.root_version, &self.root_expires, &self.keys);
        let signers: Vec<&SigningKey> = self.keys.root.iter().collect();
        let bytes = envelope(&signed, &signers);
        self.files.put(format!("metadata/{}.root.json", self.root_version), bytes.clone());
        self.current.insert("root".into(), bytes);
    }

    /// The trusted root a client starts from: `1.root.json`.
    pub fn trusted_root(&self) -> Vec<u8> {
        self.files.get("metadata/1.root.json").expect("root v1 is written at creation").clone()
    }

    pub fn role_mut(&mut self, name: &str) -> &mut TargetsRole {
        self.roles.iter_mut().find(|r| r.name == name).unwrap_or_else(|| panic!("no role {name}"))
    }

    /// Adds a delegation from `delegator` and creates the delegated role.
    pub fn delegate(&mut self, delegator: &str, d: Delegation, expires: &str) {
        let role = TargetsRole::new(&d.name, expires, d.keys.clone());
        let parent = self.role_mut(delegator);
        parent.delegations.push(d);
        parent.dirty = true;
        self.roles.push(role);
    }

    /// Stores the target file as served (`dir/<sha256>.name`) and lists it in `role`.
    pub fn add_target(&mut self, role: &str, path: &str, bytes: &[u8], custom: Option<Value>) {
        self.files.put(format!("targets/{}", hashed_path(path, &sha256(bytes))), bytes.to_vec());
        let r = self.role_mut(role);
        r.targets.insert(path.to_owned(), target_info(bytes, custom));
        r.dirty = true;
    }

    /// Publishes every changed targets role (version + 1), then snapshot and timestamp.
    pub fn publish(&mut self) {
        for i in 0..self.roles.len() {
            if !self.roles[i].dirty {
                continue;
            }
            let role = &mut self.roles[i];
            role.version += 1;
            role.dirty = false;
            let signers: Vec<&SigningKey> = role.signers.iter().collect();
            let bytes = envelope(&role.signed(), &signers);
            let name = role.name.clone();
            self.files.put(format!("metadata/{}.{}.json", role.version, name), bytes.clone());
            self.current.insert(name, bytes);
        }
        self.publish_snapshot();
    }

    /// Publishes a new snapshot (and timestamp) naming the current role versions.
    pub fn publish_snapshot(&mut self) {
        self.snapshot_version += 1;
        let mut meta = Map::new();
        for role in &self.roles {
            let mut entry = json!({"version": role.version});
            if self.snapshot_hashes {
                let bytes = &self.current[&role.name];
                entry["hashes"] = json!({"sha256": sha256(bytes)});
                entry["length"] = json!(bytes.len());
            }
            meta.insert(format!("{}.json", role.name), entry);
        }
        let signed = json!({
            "_type": "snapshot",
            "expires": self.snapshot_expires,
            "meta": meta,
            "spec_version": SPEC_VERSION,
            "version": self.snapshot_version,
        });
        let bytes = envelope(&signed, &[&self.keys.snapshot]);
        self.files.put(format!("metadata/{}.snapshot.json", self.snapshot_version), bytes.clone());
        self.current.insert("snapshot".into(), bytes);
        self.publish_timestamp();
    }

    /// Publishes a new timestamp naming the current snapshot.
    pub fn publish_timestamp(&mut self) {
        self.timestamp_version += 1;
        let snapshot = &self.current["snapshot"];
        let signed = timestamp_signed(
            self.timestamp_version,
            &self.timestamp_expires,
            self.snapshot_version,
            snapshot,
        );
        let bytes = envelope(&signed, &[&self.keys.timestamp]);
        self.files.put("metadata/timestamp.json", bytes.clone());
        self.current.insert("timestamp".into(), bytes.clone());
        self.timestamps.insert(self.timestamp_version, bytes);
    }

    /// The client cache after a successful update at this point: what python-tuf
    /// keeps as `timestamp.json`, `snapshot.json`, `targets.json` and `<role>.json`.
    pub fn client_state(&self) -> Files {
        let mut f = Files::default();
        for (name, bytes) in &self.current {
            if name != "root" {
                f.put(format!("{name}.json"), bytes.clone());
            }
        }
        f
    }
}

/// `signed` of a timestamp naming `snapshot` (bytes) at `snapshot_version`.
pub fn timestamp_signed(version: u32, expires: &str, snapshot_version: u32, snapshot: &[u8]) -> Value {
    json!({
        "_type": "timestamp",
        "expires": expires,
        "meta": {"snapshot.json": {
            "hashes": {"sha256": sha256(snapshot)},
            "length": snapshot.len(),
            "version": snapshot_version,
        }},
        "spec_version": SPEC_VERSION,
        "version": version,
    })
}

/// `dir/name` → `dir/<hex>.name` (consistent snapshot target file name).
pub fn hashed_path(path: &str, hex: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/{hex}.{name}"),
        None => format!("{hex}.{path}"),
    }
}
