//! What verification saw, per layout, step, link, inspection and rule — the
//! data a reader (text report, TUI) walks to explain a verdict.

use serde_json::Value;

use super::engine::SectionResult;
use super::inspect::InspectionRun;
use super::metadata::Format;

/// One (sub)layout as verified.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutTrace {
    /// The delegating steps above this layout (empty for the root layout).
    pub scope: Vec<String>,
    pub path: String,
    pub format: Option<Format>,
    pub expires: Option<String>,
    /// Stage 1: the layout's signature by each given key, in order (empty
    /// when the layout was not read).
    pub signatures: Vec<crate::verdict::SignatureCheck>,
    pub steps: Vec<StepTrace>,
    pub inspections: Vec<InspectionTrace>,
    /// Functionary names by key id, where the layout's keys name them.
    pub owners: crate::verdict::Owners,
}

impl LayoutTrace {
    /// Functionary names by key id, this layout's and its sublayouts'.
    pub fn all_owners(&self) -> crate::verdict::Owners {
        let mut owners = self.owners.clone();
        for sub in self.steps.iter().flat_map(|s| &s.sublayouts) {
            for (k, v) in sub.all_owners() {
                owners.entry(k).or_insert(v);
            }
        }
        owners
    }
}

/// What became of one link file a step's authorized key could have written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    /// No such file.
    Missing,
    /// Unreadable as in-toto metadata.
    Malformed(String),
    /// No layout key for the authorized key id (python skips the link).
    Unauthorized,
    /// The signature did not verify (or none with the key id).
    BadSignature(String),
    /// Validly signed by the authorized key.
    Verified,
}

/// One link file of a step.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkTrace {
    /// The authorized key id whose 8-character prefix names the file.
    pub keyid: String,
    pub path: String,
    pub status: LinkStatus,
    pub format: Option<Format>,
    /// The recorded command (after sublayout summary, if any).
    pub command: Option<Vec<Value>>,
    /// True when the file is a sublayout.
    pub sublayout: bool,
}

/// One step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepTrace {
    pub name: String,
    pub threshold: i64,
    pub pubkeys: Vec<String>,
    pub expected_command: Vec<Value>,
    /// The rules as the layout states them (after parameter substitution),
    /// evaluated or not: the graph draws a MATCH rule's flow either way.
    pub expected_materials: Vec<Vec<String>>,
    pub expected_products: Vec<Vec<String>>,
    pub links: Vec<LinkTrace>,
    /// Key ids of the links that counted towards the threshold.
    pub verified: Vec<String>,
    /// The key id of the link whose artifacts the rules used (python: the
    /// first verified link in `pubkeys` order).
    pub used_link: Option<String>,
    pub materials: Option<SectionResult>,
    pub products: Option<SectionResult>,
    /// Why the rules were not evaluated, when they were not.
    pub not_evaluated: Option<String>,
    /// Sublayouts delegated by this step, one per verified sublayout link.
    pub sublayouts: Vec<LayoutTrace>,
}

/// One inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionTrace {
    pub name: String,
    /// `run` after parameter substitution.
    pub run: Vec<Value>,
    /// The rules as the layout states them (after parameter substitution).
    pub expected_materials: Vec<Vec<String>>,
    pub expected_products: Vec<Vec<String>>,
    /// `None` when not run (no `--run-inspections`).
    pub execution: Option<InspectionRun>,
    pub materials: Option<SectionResult>,
    pub products: Option<SectionResult>,
    pub not_evaluated: Option<String>,
}

impl InspectionTrace {
    /// The trace of `insp` before anything about it is known (not run, no
    /// rule evaluated).
    pub fn of(insp: &super::model::Inspection) -> Self {
        Self {
            name: insp.name.clone(),
            run: insp.run.clone(),
            expected_materials: insp.expected_materials.clone(),
            expected_products: insp.expected_products.clone(),
            execution: None,
            materials: None,
            products: None,
            not_evaluated: None,
        }
    }
}
