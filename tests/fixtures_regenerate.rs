//! The generated fixtures (`fixtures/demo`, `fixtures/intoto-demo`, `fixtures/tuf-attacks`)
//! are exactly what `cargo run --example make-fixtures` writes, and every signature in them
//! is real and made by the key that should have made it.

#[path = "../examples/make_fixtures/mod.rs"]
mod make_fixtures;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::crypto::PublicKey;
use trailscope::meta::canonical;

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_tree(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read(&path).unwrap());
        }
    }
}

#[test]
fn regenerating_gives_the_committed_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let written = make_fixtures::write(tmp.path()).unwrap();
    let mut fresh = BTreeMap::new();
    let mut committed = BTreeMap::new();
    for set in make_fixtures::SETS {
        read_tree(tmp.path(), &tmp.path().join(set), &mut fresh);
        let dir = committed_dir().join(set);
        assert!(dir.is_dir(), "fixtures/{set} is missing: run `cargo run --example make-fixtures`");
        read_tree(&committed_dir(), &dir, &mut committed);
    }
    assert_eq!(fresh.len(), written);
    let fresh_names: Vec<&String> = fresh.keys().collect();
    let committed_names: Vec<&String> = committed.keys().collect();
    assert_eq!(fresh_names, committed_names, "file lists differ: run `cargo run --example make-fixtures`");
    for (path, bytes) in &fresh {
        assert!(committed[path] == *bytes, "{path} differs: run `cargo run --example make-fixtures`");
    }
    // Twice in a row gives the same bytes.
    assert!(make_fixtures::generate().0 == make_fixtures::generate().0);
    println!("{} generated fixture files match", fresh.len());
}

fn json(files: &BTreeMap<String, Vec<u8>>, path: &str) -> Value {
    let bytes = files.get(path).unwrap_or_else(|| panic!("missing {path}"));
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Number of distinct keys among `keyids` with a valid signature on `doc`; panics on
/// a signature that does not verify with the key its keyid names (when `pool` has it).
fn valid_signers(doc: &Value, keyids: &[String], keys: &BTreeMap<String, PublicKey>, what: &str) -> usize {
    let msg = canonical::to_vec(&doc["signed"]).unwrap();
    let mut ok = std::collections::BTreeSet::new();
    for sig in doc["signatures"].as_array().unwrap() {
        let keyid = sig["keyid"].as_str().unwrap();
        let raw = hex::decode(sig["sig"].as_str().unwrap()).unwrap();
        if let Some(key) = keys.get(keyid) {
            // A labelled key (`"name": "bob"`) keeps securesystemslib's id of its own members.
            let id = if key.sslib_keyid() == keyid { key.sslib_keyid() } else { key.keyid() };
            assert_eq!(id, keyid, "{what}: keyid does not match its key");
            if keyids.iter().any(|k| k == keyid) {
                key.verify(&msg, &raw).unwrap_or_else(|e| panic!("{what}: signature by {keyid}: {e}"));
                ok.insert(keyid.to_owned());
            }
        }
    }
    ok.len()
}

fn key_map(v: &Value) -> BTreeMap<String, PublicKey> {
    v.as_object()
        .map(|m| m.iter().map(|(id, k)| (id.clone(), PublicKey::from_dict(k).unwrap())).collect())
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect()).unwrap_or_default()
}

