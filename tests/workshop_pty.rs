//! Workshop mode end to end, as a trainer's audience would use it, in a
//! 100×30 tmux pane (the size the lesson pane must be usable at): lesson 9
//! from the start, its tasks answered with key presses, then `b` and "swap
//! the package" showing the failing rule and the lesson's explanation; and
//! lesson 3 with "replay an old timestamp" showing rollback. Skips, saying
//! so, when tmux is not installed.

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn available() -> bool {
        Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success())
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn start(command: &str) -> Self {
        // One tmux session per test: the tests of this binary run in parallel.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let session = format!("trailscope-workshop-{}-{n}", std::process::id());
        let t = Self { session };
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", &t.session, "-x", "100", "-y", "30", "sh"])
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux starts");
        assert!(status.success());
        t.tmux(&["set-option", "-t", &t.session, "remain-on-exit", "on"]);
        t.send(&["printf 'before-the-tui\\n'; ", command, "; echo exited-$?", "Enter"]);
        t
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-t", &self.session, "-p"])
    }

    /// Polls the pane until `pred` holds (never a fixed sleep).
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.session]).status();
    }
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
    let t = Tmux::start(&format!("{bin} workshop 9"));
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
    let t = Tmux::start(&format!("{bin} workshop rollback-and-freeze"));
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
