//! The Trust view's rows (DESIGN §6): the TUF role tree root → timestamp,
//! snapshot → targets → delegations with keys, thresholds k-of-n and which
//! signatures counted, versions and expiry, every role the verifier
//! rejected marked with its reason; the root history with what changed at
//! each rotation; and the in-toto side — layout keys → functionaries →
//! the steps they sign, each with the state of its link as verified.
//!
//! Built once per result from the verifier's typed detail
//! (`verdict::tuf_detail`: the document's `roles` and the run's
//! [`RoleTree`]) and the [`Chain`]; plain rows of raw (unsanitized) text
//! that the view draws through the sanitizer. `f` shows [`Trust::failing`]:
//! the rows with a failure and their ancestors.

use std::collections::{HashMap, HashSet};

use super::chain::{Chain, ItemKind};
use crate::intoto::LinkStatus;
use crate::verdict::tuf_detail::{
    Delegation, KeyInfo, RoleCommon, RoleNode, RoleState, RoleTree, RoleTrust, Roles, Scope, SignatureSummary,
};
use crate::verdict::{Evidence, Finding, Severity, Subject};

/// How a row's status reads (glyph and word; the theme adds colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Ok,
    Bad,
    Warn,
    Expired,
    None,
}

impl Mark {
    pub fn glyph(self) -> &'static str {
        match self {
            Mark::Ok => "✔",
            Mark::Bad => "✘",
            Mark::Warn => "⚠",
            Mark::Expired => "⧗",
            Mark::None => "·",
        }
    }

    /// Whether `f` (failures only) keeps the row.
    pub fn is_failure(self) -> bool {
        matches!(self, Mark::Bad | Mark::Expired)
    }
}

/// One line of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub depth: usize,
    pub mark: Mark,
    /// A short status word after the glyph ("valid", "expired", "2/2").
    pub word: String,
    /// The row's text (raw metadata included: sanitized when drawn).
    pub text: String,
    /// Secondary text, drawn muted.
    pub note: String,
    pub subject: Option<Subject>,
    /// What `y` copies: (what it is, the value).
    pub copy: Option<(String, String)>,
    /// A section heading.
    pub heading: bool,
    /// The finding Enter opens (its evidence), when the row is about one
    /// finding rather than a subject (the attestation trust chain).
    pub finding: Option<usize>,
    /// The second line of the row above (a value too long to share its
    /// line): shown and hidden with it.
    pub continues: bool,
}

impl Row {
    pub fn new(depth: usize, mark: Mark, word: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            depth,
            mark,
            word: word.into(),
            text: text.into(),
            note: String::new(),
            subject: None,
            copy: None,
            heading: false,
            finding: None,
            continues: false,
        }
    }
    /// A second line for the row before it, kept with it by the failures filter.
    pub fn continuation(depth: usize, text: impl Into<String>) -> Self {
        Self { continues: true, ..Self::new(depth, Mark::None, "", text) }
    }
    pub fn heading(text: impl Into<String>) -> Self {
        Self { heading: true, ..Self::new(0, Mark::None, "", text) }
    }
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }
    fn subject(mut self, s: Subject) -> Self {
        self.subject = Some(s);
        self
    }
    fn role(self, name: &str) -> Self {
        self.subject(Subject::Role { name: name.to_owned() })
    }
    fn key(mut self, keyid: &str) -> Self {
        self.copy = Some(("key id".to_owned(), keyid.to_owned()));
        self.subject.get_or_insert(Subject::Key { keyid: keyid.to_owned() });
        self
    }
}

/// The Trust view's rows, and which of them `f` keeps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trust {
    pub rows: Vec<Row>,
    /// Indices of the rows with a failure (✘, expired) and of their
    /// ancestors and section headings, in order.
    pub failing: Vec<usize>,
}

impl Trust {
    /// The rows shown: all, or with `failures_only` those of [`Trust::failing`].
    pub fn len(&self, failures_only: bool) -> usize {
        if failures_only { self.failing.len() } else { self.rows.len() }
    }

    pub fn is_empty(&self, failures_only: bool) -> bool {
        self.len(failures_only) == 0
    }

    /// Rows built elsewhere (the attestation trust chain), with their failures.
    pub fn from_rows(rows: Vec<Row>) -> Self {
        let failing = failing(&rows);
        Self { rows, failing }
    }

