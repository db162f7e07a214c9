//! Text output of `trailscope tuf verify` and `trailscope tuf inspect`.
//! Every string that comes from metadata is escaped so no control or bidi
//! character reaches the terminal.

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::tuf::session::Outcome;
use crate::verdict::Severity;
use crate::verdict::tuf_detail::{KeyInfo, RoleNode, RoleState, RootChange, Scope, SignatureSummary};
use crate::verdict::{Document, Verdict};

/// Escapes control, bidi and zero-width characters (the crate's one
/// sanitizer, `crate::sanitize`).
pub fn clean(s: &str) -> String {
    crate::sanitize::sanitize(s).into_owned()
}

/// A list as compact JSON (`[1,2]`, `["a/*"]`), escaped.
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    clean(&serde_json::to_string(items).unwrap_or_default())
}

/// `-` for what the detail does not hold.
fn or_dash<T: ToString>(v: Option<T>) -> String {
    v.map(|v| clean(&v.to_string())).unwrap_or_else(|| "-".into())
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

fn sig_summary(sigs: Option<&SignatureSummary>) -> String {
    let valid: Vec<String> = sigs.map(|s| s.valid.iter().map(|k| short_id(k)).collect()).unwrap_or_default();
    format!(
        "{} of threshold {} signed [{}]",
        or_dash(sigs.map(|s| s.count)),
        or_dash(sigs.map(|s| s.threshold)),
        valid.join(", ")
    )
}

fn role_line(name: &str, r: &RoleState) -> String {
    match r.refusal() {
        None => format!(
            "  ✔ {:<24} v{:<6} {}  expires {} ({})\n",
            clean(name),
            or_dash(r.common.as_ref().map(|c| c.version)),
            sig_summary(r.signatures.as_ref()),
            or_dash(r.common.as_ref().map(|c| &c.expires)),
            or_dash(r.common.as_ref().map(|c| &c.expires_in))
        ),
        Some((category, error)) => {
            format!("  ✘ {:<24} not trusted: {} ({})\n", clean(name), clean(error), clean(category.id()))
        }
    }
}

fn short_id(id: &str) -> String {
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
    if let Some(roles) = &doc.roles {
        let _ = writeln!(out, "\nRoles:");
        let top = ["root", "timestamp", "snapshot", "targets"];
        let ordered: Vec<(&String, &RoleState)> = top
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
    let Some(tree) = crate::tuf::inspect::tree(outcome) else {
        findings_section(&mut out, doc);
        return out;
    };
    let root = &tree.root;
    let _ = writeln!(
        out,
        "\nroot v{}  expires {} ({})  consistent_snapshot: {}  {}",
        root.common.version,
        clean(&root.common.expires),
        clean(&root.common.expires_in),
        root.consistent_snapshot,
        sig_summary(Some(&root.signatures))
    );
    let _ = writeln!(out, "├─ keys");
    for k in &root.keys {
        key_line(&mut out, "│  ", k);
    }
    let _ = writeln!(out, "├─ roles");
    for (name, r) in &root.roles {
        let ids: Vec<String> = r.keyids.iter().map(|k| short_id(k)).collect();
        let _ = writeln!(out, "│  {:<10} {}-of-{} [{}]", clean(name), r.threshold, ids.len(), ids.join(", "));
    }
    let _ = writeln!(out, "└─ history: versions {}", json_list(&root.versions));
    let owners = root.owners();
    for h in &root.history {
        history_line(&mut out, h);
        rotation_signers(&mut out, h, &owners);
    }
    let _ = writeln!(out);
    for r in &tree.roles {
        role_block(&mut out, r);
    }
    findings_section(&mut out, doc);
    out
}

fn key_line(out: &mut String, indent: &str, k: &KeyInfo) {
    let mark = if k.id_matches { "id ok" } else { "ID MISMATCH" };
    let owner = k.owner.as_ref().map(|o| format!(" {}", clean(o))).unwrap_or_default();
    let _ = writeln!(
        out,
        "{indent}{}{owner} {}/{} ({mark}{})",
        short_id(&k.keyid),
        clean(&k.keytype),
        clean(&k.scheme),
        if k.usable { "" } else { ", unusable" }
    );
}

fn history_line(out: &mut String, h: &RootChange) {
    let mut parts = Vec::new();
    let list = |ids: &[String]| ids.iter().map(|k| short_id(k)).collect::<Vec<_>>().join(",");
    if !h.keys_added.is_empty() {
        parts.push(format!("+keys {}", list(&h.keys_added)));
    }
    if !h.keys_removed.is_empty() {
        parts.push(format!("-keys {}", list(&h.keys_removed)));
    }
    if !h.keys_relabelled.is_empty() {
        parts.push(format!("same key, new id: {}", relabels(&h.keys_relabelled)));
    }
    for (name, r) in &h.roles {
        let [old, new] = r.threshold;
        let (added, removed) = (list(&r.keys_added), list(&r.keys_removed));
        let mut what = Vec::new();
        if old != new {
            what.push(format!("threshold {old}→{new}"));
        }
        if !added.is_empty() {
            what.push(format!("+{added}"));
        }
        if !removed.is_empty() {
            what.push(format!("-{removed}"));
        }
        if !r.keys_relabelled.is_empty() {
            what.push(format!("{} key(s) same, new id", r.keys_relabelled.len()));
        }
        parts.push(format!("{} {}", clean(name), what.join(" ")));
    }
    if parts.is_empty() {
        parts.push("no key or threshold change".into());
    }
    let _ = writeln!(out, "     v{} → v{}: {}", h.from, h.to, parts.join("; "));
}

/// §5.3.4: who signed the new root, against the previous root's threshold
/// and its own.
fn rotation_signers(out: &mut String, h: &RootChange, owners: &crate::verdict::Owners) {
    let counted = [
        (h.signed_by_previous.as_ref(), format!("v{}'s root keys", h.from)),
        (h.signed_by_own.as_ref(), "its own root keys".to_owned()),
    ];
    for (s, whose) in counted.into_iter().filter_map(|(s, w)| Some((s?, w))) {
        let _ = writeln!(
            out,
            "       {} signed by {} of threshold {} of {whose}: {}",
            if s.met() { "✔" } else { "✘" },
            s.count,
            s.threshold,
            clean(&crate::verdict::checks::signer_list(&s.valid, owners))
        );
    }
}

/// "3c344aa0→e71a54d5 (@mnm678), …".
fn relabels(list: &[crate::verdict::tuf_detail::KeyRelabel]) -> String {
    list.iter()
        .map(|r| {
            let owner = r.owner.as_ref().map(|o| format!(" ({})", clean(o))).unwrap_or_default();
            format!("{}→{}{owner}", short_id(&r.from), short_id(&r.to))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn role_block(out: &mut String, r: &RoleNode) {
    let c = r.common.as_ref();
    let _ = writeln!(
        out,
        "{} (delegated by {}) v{}  expires {}{}  {}",
        clean(&r.name),
        clean(&r.delegator),
        or_dash(c.map(|c| c.version)),
        or_dash(c.map(|c| &c.expires)),
        if c.is_some_and(|c| c.expired) { " EXPIRED" } else { "" },
        if r.signatures.is_none() { String::new() } else { sig_summary(r.signatures.as_ref()) }
    );
    for check in r.signatures.iter().flat_map(|s| &s.checks).filter(|c| !c.valid) {
        let _ =
            writeln!(out, "  · {} did not count: {}", short_id(&check.keyid), or_dash(check.reason.as_ref()));
    }
    if let Some(n) = r.targets {
        let _ = writeln!(out, "  targets: {n}");
    }
    for k in r.delegation_keys.iter().flatten() {
        key_line(out, "  key ", k);
    }
    for d in r.delegations.iter().flatten() {
        let scope = match &d.scope {
            Scope::Succinct(b) => {
                format!(
                    "succinct bins {}…{} ({} bins, {} bits)",
                    clean(&b.first),
                    clean(&b.last),
                    b.bins,
                    b.bit_length
                )
            }
            Scope::Paths(p) => format!("paths {}", json_list(p)),
            Scope::HashPrefixes(p) => format!("path_hash_prefixes {}", json_list(p)),
        };
        let _ = writeln!(
            out,
            "  └→ {} {}-of-{}{}  {scope}",
            or_dash(d.name.as_ref()),
            d.threshold,
            d.keyids.len(),
            if d.terminating { " terminating" } else { "" }
        );
    }
}
