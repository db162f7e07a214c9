//! `trailscope bridge verify` (DESIGN §4): a package distributed by TUF with
//! its in-toto metadata (ITE-2 / ITE-3), verified end to end.
//!
//! Exit codes (DESIGN §4): 0 verified, 1 not verified — anything the
//! repository says, TUF metadata or in-toto layouts and links that are
//! malformed or beyond a limit included (they come from the repository: that
//! is evidence), an inspection not run included, 2 usage error, 3 the
//! trusted root cannot be read or parsed, or `--metadata`/`--targets` is not
//! a directory, 4 internal error.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::Exit;
use super::format::yes_no;
use super::tuf::TufLimits;
use super::verify::LinkLimits;
use crate::bridge::{self, BridgeOutcome, Request};
use crate::tuf::{Config, DirSource, Source, source};
use crate::verdict::{Document, Inputs, Verdict};

#[derive(Debug, Args)]
pub struct BridgeArgs {
    #[command(subcommand)]
    pub command: BridgeCommand,
}

#[derive(Debug, Subcommand)]
pub enum BridgeCommand {
    /// Verify a package through TUF, then its in-toto supply chain (layout,
    /// layout keys and links found through the targets' custom metadata and
    /// verified through TUF), then bind the final product to the TUF target.
    Verify(VerifyArgs),
}

pub use super::format::Format;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The trusted root the TUF client starts from.
    #[arg(long, value_name = "TRUSTED_ROOT")]
    pub root: PathBuf,
    /// Repository metadata: a directory or an http(s) base URL.
    #[arg(long, value_name = "DIR|URL")]
    pub metadata: String,
    /// Target files (packages, layouts, keys, links): a directory or an http(s) base URL.
    #[arg(long, value_name = "DIR|URL")]
    pub targets: String,
    /// The package's TUF target path, e.g. packages/demo/demo-1.0.tar.gz.
    #[arg(long, value_name = "PATH")]
    pub target: String,
    /// Evaluation time (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Run the layout's inspections (in a scratch copy of the verification
    /// directory). Without it a layout with inspections does not verify.
    #[arg(long)]
    pub run_inspections: bool,
    /// Accept a verdict without the layout's inspections (they are not run
    /// and their rules not evaluated; every report says "inspections skipped").
    #[arg(long, conflicts_with = "run_inspections")]
    pub skip_inspections: bool,
    /// Seconds each inspection may run.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub inspection_timeout: u64,
    /// Treat weaknesses the references accept as errors.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub limits: TufLimits,
    #[command(flatten)]
    pub link_limits: LinkLimits,
    #[command(flatten)]
    pub signature_form: super::verify::SignatureFormArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: &BridgeArgs) -> Exit {
    match &args.command {
        BridgeCommand::Verify(a) => verify(a),
    }
}

