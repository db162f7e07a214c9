//! Whole-app TUI tests: key presses go through the same `App` (keymap →
//! update → effects) the binary's loop uses; the screen is drawn into a
//! ratatui `TestBackend` and compared with committed insta snapshots.
//! Documents are built here from findings; time is fixed (no clock, no
//! spinner ticks), so every snapshot is stable.

use std::sync::mpsc;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;
use trailscope::meta::Location;
use trailscope::tui::state::Run;
use trailscope::tui::theme::load_builtin;
use trailscope::tui::views::ViewId;
use trailscope::tui::{App, Session, TuiOptions};
use trailscope::verdict::tuf_detail::{RoleCommon, RoleState};
use trailscope::verdict::{Document, Failure, Kind};
use trailscope::verdict::{Evidence, Finding, SignatureCheck, Subject};

const AT: OffsetDateTime = datetime!(2030-01-01 0:00 UTC);

fn passing() -> Document {
    let soon = Finding::warning(
        trailscope::verdict::category::EXPIRES_SOON,
        Subject::Layout { path: "root.layout".into() },
        "the layout expires in 19 days",
    )
    .with_evidence(Evidence::Expiry {
        expires: "2030-01-20T00:00:00Z".into(),
        evaluated_at: "2030-01-01T00:00:00Z".into(),
    })
    .at(Location::new("root.layout", "/signed/expires"));
    let inspections = Finding::info(
        trailscope::verdict::category::INSPECTION_NOT_RUN,
        Subject::Inspection { name: "untar".into() },
        "inspections are not run without --run-inspections",
    );
    Document::new(Kind::InToto, AT, vec![soon, inspections], trailscope::verdict::category::PASS)
}

fn failing() -> Document {
    let rule = Finding::error(
        trailscope::verdict::category::RULE_DISALLOW,
        Subject::Rule {
            step: "package".into(),
            section: "expected_products".into(),
            index: 2,
            text: "DISALLOW *".into(),
        },
        "artifact foo.tar.gz was not consumed by any rule and is disallowed",
    )
    .with_evidence(Evidence::digests(
        json!({"sha256": "52b9ae5e3a2b6d1e6f1c0f2dbd7a1f4c5e4b8f4e4c6f35d3d7b11d6f0a1b2c3d"}),
        json!({"sha256": "52b9ae5e3a2b6d1e6f1c0f2dbd7a1f4c5e4b8f4e4c6f35d3d7b11d6f0a1b9999"}),
    ))
    .at(Location::new("package.776a00e2.link", "/signed/products/foo.tar.gz"));
    let expired = Finding::error(
        trailscope::verdict::category::EXPIRED,
        Subject::Role { name: "timestamp".into() },
        "timestamp expired",
    )
    .with_evidence(Evidence::Expiry {
        expires: "2029-12-31T00:00:00Z".into(),
        evaluated_at: "2030-01-01T00:00:00Z".into(),
    })
    .at(Location::new("timestamp.json", "/signed/expires"));
    let threshold = Finding::warning(
        trailscope::verdict::category::DUPLICATE_KEY_MATERIAL,
        Subject::Role { name: "targets".into() },
        "one key under two key ids counted towards the threshold",
    )
    .with_evidence(Evidence::Threshold {
        needed: 2,
        valid: vec!["a1b2c3d4e5f6".into()],
        checks: vec![
            SignatureCheck { keyid: "a1b2c3d4e5f6".into(), valid: true, reason: None },
            SignatureCheck {
                keyid: "0f9e8d7c6b5a".into(),
                valid: false,
                reason: Some("duplicate key".into()),
            },
        ],
    });
    let info = Finding::info(
        trailscope::verdict::category::INSPECTION_NOT_RUN,
        Subject::Inspection { name: "untar".into() },
        "inspections are not run without --run-inspections",
    );
    let mut doc = Document::new(
        Kind::Bridge,
        AT,
        vec![rule, expired, threshold, info],
        trailscope::verdict::category::RULE_DISALLOW,
    );
    doc.stage = Some("in-toto".into());
    doc.failure = Some(Failure {
        step: Some("package".into()),
        rule: Some("DISALLOW *".into()),
        artifact: Some("foo.tar.gz".into()),
        scope: vec![],
    });
    let role = |version: u64, expires: &str| RoleState {
        common: Some(RoleCommon {
            version,
            expires: expires.into(),
            expired: false,
            expires_in: String::new(),
        }),
        ..RoleState::trusted(Some("root".into()))
    };
    doc.roles = Some(
        [
            ("root", role(2, "2031-01-01T00:00:00Z")),
            ("targets", role(7, "2030-06-01T00:00:00Z")),
            ("snapshot", role(9, "2030-01-08T00:00:00Z")),
            ("timestamp", role(12, "2029-12-31T00:00:00Z")),
        ]
        .into_iter()
        .map(|(n, r)| (n.to_owned(), r))
        .collect(),
    );
    doc
}

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Harness {
    fn with_session(session: Session, width: u16, height: u16) -> Self {
        let theme = load_builtin("dark").unwrap();
        let mut app = App::new(session, theme, &TuiOptions::default());
        app.handle_event(&Event::Resize(width, height));
        let terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        Self { app, terminal }
    }

    /// Opens a document and waits for its (instant) verification.
    fn open(doc: Document, width: u16, height: u16) -> Self {
        let mut h = Self::with_session(Session::fixed("demo", doc), width, height);
        assert!(h.app.wait(Duration::from_secs(10)), "verification did not finish");
        h
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        self.app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
        self
    }

    fn ctrl(&mut self, c: char) -> &mut Self {
        self.app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
        self
    }

    /// Types characters as key presses (upper case and `?` with Shift).
    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            let mods = if c.is_uppercase() || c == '?' { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
            self.app.handle_key(KeyEvent::new(KeyCode::Char(c), mods));
        }
        self
    }

    fn screen(&mut self) -> String {
        self.terminal.draw(|f| self.app.render(f)).unwrap();
        self.terminal.backend().to_string()
    }
}

