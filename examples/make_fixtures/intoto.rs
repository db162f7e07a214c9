//! in-toto metadata: links and layouts as Metablocks, and the demo supply chain
//! (clone → [update-version →] package, with an untar inspection).

use serde_json::{Map, Value, json};
use trailscope::crypto::SigningKey;

use super::util::{pretty, rules, sha256};

/// A Metablock `{"signatures","signed"}` signed over canonical JSON, written as
/// python in-toto writes it (`indent=1`, sorted keys, no trailing newline).
pub fn metablock(signed: &Value, keys: &[&SigningKey]) -> Vec<u8> {
    let msg = super::util::canonical(signed);
    let sigs: Vec<Value> =
        keys.iter().map(|k| json!({"keyid": k.keyid(), "sig": k.sign_hex(&msg)})).collect();
    pretty(&json!({"signatures": sigs, "signed": signed}), 1)
}

/// `{path: {"sha256": …}}` for the given files.
pub fn artifacts(files: &[(&str, &[u8])]) -> Value {
    let map: Map<String, Value> =
        files.iter().map(|(p, b)| ((*p).to_owned(), json!({"sha256": sha256(b)}))).collect();
    Value::Object(map)
}

/// `signed` of a link.
pub fn link(name: &str, command: &[&str], materials: Value, products: Value, stdout: &str) -> Value {
    json!({
        "_type": "link",
        "byproducts": {"return-value": 0, "stderr": "", "stdout": stdout},
        "command": command,
        "environment": {},
        "materials": materials,
        "name": name,
        "products": products,
    })
}

/// The link file name `<step>.<keyid[:8]>.link`.
pub fn link_name(step: &str, key: &SigningKey) -> String {
    format!("{step}.{}.link", &key.keyid()[..8])
}

/// A step of a layout.
pub fn step(
    name: &str,
    command: &[&str],
    materials: &[&str],
    products: &[&str],
    keys: &[&SigningKey],
) -> Value {
    json!({
        "_type": "step",
        "expected_command": command,
        "expected_materials": rules(materials),
        "expected_products": rules(products),
        "name": name,
        "pubkeys": keys.iter().map(|k| k.keyid()).collect::<Vec<_>>(),
        "threshold": 1,
    })
}

/// `signed` of a layout whose functionary keys are `functionaries`.
pub fn layout(
    expires: &str,
    readme: &str,
    functionaries: &[&SigningKey],
    steps: Vec<Value>,
    inspect: Vec<Value>,
) -> Value {
    let mut keys = Map::new();
    for k in functionaries {
        keys.insert(k.keyid(), k.public_key_dict_with_keyid());
    }
    json!({
        "_type": "layout",
        "expires": expires,
        "inspect": inspect,
        "keys": keys,
        "readme": readme,
        "steps": steps,
    })
}

/// An inspection.
pub fn inspection(name: &str, run: &[&str], materials: &[&str], products: &[&str]) -> Value {
    json!({
        "_type": "inspection",
        "expected_materials": rules(materials),
        "expected_products": rules(products),
        "name": name,
        "run": run,
    })
}

/// The source file of the demo project, as cloned (`version`, plus `extra` lines).
pub fn foo_py(version: &str, extra: &str) -> Vec<u8> {
    format!(
        "\"\"\"demo-project: prints a greeting.\"\"\"\n\nVERSION = \"{version}\"\n\n\ndef hello():\n    return \"Hello from demo-project \" + VERSION\n{extra}"
    )
    .into_bytes()
}
