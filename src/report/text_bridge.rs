//! Text for people: the result of `trailscope bridge verify` and of the
//! embedded demo. The verdict and the first failure (in the reference's
//! order) first, then each stage: what TUF verified (which role signed each
//! file), what the `custom` fields named, what in-toto said (steps and
//! inspections at a glance), the product binding with both hashes (expected:
//! the product in the link; actual: the TUF target, as `verdict::Evidence`
//! defines them); then the findings. Every string from metadata is sanitized.

use std::fmt::Write as _;

use super::text_intoto::{digests, overview, paragraph, sanitize};
use crate::bridge::{BridgeOutcome, Purpose, Stage};
use crate::tuf::session::TargetStatus;
use crate::verdict::Verdict;
use crate::verdict::{Evidence, Finding, Severity, Subject};

/// Renders the whole outcome.
pub fn render(o: &BridgeOutcome) -> String {
    let mut out = String::new();
    let word = match o.verdict {
        Verdict::Pass => "✔ PASS",
        Verdict::Fail => "✘ FAIL",
    };
    let _ = match o.stage() {
        Some(stage) => {
            writeln!(out, "bridge verification: {word}  stage {stage}, category {}", sanitize(&o.category))
        }
        None => {
            writeln!(out, "bridge verification: {word}  (TUF, in-toto and the product binding all verified)")
        }
    };
    let _ = writeln!(out, "target {}  evaluated at {}", sanitize(&o.target), crate::meta::time::format(o.at));
    if !o.inspections_skipped.is_empty() {
        let names = o.inspections_skipped.iter().map(|s| sanitize(s)).collect::<Vec<_>>().join(", ");
        // Skipped on request is a choice the reader should see as such, not advice to re-run.
        let _ = if o.skip_inspections {
            writeln!(
                out,
                "NOTE: inspections skipped ({names}) as --skip-inspections asked: this verdict does not cover them."
            )
        } else {
            writeln!(
                out,
                "NOTE: inspections not run ({names}): this verdict does not cover them and may differ from one that runs them. Re-run with --run-inspections, or accept it without them with --skip-inspections."
            )
        };
    }
    first_failure(&mut out, o);
    tuf_section(&mut out, o);
    intoto_section(&mut out, o);
    binding_section(&mut out, o);
    for (title, sev) in [("Errors", Severity::Error), ("Warnings", Severity::Warning)] {
        let list: Vec<&Finding> = o.findings.iter().filter(|f| f.severity == sev).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", list.len());
        for f in list {
            finding(&mut out, f);
        }
    }
    let c = crate::verdict::count(&o.findings);
    let _ = writeln!(out, "\n{} error(s), {} warning(s), {} note(s)", c.error, c.warning, c.info);
    out
}

fn first_failure(out: &mut String, o: &BridgeOutcome) {
    let Some(f) = &o.first else { return };
    let _ = writeln!(
        out,
        "\nFirst failure (the one the reference reports): {} / {}",
        f.stage,
        sanitize(&f.category)
    );
    let mut what = Vec::new();
    if let Some(t) = &f.failed_target {
        what.push(format!("target {}", sanitize(t)));
    }
    if let Some(r) = &f.role {
        what.push(format!("role {}", sanitize(r)));
    }
    if let Some(s) = &f.step {
        let kind = inspection_or_step(o, s);
        what.push(format!("{kind} '{}'", sanitize(s)));
    }
    if let Some(r) = &f.rule {
        what.push(format!("rule '{}'", sanitize(r)));
    }
    if let Some(a) = &f.artifact {
        what.push(format!("artifact '{}'", sanitize(a)));
    }
    if !what.is_empty() {
        let _ = writeln!(out, "  {}", what.join(", "));
    }
    let _ = writeln!(out, "  {}", sanitize(&f.message));
}

fn inspection_or_step(o: &BridgeOutcome, name: &str) -> &'static str {
    let is_insp = o.intoto.as_ref().is_some_and(|i| i.layout.inspections.iter().any(|x| x.name == name));
    if is_insp { "inspection" } else { "step" }
}

fn stage_status(o: &BridgeOutcome, stage: Stage) -> String {
    let errors = o
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.stage.as_deref() == Some(stage.as_str()))
        .count();
    match (o.stage(), errors) {
        (Some(s), _) if s == stage => "FAIL (first failure)".into(),
        (_, 0) => "ok".into(),
        (_, n) => format!("{n} error(s)"),
    }
}

fn tuf_section(out: &mut String, o: &BridgeOutcome) {
    let _ = writeln!(out, "\n[tuf] {}", stage_status(o, Stage::Tuf));
    match &o.tuf.refresh {
        Ok(()) => {
            let _ = writeln!(out, "  refresh: ok (root, timestamp, snapshot, targets)");
        }
        Err(e) => {
            let _ = writeln!(out, "  refresh: FAILED at {}: {}", sanitize(&e.role), sanitize(&e.message));
        }
    }
    for (purpose, t) in &o.fetched {
        let mark = match t.status {
            TargetStatus::Ok => "✔",
            _ => "✘",
        };
        let role = t.role.as_deref().map(sanitize).unwrap_or_else(|| "-".into());
        let detail = match (&t.status, &t.info) {
            (TargetStatus::Ok, Some(info)) => {
                let sha =
                    info.hashes.get("sha256").map(|h| format!(" sha256 {}", short(h))).unwrap_or_default();
                format!("signed by {role}, {} bytes{sha}", info.length)
            }
            (TargetStatus::NotFound, _) => format!(
                "NOT FOUND ({}; searched {})",
                t.category,
                if t.visited.is_empty() { "-".into() } else { sanitize(&t.visited.join(" → ")) }
            ),
            _ => format!("{} (role {role})", t.category),
        };
        let _ = writeln!(out, "  {mark} {:<10} {}  {detail}", purpose.word(), sanitize(&t.path));
    }
    if o.fetched.iter().all(|(p, _)| *p != Purpose::Link) && o.tuf.refresh.is_ok() && o.first.is_some() {
        let _ = writeln!(out, "  (no link fetched)");
    }
    let _ = writeln!(out, "\n[custom-metadata] {}", stage_status(o, Stage::CustomMetadata));
    if let Some(l) = &o.trace.layout {
        let _ = writeln!(out, "  layout named by the package: {}", sanitize(l));
    }
}

