//! Where repository files come from: a directory, an http(s) base URL, or
//! bytes held in memory (embedded fixtures, tests). Every read is bounded:
//! the caller passes the most bytes it will accept (TUF spec §5: length
//! limits on every download), and a source that has more says so instead of
//! returning them.
//!
//! Paths handed to a source are relative to its base and already in URL form:
//! role names percent-encoded like python's `quote(name, "")` (see [`quote`]).

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Characters python's `urllib.parse.quote(s, safe="")` escapes: everything
/// but ASCII letters, digits and `_.-~`.
const QUOTE_SET: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'.').remove(b'-').remove(b'~');

/// Percent-encodes `name` like python's `urllib.parse.quote(name, "")`, the
/// encoding TUF clients use for role names in URLs and file names.
pub fn quote(name: &str) -> String {
    utf8_percent_encode(name, QUOTE_SET).to_string()
}

/// A target path as the path of a URL, the way python-tuf's fetcher
/// (urllib3) sends it: the specification's TARGETPATH is a URL path, so it
/// goes out as written, and only bytes a URL path cannot hold are
/// percent-encoded. `%XX` escapes stay (hex digits upper-cased) unless a
/// `%` in the path starts no escape; then every `%` is encoded as `%25`.
/// `?` and `#` are encoded too (urllib3 would start a query or fragment
/// with them: a documented divergence).
pub fn url_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let is_escape = |i: usize| {
        bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    };
    let escapes_valid = bytes.iter().enumerate().all(|(i, &b)| b != b'%' || is_escape(i));
    let mut out = String::with_capacity(path.len());
    let mut upper = 0;
    for &b in bytes {
        if upper > 0 {
            upper -= 1;
            out.push(char::from(b.to_ascii_uppercase()));
        } else if b == b'%' && escapes_valid {
            upper = 2;
            out.push('%');
        } else if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why a file could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server answered with an error status.
    #[error("{what}: HTTP status {status}")]
    Status { what: String, status: u16 },
    /// A directory or in-memory source has no such file (what a server
    /// says with 404; never worded as HTTP for a local directory).
    #[error("{what}: no such file")]
    NotFound { what: String },
    /// More bytes than the limit were available; the read stopped there.
    #[error("{what}: more than the maximum allowed length of {limit} bytes")]
    TooLong { what: String, limit: u64 },
    /// The server was too slow: no answer or no progress within the
    /// timeout, or the download not done by its deadline (TUF's
    /// slow-retrieval attack; python-tuf's `SlowRetrievalError`).
    #[error("{what}: slow retrieval: {why}; {received} bytes received in {:.1} s", *elapsed_ms as f64 / 1000.0)]
    Slow { what: String, received: u64, elapsed_ms: u64, why: String },
    /// Anything else: connection refused, I/O error, …
    #[error("{what}: {message}")]
    Other { what: String, message: String },
    /// A directory source does not have the file asked for, but has it
    /// under the name of another layout (unversioned, or without the hash
    /// prefix): a 404 to the client, which says what is there.
    #[error("{what}: absent (the directory has {present})")]
    OtherLayout { what: String, present: String },
}

impl FetchError {
    /// True for the answers that end a root update normally (403/404).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            FetchError::Status { status: 403 | 404, .. }
                | FetchError::NotFound { .. }
                | FetchError::OtherLayout { .. }
        )
    }
}

/// A place repository files are read from.
pub trait Source: Send + Sync {
    /// Reads `rel` (relative, URL form), accepting at most `max_len` bytes.
    fn fetch(&self, rel: &str, max_len: u64) -> Result<Vec<u8>, FetchError>;

    /// How `rel` is shown to a user (a path or a URL).
    fn describe(&self, rel: &str) -> String;

