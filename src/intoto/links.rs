//! Stages 4–8 of verification: the links of a layout's steps (python
//! `load_links_for_layout`, `verify_link_signature_thresholds`,
//! `verify_sublayouts`, `verify_all_steps_command_alignment`,
//! `verify_threshold_constraints`, `reduce_chain_links`), then the rule and
//! inspection stages, then the summary link. The checks are
//! [`super::stages`]'s; this module runs them in order over the link files
//! and turns their results into findings and traces.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::agreement;
use super::metadata::{self, KeyCheck, LoadError, Metadata};
use super::model::{Layout, Link, Payload, Step, show_command};
pub use super::stages::link_file_name;
use super::stages::{self, LinkCandidate, LinkSignature};
use super::trace::{LayoutTrace, LinkStatus, LinkTrace, StepTrace};
use super::verify::{
    Ctx, Loader, MAX_SUBLAYOUT_DEPTH, VerifierKey, failure_at, signature_form_finding, source, verify_layout,
};
use super::{VerifyOptions, category, warning};
use crate::verdict::{Evidence, Finding, SignatureCheck, Subject};

/// One link file of a step while it moves through the stages.
struct Entry {
    trace: LinkTrace,
    meta: Option<Metadata>,
    /// The link its rules use (a sublayout's summary link), once verified.
    link: Option<Link>,
}

/// Stages 4–11 for one layout; returns its summary link.
pub fn verify_chain(
    ctx: &mut Ctx<'_>,
    meta: &Metadata,
    layout: &Layout,
    link_dir: &Path,
    scope: &[String],
    step_name: &str,
    trace: &mut LayoutTrace,
) -> Link {
    let mut chain: Vec<(StepTrace, Vec<Entry>)> = Vec::with_capacity(layout.steps.len());
    let wanted: usize =
        layout.steps.iter().map(|s| stages::step_link_candidates(layout, s, link_dir).len()).sum();
    ctx.links_seen = ctx.links_seen.saturating_add(wanted);
    if ctx.links_seen > ctx.opts.max_links {
        let f = Finding::error(
            category::LIMIT_EXCEEDED,
            Subject::Layout { path: meta.path.clone() },
            format!(
                "{}: the layout's steps name {wanted} link files ({} with the enclosing layouts), more than the limit of {} (--max-links); no links were read",
                meta.path,
                ctx.links_seen,
                ctx.opts.max_links
            ),
        )
        .at(source(meta, "/steps"));
        ctx.fail(f, failure_at(scope, None));
        trace.steps = layout.steps.iter().map(step_trace).collect();
        return Link::empty(Some(step_name.to_owned()));
    }
    let mut prefetched = prefetch(layout, link_dir, ctx.loader, ctx.opts);
    // 4: load links, preliminary threshold check per step.
    for step in &layout.steps {
        let entries = load_links(ctx, meta, layout, step, link_dir, scope, &mut prefetched);
        chain.push((step_trace(step), entries));
    }
    // 5: link signatures and thresholds.
    for (step, (st, entries)) in layout.steps.iter().zip(chain.iter_mut()) {
        signature_thresholds(ctx, layout, step, entries, scope);
        st.verified = entries
            .iter()
            .filter(|e| e.trace.status == LinkStatus::Verified)
            .map(|e| e.trace.keyid.clone())
            .collect();
    }
    // 6: sublayouts (and DSSE payloads, which python reads here).
    for (step, (st, entries)) in layout.steps.iter().zip(chain.iter_mut()) {
        sublayouts(ctx, layout, step, entries, link_dir, scope, st);
    }
    // 7: command alignment (warnings only).
    for (step, (_, entries)) in layout.steps.iter().zip(chain.iter()) {
        command_alignment(ctx, step, entries);
    }
    // 8: threshold agreement, then reduce to one link per step.
    for (step, (_, entries)) in layout.steps.iter().zip(chain.iter()) {
        threshold_constraints(ctx, step, entries, scope);
    }
    let reduced: BTreeMap<String, Link> = stages::reduce_chain_links(
        layout
            .steps
            .iter()
            .zip(chain.iter())
            .map(|(step, (_, entries))| (step.name.clone(), entries.iter().map(|e| e.link.clone()))),
    );
    for (step, (st, entries)) in layout.steps.iter().zip(chain.iter_mut()) {
        match stages::reduced_link(entries.iter().map(|e| e.link.as_ref().map(|_| &e.trace.keyid))) {
            Some(keyid) => st.used_link = Some(keyid.clone()),
            None => {
                st.not_evaluated = Some("no verified link".into());
                if step.threshold <= 0 {
                    let f = Finding::error(
                        category::ERROR_OTHER,
                        Subject::Step { name: step.name.clone() },
                        format!(
                            "step '{}' has threshold {} and no link: python in-toto crashes here (StopIteration in reduce_chain_links)",
                            step.name, step.threshold
                        ),
                    );
                    ctx.fail(f, failure_at(scope, Some(&step.name)));
                }
            }
        }
    }
    for (st, entries) in &mut chain {
        st.links = entries.iter().map(|e| e.trace.clone()).collect();
    }
    trace.steps = chain.into_iter().map(|(st, _)| st).collect();
    // 9–11: step rules, inspections, inspection rules.
    super::checks::verify_rules_and_inspections(ctx, meta, layout, &reduced, scope, trace);
    summary_link(layout, &reduced, step_name)
}