fn is_url(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// A directory or URL source; `layout` forces a directory's source-layout
/// fallback (targets take the metadata directory's layout, so a served
/// repository's `HASH.name` files never fall back to unprefixed names).
fn open(
    location: &str,
    what: &str,
    layout: Option<bool>,
    net: source::NetLimits,
) -> Result<Box<dyn Source>, Exit> {
    if is_url(location) {
        return Ok(source::open_with(location, net));
    }
    let path = PathBuf::from(location);
    if !path.is_dir() {
        eprintln!("trailscope bridge verify: --{what} {location}: not a directory");
        return Err(Exit::Input);
    }
    let dir = DirSource::new(path);
    Ok(Box::new(match layout {
        Some(on) => dir.with_source_layout(on),
        None => dir,
    }))
}

fn verify(a: &VerifyArgs) -> Exit {
    let at = match &a.at {
        None => crate::meta::time::now(),
        Some(text) => match crate::meta::time::parse(text) {
            Ok(t) => t.at,
            Err(e) => {
                eprintln!("trailscope bridge verify: --at: {e}");
                return Exit::Usage;
            }
        },
    };
    let root_bytes = match std::fs::File::open(&a.root).map_err(|e| e.to_string()).and_then(|f| {
        source::read_bounded(f, Config::default().root_max_length, &a.root.display().to_string())
            .map_err(|e| e.to_string())
    }) {
        Ok(b) => b,
        Err(e) => {
            let message = format!("cannot read trusted root {}: {e}", a.root.display());
            if a.format == Format::Json {
                let file = a.root.display().to_string();
                let doc = super::tuf::anchor_document_of(
                    crate::verdict::Kind::Bridge,
                    a.at.as_deref(),
                    &file,
                    &message,
                );
                println!("{}", doc.to_json_string());
            }
            eprintln!("trailscope bridge verify: {message}");
            return Exit::Input;
        }
    };
    let metadata = match open(&a.metadata, "metadata", None, a.limits.net()) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let layout = if is_url(&a.metadata) { false } else { DirSource::new(&a.metadata).source_layout() };
    let targets = match open(&a.targets, "targets", Some(layout), a.limits.net()) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let mut req = Request::new(
        root_bytes.clone(),
        a.root.display().to_string(),
        metadata.as_ref(),
        targets.as_ref(),
        a.target.clone(),
        at,
    );
    req.run_inspections = a.run_inspections;
    req.skip_inspections = a.skip_inspections;
    // The argv of each inspection is shown before it runs (DESIGN §9).
    req.announce = Some(|line| eprintln!("trailscope: {line}"));
    req.inspection_timeout = Duration::from_secs(a.inspection_timeout);
    req.strict = a.strict;
    a.limits.apply(&mut req.config);
    // One --max-metadata-bytes caps TUF metadata and in-toto layouts and links.
    if let Some(n) = a.limits.max_metadata_bytes {
        req.max_metadata_bytes = n;
    }
    req.max_artifacts_per_link = a.link_limits.max_artifacts_per_link;
    req.max_links = a.link_limits.max_links;
    req.signature_form = a.signature_form.form();
    let json_on_stdout = a.format == Format::Json && !super::format::to_file();
    let progress = super::progress::Progress::start(&format!("verifying {}", a.target), json_on_stdout);
    let mut outcome = bridge::verify(&req);
    drop(progress);
    outcome.name_scratch_dirs();
    let root_file = a.root.display().to_string();
    let mut doc = outcome.to_document();
    stamp(&mut doc, &outcome, &root_file, &root_bytes, &inputs(a));
    if let Some(e) = outcome.tuf.unparsed_trusted_root() {
        if a.format == Format::Json {
            super::format::print(&render(&outcome, &doc, a.format));
        }
        eprintln!("trailscope bridge verify: trusted root {}: {}", a.root.display(), e.message);
        return Exit::Input;
    }
    print(&outcome, &doc, a.format)
}

/// Records the run in `doc`: the trusted root (the anchor), the TUF
/// metadata trusted, and every target fetched and verified (package,
/// layout, layout keys, links) with its TUF-verified length and sha256.
pub fn stamp(doc: &mut Document, outcome: &BridgeOutcome, root_file: &str, root: &[u8], options: &Inputs) {
    let anchor = crate::tuf::report::trust_anchor(&outcome.tuf, root_file);
    super::record::stamp(doc, options, Some(anchor), outcome.input_files(root_file, root));
}

/// What the run was given, for the Markdown and SARIF reports.
pub fn inputs(a: &VerifyArgs) -> Inputs {
    let mut i = Inputs::new();
    i.add("trusted root", a.root.display().to_string());
    i.add("metadata", a.metadata.clone());
    i.add("targets", a.targets.clone());
    i.add("target", a.target.clone());
    i.add_opt("--at", a.at.clone());
    i.add("inspections", super::format::inspections(a.run_inspections, a.skip_inspections));
    i.add("strict", yes_no(a.strict));
    i.add("signature form", a.signature_form.form().name());
    i
}

/// Renders the outcome, recorded in `doc`, in `format`.
pub fn render(outcome: &BridgeOutcome, doc: &Document, format: Format) -> String {
    match format {
        Format::Json => {
            let mut v = outcome.to_value();
            let recorded = doc.to_value();
            for key in ["checks", "inputs", "invocation"] {
                v[key] = recorded[key].clone();
            }
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        Format::Text => crate::report::text_bridge::render(outcome) + &crate::report::record::text(doc),
        other => super::format::render_common(doc, other, &Inputs::default()).unwrap_or_default(),
    }
}

/// Prints the outcome in `format`; the exit code of its verdict (0 or 1:
/// everything a bridge run reads after the trusted root is evidence).
pub fn print(outcome: &BridgeOutcome, doc: &Document, format: Format) -> Exit {
    let text = render(outcome, doc, format);
    if format == Format::Text {
        super::format::print_text(&text);
    } else {
        super::format::print(&text);
    }
    match outcome.verdict {
        Verdict::Pass => Exit::Ok,
        Verdict::Fail => Exit::Failed,
    }
}
