//! TUI benchmarks (DESIGN §8: first frame under 100 ms on the demo and under
//! 500 ms on the 100k chain; each key press redrawn in under 16 ms on the
//! 100k chain).
//!
//! Needs the 100k chain: `cargo run --release --example gen-scale -- intoto
//! 100000 target/scale/intoto-100000` (or set `TRAILSCOPE_TUI_CHAIN`).
//!
//! - `tui-frame/<view>`: one full frame (TestBackend 120×40) of each view
//!   on the verified 100k chain — the Step view on `step-2` (2×100,000
//!   artifacts in its tables), the Artifact view on an artifact in the middle.
//! - `tui-key/<view>`: a key press through the keymap and `update`, then
//!   the redraw — what the user waits for.
//! - printed before criterion runs, median of several: the first frame of
//!   `App::new` (verification still running) on the demo and on the 100k
//!   chain, the time to the verdict, and the `Model` derivation (artifact
//!   index, suspicious-name check) that now runs on the verification side.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trailscope::tui::model::Model;
use trailscope::tui::open::{self, OpenOptions};
use trailscope::tui::theme::load_builtin;
use trailscope::tui::views::ViewId;
use trailscope::tui::{App, Session, TuiOptions};

const SIZE: (u16, u16) = (120, 40);

fn chain_dir() -> PathBuf {
    std::env::var_os("TRAILSCOPE_TUI_CHAIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale/intoto-100000"))
}

fn key(app: &mut App, c: char) {
    let code = match c {
        '\t' => KeyCode::Tab,
        '\n' => KeyCode::Enter,
        c => KeyCode::Char(c),
    };
    let mods = if c.is_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
    app.handle_key(KeyEvent::new(code, mods));
}

fn keys(app: &mut App, s: &str) {
    s.chars().for_each(|c| key(app, c));
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap()
}

/// `App::new` (starts verification) + the first draw; then waits for the
/// verdict so runs do not overlap. Returns (first frame, verdict).
fn first_frame(make: &dyn Fn() -> (Session, Option<time::OffsetDateTime>)) -> (Duration, Duration) {
    let (session, at) = make();
    let theme = load_builtin("dark").unwrap();
    let mut t = terminal();
    let opts = TuiOptions { at, ..TuiOptions::default() };
    let start = Instant::now();
    let mut app = App::new(session, theme, &opts);
    app.handle_event(&crossterm::event::Event::Resize(SIZE.0, SIZE.1));
    t.draw(|f| app.render(f)).unwrap();
    let frame = start.elapsed();
    assert!(app.wait(Duration::from_secs(600)), "verification did not finish");
    let verdict = start.elapsed();
    (frame, verdict)
}

fn report_first_frames(dir: &Path) {
    const RUNS: usize = 5;
    let demo = || {
        open::demo_session(
            trailscope::demo::DEFAULT,
            &OpenOptions { run_inspections: true, ..OpenOptions::default() },
        )
        .unwrap()
    };
    let (frames, verdicts): (Vec<_>, Vec<_>) = (0..RUNS * 2).map(|_| first_frame(&demo)).unzip();
    println!(
        "tui first frame, demo act3 (bridge, inspection run): median {:?} (verdict after {:?}) over {} runs",
        median(frames),
        median(verdicts),
        RUNS * 2
    );
    let opened = open::detect(dir, &OpenOptions::default()).unwrap();
    let chain = || (open::session(&opened, "intoto-100000"), opened.at);
    let (frames, verdicts): (Vec<_>, Vec<_>) = (0..RUNS).map(|_| first_frame(&chain)).unzip();
    println!(
        "tui first frame, 100k chain (engine session): median {:?} (verdict, model included, after {:?}) over {RUNS} runs",
        median(frames),
        median(verdicts)
    );
    let Plan100k { results, .. } = plan_100k(dir);
    let derive: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let r = results.clone();
            let start = Instant::now();
            let m = Model::from_results(r);
            let d = start.elapsed();
            drop(m);
            d
        })
        .collect();
    println!("tui model derivation (verify side), 100k chain: median {:?}", median(derive));
}

