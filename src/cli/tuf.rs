//! `trailscope tuf verify` and `trailscope tuf inspect` (DESIGN §4).
//!
//! Exit codes (DESIGN §4): 0 verified, 1 not verified — anything the
//! repository's metadata says, including metadata that is missing,
//! malformed, over its length limit, or a lookup stopped at the delegation
//! limit (python-tuf raises for all of them: the repository did not
//! verify), 2 usage error, 3 the trusted root cannot be read or parsed, or a
//! named directory or file (`--metadata`, `--targets`, `--targets-from`)
//! cannot be read, 4 internal error.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Exit;
use super::format::yes_no;
use crate::engine::plans::tuf::TufOptions;
use crate::engine::{DiskSource, EngineConfig, run_to_completion};
use crate::tuf::{Config, DirSource, Source, report, source};
use crate::verdict::{Inputs, Verdict};

#[derive(Debug, Args)]
pub struct TufArgs {
    #[command(subcommand)]
    pub command: TufCommand,
}

#[derive(Debug, Subcommand)]
pub enum TufCommand {
    /// Run the TUF client workflow against a repository and verify targets.
    Verify(InputArgs),
    /// Show the repository's roles as a tree: keys, thresholds and which
    /// signatures counted, versions, expiry, delegations, root history.
    Inspect(InputArgs),
}

pub use super::format::Format;

#[derive(Debug, Args)]
pub struct InputArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// The repository and what to ask of it: shared by `tuf verify`, `tuf inspect` and `graph tuf`.
#[derive(Debug, Args)]
pub struct RepoArgs {
    /// The trusted root to start from (optional when --state holds root.json).
    #[arg(long, value_name = "TRUSTED_ROOT")]
    pub root: Option<PathBuf>,
    /// Repository metadata: a directory or an http(s) base URL.
    #[arg(long, value_name = "DIR|URL")]
    pub metadata: String,
    /// Target files: a directory or an http(s) base URL.
    #[arg(long, value_name = "DIR|URL")]
    pub targets: Option<String>,
    /// Local state directory with previously trusted metadata (read).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Write the newly trusted metadata (exact bytes) into --state.
    #[arg(long, requires = "state")]
    pub save_state: bool,
    /// Evaluation time (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// A target path to look up, download and verify (repeatable).
    #[arg(long = "target", value_name = "PATH")]
    pub target: Vec<String>,
    /// A file of target paths to look up, one per line (after any --target).
    #[arg(long, value_name = "FILE")]
    pub targets_from: Option<PathBuf>,
    /// Look targets up in the trusted metadata without downloading them.
    #[arg(long)]
    pub lookup_only: bool,
    /// Load and verify every delegated role reachable from targets.
    #[arg(long)]
    pub all_roles: bool,
    /// Treat weaknesses the reference accepts as errors.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub limits: TufLimits,
    #[command(flatten)]
    pub signature_form: super::verify::SignatureFormArgs,
}

/// The TUF client's limits: shared by `tuf verify`, `tuf inspect`, `graph tuf` and `bridge verify`.
#[derive(Debug, Clone, Args)]
pub struct TufLimits {
    /// Cap on every metadata file, in bytes (default: python-tuf's per-role
    /// limits: root 512000, timestamp 16384, snapshot 2000000, targets 5000000).
    /// A larger file fails verification (exit 1).
    #[arg(long, value_name = "BYTES")]
    pub max_metadata_bytes: Option<u64>,
    /// Most delegated roles visited per target lookup (a lookup that stops
    /// there fails: exit 1).
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub max_delegations: usize,
    /// Seconds an http(s) download may wait to connect, for the answer, and
    /// between two reads (python-tuf's socket timeout); past it the
    /// download fails as a slow retrieval (exit 1).
    #[arg(long, value_name = "SECS", default_value_t = 30.0, value_parser = positive_seconds)]
    pub timeout: f64,
    /// Slowest average download speed accepted, in bytes per second: a
    /// download of at most N bytes must be done within the timeout plus
    /// N / BYTES_PER_SEC seconds, else it fails as a slow retrieval.
    #[arg(long, value_name = "BYTES_PER_SEC", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub min_speed: u64,
}