    /// Every file read under another name than the one asked for (a
    /// directory in tuf-on-ci's source layout): (asked, read), in order.
    fn substitutions(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Takes back bytes [`Self::fetch`] returned that the caller is done
    /// with, to read a later file into: an audit reads tens of thousands of
    /// files one after the other, and a fresh buffer for each costs the
    /// process page faults the old ones would not. Sources that cannot reuse
    /// them let them go.
    fn recycle(&self, bytes: Vec<u8>) {
        drop(bytes);
    }
}

/// Buffers a [`DirSource`] keeps to read into ([`Source::recycle`]): about
/// the roles an audit holds in flight, each no larger than a typical role
/// file, so the pool never holds more than a few MiB.
const SPARE_BUFFERS: usize = 64;
const SPARE_MAX_CAPACITY: usize = 1 << 20;

/// Reads at most `max_len` bytes from `reader`; more is an error.
pub fn read_bounded(reader: impl Read, max_len: u64, what: &str) -> Result<Vec<u8>, FetchError> {
    read_bounded_sized(reader, max_len, 0, what)
}

/// [`read_bounded`] of a reader expected to hold `size_hint` bytes (a file's
/// length): the buffer is sized once, and a file of that length is read
/// with one `read` of all of it and one that finds its end (`read_to_end`
/// reads 8 KiB at first, then grows: three calls for a 9 KB hash bin).
pub fn read_bounded_sized(
    mut reader: impl Read,
    max_len: u64,
    size_hint: u64,
    what: &str,
) -> Result<Vec<u8>, FetchError> {
    // One byte more than the limit shows a file that is too long.
    let limit = usize::try_from(max_len.saturating_add(1)).unwrap_or(usize::MAX);
    let first = usize::try_from(size_hint.saturating_add(1)).unwrap_or(usize::MAX).min(limit);
    let mut out = vec![0u8; first.clamp(64, 8 << 20)];
    let mut filled = 0;
    loop {
        if filled == out.len() {
            if filled >= limit {
                break;
            }
            // A file longer than it said: grow as `read_to_end` would.
            out.resize(out.len().saturating_mul(2).min(limit), 0);
        }
        let end = out.len().min(limit);
        match reader.read(&mut out[filled..end]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(FetchError::Other { what: what.to_owned(), message: e.to_string() }),
        }
    }
    out.truncate(filled);
    if out.len() as u64 > max_len {
        return Err(FetchError::TooLong { what: what.to_owned(), limit: max_len });
    }
    Ok(out)
}

/// [`read_bounded_sized`] of an open file, read straight into the buffer's
/// spare capacity: the audit reads every bin once into a fresh buffer, and
/// zeroing it first was a second pass over pages just faulted in.
/// `out` is an empty buffer to read into (a recycled one keeps its
/// capacity: a read may then take more than `limit` bytes of a file that is
/// too long, which is refused all the same).
#[cfg(target_os = "linux")]
fn read_fd_bounded(
    fd: impl rustix::fd::AsFd,
    max_len: u64,
    size_hint: u64,
    what: &str,
    mut out: Vec<u8>,
) -> Result<Vec<u8>, FetchError> {
    // One byte more than the limit shows a file that is too long.
    let limit = usize::try_from(max_len.saturating_add(1)).unwrap_or(usize::MAX);
    let first = usize::try_from(size_hint.saturating_add(1)).unwrap_or(usize::MAX).min(limit);
    out.clear();
    out.reserve_exact(first.clamp(64, 8 << 20));
    while out.len() < limit {
        if out.len() == out.capacity() {
            // A file longer than it said: grow as `read_to_end` would.
            let grown = out.capacity().saturating_mul(2).min(limit);
            out.reserve_exact(grown - out.len());
        }
        match rustix::io::read(&fd, rustix::buffer::spare_capacity(&mut out)) {
            Ok(0) => break,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                let e = std::io::Error::from(e);
                return Err(FetchError::Other { what: what.to_owned(), message: e.to_string() });
            }
        }
    }
    if out.len() as u64 > max_len {
        return Err(FetchError::TooLong { what: what.to_owned(), limit: max_len });
    }
    Ok(out)
}

