//! A small TUF repository builder for tests: ed25519 keys from labels,
//! metadata signed over canonical JSON, served from memory or written to a
//! directory (not consistent snapshots unless asked).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use trailscope::crypto::signing::{SigningKey, seed_from_label};
use trailscope::meta::canonical;
use trailscope::tuf::MemorySource;

pub const NOW: &str = "2026-06-01T00:00:00Z";
pub const EXPIRES: &str = "2030-01-01T00:00:00Z";

pub fn now() -> time::OffsetDateTime {
    trailscope::meta::time::parse(NOW).unwrap().at
}

pub fn key(label: &str) -> SigningKey {
    SigningKey::ed25519_from_seed(&seed_from_label(label))
}

/// `{"signed": signed, "signatures": [...]}` with one signature per key, in order.
pub fn sign(signed: &Value, keys: &[&SigningKey]) -> Vec<u8> {
    sign_as(signed, &keys.iter().map(|k| (k.keyid(), *k)).collect::<Vec<_>>())
}

/// Signatures filed under the given key ids (which need not be the keys' own).
pub fn sign_as(signed: &Value, keys: &[(String, &SigningKey)]) -> Vec<u8> {
    let bytes = canonical::to_vec(signed).unwrap();
    let sigs: Vec<Value> =
        keys.iter().map(|(id, k)| json!({"keyid": id, "sig": k.sign_hex(&bytes)})).collect();
    serde_json::to_vec_pretty(&json!({"signed": signed, "signatures": sigs})).unwrap()
}

fn keys_json(keys: &[&SigningKey]) -> Value {
    let mut map = serde_json::Map::new();
    for k in keys {
        map.insert(k.keyid(), k.public_key_dict());
    }
    Value::Object(map)
}

/// A role's keys and threshold.
pub fn role(keys: &[&SigningKey], threshold: u64) -> Value {
    json!({"keyids": keys.iter().map(|k| k.keyid()).collect::<Vec<_>>(), "threshold": threshold})
}

/// The four top-level roles' keys.
pub struct Keys {
    pub root: Vec<SigningKey>,
    pub root_threshold: u64,
    pub timestamp: SigningKey,
    pub snapshot: SigningKey,
    pub targets: SigningKey,
}

impl Keys {
    pub fn new(label: &str) -> Self {
        Self {
            root: vec![key(&format!("{label}-root"))],
            root_threshold: 1,
            timestamp: key(&format!("{label}-timestamp")),
            snapshot: key(&format!("{label}-snapshot")),
            targets: key(&format!("{label}-targets")),
        }
    }

    pub fn root_refs(&self) -> Vec<&SigningKey> {
        self.root.iter().collect()
    }

    /// The `signed` part of root `version`.
    pub fn root(&self, version: u64) -> Value {
        let mut all: Vec<&SigningKey> = self.root_refs();
        all.extend([&self.timestamp, &self.snapshot, &self.targets]);
        json!({
            "_type": "root", "spec_version": "1.0.31", "version": version, "expires": EXPIRES,
            "consistent_snapshot": false, "keys": keys_json(&all),
            "roles": {
                "root": role(&self.root_refs(), self.root_threshold),
                "timestamp": role(&[&self.timestamp], 1),
                "snapshot": role(&[&self.snapshot], 1),
                "targets": role(&[&self.targets], 1),
            }
        })
    }

    pub fn signed_root(&self, version: u64) -> Vec<u8> {
        sign(&self.root(version), &self.root_refs())
    }
}

pub fn timestamp(version: u64, snapshot_version: u64) -> Value {
    json!({"_type": "timestamp", "spec_version": "1.0.31", "version": version, "expires": EXPIRES,
           "meta": {"snapshot.json": {"version": snapshot_version}}})
}

/// `metas`: (role name, version).
pub fn snapshot(version: u64, metas: &[(&str, u64)]) -> Value {
    let mut meta = serde_json::Map::new();
    for (name, v) in metas {
        meta.insert(format!("{name}.json"), json!({"version": v}));
    }
    json!({"_type": "snapshot", "spec_version": "1.0.31", "version": version, "expires": EXPIRES, "meta": meta})
}

/// A target file entry for `bytes`.
pub fn target(bytes: &[u8]) -> Value {
    json!({"length": bytes.len(), "hashes": {"sha256": trailscope::crypto::sha256_hex(bytes)}})
}

pub fn targets(version: u64, files: &[(&str, &[u8])], delegations: Option<Value>) -> Value {
    let mut t = serde_json::Map::new();
    for (path, bytes) in files {
        t.insert((*path).to_owned(), target(bytes));
    }
    let mut v = json!({"_type": "targets", "spec_version": "1.0.31", "version": version, "expires": EXPIRES, "targets": t});
    if let Some(d) = delegations {
        v["delegations"] = d;
    }
    v
}

/// One delegated role entry.
pub fn delegated(
    name: &str,
    keys: &[&SigningKey],
    threshold: u64,
    paths: &[&str],
    terminating: bool,
) -> Value {
    json!({"name": name, "keyids": keys.iter().map(|k| k.keyid()).collect::<Vec<_>>(), "threshold": threshold,
           "paths": paths, "terminating": terminating})
}

/// `delegations` with the keys used by `roles`.
pub fn delegations(keys: &[&SigningKey], roles: Vec<Value>) -> Value {
    json!({"keys": keys_json(keys), "roles": roles})
}

/// Repository files by relative path (not consistent snapshots).
#[derive(Default, Clone)]
pub struct Files(pub BTreeMap<String, Vec<u8>>);

impl Files {
    pub fn put(&mut self, rel: &str, bytes: Vec<u8>) -> &mut Self {
        self.0.insert(rel.to_owned(), bytes);
        self
    }

    pub fn source(&self) -> MemorySource {
        let mut src = MemorySource::new("mem");
        for (k, v) in &self.0 {
            // Files hold served (encoded) names; a memory source is keyed by decoded ones.
            let key = percent_encoding::percent_decode_str(k).decode_utf8_lossy().into_owned();
            src.insert(key, v.clone());
        }
        src
    }

    pub fn write(&self, dir: &Path) {
        for (k, v) in &self.0 {
            let p = dir.join(k);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, v).unwrap();
        }
    }
}

/// A consistent, valid repository: root v1, timestamp/snapshot/targets v1,
/// `delegations` (with their roles' signed metadata) and target files.
pub fn repo(
    k: &Keys,
    files: &[(&str, &[u8])],
    delegations: Option<Value>,
    roles: &[(&str, Vec<u8>)],
) -> Files {
    let mut f = Files::default();
    let mut metas: Vec<(&str, u64)> = vec![("targets", 1)];
    for (name, _) in roles {
        metas.push((name, 1));
    }
    f.put("1.root.json", k.signed_root(1));
    f.put("timestamp.json", sign(&timestamp(1, 1), &[&k.timestamp]));
    f.put("snapshot.json", sign(&snapshot(1, &metas), &[&k.snapshot]));
    f.put("targets.json", sign(&targets(1, files, delegations), &[&k.targets]));
    for (name, bytes) in roles {
        f.put(&format!("{}.json", trailscope::tuf::quote(name)), bytes.clone());
    }
    f
}
