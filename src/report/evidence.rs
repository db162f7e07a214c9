//! A finding's evidence in words, shared by the faces: the one-line summary
//! (Markdown's findings table, SARIF's message, the plain text report), the
//! lines of the text reports, and the rows of a digest comparison (both
//! sides per algorithm) that Markdown and the TUI lay out their own way.
//!
//! "Expected" and "actual" mean what `verdict::Evidence` says they mean;
//! every face labels them with these words and, where the finding records
//! it, the record each side was read from ([`DigestSource::describe`]).
//! Everything here is raw: callers sanitize (and escape) what they print.

use serde_json::Value;

use crate::verdict::{DigestSource, Evidence, LinkDisagreement};

/// One algorithm of a digest comparison: its expected and actual hex
/// (`None`: that side does not list the algorithm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRow {
    pub alg: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl DigestRow {
    pub fn equal(&self) -> bool {
        self.expected.is_some() && self.expected == self.actual
    }
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect(),
        Value::Null => Vec::new(),
        other => vec![(String::new(), other.to_string())],
    }
}

/// Both sides per algorithm: the expected side's algorithms first, in its
/// order, then those only the actual side lists.
pub fn digest_rows(expected: &Value, actual: &Value) -> Vec<DigestRow> {
    let (e, a) = (pairs(expected), pairs(actual));
    let mut algs: Vec<&String> = e.iter().map(|(k, _)| k).collect();
    algs.extend(a.iter().map(|(k, _)| k).filter(|k| !e.iter().any(|(x, _)| x == *k)));
    algs.into_iter()
        .map(|alg| DigestRow {
            alg: alg.clone(),
            expected: e.iter().find(|(k, _)| k == alg).map(|(_, v)| v.clone()),
            actual: a.iter().find(|(k, _)| k == alg).map(|(_, v)| v.clone()),
        })
        .collect()
}

