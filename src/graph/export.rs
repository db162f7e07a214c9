//! The graph as DOT (Graphviz), Mermaid (`flowchart`) and JSON, for
//! `trailscope graph`. Output is deterministic: nodes and edges in
//! insertion order, node ids `n<index>`, JSON keys sorted. Labels are
//! escaped for each format; control, bidi and zero-width characters from
//! metadata are shown as `\u{…}` text rather than passed through. The
//! verifier's result shows in each: items carry their status (a failed one
//! drawn red), broken MATCH flows and bad signatures are dashed and red, and
//! given the verdict ([`Marking`]) every format states it with its category,
//! so a failing chain is never exported looking like a clean one.

use serde_json::{Value, json};

use super::draw::{self, View};
use super::{Edge, GraphKind, ItemStatus, Node, NodeId, SupplyGraph};
use crate::verdict::Verdict;
use crate::verdict::category::Category;

/// What to include.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Artifact nodes and their produces/consumes edges (large for big links).
    pub artifacts: bool,
    /// The verifier's verdict on the graph's inputs.
    pub marking: Option<Marking>,
}

/// The verdict and category the verifier gave the graph's inputs: DOT says
/// them in the graph's label and `comment`, Mermaid in a title and a
/// comment line, JSON as `verdict` and `category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marking {
    pub verdict: Verdict,
    pub category: Category,
}

impl Marking {
    fn word(&self) -> &'static str {
        match self.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        }
    }

    /// `✘ FAIL rule-disallow`, as the other faces headline it.
    fn headline(&self) -> String {
        let glyph = match self.verdict {
            Verdict::Pass => "✔ PASS",
            Verdict::Fail => "✘ FAIL",
        };
        format!("{glyph} {}", self.category)
    }
}

fn shown(g: &SupplyGraph, n: NodeId, o: ExportOptions) -> bool {
    o.artifacts || !matches!(g.graph[n], Node::Artifact(_))
}

/// Edges to export: (from, to, edge), in insertion order.
fn edges(g: &SupplyGraph, o: ExportOptions) -> impl Iterator<Item = (NodeId, NodeId, &Edge)> {
    g.graph
        .raw_edges()
        .iter()
        .filter(move |e| shown(g, e.source(), o) && shown(g, e.target(), o))
        .map(|e| (e.source(), e.target(), &e.weight))
}

