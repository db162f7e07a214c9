//! The JSON document of a bridge run (DESIGN §4, `kind: "bridge"`): the
//! common fields (`verdict`, `category`, `stage`, `findings` each with its
//! `stage`, `failure`), TUF's `refresh`, the typed `roles` detail
//! (`verdict::tuf_detail`, built by `tuf::report` as for `tuf verify`) and
//! `targets`, and a `bridge` object with what the corpus compares
//! (`failed_target`, `role`, `trace`) and why each target was fetched.

use serde_json::{Value, json};

use super::BridgeOutcome;
use crate::verdict::{Document, Failure, Kind};

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
        doc
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
