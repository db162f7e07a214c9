//! in-toto supply-chain verification (in-toto spec v1.0 §4–§5), exact to the
//! reference implementation, python in-toto 3.1 (`verifylib.in_toto_verify`).
//!
//! Verification runs the reference's stages in the reference's order (layout
//! signatures, expiry, parameter substitution, link loading, link signature
//! thresholds, sublayouts, command alignment, threshold agreement, step rules,
//! inspections, inspection rules) but never stops at the first problem: every
//! check yields findings (DESIGN §3), and the first failure in the reference's
//! order decides the verdict's `category` and `failure`.
//!
//! Modules: [`model`] (layout/step/inspection/link), [`metadata`] (envelopes
//! and signatures), [`rule`] (grammar), [`fnmatch`] (patterns), [`engine`]
//! (rules with traces), [`params`] (`str.format`), [`inspect`] (opt-in
//! inspection runner), [`not_run`] (inspections not run: what is checked
//! without executing anything), [`stages`] (each check of the reference,
//! once: the verdict, the engine's units and the graph call them),
//! [`verify`], [`links`] and [`checks`] (the stages in order, as findings),
//! [`agreement`] (threshold agreement's evidence), [`trace`] (what was seen).

pub mod agreement;
pub mod checks;
pub mod engine;
pub mod fnmatch;
pub mod inspect;
pub mod links;
pub mod metadata;
pub mod model;
pub mod not_run;
pub mod params;
mod paths;
pub mod performed;
mod plain_link;
pub mod rule;
pub mod stages;
pub mod trace;
pub mod verify;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use time::OffsetDateTime;

use crate::crypto::PublicKey;
use crate::verdict::Finding;
use crate::verdict::{Document, Failure, Kind, Verdict};

pub use trace::{InspectionTrace, LayoutTrace, LinkStatus, LinkTrace, StepTrace};
pub use verify::{DiskLoader, FileRead, Loader, verify, verify_with};

/// The corpus categories (corpus/README.md), verbatim.
pub mod category {
    pub const PASS: crate::verdict::category::Category = crate::verdict::category::PASS;
    pub const LAYOUT_SIGNATURE: crate::verdict::category::Category =
        crate::verdict::category::LAYOUT_SIGNATURE;
    pub const LAYOUT_EXPIRED: crate::verdict::category::Category = crate::verdict::category::LAYOUT_EXPIRED;
    pub const METADATA_INVALID: crate::verdict::category::Category =
        crate::verdict::category::METADATA_INVALID;
    pub const LINK_MISSING: crate::verdict::category::Category = crate::verdict::category::LINK_MISSING;
    pub const LINK_THRESHOLD: crate::verdict::category::Category = crate::verdict::category::LINK_THRESHOLD;
    pub const LINK_DISAGREEMENT: crate::verdict::category::Category =
        crate::verdict::category::LINK_DISAGREEMENT;
    pub const RULE_DISALLOW: crate::verdict::category::Category = crate::verdict::category::RULE_DISALLOW;
    pub const RULE_REQUIRE: crate::verdict::category::Category = crate::verdict::category::RULE_REQUIRE;
    pub const INSPECTION_FAILED: crate::verdict::category::Category =
        crate::verdict::category::INSPECTION_FAILED;
    pub const ERROR_OTHER: crate::verdict::category::Category = crate::verdict::category::ERROR_OTHER;
    /// Ours, not the reference's: a resource limit of [`super::VerifyOptions`]
    /// was exceeded (file size, artifacts per link, links, sublayout depth,
    /// inspection time). Exit code 1 like any failed check, except when the
    /// layout file itself is not read (exit 3).
    pub const LIMIT_EXCEEDED: crate::verdict::category::Category = crate::verdict::category::LIMIT_EXCEEDED;
    /// Ours, not the reference's: an inspection was not run (no
    /// `--run-inspections`), so the supply chain is not verified. It decides
    /// the verdict's category only when no check that was performed failed
    /// (see [`super::not_run`]).
    pub const INSPECTION_NOT_RUN: crate::verdict::category::Category =
        crate::verdict::category::INSPECTION_NOT_RUN;
}

