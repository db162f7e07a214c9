//! Workshop mode end to end, as a trainer's audience would use it, in a
//! 100×30 tmux pane (the size the lesson pane must be usable at): lesson 9
//! from the start, its tasks answered with key presses, then `b` and "swap
//! the package" showing the failing rule and the lesson's explanation; and
//! lesson 3 with "replay an old timestamp" showing rollback; lesson 12 (a
//! Sigstore bundle) with another identity showing identity-mismatch. Skips, saying
//! so, when tmux is not installed.

mod tmux_support;

use tmux_support::Tmux;

/// The size the lesson pane must be usable at.
fn start(command: &str) -> Tmux {
    Tmux::start_sized(command, 100, 30)
}

fn skip() -> bool {
    if Tmux::available() {
        return false;
    }
    eprintln!("SKIPPED: tmux is not installed; the PTY end-to-end test needs it (.ci/run installs it)");
    true
}

#[test]
fn lesson_9_answered_with_keys_then_the_package_swap_shows_the_failing_rule() {
    if skip() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_trailscope");
    let t = start(&format!("{bin} workshop 9"));
    t.wait_for("the lesson pane", |s| s.contains("Lesson 9.") && s.contains("Task 1/3"));
    t.send(&["L"]);
    // Task 1: the rule (second choice), task 2: the step (third), task 3: the key (third).
    t.send(&["j", "Enter"]);
    t.wait_for("task 2", |s| s.contains("Task 2/3"));
    t.send(&["j", "j", "Enter"]);
    t.wait_for("task 3", |s| s.contains("Task 3/3"));
    t.send(&["j", "j", "Enter"]);
    t.wait_for("all three answered", |s| s.contains("tasks 3/3"));
    t.send(&["b"]);
    t.wait_for("the break-it menu", |s| s.contains("Break it") && s.contains("swap the package"));
    t.send(&["Enter"]);
    let screen = t.wait_for("the failing rule and the explanation", |s| {
        s.contains("You played: swap the package") && s.contains("rule-disallow")
    });
    assert!(screen.contains("DISALLOW *"), "{screen}");
    assert!(screen.contains("The tarball's sha256 differs"), "the lesson's own words:\n{screen}");
    t.send(&["q"]);
    t.wait_for("the shell again", |s| s.contains("exited-0"));
}

#[test]
fn lesson_3_replaying_an_old_timestamp_shows_rollback() {
    if skip() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_trailscope");
    let t = start(&format!("{bin} workshop rollback-and-freeze"));
    t.wait_for("the passing verdict", |s| s.contains("Lesson 3.") && s.contains("PASS"));
    t.send(&["b"]);
    t.wait_for("the menu", |s| s.contains("replay an old timestamp"));
    t.send(&["Enter"]);
    let screen = t.wait_for("rollback", |s| s.contains("FAIL") && s.contains("rollback"));
    assert!(screen.contains("You played: replay an old timestamp"), "{screen}");
    t.send(&["u"]);
    t.wait_for("the verdict restored", |s| s.contains("undone") && s.contains("PASS"));
    t.send(&["q"]);
    t.wait_for("the shell again", |s| s.contains("exited-0"));
}

#[test]
fn lesson_12_opens_a_bundle_in_the_trust_view_then_another_identity_fails() {
    if skip() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_trailscope");
    let t = start(&format!("{bin} workshop sigstore-bundle"));
    t.wait_for("the bundle's chain in the Trust view", |s| {
        s.contains("Lesson 12.") && s.contains("PASS") && s.contains("Trust chain")
    });
    t.send(&["b"]);
    t.wait_for("the menu", |s| s.contains("sign with another workflow"));
    t.send(&["Enter"]);
    let screen = t.wait_for("identity-mismatch", |s| s.contains("FAIL") && s.contains("identity-mismatch"));
    assert!(screen.contains("You played: sign with another workflow"), "{screen}");
    t.send(&["u"]);
    t.wait_for("the verdict restored", |s| s.contains("undone") && s.contains("PASS"));
    t.send(&["q"]);
    t.wait_for("the shell again", |s| s.contains("exited-0"));
}
