//! `trailscope verify` — a drop-in for `in-toto-verify` (DESIGN §4).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::Exit;
use super::format::yes_no;
use crate::crypto::PublicKey;
use crate::engine::{DiskSource, EngineConfig, run_to_completion};
use crate::intoto::{self, VerifyOptions, category};
use crate::verdict::{Inputs, Verdict};

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
    #[command(flatten)]
    pub link_limits: LinkLimits,
}

/// The in-toto limits on links: shared by `verify`, `graph intoto` and `bridge verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct LinkLimits {
    /// Most materials (and products) one link may list (exit 3 beyond).
    #[arg(long, value_name = "N", default_value_t = intoto::MAX_ARTIFACTS_PER_LINK)]
    pub max_artifacts_per_link: usize,
    /// Most link files read, all steps and sublayouts together (exit 3 beyond).
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

/// DESIGN §4 exit 3: an in-toto failure category that means a layout or link
/// could not be read (malformed, or beyond a limit).
pub fn unreadable_category(category: &str) -> bool {
    category == category::METADATA_INVALID || category == category::LIMIT_EXCEEDED
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
    opts.max_metadata_bytes = args.max_metadata_bytes;
    args.link_limits.apply(&mut opts);
    // The argv of each inspection is shown before it runs (DESIGN §9).
    opts.announce = Some(|line| eprintln!("trailscope: {line}"));
    Ok(opts)
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
    i.add("inspections run", yes_no(args.run_inspections));
    i.add("strict", yes_no(args.strict));
    i
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
    let planned = match crate::engine::plans::intoto::plan_one_shot(&opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("trailscope verify: internal error: {e}");
            return Exit::Internal;
        }
    };
    let results = run_to_completion(
        planned.plan,
        EngineConfig::default(),
        DiskSource { max_len: opts.max_metadata_bytes },
    );
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
        other => {
            let doc = outcome.to_document();
            super::format::render_common(&doc, other, &inputs(&args.inputs)).unwrap_or_default()
        }
    };
    super::format::print(&text);
    let exit = match outcome.verdict {
        Verdict::Pass => Exit::Ok,
        Verdict::Fail if unreadable_category(&outcome.category) => Exit::Input,
        Verdict::Fail => Exit::Failed,
    };
    // The process ends here: freeing every artifact entry one by one (300k
    // of them at 100k per link) would cost a tenth of the run.
    std::mem::forget(results);
    std::mem::forget(outcome);
    exit
}
