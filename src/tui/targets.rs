//! The TUF targets the run trusted, for the Targets view: every target of
//! every trusted targets role (path, length, hashes, the role that signed
//! it and its delegation path from `targets`), with what the run did with
//! it — looked up, downloaded and verified, not found, error. Targets the
//! run asked for and no role lists are rows too (not found).
//!
//! A PEP 458 repository lists a million targets: the roles' target maps are
//! shared with the trusted set (no copy), and a row is looked up by index
//! only when drawn or searched — nothing here holds a row per target. The
//! streaming audit of such a repository lets go of each leaf bin once
//! verified (keeping its target count): its rows say "not loaded" until the
//! bin is opened, which reads and verifies that one role again
//! ([`Targets::load_at`], through `tuf::RoleTargets::load`).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use crate::tuf::metadata::Targets as TargetsMeta;
use crate::tuf::session::{TargetOutcome, TargetStatus};
use crate::tuf::trusted_set::TrustedSet;

/// What the run did with a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Looked {
    /// Listed by a trusted role; the run did not ask for it.
    Listed,
    /// Found in the trusted metadata (length and hashes trusted).
    LookedUp,
    /// Downloaded, and its length and hashes checked.
    Verified,
    NotFound,
    Error,
    /// Listed by a role the audit verified and let go of: not loaded yet.
    Unloaded,
}

impl Looked {
    pub fn word(self) -> &'static str {
        match self {
            Looked::Listed => "listed",
            Looked::LookedUp => "looked up",
            Looked::Verified => "verified",
            Looked::NotFound => "not found",
            Looked::Error => "error",
            Looked::Unloaded => "not loaded",
        }
    }

    pub fn glyph(self) -> &'static str {
        match self {
            Looked::Listed => "·",
            Looked::Unloaded => "○",
            Looked::LookedUp | Looked::Verified => "✔",
            Looked::NotFound | Looked::Error => "✘",
        }
    }

    pub fn is_failure(self) -> bool {
        matches!(self, Looked::NotFound | Looked::Error)
    }
}

/// One row, built on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub path: String,
    pub length: Option<u64>,
    /// (algorithm, hex digest), sorted by algorithm.
    pub hashes: Vec<(String, String)>,
    /// The role that lists it (signed its entry).
    pub role: Option<String>,
    /// `targets` → … → the role.
    pub delegation_path: Vec<String>,
    pub result: Looked,
    /// Why a lookup failed, raw.
    pub error: Option<String>,
}

/// One trusted targets role's list, shared with the trusted set; for a
/// role the audit let go of, loaded when opened (or why it could not be).
#[derive(Debug, Clone)]
struct RoleList {
    name: String,
    path: Vec<String>,
    meta: Arc<OnceLock<Result<Arc<TargetsMeta>, String>>>,
    /// How many targets it lists (known before it is loaded).
    count: usize,
}

impl RoleList {
    fn held(name: String, path: Vec<String>, meta: Arc<TargetsMeta>) -> Self {
        let count = meta.targets.len();
        Self { name, path, meta: Arc::new(OnceLock::from(Ok(meta))), count }
    }

    fn loaded(&self) -> Option<&Arc<TargetsMeta>> {
        self.meta.get().and_then(|r| r.as_ref().ok())
    }
}

/// Reads and verifies one released role's targets again (by name).
pub type RoleLoader = dyn Fn(&str) -> Result<Arc<TargetsMeta>, String> + Send + Sync;

#[derive(Clone)]
struct Loader(Arc<RoleLoader>);

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoleLoader")
    }
}

/// What the run asked about one path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lookup {
    result: Looked,
    role: Option<String>,
    error: Option<String>,
}

/// Every target of the trusted roles, and the lookups.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    roles: Vec<RoleList>,
    /// Row where each role's list starts.
    starts: Vec<usize>,
    listed: usize,
    lookups: BTreeMap<String, Lookup>,
    /// Paths asked for that no trusted role lists (rows after the listed ones).
    missing: Vec<String>,
    /// Rows that failed: lookups not found or in error.
    failing: Vec<usize>,
    /// Loads a released role when its rows are opened.
    loader: Option<Loader>,
}

