//! The TUF client workflow as an engine [`Plan`] (DESIGN §5, TUF spec §5).
//!
//! Units: `tuf-root` (the trusted root and the rotation chain `N.root.json`,
//! §5.2–§5.3), `tuf-timestamp` (§5.4), `tuf-snapshot` (§5.5), `tuf-targets`
//! (§5.6), `tuf-role:<name>` per delegated role found in the repository's
//! targets metadata (§5.6.7.2, verified against its delegator's unit), then
//! `verdict` (the whole [`session::run`]) and `tuf-target:<path>` per
//! requested target (read from the verdict). Each role unit's output is the
//! [`TrustedSet`] after it, built with the trusted set's own update methods.
//!
//! The verdict runs [`session::run`] over sources that serve the file
//! contents the engine read (the way [`DirSource`] serves a directory: same
//! paths, source-layout fallbacks, errors and descriptions), so it equals a
//! direct run on the same files and never reads the disk itself; its inputs
//! are every file under the metadata directory, the trusted root and the
//! target files that could be requested (its cache key covers them), and the
//! files are listed through the plan's [`FileSource`] ([`plan_in`]). URLs
//! and `--state` are read or written by the verdict but not tracked, so such
//! plans are for one run (`run_to_completion`), not for watching.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::tuf::metadata::{self as tufmeta, Signed};
use crate::tuf::session::{self, Outcome as TufOutcome, Request, TargetStatus};
use crate::tuf::source::{served_segments, source_layout_fallbacks};
use crate::tuf::{Config, DirSource, FetchError, Source, StateDir, TrustedSet, Updater, report};

use super::super::{
    DiskSource, FileContent, FileRef, FileSource, Input, Inputs, Outcome, ParamRef, Plan, PlanBuilder,
    PlanError, Status, UnitId, UnitRef,
};

/// Where the repository is and what to ask of it (the `tuf verify` inputs).
#[derive(Debug, Clone)]
pub struct TufOptions {
    pub root: PathBuf,
    /// A directory, or an http(s) base URL (then nothing under it is tracked).
    pub metadata: String,
    pub targets: Option<String>,
    pub state: Option<PathBuf>,
    pub save_state: bool,
    pub at: OffsetDateTime,
    pub config: Config,
    pub target_paths: Vec<String>,
    pub all_roles: bool,
}

/// The verdict unit's output.
pub type TufVerdict = TufOutcome;

pub struct TufPlan {
    pub plan: Plan,
    pub verdict: UnitRef<TufVerdict>,
    pub evaluated_at: ParamRef<OffsetDateTime>,
    /// When the audit runs in parts: the refresh (and lookups) alone, whose
    /// verdict is known long before the audit's.
    pub refresh: Option<UnitRef<TufVerdict>>,
}

/// Most files declared under one directory.
const MAX_FILES: usize = 200_000;

fn is_url(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// Files below `dir` in `source`, by relative path with `/` separators.
fn listing(source: &dyn FileSource, dir: &Path) -> BTreeMap<String, PathBuf> {
    source
        .list(dir, MAX_FILES)
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(dir).ok()?;
            let parts: Vec<String> =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            Some((parts.join("/"), p))
        })
        .collect()
}

/// [`DirSource::new`]'s detection of tuf-on-ci's source layout, over a
/// listing: a `root_history/` directory (a tuf-on-ci checkout; any other
/// directory is read exactly as served).
fn source_layout_of_names<'a>(mut names: impl Iterator<Item = &'a String>) -> bool {
    names.any(|rel| rel.starts_with("root_history/"))
}

/// A directory of the repository served from the file contents the engine
/// read, exactly as [`DirSource`] serves it from disk (same paths, fallbacks,
/// errors and descriptions).
struct Served<'a> {
    base: PathBuf,
    files: &'a BTreeMap<String, FileRef>,
    inputs: &'a Inputs,
    source_layout: bool,
    substituted: std::sync::Mutex<Vec<(String, String)>>,
    /// A large repository's files the plan does not track (its delegated
    /// roles), read from disk when the workflow asks for them.
    untracked: Option<DirSource>,
}

