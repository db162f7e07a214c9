//! An in-toto result with every path below the opened directory named as
//! the directory's `scenario.json` names it (`root.layout`,
//! `links/clone.776a00e7.link`), before the views and the document are
//! derived from it: the workshop's scratch copy and `open --demo`'s
//! temporary copy live under the temp dir, a place that means nothing to
//! the reader and differs on every run. `demo NAME` names them the same way.

use std::borrow::Cow;
use std::path::Path;

use crate::bridge::BridgeOutcome;
use crate::intoto::InTotoOutcome;
use crate::intoto::trace::{LayoutTrace, LinkStatus};
use crate::tui::anchor::shown_path;
use crate::verdict::tuf_detail::RoleTrust;
use crate::verdict::{DigestSource, Document, Evidence, Finding, Subject};

/// What an inspection's scratch copy of the work directory (under the
/// temp dir, removed after the run) is called instead of its path.
pub(super) const SCRATCH_COPY: &str = "a scratch copy of the work directory";

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

/// Paths below `base`, and the inspections' scratch directories, as shown.
struct Below<'a> {
    base: Option<&'a Path>,
    /// `base` with a trailing separator, as it begins a path in a message.
    prefix: String,
    /// Where the inspections ran.
    scratch: Vec<String>,
}

impl<'a> Below<'a> {
    fn new(base: Option<&'a Path>, scratch: Vec<String>) -> Self {
        let mut prefix = base.map(|b| b.display().to_string()).unwrap_or_default();
        if base.is_some() && !prefix.ends_with(std::path::MAIN_SEPARATOR) {
            prefix.push(std::path::MAIN_SEPARATOR);
        }
        Self { base, prefix, scratch }
    }

    fn path(&self, path: &mut String) {
        if let Some(base) = self.base.filter(|b| Path::new(path.as_str()).starts_with(b)) {
            *path = shown_path(Path::new(path.as_str()), base);
        }
        for dir in &self.scratch {
            replace_words(path, dir, SCRATCH_COPY);
        }
    }

