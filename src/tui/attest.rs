//! An attestation as the TUI shows it (issue #15): the Trust view's chain
//! from the TUF root through `trusted_root.json` to the CA, the leaf
//! certificate, the identity policy, the log entry and the timestamps; the
//! Statement view's subjects and predicate; and the provenance as a
//! [`SupplyGraph`] for the Chain view.
//!
//! One truth: every mark comes from the document `sigstore::verify` wrote
//! — an error or warning finding of the row's categories (Enter opens it
//! with its evidence), or a check of the document's `checks` — never from a
//! check made again here. A row the document says nothing about shows its
//! facts without a mark; a policy that was not given says "not performed".
//! What is decoded here (certificate names, the proof's figures, the
//! Statement) is description, read with the verifier's own parsers.

use std::collections::BTreeMap;

use serde_json::Value;

use super::trust::{Mark, Row, Trust};
use crate::attest::{Statement, predicate};
use crate::bridge::sigstore_root::{Origin, TufChain};
use crate::graph::SupplyGraph;
use crate::sanitize::sanitize;
use crate::sigstore::bundle::{Bundle, Content};
use crate::sigstore::pki::LeafCertificate;
use crate::sigstore::trusted_root::TrustedRoot;
use crate::verdict::category::{self as cat, Category};
use crate::verdict::checks::CheckOutcome;
use crate::verdict::{Document, Severity};

/// Parameters listed before "… N more".
pub const PARAMETERS_SHOWN: usize = 64;
/// Certificate authorities listed one by one.
const AUTHORITIES_SHOWN: usize = 8;

/// Where the trusted root came from, as the session obtained it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RootOrigin {
    /// The label `attest verify` records for it.
    pub label: String,
    /// Through TUF: how (repository, embedded snapshot, embedded copy).
    pub origin: Option<Origin>,
    /// The TUF chain that vouched for it.
    pub chain: Option<TufChain>,
}

/// One subject of the Statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRow {
    pub name: String,
    pub digests: Vec<(String, String)>,
    /// Whether it is the subject `sigstore::verify` matched the artifact
    /// to; `None` when no artifact was given.
    pub matched: Option<bool>,
}

/// The Statement as the Statement view shows it (raw strings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementView {
    pub type_: String,
    pub predicate_type: String,
    /// "SLSA provenance v1", "npm publish", … (empty for an unknown predicate).
    pub kind: String,
    pub subjects: Vec<SubjectRow>,
    /// Builder, build type, source repository, ref, commit, workflow, …
    pub facts: Vec<(String, String)>,
    /// External and internal parameters (SLSA v1), invocation parameters (v0.2), flattened.
    pub parameters: Vec<(String, String)>,
    /// Resolved dependencies (v1) or materials (v0.2): uri and digest.
    pub dependencies: Vec<(String, String)>,
    /// The artifact the subjects were matched against, as given.
    pub artifact: Option<String>,
}

/// Everything the TUI derives from one verified bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Attestation {
    /// The bundle's label (file, `file:line`, `file#attestations/0`).
    pub bundle: String,
    pub trust: Trust,
    pub statement: Option<StatementView>,
    /// The provenance as materials → build → subjects.
    pub graph: Option<SupplyGraph>,
}

impl Attestation {
    /// Builds the views of `doc`, the document `sigstore::verify` wrote
    /// for `bytes`, verified against `root`.
    pub fn build(
        doc: &Document,
        bundle: Option<&Bundle>,
        root: Option<&TrustedRoot>,
        origin: &RootOrigin,
    ) -> Self {
        let detail = doc.attestation.as_deref();
        let label = detail.map(|d| d.bundle.clone()).unwrap_or_default();
        let statement = bundle.and_then(statement_of);
        let digests = detail.map(|d| d.artifact.digests.clone()).unwrap_or_default();
        let artifact = detail.map(|d| d.artifact.input.clone()).filter(|a| !a.is_empty());
        let view = statement.as_ref().map(|s| statement_view(s, &digests, artifact));
        let graph = statement.as_ref().map(|s| {
            let pv = predicate::view(&s.predicate_type, &s.predicate);
            crate::graph::attest::from_statement(s, &pv, Some((doc.verdict, doc.category)))
        });
        let rows = TrustRows { doc, bundle, root, origin }.build();
        Self { bundle: label, trust: Trust::from_rows(rows), statement: view, graph }
    }
}

