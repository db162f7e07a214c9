//! The evidence part of every report: how the run was started (command
//! line, trailscope version, options), every input file with its size and
//! sha256, the trust anchor, and the checks performed with their outcome —
//! rendered from the document's `invocation`, `inputs` and `checks`
//! (`verdict::inputs`, `verdict::checks`), the same list on every face.

use std::fmt::Write as _;

use crate::report::text::subject_label;
use crate::sanitize::sanitize;
use crate::verdict::checks::tally;
use crate::verdict::{Check, Document};

/// The checks' tally as words: "12 passed, 1 failed, 2 not run or skipped".
pub fn tally_line(checks: &[Check]) -> String {
    let (pass, fail, other) = tally(checks);
    format!("{pass} passed, {fail} failed, {other} not run or skipped")
}

/// The subject of a check, for people, raw.
pub fn check_subject(c: &Check) -> String {
    let label = subject_label(&c.subject);
    match &c.stage {
        Some(stage) => format!("[{stage}] {label}"),
        None => label,
    }
}

/// The plain-text block: run, inputs, trust anchor, checks performed.
pub fn text(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nrun:");
    let _ = writeln!(out, "  trailscope {}", env!("CARGO_PKG_VERSION"));
    match &doc.invocation {
        Some(inv) => {
            let _ = writeln!(out, "  command: {}", sanitize(&inv.command_text()));
            for o in &inv.options {
                let _ = writeln!(out, "  {}: {}", sanitize(&o.name), sanitize(&o.value));
            }
            if let Some(a) = &inv.trust_anchor {
                let files: Vec<String> = a.files.iter().map(|f| sanitize(f).into_owned()).collect();
                let version = a.root_version.map(|v| format!(" (root version {v})")).unwrap_or_default();
                let _ = writeln!(out, "  trust anchor: {} {}{version}", sanitize(&a.what), files.join(", "));
            }
        }
        None => {
            let _ = writeln!(out, "  command: not recorded");
        }
    }
    if !doc.inputs.is_empty() {
        let _ = writeln!(out, "\ninputs ({}):", doc.inputs.len());
        for f in &doc.inputs {
            let digest = match (&f.sha256, f.files) {
                (Some(h), _) => format!("sha256 {h}"),
                (None, Some(n)) => format!("{n} files, not hashed one by one"),
                (None, None) => "not hashed".to_owned(),
            };
            let _ = writeln!(
                out,
                "  {:<18} {}  {} bytes  {digest}",
                sanitize(&f.role),
                sanitize(&f.path),
                f.size
            );
        }
    }
    if !doc.checks.is_empty() {
        let _ = writeln!(out, "\nchecks performed ({}):", tally_line(&doc.checks));
        for c in &doc.checks {
            let _ = writeln!(
                out,
                "  {:<10} {}: {}: {}",
                c.outcome.label(),
                sanitize(&check_subject(c)),
                sanitize(&c.what),
                sanitize(&c.detail)
            );
        }
    }
    out
}
