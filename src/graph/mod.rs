//! The supply-chain graph (DESIGN §2 `graph/`): one petgraph model over
//! in-toto layouts and links and TUF roles and targets, built from the
//! verifiers' results (never by reading the metadata again), for the TUI's
//! Chain and Artifact views, the `graph` command and the queries behind them.
//!
//! Nodes: [`Node::Layout`], [`Node::Step`], [`Node::Inspection`] (each
//! carrying the verifier's status and rule results), [`Node::Link`] (with
//! its signature state), [`Node::Artifact`] (one per path per step side,
//! carrying its digests), [`Node::Key`], [`Node::Role`], [`Node::Target`].
//! Edges: produces (step → product), consumes (material → step), matches
//! (one per MATCH rule, source item → rule's item, broken where the rule
//! could not consume what it matched), signs (key → link, layout or role,
//! valid or not), delegates (role → role), trusts (layout → key → step),
//! plus the structural records (link → step), contains (layout → item,
//! step → sublayout) and lists (role → target).
//!
//! Scale: artifact paths are interned, artifact nodes are small and inline
//! (their digests stay in the verifier's recorded artifacts, which the item
//! node shares), and every edge is built per rule or per artifact, never per
//! pair of artifacts — 3 steps × 100,000 artifacts is 600,000 artifact nodes
//! and as many edges.
//!
//! Modules: [`intoto`], [`tuf`] and [`attest`] build graphs, [`query`] answers the
//! views' questions, [`draw`] lays a graph out in layers and lanes (plain
//! coordinates), [`export`] writes DOT, Mermaid and JSON.

pub mod attest;
pub mod draw;
pub mod export;
pub mod intoto;
pub mod query;
pub mod tuf;

use std::collections::HashMap;
use std::sync::Arc;

use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use serde_json::Value;

use crate::intoto::LinkStatus;
use crate::intoto::engine::{RuleResult, SectionResult};
use crate::verdict::Verdict;
use crate::verdict::category::Category;

/// A node of the graph.
pub type NodeId = NodeIndex<u32>;
/// An edge of the graph.
pub type EdgeId = EdgeIndex<u32>;

/// An interned string (an artifact path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(u32);

/// Interns strings: each distinct string is stored once.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: HashMap<Arc<str>, Sym>,
    strs: Vec<Arc<str>>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = Sym(u32::try_from(self.strs.len()).unwrap_or(u32::MAX));
        let arc: Arc<str> = Arc::from(s);
        self.strs.push(arc.clone());
        self.ids.insert(arc, id);
        id
    }

    pub fn get(&self, s: &str) -> Option<Sym> {
        self.ids.get(s).copied()
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        self.strs.get(sym.0 as usize).map(|s| &**s).unwrap_or("")
    }

    /// The interned string itself, shared (a view's index of paths holds
    /// these instead of copies).
    pub fn shared(&self, sym: Sym) -> Arc<str> {
        self.strs.get(sym.0 as usize).cloned().unwrap_or_else(|| Arc::from(""))
    }
}

impl PartialEq for Interner {
    fn eq(&self, other: &Self) -> bool {
        self.strs == other.strs
    }
}

/// Which artifact set of a step or inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Materials,
    Products,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Materials => "materials",
            Side::Products => "products",
        }
    }
}

/// A layout (the root layout, or a sublayout delivered as a link).
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutNode {
    pub path: String,
    pub expires: Option<String>,
    /// Steps delegating to this layout (empty for the root layout).
    pub scope: Vec<String>,
}

/// Which kind of item of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Step,
    Inspection,
}

impl ItemKind {
    pub fn word(self) -> &'static str {
        match self {
            ItemKind::Step => "step",
            ItemKind::Inspection => "inspection",
        }
    }
}

/// Where an item stands after verification (glyph and word, never colour
/// alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemStatus {
    Pass,
    Warn,
    /// Rules not evaluated (inspection not run, step without a usable link).
    Skipped,
    Fail,
}

impl ItemStatus {
    pub fn glyph_word(self) -> (&'static str, &'static str) {
        match self {
            ItemStatus::Pass => ("✔", "pass"),
            ItemStatus::Warn => ("⚠", "warn"),
            ItemStatus::Skipped => ("–", "skipped"),
            ItemStatus::Fail => ("✘", "fail"),
        }
    }

    pub fn word(self) -> &'static str {
        self.glyph_word().1
    }
}