/// Snapshots one screen of `doc` after `keys`, at a size.
fn snap(name: &str, doc: Document, size: (u16, u16), keys: &str) {
    let mut h = Harness::open(doc, size.0, size.1);
    h.keys(keys);
    let screen = h.screen();
    insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen);
}

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

#[test]
fn overview_of_a_passing_result() {
    for size in SIZES {
        snap("overview_pass", passing(), size, "");
    }
}

#[test]
fn overview_of_a_failing_result() {
    for size in SIZES {
        snap("overview_fail", failing(), size, "");
    }
}

#[test]
fn findings_of_a_passing_result() {
    for size in SIZES {
        snap("findings_pass", passing(), size, "6");
    }
}

#[test]
fn findings_of_a_failing_result() {
    for size in SIZES {
        snap("findings_fail", failing(), size, "6jj");
    }
}

#[test]
fn help_overlay_on_a_passing_result() {
    for size in SIZES {
        snap("help_pass", passing(), size, "?");
    }
}

#[test]
fn help_overlay_on_a_failing_result() {
    for size in SIZES {
        snap("help_fail", failing(), size, "6?");
    }
}

#[test]
fn enter_on_the_overview_jumps_to_the_first_failure_and_esc_comes_back() {
    let mut h = Harness::open(failing(), 80, 24);
    h.key(KeyCode::Enter);
    let state = h.app.state();
    assert_eq!(state.view, ViewId::Findings);
    assert_eq!(state.pane, 1, "the detail pane has the focus");
    assert!(matches!(state.selection, Some(Subject::Rule { .. })));
    let screen = h.screen();
    insta::assert_snapshot!("jump_to_first_failure_80x24", screen);
    assert!(screen.contains(" Overview › Findings › rule package expected… "), "{screen}");
    assert!(screen.contains("✘ differs at character 61"), "{screen}");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.state().view, ViewId::Overview);
    assert!(h.app.state().selection.is_none());
}