/// Our warning categories: weaknesses the reference accepts.
pub mod warning {
    pub const COMMAND_MISMATCH: crate::verdict::category::Category =
        crate::verdict::category::COMMAND_MISMATCH;
    pub const LINK_NAME_MISMATCH: crate::verdict::category::Category =
        crate::verdict::category::LINK_NAME_MISMATCH;
    pub const KEYID_MISMATCH: crate::verdict::category::Category = crate::verdict::category::KEYID_MISMATCH;
    pub const NO_FINAL_DISALLOW: crate::verdict::category::Category =
        crate::verdict::category::RULES_WITHOUT_FINAL_DISALLOW;
    pub const RULE_CONSUMED_NOTHING: crate::verdict::category::Category =
        crate::verdict::category::RULE_CONSUMED_NOTHING;
    pub const SUSPICIOUS_PATH: crate::verdict::category::Category = crate::verdict::category::SUSPICIOUS_PATH;
    /// `--skip-inspections`: the user accepted a verdict without inspections.
    /// Never escalated by `--strict`: it is an explicit choice, not a weakness.
    pub const INSPECTIONS_SKIPPED: crate::verdict::category::Category =
        crate::verdict::category::INSPECTIONS_SKIPPED;
    pub const LAYOUT_NO_EXPIRY: crate::verdict::category::Category =
        crate::verdict::category::LAYOUT_WITHOUT_EXPIRY;
    pub const DUPLICATE_KEY: crate::verdict::category::Category =
        crate::verdict::category::DUPLICATE_FUNCTIONARY_KEY;
    pub const KEYID_ALIAS: crate::verdict::category::Category = crate::verdict::category::LAYOUT_KEYID_ALIAS;
    pub const SIGNATURE_FORM: crate::verdict::category::Category =
        crate::verdict::category::SIGNATURE_FORM_DIVERGENCE;
    pub const UNSAFE_STEP_NAME: crate::verdict::category::Category =
        crate::verdict::category::UNSAFE_STEP_NAME;
}

/// Default of [`VerifyOptions::max_artifacts_per_link`].
pub const MAX_ARTIFACTS_PER_LINK: usize = 10_000_000;
/// Default of [`VerifyOptions::max_links`].
pub const MAX_LINKS: usize = 100_000;

/// What to verify and how.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub layout: PathBuf,
    /// Every key must have a valid signature on the layout.
    pub layout_keys: Vec<PublicKey>,
    pub link_dir: PathBuf,
    /// Where inspections run (a scratch copy of it).
    pub workdir: PathBuf,
    /// `--param NAME=VALUE`; `None` means no substitution at all (like the
    /// reference CLI), `Some(empty)` still runs `str.format` (brace errors).
    pub params: Option<BTreeMap<String, String>>,
    /// The evaluation time (`--at`).
    pub at: OffsetDateTime,
    /// Run the layout's inspections (in a scratch copy of `workdir`).
    pub run_inspections: bool,
    /// Without `run_inspections`: accept a verdict without the inspections
    /// (`--skip-inspections`). When neither is set, a layout with
    /// inspections does not verify: what can be checked without executing
    /// anything is checked, the rest is reported not run (DESIGN §4).
    /// `run_inspections` wins when both are set.
    pub skip_inspections: bool,
    pub inspection_timeout: Duration,
    /// Warnings about weaknesses become errors.
    pub strict: bool,
    /// Largest layout or link file read, in bytes.
    pub max_metadata_bytes: u64,
    /// Most materials (and, separately, products) one link may list.
    pub max_artifacts_per_link: usize,
    /// Most link files one verification reads (all steps, all sublayouts).
    pub max_links: usize,
    /// Called with a line saying what will run, before each inspection runs.
    pub announce: Option<fn(&str)>,
    /// Which signed form of a Metablock document a signature must cover
    /// (`--signature-form`).
    pub signature_form: SignatureForm,
}

/// Which bytes a Metablock signature must be valid over.
///
/// python in-toto 3.1 checks a signature over the canonical JSON of the
/// object it rebuilt from the file (`attr.asdict` of its `Layout`/`Link`
/// model: members it does not know dropped, missing ones filled with its
/// defaults); the specification (v0.9 §4.2, ITE-5's appendix) says the
/// canonical JSON of `signed`, i.e. the bytes as written. They differ only
/// for documents whose `signed` object is not exactly python's model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SignatureForm {
    /// The reference's: only a signature over python's rebuilt object counts.
    #[default]
    Reference,
    /// Also a signature over the document as written counts.
    Written,
}

