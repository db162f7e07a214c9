//! The in-toto chain as the Chain, Step and Artifact views walk it
//! (DESIGN §6): a thin view of the [`SupplyGraph`] built from the
//! verification result. The graph decides everything — each item's status,
//! the artifact flows (its MATCH edges, broken where a rule could not
//! consume what it matched), the layering of the drawing
//! ([`draw`](crate::graph::draw)), provenance and neighbourhoods
//! ([`query`](crate::graph::query)); this module only indexes it for the
//! views: items in layout order, flows between item rows, and every
//! artifact path sorted, so that a 100,000-artifact link is shown by
//! looking up only the visible rows.
//!
//! Built once per run on the verification thread; read-only afterwards.

use std::collections::{BTreeSet, HashMap};
use std::ops::Deref;
use std::sync::Arc;

use serde_json::Value;

use crate::graph::draw::{self, View};
use crate::graph::query::Provenance;
use crate::graph::{Edge, ItemNode, LinkNode, Node, NodeId, Side, SupplyGraph, Sym};
use crate::intoto::model::{Artifacts, HashDict};
use crate::intoto::rule::ArtifactType;
use crate::verdict::Subject;

pub use crate::graph::{ItemKind, ItemStatus};

/// One step or inspection: the graph's item node (shared, not copied) with
/// its link files and its artifact paths indexed for the Step view's tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Its node in [`Chain::graph`].
    pub node: NodeId,
    item: Arc<ItemNode>,
    /// The link files the verifier looked for, with their status.
    pub links: Vec<LinkNode>,
    /// The recorded materials and products, by path (sorted): the paths of
    /// its artifact nodes, shared with the graph's interner.
    pub material_paths: Vec<Arc<str>>,
    pub product_paths: Vec<Arc<str>>,
}

impl Deref for Item {
    type Target = ItemNode;

    fn deref(&self) -> &ItemNode {
        &self.item
    }
}

impl Item {
    /// The recorded artifacts of one side (of the link the rules used).
    pub fn artifacts(&self, side: ArtifactType) -> Option<&Artifacts> {
        let section = self.materials.as_ref().or(self.products.as_ref())?;
        Some(match side {
            ArtifactType::Materials => &section.materials,
            ArtifactType::Products => &section.products,
        })
    }

    pub fn paths(&self, side: ArtifactType) -> &[Arc<str>] {
        match side {
            ArtifactType::Materials => &self.material_paths,
            ArtifactType::Products => &self.product_paths,
        }
    }

    pub fn digest(&self, side: ArtifactType, path: &str) -> Option<&HashDict> {
        self.artifacts(side)?.get(path)
    }

    /// The recorded command of the link the rules used.
    pub fn recorded_command(&self) -> Option<&Vec<Value>> {
        let used = self.used_link.as_ref();
        self.links
            .iter()
            .find(|l| Some(&l.keyid) == used)
            .or_else(|| self.links.iter().find(|l| l.command.is_some()))
            .and_then(|l| l.command.as_ref())
    }

    /// The item has a row under `f` (failures only): it failed, or a flow
    /// into it is broken.
    fn failing(&self, chain_flows: &[Flow], index: usize) -> bool {
        self.status == ItemStatus::Fail || chain_flows.iter().any(|f| f.to == index && f.broken)
    }
}

/// An artifact flow: a MATCH rule of `to` takes artifacts from `from`
/// (indices into [`Chain::items`]); one per `matches` edge of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub from: usize,
    pub to: usize,
    /// The section of `to` the rule is in.
    pub side: Side,
    pub rule: String,
    /// The rule was evaluated (its item had a link, its inspection ran).
    pub evaluated: bool,
    /// The rule matched artifacts it could not consume (digest differs, or
    /// missing at the source).
    pub broken: bool,
}

/// The whole chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The graph of the verification result every view reads.
    pub graph: SupplyGraph,
    pub layout: String,
    pub expires: Option<String>,
    /// Key ids the layout was verified with.
    pub layout_keys: Vec<String>,
    pub items: Vec<Item>,
    pub flows: Vec<Flow>,
    /// Every artifact path any item recorded, sorted and unique.
    artifacts: Vec<Sym>,
    /// Rows of [`Chain::artifacts`] a rule failed on or could not consume.
    broken_artifacts: Vec<usize>,
    /// Rows of [`Chain::items`] shown under `f`.
    failing: Vec<usize>,
    /// Each item's place in the layered drawing ([`draw::draw`]).
    pub layers: Vec<usize>,
    pub lanes: Vec<usize>,
    index: HashMap<NodeId, usize>,
    /// What each inspection that ran printed, by its display name.
    outputs: HashMap<String, InspectionOutput>,
    /// Functionary (and layout key) names by key id, where the layout's
    /// keys or the key files name them.
    pub owners: crate::verdict::Owners,
}

