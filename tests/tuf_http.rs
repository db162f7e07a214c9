//! The client over http(s): a repository served from 127.0.0.1 by a tiny
//! server inside the test gives the same verdicts as the directory, and a
//! server that sends more than the length limit is cut off.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use trailscope::tuf::session::{self, Outcome, Request};
use trailscope::tuf::{Category, Config, DirSource, HttpSource, Source};

/// Serves files under `root` (percent-decoded request paths, 404 otherwise);
/// paths in `endless` get an unbounded stream instead. Stops by itself
/// after 60 s or 500 connections.
struct Server {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

fn serve(root: PathBuf, endless: Vec<String>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut served = 0;
        while Instant::now() < deadline && served < 500 {
            match listener.accept() {
                Ok((stream, _)) => {
                    served += 1;
                    let _ = stream.set_nonblocking(false);
                    handle(stream, &root, &endless, &log);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    Server { port, requests }
}

fn handle(stream: TcpStream, root: &Path, endless: &[String], log: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(n) if n > 2 => continue,
            _ => break,
        }
    }
    let path = first.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_owned();
    log.lock().unwrap().push(path.clone());
    let mut stream = reader.into_inner();
    if endless.contains(&path) {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..800 {
            if stream.write_all(&chunk).is_err() {
                break;
            }
        }
        return;
    }
    let decoded = percent_encoding::percent_decode_str(&path).decode_utf8_lossy().into_owned();
    let file = root.join(&decoded);
    let body = if decoded.split('/').any(|s| s == "..") { None } else { std::fs::read(file).ok() };
    let _ = match body {
        Some(b) => stream
            .write_all(
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", b.len())
                    .as_bytes(),
            )
            .and_then(|_| stream.write_all(&b)),
        None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    };
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
        let requests = server.requests.lock().unwrap().clone();
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