impl Served<'_> {
    fn read(&self, rel: &str, max_len: u64, what: &str) -> Result<Vec<u8>, FetchError> {
        let not_found = || FetchError::NotFound { what: what.to_owned() };
        let key = served_segments(rel).ok_or_else(not_found)?.join("/");
        let Some(file) = self.files.get(&key) else {
            return match &self.untracked {
                Some(disk) => disk.fetch(rel, max_len),
                None => Err(not_found()),
            };
        };
        match self.inputs.file(file).map(|f| &f.content) {
            Some(FileContent::Bytes(b)) if b.len() as u64 > max_len => {
                Err(FetchError::TooLong { what: what.to_owned(), limit: max_len })
            }
            Some(FileContent::Bytes(b)) => Ok(b.to_vec()),
            Some(FileContent::Missing) | None => Err(not_found()),
            Some(FileContent::Unreadable(why)) => {
                Err(FetchError::Other { what: what.to_owned(), message: why.clone() })
            }
            Some(FileContent::TooLarge { max, .. }) => {
                Err(FetchError::TooLong { what: what.to_owned(), limit: max_len.min(*max) })
            }
        }
    }
}

impl Source for Served<'_> {
    fn fetch(&self, rel: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        let what = self.describe(rel);
        match self.read(rel, max_len, &what) {
            Err(e) if e.is_not_found() && !self.source_layout => {
                let present = source_layout_fallbacks(rel).into_iter().find(|alt| {
                    served_segments(alt).is_some_and(|segs| self.files.contains_key(&segs.join("/")))
                });
                match present {
                    Some(alt) => Err(FetchError::OtherLayout { what, present: self.describe(&alt) }),
                    None => Err(e),
                }
            }
            Err(e) if e.is_not_found() => {
                for alt in source_layout_fallbacks(rel) {
                    match self.read(&alt, max_len, &self.describe(&alt)) {
                        Err(e2) if e2.is_not_found() => continue,
                        Ok(bytes) => {
                            if let Ok(mut s) = self.substituted.lock() {
                                s.push((what, self.describe(&alt)));
                            }
                            return Ok(bytes);
                        }
                        other => return other,
                    }
                }
                Err(e)
            }
            other => other,
        }
    }

    fn describe(&self, rel: &str) -> String {
        self.base.join(rel).display().to_string()
    }

    fn substitutions(&self) -> Vec<(String, String)> {
        self.substituted.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn recycle(&self, bytes: Vec<u8>) {
        if let Some(disk) = &self.untracked {
            disk.recycle(bytes);
        }
    }
}

/// The sources a run reads, as the CLI opens them.
fn sources(opts: &TufOptions) -> (Box<dyn Source>, Option<Box<dyn Source>>) {
    let metadata = crate::tuf::source::open_with(&opts.metadata, opts.config.net);
    let layout = (!is_url(&opts.metadata)).then(|| DirSource::new(&opts.metadata).source_layout());
    let targets = opts.targets.as_ref().map(|t| -> Box<dyn Source> {
        if is_url(t) {
            crate::tuf::source::open_with(t, opts.config.net)
        } else {
            let dir = DirSource::new(t);
            Box::new(match layout {
                Some(on) => dir.with_source_layout(on),
                None => dir,
            })
        }
    });
    (metadata, targets)
}

/// Runs the session for `opts` at `at` with `root_bytes` as the trusted root.
pub fn run_session(opts: &TufOptions, root_bytes: Vec<u8>, at: OffsetDateTime) -> TufOutcome {
    let (metadata, targets) = sources(opts);
    session::run(Request {
        root_bytes,
        root_file: opts.root.display().to_string(),
        metadata: metadata.as_ref(),
        targets: targets.as_deref(),
        state: opts.state.as_ref().map(|d| StateDir::new(d, opts.save_state)),
        at,
        config: opts.config.clone(),
        target_paths: opts.target_paths.clone(),
        all_roles: opts.all_roles,
    })
}

/// Builds the plan, listing the directories on disk. With `detail` false
/// only the verdict (and per-target) units are declared: the headless path.
pub fn plan(opts: &TufOptions, detail: bool) -> Result<TufPlan, PlanError> {
    plan_in(opts, detail, &DiskSource::default())
}

/// A metadata directory with more files than this is planned lazily (see
/// [`plan_in`]): a PEP 458 repository has tens of thousands of hash bins.
pub const TRACKED_FILES: usize = 1_000;

/// Parts an audit of a lazily planned repository is split into (one unit
/// each, so the audit's progress shows as units finish).
pub const AUDIT_PARTS: usize = 32;

