//! A toy supply chain on the engine, shaped like the real one: parse each
//! file → a per-file check → per-step rule units that read two files' parses
//! → one verdict that reads every check and rule and a `strict` parameter.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use trailscope::engine::{
    FileRef, Outcome, ParamRef, Plan, PlanBuilder, Results, Status, UnitId, UnitOutcome, UnitRef,
};
use trailscope::verdict::{Finding, Subject};

/// `key=value` lines, sorted: reordering lines leaves the parse equal.
pub type Parsed = Vec<(String, String)>;

pub fn file_name(i: usize) -> String {
    format!("step{i}.link")
}

/// Every unit run, in the order they ran.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<UnitId>>>);

impl Log {
    pub fn record(&self, id: &UnitId) {
        self.0.lock().unwrap().push(id.clone());
    }

    pub fn take(&self) -> Vec<UnitId> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

pub struct Toy {
    pub plan: Plan,
    pub files: Vec<FileRef>,
    pub parses: Vec<UnitRef<Parsed>>,
    pub checks: Vec<UnitRef<usize>>,
    pub rules: Vec<UnitRef<String>>,
    pub verdict: UnitRef<String>,
    pub strict: ParamRef<bool>,
}

/// `files` files; step `i` (for `i < files - 1`) reads files `i` and `i + 1`.
pub fn toy(files: usize, log: &Log) -> Toy {
    let mut b = Plan::builder();
    let strict = b.param("strict", false, b"false");
    let files: Vec<FileRef> = (0..files).map(|i| b.file(file_name(i))).collect();
    let parses: Vec<_> = files.iter().map(|f| parse_unit(&mut b, f, log)).collect();
    let checks: Vec<_> = parses.iter().zip(&files).map(|(p, f)| check_unit(&mut b, p, f, log)).collect();
    let rules: Vec<_> =
        parses.windows(2).enumerate().map(|(i, w)| rule_unit(&mut b, i, &w[0], &w[1], log)).collect();
    let verdict = verdict_unit(&mut b, &checks, &rules, &strict, log);
    Toy { plan: b.build().unwrap(), files, parses, checks, rules, verdict, strict }
}

fn finding(path: &str, message: String) -> Finding {
    Finding::error(
        trailscope::verdict::category::ERROR_OTHER,
        Subject::File { path: path.to_string() },
        message,
    )
}

fn parse_unit(b: &mut PlanBuilder, f: &FileRef, log: &Log) -> UnitRef<Parsed> {
    let path = f.path().display().to_string();
    let (f, log) = (f.clone(), log.clone());
    b.unit(UnitId::new("parse", path.clone()), &[f.input()], move |inp| {
        log.record(inp.unit());
        let Some(bytes) = inp.bytes(&f) else {
            return Outcome::fail(vec![finding(&path, "file missing".into())]);
        };
        let text = String::from_utf8_lossy(bytes);
        let mut parsed = Parsed::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match line.split_once('=') {
                Some((k, v)) => parsed.push((k.to_string(), v.to_string())),
                None => return Outcome::fail(vec![finding(&path, format!("malformed line {line:?}"))]),
            }
        }
        parsed.sort();
        let canonical = format!("{parsed:?}");
        Outcome::pass(parsed).with_fingerprint(canonical.as_bytes())
    })
}

fn check_unit(b: &mut PlanBuilder, p: &UnitRef<Parsed>, f: &FileRef, log: &Log) -> UnitRef<usize> {
    let path = f.path().display().to_string();
    let (p, log) = (p.clone(), log.clone());
    b.unit(UnitId::new("check", path.clone()), &[p.input()], move |inp| {
        log.record(inp.unit());
        let Some(parsed) = inp.get(&p) else { return Outcome::skipped("did not parse") };
        let bad: Vec<_> = parsed
            .iter()
            .filter(|(_, v)| v == "bad")
            .map(|(k, _)| finding(&path, format!("{k} is bad")))
            .collect();
        Outcome::from_findings(Some(parsed.len()), bad)
    })
}

fn rule_unit(
    b: &mut PlanBuilder,
    i: usize,
    a: &UnitRef<Parsed>,
    c: &UnitRef<Parsed>,
    log: &Log,
) -> UnitRef<String> {
    let (a, c, log) = (a.clone(), c.clone(), log.clone());
    b.unit(UnitId::new("rules", format!("step{i}")), &[a.input(), c.input()], move |inp| {
        log.record(inp.unit());
        let (Some(x), Some(y)) = (inp.get(&a), inp.get(&c)) else {
            return Outcome::skipped("a link did not parse");
        };
        // MATCH: every product of the next step is a material of this one.
        let unmatched: Vec<_> = y
            .iter()
            .filter(|kv| !x.contains(kv))
            .map(|(k, _)| {
                Finding::warning(
                    trailscope::verdict::category::RULE_CONSUMED_NOTHING,
                    Subject::Step { name: format!("step{i}") },
                    k.clone(),
                )
            })
            .collect();
        Outcome::from_findings(Some(format!("{} unmatched", unmatched.len())), unmatched)
    })
}

fn verdict_unit(
    b: &mut PlanBuilder,
    checks: &[UnitRef<usize>],
    rules: &[UnitRef<String>],
    strict: &ParamRef<bool>,
    log: &Log,
) -> UnitRef<String> {
    let mut inputs: Vec<_> = checks.iter().map(UnitRef::input).collect();
    inputs.extend(rules.iter().map(UnitRef::input));
    inputs.push(strict.input());
    let (strict, log) = (strict.clone(), log.clone());
    b.unit(UnitId::new("verdict", "toy"), &inputs, move |inp| {
        log.record(inp.unit());
        let strict = *inp.param(&strict).unwrap_or(&false);
        let mut failed = false;
        for o in inp.upstream_outcomes() {
            failed |= o.status != Status::Pass;
            failed |= strict && !o.findings.is_empty();
        }
        Outcome::pass(if failed { "fail".to_string() } else { "pass".to_string() })
    })
}

/// Everything a user could see of one unit's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub status: Status,
    pub findings: Vec<Finding>,
    pub detail: Option<String>,
    pub output: Option<String>,
}

pub fn seen(o: &UnitOutcome) -> Seen {
    let output = o
        .output::<Parsed>()
        .map(|v| format!("{v:?}"))
        .or_else(|| o.output::<usize>().map(|v| v.to_string()))
        .or_else(|| o.output::<String>().cloned());
    Seen { status: o.status, findings: o.findings.clone(), detail: o.detail.clone(), output }
}

pub fn snapshot(r: &Results) -> BTreeMap<String, Seen> {
    r.iter().map(|(id, o)| (id.to_string(), seen(o))).collect()
}
