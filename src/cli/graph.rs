//! `trailscope graph` — the supply-chain graph as DOT, Mermaid or JSON
//! (DESIGN §2 `graph/`), from the same inputs as `verify` (in-toto) or
//! `tuf verify`: the graph of the verification result, whether or not it
//! verified (the TUI's chain reads the same graph), marked with the verdict
//! and category `verify` / `tuf verify` give the same inputs (so a failing
//! chain is never drawn as a clean one); exit 0 when it was written, 3 when
//! what the command line names (the layout, a key, the trusted root, a
//! directory) cannot be read or parsed, 1 when the trusted root parses but
//! does not verify (nothing to draw).

use clap::{Args, Subcommand, ValueEnum};

use super::Exit;
use super::tuf::RepoArgs;
use super::verify::VerifyInputs;
use crate::graph::export::{self, ExportOptions, Marking};
use crate::graph::{self, SupplyGraph};
use crate::verdict::Verdict;
use crate::verdict::category::Category;

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(subcommand)]
    pub command: GraphCommand,
}

#[derive(Debug, Subcommand)]
pub enum GraphCommand {
    /// The graph of an in-toto layout and its links (the inputs of `verify`).
    Intoto(IntotoGraphArgs),
    /// The graph of a TUF repository's roles, keys and targets (the inputs of `tuf verify`).
    Tuf(TufGraphArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, Args)]
pub struct GraphOutput {
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
    /// Include one node per artifact (per path per step side) and the
    /// produces/consumes edges; large for big links.
    #[arg(long)]
    pub artifacts: bool,
}

#[derive(Debug, Args)]
pub struct IntotoGraphArgs {
    #[command(flatten)]
    pub inputs: VerifyInputs,
    #[command(flatten)]
    pub output: GraphOutput,
}

#[derive(Debug, Args)]
pub struct TufGraphArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub output: GraphOutput,
}

pub fn run(args: &GraphArgs) -> Exit {
    match export(args) {
        Ok(text) => {
            super::format::print(&text);
            Exit::Ok
        }
        Err(exit) => exit,
    }
}

/// The graph of `args` in the format asked, marked with the verdict, or the
/// exit code of a usage or input error (said on stderr).
pub fn export(args: &GraphArgs) -> Result<String, Exit> {
    let output = match &args.command {
        GraphCommand::Intoto(a) => &a.output,
        GraphCommand::Tuf(a) => &a.output,
    };
    Ok(render(&build(args)?, output))
}

/// A graph and the verdict the verifier gave its inputs.
pub struct Marked {
    pub graph: SupplyGraph,
    pub verdict: Verdict,
    pub category: Category,
}

/// Builds the graph of `args` and verifies its inputs.
pub fn build(args: &GraphArgs) -> Result<Marked, Exit> {
    let (graph, (verdict, category)) = match &args.command {
        GraphCommand::Intoto(a) => intoto_graph(&a.inputs)?,
        GraphCommand::Tuf(a) => tuf_graph(&a.repo)?,
    };
    Ok(Marked { graph, verdict, category })
}

/// The graph in `output`'s format, marked with its verdict.
pub fn render(m: &Marked, output: &GraphOutput) -> String {
    let marking = Marking { verdict: m.verdict, category: m.category };
    let o = ExportOptions { artifacts: output.artifacts, marking: Some(marking) };
    match output.format {
        GraphFormat::Dot => export::to_dot(&m.graph, o),
        GraphFormat::Mermaid => export::to_mermaid(&m.graph, o),
        GraphFormat::Json => {
            format!("{}\n", serde_json::to_string_pretty(&export::to_json(&m.graph, o)).unwrap_or_default())
        }
    }
}

/// The verdict and category of a run.
type Judged = (Verdict, Category);

/// The graph of the layout and links, and `verify`'s verdict on them.
fn intoto_graph(inputs: &VerifyInputs) -> Result<(SupplyGraph, Judged), Exit> {
    let opts = super::verify::options(inputs, "graph")?;
    // Verified once: the graph and its marking are the same result.
    let outcome = crate::intoto::verify(&opts).map_err(|e| {
        eprintln!("trailscope graph: {e}");
        Exit::Input
    })?;
    let keys: Vec<String> =
        opts.layout_keys.iter().map(|k| crate::intoto::stages::VerifierKey::given(k).keyid).collect();
    let g = graph::intoto::from_outcome(&outcome, &keys);
    Ok((g, (outcome.verdict, outcome.category)))
}

/// TUF trust is sequential, so the graph is what a full audit trusted
/// (every reachable role), plus the delegated roles it could not trust; the
/// verdict is `tuf verify`'s with the flags given (a second run unless
/// `--all-roles` asked for the audit).
fn tuf_graph(repo: &RepoArgs) -> Result<(SupplyGraph, Judged), Exit> {
    let mut opts = super::tuf::options(repo, true)?;
    // The graph lists every target of every role: the audit keeps them.
    opts.config.keep_audited_targets = true;
    let root = std::fs::read(&opts.root).map_err(|e| {
        eprintln!("trailscope graph: cannot read trusted root {}: {e}", opts.root.display());
        Exit::Input
    })?;
    let audit = crate::engine::plans::tuf::run_session(&opts, root.clone(), opts.at);
    if let Some(e) = audit.unparsed_trusted_root() {
        eprintln!("trailscope graph: the trusted root {} does not parse: {}", opts.root.display(), e.message);
        return Err(Exit::Input);
    }
    let judged = |outcome: &crate::tuf::session::Outcome| {
        let doc = crate::tuf::report::document(outcome, repo.strict);
        (doc.verdict, doc.category)
    };
    let verdict = if repo.all_roles {
        judged(&audit)
    } else {
        let asked = super::tuf::options(repo, false)?;
        judged(&crate::engine::plans::tuf::run_session(&asked, root, asked.at))
    };
    // A trusted root that parses but does not verify (its own signatures):
    // evidence, nothing trusted to draw (DESIGN §4: exit 1).
    let g = graph::tuf::from_outcome(&audit).ok_or_else(|| {
        let why = audit.refresh.err().map(|e| e.message).unwrap_or_default();
        eprintln!("trailscope graph: the trusted root {} does not verify: {why}", opts.root.display());
        Exit::Failed
    })?;
    Ok((g, verdict))
}
