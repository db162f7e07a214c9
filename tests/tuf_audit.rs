//! `tuf verify --all-roles`: every delegated role reachable from targets is
//! loaded and verified, once per delegation — a role delegated by two roles
//! is checked against each delegator's keys — and each result is reported.

mod common;

use common::tuf_repo::{keys, root_of_one_key};
use common::{Key, metablock};
use serde_json::{Value, json};
use trailscope::tuf::session::{self, Request};
use trailscope::tuf::{Config, MemorySource, report};

const EXPIRES: &str = "2030-01-01T00:00:00Z";

fn role(name: &str, keyid: &str, path: &str) -> Value {
    json!({"name": name, "keyids": [keyid], "threshold": 1, "terminating": false, "paths": [path]})
}

fn targets_doc(delegations: Option<Value>) -> Value {
    let mut v = json!({"_type": "targets", "spec_version": "1.0.31", "version": 1, "expires": EXPIRES, "targets": {}});
    if let Some(d) = delegations {
        v["delegations"] = d;
    }
    v
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

/// targets delegates B (key kB) and A (key kA); A delegates C (kC) and B,
/// but names kC for B, so B (signed by kB) passes under targets and fails under A.
fn repo() -> (MemorySource, Vec<u8>) {
    let (top, ka, kb, kc) = (Key::from_seed(1), Key::from_seed(2), Key::from_seed(3), Key::from_seed(4));
    let root = root_of_one_key(&top, EXPIRES);
    let mut src = MemorySource::new("repo");
    let targets = targets_doc(Some(json!({"keys": keys(&[&ka, &kb]),
        "roles": [role("B", &kb.keyid, "b/*"), role("A", &ka.keyid, "*")]})));
    let a = targets_doc(Some(json!({"keys": keys(&[&kc]),
        "roles": [role("C", &kc.keyid, "*"), role("B", &kc.keyid, "b/*")]})));
    src.insert("targets.json", bytes(&metablock(&targets, &[&top])));
    src.insert("A.json", bytes(&metablock(&a, &[&ka])));
    src.insert("B.json", bytes(&metablock(&targets_doc(None), &[&kb])));
    src.insert("C.json", bytes(&metablock(&targets_doc(None), &[&kc])));
    let meta: serde_json::Map<String, Value> =
        ["targets", "A", "B", "C"].iter().map(|r| (format!("{r}.json"), json!({"version": 1}))).collect();
    common::tuf_repo::seal(&mut src, meta, &top, EXPIRES);
    (src, bytes(&root))
}

/// The client's workflow over `src` with every role audited (`--all-roles`).
fn audit(src: &MemorySource, root: Vec<u8>) -> session::Outcome {
    audit_with(src, root, Config::default())
}

/// [`audit`] with `config`.
fn audit_with(src: &MemorySource, root: Vec<u8>, config: Config) -> session::Outcome {
    session::run(Request {
        root_bytes: root,
        root_file: "root.json".into(),
        metadata: src,
        targets: None,
        state: None,
        at: trailscope::meta::time::parse("2026-01-01T00:00:00Z").unwrap().at,
        config,
        target_paths: Vec::new(),
        all_roles: true,
    })
}

#[test]
fn all_roles_audits_every_delegation_of_every_reachable_role() {
    let (src, root) = repo();
    let outcome = audit(&src, root);
    assert!(outcome.refresh.is_ok());
    let audited: Vec<(String, String, Result<(), String>)> = outcome
        .audit
        .iter()
        .map(|a| (a.role.clone(), a.delegator.clone(), a.outcome.clone().map_err(|e| e.category.to_string())))
        .collect();
    let expect =
        |r: &str, d: &str, o: Result<(), &str>| (r.to_owned(), d.to_owned(), o.map_err(str::to_owned));
    assert_eq!(
        audited,
        [
            expect("B", "targets", Ok(())),
            expect("A", "targets", Ok(())),
            expect("C", "A", Ok(())),
            expect("B", "A", Err("signature-threshold")),
        ]
    );
    let doc = report::document(&outcome, false);
    let v = doc.to_value();
    assert_eq!(v["category"], "signature-threshold");
    let roles = &v["roles"];
    for r in ["A", "B", "C"] {
        assert_eq!(roles[r]["trusted"], true, "{r}");
    }
    assert_eq!(roles["B"]["delegator"], "targets");
    assert_eq!(roles["B"]["audit"][0], json!({"delegator": "targets", "result": "ok"}));
    assert_eq!(roles["B"]["audit"][1]["delegator"], "A");
    assert_eq!(roles["B"]["audit"][1]["result"], "signature-threshold");
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["category"] == "signature-threshold" && f["subject"]["name"] == "B"));
    assert!(findings.iter().any(|f| f["category"] == "role-reverified"));
}

