//! What an opened session read, recorded in its document the way the
//! headless commands record theirs (DESIGN §4, schema_version 2): the
//! command line and the options that shape the verdict, the trust anchor,
//! and every input file with its path, size and sha256 — taken from the
//! bytes the run verified (the in-toto loader's records, the TUF trusted
//! set's bytes, the trusted root as the engine read it), never read again.
//! `e` exports it and the text report of a headless `open` prints it.

use std::path::Path;

use super::{InTotoInputs, OpenOptions, TufInputs};
use crate::tui::anchor::shown_path;
use crate::verdict::{Document, InputFile, Inputs, Invocation, TrustAnchor};

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The words `verify` uses for what was done with the inspections.
fn inspections(opts: &OpenOptions) -> &'static str {
    match (opts.run_inspections, opts.skip_inspections) {
        (true, _) => "run (--run-inspections)",
        (false, true) => "skipped (--skip-inspections)",
        (false, false) => "not run: a layout with inspections does not verify",
    }
}

/// The options of an in-toto session, labelled as `verify` labels them.
pub(super) fn intoto_options(inputs: &InTotoInputs, opts: &OpenOptions) -> Inputs {
    let mut i = Inputs::new();
    i.add("layout", inputs.layout.display().to_string());
    for k in &inputs.keys {
        i.add("layout key", k.display().to_string());
    }
    i.add("link directory", inputs.link_dir.display().to_string());
    i.add("work directory", inputs.workdir.display().to_string());
    for (name, value) in inputs.params.iter().flatten() {
        i.add("parameter", format!("{name}={value}"));
    }
    i.add("inspections", inspections(opts));
    i.add("strict", yes_no(opts.strict));
    i.add("signature form", opts.signature_form.name());
    i
}

/// The options of a TUF or bridge session, labelled as `tuf verify` and
/// `bridge verify` label them.
pub(super) fn tuf_options(inputs: &TufInputs, opts: &OpenOptions, bridge: bool) -> Inputs {
    let mut i = Inputs::new();
    i.add("trusted root", inputs.root.display().to_string());
    i.add("metadata", inputs.metadata.clone());
    i.add_opt("targets", inputs.targets.clone());
    i.add_opt("state directory", inputs.state.as_ref().map(|s| s.display().to_string()));
    for t in &inputs.target {
        i.add("target", t.clone());
    }
    if bridge {
        i.add("inspections", inspections(opts));
    } else {
        i.add("all roles", yes_no(opts.all_roles));
    }
    i.add("strict", yes_no(opts.strict));
    i
}

/// The layout keys' anchor: the key files the layout was verified with.
pub(super) fn layout_keys_anchor(inputs: &InTotoInputs) -> TrustAnchor {
    TrustAnchor {
        what: "layout keys".into(),
        files: inputs.keys.iter().map(|k| k.display().to_string()).collect(),
        root_version: None,
    }
}

/// Sets the document's invocation (this process's command line, `options`,
/// the trust anchor) and its input files.
pub(super) fn stamp(doc: &mut Document, options: &Inputs, anchor: TrustAnchor, files: Vec<InputFile>) {
    let mut inv = Invocation::of_process(options);
    inv.trust_anchor = Some(anchor);
    doc.invocation = Some(inv);
    doc.inputs = files;
}

/// Input and anchor paths relative to the opened directory `base`, as the
/// views show them (a URL or a path outside `base` stays as it is), and
/// every other path the document names below `base`.
pub(super) fn relative(doc: &mut Document, base: &Path) {
    super::shown::document(doc, base);
    for f in &mut doc.inputs {
        f.path = shown_path(Path::new(&f.path), base);
    }
    let Some(inv) = &mut doc.invocation else { return };
    for o in &mut inv.options {
        if Path::new(&o.value).starts_with(base) {
            o.value = shown_path(Path::new(&o.value), base);
        }
    }
    for f in inv.trust_anchor.iter_mut().flat_map(|a| a.files.iter_mut()) {
        *f = shown_path(Path::new(f.as_str()), base);
    }
}