/// Files under a directory, addressed like a static web server would:
/// the relative URL is percent-decoded, dot segments are resolved, and
/// anything that would leave the directory is "404".
#[derive(Debug, Clone)]
pub struct DirSource {
    base: PathBuf,
    /// `base` with symbolic links resolved, found once (every read checks
    /// that the file it opens is inside it); `None` if it cannot be.
    canonical_base: std::sync::OnceLock<Option<PathBuf>>,
    /// tuf-on-ci's source layout: `root_history/N.root.json` and
    /// unversioned role files even with consistent snapshots.
    source_layout: bool,
    /// Files read under another name than asked (see [`Source::substitutions`]).
    substituted: Arc<Mutex<Vec<(String, String)>>>,
    /// `base` opened once: a file right in it is looked up by name from
    /// there instead of by its whole path, twice (an audit reads tens of
    /// thousands of them); `None` if it cannot be opened.
    #[cfg(target_os = "linux")]
    base_dir: Arc<std::sync::OnceLock<Option<rustix::fd::OwnedFd>>>,
    /// Buffers handed back ([`Source::recycle`]), read into before new ones.
    spare: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl DirSource {
    /// A directory laid out as served (the names the client asks for, as
    /// python-tuf asks for them); a tuf-on-ci checkout (`metadata/` with
    /// `root_history/`, and the `targets/` beside it) is that tool's source
    /// layout and is read as such, each substituted name reported
    /// ([`Source::substitutions`]).
    pub fn new(base: impl Into<PathBuf>) -> Self {
        let base = base.into();
        // The metadata directory of a checkout, or its targets directory beside it.
        let source_layout = base.join("root_history").is_dir()
            || base.parent().is_some_and(|p| p.join("metadata").join("root_history").is_dir());
        Self {
            base,
            canonical_base: std::sync::OnceLock::new(),
            source_layout,
            substituted: Arc::default(),
            #[cfg(target_os = "linux")]
            base_dir: Arc::default(),
            spare: Arc::default(),
        }
    }

    /// True when versioned names fall back to unversioned files.
    pub fn source_layout(&self) -> bool {
        self.source_layout
    }

    /// The same directory, with the source-layout fallback forced on or off.
    pub fn with_source_layout(mut self, on: bool) -> Self {
        self.source_layout = on;
        self
    }

    pub fn base(&self) -> &Path {
        &self.base
    }

    fn resolve(&self, rel: &str) -> Option<PathBuf> {
        let mut path = self.base.clone();
        path.extend(served_segments(rel)?);
        Some(path)
    }

    fn read_file(&self, path: &Path, max_len: u64, what: &str) -> Result<Vec<u8>, FetchError> {
        #[cfg(target_os = "linux")]
        if path.parent() == Some(self.base.as_path())
            && let Some(name) = path.file_name()
            && let Some(read) = self.read_in_base(name, max_len, what)
        {
            return read;
        }
        let not_found = || FetchError::NotFound { what: what.to_owned() };
        let base = self.canonical_base.get_or_init(|| std::fs::canonicalize(&self.base).ok());
        let (meta, inside) = match std::fs::symlink_metadata(path) {
            // The usual file: not a link, right in the base directory. It
            // resolves to the resolved base joined with its name, so it is
            // inside exactly when the base resolves (one stat, not a walk of
            // every component of the path).
            Ok(m) if m.is_file() && path.parent() == Some(self.base.as_path()) => (m, base.is_some()),
            _ => {
                let meta = std::fs::metadata(path).map_err(|_| not_found())?;
                if !meta.is_file() {
                    return Err(not_found());
                }
                // A symbolic link (of the file or a directory on the way) that leads
                // out of the base directory is not served, like a web server would not.
                let inside = match (std::fs::canonicalize(path), base) {
                    (Ok(p), Some(b)) => p.starts_with(b),
                    _ => false,
                };
                (meta, inside)
            }
        };
        if !inside {
            return Err(FetchError::Other {
                what: what.to_owned(),
                message: "a symbolic link to outside the directory; not read".into(),
            });
        }
        let file = std::fs::File::open(path)
            .map_err(|e| FetchError::Other { what: what.to_owned(), message: e.to_string() })?;
        read_bounded_sized(file, max_len, meta.len(), what)
    }

    /// The usual case of [`Self::read_file`], a regular file right in the
    /// base directory, looked up by name from the open directory: the same
    /// checks (not a link, a regular file, the base resolves) and the same
    /// read. `None` hands anything else to the general path, which decides.
    #[cfg(target_os = "linux")]
    fn read_in_base(
        &self,
        name: &std::ffi::OsStr,
        max_len: u64,
        what: &str,
    ) -> Option<Result<Vec<u8>, FetchError>> {
        use rustix::fs::{FileType, Mode, OFlags};
        let dir = self
            .base_dir
            .get_or_init(|| {
                rustix::fs::open(
                    &self.base,
                    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .ok()
            })
            .as_ref()?;
        self.canonical_base.get_or_init(|| std::fs::canonicalize(&self.base).ok()).as_ref()?;
        // Opened first and then looked at through the descriptor: one walk
        // of the name, not two. Never through a link (a link is ELOOP here
        // and goes to the general path); never waiting on a FIFO; a terminal
        // device planted in the directory never becomes the run's own.
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY;
        let file = rustix::fs::openat(dir, name, flags, Mode::empty()).ok()?;
        let stat = rustix::fs::fstat(&file).ok()?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return None;
        }
        let size = u64::try_from(stat.st_size).unwrap_or(0);
        let buffer = self.spare.lock().ok().and_then(|mut s| s.pop()).unwrap_or_default();
        Some(read_fd_bounded(&file, max_len, size, what, buffer))
    }

    /// Whether `rel` names a regular file in the directory.
    fn exists(&self, rel: &str) -> bool {
        self.resolve(rel).is_some_and(|p| p.is_file())
    }
}

/// The path segments a relative URL names under a directory served like
/// [`DirSource`] serves it: percent-decoded, dot segments resolved; `None`
/// when it would leave the directory or a segment is not one plain path
/// component. For sources that serve files by relative path the same way.
pub fn served_segments(rel: &str) -> Option<Vec<String>> {
    let decoded = percent_decode_str(rel).decode_utf8().ok()?;
    let mut parts: Vec<&str> = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        // A segment must be one plain path component (no `\`, no drive).
        let mut comps = Path::new(p).components();
        match (comps.next(), comps.next()) {
            (Some(Component::Normal(c)), None) => out.push(c.to_string_lossy().into_owned()),
            _ => return None,
        }
    }
    Some(out)
}