    /// Shown row `i`.
    pub fn get(&self, failures_only: bool, i: usize) -> Option<&Row> {
        if failures_only { self.failing.get(i).and_then(|&r| self.rows.get(r)) } else { self.rows.get(i) }
    }

    /// The shown rows in order.
    pub fn shown(&self, failures_only: bool) -> impl Iterator<Item = &Row> {
        (0..self.len(failures_only)).filter_map(move |i| self.get(failures_only, i))
    }
}

/// Every row of the Trust view: the TUF side from the document's `roles`
/// and the run's role tree, the in-toto side from the chain and the
/// layout's signature findings.
pub fn build(
    roles: Option<&Roles>,
    tree: Option<&RoleTree>,
    chain: Option<&Chain>,
    findings: &[Finding],
) -> Trust {
    let mut rows = Vec::new();
    match (tree, roles) {
        (Some(tree), _) => {
            TufRows::new(tree, roles, findings).build(&mut rows);
            name_signers(&tree.root.owners(), &mut rows);
        }
        (None, Some(roles)) if !roles.is_empty() => flat_role_rows(roles, findings, &mut rows),
        _ => {}
    }
    if let Some(chain) = chain {
        intoto_rows(chain, findings, &mut rows);
    }
    let failing = failing(&rows);
    Trust { rows, failing }
}

/// "signature 3c344aa0c4c9 @dlorenc": each root key's signature row names
/// its holder, as its key row does.
fn name_signers(owners: &crate::verdict::Owners, rows: &mut [Row]) {
    for r in rows.iter_mut().filter(|r| r.text.starts_with("signature ")) {
        if let Some(Subject::Key { keyid }) = &r.subject
            && let Some(o) = owners.get(keyid)
        {
            r.text = format!("{} {o}", r.text);
        }
    }
}

/// The rows with a failure, their ancestors (the nearest shallower row
/// above, up to depth 0) and their section's heading.
fn failing(rows: &[Row]) -> Vec<usize> {
    let mut keep = vec![false; rows.len()];
    // The last row seen at each depth (`None`: no row at that depth above
    // this one in its section), and the current heading.
    let mut path: Vec<Option<usize>> = Vec::new();
    let mut heading = None;
    for (i, r) in rows.iter().enumerate() {
        if r.heading {
            heading = Some(i);
            path.clear();
            continue;
        }
        if r.continues {
            keep[i] = i > 0 && keep[i - 1];
            continue;
        }
        path.truncate(r.depth);
        if r.mark.is_failure() {
            keep[i] = true;
            path.iter().flatten().for_each(|&a| keep[a] = true);
            if let Some(h) = heading {
                keep[h] = true;
            }
        }
        // A row deeper than any row above it leaves the levels between
        // empty: a sibling at its own depth is not its parent.
        path.resize(r.depth, None);
        path.push(Some(i));
    }
    keep.iter().enumerate().filter(|(_, k)| **k).map(|(i, _)| i).collect()
}

fn short(id: &str) -> String {
    id.chars().take(12).collect()
}

/// `v3 · expires … (3d 4h)`, and its mark and word.
fn expiry(c: &RoleCommon) -> (Mark, &'static str, String) {
    let note = format!("v{} · expires {} ({})", c.version, c.expires, c.expires_in);
    if c.expired { (Mark::Expired, "expired", note) } else { (Mark::Ok, "valid", note) }
}

/// "threshold 2: 2 signature(s) counted" and one row per signature.
fn signature_rows(depth: usize, sigs: &SignatureSummary, out: &mut Vec<Row>) {
    let (mark, word) = if sigs.met() { (Mark::Ok, "met") } else { (Mark::Bad, "not met") };
    let text = format!("threshold {}: {} signature(s) counted", sigs.threshold, sigs.valid.len());
    out.push(Row::new(depth, mark, word, text));
    for c in &sigs.checks {
        let (mark, word) = if c.valid { (Mark::Ok, "counted") } else { (Mark::Bad, "not counted") };
        let reason = c.reason.clone().unwrap_or_default();
        out.push(
            Row::new(depth + 1, mark, word, format!("signature {}", short(&c.keyid)))
                .note(reason)
                .key(&c.keyid),
        );
    }
}

