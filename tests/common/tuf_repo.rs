//! The top of a TUF repository held in memory for tests: the snapshot of its
//! roles and the timestamp over it.

use serde_json::{Map, Value, json};
use trailscope::tuf::MemorySource;

use super::{Key, metablock};

/// Puts into `src` a snapshot listing `meta` and a timestamp over it, both
/// version 1, expiring at `expires` and signed by `key`.
pub fn seal(src: &mut MemorySource, meta: Map<String, Value>, key: &Key, expires: &str) {
    let snapshot = serde_json::to_vec(&metablock(
        &json!({"_type": "snapshot", "spec_version": "1.0.31", "version": 1, "expires": expires, "meta": meta}),
        &[key],
    ))
    .unwrap();
    let ts = metablock(
        &json!({"_type": "timestamp", "spec_version": "1.0.31", "version": 1, "expires": expires,
            "meta": {"snapshot.json": {"version": 1, "length": snapshot.len(),
                "hashes": {"sha256": trailscope::crypto::sha256_hex(&snapshot)}}}}),
        &[key],
    );
    src.insert("snapshot.json", snapshot);
    src.insert("timestamp.json", serde_json::to_vec(&ts).unwrap());
}

/// The `keys` object of a root or of delegations: each key by its keyid.
pub fn keys(list: &[&Key]) -> Value {
    Value::Object(list.iter().map(|k| (k.keyid.clone(), k.dict.clone())).collect())
}

/// A root, version 1, expiring at `expires`, in which `key` alone holds the
/// four top-level roles, signed by it.
pub fn root_of_one_key(key: &Key, expires: &str) -> Value {
    let one = json!({"keyids": [key.keyid], "threshold": 1});
    metablock(
        &json!({"_type": "root", "spec_version": "1.0.31", "version": 1, "expires": expires,
            "consistent_snapshot": false, "keys": keys(&[key]),
            "roles": {"root": one, "timestamp": one, "snapshot": one, "targets": one}}),
        &[key],
    )
}