/// [`plan`] over any [`FileSource`] that can list its files — give it the
/// source the engine will read from (an [`crate::engine::MemorySource`] for
/// the embedded demo). The verdict reads only the plan's inputs (besides an
/// http(s) location and `--state`, which are not tracked).
///
/// A repository with more than [`TRACKED_FILES`] metadata files is planned
/// lazily: only the top-level roles' files are the plan's inputs (the
/// refresh, its verdict on screen at once); the delegated roles are read
/// from disk when the workflow asks for them — a lookup's bin, or every
/// role in the audit, split into [`AUDIT_PARTS`] units when it can be
/// (no state directory, hash bins that delegate nothing; otherwise one
/// unit audits in order). Changes to those files are not watched.
pub fn plan_in(opts: &TufOptions, detail: bool, source: &dyn FileSource) -> Result<TufPlan, PlanError> {
    plan_with(opts, detail, source, TRACKED_FILES)
}

/// [`plan_in`] with the number of files beyond which the plan is lazy.
#[doc(hidden)]
pub fn plan_with(
    opts: &TufOptions,
    detail: bool,
    source: &dyn FileSource,
    tracked_files: usize,
) -> Result<TufPlan, PlanError> {
    let mut b = Plan::builder();
    let at_text = crate::meta::time::format(opts.at);
    let evaluated_at = b.param("evaluated_at", opts.at, at_text.as_bytes());
    let root_file = b.file(&opts.root);
    let listed =
        if is_url(&opts.metadata) { BTreeMap::new() } else { listing(source, Path::new(&opts.metadata)) };
    let lazy = listed.len() > tracked_files;
    // A repository small enough to track file by file is browsed whole (the
    // TUI's Targets view lists every role's targets); a PyPI-scale one
    // streams its audit and keeps only the per-role summaries.
    let mut kept;
    let opts = if lazy || opts.config.keep_audited_targets {
        opts
    } else {
        kept = opts.clone();
        kept.config.keep_audited_targets = true;
        &kept
    };
    let source_layout = source_layout_of_names(listed.keys());
    let meta_files: BTreeMap<String, FileRef> = listed
        .into_iter()
        .filter(|(rel, _)| !lazy || top_level_file(rel))
        .map(|(rel, p)| (rel, b.file(p)))
        .collect();
    let mut inputs: Vec<Input> = vec![evaluated_at.input(), root_file.input()];
    inputs.extend(meta_files.values().map(FileRef::input));
    let mut target_files: BTreeMap<String, FileRef> = BTreeMap::new();
    if let Some(t) = opts.targets.as_ref().filter(|t| !is_url(t)) {
        // The file names the requests resolve to: a target path goes into the
        // URL as written and the directory percent-decodes it.
        let decoded: Vec<String> = opts
            .target_paths
            .iter()
            .map(|p| {
                let url = crate::tuf::source::url_path(p);
                percent_encoding::percent_decode_str(&url).decode_utf8_lossy().into_owned()
            })
            .collect();
        let wanted: HashSet<&str> = decoded.iter().map(|p| p.rsplit('/').next().unwrap_or(p)).collect();
        for (rel, path) in listing(source, Path::new(t)) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if wanted.iter().any(|w| name == *w || name.ends_with(&format!(".{w}"))) {
                let file = b.file(path);
                inputs.push(file.input());
                target_files.insert(rel, file);
            }
        }
    }
    if detail && !is_url(&opts.metadata) {
        role_units(&mut b, opts, &root_file, &meta_files, &evaluated_at, source, lazy);
    }
    let in_parts = lazy && opts.all_roles && opts.state.is_none();
    let mut first = opts.clone();
    if in_parts {
        first.all_roles = false;
    }
    let (o, rf, at) = (first, root_file.clone(), evaluated_at.clone());
    let untracked =
        move |o: &TufOptions| lazy.then(|| DirSource::new(&o.metadata).with_source_layout(source_layout));
    let id = if in_parts { "refresh" } else { "verdict" };
    let verdict = b.unit(UnitId::new(id, opts.metadata.clone()), &inputs, move |inputs| {
        let Some(root) = inputs.bytes(&rf) else {
            return Outcome::error(format!("cannot read trusted root {}", o.root.display()));
        };
        let at = inputs.param(&at).copied().unwrap_or(o.at);
        let outcome = if is_url(&o.metadata) {
            run_session(&o, root.to_vec(), at)
        } else {
            let metadata = Served {
                base: PathBuf::from(&o.metadata),
                files: &meta_files,
                inputs,
                source_layout,
                substituted: Default::default(),
                untracked: untracked(&o),
            };
            let served;
            let http;
            let targets: Option<&dyn Source> = match &o.targets {
                Some(t) if is_url(t) => {
                    http = crate::tuf::source::open_with(t, o.config.net);
                    Some(http.as_ref())
                }
                Some(t) => {
                    served = Served {
                        base: PathBuf::from(t),
                        files: &target_files,
                        inputs,
                        source_layout,
                        substituted: Default::default(),
                        untracked: None,
                    };
                    Some(&served)
                }
                None => None,
            };
            session::run(Request {
                root_bytes: root.to_vec(),
                root_file: o.root.display().to_string(),
                metadata: &metadata,
                targets,
                state: o.state.as_ref().map(|d| StateDir::new(d, o.save_state)),
                at,
                config: o.config.clone(),
                target_paths: o.target_paths.clone(),
                all_roles: o.all_roles,
            })
        };
        verdict_outcome(outcome, o.config.strict)
    });
    let (verdict, refresh) = if in_parts {
        (audit_units(&mut b, opts, &verdict, &root_file, source_layout), Some(verdict))
    } else {
        (verdict, None)
    };
    target_units(&mut b, opts, &verdict);
    Ok(TufPlan { plan: b.build()?, verdict, evaluated_at, refresh })
}

