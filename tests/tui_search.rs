//! The TUI's second pass (issue #16) on real verification results, driven
//! by key presses through the app's update loop into a `TestBackend`:
//! `/` searching every view (digests and key ids by prefix, target paths,
//! categories; `n`/`N` walking from view to view), the Targets view, the
//! Chain graph routed around its nodes (left to right or top down, panned),
//! a chain browsed without its layout keys (marked unverified), the
//! scenario's story, the first failure wrapped at 80×24 and the Step trace
//! scrolled to its last line.

mod common;
mod corpus_support;

use std::path::Path;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use trailscope::graph::draw::Orientation;
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::views::{self, ViewId};
use trailscope::tui::{App, TuiOptions};
use trailscope::verdict::Subject;

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Harness {
    fn open(dir: &Path, label: &str, size: (u16, u16)) -> Self {
        // As `trailscope open DIR` with no flag: nothing is executed, an
        // inspection's materials are checked against the work directory.
        let opened = open::detect(dir, &OpenOptions::default()).unwrap();
        let session = open::session(&opened, label);
        let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
        let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
        app.handle_event(&Event::Resize(size.0, size.1));
        assert!(app.wait(Duration::from_secs(30)), "verification did not finish");
        let terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
        Self { app, terminal }
    }

    fn fixture(rel: &str, size: (u16, u16)) -> Self {
        Self::open(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel), rel, size)
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

    fn view(&self) -> ViewId {
        self.app.state().view
    }
}

const ACT3: &str = "fixtures/demo/act3-adversary";
const PACKAGE: &str = "demo-project-1.1.tar.gz";

/// The selected row of a list (the line with `›`).
fn selected_rows(screen: &str) -> Vec<String> {
    screen.lines().filter(|l| l.contains("│›")).map(str::to_owned).collect()
}

#[test]
fn a_digest_prefix_typed_on_the_overview_selects_the_artifact_in_the_artifact_view() {
    for query in ["/82f78c\n", "/sha256:82F78C\n"] {
        let mut h = Harness::fixture(ACT3, (80, 24));
        assert_eq!(h.view(), ViewId::Overview);
        let screen = h.keys(query).screen();
        assert_eq!(h.view(), ViewId::Artifact, "{screen}");
        assert_eq!(h.app.state().selection, Some(Subject::Artifact { path: PACKAGE.into() }));
        assert!(selected_rows(&screen).iter().any(|r| r.contains(PACKAGE)), "{screen}");
        assert!(screen.contains("match 1 of") && screen.contains("in Artifact"), "{screen}");
        // Esc goes back to where the search started.
        h.key(KeyCode::Esc);
        assert_eq!(h.view(), ViewId::Overview);
    }
}

#[test]
fn n_and_shift_n_walk_a_key_id_s_hits_from_view_to_view() {
    let mut h = Harness::fixture(ACT3, (120, 40));
    // Alice's key id: a functionary of the chain, a layout key in Trust, an
    // artifact path, a TUF target path, evidence of findings.
    h.keys("/db0e8ae8\n");
    let first = (h.view(), h.app.state().cursor(h.view()).selected);
    let mut views = vec![h.view()];
    for _ in 0..40 {
        h.keys("n");
        let at = (h.view(), h.app.state().cursor(h.view()).selected);
        if at == first {
            break;
        }
        views.push(h.view());
    }
    for v in [ViewId::Chain, ViewId::Artifact, ViewId::Trust, ViewId::Findings, ViewId::Targets] {
        assert!(views.contains(&v), "no hit in {v:?}: {views:?}");
    }
    // In tab order: the first hit after the Overview is in the Chain.
    assert_eq!(views[0], ViewId::Chain, "{views:?}");
    // N comes back the same way.
    h.keys("N");
    assert_eq!(h.view(), *views.last().unwrap());
    // The selected Trust or Targets row shows the key id it was found by.
    let screen = h.screen();
    assert!(screen.contains("db0e8ae8"), "{screen}");
}

