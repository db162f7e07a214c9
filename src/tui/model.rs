//! The result model as the TUI sees it: the verifier's [`Document`] plus
//! what the TUI derives from it once, when it arrives — the findings the
//! sanitizer adds (`suspicious-characters`), the expiry timeline, the
//! categories to filter by.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;

use super::anchor::Anchor;
use super::chain::Chain;
use super::detail::Results;
use super::targets::Targets;
use super::trust;

use crate::report::text::{subject_kind, subject_name};
use crate::sanitize;
use crate::verdict::Document;
use crate::verdict::tuf_detail::RoleTrust;
use crate::verdict::{Evidence, Finding, Severity, Subject};

/// The category of the findings the sanitizer records.
use crate::verdict::category::SUSPICIOUS_CHARACTERS;

/// Metadata expiring within this many days is flagged as "soon".
pub const SOON_DAYS: i64 = 30;

/// One row of the expiry timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    /// What expires ("role timestamp", "layout root.layout"), raw.
    pub label: String,
    pub expires: OffsetDateTime,
    pub subject: Option<Subject>,
    /// A TUF role the run did not trust: its expiry is what its file says,
    /// not the expiry of anything trusted.
    pub refused: Option<Refused>,
}

/// Why a role on the timeline is not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The verifier rejected it.
    Rejected,
    /// A failed refresh stopped before it.
    NotReached,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryStatus {
    Valid,
    Soon,
    Expired,
    /// A role the verifier rejected: never shown valid, whatever its expiry.
    Rejected,
    /// A role the refresh did not reach.
    NotTrusted,
}

impl Expiry {
    pub fn status(&self, at: OffsetDateTime) -> ExpiryStatus {
        match self.refused {
            Some(Refused::Rejected) => return ExpiryStatus::Rejected,
            Some(Refused::NotReached) => return ExpiryStatus::NotTrusted,
            None => {}
        }
        if self.expires <= at {
            ExpiryStatus::Expired
        } else if self.expires - at <= time::Duration::days(SOON_DAYS) {
            ExpiryStatus::Soon
        } else {
            ExpiryStatus::Valid
        }
    }
}

/// The document and what is derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The document, with the sanitizer's findings appended.
    pub doc: Document,
    /// Every piece of metadata with an expiry, soonest first.
    pub timeline: Vec<Expiry>,
    /// The categories present, sorted, for the category filter.
    pub categories: Vec<String>,
    /// The in-toto chain, when the run verified one.
    pub chain: Option<Arc<Chain>>,
    /// The Trust view's rows (TUF role tree, layout keys → functionaries → steps).
    pub trust: trust::Trust,
    /// The trust anchors the run started from, when the session knows them.
    pub anchor: Option<Anchor>,
    /// The TUF targets the run trusted and looked up (Targets view).
    pub targets: Option<Arc<Targets>>,
    /// A verified Sigstore bundle (Trust chain, Statement view).
    pub attest: Option<Arc<super::attest::Attestation>>,
    /// Why the in-toto results rest on a layout that did not verify (no
    /// layout key, the wrong ones, a bad signature): the chain, steps, links
    /// and artifacts are still shown, marked unverified.
    pub unverified: Option<String>,
    /// Key holders by key id, wherever the metadata names them: TUF keys
    /// (`x-tuf-on-ci-keyowner`, …) and in-toto functionaries (search).
    pub owners: crate::verdict::Owners,
}

impl Model {
    /// A model of a bare document (Overview and Findings only).
    pub fn new(doc: Document) -> Self {
        Self::from_results(doc.into())
    }

