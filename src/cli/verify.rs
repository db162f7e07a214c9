//! `trailscope verify` — a drop-in for `in-toto-verify` (DESIGN §4).
//!
//! Exit codes: 0 verified, 1 not verified (anything the evidence says: a
//! failed check, a malformed, truncated or oversized link or sublayout, an
//! inspection not run), 2 usage error, 3 what the command line names cannot
//! be read or parsed (the layout file, a layout key, `--link-dir` or
//! `--workdir`), 4 internal error.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::Exit;
use super::format::yes_no;
use crate::crypto::PublicKey;
use crate::engine::{DiskSource, EngineConfig, run_to_completion};
use crate::intoto::{self, VerifyOptions, category};
use crate::verdict::{Document, InputFile, Inputs, Kind, Severity, Subject, Verdict};

/// The output formats (`--format`).
pub use super::format::Format as OutputFormat;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub inputs: VerifyInputs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

/// What to verify: shared by `verify` and `graph intoto`.
#[derive(Debug, clap::Args)]
pub struct VerifyInputs {
    /// The signed root layout (Metablock or DSSE).
    #[arg(short = 'l', long, value_name = "FILE")]
    pub layout: PathBuf,
    /// Layout keys (securesystemslib JSON or PEM); every one must have signed the layout.
    #[arg(
        short = 'k',
        long = "layout-keys",
        visible_alias = "verification-keys",
        value_name = "KEY",
        num_args = 1..,
        required = true
    )]
    pub keys: Vec<PathBuf>,
    /// Directory holding the link files.
    #[arg(short = 'd', long, value_name = "DIR", default_value = ".")]
    pub link_dir: PathBuf,
    /// Directory with the final product, copied to a scratch directory for inspections.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub workdir: PathBuf,
    /// Substitution parameter for the layout (python str.format semantics).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Evaluate at this time instead of now (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Run the layout's inspection commands (in a scratch copy of --workdir).
    /// Without it a layout with inspections does not verify (exit 1): the
    /// first inspection's expected_materials are checked against --workdir's
    /// files, and the rest is reported as not run.
    #[arg(long)]
    pub run_inspections: bool,
    /// Accept a verdict without the layout's inspections: they are not run,
    /// their rules are not evaluated, and every report says "inspections skipped".
    #[arg(long, conflicts_with = "run_inspections")]
    pub skip_inspections: bool,
    /// Seconds each inspection may run.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub inspection_timeout: u64,
    /// Treat weaknesses the reference accepts as errors.
    #[arg(long)]
    pub strict: bool,
    /// Largest layout or link file read, in bytes (beyond: exit 3 for the
    /// layout, a failed verification for a link).
    #[arg(long, value_name = "BYTES", default_value_t = intoto::metadata::MAX_METADATA_BYTES)]
    pub max_metadata_bytes: u64,
    #[command(flatten)]
    pub link_limits: LinkLimits,
    #[command(flatten)]
    pub signature_form: SignatureFormArgs,
}

/// `--signature-form`: shared by `verify`, `graph intoto`, `bridge verify` and `open`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct SignatureFormArgs {
    /// Which bytes a signature must be valid over where the reference checks
    /// an object it rebuilds from the file (in-toto Metablocks, a TUF
    /// timestamp's meta): `reference` (that object, the reference's verdict)
    /// or `written` (also the document as written, the specification's
    /// form). The reports say which was used when it made a difference.
    #[arg(long = "signature-form", value_enum, value_name = "FORM", default_value = "reference")]
    pub form: SignatureFormArg,
}

/// The values of `--signature-form`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SignatureFormArg {
    #[default]
    Reference,
    Written,
}

impl From<SignatureFormArg> for intoto::SignatureForm {
    fn from(a: SignatureFormArg) -> Self {
        match a {
            SignatureFormArg::Reference => Self::Reference,
            SignatureFormArg::Written => Self::Written,
        }
    }
}

impl SignatureFormArgs {
    pub fn form(&self) -> intoto::SignatureForm {
        self.form.into()
    }
}

/// The in-toto limits on links: shared by `verify`, `graph intoto` and `bridge verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct LinkLimits {
    /// Most materials (and products) one link may list (beyond: not verified).
    #[arg(long, value_name = "N", default_value_t = intoto::MAX_ARTIFACTS_PER_LINK)]
    pub max_artifacts_per_link: usize,
    /// Most link files read, all steps and sublayouts together (beyond: not verified).
    #[arg(long, value_name = "N", default_value_t = intoto::MAX_LINKS)]
    pub max_links: usize,
}

impl LinkLimits {
    /// Sets these limits in `opts`.
    pub fn apply(&self, opts: &mut VerifyOptions) {
        opts.max_artifacts_per_link = self.max_artifacts_per_link;
        opts.max_links = self.max_links;
    }
}

