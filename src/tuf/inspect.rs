//! The repository as a tree for people (`trailscope tuf inspect`, the TUI's
//! Trust view): every trusted role with its keys (type, id, whether the id
//! matches the key), threshold k-of-n and which signatures counted,
//! version, expiry and time left; delegations with their paths, hash
//! prefixes or succinct bins; and the root history with what changed at
//! each rotation. Typed as [`RoleTree`] (`verdict::tuf_detail`).

use std::collections::{BTreeMap, BTreeSet};

use super::metadata::{DelegatedRoles, Delegations, Key, PathScope, Root};
use super::report::{role_common, signature_summary};
use super::session::Outcome;
use crate::crypto::KeyIdMatch;
use crate::verdict::tuf_detail::{
    Delegation, KeyInfo, KeyRelabel, RoleKeyChange, RoleKeys, RoleNode, RoleTree, RootChange, RootNode,
    Scope, SuccinctBins,
};

/// A key for display.
pub fn key_info(k: &Key) -> KeyInfo {
    KeyInfo {
        keyid: k.keyid.clone(),
        keytype: k.key.keytype.clone(),
        scheme: k.key.scheme.clone(),
        id_matches: k.id_match == KeyIdMatch::Modern,
        computed_keyid: k.computed_keyid.clone(),
        usable: k.key.unusable_reason().is_none(),
        quirks: k.key.quirks.clone(),
        owner: k.owner.clone(),
    }
}

/// What changed from one root to the next, by key material: a key listed
/// under a new key id (tuf-on-ci adds `x-tuf-on-ci-keyowner`, which changes
/// the id) is "same key, new id", not a removal and an addition.
pub fn root_diff(old: &Root, new: &Root) -> RootChange {
    let old_keys: BTreeSet<&String> = old.keys.keys().collect();
    let new_keys: BTreeSet<&String> = new.keys.keys().collect();
    let relabelled = relabels(old, new);
    let renamed_to = |id: &String| relabelled.iter().any(|r| &r.to == id);
    let renamed_from = |id: &String| relabelled.iter().any(|r| &r.from == id);
    let mut roles = BTreeMap::new();
    for (name, nr) in &new.roles {
        let Some(or) = old.roles.get(name) else { continue };
        let role_relabels: Vec<KeyRelabel> = relabelled
            .iter()
            .filter(|r| or.keyids.contains(&r.from) && nr.keyids.contains(&r.to))
            .cloned()
            .collect();
        let keys_added: Vec<String> = nr
            .keyids
            .iter()
            .filter(|k| !or.keyids.contains(k) && !role_relabels.iter().any(|r| &r.to == *k))
            .cloned()
            .collect();
        let keys_removed: Vec<String> = or
            .keyids
            .iter()
            .filter(|k| !nr.keyids.contains(k) && !role_relabels.iter().any(|r| &r.from == *k))
            .cloned()
            .collect();
        if keys_added.is_empty()
            && keys_removed.is_empty()
            && role_relabels.is_empty()
            && or.threshold == nr.threshold
        {
            continue;
        }
        roles.insert(
            name.clone(),
            RoleKeyChange {
                keys_added,
                keys_removed,
                keys_relabelled: role_relabels,
                threshold: [or.threshold, nr.threshold],
            },
        );
    }
    RootChange {
        from: old.common.version,
        to: new.common.version,
        keys_added: new_keys.difference(&old_keys).filter(|k| !renamed_to(k)).map(|k| (*k).clone()).collect(),
        keys_removed: old_keys
            .difference(&new_keys)
            .filter(|k| !renamed_from(k))
            .map(|k| (*k).clone())
            .collect(),
        keys_relabelled: relabelled,
        roles,
        consistent_snapshot: (old.consistent_snapshot != new.consistent_snapshot)
            .then_some(new.consistent_snapshot),
        expires: new.common.expires_text.clone(),
        signed_by_previous: None,
        signed_by_own: None,
    }
}

