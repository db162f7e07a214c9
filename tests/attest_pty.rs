//! Sigstore bundles in the real binary, in a tmux pane (issue #15's
//! done-when): a real npm provenance bundle (sigstore-js 2.0.0, signed on
//! GitHub Actions, from sigstore-go's test data in `fixtures/sigstore/`)
//! shows the certificate's SAN, the source repository and commit, the log
//! index and the subject digest; the embedded wrong-identity scenario shows
//! the expected and the actual identity side by side. Skips, saying so,
//! when tmux is not installed.

mod tmux_support;

use std::path::Path;

use tmux_support::Tmux;

fn skip() -> bool {
    if Tmux::available() {
        return false;
    }
    eprintln!("SKIPPED: tmux is not installed; the PTY end-to-end test needs it (.ci/run installs it)");
    true
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel).display().to_string()
}

#[test]
fn an_npm_provenance_bundle_shows_its_san_source_commit_log_index_and_subject_digest() {
    if skip() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_trailscope");
    let bundle =
        fixture("sigstore/sigstore-go/pkg/testing/data/bundles/sigstore.js@2.0.0-provenance.sigstore.json");
    let root = fixture("sigstore/sigstore-go/pkg/testing/data/trusted-roots/public-good.json");
    let tarball = fixture("sigstore/npm-registry/sigstore-2.0.0.tgz");
    let t = Tmux::start_sized(
        &format!("{bin} open '{bundle}' --trusted-root '{root}' --artifact '{tarball}'"),
        140,
        45,
    );
    t.wait_for("the verdict", |s| s.contains("PASS") && s.contains("attestation"));
    t.send(&["5"]);
    let san = "SAN URI https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
    let trust =
        t.wait_for("the leaf certificate's SAN", |s| s.contains("leaf certificate") && s.contains(san));
    assert!(trust.contains(san), "{trust}");
    t.send(&["G"]);
    let entry = "log entry · index 31821305 · https://rekor.sigstore.dev";
    let log = t.wait_for("the log entry", |s| s.contains(entry));
    assert!(log.contains(entry), "{log}");
    t.send(&["3"]);
    let facts = [
        "Predicate https://slsa.dev/provenance/v1",
        "source repository  https://github.com/sigstore/sigstore-js",
        "source commit      f0b49a04e5a62250e0f60fb128004a73110fe311",
        "✔ matched     pkg:npm/sigstore@2.0.0  sha512:46d4e2f74c48773166",
    ];
    let statement = t.wait_for("the Statement", |s| facts.iter().all(|f| s.contains(f)));
    for fact in facts {
        assert!(statement.contains(fact), "{fact}: {statement}");
    }
    t.send(&["q"]);
    t.wait_for("the shell again", |s| s.contains("exited-0"));
}

#[test]
fn the_wrong_identity_scenario_shows_the_expected_and_the_actual_identity_side_by_side() {
    if skip() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_trailscope");
    let t = Tmux::start_sized(&format!("{bin} open --demo sigstore-scenarios/wrong-identity"), 120, 30);
    t.wait_for("the verdict", |s| s.contains("FAIL") && s.contains("identity-mismatch"));
    t.send(&["5", "f"]);
    // The whole pair, so a capture taken mid-redraw under load is not read.
    let screen = t.wait_for("the identity row and the actual identity under it", |s| {
        s.contains("✘ fail identity") && s.contains("actual   https://github.com/trailscope/demo-widget")
    });
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines.iter().position(|l| l.contains("✘ fail identity")).unwrap_or_default();
    let expected = "https://github.com/trailscope/demo-widget/.github/workflows/nightly.yml@refs/heads/main";
    let actual = "https://github.com/trailscope/demo-widget/.github/workflows/release.yml@refs/tags/v1.4.0";
    let (first, second) = (lines[at], lines.get(at + 1).copied().unwrap_or_default());
    assert!(first.contains(&format!("expected {expected}")), "{screen}");
    assert!(second.contains(actual) && second.contains("actual"), "the actual identity under it:\n{screen}");
    // Aligned, so the differing characters stand one above the other.
    let column = |line: &str, what: &str| line.find(what).map(|at| line[..at].chars().count());
    assert_eq!(column(first, expected), column(second, actual), "{first}\n{second}");
    t.send(&["q"]);
    t.wait_for("the shell again", |s| s.contains("exited-0"));
}