struct Plan100k {
    results: trailscope::tui::detail::Results,
    at: Option<time::OffsetDateTime>,
}

fn plan_100k(dir: &Path) -> Plan100k {
    let opened = open::detect(dir, &OpenOptions::default()).unwrap();
    let open::Plan::InToto(inputs) = &opened.plan else {
        panic!("{} is not an in-toto chain", dir.display())
    };
    let results = open::verify_intoto(inputs, &opened.opts, opened.at, &opened.dir).unwrap();
    Plan100k { results, at: opened.at }
}

/// An app showing the verified 100k chain (a fixed session: no background work).
fn loaded_app(p: &Plan100k) -> App {
    let results = p.results.clone();
    let session = Session::new("intoto-100000", move |_, _| Ok(results.clone()));
    let opts = TuiOptions { at: p.at, ..TuiOptions::default() };
    let mut app = App::new(session, load_builtin("dark").unwrap(), &opts);
    app.handle_event(&crossterm::event::Event::Resize(SIZE.0, SIZE.1));
    assert!(app.wait(Duration::from_secs(600)));
    app
}

fn benches(c: &mut Criterion) {
    let dir = chain_dir();
    if !dir.join("root.layout").is_file() {
        eprintln!(
            "benches/tui: {} not found; run `cargo run --release --example gen-scale -- intoto 100000 target/scale/intoto-100000`",
            dir.display()
        );
        return;
    }
    report_first_frames(&dir);
    let p = plan_100k(&dir);
    let mut app = loaded_app(&p);
    let mut t = terminal();

    // Where each view is looked at: the Chain cursor on step-2 (so Step shows
    // its 2×100k tables), an artifact in the middle of the Artifact list.
    let setups: [(ViewId, &str); 6] = [
        (ViewId::Overview, "1"),
        (ViewId::Chain, "2j"),
        (ViewId::Step, "2j3p"),
        (ViewId::Artifact, "4"),
        (ViewId::Trust, "5"),
        (ViewId::Findings, "6"),
    ];
    let mut group = c.benchmark_group("tui-frame");
    for (view, setup) in setups {
        keys(&mut app, setup);
        if view == ViewId::Artifact {
            for _ in 0..1500 {
                app.dispatch(trailscope::tui::action::Action::PageDown);
            }
        }
        assert_eq!(app.state().view, view);
        group.bench_function(view.title(), |b| b.iter(|| t.draw(|f| app.render(f)).unwrap().area));
    }
    group.finish();

    // Key press → update → redraw, moving down and up (so the cursor stays
    // in the middle of the long lists).
    let mut group = c.benchmark_group("tui-key");
    for (view, setup, down, up) in [
        (ViewId::Chain, "2", 'j', 'k'),
        (ViewId::Step, "2j3p", 'j', 'k'),
        (ViewId::Artifact, "4", 'j', 'k'),
        (ViewId::Findings, "6", 'j', 'k'),
    ] {
        keys(&mut app, setup);
        assert_eq!(app.state().view, view);
        let mut flip = false;
        group.bench_function(format!("{} j/k", view.title()), |b| {
            b.iter(|| {
                flip = !flip;
                key(&mut app, if flip { down } else { up });
                t.draw(|f| app.render(f)).unwrap().area
            })
        });
    }
    let mut flip = false;
    group.bench_function("view switch 2/4", |b| {
        b.iter(|| {
            flip = !flip;
            key(&mut app, if flip { '2' } else { '4' });
            t.draw(|f| app.render(f)).unwrap().area
        })
    });
    keys(&mut app, "4");
    group.bench_function("Artifact PgDn/PgUp", |b| {
        b.iter(|| {
            flip = !flip;
            let action = if flip {
                trailscope::tui::action::Action::PageDown
            } else {
                trailscope::tui::action::Action::PageUp
            };
            app.dispatch(action);
            t.draw(|f| app.render(f)).unwrap().area
        })
    });
    group.finish();
}

criterion_group! {
    name = tui;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = benches
}

criterion::criterion_main!(tui);
