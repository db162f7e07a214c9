//! The trusted metadata of one client update: the state machine of the TUF
//! client workflow (spec §5.2–§5.6), after python-tuf's `TrustedMetadataSet`.
//!
//! Metadata is loaded in order root → timestamp → snapshot → targets →
//! delegated targets. Each `update_*` method performs the checks of its
//! workflow step in the reference's order, each marked with the spec rule
//! it enforces, and returns the first failure. Intermediate metadata (an
//! expired timestamp, a snapshot whose version does not match) is kept so a
//! newer file can still be checked against it, but blocks the next step.
//!
//! No I/O happens here: the caller hands in bytes (see `updater`), and the
//! set keeps the exact bytes of every file it trusts so they can be stored.

use std::collections::BTreeMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::error::{Category, TufError};
use super::metadata::{
    self, Delegator, MetaFile, Metadata, Prehashed, RoleType, Root, Signed, Snapshot, Targets, Timestamp,
};
use super::verify::{VerificationResult, verify_role_hinted};
use crate::crypto::ed25519_table::Ed25519Table;
use crate::crypto::{DigestAlg, digest};
use crate::meta::Location;
use crate::verdict::{DigestSource, Evidence, SignatureCheck};

/// Verified metadata with the bytes it came from.
#[derive(Debug, Clone)]
pub struct Trusted<T> {
    pub meta: Arc<T>,
    /// The file exactly as received (what a client stores), as read: a
    /// role's bytes are not copied on their way into the set.
    pub raw: Arc<Vec<u8>>,
    /// The signature check that admitted it (by its delegator).
    pub signatures: VerificationResult,
    /// Where it was read from.
    pub file: String,
}

/// A delegated targets role read and parsed, its signatures not yet checked
/// (see [`TrustedSet::parse_delegated_targets`]).
#[derive(Debug)]
pub(crate) struct ParsedTargets {
    md: Metadata,
    /// Where the signed bytes lie in `data`, unless parsing made them.
    signed_at: Option<std::ops::Range<usize>>,
    data: Arc<Vec<u8>>,
    file: String,
    role: String,
    delegator: String,
    meta: MetaFile,
}

impl ParsedTargets {
    fn signed_bytes(&self) -> &[u8] {
        match &self.signed_at {
            Some(at) => &self.data[at.clone()],
            None => self.md.signed_bytes.as_slice(),
        }
    }
}

/// Targets metadata that passed every check of the client workflow against
/// a trusted set, not yet part of it (see `TrustedSet::commit_targets`).
#[derive(Debug, Clone)]
pub struct VerifiedTargets {
    role: String,
    delegator: String,
    trusted: Trusted<Targets>,
}

impl VerifiedTargets {
    pub fn role(&self) -> &str {
        &self.role
    }

    pub fn trusted(&self) -> &Trusted<Targets> {
        &self.trusted
    }
}

/// A delegated targets role the audit verified and then let go of: what a
/// report says about it, without its targets or its bytes (the audit of a
/// PyPI-scale repository holds one of these per hash bin, not the bins).
#[derive(Debug, Clone)]
pub struct RoleSummary {
    /// Shared with the role released before it when they are equal (hash
    /// bins signed together: one copy for tens of thousands of roles).
    pub common: Arc<metadata::Common>,
    /// The signature check that admitted it (by its delegator); shared
    /// like `common`.
    pub signatures: Arc<VerificationResult>,
    /// Where it was read from.
    pub file: String,
    /// Its length in bytes.
    pub length: u64,
    /// How many targets it lists.
    pub targets: u64,
    /// Its sha256, kept for the first [`SUMMARY_HASHED`] roles released:
    /// a report lists that many delegated roles one by one as inputs, and
    /// more as one group (hashing every bin would cost the audit a pass
    /// over all the metadata).
    pub sha256: Option<String>,
}

/// A snapshot of at least this many bytes is hashed and parsed at once.
const PARALLEL_SNAPSHOT: usize = 64 << 10;

/// How many released roles keep their sha256 (the inputs a report lists one by one).
pub const SUMMARY_HASHED: usize = 32;

/// A trusted targets role as reports see it: held in full, or summarized
/// after the audit released it ([`TrustedSet::release_targets`]).
#[derive(Debug, Clone, Copy)]
pub struct RoleView<'a> {
    pub common: &'a metadata::Common,
    pub signatures: &'a VerificationResult,
    pub file: &'a str,
    pub length: u64,
    pub targets: u64,
    /// The role in full, when the set holds it (roles that delegate always are).
    pub held: Option<&'a Trusted<Targets>>,
    /// A released role's sha256, when its summary kept one.
    pub sha256: Option<&'a str>,
}

impl<'a> RoleView<'a> {
    fn of_held(t: &'a Trusted<Targets>) -> Self {
        Self {
            common: &t.meta.common,
            signatures: &t.signatures,
            file: &t.file,
            length: t.raw.len() as u64,
            targets: t.meta.listed,
            held: Some(t),
            sha256: None,
        }
    }

    fn of_summary(s: &'a RoleSummary) -> Self {
        Self {
            common: &*s.common,
            signatures: &*s.signatures,
            file: &s.file,
            length: s.length,
            targets: s.targets,
            held: None,
            sha256: s.sha256.as_deref(),
        }
    }