fn statement_of(bundle: &Bundle) -> Option<Statement> {
    match &bundle.content {
        Content::Dsse(d) if d.payload_type == crate::sigstore::verify::IN_TOTO_PAYLOAD_TYPE => {
            Statement::parse(&d.payload).ok()
        }
        _ => None,
    }
}

fn statement_view(
    s: &Statement,
    digests: &BTreeMap<String, String>,
    artifact: Option<String>,
) -> StatementView {
    let pv = predicate::view(&s.predicate_type, &s.predicate);
    // The subject the verifier's own matching picks, marked as such.
    let matched = (!digests.is_empty()).then(|| s.matching_subject(digests).map(|m| m.name.clone()));
    let subjects = s
        .subjects
        .iter()
        .map(|x| SubjectRow {
            name: x.name.clone(),
            digests: x.digest.iter().map(|(a, h)| (a.clone(), h.clone())).collect(),
            matched: matched.as_ref().map(|m| m.as_deref() == Some(x.name.as_str())),
        })
        .collect();
    let mut facts = Vec::new();
    for (k, v) in [
        ("builder", &pv.builder_id),
        ("build type", &pv.build_type),
        ("source repository", &pv.source_repository),
        ("source ref", &pv.source_ref),
        ("source commit", &pv.source_commit),
        ("workflow", &pv.workflow),
    ] {
        if let Some(v) = v {
            facts.push((k.to_owned(), v.clone()));
        }
    }
    facts.extend(pv.facts.iter().cloned());
    StatementView {
        type_: s.type_.clone(),
        predicate_type: s.predicate_type.clone(),
        kind: pv.kind.clone(),
        subjects,
        facts,
        parameters: parameters(&s.predicate_type, &s.predicate),
        dependencies: pv.materials.clone(),
        artifact,
    }
}

/// The build's parameters, flattened to `path = value` (bounded).
fn parameters(predicate_type: &str, p: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let roots: Vec<(&str, Option<&Value>)> = match predicate_type {
        predicate::SLSA_V1 => vec![
            ("external", p.get("buildDefinition").and_then(|b| b.get("externalParameters"))),
            ("internal", p.get("buildDefinition").and_then(|b| b.get("internalParameters"))),
        ],
        predicate::SLSA_V02 => vec![
            ("parameters", p.get("invocation").and_then(|i| i.get("parameters"))),
            ("environment", p.get("invocation").and_then(|i| i.get("environment"))),
        ],
        _ => Vec::new(),
    };
    for (name, v) in roots {
        if let Some(v) = v {
            flatten(name, v, &mut out, 0);
        }
    }
    out
}

fn flatten(path: &str, v: &Value, out: &mut Vec<(String, String)>, depth: usize) {
    if out.len() > PARAMETERS_SHOWN {
        return;
    }
    match v {
        Value::Object(m) if depth < 6 && !m.is_empty() => {
            for (k, x) in m {
                flatten(&format!("{path}.{k}"), x, out, depth + 1);
            }
        }
        Value::Array(a) if depth < 6 && !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), x, out, depth + 1);
            }
        }
        Value::String(s) => out.push((path.to_owned(), s.clone())),
        Value::Null => {}
        other => out.push((path.to_owned(), other.to_string())),
    }
    if out.len() > PARAMETERS_SHOWN {
        out.truncate(PARAMETERS_SHOWN);
        out.push(("…".to_owned(), "more parameters not shown".to_owned()));
    }
}

fn short(hex: &str) -> String {
    hex.chars().take(16).collect::<String>() + if hex.chars().count() > 16 { "…" } else { "" }
}

struct TrustRows<'a> {
    doc: &'a Document,
    bundle: Option<&'a Bundle>,
    root: Option<&'a TrustedRoot>,
    origin: &'a RootOrigin,
}

