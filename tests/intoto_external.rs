//! The external in-toto sets (fixtures/interop/external/in-toto/README.md):
//! what upstream asserts about its own test data.
//!
//! - in-toto-golang `test/data`: the demo layout (Metablock and DSSE) with its
//!   links passes, the DSSE-only chain passes, and tampered variants fail
//!   with the right category; the link-threshold vectors (`foo.*.link`).
//! - python in-toto `tests/demo_files*`: the unsigned templates fail on the
//!   layout signature; the demo chain (layout re-signed by a test owner key,
//!   since upstream signs it at test time) passes, and upstream's failing
//!   variants fail with the right category.

mod common;

use std::path::{Path, PathBuf};

use common::{Key, metablock};
use serde_json::{Value, json};
use trailscope::crypto::PublicKey;
use trailscope::intoto::{InTotoOutcome, SignatureForm, VerifyOptions, category, verify, warning};
use trailscope::verdict::Verdict;

const AT: &str = "2026-01-25T00:00:00Z";

fn copy_dir(from: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), tmp.path().join(entry.file_name())).unwrap();
        }
    }
    tmp
}

fn golang() -> tempfile::TempDir {
    copy_dir(&common::fixture("interop/external/in-toto/in-toto+in-toto-golang/test/data"))
}

fn pem(dir: &Path, name: &str) -> PublicKey {
    PublicKey::from_file_bytes(&std::fs::read(dir.join(name)).unwrap()).unwrap()
}

fn options(dir: &Path, layout: &str, key: PublicKey) -> VerifyOptions {
    let mut o = VerifyOptions::new(dir.join(layout), vec![key]);
    o.link_dir = dir.to_path_buf();
    o.workdir = dir.to_path_buf();
    o.at = trailscope::meta::time::parse(AT).unwrap().at;
    o.run_inspections = true;
    o
}

fn run(dir: &Path, layout: &str, key: &str) -> InTotoOutcome {
    verify(&options(dir, layout, pem(dir, key))).unwrap()
}

/// in-toto-golang signs its Metablocks over its own structs, whose members
/// python's model partly drops (`rootcas`, `intermediatecas`, …): python
/// rejects `demo.layout`, Go accepts it, and so does trailscope with
/// `--signature-form written` (what upstream asserts is checked that way).
fn run_go(dir: &Path, layout: &str, key: &str) -> InTotoOutcome {
    let mut o = options(dir, layout, pem(dir, key));
    o.signature_form = SignatureForm::Written;
    verify(&o).unwrap()
}

fn edit_json(path: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_vec(&v).unwrap()).unwrap();
}

fn has(o: &InTotoOutcome, cat: &str) -> bool {
    o.findings.iter().any(|f| f.category == cat)
}

fn assert_pass(o: &InTotoOutcome) {
    let errors: Vec<_> =
        o.findings.iter().filter(|f| f.severity == trailscope::verdict::Severity::Error).collect();
    assert_eq!(o.verdict, Verdict::Pass, "{errors:#?}");
    assert_eq!(o.category, category::PASS);
}

#[test]
fn golang_demo_metablock_layout_passes() {
    let d = golang();
    // The reference's verdict by default: python finds no signature under
    // alice's modern key id, and would drop the layout's golang-only members
    // before checking one.
    let o = run(d.path(), "demo.layout", "alice.pub");
    assert_eq!(o.category, category::LAYOUT_SIGNATURE);
    let o = run_go(d.path(), "demo.layout", "alice.pub");
    assert_pass(&o);
    // alice signed under the legacy key id; python 3.x would look for the modern one.
    assert!(has(&o, &warning::KEYID_ALIAS));
    assert!(has(&o, &warning::SIGNATURE_FORM));
    assert!(o.layout.inspections[0].execution.is_some(), "the untar inspection ran");
}

#[test]
fn golang_demo_dsse_layout_passes() {
    let d = golang();
    assert_pass(&run(d.path(), "demo.dsse.layout", "alice.pub"));
}

#[test]
fn golang_dsse_only_chain_passes() {
    let d = golang();
    assert_pass(&run(d.path(), "dsse-only.root.layout", "alice.pub"));
}

#[test]
fn golang_demo_with_wrong_key_is_layout_signature() {
    let d = golang();
    assert_eq!(run(d.path(), "demo.layout", "dan.pub").category, category::LAYOUT_SIGNATURE);
    assert_eq!(run(d.path(), "demo.dsse.layout", "carol.pub").category, category::LAYOUT_SIGNATURE);
}

