//! Walks every signature in the copied corpora (`fixtures/interop/`) and checks
//! each against the key its keyid names. The references accept every signature
//! except those the scenarios deliberately break; those are pinned below, so a
//! signature we wrongly reject or wrongly accept fails this test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::crypto::PublicKey;
use trailscope::meta::Envelope;

fn interop() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// keyid → candidate keys (one id may be declared with different keys in different files).
#[derive(Default)]
struct KeyRing(BTreeMap<String, Vec<PublicKey>>);

impl KeyRing {
    fn add(&mut self, keyid: &str, dict: &Value) {
        if let Ok(k) = PublicKey::from_dict(dict) {
            self.0.entry(keyid.to_owned()).or_default().push(k);
        }
    }

    /// Keys declared in TUF root/targets or in-toto layouts inside `signed`.
    fn add_from_signed(&mut self, signed: &Value) {
        if let Some(keys) = signed.get("keys").and_then(Value::as_object) {
            for (id, dict) in keys {
                self.add(id, dict);
            }
        }
        if let Some(keys) = signed.get("delegations").and_then(|d| d.get("keys")).and_then(Value::as_object) {
            for (id, dict) in keys {
                self.add(id, dict);
            }
        }
    }
}

#[derive(Default)]
struct Tally {
    valid: usize,
    invalid: BTreeSet<String>,
    unknown_key: usize,
}

/// Checks every signature of `file` with `ring`; records invalid ones as "relpath keyid8".
fn check_file(file: &Path, ring: &KeyRing, tally: &mut Tally) {
    let Ok(bytes) = std::fs::read(file) else { return };
    let label = file.strip_prefix(interop()).unwrap_or(file).display().to_string();
    let Ok(env) = Envelope::from_slice(&bytes, &label) else { return };
    type Sigs = Vec<(String, Option<Vec<u8>>)>;
    let (msg, sigs): (Vec<u8>, Sigs) = match &env {
        Envelope::Signed(s) => {
            let Ok(msg) = s.signed_bytes() else { return };
            (msg, s.signatures.iter().map(|g| (g.keyid.clone(), g.sig_bytes().ok())).collect())
        }
        Envelope::Dsse(d) => {
            (d.pae(), d.signatures.iter().map(|g| (g.keyid.clone(), g.sig_bytes().ok())).collect())
        }
    };
    for (keyid, sig) in sigs {
        let Some(keys) = ring.0.get(&keyid) else {
            tally.unknown_key += 1;
            continue;
        };
        let ok = sig.is_some_and(|sig| keys.iter().any(|k| k.verify(&msg, &sig).is_ok()));
        if ok {
            tally.valid += 1;
        } else {
            tally.invalid.insert(format!("{label} {}", keyid.get(..8).unwrap_or(&keyid)));
        }
    }
}

fn signed_of(path: &Path) -> Option<Value> {
    let bytes = std::fs::read(path).ok()?;
    Envelope::from_slice(&bytes, "k").ok()?.payload().ok()
}

/// A TUF repository (or any directory of TUF metadata): keys come from every
/// root and targets file in it, plus an optional trusted root.
fn walk_tuf_dir(dir: &Path, extra_roots: &[PathBuf], tally: &mut Tally) {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    files.retain(|f| f.extension().is_some_and(|e| e == "json"));
    let mut ring = KeyRing::default();
    for f in files.iter().chain(extra_roots) {
        if let Some(signed) = signed_of(f) {
            ring.add_from_signed(&signed);
        }
    }
    for f in &files {
        check_file(f, &ring, tally);
    }
}

fn walk_intoto_scenario(dir: &Path, tally: &mut Tally) {
    let mut ring = KeyRing::default();
    let mut key_files = Vec::new();
    files_under(&dir.join("keys"), &mut key_files);
    for kf in key_files.iter().filter(|f| f.to_string_lossy().ends_with(".pub.json")) {
        let Ok(text) = std::fs::read_to_string(kf) else { continue };
        let Ok(dict) = serde_json::from_str::<Value>(&text) else { continue };
        let key = PublicKey::from_dict(&dict).expect("corpus key loads");
        ring.0.entry(key.keyid()).or_default().push(key);
    }
    // The layout's functionary keys; sublayouts (link files that are layouts) add theirs.
    let mut metadata = vec![dir.join("root.layout")];
    files_under(&dir.join("links"), &mut metadata);
    for f in &metadata {
        if let Some(signed) = signed_of(f) {
            ring.add_from_signed(&signed);
        }
    }
    for f in &metadata {
        check_file(f, &ring, tally);
    }
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    v.sort();
    v
}

