//! The `custom` conventions of ITE-2/ITE-3 (corpus README-bridge, rules 1–4):
//! `custom["in-toto"]` lists target paths — on a package its layout and
//! links, on a layout its keys — and `custom["root-layout-type"]` (default
//! `"core"`) must be the client's layout type.

use serde_json::Value;

use crate::tuf::TargetFile;

/// The client's root layout type (Datadog's default).
pub const CLIENT_LAYOUT_TYPE: &str = "core";

/// The bridge-only categories of the `custom-metadata` stage.
pub mod category {
    pub const NO_LAYOUT: crate::verdict::category::Category = crate::verdict::category::NO_LAYOUT;
    pub const MULTIPLE_LAYOUTS: crate::verdict::category::Category =
        crate::verdict::category::MULTIPLE_LAYOUTS;
    pub const LAYOUT_TYPE_MISMATCH: crate::verdict::category::Category =
        crate::verdict::category::LAYOUT_TYPE_MISMATCH;
    pub const NO_LAYOUT_KEYS: crate::verdict::category::Category = crate::verdict::category::NO_LAYOUT_KEYS;
    pub const NO_LINKS: crate::verdict::category::Category = crate::verdict::category::NO_LINKS;
    pub const CUSTOM_INVALID: crate::verdict::category::Category = crate::verdict::category::CUSTOM_INVALID;
}

/// `custom["in-toto"]` of a target, in listed order.
///
/// Errors (the reference's `AttributeError`, or a list that is not one of
/// strings) say what is wrong, for a `custom-invalid` finding.
pub fn in_toto_entries(info: &TargetFile) -> Result<Vec<String>, String> {
    let custom = match &info.custom {
        None | Some(Value::Null) => return Err("the target has no \"custom\" object".into()),
        Some(Value::Object(m)) => m,
        Some(other) => return Err(format!("\"custom\" is {}, not an object", kind(other))),
    };
    match custom.get("in-toto") {
        None => Err("\"custom\" has no \"in-toto\" list".into()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("\"custom\".\"in-toto\"[{i}] is {}, not a string", kind(other))),
            })
            .collect(),
        Some(other) => Err(format!("\"custom\".\"in-toto\" is {}, not a list", kind(other))),
    }
}

/// `custom.get("root-layout-type", "core")`: `Ok` when it is the client's
/// type, else the value found (as the reference prints it).
pub fn check_layout_type(info: &TargetFile) -> Result<(), String> {
    let found = info.custom.as_ref().and_then(|c| c.get("root-layout-type"));
    match found {
        None => Ok(()),
        Some(Value::String(s)) if s == CLIENT_LAYOUT_TYPE => Ok(()),
        Some(Value::String(s)) => Err(s.clone()),
        Some(other) => Err(other.to_string()),
    }
}

/// Entries ending in `ext`, in listed order (duplicates kept: the reference
/// fetches each again).
pub fn with_extension<'a>(entries: &'a [String], ext: &str) -> Vec<&'a String> {
    entries.iter().filter(|e| e.ends_with(ext)).collect()
}

/// The distinct `.layout` entries, in first-listed order.
pub fn distinct_layouts(entries: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in with_extension(entries, ".layout") {
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    out
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(custom: Option<Value>) -> TargetFile {
        TargetFile { length: 1, hashes: Default::default(), custom }
    }

    #[test]
    fn entries_and_types() {
        let t = target(Some(json!({"in-toto": ["a.layout", "x/b.link", "a.layout", "k.pub"]})));
        let e = in_toto_entries(&t).unwrap();
        assert_eq!(distinct_layouts(&e), vec!["a.layout".to_owned()]);
        assert_eq!(with_extension(&e, ".link").len(), 1);
        assert!(check_layout_type(&t).is_ok());
        let t = target(Some(json!({"in-toto": [], "root-layout-type": "extras"})));
        assert_eq!(check_layout_type(&t), Err("extras".into()));
        assert!(in_toto_entries(&target(None)).is_err());
        assert!(in_toto_entries(&target(Some(json!([])))).is_err());
        assert!(in_toto_entries(&target(Some(json!({"in-toto": [1]})))).is_err());
        assert!(in_toto_entries(&target(Some(json!({"in-toto": "a.layout"})))).is_err());
    }
}
