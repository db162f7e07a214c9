//! Every finding's evidence on every face (issue #14): the two comparisons
//! a new user could not see — two links of one step that disagree
//! (`threshold-links-disagree`) and the bridge's product against the TUF
//! target (`product-hash-mismatch`) — show both digests in the TUI (Enter on
//! the first failure, the Step view), in text, JSON, Markdown and SARIF; and
//! "expected"/"actual" mean the same in every comparison of the demo's act 3.
//! Search finds the digests and key ids the views show; the Findings
//! filters change the rows they announce.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::views::ViewId;
use trailscope::tui::{App, TuiOptions};
use trailscope::verdict::{Document, Evidence, Signer};

const DISAGREE: &str = "fixtures/interop/in-toto/threshold-links-disagree";
const BINDING: &str = "fixtures/interop/bridge/product-hash-mismatch";
const ACT3: &str = "fixtures/demo/act3-adversary";

/// `dist/app` in the first link of `compile` (6fa71fe9) and in the second (73c79e19).
const LINK_A: &str = "4ba5bfdb0adc9fa86dd81d4261a2630c526869b377cc83643a0b048fa4e57709";
const LINK_B: &str = "2bf405c4609aa3073999fdfc73c71a2d4c006959d405da36f9ef4e99c79c2e4d";
const KEY_A: &str = "6fa71fe9b4f8b8cadf3a0f5af231bcdb6f43e8e06792f4b59e4fbd14358c02b2";
const KEY_B: &str = "73c79e198309c331c2a6584e87bc3e59491d2d6ac98c7911037edf234e74c01f";
/// The package step's product pebble-3.4.tar.gz, and the TUF target the adversary re-signed.
const PRODUCT: &str = "e6b01864a7a7c9df873586da34cf154ff8b140419598386d6f677cd63d560452";
const TARGET: &str = "21e4eabb054c4499746b05a0f0483600780e256c2331bbb2b7f729dd83168d8a";
const ONLINE_ROLE: &str = "package-and-in-toto-metadata-signer";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn scenario(rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(rel).join("scenario.json")).unwrap()).unwrap()
}

// ---------------------------------------------------------------- CLI faces

