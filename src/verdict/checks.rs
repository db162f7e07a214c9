//! The checks a run performed, each with its outcome (DESIGN §3, issue #16
//! "reports that are evidence"): layout signatures by key, expiry against
//! the evaluation time, each step's links against its threshold, each rule
//! list, each inspection; each TUF role's version, signers against the
//! threshold and expiry, each root version's signers, each target's length
//! and hashes; a bridge's binding of the product to the TUF target.
//!
//! One list, built from the verifiers' outcomes and kept in the
//! [`super::Document`] (`checks`), so every face renders the same truth.
//! The in-toto list is built by `intoto::performed` (it reads the layout's
//! trace); the TUF list from the typed role detail here ([`tuf_roles`]) and
//! the root history by `tuf::report`. A check is listed only when it was
//! performed, or says it was not (`not-run`, `skipped`): no face says "pass"
//! for a check it did not perform.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::document::TargetResult;
use super::finding::{Evidence, Subject};
use super::tuf_detail::{RoleTrust, Roles};

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckOutcome {
    Pass,
    Fail,
    /// Could not be performed (an earlier failure, an inspection not run).
    NotRun,
    /// Deliberately not performed (`--skip-inspections`).
    Skipped,
}

impl CheckOutcome {
    /// Glyph and word: status never by colour alone.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "✔ pass",
            Self::Fail => "✘ fail",
            Self::NotRun => "○ not run",
            Self::Skipped => "– skipped",
        }
    }

    pub fn of(passed: bool) -> Self {
        if passed { Self::Pass } else { Self::Fail }
    }
}

/// One check performed (or named as not performed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub subject: Subject,
    /// The check, in a few words: `layout signature`, `expiry`,
    /// `link threshold`, `expected_materials`, `inspection`, `signatures`, ….
    pub what: String,
    pub outcome: CheckOutcome,
    /// One sentence for people, raw (faces sanitize): the figures and the
    /// signers by name where the metadata names them.
    pub detail: String,
    pub evidence: Evidence,
    /// Bridge: the stage the check belongs to (`tuf`, `in-toto`, `product-binding`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
}

impl Check {
    pub fn new(
        subject: Subject,
        what: impl Into<String>,
        outcome: CheckOutcome,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            subject,
            what: what.into(),
            outcome,
            detail: detail.into(),
            evidence: Evidence::None,
            stage: None,
        }
    }

    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = evidence;
        self
    }

    pub fn in_stage(mut self, stage: impl Into<String>) -> Self {
        self.stage = Some(stage.into());
        self
    }
}

/// Key owners by key id, where the metadata names them
/// (`x-tuf-on-ci-keyowner`, in-toto functionary names).
pub type Owners = BTreeMap<String, String>;

/// "@lance (3c344aa0)" or "3c344aa0" when nobody is named: a key for people.
pub fn key_label(keyid: &str, owners: &Owners) -> String {
    let short = keyid.get(..8).unwrap_or(keyid);
    match owners.get(keyid) {
        Some(name) => format!("{name} ({short})"),
        None => short.to_owned(),
    }
}

/// The signers of a threshold check, by name where known.
pub fn signer_list(keyids: &[String], owners: &Owners) -> String {
    if keyids.is_empty() {
        return "no key".to_owned();
    }
    keyids.iter().map(|k| key_label(k, owners)).collect::<Vec<_>>().join(", ")
}

/// Delegated roles listed one by one; beyond, one summary check per
/// outcome (a PEP 458 audit has 16,384 bins).
pub const ROLES_LISTED: usize = 32;

