//! `trailscope open DIR|FILE`: detect what a directory holds (an in-toto
//! layout with keys and links, a TUF repository, both, or a Sigstore
//! bundle) or open a bundle or attestation file, and explore it in the
//! TUI; with stdout not a terminal (or with `--format`), print the
//! report instead — for a bundle the document `attest verify` prints. Takes
//! every flag of `verify`, `tuf verify` and `bridge verify` (the limits as
//! those commands' own argument structs), to name inputs detection cannot
//! guess; each reaches the verifier as it does there.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::Exit;
use super::format::Format;
use super::tuf::TufLimits;
use super::verify::LinkLimits;
use crate::tuf::Config;
use crate::tui::open::{self, AttestOptions, OpenOptions};
use crate::tui::{self, Launched};

/// The inputs `--demo` replaces: a scenario names its own.
const INPUT_FLAGS: [&str; 9] =
    ["layout", "layout_keys", "link_dir", "workdir", "root", "metadata", "targets", "state", "targets_from"];

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The directory to explore, or a Sigstore bundle or attestation file
    /// (a bundle, JSON lines of bundles, a PEP 740 attestation, PyPI
    /// provenance, npm's or GitHub's attestation API response).
    #[arg(value_name = "DIR|FILE", default_value = ".")]
    pub dir: PathBuf,
    /// in-toto: the root layout (default: root.layout or the one *.layout in DIR).
    #[arg(short = 'l', long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
    /// in-toto: layout keys (default: keys/*.pub*, else *.pub* in DIR).
    #[arg(short = 'k', long = "layout-keys", visible_alias = "verification-keys", value_name = "KEY", num_args = 1..)]
    pub layout_keys: Vec<PathBuf>,
    /// in-toto: directory of the link files (default: links/, else DIR).
    #[arg(short = 'd', long, value_name = "DIR")]
    pub link_dir: Option<PathBuf>,
    /// in-toto: directory with the final product (default: workdir/, else DIR).
    #[arg(long, value_name = "DIR")]
    pub workdir: Option<PathBuf>,
    /// in-toto: substitution parameter for the layout (python str.format semantics).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// in-toto: run the layout's inspection commands (in a scratch copy of the
    /// workdir). Without it they are never run unasked: `I` in the TUI shows
    /// their argv and runs them after a yes.
    #[arg(long)]
    pub run_inspections: bool,
    /// in-toto: accept a verdict without the layout's inspections ("inspections skipped").
    #[arg(long, conflicts_with = "run_inspections")]
    pub skip_inspections: bool,
    /// in-toto: seconds each inspection may run (default 10).
    #[arg(long, value_name = "SECONDS")]
    pub inspection_timeout: Option<u64>,
    /// TUF: the trusted root (default: the --state directory's root.json, else
    /// trusted_root.json, root.json or 1.root.json).
    #[arg(long, value_name = "TRUSTED_ROOT")]
    pub root: Option<PathBuf>,
    /// TUF: repository metadata, a directory or an http(s) base URL (default:
    /// DIR, metadata/ or repo/metadata/).
    #[arg(long, value_name = "DIR|URL")]
    pub metadata: Option<String>,
    /// TUF: target files, a directory or an http(s) base URL (default:
    /// targets/ beside the metadata).
    #[arg(long, value_name = "DIR|URL")]
    pub targets: Option<String>,
    /// TUF: local state directory with previously trusted metadata (read;
    /// rollback and freeze checks). Default: a scenario's client state.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// TUF: write the newly trusted metadata (exact bytes) into --state.
    #[arg(long, requires = "state")]
    pub save_state: bool,
    /// TUF / bridge: a target path to look up and verify (repeatable).
    #[arg(long = "target", value_name = "PATH")]
    pub target: Vec<String>,
    /// TUF: a file of target paths to look up, one per line (after any --target).
    #[arg(long, value_name = "FILE")]
    pub targets_from: Option<PathBuf>,
    /// TUF: look targets up in the trusted metadata without downloading them.
    #[arg(long)]
    pub lookup_only: bool,
    /// TUF: load and verify every delegated role reachable from targets.
    #[arg(long)]
    pub all_roles: bool,
    /// Verify the TUF repository as `bridge verify` does: the --target
    /// package through TUF, then its in-toto supply chain (detected when a
    /// local targets directory holds in-toto-metadata/).
    #[arg(long)]
    pub bridge: bool,
    /// Evaluate at this time instead of now (RFC 3339); `t` changes it in the TUI.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Treat weaknesses the references accept as errors.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub limits: TufLimits,
    #[command(flatten)]
    pub link_limits: LinkLimits,
    #[command(flatten)]
    pub signature_form: super::verify::SignatureFormArgs,
    #[command(flatten)]
    pub attest: BundleFlags,
    /// Print the report in this format instead of opening the TUI: the
    /// document `e` exports (checks performed, every input file with its
    /// sha256); for Sigstore bundles the document `attest verify` prints.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Open an embedded demo scenario instead of DIR (`trailscope demo --list`
    /// names them: `act1-alice-alone`, `intoto-demo/package-swapped`, …) with
    /// the inputs `trailscope demo NAME` verifies; `a`/`A` then switch
    /// between the scenarios.
    #[arg(long, value_name = "SCENARIO", conflicts_with_all = INPUT_FLAGS)]
    pub demo: Option<String>,
    #[command(flatten)]
    pub tui: tui::args::TuiArgs,
}