fn step_trace(step: &Step) -> StepTrace {
    StepTrace {
        name: step.name.clone(),
        threshold: step.threshold,
        pubkeys: step.pubkeys.clone(),
        expected_command: step.expected_command.clone(),
        expected_materials: step.expected_materials.clone(),
        expected_products: step.expected_products.clone(),
        links: Vec::new(),
        verified: Vec::new(),
        used_link: None,
        materials: None,
        products: None,
        not_evaluated: None,
        sublayouts: Vec::new(),
    }
}

/// Stage 4 for one step (`load_links_for_layout`).
fn load_links(
    ctx: &mut Ctx<'_>,
    meta: &Metadata,
    layout: &Layout,
    step: &Step,
    link_dir: &Path,
    scope: &[String],
    prefetched: &mut Prefetched,
) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    if stages::unsafe_step_name(&step.name) {
        let f = Finding::warning(
            warning::UNSAFE_STEP_NAME,
            Subject::Step { name: step.name.clone() },
            format!(
                "step name {:?} would read links outside the link directory; its links are not read",
                step.name
            ),
        );
        ctx.weak(f);
    } else {
        for LinkCandidate { keyid, path, .. } in stages::step_link_candidates(layout, step, link_dir) {
            let shown = path.display().to_string();
            let mut trace = LinkTrace {
                keyid: keyid.clone(),
                path: shown.clone(),
                status: LinkStatus::Missing,
                format: None,
                command: None,
                sublayout: false,
            };
            let loaded = prefetched
                .remove(&path)
                .unwrap_or_else(|| load_link(ctx.loader, link_dir, &path, None, ctx.opts));
            match loaded {
                Ok(m) => {
                    trace.format = Some(m.format());
                    trace.status = LinkStatus::Unauthorized;
                    entries.push(Entry { trace, meta: Some(m), link: None });
                }
                Err(LoadError::Io(_)) => entries.push(Entry { trace, meta: None, link: None }),
                Err(LoadError::Limit(msg)) => {
                    trace.status = LinkStatus::Malformed(msg.clone());
                    let f = Finding::error(
                        category::LIMIT_EXCEEDED,
                        Subject::Link { path: shown.clone() },
                        format!("link of step '{}' is not read: {msg}", step.name),
                    )
                    .at(crate::meta::Location::new(&shown, ""));
                    ctx.fail(f, failure_at(scope, Some(&step.name)));
                    entries.push(Entry { trace, meta: None, link: None });
                }
                Err(LoadError::Malformed(msg)) => {
                    trace.status = LinkStatus::Malformed(msg.clone());
                    let f = Finding::error(
                        category::METADATA_INVALID,
                        Subject::Link { path: shown.clone() },
                        format!("link of step '{}' is not valid in-toto metadata: {msg}", step.name),
                    )
                    .at(crate::meta::Location::new(&shown, ""));
                    ctx.fail(f, failure_at(scope, Some(&step.name)));
                    entries.push(Entry { trace, meta: None, link: None });
                }
            }
        }
    }
    let found = entries.iter().filter(|e| e.meta.is_some()).count();
    if !stages::enough_link_files(step, found) {
        let f = Finding::error(
            category::LINK_MISSING,
            Subject::Step { name: step.name.clone() },
            format!(
                "Step '{}' requires '{}' link metadata file(s), found '{found}'.",
                step.name, step.threshold
            ),
        )
        .with_evidence(Evidence::Data {
            data: serde_json::json!({
                "looked_for": entries.iter().map(|e| e.trace.path.clone()).collect::<Vec<_>>(),
            }),
        })
        .at(source(meta, &step.pointer));
        ctx.fail(f, failure_at(scope, Some(&step.name)));
    }
    entries
}