impl PartialEq for Targets {
    fn eq(&self, other: &Self) -> bool {
        self.listed == other.listed
            && self.lookups == other.lookups
            && self.missing == other.missing
            && self
                .roles
                .iter()
                .map(|r| (&r.name, &r.path))
                .eq(other.roles.iter().map(|r| (&r.name, &r.path)))
    }
}

impl Targets {
    /// The targets of `set`'s trusted roles and the run's lookups.
    /// `downloaded`: the run fetched every target it found (the bridge).
    pub fn build<'a>(
        set: Option<&TrustedSet>,
        lookups: impl IntoIterator<Item = &'a TargetOutcome>,
        downloaded: bool,
    ) -> Self {
        let mut roles: Vec<RoleList> = Vec::new();
        if let Some(set) = set {
            let delegators: BTreeMap<&str, &str> = set
                .targets_roles()
                .map(|(n, d, _)| (n, d))
                .chain(set.released_roles().map(|(n, d, _)| (n, d)))
                .collect();
            let path_of = |name: &str| {
                let mut path = vec![name.to_owned()];
                let mut at = name;
                // Bounded: a delegation graph is a tree, but never trust that.
                while let Some(d) = delegators.get(at).copied().filter(|d| *d != "root" && *d != at) {
                    if path.len() > 64 || path.iter().any(|p| p == d) {
                        break;
                    }
                    path.push(d.to_owned());
                    at = d;
                }
                path.reverse();
                path
            };
            roles = set
                .targets_roles()
                .map(|(name, _, t)| RoleList::held(name.to_owned(), path_of(name), t.meta.clone()))
                .collect();
            roles.extend(set.released_roles().map(|(name, _, summary)| RoleList {
                name: name.to_owned(),
                path: path_of(name),
                meta: Arc::new(OnceLock::new()),
                count: usize::try_from(summary.targets).unwrap_or(usize::MAX),
            }));
        }
        Self::of_lists(roles, lookups, downloaded)
    }

    /// Makes the rows of released roles loadable: `load` reads and verifies
    /// one role's targets by name.
    pub fn set_loader(
        &mut self,
        load: impl Fn(&str) -> Result<Arc<TargetsMeta>, String> + Send + Sync + 'static,
    ) {
        self.loader = Some(Loader(Arc::new(load)));
    }

    /// Whether row `row` belongs to a role not loaded yet.
    pub fn is_unloaded(&self, row: usize) -> bool {
        self.role_at(row).is_some_and(|i| self.roles[i].meta.get().is_none())
    }

    /// Opens the released role row `row` belongs to: reads and verifies it
    /// (once; a failure is kept and shown on its rows). Returns the role's
    /// name when this call loaded it.
    pub fn load_at(&self, row: usize) -> Option<Result<String, String>> {
        let r = &self.roles[self.role_at(row)?];
        if r.meta.get().is_some() {
            return None;
        }
        let loader = self.loader.as_ref()?;
        let loaded = (loader.0)(&r.name).and_then(|meta| {
            if meta.targets.len() == r.count {
                Ok(meta)
            } else {
                Err(format!("{} lists {} targets now, {} when audited", r.name, meta.targets.len(), r.count))
            }
        });
        let result = loaded.as_ref().map(|_| r.name.clone()).map_err(Clone::clone);
        let _ = r.meta.set(loaded);
        Some(result)
    }

    /// The role whose rows include `row` (listed rows only).
    fn role_at(&self, row: usize) -> Option<usize> {
        if row >= self.listed {
            return None;
        }
        self.starts.partition_point(|&s| s <= row).checked_sub(1)
    }

    /// The targets of `roles` — (name, delegation path from `targets`, its
    /// metadata) — and the run's lookups.
    pub fn of_roles<'a>(
        roles: Vec<(String, Vec<String>, Arc<TargetsMeta>)>,
        lookups: impl IntoIterator<Item = &'a TargetOutcome>,
        downloaded: bool,
    ) -> Self {
        let roles = roles.into_iter().map(|(name, path, meta)| RoleList::held(name, path, meta)).collect();
        Self::of_lists(roles, lookups, downloaded)
    }

    fn of_lists<'a>(
        mut roles: Vec<RoleList>,
        lookups: impl IntoIterator<Item = &'a TargetOutcome>,
        downloaded: bool,
    ) -> Self {
        // `targets` first, then by depth and name: the order of the delegation tree.
        roles.sort_by(|a, b| (a.path.len(), &a.name).cmp(&(b.path.len(), &b.name)));
        let mut starts = Vec::with_capacity(roles.len());
        let mut listed = 0;
        for r in &roles {
            starts.push(listed);
            listed += r.count;
        }
        let mut map: BTreeMap<String, Lookup> = BTreeMap::new();
        for t in lookups {
            let result = match t.status {
                TargetStatus::Ok if downloaded || t.length_verified.is_some() => Looked::Verified,
                TargetStatus::Ok => Looked::LookedUp,
                TargetStatus::NotFound => Looked::NotFound,
                TargetStatus::Error => Looked::Error,
            };
            let error = t.error.as_ref().map(|e| e.message.clone());
            map.entry(t.path.clone()).or_insert(Lookup { result, role: t.role.clone(), error });
        }
        let mut out = Targets {
            roles,
            starts,
            listed,
            lookups: map,
            missing: Vec::new(),
            failing: Vec::new(),
            loader: None,
        };
        out.missing = out
            .lookups
            .iter()
            .filter(|(path, l)| l.role.as_deref().is_none_or(|r| !out.lists(r, path)))
            .map(|(p, _)| p.clone())
            .collect();
        // Failing rows: where each failed lookup shows.
        let mut failing: Vec<usize> = out
            .lookups
            .iter()
            .filter(|(_, l)| l.result.is_failure())
            .filter_map(|(p, l)| out.row_of(p, l.role.as_deref()))
            .collect();
        failing.sort_unstable();
        failing.dedup();
        out.failing = failing;
        out
    }

    fn lists(&self, role: &str, path: &str) -> bool {
        self.roles.iter().any(|r| r.name == role && r.loaded().is_some_and(|m| m.targets.contains_key(path)))
    }

    /// The row of `path` as listed by `role` (else the first role listing it, else its missing row).
    pub fn row_of(&self, path: &str, role: Option<&str>) -> Option<usize> {
        let in_role = |i: usize| {
            let r = &self.roles[i];
            let k = index_of(r.loaded()?, path)?;
            Some(self.starts[i] + k)
        };
        let by_role = role.and_then(|name| self.roles.iter().position(|r| r.name == name)).and_then(in_role);
        by_role
            .or_else(|| (0..self.roles.len()).find_map(in_role))
            .or_else(|| self.missing.iter().position(|p| p == path).map(|k| self.listed + k))
    }

    /// How many rows: every listed target, then the missing lookups.
    pub fn len(&self) -> usize {
        self.listed + self.missing.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows of targets whose lookup failed.
    pub fn failing(&self) -> &[usize] {
        &self.failing
    }

    /// How many targets the run looked up.
    pub fn looked_up(&self) -> usize {
        self.lookups.len()
    }

    /// The trusted targets roles, in tree order.
    pub fn role_count(&self) -> usize {
        self.roles.len()
    }

    /// Row `row`, looked up now.
    pub fn row(&self, row: usize) -> Option<TargetRow> {
        if row >= self.listed {
            let path = self.missing.get(row - self.listed)?;
            let l = self.lookups.get(path)?;
            return Some(TargetRow {
                path: path.clone(),
                length: None,
                hashes: Vec::new(),
                role: l.role.clone(),
                delegation_path: Vec::new(),
                result: l.result,
                error: l.error.clone(),
            });
        }
        let i = self.role_at(row)?;
        let r = self.roles.get(i)?;
        let meta = match r.meta.get() {
            Some(Ok(meta)) => meta,
            unloaded => {
                return Some(TargetRow {
                    path: String::new(),
                    length: None,
                    hashes: Vec::new(),
                    role: Some(r.name.clone()),
                    delegation_path: r.path.clone(),
                    result: if unloaded.is_some() { Looked::Error } else { Looked::Unloaded },
                    error: unloaded.and_then(|e| e.as_ref().err().cloned()),
                });
            }
        };
        let path = meta.targets.keys().nth(row - self.starts[i])?;
        let file = meta.targets.get(path)?;
        let lookup = self.lookups.get(path.as_str());
        let result = lookup
            .filter(|l| l.role.as_deref().is_none_or(|x| x == r.name))
            .map_or(Looked::Listed, |l| l.result);
        Some(TargetRow {
            path: path.clone(),
            length: Some(file.length),
            hashes: file.hashes.into_iter().collect(),
            role: Some(r.name.clone()),
            delegation_path: r.path.clone(),
            result,
            error: lookup.and_then(|l| l.error.clone()),
        })
    }
}

