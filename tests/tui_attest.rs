//! Sigstore bundles in the TUI (issue #15): the embedded attestation
//! scenarios (`fixtures/sigstore-scenarios/`) and a real npm provenance
//! bundle (sigstore-js 2.0.0, from sigstore-go's test data in
//! `fixtures/sigstore/`) opened as `trailscope open` opens them, drawn
//! through the app into a ratatui `TestBackend`. The tests assert what a
//! user reads: the Trust chain from the trusted root to the leaf
//! certificate and the log entry, the identity policy (expected above actual),
//! the Statement with its subjects and provenance, the Chain of
//! materials → build, a too-small terminal, hostile text escaped; and that
//! the TUI shows the document `attest verify` writes (one truth).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trailscope::tui::open::{self, AttestOptions, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::{App, TuiOptions};

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

const NPM_BUNDLE: &str =
    "fixtures/sigstore/sigstore-go/pkg/testing/data/bundles/sigstore.js@2.0.0-provenance.sigstore.json";
const NPM_ROOT: &str = "fixtures/sigstore/sigstore-go/pkg/testing/data/trusted-roots/public-good.json";
const NPM_TARBALL: &str = "fixtures/sigstore/npm-registry/sigstore-2.0.0.tgz";

/// The evaluation time of every run here (recorded in the document only:
/// Sigstore checks certificates at the signing time).
fn at() -> time::OffsetDateTime {
    time::macros::datetime!(2026-12-01 00:00 UTC)
}

fn npm_options() -> OpenOptions {
    let attest = AttestOptions {
        trusted_root: Some(PathBuf::from(NPM_ROOT)),
        artifact: Some(NPM_TARBALL.to_owned()),
        ..AttestOptions::default()
    };
    OpenOptions { attest, ..OpenOptions::default() }
}

/// The rows of the screen's panes as the user reads them: text between
/// the borders, trimmed, without the cursor mark and blank lines.
fn pane_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .map(|l| l.trim_matches('"'))
        .filter(|l| l.starts_with('│'))
        .map(|l| l.trim_matches('│').trim_start_matches('›').trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

fn has(rows: &[String], text: &str) -> bool {
    rows.iter().any(|r| r.contains(text))
}

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Harness {
    fn open(path: &Path, opts: &OpenOptions, size: (u16, u16)) -> Self {
        Self::open_in(path, opts, size, None)
    }

    fn open_in(path: &Path, opts: &OpenOptions, size: (u16, u16), export: Option<PathBuf>) -> Self {
        let opened = open::detect_path(path, opts).unwrap();
        let session = open::session(&opened, "bundle");
        let tui = TuiOptions { at: Some(at()), export_dir: export, ..TuiOptions::default() };
        let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
        app.handle_event(&Event::Resize(size.0, size.1));
        assert!(app.wait(Duration::from_secs(30)), "verification did not finish");
        Self { app, terminal: Terminal::new(TestBackend::new(size.0, size.1)).unwrap() }
    }

    /// A scenario directory, by its path relative to the crate (as the
    /// tests run there), so paths on screen do not depend on the checkout.
    fn scenario(name: &str, size: (u16, u16)) -> Self {
        Self::open(Path::new(&format!("fixtures/sigstore-scenarios/{name}")), &OpenOptions::default(), size)
    }

    fn npm(size: (u16, u16)) -> Self {
        Self::open(Path::new(NPM_BUNDLE), &npm_options(), size)
    }

    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        self
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        self.app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
        self
    }

    fn screen(&mut self) -> String {
        self.terminal.draw(|f| self.app.render(f)).unwrap();
        self.terminal.backend().to_string()
    }
}