/// Whether `rel` is a top-level role's file (what a refresh reads).
fn top_level_file(rel: &str) -> bool {
    let name = rel.strip_prefix("root_history/").unwrap_or(rel);
    let name = match name.split_once('.') {
        Some((v, rest)) if !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()) => rest,
        _ => name,
    };
    matches!(name, "root.json" | "timestamp.json" | "snapshot.json" | "targets.json")
}

/// What one part of a split audit found.
struct AuditPart {
    audit: Vec<crate::tuf::AuditedRole>,
    released: Vec<(String, String, crate::tuf::trusted_set::RoleSummary)>,
    notes: Vec<crate::verdict::Finding>,
    /// Some role of it delegates: the parts may meet, the audit runs in order.
    delegates: bool,
}

/// The audit of a lazily planned repository in [`AUDIT_PARTS`] units, each
/// auditing a share of top-level targets' delegated roles on the trusted
/// set of the `refresh` unit, then the verdict: the refresh's outcome with
/// every part's results in order. That is what the walk in order gives
/// when the parts cannot meet — no part's roles delegate further, which
/// the parts report; otherwise the verdict runs the whole workflow itself.
fn audit_units(
    b: &mut PlanBuilder,
    opts: &TufOptions,
    refresh: &UnitRef<TufOutcome>,
    root_file: &FileRef,
    source_layout: bool,
) -> UnitRef<TufOutcome> {
    let mut parts = Vec::with_capacity(AUDIT_PARTS);
    for k in 0..AUDIT_PARTS {
        let (r, o) = (refresh.clone(), opts.clone());
        let id = UnitId::new("tuf-audit", format!("{}/{AUDIT_PARTS}", k + 1));
        parts.push(b.unit(id, &[refresh.input()], move |inputs| {
            let Some(base) = inputs.get(&r) else { return Outcome::skipped("no refresh") };
            let Some(set) = base.trusted.clone().filter(|_| base.refresh.is_ok()) else {
                return Outcome::skipped("the refresh failed");
            };
            let Some((_, top)) = set.targets_role("targets") else { return Outcome::skipped("no targets") };
            let names = top.meta.delegations.as_ref().map(|d| d.role_names()).unwrap_or_default();
            let n = names.len();
            let (from, to) = (k * n / AUDIT_PARTS, (k + 1) * n / AUDIT_PARTS);
            let roles: Vec<(String, String)> =
                names.into_iter().skip(from).take(to - from).map(|r| (r, "targets".to_owned())).collect();
            let disk = DirSource::new(&o.metadata).with_source_layout(source_layout);
            let mut updater = Updater::resume(set, &disk, o.config.clone());
            let audit = updater.audit_roles(roles);
            let (set, notes) = updater.into_parts();
            let delegates = audit.iter().any(|a| a.delegator != "targets")
                || set.targets_roles().any(|(name, _, t)| name != "targets" && t.meta.delegations.is_some());
            let released =
                set.released_roles().map(|(name, d, s)| (name.to_owned(), d.to_owned(), s.clone())).collect();
            let failed = audit.iter().any(|a| a.outcome.is_err());
            let mut out = Outcome::pass(AuditPart { audit, released, notes, delegates });
            if failed {
                out.status = Status::Fail;
            }
            out
        }));
    }
    let mut inputs = vec![refresh.input(), root_file.input()];
    inputs.extend(parts.iter().map(UnitRef::input));
    let (r, o, rf) = (refresh.clone(), opts.clone(), root_file.clone());
    b.unit(UnitId::new("verdict", opts.metadata.clone()), &inputs, move |inputs| {
        let Some(base) = inputs.get(&r) else { return Outcome::skipped("no refresh") };
        let got: Vec<Option<&AuditPart>> = parts.iter().map(|p| inputs.get(p)).collect();
        let total = base
            .trusted
            .as_ref()
            .and_then(|s| s.targets_role("targets"))
            .and_then(|(_, t)| t.meta.delegations.as_ref().map(|d| d.role_names().len()))
            .unwrap_or(0);
        let whole = base.refresh.is_err()
            || got.iter().any(|p| p.is_none_or(|p| p.delegates))
            || total > o.config.max_audit_roles;
        if whole {
            // The refresh failed (nothing to audit), or the parts may meet.
            let root = inputs.bytes(&rf).map(<[u8]>::to_vec).unwrap_or_default();
            let outcome = run_session(&o, root, base.at);
            return verdict_outcome(outcome, o.config.strict);
        }
        let mut set = base.trusted.clone();
        let mut audit = Vec::with_capacity(total);
        let mut notes = base.notes.clone();
        for part in got.into_iter().flatten() {
            audit.extend(part.audit.iter().cloned());
            notes.extend(part.notes.iter().cloned());
            if let Some(set) = set.as_mut() {
                for (role, delegator, summary) in &part.released {
                    set.insert_released(role.clone(), delegator.clone(), summary.clone());
                }
            }
        }
        let outcome = TufOutcome {
            trusted: set,
            refresh: base.refresh.clone(),
            targets: base.targets.clone(),
            audit,
            untrusted: base.untrusted.clone(),
            notes,
            at: base.at,
            config: base.config.clone(),
        };
        verdict_outcome(outcome, o.config.strict)
    })
}

