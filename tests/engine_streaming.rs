//! Results stream while work runs, superseded results are never delivered,
//! and a unit that panics becomes an `error` outcome, not a dead engine.

mod engine_support;

use std::path::Path;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use engine_support::{Log, file_name, toy};
use trailscope::engine::{
    Change, Engine, EngineConfig, Event, MemorySource, Outcome, Plan, Status, UnitId, UnitRef,
};

const WAIT: Duration = Duration::from_secs(60);

fn events_until_completed(rx: &Receiver<Event>) -> Vec<Event> {
    let deadline = Instant::now() + WAIT;
    let mut out = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ev = rx.recv_timeout(left).expect("the run completes");
        let done = matches!(ev, Event::Completed { .. });
        out.push(ev);
        if done {
            return out;
        }
    }
}

#[test]
fn finished_events_stream_before_the_last_unit_starts() {
    const FILES: usize = 3000;
    let source = MemorySource::new();
    for i in 0..FILES {
        source.insert(file_name(i), format!("a={i}\nb=2").into_bytes());
    }
    let t = toy(FILES, &Log::default());
    let total = t.plan.unit_count();
    let engine = Engine::new(EngineConfig { workers: 2, ..EngineConfig::default() }, source);
    let rx = engine.subscribe();
    engine.load(t.plan);
    let events = events_until_completed(&rx);

    let first_finished = events.iter().position(|e| matches!(e, Event::Finished { .. })).unwrap();
    let last_started = events.iter().rposition(|e| matches!(e, Event::Started { .. })).unwrap();
    assert!(
        first_finished < last_started,
        "first Finished at {first_finished}, last Started at {last_started}"
    );
    let finished = events.iter().filter(|e| matches!(e, Event::Finished { .. })).count();
    assert_eq!(finished, total);
    let mut last_done = 0;
    for e in &events {
        if let Event::Progress { done, total: t, .. } = e {
            assert!(*done >= last_done && *t == total);
            last_done = *done;
        }
    }
    assert_eq!(last_done, total);
    assert!(matches!(events.first(), Some(Event::Invalidated { units, .. }) if units.len() == total));
}

/// A gate a unit's compute blocks on until the test opens it.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn wait(&self) {
        let (open, cv) = &*self.0;
        let mut g = open.lock().unwrap();
        while !*g {
            g = cv.wait(g).unwrap();
        }
    }

    fn open(&self) {
        *self.0.0.lock().unwrap() = true;
        self.0.1.notify_all();
    }
}

fn echo_plan(gate: &Gate) -> (Plan, UnitRef<String>) {
    let mut b = Plan::builder();
    let f = b.file("input");
    let gate = gate.clone();
    let fr = f.clone();
    let echo = b.unit(UnitId::new("echo", "input"), &[f.input()], move |inp| {
        let text = String::from_utf8_lossy(inp.bytes(&fr).unwrap_or_default()).into_owned();
        if text == "slow" {
            gate.wait();
        }
        if text == "boom" {
            panic!("boom on purpose");
        }
        Outcome::pass(text)
    });
    let e = echo.clone();
    b.unit(UnitId::new("verdict", "x"), &[echo.input()], move |inp| match inp.get(&e) {
        Some(t) => Outcome::pass(format!("saw {t}")),
        None => Outcome::<String>::skipped("echo has no output"),
    });
    (b.build().unwrap(), echo)
}

fn wait_for(rx: &Receiver<Event>, what: impl Fn(&Event) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    loop {
        let ev = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("event arrives");
        let hit = what(&ev);
        seen.push(ev);
        if hit {
            return seen;
        }
    }
}