impl SignatureForm {
    /// The option's value as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::Written => "written",
        }
    }

    /// Whether a signature check counts under this policy.
    pub fn accepts(self, check: &metadata::SigCheck) -> bool {
        matches!(
            (self, check),
            (_, metadata::SigCheck::Valid { normalized: true, .. })
                | (Self::Written, metadata::SigCheck::Valid { raw: true, .. })
        )
    }
}

impl std::str::FromStr for SignatureForm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "reference" => Ok(Self::Reference),
            "written" => Ok(Self::Written),
            other => Err(format!("unknown signature form \"{other}\" (reference or written)")),
        }
    }
}

impl VerifyOptions {
    /// Defaults: links and workdir `.`, evaluated now, inspections neither
    /// run nor skipped (a layout with inspections does not verify), 10 s
    /// inspection timeout (python's default), not strict, the default limits.
    pub fn new(layout: impl Into<PathBuf>, layout_keys: Vec<PublicKey>) -> Self {
        Self {
            layout: layout.into(),
            layout_keys,
            link_dir: PathBuf::from("."),
            workdir: PathBuf::from("."),
            params: None,
            at: crate::meta::time::now(),
            run_inspections: false,
            skip_inspections: false,
            inspection_timeout: Duration::from_secs(10),
            strict: false,
            max_metadata_bytes: metadata::MAX_METADATA_BYTES,
            max_artifacts_per_link: MAX_ARTIFACTS_PER_LINK,
            max_links: MAX_LINKS,
            announce: None,
            signature_form: SignatureForm::Reference,
        }
    }
}

/// Input that cannot be verified at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("invalid parameter {0:?}: names must match [a-zA-Z0-9_-]+")]
    Parameter(String),
}

/// The result of verifying a layout.
#[derive(Debug, Clone, PartialEq)]
pub struct InTotoOutcome {
    pub verdict: Verdict,
    /// The reference-order first failure's category, or `pass`.
    pub category: crate::verdict::category::Category,
    pub failure: Option<Failure>,
    pub findings: Vec<Finding>,
    pub evaluated_at: OffsetDateTime,
    pub layout: LayoutTrace,
    /// The summary link python's `in_toto_verify` returns: the materials of
    /// the first step's link and the products of the last step's link (the
    /// links the rules used). Empty when verification did not get that far.
    pub summary: model::Link,
    /// The layout, link and sublayout files read, with the size and sha256
    /// of the bytes verified, when the loader records its reads (DESIGN §4
    /// `inputs`; the layout keys are the caller's to add).
    pub files: Vec<crate::verdict::InputFile>,
}

impl InTotoOutcome {
    /// The JSON document of DESIGN §4.
    pub fn to_document(&self) -> Document {
        self.to_document_naming(&crate::verdict::Owners::new())
    }

    /// [`Self::to_document`], naming the holders of the keys in `key_names`
    /// too (layout keys named by their files) where the layout names none.
    pub fn to_document_naming(&self, key_names: &crate::verdict::Owners) -> Document {
        let mut doc = Document::new(Kind::InToto, self.evaluated_at, self.findings.clone(), self.category);
        doc.verdict = self.verdict;
        doc.failure = self.failure.clone();
        doc.checks = performed::checks(self, &self.owners(key_names));
        doc
    }

    /// Key holders by key id: the names the layout's keys (and sublayouts')
    /// carry, then `key_names` for the keys they leave unnamed.
    pub fn owners(&self, key_names: &crate::verdict::Owners) -> crate::verdict::Owners {
        let mut owners = self.layout.all_owners();
        for (k, v) in key_names {
            owners.entry(k.clone()).or_insert_with(|| v.clone());
        }
        owners
    }

    /// The run's input files as every face records them: the layout, then
    /// `layout_keys` (the key files as the caller read them), then every
    /// link and sublayout read, in step order.
    pub fn input_files(&self, layout_keys: Vec<crate::verdict::InputFile>) -> Vec<crate::verdict::InputFile> {
        let (layout, links) = match self.files.first() {
            Some(f) if f.role == "layout" => self.files.split_at(1),
            _ => self.files.split_at(0),
        };
        layout.iter().cloned().chain(layout_keys).chain(links.iter().cloned()).collect()
    }
}
