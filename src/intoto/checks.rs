//! Stages 9–11 of verification (python `verify_all_item_rules` for steps,
//! `run_all_inspections`, `verify_all_item_rules` for inspections): the rule
//! sections of every step and inspection, turned into findings, plus the
//! weaknesses rules can have (no final `DISALLOW *`, a rule that consumed
//! nothing, suspicious artifact paths). Inspections run only when asked
//! (`--run-inspections`); otherwise [`super::not_run`] checks what can be
//! checked without executing anything.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::engine::{RuleOutcome, SectionResult, verify_item_rules};
use super::inspect::{RunOutcome, run_inspection};
use super::metadata::Metadata;
use super::model::{Layout, Link, show_command};
use super::rule::{ArtifactRule, ArtifactType};
use super::stages;
use super::trace::{InspectionTrace, LayoutTrace};
use super::verify::{Ctx, failure_at, source};
use super::{category, warning};
use crate::verdict::Failure;
use crate::verdict::{Evidence, Finding, Subject};

/// Stages 9–11 for one layout.
pub fn verify_rules_and_inspections(
    ctx: &mut Ctx<'_>,
    meta: &Metadata,
    layout: &Layout,
    reduced: &BTreeMap<String, Link>,
    scope: &[String],
    trace: &mut LayoutTrace,
) {
    // 9: step rules; MATCH may name steps only. The sections are evaluated
    // on all cores (each reads the links only), then reported in order.
    let evaluated: Vec<Option<(Vec<String>, SectionResult, SectionResult)>> = {
        use rayon::prelude::*;
        layout
            .steps
            .par_iter()
            .map(|step| {
                let link = reduced.get(&step.name)?;
                let ((bad, m), p) = rayon::join(
                    || {
                        rayon::join(
                            || suspicious_paths(link),
                            || stages::rule_section(step, ArtifactType::Materials, link, reduced),
                        )
                    },
                    || stages::rule_section(step, ArtifactType::Products, link, reduced),
                );
                Some((bad, m, p))
            })
            .collect()
    };
    for ((step, st), sections) in layout.steps.iter().zip(trace.steps.iter_mut()).zip(evaluated) {
        let Some((bad, m, p)) = sections else { continue };
        report_suspicious_paths(ctx, &step.name, bad);
        report_section(ctx, meta, &step.name, false, &step.pointer, &m, scope);
        report_section(ctx, meta, &step.name, false, &step.pointer, &p, scope);
        st.materials = Some(m);
        st.products = Some(p);
    }
    if !ctx.opts.run_inspections {
        trace.inspections = super::not_run::inspections_not_run(ctx, meta, layout, reduced, scope);
        return;
    }
    // 10: inspections, run one after the other in one scratch copy of the
    // work directory (each sees what the ones before it changed).
    let mut combined = reduced.clone();
    let mut inspections = Vec::with_capacity(layout.inspect.len());
    for insp in &layout.inspect {
        let mut it = InspectionTrace::of(insp);
        if let Some(link) = run_one(ctx, &insp.name, &insp.run, scope, &mut it) {
            combined.insert(insp.name.clone(), link);
        }
        inspections.push(it);
    }
    // 11: inspection rules; MATCH may name steps and inspections.
    for (insp, it) in layout.inspect.iter().zip(inspections.iter_mut()) {
        let Some(link) = combined.get(&insp.name) else { continue };
        let m = verify_item_rules(ArtifactType::Materials, &insp.expected_materials, link, &combined);
        report_section(ctx, meta, &insp.name, true, &insp.pointer, &m, scope);
        let p = verify_item_rules(ArtifactType::Products, &insp.expected_products, link, &combined);
        report_section(ctx, meta, &insp.name, true, &insp.pointer, &p, scope);
        it.materials = Some(m);
        it.products = Some(p);
    }
    trace.inspections = inspections;
}

