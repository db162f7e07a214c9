//! Hostile mirrors on 127.0.0.1 (TUF's slow-retrieval and endless-data
//! attacks): one that accepts and never answers, one that sends its headers
//! and then a byte every 2 seconds, one whose body never ends. Every command
//! that fetches gives up within its configured timeout or deadline, exits 1
//! and says why, naming the role, the URL, the bytes received and the time.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Accept the connection, never read or answer.
    Stall,
    /// Headers, then one byte every 2 s.
    Trickle,
    /// Headers, then a body without end.
    Endless,
}

/// Serves `root`'s files, except `hostile` (a request path, or `*` for
/// every request) which gets `mode`. Stops accepting after 40 s.
fn serve(root: PathBuf, hostile: &str, mode: Mode) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let hostile = hostile.to_owned();
    std::thread::spawn(move || {
        let stop = Instant::now() + Duration::from_secs(40);
        let mut held = Vec::new();
        while Instant::now() < stop {
            match listener.accept() {
                Ok((stream, _)) => {
                    let _ = stream.set_nonblocking(false);
                    if mode == Mode::Stall && hostile == "*" {
                        held.push(stream);
                        continue;
                    }
                    let (root, hostile) = (root.clone(), hostile.clone());
                    std::thread::spawn(move || handle(stream, &root, &hostile, mode));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    port
}

fn handle(stream: TcpStream, root: &Path, hostile: &str, mode: Mode) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
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
    let mut stream = reader.into_inner();
    if path == hostile {
        match mode {
            Mode::Stall => std::thread::sleep(Duration::from_secs(30)),
            Mode::Trickle => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
                for _ in 0..15 {
                    if stream.write_all(b"{").and_then(|_| stream.flush()).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(2));
                }
            }
            Mode::Endless => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                let chunk = vec![b' '; 64 * 1024];
                for _ in 0..800 {
                    if stream.write_all(&chunk).is_err() {
                        return;
                    }
                }
            }
        }
        return;
    }
    let body = std::fs::read(root.join(&path)).ok().filter(|_| !path.contains(".."));
    let _ = match body {
        Some(b) => stream
            .write_all(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", b.len()).as_bytes())
            .and_then(|_| stream.write_all(&b)),
        None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
    };
}

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/tuf/plain-nonconsistent")
}

const AT: &str = "2026-11-22T00:07:02Z";

fn trailscope() -> Command {
    Command::cargo_bin("trailscope").unwrap()
}

/// Runs `cmd`, returning (exit code, stdout, stderr, seconds taken).
fn run(cmd: &mut Command) -> (i32, String, String, f64) {
    let started = Instant::now();
    let out = cmd.timeout(Duration::from_secs(20)).output().unwrap();
    let secs = started.elapsed().as_secs_f64();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        secs,
    )
}

fn tuf_verify(port: u16, extra: &[&str]) -> (i32, serde_json::Value, f64) {
    let dir = scenario();
    let (code, stdout, stderr, secs) = run(trailscope()
        .args(["tuf", "verify", "--format", "json", "--at", AT, "--root"])
        .arg(dir.join("trusted_root.json"))
        .args(["--metadata", &format!("http://127.0.0.1:{port}/metadata/")])
        .args(["--targets", &format!("http://127.0.0.1:{port}/targets/")])
        .args(["--target", "numpy-2.9.json"])
        .args(extra));
    let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout} {stderr}"));
    (code, doc, secs)
}

fn first_error(doc: &serde_json::Value) -> &serde_json::Value {
    doc["findings"].as_array().unwrap().iter().find(|f| f["severity"] == "error").unwrap()
}

#[test]
fn a_mirror_that_never_answers_ends_at_the_timeout() {
    let port = serve(scenario().join("repo"), "*", Mode::Stall);
    let (code, doc, secs) = tuf_verify(port, &["--timeout", "1"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["category"], "slow-retrieval", "{doc}");
    let f = first_error(&doc);
    assert_eq!(f["category"], "slow-retrieval");
    assert_eq!(f["subject"]["name"], "root", "{f}");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains(&format!("http://127.0.0.1:{port}/metadata/2.root.json")), "{msg}");
    assert!(msg.contains("no progress within the timeout of 1 s"), "{msg}");
    assert!(msg.contains("0 bytes received in"), "{msg}");
    assert_eq!(f["evidence"]["data"]["received_bytes"], 0, "{f}");
    assert!(secs < 8.0, "took {secs} s");
}

