//! `tuf-attacks/`: one scenario per attack of the TUF specification's threat list
//! (research/tuf.md §1.12), in the TUF corpus scenario format.

use serde_json::{Map, Value, json};

use super::tuf_repo::{Delegation, Repo, TopKeys, envelope, hashed_path, target_info, timestamp_signed};
use super::util::{self, EXPIRED, Files, NOW, SPEC_VERSION, doc, sha256};

fn keys() -> TopKeys {
    let online = util::p256("tuf/online");
    TopKeys {
        root: vec![util::ed25519("tuf/root")],
        targets: vec![util::ed25519("tuf/targets")],
        targets_threshold: 1,
        snapshot: online.clone(),
        timestamp: online,
    }
}

fn app(version: &str) -> (String, Vec<u8>) {
    (
        format!("app-{version}.tar.gz"),
        format!("app {version}: the release the repository signed\n").into_bytes(),
    )
}

fn lib(version: &str) -> (String, Vec<u8>) {
    (
        format!("packages/lib-{version}.tar.gz"),
        format!("lib {version}: signed by the packages role\n").into_bytes(),
    )
}

/// A repository with `app-1.0.tar.gz` in top-level targets, published once.
fn basic(configure: impl FnOnce(&mut Repo)) -> Repo {
    let mut repo = Repo::new(keys());
    configure(&mut repo);
    let (p, b) = app("1.0");
    repo.add_target("targets", &p, &b, None);
    repo.publish();
    repo
}

/// Adds the delegated role `packages` (paths `packages/*`) signed by `key_label`.
fn with_packages(repo: &mut Repo, key_label: &str, expires: &str) {
    repo.delegate(
        "targets",
        Delegation::new("packages", vec![util::ed25519(key_label)], &["packages/*"]),
        expires,
    );
}

/// What a query of one target is expected to give.
enum Query {
    Ok { path: String, bytes: Vec<u8>, role: &'static str },
    Error { path: String, info: Option<Value>, role: &'static str, category: &'static str, error: String },
}

struct Expect {
    refresh_error: Option<(&'static str, &'static str, String)>,
    queries: Vec<Query>,
    final_versions: Value,
}

fn refresh_failed(category: &'static str, role: &'static str, error: &str, paths: &[&str]) -> Expect {
    Expect {
        refresh_error: Some((category, role, error.to_owned())),
        queries: paths
            .iter()
            .map(|p| Query::Error {
                path: (*p).to_owned(),
                info: None,
                role: "",
                category: "refresh-failed",
                error: String::new(),
            })
            .collect(),
        final_versions: Value::Null,
    }
}

fn versions(repo: &Repo) -> Value {
    let targets = repo.roles[0].version;
    json!({"root": repo.root_version, "timestamp": repo.timestamp_version, "snapshot": repo.snapshot_version, "targets": targets})
}

fn expect_json(e: Expect) -> Value {
    let mut targets = Map::new();
    for q in e.queries {
        match q {
            Query::Ok { path, bytes, role } => {
                let info = target_info(&bytes, None);
                targets.insert(
                    path,
                    json!({"result": "ok", "role": role, "category": "ok", "length": info["length"], "hashes": info["hashes"]}),
                );
            }
            Query::Error { path, info: None, category: "refresh-failed", .. } => {
                targets.insert(path, json!({"result": "error", "role": null, "category": "refresh-failed"}));
            }
            Query::Error { path, info, role, category, error } => {
                let mut v =
                    json!({"result": "error", "role": role, "category": category, "reference_error": error});
                if let Some(info) = info {
                    v["length"] = info["length"].clone();
                    v["hashes"] = info["hashes"].clone();
                }
                targets.insert(path, v);
            }
        }
    }
    match e.refresh_error {
        Some((category, role, error)) => json!({
            "refresh": "error", "category": category, "role": role, "reference_error": error, "targets": targets,
        }),
        None => json!({
            "refresh": "ok", "category": "ok", "role": null, "reference_error": null, "targets": targets,
            "final_versions": e.final_versions,
        }),
    }
}

struct Scenario<'a> {
    name: &'a str,
    attack: &'a str,
    description: &'a str,
    repo: &'a Files,
    trusted_root: Vec<u8>,
    client_state: Option<Files>,
    expect: Expect,
}

