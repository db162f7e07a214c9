//! Real repositories (`fixtures/interop/external/tuf/`, see its README for
//! what a correct client concludes), each verified at its pinned time.

use std::path::{Path, PathBuf};

use trailscope::tuf::report;
use trailscope::tuf::session::{self, Outcome, Request, TargetStatus};
use trailscope::tuf::{Category, Config, DirSource};
use trailscope::verdict::Severity;

fn ext(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/external/tuf").join(rel)
}

fn at(s: &str) -> time::OffsetDateTime {
    trailscope::meta::time::parse(s).unwrap().at
}

fn run(
    root: &Path,
    metadata: DirSource,
    targets: DirSource,
    when: &str,
    paths: &[&str],
    strict: bool,
) -> Outcome {
    session::run(Request {
        root_bytes: std::fs::read(root).unwrap(),
        root_file: root.display().to_string(),
        metadata: &metadata,
        targets: Some(&targets),
        state: None,
        at: at(when),
        config: Config { strict, ..Config::default() },
        target_paths: paths.iter().map(|s| s.to_string()).collect(),
        all_roles: false,
    })
}

fn versions(o: &Outcome) -> (u64, u64, u64, u64) {
    let set = o.trusted.as_ref().unwrap();
    (
        set.root().meta.common.version,
        set.timestamp().unwrap().meta.common.version,
        set.snapshot().unwrap().meta.common.version,
        set.targets_role("targets").unwrap().1.meta.common.version,
    )
}

fn sigstore(root_version: u64, when: &str, paths: &[&str], strict: bool) -> Outcome {
    let base = ext("sigstore+root-signing");
    let root = base.join(format!("metadata/root_history/{root_version}.root.json"));
    let targets = DirSource::new(base.join("targets")).with_source_layout(true);
    run(&root, DirSource::new(base.join("metadata")), targets, when, paths, strict)
}

#[test]
fn sigstore_current_repository_verifies_from_root_v1() {
    let o = sigstore(
        1,
        "2026-08-22T00:00:00Z",
        &["trusted_root.json", "registry.npmjs.org/keys.json", "nonexistent.json"],
        false,
    );
    assert!(o.refresh.is_ok(), "{:?}", o.refresh);
    assert_eq!(versions(&o), (15, 762, 165, 14));
    let history: Vec<u64> =
        o.trusted.as_ref().unwrap().root_history().iter().map(|r| r.meta.common.version).collect();
    assert_eq!(history, (1..=15).collect::<Vec<_>>());
    let t = &o.targets;
    assert_eq!(
        (t[0].status.clone(), t[0].role.as_deref(), t[0].length_verified),
        (TargetStatus::Ok, Some("targets"), Some(6787))
    );
    assert_eq!((t[1].status.clone(), t[1].role.as_deref()), (TargetStatus::Ok, Some("registry.npmjs.org")));
    assert_eq!(t[1].visited, ["targets", "registry.npmjs.org"]);
    assert_eq!(t[2].status, TargetStatus::NotFound);
}

#[test]
fn sigstore_v11_keyid_mismatch_is_a_warning_and_an_error_under_strict() {
    let paths = ["trusted_root.json"];
    let lax = report::document(&sigstore(1, "2026-08-22T00:00:00Z", &paths, false), false);
    let mismatch: Vec<_> = lax.findings.iter().filter(|f| f.category == "keyid-mismatch").collect();
    assert_eq!(mismatch.len(), 1, "{mismatch:?}");
    assert_eq!(mismatch[0].severity, Severity::Warning);
    assert!(mismatch[0].message.contains("7247f0db"));
    assert!(mismatch[0].message.contains("0c87432c"));
    assert_eq!(lax.category, "ok");
    assert_eq!(lax.verdict, trailscope::verdict::Verdict::Pass);

    // From v12 on the key id is fixed, and under --strict the v11 mismatch fails the run.
    let strict = report::document(&sigstore(5, "2026-08-22T00:00:00Z", &paths, true), true);
    assert_eq!(strict.verdict, trailscope::verdict::Verdict::Fail);
    assert_eq!(strict.category, "keyid-mismatch");
    let clean = report::document(&sigstore(12, "2026-08-22T00:00:00Z", &paths, true), true);
    assert_eq!(clean.verdict, trailscope::verdict::Verdict::Pass, "{:#?}", clean.findings);
}

#[test]
fn sigstore_v1_to_v4_key_and_date_forms_are_accepted_and_flagged() {
    let doc = report::document(&sigstore(1, "2026-08-22T00:00:00Z", &[], false), false);
    let times: Vec<_> = doc.findings.iter().filter(|f| f.category == "non-canonical-time").collect();
    assert_eq!(times.len(), 3, "roots v1–v3 carry fractional seconds or offsets");
    let set = sigstore(1, "2026-08-22T00:00:00Z", &[], false).trusted.unwrap();
    let v1 = &set.root_history()[0].meta;
    assert!(v1.keys.values().all(|k| k.key.quirks.iter().any(|q| q.contains("hex SEC1"))));
}

#[test]
fn sigstore_expires_on_schedule() {
    let o = sigstore(12, "2026-08-29T00:00:00Z", &[], false);
    let e = o.refresh.unwrap_err();
    assert_eq!((e.category, e.role.as_str()), (Category::Expired, "timestamp"));
    let o = sigstore(12, "2026-11-21T00:00:00Z", &[], false);
    let e = o.refresh.unwrap_err();
    assert_eq!((e.category, e.role.as_str()), (Category::Expired, "root"));
    assert!(e.message.contains("final root.json is expired"));
}

