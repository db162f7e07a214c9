//! The client over http(s): a repository served from 127.0.0.1 by a tiny
//! server inside the test gives the same verdicts as the directory, and a
//! server that sends more than the length limit is cut off.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use trailscope::tuf::session::{self, Outcome, Request};
use trailscope::tuf::{Category, Config, DirSource, HttpSource, Source};

mod http_support;
use http_support::Server;

fn serve(root: PathBuf, endless: Vec<String>) -> Server {
    Server::with_endless(root, endless)
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/tuf").join(name)
}

fn targets_of(dir: &Path) -> (Vec<String>, time::OffsetDateTime) {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let paths = v["expect"]["targets"].as_object().unwrap().keys().cloned().collect();
    (paths, trailscope::meta::time::parse(v["now"].as_str().unwrap()).unwrap().at)
}

fn run(dir: &Path, metadata: &dyn Source, targets: &dyn Source) -> Outcome {
    let (paths, now) = targets_of(dir);
    session::run(Request {
        root_bytes: std::fs::read(dir.join("trusted_root.json")).unwrap(),
        root_file: "trusted_root.json".into(),
        metadata,
        targets: Some(targets),
        state: None,
        at: now,
        config: Config::default(),
        target_paths: paths,
        all_roles: false,
    })
}

fn summary(o: &Outcome) -> Vec<String> {
    let mut out = vec![match &o.refresh {
        Ok(()) => "refresh ok".to_owned(),
        Err(e) => format!("refresh {} {}", e.category, e.role),
    }];
    for t in &o.targets {
        out.push(format!("{} {} {} {:?}", t.path, t.status.as_str(), t.category, t.role));
    }
    out
}

#[test]
fn served_repository_gives_the_same_verdicts_as_the_directory() {
    for name in [
        "plain-consistent",
        "plain-nonconsistent",
        "delegation-path-patterns",
        "target-hash-mismatch",
        "snapshot-hash-mismatch",
        "succinct-hash-bins",
    ] {
        let dir = scenario(name);
        let server = serve(dir.join("repo"), Vec::new());
        let base = format!("http://127.0.0.1:{}", server.port);
        let http_meta = HttpSource::new(&format!("{base}/metadata/"));
        let http_targets = HttpSource::new(&format!("{base}/targets"));
        let via_http = run(&dir, &http_meta, &http_targets);
        let via_dir =
            run(&dir, &DirSource::new(dir.join("repo/metadata")), &DirSource::new(dir.join("repo/targets")));
        assert_eq!(summary(&via_http), summary(&via_dir), "{name}");
        let requests = server.requests();
        assert_eq!(
            requests.first().map(String::as_str),
            Some("metadata/2.root.json"),
            "{name}: {requests:?}"
        );
        assert_eq!(requests.get(1).map(String::as_str), Some("metadata/timestamp.json"), "{name}");
    }
}

#[test]
fn endless_timestamp_is_cut_off_at_the_length_limit() {
    let dir = scenario("plain-consistent");
    let server = serve(dir.join("repo"), vec!["metadata/timestamp.json".into()]);
    let base = format!("http://127.0.0.1:{}", server.port);
    let o = run(
        &dir,
        &HttpSource::new(&format!("{base}/metadata/")),
        &HttpSource::new(&format!("{base}/targets/")),
    );
    let e = o.refresh.unwrap_err();
    assert_eq!((e.category, e.role.as_str()), (Category::LengthMismatch, "timestamp"));
    assert!(e.message.contains("exceeded the maximum allowed length of 16384 bytes"), "{}", e.message);
    let doc = trailscope::tuf::report::document(
        &run(
            &dir,
            &HttpSource::new(&format!("{base}/metadata/")),
            &HttpSource::new(&format!("{base}/targets/")),
        ),
        false,
    );
    assert_eq!(doc.category, "length-mismatch");
    assert!(doc.findings[0].message.contains("cut off"));
}

#[test]
fn endless_target_is_cut_off_at_its_trusted_length() {
    let dir = scenario("plain-nonconsistent");
    let (paths, _) = targets_of(&dir);
    let victim = paths.iter().find(|p| dir.join("repo/targets").join(p).is_file()).unwrap().clone();
    let server = serve(dir.join("repo"), vec![format!("targets/{victim}")]);
    let base = format!("http://127.0.0.1:{}", server.port);
    let o = run(
        &dir,
        &HttpSource::new(&format!("{base}/metadata/")),
        &HttpSource::new(&format!("{base}/targets/")),
    );
    assert!(o.refresh.is_ok());
    let t = o.targets.iter().find(|t| t.path == victim).unwrap();
    assert_eq!(t.category, Category::LengthMismatch, "{t:?}");
}

#[test]
fn unreachable_server_is_a_download_failure() {
    let dir = scenario("plain-consistent");
    // Bind and drop to get a port with nothing listening.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let src = HttpSource::new(&format!("http://127.0.0.1:{port}/metadata/"));
    let o = run(&dir, &src, &src);
    assert_eq!(o.refresh.unwrap_err().category, Category::DownloadFailed);
}
