//! Builds a [`SupplyGraph`] from the result of in-toto verification
//! ([`InTotoOutcome`], in-toto spec §4.3–§4.4), whether or not it verified:
//! every item carries the verifier's status and rule results, every link
//! file a functionary could have written is a node (missing ones too) with
//! the verifier's signature state, and every MATCH rule is an edge, broken
//! where the rule could not consume what it matched. Nothing is read from
//! disk again and no check is repeated: the graph is the verdict's shape.

use std::sync::Arc;

use crate::intoto::engine::{SectionResult, rule_text};
use crate::intoto::rule::{ArtifactRule, ArtifactType};
use crate::intoto::stages::VerifierKey;
use crate::intoto::{
    Error, InTotoOutcome, InspectionTrace, LayoutTrace, LinkStatus, LinkTrace, StepTrace, VerifyOptions,
};
use crate::verdict::{Evidence, Finding, Severity, Subject};

use super::{
    Edge, GraphKind, ItemKind, ItemNode, ItemStatus, LayoutNode, LinkNode, MatchEdge, Node, NodeId, Side,
    SignState, SupplyGraph,
};

/// Verifies `opts` (as `trailscope verify` does) and builds the graph of
/// the result. `Err` only when verification cannot start (the layout cannot
/// be read, a parameter name is invalid).
pub fn from_options(opts: &VerifyOptions) -> Result<SupplyGraph, Error> {
    let outcome = crate::intoto::verify(opts)?;
    let keys: Vec<String> = opts.layout_keys.iter().map(|k| VerifierKey::given(k).keyid).collect();
    Ok(from_outcome(&outcome, &keys))
}

/// The graph of a verification result. `layout_keys` are the ids of the
/// keys the layout was verified with; each gets a `signs` edge to the
/// layout, valid unless the verifier reported its signature bad (none when
/// the layout could not be read, so its signatures were never checked).
pub fn from_outcome(outcome: &InTotoOutcome, layout_keys: &[String]) -> SupplyGraph {
    let mut g = SupplyGraph::new(GraphKind::InToto);
    g.verdict = Some(outcome.verdict);
    g.category = Some(outcome.category);
    let trace = &outcome.layout;
    let root = g.add(Node::Layout(Box::new(LayoutNode {
        path: trace.path.clone(),
        expires: trace.expires.clone(),
        scope: Vec::new(),
    })));
    g.root = Some(root);
    if trace.format.is_some() {
        for keyid in layout_keys {
            let state = layout_signature(&outcome.findings, &trace.path, keyid);
            let k = g.key_node(keyid, None);
            g.connect(k, root, Edge::Signs(state));
        }
    }
    let mut pending = Pending::default();
    add_layout(&mut g, root, trace, &outcome.findings, &mut pending);
    add_matches(&mut g, pending.matches);
    // Artifacts last, so that the other nodes keep the same ids whether or
    // not an export shows artifacts.
    for (item, sections) in pending.artifacts {
        add_artifacts(&mut g, item, sections);
    }
    g
}

/// The layout signature by `keyid` as the verifier judged it: a
/// `Signatures` finding on the layout names every key whose signature did
/// not verify.
fn layout_signature(findings: &[Finding], path: &str, keyid: &str) -> SignState {
    let bad = findings.iter().any(|f| match (&f.subject, &f.evidence) {
        (Subject::Layout { path: p }, Evidence::Signatures { checks }) if p == path => {
            checks.iter().any(|c| c.keyid == keyid && !c.valid)
        }
        _ => false,
    });
    if bad { SignState::Invalid } else { SignState::Valid }
}

