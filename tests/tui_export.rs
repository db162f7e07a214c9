//! `e` in the TUI and a headless `open --format json` record what the
//! session read exactly as the headless commands do (DESIGN §4, schema 2):
//! every input file with its path, size and sha256. Each test opens a
//! generated scenario in the TUI (on the engine, as `trailscope open` does),
//! exports with `e`, and compares the exported `inputs` with those of
//! `verify` / `tuf verify` run on the same files.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::{App, TuiOptions};

use common::inputs::{self as recorded, of as inputs};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

/// Opens `dir` in the TUI, waits for the run, exports it with `e` into a
/// temporary directory and returns the exported JSON document.
fn exported(dir: &Path) -> Value {
    let opened = open::detect(dir, &OpenOptions::default()).unwrap();
    let session = open::session(&opened, "export test");
    let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
    let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
    app.handle_event(&Event::Resize(120, 40));
    assert!(app.wait(Duration::from_secs(60)), "verification did not finish");
    let out = tempfile::tempdir().unwrap();
    let key = |app: &mut App, code| app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    key(&mut app, KeyCode::Char('e'));
    key(&mut app, KeyCode::Backspace);
    for c in out.path().display().to_string().chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    let text = std::fs::read_to_string(out.path().join("trailscope-report.json")).expect("e wrote no JSON");
    serde_json::from_str(&text).unwrap()
}

/// `trailscope ARGS…` in `dir`, its JSON document.
fn headless(dir: &Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("trailscope").unwrap().current_dir(dir).args(args).output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_export_of_an_intoto_chain_records_the_inputs_verify_records() {
    let dir = fixture("intoto-demo/package-swapped");
    let tui = exported(&dir);
    let cli = headless(
        &dir,
        &[
            "verify",
            "-l",
            "root.layout",
            "-k",
            "keys/alice.pub.json",
            "-d",
            "links",
            "--workdir",
            "workdir",
            "--format",
            "json",
        ],
    );
    assert_eq!(tui["schema_version"], 2);
    assert_eq!(inputs(&tui), inputs(&cli));
    assert_eq!(recorded::roles(&tui), ["layout", "layout key", "link", "link", "link"]);
    assert_eq!(inputs(&tui)[0]["path"], "root.layout");
    // Each sha256 and size is that of the file's bytes.
    recorded::assert_fingerprinted(&tui, &dir);
    assert_eq!(tui["invocation"]["trust_anchor"]["files"], serde_json::json!(["keys/alice.pub.json"]));
    // The headless `open` prints the same document.
    let open = headless(&dir, &["open", ".", "--format", "json"]);
    assert_eq!(inputs(&open), inputs(&cli));
}

#[test]
fn the_export_of_a_tuf_repository_records_the_inputs_tuf_verify_records() {
    let dir = fixture("tuf-attacks/arbitrary-package");
    let tui = exported(&dir);
    let cli = headless(
        &dir,
        &[
            "tuf",
            "verify",
            "--root",
            "trusted_root.json",
            "--metadata",
            "repo/metadata",
            "--targets",
            "repo/targets",
            "--target",
            "app-0.9.tar.gz",
            "--target",
            "app-1.0.tar.gz",
            "--at",
            "2026-06-01T00:00:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(inputs(&tui), inputs(&cli));
    assert_eq!(recorded::roles(&tui), ["trusted root", "timestamp", "snapshot", "targets", "target"]);
    assert_eq!(tui["invocation"]["trust_anchor"]["root_version"], 1);
}
