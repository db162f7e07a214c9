//! `trailscope tuf verify` and `trailscope tuf inspect` (DESIGN §4).
//!
//! Exit codes: 0 verified, 1 verification failed (including malformed or
//! missing repository metadata: that is what the client checks), 2 usage
//! error, 3 the trusted root or a named input cannot be read or parsed,
//! 4 internal error.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::Exit;
use crate::report::Verdict;
use crate::tuf::session::{self, Request};
use crate::tuf::{Category, Config, DirSource, Source, StateDir, report, source};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct InputArgs {
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
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: &TufArgs) -> Exit {
    match &args.command {
        TufCommand::Verify(a) => run_inputs(a, false),
        TufCommand::Inspect(a) => run_inputs(a, true),
    }
}

fn run_inputs(a: &InputArgs, inspect: bool) -> Exit {
    let at = match &a.at {
        None => crate::meta::time::now(),
        Some(text) => match crate::meta::time::parse(text) {
            Ok(t) => t.at,
            Err(e) => {
                eprintln!("error: --at: {e}");
                return Exit::Usage;
            }
        },
    };
    let (root_bytes, root_file) = match trusted_root(a) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let metadata = match open_source(&a.metadata, None) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    // Targets beside a metadata directory in the source layout are unprefixed too.
    let source_layout = (!is_url(&a.metadata)).then(|| DirSource::new(&a.metadata).source_layout());
    let targets = match &a.targets {
        None => None,
        Some(t) => match open_source(t, source_layout) {
            Ok(s) => Some(s),
            Err(exit) => return exit,
        },
    };
    let config = Config { strict: a.strict, lookup_only: a.lookup_only, ..Config::default() };
    let mut target_paths = a.target.clone();
    if let Some(file) = &a.targets_from {
        match std::fs::read_to_string(file) {
            Ok(text) => target_paths.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                return Exit::Input;
            }
        }
    }
    let outcome = session::run(Request {
        root_bytes,
        root_file: root_file.clone(),
        metadata: metadata.as_ref(),
        targets: targets.as_deref(),
        state: a.state.as_ref().map(|d| StateDir::new(d, a.save_state)),
        at,
        config,
        target_paths,
        all_roles: a.all_roles || inspect,
    });
    if let Err(e) = &outcome.refresh
        && outcome.trusted.is_none()
        && matches!(e.category, Category::Malformed | Category::WrongType | Category::SpecVersion)
    {
        eprintln!("error: trusted root {root_file}: {}", e.message);
        return Exit::Input;
    }
    let doc = report::document(&outcome, a.strict);
    let text = match (a.format, inspect) {
        (Format::Json, false) => doc.to_json_string(),
        (Format::Json, true) => {
            let mut v = doc.to_value();
            v["inspect"] = crate::tuf::inspect::tree(&outcome);
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
        (Format::Text, false) => crate::report::tuf_text::verify(&doc, &outcome),
        (Format::Text, true) => crate::report::tuf_text::inspect(&doc, &outcome),
    };
    println!("{text}");
    let exit = match doc.verdict {
        Verdict::Pass => Exit::Ok,
        Verdict::Fail => Exit::Failed,
    };
    // A full audit holds millions of small allocations; the process is
    // about to end, so they are left to the OS instead of freed one by one.
    std::mem::forget((outcome, doc, text));
    exit
}

fn trusted_root(a: &InputArgs) -> Result<(Vec<u8>, String), Exit> {
    let path = match (&a.root, &a.state) {
        (Some(r), _) => r.clone(),
        (None, Some(s)) => s.join("root.json"),
        (None, None) => {
            eprintln!("error: give --root TRUSTED_ROOT (or a --state directory holding root.json)");
            return Err(Exit::Usage);
        }
    };
    let file = std::fs::File::open(&path).map_err(|e| {
        eprintln!("error: cannot read trusted root {}: {e}", path.display());
        Exit::Input
    })?;
    let limit = Config::default().root_max_length;
    let bytes = source::read_bounded(file, limit, &path.display().to_string()).map_err(|e| {
        eprintln!("error: trusted root: {e}");
        Exit::Input
    })?;
    Ok((bytes, path.display().to_string()))
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