#[test]
fn a_bidi_override_and_an_escape_sequence_are_shown_escaped_and_listed() {
    let path = "pkg\u{202e}zg.rat\u{1b}[2J.tar.gz";
    let f = Finding::error(
        trailscope::verdict::category::RULE_DISALLOW,
        Subject::Artifact { path: path.into() },
        format!("artifact {path} is disallowed"),
    );
    let doc = Document::new(Kind::InToto, AT, vec![f], trailscope::verdict::category::RULE_DISALLOW);
    let mut h = Harness::open(doc, 120, 40);
    h.keys("6");
    let screen = h.screen();
    insta::assert_snapshot!("suspicious_characters_120x40", screen);
    assert!(screen.contains("artifact pkg\\u{202e}zg.rat\\x1b[2J.tar.gz"), "{screen}");
    assert!(!screen.contains('\u{202e}') && !screen.contains('\u{1b}'));
    assert!(screen.contains("⚠ warning suspicious-characters"), "{screen}");
    let added = h.app.state().findings().iter().find(|f| f.category == "suspicious-characters").unwrap();
    assert!(
        added.message.contains("bidi control (U+202E) and control character (U+001B)"),
        "{}",
        added.message
    );
    // Its detail says what was found.
    h.keys("j");
    let screen = h.screen();
    assert!(screen.contains("⚠ warning  suspicious-characters") && screen.contains("(U+202E)"), "{screen}");
}

#[test]
fn the_first_frame_shows_while_verification_runs() {
    let (release, wait) = mpsc::channel::<()>();
    let wait = std::sync::Mutex::new(wait);
    let doc = failing();
    let session = Session::new("slow", move |_, _| {
        let _ = wait.lock().unwrap().recv();
        Ok(doc.clone())
    });
    let mut h = Harness::with_session(session, 80, 24);
    let screen = h.screen();
    insta::assert_snapshot!("first_frame_verifying_80x24", screen);
    assert!(screen.contains("⠋ verifying…"), "{screen}");
    assert!(screen.contains("○ pending"), "{screen}");
    release.send(()).unwrap();
    assert!(h.app.wait(Duration::from_secs(10)));
    assert!(h.screen().contains("✘ FAIL"));
}

#[test]
fn time_travel_re_verifies_at_the_chosen_time() {
    let session = Session::new("clock", |req, _| {
        let mut doc = failing();
        doc.evaluated_at = req.at.unwrap_or(AT);
        Ok(doc)
    });
    let mut h = Harness::with_session(session, 120, 40);
    assert!(h.app.wait(Duration::from_secs(10)));
    h.keys("t");
    assert!(h.screen().contains("evaluate at (RFC 3339, empty for now): 2030-01-01T00:00:00Z"));
    for _ in 0.."2030-01-01T00:00:00Z".len() {
        h.key(KeyCode::Backspace);
    }
    h.keys("2030-03-01T00:00:00Z").key(KeyCode::Enter);
    assert_eq!(h.app.state().run, Run::Verifying);
    assert!(h.app.wait(Duration::from_secs(10)));
    let screen = h.screen();
    insta::assert_snapshot!("time_travel_120x40", screen);
    assert!(screen.contains("time travel: at 2030-03-01T00:00:00Z"), "{screen}");
    assert!(screen.contains("Expiry timeline at 2030-03-01T00:00:00Z"), "{screen}");
    assert_eq!(h.app.state().generation, 2);
    // A bad time is refused with a message, and nothing re-runs.
    h.keys("t");
    for _ in 0..20 {
        h.key(KeyCode::Backspace);
    }
    h.keys("tomorrow").key(KeyCode::Enter);
    assert_eq!(h.app.state().generation, 2);
    assert!(h.screen().contains("\"tomorrow\" is not an RFC 3339 date-time"));
}

#[test]
fn search_moves_between_matches_with_n_and_shift_n() {
    let mut h = Harness::open(failing(), 80, 24);
    h.keys("6/inspections").key(KeyCode::Enter);
    assert_eq!(h.app.state().view, ViewId::Findings);
    assert_eq!(h.app.state().cursor(ViewId::Findings).selected, 3);
    let screen = h.screen();
    assert!(screen.contains("\"inspections\": match 1 of 1 in Findings"), "{screen}");
    // Hits are in every view: n and N walk across them, switching view.
    let at = |h: &Harness| (h.app.state().view, h.app.state().cursor(h.app.state().view).selected);
    h.keys("/role").key(KeyCode::Enter);
    let first = at(&h);
    h.keys("n");
    let second = at(&h);
    assert_ne!(first, second);
    h.keys("N");
    assert_eq!(at(&h), first);
    h.keys("/nothing-like-this").key(KeyCode::Enter);
    assert!(h.screen().contains("no match for \"nothing-like-this\" in any view"));
}