    /// The model of a run's results.
    pub fn from_results(results: Results) -> Self {
        let Results { document: mut doc, detail } = results;
        let mut extra = suspicious_findings(&doc);
        if let Some(chain) = &detail.chain {
            extra.extend(suspicious_artifacts(chain, &doc.findings, &extra));
        }
        doc.findings.extend(extra);
        let mut timeline = timeline(&doc);
        if let Some(chain) = &detail.chain {
            chain_expiry(chain, &mut timeline);
        }
        let mut categories: Vec<String> = doc.findings.iter().map(|f| f.category.id().to_owned()).collect();
        categories.sort();
        categories.dedup();
        let trust = match &detail.attest {
            Some(a) => a.trust.clone(),
            None => {
                trust::build(doc.roles.as_ref(), detail.tuf.as_ref(), detail.chain.as_deref(), &doc.findings)
            }
        };
        // An attestation's provenance is drawn by the Chain view like an in-toto chain.
        let chain = detail.chain.clone().or_else(|| {
            let graph = detail.attest.as_ref()?.graph.clone()?;
            Some(Arc::new(Chain::from_graph(graph)))
        });
        let unverified = detail.chain.as_ref().and_then(|_| unverified(&doc, detail.anchor.as_ref()));
        let owners = key_owners(&detail);
        Self {
            doc,
            timeline,
            categories,
            chain,
            trust,
            anchor: detail.anchor,
            targets: detail.targets,
            attest: detail.attest,
            unverified,
            owners,
        }
    }

    /// The first failure in reference order: the first error finding.
    pub fn first_failure(&self) -> Option<usize> {
        self.doc.findings.iter().position(|f| f.severity == Severity::Error)
    }
}

/// Every key holder the run's metadata names, by key id.
fn key_owners(detail: &super::detail::Detail) -> crate::verdict::Owners {
    let mut owners = detail.chain.as_ref().map(|c| c.owners.clone()).unwrap_or_default();
    if let Some(tree) = &detail.tuf {
        let delegated = tree.roles.iter().flat_map(|r| r.delegation_keys.iter().flatten());
        for k in delegated {
            if let Some(o) = &k.owner {
                owners.entry(k.keyid.clone()).or_insert_with(|| o.clone());
            }
        }
        for (k, o) in tree.root.owners() {
            owners.entry(k).or_insert(o);
        }
    }
    owners
}

/// Why the layout did not verify, when its signature check failed.
fn unverified(doc: &Document, anchor: Option<&Anchor>) -> Option<String> {
    let f = doc.findings.iter().find(|f| {
        f.severity == Severity::Error && f.category == crate::verdict::category::LAYOUT_SIGNATURE
    })?;
    let no_keys = anchor.and_then(|a| a.layout.as_ref()).is_some_and(|l| l.keyids.is_empty());
    Some(if no_keys {
        format!("no layout key was given (put keys in keys/ or pass --layout-keys): {}", f.message)
    } else {
        f.message.clone()
    })
}

/// A `suspicious-characters` warning for every metadata string holding
/// control, bidi or invisible characters, unless the verifier already
/// recorded one for that subject.
pub fn suspicious_findings(doc: &Document) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let already = |out: &[Finding], subject: &Subject| {
        doc.findings
            .iter()
            .chain(out.iter())
            .any(|f| f.category == SUSPICIOUS_CHARACTERS && &f.subject == subject)
    };
    let record = |out: &mut Vec<Finding>, subject: &Subject, what: &str, text: &str| {
        let s = sanitize::inspect(text);
        if s.escaped && !already(out, subject) {
            let message = format!("{what} \"{}\" contains {}; shown escaped", s.text, s.describe());
            out.push(Finding::warning(SUSPICIOUS_CHARACTERS, subject.clone(), message));
        }
    };
    for f in &doc.findings {
        let name = subject_name(&f.subject);
        record(&mut out, &f.subject, &format!("{} name", subject_kind(&f.subject)), &name);
        let mut strings = Vec::new();
        collect_strings(&serde_json::to_value(&f.evidence).unwrap_or(Value::Null), &mut strings);
        if let Some(src) = &f.source {
            strings.push(src.file.clone());
            strings.push(src.pointer.clone());
        }
        strings.push(f.message.clone());
        strings.push(f.category.id().to_owned());
        for text in strings {
            record(&mut out, &f.subject, &format!("text about {}", subject_kind(&f.subject)), &text);
        }
    }
    if let Some(failure) = &doc.failure {
        for (kind, v) in [("step", &failure.step), ("artifact", &failure.artifact)] {
            if let Some(v) = v {
                let subject = if kind == "step" {
                    Subject::Step { name: v.clone() }
                } else {
                    Subject::Artifact { path: v.clone() }
                };
                record(&mut out, &subject, &format!("{kind} name"), v);
            }
        }
    }
    for path in doc.targets.iter().flat_map(|t| t.keys()) {
        record(&mut out, &Subject::Target { path: path.clone() }, "target path", path);
    }
    if let Some(a) = doc.attestation.as_deref() {
        // What a bundle says about itself: the signer, its claims, the Statement.
        let subject = Subject::File { path: a.bundle.clone() };
        let cert = a.certificate.iter().flat_map(|c| c.sans.iter().chain(&c.issuer).chain(c.claims.values()));
        let statement = a.statement.iter().flat_map(|st| {
            st.subjects.iter().map(|x| &x.name).chain(st.predicate.values()).chain([&st.predicate_type])
        });
        for text in cert.chain(statement).chain(a.tlog_entries.iter().map(|e| &e.log)) {
            record(&mut out, &subject, "bundle text", text);
        }
    }
    for (name, state) in doc.roles.iter().flatten() {
        let subject = Subject::Role { name: name.clone() };
        record(&mut out, &subject, "role name", name);
        for text in state.texts() {
            record(&mut out, &subject, "role metadata", text);
        }
    }
    out
}

