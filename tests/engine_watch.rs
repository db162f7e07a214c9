//! The file watcher feeds real file changes into the engine. No timing
//! assertions: poll with a generous deadline.

use std::path::Path;
use std::time::{Duration, Instant};

use trailscope::engine::{DiskSource, Engine, EngineConfig, Outcome, Plan, UnitId, UnitRef, Watcher};

const DEADLINE: Duration = Duration::from_secs(30);

fn echo_plan(dir: &Path) -> (Plan, UnitRef<String>, UnitRef<String>) {
    let mut b = Plan::builder();
    let echo = |b: &mut trailscope::engine::PlanBuilder, name: &str| {
        let f = b.file(dir.join(name));
        let fr = f.clone();
        b.unit(UnitId::new("echo", name.to_string()), &[f.input()], move |inp| match inp.bytes(&fr) {
            Some(bytes) => Outcome::pass(String::from_utf8_lossy(bytes).into_owned()),
            None => Outcome::skipped("missing"),
        })
    };
    let a = echo(&mut b, "a.link");
    let c = echo(&mut b, "c.link");
    (b.build().unwrap(), a, c)
}

fn eventually(engine: &Engine, unit: &UnitRef<String>, want: &str) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if engine.outcome(unit.id()).and_then(|o| o.output::<String>().cloned()).as_deref() == Some(want) {
            return;
        }
        assert!(Instant::now() < deadline, "{} never became {want:?}", unit.id());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_watcher_rehashes_changed_files_and_reruns_their_units() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.link"), "one").unwrap();
    std::fs::write(dir.path().join("c.link"), "same").unwrap();
    let (plan, a, c) = echo_plan(dir.path());
    let engine = Engine::new(EngineConfig::default(), DiskSource::default());
    engine.load(plan);
    engine.wait_timeout(DEADLINE).unwrap();
    let watcher = Watcher::start(engine.handle(), Duration::from_millis(50)).unwrap();

    // An in-place write.
    std::fs::write(dir.path().join("a.link"), "two").unwrap();
    eventually(&engine, &a, "two");

    // An editor's atomic save: write elsewhere, rename over.
    let tmp = dir.path().join(".a.link.swp");
    std::fs::write(&tmp, "three").unwrap();
    std::fs::rename(&tmp, dir.path().join("a.link")).unwrap();
    eventually(&engine, &a, "three");

    // The other file was never touched: its result stands.
    assert_eq!(engine.outcome(c.id()).unwrap().output::<String>().unwrap(), "same");
    watcher.stop();
    assert!(engine.stats().executed >= 4);
}
