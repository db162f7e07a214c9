//! `trailscope report --input FILE.json`: re-renders a document saved with
//! `--format json` (from `verify`, `tuf verify`, `bridge verify`, `demo` or
//! the TUI's export) as Markdown, text or SARIF — the same renderers over the
//! same model, so the report equals the one the run would have printed,
//! with its inputs, trust anchor and checks performed (schema_version 2; a
//! schema_version 1 document renders without them).
//!
//! Exit codes: 0 rendered (whatever the verdict), 2 usage error, 3 the file
//! cannot be read or is not a trailscope document of schema_version 1 or 2.

use std::io::Read as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Exit;
use crate::verdict::{Document, Inputs};

/// The largest document read (a 100k-artifact trace is a few MB).
const MAX_DOCUMENT: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// An auditor report to attach: verdict, counts, the first failure with its evidence, every finding.
    Markdown,
    /// For people, on a terminal.
    Text,
    /// SARIF 2.1.0, for code-scanning services and SARIF viewers.
    Sarif,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A document saved with --format json (`-` reads standard input).
    #[arg(long, value_name = "FILE.json")]
    pub input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
}

/// Reads a saved document.
pub fn read(path: &std::path::Path) -> Result<Document, (Exit, String)> {
    let mut text = String::new();
    let shown = path.display();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().take(MAX_DOCUMENT).read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_DOCUMENT).read_to_string(&mut text))
    };
    read.map_err(|e| (Exit::Input, format!("cannot read {shown}: {e}")))?;
    Document::from_json_str(&text).map_err(|e| (Exit::Input, format!("{shown}: {e}")))
}

/// Renders `doc` in `format`.
pub fn render(doc: &Document, format: ReportFormat) -> String {
    match format {
        ReportFormat::Markdown => crate::report::markdown::render_with(doc, &Inputs::default()),
        ReportFormat::Text => crate::report::text::render(doc),
        ReportFormat::Sarif => crate::report::sarif::render(doc, &Inputs::default()),
    }
}

pub fn run(args: &ReportArgs) -> Exit {
    match read(&args.input) {
        Ok(doc) => {
            let text = render(&doc, args.format);
            if args.format == ReportFormat::Text {
                super::format::print_text(&text);
            } else {
                super::format::print(&text);
            }
            Exit::Ok
        }
        Err((exit, msg)) => {
            eprintln!("trailscope report: {msg}");
            exit
        }
    }
}