#[test]
fn filters_narrow_the_findings_list() {
    let mut h = Harness::open(failing(), 120, 40);
    h.keys("6f");
    let screen = h.screen();
    assert!(screen.contains("Findings 2 of 4"), "{screen}");
    h.keys("f").keys("ss");
    let screen = h.screen();
    assert!(screen.contains("Findings 1 of 4") && screen.contains("severity warning"), "{screen}");
    h.keys("ss").keys("c");
    let screen = h.screen();
    assert!(screen.contains("category duplicate-key-material"), "{screen}");
    insta::assert_snapshot!("findings_filtered_by_category_120x40", screen);
}

#[test]
fn y_copies_the_actual_digest_through_osc_52() {
    use base64::Engine as _;
    let mut h = Harness::open(failing(), 80, 24);
    h.keys("6y");
    let out = h.app.take_output();
    let expected = "52b9ae5e3a2b6d1e6f1c0f2dbd7a1f4c5e4b8f4e4c6f35d3d7b11d6f0a1b9999";
    let b64 = base64::engine::general_purpose::STANDARD.encode(expected);
    assert_eq!(out, vec![format!("\x1b]52;c;{b64}\x07")]);
    assert!(h.screen().contains("copied sha256 digest 52b9ae5e"));
}

#[test]
fn e_exports_markdown_and_json_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::open(failing(), 120, 40);
    h.keys("e");
    assert!(h.screen().contains("export report to directory: ."));
    h.key(KeyCode::Backspace);
    let target = dir.path().join("out");
    h.keys(&target.display().to_string()).key(KeyCode::Enter);
    let md = std::fs::read_to_string(target.join("trailscope-report.md")).unwrap();
    let json = std::fs::read_to_string(target.join("trailscope-report.json")).unwrap();
    assert!(md.contains("| verdict | ✘ FAIL |"));
    assert!(json.contains("\"verdict\": \"fail\""));
    let screen = h.screen();
    assert!(
        screen.contains(&format!("exported {}", target.join("trailscope-report.md").display())),
        "{screen}"
    );
}

#[test]
fn below_80_by_24_a_message_says_the_minimum_size() {
    let mut h = Harness::open(failing(), 60, 20);
    let screen = h.screen();
    insta::assert_snapshot!("too_small_60x20", screen);
    assert!(screen.contains("at least 80×24"));
    h.keys("q");
    assert!(h.app.should_quit());
}

#[test]
fn resizing_redraws_at_the_new_size() {
    let mut h = Harness::open(failing(), 60, 20);
    assert!(h.screen().contains("at least 80×24"));
    h.app.handle_event(&Event::Resize(80, 24));
    h.terminal.backend_mut().resize(80, 24);
    let screen = h.screen();
    assert!(screen.contains("✘ FAIL"), "{screen}");
}

#[test]
fn q_and_ctrl_c_quit_but_typing_q_in_search_does_not() {
    let mut h = Harness::open(passing(), 80, 24);
    h.keys("/q");
    assert!(!h.app.should_quit());
    h.key(KeyCode::Esc).keys("q");
    assert!(h.app.should_quit());
    let mut h = Harness::open(passing(), 80, 24);
    h.keys("/").ctrl('c');
    assert!(h.app.should_quit());
}

#[test]
fn a_verifier_that_fails_or_panics_is_shown_as_an_error() {
    let session = Session::new("broken", |_, _| Err::<Document, _>("cannot read root.json".into()));
    let mut h = Harness::with_session(session, 80, 24);
    assert!(h.app.wait(Duration::from_secs(10)));
    let screen = h.screen();
    assert!(screen.contains("✘ ERROR") && screen.contains("cannot read root.json"), "{screen}");
    let mut h = Harness::with_session(
        Session::new("panics", |_, _| -> Result<Document, String> { panic!("boom") }),
        80,
        24,
    );
    assert!(h.app.wait(Duration::from_secs(10)));
    assert!(h.screen().contains("internal error in verification: boom"));
}