fn verify_disagree(format: &str) -> String {
    let dir = fixture(DISAGREE);
    let s = scenario(DISAGREE);
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .current_dir(&dir)
        .args(["verify", "--layout", "root.layout", "--layout-keys", "keys/kate.pub.json"])
        .args(["--link-dir", "links", "--at", s["now"].as_str().unwrap(), "--format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn verify_binding(format: &str) -> String {
    let dir = fixture(BINDING);
    let s = scenario(BINDING);
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .current_dir(&dir)
        .args(["bridge", "verify", "--root", "trusted_root.json"])
        .args(["--metadata", "repo/metadata", "--targets", "repo/targets"])
        .args(["--target", s["inputs"]["target"].as_str().unwrap()])
        .args(["--at", s["now"].as_str().unwrap(), "--format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn has(text: &str, needle: &str) {
    assert!(text.contains(needle), "{needle:?} not in:\n{text}");
}

#[test]
fn disagreeing_links_show_both_links_and_both_digests_in_text() {
    let text = verify_disagree("text");
    has(&text, &format!("expected: the step's first link (compile.6fa71fe9.link, signed by key {KEY_A})"));
    has(&text, &format!("actual: another link of the step (compile.73c79e19.link, signed by key {KEY_B})"));
    has(&text, "1 artifact(s) differ:\n      products dist/app\n");
    has(&text, &format!("expected sha256 {LINK_A}\n        actual   sha256 {LINK_B}\n"));
    has(&text, "compile — links 2/2 (threshold 2), which DISAGREE on 1 artifact(s), rules ok");
}

#[test]
fn disagreeing_links_are_typed_evidence_in_json_and_read_back() {
    let json = verify_disagree("json");
    let v: Value = serde_json::from_str(&json).unwrap();
    let ev = &v["findings"][0]["evidence"];
    assert_eq!(v["findings"][0]["category"], "link-disagreement");
    assert_eq!(ev["kind"], "link-disagreement");
    assert_eq!(ev["step"], "compile");
    assert_eq!(ev["expected"]["file"], "compile.6fa71fe9.link");
    assert_eq!(ev["expected"]["signed_by"], serde_json::json!({"kind": "key", "keyid": KEY_A}));
    assert_eq!(ev["actual"]["file"], "compile.73c79e19.link");
    assert_eq!(ev["artifacts_count"], 1);
    assert_eq!(
        ev["artifacts"][0],
        serde_json::json!({"section": "products", "path": "dist/app",
                           "expected": {"sha256": LINK_A}, "actual": {"sha256": LINK_B}})
    );
    let doc = Document::from_json_str(&json).unwrap();
    let Evidence::LinkDisagreement(d) = &doc.findings[0].evidence else { panic!("{:?}", doc.findings[0]) };
    assert_eq!(d.actual.signed_by, Some(Signer::Key { keyid: KEY_B.into() }));
    assert_eq!(d.artifacts[0].actual, Some(serde_json::json!({"sha256": LINK_B})));
}

#[test]
fn disagreeing_links_show_both_digests_in_markdown_and_sarif() {
    let md = verify_disagree("markdown");
    has(&md, "**Links that disagree** (step compile)");
    has(
        &md,
        &format!("| expected | the step's first link, compile.6fa71fe9.link, signed by key `{KEY_A}` |"),
    );
    has(
        &md,
        &format!("| actual | another link of the step, compile.73c79e19.link, signed by key `{KEY_B}` |"),
    );
    has(&md, &format!("| products dist/app | sha256 | `{LINK_A}` | `{LINK_B}` |"));
    let sarif: Value = serde_json::from_str(&verify_disagree("sarif")).unwrap();
    let message = sarif["runs"][0]["results"][0]["message"]["text"].as_str().unwrap();
    has(message, &format!("products dist/app: expected sha256:{LINK_A}, actual sha256:{LINK_B}"));
}

#[test]
fn product_binding_shows_the_product_against_the_tuf_target_in_text() {
    let text = verify_binding("text");
    has(
        &text,
        &format!(
            "    expected: product pebble-3.4.tar.gz of step 'package' (package.29a5196f.link, signed by key \
             29a5196f5e7dfc965618d20878e8868b292f2c9af17bed53232bc5410c506791)\n      sha256 {PRODUCT}\n"
        ),
    );
    has(
        &text,
        &format!(
            "    actual: TUF target packages/pebble/pebble-3.4.tar.gz (signed by role {ONLINE_ROLE})\n      sha256 {TARGET}\n"
        ),
    );
    has(&text, &format!("expected (the product in its link): sha256 {PRODUCT}"));
    has(&text, &format!("actual   (the TUF target):          sha256 {TARGET}"));
}

#[test]
fn product_binding_evidence_in_json_names_both_records() {
    let json = verify_binding("json");
    let v: Value = serde_json::from_str(&json).unwrap();
    let f =
        v["findings"].as_array().unwrap().iter().find(|f| f["category"] == "product-hash-mismatch").unwrap();
    let ev = &f["evidence"];
    assert_eq!(ev["kind"], "digests");
    assert_eq!(ev["expected"], serde_json::json!({"sha256": PRODUCT}));
    assert_eq!(ev["actual"], serde_json::json!({"sha256": TARGET}));
    assert_eq!(ev["expected_from"]["file"], "package.29a5196f.link");
    assert_eq!(ev["actual_from"]["label"], "TUF target packages/pebble/pebble-3.4.tar.gz");
    assert_eq!(ev["actual_from"]["signed_by"], serde_json::json!({"kind": "role", "name": ONLINE_ROLE}));
    // The document reads back with the same evidence.
    let doc = Document::from_json_str(&json).unwrap();
    let back = doc.findings.iter().find(|f| f.category == "product-hash-mismatch").unwrap();
    assert_eq!(serde_json::to_value(&back.evidence).unwrap(), *ev);
}

#[test]
fn product_binding_shows_both_digests_in_markdown_and_sarif() {
    let md = verify_binding("markdown");
    has(&md, &format!("| sha256 | `{PRODUCT}` | `{TARGET}` | ✘ differ |"));
    has(
        &md,
        &format!("| actual | TUF target packages/pebble/pebble-3.4.tar.gz, signed by role `{ONLINE_ROLE}` |"),
    );
    let sarif: Value = serde_json::from_str(&verify_binding("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results.iter().find(|r| r["ruleId"] == "product-hash-mismatch").unwrap();
    let message = r["message"]["text"].as_str().unwrap();
    has(message, &format!("expected sha256:{PRODUCT}"));
    has(message, &format!("actual sha256:{TARGET}"));
}

/// Act 3: the package step's product is "expected" and the served tarball
/// "actual" in the inspection's MATCH and in the product binding alike.
#[test]
fn act3_every_comparison_calls_the_supply_chains_product_expected() {
    let out = Command::cargo_bin("trailscope")
        .unwrap()
        .args(["demo", "act3-adversary", "--run-inspections", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tarball = "demo-project-1.1.tar.gz";
    let (mut expected, mut actual) = (Vec::new(), Vec::new());
    for f in v["findings"].as_array().unwrap() {
        let ev = &f["evidence"];
        match ev["kind"].as_str() {
            Some("digests") if f["subject"]["path"] == tarball => {
                expected.push(ev["expected"]["sha256"].clone());
                actual.push(ev["actual"]["sha256"].clone());
            }
            Some("rule-trace") => {
                for u in ev["unmatched"].as_array().unwrap().iter().filter(|u| u["path"] == tarball) {
                    expected.push(u["dest_hashes"]["sha256"].clone());
                    actual.push(u["hashes"]["sha256"].clone());
                }
            }
            _ => {}
        }
    }
    assert!(expected.len() >= 3, "the MATCH traces and the binding: {expected:?}");
    expected.dedup();
    actual.dedup();
    assert_eq!(expected.len(), 1, "one expected digest: {expected:?}");
    assert_eq!(actual.len(), 1, "one actual digest: {actual:?}");
    assert_ne!(expected, actual);
}

// ---------------------------------------------------------------- the TUI

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Harness {
    fn open(rel: &str, run_inspections: bool, size: (u16, u16)) -> Self {
        let opts = OpenOptions { run_inspections, ..OpenOptions::default() };
        let opened = open::detect(&fixture(rel), &opts).unwrap();
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
            let (code, mods) = match c {
                '\n' => (KeyCode::Enter, KeyModifiers::NONE),
                '\t' => (KeyCode::Tab, KeyModifiers::NONE),
                c if c.is_uppercase() || c == '?' => (KeyCode::Char(c), KeyModifiers::SHIFT),
                c => (KeyCode::Char(c), KeyModifiers::NONE),
            };
            self.app.handle_key(KeyEvent::new(code, mods));
        }
        self
    }

    fn screen(&mut self) -> String {
        self.terminal.draw(|f| self.app.render(f)).unwrap();
        self.terminal.backend().to_string()
    }
}

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The text of the `n`th `│`-delimited column of a screen (3: the right
/// pane of a side-by-side layout), its lines joined without their padding
/// and without caret lines, so a digest a narrow pane cut into rows reads
/// whole again.
fn pane_text(screen: &str, n: usize) -> String {
    screen
        .lines()
        .filter_map(|l| l.split('│').nth(n))
        .map(str::trim_end)
        .filter(|l| l.trim() != "^")
        .collect()
}

/// How many rows of the Findings list start with `label` ("✘ error").
fn rows(screen: &str, label: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.starts_with(&format!("\"│ {label}")) || l.starts_with(&format!("\"│›{label}")))
        .count()
}

#[test]
fn enter_on_disagreeing_links_opens_the_step_failing_its_threshold_with_both_digests() {
    for size in SIZES {
        let mut h = Harness::open(DISAGREE, false, size);
        let screen = h.key(KeyCode::Enter).screen();
        assert_eq!(h.app.state().view, ViewId::Step, "{screen}");
        has(&screen, "✘ fail    step compile  ✘ threshold 2: 2 links, which disagree on 1 artifact(s)");
        assert!(!screen.contains("✔ threshold"), "{screen}");
        has(&screen, "Links     ✘ disagree on 1 artifact(s)");
        has(&screen, "Expected  compile.6fa71fe9.link · key 6fa71fe9…");
        has(&screen, "Actual    compile.73c79e19.link · key 73c79e19…");
        let pane = pane_text(&screen, if size.0 >= 110 { 3 } else { 1 }).replace(' ', "");
        has(
            &pane,
            &format!(
                "Artifactproductsdist/appDigestsha256✘differsatcharacter1Expected{LINK_A}Actual{LINK_B}"
            ),
        );
        insta::assert_snapshot!(format!("disagree_enter_{}x{}", size.0, size.1), screen);
    }
}

#[test]
fn the_step_view_marks_the_artifact_the_links_disagree_on_and_names_the_links() {
    let mut h = Harness::open(DISAGREE, false, (120, 40));
    let screen = h.keys("\n").screen();
    has(&screen, "compile.6fa71fe9.link · used by the rules · expected (first link)");
    has(&screen, "compile.73c79e19.link · ✘ disagrees with the first link");
    has(&screen, "│ ✘ dist/app ");
    // The artifact row's detail: both links' digests of dist/app.
    let screen = h.keys("/dist/app\n").screen();
    let trace = pane_text(&screen, 3);
    has(&trace, "✘ the step's links disagree on it (threshold agreement)");
    has(&trace, &format!("Expected{LINK_A}Actual{LINK_B}"));
}

#[test]
fn the_findings_detail_shows_both_records_in_full_and_both_digests() {
    let mut h = Harness::open(DISAGREE, false, (120, 40));
    let detail = pane_text(&h.keys("6").screen(), 3);
    has(&detail, "✘ error  link-disagreement");
    has(&detail, &format!("Expected  the step's first link(compile.6fa71fe9.link, signed by key{KEY_A})"));
    has(&detail, &format!("Actual    another link of the step(compile.73c79e19.link, signed by key{KEY_B})"));
    has(&detail, "Artifact  products dist/appDigest    sha256  ✘ differs at character 1");
    has(&detail, &format!("Expected{LINK_A}Actual{LINK_B}"));
    // The product binding's finding: its stage, both records, both digests.
    let mut h = Harness::open(BINDING, false, (120, 40));
    let detail = pane_text(&h.keys("6").screen(), 3);
    has(&detail, "Stage     product-binding");
    has(
        &detail.replace(' ', ""),
        &format!("TUFtargetpackages/pebble/pebble-3.4.tar.gz(signedbyrole{ONLINE_ROLE})"),
    );
    has(&detail, &format!("Expected{PRODUCT}Actual{TARGET}"));
}

#[test]
fn enter_on_the_product_binding_opens_the_artifact_with_the_tuf_target_beside_the_product() {
    for size in SIZES {
        let mut h = Harness::open(BINDING, false, size);
        let screen = h.key(KeyCode::Enter).screen();
        assert_eq!(h.app.state().view, ViewId::Artifact, "{screen}");
        has(&screen, "✘ broken  pebble-3.4.tar.gz");
        assert!(!screen.contains("the same digest everywhere"), "{screen}");
        has(&screen, "✘ error  product-hash-mismatch  stage product-binding");
        let pane = pane_text(&screen, if size.0 >= 110 { 3 } else { 1 }).replace(' ', "");
        has(&pane, &format!("Digestsha256✘differsatcharacter1Expected{PRODUCT}Actual{TARGET}"));
        insta::assert_snapshot!(format!("binding_enter_{}x{}", size.0, size.1), screen);
    }
    let mut h = Harness::open(BINDING, false, (120, 40));
    let pane = pane_text(&h.key(KeyCode::Enter).screen(), 3);
    has(&pane, "Expected  package.29a5196f.link · key 29a5196f…");
    has(&pane, &format!("Actual    TUF target packages/pebble/pebble-3.4.tar.gz · role{ONLINE_ROLE}"));
}

/// Act 3 in the TUI: the Artifact view's MATCH comparison and the product
/// binding both put the package step's product under "Expected".
#[test]
fn act3_artifact_view_labels_the_package_product_expected_in_both_comparisons() {
    let mut h = Harness::open(ACT3, true, (120, 40));
    let screen = h.keys("4/demo-project-1.1.tar.gz\n").screen();
    let product = "82f78c856af363e9427b7aac9cb83d03745fa9d2bb9630b774698309dce25017";
    let served = "59062c11935a51a39546897cbabaf90b91fd9fe6631066655a142677ea950099";
    // MATCH, two columns: the package's half-digest under "Expected: package".
    has(&screen, "Expected: package                 │ Actual: untar");
    has(&screen, &format!("{}  │ {}", &product[..32], &served[..32]));
    // The product binding, one under the other.
    has(&screen, "product-hash-mismatch  stage product-binding");
    let lines: Vec<&str> = screen.lines().collect();
    let at =
        |hex: &str| lines.iter().position(|l| l.contains(hex)).unwrap_or_else(|| panic!("{hex}:\n{screen}"));
    let (e, a) = (at(product), at(served));
    assert!(lines[e - 1].contains("Expected") && lines[a - 1].contains("Actual"), "{screen}");
}

#[test]
fn search_finds_digests_and_key_ids_where_the_view_shows_them() {
    // `/` searches every view (TUI16): a digest typed in the Step view lands
    // on the artifact in the Artifact view, where its digests are listed.
    let mut h = Harness::open(DISAGREE, false, (120, 40));
    h.keys("\n/4ba5bfdb0adc\n");
    let screen = h.screen();
    has(&screen, "\"4ba5bfdb0adc\": match 1 of 2 in Artifact");
    has(&screen, "│›✔ same    dist/app ");
    // Findings view: the detail shows the second link's key id and digest.
    let mut h = Harness::open(DISAGREE, false, (120, 40));
    let screen = h.keys("6/73c79e198309\n").screen();
    has(&screen, "\"73c79e198309\": match ");
    has(&screen, "in Findings");
    let mut h = Harness::open(BINDING, false, (120, 40));
    let screen = h.keys(&format!("6/{}\n", &TARGET[..16])).screen();
    has(&screen, &format!("\"{}\": match ", &TARGET[..16]));
    has(&screen, "in Findings");
    has(&screen, "│›✘ error   product-hash-mismatch");
}

#[test]
fn the_findings_filters_change_the_rows_they_announce() {
    let mut h = Harness::open(ACT3, true, (120, 40));
    let all = h.keys("6").screen();
    let (errors, warnings, infos) = (rows(&all, "✘ error"), rows(&all, "⚠ warning"), rows(&all, "ℹ info"));
    assert!(errors > 0 && warnings > 0 && infos > 0, "{all}");
    has(&all, &format!("Findings {0} of {0}", errors + warnings + infos));
    has(&all, "· all findings");
    let failures = h.keys("f").screen();
    has(&failures, "· failures only");
    has(&failures, &format!("Findings {errors} of "));
    assert_eq!(
        (rows(&failures, "✘ error"), rows(&failures, "⚠ warning"), rows(&failures, "ℹ info")),
        (errors, 0, 0)
    );
    let back = h.keys("f").screen();
    assert_eq!(rows(&back, "⚠ warning"), warnings, "{back}");
    let warned = h.keys("ss").screen();
    has(&warned, "severity warning");
    assert_eq!(
        (rows(&warned, "✘ error"), rows(&warned, "⚠ warning"), rows(&warned, "ℹ info")),
        (0, warnings, 0)
    );
}
