//! TUF distributes in-toto (ITE-2 / ITE-3, Datadog's agent integrations):
//! verify a package through TUF, find its layout, layout keys and links
//! through the `custom` fields of TUF targets (each one a verified TUF
//! target itself), run in-toto verification on them in a flat scratch
//! directory that holds the downloaded package, and bind the final product
//! to the TUF target's hashes.
//!
//! The order of checks is the reference's (corpus README-bridge, "How the
//! verdict was obtained"): TUF refresh, the package, its layout, the layout's
//! keys, the package's links, in-toto, the product binding. The first
//! failure in that order decides `stage` and `category`; verification goes
//! on where it still can, so the report shows everything found.
//!
//! Modules: [`custom`] (the `custom` conventions), [`fetch`] (TUF lookups and
//! downloads), [`workdir`] (the flat verification directory), [`binding`]
//! (the product binding), [`run`] (the stages), [`document`] (JSON).

pub mod binding;
pub mod custom;
pub mod document;
pub mod fetch;
pub mod run;
pub mod sigstore_root;
pub mod workdir;

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::intoto::InTotoOutcome;
use crate::tuf::session::Outcome as TufOutcome;
use crate::tuf::{Config, Source};
use crate::verdict::Finding;
use crate::verdict::Verdict;

pub use run::verify;

/// The stages of bridge verification, in the reference's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Tuf,
    CustomMetadata,
    InToto,
    ProductBinding,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Tuf, Stage::CustomMetadata, Stage::InToto, Stage::ProductBinding];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Tuf => "tuf",
            Stage::CustomMetadata => "custom-metadata",
            Stage::InToto => "in-toto",
            Stage::ProductBinding => "product-binding",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to verify.
pub struct Request<'a> {
    /// The trusted root (bootstrap) the TUF client starts from.
    pub root_bytes: Vec<u8>,
    pub root_file: String,
    pub metadata: &'a dyn Source,
    pub targets: &'a dyn Source,
    /// The package target path.
    pub target: String,
    pub at: OffsetDateTime,
    /// Run the layout's inspections (in a scratch copy of the verification directory).
    pub run_inspections: bool,
    /// Accept a verdict without them (see `intoto::VerifyOptions::skip_inspections`).
    pub skip_inspections: bool,
    pub inspection_timeout: Duration,
    /// Called with the argv of each inspection before it runs.
    pub announce: Option<fn(&str)>,
    /// Weaknesses the references accept become errors.
    pub strict: bool,
    pub config: Config,
    /// in-toto: largest layout or link file read, in bytes.
    pub max_metadata_bytes: u64,
    /// in-toto: most materials (and products) one link may list.
    pub max_artifacts_per_link: usize,
    /// in-toto: most link files read.
    pub max_links: usize,
    /// in-toto: which signed form of a Metablock counts (`--signature-form`).
    pub signature_form: crate::intoto::SignatureForm,
}

impl<'a> Request<'a> {
    /// A request with the defaults: inspections neither run nor skipped (a
    /// layout with inspections does not verify), 10 s inspection
    /// timeout, not strict, python-tuf's client limits, in-toto's default limits.
    pub fn new(
        root_bytes: Vec<u8>,
        root_file: impl Into<String>,
        metadata: &'a dyn Source,
        targets: &'a dyn Source,
        target: impl Into<String>,
        at: OffsetDateTime,
    ) -> Self {
        Self {
            root_bytes,
            root_file: root_file.into(),
            metadata,
            targets,
            target: target.into(),
            at,
            run_inspections: false,
            skip_inspections: false,
            inspection_timeout: Duration::from_secs(10),
            announce: None,
            strict: false,
            config: Config::default(),
            max_metadata_bytes: crate::intoto::metadata::MAX_METADATA_BYTES,
            max_artifacts_per_link: crate::intoto::MAX_ARTIFACTS_PER_LINK,
            max_links: crate::intoto::MAX_LINKS,
            signature_form: crate::intoto::SignatureForm::Reference,
        }
    }
}