fn key_row(depth: usize, k: &KeyInfo) -> Row {
    let (mark, word) = match (k.id_matches, k.usable) {
        (true, true) => (Mark::Ok, "id matches"),
        (false, _) => (Mark::Warn, "id differs"),
        (true, false) => (Mark::Bad, "unusable"),
    };
    // The holder's name where the metadata gives it (`x-tuf-on-ci-keyowner`).
    let owner = k.owner.as_ref().map(|o| format!(" {o}")).unwrap_or_default();
    Row::new(depth, mark, word, format!("key {}{owner}", short(&k.keyid)))
        .note(format!("{}/{}", k.keytype, k.scheme))
        .key(&k.keyid)
}

/// A role the verifier did not trust: why, what its file said, and its
/// signatures as checked.
fn untrusted_rows(name: &str, state: &RoleState, depth: usize, out: &mut Vec<Row>) {
    let Some((category, error)) = state.refusal() else { return };
    let (mark, word) = match state.trust {
        RoleTrust::NotReached { .. } => (Mark::Warn, "not reached"),
        _ => (Mark::Bad, "rejected"),
    };
    let mut note = Vec::new();
    if let Some(c) = &state.common {
        note.push(format!("v{} · expires {} ({})", c.version, c.expires, c.expires_in));
    }
    note.push(format!("{category}: {error}"));
    if let Some(d) = &state.delegator {
        note.push(format!("delegated by {d}"));
    }
    out.push(Row::new(depth, mark, word, name).note(note.join(" · ")).role(name));
    if let Some(e) = &state.read_error {
        out.push(Row::new(depth + 1, Mark::Bad, "unreadable", e.clone()));
    }
    if let Some(sigs) = &state.signatures {
        signature_rows(depth + 1, sigs, out);
    }
}

/// What failed about a role the run still trusts: each delegator's
/// verdict when several delegate it, else the error findings about it (a
/// newer version the refresh refused, as in a rollback, keeps the trusted
/// one; `--strict` escalations).
fn trusted_failure_rows(
    name: &str,
    state: Option<&RoleState>,
    errors: &HashMap<&str, Vec<&Finding>>,
    depth: usize,
    out: &mut Vec<Row>,
) {
    let audit = state.map(|s| s.audit.as_slice()).unwrap_or_default();
    for a in audit {
        let row = match &a.error {
            None => Row::new(depth, Mark::Ok, "admitted", format!("via {}", a.delegator)),
            Some(e) => Row::new(depth, Mark::Bad, "rejected", format!("via {}", a.delegator))
                .note(format!("{}: {e}", a.result)),
        };
        out.push(row);
    }
    if !audit.is_empty() {
        return;
    }
    for f in errors.get(name).into_iter().flatten() {
        out.push(Row::new(depth, Mark::Bad, f.category.id(), f.message.clone()).role(name));
    }
}

/// The error findings about each role, by name (looked up once per role:
/// an audit of hash bins has tens of thousands).
fn role_errors(findings: &[Finding]) -> HashMap<&str, Vec<&Finding>> {
    let mut out: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in findings.iter().filter(|f| f.severity == Severity::Error) {
        if let Subject::Role { name } = &f.subject {
            out.entry(name.as_str()).or_default().push(f);
        }
    }
    out
}

/// The role tree walk with the role states beside it.
struct TufRows<'a> {
    tree: &'a RoleTree,
    roles: Option<&'a Roles>,
    errors: HashMap<&'a str, Vec<&'a Finding>>,
    by_name: HashMap<&'a str, &'a RoleNode>,
    /// Trusted roles by delegator, in tree order (succinct bins under their
    /// delegating role).
    children: HashMap<&'a str, Vec<&'a RoleNode>>,
    seen: HashSet<&'a str>,
}

impl<'a> TufRows<'a> {
    fn new(tree: &'a RoleTree, roles: Option<&'a Roles>, findings: &'a [Finding]) -> Self {
        let by_name = tree.roles.iter().map(|r| (r.name.as_str(), r)).collect();
        let mut children: HashMap<&str, Vec<&RoleNode>> = HashMap::new();
        for r in &tree.roles {
            children.entry(r.delegator.as_str()).or_default().push(r);
        }
        Self { tree, roles, errors: role_errors(findings), by_name, children, seen: HashSet::new() }
    }

