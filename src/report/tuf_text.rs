//! Text output of `trailscope tuf verify` and `trailscope tuf inspect`.
//! Every string that comes from metadata is escaped so no control or bidi
//! character reaches the terminal.

use std::fmt::Write as _;

use rayon::prelude::*;
use serde_json::Value;

use crate::tuf::session::Outcome;
use crate::verdict::Severity;
use crate::verdict::{Document, Verdict};

/// Escapes control, bidi and zero-width characters (the crate's one
/// sanitizer, `crate::sanitize`).
pub fn clean(s: &str) -> String {
    crate::sanitize::sanitize(s).into_owned()
}

fn s(v: &Value) -> String {
    match v {
        Value::String(x) => clean(x),
        Value::Null => "-".into(),
        other => clean(&other.to_string()),
    }
}

fn verdict_line(doc: &Document) -> String {
    let word = match doc.verdict {
        Verdict::Pass => "✔ PASS",
        Verdict::Fail => "✘ FAIL",
    };
    format!(
        "{word}  category: {}  (evaluated at {})",
        clean(&doc.category),
        crate::meta::time::format(doc.evaluated_at)
    )
}

fn sig_summary(sigs: &Value) -> String {
    let valid: Vec<String> =
        sigs["valid"].as_array().map(|a| a.iter().map(short_id).collect()).unwrap_or_default();
    format!("{} of threshold {} signed [{}]", s(&sigs["count"]), s(&sigs["threshold"]), valid.join(", "))
}

fn role_line(name: &str, r: &Value) -> String {
    if r["trusted"] == Value::Bool(true) {
        format!(
            "  ✔ {:<24} v{:<6} {}  expires {} ({})\n",
            clean(name),
            s(&r["version"]),
            sig_summary(&r["signatures"]),
            s(&r["expires"]),
            s(&r["expires_in"])
        )
    } else {
        format!("  ✘ {:<24} not trusted: {} ({})\n", clean(name), s(&r["error"]), s(&r["category"]))
    }
}

fn short_id(v: &Value) -> String {
    let id = v.as_str().unwrap_or("?");
    clean(&id.chars().take(8).collect::<String>())
}

fn findings_section(out: &mut String, doc: &Document) {
    if doc.findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nFindings:");
    for f in &doc.findings {
        let glyph = match f.severity {
            Severity::Error => "✘ error",
            Severity::Warning => "! warning",
            Severity::Info => "· info",
        };
        let _ = writeln!(out, "  {glyph} [{}] {}", clean(&f.category), clean(&f.message));
        if let Some(loc) = &f.source {
            let _ = writeln!(out, "      at {}", clean(&loc.to_string()));
        }
    }
}

/// `tuf verify` text.
pub fn verify(doc: &Document, outcome: &Outcome) -> String {
    let mut out = verdict_line(doc);
    out.push('\n');
    let refresh = match &outcome.refresh {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("error at {} — {} ({})", clean(&e.role), clean(&e.message), e.category),
    };
    let _ = writeln!(out, "refresh: {refresh}");
    if let Some(Value::Object(roles)) = &doc.roles {
        let _ = writeln!(out, "\nRoles:");
        let top = ["root", "timestamp", "snapshot", "targets"];
        let ordered: Vec<(&String, &Value)> = top
            .iter()
            .filter_map(|n| roles.get_key_value(*n))
            .chain(roles.iter().filter(|(n, _)| !top.contains(&n.as_str())))
            .collect();
        // One line per role, tens of thousands after an audit of hash bins:
        // written on all cores, in order.
        let lines: Vec<String> = ordered.par_iter().map(|(name, r)| role_line(name, r)).collect();
        lines.iter().for_each(|l| out.push_str(l));
    }
    if let Some(targets) = &doc.targets
        && !targets.is_empty()
    {
        let _ = writeln!(out, "\nTargets:");
        for (path, t) in targets {
            let glyph = if t.result == "ok" { "✔" } else { "✘" };
            let role = t.role.as_deref().map(clean).unwrap_or_else(|| "-".into());
            let category = t.category.as_deref().unwrap_or("-");
            let len = t.length.map(|l| format!("{l} bytes")).unwrap_or_default();
            let _ = writeln!(out, "  {glyph} {} — {} ({category}) via {role} {len}", clean(path), t.result);
        }
    }
    findings_section(&mut out, doc);
    out
}

