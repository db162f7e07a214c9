//! The text report of `attest verify` and `attest inspect`: what the bundle
//! holds (signer identity, log entries, Statement subjects, provenance),
//! then the verdict and every finding with its evidence. Metadata strings
//! are sanitized.

use std::fmt::Write as _;

use crate::sanitize::sanitize;
use crate::verdict::Document;
use crate::verdict::attest_detail::AttestationDetail;

/// The attestation block alone (also what `attest inspect` prints).
pub fn detail(d: &AttestationDetail) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "bundle:       {} ({})", sanitize(&d.bundle), sanitize(&d.media_type));
    let _ = writeln!(out, "content:      {}, signed with {}", d.content, d.material);
    if let Some(c) = &d.certificate {
        let sans: Vec<String> = c.sans.iter().map(|s| sanitize(s).into_owned()).collect();
        let _ = writeln!(
            out,
            "identity:     {}",
            if sans.is_empty() { "(no SAN)".into() } else { sans.join(", ") }
        );
        let _ = writeln!(
            out,
            "issuer:       {}",
            c.issuer.as_deref().map_or("(none)".into(), |i| sanitize(i).into_owned())
        );
        let _ = writeln!(out, "certificate:  valid {} to {}", c.not_before, c.not_after);
    }
    for e in &d.tlog_entries {
        let _ =
            write!(out, "log entry:    {} index {} ({})", sanitize(&e.log), e.log_index, sanitize(&e.kind));
        if let Some(t) = &e.integrated_time {
            let _ = write!(out, ", integrated {t}");
        }
        if let (Some(i), Some(n)) = (e.proof_index, e.tree_size) {
            let _ = write!(out, ", proof: leaf {i} of {n}");
        }
        out.push('\n');
    }
    if d.timestamps > 0 {
        let _ = writeln!(out, "timestamps:   {} RFC 3161", d.timestamps);
    }
    if let Some(s) = &d.statement {
        let _ = writeln!(out, "statement:    {} — {}", sanitize(&s.type_), sanitize(&s.predicate_type));
        for sub in s.subjects.iter().take(20) {
            let digests: Vec<String> =
                sub.digest.iter().map(|(a, h)| format!("{}:{}", sanitize(a), sanitize(h))).collect();
            let _ = writeln!(out, "  subject     {} {}", sanitize(&sub.name), digests.join(" "));
        }
        if s.subjects.len() > 20 {
            let _ = writeln!(out, "  … and {} more subjects", s.subjects.len() - 20);
        }
        for (k, v) in &s.predicate {
            let _ = writeln!(out, "  {:<11} {}", sanitize(k), sanitize(v));
        }
    }
    if !d.artifact.input.is_empty() {
        let _ = writeln!(out, "artifact:     {}", sanitize(&d.artifact.input));
        if let Some(h) = d.artifact.digests.get("sha256") {
            let _ = writeln!(out, "  sha256      {h}");
        }
    }
    for (k, v) in &d.policy {
        let _ = writeln!(out, "policy:       {} = {}", sanitize(k), sanitize(v));
    }
    let _ = writeln!(out, "trusted root: {}", sanitize(&d.trusted_root));
    out
}

/// The whole report: the attestation block, then the common verdict and findings.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    if let Some(d) = &doc.attestation {
        out.push_str(&detail(d));
    }
    out.push_str(&super::text::render(doc));
    out
}
