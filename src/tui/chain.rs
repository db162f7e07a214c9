//! The in-toto chain as the Chain, Step and Artifact views walk it
//! (DESIGN §6): the layout's steps and inspections flattened in order
//! (sublayouts after the step that delegates to them), each with its status,
//! links and rule results; the artifact flows between items that MATCH rules
//! make, broken where a rule could not consume what it matched; and every
//! artifact path, indexed so that a 100,000-artifact link is shown by
//! looking up only the visible rows.
//!
//! Built once per run on the verification thread, from
//! [`InTotoOutcome::layout`]; read-only afterwards.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::intoto::engine::{RuleResult, SectionResult};
use crate::intoto::model::{Artifacts, HashDict};
use crate::intoto::rule::{ArtifactRule, ArtifactType};
use crate::intoto::{InTotoOutcome, InspectionTrace, LayoutTrace, LinkTrace, StepTrace};
use crate::verdict::{Finding, Severity, Subject};

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

/// Where an item stands after verification (shown as glyph and word).
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
}

/// One step or inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub name: String,
    /// The delegating steps above its (sub)layout; empty in the root layout.
    pub scope: Vec<String>,
    pub status: ItemStatus,
    /// Steps: k of `pubkeys` signed links needed.
    pub threshold: i64,
    pub pubkeys: Vec<String>,
    /// Steps: `expected_command`; inspections: `run`.
    pub command: Vec<Value>,
    pub links: Vec<LinkTrace>,
    /// Key ids whose links counted towards the threshold.
    pub verified: Vec<String>,
    pub used_link: Option<String>,
    pub materials: Option<SectionResult>,
    pub products: Option<SectionResult>,
    pub not_evaluated: Option<String>,
    /// Inspections: whether it ran, and how it ended.
    pub ran: Option<String>,
    /// The recorded materials and products, by path (sorted), for indexed
    /// access to long tables.
    pub material_paths: Vec<String>,
    pub product_paths: Vec<String>,
}

impl Item {
    /// The recorded artifacts of one side.
    pub fn artifacts(&self, side: ArtifactType) -> Option<&Artifacts> {
        let section = self.materials.as_ref().or(self.products.as_ref())?;
        Some(match side {
            ArtifactType::Materials => &section.materials,
            ArtifactType::Products => &section.products,
        })
    }

    pub fn paths(&self, side: ArtifactType) -> &[String] {
        match side {
            ArtifactType::Materials => &self.material_paths,
            ArtifactType::Products => &self.product_paths,
        }
    }

    pub fn digest(&self, side: ArtifactType, path: &str) -> Option<&HashDict> {
        self.artifacts(side)?.get(path)
    }

    /// Both sections' rules, materials first, with their section.
    pub fn rules(&self) -> impl Iterator<Item = (&SectionResult, &RuleResult)> {
        self.materials.iter().chain(self.products.iter()).flat_map(|s| s.rules.iter().map(move |r| (s, r)))
    }

    pub fn rule_count(&self) -> usize {
        self.rules().count()
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

    /// "package" or "sub › package" for items inside a sublayout.
    pub fn display_name(&self) -> String {
        if self.scope.is_empty() {
            self.name.clone()
        } else {
            format!("{} › {}", self.scope.join(" › "), self.name)
        }
    }
}

/// An artifact flow: a MATCH rule of `to` takes artifacts from `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub from: usize,
    pub to: usize,
    /// The section of `to` the rule is in.
    pub side: ArtifactType,
    pub rule: String,
    /// The rule matched artifacts it could not consume (digest differs, or
    /// missing at the source).
    pub broken: bool,
}

/// The whole chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub layout: String,
    pub expires: Option<String>,
    /// Key ids the layout was verified with.
    pub layout_keys: Vec<String>,
    pub items: Vec<Item>,
    pub flows: Vec<Flow>,
    /// Every artifact path any item recorded, sorted and unique.
    pub artifacts: Vec<String>,
    /// Paths a failed rule is about (offending or unmatched).
    pub flagged: BTreeSet<String>,
    /// Each item's layer in the drawing: the longest flow path into it.
    pub layers: Vec<usize>,
}

impl Chain {
    pub fn from_outcome(outcome: &InTotoOutcome, findings: &[Finding], layout_keys: Vec<String>) -> Self {
        let mut items = Vec::new();
        flatten(&outcome.layout, &mut items);
        for item in &mut items {
            item.status = status(item, findings);
        }
        let flows = flows(&items);
        let mut all: BTreeSet<&String> = BTreeSet::new();
        for item in &items {
            all.extend(item.material_paths.iter());
            all.extend(item.product_paths.iter());
        }
        let artifacts: Vec<String> = all.into_iter().cloned().collect();
        let mut flagged = BTreeSet::new();
        for item in &items {
            for (_, r) in item.rules() {
                flagged.extend(r.trace.offending.iter().cloned());
                flagged.extend(r.trace.unmatched.iter().map(|u| u.path.clone()));
            }
        }
        let layers = layers(items.len(), &flows);
        Self {
            layout: outcome.layout.path.clone(),
            expires: outcome.layout.expires.clone(),
            layout_keys,
            items,
            flows,
            artifacts,
            flagged,
            layers,
        }
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

    /// Row of an artifact path in [`Chain::artifacts`].
    pub fn artifact_row(&self, path: &str) -> Option<usize> {
        self.artifacts.binary_search_by(|p| p.as_str().cmp(path)).ok()
    }

    /// Where `path` was recorded, in chain order: (item, side, digests).
    pub fn observations(&self, path: &str) -> Vec<(usize, ArtifactType, &HashDict)> {
        let mut out = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            for side in [ArtifactType::Materials, ArtifactType::Products] {
                if let Some(d) = item.digest(side, path) {
                    out.push((i, side, d));
                }
            }
        }
        out
    }

