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

/// Which way a routed drawing ([`route`]) runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Layers are columns, left to right; a node is one row high.
    LeftRight,
    /// Layers are rows, top to bottom; a layer's nodes side by side.
    TopDown,
}

/// A node to place: its layer and lane (from [`layered`]) and its label's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridNode {
    pub layer: usize,
    pub lane: usize,
    pub width: usize,
}

/// An edge to route, between indices of the node list. Where edges share a
/// cell, the one of higher `weight` gives the cell its look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridEdge {
    pub from: usize,
    pub to: usize,
    pub weight: u8,
}

/// Directions a line leaves a cell by.
pub const UP: u8 = 1;
pub const DOWN: u8 = 2;
pub const LEFT: u8 = 4;
pub const RIGHT: u8 = 8;

/// One cell of a routed drawing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GridCell {
    /// Directions of the lines through it ([`UP`] | [`DOWN`] | …).
    pub mask: u8,
    /// The heaviest edge through it.
    pub weight: u8,
    /// An arrowhead into the node after it (right of it, or below it).
    pub arrow: bool,
    /// Part of a node's label: no line is ever drawn here.
    pub node: bool,
}

/// Nodes placed and edges routed on a grid of cells, orthogonally, so that
/// no edge runs through a node: edges between neighbouring layers turn in
/// the gap between them, each on its own track; edges that skip layers (or
/// point back) leave into the gap after their source, run along a channel of
/// their own outside every node (below them left to right, beside them top
/// down) and come back in through the gap before their target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grid {
    pub width: usize,
    pub height: usize,
    /// Where each node's label starts (x, y).
    pub nodes: Vec<(usize, usize)>,
    pub cells: Vec<GridCell>,
    /// Cells of a node a route would have run through (left undrawn); the
    /// router keeps this at 0, tests hold it to that.
    pub crossings: usize,
}

impl Grid {
    pub fn cell(&self, x: usize, y: usize) -> Option<&GridCell> {
        (x < self.width).then(|| self.cells.get(y * self.width + x)).flatten()
    }

    fn new(width: usize, height: usize) -> Self {
        Grid {
            width,
            height,
            nodes: Vec::new(),
            cells: vec![GridCell::default(); width * height],
            crossings: 0,
        }
    }

    fn at(&mut self, x: usize, y: usize) -> Option<&mut GridCell> {
        if x < self.width { self.cells.get_mut(y * self.width + x) } else { None }
    }

    fn mark(&mut self, x: usize, y: usize, dirs: u8, weight: u8) {
        match self.at(x, y) {
            Some(c) if c.node => self.crossings += 1,
            Some(c) => {
                c.mask |= dirs;
                c.weight = c.weight.max(weight);
            }
            None => {}
        }
    }

    /// A straight run between two cells of one row or one column.
    fn line(&mut self, (x0, y0): (usize, usize), (x1, y1): (usize, usize), weight: u8) {
        if y0 == y1 {
            let (a, b) = (x0.min(x1), x0.max(x1));
            for x in a..=b {
                let dirs = if a == b {
                    0
                } else if x == a {
                    RIGHT
                } else if x == b {
                    LEFT
                } else {
                    LEFT | RIGHT
                };
                self.mark(x, y0, dirs, weight);
            }
        } else if x0 == x1 {
            let (a, b) = (y0.min(y1), y0.max(y1));
            for y in a..=b {
                let dirs = if y == a {
                    DOWN
                } else if y == b {
                    UP
                } else {
                    UP | DOWN
                };
                self.mark(x0, y, dirs, weight);
            }
        }
    }

    /// A polyline through `points` (each consecutive pair shares a row or a column).
    fn path(&mut self, points: &[(usize, usize)], weight: u8) {
        for w in points.windows(2) {
            self.line(w[0], w[1], weight);
        }
    }

    fn arrow(&mut self, x: usize, y: usize, weight: u8) {
        if let Some(c) = self.at(x, y) {
            c.arrow = true;
            c.weight = c.weight.max(weight);
        }
    }
}