    /// Its delegations (a released role has none).
    pub fn delegations(&self) -> Option<&'a metadata::Delegations> {
        self.held.and_then(|t| t.meta.delegations.as_ref())
    }
}

/// What `update_timestamp` did with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampUpdate {
    /// The new timestamp is now trusted.
    Updated,
    /// Same version as the trusted one: kept the trusted one (spec §5.4.3.2).
    Unchanged,
}

/// The trusted metadata of one update, and the fixed evaluation time.
#[derive(Debug, Clone)]
pub struct TrustedSet {
    reference_time: OffsetDateTime,
    strict: bool,
    root: Trusted<Root>,
    /// Every root trusted during this update, oldest first (the rotation chain).
    root_history: Vec<Trusted<Root>>,
    /// For each root of `root_history` after the first: its signatures
    /// counted against the previous root's root keys and threshold (§5.3.4
    /// asks both thresholds; `Trusted::signatures` holds its own).
    root_by_previous: Vec<VerificationResult>,
    timestamp: Option<Trusted<Timestamp>>,
    snapshot: Option<Trusted<Snapshot>>,
    /// Top-level `targets` and delegated roles, with the delegator that admitted each.
    targets: BTreeMap<String, (String, Trusted<Targets>)>,
    /// Also accept a timestamp's signatures over the document as written
    /// when python-tuf's rebuilt form differs (`--signature-form written`).
    written_form: bool,
    /// Delegated roles verified and then released (never also in
    /// `targets`), with their delegator. Boxed: released in name order, a
    /// map's nodes stay half full, and a summary in place would leave as
    /// many bytes of each node unused as it fills.
    released: BTreeMap<String, Box<(String, RoleSummary)>>,
    /// The last released role's expiry and signature check, for the next
    /// one to share when equal.
    last_released: Option<(Arc<metadata::Common>, Arc<VerificationResult>)>,
}

impl TrustedSet {
    /// §5.2: load the trusted root. It must be signed by a threshold of its
    /// own root keys; its expiry does not matter yet (§5.3.10 checks the final one).
    pub fn new(
        root_data: &[u8],
        file: &str,
        reference_time: OffsetDateTime,
        strict: bool,
    ) -> Result<Self, TufError> {
        let md = load_data(RoleType::Root, "root", root_data, file)?;
        let Signed::Root(root) = &md.signed else {
            return Err(TufError::order("root", "not a root"));
        };
        let signatures = require_threshold(root, "root", &md, strict, "§5.2")?;
        let trusted = trusted(root.clone(), root_data, signatures, file);
        Ok(Self {
            reference_time,
            strict,
            root: trusted.clone(),
            root_history: vec![trusted],
            root_by_previous: Vec::new(),
            timestamp: None,
            snapshot: None,
            targets: BTreeMap::new(),
            written_form: false,
            released: BTreeMap::new(),
            last_released: None,
        })
    }

    /// `--signature-form written`: a timestamp whose `meta` lists more than
    /// `snapshot.json` may be signed over the document as written.
    pub fn accept_written_form(mut self, on: bool) -> Self {
        self.written_form = on;
        self
    }

    pub fn reference_time(&self) -> OffsetDateTime {
        self.reference_time
    }

    pub fn strict(&self) -> bool {
        self.strict
    }

    pub fn root(&self) -> &Trusted<Root> {
        &self.root
    }

    pub fn root_history(&self) -> &[Trusted<Root>] {
        &self.root_history
    }

    /// Root `root_history()[i]`'s signatures by the previous root's root
    /// keys, against that root's threshold (`None` for the trusted root).
    pub fn root_signed_by_previous(&self, i: usize) -> Option<&VerificationResult> {
        self.root_by_previous.get(i.checked_sub(1)?)
    }

    pub fn timestamp(&self) -> Option<&Trusted<Timestamp>> {
        self.timestamp.as_ref()
    }

    pub fn snapshot(&self) -> Option<&Trusted<Snapshot>> {
        self.snapshot.as_ref()
    }

    /// A trusted targets role (`targets` or delegated) and its delegator.
    pub fn targets_role(&self, role: &str) -> Option<(&str, &Trusted<Targets>)> {
        self.targets.get(role).map(|(d, t)| (d.as_str(), t))
    }

    /// Every trusted targets role, by name.
    pub fn targets_roles(&self) -> impl Iterator<Item = (&str, &str, &Trusted<Targets>)> {
        self.targets.iter().map(|(name, (d, t))| (name.as_str(), d.as_str(), t))
    }

    /// A released role (see [`Self::release_targets`]) and its delegator.
    pub fn released_role(&self, role: &str) -> Option<(&str, &RoleSummary)> {
        self.released.get(role).map(|b| (b.0.as_str(), &b.1))
    }

    /// Trusted, held or released.
    pub fn is_trusted_targets(&self, role: &str) -> bool {
        self.targets.contains_key(role) || self.released.contains_key(role)
    }

    /// Every trusted targets role, held or released, by name: what reports list.
    pub fn role_views(&self) -> Vec<(&str, &str, RoleView<'_>)> {
        let mut out = Vec::with_capacity(self.targets.len() + self.released.len());
        out.extend(self.role_views_in_order());
        out
    }

