//! `trailscope tuf-client`: the client command line of the tuf-conformance
//! suite (github.com/theupdateframework/tuf-conformance, `CLIENT-CLI.md`),
//! on top of the same [`Updater`] / [`TrustedSet`](crate::tuf::TrustedSet)
//! state machine as `trailscope tuf verify`.
//!
//! ```text
//! tuf-client --metadata-dir D init TRUSTED_ROOT
//! tuf-client --metadata-url U --metadata-dir D refresh
//! tuf-client --metadata-url U --metadata-dir D --target-name P [--target-name P2 ...] \
//!            --target-dir T --target-base-url TU download
//! ```
//!
//! Options come before the subcommand, in any order. Exit 0 on success, 1 on
//! any failure (usage errors too), with the reason — which role, which
//! check — on stderr. `--timeout SECS` and `--min-speed BYTES_PER_SEC` bound
//! every download (python-tuf's 30 s socket timeout by default; a slow mirror
//! fails as `slow-retrieval`).
//!
//! `D` holds the exact bytes of every trusted role as `quote(role).json`
//! (intermediate roots in `D/root_history/`). Artifacts are cached in `T` as
//! `quote(target path)`: a file whose length and hashes match the trusted
//! target info is not downloaded again, and a file that fails verification
//! is never written. The clock is read once per process through libc, so
//! `faketime` works on the (dynamically linked) binary.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{ArgAction, Args, Subcommand};
use time::OffsetDateTime;

use super::Exit;
use crate::tuf::trusted_set::{check_hashes, check_length};
use crate::tuf::{Config, HttpSource, StateDir, TargetFile, TufError, Updater, quote, source};
use crate::verdict::Evidence;

#[derive(Debug, Args)]
pub struct TufClientArgs {
    /// Base URL of the repository's metadata.
    #[arg(long, value_name = "URL")]
    pub metadata_url: Option<String>,
    /// Local trusted metadata (exact bytes as received).
    #[arg(long, value_name = "DIR")]
    pub metadata_dir: Option<PathBuf>,
    /// A target path to download (repeatable, processed in order).
    #[arg(long = "target-name", value_name = "PATH")]
    pub target_name: Vec<String>,
    /// Where downloaded artifacts are kept (and looked up first).
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Base URL of the repository's targets.
    #[arg(long, value_name = "URL")]
    pub target_base_url: Option<String>,
    /// Seconds a download may wait to connect, for the answer and between
    /// reads (python-tuf's socket timeout: 30).
    #[arg(long, value_name = "SECS", default_value_t = 30.0, value_parser = super::tuf::positive_seconds)]
    pub timeout: f64,
    /// Slowest average download speed accepted, bytes per second (a download
    /// of at most N bytes gets the timeout plus N / BYTES_PER_SEC seconds).
    #[arg(long, value_name = "BYTES_PER_SEC", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub min_speed: u64,
    /// More output on stderr (repeatable).
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: ClientCommand,
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Store TRUSTED_ROOT as the initial trusted root in --metadata-dir.
    Init {
        #[arg(value_name = "TRUSTED_ROOT")]
        trusted_root: PathBuf,
    },
    /// Update the top-level metadata (root, timestamp, snapshot, targets).
    Refresh,
    /// Refresh, then look up, download and verify each --target-name.
    Download,
}

/// A failure of the client: what to print on stderr.
struct Failure(String);

impl From<TufError> for Failure {
    /// `ROLE: MESSAGE (RULE, CATEGORY)`, then the detail that explains it.
    fn from(e: TufError) -> Self {
        let mut text = format!("{}: {} ({}, {})", e.role, e.message, e.rule, e.category);
        match &*e.evidence {
            Evidence::Expiry { expires, evaluated_at } => {
                text.push_str(&format!("; expires {expires}, evaluated at {evaluated_at}"));
            }
            Evidence::Versions { trusted, new } => {
                text.push_str(&format!("; trusted/expected version {trusted}, got {new}"));
            }
            _ => {}
        }
        if let Some(at) = &e.location {
            text.push_str(&format!("; in {at}"));
        }
        Failure(text)
    }
}

pub fn run(args: &TufClientArgs) -> Exit {
    // The one reading of the clock (§5.1: a fixed update start time).
    let now = OffsetDateTime::now_utc();
    // The protocol knows exit codes 0 and 1 only: a panic (a bug) is a failure too.
    let result = std::panic::catch_unwind(|| match &args.command {
        ClientCommand::Init { trusted_root } => init(args, trusted_root),
        ClientCommand::Refresh => refresh(args, now),
        ClientCommand::Download => download(args, now),
    });
    match result {
        Ok(Ok(())) => Exit::Ok,
        Ok(Err(Failure(reason))) => {
            eprintln!("tuf-client: error: {reason}");
            Exit::Failed
        }
        Err(_) => {
            eprintln!("tuf-client: error: internal error (panic)");
            Exit::Failed
        }
    }
}

fn net(args: &TufClientArgs) -> source::NetLimits {
    source::NetLimits { timeout: std::time::Duration::from_secs_f64(args.timeout), min_speed: args.min_speed }
}

fn required<'a, T: ?Sized>(value: Option<&'a T>, flag: &str) -> Result<&'a T, Failure> {
    value.ok_or_else(|| Failure(format!("{flag} is required")))
}

