//! The client workflow driver (spec §5.1–§5.7), after python-tuf's
//! `ngclient.Updater`: it fetches files from a [`Source`] in the reference's
//! request order, with its length limits and file names, feeds them to the
//! [`TrustedSet`], keeps local copies in a [`StateDir`], searches
//! delegations for targets, and verifies target files.
//!
//! Requests, in order: `N+1.root.json` … until 403/404, `timestamp.json`,
//! `[V.]snapshot.json` and `[V.]targets.json` unless a valid local copy is
//! at hand, then delegated roles lazily in the order of the search.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use std::sync::Arc;

use time::OffsetDateTime;

use super::error::{Category, TufError};
use super::metadata::{Prehashed, TABLE_AFTER};
use super::metadata::{TargetFile, Targets};
use super::source::{FetchError, Source, quote};
use super::state::StateDir;
use super::trusted_set::{
    ParsedTargets, RoleSummary, TimestampUpdate, TrustedSet, VerifiedTargets, check_hashes, check_length,
};
use super::verify::VerificationResult;
use crate::meta::Location;
use crate::verdict::{Evidence, Finding, Subject};

/// Limits and switches of the client (python-tuf `UpdaterConfig` defaults).
#[derive(Debug, Clone)]
pub struct Config {
    pub max_root_rotations: u64,
    pub max_delegations: usize,
    pub root_max_length: u64,
    pub timestamp_max_length: u64,
    pub snapshot_max_length: u64,
    pub targets_max_length: u64,
    /// Fetch targets as `dir/HASH.name` when the root says `consistent_snapshot`.
    pub prefix_targets_with_hash: bool,
    /// Count thresholds by key material, not key id.
    pub strict: bool,
    /// Upper bound on roles loaded by [`Updater::load_all_roles`].
    pub max_audit_roles: usize,
    /// Look targets up without downloading them (`session::run`): a found
    /// target is reported with its trusted info, as python-tuf's
    /// `get_targetinfo` gives it.
    pub lookup_only: bool,
    /// Timeouts and the minimum speed of http(s) downloads.
    pub net: super::source::NetLimits,
    /// `--signature-form written`: a timestamp whose `meta` lists more than
    /// `snapshot.json` may be signed over the document as written.
    pub written_signature_form: bool,
    /// Keep every audited role whole ([`Updater::load_all_roles`]); by
    /// default a role that delegates nothing is summarized and let go once
    /// verified, so the audit's memory does not grow with the repository
    /// (the graph, which lists every target, keeps them).
    pub keep_audited_targets: bool,
    /// The audit releases runs of roles that delegate nothing while the
    /// next roles are verified (see `Updater::release_run`); off, one role
    /// at a time. The outcome is the same: the differential tests compare.
    #[doc(hidden)]
    pub audit_in_runs: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_root_rotations: 256,
            max_delegations: 32,
            root_max_length: 512_000,
            timestamp_max_length: 16_384,
            snapshot_max_length: 2_000_000,
            targets_max_length: 5_000_000,
            prefix_targets_with_hash: true,
            strict: false,
            max_audit_roles: 1 << 20,
            lookup_only: false,
            net: super::source::NetLimits::default(),
            written_signature_form: false,
            keep_audited_targets: false,
            audit_in_runs: true,
        }
    }
}

/// The result of a target lookup (§5.6.7).
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// The role that lists the target, and what it says about it.
    pub found: Option<(String, TargetFile)>,
    /// The search stopped at `max_delegations` with roles left to visit.
    pub limit_reached: bool,
    /// The roles consulted, in order.
    pub visited: Vec<String>,
}

/// One delegated role as loaded by the audit ([`Updater::load_all_roles`]).
#[derive(Debug, Clone)]
pub struct AuditedRole {
    pub role: String,
    pub delegator: String,
    /// Boxed: an audit keeps one per role, nearly all `Ok`.
    pub outcome: Result<(), Box<TufError>>,
}

/// A TUF client over one repository.
pub struct Updater<'a> {
    config: Config,
    set: TrustedSet,
    metadata: &'a dyn Source,
    targets: Option<&'a dyn Source>,
    state: Option<StateDir>,
    /// What happened besides the verdict: local copies ignored, roles re-verified, …
    notes: Vec<Finding>,
    /// Where each delegated role's trusted bytes came from, to read a
    /// released role again (re-verified against a second delegator).
    origins: HashMap<String, Origin>,
}

/// Where a targets role's bytes were read from.
#[derive(Debug, Clone)]
enum Origin {
    /// The repository, at the request path of this version (see
    /// [`Updater::metadata_path`]) and length limit: no path held per role.
    Fetched { version: Option<u64>, max_len: u64 },
    /// The local state directory.
    Local,
    /// The bytes the set already trusted (the first origin stays).
    Trusted,
}

/// Roles the audit reads and verifies on all cores at a time: enough that
/// the walk's serial part between batches is rare (one core idles during
/// it), few enough that the bins in flight stay small. Since the audit's
/// summaries shrank (session 9), b14-1M back to back: 32 → 0.37–0.40 s,
/// 128 → 0.34–0.37 s, 512 → 0.34–0.36 s; b14-10M peak RSS 32 → 49–50 MiB,
/// 128 → 56–60 MiB, 512 → 122 MiB (python-tuf: 37 MiB, the goal ≤ 2×).
/// While a run is released ([`Updater::release_run`]) the next this many
/// are prepared too: up to twice as many in flight (b14-10M: 62 MiB).
const AUDIT_AHEAD: usize = 128;