#[test]
fn in_toto_corpus_signatures_verify_except_the_tampered_ones() {
    let mut tally = Tally::default();
    for scenario in subdirs(&interop().join("in-toto")) {
        walk_intoto_scenario(&scenario, &mut tally);
    }
    println!(
        "in-toto corpus signatures: {} valid, {} invalid, {} by keys not in the layout",
        tally.valid,
        tally.invalid.len(),
        tally.unknown_key
    );
    let expected: BTreeSet<String> = EXPECTED_INVALID_INTOTO.iter().map(|s| s.to_string()).collect();
    assert_eq!(tally.invalid, expected);
    assert!(tally.valid > 150, "only {} valid signatures", tally.valid);
}

#[test]
fn tuf_corpus_signatures_verify_except_the_tampered_ones() {
    let mut tally = Tally::default();
    for scenario in subdirs(&interop().join("tuf")) {
        walk_tuf_dir(&scenario, &[], &mut tally);
    }
    println!(
        "tuf corpus signatures: {} valid, {} invalid, {} by unknown keys",
        tally.valid,
        tally.invalid.len(),
        tally.unknown_key
    );
    let expected: BTreeSet<String> = EXPECTED_INVALID_TUF.iter().map(|s| s.to_string()).collect();
    assert_eq!(tally.invalid, expected);
}

#[test]
fn bridge_corpus_signatures_verify_except_the_forged_ones() {
    let mut tally = Tally::default();
    for scenario in subdirs(&interop().join("bridge")) {
        walk_tuf_dir(&scenario.join("repo/metadata"), &[scenario.join("trusted_root.json")], &mut tally);
    }
    println!("bridge corpus TUF signatures: {} valid, {} invalid", tally.valid, tally.invalid.len());
    let expected: BTreeSet<String> = EXPECTED_INVALID_BRIDGE.iter().map(|s| s.to_string()).collect();
    assert_eq!(tally.invalid, expected);
}

/// Each is a scenario that breaks the signature on purpose (see its scenario.json).
const EXPECTED_INVALID_INTOTO: &[&str] = &[
    // difffuzz-intoto's random chain: one link signed over its written form
    // with a member python drops, one tampered with after signing.
    "in-toto/difffuzz-22000816-bigint-beside-dropped-float/links/s2.1729ad3d.link 1729ad3d",
    "in-toto/difffuzz-22000816-bigint-beside-dropped-float/links/s2.91e4e3a4.link 91e4e3a4",
    "in-toto/dsse-layout-tampered/root.layout 21f18ac0",
    "in-toto/dsse-link-tampered/links/package.d81348e9.link d81348e9",
    "in-toto/layout-signature-tampered/root.layout dbb7813f",
    "in-toto/link-signature-tampered/links/update-version.1e129beb.link 1e129beb",
    // Signed over python's rebuilt form, then a member was added (issue #19).
    "in-toto/signature-form-member-added-after-signing/links/build.97c3d53c.link 97c3d53c",
    "in-toto/threshold-1-one-bad-link/links/compile.1bf3406f.link 1bf3406f",
    "in-toto/threshold-not-met-bad-signature/links/build.c9d490a0.link c9d490a0",
];
const EXPECTED_INVALID_TUF: &[&str] = &[
    "tuf/targets-tampered/repo/metadata/targets.json 2b65b370",
    // Signed without the meta entry python-tuf drops, which was added afterwards (issue #19).
    "tuf/timestamp-meta-extra-signed-rebuilt/repo/metadata/timestamp.json 53d24f3b",
];
/// The bridge attacks forge with the online key they hold: every signature is genuine.
const EXPECTED_INVALID_BRIDGE: &[&str] = &[];

