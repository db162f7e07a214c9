//! Deterministic generators for the scale workloads of `bench/` (DESIGN §8):
//!
//! - `gen-scale intoto N OUT`: a 3-step in-toto chain with N artifacts per
//!   link (ed25519, Metablock, compact JSON), rules `CREATE *`/`MATCH * WITH
//!   PRODUCTS FROM step-(k-1)` each ending in `DISALLOW *` — the shape of
//!   research/perf-baseline-intoto.md. Add `--fail` for one extra product in
//!   step-3 that the final `DISALLOW *` catches.
//! - `gen-scale tuf BITS T OUT`: a PEP 458-shaped TUF repository: consistent
//!   snapshots, top-level targets delegating through TAP 15 succinct hash bins
//!   (`bins-…`, BITS bits), T targets — research/perf-baseline-tuf.md; bins
//!   are built and written one at a time on all cores, so 16,384 bins ×
//!   10,000,000 targets (1.4 GB of metadata) needs a few hundred MB.
//!
//! Keys come from fixed seeds; signatures are real. Write OUT outside the
//! repository (e.g. under `target/`).

use std::fs;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer as _, SigningKey};
use rayon::prelude::*;
use serde_json::{Map, Value, json};
use trailscope::crypto::sha256_hex;
use trailscope::meta::canonical;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["intoto", n, out, rest @ ..] => {
            gen_intoto(parse(n), Path::new(out), rest.contains(&"--fail"));
            Ok(())
        }
        ["tuf", bits, t, out] => {
            gen_tuf(parse(bits) as u32, parse(t), Path::new(out));
            Ok(())
        }
        _ => Err("usage: gen-scale intoto N OUT [--fail] | gen-scale tuf BITS T OUT"),
    };
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(2);
    }
}

fn parse(s: &str) -> usize {
    s.replace('_', "").parse().unwrap_or_else(|_| {
        eprintln!("not a number: {s}");
        std::process::exit(2)
    })
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn key_dict(k: &SigningKey) -> Value {
    json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": hex::encode(k.verifying_key().as_bytes())}})
}

fn keyid(k: &SigningKey) -> String {
    sha256_hex(&canonical::to_vec(&key_dict(k)).expect("integers only"))
}

/// PEM SubjectPublicKeyInfo of an ed25519 key (RFC 8410 prefix + raw key).
fn pem(k: &SigningKey) -> String {
    let mut der = hex::decode("302a300506032b6570032100").expect("constant hex");
    der.extend_from_slice(k.verifying_key().as_bytes());
    spki::der::pem::encode_string("PUBLIC KEY", spki::der::pem::LineEnding::LF, &der).expect("pem")
}

/// `{"signatures":[…],"signed":…}` as compact JSON with sorted keys.
fn sign_doc(signed: Value, signers: &[&SigningKey]) -> Vec<u8> {
    let bytes = canonical::to_vec(&signed).expect("integers only");
    let sigs: Vec<Value> = signers
        .iter()
        .map(|k| json!({"keyid": keyid(k), "sig": hex::encode(k.sign(&bytes).to_bytes())}))
        .collect();
    serde_json::to_vec(&json!({"signatures": sigs, "signed": signed})).expect("serializable")
}

fn write(path: PathBuf, bytes: &[u8]) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create output directory");
    }
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn artifact(i: usize) -> (String, Value) {
    let path = format!("pkg{}/mod{}/sub{}/file-{i:07}.dat", i % 97, i % 31, i % 7);
    let digest = sha256_hex(format!("content-{i}").as_bytes());
    (path, json!({"sha256": digest}))
}

fn gen_intoto(n: usize, out: &Path, fail: bool) {
    let owner = key(1);
    let functionary = key(2);
    let artifacts: Map<String, Value> = (0..n).map(artifact).collect();
    let fid = keyid(&functionary);
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
        let mut link_products = artifacts.clone();
        if fail && k == 3 {
            link_products.insert("extra/unexpected.dat".into(), json!({"sha256": sha256_hex(b"extra")}));
        }
        let link = json!({"_type": "link", "name": name, "command": [], "byproducts": {}, "environment": {},
            "materials": if k == 1 { Map::new() } else { artifacts.clone() }, "products": link_products});
        write(out.join(format!("links/{name}.{}.link", &fid[..8])), &sign_doc(link, &[&functionary]));
    }
    let mut keys = Map::new();
    let mut fdict = key_dict(&functionary);
    fdict["keyid"] = fid.clone().into();
    keys.insert(fid, fdict);
    let layout = json!({"_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "scale workload",
        "keys": keys, "steps": steps, "inspect": []});
    write(out.join("root.layout"), &sign_doc(layout, &[&owner]));
    write(out.join("keys/owner.pub.pem"), pem(&owner).as_bytes());
    let mut odict = key_dict(&owner);
    odict["keyid"] = keyid(&owner).into();
    write(out.join("keys/owner.pub.json"), odict.to_string().as_bytes());
}