/// `tuf inspect` text: the role tree and the root history.
pub fn inspect(doc: &Document, outcome: &Outcome) -> String {
    let mut out = verdict_line(doc);
    out.push('\n');
    let tree = crate::tuf::inspect::tree(outcome);
    if tree.is_null() {
        findings_section(&mut out, doc);
        return out;
    }
    let root = &tree["root"];
    let _ = writeln!(
        out,
        "\nroot v{}  expires {} ({})  consistent_snapshot: {}  {}",
        s(&root["version"]),
        s(&root["expires"]),
        s(&root["expires_in"]),
        s(&root["consistent_snapshot"]),
        sig_summary(&root["signatures"])
    );
    let _ = writeln!(out, "├─ keys");
    for k in root["keys"].as_array().into_iter().flatten() {
        key_line(&mut out, "│  ", k);
    }
    let _ = writeln!(out, "├─ roles");
    if let Some(roles) = root["roles"].as_object() {
        for (name, r) in roles {
            let ids: Vec<String> = r["keyids"].as_array().into_iter().flatten().map(short_id).collect();
            let _ = writeln!(
                out,
                "│  {:<10} {}-of-{} [{}]",
                clean(name),
                s(&r["threshold"]),
                ids.len(),
                ids.join(", ")
            );
        }
    }
    let _ = writeln!(out, "└─ history: versions {}", s(&root["versions"]));
    for h in root["history"].as_array().into_iter().flatten() {
        history_line(&mut out, h);
    }
    let _ = writeln!(out);
    for r in tree["roles"].as_array().into_iter().flatten() {
        role_block(&mut out, r);
    }
    findings_section(&mut out, doc);
    out
}

fn key_line(out: &mut String, indent: &str, k: &Value) {
    let mark = if k["id_matches"] == Value::Bool(true) { "id ok" } else { "ID MISMATCH" };
    let _ = writeln!(
        out,
        "{indent}{} {}/{} ({mark}{})",
        short_id(&k["keyid"]),
        s(&k["keytype"]),
        s(&k["scheme"]),
        if k["usable"] == Value::Bool(true) { "" } else { ", unusable" }
    );
}

fn history_line(out: &mut String, h: &Value) {
    let mut parts = Vec::new();
    let list = |v: &Value| {
        v.as_array().map(|a| a.iter().map(short_id).collect::<Vec<_>>().join(",")).unwrap_or_default()
    };
    if h["keys_added"].as_array().is_some_and(|a| !a.is_empty()) {
        parts.push(format!("+keys {}", list(&h["keys_added"])));
    }
    if h["keys_removed"].as_array().is_some_and(|a| !a.is_empty()) {
        parts.push(format!("-keys {}", list(&h["keys_removed"])));
    }
    if let Some(roles) = h["roles"].as_object() {
        for (name, r) in roles {
            let t = &r["threshold"];
            let (added, removed) = (list(&r["keys_added"]), list(&r["keys_removed"]));
            let mut what = Vec::new();
            if t[0] != t[1] {
                what.push(format!("threshold {}→{}", s(&t[0]), s(&t[1])));
            }
            if !added.is_empty() {
                what.push(format!("+{added}"));
            }
            if !removed.is_empty() {
                what.push(format!("-{removed}"));
            }
            parts.push(format!("{} {}", clean(name), what.join(" ")));
        }
    }
    if parts.is_empty() {
        parts.push("no key or threshold change".into());
    }
    let _ = writeln!(out, "     v{} → v{}: {}", s(&h["from"]), s(&h["to"]), parts.join("; "));
}

fn role_block(out: &mut String, r: &Value) {
    let _ = writeln!(
        out,
        "{} (delegated by {}) v{}  expires {}{}  {}",
        s(&r["name"]),
        s(&r["delegator"]),
        s(&r["version"]),
        s(&r["expires"]),
        if r["expired"] == Value::Bool(true) { " EXPIRED" } else { "" },
        if r["signatures"].is_null() { String::new() } else { sig_summary(&r["signatures"]) }
    );
    for c in r["signatures"]["checks"].as_array().into_iter().flatten() {
        if c["valid"] != Value::Bool(true) {
            let _ = writeln!(out, "  · {} did not count: {}", short_id(&c["keyid"]), s(&c["reason"]));
        }
    }
    if !r["targets"].is_null() {
        let _ = writeln!(out, "  targets: {}", s(&r["targets"]));
    }
    for k in r["delegation_keys"].as_array().into_iter().flatten() {
        key_line(out, "  key ", k);
    }
    for d in r["delegations"].as_array().into_iter().flatten() {
        let scope = if let Some(sr) = d.get("succinct_roles") {
            format!(
                "succinct bins {}…{} ({} bins, {} bits)",
                s(&sr["first"]),
                s(&sr["last"]),
                s(&sr["bins"]),
                s(&sr["bit_length"])
            )
        } else if let Some(p) = d.get("paths") {
            format!("paths {}", s(p))
        } else {
            format!("path_hash_prefixes {}", s(&d["path_hash_prefixes"]))
        };
        let ids = d["keyids"].as_array().map(Vec::len).unwrap_or(0);
        let _ = writeln!(
            out,
            "  └→ {} {}-of-{}{}  {scope}",
            s(d.get("name").unwrap_or(&Value::Null)),
            s(&d["threshold"]),
            ids,
            if d["terminating"] == Value::Bool(true) { " terminating" } else { "" }
        );
    }
}