    /// [`Self::role_views`] one at a time, for a pass that keeps none of
    /// them (tens of thousands after an audit). Both maps are in name
    /// order: merged, not sorted.
    pub fn role_views_in_order(&self) -> impl Iterator<Item = (&str, &str, RoleView<'_>)> {
        let mut held =
            self.targets.iter().map(|(n, (d, t))| (n.as_str(), d.as_str(), RoleView::of_held(t))).peekable();
        let mut released = self
            .released
            .iter()
            .map(|(n, b)| (n.as_str(), b.0.as_str(), RoleView::of_summary(&b.1)))
            .peekable();
        std::iter::from_fn(move || match (held.peek(), released.peek()) {
            (Some(h), Some(r)) if r.0 < h.0 => released.next(),
            (Some(_), _) => held.next(),
            (None, _) => released.next(),
        })
    }

    /// The roles the set holds whole (top-level `targets`, roles that
    /// delegate), in name order: [`Self::role_views_in_order`] less the
    /// released ones.
    pub fn held_role_views(&self) -> impl Iterator<Item = (&str, &str, RoleView<'_>)> {
        self.targets.iter().map(|(n, (d, t))| (n.as_str(), d.as_str(), RoleView::of_held(t)))
    }

    /// The released roles' summaries, in name order, without their names:
    /// a pass over tens of thousands of them that needs no name does not
    /// reach each name's own allocation.
    pub fn released_summaries(&self) -> impl ExactSizeIterator<Item = &RoleSummary> {
        self.released.values().map(|b| &b.1)
    }

    /// Lets go of a delegated role's targets and bytes, keeping its
    /// [`RoleSummary`] (the audit, once it has its children: a role that
    /// delegates is kept whole, and so is top-level `targets`). Returns the
    /// role's bytes (for the reader to reuse), `None` when the role is not
    /// held or must stay.
    pub fn release_targets(&mut self, role: &str) -> Option<Arc<Vec<u8>>> {
        let keep = match self.targets.get(role) {
            None => true,
            Some((_, t)) => role == "targets" || t.meta.delegations.is_some(),
        };
        if keep {
            return None;
        }
        let (delegator, t) = self.targets.remove(role)?;
        let hashed = self.released.len() < SUMMARY_HASHED;
        let (summary, raw) = summarize(t, &mut self.last_released, hashed);
        self.released.insert(role.to_owned(), Box::new((delegator, summary)));
        Some(raw)
    }

    /// What a run of released roles continues from: the last released
    /// role's shared parts and how many roles are released (see
    /// [`Self::release_verified`]).
    pub(crate) fn release_chain(&self) -> ReleaseChain {
        ReleaseChain { last: self.last_released.clone(), released: self.released.len() }
    }

    /// [`Self::commit_targets`] then [`Self::release_targets`] of `v`, a
    /// verified role that delegates nothing and is not yet trusted, without
    /// the set: its summary, delegator and bytes, `chain` moved on past it.
    /// The audit summarizes a run of roles this way while the next roles
    /// are being verified against the set, then enters the run with
    /// [`Self::insert_released_run`]: the set ends as one role at a time
    /// would have left it.
    pub(crate) fn release_verified(v: VerifiedTargets, chain: &mut ReleaseChain) -> ReleasedRole {
        let VerifiedTargets { role, delegator, trusted } = v;
        let hashed = chain.released < SUMMARY_HASHED;
        let (summary, raw) = summarize(trusted, &mut chain.last, hashed);
        chain.released += 1;
        ReleasedRole { role, delegator, summary, raw }
    }

    /// Enters the roles [`Self::release_verified`] summarized, in order,
    /// and the chain after the last of them.
    pub(crate) fn insert_released_run(
        &mut self,
        run: Vec<(String, String, RoleSummary)>,
        chain: ReleaseChain,
    ) {
        for (role, delegator, summary) in run {
            self.released.insert(role, Box::new((delegator, summary)));
        }
        self.last_released = chain.last;
    }

    /// Takes `role` as released with `summary` (an audit done in parts:
    /// each part's summaries gathered into one set), in place of a held copy.
    pub fn insert_released(&mut self, role: String, delegator: String, summary: RoleSummary) {
        self.targets.remove(&role);
        self.released.insert(role, Box::new((delegator, summary)));
    }

    /// The released roles, by name.
    pub fn released_roles(&self) -> impl Iterator<Item = (&str, &str, &RoleSummary)> {
        self.released.iter().map(|(n, b)| (n.as_str(), b.0.as_str(), &b.1))
    }