/// The plan of a one-shot headless run (`tuf verify`, `tuf inspect`): there
/// is nothing to cache between runs, so the metadata is neither listed nor
/// read up front; the verdict runs the client workflow over its own sources,
/// which read only what the workflow asks for (four files for a refresh of
/// a 16,384-bin repository, not all of them).
pub fn plan_one_shot(opts: &TufOptions) -> Result<TufPlan, PlanError> {
    let mut b = Plan::builder();
    let at_text = crate::meta::time::format(opts.at);
    let evaluated_at = b.param("evaluated_at", opts.at, at_text.as_bytes());
    let root_file = b.file(&opts.root);
    let (o, rf, at) = (opts.clone(), root_file.clone(), evaluated_at.clone());
    let inputs = [evaluated_at.input(), root_file.input()];
    let verdict = b.unit(UnitId::new("verdict", opts.metadata.clone()), &inputs, move |inputs| {
        let Some(root) = inputs.bytes(&rf) else {
            return Outcome::error(format!("cannot read trusted root {}", o.root.display()));
        };
        let at = inputs.param(&at).copied().unwrap_or(o.at);
        let outcome = run_session(&o, root.to_vec(), at);
        verdict_outcome(outcome, o.config.strict)
    });
    target_units(&mut b, opts, &verdict);
    Ok(TufPlan { plan: b.build()?, verdict, evaluated_at, refresh: None })
}

/// The verdict unit's outcome: the report's findings, pass or fail by its verdict.
fn verdict_outcome(outcome: TufOutcome, strict: bool) -> Outcome<TufOutcome> {
    let doc = report::summary(&outcome, strict);
    let pass = doc.verdict == crate::verdict::Verdict::Pass;
    let mut out = Outcome::from_findings(Some(outcome), doc.findings);
    out.status = if pass { Status::Pass } else { Status::Fail };
    out
}

