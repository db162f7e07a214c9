//! The checks an in-toto verification performed, in the reference's order
//! (in-toto spec §5; python `in_toto_verify`), as the typed list every face
//! renders (`verdict::checks`): the layout's signature by each key, its
//! expiry against the evaluation time, each step's links against its
//! threshold with the signers counted, each rule list, each inspection (run,
//! not run, skipped), and the same for every sublayout. Read from the
//! verification's trace and findings: nothing is checked again here.

use super::engine::SectionResult;
use super::trace::{InspectionTrace, LayoutTrace, LinkStatus, StepTrace};
use super::{InTotoOutcome, category};
use crate::verdict::checks::{Check, CheckOutcome, Owners, signer_list};
use crate::verdict::{Evidence, Finding, Severity, SignatureCheck, Subject};

/// Every check of `outcome`, root layout first, each sublayout after the
/// step that delegates to it.
pub fn checks(outcome: &InTotoOutcome, owners: &Owners) -> Vec<Check> {
    let mut out = Vec::new();
    layout(
        &mut out,
        &outcome.layout,
        &outcome.findings,
        owners,
        &crate::meta::time::format(outcome.evaluated_at),
    );
    out
}

/// "outer › step" for a step of a sublayout.
fn scoped(scope: &[String], name: &str) -> String {
    if scope.is_empty() { name.to_owned() } else { format!("{} › {name}", scope.join(" › ")) }
}

fn has_error(findings: &[Finding], category: crate::verdict::category::Category, subject: &Subject) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error && f.category == category && &f.subject == subject)
}

fn layout(out: &mut Vec<Check>, t: &LayoutTrace, findings: &[Finding], owners: &Owners, at: &str) {
    let subject = Subject::Layout { path: t.path.clone() };
    for s in &t.signatures {
        let detail = match &s.reason {
            None => {
                format!("{} signed by key {}", t.path, signer_list(std::slice::from_ref(&s.keyid), owners))
            }
            Some(why) => format!(
                "{} not signed by key {}: {why}",
                t.path,
                signer_list(std::slice::from_ref(&s.keyid), owners)
            ),
        };
        out.push(
            Check::new(subject.clone(), "layout signature", CheckOutcome::of(s.valid), detail)
                .with_evidence(Evidence::Signatures { checks: vec![s.clone()] }),
        );
    }
    if let Some(expires) = &t.expires {
        let expired = has_error(findings, category::LAYOUT_EXPIRED, &subject);
        let detail = if expired {
            format!("expired at {expires} (evaluated at {at})")
        } else {
            format!("expires {expires}, after the evaluation time {at}")
        };
        out.push(
            Check::new(subject.clone(), "expiry", CheckOutcome::of(!expired), detail)
                .with_evidence(Evidence::Expiry { expires: expires.clone(), evaluated_at: at.to_owned() }),
        );
    }
    for step in &t.steps {
        step_checks(out, &t.scope, step, owners);
        for sub in &step.sublayouts {
            layout(out, sub, findings, owners, at);
        }
    }
    for insp in &t.inspections {
        inspection(out, &t.scope, insp, findings);
    }
}

fn link_check(l: &super::trace::LinkTrace) -> SignatureCheck {
    let reason = match &l.status {
        LinkStatus::Verified => None,
        LinkStatus::Missing => Some(format!("no link file {}", l.path)),
        LinkStatus::Malformed(why) => Some(format!("{} is not valid link metadata: {why}", l.path)),
        LinkStatus::Unauthorized => Some("no layout key for this key id".to_owned()),
        LinkStatus::BadSignature(why) => Some(format!("{}: {why}", l.path)),
    };
    SignatureCheck { keyid: l.keyid.clone(), valid: reason.is_none(), reason }
}

