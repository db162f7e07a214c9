//! The stable JSON document (`--format json`, schema_version 2, DESIGN §4).
//! Version 2 adds `checks` (every check performed with its outcome),
//! `inputs` (every input file with path, size and sha256) and `invocation`
//! (command line, options, trust anchor); a version 1 document still reads.
//! Keys come out sorted: the document writes its members in key order, the
//! failure and targets through a `serde_json::Value` (whose maps are
//! ordered), and the typed TUF `roles` in key order by hand
//! (`verdict::tuf_detail`), straight to the output. Strings are raw, never
//! sanitized.

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::attest_detail::{
    ArtifactDetail, AttestationDetail, CertificateDetail, StatementDetail, SubjectDetail, TlogDetail,
};
use super::category::Category;
use super::checks::Check;
use super::inputs::{InputFile, Invocation, RunOption, TrustAnchor};
use crate::verdict::finding::{Evidence, Finding, Subject};
use crate::verdict::tuf_detail::{RoleState, Roles};

pub const SCHEMA_VERSION: u64 = 2;

/// The oldest schema_version `trailscope report` still reads.
pub const OLDEST_SCHEMA_VERSION: u64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    InToto,
    Tuf,
    Bridge,
    /// `attest verify`: an in-toto attestation in a Sigstore bundle.
    Attestation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

/// Which step, rule and artifact the reference-order failure is about (in-toto).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub step: Option<String>,
    pub rule: Option<String>,
    pub artifact: Option<String>,
    pub scope: Vec<String>,
}

/// The outcome for one requested TUF target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// `ok`, `not-found` or `error`.
    pub result: String,
    pub role: Option<String>,
    pub category: Option<Category>,
    #[serde(default)]
    pub hashes: BTreeMap<String, String>,
    pub length: Option<u64>,
}

/// Everything `--format json` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: Kind,
    pub evaluated_at: OffsetDateTime,
    pub verdict: Verdict,
    /// `pass` (in-toto), `ok` (TUF) or the reference-order failure category.
    pub category: Category,
    pub findings: Vec<Finding>,
    pub failure: Option<Failure>,
    /// Bridge: the stage of the first failure.
    pub stage: Option<String>,
    /// TUF: `ok` or `error`.
    pub refresh: Option<String>,
    /// TUF: per-role state after refresh.
    pub roles: Option<Roles>,
    pub targets: Option<BTreeMap<String, TargetResult>>,
    /// Attestation: what the bundle holds and what was checked.
    pub attestation: Option<Box<crate::verdict::attest_detail::AttestationDetail>>,
    /// Every check performed, with its outcome (schema_version 2).
    pub checks: Vec<Check>,
    /// Every input file with its size and sha256 (schema_version 2).
    pub inputs: Vec<InputFile>,
    /// Command line, options and trust anchor (schema_version 2); `None`
    /// when not recorded (a version 1 document, a document built in memory).
    pub invocation: Option<Invocation>,
}