#[test]
fn rust_tuf_pretty_printed_signatures_are_rejected() {
    for consistent in ["true", "false"] {
        let repo = ext(&format!(
            "theupdateframework+rust-tuf/interop-tests/tests/metadata/consistent-snapshot-{consistent}/0/repository"
        ));
        let o = run(
            &repo.join("1.root.json"),
            DirSource::new(&repo),
            DirSource::new(repo.join("targets")),
            "2026-01-01T00:00:00Z",
            &[],
            false,
        );
        let e = o.refresh.unwrap_err();
        assert_eq!((e.category, e.role.as_str()), (Category::SignatureThreshold, "root"), "{e}");
    }
}

#[test]
fn fuchsia_go_tuf_repository_verifies() {
    for consistent in ["true", "false"] {
        let base = ext(&format!(
            "theupdateframework+rust-tuf/interop-tests/tests/fuchsia-go-tuf-5527fe/consistent-snapshot-{consistent}"
        ));
        let repo = base.join("5/repository");
        let o = run(
            &base.join("0/repository/1.root.json"),
            DirSource::new(&repo),
            DirSource::new(repo.join("targets")),
            "2026-01-01T00:00:00Z",
            &["0", "5"],
            false,
        );
        assert!(o.refresh.is_ok(), "{consistent}: {:?}", o.refresh);
        assert_eq!(versions(&o), (5, 6, 6, 6));
        assert!(o.targets.iter().all(|t| t.status == TargetStatus::Ok), "{:?}", o.targets);
    }
}

#[test]
fn python_tuf_repository_verifies() {
    let repo = ext("theupdateframework+python-tuf/tests/repository_data/repository");
    let o = run(
        &repo.join("metadata/1.root.json"),
        DirSource::new(repo.join("metadata")),
        DirSource::new(repo.join("targets")),
        "2026-01-01T00:00:00Z",
        &["file1.txt", "file2.txt", "file3.txt", "file4.txt"],
        false,
    );
    assert!(o.refresh.is_ok(), "{:?}", o.refresh);
    let got: Vec<(TargetStatus, Option<&str>)> =
        o.targets.iter().map(|t| (t.status.clone(), t.role.as_deref())).collect();
    assert_eq!(
        got,
        [
            (TargetStatus::Ok, Some("targets")),
            (TargetStatus::Ok, Some("targets")),
            (TargetStatus::Ok, Some("role1")),
            (TargetStatus::NotFound, None),
        ]
    );
}

#[test]
fn go_tuf_repository_verifies_with_fractional_second_expiry() {
    // go-tuf's `1.root.json` is an unrelated ed25519 test root; `root.json` is the RSA repository's.
    let repo = ext("theupdateframework+go-tuf/internal/testutils/repository_data/repository");
    // It says consistent_snapshot but publishes unversioned names: read in the source layout.
    let targets = DirSource::new(repo.join("targets")).with_source_layout(true);
    let o = run(
        &repo.join("metadata/root.json"),
        DirSource::new(repo.join("metadata")).with_source_layout(true),
        targets,
        "2026-01-01T00:00:00Z",
        &["file1.txt", "file3.txt"],
        false,
    );
    assert!(o.refresh.is_ok(), "{:?}", o.refresh);
    assert!(o.targets.iter().all(|t| t.status == TargetStatus::Ok), "{:?}", o.targets);
    let doc = report::document(&o, false);
    assert!(doc.findings.iter().any(|f| f.category == "non-canonical-time"));
}

#[test]
fn python_tuf_fishy_role_names_never_escape_the_metadata_directory() {
    let repo = ext("theupdateframework+python-tuf/tests/repository_data/fishy_rolenames");
    let o = run(
        &repo.join("metadata/1.root.json"),
        DirSource::new(repo.join("metadata")),
        DirSource::new(repo.join("targets")),
        "2026-01-01T00:00:00Z",
        &["anything"],
        false,
    );
    assert!(o.refresh.is_ok(), "{:?}", o.refresh);
    // `../a` is requested as `1...%2Fa.json`, which does not exist: never `1.a.json` one level up.
    let t = &o.targets[0];
    assert_eq!(
        (t.status.clone(), t.category, t.role.as_deref()),
        (TargetStatus::Error, Category::DownloadFailed, Some("../a"))
    );
}

#[test]
fn tuf_conformance_static_repositories_verify() {
    let base = ext("theupdateframework+tuf-conformance/tuf_conformance/static_data");
    for (name, when, target) in [
        ("sigstore-root-signing", "2025-02-09T12:02:08Z", "trusted_root.json"),
        ("tuf-on-ci-0.11", "2025-02-09T09:17:23Z", "delegatedrole/artifact"),
    ] {
        let dir = base.join(name);
        let o = run(
            &dir.join("initial_root.json"),
            DirSource::new(dir.join("metadata")),
            DirSource::new(dir.join("targets")),
            when,
            &[target],
            false,
        );
        assert!(o.refresh.is_ok(), "{name}: {:?}", o.refresh);
        assert_eq!(o.targets[0].status, TargetStatus::Ok, "{name}: {:?}", o.targets[0]);
    }
}

#[test]
fn tough_rotated_root_rotates_past_an_expired_first_root() {
    let dir = ext("awslabs+tough/tough/tests/data/rotated-root");
    let root = dir.join("1.root.json");
    let set = trailscope::tuf::TrustedSet::new(
        &std::fs::read(&root).unwrap(),
        "1.root.json",
        at("2026-01-01T00:00:00Z"),
        false,
    )
    .unwrap();
    let mut set = set;
    set.update_root(&std::fs::read(dir.join("2.root.json")).unwrap(), "2.root.json").unwrap();
    assert!(set.check_final_root().is_ok());
}