#[test]
fn the_trust_view_of_an_npm_provenance_bundle_shows_the_chain_to_the_leaf_and_the_log_entry() {
    let mut h = Harness::npm((160, 60));
    let rows = pane_rows(&h.keys("5").screen());
    assert!(has(&rows, "no TUF root: the trusted root was given with --trusted-root"), "{rows:#?}");
    assert!(has(&rows, &format!("trusted_root.json: {NPM_ROOT}")), "{rows:#?}");
    assert!(has(&rows, "CA https://fulcio.sigstore.dev  valid [2022-04-13T20:06:15Z, open]"), "{rows:#?}");
    assert!(has(&rows, "intermediate CN=sigstore-intermediate,O=sigstore.dev"), "{rows:#?}");
    assert!(
        has(
            &rows,
            "leaf certificate · SAN URI https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
        ),
        "{rows:#?}"
    );
    assert!(
        has(&rows, "OIDC issuer https://token.actions.githubusercontent.com (1.8 and 1.1 agree)"),
        "{rows:#?}"
    );
    assert!(has(&rows, "Source Repository Digest: f0b49a04e5a62250e0f60fb128004a73110fe311"), "{rows:#?}");
    assert!(
        has(&rows, "valid 2023-08-18T16:05:35Z – 2023-08-18T16:15:35Z  signed at 2023-08-18T16:05:35Z"),
        "{rows:#?}"
    );
    // Scroll to the log entry: its index, the proof and the checkpoint.
    let rows = pane_rows(&h.keys("G").screen());
    assert!(has(&rows, "log entry · index 31821305 · https://rekor.sigstore.dev"), "{rows:#?}");
    assert!(has(&rows, "inclusion proof: index 27657874 in a tree of 27657875, 10 hashes"), "{rows:#?}");
    assert!(has(&rows, "checkpoint: rekor.sigstore.dev - 2605736670972794746 · size 27657875"), "{rows:#?}");
    assert!(
        has(
            &rows,
            "· info trusted root: fixtures/sigstore/sigstore-go/pkg/testing/data/trusted-roots/public-good.json"
        ),
        "{rows:#?}"
    );
}

#[test]
fn without_a_policy_the_identity_checks_are_not_performed_never_passed() {
    let mut h = Harness::npm((160, 60));
    let rows = pane_rows(&h.keys("5").screen());
    assert!(has(&rows, "· not performed identity: no --certificate-identity given"), "{rows:#?}");
    assert!(
        has(
            &rows,
            "actual   https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
        ),
        "{rows:#?}"
    );
    assert!(has(&rows, "· not performed issuer: no --certificate-oidc-issuer given"), "{rows:#?}");
    assert!(!rows.iter().any(|r| r.contains("pass identity")), "{rows:#?}");
}

#[test]
fn the_statement_view_shows_the_subject_matched_and_the_slsa_provenance() {
    let mut h = Harness::npm((160, 50));
    let screen = h.keys("3").screen();
    let rows = pane_rows(&screen);
    assert!(screen.contains("Predicate https://slsa.dev/provenance/v1"), "{screen}");
    assert!(
        has(
            &rows,
            "✔ matched     pkg:npm/sigstore@2.0.0  sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66"
        ),
        "{rows:#?}"
    );
    for fact in [
        "builder            https://github.com/actions/runner/github-hosted",
        "source repository  https://github.com/sigstore/sigstore-js",
        "source ref         refs/heads/main",
        "source commit      f0b49a04e5a62250e0f60fb128004a73110fe311",
        "workflow           .github/workflows/release.yml",
        "── Parameters (6) ──",
        "external.workflow.repository https://github.com/sigstore/sigstore-js",
        "── Resolved dependencies (1) ──",
        "git+https://github.com/sigstore/sigstore-js@refs/heads/main  gitCommit:f0b49a04e5a62250e0f60fb128004a73110fe311",
    ] {
        assert!(has(&rows, fact), "{fact}: {rows:#?}");
    }
    // The selected subject in full, its whole sha512 below the list.
    let screen = h.keys("j").screen();
    assert!(screen.contains("sha512    46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c"), "{screen}");
}

#[test]
fn a_subject_that_is_not_the_artifact_is_marked_not_matched() {
    let mut h = Harness::scenario("tampered-artifact", (120, 40));
    let rows = pane_rows(&h.keys("3").screen());
    assert!(has(&rows, "✘ not matched demo-widget-1.4.0.txt"), "{rows:#?}");
    let rows = pane_rows(&h.keys("5f").screen());
    assert!(has(&rows, "✘ fail artifact demo-widget-1.4.0.txt"), "{rows:#?}");
}

