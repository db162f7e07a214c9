//! The trainer's view of the workshop: one line per lesson
//! (`trailscope workshop --list`) and the plan in Markdown (`--list
//! --format markdown`): lessons with minutes and what each teaches, the
//! break-it actions, and the attack-to-defence table.

use super::{Lesson, total_minutes};

/// `N. id — title (M min)`, one line per lesson.
pub fn list(lessons: &[Lesson]) -> String {
    let mut out = String::new();
    for l in lessons {
        out.push_str(&format!("{}. {} — {} ({} min)\n", l.number, l.id, l.title, l.minutes));
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The trainer's plan in Markdown.
pub fn markdown(lessons: &[Lesson]) -> String {
    let total = total_minutes(lessons);
    let mut out = format!(
        "# trailscope workshop: TUF, in-toto and Sigstore in {total} minutes\n\n\
         Start with `trailscope workshop` (lesson 1) or `trailscope workshop N`. In the TUI: `L` \
         moves between the lesson pane and the view, `b` plays the attacker, `u` undoes. Everything \
         runs offline from the binary; the same lesson shows the same digests on every machine.\n\n\
         ## Lessons\n\n| # | lesson | minutes | what it teaches | scenario |\n|---|---|---|---|---|\n"
    );
    let mut at = 0;
    for l in lessons {
        out.push_str(&format!(
            "| {} | {} (`{}`) | {} (at {}′) | {} | `{}` |\n",
            l.number,
            cell(&l.title),
            l.id,
            l.minutes,
            at,
            cell(&l.teaches),
            l.scenario
        ));
        at += l.minutes;
    }
    out.push_str(&format!("\nTotal: {total} minutes.\n\n## Play the attacker\n\n"));
    out.push_str("| # | break it | the attacker | caught as |\n|---|---|---|---|\n");
    for l in lessons {
        for b in &l.breaks {
            out.push_str(&format!(
                "| {} | {} | {} | {} `{}` |\n",
                l.number,
                cell(&b.label),
                cell(&b.attacker),
                b.expect.verdict,
                b.expect.category
            ));
        }
    }
    out.push_str("\n## Attack to defence\n\n| attack | the check that stops it | lesson |\n|---|---|---|\n");
    for l in lessons {
        for d in &l.defences {
            out.push_str(&format!("| {} | {} | {} |\n", cell(&d.attack), cell(&d.defence), l.number));
        }
    }
    out.push_str("\n## Lesson by lesson\n");
    for l in lessons {
        out.push_str(&format!(
            "\n### {}. {} ({} min)\n\n{}\n\nGoals:\n",
            l.number, l.title, l.minutes, l.story
        ));
        for g in &l.goals {
            out.push_str(&format!("- {g}\n"));
        }
        out.push_str("\nTasks:\n");
        for (i, t) in l.tasks.iter().enumerate() {
            out.push_str(&format!("{}. {} — answer: {}\n", i + 1, t.prompt, t.answer));
        }
    }
    out
}