/// DESIGN §4 exit 3 for a verification that ran: the root layout file named
/// on the command line could not be read or parsed. It is the deciding
/// failure, at the root (no sublayout scope), about the layout itself: a
/// `metadata-invalid` layout, or a `limit-exceeded` on the whole file (its
/// size; the link-count limit points into `/steps` and is evidence, exit 1).
/// Malformed or oversized links and sublayouts are evidence too (exit 1).
pub fn layout_unreadable(doc: &Document) -> bool {
    if doc.kind != Kind::InToto || doc.failure.as_ref().is_some_and(|f| !f.scope.is_empty()) {
        return false;
    }
    let deciding = doc.findings.iter().find(|f| f.severity == Severity::Error && f.category == doc.category);
    let Some(f) = deciding else { return false };
    if !matches!(f.subject, Subject::Layout { .. }) {
        return false;
    }
    f.category == category::METADATA_INVALID
        || (f.category == category::LIMIT_EXCEEDED && f.source.as_ref().is_some_and(|s| s.pointer.is_empty()))
}

/// The exit code of an in-toto document's verdict.
pub fn exit_of(doc: &Document) -> Exit {
    match doc.verdict {
        Verdict::Pass => Exit::Ok,
        Verdict::Fail if layout_unreadable(doc) => Exit::Input,
        Verdict::Fail => Exit::Failed,
    }
}

/// `--link-dir` and `--workdir` must be directories (exit 3 otherwise).
fn named_dir(command: &str, flag: &str, dir: &std::path::Path) -> Result<(), Exit> {
    match std::fs::read_dir(dir) {
        Ok(_) => Ok(()),
        Err(e) => {
            eprintln!("trailscope {command}: {flag} {}: cannot read the directory: {e}", dir.display());
            Err(Exit::Input)
        }
    }
}

fn usage(command: &str, msg: &str) -> Exit {
    eprintln!("trailscope {command}: {msg}");
    Exit::Usage
}

fn parse_params(raw: &[String]) -> Result<Option<BTreeMap<String, String>>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    let mut map = BTreeMap::new();
    for p in raw {
        let Some((name, value)) = p.split_once('=') else {
            return Err(format!("--param {p:?} is not NAME=VALUE"));
        };
        if !intoto::params::valid_name(name) {
            return Err(format!("--param name {name:?} must match [a-zA-Z0-9_-]+"));
        }
        map.insert(name.to_owned(), value.to_owned());
    }
    Ok(Some(map))
}

/// The verification options of `args`, or the exit code of a usage or input error.
pub fn options(args: &VerifyInputs, command: &str) -> Result<VerifyOptions, Exit> {
    options_and_keys(args, command).map(|(opts, _)| opts)
}

/// [`options`], and the layout key files as read (size and sha256 of the
/// bytes the keys were parsed from), for the document's `inputs`.
pub fn options_and_keys(args: &VerifyInputs, command: &str) -> Result<(VerifyOptions, Vec<InputFile>), Exit> {
    let params = parse_params(&args.params).map_err(|e| usage(command, &e))?;
    let at = match &args.at {
        None => crate::meta::time::now(),
        Some(t) => crate::meta::time::parse(t).map_err(|e| usage(command, &format!("--at: {e}")))?.at,
    };
    let mut keys = Vec::with_capacity(args.keys.len());
    let mut key_files = Vec::with_capacity(args.keys.len());
    for path in &args.keys {
        let bytes = std::fs::read(path).map_err(|e| {
            eprintln!("trailscope {command}: cannot read key {}: {e}", path.display());
            Exit::Input
        })?;
        let key = PublicKey::from_file_bytes(&bytes).map_err(|e| {
            eprintln!("trailscope {command}: key {} is malformed: {e}", path.display());
            Exit::Input
        })?;
        key_files.push(InputFile::of_bytes("layout key", path.display().to_string(), &bytes));
        keys.push(key);
    }
    named_dir(command, "--link-dir", &args.link_dir)?;
    named_dir(command, "--workdir", &args.workdir)?;
    let mut opts = VerifyOptions::new(&args.layout, keys);
    opts.link_dir = args.link_dir.clone();
    opts.workdir = args.workdir.clone();
    opts.params = params;
    opts.at = at;
    opts.run_inspections = args.run_inspections;
    opts.skip_inspections = args.skip_inspections;
    opts.inspection_timeout = Duration::from_secs(args.inspection_timeout);
    opts.strict = args.strict;
    opts.max_metadata_bytes = args.max_metadata_bytes;
    args.link_limits.apply(&mut opts);
    opts.signature_form = args.signature_form.form();
    // The argv of each inspection is shown before it runs (DESIGN §9).
    opts.announce = Some(|line| eprintln!("trailscope: {line}"));
    Ok((opts, key_files))
}

