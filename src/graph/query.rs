//! The questions the views ask of a [`SupplyGraph`]: where an artifact has
//! been and where its digest changed, which items a step exchanges
//! artifacts with, which steps and rules a metadata file feeds, and which
//! chain of delegations leads to a TUF target. (Which
//! engine units a file change invalidates is asked of the engine's plan:
//! `engine::plans::invalidated_by`.)

use std::collections::{BTreeSet, HashSet};

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::{Edge, Node, NodeId, Side, SupplyGraph};

/// Deepest delegation chain [`SupplyGraph::delegation_path`] follows.
const MAX_DEPTH: usize = 256;

/// One sighting of an artifact: on one side of one step or inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub artifact: NodeId,
    pub item: NodeId,
    pub item_name: String,
    pub side: Side,
    /// (algorithm, hex digest), sorted by algorithm.
    pub digests: Vec<(String, String)>,
    /// The digests differ from the previous observation's.
    pub changed: bool,
    /// A rule of this step side failed on it or could not consume it.
    pub broken: bool,
}

/// Every step side an artifact path passed through, in chain order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub path: String,
    pub observations: Vec<Observation>,
}

impl Provenance {
    /// The observations where the digest changed.
    pub fn changes(&self) -> impl Iterator<Item = &Observation> {
        self.observations.iter().filter(|o| o.changed)
    }

    /// Whether a rule failed on the artifact or could not consume it anywhere.
    pub fn broken(&self) -> bool {
        self.observations.iter().any(|o| o.broken)
    }
}

/// A rule of a step or inspection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleRef {
    pub item: String,
    pub side: Side,
    pub index: usize,
    pub text: String,
}

/// What a metadata file feeds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feeds {
    /// Steps and inspections whose verification reads the file.
    pub items: Vec<String>,
    /// Rules evaluated over the file's artifacts: the item's own rules and
    /// every MATCH rule naming the item.
    pub rules: Vec<RuleRef>,
}

impl SupplyGraph {
    /// Where artifact `path` was seen: every step and inspection side that
    /// records it, in layout order (materials before products), with its
    /// digests and whether they changed since the sighting before.
    pub fn provenance(&self, path: &str) -> Provenance {
        let mut arts: Vec<NodeId> = self.artifacts_at(path).to_vec();
        arts.sort_by_key(|&a| match &self.graph[a] {
            Node::Artifact(n) => (n.item, n.side),
            _ => (a, Side::Products),
        });
        let mut observations: Vec<Observation> = Vec::with_capacity(arts.len());
        for a in arts {
            let Node::Artifact(n) = &self.graph[a] else { continue };
            let digests = self.digests(n);
            let changed = observations.last().is_some_and(|prev| prev.digests != digests);
            let item_name = self.graph[n.item].item().map(|i| i.name.clone()).unwrap_or_default();
            observations.push(Observation {
                artifact: a,
                item: n.item,
                item_name,
                side: n.side,
                digests,
                changed,
                broken: n.broken,
            });
        }
        Provenance { path: path.to_owned(), observations }
    }

    /// `item` and the items it exchanges artifacts with: the sources of its
    /// MATCH rules and the items whose MATCH rules name it.
    pub fn neighbours(&self, item: NodeId) -> BTreeSet<NodeId> {
        let mut out = BTreeSet::from([item]);
        for dir in [Direction::Outgoing, Direction::Incoming] {
            for e in self.graph.edges_directed(item, dir) {
                if matches!(e.weight(), Edge::Matches(_)) {
                    out.insert(if dir == Direction::Outgoing { e.target() } else { e.source() });
                }
            }
        }
        out
    }

