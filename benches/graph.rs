//! Graph build on a generated 3-step in-toto chain (the `gen-scale intoto`
//! shape: N artifacts per link, `CREATE *` then `MATCH * WITH PRODUCTS FROM
//! step-(k-1)`, each ending in `DISALLOW *`; real ed25519 signatures).
//!
//! - `graph/from_outcome/3xN`: [`graph::intoto::from_outcome`] over a
//!   verification result (what the TUI does when a run ends): interning,
//!   nodes and edges, the verifier's statuses.
//! - `graph/from_options/3xN`: [`graph::intoto::from_options`], verifying
//!   the files first (what `trailscope graph intoto` does).
//!
//! N is 20,000 unless `TRAILSCOPE_BENCH_ARTIFACTS` says otherwise:
//! `TRAILSCOPE_BENCH_ARTIFACTS=100000 cargo bench --bench graph`.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signer as _, SigningKey};
use serde_json::{Map, Value, json};
use trailscope::crypto::{PublicKey, sha256_hex};
use trailscope::graph::intoto as graph_intoto;
use trailscope::intoto::VerifyOptions;
use trailscope::meta::canonical;

fn key_dict(k: &SigningKey) -> Value {
    json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": hex::encode(k.verifying_key().as_bytes())}})
}

fn keyid(k: &SigningKey) -> String {
    sha256_hex(&canonical::to_vec(&key_dict(k)).expect("integers only"))
}

fn sign_doc(signed: Value, signer: &SigningKey) -> Vec<u8> {
    let bytes = canonical::to_vec(&signed).expect("integers only");
    let sig = json!({"keyid": keyid(signer), "sig": hex::encode(signer.sign(&bytes).to_bytes())});
    serde_json::to_vec(&json!({"signatures": [sig], "signed": signed})).expect("serializable")
}

/// Writes the chain under `out`; returns the options `verify` would take.
fn generate(n: usize, out: &Path) -> VerifyOptions {
    let owner = SigningKey::from_bytes(&[1; 32]);
    let functionary = SigningKey::from_bytes(&[2; 32]);
    let fid = keyid(&functionary);
    let artifacts: Map<String, Value> = (0..n)
        .map(|i| {
            let path = format!("pkg{}/mod{}/sub{}/file-{i:07}.dat", i % 97, i % 31, i % 7);
            (path, json!({"sha256": sha256_hex(format!("content-{i}").as_bytes())}))
        })
        .collect();
    std::fs::create_dir_all(out.join("links")).expect("link directory");
    let mut steps = Vec::new();
    for k in 1..=3 {
        let name = format!("step-{k}");
        let (materials, products) = if k == 1 {
            (vec![], vec![json!(["CREATE", "*"]), json!(["DISALLOW", "*"])])
        } else {
            let m = json!(["MATCH", "*", "WITH", "PRODUCTS", "FROM", format!("step-{}", k - 1)]);
            (vec![m.clone(), json!(["DISALLOW", "*"])], vec![m, json!(["DISALLOW", "*"])])
        };
        steps.push(json!({"_type": "step", "name": name, "pubkeys": [fid], "threshold": 1,
            "expected_command": [], "expected_materials": materials, "expected_products": products}));
        let link = json!({"_type": "link", "name": name, "command": [], "byproducts": {}, "environment": {},
            "materials": if k == 1 { Map::new() } else { artifacts.clone() }, "products": artifacts.clone()});
        let path = out.join(format!("links/{name}.{}.link", &fid[..8]));
        std::fs::write(path, sign_doc(link, &functionary)).expect("write link");
    }
    let mut fdict = key_dict(&functionary);
    fdict["keyid"] = fid.clone().into();
    let layout = json!({"_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "bench",
        "keys": {fid: fdict}, "steps": steps, "inspect": []});
    std::fs::write(out.join("root.layout"), sign_doc(layout, &owner)).expect("write layout");
    let mut odict = key_dict(&owner);
    odict["keyid"] = keyid(&owner).into();
    let owner_key = PublicKey::from_file_bytes(odict.to_string().as_bytes()).expect("owner key");
    let mut opts = VerifyOptions::new(out.join("root.layout"), vec![owner_key]);
    opts.link_dir = out.join("links");
    opts
}

fn graph_build(c: &mut Criterion) {
    let n: usize =
        std::env::var("TRAILSCOPE_BENCH_ARTIFACTS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let opts = generate(n, dir.path());
    let outcome = trailscope::intoto::verify(&opts).expect("the layout loads");
    let keys: Vec<String> = opts.layout_keys.iter().map(|k| k.keyid()).collect();

    let mut group = c.benchmark_group("graph");
    group.sample_size(10);
    group.bench_function(format!("from_outcome/3x{n}"), |b| {
        b.iter(|| {
            let g = graph_intoto::from_outcome(&outcome, &keys);
            assert!(g.graph.node_count() > 5 * n);
            g
        })
    });
    group.bench_function(format!("from_options/3x{n}"), |b| {
        b.iter(|| graph_intoto::from_options(&opts).expect("the layout loads"))
    });
    group.finish();
}

criterion_group!(benches, graph_build);
criterion_main!(benches);
