//! Builds a [`SupplyGraph`] from an in-toto attestation's Statement
//! (issue #15): a provenance predicate's resolved dependencies (SLSA v1
//! `resolvedDependencies`, v0.2 `materials`) become source items whose
//! product is the dependency, each flowing into one build item whose
//! materials are those dependencies and whose products are the Statement's
//! subjects — materials → build → subjects, drawn by the Chain view like an
//! in-toto chain.
//!
//! The build item carries the verdict of the bundle that signed the
//! Statement; the sources are claims of the provenance that nothing
//! checked (trailscope does not fetch them), so they are marked skipped
//! with the reason, never pass.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::{Edge, GraphKind, ItemKind, ItemNode, ItemStatus, MatchEdge, Node, Side, SupplyGraph};
use crate::attest::Statement;
use crate::attest::predicate::PredicateView;
use crate::intoto::engine::SectionResult;
use crate::intoto::model::{Artifacts, HashDict};
use crate::intoto::rule::ArtifactType;
use crate::verdict::{Verdict, category::Category};

/// Sources drawn one by one; a provenance listing more gets one item for the rest.
pub const SOURCES_DRAWN: usize = 16;

/// The name of the build item.
pub const BUILD: &str = "build";

/// Why a source item is not verified.
pub const SOURCE_UNCHECKED: &str = "a resolved dependency the provenance claims: signed with the Statement, not fetched or checked by trailscope";

fn hash_dict(digests: impl IntoIterator<Item = (String, String)>) -> HashDict {
    let mut d = HashDict::new();
    for (alg, hex) in digests {
        d.insert(alg, hex);
    }
    d
}

/// `alg:hex` as the predicate view writes a material's first digest.
fn material_digest(text: &str) -> HashDict {
    match text.split_once(':') {
        Some((alg, hex)) => hash_dict([(alg.to_owned(), hex.to_owned())]),
        None => HashDict::new(),
    }
}

fn item(name: &str, status: ItemStatus, command: Vec<Value>, section: SectionResult) -> ItemNode {
    ItemNode {
        kind: ItemKind::Step,
        name: name.to_owned(),
        scope: Vec::new(),
        status,
        threshold: 0,
        pubkeys: Vec::new(),
        command,
        material_rules: Vec::new(),
        product_rules: Vec::new(),
        verified: Vec::new(),
        used_link: None,
        materials: Some(section),
        products: None,
        not_evaluated: None,
        ran: None,
    }
}

fn section(materials: Artifacts, products: Artifacts) -> SectionResult {
    SectionResult {
        side: ArtifactType::Materials,
        materials: Arc::new(materials),
        products: Arc::new(products),
        rules: Vec::new(),
    }
}

