//! The stable JSON document (`--format json`, schema_version 1, DESIGN §4).
//! Keys come out sorted because the document is built as a `serde_json::Value`
//! whose maps are ordered; strings are raw, never sanitized.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::category::Category;
use crate::verdict::finding::Finding;

pub const SCHEMA_VERSION: u64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    InToto,
    Tuf,
    Bridge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

/// Which step, rule and artifact the reference-order failure is about (in-toto).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub step: Option<String>,
    pub rule: Option<String>,
    pub artifact: Option<String>,
    pub scope: Vec<String>,
}

/// The outcome for one requested TUF target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// `ok`, `not-found` or `error`.
    pub result: String,
    pub role: Option<String>,
    pub category: Option<Category>,
    #[serde(default)]
    pub hashes: BTreeMap<String, String>,
    pub length: Option<u64>,
}

/// Everything `--format json` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: Kind,
    pub evaluated_at: OffsetDateTime,
    pub verdict: Verdict,
    /// `pass` (in-toto), `ok` (TUF) or the reference-order failure category.
    pub category: Category,
    pub findings: Vec<Finding>,
    pub failure: Option<Failure>,
    /// Bridge: the stage of the first failure.
    pub stage: Option<String>,
    /// TUF: `ok` or `error`.
    pub refresh: Option<String>,
    /// TUF: per-role state after refresh.
    pub roles: Option<Value>,
    pub targets: Option<BTreeMap<String, TargetResult>>,
}

impl Document {
    pub fn new(kind: Kind, evaluated_at: OffsetDateTime, findings: Vec<Finding>, category: Category) -> Self {
        let verdict = if findings.iter().any(|f| f.severity == crate::verdict::finding::Severity::Error) {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        Self {
            kind,
            evaluated_at,
            verdict,
            category,
            findings,
            failure: None,
            stage: None,
            refresh: None,
            roles: None,
            targets: None,
        }
    }

    pub fn to_value(&self) -> Value {
        let mut doc = serde_json::Map::new();
        let mut put = |k: &str, v: Value| {
            doc.insert(k.to_owned(), v);
        };
        put("schema_version", SCHEMA_VERSION.into());
        put("tool", "trailscope".into());
        put("version", env!("CARGO_PKG_VERSION").into());
        put("kind", to_value(&self.kind));
        put("evaluated_at", crate::meta::time::format(self.evaluated_at).into());
        put("verdict", to_value(&self.verdict));
        put("category", self.category.id().into());
        put("findings", to_value(&self.findings));
        put("failure", to_value(&self.failure));
        put("stage", to_value(&self.stage));
        if self.kind != Kind::InToto {
            put("refresh", to_value(&self.refresh));
            put("roles", self.roles.clone().unwrap_or(Value::Null));
            put("targets", to_value(&self.targets));
        }
        Value::Object(doc)
    }

    /// Pretty JSON text with sorted keys.
    pub fn to_json_string(&self) -> String {
        // Serializing a Value cannot fail: all map keys are strings.
        serde_json::to_string_pretty(&self.to_value()).unwrap_or_default()
    }

    /// Reads a saved `--format json` document back (`trailscope report`).
    /// Members this model does not hold (a bridge run's `bridge` object,
    /// `tuf inspect`'s `inspect` tree) are ignored; a document of another
    /// tool or schema version is refused.
    pub fn from_json_str(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        Self::from_value(&v)
    }

    /// See [`Document::from_json_str`].
    pub fn from_value(v: &Value) -> Result<Self, String> {
        let obj = v.as_object().ok_or("not a JSON object")?;
        if obj.get("tool").and_then(Value::as_str) != Some("trailscope") {
            return Err("not a trailscope document (\"tool\" is not \"trailscope\")".into());
        }
        match obj.get("schema_version").and_then(Value::as_u64) {
            Some(SCHEMA_VERSION) => {}
            Some(n) => {
                return Err(format!(
                    "schema_version {n} is not supported (this trailscope reads {SCHEMA_VERSION})"
                ));
            }
            None => return Err("\"schema_version\" is missing".into()),
        }
        fn field<T: serde::de::DeserializeOwned>(
            obj: &serde_json::Map<String, Value>,
            key: &str,
        ) -> Result<T, String> {
            T::deserialize(obj.get(key).unwrap_or(&Value::Null)).map_err(|e| format!("\"{key}\": {e}"))
        }
        let evaluated_at: String = field(obj, "evaluated_at")?;
        let evaluated_at =
            crate::meta::time::parse(&evaluated_at).map_err(|e| format!("\"evaluated_at\": {e}"))?.at;
        Ok(Self {
            kind: field(obj, "kind")?,
            evaluated_at,
            verdict: field(obj, "verdict")?,
            category: field(obj, "category")?,
            findings: field(obj, "findings")?,
            failure: field(obj, "failure")?,
            stage: field(obj, "stage")?,
            refresh: field(obj, "refresh")?,
            roles: obj.get("roles").filter(|r| !r.is_null()).cloned(),
            targets: field(obj, "targets")?,
        })
    }
}

/// What a run was given (files, URLs, options), as labelled raw strings in
/// the order given. The Markdown report lists them; SARIF puts them on the
/// invocation. Not part of the JSON document (schema_version 1), so a
/// re-rendered report (`trailscope report`) has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs(Vec<(String, String)>);

impl Inputs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one input.
    pub fn add(&mut self, label: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.0.push((label.into(), value.into()));
        self
    }

