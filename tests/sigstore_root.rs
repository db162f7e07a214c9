//! Sigstore's trusted root through TUF: from a repository served on
//! 127.0.0.1 (the embedded production snapshot in the published layout), the
//! fallback to the embedded snapshot when the repository cannot be reached,
//! and no fallback when it answers with metadata that does not verify.

mod http_support;

use std::path::Path;

use sha2::{Digest, Sha256};
use trailscope::bridge::sigstore_root::{Instance, Origin, PRODUCTION_SNAPSHOT_DATE, RootRequest, obtain};
use trailscope::verdict::Severity;

const SNAPSHOT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/interop/external/tuf/sigstore+root-signing");
const TRUSTED_ROOT_SHA256: &str = "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66";

/// The snapshot as Sigstore's CDN publishes it: `V.role.json`, `N.root.json`,
/// `targets/HASH.name`.
fn published(dir: &Path) {
    let meta = Path::new(SNAPSHOT).join("metadata");
    for entry in std::fs::read_dir(meta.join("root_history")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    for role in ["timestamp", "snapshot", "targets", "registry.npmjs.org"] {
        let bytes = std::fs::read(meta.join(format!("{role}.json"))).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let version = v["signed"]["version"].as_u64().unwrap();
        let name =
            if role == "timestamp" { "timestamp.json".to_owned() } else { format!("{version}.{role}.json") };
        std::fs::write(dir.join(name), &bytes).unwrap();
    }
    std::fs::create_dir_all(dir.join("targets")).unwrap();
    let bytes = std::fs::read(Path::new(SNAPSHOT).join("targets/trusted_root.json")).unwrap();
    let hash = hex::encode(Sha256::digest(&bytes));
    std::fs::write(dir.join(format!("targets/{hash}.trusted_root.json")), &bytes).unwrap();
}

fn request(repository: String, cache: &Path) -> RootRequest {
    RootRequest {
        repository: Some(repository),
        cache_dir: Some(cache.to_path_buf()),
        ..RootRequest::new(Instance::Production, PRODUCTION_SNAPSHOT_DATE)
    }
}

#[test]
fn the_repository_over_http_vouches_for_the_trusted_root_and_is_cached() {
    let repo = tempfile::tempdir().unwrap();
    published(repo.path());
    let server = http_support::Server::start(repo.path().to_path_buf());
    let cache = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/", server.port);
    let root = obtain(&request(url.clone(), cache.path())).expect("verifies");
    assert_eq!(hex::encode(Sha256::digest(&root.bytes)), TRUSTED_ROOT_SHA256);
    assert_eq!(root.origin, Origin::Repository { location: url });
    let chain = root.chain.unwrap();
    assert_eq!((chain.root_version, chain.timestamp_version, chain.snapshot_version), (15, 762, 165));
    assert!(root.findings.iter().all(|f| f.severity != Severity::Warning), "{:?}", root.findings);
    let requests = server.requests();
    assert!(requests.iter().any(|r| r == "16.root.json"), "{requests:?}");
    assert!(requests.iter().any(|r| *r == format!("targets/{TRUSTED_ROOT_SHA256}.trusted_root.json")));
    // The trusted metadata is kept for the next run's rollback checks.
    assert!(cache.path().join("root.json").is_file());
    assert!(cache.path().join("timestamp.json").is_file());
}

#[test]
fn an_unreachable_repository_falls_back_on_the_embedded_snapshot_and_says_so() {
    // Bind and drop: nothing listens on the port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cache = tempfile::tempdir().unwrap();
    let mut req = request(format!("http://127.0.0.1:{port}/"), cache.path());
    req.at = time::OffsetDateTime::now_utc();
    let root = obtain(&req).expect("falls back");
    assert_eq!(hex::encode(Sha256::digest(&root.bytes)), TRUSTED_ROOT_SHA256);
    assert_eq!(root.origin, Origin::EmbeddedSnapshot { date: "2026-08-21".into() });
    let warning = &root.findings[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning.message.contains("could not be reached"), "{}", warning.message);
    assert!(warning.message.contains("dated 2026-08-21"), "{}", warning.message);
}

#[test]
fn a_repository_that_answers_with_bad_metadata_is_an_error_not_a_fallback() {
    let repo = tempfile::tempdir().unwrap();
    published(repo.path());
    // A timestamp signed by nobody the root trusts: the attacker's answer.
    let ts = repo.path().join("timestamp.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&ts).unwrap()).unwrap();
    v["signed"]["version"] = serde_json::json!(763);
    std::fs::write(&ts, serde_json::to_vec(&v).unwrap()).unwrap();
    let server = http_support::Server::start(repo.path().to_path_buf());
    let cache = tempfile::tempdir().unwrap();
    let failure = obtain(&request(format!("http://127.0.0.1:{}/", server.port), cache.path()))
        .expect_err("a bad signature is not a reason to use another root");
    assert_eq!(failure.error.role, "timestamp");
    let last = failure.findings.last().unwrap();
    assert_eq!(last.category.id(), "signature-threshold");
    assert!(last.message.contains("Sigstore's trusted root could not be obtained"), "{}", last.message);
}