/// The names tried, in tuf-on-ci's source layout, when `rel` is absent:
/// `root_history/N.root.json` for `N.root.json`, and the unversioned (or
/// un-hash-prefixed) name for other versioned or hash-prefixed names.
pub fn source_layout_fallbacks(rel: &str) -> Vec<String> {
    let (dir, name) = match rel.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), rel),
    };
    let mut out = Vec::new();
    if let Some((prefix, rest)) = name.split_once('.') {
        let is_version = !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit());
        let is_hash = prefix.len() >= 32 && prefix.bytes().all(|b| b.is_ascii_hexdigit());
        if is_version && rest == "root.json" {
            out.push(format!("{dir}root_history/{name}"));
        } else if is_version || is_hash {
            out.push(format!("{dir}{rest}"));
        }
    }
    out
}

impl Source for DirSource {
    fn fetch(&self, rel: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        let what = self.base.join(rel).display().to_string();
        let first = match self.resolve(rel) {
            Some(p) => self.read_file(&p, max_len, &what),
            None => Err(FetchError::NotFound { what: what.clone() }),
        };
        match first {
            Err(e) if e.is_not_found() => {
                let alternatives = source_layout_fallbacks(rel);
                if !self.source_layout {
                    // No silent switch: say what the directory holds instead.
                    return match alternatives.iter().find(|alt| self.exists(alt)) {
                        Some(alt) => Err(FetchError::OtherLayout { what, present: self.describe(alt) }),
                        None => Err(e),
                    };
                }
                for alt in alternatives {
                    if let Some(p) = self.resolve(&alt) {
                        match self.read_file(&p, max_len, &self.describe(&alt)) {
                            Err(e2) if e2.is_not_found() => continue,
                            Ok(bytes) => {
                                if let Ok(mut s) = self.substituted.lock() {
                                    s.push((what, self.describe(&alt)));
                                }
                                return Ok(bytes);
                            }
                            other => return other,
                        }
                    }
                }
                Err(e)
            }
            other => other,
        }
    }

