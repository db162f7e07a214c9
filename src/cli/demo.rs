//! `trailscope demo` — the fixtures embedded in the binary: `--list` names
//! them, `demo NAME` verifies one headless and prints the report (bridge,
//! in-toto or TUF, as the scenario is). [`run_default`] is what `trailscope`
//! with no argument does until the TUI opens the demo instead.

use clap::Args;

use super::Exit;
use super::format::{Format, render_common, yes_no};
use crate::demo::{self, Kind, Options, Outcome};
use crate::verdict::{InputFile, Inputs, TrustAnchor, Verdict};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The scenario to verify (e.g. act3-adversary); see --list.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// List the embedded scenarios.
    #[arg(long, conflicts_with = "name")]
    pub list: bool,
    /// Run the layout's inspections (they execute commands such as tar, in a
    /// scratch directory). Without it a layout with inspections does not verify.
    #[arg(long)]
    pub run_inspections: bool,
    /// Accept a verdict without the layout's inspections ("inspections skipped").
    #[arg(long, conflicts_with = "run_inspections")]
    pub skip_inspections: bool,
    /// Treat weaknesses the references accept as errors.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: &DemoArgs) -> Exit {
    let Some(name) = &args.name else {
        print_list();
        return Exit::Ok;
    };
    let Some(sc) = demo::find(name) else {
        eprintln!("trailscope demo: no embedded scenario {name:?}; `trailscope demo --list` names them");
        return Exit::Usage;
    };
    let opts = Options {
        run_inspections: args.run_inspections,
        skip_inspections: args.skip_inspections,
        strict: args.strict,
    };
    let outcome = match demo::run(&sc, opts) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("trailscope demo: {e}");
            return Exit::Internal;
        }
    };
    let mut inputs = Inputs::new();
    inputs
        .add("embedded demo scenario", format!("{}/{}", sc.set, sc.name))
        .add("scenario", sc.description())
        .add("expected", sc.expected())
        .add("inspections", super::format::inspections(args.run_inspections, args.skip_inspections))
        .add("strict", yes_no(args.strict));
    let (text, verdict) = render(&sc, &outcome, args.format, args.strict, &inputs);
    let header = match args.format {
        Format::Json | Format::Markdown | Format::Sarif => String::new(),
        Format::Text => format!(
            "demo {}/{} ({}; expected: {})\n{}\n\n",
            sc.set,
            sc.name,
            sc.kind.word(),
            sc.expected(),
            wrap(&crate::sanitize::sanitize(sc.description()), 100, "").join("\n")
        ),
    };
    if args.format == Format::Text {
        super::format::print_text(&format!("{header}{text}"));
    } else {
        super::format::print(&format!("{header}{text}"));
    }
    match verdict {
        Verdict::Pass => Exit::Ok,
        Verdict::Fail => Exit::Failed,
    }
}

/// The scenario's files as embedded, each with its size and sha256.
fn embedded_inputs(sc: &demo::Scenario) -> Vec<InputFile> {
    sc.files_under("")
        .into_iter()
        .map(|(rel, bytes)| {
            InputFile::of_bytes("embedded file", format!("{}/{}/{rel}", sc.set, sc.name), bytes)
        })
        .collect()
}

/// The trust anchor of a scenario: its trusted root (TUF, bridge) or its
/// layout keys (in-toto), as `scenario.json` names them.
fn anchor(sc: &demo::Scenario, outcome: &Outcome) -> TrustAnchor {
    let i = sc.inputs();
    let file = |rel: &str| format!("{}/{}/{rel}", sc.set, sc.name);
    match outcome {
        Outcome::InToto(_) => TrustAnchor {
            what: "layout keys".into(),
            files: i.layout_keys.iter().map(|k| file(k)).collect(),
            root_version: None,
        },
        Outcome::Bridge(o) => {
            crate::tuf::report::trust_anchor(&o.tuf, &file(i.trusted_root.as_deref().unwrap_or("root.json")))
        }
        Outcome::Tuf(o) => {
            crate::tuf::report::trust_anchor(o, &file(i.trusted_root.as_deref().unwrap_or("root.json")))
        }
        Outcome::Attestation(_) => TrustAnchor {
            what: "trusted root".into(),
            files: sc.json["trusted_root"].as_str().map(file).into_iter().collect(),
            root_version: None,
        },
    }
}

