//! `--format` of the headless commands: one value set for `verify`,
//! `tuf verify`/`inspect`, `bridge verify`, `demo NAME` and `report`, and
//! the renderers of the formats every result has (DESIGN §2: one result
//! model, many renderers).

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// `--color`: whether the text report on a terminal is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it).
    #[default]
    Auto,
    Always,
    Never,
}

/// Where the report goes (`-o FILE` or stdout) and whether it is coloured.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub file: Option<PathBuf>,
    pub color: ColorChoice,
}

static OUTPUT: OnceLock<Output> = OnceLock::new();
static WRITE_FAILED: AtomicBool = AtomicBool::new(false);

/// Sets where every command writes its report (once, before the command runs).
pub fn configure(output: Output) {
    let _ = OUTPUT.set(output);
}

fn output() -> &'static Output {
    OUTPUT.get_or_init(Output::default)
}

/// Whether `-o FILE` sends the report to a file (so stdout holds nothing).
pub fn to_file() -> bool {
    output().file.is_some()
}

/// True when writing the `-o` file failed (the command then exits 3).
pub fn write_failed() -> bool {
    WRITE_FAILED.load(Ordering::Relaxed)
}

/// Whether to colour: `--color`, then CLICOLOR_FORCE (set and not `0`
/// forces colour), then NO_COLOR (set and not empty: none), then whether
/// the output is a terminal. `env` looks a variable up.
pub fn color_enabled(choice: ColorChoice, terminal: bool, env: impl Fn(&str) -> Option<String>) -> bool {
    match choice {
        ColorChoice::Never => false,
        ColorChoice::Always => true,
        ColorChoice::Auto => {
            if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
                return true;
            }
            if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                return false;
            }
            terminal
        }
    }
}

/// The statuses of a text report in colour (the glyph and word stay: never
/// colour alone).
pub fn colorize(text: &str) -> String {
    const GREEN: &str = "\x1b[32m";
    const RED: &str = "\x1b[31m";
    const YELLOW: &str = "\x1b[33m";
    const RESET: &str = "\x1b[0m";
    let mut out = text.to_owned();
    for (word, colour) in [
        ("✔ PASS", GREEN),
        ("✘ FAIL", RED),
        ("✔ pass", GREEN),
        ("✘ fail", RED),
        ("○ not run", YELLOW),
        ("✘ error", RED),
        ("! warning", YELLOW),
    ] {
        out = out.replace(word, &format!("{colour}{word}{RESET}"));
    }
    out
}

/// Writes the report to `-o FILE` or stdout; a closed pipe (e.g. `| head`)
/// is not an error, a file that cannot be written is (exit 3).
pub fn print(text: &str) {
    match &output().file {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("trailscope: -o {}: cannot write: {e}", path.display());
                WRITE_FAILED.store(true, Ordering::Relaxed);
            }
        }
        None => {
            let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
        }
    }
}

/// [`print`] in pieces, for a report written while it is made (thousands
/// of attestation documents need not be held until the last is done). The
/// `-o` file is created by the first piece, as [`print`] would write it.
#[derive(Default)]
pub struct Printer {
    file: Option<std::io::BufWriter<std::fs::File>>,
    failed: bool,
}

impl Printer {
    pub fn write(&mut self, text: &str) {
        self.write_bytes(text.as_bytes());
    }

    /// [`Printer::write`] of text already known to be UTF-8 (serde_json's).
    pub fn write_bytes(&mut self, text: &[u8]) {
        use std::io::Write as _;
        let Some(path) = &output().file else {
            let _ = std::io::stdout().write_all(text);
            return;
        };
        if self.failed {
            return;
        }
        let written = match &mut self.file {
            Some(f) => f.write_all(text),
            None => std::fs::File::create(path).and_then(|f| {
                let mut f = std::io::BufWriter::new(f);
                let r = f.write_all(text);
                self.file = Some(f);
                r
            }),
        };
        if let Err(e) = written {
            self.fail(&e);
        }
    }

    /// Flushes the `-o` file; a failure is reported as [`print`] reports it.
    pub fn finish(mut self) {
        use std::io::Write as _;
        if let Some(Err(e)) = self.file.as_mut().map(|f| f.flush()) {
            self.fail(&e);
        }
    }

    fn fail(&mut self, e: &std::io::Error) {
        self.failed = true;
        let path = output().file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        eprintln!("trailscope: -o {path}: cannot write: {e}");
        WRITE_FAILED.store(true, Ordering::Relaxed);
    }
}

/// [`print`] for a text report: coloured as `--color` says.
pub fn print_text(text: &str) {
    let o = output();
    let terminal = o.file.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
    if color_enabled(o.color, terminal, |k| std::env::var(k).ok()) {
        print(&colorize(text));
    } else {
        print(text);
    }
}
