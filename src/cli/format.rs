//! `--format` of the headless commands: one value set for `verify`,
//! `tuf verify`/`inspect`, `bridge verify`, `demo NAME` and `report`, and
//! the renderers of the formats every result has (DESIGN §2: one result
//! model, many renderers).

use clap::ValueEnum;

use crate::verdict::{Document, Inputs};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: one paragraph per failure.
    Text,
    /// The stable JSON document (DESIGN §4, schema_version 2: with the checks performed and the input files).
    Json,
    /// An auditor report to attach: verdict, inputs, counts, the first failure with its evidence, every finding.
    Markdown,
    /// SARIF 2.1.0, for code-scanning services and SARIF viewers.
    Sarif,
}

/// The Markdown or SARIF rendering of `doc`; `None` for the formats each
/// command renders itself (text, JSON).
pub fn render_common(doc: &Document, format: Format, inputs: &Inputs) -> Option<String> {
    match format {
        Format::Markdown => Some(crate::report::markdown::render_with(doc, inputs)),
        Format::Sarif => Some(crate::report::sarif::render(doc, inputs)),
        Format::Text | Format::Json => None,
    }
}

/// "yes" or "no".
pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// What the run did with a layout's inspections, for the reports' inputs.
pub fn inspections(run: bool, skip: bool) -> &'static str {
    match (run, skip) {
        (true, _) => "run (--run-inspections)",
        (false, true) => "skipped (--skip-inspections)",
        (false, false) => "not run: a layout with inspections does not verify",
    }
}

/// Writes `text` to stdout; a closed pipe (e.g. `| head`) is not an error.
pub fn print(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
}
