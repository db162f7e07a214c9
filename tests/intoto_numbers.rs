//! Numbers in signed in-toto documents that serde_json holds as floats,
//! through the command line.
//!
//! python in-toto 3.1 computes the canonical JSON of the object it rebuilds
//! while it loads a document, and securesystemslib's canonical JSON has no
//! floats: a float in a member python keeps is `metadata-invalid` (the
//! layout does not load; a link ends the verification at its step), a
//! float in a member python drops does not matter. Integers outside 64 bits
//! are canonical JSON (unbounded) and python reads them exactly: they
//! verify. The scenarios are `float-*` and `bigint-*` in
//! fixtures/interop/in-toto (built by tools/gen-intoto-divergences.py,
//! verdicts from python in-toto).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/in-toto").join(name)
}

/// `verify --format json` of a scenario with extra arguments: (exit code, document).
fn verify(name: &str, extra: &[&str]) -> (i32, Value) {
    let dir = scenario(name);
    // git keeps no empty directory: the scenario's empty workdir may be absent.
    let workdir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .current_dir(workdir.path())
        .args(["verify", "--format", "json", "--at", "2026-06-01T00:00:00Z", "--layout"])
        .arg(dir.join("root.layout"))
        .arg("--layout-keys")
        .arg(dir.join("keys/olga.pub.json"))
        .arg("--link-dir")
        .arg(dir.join("links"))
        .args(extra)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), doc)
}

fn errors(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| format!("{}: {}", f["category"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect()
}

#[test]
fn a_float_in_a_layout_key_makes_the_layout_invalid_and_names_where() {
    // The layout is the named input that does not load: exit 3 (DESIGN §4).
    let (code, doc) = verify("float-layout-key-member", &[]);
    assert_eq!(
        (code, doc["verdict"].as_str(), doc["category"].as_str()),
        (3, Some("fail"), Some("metadata-invalid"))
    );
    let errors = errors(&doc);
    assert!(errors[0].contains("/x-weight: 0.5 is not an integer"), "{errors:?}");
    assert!(errors[0].contains("canonical JSON"), "{errors:?}");
}

#[test]
fn a_float_step_threshold_is_invalid() {
    let (code, doc) = verify("float-step-threshold", &[]);
    assert_eq!((code, doc["category"].as_str()), (3, Some("metadata-invalid")), "{doc}");
    assert!(errors(&doc)[0].contains("/steps/1/threshold"), "{:?}", errors(&doc));
}

#[test]
fn a_float_in_a_link_ends_the_verification_at_its_step() {
    for (name, step, pointer) in [
        ("float-link-environment", "build", "/environment/load: 0.75"),
        ("float-link-byproducts", "fetch", "/byproducts/duration: 2.5"),
    ] {
        let (code, doc) = verify(name, &[]);
        assert_eq!((code, doc["category"].as_str()), (1, Some("metadata-invalid")), "{name}: {doc}");
        assert_eq!(doc["failure"]["step"], step, "{name}");
        let first = &errors(&doc)[0];
        assert!(first.starts_with(&format!("metadata-invalid: link of step '{step}'")), "{first}");
        assert!(first.contains(pointer), "{first}");
    }
}

#[test]
fn a_float_in_a_member_python_drops_does_not_matter() {
    for name in ["float-layout-dropped-member", "float-link-dropped-member"] {
        let (code, doc) = verify(name, &[]);
        assert_eq!((code, doc["verdict"].as_str()), (0, Some("pass")), "{name}: {doc}");
        // The signature holds over python's rebuilt object only (the
        // written form has no canonical JSON), and the report says so.
        let warned = doc["findings"].as_array().unwrap().iter().any(|f| {
            f["category"] == "signature-form-divergence" && f["message"].as_str().unwrap().contains("x-")
        });
        assert!(warned, "{name}: {doc}");
    }
}

#[test]
fn integers_outside_64_bits_are_signed_over_as_written() {
    for name in ["bigint-layout-key-member", "bigint-link-environment"] {
        let (code, doc) = verify(name, &[]);
        assert_eq!((code, doc["verdict"].as_str()), (0, Some("pass")), "{name}: {:?}", errors(&doc));
    }
}
