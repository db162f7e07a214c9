//! From a run's outcome to findings (DESIGN §3) and the typed per-role state
//! (DESIGN §4 `roles`, `targets`; `verdict::tuf_detail`): the reference-order failure decides the
//! category; everything else that can be known — each role's signatures
//! (k of n, which keys counted and why others did not), versions, expiry —
//! is reported beside it, along with weaknesses the reference accepts
//! (key ids not matching their keys, one key counted twice, non-spec times),
//! which are warnings, or errors under `--strict`.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde_json::json;
use time::OffsetDateTime;

use super::error::Category;
use super::metadata::{Common, Key, Root};
use super::session::{Outcome, TargetOutcome, TargetStatus};
use super::trusted_set::{RoleView, Trusted, TrustedSet, threshold_evidence};
use super::verify::VerificationResult;
use crate::crypto::KeyIdMatch;
use crate::meta::Location;
use crate::verdict::checks::{Check, CheckOutcome, Owners, signer_list};
use crate::verdict::tuf_detail::{AuditCheck, RoleCommon, RoleState, Roles, RootState, SignatureSummary};
use crate::verdict::{Document, InputFile, Kind, TargetResult, TrustAnchor};
use crate::verdict::{Evidence, Finding, Severity, Subject};

/// Offline roles expiring within this many days get a warning.
pub const EXPIRES_SOON_DAYS: i64 = 30;

/// Builds the JSON/text document of a run.
pub fn document(outcome: &Outcome, strict: bool) -> Document {
    let mut doc = summary(outcome, strict);
    doc.roles = Some(roles(outcome));
    doc.targets = Some(target_results(outcome));
    doc.checks = checks(outcome, &doc);
    doc
}

/// The checks the run performed (`verdict::checks`): each root version's
/// signers, then every role's signers and expiry, then each target.
pub fn checks(outcome: &Outcome, doc: &Document) -> Vec<Check> {
    let owners = owners(outcome);
    let mut out = root_history_checks(outcome, &owners);
    let empty = BTreeMap::new();
    out.extend(crate::verdict::checks::tuf_roles(
        doc.roles.as_ref().unwrap_or(&Roles::new()),
        doc.targets.as_ref().unwrap_or(&empty),
        &owners,
        &crate::meta::time::format(outcome.at),
    ));
    out
}

/// Key owners named by the trusted metadata (root's keys, then every
/// delegating role's keys).
pub fn owners(outcome: &Outcome) -> Owners {
    let mut owners = Owners::new();
    let Some(set) = &outcome.trusted else { return owners };
    // A key listed before its owner was named (tuf-on-ci relabels keys when
    // it adds the owner) is the same holder's: matched by key material.
    let by_material: BTreeMap<String, &String> = set
        .root_history()
        .iter()
        .flat_map(|r| r.meta.keys.values())
        .filter_map(|k| Some((k.material_id(), k.owner.as_ref()?)))
        .collect();
    let mut add = |k: &Key| {
        if let Some(o) = k.owner.as_ref().or_else(|| by_material.get(&k.material_id()).copied()) {
            owners.entry(k.keyid.clone()).or_insert_with(|| o.clone());
        }
    };
    for r in set.root_history().iter().rev() {
        r.meta.keys.values().for_each(&mut add);
    }
    for (_, _, t) in set.targets_roles() {
        if let Some(d) = &t.meta.delegations {
            d.keys.values().for_each(&mut add);
        }
    }
    owners
}

/// For each root version trusted in turn: which of its own root keys
/// signed it, against its threshold (§5.2 for the trusted root, §5.3.4 for
/// each new one, which a threshold of the previous root's keys also signed).
fn root_history_checks(outcome: &Outcome, owners: &Owners) -> Vec<Check> {
    let Some(set) = &outcome.trusted else { return Vec::new() };
    let mut out = Vec::new();
    for (i, r) in set.root_history().iter().enumerate() {
        if let Some(s) = set.root_signed_by_previous(i) {
            let (v, prev) = (r.meta.common.version, r.meta.common.version.saturating_sub(1));
            out.push(
                Check::new(
                    Subject::File { path: r.file.clone() },
                    format!("root v{v} signatures by root v{prev}"),
                    CheckOutcome::of(s.verified()),
                    format!(
                        "root v{v} signed by {} of threshold {} of root v{prev}'s root keys: {} (§5.3.4)",
                        s.count,
                        s.threshold,
                        signer_list(&s.signed, owners)
                    ),
                )
                .with_evidence(threshold_evidence(s)),
            );
        }
        out.push(own_root_check(i, r, owners));
    }
    out
}