/// The roles a report lists, held (they delegate) and released (they do
/// not) interleaved by name: one list in name order, each as it is held.
#[test]
fn role_views_merge_held_and_released_roles_in_name_order() {
    let (src, root) = repo();
    let outcome = audit(&src, root);
    let set = outcome.trusted.as_ref().unwrap();
    let views: Vec<(&str, &str, bool)> =
        set.role_views().into_iter().map(|(n, d, v)| (n, d, v.held.is_some())).collect();
    assert_eq!(
        views,
        [("A", "targets", true), ("B", "targets", false), ("C", "A", false), ("targets", "root", true)]
    );
    // B and C were released one after the other: the same version and
    // expiry, held once; signed by different keys, each its own check.
    let (_, b) = set.released_role("B").unwrap();
    let (_, c) = set.released_role("C").unwrap();
    assert!(std::sync::Arc::ptr_eq(&b.common, &c.common));
    assert_eq!(b.common.expires_text, EXPIRES);
    assert!(!std::sync::Arc::ptr_eq(&b.signatures, &c.signatures));
    let (kb, kc) = (Key::from_seed(3), Key::from_seed(4));
    assert_eq!(b.signatures.signed, [kb.keyid]);
    assert_eq!(c.signatures.signed, [kc.keyid]);
}

/// A refresh that fails at the timestamp still reports what the other
/// top-level files say: version, expiry and signature status, not trusted.
#[test]
fn failed_refresh_reports_the_roles_it_did_not_reach() {
    let (mut src, root) = repo();
    let wrong = Key::from_seed(9);
    let ts = json!({"_type": "timestamp", "spec_version": "1.0.31", "version": 2, "expires": EXPIRES,
        "meta": {"snapshot.json": {"version": 1}}});
    src.insert("timestamp.json", bytes(&metablock(&ts, &[&wrong])));
    let outcome = audit(&src, root);
    assert_eq!(outcome.refresh.as_ref().unwrap_err().role, "timestamp");
    let v = report::document(&outcome, false).to_value();
    assert_eq!(v["category"], "signature-threshold");
    let roles = &v["roles"];
    assert_eq!(roles["timestamp"]["trusted"], false);
    assert_eq!(roles["timestamp"]["version"], 2);
    assert_eq!(roles["timestamp"]["signatures"]["count"], 0);
    for r in ["snapshot", "targets"] {
        assert_eq!(roles[r]["trusted"], false, "{r}");
        assert_eq!(roles[r]["reached"], false, "{r}");
        assert_eq!(roles[r]["version"], 1, "{r}");
        assert_eq!(roles[r]["expired"], false, "{r}");
        assert_eq!(roles[r]["signatures"]["count"], 1, "{r}");
    }
    let untrusted =
        v["findings"].as_array().unwrap().iter().filter(|f| f["category"] == "untrusted-role").count();
    assert_eq!(untrusted, 3);
}

