//! `trailscope open DIR`: detect what a directory holds (an in-toto layout
//! with keys and links, a TUF repository, or both) and explore it in the
//! TUI; with stdout not a terminal, print the text report instead. Takes the
//! flags of `verify` and `tuf verify` to name inputs detection cannot guess.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::Exit;
use crate::tui::open::{self, OpenOptions};
use crate::tui::{self, Launched};

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The directory to explore.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// in-toto: the root layout (default: root.layout or the one *.layout in DIR).
    #[arg(short = 'l', long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
    /// in-toto: layout keys (default: keys/*.pub*, else *.pub* in DIR).
    #[arg(short = 'k', long = "layout-keys", value_name = "KEY", num_args = 1..)]
    pub layout_keys: Vec<PathBuf>,
    /// in-toto: directory of the link files (default: links/, else DIR).
    #[arg(short = 'd', long, value_name = "DIR")]
    pub link_dir: Option<PathBuf>,
    /// in-toto: directory with the final product (default: workdir/, else DIR).
    #[arg(long, value_name = "DIR")]
    pub workdir: Option<PathBuf>,
    /// in-toto: substitution parameter for the layout.
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
    /// in-toto: seconds each inspection may run.
    #[arg(long, value_name = "SECONDS")]
    pub inspection_timeout: Option<u64>,
    /// TUF: the trusted root (default: trusted_root.json, root.json or 1.root.json).
    #[arg(long, value_name = "TRUSTED_ROOT")]
    pub root: Option<PathBuf>,
    /// TUF: the metadata directory (default: DIR, metadata/ or repo/metadata/).
    #[arg(long, value_name = "DIR")]
    pub metadata: Option<PathBuf>,
    /// TUF: the targets directory (default: targets/ beside the metadata).
    #[arg(long, value_name = "DIR")]
    pub targets: Option<PathBuf>,
    /// TUF / bridge: a target path to look up and verify (repeatable).
    #[arg(long = "target", value_name = "PATH")]
    pub target: Vec<String>,
    /// Evaluate at this time instead of now (RFC 3339); `t` changes it in the TUI.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Treat weaknesses the references accept as errors.
    #[arg(long)]
    pub strict: bool,
    /// Open an embedded demo scenario instead of DIR (`trailscope demo --list`
    /// names them: `act1-alice-alone`, `intoto-demo/package-swapped`, …);
    /// `a`/`A` then switch between the scenarios.
    #[arg(long, value_name = "SCENARIO")]
    pub demo: Option<String>,
    #[command(flatten)]
    pub tui: tui::args::TuiArgs,
}

fn usage(msg: &str) -> Exit {
    eprintln!("trailscope open: {msg}");
    Exit::Usage
}

pub fn run(args: &OpenArgs) -> Exit {
    let mut params = BTreeMap::new();
    for p in &args.params {
        let Some((name, value)) = p.split_once('=') else {
            return usage(&format!("--param {p:?} is not NAME=VALUE"));
        };
        params.insert(name.to_owned(), value.to_owned());
    }
    let at = match &args.at {
        None => None,
        Some(t) => match crate::meta::time::parse(t) {
            Ok(t) => Some(t.at),
            Err(e) => return usage(&format!("--at: {e}")),
        },
    };
    if let Some(name) = &args.demo {
        let choice = open::Inspections { run: args.run_inspections, skip: args.skip_inspections };
        let (session, demo_at) = match open::demo_session_with(name, choice) {
            Ok(s) => s,
            Err(e) => return usage(&e),
        };
        let mut tui_opts = args.tui.options();
        tui_opts.at = at.or(demo_at);
        return launch(session, tui_opts);
    }
    let opts = OpenOptions {
        layout: args.layout.clone(),
        layout_keys: args.layout_keys.clone(),
        link_dir: args.link_dir.clone(),
        workdir: args.workdir.clone(),
        params,
        run_inspections: args.run_inspections,
        skip_inspections: args.skip_inspections,
        inspection_timeout: args.inspection_timeout.map(Duration::from_secs),
        strict: args.strict,
        root: args.root.clone(),
        metadata: args.metadata.clone(),
        targets: args.targets.clone(),
        target: args.target.clone(),
        all_roles: true,
    };
    let opened = match open::detect(&args.dir, &opts) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("trailscope open: {e}");
            return Exit::Input;
        }
    };
    let label = args.dir.display().to_string();
    let session = open::session(&opened, label);
    let mut tui_opts = args.tui.options();
    tui_opts.at = at.or(opened.at);
    launch(session, tui_opts)
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
    let (session, at) = match open::demo_session(crate::demo::DEFAULT, false) {
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