/// Places `nodes` and routes `edges` (see [`Grid`]). Every route runs into
/// its arrowhead's cell, whose glyph is the arrowhead.
pub fn route(nodes: &[GridNode], edges: &[GridEdge], orientation: Orientation) -> Grid {
    // Compress layers and lanes to the ones present.
    let mut layers: Vec<usize> = nodes.iter().map(|n| n.layer).collect();
    layers.sort_unstable();
    layers.dedup();
    let layer_of = |i: usize| layers.binary_search(&nodes[i].layer).unwrap_or(0);
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); layers.len()];
    for i in 0..nodes.len() {
        columns[layer_of(i)].push(i);
    }
    for col in &mut columns {
        col.sort_by_key(|&i| (nodes[i].lane, i));
    }
    let mut slot = vec![0usize; nodes.len()];
    for col in &columns {
        for (k, &i) in col.iter().enumerate() {
            slot[i] = k;
        }
    }
    let edges: Vec<GridEdge> = edges
        .iter()
        .copied()
        .filter(|e| e.from != e.to && e.from < nodes.len() && e.to < nodes.len())
        .collect();
    match orientation {
        Orientation::LeftRight => left_right(nodes, &edges, &columns, &slot, &layer_of),
        Orientation::TopDown => top_down(nodes, &edges, &columns, &layer_of),
    }
}

/// Tracks of each gap: gap `k` lies before layer `k` (gap 0 before the
/// first, the last after the last). Returns, per edge, its (exit, entry)
/// tracks as (gap, index) and whether it takes a channel.
type Tracks = (Vec<Vec<usize>>, Vec<(Option<(usize, usize)>, Option<(usize, usize)>, bool)>);

fn tracks(
    edges: &[GridEdge],
    layers: usize,
    layer_of: &dyn Fn(usize) -> usize,
    turns: &dyn Fn(&GridEdge) -> bool,
) -> Tracks {
    let mut gaps: Vec<Vec<usize>> = vec![Vec::new(); layers + 1];
    let mut out = Vec::with_capacity(edges.len());
    for (k, e) in edges.iter().enumerate() {
        let (fl, tl) = (layer_of(e.from), layer_of(e.to));
        let mut take = |gap: usize| {
            gaps[gap].push(k);
            Some((gap, gaps[gap].len() - 1))
        };
        if tl == fl + 1 {
            let exit = if turns(e) { take(fl + 1) } else { None };
            out.push((exit, None, false));
        } else {
            let exit = take(fl + 1);
            let entry = take(tl);
            out.push((exit, entry, true));
        }
    }
    (gaps, out)
}

/// Where an orientation puts the nodes: each node's start and anchor (the
/// cell its edges attach to) across the layers, the size of that cross
/// axis, each node's and each layer's extent along the layer axis, and
/// whether a gap has a run cell between its tracks and the arrowheads.
/// Left to right and top down are one layout ([`layout`]) in (along, across)
/// coordinates; top down is then transposed onto the screen.
struct Across {
    start: Vec<usize>,
    anchor: Vec<usize>,
    size: usize,
    node_along: Vec<usize>,
    layer_along: Vec<usize>,
    run: usize,
}

fn left_right(
    nodes: &[GridNode],
    edges: &[GridEdge],
    columns: &[Vec<usize>],
    slot: &[usize],
    layer_of: &dyn Fn(usize) -> usize,
) -> Grid {
    // One row per node of a layer, a blank row between them.
    let rows: Vec<usize> = slot.iter().map(|s| s * 2).collect();
    let across = Across {
        start: rows.clone(),
        anchor: rows,
        size: (columns.iter().map(Vec::len).max().unwrap_or(0) * 2).saturating_sub(1),
        node_along: nodes.iter().map(|n| n.width).collect(),
        layer_along: columns.iter().map(|c| c.iter().map(|&i| nodes[i].width).max().unwrap_or(0)).collect(),
        run: 1,
    };
    layout(nodes, edges, columns, layer_of, &across, Orientation::LeftRight)
}