type Prefetched = HashMap<PathBuf, Result<Metadata, LoadError>>;

/// Reads every link file the steps may use and checks each one's signature by
/// the key stage 5 will ask for, on all cores. Reading, canonicalizing and
/// hashing large links is most of the work; the stages then take these
/// results in the reference's order, so findings and their order are the
/// same as without prefetching.
fn prefetch(layout: &Layout, link_dir: &Path, loader: &dyn Loader, opts: &VerifyOptions) -> Prefetched {
    use rayon::prelude::*;
    let jobs: Vec<(PathBuf, &Step, String)> = layout
        .steps
        .iter()
        .flat_map(|step| {
            stages::step_link_candidates(layout, step, link_dir)
                .into_iter()
                .map(move |c| (c.path, step, c.keyid))
        })
        .collect();
    let run = |(path, step, keyid): (PathBuf, &Step, String)| {
        let vk = stages::verification_key(layout, step, &keyid);
        let check = vk.as_ref().and_then(|vk| {
            let key = vk.key.as_ref().ok()?;
            Some(KeyCheck { keyid: &vk.keyid, subkeys: &vk.subkeys, key })
        });
        let loaded = load_link(loader, link_dir, &path, check.as_ref(), opts);
        (path, loaded)
    };
    // Large links one at a time, each parsed and hashed on all cores: only
    // one file's bytes are held at once. Small ones several at a time.
    let (large, small): (Vec<_>, Vec<_>) = jobs
        .into_iter()
        .partition(|(path, _, _)| loader.size(path).is_some_and(|n| n >= metadata::LARGE_FILE_BYTES as u64));
    let mut done: Prefetched = small.into_par_iter().map(run).collect();
    for group in large_groups(&large, loader) {
        done.extend(load_large(layout, link_dir, loader, opts, group));
    }
    metadata::release_read_buffer();
    done
}