/// Root `r` (at `i` in the history) against its own root keys.
fn own_root_check(i: usize, r: &Trusted<Root>, owners: &Owners) -> Check {
    let s = &r.signatures;
    let v = r.meta.common.version;
    let how = if i == 0 {
        "the trusted root (the anchor), checked against its own root keys (§5.2)".to_owned()
    } else {
        format!(
            "admitted after v{}: a threshold of that root's keys and of its own signed it (§5.3.4)",
            v.saturating_sub(1)
        )
    };
    Check::new(
        Subject::File { path: r.file.clone() },
        format!("root v{v} signatures"),
        CheckOutcome::of(s.verified()),
        format!(
            "root v{v} signed by {} of threshold {} of its root keys: {}; {how}",
            s.count,
            s.threshold,
            signer_list(&s.signed, owners)
        ),
    )
    .with_evidence(threshold_evidence(s))
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
    findings_screened(outcome, strict, true)
}

/// [`findings`] visiting every released role, not screening them first
/// ([`released_quiet`]): the general path, for the differential tests.
#[doc(hidden)]
pub fn findings_unscreened(outcome: &Outcome, strict: bool) -> Vec<Finding> {
    findings_screened(outcome, strict, false)
}

fn findings_screened(outcome: &Outcome, strict: bool, screen: bool) -> Vec<Finding> {
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
            role_weaknesses(&mut out, "root", &root.file, &root.signatures, &root.meta.common, strict);
            key_weaknesses(&mut out, root.meta.keys.values(), &root.file, &mut seen_keys, strict);
        }
        if let Some(ts) = set.timestamp() {
            role_weaknesses(&mut out, "timestamp", &ts.file, &ts.signatures, &ts.meta.common, strict);
            if !ts.meta.extra_meta.is_empty() {
                let f = Finding::warning(
                    crate::verdict::category::TIMESTAMP_META_EXTRA,
                    Subject::Role { name: "timestamp".into() },
                    format!(
                        "the timestamp's meta lists {} besides snapshot.json; the TUF specification (§4.6, timestamp.json) says it MUST only include snapshot.json (python-tuf drops the other entries)",
                        ts.meta.extra_meta.join(", ")
                    ),
                );
                out.push(f.escalate(strict));
            }
        }
        if let Some(s) = set.snapshot() {
            role_weaknesses(&mut out, "snapshot", &s.file, &s.signatures, &s.meta.common, strict);
        }
        let quiet = screen && released_quiet(set, outcome.at);
        for (name, _, t) in delegated_views(set, quiet) {
            role_weaknesses(&mut out, name, t.file, t.signatures, t.common, strict);
            if let Some(d) = t.delegations() {
                key_weaknesses(&mut out, d.keys.values(), t.file, &mut seen_keys, strict);
            }
        }
        expiry_findings(&mut out, outcome, strict, quiet);
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
    e.finding(subject, format!("{} ({})", e.message, e.rule))
}

