//! A document's input files (DESIGN §4, schema 2) as the tests read them:
//! the list, the role of each, and the size and sha256 of each checked
//! against the file itself.

use std::path::Path;

use serde_json::Value;

/// The document's input files.
pub fn of(doc: &Value) -> &Vec<Value> {
    doc["inputs"].as_array().unwrap_or_else(|| panic!("no inputs in {doc}"))
}

/// The role of each input file, in order.
pub fn roles(doc: &Value) -> Vec<&str> {
    of(doc)
        .iter()
        .map(|f| f["role"].as_str().unwrap_or_else(|| panic!("an input without a role: {f}")))
        .collect()
}

/// Every input file's size and sha256 are those of the file at its path
/// (relative to `dir`) as it is now.
pub fn assert_fingerprinted(doc: &Value, dir: &Path) {
    for f in of(doc) {
        let path = f["path"].as_str().unwrap_or_else(|| panic!("an input without a path: {f}"));
        let bytes = std::fs::read(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(f["sha256"], trailscope::crypto::digest::sha256_hex(&bytes), "{path}");
        assert_eq!(f["size"], bytes.len(), "{path}");
    }
}
