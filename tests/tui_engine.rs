//! The TUI on the engine (DESIGN §5): an `App` opened on a real scenario
//! (a copy of a generated fixture, so files can change) runs the engine's
//! in-toto plan; the test applies the session's messages one by one and
//! watches each unit go pending → running → pass/fail in the state, then
//! feeds a file change through `Engine::file_changed` and checks that only
//! the units downstream of that file run again. No sleeps: the test blocks
//! on the session's channel.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use trailscope::engine::Change;
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::session::{Message, UnitStatus};
use trailscope::tui::state::Run;
use trailscope::tui::theme::load_builtin;
use trailscope::tui::{App, TuiOptions};

const WAIT: Duration = Duration::from_secs(60);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

fn scenario(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scenario");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel), &dir);
    (tmp, dir)
}

fn open_app(dir: &Path) -> App {
    // About the engine's units, not the inspection: accept the verdict without it.
    let opts = OpenOptions { skip_inspections: true, ..OpenOptions::default() };
    let opened = open::detect(dir, &opts).unwrap();
    let session = open::session(&opened, "engine test");
    assert!(session.is_live(), "in-toto chains run on the engine");
    let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
    App::new(session, load_builtin("dark").unwrap(), &tui)
}

/// Applies messages until a `Loaded` (or `Failed`); returns every status
/// each unit showed in the state, in order (repeats collapsed).
fn until_loaded(app: &mut App) -> BTreeMap<String, Vec<UnitStatus>> {
    let mut seen: BTreeMap<String, Vec<UnitStatus>> = BTreeMap::new();
    loop {
        let message = app.step(WAIT).expect("the session went quiet before its result");
        for (unit, status) in &app.state().units {
            let history = seen.entry(unit.clone()).or_default();
            if history.last() != Some(status) {
                history.push(*status);
            }
        }
        match message {
            Message::Loaded { .. } => return seen,
            Message::Failed { error, .. } => panic!("verification failed to run: {error}"),
            _ => {}
        }
    }
}

fn is_done(s: UnitStatus) -> bool {
    matches!(s, UnitStatus::Pass | UnitStatus::Fail | UnitStatus::Skipped)
}