#[test]
fn golang_demo_tampered_layout_is_layout_signature() {
    let d = golang();
    edit_json(&d.path().join("demo.layout"), |v| v["signed"]["readme"] = json!("tampered"));
    assert_eq!(run(d.path(), "demo.layout", "alice.pub").category, category::LAYOUT_SIGNATURE);
    edit_json(&d.path().join("dsse-only.root.layout"), |v| {
        let p = v["payload"].as_str().unwrap().to_owned();
        v["payload"] = json!(format!("{}{}", &p[..p.len() - 8], "AAAAAAA="));
    });
    assert_eq!(run(d.path(), "dsse-only.root.layout", "alice.pub").category, category::LAYOUT_SIGNATURE);
}

#[test]
fn golang_demo_expired_at_its_expiry() {
    let d = golang();
    let mut o = options(d.path(), "demo.layout", pem(d.path(), "alice.pub"));
    o.at = trailscope::meta::time::parse("2030-11-18T16:06:36Z").unwrap().at;
    o.signature_form = SignatureForm::Written;
    assert_eq!(verify(&o).unwrap().category, category::LAYOUT_EXPIRED);
}

#[test]
fn golang_demo_tampered_link_is_link_threshold() {
    let d = golang();
    edit_json(&d.path().join("package.d3ffd108.link"), |v| {
        v["signed"]["products"]["foo.tar.gz"]["sha256"] = json!("00".repeat(32));
    });
    let o = run_go(d.path(), "demo.layout", "alice.pub");
    assert_eq!(o.category, category::LINK_THRESHOLD);
    assert_eq!(o.failure.unwrap().step.as_deref(), Some("package"));
    let d = golang();
    edit_json(&d.path().join("package-dsse.2f89b927.link"), |v| {
        v["signatures"][0]["sig"] = json!("AAAA");
    });
    assert_eq!(run(d.path(), "dsse-only.root.layout", "alice.pub").category, category::LINK_THRESHOLD);
}

#[test]
fn golang_demo_without_package_link_is_link_missing() {
    let d = golang();
    std::fs::remove_file(d.path().join("package.d3ffd108.link")).unwrap();
    let o = run_go(d.path(), "demo.layout", "alice.pub");
    assert_eq!(o.category, category::LINK_MISSING);
    assert_eq!(o.failure.unwrap().step.as_deref(), Some("package"));
}

#[cfg(unix)]
#[test]
fn golang_demo_with_replaced_final_product_is_rule_disallow() {
    let d = golang();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("foo.py"), "print('evil')\n").unwrap();
    let status = std::process::Command::new("tar")
        .args(["czf", d.path().join("foo.tar.gz").to_str().unwrap(), "foo.py"])
        .current_dir(work.path())
        .status()
        .unwrap();
    assert!(status.success());
    let o = run_go(d.path(), "demo.layout", "alice.pub");
    assert_eq!(o.category, category::RULE_DISALLOW);
    let f = o.failure.unwrap();
    assert_eq!((f.step.as_deref(), f.rule.as_deref()), (Some("untar"), Some("DISALLOW foo.tar.gz")));
}

/// `TestVerifyLinkSignatureThesholds`: threshold 2 over keys b7d643de/d3ffd108.
#[test]
fn golang_link_threshold_vectors() {
    let d = golang();
    let demo: Value = serde_json::from_slice(&std::fs::read(d.path().join("demo.layout")).unwrap()).unwrap();
    let keys = demo["signed"]["keys"].clone();
    let ids: Vec<String> = keys.as_object().unwrap().keys().cloned().collect();
    let owner = Key::from_seed(42);
    let layout = json!({"_type": "layout", "expires": "2030-01-01T00:00:00Z", "readme": "", "keys": keys,
        "steps": [{"_type": "step", "name": "foo", "threshold": 2, "pubkeys": ids,
                   "expected_command": [], "expected_materials": [], "expected_products": []}],
        "inspect": []});
    std::fs::write(d.path().join("t.layout"), serde_json::to_vec(&metablock(&layout, &[&owner])).unwrap())
        .unwrap();
    let check = |d: &Path| {
        let mut o = options(d, "t.layout", owner.public());
        o.run_inspections = false;
        verify(&o).unwrap()
    };
    assert_pass(&check(d.path()));
    // The same link under both key ids counts once.
    std::fs::copy(d.path().join("foo.b7d643de.link"), d.path().join("foo.d3ffd108.link")).unwrap();
    assert_eq!(check(d.path()).category, category::LINK_THRESHOLD);
}

fn python_demo() -> (tempfile::TempDir, PathBuf) {
    let d = copy_dir(&common::fixture("interop/external/in-toto/in-toto+in-toto/tests/demo_files"));
    let p = d.path().to_path_buf();
    (d, p)
}