#[test]
fn results_of_a_superseded_generation_are_dropped() {
    let gate = Gate::default();
    let (plan, echo) = echo_plan(&gate);
    let source = MemorySource::new();
    source.insert("input", &b"slow"[..]);
    let engine = Engine::new(EngineConfig { workers: 2, ..EngineConfig::default() }, source.clone());
    let rx = engine.subscribe();
    engine.load(plan);
    let mut events = wait_for(&rx, |e| matches!(e, Event::Started { unit, .. } if unit.kind() == "echo"));

    // The input changes while the slow computation is running.
    source.insert("input", &b"fast"[..]);
    let Change::Changed { generation, invalidated: 2 } = engine.file_changed(Path::new("input")) else {
        panic!("the change starts a generation")
    };
    let results = engine.wait_timeout(WAIT).unwrap();
    assert_eq!(results.generation, generation);
    assert_eq!(results.output(&echo), Some(&"fast".to_string()));

    // Now the superseded computation returns: it must not become current.
    gate.open();
    let deadline = Instant::now() + WAIT;
    while engine.stats().dropped == 0 {
        assert!(Instant::now() < deadline, "the superseded result arrives");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(engine.outcome(echo.id()).unwrap().output::<String>(), Some(&"fast".to_string()));
    events.extend(rx.try_iter());
    for e in &events {
        if let Event::Finished { unit, outcome, generation: g, .. } = e {
            assert_ne!(
                outcome.output::<String>(),
                Some(&"slow".to_string()),
                "{unit} delivered a stale result"
            );
            assert_eq!(*g, generation);
        }
    }

    // Pure units: the dropped result was still cached under its own inputs.
    let executed = engine.stats().executed;
    source.insert("input", &b"slow"[..]);
    engine.file_changed(Path::new("input"));
    let r = engine.wait_timeout(WAIT).unwrap();
    assert_eq!(r.output(&echo), Some(&"slow".to_string()));
    assert_eq!(engine.stats().executed, executed + 1, "only the verdict ran; echo came from the cache");
}

#[test]
fn a_panicking_unit_becomes_an_error_outcome_and_the_engine_goes_on() {
    let (plan, echo) = echo_plan(&Gate::default());
    let source = MemorySource::new();
    source.insert("input", &b"boom"[..]);
    let engine = Engine::new(EngineConfig { workers: 1, ..EngineConfig::default() }, source.clone());
    engine.load(plan);
    let r = engine.wait_timeout(WAIT).unwrap();
    let o = r.outcome(echo.id()).unwrap();
    assert_eq!(o.status, Status::Error);
    assert!(o.detail.as_deref().unwrap().contains("boom on purpose"), "{:?}", o.detail);
    assert_eq!(r.outcome(&UnitId::new("verdict", "x")).unwrap().status, Status::Skipped);
    assert_eq!(r.errors().count(), 1);
    assert!(!r.passed());

    source.insert("input", &b"fine"[..]);
    engine.file_changed(Path::new("input"));
    let r = engine.wait_timeout(WAIT).unwrap();
    assert_eq!(r.output(&echo), Some(&"fine".to_string()));
    assert!(r.passed());
}

#[test]
fn loading_a_new_plan_reuses_outcomes_of_units_with_the_same_inputs() {
    let source = MemorySource::new();
    for i in 0..4 {
        source.insert(file_name(i), &b"a=1"[..]);
    }
    let log = Log::default();
    let engine = Engine::new(EngineConfig::default(), source);
    engine.load(toy(4, &log).plan);
    engine.wait_timeout(WAIT).unwrap();
    log.take();
    // One more step: only the new file's units, the new rule and the verdict run.
    let rx = engine.subscribe();
    engine.load(toy(5, &log).plan);
    let r = engine.wait_timeout(WAIT).unwrap();
    let mut ran: Vec<String> = log.take().iter().map(UnitId::to_string).collect();
    ran.sort();
    assert_eq!(ran, ["check:step4.link", "parse:step4.link", "rules:step3", "verdict:toy"]);
    assert_eq!(r.len(), 5 + 5 + 4 + 1);
    let events = events_until_completed(&rx);
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Finished { reused: true, .. })).count(), 11);
}