#[test]
fn a_target_found_by_its_hash_opens_in_the_targets_view_with_its_role_and_delegation_path() {
    let mut h = Harness::fixture(ACT3, (120, 40));
    h.keys("/59062c11\n");
    // The served package: its material in the Artifact view, then the findings, then the target.
    for _ in 0..10 {
        if h.view() == ViewId::Targets {
            break;
        }
        h.keys("n");
    }
    assert_eq!(h.view(), ViewId::Targets);
    let screen = h.screen();
    let path = format!("packages/demo-project/{PACKAGE}");
    assert_eq!(h.app.state().selection, Some(Subject::Target { path: path.clone() }));
    assert!(selected_rows(&screen).iter().any(|r| r.contains("✔ verified")), "{screen}");
    assert!(screen.contains(&format!("Target    {path}")), "{screen}");
    assert!(screen.contains("59062c11935a51a39546897cbabaf90b91fd9fe6"), "{screen}");
    assert!(screen.contains("Signed by package-and-in-toto-metadata-signer"), "{screen}");
    assert!(screen.contains("Path      targets › package-and-in-toto-metadata-signer"), "{screen}");
}

#[test]
fn the_targets_view_lists_every_trusted_target_and_f_keeps_the_failed_lookups() {
    let mut h = Harness::fixture(ACT3, (120, 40));
    let screen = h.keys("7").screen();
    insta::assert_snapshot!("targets_act3_120x40", screen);
    assert!(screen.contains("Targets 10 in 2 role(s) · 6 looked up"), "{screen}");
    assert!(screen.contains("· listed"), "{screen}");
    let screen = h.keys("f").screen();
    assert!(screen.contains("✔ every lookup succeeded (f: all)"), "{screen}");

    let mut h = Harness::fixture("fixtures/tuf-attacks/arbitrary-package", (80, 24));
    let screen = h.keys("7").screen();
    insta::assert_snapshot!("targets_arbitrary_package_80x24", screen);
    assert!(screen.contains("✘ error     app-1.0.tar.gz"), "{screen}");
    let screen = h.keys("f").screen();
    assert!(screen.contains("failures only: 1 of 2"), "{screen}");
    assert!(selected_rows(&screen).iter().any(|r| r.contains("app-1.0.tar.gz")), "{screen}");
    assert!(screen.contains("Why"), "the lookup's error is shown: {screen}");
    // y copies the sha256 the trusted metadata lists.
    h.keys("y");
    assert!(h.screen().contains("copied sha256 digest 477db624"), "{}", h.screen());
}

#[test]
fn the_chain_graph_runs_top_down_when_left_to_right_does_not_fit_and_never_crosses_a_node() {
    let h = Harness::fixture(ACT3, (120, 40));
    let chain = h.app.state().model.as_ref().and_then(|m| m.chain.clone()).expect("a chain");
    let all = (0..chain.items.len()).collect();
    let wide = views::chain::draw_graph(&chain, &all, false, (100, 10));
    assert_eq!(wide.orientation, Orientation::LeftRight);
    let narrow = views::chain::draw_graph(&chain, &all, false, (40, 30));
    assert_eq!(narrow.orientation, Orientation::TopDown);
    assert!(narrow.grid.width <= 40, "{}", narrow.grid.width);
    for d in [&wide, &narrow] {
        assert_eq!(d.items.len(), 4);
        assert_eq!(d.grid.crossings, 0);
        // Every label sits on cells no line or arrowhead uses.
        for (k, &(x, y)) in d.grid.nodes.iter().enumerate() {
            for cx in x..x + d.labels[k].chars().count() {
                let c = d.grid.cell(cx, y).unwrap();
                assert!(c.node && c.mask == 0 && !c.arrow);
            }
        }
    }
}