/// What is added once every item exists: MATCH edges (so that a rule's
/// source resolves) and artifacts.
#[derive(Default)]
struct Pending<'a> {
    matches: Vec<PendingMatch>,
    artifacts: Vec<(NodeId, [Option<&'a SectionResult>; 2])>,
}

/// A MATCH rule, kept until every item exists so that its source resolves.
struct PendingMatch {
    to: NodeId,
    scope: Vec<String>,
    source: String,
    edge: MatchEdge,
}

/// Adds the items of one (sub)layout below `layout`; returns whether one
/// of them failed.
fn add_layout<'a>(
    g: &mut SupplyGraph,
    layout: NodeId,
    trace: &'a LayoutTrace,
    findings: &[Finding],
    pending: &mut Pending<'a>,
) -> bool {
    let mut failed = false;
    for step in &trace.steps {
        let item = step_item(step, &trace.scope, findings);
        failed |= item.status == ItemStatus::Fail;
        let s = g.add(Node::from_item(item));
        g.connect(layout, s, Edge::Contains);
        for keyid in &step.pubkeys {
            let k = g.key_node(keyid, None);
            if g.graph.find_edge(layout, k).is_none() {
                g.connect(layout, k, Edge::Trusts);
            }
            g.connect(k, s, Edge::Trusts);
        }
        add_links(g, s, step);
        pending.artifacts.push((s, [step.materials.as_ref(), step.products.as_ref()]));
        let sections =
            [(&step.expected_materials, &step.materials), (&step.expected_products, &step.products)];
        pending.matches.extend(matches_of(s, &trace.scope, sections));
        for sub in &step.sublayouts {
            let node =
                LayoutNode { path: sub.path.clone(), expires: sub.expires.clone(), scope: sub.scope.clone() };
            let l = g.add(Node::Layout(Box::new(node)));
            g.connect(s, l, Edge::Contains);
            // A step fails with the sublayout it delegates to (python raises
            // for the step when the recursive verification does).
            if add_layout(g, l, sub, findings, pending)
                && let Some(Node::Step(i)) = g.graph.node_weight_mut(s)
            {
                Arc::make_mut(i).status = ItemStatus::Fail;
                failed = true;
            }
        }
    }
    for inspection in &trace.inspections {
        let item = inspection_item(inspection, &trace.scope, findings);
        failed |= item.status == ItemStatus::Fail;
        let i = g.add(Node::from_item(item));
        g.connect(layout, i, Edge::Contains);
        pending.artifacts.push((i, [inspection.materials.as_ref(), inspection.products.as_ref()]));
        let sections = [
            (&inspection.expected_materials, &inspection.materials),
            (&inspection.expected_products, &inspection.products),
        ];
        pending.matches.extend(matches_of(i, &trace.scope, sections));
    }
    failed
}

fn texts(rules: &[Vec<String>]) -> Vec<String> {
    rules.iter().map(|r| rule_text(r)).collect()
}

fn step_item(step: &StepTrace, scope: &[String], findings: &[Finding]) -> ItemNode {
    let mut item = ItemNode {
        kind: ItemKind::Step,
        name: step.name.clone(),
        scope: scope.to_vec(),
        status: ItemStatus::Pass,
        threshold: step.threshold,
        pubkeys: step.pubkeys.clone(),
        command: step.expected_command.clone(),
        material_rules: texts(&step.expected_materials),
        product_rules: texts(&step.expected_products),
        verified: step.verified.clone(),
        used_link: step.used_link.clone(),
        materials: step.materials.clone(),
        products: step.products.clone(),
        not_evaluated: step.not_evaluated.clone(),
        ran: None,
    };
    item.status = status(&item, &step.links, findings);
    item
}

fn inspection_item(inspection: &InspectionTrace, scope: &[String], findings: &[Finding]) -> ItemNode {
    let ran = match &inspection.execution {
        None => "not run (I or --run-inspections runs it)".to_owned(),
        Some(run) => format!("ran: {}", run.outcome.describe()),
    };
    let mut item = ItemNode {
        kind: ItemKind::Inspection,
        name: inspection.name.clone(),
        scope: scope.to_vec(),
        status: ItemStatus::Pass,
        threshold: 0,
        pubkeys: Vec::new(),
        command: inspection.run.clone(),
        material_rules: texts(&inspection.expected_materials),
        product_rules: texts(&inspection.expected_products),
        verified: Vec::new(),
        used_link: None,
        materials: inspection.materials.clone(),
        products: inspection.products.clone(),
        not_evaluated: inspection.not_evaluated.clone(),
        ran: Some(ran),
    };
    item.status = status(&item, &[], findings);
    item
}

/// Fail when a rule failed, a step's threshold was not met or an error
/// finding names the item (or one of its links); skipped when its rules
/// were not evaluated; warn on a warning about it; else pass.
fn status(item: &ItemNode, links: &[LinkTrace], findings: &[Finding]) -> ItemStatus {
    let about = |f: &&Finding| match &f.subject {
        Subject::Step { name } | Subject::Inspection { name } => *name == item.name,
        Subject::Rule { step, .. } => *step == item.name,
        Subject::Link { path } => links.iter().any(|l| l.path == *path),
        _ => false,
    };
    let mine: Vec<&Finding> = findings.iter().filter(about).collect();
    let rule_failed = item.rules().any(|(_, r)| r.failed());
    let short = item.kind == ItemKind::Step && (item.verified.len() as i64) < item.threshold;
    if rule_failed || short || mine.iter().any(|f| f.severity == Severity::Error) {
        ItemStatus::Fail
    } else if item.not_evaluated.is_some() {
        ItemStatus::Skipped
    } else if mine.iter().any(|f| f.severity == Severity::Warning) {
        ItemStatus::Warn
    } else {
        ItemStatus::Pass
    }
}