fn write(out: &mut Files, index: &mut Vec<Value>, s: Scenario<'_>) {
    let base = format!("tuf-attacks/{}", s.name);
    let mut dir = Files::default();
    dir.put_all("repo", s.repo);
    dir.put("trusted_root.json", s.trusted_root);
    let has_state = s.client_state.is_some();
    if let Some(state) = &s.client_state {
        dir.put_all("client_state", state);
    }
    let expect = expect_json(s.expect);
    let mut counts: std::collections::BTreeMap<String, u32> = Default::default();
    for t in expect["targets"].as_object().into_iter().flat_map(|m| m.values()) {
        *counts.entry(t["category"].as_str().unwrap_or("").to_owned()).or_default() += 1;
    }
    index.push(json!({
        "name": s.name, "attack": s.attack, "refresh": expect["refresh"], "category": expect["category"],
        "role": expect["role"], "targets": counts,
    }));
    dir.put(
        "scenario.json",
        doc(&json!({
            "name": s.name,
            "description": s.description,
            "kind": "tuf",
            "attack": s.attack,
            "inputs": {
                "trusted_root": "trusted_root.json",
                "metadata_dir": "repo/metadata",
                "targets_dir": "repo/targets",
                "client_state": if has_state { json!("client_state") } else { Value::Null },
            },
            "now": NOW,
            "expect": expect,
            "reference": {"implementation": "python-tuf ngclient", "version": "7.0.1"},
            "generator": {"tool": "examples/make-fixtures", "set": "tuf-attacks"},
        })),
    );
    out.put_all(&base, &dir);
}

/// Re-signs a snapshot with arbitrary `meta` (an adversary holding the snapshot key).
fn forged_snapshot(repo: &Repo, version: u32, meta: Value) -> Vec<u8> {
    let signed = json!({
        "_type": "snapshot", "expires": util::TUF_SNAPSHOT_EXPIRES, "meta": meta,
        "spec_version": SPEC_VERSION, "version": version,
    });
    envelope(&signed, &[&repo.keys.snapshot])
}

