//! One lesson as its file under `fixtures/lessons/` says it (TOML): the
//! story, the goals, the tasks with their answers, hints and feedback, and
//! the "break it" actions. Parsed once when the lessons are loaded; checking
//! an answer is a pure function of the lesson.

use serde::Deserialize;

use super::breakit::BreakIt;

/// One lesson.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Its place in the workshop's order (1-based).
    pub number: u32,
    /// The name `trailscope workshop ID` takes, kebab-case.
    pub id: String,
    pub title: String,
    pub minutes: u32,
    /// What the lesson teaches, one line (the trainer's plan).
    pub teaches: String,
    /// The embedded scenario it opens: `SET/NAME` (`demo`, `intoto-demo`,
    /// `tuf-attacks` or `workshop`).
    pub scenario: String,
    /// in-toto and bridge: accept a verdict without the layout's inspections
    /// (`--skip-inspections`); otherwise they are reported as not run. The
    /// workshop never executes a layout's commands.
    #[serde(default)]
    pub skip_inspections: bool,
    /// The TUI view the lesson talks about (`overview`, `chain`, `step`,
    /// `artifact`, `trust`, `findings`).
    pub view: String,
    /// Who holds which key and what the attacker wants.
    pub story: String,
    pub goals: Vec<String>,
    pub tasks: Vec<Task>,
    /// The attacks this lesson lets the learner play (`b`).
    #[serde(rename = "break")]
    pub breaks: Vec<BreakIt>,
    /// Attack-to-defence rows for the trainer's plan: the attack, the check
    /// that stops it.
    #[serde(default)]
    pub defences: Vec<Defence>,
}

/// One row of the attack-to-defence table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defence {
    pub attack: String,
    pub defence: String,
}

/// One task: a question the learner answers in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub prompt: String,
    /// Pick one of these (select the failing rule, the role, the key); empty:
    /// type the answer.
    #[serde(default)]
    pub choices: Vec<String>,
    /// The right choice (exactly one of `choices`), or the value to type.
    pub answer: String,
    /// Other typed values that are also right (`"2"` and `"two"`).
    #[serde(default)]
    pub accept: Vec<String>,
    /// Why the answer is right (shown when it is given).
    pub why: String,
    /// Why a wrong choice is wrong: `[[tasks.wrong]] choice = …, why = …`;
    /// a wrong answer without its own entry gets `otherwise`.
    #[serde(default)]
    pub wrong: Vec<WrongAnswer>,
    pub otherwise: String,
    /// Hints, shown one at a time.
    #[serde(default)]
    pub hints: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WrongAnswer {
    pub choice: String,
    pub why: String,
}

/// The result of checking an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub accepted: bool,
    /// Why the answer is right or wrong.
    pub feedback: String,
}

/// What the learner answered: the index of a choice, or typed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Choice(usize),
    Text(String),
}

impl Task {
    /// Whether the learner types the answer (no choices).
    pub fn is_typed(&self) -> bool {
        self.choices.is_empty()
    }

    /// The index of the right choice.
    pub fn answer_index(&self) -> Option<usize> {
        self.choices.iter().position(|c| *c == self.answer)
    }

    /// Checks an answer and says why it is right or wrong.
    pub fn check(&self, answer: &Answer) -> Check {
        let given = match answer {
            Answer::Choice(i) => match self.choices.get(*i) {
                Some(c) => c.clone(),
                None => return Check { accepted: false, feedback: "no such choice".into() },
            },
            Answer::Text(t) => t.clone(),
        };
        let norm = |s: &str| s.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
        let right = norm(&given) == norm(&self.answer) || self.accept.iter().any(|a| norm(a) == norm(&given));
        if right {
            return Check { accepted: true, feedback: format!("Right. {}", self.why) };
        }
        let why = self.wrong.iter().find(|w| norm(&w.choice) == norm(&given)).map(|w| w.why.as_str());
        let shown = if given.trim().is_empty() {
            "an empty answer".to_owned()
        } else {
            format!("‘{}’", crate::sanitize::sanitize(given.trim()))
        };
        Check {
            accepted: false,
            feedback: format!("Not quite: {shown} is not it. {}", why.unwrap_or(&self.otherwise)),
        }
    }
}

/// Where the learner stands in one lesson (kept per lesson for the session).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Per task: answered right.
    pub solved: Vec<bool>,
    /// Per task: wrong answers given.
    pub attempts: Vec<u32>,
    /// Per task: hints shown.
    pub hints: Vec<usize>,
    /// Break-it actions played (by index).
    pub played: Vec<bool>,
}

impl Progress {
    pub fn new(lesson: &Lesson) -> Self {
        Self {
            solved: vec![false; lesson.tasks.len()],
            attempts: vec![0; lesson.tasks.len()],
            hints: vec![0; lesson.tasks.len()],
            played: vec![false; lesson.breaks.len()],
        }
    }

    /// Records the check of task `task`.
    pub fn record(&mut self, task: usize, check: &Check) {
        if let Some(s) = self.solved.get_mut(task) {
            *s |= check.accepted;
        }
        if !check.accepted
            && let Some(a) = self.attempts.get_mut(task)
        {
            *a += 1;
        }
    }

    /// The next hint of task `task`, if it has one left (and counts it shown).
    pub fn hint<'a>(&mut self, lesson: &'a Lesson, task: usize) -> Option<&'a str> {
        let hints = &lesson.tasks.get(task)?.hints;
        let shown = self.hints.get_mut(task)?;
        let hint = hints.get(*shown).or(hints.last())?;
        *shown = (*shown + 1).min(hints.len());
        Some(hint)
    }

    pub fn solved_count(&self) -> usize {
        self.solved.iter().filter(|s| **s).count()
    }

    /// Every task answered and every break-it action played.
    pub fn complete(&self) -> bool {
        self.solved.iter().all(|s| *s) && self.played.iter().all(|p| *p)
    }
}

/// Parses one lesson file.
pub fn parse(text: &str) -> Result<Lesson, String> {
    let lesson: Lesson = toml::from_str(text).map_err(|e| e.to_string())?;
    lesson.validate()?;
    Ok(lesson)
}

impl Lesson {
    /// The checks a lesson file must pass beyond its syntax.
    fn validate(&self) -> Result<(), String> {
        let at = |what: String| format!("lesson {} ({}): {what}", self.number, self.id);
        if !(2..=4).contains(&self.tasks.len()) {
            return Err(at(format!("has {} tasks; a lesson has 2 to 4", self.tasks.len())));
        }
        if self.breaks.is_empty() {
            return Err(at("has no break-it action".into()));
        }
        for (i, t) in self.tasks.iter().enumerate() {
            if !t.is_typed() && t.answer_index().is_none() {
                return Err(at(format!("task {}: the answer is not one of the choices", i + 1)));
            }
            if let Some(w) = t.wrong.iter().find(|w| w.choice == t.answer) {
                return Err(at(format!("task {}: ‘{}’ is both right and wrong", i + 1, w.choice)));
            }
            if t.hints.is_empty() {
                return Err(at(format!("task {} has no hint", i + 1)));
            }
        }
        for b in &self.breaks {
            b.validate().map_err(|e| at(format!("break ‘{}’: {e}", b.label)))?;
        }
        Ok(())
    }
}
