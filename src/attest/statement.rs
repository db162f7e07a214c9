//! in-toto Statement v1 (and v0.1): subjects with their digests, the
//! predicate type and the predicate (attestation `spec/v1/statement.md`).
//! Unknown members are ignored; subjects are matched by digest only.

use std::collections::BTreeMap;

use serde_json::Value;

pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// At most this many subjects (sigstore-go limits).
pub const MAX_SUBJECTS: usize = 1024;
/// At most this many digests per subject.
pub const MAX_DIGESTS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub name: String,
    /// Algorithm → lowercase hex.
    pub digest: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub type_: String,
    pub subjects: Vec<Subject>,
    pub predicate_type: String,
    pub predicate: Value,
}

impl Statement {
    pub fn parse(payload: &[u8]) -> Result<Self, String> {
        let v: Value =
            serde_json::from_slice(payload).map_err(|e| format!("the payload is not JSON: {e}"))?;
        Self::from_value(&v)
    }

    pub fn from_value(v: &Value) -> Result<Self, String> {
        let o = v.as_object().ok_or("the statement is not a JSON object")?;
        let type_ = o.get("_type").and_then(Value::as_str).ok_or("\"_type\" is missing")?;
        if type_ != STATEMENT_V1 && type_ != STATEMENT_V01 {
            return Err(format!("\"_type\" {type_} is not an in-toto Statement (v1 or v0.1)"));
        }
        let list =
            o.get("subject").and_then(Value::as_array).ok_or("\"subject\" is missing or not an array")?;
        if list.len() > MAX_SUBJECTS {
            return Err(format!("{} subjects exceed the limit of {MAX_SUBJECTS}", list.len()));
        }
        let mut subjects = Vec::with_capacity(list.len());
        for (i, s) in list.iter().enumerate() {
            let digest = s
                .get("digest")
                .and_then(Value::as_object)
                .ok_or_else(|| format!("subject {i} has no \"digest\" object"))?;
            if digest.len() > MAX_DIGESTS {
                return Err(format!("subject {i} has {} digests, the limit is {MAX_DIGESTS}", digest.len()));
            }
            let digest = digest
                .iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|h| (k.clone(), h.to_ascii_lowercase()))
                        .ok_or_else(|| format!("subject {i}: digest {k} is not a string"))
                })
                .collect::<Result<_, _>>()?;
            let name = s.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            subjects.push(Subject { name, digest });
        }
        let predicate_type =
            o.get("predicateType").and_then(Value::as_str).ok_or("\"predicateType\" is missing")?;
        Ok(Self {
            type_: type_.to_owned(),
            subjects,
            predicate_type: predicate_type.to_owned(),
            predicate: o.get("predicate").cloned().unwrap_or(Value::Null),
        })
    }

    /// The first subject one of `digests` (algorithm → hex) matches.
    pub fn matching_subject(&self, digests: &BTreeMap<String, String>) -> Option<&Subject> {
        self.subjects.iter().find(|s| {
            digests.iter().any(|(alg, hex)| s.digest.get(alg).is_some_and(|h| h.eq_ignore_ascii_case(hex)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_match_by_digest_only() {
        let s = Statement::from_value(&serde_json::json!({
            "_type": STATEMENT_V1, "predicateType": "x",
            "subject": [{"name": "a", "digest": {"sha256": "AB"}}, {"digest": {"sha512": "cd"}}]
        }))
        .unwrap();
        let d = |a: &str, h: &str| BTreeMap::from([(a.to_owned(), h.to_owned())]);
        assert_eq!(s.matching_subject(&d("sha256", "ab")).unwrap().name, "a");
        assert!(s.matching_subject(&d("sha512", "cd")).is_some());
        assert!(s.matching_subject(&d("sha256", "cd")).is_none());
        assert!(
            Statement::from_value(&serde_json::json!({"_type": "x", "subject": [], "predicateType": "p"}))
                .is_err()
        );
    }
}