    /// §5.3: verify `data` as root version N+1 and trust it.
    pub fn update_root(&mut self, data: &[u8], file: &str) -> Result<&Trusted<Root>, TufError> {
        if self.timestamp.is_some() {
            return Err(TufError::order("root", "cannot update root after timestamp"));
        }
        let md = load_data(RoleType::Root, "root", data, file)?;
        let Signed::Root(new_root) = &md.signed else {
            return Err(TufError::order("root", "not a root"));
        };
        // §5.3.4: signed by a threshold of the root keys of the trusted root…
        let trusted_version = self.root.meta.common.version;
        let by_previous =
            require_threshold(&*self.root.meta, "root", &md, self.strict, "§5.3.4").map_err(|mut e| {
                e.message = format!(
                    "new root v{}: {} (root keys of the trusted root v{trusted_version})",
                    new_root.common.version, e.message
                );
                e
            })?;
        // §5.3.5: the version is exactly N+1 (no rollback, no skipping).
        let expected = self.root.meta.common.version.saturating_add(1);
        if new_root.common.version != expected {
            return Err(TufError::new(
                Category::VersionMismatch,
                "root",
                "§5.3.5",
                format!("expected root version {expected} instead got version {}", new_root.common.version),
            )
            .with_evidence(Evidence::Versions { trusted: expected, new: new_root.common.version })
            .at(Location::new(file, "/signed/version")));
        }
        // §5.3.4: …and by a threshold of its own root keys.
        let signatures =
            require_threshold(new_root, "root", &md, self.strict, "§5.3.4").map_err(|mut e| {
                e.message = format!("new root v{expected}: {} (its own root keys)", e.message);
                e
            })?;
        // §5.3.8: the new root is trusted (intermediate expiry is not checked).
        let t = trusted(new_root.clone(), data, signatures, file);
        self.root = t.clone();
        self.root_history.push(t);
        self.root_by_previous.push(by_previous);
        Ok(&self.root)
    }

    /// §5.3.10: the final root must not be expired.
    pub fn check_final_root(&self) -> Result<(), TufError> {
        let c = &self.root.meta.common;
        if c.is_expired(self.reference_time) {
            return Err(expired_error(
                "root",
                "§5.3.10",
                "final root.json is expired",
                c,
                self.reference_time,
                &self.root.file,
            ));
        }
        Ok(())
    }

    /// §5.4.2 for a timestamp whose `meta` lists more than `snapshot.json`:
    /// python-tuf's model keeps only that entry and checks the signatures
    /// over the timestamp it rebuilds; with `written_form`, signatures over
    /// the document as written count too.
    fn timestamp_threshold_rebuilt(
        &self,
        md: &Metadata,
        extra: &[String],
    ) -> Result<VerificationResult, TufError> {
        let mut rebuilt = md.clone();
        if let Some(bytes) = metadata::timestamp_reference_bytes(&md.signed_bytes) {
            rebuilt.signed_bytes = bytes;
        }
        let reference = require_threshold(&*self.root.meta, "timestamp", &rebuilt, self.strict, "§5.4.2");
        let Err(mut e) = reference else { return reference };
        let written = require_threshold(&*self.root.meta, "timestamp", md, self.strict, "§5.4.2");
        match written {
            Ok(v) if self.written_form => Ok(v),
            Ok(_) => {
                e.message = format!(
                    "{}; the signatures are valid over the timestamp as written, but python-tuf keeps only \"snapshot.json\" of its meta (it drops {}) and checks them over the timestamp it rebuilds (signature form: reference; --signature-form written accepts them). The TUF specification (§4.6, timestamp.json): meta MUST only include snapshot.json",
                    e.message,
                    extra.join(", ")
                );
                Err(e)
            }
            Err(_) => Err(e),
        }
    }

    /// §5.4: verify `data` as the new timestamp.
    pub fn update_timestamp(&mut self, data: &[u8], file: &str) -> Result<TimestampUpdate, TufError> {
        if self.snapshot.is_some() {
            return Err(TufError::order("timestamp", "cannot update timestamp after snapshot"));
        }
        // §5.3.10: the final root is not expired (the reference checks it here).
        self.check_final_root()?;
        let md = load_data(RoleType::Timestamp, "timestamp", data, file)?;
        let Signed::Timestamp(new_ts) = &md.signed else {
            return Err(TufError::order("timestamp", "not a timestamp"));
        };
        // §5.4.2: signed by a threshold of the root's timestamp keys.
        let signatures = if new_ts.extra_meta.is_empty() {
            require_threshold(&*self.root.meta, "timestamp", &md, self.strict, "§5.4.2")?
        } else {
            self.timestamp_threshold_rebuilt(&md, &new_ts.extra_meta)?
        };
        if let Some(old) = &self.timestamp {
            let (old_v, new_v) = (old.meta.common.version, new_ts.common.version);
            // §5.4.3.1: the timestamp version must not go down.
            if new_v < old_v {
                return Err(rollback(
                    "timestamp",
                    "§5.4.3.1",
                    format!("new timestamp version {new_v} must be >= {old_v}"),
                    old_v,
                    new_v,
                    file,
                ));
            }
            // §5.4.3.2: an equal version keeps the trusted timestamp.
            if new_v == old_v {
                return Ok(TimestampUpdate::Unchanged);
            }
            // §5.4.3.3: the snapshot version it names must not go down.
            let (old_s, new_s) = (old.meta.snapshot_meta.version, new_ts.snapshot_meta.version);
            if new_s < old_s {
                return Err(rollback(
                    "timestamp",
                    "§5.4.3.3",
                    format!("new snapshot version must be >= {old_s}, got version {new_s}"),
                    old_s,
                    new_s,
                    file,
                ));
            }
        }
        // Kept even if expired, so a newer timestamp can be checked against it.
        self.timestamp = Some(trusted(new_ts.clone(), data, signatures, file));
        // §5.4.4: expiry of the (now final) timestamp.
        self.check_final_timestamp("timestamp")?;
        Ok(TimestampUpdate::Updated)
    }

