//! `trailscope explain --list` and `trailscope explain CATEGORY`: what each
//! category of a finding or verdict means, which check produces it and what
//! to look at — from the one table in `verdict::category`.

use clap::Args;

use super::Exit;
use crate::verdict::category::{self, CATEGORIES, CategoryInfo, Vocabulary};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The category to explain, e.g. rule-disallow (see --list).
    #[arg(value_name = "CATEGORY", required_unless_present = "list")]
    pub category: Option<String>,
    /// List every category with a one-line meaning.
    #[arg(long, conflicts_with = "category")]
    pub list: bool,
}

pub fn run(args: &ExplainArgs) -> Exit {
    match &args.category {
        None => {
            super::format::print(&list());
            Exit::Ok
        }
        Some(id) => match category::find(id) {
            Some(info) => {
                super::format::print(&explain(info));
                Exit::Ok
            }
            None => {
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
