//! Every lesson walked headlessly through the library: it loads, each task
//! accepts its answer and rejects a wrong one with feedback, each break-it
//! action changes the verdict or the findings as the lesson says, and undo
//! brings the verdict back.

use trailscope::workshop::{self, Answer, Scratch, Workshop};

fn wrong_answer(task: &workshop::Task) -> Answer {
    match task.answer_index() {
        Some(i) => Answer::Choice((i + 1) % task.choices.len()),
        None => Answer::Text("not the answer".into()),
    }
}

#[test]
fn every_lesson_file_parses_and_the_workshop_fits_an_hour() {
    let files = workshop::lesson_files();
    for (name, parsed) in &files {
        assert!(parsed.is_ok(), "{name}: {}", parsed.as_ref().err().cloned().unwrap_or_default());
    }
    let lessons = workshop::lessons();
    assert!(lessons.len() >= 10, "{} lessons", lessons.len());
    let numbers: Vec<u32> = lessons.iter().map(|l| l.number).collect();
    assert_eq!(numbers, (1..=lessons.len() as u32).collect::<Vec<_>>());
    let total = workshop::total_minutes(&lessons);
    assert!((45..=90).contains(&total), "{total} minutes");
    assert_eq!(workshop::find("3").map(|l| l.id), Some("rollback-and-freeze".into()));
    assert_eq!(workshop::find("package-swap").map(|l| l.number), Some(9));
    assert!(workshop::find("99").is_none());
}

#[test]
fn every_lesson_walks_headless() {
    let mut ws = Workshop::default();
    for lesson in workshop::lessons() {
        let name = format!("lesson {} ({})", lesson.number, lesson.id);
        for (i, task) in lesson.tasks.iter().enumerate() {
            let wrong = ws.answer(&lesson, i, &wrong_answer(task));
            assert!(!wrong.accepted, "{name} task {i}: a wrong answer was accepted");
            assert!(wrong.feedback.starts_with("Not quite"), "{name} task {i}: {}", wrong.feedback);
            assert!(wrong.feedback.len() > 30, "{name} task {i}: feedback says nothing: {}", wrong.feedback);
            let right = match task.answer_index() {
                Some(i) => Answer::Choice(i),
                None => Answer::Text(format!("  {} ", task.answer.to_uppercase())),
            };
            let check = ws.answer(&lesson, i, &right);
            assert!(check.accepted, "{name} task {i}: the answer was rejected: {}", check.feedback);
            assert!(check.feedback.contains(&task.why), "{name} task {i}");
        }
        assert_eq!(ws.progress(&lesson).solved_count(), lesson.tasks.len(), "{name}");

        let mut scratch = Scratch::new(&lesson).unwrap_or_else(|e| panic!("{name}: {e}"));
        let base = scratch.verify().unwrap_or_else(|e| panic!("{name}: {e}"));
        let base_errors: Vec<String> = base.errors().map(|f| f.category.id().to_owned()).collect();
        for (b, action) in lesson.breaks.iter().enumerate() {
            scratch.apply(&lesson, b).unwrap_or_else(|e| panic!("{name} break {}: {e}", action.label));
            let broken = scratch.verify().unwrap_or_else(|e| panic!("{name}: {e}"));
            let errors: Vec<String> = broken.errors().map(|f| f.category.id().to_owned()).collect();
            // Named as the scenario names its files, never the scratch copy.
            let doc = serde_json::to_string(&broken.doc).unwrap();
            let tmp = std::env::temp_dir().display().to_string();
            assert!(!doc.contains(&tmp), "{name} break {:?}: a scratch path in {doc}", action.label);
            assert!(
                workshop::meets(&broken, &action.expect),
                "{name} break {:?}: expected {} {}, got {:?} {} with errors {errors:?}",
                action.label,
                action.expect.verdict,
                action.expect.category,
                broken.doc.verdict,
                broken.doc.category.id(),
            );
            assert!(
                broken.doc.verdict != base.doc.verdict || errors != base_errors,
                "{name} break {:?} changed nothing",
                action.label
            );
            let text = workshop::explanation(&lesson, b, &broken.doc).join("\n");
            assert!(text.contains(&action.explain), "{name}: {text}");
            assert!(text.contains(&format!("explain {}", action.expect.category)), "{name}: {text}");
            ws.played(&lesson, b);
            assert_eq!(scratch.undo().map(|(i, _)| i), Some(b));
            let back = scratch.verify().unwrap();
            assert_eq!(back.doc.verdict, base.doc.verdict, "{name}: undo of {:?}", action.label);
            assert_eq!(back.doc.category, base.doc.category, "{name}: undo of {:?}", action.label);
        }
        assert!(ws.progress(&lesson).complete(), "{name}");
    }
}

#[test]
fn a_break_re_runs_only_what_the_changed_file_feeds() {
    let lesson = workshop::find("rollback-and-freeze").unwrap();
    let mut scratch = Scratch::new(&lesson).unwrap();
    let first = scratch.verify().unwrap();
    assert!(first.executed > 0);
    scratch.apply(&lesson, 0).unwrap();
    let after = scratch.verify().unwrap();
    assert!(after.reused > 0, "nothing came from the engine's cache: {after:?}");
    assert!(after.executed < first.executed, "{} units ran again of {}", after.executed, first.executed);
}

#[test]
fn break_it_never_writes_outside_the_scratch_copy() {
    let lesson = workshop::find("rollback-and-freeze").unwrap();
    let mut scratch = Scratch::new(&lesson).unwrap();
    for b in 0..lesson.breaks.len() {
        for path in scratch.apply(&lesson, b).unwrap() {
            assert!(path.starts_with(scratch.path()), "{}", path.display());
        }
    }
    while scratch.undo().is_some() {}
    assert!(workshop::meets(
        &scratch.verify().unwrap(),
        &workshop::Expect { verdict: "pass".into(), category: "ok".into() }
    ));
}

#[test]
fn the_same_lesson_shows_the_same_text_everywhere() {
    let lesson = workshop::find("package-swap").unwrap();
    let run = || {
        let mut s = Scratch::new(&lesson).unwrap();
        s.apply(&lesson, 0).unwrap();
        let v = s.verify().unwrap();
        (v.doc.to_json_string(), workshop::explanation(&lesson, 0, &v.doc))
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert!(!a.0.contains("trailscope-workshop-"), "the scratch path leaked into the result");
}