/// A `--timeout`: a positive number of seconds, at most a day.
pub(super) fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!("{text}: expected a number of seconds above 0 and at most 86400")),
    }
}

impl TufLimits {
    /// The network limits these options give.
    pub fn net(&self) -> source::NetLimits {
        source::NetLimits {
            timeout: std::time::Duration::from_secs_f64(self.timeout),
            min_speed: self.min_speed,
        }
    }

    /// Sets these limits in `config`.
    pub fn apply(&self, config: &mut Config) {
        config.max_delegations = self.max_delegations;
        config.net = self.net();
        if let Some(n) = self.max_metadata_bytes {
            config.root_max_length = n;
            config.timestamp_max_length = n;
            config.snapshot_max_length = n;
            config.targets_max_length = n;
        }
    }
}

pub fn run(args: &TufArgs) -> Exit {
    match &args.command {
        TufCommand::Verify(a) => run_inputs(a, false),
        TufCommand::Inspect(a) => run_inputs(a, true),
    }
}

/// The run options of `a` (the trusted root is read to check it), or the
/// exit code of a usage or input error. `inspect` audits every role.
pub fn options(a: &RepoArgs, inspect: bool) -> Result<TufOptions, Exit> {
    let at = match &a.at {
        None => crate::meta::time::now(),
        Some(text) => match crate::meta::time::parse(text) {
            Ok(t) => t.at,
            Err(e) => {
                eprintln!("error: --at: {e}");
                return Err(Exit::Usage);
            }
        },
    };
    let (_, root) = trusted_root(a)?;
    open_source(&a.metadata, None)?;
    let source_layout = (!is_url(&a.metadata)).then(|| DirSource::new(&a.metadata).source_layout());
    if let Some(t) = &a.targets {
        open_source(t, source_layout)?;
    }
    let mut target_paths = a.target.clone();
    if let Some(file) = &a.targets_from {
        let text = std::fs::read_to_string(file).map_err(|e| {
            eprintln!("error: cannot read {}: {e}", file.display());
            Exit::Input
        })?;
        target_paths.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned));
    }
    Ok(TufOptions {
        root,
        metadata: a.metadata.clone(),
        targets: a.targets.clone(),
        state: a.state.clone(),
        save_state: a.save_state,
        at,
        config: config(a),
        target_paths,
        all_roles: a.all_roles || inspect,
    })
}

