//! Workshop mode in the TUI, through the same `App` the binary runs, drawn
//! into a ratatui `TestBackend`: in every lesson `b` then Enter (the first
//! break-it entry) changes the verdict in the header or adds an error
//! finding; the pane answers tasks with keys; at 80×24 the pane toggles.

use std::path::Path;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trailscope::graph::export::{ExportOptions, to_json};
use trailscope::tui::export::{JSON_FILE, MARKDOWN_FILE};
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::{App, TuiOptions};
use trailscope::verdict::Severity;
use trailscope::workshop;

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Harness {
    fn lesson(name: &str, width: u16, height: u16) -> Self {
        let lesson = workshop::find(name).unwrap();
        let app = App::workshop(lesson, load_builtin("mono").unwrap(), &TuiOptions::default()).unwrap();
        Self::over(app, width, height)
    }

    fn over(mut app: App, width: u16, height: u16) -> Self {
        app.handle_event(&Event::Resize(width, height));
        assert!(app.wait(Duration::from_secs(30)), "verification did not finish");
        Self { app, terminal: Terminal::new(TestBackend::new(width, height)).unwrap() }
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        let mods = match code {
            KeyCode::Char(c) if c.is_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.app.handle_key(KeyEvent::new(code, mods));
        self
    }

    /// `b`, then break-it action `i` of the list.
    fn play(&mut self, i: usize) -> &mut Self {
        self.key(KeyCode::Char('b'));
        for _ in 0..i {
            self.key(KeyCode::Char('j'));
        }
        self.key(KeyCode::Enter)
    }

    fn screen(&mut self) -> String {
        self.terminal.draw(|f| self.app.render(f)).unwrap();
        self.terminal.backend().to_string()
    }

    fn header(&mut self) -> String {
        self.screen().lines().next().unwrap_or_default().to_owned()
    }

    fn errors(&self) -> usize {
        self.app.state().findings().iter().filter(|f| f.severity == Severity::Error).count()
    }
}

#[test]
fn in_every_lesson_b_then_enter_changes_the_header_verdict_or_adds_an_error() {
    for lesson in workshop::lessons() {
        let mut h = Harness::lesson(&lesson.id, 120, 40);
        let (header, errors) = (h.header(), h.errors());
        h.key(KeyCode::Char('b'));
        assert!(h.screen().contains("Break it — play the attacker"), "lesson {}", lesson.number);
        h.key(KeyCode::Enter);
        assert!(
            h.app.wait(Duration::from_secs(30)),
            "lesson {}: the attacked copy did not verify",
            lesson.number
        );
        let screen = h.screen();
        let after = h.header();
        assert!(
            after != header || h.errors() > errors,
            "lesson {}: nothing changed\nbefore: {header}\nafter:  {after}\n{screen}",
            lesson.number
        );
        assert!(screen.contains("You played:"), "lesson {}:\n{screen}", lesson.number);
        assert!(h.app.state().lesson.as_ref().unwrap().progress.played[0]);
        // u restores the verdict.
        h.key(KeyCode::Char('u'));
        assert!(h.app.wait(Duration::from_secs(30)));
        assert_eq!(h.header(), header, "lesson {}: undo did not restore the verdict", lesson.number);
        assert_eq!(h.errors(), errors, "lesson {}", lesson.number);
    }
}

#[test]
fn the_pane_answers_a_task_with_keys_and_says_why() {
    let mut h = Harness::lesson("anatomy", 100, 30);
    assert!(h.screen().contains("Lesson 1. Anatomy"), "the pane sits beside the view at 100×30");
    h.key(KeyCode::Char('L'));
    // The first choice is wrong: feedback says why.
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(screen.contains("✘ Not quite"), "{screen}");
    h.key(KeyCode::Char('H'));
    assert!(h.screen().contains("hint:"));
    h.key(KeyCode::Char('j')).key(KeyCode::Enter);
    let screen = h.screen();
    assert!(screen.contains("✔ Right."), "{screen}");
    assert!(screen.contains("Task 2/2"), "{screen}");
    assert_eq!(h.app.state().lesson.as_ref().unwrap().progress.solved, vec![true, false]);
}

#[test]
fn a_typed_answer_is_checked() {
    let mut h = Harness::lesson("rollback-and-freeze", 100, 30);
    h.key(KeyCode::Char('L')).key(KeyCode::Enter).key(KeyCode::Char('2')).key(KeyCode::Enter);
    let screen = h.screen();
    assert!(screen.contains("✔ Right."), "{screen}");
}

#[test]
fn at_80_by_24_the_pane_toggles_instead_of_squeezing_the_view() {
    let mut h = Harness::lesson("package-swap", 80, 24);
    let screen = h.screen();
    assert!(!screen.contains("Lesson 9."), "hidden until L:\n{screen}");
    h.key(KeyCode::Char('L'));
    let screen = h.screen();
    assert!(screen.contains("Lesson 9."), "{screen}");
    h.key(KeyCode::Esc);
    assert!(!h.screen().contains("Lesson 9."));
}

#[test]
fn lessons_switch_in_the_pane_and_keep_their_progress() {
    let mut h = Harness::lesson("anatomy", 120, 40);
    h.key(KeyCode::Char('L')).key(KeyCode::Char('j')).key(KeyCode::Enter);
    h.key(KeyCode::Char('>'));
    assert!(h.app.wait(Duration::from_secs(30)));
    let screen = h.screen();
    assert!(screen.contains("Lesson 2. Root rotation"), "{screen}");
    assert!(screen.contains("workshop 2. root-rot"), "the header names the lesson:\n{screen}");
    assert_eq!(h.app.state().lesson.as_ref().unwrap().progress.solved, vec![false, false]);
    h.key(KeyCode::Char('<'));
    assert!(h.app.wait(Duration::from_secs(30)));
    let pane = h.app.state().lesson.as_ref().unwrap();
    assert_eq!(pane.lesson.number, 1);
    assert_eq!(pane.progress.solved, vec![true, false], "lesson 1's progress is kept for the session");
}

#[test]
fn a_break_on_files_the_engine_tracks_re_runs_only_what_they_feed() {
    // Lesson 5, "flip a byte of an artifact": one target file changes; the
    // role units (root, timestamp, snapshot, targets, delegations) do not run again.
    let mut h = Harness::lesson("delegations", 120, 40);
    let before = h.app.session().engine().expect("TUF lessons run on the engine").stats();
    h.key(KeyCode::Char('b')).key(KeyCode::Char('j')).key(KeyCode::Enter);
    assert!(h.app.wait(Duration::from_secs(30)));
    assert!(h.screen().contains("hash-mismatch"), "{}", h.screen());
    let after = h.app.session().engine().expect("the same engine").stats();
    let ran = after.executed - before.executed;
    assert!(ran > 0 && ran < before.executed, "{ran} of {} units ran again", before.executed);
}

#[test]
fn the_sigstore_lesson_shows_the_chain_then_catches_each_attack_with_its_category() {
    let mut h = Harness::lesson("sigstore-bundle", 220, 50);
    let screen = h.screen();
    assert!(screen.contains("Lesson 12. An attestation in a Sigstore bundle"), "{screen}");
    assert!(h.header().contains("PASS"), "{screen}");
    // The Trust view draws the chain from the TUF root to the artifact.
    for row in [
        "── Trust chain: TUF root → trusted_root.json → CA → certificate ──",
        "leaf certificate · SAN URI https://github.com/trailscope/demo-widget/.github/workflows/release.yml",
        "✔ pass identity: expected https://github.com/trailscope/demo-widget/.github/workflows/release.yml@refs/tags/v1.4.0",
        "✔ pass log entry · index 3",
        "✔ pass inclusion promise (SET)",
        "✔ pass artifact",
    ] {
        assert!(screen.contains(row), "the Trust view lacks {row}:\n{screen}");
    }
    let lesson = workshop::find("sigstore-bundle").unwrap();
    for (i, action) in lesson.breaks.iter().enumerate() {
        h.play(i);
        assert!(h.app.wait(Duration::from_secs(30)), "{}: the attacked copy did not verify", action.label);
        let screen = h.screen();
        assert!(h.header().contains("FAIL"), "{}:\n{screen}", action.label);
        assert!(screen.contains(&action.expect.category), "{}:\n{screen}", action.label);
        assert!(screen.contains(&format!("You played: {}", action.label)), "{}:\n{screen}", action.label);
        if action.expect.category == "identity-mismatch" {
            // Expected above actual, as `open` of the wrong-identity scenario shows them.
            assert!(screen.contains("nightly.yml@refs/heads/main"), "{screen}");
            assert!(screen.contains("release.yml@refs/tags/v1.4.0"), "{screen}");
        }
        h.key(KeyCode::Esc).key(KeyCode::Char('u'));
        assert!(h.app.wait(Duration::from_secs(30)));
        assert!(h.header().contains("PASS"), "undo of {}:\n{}", action.label, h.screen());
    }
}

#[test]
fn the_sigstore_lessons_views_name_files_as_the_scenario_does_never_the_scratch_copy() {
    // What `demo sigstore-scenarios/pass` names: the same text on every
    // machine and every run, and what the trainee finds in the scenario.
    let mut h = Harness::lesson("sigstore-bundle", 220, 60);
    let tmp = std::env::temp_dir().display().to_string();
    let trust = h.screen();
    assert!(trust.contains("trusted_root.json: ../trusted_root.json"), "{trust}");
    assert!(trust.contains("✔ pass artifact demo-widget-1.4.0.txt (sha256:"), "{trust}");
    let mut all = trust;
    for _ in 0..60 {
        all.push_str(&h.key(KeyCode::Char('j')).screen());
    }
    for view in ['1', '2', '3', '4', '6', '7'] {
        all.push_str(&h.key(KeyCode::Char(view)).screen());
    }
    assert!(!all.contains(&tmp), "a scratch path is on screen:\n{all}");
}

/// Every screen a trainee can reach from where `h` stands: each view, its
/// first `rows` rows each selected and drilled into.
fn every_screen(h: &mut Harness, rows: usize) -> String {
    let mut all = String::new();
    for view in ['1', '2', '3', '4', '5', '6', '7'] {
        all.push_str(&h.key(KeyCode::Char(view)).key(KeyCode::Char('g')).screen());
        for _ in 0..rows {
            all.push_str(&h.key(KeyCode::Char('j')).screen());
            all.push_str(&h.key(KeyCode::Enter).screen());
            h.key(KeyCode::Char(view));
        }
    }
    h.key(KeyCode::Char('1'));
    all
}

/// What the session holds beyond the screen (a long path is cut there):
/// the document, the chain's graph with its artifacts, and the report `e`
/// writes (Markdown and JSON).
fn everything_behind_the_screen(h: &mut Harness, out: &Path) -> String {
    let model = h.app.state().model.as_ref().expect("a result");
    let mut all = serde_json::to_string(&model.doc).unwrap();
    if let Some(chain) = &model.chain {
        let opts = ExportOptions { artifacts: true, ..ExportOptions::default() };
        all.push_str(&to_json(&chain.graph, opts).to_string());
    }
    // The prompt holds the last directory written to.
    let typed = h.app.state().export_dir.display().to_string().chars().count();
    h.key(KeyCode::Char('e'));
    for _ in 0..typed {
        h.key(KeyCode::Backspace);
    }
    for c in out.display().to_string().chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    for file in [MARKDOWN_FILE, JSON_FILE] {
        let path = out.join(file);
        all.push_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        std::fs::remove_file(path).unwrap();
    }
    all
}

/// The file the scenario's `scenario.json` names first: its bundle, its
/// layout or its trusted root, as the Overview's anchor shows it.
fn named_by_the_scenario(lesson: &workshop::Lesson) -> String {
    let (json, _) = workshop::scenario_files(&lesson.scenario).unwrap();
    ["bundle", "layout", "trusted_root"]
        .iter()
        .find_map(|k| json["inputs"][k].as_str().or_else(|| json[k].as_str()))
        .unwrap_or_else(|| panic!("{} names no input", lesson.scenario))
        .to_owned()
}

#[test]
fn every_lessons_views_and_exports_name_files_as_the_scenario_does_never_the_scratch_copy() {
    let tmp = std::env::temp_dir().display().to_string();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("workshop-relative-names");
    std::fs::create_dir_all(&out).unwrap();
    // The checkout (and so the export directory) may itself live under the temp
    // dir, as a CI clone does: its path is not a leak.
    let export_dir = out.display().to_string();
    let leaks = |text: &str| -> Vec<String> {
        let text = text.replace(&export_dir, "<export dir>");
        // The text around each, not the whole line: an export is one line of JSON.
        let around = |l: &str, at: usize| {
            let start = l.floor_char_boundary(at.saturating_sub(60));
            l[start..l.ceil_char_boundary((at + 100).min(l.len()))].to_owned()
        };
        let mut lines: Vec<String> = text
            .lines()
            .filter_map(|l| l.find(&tmp).or_else(|| l.find("trailscope-workshop-")).map(|at| around(l, at)))
            .collect();
        lines.sort();
        lines.dedup();
        lines
    };
    let mut inspected = 0;
    for lesson in workshop::lessons() {
        let name = format!("lesson {} ({})", lesson.number, lesson.id);
        let mut h = Harness::lesson(&lesson.id, 200, 50);
        let file = named_by_the_scenario(&lesson);
        let file = file.trim_start_matches("../");
        let screens = every_screen(&mut h, 24);
        assert!(screens.contains(file), "{name}: {file} is not on screen:\n{screens}");
        let behind = everything_behind_the_screen(&mut h, &out);
        assert!(behind.contains(file), "{name}: {file} is not in the document or export");
        let found = leaks(&(screens + &behind));
        assert!(found.is_empty(), "{name}: a scratch path is shown:\n{}", found.join("\n"));
        for (i, action) in lesson.breaks.iter().enumerate() {
            h.play(i);
            assert!(h.app.wait(Duration::from_secs(30)), "{name}, {}: did not verify", action.label);
            assert!(
                h.screen().contains(&format!("You played: {}", action.label)),
                "{name}: {}",
                action.label
            );
            h.key(KeyCode::Esc);
            let seen = every_screen(&mut h, 10) + &everything_behind_the_screen(&mut h, &out);
            let found = leaks(&seen);
            assert!(
                found.is_empty(),
                "{name}, {}: a scratch path is shown:\n{}",
                action.label,
                found.join("\n")
            );
            h.key(KeyCode::Char('u'));
            assert!(h.app.wait(Duration::from_secs(30)), "{name}: undo of {} did not verify", action.label);
        }
        // The layout's inspections run in a copy of the work directory under the temp dir.
        if h.app.state().offers_inspections() {
            h.key(KeyCode::Char('I')).key(KeyCode::Char('y'));
            assert!(h.app.wait(Duration::from_secs(60)), "{name}: the inspections did not finish");
            let model = h.app.state().model.as_ref().expect("a result");
            let ran = model.doc.findings.iter().find(|f| f.category.id() == "inspection-run");
            let ran = ran.unwrap_or_else(|| panic!("{name}: no inspection ran"));
            assert!(
                ran.message.ends_with(" in a scratch copy of the work directory"),
                "{name}: {}",
                ran.message
            );
            let seen = every_screen(&mut h, 10) + &everything_behind_the_screen(&mut h, &out);
            let found = leaks(&seen);
            assert!(
                found.is_empty(),
                "{name}, inspections run: a scratch path is shown:\n{}",
                found.join("\n")
            );
            inspected += 1;
        }
    }
    assert!(inspected >= 4, "lessons 7 to 10 offer their layout's inspections; {inspected} did");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn open_demo_of_every_scenario_names_files_as_the_scenario_does_never_its_temporary_copy() {
    // `open --demo` verifies a copy under the temp dir, as the workshop does.
    let tmp = std::env::temp_dir().display().to_string();
    let mut intoto = 0;
    for sc in trailscope::demo::list() {
        let name = format!("{}/{}", sc.set, sc.name);
        let (session, at) = open::demo_session(&name, &OpenOptions::default()).unwrap();
        let tui = TuiOptions { at, ..TuiOptions::default() };
        let app = App::new(session, load_builtin("mono").unwrap(), &tui);
        let mut h = Harness::over(app, 200, 50);
        let mut seen = String::new();
        for view in ['1', '2', '3', '4', '5', '6', '7'] {
            seen.push_str(&h.key(KeyCode::Char(view)).screen());
        }
        let model = h.app.state().model.as_ref().expect("a result");
        seen.push_str(&serde_json::to_string(&model.doc).unwrap());
        if let Some(chain) = &model.chain {
            seen.push_str(
                &to_json(&chain.graph, ExportOptions { artifacts: true, ..ExportOptions::default() })
                    .to_string(),
            );
            intoto += usize::from(chain.layout == "root.layout");
        }
        assert!(!seen.contains(&tmp), "{name}: its temporary copy is shown:\n{seen}");
    }
    assert!(intoto > 0, "no in-toto scenario's chain names root.layout");
}