/// Runs one inspection; returns its (unsigned) link.
fn run_one(
    ctx: &mut Ctx<'_>,
    name: &str,
    run: &[Value],
    scope: &[String],
    it: &mut InspectionTrace,
) -> Option<Link> {
    let subject = Subject::Inspection { name: name.to_owned() };
    let argv: Option<Vec<String>> = run.iter().map(|v| v.as_str().map(str::to_owned)).collect();
    let Some(argv) = argv else {
        let f = Finding::error(
            category::ERROR_OTHER,
            subject,
            format!("inspection '{name}': run {} has non-string elements", show_command(run)),
        );
        ctx.fail(f, failure_at(scope, Some(name)));
        return None;
    };
    let dir = match ctx.scratch() {
        Ok(d) => d.to_path_buf(),
        Err(e) => {
            ctx.fail(Finding::error(category::ERROR_OTHER, subject, e), failure_at(scope, Some(name)));
            return None;
        }
    };
    let shown = show_command(run);
    let notice = format!(
        "running inspection '{}': argv {} in {} (environment cleared but PATH, time limit {:?})",
        crate::sanitize::sanitize(name),
        crate::sanitize::sanitize(&format!("{argv:?}")),
        dir.display(),
        ctx.opts.inspection_timeout
    );
    tracing::info!("{notice}");
    if let Some(announce) = ctx.opts.announce {
        announce(&notice);
    }
    let mut exec = run_inspection(&argv, &dir, ctx.opts.inspection_timeout);
    let evidence = Evidence::Data {
        data: serde_json::json!({"argv": argv, "dir": dir.display().to_string(), "stderr": exec.stderr}),
    };
    let problem = match &exec.outcome {
        RunOutcome::Exited(0) => None,
        RunOutcome::Exited(code) => Some((
            category::INSPECTION_FAILED,
            format!("Got non-zero return value '{code}' from command '{shown}'."),
        )),
        RunOutcome::EmptyCommand => Some((
            category::INSPECTION_FAILED,
            format!("Got non-int return value 'None' from command '{shown}'."),
        )),
        RunOutcome::SpawnFailed(e) => {
            Some((category::ERROR_OTHER, format!("cannot run inspection command {shown}: {e}")))
        }
        RunOutcome::TimedOut => Some((
            category::LIMIT_EXCEEDED,
            format!(
                "inspection command {shown} exceeded the time limit of {:?} (--inspection-timeout) and was killed",
                ctx.opts.inspection_timeout
            ),
        )),
        RunOutcome::RecordFailed(e) => Some((
            category::ERROR_OTHER,
            format!("cannot record the work directory for inspection '{name}': {e}"),
        )),
    };
    if let Some((cat, msg)) = problem {
        let f = Finding::error(cat, subject, format!("inspection '{name}': {msg}")).with_evidence(evidence);
        ctx.fail(f, failure_at(scope, Some(name)));
    } else {
        let f = Finding::info(
            crate::verdict::category::INSPECTION_RUN,
            subject,
            format!("inspection '{name}' ran {shown} in {}", dir.display()),
        )
        .with_evidence(evidence);
        ctx.info(f);
    }
    let mut link = Link::empty(Some(name.to_owned()));
    link.command = run.to_vec();
    link.materials = Arc::new(std::mem::take(&mut exec.materials));
    link.products = Arc::new(std::mem::take(&mut exec.products));
    if let RunOutcome::Exited(code) = exec.outcome {
        link.byproducts = serde_json::json!({"return-value": code});
    }
    it.execution = Some(exec);
    Some(link)
}

/// Turns a section's results into findings: each failing rule is an error
/// (the first one is what python raises), plus weaknesses as warnings.
pub(super) fn report_section(
    ctx: &mut Ctx<'_>,
    meta: &Metadata,
    item: &str,
    is_inspection: bool,
    pointer: &str,
    section: &SectionResult,
    scope: &[String],
) {
    let section_name = section.section_name();
    for r in &section.rules {
        let subject = Subject::Rule {
            step: item.to_owned(),
            section: section_name.to_owned(),
            index: r.index,
            text: r.text(),
        };
        let at = source(meta, &format!("{pointer}/{section_name}/{}", r.index));
        let (cat, msg, artifact) = match &r.outcome {
            RuleOutcome::Ok => {
                consumed_nothing(ctx, item, section_name, r, subject, at);
                continue;
            }
            RuleOutcome::Disallowed(hits) => (
                category::RULE_DISALLOW,
                format!(
                    "'{}' in {section_name} of '{item}' matched the following artifacts: {}{}",
                    r.text(),
                    summarize(hits, 10),
                    why_unconsumed(section, r.index, hits)
                ),
                hits.first().cloned(),
            ),
            RuleOutcome::RequireMissing(name) => (
                category::RULE_REQUIRE,
                format!(
                    "'{}' in {section_name} of '{item}' did not find {name} in the remaining artifacts",
                    r.text()
                ),
                Some(name.clone()),
            ),
            RuleOutcome::Malformed(e) => {
                (category::METADATA_INVALID, format!("rule {} of '{item}': {e}", r.text()), None)
            }
        };
        let mut evidence = r.trace.clone();
        if let RuleOutcome::Disallowed(hits) = &r.outcome {
            evidence.unmatched = earlier_unmatched(section, r.index, hits);
        }
        let f = Finding::error(cat, subject, msg).with_evidence(Evidence::RuleTrace(evidence)).at(at);
        let failure =
            Failure { step: Some(item.to_owned()), rule: Some(r.text()), artifact, scope: scope.to_vec() };
        ctx.fail(f, failure);
    }
    let last_is_disallow_all =
        section.rules.last().and_then(|r| r.parsed.as_ref()).is_some_and(ArtifactRule::is_disallow_all);
    if !section.rules.is_empty() && !last_is_disallow_all {
        let subject = if is_inspection {
            Subject::Inspection { name: item.to_owned() }
        } else {
            Subject::Step { name: item.to_owned() }
        };
        let f = Finding::warning(
            warning::NO_FINAL_DISALLOW,
            subject,
            format!("{section_name} of '{item}' does not end with DISALLOW *: artifacts no rule mentions are allowed"),
        )
        .at(source(meta, &format!("{pointer}/{section_name}")));
        ctx.weak(f);
    }
}