/// The flags of `attest verify` for a Sigstore bundle (all optional here:
/// without an identity the identity checks are shown as not performed).
#[derive(Debug, Clone, Default, Args)]
pub struct BundleFlags {
    #[command(flatten)]
    pub shared: super::attest_flags::AttestFlags,
    /// Bundle: the artifact, a file or sha256:HEX / sha384:HEX / sha512:HEX.
    #[arg(long, value_name = "FILE|sha256:HEX")]
    pub artifact: Option<String>,
}

impl BundleFlags {
    pub fn options(&self) -> AttestOptions {
        self.shared.request(self.artifact.clone())
    }
}

fn usage(msg: &str) -> Exit {
    eprintln!("trailscope open: {msg}");
    Exit::Usage
}

fn parse_params(raw: &[String]) -> Result<Option<BTreeMap<String, String>>, Exit> {
    if raw.is_empty() {
        return Ok(None);
    }
    let mut params = BTreeMap::new();
    for p in raw {
        let Some((name, value)) = p.split_once('=') else {
            return Err(usage(&format!("--param {p:?} is not NAME=VALUE")));
        };
        if !crate::intoto::params::valid_name(name) {
            return Err(usage(&format!("--param name {name:?} must match [a-zA-Z0-9_-]+")));
        }
        params.insert(name.to_owned(), value.to_owned());
    }
    Ok(Some(params))
}

/// The verifiers' options of `args`, or the exit code of a usage or input error.
pub fn options(args: &OpenArgs) -> Result<OpenOptions, Exit> {
    let mut target = args.target.clone();
    if let Some(file) = &args.targets_from {
        let text = std::fs::read_to_string(file).map_err(|e| {
            eprintln!("trailscope open: cannot read {}: {e}", file.display());
            Exit::Input
        })?;
        target.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned));
    }
    let mut tuf_config = Config { lookup_only: args.lookup_only, ..Config::default() };
    args.limits.apply(&mut tuf_config);
    let defaults = OpenOptions::default();
    Ok(OpenOptions {
        layout: args.layout.clone(),
        layout_keys: args.layout_keys.clone(),
        link_dir: args.link_dir.clone(),
        workdir: args.workdir.clone(),
        params: parse_params(&args.params)?,
        run_inspections: args.run_inspections,
        skip_inspections: args.skip_inspections,
        inspection_timeout: args.inspection_timeout.map(Duration::from_secs),
        strict: args.strict,
        // One --max-metadata-bytes caps TUF metadata and in-toto layouts and
        // links, as in `bridge verify`.
        max_metadata_bytes: args.limits.max_metadata_bytes.unwrap_or(defaults.max_metadata_bytes),
        max_artifacts_per_link: args.link_limits.max_artifacts_per_link,
        max_links: args.link_limits.max_links,
        signature_form: args.signature_form.form(),
        root: args.root.clone(),
        metadata: args.metadata.clone(),
        targets: args.targets.clone(),
        state: args.state.clone(),
        save_state: args.save_state,
        target,
        all_roles: args.all_roles,
        bridge: args.bridge,
        tuf_config,
        attest: args.attest.options(),
        ..defaults
    })
}