/// The checks of every role of a TUF run's `roles` detail (top-level roles
/// first), then each requested target's length and hashes.
pub fn tuf_roles(
    roles: &Roles,
    targets: &BTreeMap<String, TargetResult>,
    owners: &Owners,
    evaluated_at: &str,
) -> Vec<Check> {
    let mut out = Vec::new();
    let top = ["root", "timestamp", "snapshot", "targets"];
    for name in top {
        if let Some(r) = roles.get(name) {
            role_checks(&mut out, name, r, owners, evaluated_at);
        }
    }
    let delegated: Vec<_> = roles.iter().filter(|(n, _)| !top.contains(&n.as_str())).collect();
    for (name, r) in delegated.iter().take(ROLES_LISTED) {
        role_checks(&mut out, name, r, owners, evaluated_at);
    }
    let rest = delegated.get(ROLES_LISTED..).unwrap_or_default();
    if !rest.is_empty() {
        let trusted = rest.iter().filter(|(_, r)| r.is_trusted()).count();
        let failed = rest.len() - trusted;
        out.push(Check::new(
            Subject::Role { name: format!("{} more delegated roles", rest.len()) },
            "signatures and expiry",
            CheckOutcome::of(failed == 0),
            format!(
                "{trusted} of {} further delegated roles trusted (signatures met their delegator's threshold, not expired){}",
                rest.len(),
                if failed > 0 { format!("; {failed} rejected (see the findings)") } else { String::new() }
            ),
        ));
    }
    for (path, t) in targets {
        out.push(target_check(path, t));
    }
    out
}

fn role_checks(
    out: &mut Vec<Check>,
    name: &str,
    r: &super::tuf_detail::RoleState,
    owners: &Owners,
    at: &str,
) {
    let subject = || Subject::Role { name: name.to_owned() };
    let version = r.common.as_ref().map(|c| format!("v{} ", c.version)).unwrap_or_default();
    match (&r.signatures, &r.trust) {
        (Some(s), _) => {
            let needed = s.threshold;
            let detail = format!(
                "{name} {version}signed by {} of threshold {needed}: {}",
                s.count,
                signer_list(&s.valid, owners)
            );
            out.push(Check::new(subject(), "signatures", CheckOutcome::of(s.met()), detail).with_evidence(
                Evidence::Threshold { needed, valid: s.valid.clone(), checks: s.checks.clone() },
            ));
        }
        (None, RoleTrust::Rejected { error, .. }) => {
            out.push(Check::new(
                subject(),
                "verification",
                CheckOutcome::Fail,
                format!("{name} rejected: {error}"),
            ));
        }
        (None, RoleTrust::NotReached { error, .. }) => {
            out.push(Check::new(
                subject(),
                "verification",
                CheckOutcome::NotRun,
                format!("{name} not trusted: {error}"),
            ));
        }
        (None, RoleTrust::Trusted) => {}
    }
    if let Some(c) = &r.common {
        let (outcome, when) = if c.expired {
            (CheckOutcome::Fail, c.expires_in.clone())
        } else {
            (CheckOutcome::Pass, format!("{} left", c.expires_in))
        };
        out.push(
            Check::new(
                subject(),
                "expiry",
                outcome,
                format!("{name} {version}expires {} ({when} at {at})", c.expires),
            )
            .with_evidence(Evidence::Expiry { expires: c.expires.clone(), evaluated_at: at.to_owned() }),
        );
    }
}

fn target_check(path: &str, t: &TargetResult) -> Check {
    let hashes: Vec<String> = t.hashes.iter().map(|(a, h)| format!("{a} {h}")).collect();
    let listed = match (t.length, &t.role) {
        (Some(len), Some(role)) => format!("listed by {role} with length {len}, {}", hashes.join(", ")),
        (Some(len), None) => format!("length {len}, {}", hashes.join(", ")),
        _ => "not listed by any role consulted".to_owned(),
    };
    let outcome = CheckOutcome::of(t.result == "ok");
    Check::new(
        Subject::Target { path: path.to_owned() },
        "length and hashes",
        outcome,
        format!("{}; {listed}", t.result),
    )
    .with_evidence(Evidence::Data { data: json!({"length": t.length, "hashes": t.hashes}) })
}

/// How many checks ended each way: (pass, fail, not run or skipped).
pub fn tally(checks: &[Check]) -> (usize, usize, usize) {
    let pass = checks.iter().filter(|c| c.outcome == CheckOutcome::Pass).count();
    let fail = checks.iter().filter(|c| c.outcome == CheckOutcome::Fail).count();
    (pass, fail, checks.len() - pass - fail)
}