fn consumed_nothing(
    ctx: &mut Ctx<'_>,
    item: &str,
    section_name: &str,
    r: &super::engine::RuleResult,
    subject: Subject,
    at: crate::meta::Location,
) {
    let consuming = matches!(
        r.parsed,
        Some(
            ArtifactRule::Create(_)
                | ArtifactRule::Delete(_)
                | ArtifactRule::Modify(_)
                | ArtifactRule::Allow(_)
                | ArtifactRule::Match(_)
        )
    );
    if !consuming || !r.trace.consumed.is_empty() {
        return;
    }
    let mut msg = format!("'{}' in {section_name} of '{item}' consumed nothing", r.text());
    if let Some(u) = r.trace.unmatched.first() {
        msg.push_str(&format!(
            "; e.g. {} has no equal artifact {} in {} ({})",
            u.path, u.dest_path, u.dest_step, u.reason
        ));
    }
    let f = Finding::warning(warning::RULE_CONSUMED_NOTHING, subject, msg)
        .with_evidence(Evidence::RuleTrace(r.trace.clone()))
        .at(at);
    ctx.weak(f);
}

/// MATCH results of earlier rules for the artifacts a DISALLOW hit.
fn earlier_unmatched(
    section: &SectionResult,
    upto: usize,
    hits: &[String],
) -> Vec<crate::verdict::UnmatchedArtifact> {
    section
        .rules
        .iter()
        .take(upto)
        .flat_map(|r| r.trace.unmatched.iter())
        .filter(|u| hits.contains(&u.path))
        .cloned()
        .collect()
}

/// A sentence saying why hit artifacts were not consumed by an earlier MATCH.
fn why_unconsumed(section: &SectionResult, upto: usize, hits: &[String]) -> String {
    let mut out = String::new();
    for r in section.rules.iter().take(upto) {
        for u in r.trace.unmatched.iter().filter(|u| hits.contains(&u.path)).take(3) {
            let what = match u.reason.as_str() {
                "hash-mismatch" => format!("its hashes differ from {} of '{}'", u.dest_path, u.dest_step),
                "unknown-step" => format!("there is no verified link of step '{}'", u.dest_step),
                _ => format!("'{}' has no artifact {}", u.dest_step, u.dest_path),
            };
            out.push_str(&format!("; '{}' did not consume {}: {what}", r.text(), u.path));
        }
    }
    out
}

/// A list shown with at most `max` entries.
pub fn summarize(items: &[String], max: usize) -> String {
    let shown: Vec<String> = items.iter().take(max).map(|s| format!("'{s}'")).collect();
    if items.len() > max {
        format!("[{}, … and {} more]", shown.join(", "), items.len() - max)
    } else {
        format!("[{}]", shown.join(", "))
    }
}

fn suspicious(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

/// Control, bidi and zero-width characters in artifact paths (a warning).
fn suspicious_paths(link: &Link) -> Vec<String> {
    // Printable ASCII (nearly every path) needs no look at its characters.
    let plain = |p: &str| p.bytes().all(|b| (0x20..0x7f).contains(&b));
    link.materials
        .keys()
        .chain(link.products.keys())
        .filter(|p| !plain(p) && p.chars().any(suspicious))
        .cloned()
        .collect()
}

fn report_suspicious_paths(ctx: &mut Ctx<'_>, item: &str, bad: Vec<String>) {
    if bad.is_empty() {
        return;
    }
    let escaped: Vec<String> = bad.iter().map(|p| p.escape_default().to_string()).collect();
    let f = Finding::warning(
        warning::SUSPICIOUS_PATH,
        Subject::Step { name: item.to_owned() },
        format!(
            "link of '{item}' has artifact paths with control, bidi or zero-width characters: {}",
            summarize(&escaped, 5)
        ),
    )
    .with_evidence(Evidence::Data { data: serde_json::json!({"paths": bad}) });
    ctx.weak(f);
}