    /// Adds one input when there is a value.
    pub fn add_opt(&mut self, label: impl Into<String>, value: Option<impl Into<String>>) -> &mut Self {
        if let Some(v) = value {
            self.add(label, v);
        }
        self
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(l, v)| (l.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::finding::{Finding, Subject};

    #[test]
    fn verdict_follows_error_findings() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let warn = Finding::warning(
            crate::verdict::category::COMMAND_MISMATCH,
            Subject::Step { name: "a".into() },
            "m",
        );
        let doc = Document::new(Kind::InToto, at, vec![warn.clone()], crate::verdict::category::PASS);
        assert_eq!(doc.verdict, Verdict::Pass);
        let err =
            Finding::error(crate::verdict::category::RULE_DISALLOW, Subject::Step { name: "a".into() }, "m");
        let doc = Document::new(Kind::InToto, at, vec![warn, err], crate::verdict::category::RULE_DISALLOW);
        assert_eq!(doc.verdict, Verdict::Fail);
        let v = doc.to_value();
        assert_eq!(v["verdict"], "fail");
        assert_eq!(v["findings"][1]["subject"]["kind"], "step");
        assert_eq!(v["evaluated_at"], "1970-01-01T00:00:00Z");
        assert!(v.get("refresh").is_none());
    }

    #[test]
    fn a_saved_document_reads_back_equal() {
        use crate::meta::Location;
        use crate::verdict::finding::{Evidence, RuleTrace, SignatureCheck, UnmatchedArtifact};
        let at = time::macros::datetime!(2030-01-01 0:00 UTC);
        let trace = RuleTrace {
            queue_before: vec!["a".into()],
            queue_before_count: 1,
            unmatched: vec![UnmatchedArtifact {
                path: "a".into(),
                hashes: serde_json::json!({"sha256": "11"}),
                dest_step: "b".into(),
                dest_path: "a".into(),
                dest_hashes: None,
                reason: "missing-destination".into(),
            }],
            ..RuleTrace::default()
        };
        let subject = || Subject::Rule {
            step: "s".into(),
            section: "expected_products".into(),
            index: 2,
            text: "DISALLOW *".into(),
        };
        let findings = vec![
            Finding::error(crate::verdict::category::RULE_DISALLOW, subject(), "m")
                .with_evidence(Evidence::RuleTrace(trace))
                .at(Location::new("root.layout", "/signed/steps/0")),
            Finding::warning(
                crate::verdict::category::KEYID_MISMATCH,
                Subject::Key { keyid: "ab".into() },
                "m",
            )
            .with_evidence(Evidence::Threshold {
                needed: 2,
                valid: vec!["ab".into()],
                checks: vec![SignatureCheck { keyid: "cd".into(), valid: false, reason: Some("bad".into()) }],
            }),
            Finding::info(crate::verdict::category::EXPIRES_SOON, Subject::Role { name: "root".into() }, "m")
                .in_stage("tuf")
                .with_evidence(Evidence::Expiry { expires: "x".into(), evaluated_at: "y".into() }),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::Target { path: "t".into() }, "m")
                .with_evidence(Evidence::Digests {
                    expected: serde_json::json!({"sha256": "1"}),
                    actual: serde_json::json!({"sha256": "2"}),
                }),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::File { path: "f".into() }, "m")
                .with_evidence(Evidence::Versions { trusted: 2, new: 1 }),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::Layout { path: "f".into() }, "m")
                .with_evidence(Evidence::Length { expected: 2, actual: 1 }),
            Finding::error(
                crate::verdict::category::ERROR_OTHER,
                Subject::Inspection { name: "i".into() },
                "m",
            )
            .with_evidence(Evidence::Data { data: serde_json::json!([1, {"a": null}]) }),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::Step { name: "s".into() }, "m")
                .with_evidence(Evidence::Signatures { checks: vec![] }),
            Finding::error(
                crate::verdict::category::ERROR_OTHER,
                Subject::Artifact { path: "a".into() },
                "m",
            ),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::Link { path: "l".into() }, "m"),
        ];
        let mut doc =
            Document::new(Kind::InToto, at, findings.clone(), crate::verdict::category::RULE_DISALLOW);
        doc.failure = Some(Failure {
            step: Some("s".into()),
            rule: None,
            artifact: Some("a".into()),
            scope: vec!["outer".into()],
        });
        assert_eq!(Document::from_json_str(&doc.to_json_string()).unwrap(), doc);

        let mut tuf = Document::new(Kind::Tuf, at, findings, crate::verdict::category::ERROR_OTHER);
        tuf.refresh = Some("ok".into());
        tuf.roles = Some(serde_json::json!({"root": {"version": 1}}));
        tuf.targets = Some(BTreeMap::from([(
            "p".to_owned(),
            TargetResult {
                result: "ok".into(),
                role: Some("targets".into()),
                category: Some(crate::verdict::category::OK),
                hashes: BTreeMap::from([("sha256".to_owned(), "ab".to_owned())]),
                length: Some(3),
            },
        )]));
        assert_eq!(Document::from_json_str(&tuf.to_json_string()).unwrap(), tuf);

        assert!(Document::from_json_str("[]").is_err());
        let mut v = tuf.to_value();
        v["schema_version"] = 2.into();
        assert!(Document::from_value(&v).unwrap_err().contains("schema_version 2"));
    }
}
