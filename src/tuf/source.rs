//! Where repository files come from: a directory, an http(s) base URL, or
//! bytes held in memory (embedded fixtures, tests). Every read is bounded:
//! the caller passes the most bytes it will accept (TUF spec §5: length
//! limits on every download), and a source that has more says so instead of
//! returning them.
//!
//! Paths handed to a source are relative to its base and already in URL form:
//! role names percent-encoded like python's `quote(name, "")` (see [`quote`]).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Characters python's `urllib.parse.quote(s, safe="")` escapes: everything
/// but ASCII letters, digits and `_.-~`.
const QUOTE_SET: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'.').remove(b'-').remove(b'~');

/// Percent-encodes `name` like python's `urllib.parse.quote(name, "")`, the
/// encoding TUF clients use for role names in URLs and file names.
pub fn quote(name: &str) -> String {
    utf8_percent_encode(name, QUOTE_SET).to_string()
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
    /// Anything else: connection refused, I/O error, …
    #[error("{what}: {message}")]
    Other { what: String, message: String },
}

impl FetchError {
    /// True for the answers that end a root update normally (403/404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, FetchError::Status { status: 403 | 404, .. } | FetchError::NotFound { .. })
    }
}

/// A place repository files are read from.
pub trait Source: Send + Sync {
    /// Reads `rel` (relative, URL form), accepting at most `max_len` bytes.
    fn fetch(&self, rel: &str, max_len: u64) -> Result<Vec<u8>, FetchError>;

    /// How `rel` is shown to a user (a path or a URL).
    fn describe(&self, rel: &str) -> String;
}

/// Reads at most `max_len` bytes from `reader`; more is an error.
pub fn read_bounded(reader: impl Read, max_len: u64, what: &str) -> Result<Vec<u8>, FetchError> {
    read_bounded_sized(reader, max_len, 0, what)
}

/// [`read_bounded`] of a reader expected to hold `size_hint` bytes (a file's
/// length): the buffer is sized once instead of grown while reading.
pub fn read_bounded_sized(
    mut reader: impl Read,
    max_len: u64,
    size_hint: u64,
    what: &str,
) -> Result<Vec<u8>, FetchError> {
    // One byte more than the limit shows a file that is too long.
    let capacity = size_hint.min(max_len).saturating_add(1);
    let mut out = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    let limit = max_len.saturating_add(1);
    (&mut reader)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| FetchError::Other { what: what.to_owned(), message: e.to_string() })?;
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
}

impl DirSource {
    /// A directory laid out as served; detects tuf-on-ci's source layout
    /// (a `root_history/` directory) and reads that too.
    pub fn new(base: impl Into<PathBuf>) -> Self {
        let base = base.into();
        let source_layout = base.join("root_history").is_dir() || !has_versioned_role_files(&base);
        Self { base, canonical_base: std::sync::OnceLock::new(), source_layout }
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

    /// Alternatives tried in the source layout when `rel` is absent.
    fn fallbacks(&self, rel: &str) -> Vec<String> {
        if !self.source_layout {
            return Vec::new();
        }
        source_layout_fallbacks(rel)
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
                for alt in self.fallbacks(rel) {
                    if let Some(p) = self.resolve(&alt) {
                        match self.read_file(&p, max_len, &self.describe(&alt)) {
                            Err(e2) if e2.is_not_found() => continue,
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
            let found =
                self.fallbacks(rel).into_iter().find(|alt| self.resolve(alt).is_some_and(|p| p.is_file()));
            if let Some(alt) = found {
                return self.base.join(alt).display().to_string();
            }
        }
        direct.display().to_string()
    }
}

/// Whether `dir` holds `V.ROLE.json` files other than roots (a served
/// consistent-snapshot repository); a directory without any is read in the
/// source layout. Looks at most at 10,000 entries.
fn has_versioned_role_files(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.take(10_000).flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        match name.split_once('.') {
            Some((v, rest)) => {
                !v.is_empty()
                    && v.bytes().all(|b| b.is_ascii_digit())
                    && rest != "root.json"
                    && rest.ends_with(".json")
            }
            None => false,
        }
    })
}

/// An http(s) base URL, read with a blocking client.
pub struct HttpSource {
    base: String,
    agent: ureq::Agent,
}

impl HttpSource {
    /// `base` gets a trailing `/` if it has none.
    pub fn new(base: &str) -> Self {
        let base = if base.ends_with('/') { base.to_owned() } else { format!("{base}/") };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build();
        Self { base, agent: config.into() }
    }
}

impl Source for HttpSource {
    fn fetch(&self, rel: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        let url = self.describe(rel);
        let response = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| FetchError::Other { what: url.clone(), message: e.to_string() })?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status { what: url, status });
        }
        let reader = response.into_body().into_with_config().limit(max_len.saturating_add(1)).reader();
        read_bounded(reader, max_len, &url)
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
/// `http://`/`https://`, a directory otherwise.
pub fn open(location: &str) -> Box<dyn Source> {
    if location.starts_with("http://") || location.starts_with("https://") {
        Box::new(HttpSource::new(location))
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
}
