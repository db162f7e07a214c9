//! How a result names files for its reader: below the directory it was
//! opened from, relative to it (`root.layout`, `links/clone.776a00e7.link`,
//! as the directory's `scenario.json` names them), and an inspection's
//! scratch directory by what it is. The workshop's scratch copy, `open
//! --demo`'s copy and an inspection's copy of the work directory live under
//! the temp dir: a place that means nothing to the reader and differs on
//! every run.

use std::path::Path;

use super::tuf_detail::RoleTrust;
use super::{DigestSource, Document, Evidence, Finding, Subject};

/// What an inspection's scratch copy of the work directory (under the
/// temp dir, removed after the run) is called instead of its path.
pub const SCRATCH_COPY: &str = "a scratch copy of the work directory";

/// `text` with every `from` that starts a word (`./` inside `../x` does
/// not) replaced by `to`.
fn replace_words(text: &mut String, from: &str, to: &str) {
    if from.is_empty() || !text.contains(from) {
        return;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(from) {
        let starts_word = rest[..at]
            .chars()
            .next_back()
            .or_else(|| out.chars().next_back())
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '.' | '/' | '\\' | '_' | '-' | '~')));
        out.push_str(&rest[..at]);
        out.push_str(if starts_word { to } else { from });
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    *text = out;
}

/// How a result names the files below the directory it was opened from
/// (`base`, relative to it) and the inspections' scratch directories.
pub struct PathNames<'a> {
    base: Option<&'a Path>,
    /// `base` with a trailing separator, as it begins a path in a message.
    prefix: String,
    /// Where the inspections ran.
    scratch: Vec<String>,
}

impl<'a> PathNames<'a> {
    /// `base`: the opened directory, if its files are to be named relative
    /// to it; `scratch`: where the inspections ran.
    pub fn new(base: Option<&'a Path>, scratch: Vec<String>) -> Self {
        let mut prefix = base.map(|b| b.display().to_string()).unwrap_or_default();
        if base.is_some() && !prefix.ends_with(std::path::MAIN_SEPARATOR) {
            prefix.push(std::path::MAIN_SEPARATOR);
        }
        Self { base, prefix, scratch }
    }

    /// A file's path: relative to `base` when below it.
    pub fn path(&self, path: &mut String) {
        if let Some(rel) = self.base.and_then(|b| Path::new(path.as_str()).strip_prefix(b).ok()) {
            *path = rel.display().to_string();
        }
        for dir in &self.scratch {
            replace_words(path, dir, SCRATCH_COPY);
        }
    }

    /// Every path in `text` below `base` or in a scratch directory.
    pub fn text(&self, text: &mut String) {
        replace_words(text, &self.prefix, "");
        for dir in &self.scratch {
            replace_words(text, dir, SCRATCH_COPY);
        }
    }

    fn source(&self, source: &mut DigestSource) {
        self.text(&mut source.label);
        if let Some(file) = &mut source.file {
            self.path(file);
        }
    }

    fn json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.text(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| self.json(v)),
            _ => {}
        }
    }

    pub fn subject(&self, subject: &mut Subject) {
        if let Subject::Layout { path }
        | Subject::Link { path }
        | Subject::File { path }
        | Subject::Artifact { path } = subject
        {
            self.path(path);
        }
    }

    /// A finding's message, source, subject and evidence.
    pub fn finding(&self, f: &mut Finding) {
        self.text(&mut f.message);
        if let Some(source) = &mut f.source {
            self.path(&mut source.file);
        }
        self.subject(&mut f.subject);
        self.evidence(&mut f.evidence);
    }

    pub fn evidence(&self, evidence: &mut Evidence) {
        match evidence {
            Evidence::Digests { expected_from, actual_from, .. } => {
                expected_from.iter_mut().chain(actual_from.iter_mut()).for_each(|s| self.source(s));
            }
            Evidence::LinkDisagreement(d) => {
                self.source(&mut d.expected);
                self.source(&mut d.actual);
            }
            Evidence::Data { data } => self.json(data),
            Evidence::Signatures { checks } | Evidence::Threshold { checks, .. } => {
                checks.iter_mut().filter_map(|c| c.reason.as_mut()).for_each(|r| self.text(r));
            }
            _ => {}
        }
    }

    /// The document's findings, checks, TUF roles and attestation files,
    /// renamed (its inputs and invocation are the caller's: they name files
    /// as given).
    pub fn document(&self, doc: &mut Document) {
        if let Some(a) = &mut doc.attestation {
            for file in [&mut a.bundle, &mut a.trusted_root, &mut a.artifact.input] {
                self.path(file);
            }
        }
        doc.findings.iter_mut().for_each(|f| self.finding(f));
        for c in &mut doc.checks {
            self.text(&mut c.detail);
            self.subject(&mut c.subject);
            self.evidence(&mut c.evidence);
        }
        for role in doc.roles.iter_mut().flat_map(|r| r.values_mut()) {
            if let Some(file) = &mut role.file {
                self.path(file);
            }
            if let RoleTrust::Rejected { error, .. } | RoleTrust::NotReached { error, .. } = &mut role.trust {
                self.text(error);
            }
            role.read_error
                .iter_mut()
                .chain(role.audit.iter_mut().filter_map(|a| a.error.as_mut()))
                .for_each(|e| self.text(e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(base: &str, s: &str) -> String {
        let mut s = s.to_owned();
        PathNames::new(Some(Path::new(base)), vec!["/tmp/scratch-1".into()]).text(&mut s);
        s
    }

    #[test]
    fn a_path_below_the_base_loses_the_base_and_nothing_else_does() {
        assert_eq!(
            text("/tmp/ws-1", "link /tmp/ws-1/links/a.link: no signature; /tmp/ws-10/x stays"),
            "link links/a.link: no signature; /tmp/ws-10/x stays"
        );
        assert_eq!(text(".", "./root.layout and ../other/./x"), "root.layout and ../other/./x");
        assert_eq!(text("/tmp/ws", "'/tmp/ws/root.layout'"), "'root.layout'");
        assert_eq!(
            text("/tmp/ws", "ran ['tar'] in /tmp/scratch-1"),
            format!("ran ['tar'] in {SCRATCH_COPY}")
        );
        let below = PathNames::new(Some(Path::new("/tmp/ws")), Vec::new());
        let mut p = "/tmp/ws/links/a.link".to_owned();
        below.path(&mut p);
        assert_eq!(p, "links/a.link");
        let mut outside = "/tmp/wsx/a.link".to_owned();
        below.path(&mut outside);
        assert_eq!(outside, "/tmp/wsx/a.link");
    }
}