/// Upstream signs the template at test time; we sign it with a test owner
/// key, with `expires` set and the inspection using the system `tar`.
fn sign_python_template(dir: &Path, owner: &Key, edit: impl FnOnce(&mut Value)) {
    let t: Value = serde_json::from_slice(&std::fs::read(dir.join("demo.layout.template")).unwrap()).unwrap();
    let mut layout = t["signed"].clone();
    layout["expires"] = json!("2030-01-01T00:00:00Z");
    layout["inspect"][0]["run"] = json!(["tar", "xfz", "foo.tar.gz"]);
    edit(&mut layout);
    std::fs::write(dir.join("demo.layout"), serde_json::to_vec(&metablock(&layout, &[owner])).unwrap())
        .unwrap();
}

fn python_run(dir: &Path, owner: &Key) -> InTotoOutcome {
    verify(&options(dir, "demo.layout", owner.public())).unwrap()
}

#[test]
fn python_unsigned_templates_fail_on_the_layout_signature() {
    let (_d, dir) = python_demo();
    let o = run(&dir, "demo.layout.template", "alice.pub");
    assert_eq!(o.category, category::LAYOUT_SIGNATURE);
    assert!(
        o.findings
            .iter()
            .any(|f| f.message.contains("c8ef46bd3ccb95e2617a80e447d0c8c6338f85334c2f6c6cb640e140fc183763"))
    );
    let dsse = copy_dir(&common::fixture("interop/external/in-toto/in-toto+in-toto/tests/demo_dsse_files"));
    std::fs::copy(dir.join("alice.pub"), dsse.path().join("alice.pub")).unwrap();
    assert_eq!(run(dsse.path(), "demo.layout.template", "alice.pub").category, category::LAYOUT_SIGNATURE);
}

#[test]
fn python_demo_chain_passes() {
    let (_d, dir) = python_demo();
    let owner = Key::from_seed(7);
    sign_python_template(&dir, &owner, |_| {});
    let o = python_run(&dir, &owner);
    assert_pass(&o);
    // Links signed by bob and carl under their legacy RSA key ids verify.
    assert_eq!(o.layout.steps.iter().map(|s| s.verified.len()).sum::<usize>(), 2);
}

#[test]
fn python_demo_failing_variants() {
    let owner = Key::from_seed(7);
    let case = |edit: &dyn Fn(&mut Value)| {
        let (d, dir) = python_demo();
        sign_python_template(&dir, &owner, |l| edit(l));
        let o = python_run(&dir, &owner);
        drop(d);
        o
    };
    let o = case(&|l| l["expires"] = json!("2020-01-01T00:00:00Z"));
    assert_eq!(o.category, category::LAYOUT_EXPIRED);
    let o = case(&|l| {
        let rules = l["steps"][0]["expected_products"].as_array().unwrap().clone();
        let mut new = vec![json!(["MODIFY", "*"]), json!(["DISALLOW", "*"])];
        new.extend(rules);
        l["steps"][0]["expected_products"] = Value::Array(new);
    });
    assert_eq!(o.category, category::RULE_DISALLOW);
    assert_eq!(o.failure.unwrap().artifact.as_deref(), Some("foo.py"));
    let o = case(&|l| {
        l["steps"][1]["expected_products"] =
            json!([["CREATE", "foo.tar.gz"], ["REQUIRE", "bar.txt"], ["ALLOW", "foo.py"]]);
    });
    assert_eq!(o.category, category::RULE_REQUIRE);
    let o = case(&|l| l["inspect"][0]["run"] = json!(["sh", "-c", "exit 1"]));
    assert_eq!(o.category, category::INSPECTION_FAILED);
    let o = case(&|l| l["steps"][1]["expected_command"] = json!(["tar", "zcvf", "other.tar.gz"]));
    assert_pass(&o);
    assert!(has(&o, &warning::COMMAND_MISMATCH));
}

#[test]
fn python_demo_link_variants() {
    let owner = Key::from_seed(7);
    let (_d, dir) = python_demo();
    sign_python_template(&dir, &owner, |_| {});
    edit_json(&dir.join("package.2f89b927.link"), |v| {
        v["signed"]["materials"]["foo.py"]["sha256"] = json!("00".repeat(32));
    });
    assert_eq!(python_run(&dir, &owner).category, category::LINK_THRESHOLD);
    std::fs::remove_file(dir.join("package.2f89b927.link")).unwrap();
    assert_eq!(python_run(&dir, &owner).category, category::LINK_MISSING);
}
