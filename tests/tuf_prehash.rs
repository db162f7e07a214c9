//! The audit hashes the signed bytes of several hash bins together
//! (`crypto::sha512_multi`, eight messages per AVX-512 register) and
//! compresses their `R' = [s]B − [k]A` with one field inversion per eight
//! before it checks each bin's signatures through the bin key's table. Each signature
//! must still get the verdict ed25519-dalek's `verify` gives it alone: this
//! audits 200 bins — valid, tampered in `R` or `s`, non-canonical `s`,
//! small-order `R`, signed by another key, truncated, over other bytes, two
//! keys at threshold 2 — and compares every role's outcome with
//! `verify::verify_role` over a fresh parse, whose keys have no table yet
//! and so check with `PublicKey::verify`.

mod common;

use common::tuf_repo::{keys, root_of_one_key};
use common::{Key, metablock};
use serde_json::{Value, json};
use trailscope::tuf::metadata::{Signed, parse};
use trailscope::tuf::session::{self, Request};
use trailscope::tuf::verify::verify_role;
use trailscope::tuf::{Config, MemorySource};
use trailscope::verdict::Evidence;

const EXPIRES: &str = "2030-01-01T00:00:00Z";
const BINS: usize = 200;

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn bin_name(i: usize) -> String {
    format!("bin-{i:03}")
}

/// Bins with two keys at threshold 2.
fn two_keys(i: usize) -> bool {
    i % 10 == 4
}

/// A bin's metadata, its signatures tampered according to `i`.
fn bin(i: usize, kb: &Key, kc: &Key) -> Value {
    // Bins of different sizes (the lanes of a group end at different blocks).
    let targets: serde_json::Map<String, Value> = (0..(i * 7) % 90)
        .map(|t| {
            (
                format!("pkg-{i}-{t}.tar.gz"),
                json!({"length": t * 31 + i, "hashes": {"sha256": format!("{:064x}", t * 7919 + i)}}),
            )
        })
        .collect();
    let signed = json!({"_type": "targets", "spec_version": "1.0.31", "version": 1, "expires": EXPIRES, "targets": targets});
    let signers: Vec<&Key> = if two_keys(i) { vec![kb, kc] } else { vec![kb] };
    let mut mb = metablock(&signed, &signers);
    let sig = mb["signatures"][0]["sig"].as_str().unwrap().to_owned();
    let mut raw = hex::decode(&sig).unwrap();
    match i % 17 {
        5 => raw[40] ^= 1,    // s changed
        7 => raw[3] ^= 4,     // R changed
        11 => raw[63] = 0xff, // s not canonical
        3 => {
            // R the identity, s = 0: a small-order forgery shape.
            raw = vec![0; 64];
            raw[0] = 1;
        }
        13 => raw.truncate(63),
        9 => {
            // Signed by kc under kb's key id.
            mb = metablock(&signed, &[kc]);
            mb["signatures"][0]["keyid"] = json!(kb.keyid);
            raw = hex::decode(mb["signatures"][0]["sig"].as_str().unwrap()).unwrap();
        }
        15 => {
            // A signature over other bytes.
            let mut other = signed.clone();
            other["version"] = json!(2);
            raw = hex::decode(metablock(&other, &[kb])["signatures"][0]["sig"].as_str().unwrap()).unwrap();
        }
        _ => {}
    }
    mb["signatures"][0]["sig"] = json!(hex::encode(&raw));
    if mb["signatures"].as_array().unwrap().len() == 2 && i % 20 == 14 {
        let mut second = hex::decode(mb["signatures"][1]["sig"].as_str().unwrap()).unwrap();
        second[10] ^= 1;
        mb["signatures"][1]["sig"] = json!(hex::encode(second));
    }
    mb
}

fn repo() -> (MemorySource, Vec<u8>) {
    let (top, kb, kc) = (Key::from_seed(1), Key::from_seed(2), Key::from_seed(3));
    let root = root_of_one_key(&top, EXPIRES);
    let roles: Vec<Value> = (0..BINS)
        .map(|i| {
            let keyids = if two_keys(i) { json!([kb.keyid, kc.keyid]) } else { json!([kb.keyid]) };
            let threshold = if two_keys(i) { 2 } else { 1 };
            json!({"name": bin_name(i), "keyids": keyids, "threshold": threshold, "terminating": true,
                "path_hash_prefixes": [format!("{i:02x}")]})
        })
        .collect();
    let targets = json!({"_type": "targets", "spec_version": "1.0.31", "version": 1, "expires": EXPIRES,
        "targets": {}, "delegations": {"keys": keys(&[&kb, &kc]), "roles": roles}});
    let mut src = MemorySource::new("repo");
    src.insert("targets.json", bytes(&metablock(&targets, &[&top])));
    let mut meta = serde_json::Map::new();
    meta.insert("targets.json".into(), json!({"version": 1}));
    for i in 0..BINS {
        src.insert(format!("{}.json", bin_name(i)), bytes(&bin(i, &kb, &kc)));
        meta.insert(format!("{}.json", bin_name(i)), json!({"version": 1}));
    }
    common::tuf_repo::seal(&mut src, meta, &top, EXPIRES);
    (src, bytes(&root))
}

#[test]
fn hashing_bins_together_gives_each_signature_its_own_verdict() {
    let (src, root) = repo();
    let top_bytes = {
        use trailscope::tuf::Source as _;
        src.fetch("targets.json", u64::MAX).unwrap()
    };
    for keep in [false, true] {
        let outcome = session::run(Request {
            root_bytes: root.clone(),
            root_file: "root.json".into(),
            metadata: &src,
            targets: None,
            state: None,
            at: trailscope::meta::time::parse("2026-01-01T00:00:00Z").unwrap().at,
            config: Config { keep_audited_targets: keep, ..Config::default() },
            target_paths: Vec::new(),
            all_roles: true,
        });
        assert!(outcome.refresh.is_ok());
        assert_eq!(outcome.audit.len(), BINS);
        let (mut passed, mut failed) = (0, 0);
        for (i, audited) in outcome.audit.iter().enumerate() {
            let role = bin_name(i);
            assert_eq!(audited.role, role);
            // The general path: a fresh delegator (its keys have checked
            // nothing, so no table) and PublicKey::verify for each signature.
            let top = parse(&top_bytes, "targets.json").unwrap();
            let Signed::Targets(top) = &top.signed else { panic!("targets") };
            let md = parse(&bytes(&bin(i, &Key::from_seed(2), &Key::from_seed(3))), "bin").unwrap();
            let general = verify_role(top, &role, &md, false);
            assert!(top.delegations.as_ref().unwrap().keys.values().all(|k| !k.table.is_built()));
            match &audited.outcome {
                Ok(()) => {
                    assert!(general.verified(), "{role}: the audit passed it, verify_role does not");
                    passed += 1;
                }
                Err(e) => {
                    assert!(
                        !general.verified(),
                        "{role}: the audit failed it ({}), verify_role passes it",
                        e.message
                    );
                    assert_eq!(e.category.to_string(), "signature-threshold", "{role}");
                    assert_eq!(e.message, general.summary(&role), "{role}");
                    let Evidence::Threshold { valid, checks, .. } = &*e.evidence else {
                        panic!("{role}: evidence")
                    };
                    assert_eq!(valid, &general.signed, "{role}");
                    assert_eq!(checks, &general.checks, "{role}");
                    failed += 1;
                }
            }
        }
        // Each tampering shape occurs past the first 64 bins (the key's table is built by then).
        assert!(passed > 100 && failed > 60, "keep {keep}: {passed} passed, {failed} failed");
    }
}