/// Many roles that delegate nothing (several times what the audit prepares
/// at once), with roles that fail in between, a role that delegates in the
/// middle (to a role delegated again later, and to a role released before
/// it under a key that did not sign it), and roles signed by another key:
/// releasing runs of roles while the next ones are verified gives the
/// one-role-at-a-time walk's audit, report (roles, findings, inputs with
/// their digests) and shared summaries.
#[test]
fn runs_of_released_roles_give_the_one_role_at_a_time_walks_outcome() {
    let (top, leaf, other, wrong) =
        (Key::from_seed(1), Key::from_seed(2), Key::from_seed(3), Key::from_seed(4));
    let root = root_of_one_key(&top, EXPIRES);
    let mut src = MemorySource::new("repo");
    let mut meta = serde_json::Map::new();
    let mut delegated = Vec::new();
    let leaf_doc = |i: usize, version: u64, expires: &str| {
        let mut d = targets_doc(None);
        d["version"] = json!(version);
        d["expires"] = json!(expires);
        for t in 0..i % 3 {
            d["targets"][format!("f{i}-{t}")] = json!({"length": t, "hashes": {"sha256": "00"}});
        }
        d
    };
    for i in 0..400 {
        let name = format!("r{i:03}");
        let signer = match i {
            200 => &wrong,
            330..=335 => &other,
            _ => &leaf,
        };
        let keyid = if (330..=335).contains(&i) { &other.keyid } else { &leaf.keyid };
        delegated.push(role(&name, keyid, "*"));
        let doc = match i {
            150 => targets_doc(Some(json!({"keys": keys(&[&leaf, &other]),
                "roles": [role("r151", &leaf.keyid, "*"), role("r020", &other.keyid, "*"),
                    role("s0", &leaf.keyid, "*"), role("s1", &leaf.keyid, "*")]}))),
            250 => leaf_doc(i, 2, EXPIRES),
            320 => leaf_doc(i, 1, "2025-01-01T00:00:00Z"),
            _ => leaf_doc(i, 1, EXPIRES),
        };
        if i != 310 {
            src.insert(format!("{name}.json"), bytes(&metablock(&doc, &[signer])));
        }
        if i != 300 {
            meta.insert(format!("{name}.json"), json!({"version": 1}));
        }
    }
    for s in ["s0", "s1"] {
        src.insert(format!("{s}.json"), bytes(&metablock(&targets_doc(None), &[&leaf])));
        meta.insert(format!("{s}.json"), json!({"version": 1}));
    }
    let targets = targets_doc(Some(json!({"keys": keys(&[&leaf, &other]), "roles": delegated})));
    src.insert("targets.json", bytes(&metablock(&targets, &[&top])));
    meta.insert("targets.json".into(), json!({"version": 1}));
    common::tuf_repo::seal(&mut src, meta, &top, EXPIRES);
    let root = bytes(&root);

    let runs = audit_with(&src, root.clone(), Config::default());
    let one_by_one = audit_with(&src, root, Config { audit_in_runs: false, ..Config::default() });
    // (role, delegator, the error's category and message)
    type Audited = Vec<(String, String, Result<(), (String, String)>)>;
    let audited = |o: &session::Outcome| -> Audited {
        o.audit
            .iter()
            .map(|a| {
                let outcome =
                    a.outcome.as_ref().map(|_| ()).map_err(|e| (e.category.to_string(), e.message.clone()));
                (a.role.clone(), a.delegator.clone(), outcome)
            })
            .collect()
    };
    assert_eq!(audited(&runs), audited(&one_by_one));
    assert_eq!(runs.audit.len(), 404, "every delegation audited once");
    let failed: Vec<(String, String)> = audited(&runs)
        .into_iter()
        .filter_map(|(r, d, o)| o.err().map(|(c, _)| (format!("{r} by {d}"), c)))
        .collect();
    let expect: Vec<(String, String)> = [
        ("r020 by r150", "signature-threshold"),
        ("r200 by targets", "signature-threshold"),
        ("r250 by targets", "version-mismatch"),
        ("r300 by targets", "missing-from-snapshot"),
        ("r310 by targets", "download-failed"),
        ("r320 by targets", "expired"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(failed, expect);
    let doc = |o: &session::Outcome| report::document(o, false).to_value();
    let (doc_runs, doc_one) = (doc(&runs), doc(&one_by_one));
    assert_eq!(doc_runs, doc_one);
    assert!(doc_runs["findings"].as_array().unwrap().iter().any(|f| f["category"] == "role-reverified"));
    // Summaries shared with the role released before them exactly as one
    // at a time: same expiry and signers, one copy.
    let sharing = |o: &session::Outcome| -> Vec<(String, bool, bool, Option<String>)> {
        let set = o.trusted.as_ref().unwrap();
        let mut prev: Option<&trailscope::tuf::trusted_set::RoleSummary> = None;
        set.released_roles()
            .map(|(name, _, s)| {
                let shared = prev.map(|p| {
                    (
                        std::sync::Arc::ptr_eq(&p.common, &s.common),
                        std::sync::Arc::ptr_eq(&p.signatures, &s.signatures),
                    )
                });
                prev = Some(s);
                let (c, g) = shared.unwrap_or((false, false));
                (name.to_owned(), c, g, s.sha256.clone())
            })
            .collect()
    };
    let shared = sharing(&runs);
    assert_eq!(shared, sharing(&one_by_one));
    assert!(shared.iter().filter(|s| s.1 && s.2).count() > 300, "bins signed together share one summary");
    assert_eq!(shared.iter().filter(|s| s.3.is_some()).count(), trailscope::tuf::trusted_set::SUMMARY_HASHED);
}

/// The finding passes over an audit's roles screen the released ones
/// without their names and visit them only when one may yield a finding:
/// the same findings as visiting every role, whether none of them warns
/// or some expire soon, carry a time not in the spec's form or count one
/// key twice; and the inputs list counts them as the role list has them.
#[test]
fn screened_findings_and_inputs_are_those_of_every_role_visited() {
    let (top, leaf, twin) = (Key::from_seed(1), Key::from_seed(2), Key::from_seed(2));
    // The same key under another key id: counted twice, a warning.
    let other_id = if twin.keyid.ends_with('0') { '1' } else { '0' };
    let twin = Key { keyid: format!("{}{other_id}", &twin.keyid[..63]), ..twin };
    let build = |soon: &[usize], odd_time: &[usize], twice: &[usize]| {
        let root = root_of_one_key(&top, EXPIRES);
        let mut src = MemorySource::new("repo");
        let mut meta = serde_json::Map::new();
        let mut delegated = Vec::new();
        for i in 0..120 {
            let name = format!("r{i:03}");
            let mut r = role(&name, &leaf.keyid, "*");
            let mut doc = targets_doc(None);
            if soon.contains(&i) {
                doc["expires"] = json!("2026-01-05T00:00:00Z");
            }
            if odd_time.contains(&i) {
                doc["expires"] = json!("2030-01-01T00:00:00.5Z");
            }
            let signers: Vec<&Key> = if twice.contains(&i) {
                r["keyids"] = json!([leaf.keyid, twin.keyid]);
                vec![&leaf, &twin]
            } else {
                vec![&leaf]
            };
            delegated.push(r);
            src.insert(format!("{name}.json"), bytes(&metablock(&doc, &signers)));
            meta.insert(format!("{name}.json"), json!({"version": 1}));
        }
        let targets = targets_doc(Some(json!({"keys": keys(&[&leaf, &twin]), "roles": delegated})));
        src.insert("targets.json", bytes(&metablock(&targets, &[&top])));
        meta.insert("targets.json".into(), json!({"version": 1}));
        common::tuf_repo::seal(&mut src, meta, &top, EXPIRES);
        (src, bytes(&root))
    };
    // (expiring soon, a time not in the spec's form, a key counted twice; role findings)
    type Case = (&'static [usize], &'static [usize], &'static [usize], usize);
    let cases: [Case; 4] =
        [(&[], &[], &[], 0), (&[7, 8, 90], &[], &[], 3), (&[], &[55], &[], 1), (&[], &[], &[0, 119], 2)];
    for (soon, odd_time, twice, warnings) in cases {
        let (src, root) = build(soon, odd_time, twice);
        let outcome = audit(&src, root);
        assert!(outcome.refresh.is_ok(), "{soon:?} {odd_time:?} {twice:?}");
        let set = outcome.trusted.as_ref().unwrap();
        assert!(set.released_roles().count() >= 120, "the audit released the leaves");
        for strict in [false, true] {
            let screened = report::findings(&outcome, strict);
            let visited = report::findings_unscreened(&outcome, strict);
            assert_eq!(
                serde_json::to_value(&screened).unwrap(),
                serde_json::to_value(&visited).unwrap(),
                "{soon:?} {odd_time:?} {twice:?} strict {strict}"
            );
            let about_leaves = screened
                .iter()
                .filter(|f| matches!(&f.subject, trailscope::verdict::Subject::Role { name } if name.starts_with('r')))
                .count();
            assert_eq!(about_leaves, warnings, "{soon:?} {odd_time:?} {twice:?}");
        }
        let inputs = serde_json::to_value(report::inputs(&outcome, None)).unwrap();
        let group = inputs.as_array().unwrap().iter().find(|i| i["role"] == "delegated targets").unwrap();
        let views = set.role_views();
        let delegated: Vec<_> = views.iter().filter(|(name, _, _)| *name != "targets").collect();
        assert_eq!(group["files"], json!(delegated.len()));
        assert_eq!(group["size"], json!(delegated.iter().map(|(_, _, v)| v.length).sum::<u64>()));
    }
}
