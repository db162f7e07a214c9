//! A tiny HTTP server for tests: serves the files under a root directory on
//! 127.0.0.1 (percent-decoded request paths, no `..`, 404 otherwise),
//! records every request path, and can answer chosen paths with an endless
//! stream to test length limits. It stops by itself after 60 s or 500
//! connections, so a failing test never leaves it running.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Server {
    pub port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    #[allow(dead_code)]
    pub fn start(root: PathBuf) -> Self {
        Self::with_endless(root, Vec::new())
    }

    /// Like [`Server::start`]; requests for the paths in `endless` get an unbounded body.
    pub fn with_endless(root: PathBuf, endless: Vec<String>) -> Self {
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
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Server { port, requests }
    }

    /// `http://127.0.0.1:PORT/DIR/`.
    #[allow(dead_code)]
    pub fn url(&self, dir: &str) -> String {
        format!("http://127.0.0.1:{}/{dir}/", self.port)
    }

    /// The requests so far, emptying the log.
    #[allow(dead_code)]
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.requests.lock().unwrap())
    }

    /// The requests so far.
    #[allow(dead_code)]
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
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
    let body =
        if decoded.split('/').any(|s| s == "..") { None } else { std::fs::read(root.join(&decoded)).ok() };
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
