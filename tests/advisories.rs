//! One regression test per published advisory of the TUF clients we learn
//! from (research/tuf.md §2: tough, go-tuf, python-tuf). Each test builds the
//! attack the advisory describes and asserts the refusal; each would fail on
//! the vulnerable behaviour it names.

mod tuf_support;

use serde_json::json;
use trailscope::tuf::{Category, Config, StateDir, TrustedSet, TufError, Updater, quote};
use tuf_support::*;

/// The error of a result that must be a refusal.
fn refused<T>(result: Result<T, TufError>, what: &str) -> TufError {
    match result {
        Ok(_) => panic!("{what}: accepted"),
        Err(e) => e,
    }
}

fn trusted(k: &Keys) -> TrustedSet {
    TrustedSet::new(&k.signed_root(1), "root.json", now(), false).unwrap()
}

/// A trusted set with root, timestamp (v1 → snapshot v1) and snapshot `snap` loaded.
fn through_snapshot(k: &Keys, snap: &serde_json::Value) -> TrustedSet {
    let mut set = trusted(k);
    set.update_timestamp(&sign(&timestamp(1, 1), &[&k.timestamp]), "timestamp.json").unwrap();
    set.update_snapshot(&sign(snap, &[&k.snapshot]), "snapshot.json", false).unwrap();
    set
}

#[test]
fn tough_cve_2020_15093_duplicate_signatures_do_not_count_twice() {
    // GHSA-5q2r-92f9-4m49: a root threshold of 2 met by one key signing twice.
    let mut k = Keys::new("cve-2020-15093");
    k.root = vec![key("cve-2020-15093-a"), key("cve-2020-15093-b")];
    k.root_threshold = 2;
    let a = &k.root[0];
    let twice = sign_as(&k.root(1), &[(a.keyid(), a), (a.keyid(), a)]);
    let err = refused(TrustedSet::new(&twice, "root.json", now(), false), "refused");
    assert_eq!(err.category, Category::Malformed, "{}", err.message);
    // And as an update of a trusted root.
    let mut set = TrustedSet::new(&k.signed_root(1), "root.json", now(), false).unwrap();
    let v2 = sign_as(&k.root(2), &[(a.keyid(), a), (a.keyid(), a)]);
    assert!(set.update_root(&v2, "2.root.json").is_err());
    assert_eq!(set.root().meta.common.version, 1);
}

#[test]
fn go_tuf_ghsa_3633_5h82_39pq_one_key_under_two_keyids_counts_once_in_strict_mode() {
    // One public key listed under two key ids, threshold 2, one signature per key id.
    let k = Keys::new("ghsa-3633");
    let a = key("ghsa-3633-a");
    let alias = "f".repeat(64);
    let mut root = k.root(1);
    root["keys"][&alias] = a.public_key_dict();
    root["keys"][a.keyid()] = a.public_key_dict();
    root["roles"]["root"] = json!({"keyids": [a.keyid(), alias], "threshold": 2});
    let bytes = sign_as(&root, &[(a.keyid(), &a), (alias.clone(), &a)]);
    let err = refused(TrustedSet::new(&bytes, "root.json", now(), true), "strict counts key material once");
    assert_eq!(err.category, Category::SignatureThreshold, "{}", err.message);
    // The python-tuf-compatible default counts key ids, and says what it counted.
    let set = TrustedSet::new(&bytes, "root.json", now(), false).unwrap();
    assert!(!set.root().signatures.duplicate_material.is_empty());
}

#[test]
fn python_tuf_ghsa_pwqf_9h7j_7mv8_repeated_keyids_in_a_role_do_not_inflate_the_threshold() {
    let k = Keys::new("ghsa-pwqf");
    let a = &k.root[0];
    let mut root = k.root(1);
    root["roles"]["root"] = json!({"keyids": [a.keyid(), a.keyid()], "threshold": 2});
    let err = refused(TrustedSet::new(&sign(&root, &[a]), "root.json", now(), false), "refused");
    assert_eq!(err.category, Category::Malformed);
    assert!(err.message.contains("nonunique keyids"), "{}", err.message);
}

