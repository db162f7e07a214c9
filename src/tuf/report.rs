//! From a run's outcome to findings (DESIGN §3) and the per-role JSON state
//! (DESIGN §4 `roles`, `targets`): the reference-order failure decides the
//! category; everything else that can be known — each role's signatures
//! (k of n, which keys counted and why others did not), versions, expiry —
//! is reported beside it, along with weaknesses the reference accepts
//! (key ids not matching their keys, one key counted twice, non-spec times),
//! which are warnings, or errors under `--strict`.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::error::Category;
use super::metadata::{Common, Key};
use super::session::{Outcome, TargetStatus};
use super::trusted_set::{Trusted, threshold_evidence};
use super::verify::VerificationResult;
use crate::crypto::KeyIdMatch;
use crate::meta::Location;
use crate::verdict::{Document, Kind, TargetResult};
use crate::verdict::{Evidence, Finding, Severity, Subject};

/// Offline roles expiring within this many days get a warning.
pub const EXPIRES_SOON_DAYS: i64 = 30;

/// Builds the JSON/text document of a run.
pub fn document(outcome: &Outcome, strict: bool) -> Document {
    let mut doc = summary(outcome, strict);
    doc.roles = Some(roles_json(outcome));
    doc.targets = Some(targets_json(outcome));
    doc
}

/// [`document`] without the per-role and per-target detail: its verdict,
/// category and findings (what the engine's verdict unit keeps; the detail
/// of a 16,384-bin audit costs as much to build as its parsing).
pub fn summary(outcome: &Outcome, strict: bool) -> Document {
    let findings = findings(outcome, strict);
    let category = category(outcome, &findings);
    let mut doc = Document::new(Kind::Tuf, outcome.at, findings, category);
    doc.refresh = Some(if outcome.refresh.is_ok() { "ok" } else { "error" }.to_owned());
    doc
}

/// `category`: the refresh failure, else the first error finding (strict
/// escalations, failed targets, failed audited roles), else `ok`.
fn category(outcome: &Outcome, findings: &[Finding]) -> crate::verdict::category::Category {
    if let Err(e) = &outcome.refresh {
        return e.category.verdict();
    }
    findings.iter().find(|f| f.severity == Severity::Error).map_or(Category::Ok.verdict(), |f| f.category)
}

/// Every finding of a run, the deciding failure first.
pub fn findings(outcome: &Outcome, strict: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Err(e) = &outcome.refresh {
        out.push(error_finding(e, Subject::Role { name: e.role.clone() }));
    }
    for t in &outcome.targets {
        let subject = Subject::Target { path: t.path.clone() };
        match (&t.status, &t.error) {
            (TargetStatus::Error, Some(e)) => out.push(error_finding(e, subject)),
            (TargetStatus::NotFound, _) => {
                let why = if t.category == Category::DelegationLimit {
                    "the delegation search stopped at the limit of delegated roles with roles left to visit"
                } else {
                    "no role consulted by the delegation search lists it"
                };
                out.push(Finding::error(
                    t.category.verdict(),
                    subject,
                    format!("target {} not found: {why}", t.path),
                ));
            }
            _ => {}
        }
    }
    for a in &outcome.audit {
        if let Err(e) = &a.outcome {
            out.push(error_finding(e, Subject::Role { name: a.role.clone() }));
        }
    }
    if let Some(set) = &outcome.trusted {
        let mut seen_keys = BTreeSet::new();
        for root in set.root_history() {
            role_weaknesses(&mut out, "root", root, &root.meta.common, strict);
            key_weaknesses(&mut out, root.meta.keys.values(), &root.file, &mut seen_keys, strict);
        }
        if let Some(ts) = set.timestamp() {
            role_weaknesses(&mut out, "timestamp", ts, &ts.meta.common, strict);
        }
        if let Some(s) = set.snapshot() {
            role_weaknesses(&mut out, "snapshot", s, &s.meta.common, strict);
        }
        for (name, _, t) in set.targets_roles() {
            role_weaknesses(&mut out, name, t, &t.meta.common, strict);
            if let Some(d) = &t.meta.delegations {
                key_weaknesses(&mut out, d.keys.values(), &t.file, &mut seen_keys, strict);
            }
        }
        expiry_findings(&mut out, outcome, strict);
    }
    untrusted_findings(&mut out, outcome);
    out.extend(outcome.notes.iter().cloned().map(|f| f.escalate(strict)));
    out
}