impl TrustRows<'_> {
    /// The mark of a row about `categories`: the first error finding, else
    /// the first warning, else the document's check whose name starts with
    /// one of `checks`; `None` when the document says nothing about it.
    fn mark(&self, categories: &[Category], checks: &[&str]) -> (Mark, String, Option<usize>) {
        let findings = &self.doc.findings;
        for severity in [Severity::Error, Severity::Warning] {
            if let Some(i) =
                findings.iter().position(|f| f.severity == severity && categories.contains(&f.category))
            {
                let word = if severity == Severity::Error { "fail" } else { "warning" };
                let mark = if severity == Severity::Error { Mark::Bad } else { Mark::Warn };
                return (mark, word.to_owned(), Some(i));
            }
        }
        // By the start of its name, so "checkpoint signature" is never the DSSE signature's check.
        let check = checks
            .iter()
            .find_map(|k| self.doc.checks.iter().find(|c| c.what.to_ascii_lowercase().starts_with(k)));
        match check.map(|c| c.outcome) {
            Some(CheckOutcome::Pass) => (Mark::Ok, "pass".into(), None),
            Some(CheckOutcome::Fail) => (Mark::Bad, "fail".into(), None),
            Some(CheckOutcome::NotRun) => (Mark::None, "not run".into(), None),
            Some(CheckOutcome::Skipped) => (Mark::None, "skipped".into(), None),
            None => (Mark::None, String::new(), None),
        }
    }

    fn row(&self, depth: usize, text: String, categories: &[Category], checks: &[&str]) -> Row {
        let (mark, word, finding) = self.mark(categories, checks);
        let mut r = Row::new(depth, mark, word, text);
        r.finding = finding;
        r
    }

    fn fact(depth: usize, text: String) -> Row {
        Row::new(depth, Mark::None, "", text)
    }

    fn build(&self) -> Vec<Row> {
        let mut rows = vec![Row::heading("Trust chain: TUF root → trusted_root.json → CA → certificate")];
        self.tuf(&mut rows);
        self.trusted_root(&mut rows);
        self.certificate(&mut rows);
        rows.push(Row::heading("Identity policy: expected, then actual"));
        self.policy(&mut rows);
        rows.push(Row::heading("Transparency log and timestamps"));
        self.tlog(&mut rows);
        self.timestamps(&mut rows);
        rows.push(Row::heading("Signature and artifact"));
        self.signature(&mut rows);
        if !self.doc.checks.is_empty() {
            rows.push(Row::heading("Checks performed"));
            for c in &self.doc.checks {
                let mark = match c.outcome {
                    CheckOutcome::Pass => Mark::Ok,
                    CheckOutcome::Fail => Mark::Bad,
                    _ => Mark::None,
                };
                let word = c.outcome.label().split_once(' ').map_or("", |(_, w)| w).to_owned();
                rows.push(Row::new(1, mark, word, c.what.clone()).note(c.detail.clone()));
            }
        }
        rows.push(Row::heading("Findings"));
        for (i, f) in self.doc.findings.iter().enumerate() {
            let (mark, word) = match f.severity {
                Severity::Error => (Mark::Bad, "error"),
                Severity::Warning => (Mark::Warn, "warning"),
                Severity::Info => (Mark::None, "info"),
            };
            let mut r = Row::new(1, mark, word, f.message.clone()).note(f.category.id());
            r.finding = Some(i);
            rows.push(r);
        }
        rows
    }

    fn tuf(&self, rows: &mut Vec<Row>) {
        let tuf_categories = [cat::TRUSTED_ROOT_FROM_TUF, cat::TRUSTED_ROOT_EMBEDDED];
        let finding = self.doc.findings.iter().position(|f| tuf_categories.contains(&f.category));
        let (mark, word, text) = match (&self.origin.origin, &self.origin.chain) {
            (Some(Origin::Repository { location }), Some(c)) => (
                Mark::Ok,
                "verified",
                format!("TUF root v{} ({} keys) · repository {location}", c.root_version, c.root_threshold),
            ),
            (Some(Origin::EmbeddedSnapshot { date }), Some(c)) => (
                Mark::Warn,
                "embedded",
                format!(
                    "TUF root v{} ({} keys) · the embedded snapshot of Sigstore's repository dated {date} (offline fallback)",
                    c.root_version, c.root_threshold
                ),
            ),
            (Some(Origin::EmbeddedCopy { from }), _) => {
                (Mark::Warn, "no TUF", format!("no TUF root vouches for it: an embedded copy from {from}"))
            }
            _ => (Mark::None, "", "no TUF root: the trusted root was given with --trusted-root".to_owned()),
        };
        let mut r = Row::new(0, mark, word, text);
        r.finding = finding;
        rows.push(r);
        if let Some(c) = &self.origin.chain {
            Self::root_signatures(c, rows);
            let history = match c.root_versions.as_slice() {
                [] | [_] => format!("root v{} (the pinned root: {})", c.root_version, c.anchor),
                [first, .., last] => {
                    format!("root v{first} → v{last}, updated from {} v{}", c.anchor, c.anchor_version)
                }
            };
            rows.push(Self::fact(1, history).note(format!("expires {}", c.root_expires)));
            rows.push(
                Self::fact(
                    1,
                    format!(
                        "timestamp v{} → snapshot v{} → targets v{}",
                        c.timestamp_version, c.snapshot_version, c.targets_version
                    ),
                )
                .note(format!("evaluated at {}", c.evaluated_at)),
            );
            rows.push(Self::fact(
                1,
                format!(
                    "trusted_root.json: target of role {}, {} bytes, sha256 {}",
                    c.signed_by,
                    c.length,
                    short(&c.sha256)
                ),
            ));
        }
    }

    /// Which keys signed the TUF root and whether they met its threshold,
    /// as the TUF Trust view shows a root: one row per counted signature,
    /// with its holder where the root names one.
    fn root_signatures(c: &TufChain, rows: &mut Vec<Row>) {
        let met = c.root_signers.len() as u64 >= c.root_signature_threshold;
        let (mark, word) = if met { (Mark::Ok, "met") } else { (Mark::Bad, "not met") };
        rows.push(Row::new(
            1,
            mark,
            word,
            format!(
                "root v{} threshold {}: {} signature(s) counted",
                c.root_version,
                c.root_signature_threshold,
                c.root_signers.len()
            ),
        ));
        for s in &c.root_signers {
            let owner = s.owner.as_deref().map(|o| format!(" {}", sanitize(o))).unwrap_or_default();
            let id: String = s.keyid.chars().take(12).collect();
            rows.push(
                Row::new(2, Mark::Ok, "counted", format!("signature {id}{owner}")).note(sanitize(&s.keyid)),
            );
        }
    }

    fn trusted_root(&self, rows: &mut Vec<Row>) {
        let note = self.root.map(TrustedRoot::describe).unwrap_or_default();
        rows.push(Self::fact(0, format!("trusted_root.json: {}", self.origin.label)).note(note));
        let Some(root) = self.root else { return };
        for a in root.certificate_authorities.iter().take(AUTHORITIES_SHOWN) {
            let subject = a.chain.last().and_then(|d| LeafCertificate::parse(d).ok()).map(|c| c.subject_dn());
            rows.push(
                Self::fact(1, format!("CA {}", if a.name.is_empty() { "(unnamed)" } else { &a.name }))
                    .note(format!("valid {}", a.valid_for.describe())),
            );
            if let Some(s) = subject {
                rows.push(Self::fact(2, format!("root {s}")));
            }
            for der in a.chain.iter().rev().skip(1) {
                if let Ok(c) = LeafCertificate::parse(der) {
                    let validity = format!("{} – {}", fmt(c.not_before()), fmt(c.not_after()));
                    rows.push(Self::fact(2, format!("intermediate {}", c.subject_dn())).note(validity));
                }
            }
        }
        let more = root.certificate_authorities.len().saturating_sub(AUTHORITIES_SHOWN);
        if more > 0 {
            rows.push(Self::fact(1, format!("{more} more certificate authorities")));
        }
        rows.push(Self::fact(
            1,
            format!(
                "{} transparency logs · {} CT logs · {} timestamp authorities",
                root.tlogs.len(),
                root.ctlogs.len(),
                root.timestamp_authorities.len()
            ),
        ));
    }

    fn certificate(&self, rows: &mut Vec<Row>) {
        let chain_cats =
            [cat::CERTIFICATE_CHAIN, cat::SCT_INVALID, cat::CERTIFICATE_USAGE, cat::CERTIFICATE_TIME];
        let Some(leaf) =
            self.bundle.and_then(|b| b.material.leaf()).and_then(|d| LeafCertificate::parse(d).ok())
        else {
            let material = self.doc.attestation.as_deref().map(|d| d.material.clone()).unwrap_or_default();
            let text = if material == "publicKey" {
                "no certificate: the bundle is signed with a key (--key)".to_owned()
            } else {
                "no readable signing certificate".to_owned()
            };
            rows.push(self.row(0, text, &chain_cats, &["certificate"]));
            return;
        };
        let id = leaf.identity();
        let sans: Vec<String> = id.sans.iter().map(|s| format!("{} {}", s.kind(), s.value())).collect();
        let sans = if sans.is_empty() { "(none)".to_owned() } else { sans.join(", ") };
        rows.push(self.row(
            0,
            format!("leaf certificate · SAN {sans}"),
            &chain_cats,
            &["certificate chain", "chain"],
        ));
        rows.push(self.row(
            1,
            format!("chains to a trusted CA · issued by {}", leaf.issuer_dn()),
            &[cat::CERTIFICATE_CHAIN],
            &["chain"],
        ));
        let times = self.signing_times();
        rows.push(
            self.row(
                1,
                format!("valid {} – {}", fmt(leaf.not_before()), fmt(leaf.not_after())),
                &[cat::CERTIFICATE_TIME],
                &["validity", "certificate time"],
            )
            .note(if times.is_empty() {
                "no signing time".to_owned()
            } else {
                format!("signed at {}", times.join(", "))
            }),
        );
        rows.push(self.row(1, "SCT (certificate transparency)".to_owned(), &[cat::SCT_INVALID], &["sct"]));
        rows.push(self.row(
            1,
            "key usage: code signing".to_owned(),
            &[cat::CERTIFICATE_USAGE],
            &["key usage", "usage"],
        ));
        let v2 = id.claims.iter().find(|c| c.arc == 8).map(|c| c.value.clone());
        let v1 = id.claims.iter().find(|c| c.arc == 1).map(|c| c.value.clone());
        let issuer = match (&v2, &v1) {
            (Some(a), Some(b)) if a == b => format!("{a} (1.8 and 1.1 agree)"),
            (Some(a), Some(b)) => format!("{a} (1.8) · {b} (1.1)"),
            (Some(a), None) => format!("{a} (1.8)"),
            (None, Some(b)) => format!("{b} (1.1, deprecated)"),
            (None, None) => "(none)".to_owned(),
        };
        rows.push(Self::fact(1, format!("OIDC issuer {issuer}")));
        for c in id.claims.iter().filter(|c| c.arc != 1 && c.arc != 8) {
            rows.push(Self::fact(2, format!("{}: {}", c.name, c.value)).note(c.oid.clone()));
        }
    }

    /// The signing times the bundle offers (integrated times of its entries).
    fn signing_times(&self) -> Vec<String> {
        self.doc
            .attestation
            .as_deref()
            .map(|d| d.tlog_entries.iter().filter_map(|e| e.integrated_time.clone()).collect())
            .unwrap_or_default()
    }

    fn policy(&self, rows: &mut Vec<Row>) {
        let detail = self.doc.attestation.as_deref();
        let policy = detail.map(|d| d.policy.clone()).unwrap_or_default();
        let cert = detail.and_then(|d| d.certificate.as_ref());
        let actual_sans =
            cert.map(|c| c.sans.join(", ")).filter(|s| !s.is_empty()).unwrap_or_else(|| "(none)".into());
        let actual_issuer = cert.and_then(|c| c.issuer.clone()).unwrap_or_else(|| "(none)".into());
        // (row, policy key, actual value, category, flag, the start of the check's name, lowercased)
        for (what, key, actual, category, flag, check) in [
            (
                "identity",
                "identity",
                actual_sans,
                cat::IDENTITY_MISMATCH,
                "--certificate-identity",
                "identity",
            ),
            (
                "issuer",
                "issuer",
                actual_issuer,
                cat::ISSUER_MISMATCH,
                "--certificate-oidc-issuer",
                "oidc issuer",
            ),
        ] {
            match policy.get(key) {
                Some(expected) => {
                    // Two aligned lines rather than one: Fulcio SANs are workflow URLs of
                    // ~90 characters, and a pair on one line is cut at any usual width.
                    let row = self.row(0, format!("{what}: expected {expected}"), &[category], &[check]);
                    let pad = " ".repeat(lead(&row) + what.len() + 2);
                    rows.push(row);
                    rows.push(Row::continuation(0, format!("{pad}actual   {actual}")));
                }
                None if policy.contains_key("key") => {
                    rows.push(Row::new(
                        0,
                        Mark::None,
                        "not performed",
                        format!("{what}: keyed bundle (--key)"),
                    ));
                }
                None => {
                    let row = Row::new(0, Mark::None, "not performed", format!("{what}: no {flag} given"));
                    let pad = " ".repeat(lead(&row) + what.len() + 2);
                    rows.push(row);
                    rows.push(Row::continuation(0, format!("{pad}actual   {actual}")));
                }
            }
        }
        for key in ["source_repository", "source_ref", "builder_id", "predicate_type"] {
            if let Some(expected) = policy.get(key) {
                rows.push(self.row(
                    0,
                    format!("{}: expected {expected}", key.replace('_', " ")),
                    &[cat::POLICY_MISMATCH],
                    &["policy", "provenance"],
                ));
            }
        }
    }

    fn tlog(&self, rows: &mut Vec<Row>) {
        let entries = self.bundle.map(|b| b.tlog_entries.as_slice()).unwrap_or_default();
        let detail = self.doc.attestation.as_deref();
        if entries.is_empty() {
            rows.push(self.row(
                0,
                "no transparency-log entry".to_owned(),
                &[cat::TLOG_UNKNOWN, cat::BUNDLE_STRUCTURE],
                &["log"],
            ));
        }
        for (i, e) in entries.iter().enumerate().take(4) {
            let log = detail
                .and_then(|d| d.tlog_entries.get(i))
                .map(|t| t.log.clone())
                .unwrap_or_else(|| hex::encode(&e.log_id));
            rows.push(
                self.row(
                    0,
                    format!("log entry · index {} · {log}", e.log_index),
                    &[cat::TLOG_UNKNOWN],
                    &["log entry", "transparency log"],
                )
                .note(format!("log id {}", short(&hex::encode(&e.log_id)))),
            );
            let when = e
                .integrated_time
                .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
                .map_or_else(|| "no integrated time".to_owned(), |t| format!("integrated {}", fmt(t)));
            rows.push(Self::fact(1, format!("{} {} · {when}", e.kind, e.version)));
            match &e.proof {
                Some(p) => {
                    rows.push(self.row(
                        1,
                        format!(
                            "inclusion proof: index {} in a tree of {}, {} hashes, root {}",
                            p.log_index,
                            p.tree_size,
                            p.hashes.len(),
                            short(&hex::encode(&p.root_hash))
                        ),
                        &[cat::INCLUSION_PROOF],
                        &["inclusion"],
                    ));
                    match &p.checkpoint {
                        Some(cp) => {
                            let mut lines = cp.lines();
                            let origin = lines.next().unwrap_or_default().to_owned();
                            let size = lines.next().unwrap_or_default().to_owned();
                            rows.push(self.row(
                                2,
                                format!("checkpoint: {origin} · size {size}"),
                                &[cat::CHECKPOINT_INVALID],
                                &["checkpoint"],
                            ));
                        }
                        None => rows.push(Self::fact(2, "no checkpoint".to_owned())),
                    }
                }
                None => {
                    rows.push(Self::fact(1, "no inclusion proof: the SET is the log's only word".to_owned()))
                }
            }
            let set = if e.set.is_some() { "inclusion promise (SET)" } else { "no inclusion promise (SET)" };
            rows.push(self.row(
                1,
                set.to_owned(),
                &[cat::SET_INVALID],
                &["set", "inclusion promise", "signed entry timestamp"],
            ));
            rows.push(self.row(
                1,
                "log body matches the bundle".to_owned(),
                &[cat::TLOG_BODY_MISMATCH],
                &["log body", "body"],
            ));
        }
    }

    fn timestamps(&self, rows: &mut Vec<Row>) {
        let n = self.bundle.map_or(0, |b| b.timestamps.len());
        let text = match n {
            0 => "no RFC 3161 timestamp: the log's integrated time is the signing time".to_owned(),
            1 => "1 RFC 3161 timestamp".to_owned(),
            n => format!("{n} RFC 3161 timestamps"),
        };
        rows.push(self.row(
            0,
            text,
            &[cat::TIMESTAMP_INVALID, cat::NO_VERIFIED_TIME],
            &["timestamp", "verified time"],
        ));
    }

    fn signature(&self, rows: &mut Vec<Row>) {
        let text = match self.bundle.map(|b| &b.content) {
            Some(Content::Dsse(d)) => format!("DSSE envelope signature · payload type {}", d.payload_type),
            Some(Content::MessageSignature { .. }) => "message signature over the artifact".to_owned(),
            None => "the bundle cannot be read".to_owned(),
        };
        rows.push(self.row(
            0,
            text,
            &[
                cat::SIGNATURE_INVALID,
                cat::PAYLOAD_INVALID,
                cat::BUNDLE_MALFORMED,
                cat::BUNDLE_VERSION,
                cat::BUNDLE_STRUCTURE,
            ],
            &["signature", "dsse signature", "message signature", "payload"],
        ));
        let artifact = self.doc.attestation.as_deref().map(|d| &d.artifact);
        let text = match artifact.filter(|a| !a.input.is_empty()) {
            Some(a) => {
                let digests: Vec<String> =
                    a.digests.iter().take(1).map(|(k, v)| format!("{k}:{}", short(v))).collect();
                format!("artifact {} ({})", a.input, digests.join(", "))
            }
            None => "no artifact given: the subjects were not matched against anything".to_owned(),
        };
        rows.push(self.row(0, text, &[cat::ARTIFACT_MISMATCH], &["subject", "artifact"]));
    }
}