    /// Every path in `text` below `base` or in a scratch directory.
    fn text(&self, text: &mut String) {
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

    fn subject(&self, subject: &mut Subject) {
        if let Subject::Layout { path } | Subject::Link { path } | Subject::File { path } = subject {
            self.path(path);
        }
    }

    fn finding(&self, f: &mut Finding) {
        self.text(&mut f.message);
        if let Some(source) = &mut f.source {
            self.path(&mut source.file);
        }
        self.subject(&mut f.subject);
        self.evidence(&mut f.evidence);
    }

    fn evidence(&self, evidence: &mut Evidence) {
        match evidence {
            Evidence::Digests { expected_from, actual_from, .. } => {
                expected_from.iter_mut().chain(actual_from.iter_mut()).for_each(|s| self.source(s));
            }
            Evidence::LinkDisagreement(d) => {
                self.source(&mut d.expected);
                self.source(&mut d.actual);
            }
            Evidence::Data { data } => self.json(data),
            _ => {}
        }
    }

    fn layout(&self, layout: &mut LayoutTrace) {
        self.path(&mut layout.path);
        for step in &mut layout.steps {
            for link in &mut step.links {
                self.path(&mut link.path);
                if let LinkStatus::Malformed(why) | LinkStatus::BadSignature(why) = &mut link.status {
                    self.text(why);
                }
            }
            for sub in &mut step.sublayouts {
                self.layout(sub);
            }
        }
        for run in layout.inspections.iter_mut().filter_map(|i| i.execution.as_mut()) {
            let mut dir = run.dir.display().to_string();
            self.path(&mut dir);
            run.dir = dir.into();
            self.text(&mut run.stdout);
            self.text(&mut run.stderr);
        }
    }
}

/// Where the inspections of `layout` and its sublayouts ran.
fn scratch_dirs(layout: &LayoutTrace, out: &mut Vec<String>) {
    out.extend(
        layout.inspections.iter().filter_map(|i| i.execution.as_ref()).map(|r| r.dir.display().to_string()),
    );
    for sub in layout.steps.iter().flat_map(|s| &s.sublayouts) {
        scratch_dirs(sub, out);
    }
}

/// The document's findings, checks and TUF roles with the paths below
/// `base` relative to it (its inputs and invocation are
/// [`super::record::relative`]'s).
pub(super) fn document(doc: &mut Document, base: &Path) {
    let below = Below::new(Some(base), Vec::new());
    doc.findings.iter_mut().for_each(|f| below.finding(f));
    for c in &mut doc.checks {
        below.text(&mut c.detail);
        below.subject(&mut c.subject);
        below.evidence(&mut c.evidence);
    }
    for role in doc.roles.iter_mut().flat_map(|r| r.values_mut()) {
        if let Some(file) = &mut role.file {
            below.path(file);
        }
        if let RoleTrust::Rejected { error, .. } | RoleTrust::NotReached { error, .. } = &mut role.trust {
            below.text(error);
        }
        role.read_error
            .iter_mut()
            .chain(role.audit.iter_mut().filter_map(|a| a.error.as_mut()))
            .for_each(|e| below.text(e));
    }
}

/// Whether `outcome` names anything [`in_place`] renames: a file below
/// `base`, an inspection's scratch directory.
fn names_scratch_or_below(outcome: &InTotoOutcome, base: &Path) -> Option<Vec<String>> {
    let mut scratch = Vec::new();
    scratch_dirs(&outcome.layout, &mut scratch);
    (!scratch.is_empty() || Path::new(&outcome.layout.path).starts_with(base)).then_some(scratch)
}

/// `outcome` with the paths below `base` relative to it and its
/// inspections' scratch directories named [`SCRATCH_COPY`]; borrowed as it
/// is when there is nothing to rename.
pub(super) fn intoto_outcome<'o>(outcome: &'o InTotoOutcome, base: &Path) -> Cow<'o, InTotoOutcome> {
    let Some(scratch) = names_scratch_or_below(outcome, base) else { return Cow::Borrowed(outcome) };
    let mut shown = outcome.clone();
    rename(&mut shown, &Below::new(Some(base), scratch));
    Cow::Owned(shown)
}

/// [`intoto_outcome`] for an outcome the caller owns (no copy).
pub(super) fn in_place(outcome: &mut InTotoOutcome, base: &Path) {
    if let Some(scratch) = names_scratch_or_below(outcome, base) {
        rename(outcome, &Below::new(Some(base), scratch));
    }
}

fn rename(outcome: &mut InTotoOutcome, below: &Below) {
    outcome.findings.iter_mut().for_each(|f| below.finding(f));
    below.layout(&mut outcome.layout);
    for file in &mut outcome.files {
        below.path(&mut file.path);
    }
}

/// A bridge run with its in-toto inspections' scratch directories named
/// [`SCRATCH_COPY`] (its files are TUF targets, named as the repository
/// names them).
pub(super) fn bridge_outcome(outcome: &mut BridgeOutcome) {
    let mut scratch = Vec::new();
    if let Some(o) = &outcome.intoto {
        scratch_dirs(&o.layout, &mut scratch);
    }
    if scratch.is_empty() {
        return;
    }
    let below = Below::new(None, scratch);
    outcome.findings.iter_mut().for_each(|f| below.finding(f));
    if let Some(o) = &mut outcome.intoto {
        rename(o, &below);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(base: &str, s: &str) -> String {
        let mut s = s.to_owned();
        Below::new(Some(Path::new(base)), vec!["/tmp/scratch-1".into()]).text(&mut s);
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
        let below = Below::new(Some(Path::new("/tmp/ws")), Vec::new());
        let mut p = "/tmp/ws/links/a.link".to_owned();
        below.path(&mut p);
        assert_eq!(p, "links/a.link");
        let mut outside = "/tmp/wsx/a.link".to_owned();
        below.path(&mut outside);
        assert_eq!(outside, "/tmp/wsx/a.link");
    }
}