#[test]
fn tough_cve_2026_6966_duplicate_signatures_do_not_count_twice_for_delegated_roles() {
    // GHSA-8m7c-8m39-rv4x: Root::verify_role deduplicated, Delegations::verify_role did not.
    let k = Keys::new("cve-2026-6966");
    let d1 = key("cve-2026-6966-d1");
    let d2 = key("cve-2026-6966-d2");
    let dele = delegations(&[&d1, &d2], vec![delegated("role", &[&d1, &d2], 2, &["*"], false)]);
    let mut set = through_snapshot(&k, &snapshot(1, &[("targets", 1), ("role", 1)]));
    set.update_targets(&sign(&targets(1, &[], Some(dele)), &[&k.targets]), "targets.json").unwrap();
    let role_md = targets(1, &[("f", b"x")], None);
    let twice = sign_as(&role_md, &[(d1.keyid(), &d1), (d1.keyid(), &d1)]);
    assert!(set.update_delegated_targets(&twice, "role.json", "role", "targets").is_err());
    let once = sign(&role_md, &[&d1]);
    let err = refused(set.update_delegated_targets(&once, "role.json", "role", "targets"), "1 of 2");
    assert_eq!(err.category, Category::SignatureThreshold);
    assert!(
        set.update_delegated_targets(&sign(&role_md, &[&d1, &d2]), "role.json", "role", "targets").is_ok()
    );
}

#[test]
fn tough_cve_2025_2885_root_version_must_be_exactly_the_next() {
    // GHSA-5vmp-m5v2-hx47: tough accepted any version >= the trusted one.
    let k = Keys::new("cve-2025-2885");
    let mut set = trusted(&k);
    for v in [1, 3, 100] {
        let err = refused(set.update_root(&k.signed_root(v), &format!("{v}.root.json")), "refused");
        assert_eq!(err.category, Category::VersionMismatch, "v{v}: {}", err.message);
    }
    assert!(set.update_root(&k.signed_root(2), "2.root.json").is_ok());
}

#[test]
fn tough_cve_2025_2886_terminating_delegation_ends_the_search() {
    // GHSA-v4wr-j3w6-mxqc: tough ignored `terminating`.
    let k = Keys::new("cve-2025-2886");
    let a = key("cve-2025-2886-a");
    let b = key("cve-2025-2886-b");
    let dele = delegations(
        &[&a, &b],
        vec![delegated("a", &[&a], 1, &["*"], true), delegated("b", &[&b], 1, &["*"], false)],
    );
    let roles = [
        ("a", sign(&targets(1, &[], None), &[&a])),
        ("b", sign(&targets(1, &[("file", b"evil")], None), &[&b])),
    ];
    let files = repo(&k, &[], Some(dele), &roles);
    let src = files.source();
    let mut up = Updater::new(&k.signed_root(1), "root.json", &src, now(), Config::default()).unwrap();
    let lookup = up.get_targetinfo("file").unwrap();
    assert_eq!(lookup.found, None, "b must not be consulted after terminating a");
    assert_eq!(lookup.visited, vec!["targets".to_owned(), "a".to_owned()]);
}

#[test]
fn tough_cve_2025_2887_snapshot_rollback_is_checked_for_every_role() {
    // GHSA-q6r9-r9pw-4cf7: tough compared only targets.json's version.
    let k = Keys::new("cve-2025-2887");
    // As a client does: the new timestamp, the stored snapshot (no longer
    // final, but the baseline), then the new snapshot.
    let old = sign(&snapshot(1, &[("targets", 1), ("role", 5)]), &[&k.snapshot]);
    let fresh = || {
        let mut set = trusted(&k);
        set.update_timestamp(&sign(&timestamp(2, 2), &[&k.timestamp]), "timestamp.json").unwrap();
        assert!(set.update_snapshot(&old, "snapshot.json", true).is_err(), "not final");
        set
    };
    let mut set = fresh();
    let rolled_back = sign(&snapshot(2, &[("targets", 1), ("role", 4)]), &[&k.snapshot]);
    let err = refused(set.update_snapshot(&rolled_back, "snapshot.json", false), "rollback of role");
    assert_eq!(err.category, Category::Rollback, "{}", err.message);
    let dropped = sign(&snapshot(2, &[("targets", 1)]), &[&k.snapshot]);
    let mut set = fresh();
    assert!(set.update_snapshot(&dropped, "snapshot.json", false).is_err(), "role removed from snapshot");
    let fine = sign(&snapshot(2, &[("targets", 1), ("role", 5)]), &[&k.snapshot]);
    let mut set = fresh();
    assert!(set.update_snapshot(&fine, "snapshot.json", false).is_ok());
}