/// One informational finding per top-level role a failed refresh did not
/// trust: what its file says, unverified by the workflow.
fn untrusted_findings(out: &mut Vec<Finding>, outcome: &Outcome) {
    let failed = outcome.refresh.as_ref().err().map(|e| e.role.as_str());
    for u in &outcome.untrusted {
        let how =
            if failed == Some(u.role.as_str()) { "failed the refresh" } else { "not reached by the refresh" };
        let what = match (&u.common, &u.signatures) {
            (Some(c), Some(s)) => format!(
                "{} v{} ({how}, not trusted): {} of the trusted root; expires {} ({})",
                u.role,
                c.version,
                s.summary(&u.role),
                c.expires_text,
                remaining(c.expires - outcome.at)
            ),
            _ => format!("{} ({how}, not trusted): {}", u.role, u.error.as_deref().unwrap_or("unreadable")),
        };
        let mut f = Finding::info(
            crate::verdict::category::UNTRUSTED_ROLE,
            Subject::Role { name: u.role.clone() },
            what,
        )
        .at(Location::new(&u.file, ""));
        if let Some(s) = &u.signatures {
            f = f.with_evidence(threshold_evidence(s));
        }
        out.push(f);
    }
}

fn error_finding(e: &super::TufError, subject: Subject) -> Finding {
    let mut f = Finding::error(e.category.verdict(), subject, format!("{} ({})", e.message, e.rule))
        .with_evidence((*e.evidence).clone());
    if let Some(loc) = &e.location {
        f = f.at((**loc).clone());
    }
    f
}

fn role_weaknesses<T>(out: &mut Vec<Finding>, name: &str, t: &Trusted<T>, common: &Common, strict: bool) {
    let subject = || Subject::Role { name: name.to_owned() };
    if !common.expires_spec_form {
        out.push(
            Finding::warning(
                crate::verdict::category::NON_CANONICAL_TIME,
                subject(),
                format!(
                    "{name} v{}: expires \"{}\" is not in the spec's form YYYY-MM-DDTHH:MM:SSZ (python-tuf refuses it)",
                    common.version, common.expires_text
                ),
            )
            .at(Location::new(&t.file, "/signed/expires"))
            .escalate(strict),
        );
    }
    for (first, second) in &t.signatures.duplicate_material {
        out.push(
            Finding::warning(
                crate::verdict::category::DUPLICATE_KEY_MATERIAL,
                subject(),
                format!(
                    "{name} v{}: key ids {first} and {second} are the same key; the reference counts it twice towards the threshold",
                    common.version
                ),
            )
            .with_evidence(threshold_evidence(&t.signatures))
            .at(Location::new(&t.file, "/signatures"))
            .escalate(strict),
        );
    }
}

fn key_weaknesses<'k>(
    out: &mut Vec<Finding>,
    keys: impl Iterator<Item = &'k Key>,
    file: &str,
    seen: &mut BTreeSet<String>,
    strict: bool,
) {
    for key in keys {
        if key.id_match == KeyIdMatch::Modern || !seen.insert(key.keyid.clone()) {
            continue;
        }
        out.push(
            Finding::warning(
                crate::verdict::category::KEYID_MISMATCH,
                Subject::Key { keyid: key.keyid.clone() },
                format!(
                    "key id {} is not the sha256 of its key ({}); spec §4 says clients MUST check it, python-tuf and go-tuf do not",
                    key.keyid, key.computed_keyid
                ),
            )
            .with_evidence(Evidence::Data {
                data: json!({"declared": key.keyid, "computed": key.computed_keyid}),
            })
            .at(Location::new(file, "/signed"))
            .escalate(strict),
        );
    }
}

fn expiry_findings(out: &mut Vec<Finding>, outcome: &Outcome, strict: bool) {
    let Some(set) = &outcome.trusted else { return };
    let mut offline: Vec<(String, &Common, &str)> =
        vec![("root".into(), &set.root().meta.common, &set.root().file)];
    for (name, _, t) in set.targets_roles() {
        offline.push((name.to_owned(), &t.meta.common, &t.file));
    }
    for (name, common, file) in offline {
        let left = common.expires - outcome.at;
        if !common.is_expired(outcome.at) && left.whole_days() < EXPIRES_SOON_DAYS {
            out.push(
                Finding::warning(
                    crate::verdict::category::EXPIRES_SOON,
                    Subject::Role { name: name.clone() },
                    format!(
                        "{name} v{} expires {} ({} left)",
                        common.version,
                        common.expires_text,
                        remaining(left)
                    ),
                )
                .with_evidence(Evidence::Expiry {
                    expires: common.expires_text.clone(),
                    evaluated_at: crate::meta::time::format(outcome.at),
                })
                .at(Location::new(file, "/signed/expires"))
                .escalate(strict),
            );
        }
    }
}

/// `3d 4h`, `5h 2m`, `42m`, or `expired 2d ago`.
pub fn remaining(d: time::Duration) -> String {
    let (neg, d) = if d.is_negative() { (true, -d) } else { (false, d) };
    let days = d.whole_days();
    let hours = d.whole_hours() % 24;
    let mins = d.whole_minutes() % 60;
    let text = if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins}m")
    } else {
        format!("{mins}m")
    };
    if neg { format!("expired {text} ago") } else { text }
}