    fn check_final_timestamp(&self, stage: &str) -> Result<(), TufError> {
        let Some(ts) = &self.timestamp else {
            return Err(TufError::order(stage, "no timestamp loaded"));
        };
        let c = &ts.meta.common;
        if c.is_expired(self.reference_time) {
            return Err(expired_error(
                stage,
                "§5.4.4",
                "timestamp.json is expired",
                c,
                self.reference_time,
                &ts.file,
            ));
        }
        Ok(())
    }

    /// §5.5: verify `data` as the new snapshot. `cached` marks bytes this
    /// client verified earlier (its local copy): their hashes are not
    /// checked against the timestamp again, as in the reference.
    pub fn update_snapshot(
        &mut self,
        data: &[u8],
        file: &str,
        cached: bool,
    ) -> Result<&Trusted<Snapshot>, TufError> {
        if self.timestamp.is_none() {
            return Err(TufError::order("snapshot", "cannot update snapshot before timestamp"));
        }
        if self.targets.contains_key("targets") {
            return Err(TufError::order("snapshot", "cannot update snapshot after targets"));
        }
        // The timestamp must be a valid final timestamp (§5.4.4).
        self.check_final_timestamp("snapshot")?;
        let snapshot_meta = self.timestamp.as_ref().map(|t| t.meta.snapshot_meta.clone());
        // §5.5.2: length and hashes from the timestamp, checked before signatures.
        let hashed = || match &snapshot_meta {
            Some(meta) if !cached => verify_length_and_hashes(meta, data, "snapshot", "§5.5.2", file),
            _ => Ok(()),
        };
        let parsed = || load_data(RoleType::Snapshot, "snapshot", data, file);
        // A large snapshot (PEP 458 bins: 0.5 MB) is parsed while it is
        // hashed, on the other core; its hashes still decide first.
        let (hashed, parsed) =
            if data.len() >= PARALLEL_SNAPSHOT { rayon::join(hashed, parsed) } else { (hashed(), parsed()) };
        hashed?;
        let md = parsed?;
        if !matches!(md.signed, Signed::Snapshot(_)) {
            return Err(TufError::order("snapshot", "not a snapshot"));
        }
        // §5.5.3: signed by a threshold of the root's snapshot keys.
        let signatures = require_threshold(&*self.root.meta, "snapshot", &md, self.strict, "§5.5.3")?;
        // Taken out of the document, not copied: a PEP 458 snapshot lists every bin.
        let Signed::Snapshot(new_snap) = md.signed else {
            return Err(TufError::order("snapshot", "not a snapshot"));
        };
        // §5.5.5: no metafile of the trusted snapshot removed or rolled back.
        if let Some(old) = &self.snapshot {
            for (name, old_info) in &old.meta.meta {
                let Some(new_info) = new_snap.meta.get(name) else {
                    return Err(TufError::new(
                        Category::Rollback,
                        "snapshot",
                        "§5.5.5",
                        format!("new snapshot is missing info for '{name}'"),
                    )
                    .at(Location::new(file, "/signed/meta")));
                };
                if new_info.version < old_info.version {
                    return Err(rollback(
                        "snapshot",
                        "§5.5.5",
                        format!(
                            "{name} version {} in new snapshot is lower than trusted version {}",
                            new_info.version, old_info.version
                        ),
                        old_info.version,
                        new_info.version,
                        file,
                    ));
                }
            }
        }
        // Kept even if expired or of another version, for rollback checks of a newer one.
        self.snapshot = Some(trusted(new_snap, data, signatures, file));
        self.check_final_snapshot("snapshot")?;
        self.snapshot.as_ref().ok_or_else(|| TufError::order("snapshot", "lost snapshot"))
    }

    /// §5.5.4 and §5.5.6: the snapshot is the version the timestamp names
    /// and not expired.
    fn check_final_snapshot(&self, stage: &str) -> Result<(), TufError> {
        let (Some(snap), Some(ts)) = (&self.snapshot, &self.timestamp) else {
            return Err(TufError::order(stage, "no snapshot loaded"));
        };
        let c = &snap.meta.common;
        // §5.5.6: not expired.
        if c.is_expired(self.reference_time) {
            return Err(expired_error(
                stage,
                "§5.5.6",
                "snapshot.json is expired",
                c,
                self.reference_time,
                &snap.file,
            ));
        }
        // §5.5.4: version equals the timestamp's snapshot meta version.
        let expected = ts.meta.snapshot_meta.version;
        if c.version != expected {
            return Err(TufError::new(
                Category::VersionMismatch,
                stage,
                "§5.5.4",
                format!("expected snapshot version {expected}, got {}", c.version),
            )
            .with_evidence(Evidence::Versions { trusted: expected, new: c.version })
            .at(Location::new(&snap.file, "/signed/version")));
        }
        Ok(())
    }

    /// §5.6: verify `data` as the top-level targets role.
    pub fn update_targets(&mut self, data: &[u8], file: &str) -> Result<&Trusted<Targets>, TufError> {
        self.update_delegated_targets(data, file, "targets", "root")
    }

    /// §5.6 (and §5.6.7.2 for delegations): verify `data` as role `role`,
    /// delegated by the trusted role `delegator` (`root` for top-level targets).
    pub fn update_delegated_targets(
        &mut self,
        data: &[u8],
        file: &str,
        role: &str,
        delegator: &str,
    ) -> Result<&Trusted<Targets>, TufError> {
        let verified =
            self.verify_delegated_targets(Arc::new(data.to_vec()), file, role, delegator, false)?;
        Ok(self.commit_targets(verified))
    }