#[test]
fn tough_cve_2025_2888_rolled_back_timestamp_never_replaces_the_stored_one() {
    // GHSA-76g3-38jv-wxh4: tough cached the timestamp before its rollback check.
    let k = Keys::new("cve-2025-2888");
    let dir = tempfile::tempdir().unwrap();
    let stored = sign(&timestamp(5, 1), &[&k.timestamp]);
    std::fs::write(dir.path().join("timestamp.json"), &stored).unwrap();
    let mut files = repo(&k, &[], None, &[]);
    files.put("timestamp.json", sign(&timestamp(2, 1), &[&k.timestamp]));
    let src = files.source();
    let mut up = Updater::new(&k.signed_root(1), "root.json", &src, now(), Config::default())
        .unwrap()
        .with_state(StateDir::new(dir.path(), true));
    let err = refused(up.refresh(), "rollback refused");
    assert_eq!(err.category, Category::Rollback, "{}", err.message);
    assert_eq!(std::fs::read(dir.path().join("timestamp.json")).unwrap(), stored);
}

#[test]
fn tough_ghsa_j8x2_777p_23fc_delegation_cycles_terminate() {
    let k = Keys::new("ghsa-j8x2");
    let a = key("ghsa-j8x2-a");
    let b = key("ghsa-j8x2-b");
    let to_a = delegations(&[&a], vec![delegated("a", &[&a], 1, &["*"], false)]);
    let to_b = delegations(&[&b], vec![delegated("b", &[&b], 1, &["*"], false)]);
    let roles = [
        ("a", sign(&targets(1, &[], Some(to_b)), &[&a])),
        ("b", sign(&targets(1, &[], Some(to_a.clone())), &[&b])),
    ];
    let files = repo(&k, &[], Some(to_a), &roles);
    let src = files.source();
    let mut up = Updater::new(&k.signed_root(1), "root.json", &src, now(), Config::default()).unwrap();
    let lookup = up.get_targetinfo("missing").unwrap();
    assert_eq!(lookup.found, None);
    assert_eq!(lookup.visited, vec!["targets", "a", "b"]);
    // The audit checks each delegation once (targets→a, a→b, b→a) and stops.
    let audited: Vec<(String, String)> =
        up.load_all_roles().iter().map(|r| (r.delegator.clone(), r.role.clone())).collect();
    let expected = [("targets", "a"), ("a", "b"), ("b", "a")].map(|(d, r)| (d.to_owned(), r.to_owned()));
    assert_eq!(audited, expected);
}

#[test]
fn tough_cve_2026_6967_delegated_metadata_is_fully_validated() {
    let k = Keys::new("cve-2026-6967");
    let d = key("cve-2026-6967-d");
    let other = key("cve-2026-6967-other");
    let dele = delegations(&[&d], vec![delegated("role", &[&d], 1, &["*"], false)]);
    let fresh = || {
        let mut set = through_snapshot(&k, &snapshot(1, &[("targets", 1), ("role", 1)]));
        set.update_targets(&sign(&targets(1, &[], Some(dele.clone())), &[&k.targets]), "targets.json")
            .unwrap();
        set
    };
    let mut expired = targets(1, &[], None);
    expired["expires"] = json!("2020-01-01T00:00:00Z");
    let mut wrong_type = k.root(1);
    wrong_type["version"] = json!(1);
    let cases = [
        ("version differs from snapshot", sign(&targets(2, &[], None), &[&d]), Category::VersionMismatch),
        ("expired", sign(&expired, &[&d]), Category::Expired),
        (
            "signed by an unauthorised key",
            sign(&targets(1, &[], None), &[&other]),
            Category::SignatureThreshold,
        ),
        ("not a targets role", sign(&wrong_type, &[&d]), Category::WrongType),
    ];
    for (what, bytes, category) in cases {
        let mut set = fresh();
        let err = refused(set.update_delegated_targets(&bytes, "role.json", "role", "targets"), what);
        assert_eq!(err.category, category, "{what}: {}", err.message);
    }
    // A role the delegator does not delegate is refused too.
    let mut set = fresh();
    assert!(
        set.update_delegated_targets(&sign(&targets(1, &[], None), &[&d]), "x.json", "x", "targets").is_err()
    );
}