#[test]
fn the_chain_view_draws_the_provenance_materials_to_build() {
    let mut h = Harness::npm((140, 40));
    let screen = h.keys("2").screen();
    assert!(screen.contains("– skipped step       source git+https://gith"), "{screen}");
    assert!(screen.contains("✔ pass    step       build"), "{screen}");
    assert!(screen.contains("┄┄▶[✔ build]"), "{screen}");
}

#[test]
fn wrong_identity_shows_expected_above_actual_and_drills_into_the_evidence() {
    let mut h = Harness::scenario("wrong-identity", (120, 40));
    let rows = pane_rows(&h.keys("5f").screen());
    let at = rows.iter().position(|r| r.contains("✘ fail identity")).expect("the identity row");
    let expected = "https://github.com/trailscope/demo-widget/.github/workflows/nightly.yml@refs/heads/main";
    let actual = "https://github.com/trailscope/demo-widget/.github/workflows/release.yml@refs/tags/v1.4.0";
    assert!(rows[at].ends_with(&format!("identity: expected {expected}")), "{rows:#?}");
    assert!(rows[at + 1].ends_with(&format!("actual   {actual}")), "{rows:#?}");
    // The issuer matched: no mark claims more than the document says.
    let rows = pane_rows(&h.keys("f").screen());
    assert!(has(&rows, "issuer: expected https://token.actions.githubusercontent.com"), "{rows:#?}");
    assert!(has(&rows, "actual   https://token.actions.githubusercontent.com"), "{rows:#?}");
    // Enter on the failing row opens the finding with its evidence.
    h.keys("f");
    let row = pane_rows(&h.screen()).iter().position(|r| r.contains("✘ fail identity")).unwrap();
    for _ in 0..row {
        h.keys("j");
    }
    let screen = h.key(KeyCode::Enter).screen();
    assert!(screen.contains("Findings"), "{screen}");
    assert!(screen.contains("identity-mismatch"), "{screen}");
    assert!(screen.contains("nightly.yml@refs/heads/main"), "{screen}");
}

#[test]
fn the_failures_filter_keeps_only_failing_checks_and_their_sections() {
    let mut h = Harness::scenario("wrong-identity", (120, 70));
    let all = pane_rows(&h.keys("5").screen());
    assert!(has(&all, "── Checks performed ──"), "{all:#?}");
    let screen = h.keys("f").screen();
    let rows = pane_rows(&screen);
    let checks = rows.iter().position(|r| r.contains("── Checks performed ──")).expect("the checks heading");
    let findings = rows.iter().position(|r| r.contains("── Findings ──")).expect("the findings heading");
    let shown = &rows[checks + 1..findings];
    // The check rows have no parent row: a passing sibling above a failing
    // one is not its parent, so the filter leaves it out.
    assert!(!shown.is_empty(), "{rows:#?}");
    assert!(shown.iter().all(|r| r.starts_with("✘")), "{shown:#?}");
    assert!(has(shown, "✘ fail identity"), "{shown:#?}");
    assert!(rows[findings + 1..].iter().all(|r| r.starts_with("✘")), "{rows:#?}");
    insta::assert_snapshot!("attest_trust_wrong_identity_failures_120x70", screen);
}

#[test]
fn help_says_what_the_step_and_trust_views_show_for_a_bundle() {
    let mut h = Harness::scenario("pass", (120, 40));
    let screen = h.keys("?").screen();
    assert!(
        screen.contains("show the Step: commands, rules, traces; a bundle's Statement, provenance"),
        "{screen}"
    );
    assert!(
        screen.contains("show Trust: TUF roles, keys, functionaries; a bundle's TUF root → CA → log"),
        "{screen}"
    );
}

