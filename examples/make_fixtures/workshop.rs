//! `workshop/`: the healthy TUF repository the workshop's TUF lessons start
//! from (`fixtures/lessons/`), so every "break it" action starts from a
//! verdict that passes and changes one thing. One repository shows what the
//! lessons talk about: a root rotation (v1 → v2, signed by the old and the
//! new root key), top-level targets 2 of 3 keys, one online key for
//! timestamp and snapshot, a terminating path delegation (`packages/*`) and
//! two hash-bin delegations (`path_hash_prefixes`, as PEP 458 does for PyPI).
//! The client's state is the second publication; the mirror's attic keeps
//! an older timestamp (replayed: rollback) and an expired newer one (freeze).

use serde_json::{Map, Value, json};

use super::tuf_repo::{Delegation, Repo, TopKeys, envelope, root_signed, target_info};
use super::util::{self, EXPIRED, Files, NOW, doc, sha256};

/// The hash bins: name and the first hex digits of sha256(target path) each holds.
const BINS: [(&str, &str); 2] = [("bins-0-7", "01234567"), ("bins-8-f", "89abcdef")];

/// Packages of the hash-binned `pypi/` namespace.
const PYPI: [&str; 4] =
    ["pypi/requests-2.32.tar.gz", "pypi/numpy-2.1.tar.gz", "pypi/flask-3.0.tar.gz", "pypi/django-5.1.tar.gz"];

fn bin_of(path: &str) -> &'static str {
    let first = sha256(path.as_bytes()).chars().next().unwrap_or('0');
    BINS.iter().find(|(_, digits)| digits.contains(first)).map(|(name, _)| *name).unwrap_or(BINS[0].0)
}

fn content(path: &str) -> Vec<u8> {
    format!("{path}: the release the repository signed\n").into_bytes()
}