    fn state(&self, name: &str) -> Option<&'a RoleState> {
        self.roles.and_then(|r| r.get(name))
    }

    fn build(mut self, out: &mut Vec<Row>) {
        out.push(Row::heading("TUF repository"));
        self.root_rows(out);
        for name in ["timestamp", "snapshot"] {
            self.seen.insert(name);
            match (self.state(name).filter(|s| !s.is_trusted()), self.by_name.get(name)) {
                (Some(state), _) => untrusted_rows(name, state, 0, out),
                (None, Some(node)) => self.role_rows(node, 0, out),
                (None, None) => {}
            }
        }
        self.delegated_rows("root", "targets", 0, out);
        // Rejected roles the walk did not reach (their delegator is not
        // trusted, or the refresh failed before them).
        let rest: Vec<(&String, &RoleState)> = self
            .roles
            .into_iter()
            .flatten()
            .filter(|(n, s)| !s.is_trusted() && !self.seen.contains(n.as_str()))
            .collect();
        for (name, state) in rest {
            untrusted_rows(name, state, 0, out);
        }
    }

    fn root_rows(&mut self, out: &mut Vec<Row>) {
        self.seen.insert("root");
        let root = &self.tree.root;
        let (mark, word, note) = expiry(&root.common);
        out.push(Row::new(0, mark, word, "root").note(note).role("root"));
        signature_rows(1, &root.signatures, out);
        trusted_failure_rows("root", self.state("root"), &self.errors, 1, out);
        for k in &root.keys {
            out.push(key_row(2, k));
        }
        for (name, r) in &root.roles {
            let text = format!("role {name}: {} of {} key(s)", r.threshold, r.keyids.len());
            let note = r.keyids.iter().map(|i| short(i)).collect::<Vec<_>>().join(" ");
            out.push(Row::new(1, Mark::None, "", text).note(note).role(name));
        }
        let text =
            format!("root history: {} version(s), {} rotation(s)", root.versions.len(), root.history.len());
        out.push(Row::new(1, Mark::None, "", text));
        let owners = root.owners();
        for h in &root.history {
            let mut changes = Vec::new();
            if !h.keys_added.is_empty() {
                changes.push(format!("+{} key(s)", h.keys_added.len()));
            }
            if !h.keys_removed.is_empty() {
                changes.push(format!("−{} key(s)", h.keys_removed.len()));
            }
            for (name, r) in &h.roles {
                let mut what = format!("{name}: +{}/−{} key(s)", r.keys_added.len(), r.keys_removed.len());
                if let [old, new] = r.threshold
                    && old != new
                {
                    what.push_str(&format!(", threshold {old}→{new}"));
                }
                changes.push(what);
            }
            if let Some(c) = h.consistent_snapshot {
                changes.push(format!("consistent_snapshot → {c}"));
            }
            if changes.is_empty() {
                changes.push("no key or threshold change".into());
            }
            if !h.keys_relabelled.is_empty() {
                changes.push(format!("{} key(s) same, new id", h.keys_relabelled.len()));
            }
            let text = format!("v{} → v{}: {}", h.from, h.to, changes.join("; "));
            out.push(Row::new(2, Mark::None, "", text));
            // §5.3.4: both thresholds, the previous root's and its own.
            let counted = [
                (h.signed_by_previous.as_ref(), format!("v{}'s root keys", h.from)),
                (h.signed_by_own.as_ref(), "its own root keys".to_owned()),
            ];
            for (s, whose) in counted.into_iter().filter_map(|(s, w)| Some((s?, w))) {
                let (mark, word) = if s.met() { (Mark::Ok, "met") } else { (Mark::Bad, "not met") };
                let text = format!("signed by {} of threshold {} of {whose}", s.count, s.threshold);
                let note = crate::verdict::checks::signer_list(&s.valid, &owners);
                out.push(Row::new(3, mark, word, text).note(note));
            }
            for k in &h.keys_added {
                out.push(Row::new(3, Mark::None, "added", format!("key {}", short(k))).key(k));
            }
            for k in &h.keys_removed {
                out.push(Row::new(3, Mark::None, "removed", format!("key {}", short(k))).key(k));
            }
        }
    }

    /// A trusted role: version and expiry, signatures, and how each
    /// delegator that delegates it judged it.
    fn role_rows(&self, r: &RoleNode, depth: usize, out: &mut Vec<Row>) {
        let Some(common) = &r.common else {
            out.push(Row::new(depth, Mark::Warn, "not loaded", r.name.clone()).role(&r.name));
            return;
        };
        let (mark, word, mut note) = expiry(common);
        if let Some(n) = r.targets {
            note.push_str(&format!(" · {n} target(s)"));
        }
        if depth > 0 || r.delegator != "root" {
            note.push_str(&format!(" · delegated by {}", r.delegator));
        }
        out.push(Row::new(depth, mark, word, r.name.clone()).note(note).role(&r.name));
        if let Some(sigs) = &r.signatures {
            signature_rows(depth + 1, sigs, out);
        }
        trusted_failure_rows(&r.name, self.state(&r.name), &self.errors, depth + 1, out);
    }

    /// `name` and the roles it delegates to, depth first; a role reached
    /// twice is shown once with "(also via …)"; a delegated role the
    /// verifier rejected is shown rejected where it is delegated.
    fn delegated_rows(&mut self, delegator: &str, name: &'a str, depth: usize, out: &mut Vec<Row>) {
        if depth > 32 {
            return;
        }
        if !self.seen.insert(name) {
            out.push(Row::new(depth, Mark::None, "", name).note(format!("(also via {delegator})")));
            return;
        }
        let Some(role) = self.by_name.get(name).copied() else {
            if let Some(state) = self.state(name).filter(|s| !s.is_trusted()) {
                untrusted_rows(name, state, depth, out);
            }
            return;
        };
        self.role_rows(role, depth, out);
        for d in role.delegations.iter().flatten() {
            self.delegation_rows(role, d, depth + 1, out);
        }
        for k in role.delegation_keys.iter().flatten() {
            out.push(key_row(depth + 1, k));
        }
    }

    fn delegation_rows(&mut self, role: &'a RoleNode, d: &'a Delegation, depth: usize, out: &mut Vec<Row>) {
        let keys = format!("{} of {} key(s)", d.threshold, d.keyids.len());
        let terminating = if d.terminating { " · terminating" } else { "" };
        match (&d.scope, &d.name) {
            (Scope::Succinct(bins), _) => {
                let text = format!("→ {} succinct bins {}…{}: {keys}", bins.bins, bins.first, bins.last);
                out.push(Row::new(depth, Mark::None, "", text));
                self.bin_rows(role, &bins.name_prefix, depth + 1, out);
            }
            (Scope::Paths(scope) | Scope::HashPrefixes(scope), Some(child)) => {
                let text = format!("→ {child}: {keys}");
                let what = if matches!(d.scope, Scope::Paths(_)) { "paths" } else { "path hash prefixes" };
                out.push(
                    Row::new(depth, Mark::None, "", text)
                        .note(format!("{what} {}{terminating}", scope.join(", "))),
                );
                let known = self.by_name.contains_key(child.as_str()) || self.state(child).is_some();
                if known {
                    self.delegated_rows(&role.name, child, depth + 1, out);
                }
            }
            (_, None) => {}
        }
    }

    /// The bins of a succinct delegation the run trusted or rejected, by name.
    fn bin_rows(&mut self, role: &'a RoleNode, prefix: &str, depth: usize, out: &mut Vec<Row>) {
        let is_bin = |n: &str| n.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('-'));
        let mut names: Vec<&'a str> = self
            .children
            .get(role.name.as_str())
            .into_iter()
            .flatten()
            .map(|r: &&'a RoleNode| -> &'a str { r.name.as_str() })
            .filter(|n| is_bin(n))
            .collect();
        if let Some(roles) = self.roles {
            names.extend(
                roles
                    .iter()
                    .filter(|(n, s)| {
                        !s.is_trusted() && s.delegator.as_deref() == Some(role.name.as_str()) && is_bin(n)
                    })
                    .map(|(n, _)| n.as_str()),
            );
        }
        names.sort_unstable();
        names.dedup();
        for name in names {
            self.delegated_rows(&role.name, name, depth, out);
        }
    }
}

