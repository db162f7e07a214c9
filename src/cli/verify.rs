//! `trailscope verify` — a drop-in for `in-toto-verify` (DESIGN §4).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::Exit;
use crate::crypto::PublicKey;
use crate::engine::{DiskSource, EngineConfig, run_to_completion};
use crate::intoto::{self, VerifyOptions, category};
use crate::report::Verdict;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

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
    #[arg(long)]
    pub run_inspections: bool,
    /// Seconds each inspection may run.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub inspection_timeout: u64,
    /// Treat weaknesses the reference accepts as errors.
    #[arg(long)]
    pub strict: bool,
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
    let params = parse_params(&args.params).map_err(|e| usage(command, &e))?;
    let at = match &args.at {
        None => crate::meta::time::now(),
        Some(t) => crate::meta::time::parse(t).map_err(|e| usage(command, &format!("--at: {e}")))?.at,
    };
    let mut keys = Vec::with_capacity(args.keys.len());
    for path in &args.keys {
        let bytes = std::fs::read(path).map_err(|e| {
            eprintln!("trailscope {command}: cannot read key {}: {e}", path.display());
            Exit::Input
        })?;
        let key = PublicKey::from_file_bytes(&bytes).map_err(|e| {
            eprintln!("trailscope {command}: key {} is malformed: {e}", path.display());
            Exit::Input
        })?;
        keys.push(key);
    }
    let mut opts = VerifyOptions::new(&args.layout, keys);
    opts.link_dir = args.link_dir.clone();
    opts.workdir = args.workdir.clone();
    opts.params = params;
    opts.at = at;
    opts.run_inspections = args.run_inspections;
    opts.inspection_timeout = Duration::from_secs(args.inspection_timeout);
    opts.strict = args.strict;
    Ok(opts)
}

/// Runs the subcommand through the engine (the verdict unit of an
/// in-toto plan) and waits for it; a unit that cannot run is exit 4.
pub fn run(args: &VerifyArgs) -> Exit {
    let opts = match options(&args.inputs, "verify") {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    if let Some(p) = &opts.params
        && let Some(bad) = p.keys().find(|k| !intoto::params::valid_name(k))
    {
        return usage("verify", &format!("invalid parameter name {bad:?}"));
    }
    let planned = match crate::engine::plans::intoto::plan(&opts, false) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("trailscope verify: internal error: {e}");
            return Exit::Internal;
        }
    };
    let results = run_to_completion(planned.plan, EngineConfig::default(), DiskSource::default());
    if let Some((unit, o)) = results.errors().next() {
        eprintln!("trailscope verify: internal error in {unit}: {}", o.detail.clone().unwrap_or_default());
        return Exit::Internal;
    }
    let outcome = match results.output(&planned.verdict) {
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
    let text = match args.format {
        OutputFormat::Json => format!("{}\n", outcome.to_document().to_json_string()),
        OutputFormat::Text => crate::report::text_intoto::render(&outcome),
    };
    // A closed pipe (e.g. `| head`) is not an error of verification.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    match outcome.verdict {
        Verdict::Pass => Exit::Ok,
        Verdict::Fail if outcome.category == category::METADATA_INVALID => Exit::Input,
        Verdict::Fail => Exit::Failed,
    }
}
