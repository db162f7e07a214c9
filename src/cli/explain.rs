//! `trailscope explain --list`, `trailscope explain CATEGORY` and
//! `trailscope explain ATTACK`: what each category of a finding or verdict
//! means, which check produces it and what to look at — from the one table in
//! `verdict::category` — and what each attack does and which check stops it
//! (`verdict::attack`).

use clap::Args;

use super::Exit;
use crate::verdict::attack::{self, ATTACKS, Attack};
use crate::verdict::category::{self, CATEGORIES, CategoryInfo, Vocabulary};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The category or attack to explain, e.g. rule-disallow or rollback (see --list).
    #[arg(value_name = "CATEGORY|ATTACK", required_unless_present = "list")]
    pub category: Option<String>,
    /// List every category with a one-line meaning, and every attack.
    #[arg(long, conflicts_with = "category")]
    pub list: bool,
}

pub fn run(args: &ExplainArgs) -> Exit {
    match &args.category {
        None => {
            super::format::print(&list());
            Exit::Ok
        }
        Some(id) => match (category::find(id), attack::find(id)) {
            (Some(info), _) => {
                let mut text = explain(info);
                // A word that is both (e.g. rollback) gets both answers.
                if let Some(a) = attack::find(id) {
                    text.push('\n');
                    text.push_str(&explain_attack(a));
                }
                super::format::print(&text);
                Exit::Ok
            }
            (None, Some(a)) => {
                super::format::print(&explain_attack(a));
                Exit::Ok
            }
            (None, None) => {
                let shown = crate::sanitize::sanitize(id);
                let similar = category::similar(id);
                let hint = if similar.is_empty() {
                    String::new()
                } else {
                    format!(" Did you mean: {}?", similar.join(", "))
                };
                eprintln!(
                    "trailscope explain: no category {shown:?}.{hint} `trailscope explain --list` lists every category."
                );
                Exit::Usage
            }
        },
    }
}

fn severity_word(info: &CategoryInfo) -> &'static str {
    info.severity.map_or("verdict", |s| s.word())
}

/// Every category, grouped by vocabulary, one line each.
pub fn list() -> String {
    let width = CATEGORIES.iter().map(|c| c.id().len()).max().unwrap_or(0);
    let mut out = String::from(
        "Categories of trailscope verdicts and findings (`trailscope explain CATEGORY` says more).\n\
         Errors decide the verdict; warnings become errors under --strict; notes are information.\n",
    );
    for voc in Vocabulary::ALL {
        out.push_str(&format!("\n{}:\n", voc.title()));
        for c in CATEGORIES.iter().map(|c| c.info()).filter(|c| c.vocabulary == voc) {
            out.push_str(&format!("  {:<width$}  {:<7}  {}\n", c.id, severity_word(c), c.summary));
        }
    }
    out.push_str("\nAttacks (`trailscope explain ATTACK`: what the attacker does, which check stops it):\n");
    let width = ATTACKS.iter().map(|a| a.id.len()).max().unwrap_or(0);
    for a in ATTACKS {
        out.push_str(&format!("  {:<width$}  {}\n", a.id, a.title));
    }
    out
}

/// The paragraphs for one attack.
pub fn explain_attack(a: &Attack) -> String {
    let mut out = format!("{} — attack: {}\n\n", a.id, a.title);
    for (label, text) in [("The attacker", a.attacker), ("Stopped by", a.stopped_by), ("Look at", a.look_at)]
    {
        out.push_str(&wrap(&format!("{label}: {text}"), 78));
        out.push('\n');
    }
    let categories: Vec<&str> = a.categories.iter().map(|c| c.id()).collect();
    out.push_str(&wrap(
        &format!("Reported as: {} (trailscope explain CATEGORY).", categories.join(", ")),
        78,
    ));
    if !a.scenarios.is_empty() {
        let shown: Vec<String> = a.scenarios.iter().map(|s| format!("trailscope open --demo {s}")).collect();
        out.push_str(&wrap(&format!("See it caught: {}.", shown.join("; ")), 78));
    }
    if !a.aliases.is_empty() {
        out.push_str(&wrap(&format!("Also called: {}.", a.aliases.join(", ")), 78));
    }
    out
}

/// The paragraph for one category.
pub fn explain(info: &CategoryInfo) -> String {
    let mut out = format!("{} — {} category, {}\n\n", info.id, info.vocabulary.word(), severity_word(info));
    out.push_str(&wrap(info.summary, 78));
    out.push('\n');
    out.push_str(&wrap(info.produced_by, 78));
    out.push('\n');
    out.push_str(&wrap(info.look_at, 78));
    if info.severity == Some(crate::verdict::Severity::Warning) {
        out.push('\n');
        out.push_str(&wrap(
            "A weakness the reference implementations accept: a warning by default, an error under --strict.",
            78,
        ));
    }
    out
}

/// Greedy word wrap; every line ends with a newline.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}