/// Runs the client workflow through the engine (the verdict unit of a TUF
/// plan) and waits for it; a unit that cannot run is exit 4.
fn run_inputs(args: &InputArgs, inspect: bool) -> Exit {
    let a = &args.repo;
    if let Some((file, message)) = unreadable_input(a) {
        // DESIGN §4: the trust anchor or a named directory cannot be read,
        // exit 3; under --format json a document says so too.
        if args.format == Format::Json {
            println!("{}", anchor_document(a.at.as_deref(), &file, &message).to_json_string());
        }
        eprintln!("error: {message}");
        return Exit::Input;
    }
    let opts = match options(a, inspect) {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    let root_file = opts.root.display().to_string();
    let planned = match crate::engine::plans::tuf::plan_one_shot(&opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: internal error: {e}");
            return Exit::Internal;
        }
    };
    let json_on_stdout = args.format == Format::Json && !super::format::to_file();
    let progress = super::progress::Progress::start(&format!("verifying {}", a.metadata), json_on_stdout);
    let results = run_to_completion(planned.plan, EngineConfig::default(), DiskSource::default());
    drop(progress);
    if let Some((unit, o)) = results.errors().next() {
        eprintln!("error: internal error in {unit}: {}", o.detail.clone().unwrap_or_default());
        return Exit::Internal;
    }
    let Some(outcome) = results.output(&planned.verdict) else {
        eprintln!("error: internal error: no verdict");
        return Exit::Internal;
    };
    // The report's input list hashes every top-level file again (the
    // 0.5 MB snapshot of PEP 458 bins): on the other core, beside the rest.
    let (mut doc, input_files) = rayon::join(
        || report::document(outcome, a.strict),
        || {
            let root_bytes = std::fs::read(&opts.root).unwrap_or_default();
            report::inputs(outcome, Some((&root_file, &root_bytes)))
        },
    );
    if let Some(e) = outcome.unparsed_trusted_root() {
        // The trust anchor does not parse (python-tuf's Updater refuses it):
        // exit 3, with the run's document under --format json.
        if args.format == Format::Json {
            println!("{}", doc.to_json_string());
        }
        eprintln!("error: trusted root {root_file}: {}", e.message);
        return Exit::Input;
    }
    super::record::stamp(&mut doc, &inputs(a), Some(report::trust_anchor(outcome, &root_file)), input_files);
    let text = match (args.format, inspect) {
        (Format::Json, false) => {
            // Written as it is serialized: the text of a 16,384-bin audit
            // would take more memory than the audit itself.
            // (A closed stdout is ignored, as `format::print` ignores it.)
            // In 64 KiB writes: the 11 MB of a 16,384-bin audit went out in
            // 2,700 of 8 KiB (a larger buffer is more fresh pages to fault in).
            let mut out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
            // The roles of an audit are rendered on all cores (`write_pretty`).
            let _ = doc
                .write_pretty(&mut out)
                .and_then(|()| std::io::Write::write_all(&mut out, b"\n"))
                .and_then(|()| std::io::Write::flush(&mut out));
            None
        }
        (Format::Json, true) => {
            let mut v = doc.to_value();
            v["inspect"] = serde_json::to_value(crate::tuf::inspect::tree(outcome)).unwrap_or_default();
            Some(serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        (Format::Text, false) => {
            Some(crate::report::tuf_text::verify(&doc, outcome) + &crate::report::record::text(&doc))
        }
        (Format::Text, true) => {
            Some(crate::report::tuf_text::inspect(&doc, outcome) + &crate::report::record::text(&doc))
        }
        (other, _) => {
            super::format::print(&super::format::render_common(&doc, other, &inputs(a)).unwrap_or_default());
            None
        }
    };
    if let Some(text) = text {
        if args.format == Format::Text {
            super::format::print_text(&format!("{text}\n"));
        } else {
            super::format::print(&format!("{text}\n"));
        }
    }
    let exit = exit_of(doc.verdict);
    // The process ends here: freeing a million target entries one by one
    // would cost a few percent of a full audit.
    std::mem::forget(doc);
    std::mem::forget(results);
    exit
}

/// DESIGN §4: a verdict is exit 0 or 1 whatever the repository holds
/// (malformed or oversized metadata is evidence that it does not verify);
/// the trusted root that cannot be parsed was handled before.
fn exit_of(verdict: Verdict) -> Exit {
    match verdict {
        Verdict::Pass => Exit::Ok,
        Verdict::Fail => Exit::Failed,
    }
}

/// The client configuration of `a`: python-tuf's defaults and the limits given.
fn config(a: &RepoArgs) -> Config {
    let mut config = Config { strict: a.strict, lookup_only: a.lookup_only, ..Config::default() };
    a.limits.apply(&mut config);
    config.written_signature_form = a.signature_form.form() == crate::intoto::SignatureForm::Written;
    config
}

/// What the run was given, for the Markdown and SARIF reports.
pub fn inputs(a: &RepoArgs) -> Inputs {
    let mut i = Inputs::new();
    match (&a.root, &a.state) {
        (Some(r), _) => i.add("trusted root", r.display().to_string()),
        (None, Some(s)) => i.add("trusted root", s.join("root.json").display().to_string()),
        (None, None) => &mut i,
    };
    i.add("metadata", a.metadata.clone());
    i.add_opt("targets", a.targets.clone());
    i.add_opt("state directory", a.state.as_ref().map(|s| s.display().to_string()));
    if a.state.is_some() {
        i.add("save state", yes_no(a.save_state));
    }
    for t in &a.target {
        i.add("target", t.clone());
    }
    i.add_opt("--at", a.at.clone());
    i.add("all roles", yes_no(a.all_roles));
    i.add("strict", yes_no(a.strict));
    i
}

fn trusted_root(a: &RepoArgs) -> Result<(Vec<u8>, PathBuf), Exit> {
    if a.root.is_none() && a.state.is_none() {
        eprintln!("error: give --root TRUSTED_ROOT (or a --state directory holding root.json)");
        return Err(Exit::Usage);
    }
    read_trusted_root(a).map_err(|message| {
        eprintln!("error: {message}");
        Exit::Input
    })
}

/// The input named on the command line that cannot be read (the trusted
/// root, the --metadata or --targets directory) and why; `None` when all can.
fn unreadable_input(a: &RepoArgs) -> Option<(String, String)> {
    if a.root.is_none() && a.state.is_none() {
        return None; // a usage error, which options() reports (exit 2)
    }
    if let Err(message) = read_trusted_root(a) {
        let file =
            a.root.clone().or_else(|| a.state.as_ref().map(|s| s.join("root.json"))).unwrap_or_default();
        return Some((file.display().to_string(), message));
    }
    [Some(&a.metadata), a.targets.as_ref()]
        .into_iter()
        .flatten()
        .find(|l| !is_url(l) && !std::path::Path::new(l).is_dir())
        .map(|l| (l.clone(), format!("{l}: not a directory")))
}

/// The trusted root's path and bytes, or why they cannot be had (a missing
/// --root is a usage error, handled by [`trusted_root`]: `Ok` here).
fn read_trusted_root(a: &RepoArgs) -> Result<(Vec<u8>, PathBuf), String> {
    let path = match (&a.root, &a.state) {
        (Some(r), _) => r.clone(),
        (None, Some(s)) => s.join("root.json"),
        (None, None) => return Ok((Vec::new(), PathBuf::new())),
    };
    let file = std::fs::File::open(&path)
        .map_err(|e| format!("cannot read trusted root {}: {e}", path.display()))?;
    let limit = Config::default().root_max_length;
    let bytes = source::read_bounded(file, limit, &path.display().to_string())
        .map_err(|e| format!("trusted root: {e}"))?;
    Ok((bytes, path))
}

/// The document of a run that could not start: the trust anchor or a named
/// directory (`file`) cannot be read. python-tuf is never reached, so the
/// category is `other`; the verdict fails.
pub fn anchor_document(at: Option<&str>, file: &str, message: &str) -> crate::verdict::Document {
    anchor_document_of(crate::verdict::Kind::Tuf, at, file, message)
}

/// [`anchor_document`] for a run of `kind` (`bridge verify` too).
pub fn anchor_document_of(
    kind: crate::verdict::Kind,
    at: Option<&str>,
    file: &str,
    message: &str,
) -> crate::verdict::Document {
    use crate::verdict::{Finding, Subject, category};
    let at = at.and_then(|t| crate::meta::time::parse(t).ok()).map_or_else(crate::meta::time::now, |t| t.at);
    let finding =
        Finding::error(category::OTHER, Subject::File { path: file.to_owned() }, message.to_owned())
            .at(crate::meta::Location::new(file, ""));
    let mut doc = crate::verdict::Document::new(kind, at, vec![finding], category::OTHER);
    doc.refresh = Some("error".into());
    doc
}

fn is_url(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// A directory or URL source; `layout` forces the directory's source-layout
/// fallback (targets take the metadata directory's layout).
fn open_source(location: &str, layout: Option<bool>) -> Result<Box<dyn Source>, Exit> {
    if is_url(location) {
        return Ok(source::open(location));
    }
    let path = PathBuf::from(location);
    if !path.is_dir() {
        eprintln!("error: {location}: not a directory");
        return Err(Exit::Input);
    }
    let dir = DirSource::new(&path);
    Ok(Box::new(match layout {
        Some(on) => dir.with_source_layout(on),
        None => dir,
    }))
}