/// What the run was given, for the Markdown and SARIF reports.
pub fn inputs(args: &VerifyInputs) -> Inputs {
    let mut i = Inputs::new();
    i.add("layout", args.layout.display().to_string());
    for k in &args.keys {
        i.add("layout key", k.display().to_string());
    }
    i.add("link directory", args.link_dir.display().to_string());
    i.add("work directory", args.workdir.display().to_string());
    for p in &args.params {
        i.add("parameter", p.clone());
    }
    i.add_opt("--at", args.at.clone());
    i.add("inspections", super::format::inspections(args.run_inspections, args.skip_inspections));
    i.add("strict", yes_no(args.strict));
    i.add("signature form", args.signature_form.form().name());
    i
}

/// Records the run in `doc`: the layout, its keys (the trust anchor, as
/// read for verification), and every link and sublayout file the
/// verification read, with the size and sha256 of the bytes it verified;
/// the command line and options.
pub fn stamp(doc: &mut Document, args: &VerifyInputs, outcome: &intoto::InTotoOutcome, keys: Vec<InputFile>) {
    let anchor = crate::verdict::TrustAnchor {
        what: "layout keys".into(),
        files: args.keys.iter().map(|k| k.display().to_string()).collect(),
        root_version: None,
    };
    super::record::stamp(doc, &inputs(args), Some(anchor), outcome.input_files(keys));
}

/// The layout keys' holders as their files name them (`keys/alice.pub.json`: alice).
pub fn key_file_names(keys: &[PublicKey], files: &[PathBuf]) -> crate::verdict::Owners {
    keys.iter()
        .zip(files)
        .filter_map(|(k, f)| Some((k.keyid(), crate::crypto::keys::owner_of_file(f)?)))
        .collect()
}

/// Runs the subcommand through the engine (the verdict unit of an
/// in-toto plan) and waits for it; a unit that cannot run is exit 4.
pub fn run(args: &VerifyArgs) -> Exit {
    let (opts, key_files) = match options_and_keys(&args.inputs, "verify") {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    if let Some(p) = &opts.params
        && let Some(bad) = p.keys().find(|k| !intoto::params::valid_name(k))
    {
        return usage("verify", &format!("invalid parameter name {bad:?}"));
    }
    let planned = match crate::engine::plans::intoto::plan_one_shot(&opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("trailscope verify: internal error: {e}");
            return Exit::Internal;
        }
    };
    let json_on_stdout = args.format == OutputFormat::Json && !super::format::to_file();
    let progress = super::progress::Progress::start(
        &format!("verifying {}", args.inputs.layout.display()),
        json_on_stdout,
    );
    let results = run_to_completion(
        planned.plan,
        EngineConfig::default(),
        DiskSource { max_len: opts.max_metadata_bytes },
    );
    drop(progress);
    if let Some((unit, o)) = results.errors().next() {
        eprintln!("trailscope verify: internal error in {unit}: {}", o.detail.clone().unwrap_or_default());
        return Exit::Internal;
    }
    let mut outcome = match results.output(&planned.verdict) {
        Some(Ok(o)) => o.clone(),
        Some(Err(e)) => {
            eprintln!("trailscope verify: {e}");
            return Exit::Input;
        }
        None => {
            eprintln!("trailscope verify: internal error: no verdict");
            return Exit::Internal;
        }
    };
    // An inspection's scratch copy is removed after the run: named by what it was, not its path.
    let scratch = outcome.scratch_dirs();
    if !scratch.is_empty() {
        outcome.rename_files(&crate::verdict::paths::PathNames::new(None, scratch));
    }
    let mut doc = outcome.to_document_naming(&key_file_names(&opts.layout_keys, &args.inputs.keys));
    stamp(&mut doc, &args.inputs, &outcome, key_files);
    let text = match args.format {
        OutputFormat::Json => format!("{}\n", doc.to_json_string()),
        OutputFormat::Text => {
            crate::report::text_intoto::render(&outcome) + &crate::report::record::text(&doc)
        }
        other => super::format::render_common(&doc, other, &Inputs::default()).unwrap_or_default(),
    };
    if args.format == OutputFormat::Text {
        super::format::print_text(&text);
    } else {
        super::format::print(&text);
    }
    let exit = exit_of(&doc);
    // The process ends here: freeing every artifact entry one by one (300k
    // of them at 100k per link) would cost a tenth of the run.
    std::mem::forget(results);
    std::mem::forget(outcome);
    std::mem::forget(doc);
    exit
}
