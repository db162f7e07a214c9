//! Stages 10–11 when the inspections are not run (DESIGN §4, §9: never
//! execute a layout's commands unasked, never say "pass" for a check that
//! was not performed).
//!
//! python in-toto's `run_all_inspections` runs each inspection with
//! `in_toto_run(name, ["."], ["."], run)` in the current directory, one after
//! the other: the first inspection's materials are the files of the work
//! directory as they are now (`record_artifacts_as_dict` with the default
//! excludes). So without running anything, the first inspection's
//! `expected_materials` can be checked against the hashed work directory;
//! that is real evidence, and a rule it breaks is a real failure (an
//! adversary's swapped package fails here). Everything else — the products
//! of every inspection, the materials of later ones (an earlier inspection
//! may have changed the directory), and any rule that MATCHes against an
//! inspection — is unknown and reported as not run: an error finding per
//! inspection (`inspection-not-run`) that decides the verdict's category
//! only when no check that was performed failed.
//!
//! `--skip-inspections` is the explicit way out: the inspections and their
//! rules are left out of the verdict, and a warning per inspection says so
//! ("inspections skipped").

use std::sync::Arc;

use super::checks::report_section;
use super::engine::verify_item_rules;
use super::inspect::record_artifacts;
use super::metadata::Metadata;
use super::model::{Artifacts, Inspection, Layout, Link, show_command};
use super::rule::{ArtifactRule, ArtifactType};
use super::trace::InspectionTrace;
use super::verify::{Ctx, failure_at, source};
use super::{category, warning};
use crate::verdict::{Evidence, Finding, Subject};
use std::collections::BTreeMap;

/// The flag that runs the inspections, named in every "not run" message.
pub const RUN_FLAG: &str = "--run-inspections";
/// The flag that accepts a verdict without them.
pub const SKIP_FLAG: &str = "--skip-inspections";

/// What the inspections not run so far leave known, across the root layout
/// and its sublayouts (python runs a sublayout's inspections, in the same
/// directory, before the enclosing layout's).
#[derive(Debug, Default)]
pub struct Progress {
    /// Inspections met so far, in the order python would have run them.
    seen: usize,
    /// The work directory's files, hashed once.
    workdir: Option<Result<Arc<Artifacts>, String>>,
}

impl Progress {
    fn workdir(&mut self, dir: &std::path::Path) -> Result<Arc<Artifacts>, String> {
        self.workdir
            .get_or_insert_with(|| {
                record_artifacts(dir)
                    .map(Arc::new)
                    .map_err(|e| format!("cannot record the work directory {}: {e}", dir.display()))
            })
            .clone()
    }
}

/// Stages 10–11 of one layout without running its inspections: returns
/// their traces.
pub fn inspections_not_run(
    ctx: &mut Ctx<'_>,
    meta: &Metadata,
    layout: &Layout,
    reduced: &BTreeMap<String, Link>,
    scope: &[String],
) -> Vec<InspectionTrace> {
    if ctx.opts.skip_inspections {
        return layout.inspect.iter().map(|insp| skipped(ctx, meta, insp)).collect();
    }
    let names: Vec<&str> = layout.inspect.iter().map(|i| i.name.as_str()).collect();
    let mut traces = Vec::with_capacity(layout.inspect.len());
    for insp in &layout.inspect {
        let first = ctx.not_run.seen == 0;
        ctx.not_run.seen += 1;
        let mut it = InspectionTrace::of(insp);
        let checked = if !first {
            Err(
                "its materials are the work directory after the inspections before it, which were not run either",
            )
        } else if let Some(other) = matches_an_inspection(insp, &names) {
            Err(if other == insp.name {
                "a MATCH rule of its materials names its own link"
            } else {
                "a MATCH rule of its materials names an inspection that was not run"
            })
        } else {
            Ok(())
        };
        let materials = match checked {
            Ok(()) => ctx.not_run.workdir(&ctx.opts.workdir).map_err(|e| e.to_string()),
            Err(why) => Err(why.to_owned()),
        };
        let what = match materials {
            Ok(files) => {
                let mut link = Link::empty(Some(insp.name.clone()));
                link.command = insp.run.clone();
                link.materials = files;
                let m = verify_item_rules(ArtifactType::Materials, &insp.expected_materials, &link, reduced);
                report_section(ctx, meta, &insp.name, true, &insp.pointer, &m, scope);
                it.materials = Some(m);
                // No path: a bridge's work directory is a temporary one.
                "its expected_materials were checked against the files of the work directory (nothing was executed); its products are unknown, so its expected_products were not evaluated".to_owned()
            }
            Err(why) => format!("none of its rules were evaluated: {why}"),
        };
        it.not_evaluated = Some(format!("{RUN_FLAG} not given; {what}"));
        let f = not_run_finding(meta, insp, &names, &what);
        ctx.not_performed(f, failure_at(scope, Some(&insp.name)));
        traces.push(it);
    }
    traces
}

/// The finding for one inspection not run.
fn not_run_finding(meta: &Metadata, insp: &Inspection, names: &[&str], what: &str) -> Finding {
    let all = if names.len() > 1 {
        let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
        format!(" ({} inspections not run: {})", names.len(), quoted.join(", "))
    } else {
        String::new()
    };
    Finding::error(
        category::INSPECTION_NOT_RUN,
        Subject::Inspection { name: insp.name.clone() },
        format!(
            "inspection '{}' was not run (command {}), so the supply chain is not verified{all}: {what}. Run it with {RUN_FLAG} (in a scratch copy of the work directory), or accept a verdict without inspections with {SKIP_FLAG}.",
            insp.name,
            show_command(&insp.run),
        ),
    )
    .with_evidence(Evidence::Data { data: serde_json::json!({"argv": insp.run, "not_run": names}) })
    .at(source(meta, &insp.pointer))
}

/// `--skip-inspections`: a warning that says so, never escalated.
fn skipped(ctx: &mut Ctx<'_>, meta: &Metadata, insp: &Inspection) -> InspectionTrace {
    let f = Finding::warning(
        warning::INSPECTIONS_SKIPPED,
        Subject::Inspection { name: insp.name.clone() },
        format!(
            "inspections skipped ({SKIP_FLAG}): inspection '{}' (command {}) was not run and none of its rules were evaluated; the verdict does not cover it",
            insp.name,
            show_command(&insp.run)
        ),
    )
    .with_evidence(Evidence::Data { data: serde_json::json!({"argv": insp.run}) })
    .at(source(meta, &insp.pointer));
    // An explicit choice, not a weakness: --strict does not make it fail.
    ctx.info(f);
    InspectionTrace {
        not_evaluated: Some(format!("inspections skipped ({SKIP_FLAG})")),
        ..InspectionTrace::of(insp)
    }
}

/// The inspection a MATCH rule of `insp`'s materials takes its artifacts
/// from, if any: unknown without running it.
fn matches_an_inspection<'a>(insp: &Inspection, names: &[&'a str]) -> Option<&'a str> {
    insp.expected_materials.iter().find_map(|rule| match ArtifactRule::parse(rule) {
        Ok(ArtifactRule::Match(m)) => names.iter().find(|n| **n == m.dest_name).copied(),
        _ => None,
    })
}
