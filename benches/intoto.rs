//! Hot paths of in-toto verification on a generated 3-step chain
//! (`examples/gen-scale.rs` shape): canonical JSON of a link (streaming vs
//! through a JSON tree), one ed25519 signature check over it, loading a link
//! into the model, the rule engine over one section, and a whole verification.
//!
//! `cargo bench --bench intoto` (N = 10,000 artifacts per link by default;
//! `TRAILSCOPE_BENCH_N` overrides).

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use trailscope::crypto::PublicKey;
use trailscope::intoto::{self, VerifyOptions};
use trailscope::meta::{SignedEnvelope, canonical, stream};

fn workload() -> PathBuf {
    let n: usize = std::env::var("TRAILSCOPE_BENCH_N").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join(format!("target/scale/bench-intoto-{n}"));
    if !dir.join("root.layout").exists() {
        let status = Command::new(env!("CARGO"))
            .current_dir(root)
            .args(["run", "--release", "--example", "gen-scale", "--", "intoto", &n.to_string()])
            .arg(&dir)
            .status()
            .expect("run gen-scale");
        assert!(status.success(), "gen-scale failed");
    }
    dir
}

fn link_file(dir: &Path, step: &str) -> PathBuf {
    std::fs::read_dir(dir.join("links"))
        .expect("links dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(step)))
        .expect("link of step")
}

fn benches(c: &mut Criterion) {
    let dir = workload();
    let bytes = std::fs::read(link_file(&dir, "step-2.")).expect("read link");
    let owner = PublicKey::from_file_bytes(&std::fs::read(dir.join("keys/owner.pub.pem")).expect("key"))
        .expect("key");

    c.bench_function("canonical json of a link, streaming", |b| {
        let mut out = Vec::with_capacity(bytes.len());
        b.iter(|| {
            out.clear();
            stream::canonicalize_member(&bytes, "signed", &mut out).expect("canonical")
        })
    });
    c.bench_function("canonical json of a link, via serde_json::Value", |b| {
        b.iter(|| {
            let env = SignedEnvelope::from_slice(&bytes, "link").expect("envelope");
            canonical::to_vec(&env.signed).expect("canonical")
        })
    });
    let env = SignedEnvelope::from_slice(&bytes, "link").expect("envelope");
    let msg = env.signed_bytes().expect("canonical");
    let sig = env.signatures[0].sig_bytes().expect("hex");
    let functionary = {
        let layout =
            SignedEnvelope::from_slice(&std::fs::read(dir.join("root.layout")).expect("layout"), "l")
                .expect("layout");
        let (_, dict) = layout.signed["keys"].as_object().expect("keys").iter().next().expect("a key");
        PublicKey::from_dict(dict).expect("key")
    };
    c.bench_function("ed25519 check over a link's canonical bytes", |b| {
        b.iter(|| functionary.verify(&msg, &sig).expect("valid"))
    });
    c.bench_function("load a link into the model", |b| {
        b.iter(|| intoto::metadata::from_bytes(&bytes, "link").expect("link"))
    });
    let keyid = env.signatures[0].keyid.clone();
    let check = intoto::metadata::KeyCheck { keyid: &keyid, subkeys: &[], key: &functionary };
    c.bench_function("load a link and check its signature (parse and hash on both cores)", |b| {
        b.iter(|| intoto::metadata::from_bytes_checked(&bytes, "link", &check).expect("link"))
    });
    let loaded = intoto::metadata::from_bytes(&bytes, "link").expect("link");
    let Ok(intoto::model::Payload::Link(link)) = &loaded.payload else { panic!("not a link") };
    let mut links = std::collections::BTreeMap::new();
    let prev = intoto::metadata::from_bytes(&std::fs::read(link_file(&dir, "step-1.")).expect("read"), "l1")
        .expect("link");
    if let Ok(intoto::model::Payload::Link(l)) = prev.payload {
        links.insert("step-1".to_owned(), l);
    }
    let rules: Vec<Vec<String>> = vec![
        ["MATCH", "*", "WITH", "PRODUCTS", "FROM", "step-1"].iter().map(|s| s.to_string()).collect(),
        vec!["DISALLOW".into(), "*".into()],
    ];
    c.bench_function("rule engine: MATCH * + DISALLOW * over one section", |b| {
        b.iter(|| {
            intoto::engine::verify_item_rules(intoto::rule::ArtifactType::Materials, &rules, link, &links)
        })
    });
    let mut group = c.benchmark_group("whole chain");
    group.sample_size(10);
    group.bench_function("verify the 3-step chain", |b| {
        b.iter(|| {
            let mut opts = VerifyOptions::new(dir.join("root.layout"), vec![owner.clone()]);
            opts.link_dir = dir.join("links");
            let out = intoto::verify(&opts).expect("verify");
            assert_eq!(out.category, "pass");
        })
    });
    group.finish();
}

criterion_group!(intoto_benches, benches);
criterion_main!(intoto_benches);
