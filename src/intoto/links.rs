//! Stages 4–8 of verification: the links of a layout's steps (python
//! `load_links_for_layout`, `verify_link_signature_thresholds`,
//! `verify_sublayouts`, `verify_all_steps_command_alignment`,
//! `verify_threshold_constraints`, `reduce_chain_links`), then the rule and
//! inspection stages, then the summary link.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::metadata::{self, KeyCheck, LoadError, Metadata, SigCheck};
use super::model::{Layout, LayoutKey, Link, Payload, Step, show_command};
use super::trace::{LayoutTrace, LinkStatus, LinkTrace, StepTrace};
use super::verify::{
    Ctx, Loader, MAX_SUBLAYOUT_DEPTH, VerifierKey, failure_at, signature_form_warning, source, verify_layout,
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

/// `<step>.<keyid[:8]>.link`.
pub fn link_file_name(step: &str, keyid: &str) -> String {
    let prefix: String = keyid.chars().take(8).collect();
    format!("{step}.{prefix}.link")
}

/// A step name that would make the link path leave the link directory.
fn unsafe_name(name: &str) -> bool {
    name.contains('\0') || name.starts_with('/') || name.split('/').any(|c| c == "..")
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
    let wanted: usize = layout.steps.iter().map(|s| candidate_keyids(layout, s).len()).sum();
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
    let mut reduced: BTreeMap<String, Link> = BTreeMap::new();
    for (step, (st, entries)) in layout.steps.iter().zip(chain.iter_mut()) {
        threshold_constraints(ctx, step, entries, scope);
        let first = entries.iter().find(|e| e.link.is_some());
        match first.and_then(|e| e.link.clone().map(|l| (e.trace.keyid.clone(), l))) {
            Some((keyid, link)) => {
                st.used_link = Some(keyid);
                reduced.insert(step.name.clone(), link);
            }
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
    if unsafe_name(&step.name) {
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
        for keyid in candidate_keyids(layout, step) {
            let path: PathBuf = link_dir.join(link_file_name(&step.name, &keyid));
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
    if i64::try_from(found).unwrap_or(i64::MAX) < step.threshold {
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

/// The key ids whose link files a step's links are looked up under: each
/// authorized key id and its GPG subkeys, in order, once each.
fn candidate_keyids(layout: &Layout, step: &Step) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for authorized in &step.pubkeys {
        let subkeys = layout.keys.get(authorized).map(|k| k.subkeys.as_slice()).unwrap_or_default();
        for id in std::iter::once(authorized).chain(subkeys) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    ids
}

type Prefetched = HashMap<PathBuf, Result<Metadata, LoadError>>;

/// Reads every link file the steps may use and checks each one's signature by
/// the key stage 5 will ask for, on all cores. Reading, canonicalizing and
/// hashing large links is most of the work; the stages then take these
/// results in the reference's order, so findings and their order are the
/// same as without prefetching.
fn prefetch(layout: &Layout, link_dir: &Path, loader: &dyn Loader, opts: &VerifyOptions) -> Prefetched {
    use rayon::prelude::*;
    let main_of_subkey = main_keys_of_subkeys(layout);
    let jobs: Vec<(PathBuf, &Step, String)> = layout
        .steps
        .iter()
        .filter(|step| !unsafe_name(&step.name))
        .flat_map(|step| {
            candidate_keyids(layout, step)
                .into_iter()
                .map(move |id| (link_dir.join(link_file_name(&step.name, &id)), step, id))
        })
        .collect();
    let run = |(path, step, keyid): (PathBuf, &Step, String)| {
        let vk = verification_key(layout, step, &keyid, &main_of_subkey);
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
    done.extend(large.into_iter().map(run));
    metadata::release_read_buffer();
    done
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
    if let Ok(Payload::Link(link)) = &m.payload {
        for (side, n) in [("materials", link.materials.len()), ("products", link.products.len())] {
            if n > opts.max_artifacts_per_link {
                return Err(LoadError::Limit(format!(
                    "{}: {n} {side}, more than the limit of {} artifacts per link (--max-artifacts-per-link)",
                    path.display(),
                    opts.max_artifacts_per_link
                )));
            }
        }
    }
    Ok(m)
}

fn main_keys_of_subkeys(layout: &Layout) -> BTreeMap<&str, &str> {
    layout.keys.iter().flat_map(|(id, k)| k.subkeys.iter().map(move |s| (s.as_str(), id.as_str()))).collect()
}

/// The key that verifies the link filed under `link_keyid`: the authorized
/// key, the main key of an authorized subkey, or the main key the link's
/// subkey belongs to (python `verify_link_signature_thresholds`).
fn verification_key<'a>(
    layout: &'a Layout,
    step: &Step,
    link_keyid: &str,
    main_of_subkey: &BTreeMap<&str, &str>,
) -> Option<&'a LayoutKey> {
    step.pubkeys.iter().find_map(|auth| {
        let key = layout.keys.get(auth);
        if key.is_some() && link_keyid == auth {
            return key;
        }
        if let Some(main) = main_of_subkey.get(auth.as_str())
            && link_keyid == auth
        {
            return layout.keys.get(*main);
        }
        key.filter(|k| k.subkeys.iter().any(|s| s == link_keyid))
    })
}

/// Stage 5 for one step (`verify_link_signature_thresholds`).
fn signature_thresholds(
    ctx: &mut Ctx<'_>,
    layout: &Layout,
    step: &Step,
    entries: &mut [Entry],
    scope: &[String],
) {
    let main_of_subkey = main_keys_of_subkeys(layout);
    let mut used_main: Vec<String> = Vec::new();
    let mut used_material: BTreeSet<String> = BTreeSet::new();
    let mut checks: Vec<SignatureCheck> = Vec::new();
    for entry in entries.iter_mut() {
        let Some(meta) = &entry.meta else { continue };
        let link_keyid = entry.trace.keyid.as_str();
        let Some(vk) = verification_key(layout, step, link_keyid, &main_of_subkey) else {
            checks.push(SignatureCheck {
                keyid: link_keyid.to_owned(),
                valid: false,
                reason: Some("no layout key for this authorized key id".into()),
            });
            continue;
        };
        let check = match &vk.key {
            Ok(key) => meta.verify(&vk.keyid, &vk.subkeys, key),
            Err(why) => SigCheck::Invalid(format!("the functionary key cannot verify signatures: {why}")),
        };
        match check {
            SigCheck::Valid { raw, normalized } => {
                signature_form_warning(ctx, &entry.trace.path, &vk.keyid, raw, normalized);
                entry.trace.status = LinkStatus::Verified;
                checks.push(SignatureCheck { keyid: vk.keyid.clone(), valid: true, reason: None });
                used_main.push(vk.keyid.clone());
                if let Ok(key) = &vk.key {
                    used_material.insert(format!("{}:{}", key.keytype, key.public.trim()));
                }
            }
            SigCheck::NoSignature => {
                let why = format!("No signature found for key '{}'", vk.keyid);
                checks.push(SignatureCheck {
                    keyid: vk.keyid.clone(),
                    valid: false,
                    reason: Some(why.clone()),
                });
                entry.trace.status = LinkStatus::BadSignature(why);
            }
            SigCheck::Invalid(why) => {
                checks.push(SignatureCheck {
                    keyid: vk.keyid.clone(),
                    valid: false,
                    reason: Some(why.clone()),
                });
                entry.trace.status = LinkStatus::BadSignature(why);
            }
        }
    }
    let distinct: BTreeSet<&String> = used_main.iter().collect();
    let n = distinct.len();
    let needed = u64::try_from(step.threshold).unwrap_or(0);
    if i64::try_from(n).unwrap_or(i64::MAX) < step.threshold {
        let f = Finding::error(
            category::LINK_THRESHOLD,
            Subject::Step { name: step.name.clone() },
            format!(
                "Step '{}' requires at least '{}' links validly signed by different authorized functionaries. Only found '{n}'",
                step.name, step.threshold
            ),
        )
        .with_evidence(Evidence::Threshold { needed, valid: distinct.iter().map(|s| s.to_string()).collect(), checks });
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
        .with_evidence(Evidence::Threshold { needed, valid: distinct.iter().map(|s| s.to_string()).collect(), checks });
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
                let prefix: String = entry.trace.keyid.chars().take(8).collect();
                let sub_dir = link_dir.join(format!("{}.{prefix}", step.name));
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
    if step.threshold <= 1 {
        return;
    }
    let links: Vec<&Entry> = entries.iter().filter(|e| e.link.is_some()).collect();
    if i64::try_from(links.len()).unwrap_or(i64::MAX) < step.threshold {
        // Already reported by stage 5 (python raises "not performed by enough functionaries").
        return;
    }
    let Some(first) = links.first() else { return };
    for other in links.iter().skip(1) {
        let (Some(a), Some(b)) = (&first.link, &other.link) else { continue };
        if a.materials != b.materials || a.products != b.products {
            let name_a = link_file_name(&step.name, &first.trace.keyid);
            let name_b = link_file_name(&step.name, &other.trace.keyid);
            let differing: Vec<String> = differing_paths(a, b);
            let f = Finding::error(
                category::LINK_DISAGREEMENT,
                Subject::Step { name: step.name.clone() },
                format!("Links '{name_a}' and '{name_b}' have different artifacts!"),
            )
            .with_evidence(Evidence::Data {
                data: serde_json::json!({"links": [name_a, name_b], "differing": differing}),
            });
            ctx.fail(f, failure_at(scope, Some(&step.name)));
            return;
        }
    }
}

fn differing_paths(a: &Link, b: &Link) -> Vec<String> {
    let mut out = BTreeSet::new();
    for (side_a, side_b) in [(&a.materials, &b.materials), (&a.products, &b.products)] {
        for k in side_a.keys().chain(side_b.keys()) {
            if side_a.get(k) != side_b.get(k) {
                out.insert(k.clone());
            }
        }
    }
    out.into_iter().take(100).collect()
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
