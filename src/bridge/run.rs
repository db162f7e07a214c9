//! The stages, in the reference's order (corpus README-bridge, "How the
//! verdict was obtained"):
//!
//! 1. TUF refresh;
//! 2. the package target (lookup, download);
//! 3. its layout: the single distinct `.layout` entry of the package's
//!    `custom["in-toto"]`, downloaded through TUF;
//! 4. the layout's keys: the layout target's type is checked, then every
//!    `.pub` entry of its `custom["in-toto"]` is downloaded;
//! 5. the package's links: the package's type is checked, then every
//!    `.link` entry is downloaded;
//! 6. in-toto verification in a flat directory holding all of them;
//! 7. the product binding.
//!
//! The first failure decides stage and category. TUF and custom checks go on
//! after a failure where they still can (so the report lists every target
//! that is missing); in-toto runs only on a complete, verified set.

use std::collections::BTreeMap;

use super::custom::{self, category as cc};
use super::fetch::{Cache, Fetched, failure_finding};
use super::workdir::{Workdir, basename};
use super::{BridgeOutcome, FirstFailure, Purpose, Request, Stage, Trace, binding};
use crate::crypto::PublicKey;
use crate::intoto::{self, InTotoOutcome, VerifyOptions};
use crate::tuf::session::{Outcome as TufOutcome, TargetOutcome};
use crate::tuf::{TargetFile, Updater};
use crate::verdict::Verdict;
use crate::verdict::{Evidence, Finding, Severity, Subject};

/// Our warning categories (errors under `--strict`).
pub mod warning {
    /// A layout or layout key is signed by a delegated role, not by the
    /// offline top-level targets role as ITE-2 and ITE-3 prescribe.
    pub const LAYOUT_NOT_TOP_LEVEL: crate::verdict::category::Category =
        crate::verdict::category::LAYOUT_NOT_FROM_TOP_LEVEL_TARGETS;
    /// Two listed files share a basename in the flat verification directory.
    pub const BASENAME_COLLISION: crate::verdict::category::Category =
        crate::verdict::category::BASENAME_COLLISION;
}

/// Notes (info findings).
pub mod note {
    pub const STAGE_SKIPPED: crate::verdict::category::Category = crate::verdict::category::STAGE_NOT_RUN;
    pub const TARGET_VERIFIED: crate::verdict::category::Category = crate::verdict::category::TARGET_VERIFIED;
}

struct Run {
    findings: Vec<Finding>,
    first: Option<FirstFailure>,
    trace: Trace,
    cache: Cache,
    fetched: Vec<(Purpose, TargetOutcome)>,
    /// Verified files for the verification directory, in download order.
    files: Vec<(String, Vec<u8>)>,
    strict: bool,
}

impl Run {
    fn fail(&mut self, stage: Stage, finding: Finding, first: FirstFailure) {
        if self.first.is_none() {
            self.first = Some(first);
        }
        self.findings.push(finding.in_stage(stage.as_str()));
    }

    fn push(&mut self, stage: Stage, finding: Finding) {
        self.findings.push(finding.in_stage(stage.as_str()));
    }

    fn weak(&mut self, stage: Stage, finding: Finding) {
        let f = finding.escalate(self.strict);
        if f.severity == Severity::Error && self.first.is_none() {
            self.first = Some(FirstFailure {
                stage,
                category: f.category,
                failed_target: match &f.subject {
                    Subject::Target { path } => Some(path.clone()),
                    _ => None,
                },
                role: None,
                step: None,
                rule: None,
                artifact: None,
                message: f.message.clone(),
            });
        }
        self.push(stage, f);
    }

    fn custom_fail(&mut self, target: &str, category: crate::verdict::category::Category, message: String) {
        let f = Finding::error(category, Subject::Target { path: target.to_owned() }, message.clone());
        self.fail(
            Stage::CustomMetadata,
            f,
            FirstFailure {
                stage: Stage::CustomMetadata,
                category,
                failed_target: Some(target.to_owned()),
                role: None,
                step: None,
                rule: None,
                artifact: None,
                message,
            },
        );
    }