#[test]
fn the_trust_and_statement_views_of_the_pass_scenario() {
    let mut h = Harness::scenario("pass", (100, 30));
    let trust = h.keys("5").screen();
    let statement = h.keys("3").screen();
    insta::assert_snapshot!("attest_trust_pass_100x30", trust);
    insta::assert_snapshot!("attest_statement_pass_100x30", statement);
}

#[test]
fn a_too_small_terminal_says_the_minimum_size_in_every_attestation_view() {
    let mut h = Harness::scenario("wrong-identity", (50, 12));
    for k in ["1", "2", "3", "5", "6"] {
        let screen = h.keys(k).screen();
        assert!(screen.contains("trailscope needs a terminal of at least"), "{screen}");
    }
}

/// The pass scenario's bundle with control and bidi characters in the
/// certificate's SAN (same length, so the DER still parses; its signature
/// no longer verifies) and in the predicate's builder id.
fn hostile_bundle(dir: &Path) -> PathBuf {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let src = crate_path("fixtures/sigstore-scenarios/pass");
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(src.join("bundle.sigstore.json")).unwrap()).unwrap();
    let cert = &mut bundle["verificationMaterial"]["certificate"]["rawBytes"];
    let mut der = b64.decode(cert.as_str().unwrap()).unwrap();
    let needle = b"trailscope/demo-widget";
    let mut replaced = 0;
    for i in 0..der.len().saturating_sub(needle.len()) {
        if &der[i..i + needle.len()] == needle {
            der[i] = 0x1b;
            replaced += 1;
        }
    }
    assert!(replaced > 0);
    *cert = b64.encode(&der).into();
    let payload = &mut bundle["dsseEnvelope"]["payload"];
    let mut statement: serde_json::Value =
        serde_json::from_slice(&b64.decode(payload.as_str().unwrap()).unwrap()).unwrap();
    statement["predicate"]["runDetails"]["builder"]["id"] = "https://evil\u{1b}[31m\u{202e}builder".into();
    *payload = b64.encode(serde_json::to_vec(&statement).unwrap()).into();
    let path = dir.join("hostile.sigstore.json");
    std::fs::write(&path, serde_json::to_vec(&bundle).unwrap()).unwrap();
    path
}

#[test]
fn a_hostile_bundle_shows_its_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let file = hostile_bundle(dir.path());
    let attest = AttestOptions {
        trusted_root: Some(crate_path("fixtures/sigstore-scenarios/trusted_root.json")),
        ..AttestOptions::default()
    };
    let mut h = Harness::open(&file, &OpenOptions { attest, ..OpenOptions::default() }, (160, 60));
    let mut all = String::new();
    for k in ["1", "2", "3", "5", "6"] {
        all.push_str(&h.keys(k).screen());
    }
    assert!(
        !all.contains('\u{1b}') && !all.contains('\u{202e}'),
        "a raw control character reached the screen"
    );
    assert!(all.contains(r"SAN URI https://github.com/\x1brailscope/demo-widget"), "{all}");
    assert!(all.contains(r"https://evil\x1b[31m\u{202e}builder"), "{all}");
    // The signature over the changed certificate and payload no longer verifies.
    assert!(all.contains("✘ FAIL"), "{all}");
    // And the Findings say so.
    assert!(all.contains("⚠ warning suspicious-characters file"), "{all}");
}

