//! The targets of one delegated role, read when they are looked at.
//!
//! An audit of a PyPI-scale repository keeps one summary per role, not the
//! roles ([`TrustedSet::release_targets`]), and a refresh reads no
//! delegated role at all. A view that lists a role's targets loads that
//! role on demand: read from the repository and verified against the
//! trusted set exactly as the client workflow verifies it (§5.6: length
//! and hashes from the snapshot, signatures by its delegator's keys,
//! version, expiry), without changing the set.

use std::sync::Arc;

use super::error::{Category, TufError};
use super::metadata::{TargetFile, Targets};
use super::source::Source;
use super::trusted_set::TrustedSet;
use super::updater::{Config, Updater, fetch_error};

/// A verified role's targets, loaded on demand ([`RoleTargets::load`]).
#[derive(Debug, Clone)]
pub struct RoleTargets {
    pub role: String,
    /// The role that delegates it (whose keys verified it).
    pub delegator: String,
    /// Where it was read from.
    pub file: String,
    targets: Arc<Targets>,
}

impl RoleTargets {
    /// Reads and verifies `role` against `set`. A role the set holds is
    /// taken from it; otherwise its delegator is the one the set recorded
    /// (an audited role), else the first trusted role that delegates it.
    pub fn load(
        set: &TrustedSet,
        metadata: &dyn Source,
        role: &str,
        config: &Config,
    ) -> Result<Self, TufError> {
        if let Some((delegator, t)) = set.targets_role(role) {
            return Ok(Self {
                role: role.to_owned(),
                delegator: delegator.to_owned(),
                file: t.file.clone(),
                targets: t.meta.clone(),
            });
        }
        let delegator = match set.released_role(role) {
            Some((d, _)) => d.to_owned(),
            None => set
                .targets_roles()
                .find(|(_, _, t)| t.meta.delegations.as_ref().is_some_and(|d| d.role_keys(role).is_some()))
                .map(|(name, _, _)| name.to_owned())
                .ok_or_else(|| {
                    TufError::new(
                        Category::Other,
                        role,
                        "§5.6.7",
                        format!("no trusted role delegates {role}"),
                    )
                })?,
        };
        let meta = set.snapshot_meta_for(role)?;
        let length = meta.length.filter(|&l| l > 0).unwrap_or(config.targets_max_length);
        let version = set.root().meta.consistent_snapshot.then_some(meta.version);
        let rel = Updater::metadata_path(role, version);
        let file = metadata.describe(&rel);
        let data = metadata.fetch(&rel, length).map_err(|e| fetch_error(role, e, &file))?;
        let verified = set.verify_delegated_targets(Arc::new(data), &file, role, &delegator, false)?;
        Ok(Self { role: role.to_owned(), delegator, file, targets: verified.trusted().meta.clone() })
    }

    /// How many targets the role lists.
    pub fn len(&self) -> usize {
        self.targets.targets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.targets.is_empty()
    }

    /// What the role says about `path` (a binary search).
    pub fn get(&self, path: &str) -> Option<TargetFile> {
        self.targets.targets.get(path)
    }

    /// Every target, by path.
    pub fn iter(&self) -> impl Iterator<Item = (&String, TargetFile)> + '_ {
        self.targets.targets.iter()
    }

    /// The role's metadata as verified.
    pub fn metadata(&self) -> &Targets {
        &self.targets
    }
}