impl Document {
    pub fn new(kind: Kind, evaluated_at: OffsetDateTime, findings: Vec<Finding>, category: Category) -> Self {
        let verdict = if findings.iter().any(|f| f.severity == crate::verdict::finding::Severity::Error) {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        Self {
            kind,
            evaluated_at,
            verdict,
            category,
            findings,
            failure: None,
            stage: None,
            refresh: None,
            roles: None,
            targets: None,
            attestation: None,
            checks: Vec::new(),
            inputs: Vec::new(),
            invocation: None,
        }
    }

    pub fn to_value(&self) -> Value {
        to_value(self)
    }

    /// Pretty JSON text with sorted keys.
    pub fn to_json_string(&self) -> String {
        // Cannot fail: every map key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Writes the document to `w` exactly as `serde_json::to_writer_pretty`
    /// does, with a large `roles` member (one entry per hash bin after an
    /// audit: most of the document) rendered a run of entries per core at a
    /// time: the run's last serial step, on one core, was writing it.
    pub fn write_pretty(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let roles = match &self.roles {
            Some(r) if r.len() > ROLES_RUN => r,
            _ => return serde_json::to_writer_pretty(w, self).map_err(std::io::Error::from),
        };
        let mut rest = Vec::new();
        serde_json::to_writer_pretty(&mut rest, &Members { doc: self, roles: false, shared: None })?;
        // A member of the document itself is the only line that starts with
        // two spaces and a key (strings hold no raw line breaks).
        let member = b"\n  \"roles\": null";
        let Some(at) = rest.windows(member.len()).position(|w| w == member) else {
            return serde_json::to_writer_pretty(w, self).map_err(std::io::Error::from);
        };
        let at = at + member.len() - b"null".len();
        w.write_all(&rest[..at])?;
        write_roles(w, roles)?;
        w.write_all(&rest[at + b"null".len()..])
    }

    /// Reads a saved `--format json` document back (`trailscope report`).
    /// Members this model does not hold (a bridge run's `bridge` object,
    /// `tuf inspect`'s `inspect` tree) are ignored; a document of another
    /// tool or schema version is refused.
    pub fn from_json_str(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        Self::from_value(&v)
    }

    /// See [`Document::from_json_str`].
    pub fn from_value(v: &Value) -> Result<Self, String> {
        let obj = v.as_object().ok_or("not a JSON object")?;
        if obj.get("tool").and_then(Value::as_str) != Some("trailscope") {
            return Err("not a trailscope document (\"tool\" is not \"trailscope\")".into());
        }
        match obj.get("schema_version").and_then(Value::as_u64) {
            Some(OLDEST_SCHEMA_VERSION..=SCHEMA_VERSION) => {}
            Some(n) => {
                return Err(format!(
                    "schema_version {n} is not supported (this trailscope reads {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION})"
                ));
            }
            None => return Err("\"schema_version\" is missing".into()),
        }
        fn field<T: serde::de::DeserializeOwned>(
            obj: &serde_json::Map<String, Value>,
            key: &str,
        ) -> Result<T, String> {
            T::deserialize(obj.get(key).unwrap_or(&Value::Null)).map_err(|e| format!("\"{key}\": {e}"))
        }
        let evaluated_at: String = field(obj, "evaluated_at")?;
        let evaluated_at =
            crate::meta::time::parse(&evaluated_at).map_err(|e| format!("\"evaluated_at\": {e}"))?.at;
        Ok(Self {
            kind: field(obj, "kind")?,
            evaluated_at,
            verdict: field(obj, "verdict")?,
            category: field(obj, "category")?,
            findings: field(obj, "findings")?,
            failure: field(obj, "failure")?,
            stage: field(obj, "stage")?,
            refresh: field(obj, "refresh")?,
            roles: field(obj, "roles")?,
            targets: field(obj, "targets")?,
            attestation: field(obj, "attestation")?,
            checks: field::<Option<Vec<Check>>>(obj, "checks")?.unwrap_or_default(),
            inputs: field::<Option<Vec<InputFile>>>(obj, "inputs")?.unwrap_or_default(),
            invocation: field(obj, "invocation")?,
        })
    }
}

/// The members in key order (`category` … `version`); the TUF members
/// only for TUF and bridge documents.
impl Serialize for Document {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Members { doc: self, roles: true, shared: None }.serialize(s)
    }
}

/// The members every document of a run holds alike — `evaluated_at`,
/// `inputs`, `invocation` — written once for documents written `level`
/// levels deep: over a JSON-lines file of bundles they are 1.9 KB of each
/// ~13 KB attestation document, escaped and indented again per document
/// before. A document whose members differ is written the usual way.
pub struct SharedMembers {
    level: usize,
    evaluated_at: OffsetDateTime,
    inputs: Vec<InputFile>,
    invocation: Option<Invocation>,
    /// `evaluated_at`, `inputs`, `invocation`; `None` if one did not make
    /// JSON (it always does), then every document is written the usual way.
    written: Option<[Box<serde_json::value::RawValue>; 3]>,
}

impl SharedMembers {
    /// `doc`'s shared members as written inside a document at `level`.
    pub fn new(doc: &Document, level: usize) -> Self {
        // The members' values start one level inside the document.
        fn written(value: &impl Serialize, level: usize) -> Option<Box<serde_json::value::RawValue>> {
            let mut out = Vec::new();
            value
                .serialize(&mut serde_json::Serializer::with_formatter(&mut out, PrettyAt::at(level)))
                .ok()?;
            serde_json::value::RawValue::from_string(String::from_utf8(out).ok()?).ok()
        }
        Self {
            level,
            evaluated_at: doc.evaluated_at,
            inputs: doc.inputs.clone(),
            invocation: doc.invocation.clone(),
            written: (|| {
                Some([
                    written(&crate::meta::time::format(doc.evaluated_at), level + 1)?,
                    written(&Sorted(doc.inputs.as_slice()), level + 1)?,
                    written(&doc.invocation.as_ref().map(Sorted), level + 1)?,
                ])
            })(),
        }
    }

    /// The members written, if they are `doc`'s at `level`.
    fn of(&self, doc: &Document, level: usize) -> Option<&[Box<serde_json::value::RawValue>; 3]> {
        let fits = level == self.level
            && doc.evaluated_at == self.evaluated_at
            && doc.inputs == self.inputs
            && doc.invocation == self.invocation;
        self.written.as_ref().filter(|_| fits)
    }

    /// Writes `doc` as [`Document`]'s `Serialize` does with the formatter
    /// [`PrettyAt::at`]`(level)`, its shared members copied when they are these.
    pub fn write(&self, doc: &Document, level: usize, out: &mut Vec<u8>) {
        let shared = self.of(doc, level);
        let mut json = serde_json::Serializer::with_formatter(out, PrettyAt::at(level));
        // Cannot fail: every map key is a string, and a Vec takes every write.
        let _ = Members { doc, roles: true, shared }.serialize(&mut json);
    }
}

/// The document's members; `roles: false` writes the `roles` member as
/// `null` (for [`Document::write_pretty`], which writes it itself);
/// `shared`: the members the document shares, already written.
struct Members<'a> {
    doc: &'a Document,
    roles: bool,
    shared: Option<&'a [Box<serde_json::value::RawValue>; 3]>,
}

