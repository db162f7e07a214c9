//! The Trust view on the verifier's result: TUF attack fixtures
//! (`fixtures/tuf-attacks/`, run with their client state, every role
//! audited as `trailscope open` does) and in-toto scenarios of
//! `fixtures/interop/in-toto` with bad link signatures. Screens are drawn
//! through the app into a ratatui `TestBackend`; the tests assert the rows
//! a user sees — every role the verifier looked at, rejected ones with
//! their reason, functionaries with the state of their link — and that
//! `f` keeps only the failing rows and their ancestors.

mod corpus_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use trailscope::tuf::session::{self, Request};
use trailscope::tuf::{Config, DirSource, StateDir};
use trailscope::tui::detail::Results;
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::{App, Session, TuiOptions};

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
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
        corpus_support::copy_tree(&dir.join(cs), scratch.path());
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

/// The Trust pane's rows as the user reads them: text between the
/// borders, trimmed, without the cursor mark and blank lines.
fn pane_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .map(|l| l.trim_matches('"'))
        .filter(|l| l.starts_with('│'))
        .map(|l| l.trim_matches('│').trim_start_matches('›').trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

fn trust_rows(h: &mut Harness) -> Vec<String> {
    let screen = h.keys("5").screen();
    pane_rows(&screen)
}

fn has(rows: &[String], prefix: &str) -> bool {
    rows.iter().any(|r| r.starts_with(prefix))
}

#[test]
fn a_targets_role_rejected_for_its_signatures_is_shown_rejected_with_each_signature() {
    let mut h = Harness::tuf("fixtures/tuf-attacks/threshold-not-met");
    let rows = trust_rows(&mut h);
    assert!(
        has(
            &rows,
            "✘ rejected targets  v1 · expires 2036-06-06T00:00:00Z (3658d 0h) · signature-threshold: targets was signed by 1/2 keys"
        ),
        "{rows:#?}"
    );
    assert!(has(&rows, "✘ not met threshold 2: 1 signature(s) counted"), "{rows:#?}");
    assert!(has(&rows, "✔ counted signature fdd06c3ad5ba"), "{rows:#?}");
    assert!(has(&rows, "✘ not counted signature caec34c95b2e  no signature by this key"), "{rows:#?}");
    assert!(!rows.iter().any(|r| r.contains("valid targets")), "{rows:#?}");
}

#[test]
fn the_timeline_marks_a_rejected_role_rejected_not_valid() {
    let mut h = Harness::tuf("fixtures/tuf-attacks/threshold-not-met");
    let screen = h.keys("1").screen();
    assert!(screen.contains("✘ rejected  role targets"), "{screen}");
    assert!(!screen.contains("✔ valid     role targets"), "{screen}");
    assert!(screen.contains("✔ valid     role snapshot"), "{screen}");
    // `f` on the Overview keeps it: a rejected role is not a valid one.
    let screen = h.keys("f").screen();
    assert!(screen.contains("✘ rejected  role targets"), "{screen}");
    assert!(!screen.contains("role snapshot"), "{screen}");
}

#[test]
fn a_delegated_role_the_audit_rejected_appears_under_its_delegation() {
    let mut h = Harness::tuf("fixtures/tuf-attacks/key-compromise-revoked-delegation");
    let rows = trust_rows(&mut h);
    let edge = rows.iter().position(|r| r.starts_with("→ packages: 1 of 1 key(s)")).expect("the delegation");
    assert_eq!(
        rows[edge + 1],
        "✘ rejected packages  signature-threshold: packages was signed by 0/1 keys · delegated by targets"
    );
    let mut h = Harness::tuf("fixtures/tuf-attacks/expired-delegated");
    let rows = trust_rows(&mut h);
    assert!(
        has(&rows, "✘ rejected packages  expired: new packages is expired · delegated by targets"),
        "{rows:#?}"
    );
}

#[test]
fn a_rolled_back_timestamp_keeps_the_trusted_one_and_shows_the_refused_one() {
    let mut h = Harness::tuf("fixtures/tuf-attacks/rollback-timestamp");
    let rows = trust_rows(&mut h);
    let ts = rows.iter().position(|r| r.starts_with("✔ valid timestamp  v5")).expect("the trusted timestamp");
    assert!(
        rows[ts + 1..]
            .iter()
            .take(4)
            .any(|r| r == "✘ rollback new timestamp version 2 must be >= 5 (§5.4.3.1)"),
        "{rows:#?}"
    );
    assert!(
        has(&rows, "⚠ not reached snapshot  v5 · expires 2036-06-04T00:00:00Z (3656d 0h) · refresh-failed"),
        "{rows:#?}"
    );
}

#[test]
fn f_in_trust_keeps_the_failing_rows_and_their_ancestors() {
    let mut h = Harness::tuf("fixtures/tuf-attacks/threshold-not-met");
    assert_eq!(trust_rows(&mut h).len(), 25);
    let screen = h.keys("f").screen();
    assert!(screen.contains("Trust · failures only · 5 of 25 rows"), "{screen}");
    assert_eq!(
        pane_rows(&screen),
        [
            "── TUF repository ──",
            "✘ rejected targets  v1 · expires 2036-06-06T00:00:00Z (3658d 0h) · signature-threshold: targets was signed by 1/2 keys",
            "✘ not met threshold 2: 1 signature(s) counted",
            "✘ not counted signature caec34c95b2e  no signature by this key",
            "✘ not counted signature 355acb54ecca  no signature by this key",
        ]
    );
    // A failure deep in the tree keeps its delegating roles.
    let mut h = Harness::tuf("fixtures/tuf-attacks/expired-delegated");
    let screen = h.keys("5f").screen();
    assert_eq!(
        pane_rows(&screen)[1..],
        [
            "✔ valid targets  v1 · expires 2036-06-06T00:00:00Z (3658d 0h) · 1 target(s)",
            "→ packages: 1 of 1 key(s)  paths packages/* · terminating",
            "✘ rejected packages  expired: new packages is expired · delegated by targets",
        ]
    );
    // f again shows every row.
    let screen = h.keys("f").screen();
    assert!(screen.contains("Trust · 24 rows"), "{screen}");
    assert_eq!(pane_rows(&screen).len(), 24);
}

#[test]
fn f_in_trust_on_a_passing_result_says_there_is_nothing_to_show() {
    let mut h = Harness::dir("fixtures/demo/act1-alice-alone");
    let screen = h.keys("5f").screen();
    assert!(screen.contains("Trust · failures only · 0 of"), "{screen}");
    assert!(screen.contains("no failures here (f shows all rows)"), "{screen}");
}

#[test]
fn a_functionary_whose_link_has_a_bad_signature_is_shown_so() {
    let mut h = Harness::dir("fixtures/interop/in-toto/link-signature-tampered");
    let rows = trust_rows(&mut h);
    assert!(
        has(
            &rows,
            "✘ bad signature step update-version  signature does not verify · update-version.1e129beb.link · 0 of 1 needed"
        ),
        "{rows:#?}"
    );
    assert!(has(&rows, "✔ signed step clone  clone.1e129beb.link · 1 of 1 needed"), "{rows:#?}");
    assert!(!rows.iter().any(|r| r.contains("no link")), "{rows:#?}");
    let screen = h.keys("f").screen();
    assert_eq!(
        pane_rows(&screen)[2..],
        [
            "functionary 1e129bebd014",
            "✘ bad signature step update-version  signature does not verify · update-version.1e129beb.link · 0 of 1 needed",
        ]
    );
}

#[test]
fn a_threshold_step_shows_each_functionarys_link_as_verified() {
    let mut h = Harness::dir("fixtures/interop/in-toto/threshold-not-met-bad-signature");
    let rows = trust_rows(&mut h);
    let bad = rows.iter().position(|r| r == "functionary c9d490a09cfa").expect("the functionary");
    assert_eq!(
        rows[bad + 1],
        "✘ bad signature step build  signature does not verify · build.c9d490a0.link · 1 of 2 needed"
    );
    let good = rows.iter().position(|r| r == "functionary d27622de49d9").expect("the functionary");
    assert_eq!(rows[good + 1], "✔ signed step build  build.d27622de.link · 1 of 2 needed");
}

#[test]
fn a_layout_signed_by_another_key_marks_the_layout_key_bad() {
    let mut h = Harness::dir("fixtures/interop/in-toto/layout-signature-tampered");
    let rows = trust_rows(&mut h);
    assert!(
        has(&rows, "✘ bad signature layout key dbb7813fb670 (uma)  signature does not verify"),
        "{rows:#?}"
    );
}

/// Every role the verifier looked at, in every TUF attack fixture, has a
/// row; one it did not trust is never shown valid, in Trust or on the
/// timeline.
#[test]
fn every_role_of_every_tuf_attack_is_in_trust_and_none_untrusted_reads_valid() {
    let dir = crate_path("fixtures/tuf-attacks");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("scenario.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 12, "{names:?}");
    for name in names {
        let rel = format!("fixtures/tuf-attacks/{name}");
        let h = Harness::tuf(&rel);
        let model = h.app.state().model.as_ref().unwrap();
        let roles = model.doc.roles.as_ref().unwrap();
        let at = model.doc.evaluated_at;
        for (role, state) in roles {
            let subject = trailscope::verdict::Subject::Role { name: role.clone() };
            let row = model
                .trust
                .rows
                .iter()
                .find(|r| r.subject.as_ref() == Some(&subject) && !r.word.is_empty())
                .unwrap_or_else(|| panic!("{rel}: no row for role {role}"));
            if !state.is_trusted() {
                assert!(matches!(row.word.as_str(), "rejected" | "not reached"), "{rel}: {role}: {row:?}");
                let on_timeline = model.timeline.iter().find(|e| e.subject.as_ref() == Some(&subject));
                if let Some(e) = on_timeline {
                    assert_ne!(e.status(at), trailscope::tui::model::ExpiryStatus::Valid, "{rel}: {role}");
                }
            }
        }
    }
}

/// The embedded demo (`trailscope::demo`) opens with the same Trust rows,
/// its client state included.
#[test]
fn the_embedded_tuf_attacks_show_what_the_verifier_refused() {
    for (name, row) in [
        ("threshold-not-met", "✘ not counted signature caec34c95b2e  no signature by this key"),
        ("rollback-timestamp", "✘ rollback new timestamp version 2 must be >= 5 (§5.4.3.1)"),
    ] {
        assert!(trailscope::demo::find(name).is_some(), "{name}");
        let (session, at) = open::demo_session(name, &OpenOptions::default()).unwrap();
        let mut h = Harness::new(session, at, (140, 60));
        let rows = trust_rows(&mut h);
        assert!(has(&rows, row), "{name}: {rows:#?}");
    }
}