/// Suspicious step, inspection and artifact names of the chain (artifact
/// paths only up to a bound: a 100k-artifact link is checked, not listed).
fn suspicious_artifacts(chain: &Chain, findings: &[Finding], extra: &[Finding]) -> Vec<Finding> {
    const MAX: usize = 100;
    let mut out: Vec<Finding> = Vec::new();
    let known = |out: &[Finding], subject: &Subject| {
        findings
            .iter()
            .chain(extra)
            .chain(out.iter())
            .any(|f| f.category == SUSPICIOUS_CHARACTERS && &f.subject == subject)
    };
    let check = |out: &mut Vec<Finding>, subject: Subject, what: &str, text: &str| {
        let s = sanitize::inspect(text);
        if s.escaped && out.len() < MAX && !known(out, &subject) {
            let message = format!("{what} \"{}\" contains {}; shown escaped", s.text, s.describe());
            out.push(Finding::warning(SUSPICIOUS_CHARACTERS, subject, message));
        }
    };
    for item in &chain.items {
        check(&mut out, Subject::Step { name: item.name.clone() }, item.kind.word(), &item.name);
    }
    for path in chain.artifact_paths() {
        check(&mut out, Subject::Artifact { path: path.to_owned() }, "artifact path", path);
    }
    out
}