/// "sha256:abcd sha512:ef01", or "(not listed)" for an absent side.
pub fn hashes_inline(v: &Value) -> String {
    let p = pairs(v);
    if p.is_empty() {
        return "(not listed)".to_owned();
    }
    p.iter()
        .map(|(k, v)| if k.is_empty() { v.clone() } else { format!("{k}:{v}") })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a side was read, or nothing.
fn from(source: Option<&DigestSource>) -> String {
    source.map(|s| format!(" — {}", s.describe())).unwrap_or_default()
}

/// One line summing up the evidence.
pub fn summary(e: &Evidence) -> String {
    match e {
        Evidence::None => String::new(),
        Evidence::Digests { expected, actual, expected_from, actual_from } => format!(
            "expected {}{}; actual {}{}",
            hashes_inline(expected),
            from(expected_from.as_ref()),
            hashes_inline(actual),
            from(actual_from.as_ref())
        ),
        Evidence::LinkDisagreement(d) => disagreement_summary(d),
        Evidence::Signatures { checks } => {
            let valid = checks.iter().filter(|c| c.valid).count();
            format!("{valid} of {} signatures valid", checks.len())
        }
        Evidence::Threshold { needed, valid, .. } => {
            format!("threshold {needed}, {} valid keys", valid.len())
        }
        Evidence::Expiry { expires, evaluated_at } => {
            format!("expires {expires}, evaluated at {evaluated_at}")
        }
        Evidence::Versions { trusted, new } => format!("trusted version {trusted}, new {new}"),
        Evidence::Length { expected, actual } => format!("expected length {expected}, actual {actual}"),
        Evidence::Data { data } => {
            let mut s = data.to_string();
            if s.len() > 200 {
                let cut = (0..=200).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
                s.truncate(cut);
                s.push('…');
            }
            s
        }
        Evidence::RuleTrace(t) => {
            let mut parts = vec![format!(
                "queue {} → {}, consumed {}",
                t.queue_before_count, t.queue_after_count, t.consumed_count
            )];
            if !t.offending.is_empty() {
                let shown: Vec<&str> = t.offending.iter().take(5).map(String::as_str).collect();
                let more = if t.offending.len() > 5 {
                    format!(" … ({} in all)", t.offending.len())
                } else {
                    String::new()
                };
                parts.push(format!("offending {}{more}", shown.join(", ")));
            }
            for u in t.unmatched.iter().take(5) {
                parts.push(format!(
                    "{} unmatched in {}:{} ({}): expected {}, actual {}",
                    u.path,
                    u.dest_step,
                    u.dest_path,
                    u.reason,
                    u.dest_hashes.as_ref().map_or_else(|| "(not there)".to_owned(), hashes_inline),
                    hashes_inline(&u.hashes)
                ));
            }
            parts.join("; ")
        }
    }
}

/// How many differing artifacts a one-line summary names.
const SUMMARY_ARTIFACTS: usize = 3;

fn disagreement_summary(d: &LinkDisagreement) -> String {
    let mut parts = vec![format!(
        "{} artifact(s) differ between expected {} and actual {}",
        d.artifacts_count,
        d.expected.describe(),
        d.actual.describe()
    )];
    for a in d.artifacts.iter().take(SUMMARY_ARTIFACTS) {
        parts.push(format!(
            "{} {}: expected {}, actual {}",
            a.section,
            a.path,
            a.expected.as_ref().map_or_else(|| "(not listed)".to_owned(), hashes_inline),
            a.actual.as_ref().map_or_else(|| "(not listed)".to_owned(), hashes_inline)
        ));
    }
    if d.artifacts_count > SUMMARY_ARTIFACTS {
        parts.push(format!("… ({} in all)", d.artifacts_count));
    }
    parts.join("; ")
}

/// The lines a text report prints under a finding for digest evidence
/// (both sides, each digest in full), without indentation; empty for other
/// kinds of evidence, which the text reports lay out themselves.
pub fn digest_text(e: &Evidence) -> Vec<String> {
    match e {
        Evidence::Digests { expected, actual, expected_from, actual_from } => {
            // Each digest under its side, so a 64-digit digest keeps its own line.
            let rows = digest_rows(expected, actual);
            let mut out = vec![side_head("expected", expected_from.as_ref())];
            out.extend(
                rows.iter()
                    .map(|r| format!("  {} {}", r.alg, r.expected.as_deref().unwrap_or("(not listed)"))),
            );
            out.push(side_head("actual", actual_from.as_ref()));
            out.extend(rows.iter().map(|r| {
                let mark = if r.equal() { "  (equal)" } else { "" };
                format!("  {} {}{mark}", r.alg, r.actual.as_deref().unwrap_or("(not listed)"))
            }));
            out
        }
        Evidence::LinkDisagreement(d) => {
            let mut out = vec![
                side_head("expected", Some(&d.expected)),
                side_head("actual", Some(&d.actual)),
                format!("{} artifact(s) differ:", d.artifacts_count),
            ];
            for a in &d.artifacts {
                out.push(format!("  {} {}", a.section, a.path));
                let (e, x) =
                    (a.expected.clone().unwrap_or(Value::Null), a.actual.clone().unwrap_or(Value::Null));
                for r in digest_rows(&e, &x) {
                    out.push(format!(
                        "    expected {} {}",
                        r.alg,
                        r.expected.as_deref().unwrap_or("(not listed)")
                    ));
                    out.push(format!(
                        "    actual   {} {}",
                        r.alg,
                        r.actual.as_deref().unwrap_or("(not listed)")
                    ));
                }
            }
            if d.artifacts_count > d.artifacts.len() {
                out.push(format!("  … ({} in all)", d.artifacts_count));
            }
            out
        }
        _ => Vec::new(),
    }
}

fn side_head(word: &str, source: Option<&DigestSource>) -> String {
    match source {
        Some(s) => format!("{word}: {}", s.describe()),
        None => format!("{word}:"),
    }
}

/// Every digest, key id, path and source the evidence holds, for search
/// (`/` in the TUI's Findings view finds a finding by what its detail shows).
pub fn search_text(e: &Evidence) -> String {
    let mut parts = vec![summary(e)];
    match e {
        Evidence::Signatures { checks } | Evidence::Threshold { checks, .. } => {
            parts.extend(checks.iter().map(|c| c.keyid.clone()));
        }
        Evidence::LinkDisagreement(d) => {
            for a in &d.artifacts {
                parts.push(a.path.clone());
                parts.extend(a.expected.iter().chain(a.actual.iter()).map(hashes_inline));
            }
        }
        Evidence::RuleTrace(t) => {
            parts.extend(t.offending.iter().cloned());
            for u in &t.unmatched {
                parts.push(hashes_inline(&u.hashes));
                parts.extend(u.dest_hashes.iter().map(hashes_inline));
            }
        }
        _ => {}
    }
    parts.join(" ")
}
