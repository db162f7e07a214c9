//! The artifact rule grammar and the rule engine: the first line is a rule
//! (elements separated by spaces), the next lines are artifact paths
//! (`m:` materials of the item, `p:` products of a step named `other`).
//! Parsing errors or succeeds, never panics; a parsed rule runs through the
//! engine over those artifacts.
#![no_main]

use std::collections::BTreeMap;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use trailscope::intoto::engine::{rule_text, verify_item_rules};
use trailscope::intoto::fnmatch::Pattern;
use trailscope::intoto::model::{Artifacts, HashDict, Link};
use trailscope::intoto::rule::{ArtifactRule, ArtifactType};

fn hashes(line: &str) -> HashDict {
    // Two digests that often collide, so MATCH rules find equal hashes.
    let h = if line.len() % 2 == 0 { "aa" } else { "bb" };
    HashDict::from([("sha256".to_owned(), h.to_owned())])
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let elements: Vec<String> = lines.next().unwrap_or("").split(' ').map(str::to_owned).collect();
    let _ = rule_text(&elements);
    let mut mine = Artifacts::new();
    let mut theirs = Artifacts::new();
    for line in lines.take(64) {
        match line.split_once(':') {
            Some(("p", path)) => theirs.insert(path.to_owned(), hashes(line)),
            Some((_, path)) => mine.insert(path.to_owned(), hashes(line)),
            None => mine.insert(line.to_owned(), hashes(line)),
        };
    }
    match ArtifactRule::parse(&elements) {
        Ok(rule) => {
            let _ = (rule.keyword(), rule.is_disallow_all());
            let pattern = Pattern::new(rule.pattern());
            for name in mine.keys() {
                let _ = pattern.matches(name);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let mut item = Link::empty(Some("item".into()));
    item.materials = Arc::new(mine.clone());
    item.products = Arc::new(mine);
    let mut other = Link::empty(Some("other".into()));
    other.materials = Arc::new(theirs.clone());
    other.products = Arc::new(theirs);
    let links = BTreeMap::from([("other".to_owned(), other), ("item".to_owned(), item.clone())]);
    let rules = vec![elements, vec!["DISALLOW".into(), "*".into()]];
    for side in [ArtifactType::Materials, ArtifactType::Products] {
        let section = verify_item_rules(side, &rules, &item, &links);
        let _ = section.first_failure().map(|r| r.text());
    }
});
