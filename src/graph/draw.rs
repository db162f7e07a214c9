//! A layout for drawing (research/tui.md §3): nodes in **layers** (the
//! longest path from a source, so every edge points down) and **lanes**
//! (the position within a layer, ordered by the barycenter of the
//! neighbours in the layer above to reduce crossings). Plain coordinates
//! only; the TUI paints them.
//!
//! Two views: [`View::Chain`] (steps and inspections, one edge per pair of
//! items connected by MATCH rules, labelled with how many) and
//! [`View::Trust`] (TUF roles and their delegations).

use std::collections::BTreeMap;

use super::{Edge, Node, NodeId, SupplyGraph};

/// Which part of the graph to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Steps and inspections, edges from MATCH rules.
    Chain,
    /// Roles, edges from delegations.
    Trust,
}

/// A node's place: `layer` counts down from the sources, `lane` across.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub node: NodeId,
    pub layer: usize,
    pub lane: usize,
}

/// An edge of the drawing, between indices into [`Drawing::nodes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawEdge {
    pub from: usize,
    pub to: usize,
    /// How many graph edges it stands for (MATCH rules between two items).
    pub count: usize,
    /// The edge points up or sideways (a cycle, or a self loop).
    pub back: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drawing {
    pub nodes: Vec<Placed>,
    pub edges: Vec<DrawEdge>,
    pub layers: usize,
    /// The widest layer.
    pub lanes: usize,
}

impl Drawing {
    /// Where `node` is, if it is drawn.
    pub fn position(&self, node: NodeId) -> Option<Placed> {
        self.nodes.iter().find(|p| p.node == node).copied()
    }
}

/// Lays out one view of `g`.
pub fn draw(g: &SupplyGraph, view: View) -> Drawing {
    let nodes: Vec<NodeId> = g
        .graph
        .node_indices()
        .filter(|&n| {
            matches!(
                (&g.graph[n], view),
                (Node::Step(_) | Node::Inspection(_), View::Chain) | (Node::Role(_), View::Trust)
            )
        })
        .collect();
    let index: BTreeMap<NodeId, usize> = nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let mut counts: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for e in g.graph.raw_edges() {
        let wanted =
            matches!((&e.weight, view), (Edge::Matches(_), View::Chain) | (Edge::Delegates(_), View::Trust));
        if let (true, Some(&a), Some(&b)) = (wanted, index.get(&e.source()), index.get(&e.target())) {
            *counts.entry((a, b)).or_default() += 1;
        }
    }
    let pairs: Vec<(usize, usize)> = counts.keys().copied().collect();
    let (layer, lane) = layered(nodes.len(), &pairs);
    let placed: Vec<Placed> = nodes
        .iter()
        .enumerate()
        .map(|(i, &node)| Placed {
            node,
            layer: layer.get(i).copied().unwrap_or(0),
            lane: lane.get(i).copied().unwrap_or(0),
        })
        .collect();
    let edges = counts
        .into_iter()
        .map(|((from, to), count)| {
            let back = layer.get(to) <= layer.get(from);
            DrawEdge { from, to, count, back }
        })
        .collect();
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut widths = vec![0usize; layers];
    for &l in &layer {
        if let Some(w) = widths.get_mut(l) {
            *w += 1;
        }
    }
    Drawing { nodes: placed, edges, layers, lanes: widths.into_iter().max().unwrap_or(0) }
}

