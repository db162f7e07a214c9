//! An in-toto result with every path below the opened directory named as
//! the directory's `scenario.json` names it (`root.layout`,
//! `links/clone.776a00e7.link`), before the views and the document are
//! derived from it: the workshop's scratch copy and `open --demo`'s
//! temporary copy live under the temp dir, a place that means nothing to
//! the reader and differs on every run. `demo NAME` names them the same way.

use std::borrow::Cow;
use std::path::Path;

use crate::intoto::InTotoOutcome;
use crate::intoto::trace::{LayoutTrace, LinkStatus};
use crate::tui::anchor::shown_path;
use crate::verdict::tuf_detail::RoleTrust;
use crate::verdict::{DigestSource, Document, Evidence, Finding, Subject};

/// Paths below `base`, as shown.
struct Below<'a> {
    base: &'a Path,
    /// `base` with a trailing separator, as it begins a path in a message.
    prefix: String,
}

impl<'a> Below<'a> {
    fn new(base: &'a Path) -> Self {
        let mut prefix = base.display().to_string();
        if !prefix.ends_with(std::path::MAIN_SEPARATOR) {
            prefix.push(std::path::MAIN_SEPARATOR);
        }
        Self { base, prefix }
    }

    fn path(&self, path: &mut String) {
        if Path::new(path.as_str()).starts_with(self.base) {
            *path = shown_path(Path::new(path.as_str()), self.base);
        }
    }

    /// Every path in `text` that starts with the prefix at the start of a
    /// word (`./` inside `../x` is not one).
    fn text(&self, text: &mut String) {
        if !text.contains(&self.prefix) {
            return;
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(&self.prefix) {
            let starts_word =
                rest[..at].chars().next_back().or_else(|| out.chars().next_back()).is_none_or(|c| {
                    !(c.is_alphanumeric() || matches!(c, '.' | '/' | '\\' | '_' | '-' | '~'))
                });
            out.push_str(&rest[..at]);
            if !starts_word {
                out.push_str(&self.prefix);
            }
            rest = &rest[at + self.prefix.len()..];
        }
        out.push_str(rest);
        *text = out;
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
    }
}

/// The document's findings, checks and TUF roles with the paths below
/// `base` relative to it (its inputs and invocation are
/// [`super::record::relative`]'s).
pub(super) fn document(doc: &mut Document, base: &Path) {
    let below = Below::new(base);
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

/// `outcome` with the paths below `base` relative to it; borrowed as it
/// is when its layout is not below `base` (nothing it names can be).
pub(super) fn intoto_outcome<'o>(outcome: &'o InTotoOutcome, base: &Path) -> Cow<'o, InTotoOutcome> {
    if !Path::new(&outcome.layout.path).starts_with(base) {
        return Cow::Borrowed(outcome);
    }
    let below = Below::new(base);
    let mut shown = outcome.clone();
    shown.findings.iter_mut().for_each(|f| below.finding(f));
    below.layout(&mut shown.layout);
    for file in &mut shown.files {
        below.path(&mut file.path);
    }
    Cow::Owned(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(base: &str, s: &str) -> String {
        let mut s = s.to_owned();
        Below::new(Path::new(base)).text(&mut s);
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
        let mut p = "/tmp/ws/links/a.link".to_owned();
        Below::new(Path::new("/tmp/ws")).path(&mut p);
        assert_eq!(p, "links/a.link");
        let mut outside = "/tmp/wsx/a.link".to_owned();
        Below::new(Path::new("/tmp/ws")).path(&mut outside);
        assert_eq!(outside, "/tmp/wsx/a.link");
    }
}