impl Serialize for Members<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let roles = if self.roles { &self.doc.roles } else { &None };
        let this = self.doc;
        let tuf = matches!(this.kind, Kind::Tuf | Kind::Bridge);
        let mut m = s.serialize_map(None)?;
        if this.kind == Kind::Attestation {
            m.serialize_entry("attestation", &this.attestation.as_deref().map(Sorted))?;
        }
        m.serialize_entry("category", &this.category)?;
        m.serialize_entry("checks", &Sorted(this.checks.as_slice()))?;
        match self.shared {
            Some([time, _, _]) => m.serialize_entry("evaluated_at", time)?,
            None => m.serialize_entry("evaluated_at", &crate::meta::time::format(this.evaluated_at))?,
        }
        m.serialize_entry("failure", &to_value(&this.failure))?;
        m.serialize_entry("findings", &Sorted(this.findings.as_slice()))?;
        match self.shared {
            Some([_, inputs, invocation]) => {
                m.serialize_entry("inputs", inputs)?;
                m.serialize_entry("invocation", invocation)?;
            }
            None => {
                m.serialize_entry("inputs", &Sorted(this.inputs.as_slice()))?;
                m.serialize_entry("invocation", &this.invocation.as_ref().map(Sorted))?;
            }
        }
        m.serialize_entry("kind", &this.kind)?;
        if tuf {
            m.serialize_entry("refresh", &this.refresh)?;
            m.serialize_entry("roles", roles)?;
        }
        m.serialize_entry("schema_version", &SCHEMA_VERSION)?;
        m.serialize_entry("stage", &this.stage)?;
        if tuf {
            m.serialize_entry("targets", &to_value(&this.targets))?;
        }
        m.serialize_entry("tool", "trailscope")?;
        m.serialize_entry("verdict", &this.verdict)?;
        m.serialize_entry("version", env!("CARGO_PKG_VERSION"))?;
        m.end()
    }
}

/// A part of the document written with its members in key order, as
/// `to_value` would sort them, without building the `Value`: the checks,
/// findings, inputs, invocation and attestation detail are most of an
/// attestation document, and building and dropping their trees was most of
/// writing it. Each struct is taken apart whole, so a new member does not
/// compile until it is written here; the tagged enums (subject, evidence)
/// still go through a `Value` but for the kinds an attestation document
/// holds (a file; no evidence, data).
struct Sorted<'a, T: ?Sized>(&'a T);

impl<T> Serialize for Sorted<'_, [T]>
where
    for<'b> Sorted<'b, T>: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Sorted))
    }
}

impl Serialize for Sorted<'_, Check> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Check { subject, what, outcome, detail, evidence, stage } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("detail", detail)?;
        m.serialize_entry("evidence", &Sorted(evidence))?;
        m.serialize_entry("outcome", outcome)?;
        if let Some(stage) = stage {
            m.serialize_entry("stage", stage)?;
        }
        m.serialize_entry("subject", &Sorted(subject))?;
        m.serialize_entry("what", what)?;
        m.end()
    }
}

impl Serialize for Sorted<'_, Finding> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Finding { severity, category, subject, message, evidence, source, stage } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("category", category)?;
        m.serialize_entry("evidence", &Sorted(evidence))?;
        m.serialize_entry("message", message)?;
        m.serialize_entry("severity", severity)?;
        m.serialize_entry("source", &source.as_ref().map(to_value))?;
        if let Some(stage) = stage {
            m.serialize_entry("stage", stage)?;
        }
        m.serialize_entry("subject", &Sorted(subject))?;
        m.end()
    }
}

/// The subject every check and finding of an attestation document has (its
/// bundle) written as is; the others through their sorted `Value`.
impl Serialize for Sorted<'_, Subject> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Subject::File { path } => {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("kind", "file")?;
                m.serialize_entry("path", path)?;
                m.end()
            }
            other => to_value(other).serialize(s),
        }
    }
}

/// No evidence, and the free-form data of an attestation note, written as
/// is; the other kinds through their sorted `Value`.
impl Serialize for Sorted<'_, Evidence> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Evidence::None => {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("kind", "none")?;
                m.end()
            }
            Evidence::Data { data } => {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("data", data)?;
                m.serialize_entry("kind", "data")?;
                m.end()
            }
            other => to_value(other).serialize(s),
        }
    }
}

impl Serialize for Sorted<'_, InputFile> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let InputFile { role, path, size, sha256, files } = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(files) = files {
            m.serialize_entry("files", files)?;
        }
        m.serialize_entry("path", path)?;
        m.serialize_entry("role", role)?;
        if let Some(sha256) = sha256 {
            m.serialize_entry("sha256", sha256)?;
        }
        m.serialize_entry("size", size)?;
        m.end()
    }
}

impl Serialize for Sorted<'_, Invocation> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Invocation { command_line, options, trust_anchor } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("command_line", command_line)?;
        m.serialize_entry("options", &Sorted(options.as_slice()))?;
        m.serialize_entry("trust_anchor", &trust_anchor.as_ref().map(Sorted))?;
        m.end()
    }
}