/// The layout's expiry on the timeline.
fn chain_expiry(chain: &Chain, timeline: &mut Vec<Expiry>) {
    let Some(text) = &chain.expires else { return };
    let label = format!("layout {}", chain.layout);
    if let Ok(t) = crate::meta::time::parse(text)
        && !timeline.iter().any(|e| e.label == label)
    {
        let subject = Some(Subject::Layout { path: chain.layout.clone() });
        timeline.push(Expiry { label, expires: t.at, subject, refused: None });
        timeline.sort_by(|a, b| a.expires.cmp(&b.expires).then_with(|| a.label.cmp(&b.label)));
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(m) => {
            for (k, v) in m {
                out.push(k.clone());
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}

/// Expiries from the TUF roles (`roles.<name>`, with whether the run
/// trusted the role) and from findings with expiry evidence, one per
/// subject, soonest first.
pub fn timeline(doc: &Document) -> Vec<Expiry> {
    let mut out: Vec<Expiry> = Vec::new();
    let mut labels: HashSet<String> = HashSet::new();
    let mut push = |label: String, subject: Option<Subject>, text: &str, refused: Option<Refused>| {
        if let Ok(t) = crate::meta::time::parse(text)
            && labels.insert(label.clone())
        {
            out.push(Expiry { label, expires: t.at, subject, refused });
        }
    };
    for (name, state) in doc.roles.iter().flatten() {
        if let Some(c) = &state.common {
            let refused = match &state.trust {
                RoleTrust::Trusted => None,
                RoleTrust::Rejected { .. } => Some(Refused::Rejected),
                RoleTrust::NotReached { .. } => Some(Refused::NotReached),
            };
            push(format!("role {name}"), Some(Subject::Role { name: name.clone() }), &c.expires, refused);
        }
    }
    for f in &doc.findings {
        if let Evidence::Expiry { expires, .. } = &f.evidence {
            let label = format!("{} {}", subject_kind(&f.subject), subject_name(&f.subject));
            push(label, Some(f.subject.clone()), expires, None);
        }
    }
    out.sort_by(|a, b| a.expires.cmp(&b.expires).then_with(|| a.label.cmp(&b.label)));
    out
}

/// "in 364 d", "in 5 h", "expired 2 d ago" — relative to the evaluation time.
pub fn relative(expires: OffsetDateTime, at: OffsetDateTime) -> String {
    let d = expires - at;
    let (past, d) = if d.is_negative() || d.is_zero() { (true, -d) } else { (false, d) };
    let amount = if d.whole_days() >= 1 {
        format!("{} d", d.whole_days())
    } else if d.whole_hours() >= 1 {
        format!("{} h", d.whole_hours())
    } else {
        format!("{} min", d.whole_minutes())
    };
    if past { format!("expired {amount} ago") } else { format!("in {amount}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Kind;
    use crate::verdict::tuf_detail::RoleState;
    use time::macros::datetime;

    #[test]
    fn a_bidi_override_in_an_artifact_path_becomes_a_warning() {
        let f = Finding::error(
            crate::verdict::category::RULE_DISALLOW,
            Subject::Artifact { path: "x\u{202e}y".into() },
            "m",
        );
        let doc = Document::new(
            Kind::InToto,
            datetime!(2030-01-01 0:00 UTC),
            vec![f],
            crate::verdict::category::RULE_DISALLOW,
        );
        let model = Model::new(doc);
        let added: Vec<_> =
            model.doc.findings.iter().filter(|f| f.category == SUSPICIOUS_CHARACTERS).collect();
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].severity, Severity::Warning);
        assert!(added[0].message.contains("x\\u{202e}y"), "{}", added[0].message);
        assert!(model.categories.contains(&SUSPICIOUS_CHARACTERS.id().to_owned()));
    }

    #[test]
    fn timeline_takes_roles_and_expiry_evidence_soonest_first() {
        let at = datetime!(2030-01-01 0:00 UTC);
        let f = Finding::error(
            crate::verdict::category::EXPIRED,
            Subject::Role { name: "timestamp".into() },
            "expired",
        )
        .with_evidence(Evidence::Expiry {
            expires: "2029-12-31T00:00:00Z".into(),
            evaluated_at: "2030-01-01T00:00:00Z".into(),
        });
        let mut doc = Document::new(Kind::Tuf, at, vec![f], crate::verdict::category::EXPIRED);
        doc.roles = Some(roles(&[("root", RoleState::trusted(None))]));
        let t = timeline(&doc);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].label, "role timestamp");
        assert_eq!(t[0].status(at), ExpiryStatus::Expired);
        assert_eq!(t[1].status(at), ExpiryStatus::Valid);
        assert_eq!(relative(t[0].expires, at), "expired 1 d ago");
        assert_eq!(relative(t[1].expires, at), "in 365 d");
    }

    fn roles(entries: &[(&str, RoleState)]) -> crate::verdict::tuf_detail::Roles {
        let common = crate::verdict::tuf_detail::RoleCommon {
            version: 2,
            expires: "2031-01-01T00:00:00Z".into(),
            expired: false,
            expires_in: "365d 0h".into(),
        };
        entries
            .iter()
            .map(|(n, s)| ((*n).to_owned(), RoleState { common: Some(common.clone()), ..s.clone() }))
            .collect()
    }

    #[test]
    fn the_timeline_never_shows_a_role_the_run_did_not_trust_as_valid() {
        let at = datetime!(2030-01-01 0:00 UTC);
        let mut doc = Document::new(Kind::Tuf, at, vec![], crate::verdict::category::SIGNATURE_THRESHOLD);
        doc.roles = Some(roles(&[
            ("root", RoleState::trusted(None)),
            (
                "targets",
                RoleState::rejected(
                    crate::verdict::category::SIGNATURE_THRESHOLD,
                    "targets was signed by 1/2 keys",
                    None,
                ),
            ),
            ("snapshot", RoleState::not_reached(crate::verdict::category::REFRESH_FAILED, "not trusted")),
        ]));
        let t = timeline(&doc);
        let status = |label: &str| t.iter().find(|e| e.label == label).map(|e| e.status(at));
        assert_eq!(status("role root"), Some(ExpiryStatus::Valid));
        assert_eq!(status("role targets"), Some(ExpiryStatus::Rejected));
        assert_eq!(status("role snapshot"), Some(ExpiryStatus::NotTrusted));
    }
}
