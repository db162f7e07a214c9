//! A tmux pane driven as a person would: start the binary in a shell, send
//! keys, read the screen, wait (polling, never a fixed sleep) for what should
//! appear. One tmux server per test (its own socket), killed when dropped:
//! the tests of a binary run in parallel, and several clients starting the
//! default server at the same moment can lose the race ("no server running").
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    session: String,
    socket: std::path::PathBuf,
}

impl Tmux {
    pub fn available() -> bool {
        Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success())
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-S").arg(&self.socket).args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `command` in a `width`×`height` pane; the shell prints
    /// `before-the-tui` first and `exited-CODE` after.
    pub fn start_sized(command: &str, width: u16, height: u16) -> Self {
        // One tmux server and session per test.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let session = format!("trailscope-e2e-{}-{n}", std::process::id());
        let socket = std::env::temp_dir().join(&session);
        let t = Self { session, socket };
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&t.socket)
            .args([
                "new-session",
                "-d",
                "-s",
                &t.session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                "sh",
            ])
            .env("TERM", "xterm-256color")
            .output()
            .expect("tmux starts");
        assert!(out.status.success(), "tmux new-session failed: {}", String::from_utf8_lossy(&out.stderr));
        t.tmux(&["set-option", "-t", &t.session, "remain-on-exit", "on"]);
        t.send(&["printf 'before-the-tui\\n'; ", command, "; echo exited-$?", "Enter"]);
        t
    }

    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-t", &self.session, "-p"])
    }

    /// Polls the pane until `pred` holds.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
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
        let _ = Command::new("tmux").arg("-S").arg(&self.socket).arg("kill-server").output();
        let _ = std::fs::remove_file(&self.socket);
    }
}