/// Characters a terminal or renderer would hide or reinterpret.
fn suspicious(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if suspicious(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn edge_label(e: &Edge) -> Option<String> {
    match e {
        Edge::Matches(m) if m.broken => Some(format!("✘ {}", m.rule)),
        Edge::Matches(m) => Some(m.rule.clone()),
        Edge::Signs(s) => Some(s.word().to_owned()),
        Edge::Delegates(d) => {
            let mut l = format!("threshold {}", d.threshold);
            if !d.paths.is_empty() {
                l.push_str(&format!(" {}", d.paths.join(", ")));
            }
            if d.terminating {
                l.push_str(" (terminating)");
            }
            Some(l)
        }
        _ => None,
    }
}

// --- DOT ---------------------------------------------------------------------

fn dot_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in visible(s).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot_shape(n: &Node) -> &'static str {
    match n {
        Node::Layout(_) => "folder",
        Node::Step(_) => "box",
        Node::Inspection(_) => "hexagon",
        Node::Link(_) => "note",
        Node::Artifact(_) => "ellipse",
        Node::Key(_) => "diamond",
        Node::Role(_) => "component",
        Node::Target(_) => "cds",
    }
}

/// Graphviz DOT.
pub fn to_dot(g: &SupplyGraph, o: ExportOptions) -> String {
    let mut out = String::from("digraph supply_chain {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    let mut label = format!("trailscope {} graph", g.kind.as_str());
    if let Some(m) = o.marking {
        label.push_str(&format!(" — {}", m.headline()));
        let comment = format!("verdict: {}; category: {}", m.word(), m.category);
        out.push_str(&format!("  comment={};\n", dot_str(&comment)));
    }
    out.push_str(&format!("  label={};\n", dot_str(&label)));
    for n in g.graph.node_indices().filter(|&n| shown(g, n, o)) {
        let failed = if failed(&g.graph[n]) { ", color=red" } else { "" };
        out.push_str(&format!(
            "  n{} [label={}, shape={}{failed}];\n",
            n.index(),
            dot_str(&g.label(n)),
            dot_shape(&g.graph[n])
        ));
    }
    for (a, b, e) in edges(g, o) {
        let mut attrs = vec![format!("class={}", dot_str(e.kind()))];
        if let Some(l) = edge_label(e) {
            attrs.push(format!("label={}", dot_str(&l)));
        }
        match e {
            Edge::Signs(s) if *s != super::SignState::Valid => attrs.push("style=dashed, color=red".into()),
            Edge::Matches(m) if m.broken => attrs.push("style=dashed, color=red".into()),
            Edge::Matches(_) => attrs.push("color=blue".into()),
            _ => {}
        }
        out.push_str(&format!("  n{} -> n{} [{}];\n", a.index(), b.index(), attrs.join(", ")));
    }
    out.push_str("}\n");
    out
}

/// A step or inspection the verifier failed, a link it rejected.
fn failed(n: &Node) -> bool {
    match n {
        Node::Step(i) | Node::Inspection(i) => i.status == ItemStatus::Fail,
        Node::Link(l) => l.status != crate::intoto::LinkStatus::Verified,
        _ => false,
    }
}

// --- Mermaid -------------------------------------------------------------------

fn mermaid_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in visible(s).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn mermaid_node(n: &Node, label: &str) -> String {
    let l = mermaid_str(label);
    match n {
        Node::Layout(_) => format!("[[{l}]]"),
        Node::Step(_) | Node::Role(_) => format!("[{l}]"),
        Node::Inspection(_) => format!("{{{{{l}}}}}"),
        Node::Link(_) => format!("[/{l}/]"),
        Node::Artifact(_) => format!("({l})"),
        Node::Key(_) => format!("(({l}))"),
        Node::Target(_) => format!(">{l}]"),
    }
}

/// A Mermaid `flowchart`.
pub fn to_mermaid(g: &SupplyGraph, o: ExportOptions) -> String {
    let mut failing = Vec::new();
    let mut out = String::new();
    if let Some(m) = o.marking {
        let title = format!("trailscope {} graph — {}", g.kind.as_str(), m.headline());
        out.push_str(&format!("---\ntitle: {}\n---\n", mermaid_str(&title)));
    }
    out.push_str("flowchart LR\n");
    if let Some(m) = o.marking {
        out.push_str(&format!("  %% verdict: {}; category: {}\n", m.word(), visible(m.category.id())));
    }
    for n in g.graph.node_indices().filter(|&n| shown(g, n, o)) {
        out.push_str(&format!("  n{}{}\n", n.index(), mermaid_node(&g.graph[n], &g.label(n))));
        if failed(&g.graph[n]) {
            failing.push(format!("n{}", n.index()));
        }
    }
    for (a, b, e) in edges(g, o) {
        let arrow = match e {
            Edge::Signs(s) if *s != super::SignState::Valid => "-.->",
            Edge::Matches(m) if m.broken => "-.->",
            Edge::Matches(_) | Edge::Delegates(_) => "==>",
            _ => "-->",
        };
        let label = edge_label(e).unwrap_or_else(|| e.kind().to_owned());
        out.push_str(&format!("  n{} {arrow}|{}| n{}\n", a.index(), mermaid_str(&label), b.index()));
    }
    if !failing.is_empty() {
        out.push_str("  classDef fail stroke:#d00,stroke-width:2px\n");
        out.push_str(&format!("  class {} fail\n", failing.join(",")));
    }
    out
}

// --- JSON ----------------------------------------------------------------------

fn node_json(g: &SupplyGraph, id: NodeId) -> Value {
    let mut v = match &g.graph[id] {
        Node::Layout(l) => json!({"path": l.path, "expires": l.expires, "scope": l.scope}),
        Node::Step(i) | Node::Inspection(i) => {
            let command: Vec<String> = i.command.iter().map(json_text).collect();
            json!({
                "name": i.name, "scope": i.scope, "status": i.status.word(), "threshold": i.threshold,
                "command": command, "expected_materials": i.material_rules, "expected_products": i.product_rules,
                "verified": i.verified, "not_evaluated": i.not_evaluated,
            })
        }
        Node::Link(l) => {
            let why = match &l.status {
                crate::intoto::LinkStatus::BadSignature(w) | crate::intoto::LinkStatus::Malformed(w) => {
                    Some(w.clone())
                }
                _ => None,
            };
            json!({"path": l.path, "step": l.step, "keyid": l.keyid, "state": super::link_word(&l.status), "reason": why, "used": l.used})
        }
        Node::Artifact(a) => {
            let digests: serde_json::Map<String, Value> =
                g.digests(a).into_iter().map(|(k, h)| (k, Value::from(h))).collect();
            json!({"path": g.strings.resolve(a.path), "side": a.side.as_str(), "item": format!("n{}", a.item.index()), "digests": digests, "broken": a.broken})
        }
        Node::Key(k) => json!({"keyid": k.keyid, "keytype": k.keytype}),
        Node::Role(r) => json!({
            "name": r.name, "version": r.version, "threshold": r.threshold, "expires": r.expires, "trusted": r.trusted,
        }),
        Node::Target(t) => {
            let hashes: serde_json::Map<String, Value> =
                t.hashes.iter().map(|(k, h)| (k.clone(), Value::from(h.clone()))).collect();
            json!({"path": t.path, "length": t.length, "hashes": hashes})
        }
    };
    v["id"] = format!("n{}", id.index()).into();
    v["kind"] = g.graph[id].kind().into();
    v
}

fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn edge_json(a: NodeId, b: NodeId, e: &Edge) -> Value {
    let mut v = match e {
        Edge::Matches(m) => json!({
            "rule": m.rule, "section": format!("expected_{}", m.to_side.as_str()), "index": m.index,
            "from_side": m.from_side.as_str(), "to_side": m.to_side.as_str(),
            "evaluated": m.evaluated, "broken": m.broken,
        }),
        Edge::Signs(s) => json!({"signature": s.word()}),
        Edge::Delegates(d) => json!({
            "threshold": d.threshold, "paths": d.paths, "terminating": d.terminating, "order": d.order,
        }),
        _ => json!({}),
    };
    v["from"] = format!("n{}", a.index()).into();
    v["to"] = format!("n{}", b.index()).into();
    v["kind"] = e.kind().into();
    v
}

/// The graph as a JSON document (schema_version 1), with the drawing of
/// its main view (`chain` for in-toto, `trust` for TUF).
pub fn to_json(g: &SupplyGraph, o: ExportOptions) -> Value {
    let nodes: Vec<Value> =
        g.graph.node_indices().filter(|&n| shown(g, n, o)).map(|n| node_json(g, n)).collect();
    let edges: Vec<Value> = edges(g, o).map(|(a, b, e)| edge_json(a, b, e)).collect();
    let view = match g.kind {
        GraphKind::InToto | GraphKind::Attestation => View::Chain,
        GraphKind::Tuf => View::Trust,
    };
    let d = draw::draw(g, view);
    let placed: Vec<Value> = d
        .nodes
        .iter()
        .map(|p| json!({"id": format!("n{}", p.node.index()), "layer": p.layer, "lane": p.lane}))
        .collect();
    let drawn_edges: Vec<Value> = d
        .edges
        .iter()
        .filter_map(|e| {
            let (a, b) = (d.nodes.get(e.from)?, d.nodes.get(e.to)?);
            Some(json!({"from": format!("n{}", a.node.index()), "to": format!("n{}", b.node.index()), "count": e.count, "back": e.back}))
        })
        .collect();
    let mut doc = json!({
        "schema_version": 1,
        "tool": "trailscope",
        "kind": g.kind.as_str(),
        "verdict": g.verdict,
        "category": g.category,
        "nodes": nodes,
        "edges": edges,
        "drawing": {
            "view": match view { View::Chain => "chain", View::Trust => "trust" },
            "layers": d.layers,
            "lanes": d.lanes,
            "nodes": placed,
            "edges": drawn_edges,
        },
    });
    if let Some(m) = o.marking {
        doc["verdict"] = m.word().into();
        doc["category"] = m.category.id().into();
    }
    doc
}
