//! The repository as a tree for people (`trailscope tuf inspect`, the TUI's
//! Trust view): every trusted role with its keys (type, id, whether the id
//! matches the key), threshold k-of-n and which signatures counted,
//! version, expiry and time left; delegations with their paths, hash
//! prefixes or succinct bins; and the root history with what changed at
//! each rotation.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::metadata::{DelegatedRoles, Key, PathScope, Root};
use super::report::{remaining, signatures_json};
use super::session::Outcome;
use crate::crypto::KeyIdMatch;

/// A key for display.
pub fn key_json(k: &Key) -> Value {
    json!({
        "keyid": k.keyid,
        "keytype": k.key.keytype,
        "scheme": k.key.scheme,
        "id_matches": k.id_match == KeyIdMatch::Modern,
        "computed_keyid": k.computed_keyid,
        "usable": k.key.unusable_reason().is_none(),
        "quirks": k.key.quirks,
    })
}

/// What changed from one root to the next.
pub fn root_diff(old: &Root, new: &Root) -> Value {
    let old_keys: BTreeSet<&String> = old.keys.keys().collect();
    let new_keys: BTreeSet<&String> = new.keys.keys().collect();
    let mut roles = BTreeMap::new();
    for (name, nr) in &new.roles {
        let Some(or) = old.roles.get(name) else { continue };
        let added: Vec<&String> = nr.keyids.iter().filter(|k| !or.keyids.contains(k)).collect();
        let removed: Vec<&String> = or.keyids.iter().filter(|k| !nr.keyids.contains(k)).collect();
        if added.is_empty() && removed.is_empty() && or.threshold == nr.threshold {
            continue;
        }
        roles.insert(
            name.clone(),
            json!({"keys_added": added, "keys_removed": removed, "threshold": [or.threshold, nr.threshold]}),
        );
    }
    json!({
        "from": old.common.version,
        "to": new.common.version,
        "keys_added": new_keys.difference(&old_keys).collect::<Vec<_>>(),
        "keys_removed": old_keys.difference(&new_keys).collect::<Vec<_>>(),
        "roles": roles,
        "consistent_snapshot": (old.consistent_snapshot != new.consistent_snapshot).then_some(new.consistent_snapshot),
        "expires": new.common.expires_text,
    })
}

/// The whole tree as JSON (also what the text renderer walks).
pub fn tree(outcome: &Outcome) -> Value {
    let Some(set) = &outcome.trusted else { return Value::Null };
    let at = outcome.at;
    let root = &set.root().meta;
    let role_line = |name: &str| {
        root.roles
            .get(name)
            .map(|r| json!({"keyids": r.keyids, "threshold": r.threshold}))
            .unwrap_or(Value::Null)
    };
    let history: Vec<Value> = set
        .root_history()
        .windows(2)
        .filter_map(|w| if let [a, b] = w { Some(root_diff(&a.meta, &b.meta)) } else { None })
        .collect();
    let mut roles = Vec::new();
    let online = [
        ("timestamp", set.timestamp().map(|t| (&t.meta.common, &t.signatures))),
        ("snapshot", set.snapshot().map(|t| (&t.meta.common, &t.signatures))),
    ];
    for (name, info) in online {
        let mut v = json!({"name": name, "delegator": "root", "role": role_line(name)});
        if let Some((c, sigs)) = info {
            v["version"] = c.version.into();
            v["expires"] = c.expires_text.clone().into();
            v["expires_in"] = remaining(c.expires - at).into();
            v["expired"] = c.is_expired(at).into();
            v["signatures"] = signatures_json(sigs);
        }
        roles.push(v);
    }
    let mut targets_roles: Vec<_> = set.targets_roles().collect();
    targets_roles.sort_by_key(|(name, _, _)| *name != "targets");
    for (name, delegator, t) in targets_roles {
        let c = &t.meta.common;
        let mut v = json!({
            "name": name,
            "delegator": delegator,
            "version": c.version,
            "expires": c.expires_text,
            "expires_in": remaining(c.expires - at),
            "expired": c.is_expired(at),
            "signatures": signatures_json(&t.signatures),
            "targets": t.meta.targets.len(),
        });
        if name == "targets" {
            v["role"] = role_line("targets");
        }
        if let Some(d) = &t.meta.delegations {
            v["delegation_keys"] = d.keys.values().map(key_json).collect::<Vec<_>>().into();
            v["delegations"] = match &d.roles {
                DelegatedRoles::List(list) => list
                    .iter()
                    .map(|r| {
                        let (kind, values) = match &r.scope {
                            PathScope::Paths(p) => ("paths", p),
                            PathScope::HashPrefixes(p) => ("path_hash_prefixes", p),
                        };
                        json!({"name": r.name, "keyids": r.keys.keyids, "threshold": r.keys.threshold,
                               "terminating": r.terminating, kind: values})
                    })
                    .collect::<Vec<_>>()
                    .into(),
                DelegatedRoles::Succinct(s) => json!([{
                    "succinct_roles": {"name_prefix": s.bins.name_prefix, "bit_length": s.bins.bit_length,
                                       "bins": s.bins.count(), "first": s.bins.name(0),
                                       "last": s.bins.name(s.bins.count().saturating_sub(1))},
                    "keyids": s.keys.keyids, "threshold": s.keys.threshold, "terminating": true,
                }]),
            };
        }
        roles.push(v);
    }
    json!({
        "root": {
            "version": root.common.version,
            "expires": root.common.expires_text,
            "expires_in": remaining(root.common.expires - at),
            "expired": root.common.is_expired(at),
            "consistent_snapshot": root.consistent_snapshot,
            "spec_version": root.common.spec_version,
            "keys": root.keys.values().map(key_json).collect::<Vec<_>>(),
            "roles": root.roles.iter().map(|(n, r)| (n.clone(), json!({"keyids": r.keyids, "threshold": r.threshold}))).collect::<serde_json::Map<_, _>>(),
            "signatures": signatures_json(&set.root().signatures),
            "history": history,
            "versions": set.root_history().iter().map(|r| r.meta.common.version).collect::<Vec<_>>(),
        },
        "roles": roles,
    })
}