#[test]
fn units_stream_pending_running_done_and_a_changed_link_reruns_only_its_units() {
    let (_tmp, dir) = scenario("fixtures/intoto-demo/demo-supply-chain");
    let mut app = open_app(&dir);

    // First run: every unit of the plan goes pending → running → done.
    let first = until_loaded(&mut app);
    assert_eq!(app.state().run, Run::Done);
    let model = app.state().model.as_ref().unwrap();
    assert_eq!(model.doc.verdict, trailscope::verdict::Verdict::Pass);
    assert!(model.chain.is_some(), "the chain is derived on the session side");
    for kind in
        ["parse:", "layout-signature:", "expiry:", "link-signature:", "threshold:", "rules:", "verdict:"]
    {
        assert!(first.keys().any(|u| u.starts_with(kind)), "no {kind} unit in {first:?}");
    }
    for (unit, history) in &first {
        assert_eq!(history.first(), Some(&UnitStatus::Pending), "{unit}: {history:?}");
        assert!(history.contains(&UnitStatus::Running), "{unit} never ran: {history:?}");
        assert!(history.last().copied().is_some_and(is_done), "{unit} did not finish: {history:?}");
        let running = history.iter().position(|s| *s == UnitStatus::Running).unwrap();
        assert!(history[running + 1..].iter().all(|s| is_done(*s)), "{unit}: {history:?}");
    }
    assert_eq!(app.state().units.get("threshold:package"), Some(&UnitStatus::Pass));
    let (done, total) = app.state().progress.unwrap();
    assert_eq!(done, total);

    // A link rewritten with other whitespace: same canonical bytes, new file
    // content. Only the units downstream of that file run again.
    let engine = app.session().engine().expect("the engine is loaded");
    let link = engine
        .plan()
        .files()
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("package.")))
        .map(Path::to_path_buf)
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&link).unwrap()).unwrap();
    std::fs::write(&link, serde_json::to_vec(&json).unwrap()).unwrap();
    let downstream: BTreeSet<String> =
        engine.dependents_of_file(&link).iter().map(|u| u.to_string()).collect();
    let change = engine.file_changed(&link);
    assert!(matches!(change, Change::Changed { .. }), "{change:?}");

    let second = until_loaded(&mut app);
    let reran: BTreeSet<String> =
        second.iter().filter(|(_, h)| h.contains(&UnitStatus::Running)).map(|(u, _)| u.clone()).collect();
    assert!(!reran.is_empty());
    assert!(reran.is_subset(&downstream), "re-ran {reran:?}, downstream {downstream:?}");
    let link_name = link.display().to_string();
    assert!(reran.contains(&format!("parse:{link_name}")), "{reran:?}");
    assert!(reran.iter().any(|u| u.starts_with("verdict:")), "{reran:?}");
    for unit in first.keys().filter(|u| u.starts_with("layout-signature:") || u.starts_with("expiry:")) {
        assert!(!reran.contains(unit), "{unit} re-ran");
        assert!(second.get(unit).is_none_or(|h| h == &[UnitStatus::Pass]), "{unit}: {:?}", second.get(unit));
    }
    assert!(reran.len() < first.len(), "everything re-ran: {reran:?}");
    assert_eq!(app.state().run, Run::Done);
    assert_eq!(app.state().model.as_ref().unwrap().doc.verdict, trailscope::verdict::Verdict::Pass);

    // `r` with nothing changed re-hashes the files and runs nothing again.
    app.handle_key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('r'),
        crossterm::event::KeyModifiers::NONE,
    ));
    let third = until_loaded(&mut app);
    let reran: Vec<&String> =
        third.iter().filter(|(_, h)| h.contains(&UnitStatus::Running)).map(|(u, _)| u).collect();
    assert!(reran.is_empty(), "r re-ran {reran:?}");
    assert_eq!(app.state().run, Run::Done);
}

#[test]
fn a_broken_link_fails_its_units_and_the_chain_shows_it() {
    let (_tmp, dir) = scenario("fixtures/intoto-demo/demo-supply-chain");
    let mut app = open_app(&dir);
    until_loaded(&mut app);
    let engine = app.session().engine().unwrap();
    let link = engine
        .plan()
        .files()
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("package.")))
        .map(Path::to_path_buf)
        .unwrap();
    // Tamper with a recorded product: the signature no longer holds.
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&link).unwrap()).unwrap();
    json["signed"]["name"] = "package-tampered".into();
    std::fs::write(&link, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    assert!(matches!(engine.file_changed(&link), Change::Changed { .. }));
    until_loaded(&mut app);
    let state = app.state();
    assert_eq!(state.units.get(&format!("link-signature:{}", link.display())), Some(&UnitStatus::Fail));
    assert_eq!(state.units.get("threshold:package"), Some(&UnitStatus::Fail));
    assert_eq!(state.model.as_ref().unwrap().doc.verdict, trailscope::verdict::Verdict::Fail);
}

#[test]
fn a_tuf_repository_runs_on_the_engine_with_a_unit_per_role() {
    let (_tmp, dir) = scenario("fixtures/tuf-attacks/expired-snapshot");
    let opened = open::detect(&dir, &OpenOptions::default()).unwrap();
    let session = open::session(&opened, "tuf");
    let direct = {
        let (tx, _rx) = std::sync::mpsc::channel();
        let req = trailscope::tui::Request { generation: 1, at: opened.at };
        session.run_blocking(&req, tx).unwrap().document
    };
    let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
    let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
    let seen = until_loaded(&mut app);
    assert!(seen.keys().any(|u| u.starts_with("tuf-root")), "{seen:?}");
    let doc = &app.state().model.as_ref().unwrap().doc;
    assert_eq!(doc.verdict, direct.verdict);
    assert_eq!(doc.category, direct.category);
}