pub use crate::graph::query::InspectionOutput;

impl Chain {
    /// The view of an in-toto graph (`graph::intoto::from_outcome`).
    pub fn from_graph(graph: SupplyGraph) -> Self {
        let root = graph.root.and_then(|r| match graph.node(r) {
            Some(Node::Layout(l)) => Some((**l).clone()),
            _ => None,
        });
        let layout_keys = graph.root.map_or_else(Vec::new, |r| {
            graph
                .edges(r, petgraph::Direction::Incoming)
                .into_iter()
                .filter(|(_, _, e)| matches!(e, Edge::Signs(_)))
                .filter_map(|(_, k, _)| match graph.node(k) {
                    Some(Node::Key(k)) => Some(k.keyid.clone()),
                    _ => None,
                })
                .collect()
        });
        let nodes = graph.items();
        let index: HashMap<NodeId, usize> = nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        let items: Vec<Item> = nodes.iter().filter_map(|&n| item(&graph, n)).collect();
        let flows = flows(&graph, &index);
        let failing =
            items.iter().enumerate().filter(|(i, item)| item.failing(&flows, *i)).map(|(i, _)| i).collect();
        let drawing = draw::draw(&graph, View::Chain);
        let (mut layers, mut lanes) = (vec![0; items.len()], vec![0; items.len()]);
        for p in &drawing.nodes {
            if let Some(&i) = index.get(&p.node) {
                layers[i] = p.layer;
                lanes[i] = p.lane;
            }
        }
        let artifacts = graph.artifact_paths();
        let broken_artifacts = broken_rows(&graph, &artifacts);
        Self {
            layout: root.as_ref().map(|l| l.path.clone()).unwrap_or_default(),
            expires: root.and_then(|l| l.expires),
            layout_keys,
            items,
            flows,
            artifacts,
            broken_artifacts,
            failing,
            layers,
            lanes,
            index,
            graph,
            outputs: HashMap::new(),
            owners: Default::default(),
        }
    }

    /// Keeps what the inspections that ran printed, by display name
    /// ([`crate::graph::query::inspection_output`]), for the Step view.
    pub fn with_inspection_output(mut self, outputs: HashMap<String, InspectionOutput>) -> Self {
        self.outputs = outputs;
        self
    }

    /// Names the keys of `owners` wherever a key id is shown.
    pub fn with_owners(mut self, owners: crate::verdict::Owners) -> Self {
        self.owners = owners;
        self
    }

    /// " (bob)" after a key id whose holder is named, else nothing.
    pub fn owner_suffix(&self, keyid: &str) -> String {
        self.owners.get(keyid).map(|o| format!(" ({o})")).unwrap_or_default()
    }

    /// What an inspection printed, when it ran.
    pub fn inspection_output(&self, item: &Item) -> Option<&InspectionOutput> {
        (item.kind == ItemKind::Inspection).then(|| self.outputs.get(&item.display_name())).flatten()
    }

    /// The item a subject is about (steps, inspections, rules, links).
    pub fn find(&self, subject: &Subject) -> Option<usize> {
        let by_name = |name: &str| self.items.iter().position(|i| i.name == name);
        match subject {
            Subject::Step { name } | Subject::Inspection { name } => by_name(name),
            Subject::Rule { step, .. } => by_name(step),
            Subject::Link { path } => self.items.iter().position(|i| {
                i.links.iter().any(|l| l.path == *path || path.ends_with(&format!("/{}", l.path)))
            }),
            _ => None,
        }
    }

    /// The row of an item node.
    pub fn row_of(&self, node: NodeId) -> Option<usize> {
        self.index.get(&node).copied()
    }

    /// How many artifact paths the chain recorded.
    pub fn artifact_count(&self) -> usize {
        self.artifacts.len()
    }

    /// The artifact path at `row` of the sorted list.
    pub fn artifact(&self, row: usize) -> Option<&str> {
        self.artifacts.get(row).map(|&s| self.graph.strings.resolve(s))
    }