#[test]
fn the_tui_export_is_the_document_attest_verify_prints() {
    let dir = tempfile::tempdir().unwrap();
    let mut h =
        Harness::open_in(Path::new(NPM_BUNDLE), &npm_options(), (120, 40), Some(dir.path().to_owned()));
    h.keys("e").key(KeyCode::Enter);
    let exported = std::fs::read_to_string(dir.path().join("trailscope-report.json")).unwrap();
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["attest", "verify", "--bundle", NPM_BUNDLE, "--trusted-root", NPM_ROOT])
        .args(["--certificate-identity-regexp", ".*", "--certificate-oidc-issuer-regexp", ".*"])
        .args(["--at", "2026-12-01T00:00:00Z", "--format", "json", NPM_TARBALL])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut tui: serde_json::Value = serde_json::from_str(&exported).unwrap();
    // The only difference: the policy `attest verify` needs, which `open` does not.
    tui["attestation"]["policy"] = cli["attestation"]["policy"].clone();
    // And what that policy checks (identity, issuer), which `open` without one does not.
    if let Some(checks) = cli["checks"].as_array_mut() {
        checks.retain(|c| c["what"] != "identity" && c["what"] != "OIDC issuer");
    }
    // The same files fingerprinted and the same trust anchor; the command lines differ.
    assert_eq!(tui["inputs"], cli["inputs"], "{exported}");
    let roles: Vec<&str> =
        tui["inputs"].as_array().unwrap().iter().filter_map(|f| f["role"].as_str()).collect();
    assert_eq!(roles, ["bundle", "trusted root", "artifact"], "{exported}");
    assert_eq!(tui["invocation"]["trust_anchor"], cli["invocation"]["trust_anchor"], "{exported}");
    without_run_record(&mut cli);
    without_run_record(&mut tui);
    assert_eq!(tui, cli);
}

#[test]
fn open_format_json_of_a_bundle_prints_the_attest_verify_document() {
    let run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("trailscope").unwrap().args(args).output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let id = "https://github.com/trailscope/demo-widget/.github/workflows/nightly.yml@refs/heads/main";
    let issuer = "https://token.actions.githubusercontent.com";
    let bundle = "fixtures/sigstore-scenarios/wrong-identity/bundle.sigstore.json";
    let root = "fixtures/sigstore-scenarios/trusted_root.json";
    let artifact = "fixtures/sigstore-scenarios/wrong-identity/demo-widget-1.4.0.txt";
    let common = ["--certificate-identity", id, "--certificate-oidc-issuer", issuer, "--trusted-root", root];
    let mut open_args = vec!["open", bundle, "--artifact", artifact, "--at", "2026-12-01T00:00:00Z"];
    open_args.extend(common);
    for format in ["json", "text", "markdown", "sarif"] {
        let mut a = open_args.clone();
        a.extend(["--format", format]);
        let (code, opened) = run(&a);
        let mut v =
            vec!["attest", "verify", "--bundle", bundle, "--at", "2026-12-01T00:00:00Z", "--format", format];
        v.extend(common);
        v.push(artifact);
        let (cli_code, verified) = run(&v);
        assert_eq!((code, cli_code), (Some(1), Some(1)), "{format}");
        assert_eq!(
            report_without_run_record(&opened, format),
            report_without_run_record(&verified, format),
            "{format}"
        );
    }
    // Headless (stdout is not a terminal) without --format: the text report.
    let (code, text) = run(&["open", "fixtures/sigstore-scenarios/pass"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("identity:     https://github.com/trailscope/demo-widget/.github/workflows/release.yml@refs/tags/v1.4.0"), "{text}");
}

#[test]
fn every_bundle_of_an_npm_attestations_response_is_reachable_with_a() {
    let dir = tempfile::tempdir().unwrap();
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(NPM_BUNDLE).unwrap()).unwrap();
    let response = serde_json::json!({"attestations": [
        {"predicateType": "https://slsa.dev/provenance/v1", "bundle": bundle},
        {"predicateType": "https://slsa.dev/provenance/v1", "bundle": bundle},
    ]});
    let file = dir.path().join("npm-attestations.json");
    std::fs::write(&file, serde_json::to_vec(&response).unwrap()).unwrap();
    let mut h = Harness::open(&file, &npm_options(), (120, 40));
    let screen = h.screen();
    assert!(screen.contains("bundle · bundle 1 of 2"), "{screen}");
    h.keys("a");
    assert!(h.app.wait(Duration::from_secs(30)));
    let screen = h.screen();
    assert!(screen.contains("bundle · bundle 2 of 2"), "{screen}");
    assert!(screen.contains("✔ PASS"), "{screen}");
}

