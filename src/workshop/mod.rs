//! Workshop mode (DESIGN §1 "Workshop"): guided lessons over the embedded
//! scenarios, run from the binary alone. A lesson ([`Lesson`], one TOML
//! file under `fixtures/lessons/`, embedded) tells a story — who holds
//! which key, what the attacker wants — sets goals and 2–4 tasks the
//! learner answers ([`Task::check`] says why an answer is right or wrong),
//! and lets the learner play the attacker: each [`BreakIt`] action edits a
//! [`Scratch`] copy of the scenario (re-signing with the fixtures' keys
//! where the story hands the attacker a key), which is verified again
//! through the engine, and undone with [`Scratch::undo`].
//!
//! No UI here: `cli` prints the plan and `tui` draws the lesson pane; both
//! call this module. Everything is offline and deterministic (fixed keys,
//! fixed times, the scenario's own `now`).

pub mod breakit;
pub mod lesson;
pub mod plan;
pub mod scratch;

use std::collections::BTreeMap;

use include_dir::{Dir, include_dir};
use serde_json::Value;

pub use breakit::{BreakIt, Expect, Step};
pub use lesson::{Answer, Check, Lesson, Progress, Task};
pub use scratch::{Scratch, Verified, meets};

use crate::verdict::category::Category;
use crate::verdict::{Document, Verdict};

static LESSONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/lessons");
static WORKSHOP: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/workshop");

/// Every lesson, in the workshop's order. A lesson file that does not parse
/// is a build-time mistake the tests catch; here it is left out.
pub fn lessons() -> Vec<Lesson> {
    let mut out: Vec<Lesson> = LESSONS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .filter_map(|f| f.contents_utf8().and_then(|t| lesson::parse(t).ok()))
        .collect();
    out.sort_by_key(|l| l.number);
    out
}

/// Every lesson file with its parse error, if any (tests, `--list` warnings).
pub fn lesson_files() -> Vec<(String, Result<Lesson, String>)> {
    let mut out: Vec<(String, Result<Lesson, String>)> = LESSONS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .map(|f| {
            let name = f.path().display().to_string();
            let parsed = f.contents_utf8().ok_or_else(|| "not UTF-8".to_owned()).and_then(lesson::parse);
            (name, parsed)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The lesson a number (`3`) or an id (`rollback-and-freeze`) names.
pub fn find(name: &str) -> Option<Lesson> {
    let name = name.trim();
    let all = lessons();
    match name.parse::<u32>() {
        Ok(n) => all.into_iter().find(|l| l.number == n),
        Err(_) => all.into_iter().find(|l| l.id.eq_ignore_ascii_case(name)),
    }
}

/// Total minutes of the workshop.
pub fn total_minutes(lessons: &[Lesson]) -> u32 {
    lessons.iter().map(|l| l.minutes).sum()
}

/// Files of an embedded scenario: path relative to it, bytes.
pub type ScenarioFiles = Vec<(String, &'static [u8])>;

/// A scenario's `scenario.json` and files (path relative to the scenario),
/// from the embedded demo sets or the workshop's own set.
pub fn scenario_files(name: &str) -> Result<(Value, ScenarioFiles), String> {
    if let Some(rest) = name.strip_prefix("workshop/") {
        let dir = WORKSHOP.get_dir(rest).ok_or_else(|| format!("no workshop scenario {rest}"))?;
        let files = crate::embedded::files(dir);
        let json = files
            .iter()
            .find(|(p, _)| p == "scenario.json")
            .and_then(|(_, b)| serde_json::from_slice(b).ok())
            .ok_or_else(|| format!("workshop scenario {rest} has no scenario.json"))?;
        return Ok((json, files));
    }
    let sc = crate::demo::find(name).ok_or_else(|| format!("no embedded scenario {name}"))?;
    Ok((sc.json.clone(), sc.files_under("")))
}

/// One file of an embedded scenario, `SET/NAME:path`.
pub fn embedded_file(spec: &str) -> Result<Vec<u8>, String> {
    let (scenario, rel) = spec.split_once(':').ok_or_else(|| format!("{spec} is not SET/NAME:PATH"))?;
    let (_, files) = scenario_files(scenario)?;
    files
        .into_iter()
        .find(|(p, _)| p == rel)
        .map(|(_, b)| b.to_vec())
        .ok_or_else(|| format!("{scenario} has no file {rel}"))
}

/// What the lesson pane says after a break-it action: what was done, the
/// verdict now, the lesson's own words, and the `explain` text of the
/// category that stopped the attack.
pub fn explanation(lesson: &Lesson, index: usize, doc: &Document) -> Vec<String> {
    let Some(action) = lesson.breaks.get(index) else { return Vec::new() };
    let verdict = match doc.verdict {
        Verdict::Pass => "PASS".to_owned(),
        Verdict::Fail => format!("FAIL ({})", doc.category.id()),
    };
    let errors = || doc.findings.iter().filter(|f| f.severity == crate::verdict::Severity::Error);
    let mut out = vec![
        format!("You played: {}.", action.label),
        format!("Verdict now: {verdict}."),
        action.explain.clone(),
    ];
    let category = Category::from_id(&action.expect.category)
        .filter(|c| errors().any(|f| f.category == *c) || doc.category == *c)
        .or_else(|| errors().next().map(|f| f.category));
    if let Some(c) = category {
        out.push(format!("explain {}: {}", c.id(), c.info().paragraph()));
    }
    out
}

/// The learner's progress in every lesson, for one session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workshop {
    pub progress: BTreeMap<String, Progress>,
}

impl Workshop {
    /// Checks an answer to task `task` of `lesson` and records it.
    pub fn answer(&mut self, lesson: &Lesson, task: usize, answer: &Answer) -> Check {
        let check = match lesson.tasks.get(task) {
            Some(t) => t.check(answer),
            None => return Check { accepted: false, feedback: "no such task".into() },
        };
        self.progress_mut(lesson).record(task, &check);
        check
    }

    /// Records that break-it action `index` of `lesson` was played.
    pub fn played(&mut self, lesson: &Lesson, index: usize) {
        if let Some(p) = self.progress_mut(lesson).played.get_mut(index) {
            *p = true;
        }
    }

    pub fn progress_mut(&mut self, lesson: &Lesson) -> &mut Progress {
        self.progress.entry(lesson.id.clone()).or_insert_with(|| Progress::new(lesson))
    }

    pub fn progress(&self, lesson: &Lesson) -> Progress {
        self.progress.get(&lesson.id).cloned().unwrap_or_else(|| Progress::new(lesson))
    }
}