pub fn run(args: &OpenArgs) -> Exit {
    let opts = match options(args) {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    let at = match &args.at {
        None => None,
        Some(t) => match crate::meta::time::parse(t) {
            Ok(t) => Some(t.at),
            Err(e) => return usage(&format!("--at: {e}")),
        },
    };
    if let Some(name) = &args.demo {
        let (session, demo_at) = match open::demo_session(name, &opts) {
            Ok(s) => s,
            Err(e) => return usage(&e),
        };
        let mut tui_opts = args.tui.options();
        tui_opts.at = at.or(demo_at);
        if let Some(format) = args.format {
            return headless(&session, &tui_opts, format);
        }
        return launch(session, tui_opts);
    }
    let opened = match open::detect_path(&args.dir, &opts) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("trailscope open: {e}");
            return Exit::Input;
        }
    };
    if let Some(e) = opened.flag_conflict() {
        return usage(&e);
    }
    if let open::Plan::Attest(inputs) = &opened.plan {
        let headless = matches!(tui::terminal::preflight(), Err(tui::Unsupported::NotATerminal));
        if args.format.is_some() || headless {
            return print_attestation(inputs, at, args.format.unwrap_or(Format::Text));
        }
    }
    let label = args.dir.display().to_string();
    let session = open::session(&opened, label);
    let mut tui_opts = args.tui.options();
    tui_opts.at = at.or(opened.at);
    if let Some(format) = args.format {
        return headless(&session, &tui_opts, format);
    }
    launch(session, tui_opts)
}

/// `open --format F`: the session's run rendered in `F` on stdout (or `-o`),
/// with the exit code `launch` gives a printed report.
fn headless(session: &tui::Session, opts: &tui::TuiOptions, format: Format) -> Exit {
    let (tx, _rx) = std::sync::mpsc::channel();
    let request = tui::Request { generation: 1, at: opts.at };
    let doc = match session.run_blocking(&request, tx) {
        Ok(results) => tui::model::Model::from_results(results).doc,
        Err(e) => {
            eprintln!(
                "trailscope open: could not verify {}: {}",
                crate::sanitize::sanitize(&session.label),
                crate::sanitize::sanitize(&e)
            );
            return Exit::Input;
        }
    };
    match format {
        Format::Json => super::format::print(&format!("{}\n", doc.to_json_string())),
        Format::Text => super::format::print_text(&tui::text_report(&doc)),
        other => super::format::print(
            &super::format::render_common(&doc, other, &crate::verdict::Inputs::default())
                .unwrap_or_default(),
        ),
    }
    super::verify::exit_of(&doc)
}

/// A bundle of an attestation file verified headless: the document `attest
/// verify` prints for it, in `format`; 0 verified, 1 not, 3 an input that
/// cannot be read. Every bundle of the file, as `attest verify` does.
fn print_attestation(inputs: &open::AttestInputs, at: Option<time::OffsetDateTime>, format: Format) -> Exit {
    let mut docs = Vec::new();
    for index in 0..inputs.labels.len() {
        let one = open::AttestInputs { index, ..inputs.clone() };
        match open::verify_attest(&one, at) {
            Ok(results) => docs.push(results.document),
            Err(e) => {
                eprintln!("trailscope open: {e}");
                return Exit::Input;
            }
        }
    }
    let Some(first) = docs.first() else { return Exit::Input };
    let doc_inputs = open::attest::document_inputs(first);
    super::format::print(&super::attest::render(&docs, format, &doc_inputs));
    if docs.iter().all(|d| d.verdict == crate::verdict::Verdict::Pass) { Exit::Ok } else { Exit::Failed }
}

/// `trailscope` with no argument: the embedded demo's act 3 (the adversary
/// replaces the package) in the TUI. Nothing is executed unasked: the demo's
/// inspection (it untars the package) runs only after `I` shows its argv and
/// the user says yes. With stdout not a terminal, the headless summary of
/// the three acts instead.
pub fn demo(args: &tui::args::TuiArgs) -> Exit {
    if matches!(tui::terminal::preflight(), Err(tui::Unsupported::NotATerminal)) {
        return super::demo::run_default();
    }
    let (session, at) = match open::demo_session(crate::demo::DEFAULT, &OpenOptions::default()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("trailscope: {e}");
            return Exit::Internal;
        }
    };
    let mut opts = args.options();
    opts.at = at;
    launch(session, opts)
}

/// Runs the TUI (or prints the report) and maps the outcome to an exit code
/// (DESIGN §4): the printed report's verdict like `verify`, `tuf verify` and
/// `bridge verify` map theirs; 3 when verification could not run because
/// what was named cannot be read (a key, the trusted root, the layout).
pub fn launch(session: tui::Session, opts: tui::TuiOptions) -> Exit {
    match tui::launch(session, opts) {
        Ok(Launched::Tui) => Exit::Ok,
        Ok(Launched::Printed(Some(doc))) => super::verify::exit_of(&doc),
        Ok(Launched::Printed(None)) => Exit::Input,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("trailscope: {e}");
            Exit::Usage
        }
        Err(e) => {
            eprintln!("trailscope: {e}");
            Exit::Internal
        }
    }
}