fn fmt(t: time::OffsetDateTime) -> String {
    crate::meta::time::format(t)
}

/// The width of a row's glyph and status word as the Trust view draws them
/// (`✘ fail `), so a continuation line can align under the row's text.
fn lead(row: &Row) -> usize {
    if row.mark == Mark::None && row.word.is_empty() { 0 } else { row.word.chars().count() + 3 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::checks::Check;
    use crate::verdict::{Kind, Subject};

    fn doc_with(checks: Vec<Check>) -> Document {
        let mut doc = Document::new(Kind::Attestation, crate::meta::time::now(), Vec::new(), cat::PASS);
        doc.checks = checks;
        doc
    }

    fn row<'a>(a: &'a Attestation, text: &str) -> &'a Row {
        a.trust
            .rows
            .iter()
            .find(|r| r.text.starts_with(text))
            .unwrap_or_else(|| panic!("{text}: {:#?}", a.trust.rows))
    }

    #[test]
    fn a_row_is_marked_pass_only_by_a_check_the_document_records() {
        let bytes = std::fs::read("fixtures/sigstore-scenarios/pass/bundle.sigstore.json").unwrap();
        let bundle = Bundle::parse(&bytes, "bundle").ok();
        let unrecorded =
            Attestation::build(&doc_with(Vec::new()), bundle.as_ref(), None, &RootOrigin::default());
        assert_eq!(row(&unrecorded, "inclusion proof").mark, Mark::None);
        assert_eq!(row(&unrecorded, "inclusion proof").word, "");
        let file = Subject::File { path: "bundle".into() };
        let checks = vec![
            Check::new(file.clone(), "inclusion proof", CheckOutcome::Pass, "leaf 3 of 5"),
            Check::new(file, "checkpoint signature", CheckOutcome::Fail, "unknown key"),
        ];
        let recorded = Attestation::build(&doc_with(checks), bundle.as_ref(), None, &RootOrigin::default());
        assert_eq!(
            (row(&recorded, "inclusion proof").mark, row(&recorded, "inclusion proof").word.as_str()),
            (Mark::Ok, "pass")
        );
        assert_eq!(row(&recorded, "checkpoint").mark, Mark::Bad);
        assert!(recorded.trust.rows.iter().any(|r| r.heading && r.text == "Checks performed"));
        assert!(!recorded.trust.failing.is_empty());
    }

    #[test]
    fn an_error_finding_marks_its_row_and_enter_opens_it() {
        let bytes = std::fs::read("fixtures/sigstore-scenarios/pass/bundle.sigstore.json").unwrap();
        let bundle = Bundle::parse(&bytes, "bundle").ok();
        let mut doc = doc_with(Vec::new());
        doc.findings.push(crate::verdict::Finding::error(
            cat::INCLUSION_PROOF,
            Subject::File { path: "bundle".into() },
            "the inclusion proof does not hold",
        ));
        let a = Attestation::build(&doc, bundle.as_ref(), None, &RootOrigin::default());
        let r = row(&a, "inclusion proof");
        assert_eq!((r.mark, r.finding), (Mark::Bad, Some(0)));
    }
}
