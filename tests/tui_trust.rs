//! The Trust view on the verifier's result: TUF attack fixtures
//! (`fixtures/tuf-attacks/`, run with their client state, every role
//! audited as `trailscope open` does) and in-toto scenarios of
//! `fixtures/interop/in-toto` with bad link signatures. Screens are drawn
//! through the app into a ratatui `TestBackend`; the tests assert the rows
//! a user sees — every role the verifier looked at, rejected ones with
//! their reason, functionaries with the state of their link — and that
//! `f` keeps only the failing rows and their ancestors.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use trailscope::tui::detail::Results;
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::{App, Session, TuiOptions};
use trailscope::tuf::session::{self, Request};
use trailscope::tuf::{Config, DirSource, StateDir};

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

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

/// Runs a TUF scenario directory the way `trailscope open` verifies a
/// repository (every role audited), with its client state and targets.
fn tuf_results(rel: &str) -> (Results, time::OffsetDateTime) {
    let dir = crate_path(rel);
    let scenario: Value = serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let inputs = &scenario["inputs"];
    let root_path = dir.join(inputs["trusted_root"].as_str().unwrap());
    let metadata = DirSource::new(dir.join(inputs["metadata_dir"].as_str().unwrap()));
    let targets = DirSource::new(dir.join(inputs["targets_dir"].as_str().unwrap()));
    let scratch = tempfile::tempdir().unwrap();
    let state = inputs["client_state"].as_str().map(|cs| {
        copy_dir(&dir.join(cs), scratch.path());
        StateDir::new(scratch.path(), false)
    });
    let at = trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at;
    let target_paths: Vec<String> =
        scenario["expect"]["targets"].as_object().map(|t| t.keys().cloned().collect()).unwrap_or_default();
    let outcome = session::run(Request {
        root_bytes: std::fs::read(&root_path).unwrap(),
        root_file: root_path.display().to_string(),
        metadata: &metadata,
        targets: Some(&targets),
        state,
        at,
        config: Config::default(),
        target_paths,
        all_roles: true,
    });
    (Results::tuf(&outcome, false), at)
}

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Harness {
    fn new(session: Session, at: Option<time::OffsetDateTime>, size: (u16, u16)) -> Self {
        let tui = TuiOptions { at, ..TuiOptions::default() };
        let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
        app.handle_event(&Event::Resize(size.0, size.1));
        assert!(app.wait(Duration::from_secs(30)), "verification did not finish");
        Self { app, terminal: Terminal::new(TestBackend::new(size.0, size.1)).unwrap() }
    }

    fn tuf(rel: &str) -> Self {
        let (results, at) = tuf_results(rel);
        Self::new(Session::new(rel, move |_, _| Ok::<_, String>(results.clone())), Some(at), (140, 60))
    }

    fn dir(rel: &str) -> Self {
        let opts = OpenOptions::default();
        let opened = open::detect(&crate_path(rel), &opts).unwrap();
        let session = open::session(&opened, rel);
        Self::new(session, opened.at, (140, 60))
    }

    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        self
    }

    fn screen(&mut self) -> String {
        self.terminal.draw(|f| self.app.render(f)).unwrap();
        self.terminal.backend().to_string()
    }
}

#[test]
fn probe() {
    for rel in [
        "fixtures/tuf-attacks/rollback-timestamp",
        "fixtures/tuf-attacks/expired-delegated",
        "fixtures/tuf-attacks/key-compromise-revoked-delegation",
        "fixtures/tuf-attacks/expired-targets",
        "fixtures/tuf-attacks/threshold-not-met",
    ] {
        let mut h = Harness::tuf(rel);
        println!("{rel}\n{}", h.keys("5").screen());
        println!("{}", h.keys("f").screen());
        println!("{}", h.keys("f1").screen());
    }
    for rel in ["fixtures/interop/in-toto/link-signature-tampered", "fixtures/interop/in-toto/threshold-not-met-bad-signature"]
    {
        let mut h = Harness::dir(rel);
        println!("{rel}\n{}", h.keys("5").screen());
        println!("{}", h.keys("f").screen());
    }
}