/// The JSON of a signature check.
pub fn signatures_json(r: &VerificationResult) -> Value {
    json!({
        "threshold": r.threshold,
        "count": r.count,
        "valid": r.signed,
        "checks": r.checks.iter().map(|c| json!({"keyid": c.keyid, "valid": c.valid, "reason": c.reason})).collect::<Vec<_>>(),
    })
}

fn role_json<T>(t: &Trusted<T>, common: &Common, at: OffsetDateTime, delegator: Option<&str>) -> Value {
    json!({
        "trusted": true,
        "version": common.version,
        "expires": common.expires_text,
        "expired": common.is_expired(at),
        "expires_in": remaining(common.expires - at),
        "delegator": delegator,
        "file": t.file,
        "length": t.raw.len(),
        "signatures": signatures_json(&t.signatures),
    })
}

/// Per-role state after the run (DESIGN §4 `roles`).
pub fn roles_json(outcome: &Outcome) -> Value {
    let Some(set) = &outcome.trusted else { return Value::Object(serde_json::Map::new()) };
    let at = outcome.at;
    let root = set.root();
    let mut root_v = role_json(root, &root.meta.common, at, None);
    root_v["history"] = set.root_history().iter().map(|r| r.meta.common.version).collect::<Vec<_>>().into();
    root_v["consistent_snapshot"] = root.meta.consistent_snapshot.into();
    let mut entries: Vec<(String, Value)> = vec![("root".into(), root_v)];
    if let Some(t) = set.timestamp() {
        entries.push(("timestamp".into(), role_json(t, &t.meta.common, at, Some("root"))));
    }
    if let Some(s) = set.snapshot() {
        entries.push(("snapshot".into(), role_json(s, &s.meta.common, at, Some("root"))));
    }
    // Tens of thousands of roles after an audit of hash bins: built on all
    // cores, gathered in order (a later entry of a name wins, as inserting would).
    let targets: Vec<_> = set.targets_roles().collect();
    entries.par_extend(targets.par_iter().map(|(name, delegator, t)| {
        let mut v = role_json(t, &t.meta.common, at, Some(delegator));
        v["targets"] = t.meta.targets.len().into();
        ((*name).to_owned(), v)
    }));
    let mut roles: serde_json::Map<String, Value> = entries.into_iter().collect();
    if let Err(e) = &outcome.refresh
        && !roles.contains_key(&e.role)
    {
        roles.insert(
            e.role.clone(),
            json!({"trusted": false, "category": e.category.verdict(), "error": e.message}),
        );
    }
    // What the refresh did not trust, as read: version, expiry, signatures.
    for u in &outcome.untrusted {
        let entry = roles.entry(u.role.clone()).or_insert_with(|| {
            json!({"trusted": false, "reached": false, "category": Category::RefreshFailed.as_str(),
                   "error": "not trusted: the refresh stopped before it"})
        });
        entry["file"] = u.file.clone().into();
        if let Some(c) = &u.common {
            entry["version"] = c.version.into();
            entry["expires"] = c.expires_text.clone().into();
            entry["expired"] = c.is_expired(at).into();
            entry["expires_in"] = remaining(c.expires - at).into();
        }
        if let Some(sigs) = &u.signatures {
            entry["signatures"] = signatures_json(sigs);
        }
        if let Some(e) = &u.error {
            entry["read_error"] = e.clone().into();
        }
    }
    // Audit results per delegation: a role delegated by several roles has
    // one entry per delegator in `audit`; a role no delegator admitted is
    // not trusted.
    let mut audits: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &outcome.audit {
        *audits.entry(a.role.as_str()).or_default() += 1;
    }
    let mut per_role: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for a in outcome.audit.iter().filter(|a| audits[a.role.as_str()] > 1) {
        per_role.entry(a.role.as_str()).or_default().push(match &a.outcome {
            Ok(()) => json!({"delegator": a.delegator, "result": "ok"}),
            Err(e) => json!({"delegator": a.delegator, "result": e.category.verdict(), "error": e.message}),
        });
    }
    for a in &outcome.audit {
        if let Err(e) = &a.outcome
            && !roles.contains_key(&a.role)
        {
            roles.insert(
                a.role.clone(),
                json!({"trusted": false, "delegator": a.delegator, "category": e.category.verdict(), "error": e.message}),
            );
        }
    }
    for (role, checks) in per_role {
        if checks.len() > 1
            && let Some(entry) = roles.get_mut(role)
        {
            entry["audit"] = checks.into();
        }
    }
    Value::Object(roles)
}

/// Per-target results (DESIGN §4 `targets`).
pub fn targets_json(outcome: &Outcome) -> BTreeMap<String, TargetResult> {
    outcome
        .targets
        .iter()
        .map(|t| {
            let r = TargetResult {
                result: t.status.as_str().to_owned(),
                role: t.role.clone(),
                category: Some(t.category.verdict()),
                hashes: t.info.as_ref().map(|i| i.hashes.clone()).unwrap_or_default(),
                length: t.info.as_ref().map(|i| i.length),
            };
            (t.path.clone(), r)
        })
        .collect()
}