#[test]
fn a_trickling_mirror_is_cut_off_at_its_deadline() {
    let port = serve(scenario().join("repo"), "metadata/timestamp.json", Mode::Trickle);
    // Gaps of 2 s pass a 3 s read timeout; the deadline of a timestamp
    // (at most 16384 bytes) at 16384 bytes/s is 3 + 1 = 4 s.
    let (code, doc, secs) = tuf_verify(port, &["--timeout", "3", "--min-speed", "16384"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["category"], "slow-retrieval", "{doc}");
    let f = first_error(&doc);
    assert_eq!(f["subject"]["name"], "timestamp", "{f}");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains(&format!("http://127.0.0.1:{port}/metadata/timestamp.json")), "{msg}");
    assert!(msg.contains("not done within the deadline of 4 s"), "{msg}");
    let received = f["evidence"]["data"]["received_bytes"].as_u64().unwrap();
    assert!((1..=4).contains(&received), "{f}");
    let elapsed = f["evidence"]["data"]["elapsed_ms"].as_u64().unwrap();
    assert!((3_900..9_000).contains(&elapsed), "{f}");
    assert!(msg.contains(&format!("{received} bytes received in")), "{msg}");
    assert!(secs < 12.0, "took {secs} s");
}

#[test]
fn an_endless_body_ends_at_the_length_limit_with_exit_1() {
    let port = serve(scenario().join("repo"), "metadata/timestamp.json", Mode::Endless);
    let (code, doc, _) = tuf_verify(port, &[]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["category"], "length-mismatch", "{doc}");
    let msg = first_error(&doc)["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("exceeded the maximum allowed length of 16384 bytes"), "{msg}");
}

#[test]
fn tuf_client_gives_up_on_a_stalled_mirror() {
    let port = serve(scenario().join("repo"), "*", Mode::Stall);
    let state = tempfile::tempdir().unwrap();
    let d = state.path().join("metadata");
    let (code, _, stderr, _) = run(trailscope()
        .args(["tuf-client", "--metadata-dir"])
        .arg(&d)
        .arg("init")
        .arg(scenario().join("trusted_root.json")));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr, secs) = run(trailscope()
        .args(["tuf-client", "--timeout", "1", "--metadata-dir"])
        .arg(&d)
        .args(["--metadata-url", &format!("http://127.0.0.1:{port}/metadata"), "refresh"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("slow-retrieval"), "{stderr}");
    assert!(stderr.contains("2.root.json was too slow"), "{stderr}");
    assert!(secs < 8.0, "took {secs} s");
}

#[test]
fn bridge_verify_gives_up_on_a_trickling_mirror() {
    let port = serve(scenario().join("repo"), "metadata/timestamp.json", Mode::Trickle);
    let (code, stdout, stderr, secs) = run(trailscope()
        .args(["bridge", "verify", "--format", "json", "--at", AT, "--root"])
        .arg(scenario().join("trusted_root.json"))
        .args(["--metadata", &format!("http://127.0.0.1:{port}/metadata/")])
        .args(["--targets", &format!("http://127.0.0.1:{port}/targets/")])
        .args(["--target", "numpy-2.9.json", "--timeout", "3", "--min-speed", "16384"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["category"], "slow-retrieval", "{doc}");
    assert!(stdout.contains("timestamp.json was too slow"), "{stdout}");
    assert!(secs < 12.0, "took {secs} s");
}

#[test]
fn open_without_a_terminal_gives_up_on_a_stalled_mirror() {
    let port = serve(scenario().join("repo"), "*", Mode::Stall);
    let (code, stdout, stderr, secs) = run(trailscope()
        .args(["open", "--at", AT, "--root"])
        .arg(scenario().join("trusted_root.json"))
        .args(["--metadata", &format!("http://127.0.0.1:{port}/metadata/"), "--timeout", "1"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("slow-retrieval"), "{stdout}");
    assert!(stdout.contains("2.root.json was too slow"), "{stdout}");
    assert!(secs < 8.0, "took {secs} s");
}