#[test]
fn the_sigstore_scenarios_are_listed_and_open_from_the_demo() {
    let out =
        assert_cmd::Command::cargo_bin("trailscope").unwrap().args(["demo", "--list"]).output().unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(list.contains("sigstore-scenarios — Sigstore bundles with in-toto attestations:"), "{list}");
    assert!(list.contains("  wrong-identity  (expected: fail (identity-mismatch))"), "{list}");
    for sc in trailscope::demo::list().into_iter().filter(|s| s.set == "sigstore-scenarios") {
        let (session, _) =
            open::demo_session(&format!("{}/{}", sc.set, sc.name), &OpenOptions::default()).unwrap();
        let tui = TuiOptions { at: Some(at()), ..TuiOptions::default() };
        let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
        app.handle_event(&Event::Resize(120, 40));
        assert!(app.wait(Duration::from_secs(30)));
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal.draw(|f| app.render(f)).unwrap();
        let screen = terminal.backend().to_string();
        let category = sc.json["category"].as_str().unwrap();
        let verdict = if category == "pass" { "✔ PASS" } else { "✘ FAIL" };
        assert!(screen.contains(verdict), "{}: {screen}", sc.name);
        assert!(screen.contains(&format!("category {category}")), "{}: {screen}", sc.name);
        assert!(screen.contains("Story"), "{}: {screen}", sc.name);
    }
}

#[test]
fn offline_the_chain_starts_at_the_tuf_root_of_the_embedded_snapshot() {
    let attest =
        AttestOptions { offline: true, artifact: Some(NPM_TARBALL.to_owned()), ..AttestOptions::default() };
    let mut h =
        Harness::open(Path::new(NPM_BUNDLE), &OpenOptions { attest, ..OpenOptions::default() }, (200, 40));
    let rows = pane_rows(&h.keys("5").screen());
    assert!(
        has(
            &rows,
            "⚠ embedded TUF root v15 (3 of 5 keys) · the embedded snapshot of Sigstore's repository dated 2026-08-21 (offline fallback)"
        ),
        "{rows:#?}"
    );
    assert!(has(&rows, "timestamp v762 → snapshot v165 → targets v14"), "{rows:#?}");
    // Which keys signed the TUF root, with their holders, as the TUF Trust view shows a root.
    assert!(has(&rows, "✔ met root v15 threshold 3: 5 signature(s) counted"), "{rows:#?}");
    for signer in ["e71a54d54383 @mnm678", "61643838125b @bobcallaway", "183e64f37670 @lance"] {
        assert!(has(&rows, &format!("✔ counted signature {signer}")), "{signer}: {rows:#?}");
    }
    assert!(
        has(&rows, "trusted_root.json: target of role targets, 6787 bytes, sha256 6494e21ea73fa7ee…"),
        "{rows:#?}"
    );
    assert!(
        has(&rows, "trusted_root.json: production trusted_root.json from the embedded snapshot"),
        "{rows:#?}"
    );
    assert!(has(&rows, "leaf certificate · SAN URI https://github.com/sigstore/sigstore-js/"), "{rows:#?}");
    // Enter on the TUF root opens the fallback's warning, which names the snapshot's date.
    let screen = h.keys("j").key(KeyCode::Enter).screen();
    assert!(screen.contains("trusted-root-embedded"), "{screen}");
    assert!(screen.contains("dated 2026-08-21"), "{screen}");
}

#[test]
fn a_subject_digest_prefix_finds_the_subject_in_the_statement() {
    let mut h = Harness::npm((140, 40));
    h.keys("/46d4e2f7").key(KeyCode::Enter);
    let screen = h.screen();
    assert!(screen.contains("3 Step"), "{screen}");
    let selected = screen.lines().find(|l| l.contains('›')).unwrap_or_default();
    assert!(selected.contains("pkg:npm/sigstore@2.0.0"), "{screen}");
}