    /// The file that is read for `rel`: in the source layout, the fallback
    /// that exists (`root_history/2.root.json`) when `rel` does not.
    fn describe(&self, rel: &str) -> String {
        let direct = self.base.join(rel);
        if self.source_layout && !direct.is_file() {
            let found = source_layout_fallbacks(rel)
                .into_iter()
                .find(|alt| self.resolve(alt).is_some_and(|p| p.is_file()));
            if let Some(alt) = found {
                return self.base.join(alt).display().to_string();
            }
        }
        direct.display().to_string()
    }

    fn substitutions(&self) -> Vec<(String, String)> {
        self.substituted.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn recycle(&self, bytes: Vec<u8>) {
        if bytes.capacity() == 0 || bytes.capacity() > SPARE_MAX_CAPACITY {
            return;
        }
        if let Ok(mut spare) = self.spare.lock()
            && spare.len() < SPARE_BUFFERS
        {
            spare.push(bytes);
        }
    }
}

/// How long a download may take (TUF's slow-retrieval attack: a mirror
/// that never answers, or that sends a byte now and then for ever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetLimits {
    /// Connecting, waiting for the answer's headers, and each read of the
    /// body (python-tuf's `socket_timeout`, 30 s, for connect and gaps).
    pub timeout: Duration,
    /// The slowest average speed accepted, in bytes per second: a download
    /// of at most N bytes must end within `timeout + N / min_speed`.
    pub min_speed: u64,
}

impl Default for NetLimits {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(30), min_speed: 1024 }
    }
}

impl NetLimits {
    /// The whole-download deadline of a body of at most `max_len` bytes.
    pub fn deadline(&self, max_len: u64) -> Duration {
        let secs = max_len.div_ceil(self.min_speed.max(1));
        self.timeout.saturating_add(Duration::from_secs(secs))
    }
}

/// An http(s) base URL, read with a blocking client.
pub struct HttpSource {
    base: String,
    agent: ureq::Agent,
    limits: NetLimits,
}

impl HttpSource {
    /// `base` gets a trailing `/` if it has none; python-tuf's timeouts.
    pub fn new(base: &str) -> Self {
        Self::with_limits(base, NetLimits::default())
    }

    /// [`HttpSource::new`] with the given timeouts.
    pub fn with_limits(base: &str, limits: NetLimits) -> Self {
        let base = if base.ends_with('/') { base.to_owned() } else { format!("{base}/") };
        let t = Some(limits.timeout);
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_resolve(t)
            .timeout_connect(t)
            .timeout_send_request(t)
            .timeout_recv_response(t)
            .timeout_per_read(t)
            .build();
        Self { base, agent: config.into(), limits }
    }

    pub fn limits(&self) -> NetLimits {
        self.limits
    }
}

/// A download in progress: when it started, how much has come.
struct Progress<'a> {
    url: &'a str,
    started: Instant,
    received: u64,
    deadline: Duration,
    limits: NetLimits,
}

