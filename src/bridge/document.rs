//! The JSON document of a bridge run (DESIGN §4, `kind: "bridge"`): the
//! common fields (`verdict`, `category`, `stage`, `findings` each with its
//! `stage`, `failure`), TUF's `refresh`, the typed `roles` detail
//! (`verdict::tuf_detail`, built by `tuf::report` as for `tuf verify`) and
//! `targets`, and a `bridge` object with what the corpus compares
//! (`failed_target`, `role`, `trace`) and why each target was fetched.

use serde_json::{Value, json};

use super::BridgeOutcome;
use crate::verdict::{Check, CheckOutcome, Document, Evidence, Failure, Kind, Subject};

impl BridgeOutcome {
    /// The common document (without the `bridge` object).
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new(Kind::Bridge, self.at, self.findings.clone(), self.category);
        doc.verdict = self.verdict;
        doc.stage = self.stage().map(|s| s.as_str().to_owned());
        doc.failure = self.first.as_ref().map(|f| Failure {
            step: f.step.clone(),
            rule: f.rule.clone(),
            artifact: f.artifact.clone(),
            scope: self
                .intoto
                .as_ref()
                .and_then(|o| o.failure.as_ref())
                .filter(|_| f.stage == super::Stage::InToto)
                .map(|x| x.scope.clone())
                .unwrap_or_default(),
        });
        doc.refresh = Some(if self.tuf.refresh.is_ok() { "ok" } else { "error" }.to_owned());
        doc.roles = Some(crate::tuf::report::roles(&self.tuf));
        doc.targets = Some(crate::tuf::report::target_results(&self.tuf));
        doc.checks = self.checks(&doc);
        doc
    }

    /// Both halves' checks (TUF, then in-toto), then the binding of the
    /// product to the TUF target; each tagged with its stage.
    fn checks(&self, doc: &Document) -> Vec<Check> {
        let mut out: Vec<Check> = crate::tuf::report::checks(&self.tuf, doc)
            .into_iter()
            .map(|c| c.in_stage(super::Stage::Tuf.as_str()))
            .collect();
        match &self.intoto {
            Some(o) => out.extend(
                crate::intoto::performed::checks(o, &crate::verdict::Owners::new())
                    .into_iter()
                    .map(|c| c.in_stage(super::Stage::InToto.as_str())),
            ),
            None => out.push(
                Check::new(
                    Subject::Target { path: self.target.clone() },
                    "in-toto verification",
                    CheckOutcome::NotRun,
                    "in-toto did not run: an earlier stage failed",
                )
                .in_stage(super::Stage::InToto.as_str()),
            ),
        }
        let stage = super::Stage::ProductBinding.as_str();
        let binding = match &self.trace.binding {
            Some(b) => Check::new(
                Subject::Artifact { path: b.product.clone() },
                "product binding",
                CheckOutcome::of(b.holds()),
                format!(
                    "product {} of step {}: sha256 {} in its link, {} in the TUF target {}",
                    b.product,
                    b.step,
                    b.product_sha256.as_deref().unwrap_or("(not listed)"),
                    b.target_sha256.as_deref().unwrap_or("(none)"),
                    self.target
                ),
            )
            .with_evidence(Evidence::digests(
                serde_json::json!({"sha256": b.product_sha256}),
                serde_json::json!({"sha256": b.target_sha256}),
            )),
            None => Check::new(
                Subject::Target { path: self.target.clone() },
                "product binding",
                CheckOutcome::NotRun,
                "not evaluated: an earlier stage failed",
            ),
        };
        out.push(binding.in_stage(stage));
        out
    }

    /// The full JSON value: the document plus the `bridge` object.
    pub fn to_value(&self) -> Value {
        let mut v = self.to_document().to_value();
        let fetched: Vec<Value> = self
            .fetched
            .iter()
            .map(|(purpose, t)| {
                json!({
                    "path": t.path,
                    "purpose": purpose,
                    "result": t.status.as_str(),
                    "category": t.category.as_str(),
                    "role": t.role,
                    "visited": t.visited,
                })
            })
            .collect();
        v["bridge"] = json!({
            "target": self.target,
            "failed_target": self.first.as_ref().and_then(|f| f.failed_target.clone()),
            "role": self.first.as_ref().and_then(|f| f.role.clone()),
            "message": self.first.as_ref().map(|f| f.message.clone()),
            "trace": self.trace,
            "fetched": fetched,
            "inspections_run": self.run_inspections,
            "inspections_skipped": self.skip_inspections,
            "inspections_not_run": self.inspections_skipped,
        });
        v
    }

    /// Pretty JSON with sorted keys.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).unwrap_or_default()
    }
}