/// sigstore's root chain v1 → v15: each root is signed by a threshold of its
/// predecessor's root keys and of its own (spec §5.3.4–5.3.5), including the
/// v1–v4 forms (hex ECDSA points, keytype `ecdsa-sha2-nistp256`).
#[test]
fn sigstore_root_chain_v1_to_v15_is_signed_by_old_and_new_thresholds() {
    let dir = interop().join("external/tuf/sigstore+root-signing/metadata/root_history");
    let load = |n: u32| -> trailscope::meta::SignedEnvelope {
        let bytes = std::fs::read(dir.join(format!("{n}.root.json"))).unwrap();
        trailscope::meta::SignedEnvelope::from_slice(&bytes, &format!("{n}.root.json")).unwrap()
    };
    let valid_root_signers = |signer: &trailscope::meta::SignedEnvelope,
                              doc: &trailscope::meta::SignedEnvelope| {
        let keys = signer.signed["keys"].as_object().unwrap();
        let role = &signer.signed["roles"]["root"];
        let threshold = role["threshold"].as_u64().unwrap() as usize;
        let msg = doc.signed_bytes().unwrap();
        let mut valid = BTreeSet::new();
        for keyid in role["keyids"].as_array().unwrap().iter().filter_map(Value::as_str) {
            let key = PublicKey::from_dict(&keys[keyid]).unwrap();
            assert!(key.unusable_reason().is_none(), "{keyid}: {:?}", key.unusable_reason());
            let signed = doc.signatures.iter().find(|s| s.keyid == keyid);
            if signed.is_some_and(|s| key.verify(&msg, &s.sig_bytes().unwrap()).is_ok()) {
                valid.insert(keyid.to_owned());
            }
        }
        (valid.len(), threshold)
    };
    let mut checked = 0;
    let mut prev = load(1);
    let (own, t) = valid_root_signers(&prev, &prev);
    assert!(own >= t, "v1 self-signature {own}/{t}");
    for n in 2..=15 {
        let next = load(n);
        let (by_old, t_old) = valid_root_signers(&prev, &next);
        let (by_new, t_new) = valid_root_signers(&next, &next);
        assert!(by_old >= t_old, "v{n} signed by {by_old}/{t_old} of v{}'s root keys", n - 1);
        assert!(by_new >= t_new, "v{n} signed by {by_new}/{t_new} of its own root keys");
        checked += 1;
        prev = next;
    }
    println!("sigstore root chain: {checked} rotations verified (v1 -> v15)");
    assert_eq!(checked, 14);
}

/// Every external TUF data set: all signatures verify except rust-tuf's
/// pretty-printed-JSON interop data (signed over `json.dumps(indent=2)`, which a
/// standard client must reject) and tough's deliberately broken roots.
#[test]
fn external_tuf_signatures_verify_except_known_bad_ones() {
    let base = interop().join("external/tuf");
    let mut good = Tally::default();
    let mut pretty = Tally::default();
    let mut dirs = Vec::new();
    for owner in subdirs(&base) {
        collect_metadata_dirs(&owner, &mut dirs);
    }
    for dir in &dirs {
        let is_pretty = dir.to_string_lossy().contains("rust-tuf/interop-tests/tests/metadata");
        walk_tuf_dir(dir, &[], if is_pretty { &mut pretty } else { &mut good });
    }
    println!(
        "external TUF signatures: {} valid, {} invalid in {} metadata dirs; rust-tuf pretty-printed: {} valid, {} invalid",
        good.valid,
        good.invalid.len(),
        dirs.len(),
        pretty.valid,
        pretty.invalid.len()
    );
    assert_eq!(pretty.valid, 0, "pretty-printed signatures must not verify over canonical JSON");
    assert!(pretty.invalid.len() >= 12);
    let expected: BTreeSet<String> = EXPECTED_INVALID_EXTERNAL_TUF.iter().map(|s| s.to_string()).collect();
    assert_eq!(good.invalid, expected);
    assert!(good.valid > 300, "only {} valid", good.valid);
}