/// One node per link file the verifier looked for, with its status; a
/// `signs` edge from the functionary key when the file was read.
fn add_links(g: &mut SupplyGraph, step: NodeId, trace: &StepTrace) {
    for link in &trace.links {
        let node = LinkNode {
            path: link.path.clone(),
            step: trace.name.clone(),
            keyid: link.keyid.clone(),
            status: link.status.clone(),
            used: trace.used_link.as_deref() == Some(link.keyid.as_str()),
            command: link.command.clone(),
            sublayout: link.sublayout,
        };
        let l = g.add(Node::Link(Box::new(node)));
        g.connect(l, step, Edge::Records);
        let signed = match &link.status {
            LinkStatus::Verified => SignState::Valid,
            LinkStatus::BadSignature(_) | LinkStatus::Unauthorized => SignState::Invalid,
            LinkStatus::Missing | LinkStatus::Malformed(_) => continue,
        };
        let k = g.key_node(&link.keyid, None);
        g.connect(k, l, Edge::Signs(signed));
    }
}

fn side_of(t: ArtifactType) -> Side {
    match t {
        ArtifactType::Materials => Side::Materials,
        ArtifactType::Products => Side::Products,
    }
}

/// The artifacts of the link the item's rules were evaluated over (both
/// sections share it), each marked broken when a rule of its side failed
/// on it or could not consume it.
fn add_artifacts(g: &mut SupplyGraph, item: NodeId, sections: [Option<&SectionResult>; 2]) {
    let Some(first) = sections.iter().flatten().next() else { return };
    let (materials, products) = (first.materials.clone(), first.products.clone());
    g.graph.reserve_nodes(materials.len() + products.len());
    g.graph.reserve_edges(materials.len() + products.len());
    for (side, arts) in [(Side::Materials, &materials), (Side::Products, &products)] {
        for path in arts.keys() {
            g.add_artifact(item, side, path);
        }
    }
    for section in sections.into_iter().flatten() {
        let side = side_of(section.side);
        for rule in &section.rules {
            let t = &rule.trace;
            for path in t.offending.iter().chain(t.unmatched.iter().map(|u| &u.path)) {
                if let Some(a) = g.artifact(item, side, path)
                    && let Some(Node::Artifact(n)) = g.graph.node_weight_mut(a)
                {
                    n.broken = true;
                }
            }
        }
    }
}

/// The MATCH rules of one item: from the evaluated rules when there are
/// some (broken where the rule could not consume what it matched), else
/// from the layout's rules as written (not evaluated).
fn matches_of(
    to: NodeId,
    scope: &[String],
    sections: [(&Vec<Vec<String>>, &Option<SectionResult>); 2],
) -> Vec<PendingMatch> {
    let mut out = Vec::new();
    for ((rules, result), to_side) in sections.into_iter().zip([Side::Materials, Side::Products]) {
        let pending = |m: &crate::intoto::rule::MatchRule, edge: MatchEdge| PendingMatch {
            to,
            scope: scope.to_vec(),
            source: m.dest_name.clone(),
            edge,
        };
        match result {
            Some(section) => {
                for r in &section.rules {
                    let Some(ArtifactRule::Match(m)) = &r.parsed else { continue };
                    let edge = MatchEdge {
                        rule: r.text(),
                        to_side,
                        from_side: side_of(m.dest_type),
                        index: r.index,
                        evaluated: true,
                        broken: !r.trace.unmatched.is_empty() || r.failed(),
                    };
                    out.push(pending(m, edge));
                }
            }
            None => {
                for (index, rule) in rules.iter().enumerate() {
                    let Ok(ArtifactRule::Match(m)) = ArtifactRule::parse(rule) else { continue };
                    let edge = MatchEdge {
                        rule: rule_text(rule),
                        to_side,
                        from_side: side_of(m.dest_type),
                        index,
                        evaluated: false,
                        broken: false,
                    };
                    out.push(pending(&m, edge));
                }
            }
        }
    }
    out
}

/// One `matches` edge per MATCH rule whose `FROM` names an item of the
/// rule's own (sub)layout: source item → the rule's item.
fn add_matches(g: &mut SupplyGraph, pending: Vec<PendingMatch>) {
    for p in pending {
        let Some(from) = g.item_in(&p.scope, &p.source) else { continue };
        g.connect(from, p.to, Edge::Matches(Box::new(p.edge)));
    }
}