fn top_down(
    nodes: &[GridNode],
    edges: &[GridEdge],
    columns: &[Vec<usize>],
    layer_of: &dyn Fn(usize) -> usize,
) -> Grid {
    // The nodes of a layer side by side, two spaces apart; edges leave
    // from and arrive at the middle of a label.
    const SPACE: usize = 2;
    let mut start = vec![0usize; nodes.len()];
    let mut right = 0;
    for col in columns {
        let mut x = 0;
        for &i in col {
            start[i] = x;
            x += nodes[i].width + SPACE;
        }
        right = right.max(x.saturating_sub(SPACE));
    }
    let anchor = (0..nodes.len()).map(|i| start[i] + nodes[i].width.saturating_sub(1) / 2).collect();
    let across = Across {
        start,
        anchor,
        size: right,
        node_along: vec![1; nodes.len()],
        layer_along: vec![1; columns.len()],
        run: 0,
    };
    layout(nodes, edges, columns, layer_of, &across, Orientation::TopDown)
}

/// The layout both orientations share, in (along, across) coordinates:
/// gap `k` before layer `k` is [lead][tracks][run][arrow] (gap 0 without
/// the lead, and empty without tracks; after the last layer [lead][tracks]),
/// and edges that skip layers take a channel beyond the nodes' cross extent.
fn layout(
    nodes: &[GridNode],
    edges: &[GridEdge],
    columns: &[Vec<usize>],
    layer_of: &dyn Fn(usize) -> usize,
    across: &Across,
    orientation: Orientation,
) -> Grid {
    let screen = |(a, c): (usize, usize)| match orientation {
        Orientation::LeftRight => (a, c),
        Orientation::TopDown => (c, a),
    };
    let turns = |e: &GridEdge| across.anchor[e.from] != across.anchor[e.to];
    let (gaps, routes) = tracks(edges, columns.len(), layer_of, &turns);
    let gap_len = |k: usize| {
        let t = gaps[k].len();
        match k {
            _ if t == 0 && (k == 0 || k == columns.len()) => 0,
            0 => t + 1 + across.run,
            k if k == columns.len() => t + 1,
            _ => t + 2 + across.run,
        }
    };
    let mut layer_at = Vec::with_capacity(columns.len());
    let mut gap_at = Vec::with_capacity(columns.len() + 1);
    let mut along = 0;
    for (k, extent) in across.layer_along.iter().enumerate() {
        gap_at.push(along);
        along += gap_len(k);
        layer_at.push(along);
        along += extent;
    }
    gap_at.push(along);
    along += gap_len(columns.len());
    let channels = routes.iter().filter(|r| r.2).count();
    let cross = across.size + if channels > 0 { channels + 1 } else { 0 };
    let along = if orientation == Orientation::TopDown { along.max(1) } else { along };
    let (width, height) = screen((along, cross.max(1)));
    let mut g = Grid::new(width, height);
    g.nodes = (0..nodes.len()).map(|i| screen((layer_at[layer_of(i)], across.start[i]))).collect();
    for (i, n) in nodes.iter().enumerate() {
        let (nx, ny) = g.nodes[i];
        for cx in nx..nx + n.width {
            if let Some(c) = g.at(cx, ny) {
                c.node = true;
            }
        }
    }
    // A track's place: after the gap's lead cell (gap 0 has none).
    let track = |(gap, k): (usize, usize)| gap_at[gap] + usize::from(gap > 0) + k;
    let mut channel = across.size;
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_by_key(|&k| edges[k].weight);
    for k in order {
        let e = edges[k];
        let (fa, fc) = (layer_at[layer_of(e.from)] + across.node_along[e.from], across.anchor[e.from]);
        let (ta, tc) = (layer_at[layer_of(e.to)], across.anchor[e.to]);
        let arrow = ta - 1;
        let points = match routes[k] {
            (exit, _, false) => match exit {
                Some(t) => {
                    let a = track(t);
                    vec![(fa, fc), (a, fc), (a, tc), (arrow, tc)]
                }
                None => vec![(fa, fc), (arrow, fc)],
            },
            (Some(exit), Some(entry), true) => {
                channel += 1;
                let (ae, an) = (track(exit), track(entry));
                vec![(fa, fc), (ae, fc), (ae, channel), (an, channel), (an, tc), (arrow, tc)]
            }
            _ => continue,
        };
        let points: Vec<(usize, usize)> = points.into_iter().map(screen).collect();
        g.path(&points, e.weight);
        let (x, y) = screen((arrow, tc));
        g.arrow(x, y, e.weight);
    }
    g
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

    fn grid_nodes(spec: &[(usize, usize, usize)]) -> Vec<GridNode> {
        spec.iter().map(|&(layer, lane, width)| GridNode { layer, lane, width }).collect()
    }

    /// No line, no arrowhead on a node's cells; every edge ends in an arrowhead.
    fn check(g: &Grid, nodes: &[GridNode], edges: usize) {
        assert_eq!(g.crossings, 0, "a route ran through a node");
        for (i, n) in nodes.iter().enumerate() {
            let (x, y) = g.nodes[i];
            for cx in x..x + n.width {
                let c = g.cell(cx, y).expect("inside");
                assert!(c.node && c.mask == 0 && !c.arrow, "a line crosses node {i} at ({cx}, {y})");
            }
        }
        let arrows = g.cells.iter().filter(|c| c.arrow).count();
        assert!(arrows >= 1 && arrows <= edges, "{arrows} arrowheads for {edges} edges");
    }

    #[test]
    fn edges_that_skip_a_layer_go_around_the_nodes_in_both_orientations() {
        // a → b → c → d, and b → d past c (act 3's update-version → untar).
        let nodes = grid_nodes(&[(0, 0, 9), (1, 0, 18), (2, 0, 11), (3, 0, 9)]);
        let edges = [(0, 1), (1, 2), (2, 3), (1, 3)].map(|(from, to)| GridEdge { from, to, weight: 1 });
        for o in [Orientation::LeftRight, Orientation::TopDown] {
            let g = route(&nodes, &edges, o);
            check(&g, &nodes, edges.len());
        }
        let lr = route(&nodes, &edges, Orientation::LeftRight);
        assert_eq!(lr.height, 3, "one node row, a blank row, the channel");
        let td = route(&nodes, &edges, Orientation::TopDown);
        assert!(td.width <= 18 + 2, "top down is as wide as the widest label: {}", td.width);
    }

    #[test]
    fn a_top_down_edge_leaves_its_source_and_reaches_its_arrowhead_without_a_gap() {
        let nodes = grid_nodes(&[(0, 0, 7), (1, 0, 7), (1, 1, 5)]);
        let edges = [(0, 1), (0, 2)].map(|(from, to)| GridEdge { from, to, weight: 1 });
        let g = route(&nodes, &edges, Orientation::TopDown);
        check(&g, &nodes, 2);
        // Under the source's anchor, a line going down; above each target, its arrowhead.
        let (sx, sy) = g.nodes[0];
        assert_ne!(g.cell(sx + 3, sy + 1).unwrap().mask & DOWN, 0);
        for t in [1, 2] {
            let (x, y) = g.nodes[t];
            let anchor = x + (nodes[t].width - 1) / 2;
            assert!(g.cell(anchor, y - 1).unwrap().arrow);
            assert_ne!(g.cell(anchor, y - 2).unwrap().mask & DOWN, 0, "the line reaches the arrowhead");
        }
    }

    #[test]
    fn back_edges_and_fan_out_are_routed_without_crossing_nodes() {
        let nodes = grid_nodes(&[(0, 0, 5), (1, 0, 7), (1, 1, 4), (2, 0, 6), (2, 1, 3)]);
        let edges = [(0, 1), (0, 2), (1, 3), (2, 4), (3, 0), (4, 1), (0, 4)].map(|(from, to)| GridEdge {
            from,
            to,
            weight: 1,
        });
        for o in [Orientation::LeftRight, Orientation::TopDown] {
            check(&route(&nodes, &edges, o), &nodes, edges.len());
        }
    }

    #[test]
    fn cycles_and_self_loops_terminate() {
        let (layer, _) = layered(3, &[(0, 1), (1, 0), (2, 2), (1, 2)]);
        assert_eq!(layer.len(), 3);
        assert!(layer[2] > layer[1]);
    }
}