#[test]
fn tough_0_20_expiry_is_checked_at_the_update_start_time() {
    // tough 0.20.0: "use the update start time when checking for signature expiry".
    let k = Keys::new("tough-0-20");
    let files = repo(&k, &[], None, &[]);
    let src = files.source();
    let later = trailscope::meta::time::parse("2031-01-01T00:00:00Z").unwrap().at;
    let mut up = Updater::new(&k.signed_root(1), "root.json", &src, later, Config::default()).unwrap();
    let err = refused(up.refresh(), "expired at the start time, whatever the wall clock says");
    assert_eq!(err.category, Category::Expired);
    let mut up = Updater::new(&k.signed_root(1), "root.json", &src, now(), Config::default()).unwrap();
    assert!(up.refresh().is_ok());
}

#[test]
fn python_tuf_cve_2021_41131_role_names_never_escape_the_metadata_directory() {
    let k = Keys::new("cve-2021-41131");
    let d = key("cve-2021-41131-d");
    let name = "../../escaped";
    let dele = delegations(&[&d], vec![delegated(name, &[&d], 1, &["*"], false)]);
    let roles = [(name, sign(&targets(1, &[("file", b"x")], None), &[&d]))];
    let files = repo(&k, &[], Some(dele), &roles);
    let src = files.source();
    let top = tempfile::tempdir().unwrap();
    let state = top.path().join("a/b/state");
    let mut up = Updater::new(&k.signed_root(1), "root.json", &src, now(), Config::default())
        .unwrap()
        .with_state(StateDir::new(&state, true));
    let lookup = up.get_targetinfo("file").unwrap();
    assert_eq!(lookup.found.map(|f| f.0).as_deref(), Some(name));
    assert!(state.join(format!("{}.json", quote(name))).is_file());
    assert!(!top.path().join("a/escaped.json").exists() && !top.path().join("escaped.json").exists());
    // The request went out encoded, as one path segment.
    assert!(src.requests().iter().any(|r| r == "..%2F..%2Fescaped.json"), "{:?}", src.requests());
}

#[test]
fn go_tuf_ghsa_jqc5_w2xx_5vq4_names_from_metadata_stay_single_file_names() {
    // go-tuf's TAP-4 repository names were joined into paths unescaped; our
    // names from metadata (roles, cached targets) are quoted into one segment.
    use trailscope::cli::tuf_client::target_file_name;
    for name in ["../x", "../../etc/passwd", "/abs", "a/../../b", "..\\..\\x", "a\0b", "\u{2215}etc", ".."] {
        let state = StateDir::new("/state", false);
        assert_eq!(state.path_for(name).parent(), Some(std::path::Path::new("/state")), "{name:?}");
        if let Some(file) = target_file_name(name) {
            assert!(!file.contains(['/', '\\', '\0']) && file != "." && file != "..", "{name:?} → {file}");
        }
    }
    assert_eq!(target_file_name(".."), None);
}

#[test]
fn go_tuf_ghsa_4f8r_qqr9_fq8j_delegations_are_searched_in_listed_order() {
    let k = Keys::new("ghsa-4f8r");
    let a = key("ghsa-4f8r-a");
    let b = key("ghsa-4f8r-b");
    // "b" is listed first; both list the target with different contents.
    let dele = delegations(
        &[&a, &b],
        vec![delegated("b", &[&b], 1, &["*"], false), delegated("a", &[&a], 1, &["*"], false)],
    );
    let roles = [
        ("a", sign(&targets(1, &[("file", b"from a")], None), &[&a])),
        ("b", sign(&targets(1, &[("file", b"from b")], None), &[&b])),
    ];
    let files = repo(&k, &[], Some(dele), &roles);
    let src = files.source();
    let mut up = Updater::new(&k.signed_root(1), "root.json", &src, now(), Config::default()).unwrap();
    let (role, info) = up.get_targetinfo("file").unwrap().found.unwrap();
    assert_eq!(role, "b");
    assert_eq!(info.length, 6);
}

#[test]
fn go_tuf_739_malformed_ed25519_keys_are_errors_not_panics() {
    for public in ["", "00", &"ab".repeat(31), &"ab".repeat(33), &"zz".repeat(32)] {
        let dict = json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": public}});
        if let Ok(key) = trailscope::crypto::PublicKey::from_dict(&dict) {
            assert!(key.verify(b"m", &[0u8; 64]).is_err());
        }
    }
}
