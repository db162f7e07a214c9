//! Builds a [`SupplyGraph`] from a TUF trusted set (spec §5): roles, the
//! keys that signed them (every authorized key id, valid or not), the
//! delegations between them with thresholds and paths, and the targets each
//! trusted targets role lists. Delegated roles whose metadata did not load
//! (or was not needed) are nodes too, marked untrusted.

use std::collections::VecDeque;

use crate::tuf::metadata::{DelegatedRoles, Key, PathScope};
use crate::tuf::session::Outcome;
use crate::tuf::trusted_set::TrustedSet;
use crate::tuf::verify::VerificationResult;
use crate::verdict::SignatureCheck;

use super::{DelegationEdge, Edge, GraphKind, Node, NodeId, RoleNode, SignState, SupplyGraph, TargetNode};

const TOP_LEVEL: [&str; 3] = ["timestamp", "snapshot", "targets"];

/// The graph of what a TUF run trusted (`None` when not even the trusted root loaded).
pub fn from_outcome(outcome: &Outcome) -> Option<SupplyGraph> {
    outcome.trusted.as_ref().map(from_trusted_set)
}

/// The graph of a trusted set.
pub fn from_trusted_set(set: &TrustedSet) -> SupplyGraph {
    let mut g = SupplyGraph::new(GraphKind::Tuf);
    let root = &set.root().meta;
    let root_node = g.add(Node::Role(Box::new(RoleNode {
        name: "root".into(),
        version: Some(root.common.version),
        threshold: root.roles.get("root").map_or(0, |r| r.threshold),
        expires: Some(root.common.expires_text.clone()),
        trusted: true,
    })));
    for key in root.keys.values() {
        add_key(&mut g, key);
    }
    signs(&mut g, root_node, &set.root().signatures);
    for (order, name) in TOP_LEVEL.iter().enumerate() {
        let threshold = root.roles.get(*name).map_or(0, |r| r.threshold);
        let loaded = match *name {
            "timestamp" => set.timestamp().map(|t| (t.meta.common.clone(), t.signatures.clone())),
            "snapshot" => set.snapshot().map(|t| (t.meta.common.clone(), t.signatures.clone())),
            _ => set.targets_role("targets").map(|(_, t)| (t.meta.common.clone(), t.signatures.clone())),
        };
        let node = RoleNode {
            name: (*name).to_owned(),
            version: loaded.as_ref().map(|(c, _)| c.version),
            threshold,
            expires: loaded.as_ref().map(|(c, _)| c.expires_text.clone()),
            trusted: loaded.is_some(),
        };
        let r = g.add(Node::Role(Box::new(node)));
        let edge = DelegationEdge { threshold, paths: Vec::new(), terminating: false, order };
        g.connect(root_node, r, Edge::Delegates(Box::new(edge)));
        if let Some((_, sigs)) = loaded {
            signs(&mut g, r, &sigs);
        }
    }
    add_delegations(&mut g, set);
    g
}

fn add_key(g: &mut SupplyGraph, key: &Key) -> NodeId {
    g.key_node(&key.keyid, Some(key.key.keytype.clone()))
}

fn sign_state(c: &SignatureCheck) -> SignState {
    match (&c.valid, c.reason.as_deref()) {
        (true, _) => SignState::Valid,
        (false, Some(r)) if r.starts_with("no signature") => SignState::Missing,
        _ => SignState::Invalid,
    }
}

fn signs(g: &mut SupplyGraph, role: NodeId, result: &VerificationResult) {
    for c in &result.checks {
        let k = g.key_node(&c.keyid, None);
        g.connect(k, role, Edge::Signs(sign_state(c)));
    }
}

/// Breadth-first from `targets`: every delegation of every trusted targets role.
fn add_delegations(g: &mut SupplyGraph, set: &TrustedSet) {
    let mut queue: VecDeque<String> = VecDeque::from(["targets".to_owned()]);
    let mut done = std::collections::HashSet::new();
    while let Some(name) = queue.pop_front() {
        if !done.insert(name.clone()) {
            continue;
        }
        let (Some(from), Some((_, t))) = (g.role(&name), set.targets_role(&name)) else { continue };
        for (path, info) in &t.meta.targets {
            let node = match g.target(path) {
                Some(n) => n,
                None => g.add(Node::Target(Box::new(TargetNode {
                    path: path.clone(),
                    length: info.length,
                    hashes: info.hashes.iter().map(|(a, h)| (a.clone(), h.clone())).collect(),
                }))),
            };
            g.connect(from, node, Edge::Lists);
        }
        let Some(d) = &t.meta.delegations else { continue };
        for key in d.keys.values() {
            add_key(g, key);
        }
        let delegated: Vec<(String, DelegationEdge)> = match &d.roles {
            DelegatedRoles::List(list) => list
                .iter()
                .enumerate()
                .map(|(order, r)| {
                    let paths = match &r.scope {
                        PathScope::Paths(p) => p.clone(),
                        PathScope::HashPrefixes(p) => p.iter().map(|h| format!("hash-prefix:{h}")).collect(),
                    };
                    let e = DelegationEdge {
                        threshold: r.keys.threshold,
                        paths,
                        terminating: r.terminating,
                        order,
                    };
                    (r.name.clone(), e)
                })
                .collect(),
            DelegatedRoles::Succinct(s) => (0..s.bins.count())
                .map(|i| {
                    let e = DelegationEdge {
                        threshold: s.keys.threshold,
                        paths: vec![format!("bin:{i}")],
                        terminating: true,
                        order: usize::try_from(i).unwrap_or(usize::MAX),
                    };
                    (s.bins.name(i), e)
                })
                .collect(),
        };
        for (child, edge) in delegated {
            let threshold = edge.threshold;
            let loaded = set.targets_role(&child).filter(|(by, _)| *by == name).map(|(_, t)| t);
            let to = match g.role(&child) {
                Some(n) => n,
                None => g.add(Node::Role(Box::new(RoleNode {
                    name: child.clone(),
                    version: loaded.map(|t| t.meta.common.version),
                    threshold,
                    expires: loaded.map(|t| t.meta.common.expires_text.clone()),
                    trusted: loaded.is_some(),
                }))),
            };
            g.connect(from, to, Edge::Delegates(Box::new(edge)));
            if let Some(t) = loaded {
                signs(g, to, &t.signatures);
            }
            queue.push_back(child);
        }
    }
}