/// A step or an inspection of a layout, as the verifier left it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemNode {
    pub kind: ItemKind,
    pub name: String,
    /// The delegating steps above its (sub)layout; empty in the root layout.
    pub scope: Vec<String>,
    pub status: ItemStatus,
    /// Steps: how many functionaries must agree. Inspections: 0.
    pub threshold: i64,
    /// Steps: the functionary key ids authorized to sign its links.
    pub pubkeys: Vec<String>,
    /// Steps: the expected command. Inspections: `run`.
    pub command: Vec<Value>,
    /// The rule texts of `expected_materials`, in order.
    pub material_rules: Vec<String>,
    /// The rule texts of `expected_products`, in order.
    pub product_rules: Vec<String>,
    /// Key ids whose links counted towards the threshold.
    pub verified: Vec<String>,
    /// The key id of the link whose artifacts the rules used.
    pub used_link: Option<String>,
    /// The evaluated rules with their traces, per section (`None` when the
    /// rules were not evaluated).
    pub materials: Option<SectionResult>,
    pub products: Option<SectionResult>,
    /// Why the rules were not evaluated, when they were not.
    pub not_evaluated: Option<String>,
    /// Inspections: whether it ran, and how it ended.
    pub ran: Option<String>,
}

impl ItemNode {
    /// The rule texts of one section.
    pub fn rule_texts(&self, side: Side) -> &[String] {
        match side {
            Side::Materials => &self.material_rules,
            Side::Products => &self.product_rules,
        }
    }

    /// Both sections' evaluated rules, materials first, with their section.
    pub fn rules(&self) -> impl Iterator<Item = (&SectionResult, &RuleResult)> {
        self.materials.iter().chain(self.products.iter()).flat_map(|s| s.rules.iter().map(move |r| (s, r)))
    }

    pub fn rule_count(&self) -> usize {
        self.rules().count()
    }

    /// The artifacts of one side of the link the rules were evaluated over.
    pub fn recorded(&self, side: Side) -> Option<&crate::intoto::model::Artifacts> {
        let section = self.materials.as_ref().or(self.products.as_ref())?;
        Some(match side {
            Side::Materials => &section.materials,
            Side::Products => &section.products,
        })
    }

    /// "package" or "sub › package" for items inside a sublayout.
    pub fn display_name(&self) -> String {
        if self.scope.is_empty() {
            self.name.clone()
        } else {
            format!("{} › {}", self.scope.join(" › "), self.name)
        }
    }
}

/// One link file a step's authorized key could have written.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkNode {
    pub path: String,
    pub step: String,
    /// The authorized key id whose prefix names the file.
    pub keyid: String,
    /// What the verifier found: missing, malformed, unauthorized, a bad
    /// signature (and why) or verified.
    pub status: LinkStatus,
    /// The link's artifacts are the ones the step's rules use.
    pub used: bool,
    /// The command the link recorded.
    pub command: Option<Vec<Value>>,
    /// The file is a sublayout.
    pub sublayout: bool,
}

/// The word for a link's status (`graph` exports, the views).
pub fn link_word(status: &LinkStatus) -> &'static str {
    match status {
        LinkStatus::Verified => "signed",
        LinkStatus::BadSignature(_) => "bad-signature",
        LinkStatus::Unauthorized => "unauthorized",
        LinkStatus::Malformed(_) => "malformed",
        LinkStatus::Missing => "missing",
    }
}