#[test]
fn an_npm_publish_attestation_signed_with_the_registry_key_shows_its_predicate() {
    let attest = AttestOptions {
        key: Some(PathBuf::from("fixtures/sigstore/sigstore-go/examples/publish_key.pub")),
        trusted_root: Some(PathBuf::from(
            "fixtures/sigstore/sigstore-go/examples/trusted-root-public-good.json",
        )),
        artifact: Some("fixtures/sigstore/npm-registry/sigstore-1.3.0.tgz".to_owned()),
        ..AttestOptions::default()
    };
    let path = Path::new("fixtures/sigstore/sigstore-go/examples/bundle-publish.json");
    let mut h = Harness::open(path, &OpenOptions { attest, ..OpenOptions::default() }, (140, 40));
    let screen = h.keys("3").screen();
    let rows = pane_rows(&screen);
    assert!(screen.contains("✔ PASS"), "{screen}");
    assert!(has(&rows, "── npm publish ──"), "{rows:#?}");
    assert!(has(&rows, "name               sigstore"), "{rows:#?}");
    assert!(has(&rows, "version            1.3.0"), "{rows:#?}");
    assert!(has(&rows, "✔ matched     pkg:npm/sigstore@1.3.0"), "{rows:#?}");
    let rows = pane_rows(&h.keys("5").screen());
    assert!(has(&rows, "no certificate: the bundle is signed with a key (--key)"), "{rows:#?}");
    assert!(has(&rows, "not performed identity: keyed bundle (--key)"), "{rows:#?}");
}

#[test]
fn a_file_that_is_not_an_attestation_is_refused_with_what_open_reads() {
    let out =
        assert_cmd::Command::cargo_bin("trailscope").unwrap().args(["open", "README.md"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("README.md: not a Sigstore bundle or attestation file"), "{err}");
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["open", "fixtures/tuf-attacks/expired-snapshot", "--format", "json"])
        .output()
        .unwrap();
    // Not a bundle: the document the TUI's `e` exports, as `tuf verify` writes it.
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "tuf");
}

/// `attest verify` records its run — the command line and the input files
/// with their sha256 (schema 2) — which `open` does not: documents and
/// reports are compared without it.
fn without_run_record(doc: &mut serde_json::Value) {
    if let Some(m) = doc.as_object_mut() {
        m.remove("inputs");
        m.remove("invocation");
    }
}

fn report_without_run_record(report: &str, format: &str) -> String {
    match format {
        "json" => {
            let mut v: serde_json::Value = serde_json::from_str(report).unwrap();
            without_run_record(&mut v);
            v.to_string()
        }
        // The run block closes the text report.
        "text" => report.split("\nrun:\n").next().unwrap_or_default().to_owned(),
        "markdown" => report
            .split("\n## ")
            .filter(|s| !s.starts_with("Run\n") && !s.starts_with("Inputs\n"))
            .collect::<Vec<_>>()
            .join("\n## "),
        _ => {
            let v: serde_json::Value = serde_json::from_str(report).unwrap();
            v["runs"][0]["results"].to_string()
        }
    }
}

/// `attest verify --format json` of `bundle` with `flags` (the policy, the
/// trusted root, the artifact) and, through the TUI's export, `open` of it
/// with `attest`: both documents.
fn cli_and_tui_export(
    bundle: &Path,
    flags: &[&str],
    attest: AttestOptions,
) -> (serde_json::Value, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let opts = OpenOptions { attest, ..OpenOptions::default() };
    let mut h = Harness::open_in(bundle, &opts, (120, 40), Some(dir.path().to_owned()));
    h.keys("e").key(KeyCode::Enter);
    let exported = std::fs::read_to_string(dir.path().join("trailscope-report.json")).unwrap();
    let out = assert_cmd::Command::cargo_bin("trailscope")
        .unwrap()
        .args(["attest", "verify", "--bundle"])
        .arg(bundle)
        .args(flags)
        .args(["--at", "2026-12-01T00:00:00Z", "--format", "json"])
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (cli, serde_json::from_str(&exported).unwrap())
}