impl Serialize for Sorted<'_, RunOption> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let RunOption { name, value } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", name)?;
        m.serialize_entry("value", value)?;
        m.end()
    }
}

impl Serialize for Sorted<'_, TrustAnchor> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let TrustAnchor { what, files, root_version } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("files", files)?;
        m.serialize_entry("root_version", root_version)?;
        m.serialize_entry("what", what)?;
        m.end()
    }
}

impl Serialize for Sorted<'_, AttestationDetail> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let AttestationDetail {
            bundle,
            media_type,
            material,
            content,
            trusted_root,
            certificate,
            tlog_entries,
            timestamps,
            statement,
            artifact,
            policy,
        } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("artifact", &Sorted(artifact))?;
        m.serialize_entry("bundle", bundle)?;
        m.serialize_entry("certificate", &certificate.as_ref().map(Sorted))?;
        m.serialize_entry("content", content)?;
        m.serialize_entry("material", material)?;
        m.serialize_entry("media_type", media_type)?;
        m.serialize_entry("policy", policy)?;
        m.serialize_entry("statement", &statement.as_ref().map(Sorted))?;
        m.serialize_entry("timestamps", timestamps)?;
        m.serialize_entry("tlog_entries", &Sorted(tlog_entries.as_slice()))?;
        m.serialize_entry("trusted_root", trusted_root)?;
        m.end()
    }
}

impl Serialize for Sorted<'_, ArtifactDetail> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ArtifactDetail { input, digests } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("digests", digests)?;
        m.serialize_entry("input", input)?;
        m.end()
    }
}

impl Serialize for Sorted<'_, CertificateDetail> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let CertificateDetail { sans, issuer, not_before, not_after, claims } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("claims", claims)?;
        m.serialize_entry("issuer", issuer)?;
        m.serialize_entry("not_after", not_after)?;
        m.serialize_entry("not_before", not_before)?;
        m.serialize_entry("sans", sans)?;
        m.end()
    }
}

impl Serialize for Sorted<'_, TlogDetail> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let TlogDetail { log, log_index, kind, integrated_time, proof_index, tree_size } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("integrated_time", integrated_time)?;
        m.serialize_entry("kind", kind)?;
        m.serialize_entry("log", log)?;
        m.serialize_entry("log_index", log_index)?;
        m.serialize_entry("proof_index", proof_index)?;
        m.serialize_entry("tree_size", tree_size)?;
        m.end()
    }
}

impl Serialize for Sorted<'_, StatementDetail> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let StatementDetail { type_, predicate_type, subjects, predicate } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("predicate", predicate)?;
        m.serialize_entry("predicate_type", predicate_type)?;
        m.serialize_entry("subjects", &Sorted(subjects.as_slice()))?;
        m.serialize_entry("type_", type_)?;
        m.end()
    }
}

impl Serialize for Sorted<'_, SubjectDetail> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let SubjectDetail { name, digest } = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("digest", digest)?;
        m.serialize_entry("name", name)?;
        m.end()
    }
}

/// The options of a run, as labelled raw strings in the order given; the
/// document keeps them as `invocation.options`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs(Vec<(String, String)>);