/// One unit per requested target, reading its result from the verdict.
fn target_units(b: &mut PlanBuilder, opts: &TufOptions, verdict: &UnitRef<TufOutcome>) {
    for path in &opts.target_paths {
        let (v, p) = (verdict.clone(), path.clone());
        b.unit(UnitId::new("tuf-target", path.clone()), &[verdict.input()], move |inputs| {
            let Some(t) = inputs.get(&v).and_then(|o| o.targets.iter().find(|t| t.path == p)) else {
                return Outcome::skipped("no result for this target");
            };
            let mut out = Outcome::pass(t.status.as_str().to_owned());
            if t.status != TargetStatus::Ok {
                out.status = Status::Fail;
                out.detail = Some(t.category.as_str().to_owned());
            }
            out
        });
    }
}

/// A role unit: the trusted set after one more update, or why not.
type SetOutcome = Outcome<TrustedSet>;

fn fail_set(why: String) -> SetOutcome {
    let mut o = Outcome::skipped(why);
    o.status = Status::Fail;
    o
}

fn role_units(
    b: &mut PlanBuilder,
    opts: &TufOptions,
    root_file: &FileRef,
    files: &BTreeMap<String, FileRef>,
    at: &ParamRef<OffsetDateTime>,
    source: &dyn FileSource,
    lazy: bool,
) {
    let base = PathBuf::from(&opts.metadata);
    let describe = move |rel: &str| base.join(rel).display().to_string();
    let of_role = |role: &str| -> Vec<(String, FileRef)> {
        files
            .iter()
            .filter(|(rel, _)| {
                let name = rel.strip_prefix("root_history/").unwrap_or(rel);
                name == format!("{role}.json")
                    || name.split_once('.').is_some_and(|(v, rest)| {
                        v.bytes().all(|c| c.is_ascii_digit())
                            && !v.is_empty()
                            && rest == format!("{role}.json")
                    })
            })
            .map(|(rel, f)| (rel.clone(), f.clone()))
            .collect()
    };
    // §5.2–§5.3: trusted root, then N+1.root.json while present.
    let roots = of_role("root");
    let mut inputs = vec![root_file.input(), at.input()];
    inputs.extend(roots.iter().map(|(_, f)| f.input()));
    let (rf, atp, strict, rootname, d) = (
        root_file.clone(),
        at.clone(),
        opts.config.strict,
        opts.root.display().to_string(),
        describe.clone(),
    );
    let max_rot = opts.config.max_root_rotations;
    let written_form = opts.config.written_signature_form;
    let root_unit = b.unit(UnitId::new("tuf-root", "root"), &inputs, move |inputs| {
        let (Some(bytes), Some(at)) = (inputs.bytes(&rf), inputs.param(&atp)) else {
            return Outcome::skipped("no trusted root");
        };
        let mut set = match TrustedSet::new(bytes, &rootname, *at, strict) {
            Ok(s) => s.accept_written_form(written_form),
            Err(e) => return fail_set(e.message),
        };
        for _ in 0..max_rot {
            let next = set.root().meta.common.version.saturating_add(1);
            let want = [format!("{next}.root.json"), format!("root_history/{next}.root.json")];
            let Some((rel, file)) = roots.iter().find(|(rel, _)| want.contains(rel)) else { break };
            let Some(data) = inputs.bytes(file) else { break };
            if let Err(e) = set.update_root(data, &d(rel)) {
                return fail_set(e.message);
            }
        }
        Outcome::pass(set)
    });
    let ts = step_unit(
        b,
        "tuf-timestamp",
        "timestamp",
        &root_unit,
        of_role("timestamp"),
        describe.clone(),
        |set, data, file| set.update_timestamp(data, file).map(|_| ()),
        |_| None,
    );
    let snap = step_unit(
        b,
        "tuf-snapshot",
        "snapshot",
        &ts,
        of_role("snapshot"),
        describe.clone(),
        |set, data, file| set.update_snapshot(data, file, false).map(|_| ()),
        |set| {
            let consistent = set.root().meta.consistent_snapshot;
            set.timestamp().filter(|_| consistent).map(|t| t.meta.snapshot_meta.version)
        },
    );
    let targets = step_unit(
        b,
        "tuf-targets",
        "targets",
        &snap,
        of_role("targets"),
        describe.clone(),
        |set, data, file| set.update_targets(data, file).map(|_| ()),
        |set| role_version(set, "targets"),
    );
    if lazy {
        // One unit per delegated role would read every role up front.
        return;
    }
    // Delegated roles, breadth first from targets, each against its first delegator.
    let mut units: BTreeMap<String, UnitRef<TrustedSet>> = BTreeMap::from([("targets".to_owned(), targets)]);
    let mut queue: VecDeque<String> = VecDeque::from(["targets".to_owned()]);
    let delegations = scan_delegations(files, &opts.metadata, source);
    while let Some(parent) = queue.pop_front() {
        for child in delegations.get(&parent).cloned().unwrap_or_default() {
            if units.contains_key(&child) || units.len() > opts.config.max_audit_roles.min(MAX_FILES) {
                continue;
            }
            let Some(parent_unit) = units.get(&parent).cloned() else { continue };
            let (c, p) = (child.clone(), parent.clone());
            let unit = step_unit(
                b,
                "tuf-role",
                &child,
                &parent_unit,
                of_role(&child),
                describe.clone(),
                move |set, data, file| set.update_delegated_targets(data, file, &c, &p).map(|_| ()),
                {
                    let c = child.clone();
                    move |set| role_version(set, &c)
                },
            );
            units.insert(child.clone(), unit);
            queue.push_back(child);
        }
    }
}