/// `init`: the trusted root becomes `D/root.json`, byte for byte (it is
/// verified by the first refresh, before any request).
fn init(args: &TufClientArgs, trusted_root: &Path) -> Result<(), Failure> {
    let dir = required(args.metadata_dir.as_deref(), "--metadata-dir")?;
    let bytes = read_root_file(trusted_root)?;
    std::fs::create_dir_all(dir).map_err(|e| Failure(format!("cannot create {}: {e}", dir.display())))?;
    let state = StateDir::new(dir, true);
    state
        .persist("root", &bytes)
        .map_err(|e| Failure(format!("cannot store the trusted root in {}: {e}", dir.display())))?;
    if args.verbose > 0 {
        eprintln!("tuf-client: initialized {} from {}", dir.display(), trusted_root.display());
    }
    Ok(())
}

fn read_root_file(path: &Path) -> Result<Vec<u8>, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| Failure(format!("root: cannot read trusted root {}: {e}", path.display())))?;
    source::read_bounded(file, Config::default().root_max_length, &path.display().to_string())
        .map_err(|e| Failure(format!("root: trusted root: {e}")))
}

/// The updater over `D` and the metadata URL, with the trusted root from `D/root.json`.
fn updater<'a>(
    args: &TufClientArgs,
    metadata: &'a HttpSource,
    now: OffsetDateTime,
) -> Result<Updater<'a>, Failure> {
    let dir = required(args.metadata_dir.as_deref(), "--metadata-dir")?;
    let state = StateDir::new(dir, true);
    let root_path = state.path_for("root");
    let root = read_root_file(&root_path)?;
    let config = Config { net: metadata.limits(), ..Config::default() };
    let updater = Updater::new(&root, &root_path.display().to_string(), metadata, now, config)?;
    Ok(updater.with_state(state))
}

fn print_notes(args: &TufClientArgs, updater: &Updater<'_>) {
    for note in updater.notes() {
        // Failures to store state matter always; the rest is debugging detail.
        if args.verbose > 0 || note.category == "state-not-saved" {
            eprintln!("tuf-client: {}: {}", note.category, note.message);
        }
    }
}

fn refresh(args: &TufClientArgs, now: OffsetDateTime) -> Result<(), Failure> {
    let url = required(args.metadata_url.as_deref(), "--metadata-url")?;
    let metadata = HttpSource::with_limits(url, net(args));
    let mut updater = updater(args, &metadata, now)?;
    let result = updater.refresh();
    print_notes(args, &updater);
    result?;
    if args.verbose > 0 {
        eprintln!("tuf-client: refreshed {}", url);
    }
    Ok(())
}

fn download(args: &TufClientArgs, now: OffsetDateTime) -> Result<(), Failure> {
    let url = required(args.metadata_url.as_deref(), "--metadata-url")?;
    let target_dir = required(args.target_dir.as_deref(), "--target-dir")?;
    let target_url = required(args.target_base_url.as_deref(), "--target-base-url")?;
    let metadata = HttpSource::with_limits(url, net(args));
    let targets = HttpSource::with_limits(target_url, net(args));
    let mut updater = updater(args, &metadata, now)?.with_targets(&targets);
    let result = download_all(args, &mut updater, target_dir);
    print_notes(args, &updater);
    result
}

fn download_all(args: &TufClientArgs, updater: &mut Updater<'_>, target_dir: &Path) -> Result<(), Failure> {
    // The implicit refresh: top-level metadata first, whatever the targets.
    updater.refresh()?;
    for path in &args.target_name {
        let lookup = updater.get_targetinfo(path)?;
        let Some((role, info)) = lookup.found else {
            let searched = lookup.visited.join(", ");
            let why = if lookup.limit_reached { " (delegation limit reached)" } else { "" };
            return Err(Failure(format!("target {path} not found in roles [{searched}]{why}")));
        };
        let Some(name) = target_file_name(path) else {
            return Err(Failure(format!("target path {path:?} cannot be stored as a file")));
        };
        let file = target_dir.join(name);
        if cached(&file, &info, &role) {
            if args.verbose > 0 {
                eprintln!("tuf-client: {path}: cached copy {} is valid", file.display());
            }
            continue;
        }
        let data = updater.download_target(path, &info, &role)?;
        store(target_dir, &file, &data)
            .map_err(|e| Failure(format!("cannot store {path} as {}: {e}", file.display())))?;
        if args.verbose > 0 {
            eprintln!("tuf-client: {path}: downloaded {} bytes (listed by {role})", data.len());
        }
    }
    Ok(())
}

/// The file name a target path is cached under in `--target-dir`:
/// `quote(path)` (python-tuf's `quote(target_path, "")`), which escapes `/`,
/// `\`, NUL and every other byte outside `[A-Za-z0-9_.~-]`. `None` for the
/// names that would not be a file inside the directory (`""`, `.`, `..`).
/// Whatever `Some` holds is one plain path component.
pub fn target_file_name(path: &str) -> Option<String> {
    let name = quote(path);
    (!matches!(name.as_str(), "" | "." | "..")).then_some(name)
}

/// A file already in the target directory with the trusted length and hashes.
fn cached(file: &Path, info: &TargetFile, role: &str) -> bool {
    let Ok(meta) = std::fs::metadata(file) else { return false };
    if !meta.is_file() || meta.len() != info.length {
        return false;
    }
    let Ok(data) = std::fs::read(file) else { return false };
    let what = file.display().to_string();
    check_length(info.length, &data, role, "§5.7.3", &what).is_ok()
        && check_hashes(&info.hashes, &data, role, "§5.7.3", &what).is_ok()
}

/// Writes verified bytes through a temporary file renamed into place.
fn store(dir: &Path, file: &Path, data: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".tuf-client-").tempfile_in(dir)?;
    tmp.write_all(data)?;
    tmp.flush()?;
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}