#[test]
fn a_graph_wider_than_its_pane_says_more_is_off_screen_and_pans() {
    let mut h = Harness::fixture(ACT3, (120, 40));
    h.keys("2");
    let theme = load_builtin("dark").unwrap();
    let draw = |h: &Harness| {
        let mut buf = Buffer::empty(Rect::new(0, 0, 50, 16));
        views::get(ViewId::Chain).render(h.app.state(), &theme, Rect::new(0, 0, 50, 16), &mut buf);
        (0..16)
            .map(|y| (0..50).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let screen = draw(&h);
    assert!(screen.contains("more ▶") || screen.contains("▼ more"), "{screen}");
    assert!(!screen.contains("◀ more"), "{screen}");
    // Tab to the graph; l pans right (the pane's size is the screen's: 120 columns fit all).
    h.key(KeyCode::Tab);
    assert_eq!(h.app.state().pane, 1);
    let screen = h.screen();
    assert!(screen.contains("▶ Flows"), "{screen}");
    assert!(screen.contains("h/l j/k pan"), "{screen}");
    // In the list pane, l and h still open and go back.
    h.key(KeyCode::Tab).keys("l");
    assert_eq!(h.view(), ViewId::Step);
}

#[test]
fn the_legend_explains_every_glyph_of_the_chain_view() {
    let mut h = Harness::fixture(ACT3, (120, 40));
    let screen = h.keys("2").screen();
    for glyph in ["─▶ MATCH flow", "┄▶ not evaluated", "╌✘▶ broken", "✔ pass ✘ fail ⚠ warn – skipped"]
    {
        assert!(screen.contains(glyph), "legend lacks {glyph}: {screen}");
    }
    assert!(screen.contains("m materials · p products · ⇠ takes artifacts from"), "{screen}");
    assert!(screen.contains("✘▶[✘ untar]"), "the broken flow into untar: {screen}");
    let screen = h.keys("4").screen();
    assert!(screen.contains("Δ digest changed"), "{screen}");
}

#[test]
fn a_chain_opened_without_its_layout_keys_is_browsed_marked_unverified() {
    let dir = tempfile::tempdir().unwrap();
    corpus_support::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/intoto-demo/package-swapped"),
        dir.path(),
    );
    std::fs::remove_dir_all(dir.path().join("keys")).unwrap();
    std::fs::remove_file(dir.path().join("scenario.json")).unwrap();
    let mut h = Harness::open(dir.path(), "package-swapped without keys", (80, 24));
    let screen = h.screen();
    assert!(screen.contains("category layout-signature"), "{screen}");
    assert!(!screen.contains("○ pending"), "{screen}");
    let screen = h.keys("2").screen();
    assert!(screen.contains("⚠ UNVERIFIED no layout key"), "{screen}");
    assert!(screen.contains("UNVERIFIED Chain"), "{screen}");
    for item in ["clone", "update-version", "package", "untar"] {
        assert!(screen.contains(&format!(" {item} ")), "{item}: {screen}");
    }
    let screen = h.keys("\n").screen();
    assert_eq!(h.view(), ViewId::Step);
    assert!(screen.contains("Layout    ⚠ unverified: no layout key was given"), "{screen}");
    assert!(screen.contains("Expected  git clone"), "{screen}");
    let screen = h.keys("4").screen();
    assert!(screen.contains("demo-project.tar.gz"), "{screen}");
}

#[test]
fn the_overview_tells_the_scenario_s_story_in_full_and_wraps_the_first_failure() {
    let story_end = "rejects it: in-toto / rule-disallow (untar, expected_materials).";
    let mut h = Harness::fixture(ACT3, (120, 40));
    let screen = h.screen();
    assert!(screen.contains("Story"), "{screen}");
    assert!(screen.contains(story_end), "{screen}");

    let mut h = Harness::fixture(ACT3, (80, 24));
    let screen = h.screen();
    insta::assert_snapshot!("overview_act3_80x24", screen);
    // The first failure's message, to its last word, without a cut.
    assert!(screen.contains("demo-project-1.1.tar.gz of 'package'"), "{screen}");
    let first: Vec<&str> =
        screen.lines().skip_while(|l| !l.contains("First")).take_while(|l| !l.contains("Stage")).collect();
    assert!(first.iter().all(|l| !l.contains('…')), "{first:?}");
    // At 80×24 Tab shows the story in the timeline's place; j scrolls to its end.
    let screen = h.key(KeyCode::Tab).screen();
    assert!(screen.contains("▶ Story"), "{screen}");
    for _ in 0..20 {
        h.keys("j");
    }
    assert!(h.screen().contains("expected_materials)."), "{}", h.screen());
}

#[test]
fn the_step_trace_scrolls_to_its_last_line() {
    // The last line of the failed rule's trace, as a screen tall enough for all of it shows it.
    let last_line = |screen: &str| -> String {
        screen
            .lines()
            .filter_map(|l| l.rsplit('│').nth(1))
            .map(str::trim_end)
            .rfind(|l| !l.is_empty())
            .unwrap_or_default()
            .to_owned()
    };
    let mut tall = Harness::fixture(ACT3, (120, 120));
    let full = tall.keys("\n").screen();
    let want = last_line(&full);
    assert!(!want.is_empty(), "{full}");
    let mut h = Harness::fixture(ACT3, (120, 40));
    h.keys("\n").key(KeyCode::Tab).keys("G");
    let screen = h.screen();
    assert!(screen.contains(&want), "the trace's last line {want:?} is reachable:\n{screen}");
}

#[test]
fn the_step_view_shows_what_an_inspection_printed_escaped() {
    let owner = common::Key::from_seed(7);
    let scene = common::Scene::new();
    let run = serde_json::json!([
        "sh",
        "-c",
        "printf 'hello from the inspection\\n\\033[31mred\\n'; echo oops >&2"
    ]);
    let inspection = serde_json::json!({
        "_type": "inspection", "name": "say", "run": run,
        "expected_materials": [], "expected_products": [["ALLOW", "*"]],
    });
    scene.layout(&common::layout(vec![], vec![inspection], &[]), &owner);
    scene.write("keys/owner.pub.json", &owner.dict);
    let opts = OpenOptions {
        run_inspections: true,
        layout_keys: vec![scene.path("keys/owner.pub.json")],
        workdir: Some(scene.path("work")),
        ..OpenOptions::default()
    };
    let opened = open::detect(scene.dir.path(), &opts).unwrap();
    let session = open::session(&opened, "an inspection that prints");
    let mut app = App::new(session, load_builtin("dark").unwrap(), &TuiOptions::default());
    app.handle_event(&Event::Resize(120, 40));
    assert!(app.wait(Duration::from_secs(30)));
    let mut h = Harness { app, terminal: Terminal::new(TestBackend::new(120, 40)).unwrap() };
    let screen = h.keys("3").screen();
    assert!(screen.contains("inspection say"), "{screen}");
    assert!(screen.contains("Output (stdout, 2 line(s))"), "{screen}");
    assert!(screen.contains("hello from the inspection"), "{screen}");
    // The escape sequence is shown escaped, never sent to the terminal.
    assert!(screen.contains("\\u{1b}[31mred") || screen.contains("\\x1b[31mred"), "{screen}");
    assert!(screen.contains("Output (stderr, 1 line(s))") && screen.contains("oops"), "{screen}");
}

#[test]
fn the_targets_view_of_an_audit_lists_the_targets_of_every_bin() {
    // The audit streams (a leaf role's targets are counted, then let go) at
    // PyPI scale only; a repository the TUI tracks file by file keeps them.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/tuf/succinct-hash-bins");
    let scenario: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let opts = OpenOptions {
        root: Some(dir.join("trusted_root.json")),
        metadata: Some(dir.join("repo/metadata").display().to_string()),
        all_roles: true,
        ..OpenOptions::default()
    };
    let mut opened = open::detect(&dir, &opts).unwrap();
    opened.at = Some(trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at);
    let session = open::session(&opened, "succinct-hash-bins");
    let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
    let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
    app.handle_event(&Event::Resize(120, 40));
    assert!(app.wait(Duration::from_secs(30)), "verification did not finish");
    let mut h = Harness { app, terminal: Terminal::new(TestBackend::new(120, 40)).unwrap() };
    let screen = h.keys("7").screen();
    let total: usize = std::fs::read_dir(dir.join("repo/metadata"))
        .unwrap()
        .map(|e| {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap();
            v["signed"]["targets"].as_object().map_or(0, |t| t.len())
        })
        .sum();
    assert!(total > 0);
    // Every listed target, plus a row for each lookup no role lists.
    let shown: usize = screen
        .split("Targets ")
        .skip(1)
        .find_map(|rest| rest.split(' ').next().and_then(|n| n.parse().ok()))
        .unwrap_or_else(|| panic!("no target count:\n{screen}"));
    assert!(shown >= total, "{total} listed targets expected, {shown} shown:\n{screen}");
}

#[test]
fn a_bin_the_streaming_audit_let_go_of_loads_when_opened_in_the_targets_view() {
    // PyPI scale in miniature: with the threshold lowered to 2 metadata
    // files the TUI audits streaming, and leaf bins are let go of once
    // verified (their targets counted, not kept).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/tuf/succinct-hash-bins");
    let scenario: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    let opts = OpenOptions {
        root: Some(dir.join("trusted_root.json")),
        metadata: Some(dir.join("repo/metadata").display().to_string()),
        all_roles: true,
        tracked_files: 2,
        ..OpenOptions::default()
    };
    let mut opened = open::detect(&dir, &opts).unwrap();
    opened.at = Some(trailscope::meta::time::parse(scenario["now"].as_str().unwrap()).unwrap().at);
    let session = open::session(&opened, "succinct-hash-bins");
    let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
    let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
    app.handle_event(&Event::Resize(120, 40));
    // The refresh's result comes first, then the audit's parts: wait for all.
    loop {
        assert!(app.wait(Duration::from_secs(30)), "verification did not finish");
        if app.state().progress.is_some_and(|(done, total)| done == total) {
            break;
        }
        app.step(Duration::from_secs(30));
    }
    let mut h = Harness { app, terminal: Terminal::new(TestBackend::new(120, 40)).unwrap() };
    let screen = h.keys("7").screen();
    assert!(screen.contains("○ not loaded") && screen.contains("Enter: load"), "{screen}");

    let t = views::targets::targets(h.app.state()).expect("a targets list");
    let first = (0..t.len()).find(|&r| t.is_unloaded(r)).expect("a released bin");
    let role = t.row(first).unwrap().role.unwrap();
    // What the bin lists, read from its file: its first target by path.
    let bin: serde_json::Value = std::fs::read_dir(dir.join("repo/metadata"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().ends_with(&format!("{role}.json")))
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .expect("the bin's file");
    let listed = bin["signed"]["targets"].as_object().unwrap();
    let first_path = listed.keys().min().unwrap().clone();
    assert!(!screen.contains(&first_path), "{first_path} shown before its bin is loaded:\n{screen}");

    for _ in 0..first {
        h.key(KeyCode::Down);
    }
    let screen = h.key(KeyCode::Enter).screen();
    assert_eq!(h.view(), ViewId::Targets, "Enter on a bin not loaded stays in the Targets view");
    let selected = selected_rows(&screen).join("\n");
    assert!(selected.contains(&first_path), "{first_path} not on the selected row:\n{screen}");
    let t = views::targets::targets(h.app.state()).unwrap();
    assert!(!t.is_unloaded(first));
    let rows: Vec<_> = (first..first + listed.len()).map(|r| t.row(r).unwrap()).collect();
    assert!(rows.iter().all(|r| r.role.as_deref() == Some(role.as_str()) && r.length.is_some()));
    let mut expected: Vec<&String> = listed.keys().collect();
    expected.sort();
    assert_eq!(rows.iter().map(|r| &r.path).collect::<Vec<_>>(), expected);
}

/// sigstore's root-signing repository (`fixtures/interop/external`) opened
/// from its first root, at a time all of it verifies.
fn sigstore_root_signing(size: (u16, u16)) -> Harness {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/external/tuf/sigstore+root-signing");
    let opts = OpenOptions {
        root: Some(d.join("metadata/root_history/1.root.json")),
        metadata: Some(d.join("metadata").display().to_string()),
        ..OpenOptions::default()
    };
    let mut opened = open::detect(&d, &opts).unwrap();
    opened.at = Some(trailscope::meta::time::parse("2026-08-22T00:00:00Z").unwrap().at);
    let session = open::session(&opened, "sigstore root-signing");
    let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
    let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
    app.handle_event(&Event::Resize(size.0, size.1));
    assert!(app.wait(Duration::from_secs(30)), "verification did not finish");
    Harness { app, terminal: Terminal::new(TestBackend::new(size.0, size.1)).unwrap() }
}

#[test]
fn a_key_owner_s_name_finds_the_key_in_the_trust_view() {
    let mut h = sigstore_root_signing((120, 40));
    let screen = h.keys("/@lance\n").screen();
    assert_eq!(h.view(), ViewId::Trust, "{screen}");
    // The first row about @lance's key: its signature on the trusted root, named.
    let selected = selected_rows(&screen).join("\n");
    assert!(selected.contains("signature ") && selected.contains("@lance"), "{screen}");
    // `n` walks on to the key itself.
    let mut seen_key = false;
    for _ in 0..8 {
        let screen = h.keys("n").screen();
        seen_key |= selected_rows(&screen).join("\n").contains("key 183e64f37670 @lance");
    }
    assert!(seen_key, "the key row of @lance is among the hits");
    let hits = h.app.state().hits.as_ref().map_or(0, |s| s.places.len());
    assert!(hits >= 1, "no hit for @lance");
}

#[test]
fn the_trust_view_counts_each_rotation_s_signers_against_both_thresholds() {
    let mut h = sigstore_root_signing((120, 40));
    let screen = h.keys("/of v9's root keys\n").screen();
    assert_eq!(h.view(), ViewId::Trust, "{screen}");
    let selected = selected_rows(&screen).join("\n");
    assert!(
        selected.contains("✔ met") && selected.contains("signed by 5 of threshold 3 of v9's root keys"),
        "{screen}"
    );
    assert!(selected.contains("@dlorenc (3c344aa0)"), "the signers by owner: {screen}");
    let rows = &h.app.state().model.as_ref().unwrap().trust.rows;
    let at = rows.iter().position(|r| r.text.contains("of v9's root keys")).unwrap();
    assert!(
        rows[at + 1].text.contains("signed by 5 of threshold 3 of its own root keys"),
        "{:?}",
        rows[at + 1]
    );
    assert!(
        rows[at - 1].text.starts_with("v9 → v10:") && rows[at - 1].text.contains("6 key(s) same, new id"),
        "{:?}",
        rows[at - 1]
    );
}

#[test]
fn functionaries_named_in_the_layout_are_shown_and_found_by_name() {
    let mut h = Harness::fixture("fixtures/intoto-demo/named-functionaries", (120, 40));
    let screen = h.keys("5").screen();
    assert!(screen.contains("functionary 1ddcdd285d47 (bob)"), "{screen}");
    assert!(screen.contains("functionary 2957179c6ca6 (carl)"), "{screen}");
    // The layout key, named by its file keys/alice.pub.json.
    assert!(screen.contains("layout key db0e8ae8") && screen.contains("(alice)"), "{screen}");
    // `/carl` from the Overview finds the step Carl carries out first (tab order).
    let screen = h.keys("1/carl\n").screen();
    assert_eq!(h.view(), ViewId::Chain, "{screen}");
    assert!(selected_rows(&screen).join("\n").contains("package"), "{screen}");
    // Its Step view names Carl beside the key id of his link.
    let screen = h.key(KeyCode::Enter).screen();
    assert_eq!(h.view(), ViewId::Step, "{screen}");
    assert!(screen.contains("key 2957179c… carl package.2957179c.link"), "{screen}");
}