/// Leaf directories holding `*.json` metadata, each walked with its own key ring.
fn collect_metadata_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let has_json = std::fs::read_dir(dir)
        .map(|es| es.flatten().any(|e| e.path().extension().is_some_and(|x| x == "json")))
        .unwrap_or(false);
    if has_json {
        out.push(dir.to_path_buf());
        return;
    }
    for sub in subdirs(dir) {
        collect_metadata_dirs(&sub, out);
    }
}

const EXPECTED_INVALID_EXTERNAL_TUF: &[&str] = &[
    // tough's negative test: a root whose only signature is wrong.
    "external/tuf/awslabs+tough/tough/tests/data/invalid-root-json-signature/root.json 8ec3a843",
    // tuf-on-ci writes `"sig": ""` placeholders for keys that have not signed yet.
    "external/tuf/sigstore+root-signing/metadata/root_history/12.root.json 22f4caec",
    "external/tuf/sigstore+root-signing/metadata/root_history/12.root.json 6f260089",
    "external/tuf/sigstore+root-signing/metadata/root_history/13.root.json 6f260089",
    "external/tuf/sigstore+root-signing/metadata/root_history/14.root.json 22f4caec",
    "external/tuf/theupdateframework+tuf-conformance/tuf_conformance/static_data/sigstore-root-signing/initial_root.json 22f4caec",
    "external/tuf/theupdateframework+tuf-conformance/tuf_conformance/static_data/sigstore-root-signing/initial_root.json 6f260089",
    "external/tuf/theupdateframework+tuf-conformance/tuf_conformance/static_data/sigstore-root-signing/metadata/12.root.json 22f4caec",
    "external/tuf/theupdateframework+tuf-conformance/tuf_conformance/static_data/sigstore-root-signing/metadata/12.root.json 6f260089",
    "external/tuf/theupdateframework+tuf-conformance/tuf_conformance/static_data/tuf-on-ci-0.11/metadata/2.delegatedrole.json 01104111",
    // go-tuf's stale 1.root.json: a 32-byte "signature" for an ed25519 key.
    "external/tuf/theupdateframework+go-tuf/internal/testutils/repository_data/repository/metadata/1.root.json d5fa855f",
];

/// External in-toto data (python in-toto and in-toto-golang test data): links
/// and layouts verify with the PEM keys beside them, looked up by legacy or
/// modern key id.
#[test]
fn external_in_toto_signatures_verify() {
    let base = interop().join("external/in-toto");
    let mut tally = Tally::default();
    let mut files = Vec::new();
    files_under(&base, &mut files);
    for dir in files.iter().filter_map(|f| f.parent()).collect::<BTreeSet<_>>() {
        let mut ring = KeyRing::default();
        let mut local = Vec::new();
        files_under(dir, &mut local);
        local.retain(|f| f.parent() == Some(dir));
        for f in &local {
            let name = f.file_name().unwrap().to_string_lossy();
            if (name.ends_with(".pub") || name.ends_with(".pem"))
                && let Ok(key) = PublicKey::from_file_bytes(&std::fs::read(f).unwrap())
            {
                ring.0.entry(key.keyid()).or_default().push(key.clone());
                ring.0.entry(key.legacy_keyid()).or_default().push(key);
            }
        }
        for f in &local {
            if let Some(signed) = signed_of(f) {
                ring.add_from_signed(&signed);
            }
        }
        for f in local.iter().filter(|f| {
            let n = f.to_string_lossy();
            n.ends_with(".link") || n.ends_with(".layout") || n.ends_with(".template")
        }) {
            check_file(f, &ring, &mut tally);
        }
    }
    println!(
        "external in-toto signatures: {} valid, {} invalid, {} by keys not present",
        tally.valid,
        tally.invalid.len(),
        tally.unknown_key
    );
    let expected: BTreeSet<String> = EXPECTED_INVALID_EXTERNAL_INTOTO.iter().map(|s| s.to_string()).collect();
    assert_eq!(tally.invalid, expected);
    assert!(tally.valid >= 10, "only {} valid", tally.valid);
}

const EXPECTED_INVALID_EXTERNAL_INTOTO: &[&str] = &[];
