//! `trailscope verify` — a drop-in for `in-toto-verify` (DESIGN §4).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::Exit;
use crate::crypto::PublicKey;
use crate::intoto::{self, VerifyOptions, category};
use crate::report::Verdict;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
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
    /// Largest layout or link file read, in bytes (exit 3 beyond).
    #[arg(long, value_name = "BYTES", default_value_t = intoto::metadata::MAX_METADATA_BYTES)]
    pub max_metadata_bytes: u64,
    /// Most materials (and products) one link may list (exit 3 beyond).
    #[arg(long, value_name = "N", default_value_t = intoto::MAX_ARTIFACTS_PER_LINK)]
    pub max_artifacts_per_link: usize,
    /// Most link files read, all steps and sublayouts together (exit 3 beyond).
    #[arg(long, value_name = "N", default_value_t = intoto::MAX_LINKS)]
    pub max_links: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

fn usage(msg: &str) -> Exit {
    eprintln!("trailscope verify: {msg}");
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

/// Runs the subcommand.
pub fn run(args: &VerifyArgs) -> Exit {
    let params = match parse_params(&args.params) {
        Ok(p) => p,
        Err(e) => return usage(&e),
    };
    let at = match &args.at {
        None => crate::meta::time::now(),
        Some(t) => match crate::meta::time::parse(t) {
            Ok(t) => t.at,
            Err(e) => return usage(&format!("--at: {e}")),
        },
    };
    let mut keys = Vec::with_capacity(args.keys.len());
    for path in &args.keys {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("trailscope verify: cannot read key {}: {e}", path.display());
                return Exit::Input;
            }
        };
        match PublicKey::from_file_bytes(&bytes) {
            Ok(k) => keys.push(k),
            Err(e) => {
                eprintln!("trailscope verify: key {} is malformed: {e}", path.display());
                return Exit::Input;
            }
        }
    }
    let mut opts = VerifyOptions::new(&args.layout, keys);
    opts.link_dir = args.link_dir.clone();
    opts.workdir = args.workdir.clone();
    opts.params = params;
    opts.at = at;
    opts.run_inspections = args.run_inspections;
    opts.inspection_timeout = Duration::from_secs(args.inspection_timeout);
    opts.strict = args.strict;
    opts.max_metadata_bytes = args.max_metadata_bytes;
    opts.max_artifacts_per_link = args.max_artifacts_per_link;
    opts.max_links = args.max_links;
    // The argv of each inspection is shown before it runs (DESIGN §9).
    opts.announce = Some(|line| eprintln!("trailscope verify: {line}"));
    let outcome = match intoto::verify(&opts) {
        Ok(o) => o,
        Err(intoto::Error::Parameter(p)) => return usage(&format!("invalid parameter name {p:?}")),
        Err(e) => {
            eprintln!("trailscope verify: {e}");
            return Exit::Input;
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
        Verdict::Fail
            if [category::METADATA_INVALID, category::LIMIT_EXCEEDED]
                .contains(&outcome.category.as_str()) =>
        {
            Exit::Input
        }
        Verdict::Fail => Exit::Failed,
    }
}