/// The reference-order first failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirstFailure {
    pub stage: Stage,
    pub category: crate::verdict::category::Category,
    /// tuf: the lookup/download that failed (none for a refresh failure);
    /// custom-metadata: the target whose custom failed; product-binding: the package.
    pub failed_target: Option<String>,
    /// tuf: the role whose metadata failed, or that listed a target whose download failed.
    pub role: Option<String>,
    /// in-toto: the step or inspection; product-binding: the last step.
    pub step: Option<String>,
    pub rule: Option<String>,
    pub artifact: Option<String>,
    pub message: String,
}

/// The product binding as evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// The layout's last step.
    pub step: String,
    /// The product looked for: the package target's basename.
    pub product: String,
    /// That product's sha256 in the last step's link (None: not there).
    pub product_sha256: Option<String>,
    /// The TUF target's sha256.
    pub target_sha256: Option<String>,
}

impl Binding {
    pub fn holds(&self) -> bool {
        self.product_sha256.is_some() && self.product_sha256 == self.target_sha256
    }
}

/// What was downloaded and handed to in-toto (the corpus's `expect.trace`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// Every successful TUF lookup and download, in order, up to the first failure.
    pub downloaded: Vec<String>,
    /// The layout the package named.
    pub layout: Option<String>,
    /// The key ids passed to in-toto (None when in-toto did not run).
    pub layout_keys: Option<Vec<String>>,
    /// The link files in the verification directory (None when in-toto did not run).
    pub links: Option<Vec<String>>,
    pub binding: Option<Binding>,
}

/// Why a TUF target was fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    Package,
    Layout,
    LayoutKey,
    Link,
}

impl Purpose {
    pub fn word(self) -> &'static str {
        match self {
            Purpose::Package => "package",
            Purpose::Layout => "layout",
            Purpose::LayoutKey => "layout key",
            Purpose::Link => "link",
        }
    }
}

/// Everything a bridge run found.
pub struct BridgeOutcome {
    pub target: String,
    pub at: OffsetDateTime,
    pub verdict: Verdict,
    /// `pass` or the first failure's category.
    pub category: crate::verdict::category::Category,
    pub first: Option<FirstFailure>,
    /// All findings, each tagged with its stage.
    pub findings: Vec<Finding>,
    pub trace: Trace,
    /// Each distinct target looked up, in first-lookup order, and why.
    pub fetched: Vec<(Purpose, crate::tuf::session::TargetOutcome)>,
    /// The TUF client's state after the run (roles, notes).
    pub tuf: TufOutcome,
    /// The in-toto verification, when it ran.
    pub intoto: Option<InTotoOutcome>,
    pub run_inspections: bool,
    /// `--skip-inspections` was given.
    pub skip_inspections: bool,
    /// The layout has inspections that were not run: the verdict does not
    /// cover them (without `--skip-inspections` it is not a pass either).
    pub inspections_skipped: Vec<String>,
    pub strict: bool,
}

impl BridgeOutcome {
    /// Names its in-toto inspections' scratch directories (copies of the work
    /// directory under the temp dir, removed after the run) by what they were;
    /// its files are TUF targets and keep the repository's names.
    pub fn name_scratch_dirs(&mut self) {
        let scratch = self.intoto.as_ref().map(InTotoOutcome::scratch_dirs).unwrap_or_default();
        if scratch.is_empty() {
            return;
        }
        let names = crate::verdict::paths::PathNames::new(None, scratch);
        self.findings.iter_mut().for_each(|f| names.finding(f));
        if let Some(o) = &mut self.intoto {
            o.rename_files(&names);
        }
    }
    /// The stage of the first failure (None on pass).
    pub fn stage(&self) -> Option<Stage> {
        self.first.as_ref().map(|f| f.stage)
    }

    /// The run's input files (DESIGN §4 `inputs`): the trusted root as read
    /// (`root_file`, `root`), the TUF metadata trusted, and every target
    /// fetched and verified (package, layout, layout keys, links) with its
    /// TUF-verified length and sha256.
    pub fn input_files(&self, root_file: &str, root: &[u8]) -> Vec<crate::verdict::InputFile> {
        let mut files = crate::tuf::report::inputs(&self.tuf, Some((root_file, root)));
        for (purpose, t) in &self.fetched {
            files.extend(crate::tuf::report::target_inputs([t], purpose.word()));
        }
        files
    }
}