fn render(
    sc: &demo::Scenario,
    outcome: &Outcome,
    format: Format,
    strict: bool,
    inputs: &Inputs,
) -> (String, Verdict) {
    let record = |doc: &mut crate::verdict::Document| {
        super::record::stamp(doc, inputs, Some(anchor(sc, outcome)), embedded_inputs(sc));
    };
    match outcome {
        Outcome::Bridge(o) => {
            let mut doc = o.to_document();
            record(&mut doc);
            (super::bridge::render(o, &doc, format), o.verdict)
        }
        Outcome::InToto(o) => {
            let mut doc = o.to_document();
            record(&mut doc);
            let text = match format {
                Format::Json => format!("{}\n", doc.to_json_string()),
                Format::Text => crate::report::text_intoto::render(o) + &crate::report::record::text(&doc),
                other => render_common(&doc, other, &Inputs::default()).unwrap_or_default(),
            };
            (text, o.verdict)
        }
        Outcome::Tuf(o) => {
            let mut doc = crate::tuf::report::document(o, strict);
            record(&mut doc);
            let text = match format {
                Format::Json => format!("{}\n", doc.to_json_string()),
                Format::Text => format!(
                    "{}\n{}",
                    crate::report::tuf_text::verify(&doc, o),
                    crate::report::record::text(&doc)
                ),
                other => render_common(&doc, other, &Inputs::default()).unwrap_or_default(),
            };
            (text, doc.verdict)
        }
        Outcome::Attestation(d) => {
            let mut doc = (**d).clone();
            record(&mut doc);
            let text = match format {
                Format::Json => format!("{}\n", doc.to_json_string()),
                Format::Text => crate::report::text_attest::render(&doc) + &crate::report::record::text(&doc),
                other => render_common(&doc, other, &Inputs::default()).unwrap_or_default(),
            };
            (text, doc.verdict)
        }
    }
}

fn print_list() {
    let mut out = String::from(
        "Embedded scenarios (trailscope demo NAME [--run-inspections|--skip-inspections] [--format text|json|markdown|sarif]):\n",
    );
    let mut set = "";
    for sc in demo::list() {
        if sc.set != set {
            set = sc.set;
            let title = match sc.kind {
                Kind::Bridge => "TUF distributes in-toto (bridge verification)",
                Kind::InToto => "in-toto supply chain",
                Kind::Tuf => "TUF attacks",
                Kind::Attestation => "Sigstore bundles with in-toto attestations",
            };
            out.push_str(&format!("\n{set} — {title}:\n"));
        }
        // The whole story, wrapped under the name: never cut.
        out.push_str(&format!("  {}  (expected: {})\n", sc.name, sc.expected()));
        for line in wrap(&crate::sanitize::sanitize(sc.description()), 96, "      ") {
            out.push_str(&line);
            out.push('\n');
        }
    }
    super::format::print(&out);
}

/// `text` in lines of at most `width` characters (a longer word stands
/// alone), each after `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{indent}{line}"));
    }
    lines
}

/// `trailscope` with no argument and stdout not a terminal: a short
/// headless summary of the three acts of the embedded demo. Nothing is
/// executed: the inspections are not run, so no act verifies, and act 3's
/// swapped package is caught by what is checked without running anything.
pub fn run_default() -> Exit {
    let acts: Vec<_> = demo::list().into_iter().filter(|s| s.kind == Kind::Bridge).collect();
    let mut out = String::from(
        "trailscope — TUF distributes in-toto: the embedded demo, in three acts\n\
         (headless bridge verification of each act; inspections are never run unasked)\n\n",
    );
    for sc in &acts {
        let line = match demo::run(&sc.clone(), Options::default()) {
            Ok(Outcome::Bridge(o)) => {
                let verdict = match (o.verdict, o.stage()) {
                    (Verdict::Pass, _) => "✔ PASS".to_owned(),
                    (Verdict::Fail, Some(stage)) => format!("✘ FAIL  {stage} / {}", o.category),
                    (Verdict::Fail, None) => format!("✘ FAIL  {}", o.category),
                };
                let why = o.first.as_ref().map(|f| format!("\n      {}", f.message)).unwrap_or_default();
                format!("  {:<18} {verdict}\n      {}{why}\n", sc.name, sc.summary())
            }
            Ok(_) => continue,
            Err(e) => format!("  {:<18} error: {e}\n", sc.name),
        };
        out.push_str(&line);
    }
    out.push_str(
        "\nThe layout's inspection 'untar' (it untars the package) was not run, so acts 1 and 2\n\
         are not verified: --run-inspections runs it, --skip-inspections accepts a verdict\n\
         without it. Act 3's swapped package is caught without running anything: the\n\
         inspection's materials are the downloaded files, and its rule MATCH … WITH PRODUCTS\n\
         FROM package rejects the package's digest (in-toto, rule DISALLOW *).\n\n\
         More:  trailscope demo act3-adversary --run-inspections   (the full report)\n\
         \x20      trailscope demo --list                             (every embedded scenario)\n\
         \x20      trailscope --help\n",
    );
    super::format::print(&out);
    Exit::Ok
}