    /// The item indices that flow into / out of `item`.
    pub fn neighbours(&self, item: usize) -> BTreeSet<usize> {
        let mut out = BTreeSet::from([item]);
        for f in &self.flows {
            if f.from == item {
                out.insert(f.to);
            }
            if f.to == item {
                out.insert(f.from);
            }
        }
        out
    }

    pub fn failed(&self) -> bool {
        self.items.iter().any(|i| i.status == ItemStatus::Fail)
    }
}

fn flatten(layout: &LayoutTrace, out: &mut Vec<Item>) {
    for step in &layout.steps {
        out.push(step_item(step, &layout.scope));
        for sub in &step.sublayouts {
            flatten(sub, out);
        }
    }
    for inspection in &layout.inspections {
        out.push(inspection_item(inspection, &layout.scope));
    }
}

fn keys_of(section: Option<&SectionResult>) -> (Vec<String>, Vec<String>) {
    section.map_or_else(Default::default, |s| {
        (s.materials.keys().cloned().collect(), s.products.keys().cloned().collect())
    })
}

fn step_item(step: &StepTrace, scope: &[String]) -> Item {
    let (material_paths, product_paths) = keys_of(step.materials.as_ref().or(step.products.as_ref()));
    Item {
        kind: ItemKind::Step,
        name: step.name.clone(),
        scope: scope.to_vec(),
        status: ItemStatus::Pass,
        threshold: step.threshold,
        pubkeys: step.pubkeys.clone(),
        command: step.expected_command.clone(),
        links: step.links.clone(),
        verified: step.verified.clone(),
        used_link: step.used_link.clone(),
        materials: step.materials.clone(),
        products: step.products.clone(),
        not_evaluated: step.not_evaluated.clone(),
        ran: None,
        material_paths,
        product_paths,
    }
}

fn inspection_item(inspection: &InspectionTrace, scope: &[String]) -> Item {
    let (material_paths, product_paths) =
        keys_of(inspection.materials.as_ref().or(inspection.products.as_ref()));
    let ran = Some(match &inspection.execution {
        None => "not run (pass --run-inspections to run it)".to_owned(),
        Some(run) => format!("ran: {:?}", run.outcome),
    });
    Item {
        kind: ItemKind::Inspection,
        name: inspection.name.clone(),
        scope: scope.to_vec(),
        status: ItemStatus::Pass,
        threshold: 0,
        pubkeys: Vec::new(),
        command: inspection.run.clone(),
        links: Vec::new(),
        verified: Vec::new(),
        used_link: None,
        materials: inspection.materials.clone(),
        products: inspection.products.clone(),
        not_evaluated: inspection.not_evaluated.clone(),
        ran,
        material_paths,
        product_paths,
    }
}

/// Fail when a rule failed, the threshold was not met or an error names the
/// item; skipped when its rules were not evaluated; warn on warnings.
fn status(item: &Item, findings: &[Finding]) -> ItemStatus {
    let about = |f: &&Finding| match &f.subject {
        Subject::Step { name } | Subject::Inspection { name } => *name == item.name,
        Subject::Rule { step, .. } => *step == item.name,
        Subject::Link { path } => item.links.iter().any(|l| l.path == *path),
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

fn flows(items: &[Item]) -> Vec<Flow> {
    let mut out = Vec::new();
    for (to, item) in items.iter().enumerate() {
        for (section, rule) in item.rules() {
            let Some(ArtifactRule::Match(m)) = &rule.parsed else { continue };
            let from = items
                .iter()
                .position(|i| i.name == m.dest_name && i.scope == item.scope)
                .or_else(|| items.iter().position(|i| i.name == m.dest_name));
            let Some(from) = from.filter(|f| *f != to) else { continue };
            let broken = !rule.trace.unmatched.is_empty() || rule.failed();
            out.push(Flow { from, to, side: section.side, rule: rule.text(), broken });
        }
    }
    out
}

/// Longest-path layering over the flows (bounded, so a cycle cannot loop).
fn layers(n: usize, flows: &[Flow]) -> Vec<usize> {
    let mut layer = vec![0usize; n];
    for _ in 0..n.min(64) {
        let mut changed = false;
        for f in flows {
            let want = layer.get(f.from).map_or(0, |l| l + 1);
            if let Some(l) = layer.get_mut(f.to)
                && *l < want
                && want < 64
            {
                *l = want;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    layer
}

/// The index of the first differing character of two digests, if any.
pub fn first_difference(a: &str, b: &str) -> Option<usize> {
    crate::tui::views::findings::first_difference(a, b)
}

/// The sha256 (else the first) digest of a hash dict.
pub fn main_digest(d: &HashDict) -> Option<(&str, std::borrow::Cow<'_, str>)> {
    d.get_key_value("sha256").or_else(|| d.iter().next())
}