/// Generates `tuf-attacks/` (one directory per scenario, README.md, index.json).
pub fn generate(out: &mut Files) {
    let mut index = Vec::new();
    let app10 = app("1.0").0;

    // Rollback: the mirror serves an older, validly signed timestamp.
    {
        let mut repo = basic(|_| {});
        for _ in 0..4 {
            repo.publish_snapshot();
        }
        let state = repo.client_state();
        let old = repo.timestamps[&2].clone();
        repo.files.put("metadata/timestamp.json", old);
        write(
            out,
            &mut index,
            Scenario {
                name: "rollback-timestamp",
                attack: "rollback",
                description: "The client trusts timestamp v5 from an earlier update (client_state). The mirror serves the older, validly signed timestamp v2 to hold the client on old metadata. The timestamp version must never decrease: rollback (timestamp).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: Some(state),
                expect: refresh_failed(
                    "rollback",
                    "timestamp",
                    "BadVersionNumberError: New timestamp version 2 must be >= 5",
                    &[&app10],
                ),
            },
        );
    }

    // Rollback of snapshot: a new timestamp names an older snapshot.
    {
        let mut repo = basic(|_| {});
        for _ in 0..4 {
            repo.publish_snapshot();
        }
        let state = repo.client_state();
        let snap3 = repo.files.get("metadata/3.snapshot.json").expect("snapshot v3").clone();
        let ts = timestamp_signed(6, util::TUF_TIMESTAMP_EXPIRES, 3, &snap3);
        repo.files.put("metadata/timestamp.json", envelope(&ts, &[&repo.keys.timestamp]));
        write(
            out,
            &mut index,
            Scenario {
                name: "rollback-snapshot",
                attack: "rollback",
                description: "The client trusts timestamp v5, which names snapshot v5. An adversary holding the online timestamp key signs timestamp v6 naming the older snapshot v3 (still on the mirror). The snapshot version a timestamp names must never decrease: rollback (timestamp).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: Some(state),
                expect: refresh_failed(
                    "rollback",
                    "timestamp",
                    "BadVersionNumberError: New snapshot version must be >= 5, got version 3",
                    &[&app10],
                ),
            },
        );
    }

    // Rollback of targets inside snapshot.
    {
        let mut repo = basic(|_| {});
        for v in ["1.1", "1.2"] {
            let (p, b) = app(v);
            repo.add_target("targets", &p, &b, None);
            repo.publish();
        }
        let state = repo.client_state();
        let t2 = repo.files.get("metadata/2.targets.json").expect("targets v2").clone();
        let snap = forged_snapshot(
            &repo,
            4,
            json!({"targets.json": {"hashes": {"sha256": sha256(&t2)}, "length": t2.len(), "version": 2}}),
        );
        repo.files.put("metadata/4.snapshot.json", snap.clone());
        let ts = timestamp_signed(4, util::TUF_TIMESTAMP_EXPIRES, 4, &snap);
        repo.files.put("metadata/timestamp.json", envelope(&ts, &[&repo.keys.timestamp]));
        write(
            out,
            &mut index,
            Scenario {
                name: "rollback-targets-in-snapshot",
                attack: "rollback",
                description: "The client trusts snapshot v3, which lists targets v3 (client_state). An adversary holding the online snapshot and timestamp key publishes snapshot v4 that lists the older targets v2 (which did not yet have app-1.2). A role's version in snapshot must never decrease: rollback (snapshot).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: Some(state),
                expect: refresh_failed(
                    "rollback",
                    "snapshot",
                    "BadVersionNumberError: Expected targets.json version 2, got 3.",
                    &[&app10],
                ),
            },
        );
    }

    // Indefinite freeze: the mirror keeps serving a timestamp that has expired.
    {
        let repo = basic(|r| r.timestamp_expires = EXPIRED.to_owned());
        write(
            out,
            &mut index,
            Scenario {
                name: "freeze-expired-timestamp",
                attack: "indefinite-freeze",
                description: "The mirror is frozen: it keeps serving the metadata of an old publication, whose timestamp expired on 2026-05-15, so that the client never learns of newer releases. The short-lived timestamp bounds how long a freeze goes unnoticed: expired (timestamp).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: None,
                expect: refresh_failed(
                    "expired",
                    "timestamp",
                    "ExpiredMetadataError: timestamp.json is expired",
                    &[&app10],
                ),
            },
        );
    }

    // Mix-and-match: snapshot says targets v2, the mirror serves a valid v1 under that name.
    {
        let mut repo = basic(|r| r.snapshot_hashes = false);
        let (p, b) = app("1.1");
        repo.add_target("targets", &p, &b, None);
        repo.publish();
        let t1 = repo.files.get("metadata/1.targets.json").expect("targets v1").clone();
        repo.files.put("metadata/2.targets.json", t1);
        write(
            out,
            &mut index,
            Scenario {
                name: "mix-and-match",
                attack: "mix-and-match",
                description: "Snapshot v2 lists targets v2 (without hashes, which the specification allows). The mirror serves the validly signed targets v1 under the name 2.targets.json, mixing metadata of two publications. The targets version must equal the one snapshot names: version-mismatch (targets).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: None,
                expect: refresh_failed(
                    "version-mismatch",
                    "targets",
                    "BadVersionNumberError: Expected targets v2, got v1.",
                    &[&app10, "app-1.1.tar.gz"],
                ),
            },
        );
    }

    // Arbitrary package: the mirror serves other bytes of the same length.
    {
        let mut repo = basic(|_| {});
        let (p09, b09) = app("0.9");
        repo.add_target("targets", &p09, &b09, None);
        repo.publish();
        let (p, b) = app("1.0");
        let mut evil = b"app 1.0: backdoored by the mirror operator!".to_vec();
        evil.resize(b.len(), b'!');
        evil[b.len() - 1] = b'\n';
        repo.files.put(format!("targets/{}", hashed_path(&p, &sha256(&b))), evil.clone());
        let info = target_info(&b, None);
        write(
            out,
            &mut index,
            Scenario {
                name: "arbitrary-package",
                attack: "arbitrary-installation",
                description: "A malicious mirror replaces app-1.0.tar.gz with a file of the same length and other content; it can re-sign nothing. All metadata verifies; app-0.9 downloads fine, and app-1.0 fails its sha256 check: hash-mismatch (target app-1.0.tar.gz, role targets).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: None,
                expect: Expect {
                    refresh_error: None,
                    queries: vec![
                        Query::Ok { path: p09, bytes: b09, role: "targets" },
                        Query::Error {
                            path: p,
                            info: Some(info),
                            role: "targets",
                            category: "hash-mismatch",
                            error: format!(
                                "LengthOrHashMismatchError: Observed hash {} does not match expected hash {}",
                                sha256(&evil),
                                sha256(&b)
                            ),
                        },
                    ],
                    final_versions: versions(&repo),
                },
            },
        );
    }

    // Key compromise of a delegated role, revoked by the delegator.
    {
        let mut repo = basic(|r| {
            r.snapshot_hashes = false;
            with_packages(r, "tuf/packages-old", util::TUF_DELEGATED_EXPIRES);
            let (p1, b1) = lib("1.0");
            r.add_target("packages", &p1, &b1, None);
        });
        let state = repo.client_state();
        // The old key leaks; targets v2 delegates 'packages' to a new key, packages v3 is re-signed (v2).
        let new_key = util::ed25519("tuf/packages-new");
        {
            let t = repo.role_mut("targets");
            t.delegations[0].keys = vec![new_key.clone()];
            t.dirty = true;
        }
        let (p2, b2) = lib("2.0");
        {
            let pk = repo.role_mut("packages");
            pk.signers = vec![new_key];
        }
        repo.add_target("packages", &p2, &b2, None);
        repo.publish();
        // The adversary signs their own packages v3 with the revoked key, serving a backdoored lib-2.0.
        let evil = b"lib 2.0: backdoored, signed with the revoked key\n".to_vec();
        let old_key = util::ed25519("tuf/packages-old");
        let pk = repo.roles.iter().find(|r| r.name == "packages").expect("packages");
        let mut forged = pk.clone();
        forged.targets.insert(p2.clone(), target_info(&evil, None));
        repo.files
            .put(format!("metadata/{}.packages.json", pk.version), envelope(&forged.signed(), &[&old_key]));
        repo.files.put(format!("targets/{}", hashed_path(&p2, &sha256(&evil))), evil);
        write(
            out,
            &mut index,
            Scenario {
                name: "key-compromise-revoked-delegation",
                attack: "key-compromise",
                description: "The key of the delegated role 'packages' leaked. The delegator (top-level targets, version 2) revoked it and delegated 'packages' to a new key, and 'packages' v2 was re-signed with the new key. The adversary, holding only the revoked key, serves their own 2.packages.json (snapshot lists it without hashes) signed with the revoked key and pointing lib-2.0 at a backdoored file. Refresh succeeds and app-1.0 (top-level) downloads; the lookup of packages/lib-2.0.tar.gz needs 'packages', whose signature is not from a key the delegator now trusts: signature-threshold (role packages). The client_state holds the update from before the rotation.",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: Some(state),
                expect: Expect {
                    refresh_error: None,
                    queries: vec![
                        Query::Ok { path: app10.clone(), bytes: app("1.0").1, role: "targets" },
                        Query::Error {
                            path: p2,
                            info: None,
                            role: "packages",
                            category: "signature-threshold",
                            error: "UnsignedMetadataError: packages was signed by 0/1 keys".into(),
                        },
                    ],
                    final_versions: versions(&repo),
                },
            },
        );
    }

    // Expired roles.
    {
        let repo = basic(|r| {
            r.root_expires = EXPIRED.to_owned();
            r.write_root();
        });
        write(
            out,
            &mut index,
            Scenario {
                name: "expired-root",
                attack: "indefinite-freeze",
                description: "The trusted root v1 expired on 2026-05-15 and the repository publishes no newer root (2.root.json is absent). Every other role is valid. An expired final root stops the update: expired (root).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: None,
                expect: refresh_failed(
                    "expired",
                    "root",
                    "ExpiredMetadataError: Final root.json is expired",
                    &[&app10],
                ),
            },
        );
    }
    {
        let repo = basic(|r| r.snapshot_expires = EXPIRED.to_owned());
        write(
            out,
            &mut index,
            Scenario {
                name: "expired-snapshot",
                attack: "indefinite-freeze",
                description: "The snapshot the (valid) timestamp names expired on 2026-05-15: expired (snapshot).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: None,
                expect: refresh_failed(
                    "expired",
                    "snapshot",
                    "ExpiredMetadataError: snapshot.json is expired",
                    &[&app10],
                ),
            },
        );
    }
    {
        let repo = basic(|r| r.roles[0].expires = EXPIRED.to_owned());
        write(
            out,
            &mut index,
            Scenario {
                name: "expired-targets",
                attack: "indefinite-freeze",
                description: "Top-level targets expired on 2026-05-15 (its offline key holders did not re-sign it in time): expired (targets).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: None,
                expect: refresh_failed(
                    "expired",
                    "targets",
                    "ExpiredMetadataError: New targets is expired",
                    &[&app10],
                ),
            },
        );
    }
    {
        let (p, b) = lib("1.0");
        let repo = basic(|r| {
            with_packages(r, "tuf/packages-old", EXPIRED);
            r.add_target("packages", &p, &b, None);
        });
        write(
            out,
            &mut index,
            Scenario {
                name: "expired-delegated",
                attack: "indefinite-freeze",
                description: "The delegated role 'packages' expired on 2026-05-15. Refresh succeeds and app-1.0 (top-level targets) downloads; the lookup of packages/lib-1.0.tar.gz needs 'packages': expired (role packages).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: None,
                expect: Expect {
                    refresh_error: None,
                    queries: vec![
                        Query::Ok { path: app10.clone(), bytes: app("1.0").1, role: "targets" },
                        Query::Error {
                            path: p,
                            info: None,
                            role: "packages",
                            category: "expired",
                            error: "ExpiredMetadataError: New packages is expired".into(),
                        },
                    ],
                    final_versions: versions(&repo),
                },
            },
        );
    }

    // Threshold not met: 2-of-3 targets signed by one key.
    {
        let mut k = keys();
        k.targets = vec![
            util::ed25519("tuf/targets"),
            util::ed25519("tuf/targets-2"),
            util::ed25519("tuf/targets-3"),
        ];
        k.targets_threshold = 2;
        let mut repo = Repo::new(k);
        repo.roles[0].signers.truncate(1);
        let (p, b) = app("1.0");
        repo.add_target("targets", &p, &b, None);
        repo.publish();
        write(
            out,
            &mut index,
            Scenario {
                name: "threshold-not-met",
                attack: "key-compromise",
                description: "Top-level targets needs 2 of its 3 keys (root v1). A holder of one key signs targets alone, e.g. after stealing that single key: one valid signature is not enough: signature-threshold (targets).",
                repo: &repo.files,
                trusted_root: repo.trusted_root(),
                client_state: None,
                expect: refresh_failed(
                    "signature-threshold",
                    "targets",
                    "UnsignedMetadataError: targets was signed by 1/2 keys",
                    &[&app10],
                ),
            },
        );
    }

    index.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    out.put("tuf-attacks/README.md", include_str!("tuf_attacks_README.md").as_bytes().to_vec());
    out.put(
        "tuf-attacks/index.json",
        doc(&json!({
            "kind": "tuf", "set": "tuf-attacks", "now": NOW, "generator": "examples/make-fixtures",
            "count": index.len(), "scenarios": index,
        })),
    );
}