/// Keys of `new` whose material `old` listed under another key id.
fn relabels(old: &Root, new: &Root) -> Vec<KeyRelabel> {
    let by_material: BTreeMap<String, &Key> = old.keys.values().map(|k| (k.material_id(), k)).collect();
    new.keys
        .values()
        .filter(|k| !old.keys.contains_key(&k.keyid))
        .filter_map(|k| {
            let before = by_material.get(&k.material_id())?;
            (!new.keys.contains_key(&before.keyid)).then(|| KeyRelabel {
                from: before.keyid.clone(),
                to: k.keyid.clone(),
                owner: k.owner.clone().or_else(|| before.owner.clone()),
            })
        })
        .collect()
}

fn role_keys(k: &super::metadata::RoleKeys) -> RoleKeys {
    RoleKeys { keyids: k.keyids.clone(), threshold: k.threshold }
}

fn delegations(d: &Delegations) -> Vec<Delegation> {
    match &d.roles {
        DelegatedRoles::List(list) => list
            .iter()
            .map(|r| Delegation {
                name: Some(r.name.clone()),
                keyids: r.keys.keyids.clone(),
                threshold: r.keys.threshold,
                terminating: r.terminating,
                scope: match &r.scope {
                    PathScope::Paths(p) => Scope::Paths(p.clone()),
                    PathScope::HashPrefixes(p) => Scope::HashPrefixes(p.clone()),
                },
            })
            .collect(),
        DelegatedRoles::Succinct(s) => vec![Delegation {
            name: None,
            keyids: s.keys.keyids.clone(),
            threshold: s.keys.threshold,
            terminating: true,
            scope: Scope::Succinct(SuccinctBins {
                name_prefix: s.bins.name_prefix.clone(),
                bit_length: s.bins.bit_length,
                bins: s.bins.count(),
                first: s.bins.name(0),
                last: s.bins.name(s.bins.count().saturating_sub(1)),
            }),
        }],
    }
}

/// The whole tree (also what the text renderer walks); `None` when the
/// trusted root did not load.
pub fn tree(outcome: &Outcome) -> Option<RoleTree> {
    let set = outcome.trusted.as_ref()?;
    let at = outcome.at;
    let root = &set.root().meta;
    let role_line = |name: &str| root.roles.get(name).map(role_keys);
    let history: Vec<RootChange> = set
        .root_history()
        .windows(2)
        .enumerate()
        .filter_map(|(i, w)| {
            let [a, b] = w else { return None };
            let mut change = root_diff(&a.meta, &b.meta);
            change.signed_by_previous = set.root_signed_by_previous(i + 1).map(signature_summary);
            change.signed_by_own = Some(signature_summary(&b.signatures));
            Some(change)
        })
        .collect();
    let mut roles = Vec::new();
    let online = [
        ("timestamp", set.timestamp().map(|t| (&t.meta.common, &t.signatures))),
        ("snapshot", set.snapshot().map(|t| (&t.meta.common, &t.signatures))),
    ];
    for (name, info) in online {
        roles.push(RoleNode {
            name: name.to_owned(),
            delegator: "root".to_owned(),
            role: role_line(name),
            common: info.map(|(c, _)| role_common(c, at)),
            signatures: info.map(|(_, sigs)| signature_summary(sigs)),
            targets: None,
            delegation_keys: None,
            delegations: None,
        });
    }
    let mut targets_roles = set.role_views();
    targets_roles.sort_by_key(|(name, _, _)| *name != "targets");
    for (name, delegator, t) in targets_roles {
        let d = t.delegations();
        roles.push(RoleNode {
            name: name.to_owned(),
            delegator: delegator.to_owned(),
            role: if name == "targets" { role_line("targets") } else { None },
            common: Some(role_common(t.common, at)),
            signatures: Some(signature_summary(t.signatures)),
            targets: Some(t.targets),
            delegation_keys: d.map(|d| d.keys.values().map(key_info).collect()),
            delegations: d.map(delegations),
        });
    }
    Some(RoleTree {
        root: RootNode {
            common: role_common(&root.common, at),
            consistent_snapshot: root.consistent_snapshot,
            spec_version: root.common.spec_version.clone(),
            keys: root.keys.values().map(key_info).collect(),
            roles: root.roles.iter().map(|(n, r)| (n.clone(), role_keys(r))).collect(),
            signatures: signature_summary(&set.root().signatures),
            history,
            versions: set.root_history().iter().map(|r| r.meta.common.version).collect(),
        },
        roles,
    })
}