fn step_checks(out: &mut Vec<Check>, scope: &[String], step: &StepTrace, owners: &Owners) {
    let name = scoped(scope, &step.name);
    let subject = || Subject::Step { name: name.clone() };
    let needed = u64::try_from(step.threshold).unwrap_or(0);
    let counted = step.verified.len() as u64;
    let detail = format!(
        "{counted} of threshold {needed} link(s) signed by the step's functionaries: {}",
        signer_list(&step.verified, owners)
    );
    out.push(
        Check::new(subject(), "link threshold", CheckOutcome::of(counted >= needed && needed > 0), detail)
            .with_evidence(Evidence::Threshold {
                needed,
                valid: step.verified.clone(),
                checks: step.links.iter().map(link_check).collect(),
            }),
    );
    rules(
        out,
        subject(),
        "expected_materials",
        step.expected_materials.len(),
        step.materials.as_ref(),
        step.not_evaluated.as_deref(),
    );
    rules(
        out,
        subject(),
        "expected_products",
        step.expected_products.len(),
        step.products.as_ref(),
        step.not_evaluated.as_deref(),
    );
}

/// One rule list: passed, the first rule that failed, or why it was not
/// evaluated.
fn rules(
    out: &mut Vec<Check>,
    subject: Subject,
    section: &str,
    count: usize,
    result: Option<&SectionResult>,
    not_evaluated: Option<&str>,
) {
    let check = match result {
        Some(r) => match r.first_failure() {
            None => Check::new(subject, section, CheckOutcome::Pass, format!("{count} rule(s), none failed")),
            Some(failed) => Check::new(
                subject,
                section,
                CheckOutcome::Fail,
                format!("rule {} of {count} failed: {}", failed.index + 1, failed.text()),
            )
            .with_evidence(Evidence::RuleTrace(failed.trace.clone())),
        },
        None => Check::new(
            subject,
            section,
            CheckOutcome::NotRun,
            not_evaluated.map_or_else(
                || format!("{count} rule(s) not evaluated"),
                |why| format!("not evaluated: {why}"),
            ),
        ),
    };
    out.push(check);
}

fn inspection(out: &mut Vec<Check>, scope: &[String], insp: &InspectionTrace, findings: &[Finding]) {
    let name = scoped(scope, &insp.name);
    let subject = Subject::Inspection { name: insp.name.clone() };
    let argv = super::model::show_command(&insp.run);
    let on_it = |c| findings.iter().find(|f| f.category == c && f.subject == subject);
    let check = match &insp.execution {
        Some(run) => {
            let failed = on_it(category::INSPECTION_FAILED).is_some_and(|f| f.severity == Severity::Error);
            Check::new(
                Subject::Inspection { name: name.clone() },
                "inspection",
                CheckOutcome::of(!failed),
                format!("ran {argv}: {}", run.outcome.describe()),
            )
        }
        None if on_it(crate::verdict::category::INSPECTIONS_SKIPPED).is_some() => Check::new(
            Subject::Inspection { name: name.clone() },
            "inspection",
            CheckOutcome::Skipped,
            format!("{argv} skipped (--skip-inspections)"),
        ),
        None => Check::new(
            Subject::Inspection { name: name.clone() },
            "inspection",
            CheckOutcome::NotRun,
            match &insp.not_evaluated {
                Some(why) => format!("{argv} not run: {why}"),
                None => format!("{argv} not run (--run-inspections runs it)"),
            },
        ),
    };
    let skipped = check.outcome == CheckOutcome::Skipped;
    out.push(check);
    let sub = Subject::Inspection { name };
    rules(
        out,
        sub.clone(),
        "expected_materials",
        insp.expected_materials.len(),
        insp.materials.as_ref(),
        insp.not_evaluated.as_deref(),
    );
    rules(
        out,
        sub,
        "expected_products",
        insp.expected_products.len(),
        insp.products.as_ref(),
        insp.not_evaluated.as_deref(),
    );
    if skipped {
        // Not evaluated by choice: the rules of a skipped inspection are skipped too.
        for c in out.iter_mut().rev().take(2).filter(|c| c.outcome == CheckOutcome::NotRun) {
            c.outcome = CheckOutcome::Skipped;
        }
    }
}