/// Roles prepared together: their signature checks are hashed in the lanes
/// of [`crate::crypto::sha512_multi`] (one bin key signs each hash bin).
const HASH_GROUP: usize = crate::crypto::sha512_multi::LANES;

impl<'a> Updater<'a> {
    /// §5.1 and §5.2: fix the evaluation time and load the trusted root.
    pub fn new(
        root_bytes: &[u8],
        root_file: &str,
        metadata: &'a dyn Source,
        reference_time: OffsetDateTime,
        config: Config,
    ) -> Result<Self, TufError> {
        let set = TrustedSet::new(root_bytes, root_file, reference_time, config.strict)?
            .accept_written_form(config.written_signature_form);
        Ok(Self {
            config,
            set,
            metadata,
            targets: None,
            state: None,
            notes: Vec::new(),
            origins: HashMap::new(),
        })
    }

    /// Where target files are fetched from.
    pub fn with_targets(mut self, targets: &'a dyn Source) -> Self {
        self.targets = Some(targets);
        self
    }

    /// Local state: read before downloading, written if the directory is writable.
    /// The trusted root is stored in it right away, as python-tuf does with a bootstrap root.
    pub fn with_state(mut self, state: StateDir) -> Self {
        let root = self.set.root();
        if let Err(e) = state.persist_root(root.meta.common.version, &root.raw) {
            self.notes.push(Finding::warning(
                crate::verdict::category::STATE_NOT_SAVED,
                Subject::Role { name: "root".into() },
                format!("could not store the trusted root in {}: {e}", state.dir().display()),
            ));
        }
        self.state = Some(state);
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn trusted(&self) -> &TrustedSet {
        &self.set
    }

    pub fn notes(&self) -> &[Finding] {
        &self.notes
    }

    /// The trusted set and the notes, without copying them (the set of an
    /// audit holds tens of thousands of roles).
    pub fn into_parts(self) -> (TrustedSet, Vec<Finding>) {
        (self.set, self.notes)
    }

    /// §5.3–§5.6: update root, timestamp, snapshot and top-level targets.
    pub fn refresh(&mut self) -> Result<(), TufError> {
        self.load_root()?;
        self.load_timestamp()?;
        self.load_snapshot()?;
        self.load_targets("targets", "root")?;
        Ok(())
    }

    /// The request path of a metadata file: `[V.]quote(role).json`.
    pub fn metadata_path(role: &str, version: Option<u64>) -> String {
        match version {
            Some(v) => format!("{v}.{}.json", quote(role)),
            None => format!("{}.json", quote(role)),
        }
    }

    fn fetch_metadata(
        &self,
        role: &str,
        version: Option<u64>,
        max_len: u64,
    ) -> Result<(Vec<u8>, String), TufError> {
        let rel = Self::metadata_path(role, version);
        let what = self.metadata.describe(&rel);
        match self.metadata.fetch(&rel, max_len) {
            Ok(bytes) => Ok((bytes, what)),
            Err(e) => Err(fetch_error(role, e, &what)),
        }
    }

    fn persist(&mut self, role: &str, data: &[u8]) {
        if let Some(state) = &self.state
            && let Err(e) = state.persist(role, data)
        {
            self.notes.push(Finding::warning(
                crate::verdict::category::STATE_NOT_SAVED,
                Subject::Role { name: role.to_owned() },
                format!("could not store {role} in {}: {e}", state.dir().display()),
            ));
        }
    }

    fn note_local_ignored(&mut self, role: &str, e: &TufError) {
        self.notes.push(local_ignored(role, e));
    }

    fn read_local(&self, role: &str, max_len: u64) -> Option<(Vec<u8>, String)> {
        let state = self.state.as_ref()?;
        let bytes = state.read(role, max_len)?;
        Some((bytes, state.path_for(role).display().to_string()))
    }

    /// §5.3: download `N+1.root.json` until the repository has no newer root.
    fn load_root(&mut self) -> Result<(), TufError> {
        let lower = self.set.root().meta.common.version.saturating_add(1);
        let upper = lower.saturating_add(self.config.max_root_rotations);
        for version in lower..upper {
            let rel = Self::metadata_path("root", Some(version));
            let what = self.metadata.describe(&rel);
            let data = match self.metadata.fetch(&rel, self.config.root_max_length) {
                Ok(d) => d,
                // §5.3.2: 403/404 means the trusted root is the newest.
                Err(e) if e.is_not_found() => break,
                Err(e) => return Err(fetch_error("root", e, &what)),
            };
            self.set.update_root(&data, &what)?;
            if let Some(state) = &self.state
                && let Err(e) = state.persist_root(version, &data)
            {
                self.notes.push(Finding::warning(
                    crate::verdict::category::STATE_NOT_SAVED,
                    Subject::Role { name: "root".into() },
                    format!("could not store root v{version}: {e}"),
                ));
            }
        }
        Ok(())
    }

    /// §5.4: the local timestamp (for rollback checks), then the remote one.
    fn load_timestamp(&mut self) -> Result<(), TufError> {
        if let Some((data, file)) = self.read_local("timestamp", self.config.timestamp_max_length) {
            // A stored copy that no longer verifies (e.g. after a key rotation,
            // §5.3.11) is ignored: that is the fast-forward recovery.
            if let Err(e) = self.set.update_timestamp(&data, &file) {
                self.note_local_ignored("timestamp", &e);
            }
        }
        let (data, file) = self.fetch_metadata("timestamp", None, self.config.timestamp_max_length)?;
        match self.set.update_timestamp(&data, &file)? {
            TimestampUpdate::Unchanged => Ok(()),
            TimestampUpdate::Updated => {
                self.persist("timestamp", &data);
                Ok(())
            }
        }
    }

    /// §5.5: a local snapshot valid as final is used as is; otherwise download.
    fn load_snapshot(&mut self) -> Result<(), TufError> {
        if let Some((data, file)) = self.read_local("snapshot", self.config.snapshot_max_length) {
            match self.set.update_snapshot(&data, &file, true) {
                Ok(_) => return Ok(()),
                Err(e) => self.note_local_ignored("snapshot", &e),
            }
        }
        let Some(ts) = self.set.timestamp() else {
            return Err(TufError::order("snapshot", "no timestamp loaded"));
        };
        let meta = ts.meta.snapshot_meta.clone();
        let length = meta.length.filter(|&l| l > 0).unwrap_or(self.config.snapshot_max_length);
        let version = self.set.root().meta.consistent_snapshot.then_some(meta.version);
        let (data, file) = self.fetch_metadata("snapshot", version, length)?;
        self.set.update_snapshot(&data, &file, false)?;
        self.persist("snapshot", &data);
        Ok(())
    }

    /// §5.6 / §5.6.7.2: a targets role, from the trusted set, the local copy
    /// or the repository, verified against `parent`'s delegation.
    fn load_targets(&mut self, role: &str, parent: &str) -> Result<Arc<Targets>, TufError> {
        if let Some((delegator, t)) = self.set.targets_role(role)
            && delegator == parent
        {
            return Ok(t.meta.clone());
        }
        let prepared = self.prepare_targets(role, parent, false);
        self.apply_prepared(prepared)
    }

    /// Everything [`Self::load_targets`] does short of changing the updater:
    /// read the local copy or download, and verify. Runs on any thread.
    /// `count_only`: a role that delegates nothing keeps no targets, only
    /// their number (the audit releases it at once).
    fn prepare_targets(&self, role: &str, parent: &str, count_only: bool) -> PreparedRole {
        let key = (role.to_owned(), parent.to_owned());
        self.prepare_group(&[&key], count_only).pop().unwrap_or_else(|| PreparedRole {
            notes: Vec::new(),
            result: Err(TufError::order(role, "nothing prepared")),
            origin: Origin::Trusted,
        })
    }

    /// [`Self::prepare_targets`] for each of `roles`, in order: every role is
    /// read and parsed, then the `SHA-512(R ‖ A ‖ M)` of their signature
    /// checks through key tables is computed together (eight messages at a
    /// time, [`crate::crypto::sha512_multi`]), then each role's signatures
    /// are checked on their own — the outcome of one role at a time.
    fn prepare_group(&self, roles: &[&(String, String)], count_only: bool) -> Vec<PreparedRole> {
        let started: Vec<Started> =
            roles.iter().map(|(role, parent)| self.start_targets(role, parent, count_only)).collect();
        let signatures: Vec<Option<Result<VerificationResult, TufError>>> = {
            let checks: Vec<_> = started
                .iter()
                .filter_map(|s| match s {
                    Started::Parsed { parsed, .. } => Some(self.set.table_checks(parsed)),
                    Started::Done(_) => None,
                })
                .flatten()
                .collect();
            let hints = if checks.len() > 1 { Prehashed::compute(&checks) } else { Vec::new() };
            started.iter().map(|s| s.signatures(&self.set, &hints)).collect()
        };
        roles
            .iter()
            .zip(started.into_iter().zip(signatures))
            .map(|((role, parent), (s, sigs))| self.settle(role, parent, count_only, s, sigs))
            .collect()
    }

    /// A role read and parsed from its local (or trusted) copy, else from
    /// the repository; or why it cannot be.
    fn start_targets(&self, role: &str, parent: &str, count_only: bool) -> Started {
        let mut notes = Vec::new();
        let mut cached: Option<(Arc<Vec<u8>>, String)> = None;
        let reverified = |delegator: &str| {
            Finding::info(
                crate::verdict::category::ROLE_REVERIFIED,
                Subject::Role { name: role.to_owned() },
                format!(
                    "{role} is delegated by both {delegator} and {parent}; verifying it against {parent}"
                ),
            )
        };
        if let Some((delegator, t)) = self.set.targets_role(role) {
            // Reached through another delegator: verify it against this one.
            cached = Some((t.raw.clone(), t.file.clone()));
            notes.push(reverified(delegator));
        } else if let Some((delegator, summary)) = self.set.released_role(role) {
            // The same, for a role the audit let go of: its bytes again, from where they came.
            match self.read_again(role) {
                Some(Ok(data)) => cached = Some((Arc::new(data), summary.file.clone())),
                Some(Err(e)) => {
                    return Started::Done(PreparedRole { notes, result: Err(e), origin: Origin::Trusted });
                }
                None => {}
            }
            if cached.is_some() && delegator != parent {
                notes.push(reverified(delegator));
            }
        }
        let from_set = cached.is_some();
        let local = cached.or_else(|| {
            self.read_local(role, self.config.targets_max_length).map(|(data, file)| (Arc::new(data), file))
        });
        if let Some((data, file)) = local {
            match self.set.parse_delegated_targets(data, &file, role, parent, count_only) {
                Ok(parsed) => {
                    return Started::Parsed {
                        notes,
                        parsed: Box::new(parsed),
                        read: Read::Local { from_set },
                    };
                }
                Err(e) => notes.push(local_ignored(role, &e)),
            }
        }
        self.start_download(role, parent, count_only, notes)
    }

    /// A role downloaded and parsed, or why it cannot be.
    fn start_download(&self, role: &str, parent: &str, count_only: bool, notes: Vec<Finding>) -> Started {
        let fetched = (|| {
            let meta = self.set.snapshot_meta_for(role)?;
            let length = meta.length.filter(|&l| l > 0).unwrap_or(self.config.targets_max_length);
            let version = self.set.root().meta.consistent_snapshot.then_some(meta.version);
            let (data, file) = self.fetch_metadata(role, version, length)?;
            Ok((data, file, Origin::Fetched { version, max_len: length }))
        })();
        match fetched {
            Err(e) => Started::Done(PreparedRole { notes, result: Err(e), origin: Origin::Trusted }),
            Ok((data, file, origin)) => {
                match self.set.parse_delegated_targets(Arc::new(data), &file, role, parent, count_only) {
                    Ok(parsed) => {
                        Started::Parsed { notes, parsed: Box::new(parsed), read: Read::Downloaded(origin) }
                    }
                    Err(e) => Started::Done(PreparedRole { notes, result: Err(e), origin }),
                }
            }
        }
    }

    /// The rest of the checks of a started role, given its signatures'
    /// outcome; a local copy that fails them is set aside for a download.
    fn settle(
        &self,
        role: &str,
        parent: &str,
        count_only: bool,
        started: Started,
        signatures: Option<Result<VerificationResult, TufError>>,
    ) -> PreparedRole {
        let (mut notes, parsed, read) = match started {
            Started::Done(p) => return p,
            Started::Parsed { notes, parsed, read } => (notes, parsed, read),
        };
        let verified = match signatures {
            Some(sigs) => sigs.and_then(|s| self.set.finish_delegated_targets(*parsed, s)),
            None => Err(TufError::order(role, "signatures not checked")),
        };
        match (verified, read) {
            (Ok(v), Read::Local { from_set }) => {
                let origin = if from_set { Origin::Trusted } else { Origin::Local };
                PreparedRole { notes, result: Ok((v, false)), origin }
            }
            (Err(e), Read::Local { .. }) => {
                notes.push(local_ignored(role, &e));
                let started = self.start_download(role, parent, count_only, notes);
                let sigs = started.signatures(&self.set, &[]);
                self.settle(role, parent, count_only, started, sigs)
            }
            (result, Read::Downloaded(origin)) => {
                PreparedRole { notes, result: result.map(|v| (v, true)), origin }
            }
        }
    }

    /// The bytes of a released role, read again from where they were first
    /// read (`None` when that is not known).
    fn read_again(&self, role: &str) -> Option<Result<Vec<u8>, TufError>> {
        match self.origins.get(role)? {
            Origin::Fetched { version, max_len } => {
                let rel = Self::metadata_path(role, *version);
                Some(
                    self.metadata
                        .fetch(&rel, *max_len)
                        .map_err(|e| fetch_error(role, e, &self.metadata.describe(&rel))),
                )
            }
            Origin::Local => self.read_local(role, self.config.targets_max_length).map(|(data, _)| Ok(data)),
            Origin::Trusted => None,
        }
    }

    /// Trusts a prepared role (and stores it if it was downloaded).
    fn apply_prepared(&mut self, prepared: PreparedRole) -> Result<Arc<Targets>, TufError> {
        self.notes.extend(prepared.notes);
        let (verified, downloaded) = prepared.result?;
        let role = verified.role().to_owned();
        if !matches!(prepared.origin, Origin::Trusted) {
            self.origins.insert(role.clone(), prepared.origin);
        }
        let t = self.set.commit_targets(verified);
        let (meta, raw) = (t.meta.clone(), t.raw.clone());
        if downloaded {
            self.persist(&role, &raw);
        }
        Ok(meta)
    }

    /// §5.6.7: the target info for `path`, by a pre-order depth-first search
    /// of the delegations (refreshing first if needed).
    pub fn get_targetinfo(&mut self, path: &str) -> Result<Lookup, TufError> {
        if self.set.targets_role("targets").is_none() {
            self.refresh()?;
        }
        self.preorder_depth_first_walk(path)
    }

    fn preorder_depth_first_walk(&mut self, path: &str) -> Result<Lookup, TufError> {
        // Pairs of (role, delegator); the top of the stack is the end.
        let mut to_visit: Vec<(String, String)> = vec![("targets".into(), "root".into())];
        let mut visited: HashSet<String> = HashSet::new();
        let mut order = Vec::new();
        // §5.6.7.1: at most `max_delegations` roles beyond top-level targets.
        while visited.len() <= self.config.max_delegations {
            let Some((role, parent)) = to_visit.pop() else { break };
            // Visited roles are skipped, so cycles end.
            if visited.contains(&role) {
                continue;
            }
            let targets = self.load_targets(&role, &parent)?;
            order.push(role.clone());
            if let Some(info) = targets.targets.get(path) {
                return Ok(Lookup { found: Some((role, info)), limit_reached: false, visited: order });
            }
            visited.insert(role.clone());
            if let Some(delegations) = &targets.delegations {
                let mut children = Vec::new();
                // §5.6.7.2: roles whose paths cover the target, in listed order.
                for (child, terminating) in delegations.roles_for_target(path) {
                    children.push((child, role.clone()));
                    // A terminating delegation ends the search after its subtree.
                    if terminating {
                        to_visit.clear();
                        break;
                    }
                }
                to_visit.extend(children.into_iter().rev());
            }
        }
        Ok(Lookup { found: None, limit_reached: !to_visit.is_empty(), visited: order })
    }

    /// The request path of a target: `dir/HASH.name` with consistent snapshots.
    pub fn target_path(&self, path: &str, info: &TargetFile) -> String {
        let consistent = self.set.root().meta.consistent_snapshot && self.config.prefix_targets_with_hash;
        let encoded = encode_target_path(path);
        match (consistent, info.hashes.values().next()) {
            (true, Some(hash)) => match encoded.rsplit_once('/') {
                Some((dir, base)) => format!("{dir}/{}.{base}", quote(hash)),
                None => format!("{}.{encoded}", quote(hash)),
            },
            _ => encoded,
        }
    }

    /// §5.7: download the target (at most its trusted length) and verify its
    /// length and every listed hash. `role` is the role that listed it.
    pub fn download_target(&self, path: &str, info: &TargetFile, role: &str) -> Result<Vec<u8>, TufError> {
        let Some(src) = self.targets else {
            return Err(TufError::new(Category::Other, role, "§5.7", "no target location given"));
        };
        let rel = self.target_path(path, info);
        let what = src.describe(&rel);
        let data = src.fetch(&rel, info.length).map_err(|e| fetch_error(role, e, &what))?;
        check_length(info.length, &data, role, "§5.7.3", &what)?;
        check_hashes(&info.hashes, &data, role, "§5.7.3", &what)?;
        Ok(data)
    }

    /// Audit: load and verify every delegated role reachable from top-level
    /// targets, pre-order, once per delegation: a role delegated by two
    /// roles is checked against each (the later check re-verifies the
    /// trusted bytes, see `role-reverified`).
    ///
    /// Roles are read and verified on all cores, [`AUDIT_AHEAD`] at a time
    /// from the top of the walk's stack (nothing in the set changes
    /// meanwhile); the walk then takes them in order, so the result is that
    /// of a one-by-one walk. A prepared role that the walk reaches some other
    /// way first is prepared again. Unless `keep_audited_targets`, a role
    /// that delegates nothing is released once verified
    /// ([`TrustedSet::release_targets`]): the audit holds the roles in
    /// flight and one summary per role, not the repository.
    pub fn load_all_roles(&mut self) -> Vec<AuditedRole> {
        // The walk runs on a worker of the pool that prepares its roles: it
        // takes a share of each batch itself instead of sleeping until the
        // batch is done and being woken (hundreds of hand-offs per audit).
        rayon::scope(|_| self.load_all_roles_with(|_, _| {}))
    }

    /// [`Self::load_all_roles`], telling `progress` after each role how many
    /// roles are done and how many are known so far (the count grows as
    /// delegating roles are read).
    pub fn load_all_roles_with(&mut self, progress: impl FnMut(usize, usize)) -> Vec<AuditedRole> {
        let Some((_, top)) = self.set.targets_role("targets") else { return Vec::new() };
        // The tables of the keys that sign many roles (the hash bins' key)
        // are built while the walk's roles are named, on the other core:
        // not in the first batch, where every thread checking that key's
        // signatures would wait for the one building it.
        let busy = top.meta.delegations.as_ref().map(|d| d.keys_of_at_least(u64::from(TABLE_AFTER)));
        let (roles, ()) = rayon::join(
            || children_of("targets", &top.meta),
            || busy.into_iter().flatten().for_each(|k| k.table.build(&k.key)),
        );
        // Every role the snapshot lists may be reached: room for them all up
        // front, not grown (and copied onto fresh pages) as they come.
        let expected = self.set.snapshot().map_or(roles.len(), |s| s.meta.meta.len());
        self.walk_roles(roles, expected, progress)
    }

    /// The audit's walk from some of top-level targets' delegated roles
    /// (`roles` as `(role, delegator)`, in walk order): what
    /// [`Self::load_all_roles`] does for those subtrees. A repository's
    /// audit can be split this way where the subtrees cannot meet (hash bins
    /// that delegate nothing).
    pub fn audit_roles(&mut self, roles: Vec<(String, String)>) -> Vec<AuditedRole> {
        let mut stack = roles;
        stack.reverse();
        let expected = stack.len();
        self.walk_roles(stack, expected, |_, _| {})
    }

    /// Every trusted role and the notes, after a refresh done elsewhere
    /// (`set` as [`Self::into_parts`] left it): the updater picks up where
    /// that one stopped, reading from `metadata`.
    pub fn resume(set: TrustedSet, metadata: &'a dyn Source, config: Config) -> Self {
        Self { config, set, metadata, targets: None, state: None, notes: Vec::new(), origins: HashMap::new() }
    }

    /// The walk of the audit from `stack` (popped from the end), which is
    /// `expected` to reach about that many roles.
    fn walk_roles(
        &mut self,
        mut stack: Vec<(String, String)>,
        expected: usize,
        mut progress: impl FnMut(usize, usize),
    ) -> Vec<AuditedRole> {
        let expected = expected.min(self.config.max_audit_roles);
        let mut out = Vec::with_capacity(expected);
        let mut seen: HashSet<(String, String)> = HashSet::with_capacity(expected + 1);
        seen.insert(("targets".to_owned(), "root".to_owned()));
        self.origins.reserve(expected);
        let mut known = stack.len();
        let mut prepared: HashMap<(String, String), PreparedRole> = HashMap::new();
        let in_runs = self.config.audit_in_runs && self.state.is_none() && !self.config.keep_audited_targets;
        loop {
            if in_runs {
                let mut walk =
                    Walk { stack: &mut stack, seen: &mut seen, prepared: &mut prepared, out: &mut out };
                self.release_run(&mut walk, known, &mut progress);
            }
            let Some(key) = stack.pop() else { break };
            if out.len() >= self.config.max_audit_roles {
                break;
            }
            if !seen.insert(key.clone()) {
                continue;
            }
            if !prepared.contains_key(&key) && !self.set.is_trusted_targets(&key.0) {
                let budget = self.config.max_audit_roles.saturating_sub(out.len());
                let ahead = stack.iter().rev().filter(|k| !seen.contains(*k)).take(AUDIT_AHEAD - 1);
                let wanted: Vec<&(String, String)> = std::iter::once(&key).chain(ahead).collect();
                self.prefetch(&wanted, &mut prepared, budget);
            }
            let ready = prepared.remove(&key).filter(|_| !self.set.is_trusted_targets(&key.0));
            let (role, parent) = key;
            let loaded = match ready {
                Some(p) => self.apply_prepared(p),
                None => self.load_targets(&role, &parent),
            };
            match loaded {
                Ok(t) => {
                    let children = children_of(&role, &t);
                    known += children.len();
                    drop(t);
                    if !self.config.keep_audited_targets
                        && let Some(raw) = self.set.release_targets(&role)
                        && let Ok(bytes) = Arc::try_unwrap(raw)
                    {
                        self.metadata.recycle(bytes);
                    }
                    stack.extend(children);
                    out.push(AuditedRole { role, delegator: parent, outcome: Ok(()) });
                }
                Err(e) => out.push(AuditedRole { role, delegator: parent, outcome: Err(Box::new(e)) }),
            }
            progress(out.len(), known.min(self.config.max_audit_roles));
        }
        out
    }

    /// After a failed refresh: the top-level roles it did not trust, read
    /// from the repository without trusting them (the version named by what
    /// is trusted, else the unversioned file), with their signatures checked
    /// against the trusted root and their expiry — what can still be known.
    pub fn probe_untrusted(&self) -> Vec<UntrustedRole> {
        let set = &self.set;
        let root = &set.root().meta;
        let consistent = root.consistent_snapshot;
        let mut out = Vec::new();
        for role in ["timestamp", "snapshot", "targets"] {
            let (trusted, version, max) = match role {
                "timestamp" => (set.timestamp().is_some(), None, self.config.timestamp_max_length),
                "snapshot" => (
                    set.snapshot().is_some(),
                    set.timestamp().map(|t| t.meta.snapshot_meta.version),
                    self.config.snapshot_max_length,
                ),
                _ => (
                    set.targets_role("targets").is_some(),
                    set.snapshot().and_then(|s| s.meta.meta.get("targets.json")).map(|m| m.version),
                    self.config.targets_max_length,
                ),
            };
            if trusted {
                continue;
            }
            let rel = Self::metadata_path(role, version.filter(|_| consistent));
            let file = self.metadata.describe(&rel);
            let read = self
                .metadata
                .fetch(&rel, max)
                .map_err(|e| e.to_string())
                .and_then(|data| super::metadata::parse(&data, &file).map_err(|e| e.to_string()));
            out.push(match read {
                Ok(md) => UntrustedRole {
                    role: role.to_owned(),
                    file,
                    common: Some(md.signed.common().clone()),
                    signatures: Some(super::verify::verify_role(&**root, role, &md, self.config.strict)),
                    error: None,
                },
                Err(e) => UntrustedRole {
                    role: role.to_owned(),
                    file,
                    common: None,
                    signatures: None,
                    error: Some(e),
                },
            });
        }
        out
    }

    /// Prepares up to `budget` of `roles` (in walk order) that are neither
    /// trusted nor prepared yet, in parallel.
    fn prefetch(
        &self,
        roles: &[&(String, String)],
        prepared: &mut HashMap<(String, String), PreparedRole>,
        budget: usize,
    ) {
        let wanted: Vec<&(String, String)> =
            roles.iter().copied().filter(|&key| !prepared.contains_key(key)).collect();
        let results = self.prepare_untrusted(&wanted, budget);
        prepared.reserve(results.len());
        prepared.extend(results);
    }

    /// Up to `budget` of `roles` (in walk order) that are not trusted,
    /// prepared in parallel.
    fn prepare_untrusted(
        &self,
        roles: &[&(String, String)],
        budget: usize,
    ) -> Vec<((String, String), PreparedRole)> {
        let wanted: Vec<&(String, String)> =
            roles.iter().copied().filter(|&key| !self.set.is_trusted_targets(&key.0)).take(budget).collect();
        let count_only = !self.config.keep_audited_targets;
        let results: Vec<PreparedRole> = wanted
            .par_chunks(HASH_GROUP)
            .flat_map_iter(|group| self.prepare_group(group, count_only))
            .collect();
        wanted.into_iter().cloned().zip(results).collect()
    }

    /// The roles at the top of the walk's stack that are prepared,
    /// downloaded and delegate nothing, released as one run while the
    /// roles after them are prepared on the other cores: the walk's own
    /// part (summaries, the result list) overlaps the next roles' reads and
    /// checks instead of leaving the other cores idle between batches.
    ///
    /// A one-role-at-a-time walk would trust each role of the run, find no
    /// children and release it at once: the run's summaries are built the
    /// same way ([`TrustedSet::release_verified`]) and enter the set, in
    /// order, when the run ends. Until then nothing the next roles are
    /// checked against changes (their delegators are trusted already); a
    /// next role that the run released under another delegator is prepared
    /// again when the walk reaches it, as any prepared role that became
    /// trusted meanwhile. The run stops at a role that is not prepared,
    /// not plainly downloaded, trusted already (here or earlier in the
    /// run), or that delegates: the walk takes that one as before.
    fn release_run(&mut self, walk: &mut Walk<'_>, known: usize, progress: &mut impl FnMut(usize, usize)) {
        let max = self.config.max_audit_roles;
        if !walk.stack.last().is_some_and(|key| walk.prepared.get(key).is_some_and(PreparedRole::releasable))
        {
            return;
        }
        let budget = max.saturating_sub(walk.out.len() + walk.prepared.len());
        let next: Vec<&(String, String)> = walk
            .stack
            .iter()
            .rev()
            .filter(|k| !walk.seen.contains(*k) && !walk.prepared.contains_key(*k))
            .take(AUDIT_AHEAD)
            .collect();
        let next: Vec<(String, String)> = next.into_iter().cloned().collect();
        let this = &*self;
        let mut chain = this.set.release_chain();
        let mut next_prepared = Vec::new();
        let mut run: Vec<(String, String, RoleSummary)> = Vec::new();
        let mut origins: Vec<(String, Origin)> = Vec::new();
        rayon::in_place_scope(|scope| {
            if !next.is_empty() && budget > 0 {
                let (next, next_prepared) = (&next, &mut next_prepared);
                scope.spawn(move |_| {
                    let wanted: Vec<&(String, String)> = next.iter().collect();
                    *next_prepared = this.prepare_untrusted(&wanted, budget);
                });
            }
            let mut in_run: HashSet<String> = HashSet::new();
            while let Some(key) = walk.stack.last() {
                if walk.out.len() >= max {
                    break;
                }
                if walk.seen.contains(key) {
                    walk.stack.pop();
                    continue;
                }
                let releasable = walk.prepared.get(key).is_some_and(PreparedRole::releasable)
                    && !this.set.is_trusted_targets(&key.0)
                    && !in_run.contains(&key.0);
                if !releasable {
                    break;
                }
                let Some(key) = walk.stack.pop() else { break };
                let (verified, origin) = match walk.prepared.remove(&key) {
                    Some(PreparedRole { result: Ok((verified, _)), origin, .. }) => (verified, origin),
                    other => {
                        // Not releasable after all: the walk takes it as before.
                        if let Some(p) = other {
                            walk.prepared.insert(key.clone(), p);
                        }
                        walk.stack.push(key);
                        break;
                    }
                };
                walk.seen.insert(key.clone());
                let released = TrustedSet::release_verified(verified, &mut chain);
                if let Ok(bytes) = Arc::try_unwrap(released.raw) {
                    this.metadata.recycle(bytes);
                }
                in_run.insert(key.0.clone());
                origins.push((key.0.clone(), origin));
                run.push((released.role, released.delegator, released.summary));
                let (role, delegator) = key;
                walk.out.push(AuditedRole { role, delegator, outcome: Ok(()) });
                progress(walk.out.len(), known.min(max));
            }
        });
        self.set.insert_released_run(run, chain);
        self.origins.extend(origins);
        walk.prepared.extend(next_prepared);
    }
}

/// The audit walk's state that [`Updater::release_run`] moves on.
struct Walk<'w> {
    stack: &'w mut Vec<(String, String)>,
    seen: &'w mut HashSet<(String, String)>,
    prepared: &'w mut HashMap<(String, String), PreparedRole>,
    out: &'w mut Vec<AuditedRole>,
}