/// Layers by longest path from the sources (edges inside a cycle are
/// ignored for layering: a node whose predecessors never all finish takes
/// the layer after those that did), then lanes by two barycenter sweeps.
/// Returns (layer, lane) per node, deterministic for equal input.
pub fn layered(n: usize, edges: &[(usize, usize)]) -> (Vec<usize>, Vec<usize>) {
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for &(a, b) in edges {
        if a == b || a >= n || b >= n {
            continue;
        }
        succs[a].push(b);
        preds[b].push(a);
        indegree[b] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut done = vec![false; n];
    let mut ready: std::collections::VecDeque<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut remaining = n;
    while remaining > 0 {
        let Some(i) = ready.pop_front().or_else(|| (0..n).find(|&i| !done[i])) else { break };
        if done[i] {
            continue;
        }
        done[i] = true;
        remaining -= 1;
        layer[i] = preds[i].iter().filter(|&&p| done[p] && p != i).map(|&p| layer[p] + 1).max().unwrap_or(0);
        for &s in &succs[i] {
            indegree[s] = indegree[s].saturating_sub(1);
            if indegree[s] == 0 && !done[s] {
                ready.push_back(s);
            }
        }
    }
    // A node placed before one of its predecessors (cycle) stays put; fix
    // forward edges once more so that every acyclic edge points down.
    for _ in 0..n.min(64) {
        let mut moved = false;
        for &(a, b) in edges {
            if a != b && a < n && b < n && layer[b] <= layer[a] && !reaches(&succs, b, a) {
                layer[b] = layer[a] + 1;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    let lanes = order_lanes(n, &layer, &preds, &succs);
    (layer, lanes)
}

/// Whether `to` is reachable from `from`.
fn reaches(succs: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; succs.len()];
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        if i == to {
            return true;
        }
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        stack.extend(succs[i].iter().copied());
    }
    false
}

fn order_lanes(n: usize, layer: &[usize], preds: &[Vec<usize>], succs: &[Vec<usize>]) -> Vec<usize> {
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for i in 0..n {
        rows[layer[i]].push(i);
    }
    let mut lane = vec![0usize; n];
    let set_lanes = |rows: &Vec<Vec<usize>>, lane: &mut Vec<usize>| {
        for row in rows {
            for (k, &i) in row.iter().enumerate() {
                lane[i] = k;
            }
        }
    };
    set_lanes(&rows, &mut lane);
    let sweep = |rows: &mut Vec<Vec<usize>>, lane: &mut Vec<usize>, down: bool| {
        let order: Vec<usize> =
            if down { (1..layers).collect() } else { (0..layers.saturating_sub(1)).rev().collect() };
        for l in order {
            let nbrs = if down { preds } else { succs };
            let mut keyed: Vec<(u64, usize, usize)> = rows[l]
                .iter()
                .enumerate()
                .map(|(k, &i)| {
                    let adj: Vec<usize> = nbrs[i].iter().map(|&j| lane[j]).collect();
                    // Barycenter ×1000 as an integer, so the sort is total and stable.
                    let bary = if adj.is_empty() {
                        (k as u64) * 1000
                    } else {
                        (adj.iter().sum::<usize>() as u64 * 1000) / adj.len() as u64
                    };
                    (bary, k, i)
                })
                .collect();
            keyed.sort();
            rows[l] = keyed.into_iter().map(|(_, _, i)| i).collect();
            for (k, &i) in rows[l].iter().enumerate() {
                lane[i] = k;
            }
        }
    };
    sweep(&mut rows, &mut lane, true);
    sweep(&mut rows, &mut lane, false);
    lane
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_gets_one_layer_per_step() {
        let (layer, lane) = layered(3, &[(0, 1), (1, 2)]);
        assert_eq!(layer, vec![0, 1, 2]);
        assert_eq!(lane, vec![0, 0, 0]);
    }

    #[test]
    fn longest_path_decides_the_layer() {
        // 0 → 1 → 2 and 0 → 2: node 2 sits below node 1.
        let (layer, _) = layered(3, &[(0, 1), (1, 2), (0, 2)]);
        assert_eq!(layer, vec![0, 1, 2]);
    }

    #[test]
    fn a_diamond_puts_the_middle_side_by_side() {
        let (layer, lane) = layered(4, &[(0, 1), (0, 2), (1, 3), (2, 3)]);
        assert_eq!(layer, vec![0, 1, 1, 2]);
        assert_ne!(lane[1], lane[2]);
    }

    #[test]
    fn cycles_and_self_loops_terminate() {
        let (layer, _) = layered(3, &[(0, 1), (1, 0), (2, 2), (1, 2)]);
        assert_eq!(layer.len(), 3);
        assert!(layer[2] > layer[1]);
    }
}