/// One path on one side of one step or inspection; its digests are the
/// item's recorded ones ([`SupplyGraph::digests`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactNode {
    /// The step or inspection.
    pub item: NodeId,
    pub side: Side,
    /// A rule of this item's side failed on it or could not consume it.
    pub broken: bool,
    pub path: Sym,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyNode {
    pub keyid: String,
    pub keytype: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoleNode {
    pub name: String,
    /// `None` when the role is delegated but its metadata was not loaded.
    pub version: Option<u64>,
    pub threshold: u64,
    pub expires: Option<String>,
    /// Loaded and trusted (its signatures met the threshold).
    pub trusted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetNode {
    pub path: String,
    pub length: u64,
    pub hashes: Vec<(String, String)>,
}

/// A node: boxed except for artifacts, which are the many.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Layout(Box<LayoutNode>),
    /// Shared, so that a view can hold the item without copying it.
    Step(Arc<ItemNode>),
    Inspection(Arc<ItemNode>),
    Link(Box<LinkNode>),
    Artifact(ArtifactNode),
    Key(Box<KeyNode>),
    Role(Box<RoleNode>),
    Target(Box<TargetNode>),
}

impl Node {
    /// The kind as exported (`step`, `artifact`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Layout(_) => "layout",
            Node::Step(_) => "step",
            Node::Inspection(_) => "inspection",
            Node::Link(_) => "link",
            Node::Artifact(_) => "artifact",
            Node::Key(_) => "key",
            Node::Role(_) => "role",
            Node::Target(_) => "target",
        }
    }

    /// A step or an inspection.
    pub fn item(&self) -> Option<&ItemNode> {
        self.shared_item().map(|i| &**i)
    }

    pub fn shared_item(&self) -> Option<&Arc<ItemNode>> {
        match self {
            Node::Step(i) | Node::Inspection(i) => Some(i),
            _ => None,
        }
    }

    /// The node of an item, by its kind.
    pub fn from_item(item: ItemNode) -> Self {
        match item.kind {
            ItemKind::Step => Node::Step(Arc::new(item)),
            ItemKind::Inspection => Node::Inspection(Arc::new(item)),
        }
    }
}

/// A MATCH rule: artifacts of `from_side` of the source item (the rule's
/// `FROM`) must match artifacts of `to_side` of the item whose rule it is.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchEdge {
    /// The rule as written (upper-case keyword, elements joined by spaces).
    pub rule: String,
    /// The section the rule is in (its item's side).
    pub to_side: Side,
    /// `WITH MATERIALS|PRODUCTS`: the source item's side.
    pub from_side: Side,
    /// Index of the rule in its section.
    pub index: usize,
    /// The rule was evaluated (the item had a link, the inspection ran).
    pub evaluated: bool,
    /// The rule matched artifacts it could not consume (digest differs, or
    /// missing at the source), or does not parse.
    pub broken: bool,
}

/// A TUF delegation: `from` delegates (part of) its trust to `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct DelegationEdge {
    pub threshold: u64,
    /// Path patterns, or `hash-prefix:` entries; empty for top-level roles.
    pub paths: Vec<String>,
    pub terminating: bool,
    /// Position in the delegator's list (the search order).
    pub order: usize,
}

/// Whether a key's signature on a document counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignState {
    Valid,
    Invalid,
    /// The key is authorized but the document carries no signature by it.
    Missing,
}

impl SignState {
    pub fn word(self) -> &'static str {
        match self {
            SignState::Valid => "valid",
            SignState::Invalid => "invalid",
            SignState::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Edge {
    /// Step or inspection → one of its products.
    Produces,
    /// One of its materials → step or inspection.
    Consumes,
    Matches(Box<MatchEdge>),
    /// Key → link, layout or role metadata.
    Signs(SignState),
    Delegates(Box<DelegationEdge>),
    /// Layout → functionary key, key → step it may sign for.
    Trusts,
    /// Link → the step it is evidence for.
    Records,
    /// Layout → step or inspection; step → sublayout.
    Contains,
    /// Targets role → target it lists.
    Lists,
}

impl Edge {
    pub fn kind(&self) -> &'static str {
        match self {
            Edge::Produces => "produces",
            Edge::Consumes => "consumes",
            Edge::Matches(_) => "matches",
            Edge::Signs(_) => "signs",
            Edge::Delegates(_) => "delegates",
            Edge::Trusts => "trusts",
            Edge::Records => "records",
            Edge::Contains => "contains",
            Edge::Lists => "lists",
        }
    }
}

/// Which metadata a graph was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphKind {
    InToto,
    Tuf,
    /// An attestation's provenance (materials → build → subjects).
    Attestation,
}

impl GraphKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GraphKind::InToto => "in-toto",
            GraphKind::Tuf => "tuf",
            GraphKind::Attestation => "attestation",
        }
    }
}

/// The graph with its indexes.
#[derive(Debug, Clone)]
pub struct SupplyGraph {
    pub kind: GraphKind,
    pub graph: DiGraph<Node, Edge, u32>,
    pub strings: Interner,
    /// The verdict of the verification the graph was built from.
    pub verdict: Option<Verdict>,
    /// Its category (`pass`, or the reference-order first failure's).
    pub category: Option<Category>,
    /// Steps and inspections by (scope, name).
    items: HashMap<(Vec<String>, String), NodeId>,
    links: HashMap<String, NodeId>,
    keys: HashMap<String, NodeId>,
    roles: HashMap<String, NodeId>,
    targets: HashMap<String, NodeId>,
    /// Artifact nodes by path (indexed by [`Sym`]), in insertion order.
    artifacts: Vec<Vec<NodeId>>,
    /// The root layout (in-toto).
    pub root: Option<NodeId>,
}