fn role_weaknesses(
    out: &mut Vec<Finding>,
    name: &str,
    file: &str,
    signatures: &VerificationResult,
    common: &Common,
    strict: bool,
) {
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
            .at(Location::new(file, "/signed/expires"))
            .escalate(strict),
        );
    }
    for (first, second) in &signatures.duplicate_material {
        out.push(
            Finding::warning(
                crate::verdict::category::DUPLICATE_KEY_MATERIAL,
                subject(),
                format!(
                    "{name} v{}: key ids {first} and {second} are the same key; the reference counts it twice towards the threshold",
                    common.version
                ),
            )
            .with_evidence(threshold_evidence(signatures))
            .at(Location::new(file, "/signatures"))
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

/// Whether no released role yields a finding of [`role_weaknesses`] or
/// [`expiry_findings`]: then those passes visit only the roles held whole.
/// Screened without the roles' names (reaching each name's allocation was
/// most of those passes over 16,384 bins), once per expiry and signature
/// check that consecutive summaries share.
fn released_quiet(set: &TrustedSet, at: OffsetDateTime) -> bool {
    let mut last_quiet: Option<(*const Common, *const VerificationResult)> = None;
    set.released_summaries().all(|s| {
        let parts = (std::sync::Arc::as_ptr(&s.common), std::sync::Arc::as_ptr(&s.signatures));
        if last_quiet == Some(parts) {
            return true;
        }
        let quiet = s.common.expires_spec_form
            && s.signatures.duplicate_material.is_empty()
            && !expires_soon(&s.common, at);
        if quiet {
            last_quiet = Some(parts);
        }
        quiet
    })
}

/// The delegated roles (and top-level `targets`) the finding passes visit,
/// in name order: all of them, or the held ones when the released are
/// `quiet` ([`released_quiet`]).
fn delegated_views(set: &TrustedSet, quiet: bool) -> impl Iterator<Item = (&str, &str, RoleView<'_>)> {
    let all = (!quiet).then(|| set.role_views_in_order());
    let held = quiet.then(|| set.held_role_views());
    all.into_iter().flatten().chain(held.into_iter().flatten())
}

/// Not expired at `at`, and expiring within [`EXPIRES_SOON_DAYS`].
fn expires_soon(common: &Common, at: OffsetDateTime) -> bool {
    !common.is_expired(at) && (common.expires - at).whole_days() < EXPIRES_SOON_DAYS
}

fn expiry_findings(out: &mut Vec<Finding>, outcome: &Outcome, strict: bool, quiet: bool) {
    let Some(set) = &outcome.trusted else { return };
    let root = ("root", &set.root().meta.common, set.root().file.as_str());
    let delegated = delegated_views(set, quiet).map(|(name, _, t)| (name, t.common, t.file));
    for (name, common, file) in std::iter::once(root).chain(delegated) {
        let left = common.expires - outcome.at;
        if expires_soon(common, outcome.at) {
            out.push(
                Finding::warning(
                    crate::verdict::category::EXPIRES_SOON,
                    Subject::Role { name: name.to_owned() },
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

/// A signature check as the detail reports it.
pub fn signature_summary(r: &VerificationResult) -> SignatureSummary {
    SignatureSummary {
        threshold: r.threshold,
        count: r.count,
        valid: r.signed.clone(),
        checks: r.checks.clone(),
    }
}

/// Version and expiry of `common` at `at`.
pub fn role_common(common: &Common, at: OffsetDateTime) -> RoleCommon {
    RoleCommon {
        version: common.version,
        expires: common.expires_text.clone(),
        expired: common.is_expired(at),
        expires_in: remaining(common.expires - at),
    }
}

fn trusted_role<T>(
    t: &Trusted<T>,
    common: &Common,
    at: OffsetDateTime,
    delegator: Option<&str>,
) -> RoleState {
    role_state(&t.file, t.raw.len() as u64, &t.signatures, role_common(common, at), delegator)
}

fn role_state(
    file: &str,
    length: u64,
    signatures: &VerificationResult,
    common: RoleCommon,
    delegator: Option<&str>,
) -> RoleState {
    RoleState {
        file: Some(file.to_owned()),
        length: Some(length),
        common: Some(common),
        signatures: Some(signature_summary(signatures)),
        ..RoleState::trusted(delegator.map(str::to_owned))
    }
}

/// Delegated roles whose states [`roles`] builds into one map at a time, at least.
const ROLES_RUN: usize = 2048;

/// Per-role state after the run (DESIGN §4 `roles`): every trusted role,
/// the role a failed refresh rejected, the top-level roles it did not
/// reach (as read), and every delegated role an audit rejected.
pub fn roles(outcome: &Outcome) -> Roles {
    let Some(set) = &outcome.trusted else { return Roles::new() };
    let at = outcome.at;
    let root = set.root();
    let mut root_state = trusted_role(root, &root.meta.common, at, None);
    root_state.root = Some(RootState {
        history: set.root_history().iter().map(|r| r.meta.common.version).collect(),
        consistent_snapshot: root.meta.consistent_snapshot,
    });
    let mut entries: Vec<(String, RoleState)> = vec![("root".into(), root_state)];
    if let Some(t) = set.timestamp() {
        entries.push(("timestamp".into(), trusted_role(t, &t.meta.common, at, Some("root"))));
    }
    if let Some(s) = set.snapshot() {
        entries.push(("snapshot".into(), trusted_role(s, &s.meta.common, at, Some("root"))));
    }
    // Tens of thousands of roles after an audit of hash bins: built on all
    // cores a run of names at a time, each run a map, the maps merged in
    // order (`append` fills fresh nodes as it frees the merged ones): never
    // a list of every entry beside the map. A later entry of a name wins,
    // as inserting would.
    // One run per core when there are many: every merge moves each entry
    // it holds again (three times over 2,048-entry runs of 16,384 bins).
    let targets = set.role_views();
    let run_len = ROLES_RUN.max(targets.len().div_ceil(rayon::current_num_threads().max(1)));
    let delegated = targets
        .par_chunks(run_len)
        .map(|run| {
            // Hash bins signed together share one expiry: its text (a
            // `format!` of the time left) is made once, then copied.
            let mut shared: Option<(*const Common, RoleCommon)> = None;
            run.iter()
                .map(|(name, delegator, t)| {
                    let common = match shared.take() {
                        Some((of, common)) if std::ptr::eq(of, t.common) => common,
                        _ => role_common(t.common, at),
                    };
                    let mut state =
                        role_state(t.file, t.length, t.signatures, common.clone(), Some(delegator));
                    shared = Some((t.common, common));
                    state.targets = Some(t.targets);
                    ((*name).to_owned(), state)
                })
                .collect::<Roles>()
        })
        .reduce_with(|mut earlier, mut later| {
            earlier.append(&mut later);
            earlier
        });
    drop(targets);
    let mut roles: Roles = match delegated {
        Some(mut delegated) => {
            for (name, state) in entries {
                delegated.entry(name).or_insert(state);
            }
            delegated
        }
        None => entries.into_iter().collect(),
    };
    if let Err(e) = &outcome.refresh {
        roles
            .entry(e.role.clone())
            .or_insert_with(|| RoleState::rejected(e.category.verdict(), &e.message, None));
    }
    // What the refresh did not trust, as read: version, expiry, signatures.
    for u in &outcome.untrusted {
        let entry = roles.entry(u.role.clone()).or_insert_with(|| {
            RoleState::not_reached(Category::RefreshFailed.verdict(), "the refresh stopped before it")
        });
        entry.file = Some(u.file.clone());
        if let Some(c) = &u.common {
            entry.common = Some(role_common(c, at));
        }
        if let Some(sigs) = &u.signatures {
            entry.signatures = Some(signature_summary(sigs));
        }
        if let Some(e) = &u.error {
            entry.read_error = Some(e.clone());
        }
    }
    audit_states(&mut roles, outcome);
    roles
}

/// Audit results per delegation: a role delegated by several roles has one
/// entry per delegator in `audit`; a role no delegator admitted is rejected.
fn audit_states(roles: &mut Roles, outcome: &Outcome) {
    // The roles audited more than once (delegated by several roles): found
    // by sorting the names, not by counting every role in a map.
    let mut names: Vec<&str> = outcome.audit.iter().map(|a| a.role.as_str()).collect();
    names.sort_unstable();
    let repeated: BTreeSet<&str> = names.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    drop(names);
    let mut per_role: BTreeMap<&str, Vec<AuditCheck>> = BTreeMap::new();
    for a in outcome.audit.iter().filter(|a| repeated.contains(a.role.as_str())) {
        per_role.entry(a.role.as_str()).or_default().push(match &a.outcome {
            Ok(()) => AuditCheck {
                delegator: a.delegator.clone(),
                result: crate::verdict::category::OK,
                error: None,
            },
            Err(e) => AuditCheck {
                delegator: a.delegator.clone(),
                result: e.category.verdict(),
                error: Some(e.message.clone()),
            },
        });
    }
    for a in &outcome.audit {
        if let Err(e) = &a.outcome
            && !roles.contains_key(&a.role)
        {
            roles.insert(
                a.role.clone(),
                RoleState::rejected(e.category.verdict(), &e.message, Some(a.delegator.clone())),
            );
        }
    }
    for (role, checks) in per_role {
        if checks.len() > 1
            && let Some(entry) = roles.get_mut(role)
        {
            entry.audit = checks;
        }
    }
}

/// Per-target results (DESIGN §4 `targets`).
pub fn target_results(outcome: &Outcome) -> BTreeMap<String, TargetResult> {
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

/// Delegated roles hashed one by one; beyond, one group (count and total
/// size): a PEP 458 audit reads 16,384 bins.
pub const DELEGATED_INPUTS_LISTED: usize = 32;

/// The metadata files the run trusted, from the bytes it read: each root
/// version, timestamp, snapshot and top-level targets with size and sha256;
/// delegated roles one by one up to [`DELEGATED_INPUTS_LISTED`], else as
/// one group; then each target verified after download (its TUF-verified
/// length and sha256). `trusted_root` is the anchor file as read.
pub fn inputs(outcome: &Outcome, trusted_root: Option<(&str, &[u8])>) -> Vec<InputFile> {
    let mut out = Vec::new();
    if let Some((path, bytes)) = trusted_root {
        out.push(InputFile::of_bytes("trusted root", path, bytes));
    }
    let Some(set) = &outcome.trusted else { return out };
    for r in set.root_history().iter().skip(1) {
        out.push(InputFile::of_bytes(format!("root v{}", r.meta.common.version), &r.file, &r.raw));
    }
    if let Some(t) = set.timestamp() {
        out.push(InputFile::of_bytes("timestamp", &t.file, &t.raw));
    }
    if let Some(s) = set.snapshot() {
        out.push(InputFile::of_bytes("snapshot", &s.file, &s.raw));
    }
    if let Some((_, held)) = set.targets_role("targets") {
        out.push(InputFile::of_bytes("targets", &held.file, &held.raw));
    }
    // The delegated roles, passed over twice rather than gathered: tens of
    // thousands after an audit, and only their count and sizes are listed.
    let delegated =
        || set.role_views_in_order().filter(|(name, _, t)| !(*name == "targets" && t.held.is_some()));
    // Counted and summed without the merge into name order, which reaches
    // every released role's name.
    let held = || set.held_role_views().filter(|(name, _, _)| *name != "targets");
    let count = held().count() + set.released_summaries().len();
    let listed = |t: &RoleView<'_>| match (t.held, t.sha256) {
        (Some(held), _) => Some(InputFile::of_bytes("delegated targets", &held.file, &held.raw)),
        (None, Some(sha)) => {
            Some(InputFile::verified("delegated targets", t.file, t.length, Some(sha.to_owned())))
        }
        (None, None) => None,
    };
    let one_by_one: Option<Vec<InputFile>> = (count <= DELEGATED_INPUTS_LISTED)
        .then(|| delegated().map(|(_, _, t)| listed(&t)).collect())
        .flatten();
    match one_by_one {
        Some(files) => out.extend(files),
        None if count == 0 => {}
        None => {
            let size = held().map(|(_, _, t)| t.length).sum::<u64>()
                + set.released_summaries().map(|s| s.length).sum::<u64>();
            let dir = delegated()
                .next()
                .and_then(|(_, _, t)| std::path::Path::new(t.file).parent())
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            out.push(InputFile::group("delegated targets", dir, count as u64, size));
        }
    }
    out.extend(target_inputs(&outcome.targets, "target"));
    out
}

/// Targets downloaded and verified: their TUF-verified length and sha256.
pub fn target_inputs<'a>(targets: impl IntoIterator<Item = &'a TargetOutcome>, role: &str) -> Vec<InputFile> {
    targets
        .into_iter()
        .filter(|t| t.status == TargetStatus::Ok && t.length_verified.is_some())
        .filter_map(|t| {
            let info = t.info.as_ref()?;
            Some(InputFile::verified(role, &t.path, info.length, info.hashes.get("sha256").cloned()))
        })
        .collect()
}

/// The trust anchor of a run: the trusted root file and its version.
pub fn trust_anchor(outcome: &Outcome, file: &str) -> TrustAnchor {
    TrustAnchor {
        what: "trusted root".into(),
        files: vec![file.to_owned()],
        root_version: outcome
            .trusted
            .as_ref()
            .and_then(|s| s.root_history().first())
            .map(|r| r.meta.common.version),
    }
}
