//! Builds a [`SupplyGraph`] from an in-toto layout and the link files its
//! steps name (in-toto spec §4.3–§4.4), whether or not they verify: every
//! signature is checked and recorded on its `signs` edge, every link file a
//! functionary could have written becomes a node (missing ones too).
//!
//! Only the public in-toto API is used: [`metadata::load`]/[`Metadata`],
//! the model types, [`ArtifactRule::parse`] and the checks of
//! [`crate::intoto::stages`] (link lookup, signatures, parameters).

use std::collections::BTreeMap;
use std::path::Path;

use crate::crypto::PublicKey;
use crate::intoto::engine::rule_text;
use crate::intoto::metadata::{self, LoadError, Metadata};
use crate::intoto::model::{Layout, Link, Payload};
use crate::intoto::rule::{ArtifactRule, ArtifactType};
use crate::intoto::stages::{self, link_candidates};
use crate::intoto::{Error, VerifyOptions};

use super::{
    Edge, GraphKind, ItemNode, LayoutNode, LinkNode, LinkState, MatchEdge, Node, NodeId, Side, SignState,
    SupplyGraph,
};

/// What the graph shows of a link's signature ([`stages::link_signature`]).
fn link_state(layout: &Layout, step: &str, keyid: &str, meta: &Metadata) -> LinkState {
    let Some(step) = layout.steps.iter().find(|s| s.name == step) else {
        return LinkState::BadSignature("the step is not in the layout".into());
    };
    let sig = stages::link_signature(layout, step, keyid, meta);
    match sig.reason() {
        None => LinkState::Signed,
        Some(why) => LinkState::BadSignature(why),
    }
}

/// Loads the layout and links of `opts` from disk and builds the graph.
/// `Err` only when the layout file cannot be read at all.
pub fn from_options(opts: &VerifyOptions) -> Result<SupplyGraph, Error> {
    let path = opts.layout.display().to_string();
    let meta = match metadata::load_limited(&opts.layout, opts.max_metadata_bytes) {
        Ok(m) => Ok(m),
        Err(LoadError::Io(source)) => return Err(Error::Io { path, source }),
        Err(LoadError::Malformed(msg) | LoadError::Limit(msg)) => Err(msg),
    };
    let mut load = |p: &Path| match metadata::load_limited(p, opts.max_metadata_bytes) {
        Ok(m) => Ok(m),
        Err(LoadError::Io(_)) => Err(LinkState::Missing),
        Err(LoadError::Malformed(msg) | LoadError::Limit(msg)) => Err(LinkState::Malformed(msg)),
    };
    Ok(build(&path, meta.as_ref(), &opts.layout_keys, opts.params.as_ref(), &opts.link_dir, &mut load))
}

/// Builds the graph of a loaded layout; `load_link` reads one link file
/// (`Err(Missing|Malformed)` when it cannot).
pub fn build(
    layout_path: &str,
    layout_meta: Result<&Metadata, &String>,
    layout_keys: &[PublicKey],
    params: Option<&BTreeMap<String, String>>,
    link_dir: &Path,
    load_link: &mut dyn FnMut(&Path) -> Result<Metadata, LinkState>,
) -> SupplyGraph {
    let mut g = SupplyGraph::new(GraphKind::InToto);
    // Substitution errors are the verdict's findings; the graph draws the
    // layout as far as it could be substituted.
    let layout = layout_meta.ok().and_then(|m| stages::layout_of(m, params)).map(|s| s.layout);
    let root = g.add(Node::Layout(Box::new(LayoutNode {
        path: layout_path.to_owned(),
        expires: layout.as_ref().and_then(|l| l.expires.clone()),
        scope: Vec::new(),
    })));
    g.root = Some(root);
    if let Ok(meta) = layout_meta {
        for key in layout_keys {
            let vk = stages::VerifierKey::given(key);
            let state = match stages::layout_signature(meta, &vk).check {
                metadata::SigCheck::Valid { .. } => SignState::Valid,
                metadata::SigCheck::NoSignature => SignState::Missing,
                metadata::SigCheck::Invalid(_) => SignState::Invalid,
            };
            let k = g.key_node(&vk.keyid, Some(key.keytype.clone()));
            g.connect(k, root, Edge::Signs(state));
        }
    }
    let Some(layout) = layout else { return g };
    add_items(&mut g, root, &layout);
    add_links(&mut g, &layout, link_dir, load_link);
    add_matches(&mut g, &layout);
    g
}