fn intoto_section(out: &mut String, o: &BridgeOutcome) {
    let Some(i) = &o.intoto else {
        let why = if o.first.is_some() { "an earlier stage failed" } else { "nothing to verify" };
        let _ = writeln!(out, "\n[in-toto] not run ({why})");
        return;
    };
    let _ = writeln!(out, "\n[in-toto] {}", stage_status(o, Stage::InToto));
    if let Some(keys) = &o.trace.layout_keys {
        let shown: Vec<String> = keys.iter().map(|k| short(k)).collect();
        let _ = writeln!(out, "  layout keys: {}", shown.join(", "));
    }
    if let Some(links) = &o.trace.links {
        let _ =
            writeln!(out, "  links: {}", links.iter().map(|s| sanitize(s)).collect::<Vec<_>>().join(", "));
    }
    let mut ov = String::new();
    overview(&mut ov, &i.layout, &i.findings, 0);
    for line in ov.lines() {
        let _ = writeln!(out, "  {line}");
    }
}

fn binding_section(out: &mut String, o: &BridgeOutcome) {
    let finding = o.findings.iter().find(|f| f.stage.as_deref() == Some(Stage::ProductBinding.as_str()));
    if o.trace.binding.is_none() && finding.is_none() {
        let _ = writeln!(out, "\n[product-binding] not evaluated");
        return;
    }
    let _ = writeln!(out, "\n[product-binding] {}", stage_status(o, Stage::ProductBinding));
    match (&o.trace.binding, finding) {
        (Some(b), _) => {
            let _ = writeln!(
                out,
                "  product '{}' of the last step '{}'",
                sanitize(&b.product),
                sanitize(&b.step)
            );
            let _ = writeln!(
                out,
                "    expected (the product in its link): sha256 {}",
                b.product_sha256.as_deref().map(sanitize).unwrap_or("(not there)".into())
            );
            let _ = writeln!(
                out,
                "    actual   (the TUF target):          sha256 {}",
                b.target_sha256.as_deref().map(sanitize).unwrap_or("(none listed)".into())
            );
            let _ = writeln!(
                out,
                "    {}",
                if b.holds() {
                    "bound: the served package is the supply chain's product"
                } else {
                    "NOT bound"
                }
            );
        }
        (None, Some(f)) => {
            let _ = writeln!(out, "  {}", sanitize(&f.message));
        }
        (None, None) => {
            let _ = writeln!(out, "  not evaluated");
        }
    }
}

fn finding(out: &mut String, f: &Finding) {
    let stage = f.stage.as_deref().unwrap_or("-");
    if stage == Stage::InToto.as_str() {
        let mut p = String::new();
        paragraph(&mut p, f);
        // Name the stage on the first line, after the mark.
        let mark = if f.severity == Severity::Error { "✗" } else { "!" };
        let p = p.replacen(&format!("\n  {mark} "), &format!("\n  {mark} ({stage}) "), 1);
        out.push_str(&p);
        return;
    }
    let mark = if f.severity == Severity::Error { "✗" } else { "!" };
    let _ = writeln!(out, "\n  {mark} ({stage}) [{}] {}", sanitize(&f.category), subject(&f.subject));
    let _ = writeln!(out, "    {}", sanitize(&f.message));
    match &f.evidence {
        Evidence::Digests { .. } | Evidence::LinkDisagreement(_) => digests(out, &f.evidence),
        Evidence::Expiry { expires, evaluated_at } => {
            let _ = writeln!(out, "    expires {} <= evaluated at {evaluated_at}", sanitize(expires));
        }
        Evidence::Threshold { needed, valid, .. } => {
            let _ = writeln!(out, "    needed {needed} signatures, {} valid", valid.len());
        }
        _ => {}
    }
    if let Some(src) = &f.source {
        let _ = writeln!(out, "    at {}", sanitize(&src.to_string()));
    }
}

fn subject(s: &Subject) -> String {
    match s {
        Subject::Target { path } => format!("target {}", sanitize(path)),
        Subject::Role { name } => format!("role {}", sanitize(name)),
        Subject::Artifact { path } => format!("artifact {}", sanitize(path)),
        Subject::Layout { path } => format!("layout {}", sanitize(path)),
        Subject::File { path } => format!("file {}", sanitize(path)),
        Subject::Key { keyid } => format!("key {}", sanitize(keyid)),
        other => sanitize(&serde_json::to_string(other).unwrap_or_default()),
    }
}

fn short(h: &str) -> String {
    let s: String = h.chars().take(12).collect();
    if h.chars().count() > 12 { format!("{}…", sanitize(&s)) } else { sanitize(&s) }
}