/// The position of `path` in a role's sorted target list (`nth` on the
/// sorted paths is O(1), so this is a binary search).
fn index_of(meta: &TargetsMeta, path: &str) -> Option<usize> {
    let (mut lo, mut hi) = (0, meta.targets.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match meta.targets.keys().nth(mid)?.as_str().cmp(path) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tuf::metadata::{Common, TargetFile};

    fn role(n: usize) -> Arc<TargetsMeta> {
        let at = crate::meta::time::parse("2030-01-01T00:00:00Z").unwrap().at;
        let common = Common {
            version: 1,
            spec_version: "1.0.31".into(),
            expires: at,
            expires_text: "2030-01-01T00:00:00Z".into(),
            expires_spec_form: true,
        };
        let targets = (0..n)
            .map(|i| {
                let hashes = BTreeMap::from([("sha256".to_owned(), format!("{i:064x}"))]);
                (format!("packages/p{i:07}.tar.gz"), TargetFile { length: i as u64, hashes, custom: None })
            })
            .collect();
        Arc::new(TargetsMeta {
            common,
            targets,
            listed: n as u64,
            delegations: None,
            extra: Default::default(),
        })
    }

    #[test]
    fn a_pypi_scale_role_is_rows_looked_up_by_index_not_copied() {
        // A quarter of PEP 458's million: the same code path, a quarter of
        // the debug-build time to build the map.
        let n = 250_000;
        let meta = role(n);
        let lookup = |path: &str, status, role: Option<&str>| TargetOutcome {
            path: path.into(),
            status,
            category: crate::tuf::error::Category::NotFound,
            role: role.map(str::to_owned),
            info: None,
            error: None,
            visited: vec![],
            length_verified: None,
        };
        let last_path = format!("packages/p{:07}.tar.gz", n - 1);
        let found = lookup(&last_path, TargetStatus::Ok, Some("pypi"));
        let missing = lookup("packages/missing.tar.gz", TargetStatus::NotFound, None);
        let roles = vec![
            ("targets".to_owned(), vec!["targets".to_owned()], role(2)),
            ("pypi".to_owned(), vec!["targets".to_owned(), "pypi".to_owned()], meta.clone()),
        ];
        let t = Targets::of_roles(roles, [&found, &missing], false);
        assert_eq!(t.len(), n + 3, "every listed target and the one no role lists");
        // The role's map is shared, not copied.
        assert_eq!(Arc::strong_count(&meta), 2);
        let last = t.row(n + 1).unwrap();
        assert_eq!(last.path, format!("packages/p{:07}.tar.gz", n - 1));
        assert_eq!(last.length, Some(n as u64 - 1));
        assert_eq!(last.role.as_deref(), Some("pypi"));
        assert_eq!(last.delegation_path, ["targets", "pypi"]);
        assert_eq!(last.result, Looked::LookedUp);
        assert_eq!(t.row_of("packages/p0100000.tar.gz", None), Some(2 + 100_000));
        let gone = t.row(n + 2).unwrap();
        assert_eq!(
            (gone.path.as_str(), gone.result, gone.length),
            ("packages/missing.tar.gz", Looked::NotFound, None)
        );
        assert_eq!(t.failing(), &[n + 2]);
        assert!(t.row(n + 3).is_none());
    }
}
