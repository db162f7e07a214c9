//! The Chain, Step, Artifact and Trust views on real verification results:
//! the generated fixtures (`fixtures/intoto-demo`, `fixtures/demo`) are
//! verified by the real verifiers through the same sessions `trailscope
//! open` builds, at each scenario's own time (`scenario.json` `now`), and
//! the screens are driven by key presses through the app's update loop and
//! compared with committed insta snapshots at 80×24 and 120×40.

use std::path::Path;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::views::ViewId;
use trailscope::tui::{App, TuiOptions};
use trailscope::verdict::Subject;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Harness {
    /// Opens a fixture directory (relative to the crate) like `trailscope open`.
    fn open(rel: &str, run_inspections: bool, size: (u16, u16)) -> Self {
        // The views, not the inspection: without running it, the verdict is
        // accepted without it (`--skip-inspections`).
        let opts =
            OpenOptions { run_inspections, skip_inspections: !run_inspections, ..OpenOptions::default() };
        let opened = open::detect(Path::new(rel), &opts).unwrap();
        let session = open::session(&opened, rel);
        let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
        let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
        app.handle_event(&Event::Resize(size.0, size.1));
        assert!(app.wait(Duration::from_secs(30)), "verification did not finish");
        let terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
        Self { app, terminal }
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        self.app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
        self
    }

    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            if c == '\n' {
                self.key(KeyCode::Enter);
                continue;
            }
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

const PASS: &str = "fixtures/intoto-demo/demo-supply-chain";
const FAIL: &str = "fixtures/intoto-demo/tampered-between-steps";
const ACT1: &str = "fixtures/demo/act1-alice-alone";
const ACT3: &str = "fixtures/demo/act3-adversary";

/// Snapshots a view of a fixture after `keys`, at both sizes.
fn snap(name: &str, rel: &str, inspections: bool, keys: &str) {
    for size in SIZES {
        let mut h = Harness::open(rel, inspections, size);
        h.keys(keys);
        let screen = h.screen();
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen);
    }
}

#[test]
fn chain_of_the_passing_demo() {
    snap("chain_pass", PASS, false, "2");
}

#[test]
fn chain_of_the_tampered_chain_marks_the_broken_flow() {
    snap("chain_fail", FAIL, false, "2jj");
    let mut h = Harness::open(FAIL, false, (80, 24));
    let screen = h.keys("2").screen();
    assert!(screen.contains("✘ fail    step       package"), "{screen}");
    assert!(screen.contains("⇠ ✘update-version"), "{screen}");
    assert!(screen.contains("╌✘"), "{screen}");
}

/// The rows of the Chain view's lane list.
fn chain_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| l.split('│').nth(1))
        .map(|cell| cell.trim_start_matches(['›', ' ']).trim_end().to_owned())
        .filter(|cell| cell.contains(" step ") || cell.contains(" inspection "))
        .collect()
}

#[test]
fn f_in_the_chain_keeps_only_the_failed_items_and_the_broken_flows() {
    let mut h = Harness::open(FAIL, false, (80, 24));
    let before = h.keys("2").screen();
    let rows = chain_rows(&before);
    assert_eq!(rows.len(), 4, "{before}");
    assert!(rows[0].starts_with("✔ pass    step       clone"), "{rows:?}");
    assert!(rows[2].starts_with("✘ fail    step       package"), "{rows:?}");
    assert!(rows[3].starts_with("– skipped inspection untar"), "{rows:?}");
    assert!(before.contains("[✔ clone]──▶[✔ update-version]╌┬✘▶[✘ package]"), "{before}");

    let after = h.keys("f").screen();
    let rows = chain_rows(&after);
    assert_eq!(rows.len(), 1, "{after}");
    assert!(rows[0].starts_with("✘ fail    step       package"), "{rows:?}");
    assert!(rows[0].contains("⇠ ✘update-version"), "{rows:?}");
    assert!(after.contains("failures only: 1 of 4 items"), "{after}");
    // The drawing keeps the failed item, the source of its broken flow and
    // that flow only.
    assert!(after.contains("[✔ update-version]╌✘▶[✘ package]"), "{after}");
    assert!(!after.contains("[✔ clone]") && !after.contains("untar]"), "{after}");
    // Enter opens the row shown, and f again brings every row back.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.state().view, ViewId::Step);
    assert!(h.screen().contains("step package"));
    h.keys("2f");
    assert_eq!(chain_rows(&h.screen()).len(), 4);
}

#[test]
fn f_on_a_passing_chain_says_nothing_failed() {
    let mut h = Harness::open(PASS, false, (120, 40));
    let screen = h.keys("2f").screen();
    assert!(chain_rows(&screen).is_empty(), "{screen}");
    assert!(screen.contains("failures only: 0 of 4 items"), "{screen}");
    assert!(screen.contains("✔ no item failed, no flow broken"), "{screen}");
}