    /// Trusts targets metadata checked by [`Self::verify_delegated_targets`]
    /// against this set (nothing it was checked against changes once
    /// targets are loaded: the snapshot is final then).
    pub(crate) fn commit_targets(&mut self, v: VerifiedTargets) -> &Trusted<Targets> {
        let VerifiedTargets { role, delegator, trusted } = v;
        self.released.remove(&role);
        let slot = match self.targets.entry(role) {
            std::collections::btree_map::Entry::Occupied(o) => {
                let slot = o.into_mut();
                *slot = (delegator, trusted);
                slot
            }
            std::collections::btree_map::Entry::Vacant(v) => v.insert((delegator, trusted)),
        };
        &slot.1
    }

    /// Every check of [`Self::update_delegated_targets`], without changing
    /// the set (so roles can be checked on several threads, then committed).
    /// With `count_only` a role that delegates nothing has its targets
    /// counted, not kept ([`metadata::parse_counting`]): for the audit, which
    /// releases such a role once verified.
    pub(crate) fn verify_delegated_targets(
        &self,
        data: Arc<Vec<u8>>,
        file: &str,
        role: &str,
        delegator: &str,
        count_only: bool,
    ) -> Result<VerifiedTargets, TufError> {
        let parsed = self.parse_delegated_targets(data, file, role, delegator, count_only)?;
        let signatures = self.check_parsed_signatures(&parsed, &[])?;
        self.finish_delegated_targets(parsed, signatures)
    }

    /// The checks of [`Self::verify_delegated_targets`] before the
    /// signatures: snapshot, length and hashes, parsing, type. The audit
    /// parses several roles this way, hashes their signed bytes together
    /// ([`Self::table_checks`]), then checks each one's signatures
    /// ([`Self::check_parsed_signatures`]) and the rest
    /// ([`Self::finish_delegated_targets`]); the outcome is the same.
    pub(crate) fn parse_delegated_targets(
        &self,
        data: Arc<Vec<u8>>,
        file: &str,
        role: &str,
        delegator: &str,
        count_only: bool,
    ) -> Result<ParsedTargets, TufError> {
        if self.snapshot.is_none() {
            return Err(TufError::order(role, "cannot load targets before snapshot"));
        }
        // The snapshot must be a valid final snapshot (§5.5.4, §5.5.6).
        self.check_final_snapshot(role)?;
        let meta = self.snapshot_meta_for(role)?;
        // §5.6.2: length and hashes from the snapshot.
        verify_length_and_hashes(&meta, &data, role, "§5.6.2", file)?;
        let (md, signed_at) = if count_only {
            let (md, signed_at) = metadata::parse_counting_in_place(&data, file)
                .map_err(|e| parse_error(e, role))
                .and_then(|(md, at)| Ok((check_type(RoleType::Targets, role, md, file)?, at)))?;
            match &md.signed {
                // A role that delegates stays whole (its children are looked up in it).
                Signed::Targets(t) if t.delegations.is_some() => {
                    (load_data(RoleType::Targets, role, &data, file)?, None)
                }
                _ => (md, signed_at),
            }
        } else {
            (load_data(RoleType::Targets, role, &data, file)?, None)
        };
        Ok(ParsedTargets {
            md,
            signed_at,
            data,
            file: file.to_owned(),
            role: role.to_owned(),
            delegator: delegator.to_owned(),
            meta,
        })
    }

    /// The delegator's metadata, or an order error when it is not trusted yet.
    fn delegator_of(&self, role: &str, delegator: &str) -> Result<&dyn Delegator, TufError> {
        if delegator == "root" {
            return Ok(&*self.root.meta);
        }
        match self.targets.get(delegator) {
            Some((_, t)) => Ok(&*t.meta),
            None => {
                Err(TufError::order(role, format!("cannot load {role} before its delegator {delegator}")))
            }
        }
    }