    /// `_download_with_tuf(path)`: the target's info when it was found and downloaded.
    fn download(&mut self, updater: &mut Updater<'_>, path: &str, purpose: Purpose) -> Option<Fetched> {
        let (f, fresh) = self.cache.get(updater, path);
        if fresh {
            self.fetched.push((purpose, f.outcome.clone()));
        }
        if f.ok() {
            if self.first.is_none() {
                self.trace.downloaded.push(path.to_owned());
            }
            if fresh && let Some(data) = &f.data {
                self.files.push((path.to_owned(), data.clone()));
            }
            return Some(f);
        }
        if fresh {
            let finding = failure_finding(&f.outcome, purpose.word());
            let first = FirstFailure {
                stage: Stage::Tuf,
                category: f.outcome.category.verdict(),
                failed_target: Some(path.to_owned()),
                role: f.outcome.role.clone(),
                step: None,
                rule: None,
                artifact: None,
                message: finding.message.clone(),
            };
            self.fail(Stage::Tuf, finding, first);
        }
        None
    }

    /// A layout or layout key not listed by top-level targets.
    fn check_top_level(&mut self, f: &Fetched, purpose: Purpose) {
        if let Some(role) = &f.outcome.role
            && role != "targets"
        {
            let finding = Finding::warning(
                warning::LAYOUT_NOT_TOP_LEVEL,
                Subject::Target { path: f.outcome.path.clone() },
                format!(
                    "{} {} is signed by the delegated role {role}, not by top-level targets: whoever holds that role's keys (an online key, in ITE-2/ITE-3) can choose the supply chain's layout and its owner keys",
                    purpose.word(),
                    f.outcome.path
                ),
            );
            self.weak(Stage::Tuf, finding);
        }
    }
}