/// Generates `workshop/tuf-repo` (and the set's README.md and index.json).
pub fn generate(out: &mut Files) {
    let online = util::p256("workshop/online");
    let root1 = util::ed25519("workshop/root-1");
    let root2 = util::ed25519("workshop/root-2");
    let keys = TopKeys {
        root: vec![root1.clone()],
        targets: vec![
            util::ed25519("workshop/targets-1"),
            util::ed25519("workshop/targets-2"),
            util::ed25519("workshop/targets-3"),
        ],
        targets_threshold: 2,
        snapshot: online.clone(),
        timestamp: online,
    };
    let mut repo = Repo::new(keys);
    // Two of the three targets keys sign: exactly the threshold.
    let two: Vec<_> = repo.keys.targets[..2].to_vec();
    repo.role_mut("targets").signers = two;
    // Without hashes in snapshot, the version checks are what stop mix-and-match.
    repo.snapshot_hashes = false;
    // The first two publications had short-lived timestamps that have lapsed by NOW.
    repo.timestamp_expires = EXPIRED.to_owned();
    repo.delegate(
        "targets",
        Delegation::new("packages", vec![util::ed25519("workshop/packages")], &["packages/*"]),
        util::TUF_DELEGATED_EXPIRES,
    );
    for (name, digits) in BINS {
        let mut d = Delegation::new(name, vec![util::ed25519(&format!("workshop/{name}"))], &[]);
        d.terminating = false;
        d.hash_prefixes = Some(digits.chars().map(String::from).collect());
        repo.delegate("targets", d, util::TUF_DELEGATED_EXPIRES);
    }
    let app10 = content("app-1.0.tar.gz");
    repo.add_target("targets", "app-1.0.tar.gz", &app10, None);
    repo.add_target("packages", "packages/lib-1.0.tar.gz", &content("packages/lib-1.0.tar.gz"), None);
    for path in PYPI {
        repo.add_target(bin_of(path), path, &content(path), None);
    }
    repo.publish();
    repo.timestamp_expires = util::TUF_TIMESTAMP_EXPIRES.to_owned();
    repo.add_target("targets", "app-1.1.tar.gz", &content("app-1.1.tar.gz"), None);
    repo.publish();
    // Only timestamp and snapshot: what the rollback checks compare with. Without
    // a cached targets role the client downloads every targets role, so the
    // lessons' edits of them are what it verifies.
    let mut state = Files::default();
    for (path, bytes) in &repo.client_state().0 {
        if path == "timestamp.json" || path == "snapshot.json" {
            state.put(path.clone(), bytes.clone());
        }
    }
    // The third publication's timestamp lapsed: a mirror frozen on it serves expired metadata.
    repo.timestamp_expires = EXPIRED.to_owned();
    repo.publish_snapshot();
    let attic_v1 = repo.timestamps[&1].clone();
    let attic_v3 = repo.timestamps[&3].clone();
    // Root rotation: v2 replaces the root key; the old and the new key sign it.
    let trusted_root = repo.trusted_root();
    repo.keys.root = vec![root2.clone()];
    repo.root_version = 2;
    let root_v2 = envelope(&root_signed(2, util::TUF_ROOT_EXPIRES, &repo.keys), &[&root1, &root2]);
    repo.files.put("metadata/2.root.json", root_v2);
    repo.timestamp_expires = util::TUF_TIMESTAMP_EXPIRES.to_owned();
    repo.publish_snapshot();

    let mut lookups = Map::new();
    let mut lookup = |path: &str, role: &str, bytes: &[u8]| {
        let info = target_info(bytes, None);
        lookups.insert(
            path.to_owned(),
            json!({"result": "ok", "role": role, "category": "ok", "length": info["length"], "hashes": info["hashes"]}),
        );
    };
    lookup("app-1.1.tar.gz", "targets", &content("app-1.1.tar.gz"));
    lookup("packages/lib-1.0.tar.gz", "packages", &content("packages/lib-1.0.tar.gz"));
    for path in PYPI {
        lookup(path, bin_of(path), &content(path));
    }
    let final_versions = json!({"root": 2, "timestamp": repo.timestamp_version, "snapshot": repo.snapshot_version, "targets": repo.roles[0].version});

    let base = "workshop/tuf-repo";
    let mut dir = Files::default();
    dir.put_all("repo", &repo.files);
    dir.put("trusted_root.json", trusted_root);
    dir.put_all("client_state", &state);
    dir.put("attic/timestamp.v1.json", attic_v1);
    dir.put("attic/timestamp.v3.json", attic_v3);
    dir.put(
        "scenario.json",
        doc(&json!({
            "name": "tuf-repo",
            "description": "A healthy TUF repository for the workshop: the client trusts root v1 and the second publication (client_state: timestamp v2); the mirror serves root v2 (the root key rotated), timestamp and snapshot v4 signed by the online key, targets v2 signed by 2 of its 3 keys, the terminating delegation packages (packages/*) and the hash bins bins-0-7 and bins-8-f (path_hash_prefixes). attic/ keeps timestamp v1 (older than the client's) and v3 (the third publication, frozen: it expired on 2026-05-15).",
            "kind": "tuf",
            "inputs": {
                "trusted_root": "trusted_root.json",
                "metadata_dir": "repo/metadata",
                "targets_dir": "repo/targets",
                "client_state": "client_state",
            },
            "now": NOW,
            "expect": {
                "refresh": "ok", "category": "ok", "role": null, "reference_error": null,
                "targets": Value::Object(lookups), "final_versions": final_versions,
            },
            "generator": {"tool": "examples/make-fixtures", "set": "workshop"},
        })),
    );
    out.put_all(base, &dir);
    out.put(
        "workshop/index.json",
        doc(&json!({
            "count": 1, "generator": "examples/make-fixtures", "kind": "tuf", "now": NOW, "set": "workshop",
            "scenarios": [{"name": "tuf-repo", "refresh": "ok", "category": "ok"}],
        })),
    );
    out.put("workshop/README.md", README.as_bytes().to_vec());
}

const README: &str = "# workshop — the healthy repository the workshop's TUF lessons break

Generated by `cargo run --example make-fixtures` (do not edit by hand); the lessons that use it are
`fixtures/lessons/*.toml` (`trailscope workshop --list`). `tuf-repo` verifies: refresh ok, every
lookup ok. Each lesson's \"break it\" actions change a scratch copy of it (never these files).

- root: v1 (key `workshop/root-1`) is the client's trusted root; `2.root.json` rotates to
  `workshop/root-2` and is signed by both keys.
- timestamp and snapshot: one online ECDSA P-256 key (`workshop/online`); snapshot lists role
  versions without hashes, so the version checks stop mix-and-match.
- targets: 2 of 3 ed25519 keys (`workshop/targets-1..3`); delegates `packages/*` (terminating) to
  `packages`, and the `pypi/` namespace by hash prefix to `bins-0-7` and `bins-8-f`.
- `client_state/`: the timestamp and snapshot the client trusted after the second publication
  (v2); no targets roles, so the client downloads them all.
- `attic/`: timestamp v1 (older than the client's: replaying it is a rollback) and v3 (a third
  publication whose timestamp expired on 2026-05-15: a mirror frozen on it).
";