#[test]
fn watching_without_files_says_so() {
    let mut h = Harness::open(passing(), 80, 24);
    h.keys("w");
    assert!(!h.app.state().watching);
    assert!(h.screen().contains("nothing to watch"));
}

#[test]
fn watching_re_verifies_when_an_input_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("root.layout");
    std::fs::write(&file, "1").unwrap();
    let session = Session::fixed("dir", passing()).watching([dir.path().to_path_buf()]);
    let mut h = Harness::with_session(session, 80, 24);
    assert!(h.app.wait(Duration::from_secs(10)));
    h.keys("w");
    assert!(h.app.state().watching);
    h.app.poll();
    std::fs::write(&file, "22").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while h.app.state().generation == 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        h.app.poll();
    }
    assert_eq!(h.app.state().generation, 2);
    assert!(h.app.wait(Duration::from_secs(10)));
    assert!(h.screen().contains("◉ watching"));
}

#[test]
fn stdout_that_is_not_a_terminal_gets_the_text_report() {
    let mut out = Vec::new();
    let verdict =
        trailscope::tui::print_report(&Session::fixed("demo", failing()), &TuiOptions::default(), &mut out)
            .unwrap();
    assert_eq!(verdict, Some(trailscope::verdict::Verdict::Fail));
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("verdict:      ✘ FAIL (rule-disallow)"), "{text}");
    assert!(text.contains("failure:      step package, rule DISALLOW *, artifact foo.tar.gz"), "{text}");
}

#[test]
fn engine_unit_events_stream_into_the_overview_before_the_verdict() {
    use trailscope::tui::{UnitEvent, UnitStatus};
    let (release, wait) = mpsc::channel::<()>();
    let wait = std::sync::Mutex::new(wait);
    let session = Session::new("engine", move |_, reporter| {
        let status = |unit: &str, status| reporter.unit(UnitEvent::Status { unit: unit.into(), status });
        status("parse root.layout", UnitStatus::Pass);
        status("signature root.layout", UnitStatus::Running);
        status("rules package", UnitStatus::Pending);
        reporter.unit(UnitEvent::Progress { done: 1, total: 3 });
        let _ = wait.lock().unwrap().recv();
        Ok(passing())
    });
    let mut h = Harness::with_session(session, 80, 24);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while h.app.state().progress.is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        h.app.poll();
    }
    let screen = h.screen();
    insta::assert_snapshot!("engine_units_streaming_80x24", screen);
    assert!(screen.contains("Units     ○ 1 pending  ◐ 1 running  ✔ 1 pass"), "{screen}");
    assert!(screen.contains("verifying engine… 1/3 units done"), "{screen}");
    release.send(()).unwrap();
    assert!(h.app.wait(Duration::from_secs(10)));
    assert!(h.screen().contains("✔ PASS"));
}

#[test]
fn the_readme_documents_every_key() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = trailscope::tui::keymap::Keymap::new().markdown();
    if std::env::var_os("TRAILSCOPE_PRINT_KEYS").is_some() {
        println!("{table}");
    }
    assert!(readme.contains(&table), "README.md's key table differs from the keymap:\n{table}");
}

#[test]
fn at_80_by_24_every_view_tab_stays_on_the_header() {
    let long = "fixtures/interop/in-toto/a-scenario-with-a-rather-long-directory-name";
    for view in ['1', '2', '3', '4', '5', '6'] {
        let mut h = Harness::with_session(Session::fixed(long, failing()), 80, 24);
        assert!(h.app.wait(Duration::from_secs(10)), "verification did not finish");
        h.keys(&view.to_string());
        let screen = h.screen();
        let header = screen.lines().next().unwrap();
        for digit in ['1', '2', '3', '4', '5', '6'] {
            assert!(header.contains(&format!(" {digit} ")), "view {view}: tab {digit} missing: {header}");
        }
        assert!(header.contains("✘ FAIL"), "view {view}: the verdict left the header: {header}");
    }
}