fn gen_tuf(bits: u32, t: usize, out: &Path) {
    let [root, timestamp, snapshot, targets, bins] = [key(11), key(12), key(13), key(14), key(15)];
    let expires = "2099-01-01T00:00:00Z";
    let meta = out.join("metadata");
    let role = |k: &SigningKey| json!({"keyids": [keyid(k)], "threshold": 1});
    let mut keys = Map::new();
    for k in [&root, &timestamp, &snapshot, &targets] {
        keys.insert(keyid(k), key_dict(k));
    }
    let root_doc = sign_doc(
        json!({"_type": "root", "spec_version": "1.0.31", "version": 1, "expires": expires,
            "consistent_snapshot": true, "keys": keys,
            "roles": {"root": role(&root), "timestamp": role(&timestamp), "snapshot": role(&snapshot), "targets": role(&targets)}}),
        &[&root],
    );
    write(meta.join("1.root.json"), &root_doc);
    write(out.join("trusted_root.json"), &root_doc);

    let nbins = 1usize << bits;
    let width = bits.div_ceil(4) as usize;
    // Which bin each target goes to, then one bin at a time (on all cores):
    // memory stays bounded at ten million targets.
    let path = |i: usize| format!("packages/p{i:07}/p{i:07}-1.{}.tar.gz", i % 10);
    let bin_of: Vec<u32> = (0..t)
        .into_par_iter()
        .map(|i| {
            let prefix = u32::from_str_radix(&sha256_hex(path(i).as_bytes())[..8], 16).expect("hex");
            prefix >> (32 - bits)
        })
        .collect();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); nbins];
    for (i, &b) in bin_of.iter().enumerate() {
        members[b as usize].push(u32::try_from(i).expect("fewer than 2^32 targets"));
    }
    drop(bin_of);
    members.par_iter().enumerate().for_each(|(b, ids)| {
        let mut targets_of_bin = Map::new();
        for &i in ids {
            let i = i as usize;
            let info = json!({"length": 1000 + i % 5000, "hashes": {"sha256": sha256_hex(format!("pkg-{i}").as_bytes())}});
            targets_of_bin.insert(path(i), info);
        }
        let doc = sign_doc(
            json!({"_type": "targets", "spec_version": "1.0.31", "version": 1, "expires": expires, "targets": targets_of_bin}),
            &[&bins],
        );
        write(meta.join(format!("1.bins-{b:0width$x}.json")), &doc);
    });
    let mut snapshot_meta = Map::new();
    for b in 0..nbins {
        snapshot_meta.insert(format!("bins-{b:0width$x}.json"), json!({"version": 1}));
    }
    let mut dkeys = Map::new();
    dkeys.insert(keyid(&bins), key_dict(&bins));
    let targets_doc = sign_doc(
        json!({"_type": "targets", "spec_version": "1.0.31", "version": 1, "expires": expires, "targets": {},
            "delegations": {"keys": dkeys, "succinct_roles": {"keyids": [keyid(&bins)], "threshold": 1,
                "bit_length": bits, "name_prefix": "bins"}}}),
        &[&targets],
    );
    write(meta.join("1.targets.json"), &targets_doc);
    snapshot_meta.insert("targets.json".into(), json!({"version": 1}));
    let snapshot_doc = sign_doc(
        json!({"_type": "snapshot", "spec_version": "1.0.31", "version": 1, "expires": expires, "meta": snapshot_meta}),
        &[&snapshot],
    );
    write(meta.join("1.snapshot.json"), &snapshot_doc);
    let ts = sign_doc(
        json!({"_type": "timestamp", "spec_version": "1.0.31", "version": 1, "expires": expires,
            "meta": {"snapshot.json": {"version": 1, "length": snapshot_doc.len(), "hashes": {"sha256": sha256_hex(&snapshot_doc)}}}}),
        &[&timestamp],
    );
    write(meta.join("timestamp.json"), &ts);
}