/// Without the role tree (a document read back from JSON): one row per
/// role with its state and signatures.
fn flat_role_rows(roles: &Roles, findings: &[Finding], out: &mut Vec<Row>) {
    let errors = role_errors(findings);
    out.push(Row::heading("TUF roles"));
    for (name, state) in roles {
        if !state.is_trusted() {
            untrusted_rows(name, state, 0, out);
            continue;
        }
        let (mark, word, mut note) = match &state.common {
            Some(c) => expiry(c),
            None => (Mark::Ok, "trusted", String::new()),
        };
        if let Some(d) = &state.delegator {
            note.push_str(&format!(" · delegated by {d}"));
        }
        out.push(Row::new(0, mark, word, name.clone()).note(note).role(name));
        if let Some(sigs) = &state.signatures {
            signature_rows(1, sigs, out);
        }
        trusted_failure_rows(name, Some(state), &errors, 1, out);
    }
}

/// The layout's signature checks as the verifier reported them (a
/// layout-subject finding with signature evidence), by key id.
fn layout_checks<'f>(findings: &'f [Finding], layout: &str) -> HashMap<&'f str, Option<&'f str>> {
    let mut out = HashMap::new();
    for f in findings.iter().filter(|f| matches!(&f.subject, Subject::Layout { path } if path == layout)) {
        let checks = match &f.evidence {
            Evidence::Signatures { checks } | Evidence::Threshold { checks, .. } => checks,
            _ => continue,
        };
        for c in checks.iter().filter(|c| !c.valid) {
            out.insert(c.keyid.as_str(), c.reason.as_deref());
        }
    }
    out
}