/// Follows timestamp → snapshot → targets → delegated roles and checks each role's
/// threshold with the keys its delegator names. `failing` lists roles whose signatures
/// are expected not to meet the threshold.
fn check_tuf_chain(files: &BTreeMap<String, Vec<u8>>, base: &str, failing: &[&str]) -> usize {
    let md = format!("{base}/repo/metadata");
    let mut n = 1;
    while files.contains_key(&format!("{md}/{}.root.json", n + 1)) {
        n += 1;
    }
    let root = json(files, &format!("{md}/{n}.root.json"));
    let root_keys = key_map(&root["signed"]["keys"]);
    let mut checked = 0;
    let mut check =
        |role: &str, doc: &Value, keyids: Vec<String>, threshold: u64, keys: &BTreeMap<String, PublicKey>| {
            let valid = valid_signers(doc, &keyids, keys, &format!("{base}: {role}")) as u64;
            if failing.contains(&role) {
                assert!(valid < threshold, "{base}: {role} should miss its threshold");
            } else {
                assert!(valid >= threshold, "{base}: {role} has {valid} of {threshold} signatures");
            }
            checked += 1;
        };
    let top = |role: &str| -> (Vec<String>, u64) {
        let r = &root["signed"]["roles"][role];
        (strings(&r["keyids"]), r["threshold"].as_u64().unwrap())
    };
    let (ids, t) = top("root");
    check("root", &root, ids, t, &root_keys);
    let ts = json(files, &format!("{md}/timestamp.json"));
    let (ids, t) = top("timestamp");
    check("timestamp", &ts, ids, t, &root_keys);
    let sv = ts["signed"]["meta"]["snapshot.json"]["version"].as_u64().unwrap();
    let snap = json(files, &format!("{md}/{sv}.snapshot.json"));
    let (ids, t) = top("snapshot");
    check("snapshot", &snap, ids, t, &root_keys);
    let meta = &snap["signed"]["meta"];
    let tv = meta["targets.json"]["version"].as_u64().unwrap();
    let targets = json(files, &format!("{md}/{tv}.targets.json"));
    let (ids, t) = top("targets");
    check("targets", &targets, ids, t, &root_keys);
    let mut queue = vec![targets];
    while let Some(delegator) = queue.pop() {
        let d = &delegator["signed"]["delegations"];
        let keys = key_map(&d["keys"]);
        for role in d["roles"].as_array().into_iter().flatten() {
            let name = role["name"].as_str().unwrap();
            let v = meta[format!("{name}.json")]["version"].as_u64().unwrap();
            let doc = json(files, &format!("{md}/{v}.{name}.json"));
            check(name, &doc, strings(&role["keyids"]), role["threshold"].as_u64().unwrap(), &keys);
            queue.push(doc);
        }
    }
    checked
}

/// The layout verifies with every owner key; every link verifies with a functionary
/// key the layout authorises for its step, and is named `<step>.<keyid8>.link`.
fn check_intoto(layout: &Value, owners: &[PublicKey], links: &[(String, Value)], what: &str) -> usize {
    for owner in owners {
        let id = owner.keyid();
        let keys = BTreeMap::from([(id.clone(), owner.clone())]);
        assert_eq!(valid_signers(layout, &[id], &keys, what), 1, "{what}: layout not signed by its owner");
    }
    let functionaries = key_map(&layout["signed"]["keys"]);
    for (file, link) in links {
        let step = link["signed"]["name"].as_str().unwrap();
        let spec = layout["signed"]["steps"].as_array().unwrap().iter().find(|s| s["name"] == step).unwrap();
        let authorised = strings(&spec["pubkeys"]);
        assert_eq!(
            valid_signers(link, &authorised, &functionaries, file),
            1,
            "{what}: {file} not signed by a functionary of {step}"
        );
        let keyid = link["signatures"][0]["keyid"].as_str().unwrap();
        assert_eq!(file.rsplit('/').next().unwrap(), format!("{step}.{}.link", &keyid[..8]));
    }
    links.len()
}