#[test]
fn a_sublayout_s_items_are_rows_of_the_chain_and_fail_with_it() {
    let mut h = Harness::open("fixtures/interop/in-toto/sublayout-inner-failure", false, (80, 24));
    let screen = h.keys("2").screen();
    let rows = chain_rows(&screen);
    // (status, name): the status word, then the name after the kind column.
    let names: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            let cells: Vec<char> = r.chars().collect();
            let name: String = cells.iter().skip(21).collect();
            (cells.iter().take(6).collect(), name.split("  ").next().unwrap_or("").to_owned())
        })
        .collect();
    let want = [
        ("✔ pass", "fetch"),
        ("✘ fail", "build"),
        ("✔ pass", "build › compile"),
        ("✘ fail", "build › test"),
        ("✔ pass", "package"),
    ];
    assert_eq!(names, want.map(|(a, b)| (a.to_owned(), b.to_owned())), "{screen}");
    assert!(screen.contains("[✔ compile]╌✘▶[✘ test]"), "{screen}");
    let failing = chain_rows(&h.keys("f").screen());
    assert_eq!(failing.len(), 2, "{failing:?}");
    assert!(failing[1].contains("build › test"), "{failing:?}");
}

#[test]
fn chain_neighbourhood_focus() {
    snap("chain_focus", FAIL, false, "2jz");
}

#[test]
fn step_of_the_passing_demo_steps_through_rules() {
    snap("step_pass", PASS, false, "2jj3]]");
}

#[test]
fn step_of_the_failing_act_shows_the_rule_trace_with_both_digests() {
    snap("step_fail", ACT3, true, "\n");
    let mut h = Harness::open(ACT3, true, (120, 40));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.state().view, ViewId::Step);
    let screen = h.screen();
    assert!(screen.contains("›✘ m DISALLOW *"), "{screen}");
    assert!(screen.contains("82f78c856af363e9427b7aac9cb83d03745fa9d2bb9630b774698309dce25017"), "{screen}");
    assert!(screen.contains("59062c11935a51a39546897cbabaf90b91fd9fe6631066655a142677ea950099"), "{screen}");
    // At 80×24 too, without Tab or scrolling.
    let mut h = Harness::open(ACT3, true, (80, 24));
    let screen = h.key(KeyCode::Enter).screen();
    assert!(screen.contains("82f78c856af363e9427b7aac9cb83d03745fa9d2bb9630b774698309dce25017"), "{screen}");
    assert!(screen.contains("59062c11935a51a39546897cbabaf90b91fd9fe6631066655a142677ea950099"), "{screen}");
}

#[test]
fn step_materials_table_of_the_tampered_chain() {
    snap("step_materials", FAIL, false, "2jj3m");
}

#[test]
fn artifact_of_the_passing_demo() {
    snap("artifact_pass", PASS, false, "4j");
}

#[test]
fn artifact_of_the_tampered_chain_marks_the_first_difference() {
    snap("artifact_fail", FAIL, false, "4j");
    let mut h = Harness::open(FAIL, false, (120, 40));
    h.keys("4");
    h.app.handle_key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
    let screen = h.screen();
    assert!(screen.contains("✘ broken  demo-project/foo.py"), "{screen}");
    assert!(screen.contains("✘ differs at character 1"), "{screen}");
    assert!(screen.contains("clone (created) ─▶ update-version (modified) ─▶ ✘ package"), "{screen}");
}

#[test]
fn trust_of_the_passing_act() {
    snap("trust_pass", ACT1, false, "5");
}

#[test]
fn trust_of_the_failing_act() {
    snap("trust_fail", ACT3, true, "5G");
}

#[test]
fn trust_of_an_intoto_chain_lists_layout_keys_functionaries_and_steps() {
    let mut h = Harness::open(PASS, false, (120, 40));
    let screen = h.keys("5").screen();
    assert!(screen.contains("── in-toto layout ──"), "{screen}");
    assert!(screen.contains("✔ signed layout key"), "{screen}");
    assert!(screen.contains("✔ signed step package"), "{screen}");
}

#[test]
fn enter_on_a_finding_jumps_to_its_rule_in_the_step_view() {
    let mut h = Harness::open(FAIL, false, (120, 40));
    h.keys("6f");
    h.key(KeyCode::Enter);
    let state = h.app.state();
    assert_eq!(state.view, ViewId::Step);
    assert!(matches!(&state.selection, Some(Subject::Rule { step, .. }) if step == "package"));
    let screen = h.screen();
    assert!(screen.contains("Findings › Step"), "{screen}");
    assert!(screen.contains("›✘ m DISALLOW *"), "{screen}");
    // Enter on the offending artifact's rule opens the Artifact view.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.state().view, ViewId::Artifact);
    assert!(h.screen().contains("Artifact  demo-project/foo.py"));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.state().view, ViewId::Step);
}

#[test]
fn moving_in_the_chain_selects_the_step_the_step_view_shows() {
    let mut h = Harness::open(PASS, false, (80, 24));
    h.keys("2j");
    assert_eq!(h.app.state().selection, Some(Subject::Step { name: "update-version".into() }));
    let screen = h.keys("3").screen();
    assert!(screen.contains("step update-version"), "{screen}");
}

