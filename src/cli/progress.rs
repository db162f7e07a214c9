//! A progress line on stderr for headless runs that take longer than a
//! second: `trailscope: verifying root.layout … 3s`, redrawn in place and
//! cleared at the end. Only when stderr is a terminal, and never when the
//! JSON document goes to stdout (scripts read it; DESIGN §4).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a run goes before the line appears.
pub const AFTER: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(200);

/// Whether a run shows the line: stderr is a terminal and stdout does not
/// carry the JSON document.
pub fn wanted(stderr_terminal: bool, json_on_stdout: bool) -> bool {
    stderr_terminal && !json_on_stdout
}

/// The line while it runs; stops and clears it when dropped.
pub struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts the line for `label` when [`wanted`]; otherwise does nothing.
    pub fn start(label: &str, json_on_stdout: bool) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let thread = wanted(terminal, json_on_stdout).then(|| {
            let (stop, label) = (Arc::clone(&stop), crate::sanitize::sanitize(label).into_owned());
            std::thread::spawn(move || ticker(&label, &stop, &mut std::io::stderr(), AFTER, TICK))
        });
        Self { stop, thread }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Draws `label` with the seconds elapsed on `out`, from `after` on, every
/// `tick`, until `stop`; clears the line if it drew one.
pub fn ticker(label: &str, stop: &AtomicBool, out: &mut dyn Write, after: Duration, tick: Duration) {
    let start = Instant::now();
    let mut drawn = false;
    while !stop.load(Ordering::Relaxed) {
        let elapsed = start.elapsed();
        if elapsed >= after {
            let _ = write!(out, "\r\x1b[2Ktrailscope: {label} … {}s", elapsed.as_secs());
            let _ = out.flush();
            drawn = true;
        }
        std::thread::sleep(tick);
    }
    if drawn {
        let _ = write!(out, "\r\x1b[2K");
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_only_on_a_terminal_and_never_beside_json_on_stdout() {
        assert!(wanted(true, false));
        assert!(!wanted(false, false));
        assert!(!wanted(true, true));
    }

    #[test]
    fn the_line_appears_after_the_delay_and_is_cleared() {
        let stop = Arc::new(AtomicBool::new(false));
        let s = Arc::clone(&stop);
        let t = std::thread::spawn(move || {
            let mut out = Vec::new();
            ticker("verifying x", &s, &mut out, Duration::from_millis(30), Duration::from_millis(10));
            out
        });
        std::thread::sleep(Duration::from_millis(120));
        stop.store(true, Ordering::Relaxed);
        let out = String::from_utf8(t.join().unwrap()).unwrap();
        assert!(out.contains("trailscope: verifying x … 0s"), "{out:?}");
        assert!(out.ends_with("\r\x1b[2K"), "{out:?}");
    }

    #[test]
    fn a_quick_run_draws_nothing() {
        let stop = AtomicBool::new(true);
        let mut out = Vec::new();
        ticker("x", &stop, &mut out, Duration::from_secs(1), Duration::from_millis(1));
        assert!(out.is_empty());
    }
}