/// The version to fetch for `role` under consistent snapshots.
fn role_version(set: &TrustedSet, role: &str) -> Option<u64> {
    if !set.root().meta.consistent_snapshot {
        return None;
    }
    set.snapshot_meta_for(role).ok().map(|m| m.version)
}

/// One update of the trusted set: the parent's set, plus one file.
#[allow(clippy::too_many_arguments)]
fn step_unit(
    b: &mut PlanBuilder,
    kind: &'static str,
    role: &str,
    parent: &UnitRef<TrustedSet>,
    candidates: Vec<(String, FileRef)>,
    describe: impl Fn(&str) -> String + Send + Sync + 'static,
    update: impl Fn(&mut TrustedSet, &[u8], &str) -> Result<(), crate::tuf::TufError> + Send + Sync + 'static,
    version: impl Fn(&TrustedSet) -> Option<u64> + Send + Sync + 'static,
) -> UnitRef<TrustedSet> {
    let mut inputs = vec![parent.input()];
    inputs.extend(candidates.iter().map(|(_, f)| f.input()));
    let (p, role) = (parent.clone(), role.to_owned());
    b.unit(UnitId::new(kind, role.clone()), &inputs, move |inputs: &Inputs| {
        let Some(set) = inputs.get(&p) else { return Outcome::skipped("its delegator is not trusted") };
        let name = Updater::metadata_path(&role, version(set));
        let plain = Updater::metadata_path(&role, None);
        // The served name, or the unversioned file of the source layout.
        let found = [name, plain].into_iter().find_map(|want| {
            let decoded = percent_encoding::percent_decode_str(&want).decode_utf8_lossy().into_owned();
            candidates.iter().find(|(rel, _)| *rel == decoded).map(|(rel, f)| (rel.clone(), f.clone()))
        });
        let Some((rel, file)) = found else { return fail_set(format!("{role}: no metadata file")) };
        let Some(data) = inputs.bytes(&file) else { return fail_set(format!("{role}: cannot read {rel}")) };
        let mut set = set.clone();
        match update(&mut set, data, &describe(&rel)) {
            Ok(()) => Outcome::pass(set),
            Err(e) => fail_set(e.message),
        }
    })
}

/// Delegator → delegated role names, from every targets file of the source.
fn scan_delegations(
    files: &BTreeMap<String, FileRef>,
    base: &str,
    source: &dyn FileSource,
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (rel, f) in files {
        let Some(stem) = rel.strip_suffix(".json") else { continue };
        let role = match stem.split_once('.') {
            Some((v, rest)) if !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()) => rest,
            _ => stem,
        };
        if out.contains_key(role) {
            continue;
        }
        let FileContent::Bytes(bytes) = source.read(f.path()) else { continue };
        let Ok(md) = tufmeta::parse(&bytes, &Path::new(base).join(rel).display().to_string()) else {
            continue;
        };
        if let Signed::Targets(t) = &md.signed
            && let Some(d) = &t.delegations
        {
            out.insert(role.to_owned(), d.role_names());
        }
    }
    out
}