impl SupplyGraph {
    pub fn new(kind: GraphKind) -> Self {
        Self {
            kind,
            graph: DiGraph::default(),
            strings: Interner::default(),
            verdict: None,
            category: None,
            items: HashMap::new(),
            links: HashMap::new(),
            keys: HashMap::new(),
            roles: HashMap::new(),
            targets: HashMap::new(),
            artifacts: Vec::new(),
            root: None,
        }
    }

    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.graph.node_weight(id)
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Every node of one kind, in insertion order.
    pub fn nodes_of(&self, kind: &str) -> Vec<NodeId> {
        self.graph.node_indices().filter(|&n| self.graph[n].kind() == kind).collect()
    }

    /// Every edge of one kind: (edge, from, to), in insertion order.
    pub fn edges_of(&self, kind: &str) -> Vec<(EdgeId, NodeId, NodeId)> {
        self.graph
            .edge_references()
            .filter(|e| e.weight().kind() == kind)
            .map(|e| (e.id(), e.source(), e.target()))
            .collect()
    }

    /// A step or inspection of the root layout by name.
    pub fn item(&self, name: &str) -> Option<NodeId> {
        self.item_in(&[], name)
    }

    /// A step or inspection of the (sub)layout below `scope`.
    pub fn item_in(&self, scope: &[String], name: &str) -> Option<NodeId> {
        self.items.get(&(scope.to_vec(), name.to_owned())).copied()
    }

    /// Every step and inspection, in layout order (a sublayout's items right
    /// after the step that delegates to it).
    pub fn items(&self) -> Vec<NodeId> {
        self.graph.node_indices().filter(|&n| self.graph[n].item().is_some()).collect()
    }

    pub fn link(&self, path: &str) -> Option<NodeId> {
        self.links.get(path).copied()
    }

    pub fn key(&self, keyid: &str) -> Option<NodeId> {
        self.keys.get(keyid).copied()
    }

    pub fn role(&self, name: &str) -> Option<NodeId> {
        self.roles.get(name).copied()
    }

    pub fn target(&self, path: &str) -> Option<NodeId> {
        self.targets.get(path).copied()
    }