impl Progress<'_> {
    fn slow(&self, why: String) -> FetchError {
        FetchError::Slow {
            what: self.url.to_owned(),
            received: self.received,
            elapsed_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            why,
        }
    }

    /// The error of a failed call or read: a timeout is a slow retrieval.
    fn classify(&self, e: ureq::Error) -> FetchError {
        let secs = self.limits.timeout.as_secs_f64();
        match e {
            ureq::Error::Timeout(ureq::Timeout::RecvBody | ureq::Timeout::Global) => self.slow(format!(
                "not done within the deadline of {:.0} s (timeout {secs:.0} s + its length limit at {} bytes/s)",
                self.deadline.as_secs_f64(),
                self.limits.min_speed
            )),
            ureq::Error::Timeout(which) => {
                self.slow(format!("no progress within the timeout of {secs:.0} s ({})", timeout_stage(which)))
            }
            ureq::Error::Io(io) if matches!(io.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
                self.slow(format!("no progress within the timeout of {secs:.0} s (reading)"))
            }
            ureq::Error::BodyExceedsLimit(_) => {
                FetchError::TooLong { what: self.url.to_owned(), limit: self.received.saturating_sub(1) }
            }
            other => FetchError::Other { what: self.url.to_owned(), message: other.to_string() },
        }
    }
}

fn timeout_stage(t: ureq::Timeout) -> &'static str {
    match t {
        ureq::Timeout::Resolve => "resolving the host",
        ureq::Timeout::Connect => "connecting",
        ureq::Timeout::SendRequest | ureq::Timeout::SendBody | ureq::Timeout::PerWrite => {
            "sending the request"
        }
        ureq::Timeout::RecvResponse | ureq::Timeout::Await100 => "waiting for the answer",
        _ => "reading the body",
    }
}

impl Source for HttpSource {
    fn fetch(&self, rel: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        let url = self.describe(rel);
        let deadline = self.limits.deadline(max_len);
        let mut progress =
            Progress { url: &url, started: Instant::now(), received: 0, deadline, limits: self.limits };
        // The deadline covers the whole exchange, so a server that sends
        // its headers one byte at a time is cut off too.
        let response = self
            .agent
            .get(&url)
            .config()
            .timeout_global(Some(deadline))
            .timeout_recv_body(Some(deadline))
            .build()
            .call()
            .map_err(|e| progress.classify(e))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status { what: url, status });
        }
        let mut reader = response.into_body().into_with_config().limit(max_len.saturating_add(1)).reader();
        let mut out = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(progress.classify(ureq::Error::from(e))),
            };
            progress.received = progress.received.saturating_add(n as u64);
            if progress.received > max_len {
                return Err(FetchError::TooLong { what: url, limit: max_len });
            }
            out.extend_from_slice(buf.get(..n).unwrap_or_default());
            // A body that keeps coming, slowly, past its deadline.
            if progress.started.elapsed() > deadline {
                return Err(progress.classify(ureq::Error::Timeout(ureq::Timeout::RecvBody)));
            }
        }
        Ok(out)
    }

    fn describe(&self, rel: &str) -> String {
        format!("{}{}", self.base, rel)
    }
}

/// Files held in memory, keyed by their relative path (embedded demos, tests).
#[derive(Debug, Default)]
pub struct MemorySource {
    label: String,
    files: BTreeMap<String, Vec<u8>>,
    requests: Mutex<Vec<String>>,
}

impl MemorySource {
    pub fn new(label: impl Into<String>) -> Self {
        Self { label: label.into(), ..Self::default() }
    }

    /// Adds a file under its (unencoded) relative path.
    pub fn insert(&mut self, rel: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(rel.into(), bytes.into());
    }