/// The graph of a Statement and its predicate's typed view; `verdict` is
/// the bundle's (the build item's status), `None` while unknown.
pub fn from_statement(
    statement: &Statement,
    view: &PredicateView,
    verdict: Option<(Verdict, Category)>,
) -> SupplyGraph {
    let mut g = SupplyGraph::new(GraphKind::Attestation);
    g.verdict = verdict.map(|(v, _)| v);
    g.category = verdict.map(|(_, c)| c);
    let mut sources: Vec<(String, HashDict)> = view
        .materials
        .iter()
        .take(SOURCES_DRAWN)
        .map(|(uri, digest)| (uri.clone(), material_digest(digest)))
        .collect();
    let rest = view.materials.len().saturating_sub(SOURCES_DRAWN);
    if rest > 0 {
        sources.push((format!("{rest} more resolved dependencies"), HashDict::new()));
    }
    let mut source_nodes = Vec::new();
    for (uri, digest) in &sources {
        let products: Artifacts = BTreeMap::from([(uri.clone(), digest.clone())]);
        let mut node = item(
            &format!("source {uri}"),
            ItemStatus::Skipped,
            vec![Value::String(uri.clone())],
            section(Artifacts::new(), products),
        );
        node.not_evaluated = Some(SOURCE_UNCHECKED.to_owned());
        let id = g.add(Node::from_item(node));
        g.add_artifact(id, Side::Products, uri);
        source_nodes.push((id, uri.clone()));
    }
    let materials: Artifacts = sources.iter().cloned().collect();
    let products: Artifacts = statement
        .subjects
        .iter()
        .map(|s| (s.name.clone(), hash_dict(s.digest.iter().map(|(a, h)| (a.clone(), h.clone())))))
        .collect();
    let status = match verdict {
        Some((Verdict::Pass, _)) => ItemStatus::Pass,
        Some(_) => ItemStatus::Fail,
        None => ItemStatus::Skipped,
    };
    let command: Vec<Value> = [&view.builder_id, &view.build_type, &view.workflow]
        .into_iter()
        .flatten()
        .map(|s| Value::String(s.clone()))
        .collect();
    let build = g.add(Node::from_item(item(BUILD, status, command, section(materials, products.clone()))));
    for (index, (source, uri)) in source_nodes.iter().enumerate() {
        g.add_artifact(build, Side::Materials, uri);
        let edge = MatchEdge {
            rule: format!("MATCH {uri} WITH PRODUCTS FROM source"),
            to_side: Side::Materials,
            from_side: Side::Products,
            index,
            evaluated: false,
            broken: false,
        };
        g.connect(*source, build, Edge::Matches(Box::new(edge)));
    }
    for name in products.keys() {
        g.add_artifact(build, Side::Products, name);
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::predicate;
    use serde_json::json;

    fn provenance() -> Statement {
        Statement::from_value(&json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "pkg:npm/demo@1.0.0", "digest": {"sha512": "ab"}}],
            "predicateType": predicate::SLSA_V1,
            "predicate": {
                "buildDefinition": {
                    "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                    "externalParameters": {"workflow": {"repository": "https://github.com/o/r", "ref": "refs/tags/v1", "path": ".github/workflows/release.yml"}},
                    "resolvedDependencies": [{"uri": "git+https://github.com/o/r@refs/tags/v1", "digest": {"gitCommit": "0123abcd"}}]
                },
                "runDetails": {"builder": {"id": "https://github.com/actions/runner"}}
            }
        }))
        .unwrap()
    }

    #[test]
    fn provenance_becomes_materials_to_build_to_subjects() {
        let s = provenance();
        let view = predicate::view(&s.predicate_type, &s.predicate);
        let g = from_statement(&s, &view, Some((Verdict::Pass, crate::verdict::category::PASS)));
        let items = g.items();
        assert_eq!(items.len(), 2);
        let build = g.item(BUILD).expect("a build item");
        assert_eq!(g.node(build).and_then(Node::item).map(|i| i.status), Some(ItemStatus::Pass));
        let source = g.item("source git+https://github.com/o/r@refs/tags/v1").expect("a source item");
        assert_eq!(g.node(source).and_then(Node::item).map(|i| i.status), Some(ItemStatus::Skipped));
        assert_eq!(g.edges_of("matches").len(), 1);
        let subject = g.artifact(build, Side::Products, "pkg:npm/demo@1.0.0").expect("the subject");
        let Some(Node::Artifact(a)) = g.node(subject) else { panic!() };
        assert_eq!(g.digests(a), vec![("sha512".to_owned(), "ab".to_owned())]);
        let dep = g.artifact(build, Side::Materials, "git+https://github.com/o/r@refs/tags/v1").unwrap();
        let Some(Node::Artifact(a)) = g.node(dep) else { panic!() };
        assert_eq!(g.digests(a), vec![("gitCommit".to_owned(), "0123abcd".to_owned())]);
    }

    #[test]
    fn a_failed_bundle_fails_its_build_and_many_sources_are_bounded() {
        let mut s = provenance();
        let deps: Vec<Value> =
            (0..40).map(|i| json!({"uri": format!("dep{i}"), "digest": {"sha256": "00"}})).collect();
        s.predicate["buildDefinition"]["resolvedDependencies"] = Value::Array(deps);
        let view = predicate::view(&s.predicate_type, &s.predicate);
        let g = from_statement(&s, &view, Some((Verdict::Fail, crate::verdict::category::IDENTITY_MISMATCH)));
        assert_eq!(g.items().len(), SOURCES_DRAWN + 2);
        let build = g.item(BUILD).unwrap();
        assert_eq!(g.node(build).and_then(Node::item).map(|i| i.status), Some(ItemStatus::Fail));
        assert!(g.item("source 24 more resolved dependencies").is_some());
    }
}