    /// The ed25519 checks of `parsed` that go through a built key table
    /// (see [`super::verify::table_checks`]); none when the delegator is not
    /// trusted (the check then fails with its order error).
    pub(crate) fn table_checks<'a>(
        &'a self,
        parsed: &'a ParsedTargets,
    ) -> Vec<([u8; 64], &'a Ed25519Table, &'a [u8])> {
        match self.delegator_of(&parsed.role, &parsed.delegator) {
            Ok(d) => super::verify::table_checks(d, &parsed.role, &parsed.md, parsed.signed_bytes()),
            Err(_) => Vec::new(),
        }
    }

    /// §5.6.3: `parsed` is signed by a threshold of its delegator's keys for
    /// the role (with `hints` computed ahead, or none).
    pub(crate) fn check_parsed_signatures(
        &self,
        parsed: &ParsedTargets,
        hints: &[Prehashed<'_>],
    ) -> Result<VerificationResult, TufError> {
        let delegator_md = self.delegator_of(&parsed.role, &parsed.delegator)?;
        require_threshold_hinted(
            delegator_md,
            &parsed.role,
            &parsed.md,
            parsed.signed_bytes(),
            self.strict,
            "§5.6.3",
            hints,
        )
    }

    /// The checks of [`Self::verify_delegated_targets`] after the signatures
    /// (`signatures` from [`Self::check_parsed_signatures`]): version, expiry.
    pub(crate) fn finish_delegated_targets(
        &self,
        parsed: ParsedTargets,
        signatures: VerificationResult,
    ) -> Result<VerifiedTargets, TufError> {
        let ParsedTargets { mut md, data, file, role, delegator, meta, .. } = parsed;
        let file = file.as_str();
        let role = role.as_str();
        // The canonical bytes are not needed any more; the typed data moves on.
        md.signed_bytes = Vec::new();
        let Signed::Targets(new_targets) = md.signed else {
            return Err(TufError::order(role, "not a targets role"));
        };
        // §5.6.4: version equals the snapshot's meta version.
        if new_targets.common.version != meta.version {
            return Err(TufError::new(
                Category::VersionMismatch,
                role,
                "§5.6.4",
                format!("expected {role} v{}, got v{}", meta.version, new_targets.common.version),
            )
            .with_evidence(Evidence::Versions { trusted: meta.version, new: new_targets.common.version })
            .at(Location::new(file, "/signed/version")));
        }
        // §5.6.5: not expired.
        if new_targets.common.is_expired(self.reference_time) {
            return Err(expired_error(
                role,
                "§5.6.5",
                &format!("new {role} is expired"),
                &new_targets.common,
                self.reference_time,
                file,
            ));
        }
        Ok(VerifiedTargets {
            role: role.to_owned(),
            delegator,
            trusted: trusted_shared(new_targets, data, signatures, file),
        })
    }

    /// The snapshot's entry for `ROLE.json`, or `missing-from-snapshot`.
    pub fn snapshot_meta_for(&self, role: &str) -> Result<MetaFile, TufError> {
        let snap = self.snapshot.as_ref().ok_or_else(|| TufError::order(role, "no snapshot loaded"))?;
        snap.meta.meta.get(&format!("{role}.json")).cloned().ok_or_else(|| {
            TufError::new(
                Category::MissingFromSnapshot,
                role,
                "§5.6.1",
                format!("role {role} was delegated but is not part of snapshot"),
            )
            .at(Location::new(&snap.file, "/signed/meta"))
        })
    }
}

/// Where a run of released roles stands (see [`TrustedSet::release_chain`]).
#[derive(Debug, Clone)]
pub(crate) struct ReleaseChain {
    last: Option<(Arc<metadata::Common>, Arc<VerificationResult>)>,
    released: usize,
}

/// A role [`TrustedSet::release_verified`] summarized: what enters the set,
/// and its bytes for the reader to reuse.
pub(crate) struct ReleasedRole {
    pub role: String,
    pub delegator: String,
    pub summary: RoleSummary,
    pub raw: Arc<Vec<u8>>,
}

/// The summary `t` is released as, sharing expiry and signature check with
/// the role released before it (`last`, then `t`'s) when equal; hashed when
/// `hashed`. Also returns `t`'s bytes.
fn summarize(
    t: Trusted<Targets>,
    last: &mut Option<(Arc<metadata::Common>, Arc<VerificationResult>)>,
    hashed: bool,
) -> (RoleSummary, Arc<Vec<u8>>) {
    let sha256 = hashed.then(|| crate::crypto::sha256_hex(&t.raw));
    let common = match last {
        Some((c, _)) if **c == t.meta.common => c.clone(),
        _ => Arc::new(t.meta.common.clone()),
    };
    let signatures = match last {
        Some((_, s)) if **s == t.signatures => s.clone(),
        _ => Arc::new(t.signatures),
    };
    *last = Some((common.clone(), signatures.clone()));
    let summary = RoleSummary {
        sha256,
        common,
        length: t.raw.len() as u64,
        targets: t.meta.listed,
        signatures,
        file: t.file,
    };
    (summary, t.raw)
}

fn trusted<T>(meta: T, raw: &[u8], signatures: VerificationResult, file: &str) -> Trusted<T> {
    trusted_shared(meta, Arc::new(raw.to_vec()), signatures, file)
}

fn trusted_shared<T>(meta: T, raw: Arc<Vec<u8>>, signatures: VerificationResult, file: &str) -> Trusted<T> {
    Trusted { meta: Arc::new(meta), raw, signatures, file: file.to_owned() }
}

/// Parses `data` and checks `signed._type` (checked before signatures, as in the reference).
pub fn load_data(expected: RoleType, role: &str, data: &[u8], file: &str) -> Result<Metadata, TufError> {
    load_data_with(expected, role, data, file, metadata::parse)
}

fn load_data_with(
    expected: RoleType,
    role: &str,
    data: &[u8],
    file: &str,
    parse: fn(&[u8], &str) -> Result<Metadata, metadata::ParseError>,
) -> Result<Metadata, TufError> {
    let md = parse(data, file).map_err(|e| parse_error(e, role))?;
    check_type(expected, role, md, file)
}

fn parse_error(e: metadata::ParseError, role: &str) -> TufError {
    let source = e.error.location.clone();
    TufError::new(e.category, role, "§4", e.error.message).at(source)
}