/// A top-level role a failed refresh did not trust, as read (see
/// [`Updater::probe_untrusted`]).
#[derive(Debug, Clone)]
pub struct UntrustedRole {
    pub role: String,
    pub file: String,
    /// Version and expiry, when the file could be read.
    pub common: Option<super::metadata::Common>,
    /// Its signatures against the trusted root's keys for the role.
    pub signatures: Option<super::verify::VerificationResult>,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// Where a role being prepared stands once read and parsed.
enum Started {
    /// Settled before its signatures (not readable, not parseable, …).
    Done(PreparedRole),
    Parsed {
        notes: Vec<Finding>,
        parsed: Box<ParsedTargets>,
        read: Read,
    },
}

impl Started {
    /// §5.6.3 for a parsed role (`None` for a settled one).
    fn signatures(
        &self,
        set: &TrustedSet,
        hints: &[Prehashed<'_>],
    ) -> Option<Result<VerificationResult, TufError>> {
        match self {
            Started::Parsed { parsed, .. } => Some(set.check_parsed_signatures(parsed, hints)),
            Started::Done(_) => None,
        }
    }
}

/// Where a parsed role's bytes came from.
enum Read {
    /// The local copy, or the trusted set's (`from_set`).
    Local {
        from_set: bool,
    },
    Downloaded(Origin),
}

/// A targets role read and verified, not yet trusted by the updater.
struct PreparedRole {
    /// Findings to add when it is applied (local copy ignored, re-verified).
    notes: Vec<Finding>,
    /// The verified role and whether it was downloaded (then it is stored).
    result: Result<(VerifiedTargets, bool), TufError>,
    /// Where its bytes came from.
    origin: Origin,
}

impl PreparedRole {
    /// Downloaded, verified, nothing to note, and delegating nothing: a
    /// role [`Updater::release_run`] may release in a run.
    fn releasable(&self) -> bool {
        match &self.result {
            Ok((v, true)) => {
                self.notes.is_empty()
                    && matches!(self.origin, Origin::Fetched { .. })
                    && v.role() != "targets"
                    && v.trusted().meta.delegations.is_none()
            }
            _ => false,
        }
    }
}

fn local_ignored(role: &str, e: &TufError) -> Finding {
    Finding::info(
        crate::verdict::category::LOCAL_METADATA_IGNORED,
        Subject::Role { name: role.to_owned() },
        format!("stored {role} not used: {} ({})", e.message, e.category),
    )
}

/// Delegations of `role`, reversed so popping the stack visits them in order.
fn children_of(role: &str, t: &Targets) -> Vec<(String, String)> {
    let mut names = t.delegations.as_ref().map(|d| d.role_names()).unwrap_or_default();
    names.reverse();
    names.into_iter().map(|n| (n, role.to_owned())).collect()
}

/// Target paths go into URLs as written (TARGETPATH is a URL path; see
/// [`super::source::url_path`]).
pub fn encode_target_path(path: &str) -> String {
    super::source::url_path(path)
}

/// The rule a download cut off at its length limit names.
pub const LENGTH_LIMIT_RULE: &str = "§5 length limits";

/// A failed download as the reference categorises it.
pub fn fetch_error(role: &str, e: FetchError, what: &str) -> TufError {
    let at = Location::new(what, "");
    match e {
        FetchError::TooLong { limit, .. } => TufError::new(
            Category::LengthMismatch,
            role,
            LENGTH_LIMIT_RULE,
            format!(
                "download of {what} exceeded the maximum allowed length of {limit} bytes and was cut off"
            ),
        )
        .with_evidence(Evidence::Length { expected: limit, actual: limit.saturating_add(1) })
        .at(at),
        FetchError::Status { status, .. } => TufError::new(
            Category::DownloadFailed,
            role,
            "§5",
            format!("download of {what} failed: HTTP {status}"),
        )
        .at(at),
        FetchError::NotFound { .. } => TufError::new(
            Category::DownloadFailed,
            role,
            "§5",
            format!("download of {what} failed: no such file"),
        )
        .at(at),
        FetchError::Slow { received, elapsed_ms, why, .. } => TufError::new(
            Category::SlowRetrieval,
            role,
            "§5 slow retrieval",
            format!(
                "download of {what} was too slow and was cut off: {why}; {received} bytes received in {:.1} s",
                elapsed_ms as f64 / 1000.0
            ),
        )
        .with_evidence(Evidence::Data {
            data: serde_json::json!({ "url": what, "received_bytes": received, "elapsed_ms": elapsed_ms }),
        })
        .at(at),
        FetchError::OtherLayout { present, .. } => TufError::new(
            Category::DownloadFailed,
            role,
            "§5",
            format!(
                "download of {what} failed: no such file; the directory has {present} instead, a layout the client does not ask for (python-tuf asks for the same name and fails the same way)"
            ),
        )
        .with_evidence(Evidence::Data { data: serde_json::json!({ "asked": what, "present": present }) })
        .at(at),
        FetchError::Other { message, .. } => TufError::new(
            Category::DownloadFailed,
            role,
            "§5",
            format!("download of {what} failed: {message}"),
        )
        .at(at),
    }
}