#[test]
fn through_tuf_the_export_and_attest_verify_record_the_same_inputs_and_trust_anchor() {
    // Sigstore's trusted root through the embedded TUF snapshot: the label
    // names how TUF vouched for it, the same in both.
    let attest =
        AttestOptions { offline: true, artifact: Some(NPM_TARBALL.to_owned()), ..AttestOptions::default() };
    let any = ["--certificate-identity-regexp", ".*", "--certificate-oidc-issuer-regexp", ".*"];
    let flags = [&["--offline", NPM_TARBALL][..], &any].concat();
    let (cli, tui) = cli_and_tui_export(Path::new(NPM_BUNDLE), &flags, attest);
    assert_eq!(cli["verdict"], "pass", "{cli}");
    assert_eq!((&tui["verdict"], &tui["category"]), (&cli["verdict"], &cli["category"]));
    assert_eq!(tui["inputs"], cli["inputs"]);
    let anchor = &cli["invocation"]["trust_anchor"];
    assert_eq!(tui["invocation"]["trust_anchor"], *anchor);
    let root = anchor["files"][0].as_str().unwrap();
    assert!(root.contains("embedded snapshot of Sigstore's TUF repository"), "{anchor}");
    // The anchor is the trusted root the document names, and an option of the run.
    assert_eq!(cli["attestation"]["trusted_root"], root);
    let option = |doc: &serde_json::Value| {
        doc["invocation"]["options"].as_array().unwrap().iter().find(|o| o["name"] == "trusted root").cloned()
    };
    assert_eq!(option(&tui), option(&cli));
    assert_eq!(option(&cli).unwrap()["value"], root);
}

#[test]
fn the_size_limit_applies_to_the_text_of_the_file_in_the_tui_as_in_attest_verify() {
    // The bundle limit is on the JSON text a bundle was read from (its file,
    // or its line of a JSON-lines file): a passing bundle padded with
    // whitespace past the limit is refused by both faces, although its
    // compact form is a few kilobytes.
    let dir = tempfile::tempdir().unwrap();
    let scenario = crate_path("fixtures/sigstore-scenarios/pass");
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scenario.join("bundle.sigstore.json")).unwrap()).unwrap();
    let limit = trailscope::sigstore::bundle::MAX_BUNDLE_BYTES;
    let mut text = serde_json::to_string_pretty(&value).unwrap();
    assert!(serde_json::to_vec(&value).unwrap().len() < limit);
    text.push_str(&"\n".repeat(limit + 1 - text.len()));
    let padded = dir.path().join("padded.sigstore.json");
    std::fs::write(&padded, &text).unwrap();
    let root = scenario.join("../trusted_root.json");
    let artifact = scenario.join("demo-widget-1.4.0.txt").display().to_string();
    let id = "https://github.com/trailscope/demo-widget/.github/workflows/release.yml@refs/tags/v1.4.0";
    let issuer = "https://token.actions.githubusercontent.com";
    let attest = AttestOptions {
        certificate_identity: Some(id.into()),
        certificate_oidc_issuer: Some(issuer.into()),
        trusted_root: Some(root.clone()),
        artifact: Some(artifact.clone()),
        ..AttestOptions::default()
    };
    let root = root.display().to_string();
    let flags = ["--certificate-identity", id, "--certificate-oidc-issuer", issuer, "--trusted-root", &root];
    let (cli, tui) =
        cli_and_tui_export(&padded, &[&flags[..], &[artifact.as_str()]].concat(), attest.clone());
    assert_eq!((&cli["verdict"], &cli["category"]), (&"fail".into(), &"limit-exceeded".into()), "{cli}");
    assert_eq!((&tui["verdict"], &tui["category"]), (&cli["verdict"], &cli["category"]));
    let message = |doc: &serde_json::Value| {
        doc["findings"].as_array().unwrap().iter().find(|f| f["severity"] == "error").unwrap()["message"]
            .clone()
    };
    assert_eq!(message(&tui), message(&cli));
    assert!(message(&cli).as_str().unwrap().contains("exceeds the limit"), "{cli}");
    // The same bundle unpadded passes in both: the padding alone made the difference.
    std::fs::write(&padded, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let (cli, tui) = cli_and_tui_export(&padded, &[&flags[..], &[artifact.as_str()]].concat(), attest);
    assert_eq!((&cli["verdict"], &tui["verdict"]), (&"pass".into(), &"pass".into()), "{cli}");
}