fn add_items(g: &mut SupplyGraph, root: NodeId, layout: &Layout) {
    for (id, k) in &layout.keys {
        let keytype = k.key.as_ref().ok().map(|pk| pk.keytype.clone());
        let key = g.key_node(id, keytype);
        g.connect(root, key, Edge::Trusts);
    }
    for step in &layout.steps {
        let item = ItemNode {
            name: step.name.clone(),
            threshold: step.threshold,
            command: step.expected_command.iter().map(json_text).collect(),
            material_rules: step.expected_materials.iter().map(|r| rule_text(r)).collect(),
            product_rules: step.expected_products.iter().map(|r| rule_text(r)).collect(),
        };
        let s = g.add(Node::Step(Box::new(item)));
        g.connect(root, s, Edge::Contains);
        for keyid in &step.pubkeys {
            let k = g.key_node(keyid, None);
            g.connect(k, s, Edge::Trusts);
        }
    }
    for insp in &layout.inspect {
        let item = ItemNode {
            name: insp.name.clone(),
            threshold: 0,
            command: insp.run.iter().map(json_text).collect(),
            material_rules: insp.expected_materials.iter().map(|r| rule_text(r)).collect(),
            product_rules: insp.expected_products.iter().map(|r| rule_text(r)).collect(),
        };
        let i = g.add(Node::Inspection(Box::new(item)));
        g.connect(root, i, Edge::Contains);
    }
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn add_links(
    g: &mut SupplyGraph,
    layout: &Layout,
    link_dir: &Path,
    load_link: &mut dyn FnMut(&Path) -> Result<Metadata, LinkState>,
) {
    // The link each step's artifacts come from, moved out of its loaded
    // document (never copied; the envelope is dropped at once).
    let mut used: BTreeMap<String, (bool, NodeId, Link)> = BTreeMap::new();
    for cand in link_candidates(layout, link_dir) {
        let Some(step) = g.item(&cand.step) else { continue };
        let path = cand.path.display().to_string();
        let loaded = load_link(&cand.path);
        let state = match &loaded {
            Ok(meta) => link_state(layout, &cand.step, &cand.keyid, meta),
            Err(s) => s.clone(),
        };
        let node = LinkNode {
            path: path.clone(),
            step: cand.step.clone(),
            keyid: cand.keyid.clone(),
            state: state.clone(),
            used: false,
        };
        let l = g.add(Node::Link(Box::new(node)));
        g.connect(l, step, Edge::Records);
        let Ok(meta) = loaded else { continue };
        let k = g.key_node(&cand.keyid, None);
        let signed = state == LinkState::Signed;
        g.connect(k, l, Edge::Signs(if signed { SignState::Valid } else { SignState::Invalid }));
        match meta.payload {
            Ok(Payload::Link(link)) => {
                // The first validly signed link wins; else the first loaded one.
                let replace = match used.get(&cand.step) {
                    None => true,
                    Some((was_signed, _, _)) => signed && !was_signed,
                };
                if replace {
                    used.insert(cand.step.clone(), (signed, l, link));
                }
            }
            Ok(Payload::Layout(sub)) => {
                let node = LayoutNode {
                    path: path.clone(),
                    expires: sub.expires.clone(),
                    scope: vec![cand.step.clone()],
                };
                let s = g.add(Node::Layout(Box::new(node)));
                g.connect(step, s, Edge::Contains);
            }
            Err(_) => {}
        }
    }
    for (step, (_, link_node, link)) in used {
        let Some(item) = g.item(&step) else { continue };
        if let Some(Node::Link(l)) = g.graph.node_weight_mut(link_node) {
            l.used = true;
        }
        for (side, arts) in [(Side::Materials, &link.materials), (Side::Products, &link.products)] {
            for (path, hashes) in arts.iter() {
                g.add_artifact(item, side, path, hashes.iter());
            }
        }
    }
}

fn side_of(t: ArtifactType) -> Side {
    match t {
        ArtifactType::Materials => Side::Materials,
        ArtifactType::Products => Side::Products,
    }
}

/// One `matches` edge per MATCH rule whose `FROM` names a step or
/// inspection of the layout: source item → the rule's item.
fn add_matches(g: &mut SupplyGraph, layout: &Layout) {
    let sections = layout
        .steps
        .iter()
        .map(|s| (&s.name, &s.expected_materials, &s.expected_products))
        .chain(layout.inspect.iter().map(|i| (&i.name, &i.expected_materials, &i.expected_products)));
    for (name, materials, products) in sections {
        let Some(to) = g.item(name) else { continue };
        for (side, rules) in [(Side::Materials, materials), (Side::Products, products)] {
            for (index, rule) in rules.iter().enumerate() {
                let Ok(ArtifactRule::Match(m)) = ArtifactRule::parse(rule) else { continue };
                let Some(from) = g.item(&m.dest_name) else { continue };
                let edge = MatchEdge {
                    rule: rule_text(rule),
                    to_side: side,
                    from_side: side_of(m.dest_type),
                    index,
                };
                g.connect(from, to, Edge::Matches(Box::new(edge)));
            }
        }
    }
}