    /// Every artifact path, sorted.
    pub fn artifact_paths(&self) -> impl Iterator<Item = &str> {
        self.artifacts.iter().map(|&s| self.graph.strings.resolve(s))
    }

    /// Row of an artifact path in the sorted list.
    pub fn artifact_row(&self, path: &str) -> Option<usize> {
        self.artifacts.binary_search_by(|&s| self.graph.strings.resolve(s).cmp(path)).ok()
    }

    /// Rows of the artifacts a rule failed on or could not consume.
    pub fn broken_artifacts(&self) -> &[usize] {
        &self.broken_artifacts
    }

    /// Where `path` was recorded, in chain order, with its digests, where
    /// they changed and where a rule broke on it.
    pub fn provenance(&self, path: &str) -> Provenance {
        self.graph.provenance(path)
    }

    /// The rows of the items that flow into / out of `item`.
    pub fn neighbours(&self, item: usize) -> BTreeSet<usize> {
        let Some(node) = self.items.get(item).map(|i| i.node) else { return BTreeSet::from([item]) };
        self.graph.neighbours(node).into_iter().filter_map(|n| self.row_of(n)).collect()
    }

    /// The rows shown under `f`: items that failed or take a broken flow.
    pub fn failing(&self) -> &[usize] {
        &self.failing
    }

    pub fn failed(&self) -> bool {
        self.items.iter().any(|i| i.status == ItemStatus::Fail)
    }
}

/// The view of one item node: its links and its artifact paths.
fn item(g: &SupplyGraph, node: NodeId) -> Option<Item> {
    let item = g.node(node)?.shared_item()?.clone();
    let mut links = Vec::new();
    let (mut material_paths, mut product_paths) = (Vec::new(), Vec::new());
    for (_, other, edge) in g.edges(node, petgraph::Direction::Incoming) {
        match (edge, g.node(other)) {
            (Edge::Records, Some(Node::Link(l))) => links.push((**l).clone()),
            (Edge::Consumes, Some(Node::Artifact(a))) => material_paths.push(g.strings.shared(a.path)),
            _ => {}
        }
    }
    for (_, other, edge) in g.edges(node, petgraph::Direction::Outgoing) {
        if let (Edge::Produces, Some(Node::Artifact(a))) = (edge, g.node(other)) {
            product_paths.push(g.strings.shared(a.path));
        }
    }
    Some(Item { node, item, links, material_paths, product_paths })
}

/// One flow per `matches` edge between two distinct items.
fn flows(g: &SupplyGraph, index: &HashMap<NodeId, usize>) -> Vec<Flow> {
    let mut out: Vec<Flow> = g
        .edges_of("matches")
        .into_iter()
        .filter_map(|(e, from, to)| {
            let Some(Edge::Matches(m)) = g.graph.edge_weight(e) else { return None };
            let (&from, &to) = (index.get(&from)?, index.get(&to)?);
            (from != to).then(|| Flow {
                from,
                to,
                side: m.to_side,
                rule: m.rule.clone(),
                evaluated: m.evaluated,
                broken: m.broken,
            })
        })
        .collect();
    // In the order of the rules' items, as the lane list reads them.
    out.sort_by_key(|f| f.to);
    out
}

/// Rows of `paths` with an artifact node a rule broke on.
fn broken_rows(g: &SupplyGraph, paths: &[Sym]) -> Vec<usize> {
    let mut broken: Vec<Sym> = g
        .graph
        .raw_nodes()
        .iter()
        .filter_map(|n| match &n.weight {
            Node::Artifact(a) if a.broken => Some(a.path),
            _ => None,
        })
        .collect();
    broken.sort_unstable();
    broken.dedup();
    let mut rows: Vec<usize> = broken
        .into_iter()
        .filter_map(|s| paths.binary_search_by(|&p| g.strings.resolve(p).cmp(g.strings.resolve(s))).ok())
        .collect();
    rows.sort_unstable();
    rows
}

/// The index of the first differing character of two digests, if any.
pub fn first_difference(a: &str, b: &str) -> Option<usize> {
    crate::tui::views::findings::first_difference(a, b)
}

/// The sha256 (else the first) digest of a hash dict.
pub fn main_digest(d: &HashDict) -> Option<(&str, std::borrow::Cow<'_, str>)> {
    d.get_key_value("sha256").or_else(|| d.iter().next())
}
