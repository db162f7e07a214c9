//! A tiny in-toto fixture builder for tests: ed25519 keys from fixed seeds,
//! layouts and links signed as Metablocks or DSSE envelopes, written into a
//! temporary directory.
#![allow(dead_code)]

pub mod inputs;
pub mod tuf_repo;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use ed25519_dalek::Signer as _;
use serde_json::{Value, json};
use trailscope::crypto::PublicKey;
use trailscope::intoto::{InTotoOutcome, VerifyOptions, verify};
use trailscope::meta::canonical;

pub const NOW: &str = "2026-01-25T03:03:26Z";

pub struct Key {
    pub sk: ed25519_dalek::SigningKey,
    pub keyid: String,
    pub dict: Value,
}

impl Key {
    pub fn from_seed(seed: u8) -> Self {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        let public = hex::encode(sk.verifying_key().to_bytes());
        let mut dict = json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": public}});
        let keyid = trailscope::crypto::sha256_hex(&canonical::to_vec(&dict).unwrap());
        dict["keyid"] = json!(keyid);
        Self { sk, keyid, dict }
    }

    pub fn public(&self) -> PublicKey {
        PublicKey::from_dict(&self.dict).unwrap()
    }

    pub fn short(&self) -> String {
        self.keyid[..8].to_owned()
    }
}

/// `{"signed", "signatures"}` signed by `keys` over canonical JSON.
pub fn metablock(signed: &Value, keys: &[&Key]) -> Value {
    let bytes = canonical::to_vec(signed).unwrap();
    let sigs: Vec<Value> = keys
        .iter()
        .map(|k| json!({"keyid": k.keyid, "sig": hex::encode(k.sk.sign(&bytes).to_bytes())}))
        .collect();
    json!({"signed": signed, "signatures": sigs})
}

/// A DSSE envelope over the JSON text of `payload`.
pub fn dsse(payload: &Value, keys: &[&Key]) -> Value {
    let body = serde_json::to_vec(payload).unwrap();
    let ty = "application/vnd.in-toto+json";
    let pae = trailscope::meta::dsse::pae(ty, &body);
    let b64 = base64::engine::general_purpose::STANDARD;
    let sigs: Vec<Value> = keys
        .iter()
        .map(|k| json!({"keyid": k.keyid, "sig": b64.encode(k.sk.sign(&pae).to_bytes())}))
        .collect();
    json!({"payload": b64.encode(&body), "payloadType": ty, "signatures": sigs})
}

pub fn step(name: &str, keys: &[&Key], materials: Value, products: Value) -> Value {
    json!({
        "_type": "step", "name": name, "threshold": 1,
        "pubkeys": keys.iter().map(|k| k.keyid.clone()).collect::<Vec<_>>(),
        "expected_command": [], "expected_materials": materials, "expected_products": products,
    })
}

pub fn layout(steps: Vec<Value>, inspect: Vec<Value>, functionaries: &[&Key]) -> Value {
    let keys: serde_json::Map<String, Value> =
        functionaries.iter().map(|k| (k.keyid.clone(), k.dict.clone())).collect();
    json!({
        "_type": "layout", "expires": "2030-01-01T00:00:00Z", "readme": "",
        "keys": keys, "steps": steps, "inspect": inspect,
    })
}

pub fn arts(list: &[(&str, &str)]) -> Value {
    let m: serde_json::Map<String, Value> =
        list.iter().map(|(p, h)| (p.to_string(), json!({"sha256": h}))).collect();
    Value::Object(m)
}

pub fn link(name: &str, materials: Value, products: Value) -> Value {
    json!({
        "_type": "link", "name": name, "command": [], "materials": materials, "products": products,
        "byproducts": {}, "environment": {},
    })
}

/// A scenario directory: `root.layout`, `links/`, `work/`.
pub struct Scene {
    pub dir: tempfile::TempDir,
}

impl Scene {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("links")).unwrap();
        std::fs::create_dir(dir.path().join("work")).unwrap();
        Self { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, v: &Value) {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    }

    pub fn write_raw(&self, rel: &str, bytes: &[u8]) {
        std::fs::write(self.path(rel), bytes).unwrap();
    }

    pub fn layout(&self, signed: &Value, owner: &Key) {
        self.write("root.layout", &metablock(signed, &[owner]));
    }

    /// Writes `links/<step>.<keyid8>.link` signed by `k`.
    pub fn link(&self, step: &str, k: &Key, l: &Value) {
        self.write(&format!("links/{step}.{}.link", k.short()), &metablock(l, &[k]));
    }

    pub fn options(&self, owner: &Key) -> VerifyOptions {
        let mut o = VerifyOptions::new(self.path("root.layout"), vec![owner.public()]);
        o.link_dir = self.path("links");
        o.workdir = self.path("work");
        o.at = trailscope::meta::time::parse(NOW).unwrap().at;
        o
    }

    pub fn verify(&self, owner: &Key) -> InTotoOutcome {
        verify(&self.options(owner)).unwrap()
    }
}

pub fn categories(o: &InTotoOutcome) -> Vec<String> {
    o.findings.iter().map(|f| f.category.id().to_owned()).collect()
}

pub fn has(o: &InTotoOutcome, cat: &str) -> bool {
    o.findings.iter().any(|f| f.category == cat)
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

/// A Metablock signed by `k` but labelled with key id `label`.
pub fn metablock_as(signed: &Value, k: &Key, label: &str) -> Value {
    let bytes = canonical::to_vec(signed).unwrap();
    json!({"signed": signed, "signatures": [{"keyid": label, "sig": hex::encode(k.sk.sign(&bytes).to_bytes())}]})
}

/// The standard two-step chain: `build` (by A) turns src/a.c into out/app,
/// `package` (by B) packs out/app into app.tar.
pub struct World {
    pub owner: Key,
    pub a: Key,
    pub b: Key,
    pub layout: Value,
    pub build: Value,
    pub package: Value,
}

impl World {
    pub fn new() -> Self {
        let (owner, a, b) = (Key::from_seed(1), Key::from_seed(2), Key::from_seed(3));
        let build = step(
            "build",
            &[&a],
            json!([["ALLOW", "src/*"], ["DISALLOW", "*"]]),
            json!([
                ["CREATE", "out/app"],
                ["MATCH", "src/*", "WITH", "MATERIALS", "FROM", "build"],
                ["DISALLOW", "*"]
            ]),
        );
        let package = step(
            "package",
            &[&b],
            json!([["MATCH", "out/app", "WITH", "PRODUCTS", "FROM", "build"], ["DISALLOW", "*"]]),
            json!([["CREATE", "app.tar"], ["ALLOW", "out/app"], ["DISALLOW", "*"]]),
        );
        let layout = layout(vec![build, package], vec![], &[&a, &b]);
        let build_link =
            link("build", arts(&[("src/a.c", "aa")]), arts(&[("src/a.c", "aa"), ("out/app", "bb")]));
        let package_link =
            link("package", arts(&[("out/app", "bb")]), arts(&[("out/app", "bb"), ("app.tar", "cc")]));
        Self { owner, a, b, layout, build: build_link, package: package_link }
    }

    /// Writes layout and both links into a fresh scene.
    pub fn scene(&self) -> Scene {
        let s = Scene::new();
        s.layout(&self.layout, &self.owner);
        s.link("build", &self.a, &self.build);
        s.link("package", &self.b, &self.package);
        s
    }
}