    /// Artifact nodes of `path`, one per step side that records it.
    pub fn artifacts_at(&self, path: &str) -> &[NodeId] {
        self.strings
            .get(path)
            .and_then(|s| self.artifacts.get(s.0 as usize))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The artifact of `path` on `side` of item `item`.
    pub fn artifact(&self, item: NodeId, side: Side, path: &str) -> Option<NodeId> {
        self.artifacts_at(path)
            .iter()
            .copied()
            .find(|&a| matches!(&self.graph[a], Node::Artifact(n) if n.item == item && n.side == side))
    }

    /// Edges out of (`Outgoing`) or into (`Incoming`) `node`, in insertion order.
    pub fn edges(&self, node: NodeId, dir: Direction) -> Vec<(EdgeId, NodeId, &Edge)> {
        let mut out: Vec<(EdgeId, NodeId, &Edge)> = self
            .graph
            .edges_directed(node, dir)
            .map(|e| (e.id(), if dir == Direction::Outgoing { e.target() } else { e.source() }, e.weight()))
            .collect();
        out.sort_by_key(|(e, _, _)| *e);
        out
    }

    /// A short human label for a node (for DOT, Mermaid, the views).
    pub fn label(&self, id: NodeId) -> String {
        match &self.graph[id] {
            Node::Layout(l) => format!("layout {}", l.path),
            Node::Step(i) | Node::Inspection(i) => {
                let (glyph, word) = i.status.glyph_word();
                format!("{} {} {glyph} {word}", i.kind.word(), i.display_name())
            }
            Node::Link(l) => format!("link {}", file_name(&l.path)),
            Node::Artifact(a) => format!("{} {}", a.side.as_str(), self.strings.resolve(a.path)),
            Node::Key(k) => format!("key {}", short(&k.keyid)),
            Node::Role(r) => format!("role {}", r.name),
            Node::Target(t) => format!("target {}", t.path),
        }
    }

    // --- construction, for the builders -------------------------------------

    pub(crate) fn add(&mut self, node: Node) -> NodeId {
        let item_key = node.item().map(|i| (i.scope.clone(), i.name.clone()));
        let index_key = match &node {
            Node::Link(l) => Some((1, l.path.clone())),
            Node::Key(k) => Some((2, k.keyid.clone())),
            Node::Role(r) => Some((3, r.name.clone())),
            Node::Target(t) => Some((4, t.path.clone())),
            _ => None,
        };
        let artifact_path = match &node {
            Node::Artifact(a) => Some(a.path),
            _ => None,
        };
        let id = self.graph.add_node(node);
        if let Some(Sym(p)) = artifact_path {
            let p = p as usize;
            if self.artifacts.len() <= p {
                self.artifacts.resize_with(p + 1, Vec::new);
            }
            if let Some(nodes) = self.artifacts.get_mut(p) {
                nodes.push(id);
            }
        }
        if let Some(key) = item_key {
            self.items.entry(key).or_insert(id);
        }
        if let Some((which, key)) = index_key {
            let map = match which {
                1 => &mut self.links,
                2 => &mut self.keys,
                3 => &mut self.roles,
                _ => &mut self.targets,
            };
            map.entry(key).or_insert(id);
        }
        id
    }

    /// The key node for `keyid`, added once.
    pub(crate) fn key_node(&mut self, keyid: &str, keytype: Option<String>) -> NodeId {
        match self.key(keyid) {
            Some(k) => k,
            None => self.add(Node::Key(Box::new(KeyNode { keyid: keyid.to_owned(), keytype }))),
        }
    }

    pub(crate) fn connect(&mut self, from: NodeId, to: NodeId, edge: Edge) -> EdgeId {
        self.graph.add_edge(from, to, edge)
    }

    /// Adds an artifact node for `path` on `side` of `item`, with its edge.
    pub(crate) fn add_artifact(&mut self, item: NodeId, side: Side, path: &str) -> NodeId {
        let path = self.strings.intern(path);
        let id = self.add(Node::Artifact(ArtifactNode { item, side, broken: false, path }));
        match side {
            Side::Products => self.connect(item, id, Edge::Produces),
            Side::Materials => self.connect(id, item, Edge::Consumes),
        };
        id
    }

    /// The digests of an artifact node, (algorithm, hex digest) sorted by
    /// algorithm: what its item recorded for it.
    pub fn digests(&self, artifact: &ArtifactNode) -> Vec<(String, String)> {
        let recorded = self.node(artifact.item).and_then(Node::item).and_then(|i| i.recorded(artifact.side));
        let Some(hashes) = recorded.and_then(|r| r.get(self.strings.resolve(artifact.path))) else {
            return Vec::new();
        };
        let mut out: Vec<(String, String)> =
            hashes.iter().map(|(a, h)| (a.to_owned(), h.into_owned())).collect();
        out.sort();
        out
    }

    /// Every artifact path any item recorded, sorted by the path's text.
    pub fn artifact_paths(&self) -> Vec<Sym> {
        let mut paths: Vec<Sym> = (0..self.artifacts.len())
            .filter(|&i| self.artifacts.get(i).is_some_and(|a| !a.is_empty()))
            .map(|i| Sym(u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        paths.sort_unstable_by(|a, b| self.strings.resolve(*a).cmp(self.strings.resolve(*b)));
        paths
    }
}

/// Two graphs are equal when they hold the same nodes and edges in the
/// same order (the indexes follow from those).
impl PartialEq for SupplyGraph {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.graph, &other.graph);
        self.kind == other.kind
            && self.verdict == other.verdict
            && self.category == other.category
            && self.root == other.root
            && self.strings == other.strings
            && a.raw_nodes().len() == b.raw_nodes().len()
            && a.raw_nodes().iter().zip(b.raw_nodes()).all(|(x, y)| x.weight == y.weight)
            && a.raw_edges().len() == b.raw_edges().len()
            && a.raw_edges()
                .iter()
                .zip(b.raw_edges())
                .all(|(x, y)| (x.source(), x.target()) == (y.source(), y.target()) && x.weight == y.weight)
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The first 8 characters of a key id.
pub fn short(keyid: &str) -> &str {
    keyid.get(..8).unwrap_or(keyid)
}