/// Large links loaded together (their signatures hashed in SIMD lanes):
/// at most eight (the lanes) and [`LARGE_GROUP_BYTES`] of files at once.
fn large_groups<'j, T>(
    large: &'j [(PathBuf, T, String)],
    loader: &dyn Loader,
) -> Vec<&'j [(PathBuf, T, String)]> {
    let mut groups = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, (path, _, _)) in large.iter().enumerate() {
        let size = loader.size(path).unwrap_or(0);
        if i > start && (i - start == 8 || bytes.saturating_add(size) > LARGE_GROUP_BYTES) {
            groups.push(&large[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes = bytes.saturating_add(size);
    }
    if start < large.len() {
        groups.push(&large[start..]);
    }
    groups
}

/// Most bytes of large links held at once.
const LARGE_GROUP_BYTES: u64 = 256 << 20;

/// [`load_link`] for a group of large links, through [`Loader::load_many`].
fn load_large(
    layout: &Layout,
    link_dir: &Path,
    loader: &dyn Loader,
    opts: &VerifyOptions,
    group: &[(PathBuf, &Step, String)],
) -> Vec<(PathBuf, Result<Metadata, LoadError>)> {
    let vks: Vec<_> =
        group.iter().map(|(_, step, keyid)| stages::verification_key(layout, step, keyid)).collect();
    let checks: Vec<Option<KeyCheck<'_>>> = vks
        .iter()
        .map(|vk| {
            let vk = vk.as_ref()?;
            Some(KeyCheck { keyid: &vk.keyid, subkeys: &vk.subkeys, key: vk.key.as_ref().ok()? })
        })
        .collect();
    let refused: Vec<Option<String>> =
        group.iter().map(|(path, _, _)| metadata::symlink_out_of(link_dir, path)).collect();
    let jobs: Vec<(&Path, Option<&KeyCheck<'_>>)> = group
        .iter()
        .zip(&checks)
        .zip(&refused)
        .filter(|(_, why)| why.is_none())
        .map(|(((path, _, _), check), _)| (path.as_path(), check.as_ref()))
        .collect();
    let mut loaded = loader.load_many(&jobs).into_iter();
    group
        .iter()
        .zip(refused)
        .map(|((path, _, _), why)| {
            let result = match why {
                Some(why) => Err(LoadError::Limit(why)),
                None => loaded
                    .next()
                    .unwrap_or_else(|| Err(LoadError::Io(std::io::Error::other("not loaded"))))
                    .and_then(|m| {
                        artifact_limit(path, &m, opts.max_artifacts_per_link)
                            .map(|()| m)
                            .map_err(LoadError::Limit)
                    }),
            };
            (path.clone(), result)
        })
        .collect()
}

/// One link file of `link_dir` through `loader`, within the limits of
/// `opts`: a symbolic link on disk that leads out of `link_dir` is not
/// read, nor more artifacts than `max_artifacts_per_link`. (File size and
/// "not a regular file" are the loader's: [`metadata::load_limited`],
/// `engine::DiskSource`.)
fn load_link(
    loader: &dyn Loader,
    link_dir: &Path,
    path: &Path,
    check: Option<&KeyCheck<'_>>,
    opts: &VerifyOptions,
) -> Result<Metadata, LoadError> {
    if let Some(why) = metadata::symlink_out_of(link_dir, path) {
        return Err(LoadError::Limit(why));
    }
    let m = match check {
        Some(check) => loader.load_checked(path, check)?,
        None => loader.load(path)?,
    };
    artifact_limit(path, &m, opts.max_artifacts_per_link).map_err(LoadError::Limit)?;
    Ok(m)
}

/// A link listing more than `max` materials (or products) is not used
/// (`--max-artifacts-per-link`); the reason, when it is over.
pub fn artifact_limit(path: &Path, m: &Metadata, max: usize) -> Result<(), String> {
    if let Ok(Payload::Link(link)) = &m.payload {
        for (side, n) in [("materials", link.materials.len()), ("products", link.products.len())] {
            if n > max {
                return Err(format!(
                    "{}: {n} {side}, more than the limit of {max} artifacts per link (--max-artifacts-per-link)",
                    path.display()
                ));
            }
        }
    }
    Ok(())
}

/// Stage 5 for one step (`verify_link_signature_thresholds`).
fn signature_thresholds(
    ctx: &mut Ctx<'_>,
    layout: &Layout,
    step: &Step,
    entries: &mut [Entry],
    scope: &[String],
) {
    let mut used_main: Vec<String> = Vec::new();
    let mut used_material: BTreeSet<String> = BTreeSet::new();
    let mut checks: Vec<SignatureCheck> = Vec::new();
    for entry in entries.iter_mut() {
        let Some(meta) = &entry.meta else { continue };
        let sig = stages::link_signature(layout, step, &entry.trace.keyid, meta, ctx.opts.signature_form);
        let reason = sig.reason();
        let counts = sig.is_valid();
        let LinkSignature::Checked { key: vk, check, .. } = sig else {
            checks.push(SignatureCheck { keyid: entry.trace.keyid.clone(), valid: false, reason });
            continue;
        };
        checks.push(SignatureCheck {
            keyid: vk.keyid.clone(),
            valid: reason.is_none(),
            reason: reason.clone(),
        });
        signature_form_finding(ctx, meta, &vk.keyid, &check);
        match (counts, reason) {
            (true, _) => {
                entry.trace.status = LinkStatus::Verified;
                used_main.push(vk.keyid.clone());
                if let Ok(key) = &vk.key {
                    used_material.insert(format!("{}:{}", key.keytype, key.public.trim()));
                }
            }
            (_, why) => entry.trace.status = LinkStatus::BadSignature(why.unwrap_or_default()),
        }
    }
    let threshold = stages::link_threshold(step, used_main.iter().map(String::as_str));
    let n = threshold.distinct.len();
    let needed = u64::try_from(step.threshold).unwrap_or(0);
    let valid: Vec<String> = threshold.distinct.iter().cloned().collect();
    if !threshold.met() {
        let f = Finding::error(
            category::LINK_THRESHOLD,
            Subject::Step { name: step.name.clone() },
            format!(
                "Step '{}' requires at least '{}' links validly signed by different authorized functionaries. Only found '{n}'",
                step.name, step.threshold
            ),
        )
        .with_evidence(Evidence::Threshold { needed, valid, checks });
        ctx.fail(f, failure_at(scope, Some(&step.name)));
    } else if i64::try_from(used_material.len()).unwrap_or(i64::MAX) < step.threshold {
        let f = Finding::warning(
            warning::DUPLICATE_KEY,
            Subject::Step { name: step.name.clone() },
            format!(
                "step '{}' meets its threshold {} only because one key is listed under several key ids ({} distinct keys signed)",
                step.name,
                step.threshold,
                used_material.len()
            ),
        )
        .with_evidence(Evidence::Threshold { needed, valid, checks });
        ctx.weak(f);
    }
}

/// Stage 6 for one step (`verify_sublayouts`): verified links that are
/// layouts are verified recursively and replaced by their summary link.
fn sublayouts(
    ctx: &mut Ctx<'_>,
    layout: &Layout,
    step: &Step,
    entries: &mut [Entry],
    link_dir: &Path,
    scope: &[String],
    st: &mut StepTrace,
) {
    for entry in entries.iter_mut().filter(|e| e.trace.status == LinkStatus::Verified) {
        let Some(meta) = &entry.meta else { continue };
        match &meta.payload {
            Err(e) => {
                let f = Finding::error(
                    category::METADATA_INVALID,
                    Subject::Link { path: entry.trace.path.clone() },
                    format!(
                        "the payload of the link of step '{}' is not valid in-toto metadata: {}",
                        step.name, e.message
                    ),
                );
                ctx.fail(f, failure_at(scope, Some(&step.name)));
                entry.trace.status = LinkStatus::Malformed(e.message.clone());
            }
            Ok(Payload::Link(link)) => {
                if link.name.as_deref() != Some(step.name.as_str()) {
                    let f = Finding::warning(
                        warning::LINK_NAME_MISMATCH,
                        Subject::Link { path: entry.trace.path.clone() },
                        format!(
                            "the link for step '{}' says its name is {:?}; in-toto binds links to steps by file name only",
                            step.name, link.name
                        ),
                    );
                    ctx.weak(f);
                }
                entry.trace.command = Some(link.command.clone());
                entry.link = Some(link.clone());
            }
            Ok(Payload::Layout(_)) => {
                entry.trace.sublayout = true;
                let mut inner_scope = scope.to_vec();
                inner_scope.push(step.name.clone());
                if ctx.depth >= MAX_SUBLAYOUT_DEPTH {
                    let f = Finding::error(
                        category::LIMIT_EXCEEDED,
                        Subject::Step { name: step.name.clone() },
                        format!(
                            "{}: sublayouts nested deeper than {MAX_SUBLAYOUT_DEPTH} levels are not followed (scope {})",
                            entry.trace.path,
                            inner_scope.join(" > ")
                        ),
                    );
                    ctx.fail(f, failure_at(&inner_scope, None));
                    continue;
                }
                let keys: Vec<VerifierKey> = layout
                    .keys
                    .get(&entry.trace.keyid)
                    .map(VerifierKey::from_layout_key)
                    .into_iter()
                    .collect();
                let sub_dir = stages::sublayout_link_dir(link_dir, &step.name, &entry.trace.keyid);
                ctx.depth += 1;
                let (sub_trace, summary) =
                    verify_layout(ctx, meta, &keys, &sub_dir, None, &inner_scope, &step.name);
                ctx.depth -= 1;
                st.sublayouts.push(sub_trace);
                entry.trace.command = Some(summary.command.clone());
                entry.link = Some(summary);
            }
        }
    }
}

/// Stage 7 (`verify_command_alignment`): a differing command is only a warning.
fn command_alignment(ctx: &mut Ctx<'_>, step: &Step, entries: &[Entry]) {
    for entry in entries {
        let Some(link) = &entry.link else { continue };
        if link.command != step.expected_command {
            let f = Finding::warning(
                warning::COMMAND_MISMATCH,
                Subject::Link { path: entry.trace.path.clone() },
                format!(
                    "Run command '{}' differs from expected command '{}'",
                    show_command(&link.command),
                    show_command(&step.expected_command)
                ),
            )
            .with_evidence(Evidence::Data {
                data: serde_json::json!({"expected": step.expected_command, "recorded": link.command}),
            });
            ctx.weak(f);
        }
    }
}

/// Stage 8 (`verify_threshold_constraints`): with threshold > 1, every
/// verified link must report the same materials and products as the first.
fn threshold_constraints(ctx: &mut Ctx<'_>, step: &Step, entries: &[Entry], scope: &[String]) {
    let links: Vec<(&str, &Link)> =
        entries.iter().filter_map(|e| e.link.as_ref().map(|l| (e.trace.keyid.as_str(), l))).collect();
    // Fewer links than the threshold: already reported by stage 5 (python
    // raises "not performed by enough functionaries").
    if let Err(d) = stages::threshold_constraints(step, &links) {
        let name_a = link_file_name(&step.name, &d.first);
        let name_b = link_file_name(&step.name, &d.other);
        let f = Finding::error(
            category::LINK_DISAGREEMENT,
            Subject::Step { name: step.name.clone() },
            format!("Links '{name_a}' and '{name_b}' have different artifacts!"),
        )
        .with_evidence(agreement::evidence(
            &step.name,
            (&name_a, &d.first),
            (&name_b, &d.other),
            d.differing,
        ));
        ctx.fail(f, failure_at(scope, Some(&step.name)));
    }
}

/// `get_summary_link`: materials of the first step, products, byproducts
/// and command of the last.
fn summary_link(layout: &Layout, reduced: &BTreeMap<String, Link>, name: &str) -> Link {
    let mut summary = Link::empty(Some(name.to_owned()));
    let first = layout.steps.first().and_then(|s| reduced.get(&s.name));
    let last = layout.steps.last().and_then(|s| reduced.get(&s.name));
    if let Some(f) = first {
        summary.materials = f.materials.clone();
    }
    if let Some(l) = last {
        summary.products = l.products.clone();
        summary.byproducts = l.byproducts.clone();
        summary.command = l.command.clone();
    }
    summary
}
