//! The TUI never executes a layout's inspections unasked (DESIGN §9): the
//! embedded demo opens with them not run (so it does not verify), `I` shows
//! the argv of every inspection in a popup, `n` closes it with nothing run,
//! and `y` re-verifies with them run. Keys go through the same `App` the
//! binary drives; the screen is drawn into a `TestBackend`.

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trailscope::tui::open::{OpenOptions, demo_session};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::{App, TuiOptions};
use trailscope::verdict::Verdict;

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Harness {
    fn demo(name: &str) -> Self {
        let (session, at) = demo_session(name, &OpenOptions::default()).unwrap();
        let opts = TuiOptions { at, ..TuiOptions::default() };
        let mut app = App::new(session, load_builtin("dark").unwrap(), &opts);
        app.handle_event(&Event::Resize(120, 40));
        let mut h = Self { app, terminal: Terminal::new(TestBackend::new(120, 40)).unwrap() };
        h.wait();
        h
    }

    fn wait(&mut self) {
        assert!(self.app.wait(Duration::from_secs(60)), "verification did not finish");
    }

    fn key(&mut self, c: char) {
        self.app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }

    fn screen(&mut self) -> String {
        self.terminal.draw(|f| self.app.render(f)).unwrap();
        let buf = self.terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    fn verdict(&self) -> (Verdict, String) {
        let doc = &self.app.state().model.as_ref().expect("a result").doc;
        (doc.verdict, doc.category.id().to_owned())
    }

    fn categories(&self) -> Vec<String> {
        let doc = &self.app.state().model.as_ref().expect("a result").doc;
        doc.findings.iter().map(|f| f.category.id().to_owned()).collect()
    }
}

#[test]
fn the_demo_runs_no_inspection_until_asked_and_then_only_after_yes() {
    let mut h = Harness::demo("act1-alice-alone");
    // Not run, so not verified; the key is offered in the bar.
    assert_eq!(h.verdict(), (Verdict::Fail, "inspection-not-run".to_owned()));
    assert!(!h.categories().contains(&"inspection-run".to_owned()));
    let screen = h.screen();
    assert!(screen.contains("FAIL"), "{screen}");
    assert!(screen.contains("I run inspections"), "{screen}");

    // I: the popup shows the argv, exactly; nothing has run.
    h.key('I');
    let screen = h.screen();
    assert!(screen.contains("Run 1 inspection(s) of the layout?"), "{screen}");
    assert!(screen.contains("untar"), "{screen}");
    assert!(screen.contains(r#"argv ["sh", "-c", "tar xzf demo-project-*.tar.gz"]"#), "{screen}");
    assert!(screen.contains("y yes, run them"), "{screen}");
    assert!(!h.categories().contains(&"inspection-run".to_owned()));

    // n: closed, nothing run, the verdict unchanged.
    h.key('n');
    let screen = h.screen();
    assert!(!screen.contains("Run 1 inspection(s)"), "{screen}");
    assert!(screen.contains("nothing was run"), "{screen}");
    assert!(!h.app.busy());
    assert_eq!(h.verdict(), (Verdict::Fail, "inspection-not-run".to_owned()));

    // I, y: verified again with the inspection run; act 1 now passes.
    h.key('I');
    h.key('y');
    assert!(h.app.busy(), "y starts a verification");
    h.wait();
    assert_eq!(h.verdict(), (Verdict::Pass, "pass".to_owned()));
    assert!(h.categories().contains(&"inspection-run".to_owned()), "{:?}", h.categories());
    assert!(!h.categories().contains(&"inspection-not-run".to_owned()));
    let screen = h.screen();
    assert!(screen.contains("PASS"), "{screen}");
    // Run once: the key has nothing more to offer (r re-verifies).
    assert!(!screen.contains("I run inspections"), "{screen}");
    h.key('I');
    assert!(h.app.state().confirm.is_none());
}

#[test]
fn act3_is_caught_before_anything_runs_and_after_the_inspection_ran() {
    // `trailscope` with no argument opens this scenario with nothing run.
    let mut h = Harness::demo(trailscope::demo::DEFAULT);
    assert_eq!(h.verdict(), (Verdict::Fail, "rule-disallow".to_owned()));
    assert!(h.categories().contains(&"inspection-not-run".to_owned()));
    h.key('I');
    h.key('y');
    h.wait();
    assert_eq!(h.verdict(), (Verdict::Fail, "rule-disallow".to_owned()));
    assert!(h.categories().contains(&"inspection-run".to_owned()), "{:?}", h.categories());
}

#[test]
fn an_intoto_chain_on_the_engine_runs_its_inspection_after_yes() {
    let mut h = Harness::demo("intoto-demo/demo-supply-chain");
    assert_eq!(h.verdict(), (Verdict::Fail, "inspection-not-run".to_owned()));
    h.key('I');
    let screen = h.screen();
    assert!(screen.contains(r#"argv ["tar", "xzf", "demo-project.tar.gz"]"#), "{screen}");
    h.key('y');
    h.wait();
    assert_eq!(h.verdict(), (Verdict::Pass, "pass".to_owned()));
}

#[test]
fn help_lists_the_key_and_esc_cancels_the_question() {
    let mut h = Harness::demo("act2-bob-updates");
    h.key('?');
    let screen = h.screen();
    assert!(
        screen.contains("run the layout's inspections: shows each command (argv) and asks first"),
        "{screen}"
    );
    h.app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    h.key('I');
    assert!(h.app.state().confirm.is_some());
    h.app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert!(h.app.state().confirm.is_none());
    assert!(!h.app.busy());
    assert_eq!(h.verdict(), (Verdict::Fail, "inspection-not-run".to_owned()));
}

#[test]
fn skipped_inspections_pass_and_the_findings_say_so() {
    let skip = OpenOptions { skip_inspections: true, ..OpenOptions::default() };
    let (session, at) = demo_session("act1-alice-alone", &skip).unwrap();
    let opts = TuiOptions { at, ..TuiOptions::default() };
    let mut app = App::new(session, load_builtin("dark").unwrap(), &opts);
    app.handle_event(&Event::Resize(120, 40));
    let mut h = Harness { app, terminal: Terminal::new(TestBackend::new(120, 40)).unwrap() };
    h.wait();
    assert_eq!(h.verdict(), (Verdict::Pass, "pass".to_owned()));
    assert!(h.screen().contains("PASS"));
    h.key('6');
    let screen = h.screen();
    assert!(screen.contains("inspections-skipped") && screen.contains("inspections skipped"), "{screen}");
    // Skipped is not run: I still offers to run them.
    assert!(screen.contains("I run inspections"), "{screen}");
}