/// `signed._type` is the role type expected (checked before signatures, as in the reference).
fn check_type(expected: RoleType, role: &str, md: Metadata, file: &str) -> Result<Metadata, TufError> {
    let got = md.signed.role_type();
    if got != expected {
        return Err(TufError::new(
            Category::WrongType,
            role,
            "§4",
            format!("expected '{}', got '{}'", expected.as_str(), got.as_str()),
        )
        .at(Location::new(file, "/signed/_type")));
    }
    Ok(md)
}

/// Checks the threshold of `role` as `delegator` defines it.
pub fn require_threshold(
    delegator: &dyn Delegator,
    role: &str,
    md: &Metadata,
    strict: bool,
    rule: &'static str,
) -> Result<VerificationResult, TufError> {
    require_threshold_hinted(delegator, role, md, &md.signed_bytes, strict, rule, &[])
}

/// [`require_threshold`] with the signed bytes given apart from `md`, and
/// digests computed ahead (or none).
fn require_threshold_hinted(
    delegator: &dyn Delegator,
    role: &str,
    md: &Metadata,
    signed_bytes: &[u8],
    strict: bool,
    rule: &'static str,
    hints: &[Prehashed<'_>],
) -> Result<VerificationResult, TufError> {
    let result = verify_role_hinted(delegator, role, md, signed_bytes, strict, hints);
    if result.verified() {
        return Ok(result);
    }
    let message =
        if result.role_known { result.summary(role) } else { format!("no delegation found for {role}") };
    Err(TufError::new(Category::SignatureThreshold, role, rule, message)
        .with_evidence(threshold_evidence(&result))
        .at(Location::new(&md.file, "/signatures")))
}

pub fn threshold_evidence(result: &VerificationResult) -> Evidence {
    Evidence::Threshold {
        needed: result.threshold,
        valid: result.signed.clone(),
        checks: result.checks.clone(),
    }
}

fn rollback(role: &str, rule: &'static str, message: String, trusted: u64, new: u64, file: &str) -> TufError {
    TufError::new(Category::Rollback, role, rule, message)
        .with_evidence(Evidence::Versions { trusted, new })
        .at(Location::new(file, "/signed"))
}

fn expired_error(
    stage: &str,
    rule: &'static str,
    message: &str,
    c: &metadata::Common,
    now: OffsetDateTime,
    file: &str,
) -> TufError {
    TufError::new(Category::Expired, stage, rule, message)
        .with_evidence(Evidence::Expiry {
            expires: c.expires_text.clone(),
            evaluated_at: crate::meta::time::format(now),
        })
        .at(Location::new(file, "/signed/expires"))
}

/// Length and every listed hash of `data` against trusted meta (python-tuf
/// `verify_length_and_hashes`): an unknown algorithm fails.
pub fn verify_length_and_hashes(
    meta: &MetaFile,
    data: &[u8],
    role: &str,
    rule: &'static str,
    file: &str,
) -> Result<(), TufError> {
    if let Some(expected) = meta.length {
        check_length(expected, data, role, rule, file)?;
    }
    if let Some(hashes) = &meta.hashes {
        check_hashes(hashes, data, role, rule, file)?;
    }
    Ok(())
}

pub fn check_length(
    expected: u64,
    data: &[u8],
    role: &str,
    rule: &'static str,
    file: &str,
) -> Result<(), TufError> {
    let actual = data.len() as u64;
    if actual != expected {
        return Err(TufError::new(
            Category::LengthMismatch,
            role,
            rule,
            format!("observed length {actual} does not match expected length {expected}"),
        )
        .with_evidence(Evidence::Length { expected, actual })
        .at(Location::new(file, "")));
    }
    Ok(())
}

pub fn check_hashes(
    hashes: &BTreeMap<String, String>,
    data: &[u8],
    role: &str,
    rule: &'static str,
    file: &str,
) -> Result<(), TufError> {
    for (alg_name, expected) in hashes {
        let Some(alg) = DigestAlg::from_name(alg_name) else {
            return Err(TufError::new(
                Category::HashMismatch,
                role,
                rule,
                format!("unsupported hash algorithm '{alg_name}' (python-tuf: LengthOrHashMismatchError)"),
            )
            .at(Location::new(file, "")));
        };
        let observed = hex::encode(digest(alg, data));
        if observed != *expected {
            return Err(TufError::new(
                Category::HashMismatch,
                role,
                rule,
                format!("observed {alg_name} {observed} does not match expected {expected}"),
            )
            .with_evidence(Evidence::digests_from(
                serde_json::json!({ alg_name: expected }),
                listed_by(role, rule),
                serde_json::json!({ alg_name: observed }),
                DigestSource::new("the downloaded bytes").in_file(file),
            ))
            .at(Location::new(file, "")));
        }
    }
    Ok(())
}

/// Who listed the hashes `check_hashes` compared: the timestamp lists
/// snapshot's (§5.5.2), the snapshot the targets roles' (§5.6.2), and a
/// target's role its files (§5.7.3, `role`).
fn listed_by(role: &str, rule: &str) -> DigestSource {
    let lister = match rule {
        "§5.5.2" => "timestamp",
        "§5.6.2" => "snapshot",
        _ => role,
    };
    DigestSource::new(format!("the hashes trusted {lister} metadata lists")).signed_by_role(lister)
}

/// Signature checks of a role, for findings.
pub fn signature_checks(result: &VerificationResult) -> Vec<SignatureCheck> {
    result.checks.clone()
}