    /// The steps and rules a file feeds: a link file feeds its step and the
    /// rules over its artifacts; the layout feeds everything.
    pub fn feeds(&self, file: &str) -> Feeds {
        let mut items: Vec<NodeId> = Vec::new();
        if let Some(l) = self.link(file) {
            items.extend(
                self.edges(l, Direction::Outgoing)
                    .into_iter()
                    .filter_map(|(_, to, e)| matches!(e, Edge::Records).then_some(to)),
            );
        } else if self.root.is_some_and(|r| matches!(&self.graph[r], Node::Layout(l) if l.path == file)) {
            items = self.nodes_of("step");
            items.extend(self.nodes_of("inspection"));
        }
        let mut rules: Vec<RuleRef> = Vec::new();
        let mut seen: HashSet<NodeId> = items.iter().copied().collect();
        for &item in &items {
            let Some(i) = self.graph[item].item() else { continue };
            for side in [Side::Materials, Side::Products] {
                for (index, text) in i.rule_texts(side).iter().enumerate() {
                    rules.push(RuleRef { item: i.name.clone(), side, index, text: text.clone() });
                }
            }
        }
        for &item in &items.clone() {
            for (_, to, e) in self.edges(item, Direction::Outgoing) {
                let Edge::Matches(m) = e else { continue };
                let Some(i) = self.graph[to].item() else { continue };
                rules.push(RuleRef {
                    item: i.name.clone(),
                    side: m.to_side,
                    index: m.index,
                    text: m.rule.clone(),
                });
                if seen.insert(to) {
                    items.push(to);
                }
            }
        }
        rules.sort();
        rules.dedup();
        let names = items.iter().filter_map(|&n| self.graph[n].item().map(|i| i.name.clone())).collect();
        Feeds { items: names, rules }
    }

    /// The delegation chain from `root` to the first role (in the client's
    /// search order: depth first, delegations in listed order) that lists
    /// `target`; `None` when no trusted role lists it.
    pub fn delegation_path(&self, target: &str) -> Option<Vec<String>> {
        let t = self.target(target)?;
        let listers: HashSet<NodeId> = self
            .edges(t, Direction::Incoming)
            .into_iter()
            .filter_map(|(_, from, e)| matches!(e, Edge::Lists).then_some(from))
            .collect();
        let start = self.role("targets")?;
        let mut seen = HashSet::new();
        let mut path = vec![start];
        if self.search(start, &listers, &mut seen, &mut path) {
            let mut names = vec!["root".to_owned()];
            names.extend(path.iter().filter_map(|&n| match &self.graph[n] {
                Node::Role(r) => Some(r.name.clone()),
                _ => None,
            }));
            return Some(names);
        }
        None
    }

    fn search(
        &self,
        at: NodeId,
        listers: &HashSet<NodeId>,
        seen: &mut HashSet<NodeId>,
        path: &mut Vec<NodeId>,
    ) -> bool {
        // Bounded like the client's search (DESIGN §9: hostile delegation chains).
        if !seen.insert(at) || path.len() > MAX_DEPTH {
            return false;
        }
        if listers.contains(&at) {
            return true;
        }
        let mut next: Vec<(usize, NodeId)> = self
            .edges(at, Direction::Outgoing)
            .into_iter()
            .filter_map(|(_, to, e)| match e {
                Edge::Delegates(d) => Some((d.order, to)),
                _ => None,
            })
            .collect();
        next.sort();
        for (_, to) in next {
            path.push(to);
            if self.search(to, listers, seen, path) {
                return true;
            }
            path.pop();
        }
        false
    }
}

/// What an inspection printed, as captured (the runner bounds it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionOutput {
    pub stdout: String,
    pub stderr: String,
}

/// What each inspection that ran printed — the layout's and its
/// sublayouts' — by display name (`scope › name`, as the chain's items).
pub fn inspection_output(
    layout: &crate::intoto::trace::LayoutTrace,
) -> std::collections::HashMap<String, InspectionOutput> {
    fn walk(
        l: &crate::intoto::trace::LayoutTrace,
        out: &mut std::collections::HashMap<String, InspectionOutput>,
    ) {
        for i in &l.inspections {
            if let Some(run) = &i.execution {
                let name =
                    l.scope.iter().chain(std::iter::once(&i.name)).cloned().collect::<Vec<_>>().join(" › ");
                out.insert(name, InspectionOutput { stdout: run.stdout.clone(), stderr: run.stderr.clone() });
            }
        }
        for s in &l.steps {
            for sub in &s.sublayouts {
                walk(sub, out);
            }
        }
    }
    let mut out = std::collections::HashMap::new();
    walk(layout, &mut out);
    out
}