#[test]
fn every_signature_verifies_with_the_key_that_should_make_it() {
    let files = make_fixtures::generate().0;
    // The Sigstore scenarios' signatures are X.509 and transparency-log ones: the
    // attestation verifier checks them (tests/attest_scenarios.rs), and
    // tools/check-sigstore-scenarios.py against sigstore-python.
    let scenarios: Vec<String> = files
        .keys()
        .filter(|p| !p.starts_with("sigstore-scenarios/"))
        .filter_map(|p| p.strip_suffix("/scenario.json").map(str::to_owned))
        .collect();
    assert_eq!(scenarios.len(), 3 + 4 + 12 + 1, "{scenarios:?}");
    let mut roles = 0;
    let mut links = 0;
    for base in &scenarios {
        let sc = json(&files, &format!("{base}/scenario.json"));
        match sc["kind"].as_str().unwrap() {
            "tuf" => {
                let e = &sc["expect"];
                let mut failing = Vec::new();
                if e["category"] == "signature-threshold" {
                    failing.push(e["role"].as_str().unwrap());
                }
                for t in e["targets"].as_object().unwrap().values() {
                    if t["category"] == "signature-threshold" {
                        failing.push(t["role"].as_str().unwrap());
                    }
                }
                roles += check_tuf_chain(&files, base, &failing);
                // Every role file on the mirror and in the client state carries only
                // signatures that verify with the key they name.
                let mut pool = BTreeMap::new();
                for (p, _) in
                    files.range(format!("{base}/")..).take_while(|(p, _)| p.starts_with(&format!("{base}/")))
                {
                    if p.ends_with(".json") && !p.ends_with("scenario.json") {
                        let doc = json(&files, p);
                        pool.extend(key_map(&doc["signed"]["keys"]));
                        pool.extend(key_map(&doc["signed"]["delegations"]["keys"]));
                    }
                }
                for (p, _) in
                    files.range(format!("{base}/")..).take_while(|(p, _)| p.starts_with(&format!("{base}/")))
                {
                    if p.ends_with(".json") && !p.ends_with("scenario.json") {
                        let doc = json(&files, p);
                        let all: Vec<String> = pool.keys().cloned().collect();
                        assert!(valid_signers(&doc, &all, &pool, p) >= 1, "{p}: no valid signature");
                    }
                }
            }
            "bridge" => {
                roles += check_tuf_chain(&files, base, &[]);
                let tgt = |path: &str| -> (Value, Vec<u8>) {
                    // The newest role version on the mirror listing `path`, and the file it names.
                    let md = format!("{base}/repo/metadata/");
                    let mut best: Option<(u64, Value)> = None;
                    for (p, _) in files.range(md.clone()..).take_while(|(p, _)| p.starts_with(&md)) {
                        let doc = json(&files, p);
                        if let Some(info) = doc["signed"]["targets"].get(path) {
                            let v = doc["signed"]["version"].as_u64().unwrap();
                            if best.as_ref().is_none_or(|(bv, _)| v > *bv) {
                                best = Some((v, info.clone()));
                            }
                        }
                    }
                    let info = best.unwrap_or_else(|| panic!("{base}: {path} is no target")).1;
                    let sha = info["hashes"]["sha256"].as_str().unwrap().to_owned();
                    let served = match path.rsplit_once('/') {
                        Some((dir, name)) => format!("{base}/repo/targets/{dir}/{sha}.{name}"),
                        None => format!("{base}/repo/targets/{sha}.{path}"),
                    };
                    (info, files[&served].clone())
                };
                let (pkg, _) = tgt(sc["inputs"]["target"].as_str().unwrap());
                let custom = strings(&pkg["custom"]["in-toto"]);
                let layout_path = custom.iter().find(|c| c.ends_with(".layout")).unwrap();
                let (layout_info, layout_bytes) = tgt(layout_path);
                let owners: Vec<PublicKey> = strings(&layout_info["custom"]["in-toto"])
                    .iter()
                    .map(|p| PublicKey::from_file_bytes(&tgt(p).1).unwrap())
                    .collect();
                let layout: Value = serde_json::from_slice(&layout_bytes).unwrap();
                let link_docs: Vec<(String, Value)> = custom
                    .iter()
                    .filter(|c| c.ends_with(".link"))
                    .map(|p| (p.clone(), serde_json::from_slice(&tgt(p).1).unwrap()))
                    .collect();
                links += check_intoto(&layout, &owners, &link_docs, base);
            }
            "in-toto" => {
                let layout = json(&files, &format!("{base}/root.layout"));
                let pem =
                    std::str::from_utf8(&files[&format!("{base}/keys/alice.pub.pem")]).unwrap().to_owned();
                let from_pem = PublicKey::from_pem(&pem).unwrap();
                let from_json =
                    PublicKey::from_dict(&json(&files, &format!("{base}/keys/alice.pub.json"))).unwrap();
                assert_eq!(from_pem.keyid(), from_json.keyid());
                let prefix = format!("{base}/links/");
                let link_docs: Vec<(String, Value)> = files
                    .range(prefix.clone()..)
                    .take_while(|(p, _)| p.starts_with(&prefix))
                    .map(|(p, b)| (p.clone(), serde_json::from_slice(b).unwrap()))
                    .collect();
                links += check_intoto(&layout, &[from_pem, from_json], &link_docs, base);
            }
            other => panic!("{base}: unknown kind {other}"),
        }
    }
    println!("{} scenarios: {roles} TUF role signatures and {links} links verified", scenarios.len());
}