impl Inputs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one input.
    pub fn add(&mut self, label: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.0.push((label.into(), value.into()));
        self
    }

    /// Adds one input when there is a value.
    pub fn add_opt(&mut self, label: impl Into<String>, value: Option<impl Into<String>>) -> &mut Self {
        if let Some(v) = value {
            self.add(label, v);
        }
        self
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(l, v)| (l.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Entries of `roles` one core renders at a time ([`Document::write_pretty`]).
const ROLES_RUN: usize = 256;

/// `roles` (not empty) as `serde_json`'s pretty writer renders it as a
/// member of the document: runs of entries rendered on all cores, a wave of
/// one run per core at a time into buffers used again (the whole text is
/// never held), each wave written in order while the next is rendered (the
/// writes are a copy into the kernel, on one core).
fn write_roles(w: &mut impl std::io::Write, roles: &Roles) -> std::io::Result<()> {
    let entries: Vec<(&String, &RoleState)> = roles.iter().collect();
    let cores = rayon::current_num_threads().max(1);
    let (mut front, mut back): (Vec<Vec<u8>>, Vec<Vec<u8>>) =
        (vec![Vec::new(); cores], vec![Vec::new(); cores]);
    let waves: Vec<&[(&String, &RoleState)]> = entries.chunks(ROLES_RUN * cores).collect();
    w.write_all(b"{")?;
    let Some(first) = waves.first() else { return w.write_all(b"\n  }") };
    let mut filled = render_wave(&mut front, first, true)?;
    for next in waves.iter().skip(1).map(Some).chain([None]) {
        let mut rendered = Ok(0);
        let written = rayon::in_place_scope(|scope| {
            if let Some(next) = next {
                let (back, rendered) = (&mut back, &mut rendered);
                scope.spawn(move |_| *rendered = render_wave(back, next, false));
            }
            front[..filled].iter().try_for_each(|buf| w.write_all(buf))
        });
        written?;
        filled = rendered?;
        std::mem::swap(&mut front, &mut back);
    }
    w.write_all(b"\n  }")
}

/// Renders `wave` into `buffers`, a run of [`ROLES_RUN`] entries each on
/// all cores (the first entry of the member when `first`); how many
/// buffers it filled.
fn render_wave(
    buffers: &mut [Vec<u8>],
    wave: &[(&String, &RoleState)],
    first: bool,
) -> std::io::Result<usize> {
    use rayon::prelude::*;
    let runs: Vec<&[(&String, &RoleState)]> = wave.chunks(ROLES_RUN).collect();
    buffers.par_iter_mut().zip(runs.par_iter()).enumerate().try_for_each(|(i, (buf, run))| {
        buf.clear();
        render_entries(buf, run, first && i == 0)
    })?;
    Ok(runs.len())
}

/// Entries of the `roles` member (the first of the member when `first`).
fn render_entries(buf: &mut Vec<u8>, run: &[(&String, &RoleState)], first: bool) -> std::io::Result<()> {
    for (i, (name, state)) in run.iter().enumerate() {
        buf.extend_from_slice(if first && i == 0 { b"\n    " } else { b",\n    " });
        name.as_str().serialize(&mut serde_json::Serializer::with_formatter(&mut *buf, PrettyAt::at(2)))?;
        buf.extend_from_slice(b": ");
        state.serialize(&mut serde_json::Serializer::with_formatter(&mut *buf, PrettyAt::at(2)))?;
    }
    Ok(())
}

/// serde_json's pretty layout (two spaces a level) for a value that is
/// itself `level` levels deep: a member or array item written on its own,
/// with no pass that indents pretty-printed text line by line.
pub(crate) struct PrettyAt {
    level: usize,
    /// Whether the value just closed held anything.
    has_value: bool,
}

impl PrettyAt {
    pub(crate) fn at(level: usize) -> Self {
        Self { level, has_value: false }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        (0..self.level).try_for_each(|_| w.write_all(b"  "))
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl serde_json::ser::Formatter for PrettyAt {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::finding::{Finding, Subject};

    #[test]
    fn verdict_follows_error_findings() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let warn = Finding::warning(
            crate::verdict::category::COMMAND_MISMATCH,
            Subject::Step { name: "a".into() },
            "m",
        );
        let doc = Document::new(Kind::InToto, at, vec![warn.clone()], crate::verdict::category::PASS);
        assert_eq!(doc.verdict, Verdict::Pass);
        let err =
            Finding::error(crate::verdict::category::RULE_DISALLOW, Subject::Step { name: "a".into() }, "m");
        let doc = Document::new(Kind::InToto, at, vec![warn, err], crate::verdict::category::RULE_DISALLOW);
        assert_eq!(doc.verdict, Verdict::Fail);
        let v = doc.to_value();
        assert_eq!(v["verdict"], "fail");
        assert_eq!(v["findings"][1]["subject"]["kind"], "step");
        assert_eq!(v["evaluated_at"], "1970-01-01T00:00:00Z");
        assert!(v.get("refresh").is_none());
    }

    #[test]
    fn the_parts_written_in_key_order_are_their_sorted_values() {
        use super::super::checks::CheckOutcome;
        use crate::verdict::finding::{Evidence, Subject};
        let subjects = [
            Subject::File { path: "b.jsonl:1".into() },
            Subject::Key { keyid: "ab".into() },
            Subject::Rule { step: "s".into(), section: "x".into(), index: 2, text: "t\u{2014}\"".into() },
            Subject::Role { name: "root".into() },
        ];
        let evidence = [
            Evidence::None,
            Evidence::Data { data: serde_json::json!({"z": [1, {"b": null, "a": "\u{2014}"}], "kind": "k"}) },
            Evidence::Expiry { expires: "x".into(), evaluated_at: "y".into() },
            Evidence::digests(serde_json::json!({"sha256": "aa"}), serde_json::json!({"sha256": "bb"})),
        ];
        let mut checks = Vec::new();
        for (i, subject) in subjects.iter().enumerate() {
            for (j, evidence) in evidence.iter().enumerate() {
                checks.push(Check {
                    subject: subject.clone(),
                    what: format!("check {i}"),
                    outcome: [CheckOutcome::Pass, CheckOutcome::Fail, CheckOutcome::NotRun][j % 3],
                    detail: "a \"detail\"\n".into(),
                    evidence: evidence.clone(),
                    stage: (i % 2 == 1).then(|| "tuf".to_owned()),
                });
            }
        }
        let inputs = [
            InputFile::of_bytes("bundle", "b.jsonl", b"x"),
            InputFile::verified("root", "r", 3, None),
            InputFile::group("targets", "delegated", 5, 7),
        ];
        let invocations = [
            Invocation::default(),
            Invocation {
                command_line: vec!["trailscope".into(), "attest".into()],
                options: vec![RunOption { name: "bundle".into(), value: "b".into() }],
                trust_anchor: Some(TrustAnchor {
                    what: "trusted root".into(),
                    files: vec![],
                    root_version: None,
                }),
            },
            Invocation {
                command_line: vec![],
                options: vec![],
                trust_anchor: Some(TrustAnchor {
                    what: "w".into(),
                    files: vec!["f".into()],
                    root_version: Some(9),
                }),
            },
        ];
        fn same<T: Serialize, U: Serialize>(sorted: &T, derived: &U) {
            let want = serde_json::to_string_pretty(&to_value(derived)).unwrap();
            assert_eq!(serde_json::to_string_pretty(sorted).unwrap(), want);
        }
        let full = AttestationDetail {
            bundle: "b.jsonl:1".into(),
            media_type: "application/vnd.dev.sigstore.bundle.v0.3+json".into(),
            material: "certificate".into(),
            content: "dsse".into(),
            trusted_root: "trusted_root.json".into(),
            certificate: Some(CertificateDetail {
                sans: vec!["https://x".into(), "a@b".into()],
                issuer: Some("https://token".into()),
                not_before: "2024-01-01T00:00:00Z".into(),
                not_after: "2024-01-01T00:10:00Z".into(),
                claims: [("Build Trigger".to_owned(), "push".to_owned()), ("A".into(), "\"".into())].into(),
            }),
            tlog_entries: vec![
                TlogDetail {
                    log: "rekor".into(),
                    log_index: 7,
                    kind: "dsse 0.0.1".into(),
                    integrated_time: Some("t".into()),
                    proof_index: Some(-3),
                    tree_size: Some(9),
                },
                TlogDetail::default(),
            ],
            timestamps: 2,
            statement: Some(StatementDetail {
                type_: "https://in-toto.io/Statement/v1".into(),
                predicate_type: "https://slsa.dev/provenance/v1".into(),
                subjects: vec![SubjectDetail {
                    name: "a".into(),
                    digest: [("sha256".into(), "ab".into())].into(),
                }],
                predicate: [("builder".to_owned(), "b".to_owned())].into(),
            }),
            artifact: ArtifactDetail {
                input: "a.txt".into(),
                digests: [("sha256".into(), "cd".into())].into(),
            },
            policy: [("identity".to_owned(), "i".to_owned())].into(),
        };
        for detail in [full, AttestationDetail::default()] {
            same(&Some(Sorted(&detail)), &Some(&detail));
        }
        same(&Sorted(checks.as_slice()), &checks);
        let findings: Vec<Finding> = checks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut f = Finding::new(
                    [
                        crate::verdict::Severity::Error,
                        crate::verdict::Severity::Warning,
                        crate::verdict::Severity::Info,
                    ][i % 3],
                    crate::verdict::category::ATTESTATION_NOTE,
                    c.subject.clone(),
                    format!("finding \"{i}\"\n"),
                )
                .with_evidence(c.evidence.clone());
                f.source = (i % 2 == 0).then(|| crate::meta::error::Location::new("b.jsonl:1", "/a/0"));
                f.stage = (i % 4 == 1).then(|| "in-toto".to_owned());
                f
            })
            .collect();
        same(&Sorted(findings.as_slice()), &findings);
        same(&Sorted(&checks[..0]), &checks[..0].to_vec());
        same(&Sorted(inputs.as_slice()), &inputs);
        for i in &invocations {
            same(&Some(Sorted(i)), &Some(i));
        }
    }

    #[test]
    fn a_saved_document_reads_back_equal() {
        use crate::meta::Location;
        use crate::verdict::finding::{Evidence, RuleTrace, SignatureCheck, UnmatchedArtifact};
        let at = time::macros::datetime!(2030-01-01 0:00 UTC);
        let trace = RuleTrace {
            queue_before: vec!["a".into()],
            queue_before_count: 1,
            unmatched: vec![UnmatchedArtifact {
                path: "a".into(),
                hashes: serde_json::json!({"sha256": "11"}),
                dest_step: "b".into(),
                dest_path: "a".into(),
                dest_hashes: None,
                reason: "missing-destination".into(),
            }],
            ..RuleTrace::default()
        };
        let subject = || Subject::Rule {
            step: "s".into(),
            section: "expected_products".into(),
            index: 2,
            text: "DISALLOW *".into(),
        };
        let findings = vec![
            Finding::error(crate::verdict::category::RULE_DISALLOW, subject(), "m")
                .with_evidence(Evidence::RuleTrace(trace))
                .at(Location::new("root.layout", "/signed/steps/0")),
            Finding::warning(
                crate::verdict::category::KEYID_MISMATCH,
                Subject::Key { keyid: "ab".into() },
                "m",
            )
            .with_evidence(Evidence::Threshold {
                needed: 2,
                valid: vec!["ab".into()],
                checks: vec![SignatureCheck { keyid: "cd".into(), valid: false, reason: Some("bad".into()) }],
            }),
            Finding::info(crate::verdict::category::EXPIRES_SOON, Subject::Role { name: "root".into() }, "m")
                .in_stage("tuf")
                .with_evidence(Evidence::Expiry { expires: "x".into(), evaluated_at: "y".into() }),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::Target { path: "t".into() }, "m")
                .with_evidence(Evidence::digests(
                    serde_json::json!({"sha256": "1"}),
                    serde_json::json!({"sha256": "2"}),
                )),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::File { path: "f".into() }, "m")
                .with_evidence(Evidence::Versions { trusted: 2, new: 1 }),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::Layout { path: "f".into() }, "m")
                .with_evidence(Evidence::Length { expected: 2, actual: 1 }),
            Finding::error(
                crate::verdict::category::ERROR_OTHER,
                Subject::Inspection { name: "i".into() },
                "m",
            )
            .with_evidence(Evidence::Data { data: serde_json::json!([1, {"a": null}]) }),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::Step { name: "s".into() }, "m")
                .with_evidence(Evidence::Signatures { checks: vec![] }),
            Finding::error(
                crate::verdict::category::ERROR_OTHER,
                Subject::Artifact { path: "a".into() },
                "m",
            ),
            Finding::error(crate::verdict::category::ERROR_OTHER, Subject::Link { path: "l".into() }, "m"),
        ];
        let mut doc =
            Document::new(Kind::InToto, at, findings.clone(), crate::verdict::category::RULE_DISALLOW);
        doc.failure = Some(Failure {
            step: Some("s".into()),
            rule: None,
            artifact: Some("a".into()),
            scope: vec!["outer".into()],
        });
        assert_eq!(Document::from_json_str(&doc.to_json_string()).unwrap(), doc);

        let mut tuf = Document::new(Kind::Tuf, at, findings, crate::verdict::category::ERROR_OTHER);
        tuf.refresh = Some("ok".into());
        tuf.roles = Some(sample_roles());
        tuf.targets = Some(BTreeMap::from([(
            "p".to_owned(),
            TargetResult {
                result: "ok".into(),
                role: Some("targets".into()),
                category: Some(crate::verdict::category::OK),
                hashes: BTreeMap::from([("sha256".to_owned(), "ab".to_owned())]),
                length: Some(3),
            },
        )]));
        assert_eq!(Document::from_json_str(&tuf.to_json_string()).unwrap(), tuf);

        assert!(Document::from_json_str("[]").is_err());
        let mut v = tuf.to_value();
        v["schema_version"] = 3.into();
        assert!(Document::from_value(&v).unwrap_err().contains("schema_version 3"));
    }

    /// One entry of each shape: trusted root, a rejected role with the
    /// signatures read, one the refresh did not reach, an audited one.
    fn sample_roles() -> crate::verdict::tuf_detail::Roles {
        use crate::verdict::tuf_detail::{AuditCheck, RoleCommon, RoleState, RootState, SignatureSummary};
        let common = RoleCommon {
            version: 3,
            expires: "2031-01-01T00:00:00Z".into(),
            expired: false,
            expires_in: "365d 0h".into(),
        };
        let sigs = SignatureSummary {
            threshold: 2,
            count: 1,
            valid: vec!["ab".into()],
            checks: vec![
                SignatureCheck { keyid: "ab".into(), valid: true, reason: None },
                SignatureCheck { keyid: "cd".into(), valid: false, reason: Some("bad".into()) },
            ],
        };
        let root = RoleState {
            file: Some("1.root.json".into()),
            length: Some(812),
            common: Some(common.clone()),
            signatures: Some(sigs.clone()),
            root: Some(RootState { history: vec![1, 2], consistent_snapshot: true }),
            ..RoleState::trusted(None)
        };
        let targets = RoleState {
            file: Some("targets.json".into()),
            common: Some(common.clone()),
            signatures: Some(sigs),
            ..RoleState::rejected(
                crate::verdict::category::SIGNATURE_THRESHOLD,
                "targets was signed by 1/2 keys",
                None,
            )
        };
        let snapshot = RoleState {
            file: Some("snapshot.json".into()),
            read_error: Some("metadata/snapshot.json: no such file".into()),
            ..RoleState::not_reached(
                crate::verdict::category::REFRESH_FAILED,
                "the refresh stopped before it",
            )
        };
        let bin = RoleState {
            targets: Some(4),
            common: Some(common),
            audit: vec![
                AuditCheck { delegator: "a".into(), result: crate::verdict::category::OK, error: None },
                AuditCheck {
                    delegator: "b".into(),
                    result: crate::verdict::category::EXPIRED,
                    error: Some("old".into()),
                },
            ],
            ..RoleState::trusted(Some("a".into()))
        };
        let lost =
            RoleState::rejected(crate::verdict::category::EXPIRED, "new c is expired", Some("a".into()));
        [("root", root), ("targets", targets), ("snapshot", snapshot), ("bin-0", bin), ("c", lost)]
            .into_iter()
            .map(|(n, s)| (n.to_owned(), s))
            .collect()
    }

    use crate::verdict::finding::SignatureCheck;

    /// Documents written with their shared members copied are the
    /// documents written whole, at every level; one whose members differ
    /// (another input, invocation or time, another level) is written whole.
    #[test]
    fn shared_members_copied_write_the_document_written_whole() {
        let at = time::macros::datetime!(2026-01-01 00:00 UTC);
        let mut doc = Document::new(Kind::Attestation, at, Vec::new(), crate::verdict::category::OK);
        doc.attestation = Some(Box::default());
        doc.inputs = vec![
            InputFile::of_bytes("bundle", "b.jsonl", b"x"),
            InputFile::verified("trusted root", "r \"\u{2014}\u{1}", 3, None),
        ];
        doc.invocation = Some(Invocation {
            command_line: vec!["trailscope".into(), "attest".into(), "--at\t\n".into()],
            options: vec![RunOption { name: "bundle".into(), value: "b".into() }],
            trust_anchor: Some(TrustAnchor {
                what: "trusted root".into(),
                files: vec!["r".into()],
                root_version: None,
            }),
        });
        let whole = |doc: &Document, level: usize| {
            let mut out = Vec::new();
            doc.serialize(&mut serde_json::Serializer::with_formatter(&mut out, PrettyAt::at(level)))
                .unwrap();
            String::from_utf8(out).unwrap()
        };
        let mut others = Vec::new();
        for change in 0..4 {
            let mut other = doc.clone();
            match change {
                0 => other.inputs[1].path = "s".into(),
                1 => drop(other.inputs.pop()),
                2 => other.invocation = None,
                _ => other.evaluated_at = at + time::Duration::SECOND,
            }
            others.push(other);
        }
        let mut no_invocation = doc.clone();
        no_invocation.invocation = None;
        for first in [&doc, &no_invocation] {
            for level in 0..3 {
                let shared = SharedMembers::new(first, level);
                assert!(shared.of(first, level).is_some());
                for d in std::iter::once(&doc).chain(&others).chain([&no_invocation]) {
                    for at_level in 0..3 {
                        let mut out = Vec::new();
                        shared.write(d, at_level, &mut out);
                        assert_eq!(
                            String::from_utf8(out).unwrap(),
                            whole(d, at_level),
                            "level {level}/{at_level}"
                        );
                    }
                }
                assert!(shared.of(first, level + 1).is_none());
            }
        }
        for level in 0..3 {
            let shared = SharedMembers::new(&doc, level);
            for other in &others {
                assert!(shared.of(other, level).is_none());
            }
        }
        // Written whole: the members are this document's and the shape pretty JSON's.
        let mut out = Vec::new();
        SharedMembers::new(&doc, 0).write(&doc, 0, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string_pretty(&doc).unwrap());
    }

    /// A document whose `roles` member is rendered in runs on all cores
    /// (more entries than a run, names and messages that need escaping,
    /// nested arrays and objects, empty ones) is byte for byte what
    /// `serde_json`'s pretty writer makes of it; so is a small one.
    #[test]
    fn write_pretty_is_serde_jsons_pretty_text() {
        let at = time::macros::datetime!(2026-01-01 00:00 UTC);
        let mut doc = Document::new(Kind::Tuf, at, Vec::new(), crate::verdict::category::OK);
        doc.refresh = Some("ok".into());
        let pretty = |doc: &Document| {
            let mut out = Vec::new();
            doc.write_pretty(&mut out).unwrap();
            (out, serde_json::to_vec_pretty(doc).unwrap())
        };
        doc.roles = Some(sample_roles());
        let (ours, serde) = pretty(&doc);
        assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(serde).unwrap());
        let sample = sample_roles();
        let mut roles = crate::verdict::tuf_detail::Roles::new();
        for i in 0..3 * ROLES_RUN + 17 {
            for (name, state) in &sample {
                let mut state = state.clone();
                state.file = Some(format!("bins/{i}\n\"{name}\"\u{1}é\u{2028}"));
                roles.insert(format!("{name}-{i:05}\t\\"), state);
            }
        }
        doc.roles = Some(roles);
        let (ours, serde) = pretty(&doc);
        assert!(ours.len() > 1 << 20);
        assert!(ours == serde, "write_pretty differs from to_writer_pretty");
    }

    #[test]
    fn roles_are_written_in_key_order_as_schema_version_1_has_them() {
        let mut doc =
            Document::new(Kind::Tuf, OffsetDateTime::UNIX_EPOCH, vec![], crate::verdict::category::OK);
        doc.refresh = Some("ok".into());
        doc.roles = Some(sample_roles());
        let text = doc.to_json_string();
        assert_eq!(text, serde_json::to_string_pretty(&doc.to_value()).unwrap());
        let v = doc.to_value();
        let roles = &v["roles"];
        // A trusted root has a null delegator; the other shapes keep theirs or none.
        assert_eq!(roles["root"]["delegator"], Value::Null);
        assert!(roles["root"].as_object().unwrap().contains_key("delegator"));
        assert!(!roles["targets"].as_object().unwrap().contains_key("delegator"));
        assert_eq!(roles["targets"]["trusted"], false);
        assert_eq!(roles["targets"]["category"], "signature-threshold");
        assert_eq!(roles["snapshot"]["reached"], false);
        assert!(!roles["targets"].as_object().unwrap().contains_key("reached"));
        assert_eq!(roles["root"]["history"], serde_json::json!([1, 2]));
        assert_eq!(roles["root"]["signatures"]["checks"][1]["reason"], "bad");
        assert_eq!(roles["bin-0"]["audit"][0], serde_json::json!({"delegator": "a", "result": "ok"}));
        assert_eq!(roles["c"]["delegator"], "a");
        assert_eq!(Document::from_json_str(&text).unwrap(), doc);
    }
}