    /// Every path asked for so far, in order (as requested, still encoded).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Source for MemorySource {
    fn fetch(&self, rel: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        if let Ok(mut r) = self.requests.lock() {
            r.push(rel.to_owned());
        }
        let what = self.describe(rel);
        let key = percent_decode_str(rel).decode_utf8_lossy().into_owned();
        let bytes = self.files.get(&key).ok_or(FetchError::NotFound { what: what.clone() })?;
        if bytes.len() as u64 > max_len {
            return Err(FetchError::TooLong { what, limit: max_len });
        }
        Ok(bytes.clone())
    }

    fn describe(&self, rel: &str) -> String {
        format!("{}/{}", self.label, rel)
    }
}

/// Picks the source for a `--metadata`/`--targets` argument: a URL for
/// `http://`/`https://`, a directory otherwise; python-tuf's timeouts.
pub fn open(location: &str) -> Box<dyn Source> {
    open_with(location, NetLimits::default())
}

/// [`open`] with the given timeouts for a URL.
pub fn open_with(location: &str, limits: NetLimits) -> Box<dyn Source> {
    if location.starts_with("http://") || location.starts_with("https://") {
        Box::new(HttpSource::with_limits(location, limits))
    } else {
        Box::new(DirSource::new(location))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_python() {
        assert_eq!(quote("../delegatedrole"), "..%2Fdelegatedrole");
        assert_eq!(quote("/delegatedrole"), "%2Fdelegatedrole");
        assert_eq!(quote("?"), "%3F");
        assert_eq!(quote("#"), "%23");
        assert_eq!(quote("ö"), "%C3%B6");
        assert_eq!(quote("a b~_.-"), "a%20b~_.-");
        assert_eq!(quote("registry.npmjs.org"), "registry.npmjs.org");
    }

    /// What urllib3 1.x/2.x `parse_url(base + path).request_uri` gives, the
    /// request python-tuf 7 sends (checked with the reference venv).
    #[test]
    fn target_paths_go_into_urls_as_written() {
        for (path, sent) in [
            ("%41x", "%41x"),
            ("a%2Fb", "a%2Fb"),
            ("a%2fb", "a%2Fb"),
            ("50%", "50%25"),
            ("x%zz", "x%25zz"),
            ("%41%", "%2541%25"),
            ("a b", "a%20b"),
            ("ö", "%C3%B6"),
            ("[]", "%5B%5D"),
            ("a|b", "a%7Cb"),
            ("dir/file-1.0+x~y.tar.gz", "dir/file-1.0+x~y.tar.gz"),
            ("a:b@c!$&'()*,;=", "a:b@c!$&'()*,;="),
        ] {
            assert_eq!(url_path(path), sent, "{path}");
        }
    }

    #[test]
    fn dir_source_refuses_to_leave_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("metadata")).unwrap();
        std::fs::write(dir.path().join("secret.json"), b"{}").unwrap();
        let src = DirSource::new(dir.path().join("metadata"));
        let err = src.fetch("..%2Fsecret.json", 100).unwrap_err();
        assert!(err.is_not_found());
        let err = src.fetch("../secret.json", 100).unwrap_err();
        assert!(err.is_not_found());
    }

    #[cfg(unix)]
    #[test]
    fn dir_source_does_not_follow_symlinks_out_of_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("metadata")).unwrap();
        std::fs::write(dir.path().join("secret.json"), b"{}").unwrap();
        std::fs::write(dir.path().join("metadata/real.json"), b"[]").unwrap();
        std::os::unix::fs::symlink("../secret.json", dir.path().join("metadata/timestamp.json")).unwrap();
        std::os::unix::fs::symlink("real.json", dir.path().join("metadata/alias.json")).unwrap();
        let src = DirSource::new(dir.path().join("metadata"));
        let err = src.fetch("timestamp.json", 100).unwrap_err();
        assert!(err.to_string().contains("outside the directory"), "{err}");
        assert_eq!(src.fetch("alias.json", 100).unwrap(), b"[]");
    }

    #[test]
    fn dir_source_cuts_off_long_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big"), vec![b'x'; 100]).unwrap();
        let src = DirSource::new(dir.path());
        assert!(matches!(src.fetch("big", 99), Err(FetchError::TooLong { limit: 99, .. })));
        assert_eq!(src.fetch("big", 100).unwrap().len(), 100);
    }

    #[cfg(unix)]
    #[test]
    fn dir_source_reads_only_regular_files_and_never_waits() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub.json")).unwrap();
        std::fs::write(dir.path().join("empty.json"), b"").unwrap();
        let fifo = dir.path().join("fifo.json");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let src = DirSource::new(dir.path());
        for name in ["sub.json", "fifo.json", "absent.json"] {
            assert!(src.fetch(name, 100).unwrap_err().is_not_found(), "{name}");
        }
        assert_eq!(src.fetch("empty.json", 100).unwrap(), b"");
        assert!(matches!(src.fetch("empty.json", 0), Ok(v) if v.is_empty()));
    }

    /// Hands out at most `step` bytes per read, like a pipe or a socket.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.step).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn bounded_reads_agree_with_the_limit_whatever_the_size_hint() {
        let data: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        for len in [0u64, 1, 63, 64, 65, 999, 1000] {
            for max_len in [0, 1, 64, len.saturating_sub(1), len, len + 1, 5000] {
                for hint in [0, 1, len / 2, len, len + 1, 100_000] {
                    for step in [1, 7, 4096] {
                        let reader = Trickle { data: &data[..len as usize], step };
                        let got = read_bounded_sized(reader, max_len, hint, "f");
                        if len > max_len {
                            assert!(matches!(got, Err(FetchError::TooLong { .. })), "{len} {max_len} {hint}");
                        } else {
                            assert_eq!(got.unwrap(), &data[..len as usize], "{len} {max_len} {hint} {step}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_directory_reads_into_the_buffers_handed_back() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), b"first file").unwrap();
        std::fs::write(dir.path().join("b.json"), b"second").unwrap();
        let source = DirSource::new(dir.path());
        let a = source.fetch("a.json", 100).unwrap();
        assert_eq!(a, b"first file");
        let mut spare = a;
        spare.reserve_exact(4096);
        let at = spare.as_ptr();
        source.recycle(spare);
        let b = source.fetch("b.json", 100).unwrap();
        assert_eq!(b, b"second");
        if cfg!(target_os = "linux") {
            assert_eq!(b.as_ptr(), at, "read into the recycled buffer");
        }
        // A buffer too large to keep is let go of; the next read still works.
        source.recycle(Vec::with_capacity(SPARE_MAX_CAPACITY + 1));
        assert_eq!(source.fetch("a.json", 100).unwrap(), b"first file");
        assert!(matches!(source.fetch("a.json", 5), Err(FetchError::TooLong { .. })));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn fd_reads_agree_with_the_limit_whatever_the_size_hint() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        for len in [0u64, 1, 63, 64, 65, 999, 1000, 70_000] {
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &data[..len as usize]).unwrap();
            for max_len in [0, 1, 64, len.saturating_sub(1), len, len + 1, 100_000] {
                // A wrong hint (the file grew or shrank since its stat) only costs growing the buffer.
                for hint in [0, 1, len / 2, len, len + 1, 100_000] {
                    // Into a new buffer, and into recycled ones that still hold
                    // bytes: smaller than the file, and larger than the limit.
                    for recycled in [Vec::new(), vec![7u8; 10], vec![9u8; 80_000]] {
                        let spare = recycled.len();
                        let file = std::fs::File::open(&path).unwrap();
                        let got = read_fd_bounded(&file, max_len, hint, "f", recycled);
                        if len > max_len {
                            assert!(
                                matches!(got, Err(FetchError::TooLong { .. })),
                                "{len} {max_len} {hint} {spare}"
                            );
                        } else {
                            assert_eq!(got.unwrap(), &data[..len as usize], "{len} {max_len} {hint} {spare}");
                        }
                    }
                }
            }
        }
    }
}