#[test]
fn time_travel_re_verifies_the_real_chain() {
    let mut h = Harness::open(PASS, false, (120, 40));
    h.keys("t");
    for _ in 0..30 {
        h.key(KeyCode::Backspace);
    }
    h.keys("2033-01-01T00:00:00Z").key(KeyCode::Enter);
    assert!(h.app.wait(Duration::from_secs(30)));
    let screen = h.screen();
    assert!(screen.contains("✘ FAIL") && screen.contains("layout-expired"), "{screen}");
}

#[test]
fn a_and_shift_a_switch_between_the_demo_scenarios() {
    let (session, at) = open::demo_session(
        "act3-adversary",
        &OpenOptions { run_inspections: true, ..OpenOptions::default() },
    )
    .unwrap();
    let tui = TuiOptions { at, ..TuiOptions::default() };
    let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
    app.handle_event(&Event::Resize(120, 40));
    assert!(app.wait(Duration::from_secs(30)));
    assert_eq!(app.state().label, "demo act3-adversary");
    let names = app.state().scenarios.clone();
    assert!(names.len() > 3, "{names:?}");
    assert_eq!(names[app.state().scenario], "demo/act3-adversary");
    // Back to act 2 with A, in the same view, verified at the act's own time.
    app.handle_key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE));
    app.handle_key(KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT));
    assert!(app.wait(Duration::from_secs(30)));
    assert_eq!(app.state().label, "demo act2-bob-updates");
    assert_eq!(app.state().view, ViewId::Chain);
    assert_eq!(app.state().model.as_ref().unwrap().doc.verdict, trailscope::verdict::Verdict::Pass);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| app.render(f)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("opened demo/act2-bob-updates (2 of"), "{screen}");
    // a goes forward again; past the acts come the other embedded scenarios.
    app.handle_key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE));
    assert!(app.wait(Duration::from_secs(30)));
    assert_eq!(app.state().label, "demo act3-adversary");
    app.handle_key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE));
    assert!(app.wait(Duration::from_secs(30)));
    assert_eq!(app.state().label, format!("demo {}", names[3].split('/').nth(1).unwrap()));
    assert!(app.state().model.is_some());
}

#[test]
fn outside_the_demo_a_says_there_is_nothing_to_switch_to() {
    let mut h = Harness::open(PASS, false, (80, 24));
    let screen = h.keys("a").screen();
    assert!(screen.contains("no other scenarios here"), "{screen}");
}

#[test]
fn open_demo_names_an_embedded_scenario() {
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["open", "--demo", "act1-alice-alone"])
        .output()
        .unwrap();
    // Nothing is run unasked: act 1's inspection was not run, so it does not verify.
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("✘ FAIL (inspection-not-run)"), "{text}");
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["open", "--demo", "act1-alice-alone", "--run-inspections"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("✔ PASS"), "{text}");
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["open", "--demo", "act1-alice-alone", "--skip-inspections"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("✔ PASS") && text.contains("inspections skipped"),
        "{text}"
    );
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["open", "--demo", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no embedded scenario"));
}

#[test]
fn overview_of_a_tuf_attack_names_the_trusted_root_it_started_from() {
    snap("overview_tuf", "fixtures/tuf-attacks/rollback-timestamp", false, "");
    let mut h = Harness::open("fixtures/tuf-attacks/rollback-timestamp", false, (80, 24));
    let screen = h.screen();
    assert!(screen.contains("✘ FAIL  category rollback  (tuf)"), "{screen}");
    assert!(screen.contains("Anchor    trusted root trusted_root.json v1"), "{screen}");
}

#[test]
fn overview_of_an_intoto_chain_names_the_layout_and_its_key_ids() {
    // A chain without inspections: its verdict does not hang on running them.
    const CHAIN: &str = "fixtures/interop/in-toto/command-mismatch";
    snap("overview_intoto", CHAIN, false, "");
    let mut h = Harness::open(CHAIN, false, (120, 40));
    let screen = h.screen();
    let keyid = trailscope::crypto::PublicKey::from_file_bytes(
        &std::fs::read(Path::new(CHAIN).join("keys/quinn.pub.json")).unwrap(),
    )
    .unwrap()
    .keyid();
    let line = format!("Anchor    layout root.layout · key {}…", &keyid[..8]);
    assert!(screen.contains(&line), "{line}\n{screen}");
}

#[test]
fn overview_of_a_bridge_names_root_layout_keys_and_the_failing_stage() {
    snap("overview_bridge", ACT3, true, "");
    let mut h = Harness::open(ACT3, true, (120, 40));
    let screen = h.screen();
    assert!(screen.contains("Anchor    trusted root trusted_root.json v1"), "{screen}");
    assert!(screen.contains("layout in-toto-metadata/2.core.root.layout (TUF target) · key"), "{screen}");
    assert!(screen.contains("Stage     in-toto"), "{screen}");
}