fn intoto_rows(chain: &Chain, findings: &[Finding], out: &mut Vec<Row>) {
    out.push(Row::heading("in-toto layout"));
    let note = chain.expires.as_ref().map(|e| format!("expires {e}")).unwrap_or_default();
    out.push(
        Row::new(0, Mark::None, "", format!("layout {}", chain.layout))
            .note(note)
            .subject(Subject::Layout { path: chain.layout.clone() }),
    );
    let bad = layout_checks(findings, &chain.layout);
    for k in &chain.layout_keys {
        let row = match bad.get(k.as_str()) {
            Some(why) => Row::new(1, Mark::Bad, "bad signature", format!("layout key {}", short(k)))
                .note(why.unwrap_or_default()),
            None => Row::new(1, Mark::Ok, "signed", format!("layout key {}", short(k))),
        };
        let row = Row { text: format!("{}{}", row.text, chain.owner_suffix(k)), ..row };
        out.push(row.key(k));
    }
    let mut functionaries: Vec<&String> = chain.items.iter().flat_map(|i| i.pubkeys.iter()).collect();
    functionaries.sort();
    functionaries.dedup();
    for f in functionaries {
        let text = format!("functionary {}{}", short(f), chain.owner_suffix(f));
        out.push(Row::new(1, Mark::None, "", text).key(f));
        for item in chain.items.iter().filter(|i| i.kind == ItemKind::Step && i.pubkeys.contains(f)) {
            let met = item.verified.len() as i64 >= item.threshold;
            let link = item.links.iter().find(|l| &l.keyid == f);
            let (mark, word, why) = match link.map(|l| &l.status) {
                Some(LinkStatus::Verified) => (Mark::Ok, "signed".to_owned(), None),
                Some(LinkStatus::BadSignature(e)) => (Mark::Bad, "bad signature".to_owned(), Some(e.clone())),
                Some(LinkStatus::Malformed(e)) => (Mark::Bad, "malformed".to_owned(), Some(e.clone())),
                Some(LinkStatus::Unauthorized) => (Mark::Bad, "no layout key".to_owned(), None),
                // A missing link fails only when the step is then short of its threshold.
                Some(LinkStatus::Missing) | None => {
                    (if met { Mark::None } else { Mark::Bad }, "missing".to_owned(), None)
                }
            };
            let mut note = Vec::new();
            note.extend(why);
            if let Some(file) = link.filter(|l| l.status != LinkStatus::Missing).map(|l| file_name(&l.path)) {
                note.push(file);
            }
            note.push(format!("{} of {} needed", item.verified.len(), item.threshold));
            let text = format!("step {}", item.display_name());
            out.push(
                Row::new(2, mark, word, text)
                    .note(note.join(" · "))
                    .subject(Subject::Step { name: item.name.clone() }),
            );
        }
    }
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned())
}