/// Verifies `req.target` end to end.
pub fn verify(req: &Request<'_>) -> BridgeOutcome {
    let mut run = Run {
        findings: Vec::new(),
        first: None,
        trace: Trace::default(),
        cache: Cache::default(),
        fetched: Vec::new(),
        files: Vec::new(),
        strict: req.strict,
    };
    let mut config = req.config.clone();
    config.strict = req.strict;
    config.written_signature_form = req.signature_form == intoto::SignatureForm::Written;
    let mut tuf = TufOutcome {
        trusted: None,
        refresh: Ok(()),
        targets: Vec::new(),
        audit: Vec::new(),
        untrusted: Vec::new(),
        notes: Vec::new(),
        at: req.at,
        config: config.clone(),
    };
    let mut intoto_outcome = None;
    let mut skipped = Vec::new();
    match Updater::new(&req.root_bytes, &req.root_file, req.metadata, req.at, config) {
        Err(e) => tuf.refresh = Err(e),
        Ok(updater) => {
            let mut updater = updater.with_targets(req.targets);
            tuf.refresh = updater.refresh();
            if tuf.refresh.is_ok() {
                let (o, s) = stages(&mut run, &mut updater, req);
                intoto_outcome = o;
                skipped = s;
            }
            tuf.notes = updater.notes().to_vec();
            tuf.trusted = Some(updater.trusted().clone());
        }
    }
    // TUF findings: the refresh failure, weaknesses of every trusted role, notes.
    let mut tuf_findings = crate::tuf::report::findings(&tuf, req.strict);
    if let Err(e) = &tuf.refresh {
        run.first = Some(FirstFailure {
            stage: Stage::Tuf,
            category: e.category.verdict(),
            failed_target: None,
            role: Some(e.role.clone()),
            step: None,
            rule: None,
            artifact: None,
            message: e.to_string(),
        });
    } else if run.first.is_none()
        && let Some(f) = tuf_findings.iter().find(|f| f.severity == Severity::Error)
    {
        // Only strict escalations of TUF weaknesses failed.
        run.first = Some(FirstFailure {
            stage: Stage::Tuf,
            category: f.category,
            failed_target: None,
            role: None,
            step: None,
            rule: None,
            artifact: None,
            message: f.message.clone(),
        });
    }
    for f in &mut tuf_findings {
        f.stage = Some(Stage::Tuf.as_str().to_owned());
    }
    let mut findings = tuf_findings;
    findings.append(&mut run.findings);
    tuf.targets = run.fetched.iter().map(|(_, t)| t.clone()).collect();
    let verdict = if findings.iter().any(|f| f.severity == Severity::Error) || run.first.is_some() {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    BridgeOutcome {
        target: req.target.clone(),
        at: req.at,
        verdict,
        category: run.first.as_ref().map_or(crate::verdict::category::PASS, |f| f.category),
        first: run.first,
        findings,
        trace: run.trace,
        fetched: run.fetched,
        tuf,
        intoto: intoto_outcome,
        run_inspections: req.run_inspections,
        skip_inspections: req.skip_inspections && !req.run_inspections,
        inspections_skipped: skipped,
        strict: req.strict,
    }
}

/// Stages 2–7 after a successful refresh.
fn stages(
    run: &mut Run,
    updater: &mut Updater<'_>,
    req: &Request<'_>,
) -> (Option<InTotoOutcome>, Vec<String>) {
    let target = req.target.as_str();
    // 2: the package.
    let Some(package) = run.download(updater, target, Purpose::Package) else {
        // Without its target info there is no custom to follow.
        let Some(pkg_info) = run.cache.get(updater, target).0.outcome.info.clone() else {
            return (None, Vec::new());
        };
        // The download failed but the info is there: report what else is missing.
        follow_custom(run, updater, target, &pkg_info);
        return (None, Vec::new());
    };
    let pkg_info = package.info().cloned().unwrap_or_else(empty_info);
    let Some(layout_path) = follow_custom(run, updater, target, &pkg_info) else {
        return (None, Vec::new());
    };
    if run.first.is_some() {
        run.push(
            Stage::InToto,
            Finding::info(
                note::STAGE_SKIPPED,
                Subject::Target { path: target.to_owned() },
                "in-toto verification and the product binding were not run: an earlier stage failed",
            ),
        );
        return (None, Vec::new());
    }
    // 6: in-toto in the flat directory.
    let Some(outcome) = run_intoto(run, req, &layout_path) else { return (None, Vec::new()) };
    let skipped: Vec<String> = if req.run_inspections {
        Vec::new()
    } else {
        outcome.layout.inspections.iter().map(|i| i.name.clone()).collect()
    };
    // 7: the product binding (also evaluated after an in-toto failure, as a
    // second opinion, once the last step's link is known).
    let last_step_used = outcome.layout.steps.last().is_some_and(|s| s.used_link.is_some());
    let intoto_failed = outcome.verdict == Verdict::Fail;
    if !intoto_failed || last_step_used {
        let product = basename(target);
        let sha = pkg_info.hashes.get("sha256").map(String::as_str);
        if let Some(b) = binding::evaluate(&outcome, product, sha) {
            let served =
                binding::Served { target, hashes: &pkg_info.hashes, role: package.outcome.role.as_deref() };
            if let Some((category, finding)) = binding::finding(&b, &served, &outcome) {
                let first = FirstFailure {
                    stage: Stage::ProductBinding,
                    category,
                    failed_target: Some(target.to_owned()),
                    role: None,
                    step: Some(b.step.clone()),
                    rule: None,
                    artifact: Some(b.product.clone()),
                    message: finding.message.clone(),
                };
                run.fail(Stage::ProductBinding, finding, first);
            } else {
                run.push(
                    Stage::ProductBinding,
                    Finding::info(
                        note::TARGET_VERIFIED,
                        Subject::Artifact { path: b.product.clone() },
                        format!(
                            "the product '{}' of the last step '{}' has the TUF target's sha256 {}",
                            b.product,
                            b.step,
                            b.target_sha256.as_deref().unwrap_or_default()
                        ),
                    ),
                );
            }
            if !intoto_failed {
                run.trace.binding = Some(b);
            }
        }
    }
    (Some(outcome), skipped)
}

fn empty_info() -> TargetFile {
    TargetFile { length: 0, hashes: BTreeMap::new(), custom: None }
}

/// Stages 3–5: the package's layout, the layout's keys, the package's links.
/// Returns the layout path when one was named (even if later checks failed).
fn follow_custom(run: &mut Run, updater: &mut Updater<'_>, target: &str, pkg: &TargetFile) -> Option<String> {
    // 3: the layout named by the package.
    let entries = match custom::in_toto_entries(pkg) {
        Ok(e) => e,
        Err(why) => {
            run.custom_fail(target, cc::CUSTOM_INVALID, format!("package {target}: {why}"));
            return None;
        }
    };
    let layouts = custom::distinct_layouts(&entries);
    let layout_path = match layouts.as_slice() {
        [] => {
            run.custom_fail(
                target,
                cc::NO_LAYOUT,
                format!(
                    "package {target} names no in-toto layout (no \".layout\" entry in custom[\"in-toto\"])"
                ),
            );
            None
        }
        [one] => Some(one.clone()),
        many => {
            run.custom_fail(
                target,
                cc::MULTIPLE_LAYOUTS,
                format!("package {target} names {} different layouts: {}", many.len(), many.join(", ")),
            );
            None
        }
    };
    if let Some(lp) = &layout_path {
        if run.first.is_none() {
            run.trace.layout = Some(lp.clone());
        }
        if let Some(layout) = run.download(updater, lp, Purpose::Layout) {
            run.check_top_level(&layout, Purpose::Layout);
            if let Some(info) = layout.info().cloned() {
                layout_keys(run, updater, lp, &info);
            }
        }
    }
    // 5: the links named by the package.
    if let Err(found) = custom::check_layout_type(pkg) {
        run.custom_fail(
            target,
            cc::LAYOUT_TYPE_MISMATCH,
            format!("package {target} has root-layout-type {found}, expected {}", custom::CLIENT_LAYOUT_TYPE),
        );
    } else {
        let links = custom::with_extension(&entries, ".link");
        for l in &links {
            run.download(updater, l, Purpose::Link);
        }
        if links.is_empty() {
            run.custom_fail(
                target,
                cc::NO_LINKS,
                format!("package {target} names no in-toto link (no \".link\" entry in custom[\"in-toto\"])"),
            );
        }
    }
    layout_path
}

/// Stage 4: the layout target's type, then its `.pub` entries.
fn layout_keys(run: &mut Run, updater: &mut Updater<'_>, layout: &str, info: &TargetFile) {
    let entries = match custom::in_toto_entries(info) {
        Ok(e) => e,
        Err(why) => {
            run.custom_fail(layout, cc::CUSTOM_INVALID, format!("layout {layout}: {why}"));
            return;
        }
    };
    if let Err(found) = custom::check_layout_type(info) {
        run.custom_fail(
            layout,
            cc::LAYOUT_TYPE_MISMATCH,
            format!("layout {layout} has root-layout-type {found}, expected {}", custom::CLIENT_LAYOUT_TYPE),
        );
        return;
    }
    let keys = custom::with_extension(&entries, ".pub");
    for k in &keys {
        if let Some(f) = run.download(updater, k, Purpose::LayoutKey) {
            run.check_top_level(&f, Purpose::LayoutKey);
        }
    }
    if keys.is_empty() {
        run.custom_fail(
            layout,
            cc::NO_LAYOUT_KEYS,
            format!("layout {layout} names no layout key (no \".pub\" entry in custom[\"in-toto\"])"),
        );
    }
}

/// Stage 6: the flat directory, the keys, `in_toto_verify`.
fn run_intoto(run: &mut Run, req: &Request<'_>, layout_path: &str) -> Option<InTotoOutcome> {
    let work = match Workdir::create(&run.files) {
        Ok(w) => w,
        Err(e) => {
            let f = Finding::error(
                intoto::category::ERROR_OTHER,
                Subject::Layout { path: layout_path.to_owned() },
                format!("cannot create the verification directory: {e}"),
            );
            run.fail(Stage::InToto, f.clone(), in_toto_first(&f, None));
            return None;
        }
    };
    for (name, first, later) in &work.collisions {
        let f = Finding::warning(
            warning::BASENAME_COLLISION,
            Subject::File { path: name.clone() },
            format!(
                "{first} and {later} have the same basename; the flat verification directory holds only {later} (the reference's choice depends on set order)"
            ),
        );
        run.weak(Stage::InToto, f);
    }
    for path in &work.refused {
        let f = Finding::error(
            intoto::category::ERROR_OTHER,
            Subject::Target { path: path.clone() },
            format!("{path}: its basename cannot be a file name in the verification directory"),
        );
        run.fail(Stage::InToto, f.clone(), in_toto_first(&f, None));
    }
    // Every *.pub in the directory, key id computed from the key (python dict: one per id).
    let mut keys: BTreeMap<String, PublicKey> = BTreeMap::new();
    for name in work.pub_files() {
        let text = std::fs::read(work.path().join(&name)).unwrap_or_default();
        match std::str::from_utf8(&text)
            .map_err(|e| e.to_string())
            .and_then(|t| PublicKey::from_pem(t).map_err(|e| e.to_string()))
        {
            Ok(k) => {
                keys.insert(k.keyid(), k);
            }
            Err(e) => {
                let f = Finding::error(
                    intoto::category::ERROR_OTHER,
                    Subject::File { path: name.clone() },
                    format!("layout key {name} (from {}) is not a PEM public key: {e}", work.files[&name]),
                );
                run.fail(Stage::InToto, f.clone(), in_toto_first(&f, None));
            }
        }
    }
    run.trace.layout_keys = Some(keys.keys().cloned().collect());
    run.trace.links = Some(work.link_files());
    if run.first.is_some() {
        return None;
    }
    let mut opts = VerifyOptions::new(work.path().join(basename(layout_path)), keys.into_values().collect());
    opts.link_dir = work.path().to_path_buf();
    opts.workdir = work.path().to_path_buf();
    // Rule 5: empty substitution parameters.
    opts.params = Some(BTreeMap::new());
    opts.at = req.at;
    opts.run_inspections = req.run_inspections;
    opts.skip_inspections = req.skip_inspections;
    opts.announce = req.announce;
    opts.inspection_timeout = req.inspection_timeout;
    opts.strict = req.strict;
    opts.max_metadata_bytes = req.max_metadata_bytes;
    opts.max_artifacts_per_link = req.max_artifacts_per_link;
    opts.max_links = req.max_links;
    opts.signature_form = req.signature_form;
    let mut outcome = match intoto::verify(&opts) {
        Ok(o) => o,
        Err(e) => {
            let f = Finding::error(
                intoto::category::ERROR_OTHER,
                Subject::Layout { path: layout_path.to_owned() },
                e.to_string(),
            );
            run.fail(Stage::InToto, f.clone(), in_toto_first(&f, None));
            return None;
        }
    };
    // Paths inside the scratch directory are shown by basename.
    let prefix = format!("{}/", work.path().display());
    relabel(&mut outcome, &prefix);
    let failure = outcome.failure.clone().unwrap_or_default();
    let deciding = (outcome.verdict == Verdict::Fail)
        .then(|| {
            outcome
                .findings
                .iter()
                .position(|f| f.severity == Severity::Error && f.category == outcome.category)
                .or_else(|| outcome.findings.iter().position(|f| f.severity == Severity::Error))
        })
        .flatten();
    for (i, f) in outcome.findings.iter().enumerate() {
        if Some(i) == deciding {
            let ff = FirstFailure {
                stage: Stage::InToto,
                category: outcome.category,
                failed_target: None,
                role: None,
                step: failure.step.clone(),
                rule: failure.rule.clone(),
                artifact: failure.artifact.clone(),
                message: f.message.clone(),
            };
            run.fail(Stage::InToto, f.clone(), ff);
        } else {
            run.push(Stage::InToto, f.clone());
        }
    }
    Some(outcome)
}

fn in_toto_first(f: &Finding, step: Option<String>) -> FirstFailure {
    FirstFailure {
        stage: Stage::InToto,
        category: f.category,
        failed_target: None,
        role: None,
        step,
        rule: None,
        artifact: None,
        message: f.message.clone(),
    }
}

/// Removes the scratch directory prefix from paths and messages.
fn relabel(o: &mut InTotoOutcome, prefix: &str) {
    let fix = |s: &mut String| {
        if s.contains(prefix) {
            *s = s.replace(prefix, "");
        }
    };
    for f in &mut o.findings {
        fix(&mut f.message);
        match &mut f.subject {
            Subject::Layout { path } | Subject::Link { path } | Subject::File { path } => fix(path),
            _ => {}
        }
        if let Some(src) = &mut f.source {
            fix(&mut src.file);
        }
        if let Evidence::Data { data } = &mut f.evidence {
            relabel_value(data, prefix);
        }
    }
    fix(&mut o.layout.path);
    for s in &mut o.layout.steps {
        for l in &mut s.links {
            fix(&mut l.path);
        }
    }
}

fn relabel_value(v: &mut serde_json::Value, prefix: &str) {
    match v {
        serde_json::Value::String(s) if s.contains(prefix) => *s = s.replace(prefix, ""),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| relabel_value(x, prefix)),
        serde_json::Value::Object(m) => m.values_mut().for_each(|x| relabel_value(x, prefix)),
        _ => {}
    }
}
